"""Merge per-source facts into one FactSheet.

- Facts about the same thing (same identity key, compatible values) merge into one fact with several
  evidence entries. Corroboration counts independent lines of reporting: near-duplicate sources share a
  group, and a figure attributed to one originator ("according to ACLED") counts once however many
  outlets repeat it.
- Different values for the same thing stay separate facts, each marked ``conflict``, and a Conflict
  names them: never averaged.
- Derived facts keep ``derived=True`` and point at the fact they were computed from.
- The analyst's review file (see ``review.py``) is applied last.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from pathlib import Path

from ..model import Conflict, Evidence, Fact, FactSheet, Source

NUMERIC = ("count", "share", "casualties", "kidnapping", "quantity")
_QUAL_RANK = {"exact": 0, None: 1, "approx": 2, "approx_below": 2, "at_least": 3, "more_than": 3, "up_to": 3, "range": 4, "vague": 5}


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip().lower())


def fact_key(f: Fact) -> tuple:
    """What a fact is about (not its value): facts with equal keys talk about the same thing."""
    per = f.period.label if f.period else None
    if f.kind == "advisory":
        return (f.kind, f.country, f.action)
    if f.kind in ("casualties", "kidnapping"):
        # who was hit matters: one kidnapped missionary and six abducted drivers are two incidents
        who = _norm(str(f.attrs.get("victims") or "")) or _norm(f.what)
        return (f.kind, who, _norm(str(f.attrs.get("nationality") or "")), f.date or per, _norm(f.place), f.country)
    if f.kind in NUMERIC:
        return (f.kind, _norm(f.actor), _norm(f.what), per, _norm(f.region), _norm(f.place), bool(f.derived))
    if f.kind == "actor":
        return (f.kind, _norm(f.actor or f.text))
    if f.kind == "place":
        return (f.kind, _norm(f.place), f.country)
    if f.kind == "claim":
        return (f.kind, _norm(f.speaker), _norm(f.text))
    return (f.kind, f.date, _norm(f.text or f.what)[:80])


def _hash(obj) -> str:
    return hashlib.sha1(repr(obj).encode("utf-8")).hexdigest()[:10]


def fact_id(f: Fact, extra: object = None) -> str:
    key = fact_key(f)
    return f"{f.kind}-{_hash(key if extra is None else (key, extra))}"


def _bounds(f: Fact) -> tuple[float | None, float | None]:
    """The interval of values a fact allows (None = unbounded)."""
    q = f.qualifier
    v = f.value
    if q == "range":
        return f.low, f.high
    if v is None:
        return f.low, f.high  # vague: whatever bounds it has
    if q in ("at_least", "more_than"):
        return v, None
    if q == "up_to":
        return None, v
    if q in ("approx", "approx_below"):
        tol = max(abs(v) * 0.1, 1.0)
        return v - tol, v + (0 if q == "approx_below" else tol)
    return v, v


def compatible(a: Fact, b: Fact) -> bool:
    """Can two reports of the same slot both be true?"""
    if a.kind not in NUMERIC:
        return True
    if a.value is None and a.low is None and a.high is None:
        return True
    if b.value is None and b.low is None and b.high is None:
        return True
    (alo, ahi), (blo, bhi) = _bounds(a), _bounds(b)
    lo = max(x for x in (alo, blo, float("-inf")) if x is not None)
    hi = min(x for x in (ahi, bhi, float("inf")) if x is not None)
    return lo <= hi + 1e-9


_INF = float("inf")


def _interval(f: Fact) -> tuple[bool, float, float]:
    """(unbounded, lo, hi) as ``compatible`` reads a fact."""
    if f.value is None and f.low is None and f.high is None:
        return True, -_INF, _INF
    lo, hi = _bounds(f)
    return False, -_INF if lo is None else lo, _INF if hi is None else hi


class _BucketIndex:
    """The facts of one bucket (one slot with conflicting values) indexed by interval, so that finding
    the first fact compatible with a new one does not scan a bucket that grew to hundreds of values."""

    def __init__(self, bucket: list[Fact]):
        self.bucket = bucket
        self.n = 0
        self.first_unbounded: int | None = None
        self.point_values: list[float] = []  # sorted distinct values of exact (point) facts
        self.point_first: dict[float, int] = {}  # value -> first position in the bucket
        self.others: list[tuple[int, float, float]] = []  # bounded intervals that are not points
        for g in bucket:
            self.add(g)

    def add(self, g: Fact) -> None:
        i = self.n
        self.n += 1
        u, lo, hi = _interval(g)
        if u:
            if self.first_unbounded is None:
                self.first_unbounded = i
        elif lo == hi:
            if lo not in self.point_first:
                self.point_first[lo] = i
                bisect.insort(self.point_values, lo)
        else:
            self.others.append((i, lo, hi))

    def first(self, flo: float, fhi: float) -> int | None:
        best = self.first_unbounded
        for i, lo, hi in self.others:
            if best is not None and i > best:
                break
            if max(lo, flo) <= min(hi, fhi) + 1e-9:
                best = i
                break
        if flo <= fhi + 1e-9:
            vals = self.point_values
            k = bisect.bisect_left(vals, flo - 1e-9)
            end = bisect.bisect_right(vals, fhi + 1e-9)
            # a point v is compatible iff max(v, flo) <= min(v, fhi) + 1e-9
            for v in vals[k:end]:
                if max(v, flo) <= min(v, fhi) + 1e-9:
                    j = self.point_first[v]
                    if best is None or j < best:
                        best = j
        return best


def _first_compatible(bucket: list[Fact], f: Fact, index_of: dict[int, _BucketIndex]) -> Fact | None:
    """``next((g for g in bucket if compatible(g, f)), None)`` without scanning long buckets."""
    if f.kind not in NUMERIC:
        return bucket[0]
    fu, flo, fhi = _interval(f)
    if fu:
        return bucket[0]
    if len(bucket) < 8:
        for g in bucket:
            if compatible(g, f):
                return g
        return None
    idx = index_of.get(id(bucket))
    if idx is None or idx.n != len(bucket):
        idx = index_of[id(bucket)] = _BucketIndex(bucket)
    j = idx.first(flo, fhi)
    return None if j is None else bucket[j]


def _line_of_reporting(ev: Evidence, group_of: dict[str, str], originator: dict[str, str | None]) -> str:
    return originator.get(ev.source) or group_of.get(ev.source, ev.source)


def _merge_into(target: Fact, other: Fact, seen: set | None = None) -> None:
    """Merge ``other`` into ``target``. ``seen``: the (source, start, end) of target's evidence, kept by
    the caller across merges (rebuilding it for every merge was quadratic for facts with thousands of
    evidence entries)."""
    if seen is None:
        seen = {(e.source, e.start, e.end) for e in target.evidence}
    for e in other.evidence:
        if (e.source, e.start, e.end) not in seen:
            target.evidence.append(e)
            seen.add((e.source, e.start, e.end))
    # keep the most precise statement of the value
    if _QUAL_RANK.get(other.qualifier, 1) < _QUAL_RANK.get(target.qualifier, 1) and other.value is not None:
        for attr in ("value", "low", "high", "qualifier", "surface", "unit"):
            setattr(target, attr, getattr(other, attr))
    for a in other.aliases:
        if a not in target.aliases:
            target.aliases.append(a)
    for k, v in other.attrs.items():
        target.attrs.setdefault(k, v)
    if target.date is None and other.date:
        target.date, target.date_precision = other.date, other.date_precision
    target.confidence = max(target.confidence, other.confidence)


def _event_tokens(f: Fact) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", _norm(f.text or f.what))}


def build_factsheet(
    sources: list[Source],
    facts_by_source: dict[str, list[Fact]],
    *,
    as_of: str | None = None,
    review_path: Path | None = None,
    extractor_version: str = "",
) -> FactSheet:
    infos = [s.info() for s in sources]
    # [n] numbering: by date (undated last), then id
    infos.sort(key=lambda s: (s.published or "9999", s.id))
    for i, s in enumerate(infos, 1):
        s.number = i
    dates = [s.published for s in infos if s.published]
    sheet = FactSheet(as_of=as_of or (max(dates) if dates else None), sources=infos, extractor_version=extractor_version)

    group_of = {s.id: (s.group or s.duplicate_of or s.id) for s in sources}
    src_ids = {s.id for s in sources}

    # 1. cluster facts by identity key, then by value compatibility (near-linear: events are looked up
    # among the clusters of their date only, evidence sets are kept per fact across merges)
    clusters: dict[tuple, list[Fact]] = {}
    order: list[tuple] = []
    events_by_date: dict[str, list[tuple[tuple, set[str]]]] = {}
    seen_of: dict[int, set] = {}
    index_of: dict[int, _BucketIndex] = {}
    for s in sources:
        for f in facts_by_source.get(s.id, []):
            f.evidence = [e for e in f.evidence if e.source in src_ids]
            if f.kind == "event":
                key = _find_event_cluster(events_by_date, f)
            else:
                key = fact_key(f)
            bucket = clusters.get(key)
            if bucket is None:
                clusters[key] = [f]
                order.append(key)
                if f.kind == "event" and f.date is not None:
                    events_by_date.setdefault(f.date, []).append((key, _event_tokens(f)))
                continue
            g = _first_compatible(bucket, f, index_of)
            if g is None:
                bucket.append(f)
                idx = index_of.get(id(bucket))
                if idx is not None:
                    idx.add(f)
            else:
                seen = seen_of.get(id(g))
                if seen is None:
                    seen = seen_of[id(g)] = {(e.source, e.start, e.end) for e in g.evidence}
                before = _interval(g) if g.kind in NUMERIC else None
                _merge_into(g, f, seen)
                if before is not None and _interval(g) != before:
                    index_of.pop(id(bucket), None)  # g's value became more precise: re-index the bucket

    # 2. ids, corroboration, conflicts
    facts: list[Fact] = []
    used_ids: set[str] = set()
    for key in order:
        bucket = clusters[key]
        for f in bucket:
            extra = None if len(bucket) == 1 else (f.value, f.low, f.high, f.qualifier)
            fid = fact_id(f, extra)
            n = 2
            base = fid
            while fid in used_ids:
                fid = f"{base}-{n}"
                n += 1
            used_ids.add(fid)
            f.id = fid
            originator = {e.source: f.attrs.get("originator") for e in f.evidence} if f.attrs.get("originator") else {}
            lines = {_line_of_reporting(e, group_of, originator) for e in f.evidence}
            f.attrs["lines_of_reporting"] = len(lines)
            if f.status == "reported" and len(lines) >= 2:
                f.status = "corroborated"
            facts.append(f)
        if len(bucket) > 1:
            for f in bucket:
                f.status = "conflict"
            sample = bucket[0]
            sheet.conflicts.append(
                Conflict(
                    id=f"conflict-{_hash(key)}",
                    kind=sample.kind,
                    what=describe_slot(sample),
                    fact_ids=[f.id for f in bucket],
                    note="sources report different values; shown side by side, not averaged",
                )
            )

    # 3. link derived facts to their inputs
    by_source_kind: dict[tuple, list[Fact]] = {}
    for f in facts:
        for sid in dict.fromkeys(e.source for e in f.evidence):  # Fact.sources, in linear time
            by_source_kind.setdefault((sid, f.kind), []).append(f)
    ids = {f.id for f in facts}
    for f in facts:
        if not f.derived:
            continue
        resolved = [d for d in f.derived_from if d in ids]
        if not resolved:
            for sid in dict.fromkeys(e.source for e in f.evidence):
                for g in by_source_kind.get((sid, f.kind), []):
                    if g is not f and not g.derived and _norm(g.actor) == _norm(f.actor) and _norm(g.what) == _norm(f.what):
                        resolved.append(g.id)
                        break
        f.derived_from = resolved

    sheet.facts = facts

    # 4. the analyst's decisions
    if review_path is not None:
        from .review import apply_review

        apply_review(sheet, review_path, sources)
    return sheet


def _find_event_cluster(events_by_date: dict[str, list[tuple[tuple, set[str]]]], f: Fact) -> tuple:
    """Events from different sources describing the same happening on the same date merge.
    ``events_by_date``: date -> [(cluster key, words of the cluster's first event)], in cluster order."""
    if f.date is None:
        return fact_key(f)
    toks = _event_tokens(f)
    for key, other in events_by_date.get(f.date, ()):
        if toks and other and len(toks & other) / len(toks | other) >= 0.5:
            return key
    return fact_key(f)


def describe_slot(f: Fact) -> str:
    parts = [p for p in (f.actor, f.what, f.region, f.place) if p]
    if f.period:
        parts.append(f.period.label)
    if f.kind == "advisory":
        parts = [f.country or "?", f.action or "?"]
    return ", ".join(parts) or f.kind
