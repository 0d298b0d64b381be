"""Merge per-source facts into a FactSheet. (First version: ids, numbering, as-of.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..model import Fact, FactSheet, Source


def fact_key(f: Fact) -> tuple:
    """What a fact is about (not its value): facts with equal keys talk about the same thing."""
    per = f.period.label if f.period else None
    if f.kind == "advisory":
        return (f.kind, f.country, f.action)
    if f.kind in ("count", "share", "casualties", "kidnapping", "quantity"):
        return (f.kind, f.actor, (f.what or "").lower(), per, (f.region or "").lower(), (f.place or "").lower())
    if f.kind == "actor":
        return (f.kind, f.actor or f.text)
    if f.kind == "place":
        return (f.kind, f.place)
    return (f.kind, f.date, (f.text or f.what or "").lower()[:80])


def fact_id(f: Fact) -> str:
    h = hashlib.sha1(repr(fact_key(f)).encode("utf-8")).hexdigest()[:8]
    return f"{f.kind}-{h}"


def build_factsheet(
    sources: list[Source],
    facts_by_source: dict[str, list[Fact]],
    *,
    as_of: str | None = None,
    review_path: Path | None = None,
    extractor_version: str = "",
) -> FactSheet:
    infos = [s.info() for s in sources]
    # number sources by date (undated last), then id: stable under additions of later sources
    infos.sort(key=lambda s: (s.published or "9999", s.id))
    for i, s in enumerate(infos, 1):
        s.number = i
    dates = [s.published for s in infos if s.published]
    sheet = FactSheet(as_of=as_of or (max(dates) if dates else None), sources=infos, extractor_version=extractor_version)
    merged: dict[tuple, Fact] = {}
    for s in sources:
        for f in facts_by_source.get(s.id, []):
            key = fact_key(f)
            if key in merged:
                merged[key].evidence.extend(f.evidence)
            else:
                f.id = fact_id(f)
                merged[key] = f
    sheet.facts = list(merged.values())
    return sheet
