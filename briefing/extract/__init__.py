"""Extraction: a pure function Source -> [Fact].

Each sub-module exposes ``extract(ctx: Context) -> list[Fact]``. Results are cached by the build
on (the source's kept text and date, ``fingerprint()``): the fingerprint hashes the extractor's code and
data files, so a changed rule can never serve stale cached facts.
"""

from __future__ import annotations

from ..model import Fact, Source
from .text import Context

EXTRACTOR_VERSION = "0.1.0"
_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """EXTRACTOR_VERSION plus a hash of the extractor's code and data files."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import hashlib
        from pathlib import Path

        pkg = Path(__file__).resolve().parent
        h = hashlib.sha1(EXTRACTOR_VERSION.encode())
        for p in sorted(list(pkg.glob("*.py")) + list((pkg.parent / "data").glob("*"))):
            if p.is_file():
                h.update(p.name.encode())
                h.update(p.read_bytes())
        _FINGERPRINT = f"{EXTRACTOR_VERSION}+{h.hexdigest()[:12]}"
    return _FINGERPRINT


def extract(source: Source) -> list[Fact]:
    from . import actors, advisories, events, quantities

    ctx = Context.of(source)
    facts: list[Fact] = []
    for mod in (advisories, quantities, events, actors):
        facts.extend(mod.extract(ctx))
    return facts
