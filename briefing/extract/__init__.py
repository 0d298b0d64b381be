"""Extraction: a pure function Source -> [Fact].

Each sub-module exposes ``extract(ctx: Context) -> list[Fact]``. Results are cached by the build
on (source sha256, EXTRACTOR_VERSION); bump the version whenever a rule changes.
"""

from __future__ import annotations

from ..model import Fact, Source
from .text import Context

EXTRACTOR_VERSION = "0.1.0"


def extract(source: Source) -> list[Fact]:
    from . import actors, advisories, events, quantities

    ctx = Context.of(source)
    facts: list[Fact] = []
    for mod in (advisories, quantities, events, actors):
        facts.extend(mod.extract(ctx))
    return facts
