"""Extractor stub: events. Returns the facts of its kinds found in one source."""

from __future__ import annotations

from ..model import Fact
from .text import Context


def extract(ctx: Context) -> list[Fact]:
    return []
