"""Evaluation harness: score extraction against gold annotations.

Gold files (``tests/data/gold/seeds.yaml``, ``tests/data/gold/devset.yaml``) hold, per source file name:

- ``advisories``: ``[{country, action, also_accept?, optional?}]``
- ``quantities``: ``[{kind, value, low?, high?, tol?, period?, region?, approx?, also_kind?, optional?}]``
  (``kind`` one of count/share/casualties/kidnapping; distance/price/quantity are scored recall-only;
  ``also_kind`` lists other kinds that are also right, ``tol`` an absolute tolerance on the value)
- ``kidnappings`` / ``casualties``: numbers of that kind (``value``, ``period?``)
- ``events``: ``[{date?, what}]`` (dated ones give an informational recall row)
- ``must_not``: ``[{kind, country?, action?, value?, ...}]``: facts that must not be produced. ``kind``
  advisory matches advisories of that country (and action, if given); count/share/casualties/
  kidnapping/``number`` match a fact of any of those four kinds with that value (prices and distances
  are legitimate ``quantity`` facts; a vague fact, "dozens", states no value and matches none);
  ``any`` also matches ``quantity`` facts (teasers, appeals)
- ``published``: the article's date, used when the loader found none
- top level ``sources_dir``: the articles' folder, relative to the gold file

Scoring (per source):

- advisories as (country, action) pairs; an ``also_accept`` action counts as the gold action;
- numbers as (kind, value, period): the value matches whatever the qualifier ("at least 4" matches 4),
  a gold ``value: null`` (vague, "dozens") matches a vague fact (value None); a gold ``period`` must
  match the fact's period interval (casualties/kidnappings: a period or date inside it is enough); gold
  without a period accepts any period;
- predictions are de-duplicated per source and key, so a number repeated in an article counts once;
- gold items marked ``optional: true`` are neither required nor false positives when produced;
- every ``must_not`` item produced is listed; one that is not already a false positive of a scored kind
  is added to the overall false positives.

Evidence integrity: for every fact, each evidence entry must satisfy
``source.original[start:end] == quote``; violations are counted and listed.

Pure API: ``score(gold_path, sources_dir) -> Report``. CLI: ``main(argv) -> int`` (``briefing eval``).
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from .model import Fact, Source

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO_ROOT / "tests" / "data" / "gold"
NAMED_GOLD = {"seeds": GOLD_DIR / "seeds.yaml", "devset": GOLD_DIR / "devset.yaml"}
# the held-out test set: scored only when asked for (``--gold holdout``), never by default
NAMED_GOLD["holdout"] = GOLD_DIR / "holdout.yaml"

NUMBER_KINDS = ("count", "share", "casualties", "kidnapping")  # precision and recall
RECALL_ONLY_KINDS = ("quantity",)  # gold lists a few; the extractor may find more, legitimately
KIND_ALIASES = {
    "distance": "quantity",
    "price": "quantity",
    "amount": "quantity",
    "kidnappings": "kidnapping",
    "casualty": "casualties",
    "killed": "casualties",
    "percent": "share",
}
ROW_ORDER = ("advisory",) + NUMBER_KINDS + ("numbers", "overall") + RECALL_ONLY_KINDS + ("event",)
_TOL = 1e-6


# --------------------------------------------------------------------------------------------
# Report types
# --------------------------------------------------------------------------------------------


@dataclass
class KindScore:
    kind: str
    tp: int = 0  # distinct predictions that match a required gold item
    fp: int = 0  # distinct predictions that match no gold item
    found: int = 0  # required gold items matched by some prediction
    gold: int = 0  # required gold items
    recall_only: bool = False

    @property
    def fn(self) -> int:
        return self.gold - self.found

    @property
    def precision(self) -> float | None:
        if self.recall_only:
            return None
        return self.tp / (self.tp + self.fp) if (self.tp + self.fp) else None

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        if self.recall_only or (self.precision is None and self.recall is None):
            return None
        p = 1.0 if self.precision is None else self.precision
        r = 1.0 if self.recall is None else self.recall
        return 2 * p * r / (p + r) if (p + r) else 0.0

    def add(self, other: "KindScore") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.found += other.found
        self.gold += other.gold

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "tp": self.tp, "fp": self.fp, "fn": self.fn, "gold": self.gold,
            "found": self.found, "precision": self.precision, "recall": self.recall, "f1": self.f1,
        }


@dataclass
class Item:
    """One miss, false positive, must_not hit or integrity violation, for the verbose listing."""

    source: str
    kind: str
    what: str
    quote: str = ""

    def line(self) -> str:
        q = " ".join(self.quote.split())
        if len(q) > 110:
            q = q[:107] + "..."
        return f"  {self.source} [{self.kind}] {self.what}" + (f'  "{q}"' if q else "")


@dataclass
class Report:
    gold_path: str
    sources_dir: str
    scores: dict[str, KindScore] = field(default_factory=dict)
    misses: list[Item] = field(default_factory=list)
    false_positives: list[Item] = field(default_factory=list)
    must_not_hits: list[Item] = field(default_factory=list)
    must_not_extra_fp: int = 0  # must_not hits not already counted as a false positive
    violations: list[Item] = field(default_factory=list)  # quote != original[start:end]
    unevidenced: list[Item] = field(default_factory=list)  # facts with no evidence at all
    missing_sources: list[str] = field(default_factory=list)  # in gold, not loaded
    errors: list[str] = field(default_factory=list)  # extractor exceptions, gold problems
    sources_scored: int = 0
    facts_total: int = 0

    def score(self, kind: str) -> KindScore:
        return self.scores.setdefault(kind, KindScore(kind, recall_only=kind in RECALL_ONLY_KINDS + ("event",)))

    # aggregate rows ---------------------------------------------------------------------
    @property
    def numbers(self) -> KindScore:
        agg = KindScore("numbers")
        for k in NUMBER_KINDS:
            if k in self.scores:
                agg.add(self.scores[k])
        return agg

    @property
    def overall(self) -> KindScore:
        agg = KindScore("overall")
        agg.add(self.numbers)
        if "advisory" in self.scores:
            agg.add(self.scores["advisory"])
        agg.fp += self.must_not_extra_fp
        return agg

    def row(self, kind: str) -> KindScore:
        if kind == "numbers":
            return self.numbers
        if kind == "overall":
            return self.overall
        return self.scores.get(kind) or KindScore(kind, recall_only=kind in RECALL_ONLY_KINDS + ("event",))

    # output -----------------------------------------------------------------------------
    def table(self, *, verbose: bool = False) -> str:
        def fmt(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        lines = [f"gold: {self.gold_path}", f"sources: {self.sources_dir} ({self.sources_scored} scored, {self.facts_total} facts)"]
        rows = [("kind", "tp", "fp", "fn", "gold", "precision", "recall", "f1")]
        for k in ROW_ORDER:
            s = self.row(k)
            if k not in ("numbers", "overall", "advisory") and not s.gold and not s.tp and not s.fp:
                continue
            label = k + (" (recall only)" if s.recall_only else "")
            rows.append((label, str(s.tp), "-" if s.recall_only else str(s.fp), str(s.fn), str(s.gold), fmt(s.precision), fmt(s.recall), fmt(s.f1)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for n, r in enumerate(rows):
            lines.append("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append(
            f"must_not hits: {len(self.must_not_hits)} ({self.must_not_extra_fp} not otherwise counted)   "
            f"evidence violations: {len(self.violations)}   facts without evidence: {len(self.unevidenced)}"
        )
        if self.missing_sources:
            lines.append(f"gold sources not loaded: {len(self.missing_sources)}: {', '.join(self.missing_sources)}")
        for e in self.errors:
            lines.append(f"error: {e}")
        if verbose:
            for title, items in (
                ("misses", self.misses),
                ("false positives", self.false_positives),
                ("must_not hits", self.must_not_hits),
                ("evidence violations", self.violations),
                ("facts without evidence", self.unevidenced),
            ):
                if items:
                    lines.append(f"{title} ({len(items)}):")
                    lines.extend(i.line() for i in items)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold_path,
            "sources_dir": self.sources_dir,
            "sources_scored": self.sources_scored,
            "facts_total": self.facts_total,
            "scores": {k: self.row(k).to_dict() for k in ROW_ORDER},
            "misses": [vars(i) for i in self.misses],
            "false_positives": [vars(i) for i in self.false_positives],
            "must_not_hits": [vars(i) for i in self.must_not_hits],
            "must_not_extra_fp": self.must_not_extra_fp,
            "evidence_violations": [vars(i) for i in self.violations],
            "facts_without_evidence": len(self.unevidenced),
            "missing_sources": self.missing_sources,
            "errors": self.errors,
        }


# --------------------------------------------------------------------------------------------
# Periods and values
# --------------------------------------------------------------------------------------------


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _iso_bounds(s: str) -> tuple[str, str] | None:
    """ISO (partial) date -> (first day, last day)."""
    s = s.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", s)
    if not m:
        return None
    y = int(m.group(1))
    if m.group(3):
        return s, s
    if m.group(2):
        mo = int(m.group(2))
        return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{_last_day(y, mo):02d}"
    return f"{y:04d}-01-01", f"{y:04d}-12-31"


def parse_period(p: Any) -> tuple[str, str] | None:
    """Gold period -> (start, end) ISO dates.

    Accepts ``2025``, ``2025-H1``/``H2``, ``2025-Q1..Q4``, ``2025-09``, ``2025-09-14``,
    ``2025-01/2025-06`` and ``{start, end}``.
    """
    if p is None:
        return None
    if isinstance(p, dict):
        a, b = _iso_bounds(str(p["start"])), _iso_bounds(str(p["end"]))
        return (a[0], b[1]) if a and b else None
    s = str(p).strip()
    m = re.fullmatch(r"(\d{4})-?H([12])", s, re.I)
    if m:
        y, h = int(m.group(1)), int(m.group(2))
        return (f"{y}-01-01", f"{y}-06-30") if h == 1 else (f"{y}-07-01", f"{y}-12-31")
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", s, re.I)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        m1, m3 = 3 * q - 2, 3 * q
        return f"{y}-{m1:02d}-01", f"{y}-{m3:02d}-{_last_day(y, m3):02d}"
    if "/" in s:
        a, b = (_iso_bounds(x) for x in s.split("/", 1))
        return (a[0], b[1]) if a and b else None
    return _iso_bounds(s)


def fact_interval(f: Fact) -> tuple[str, str] | None:
    """The fact's period as full ISO bounds (from ``period``, else from ``date``)."""
    if f.period is not None and f.period.start and f.period.end:
        a, b = _iso_bounds(str(f.period.start)), _iso_bounds(str(f.period.end))
        if a and b:
            return a[0], b[1]
    return None


def _fact_date_interval(f: Fact) -> tuple[str, str] | None:
    return _iso_bounds(str(f.date)) if f.date else None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    try:
        return abs(float(a) - float(b)) <= _TOL * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def value_matches(g: dict, f: Fact) -> bool:
    """Gold number vs fact value, tolerant to the qualifier."""
    gv, glo, ghi = g.get("value"), g.get("low"), g.get("high")
    if isinstance(gv, dict):
        glo, ghi, gv = gv.get("low"), gv.get("high"), None
    if gv is None and glo is None and ghi is None:  # vague gold ("dozens")
        return f.value is None and (f.qualifier == "vague" or f.low is not None or f.high is not None or f.surface is not None)
    if glo is not None or ghi is not None:  # gold range
        if f.low is not None or f.high is not None:
            return (glo is None or _close(f.low, glo)) and (ghi is None or _close(f.high, ghi))
        return False
    tol = g.get("tol")
    if tol is not None and f.value is not None:
        try:
            return abs(float(f.value) - float(gv)) <= float(tol)
        except (TypeError, ValueError):
            return False
    if _close(f.value, gv):
        return True
    # "at least 4" stored as low=4, no point value
    return f.value is None and f.high is None and _close(f.low, gv)


def period_matches(g: dict, f: Fact, kind: str) -> bool:
    want = parse_period(g.get("period"))
    if want is None:
        return True
    have = fact_interval(f)
    if have == want:
        return True
    if kind in ("casualties", "kidnapping"):
        for iv in (have, _fact_date_interval(f)):
            if iv and want[0] <= iv[0] and iv[1] <= want[1]:
                return True
    return False


def _num_key(f: Fact) -> tuple:
    iv = fact_interval(f) or _fact_date_interval(f)
    return (f.kind, f.value, f.low, f.high, iv)


def _num_desc(f: Fact) -> str:
    if f.value is not None:
        v = f"{f.value:g}"
    elif f.low is not None or f.high is not None:
        v = f"{'' if f.low is None else f'{f.low:g}'}..{'' if f.high is None else f'{f.high:g}'}"
    else:
        v = "vague"
    per = f.period.label if f.period else (f.date or "no period")
    what = f.what or ""
    return f"{v} ({f.qualifier or '-'}) {what} | {per}".strip()


def _gold_num_desc(g: dict) -> str:
    v = g.get("value")
    if v is None and (g.get("low") is not None or g.get("high") is not None):
        v = f"{g.get('low', '')}..{g.get('high', '')}"
    elif v is None:
        v = "vague"
    what = g.get("what") or g.get("who") or ""
    per = g.get("period") or "any period"
    return f"{v} {what} | {per}".strip()


# --------------------------------------------------------------------------------------------
# Gold loading
# --------------------------------------------------------------------------------------------


def load_gold(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data.get("sources"), dict):
        raise ValueError(f"{path}: no 'sources' mapping")
    return data


def gold_numbers(entry: dict) -> list[dict]:
    """All number annotations of a gold source entry, with a normalised ``kind``."""
    out: list[dict] = []
    for q in entry.get("quantities") or []:
        k = str(q.get("kind", "count")).lower()
        out.append(dict(q, kind=KIND_ALIASES.get(k, k)))
    for q in entry.get("kidnappings") or []:
        out.append(dict(q, kind="kidnapping"))
    for q in entry.get("casualties") or []:
        out.append(dict(q, kind="casualties"))
    return out


def default_sources_dir(gold_path: Path, gold: dict) -> Path:
    if gold.get("sources_dir"):
        return (Path(gold_path).parent / str(gold["sources_dir"])).resolve()
    gold_path = Path(gold_path).resolve()
    for cand in (gold_path.parent.parent.parent.parent / "seeds", REPO_ROOT / "seeds", Path.cwd() / "seeds"):
        if cand.is_dir():
            return cand
    return REPO_ROOT / "seeds"


def _match_sources(keys: Iterable[str], sources: list[Source]) -> dict[str, Source]:
    from .sources import source_id

    by_path = {s.path: s for s in sources}
    by_id = {s.id: s for s in sources}
    by_name = {Path(s.path).name: s for s in sources}
    out = {}
    for k in keys:
        s = by_path.get(k) or by_id.get(source_id(k)) or by_name.get(Path(k).name)
        if s is not None:
            out[k] = s
    return out


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def _cc(c: Any) -> str:
    """Country code from gold YAML (YAML 1.1 reads an unquoted NO, Norway, as False)."""
    if c is False:
        return "NO"
    return str(c or "").upper()


def _quote(f: Fact) -> str:
    return f.evidence[0].quote if f.evidence else (f.text or f.surface or "")


def _must_not_matches(m: dict, f: Fact) -> bool:
    kind = str(m.get("kind", "")).lower()
    kind = KIND_ALIASES.get(kind, kind)
    if kind == "advisory":
        if f.kind != "advisory":
            return False
        if m.get("country") is not None and (f.country or "").upper() != _cc(m["country"]):
            return False
        if m.get("action") and f.action != m["action"]:
            return False
        return True
    if kind in NUMBER_KINDS + RECALL_ONLY_KINDS + ("number", "any"):
        # a forbidden number is forbidden whatever scored kind the extractor gave it; prices and
        # distances are legitimate `quantity` facts, so only "any" (teasers, appeals) covers those
        allowed = NUMBER_KINDS + RECALL_ONLY_KINDS if kind in RECALL_ONLY_KINDS + ("any",) else NUMBER_KINDS
        if f.kind not in allowed:
            return False
        if m.get("strict_kind") and f.kind != kind:
            return False
        if "value" in m and m["value"] is not None:
            v = m["value"]
            if f.value is None and f.qualifier == "vague":
                return False  # "dozens" states no number (its conventional lower bound is not a figure)
            if not (_close(f.value, v) or _close(f.low, v) or _close(f.high, v)):
                return False
        if m.get("period") is not None and not period_matches(m, f, f.kind):
            return False
        return True
    if f.kind != kind:
        return False
    for key, want in m.items():
        if key in ("kind", "why", "strict_kind"):
            continue
        have = getattr(f, key, None)
        if have is None:
            have = f.attrs.get(key)
        if isinstance(want, str) and isinstance(have, str):
            if want.casefold() not in have.casefold():
                return False
        elif have != want:
            return False
    return True


def check_evidence(facts: Iterable[Fact], sources: dict[str, Source], report: Report) -> None:
    for f in facts:
        if not f.evidence:
            sid = "?"
            report.unevidenced.append(Item(sid, f.kind, f"{f.kind} fact without evidence", f.text or f.surface or ""))
            continue
        for e in f.evidence:
            src = sources.get(e.source)
            if src is None:
                report.violations.append(Item(e.source, f.kind, "evidence names an unknown source", e.quote))
                continue
            ok = 0 <= e.start <= e.end <= len(src.original) and src.original[e.start:e.end] == e.quote
            if not ok:
                got = src.original[max(0, e.start):max(0, e.end)]
                report.violations.append(Item(e.source, f.kind, f"span {e.start}-{e.end} holds {got[:60]!r}", e.quote))


def score_source(key: str, entry: dict, facts: list[Fact], report: Report) -> None:
    """Score one source's facts against its gold entry, accumulating into ``report``."""
    sid = key
    extra_fp_ids: set[int] = set()
    counted_fp: set[int] = set()

    # advisories ----------------------------------------------------------------------
    adv_gold = entry.get("advisories") or []
    sc = report.score("advisory")
    preds: dict[tuple, Fact] = {}
    for f in facts:
        if f.kind == "advisory":
            preds.setdefault(((f.country or "?").upper(), f.action or "?"), f)

    def adv_ok(g: dict, country: str, action: str) -> bool:
        acts = {g.get("action")} | set(g.get("also_accept") or [])
        return _cc(g.get("country")) == country and action in acts

    for (country, action), f in preds.items():
        req = [g for g in adv_gold if not g.get("optional") and adv_ok(g, country, action)]
        opt = [g for g in adv_gold if g.get("optional") and adv_ok(g, country, action)]
        if req:
            sc.tp += 1
        elif not opt:
            sc.fp += 1
            counted_fp.add(id(f))
            report.false_positives.append(Item(sid, "advisory", f"{country} {action}", _quote(f)))
    for g in adv_gold:
        if g.get("optional"):
            continue
        sc.gold += 1
        if any(adv_ok(g, c, a) for (c, a) in preds):
            sc.found += 1
        else:
            alt = "/".join([g.get("action")] + list(g.get("also_accept") or []))
            got = sorted(a for (c, a) in preds if c == _cc(g.get("country")))
            hint = f" (extracted: {', '.join(got)})" if got else ""
            report.misses.append(Item(sid, "advisory", f"{_cc(g.get('country'))} {alt}{hint}", str(g.get("evidence", ""))))

    # numbers -------------------------------------------------------------------------
    gnums = gold_numbers(entry)

    def kinds_of(g: dict) -> set[str]:
        # `also_kind`: an aggregate tally ("87 kidnappings were recorded") may be a count as well
        return {g["kind"]} | {KIND_ALIASES.get(str(k), str(k)) for k in (g.get("also_kind") or [])}

    def match(g: dict, f: Fact) -> bool:
        return f.kind in kinds_of(g) and value_matches(g, f) and period_matches(g, f, g["kind"])

    scored = [f for f in facts if f.kind in NUMBER_KINDS + RECALL_ONLY_KINDS]
    seen: dict[tuple, Fact] = {}
    for f in scored:
        seen.setdefault(_num_key(f), f)
    for f in seen.values():
        if f.kind in RECALL_ONLY_KINDS:
            continue
        sc = report.score(f.kind)
        if any(match(g, f) for g in gnums if not g.get("optional")):
            sc.tp += 1
        elif not any(match(g, f) for g in gnums if g.get("optional")):
            sc.fp += 1
            counted_fp.add(id(f))
            hint = ""
            other = [g for g in gnums if f.kind not in kinds_of(g) and value_matches(g, f)]
            if other:
                hint = f"  (gold has this value as {other[0]['kind']})"
            report.false_positives.append(Item(sid, f.kind, _num_desc(f) + hint, _quote(f)))
    for g in gnums:
        if g.get("optional"):
            continue
        sc = report.score(g["kind"])
        sc.gold += 1
        if any(match(g, f) for f in scored):
            sc.found += 1
            if g["kind"] in RECALL_ONLY_KINDS:
                sc.tp += 1
        else:
            near = [f for f in scored if f.kind in kinds_of(g) and value_matches(g, f)]
            hint = ""
            if near:
                hint = f"  (value found with period {near[0].period.label if near[0].period else near[0].date})"
            else:
                other = [f for f in scored if value_matches(g, f)]
                if other:
                    hint = f"  (value found as {other[0].kind})"
            report.misses.append(Item(sid, g["kind"], _gold_num_desc(g) + hint, str(g.get("evidence", g.get("text", "")))))

    # events (informational: dated gold events found by date) ---------------------------
    gev = [e for e in (entry.get("events") or []) if e.get("date") is not None and not e.get("optional")]
    if gev:
        sc = report.score("event")
        dates = [str(f.date) for f in facts if f.kind == "event" and f.date]
        for e in gev:
            d = str(e["date"])
            sc.gold += 1
            if any(x == d or x.startswith(d + "-") for x in dates):
                sc.found += 1
                sc.tp += 1
            else:
                report.misses.append(Item(sid, "event", f"{d} {e.get('what', '')}", str(e.get("evidence", ""))))

    # must_not --------------------------------------------------------------------------
    for m in entry.get("must_not") or []:
        for f in facts:
            if _must_not_matches(m, f):
                what = _cc(m["country"]) if m.get("country") is not None else ("" if m.get("value") is None else m["value"])
                desc = f"{m.get('kind')} {what}: {m.get('why', '')}"
                report.must_not_hits.append(Item(sid, f.kind, desc.strip(), _quote(f)))
                if id(f) not in counted_fp and id(f) not in extra_fp_ids:
                    extra_fp_ids.add(id(f))
    report.must_not_extra_fp += len(extra_fp_ids)


def _derived_facts(sources: list[Source], facts_by_source: dict[str, list[Fact]]) -> dict[str, list[Fact]]:
    """Derived facts (e.g. the base of 'double') that the facts stage adds, per source of evidence."""
    out: dict[str, list[Fact]] = {}
    try:
        from .facts import build_factsheet

        sheet = build_factsheet(sources, {k: [_copy_fact(f) for f in v] for k, v in facts_by_source.items()})
    except Exception:  # the facts stage is optional for scoring
        return out
    for f in sheet.facts:
        if f.derived:
            for sid in f.sources:
                out.setdefault(sid, []).append(f)
    return out


def _copy_fact(f: Fact) -> Fact:
    from .model import fact_from_dict, to_dict

    return fact_from_dict(to_dict(f))


def _default_loader(folder: Path) -> list[Source]:
    from .sources import load_sources

    return load_sources(folder).sources


def _default_extractor(source: Source) -> list[Fact]:
    from .extract import extract

    return extract(source)


def score(
    gold_path: Path | str,
    sources_dir: Path | str | None = None,
    *,
    extractor: Callable[[Source], list[Fact]] | None = None,
    loader: Callable[[Path], list[Source]] | None = None,
    derive: bool = True,
) -> Report:
    """Load gold and sources, run the extractor on each gold source and score it."""
    gold_path = Path(gold_path)
    gold = load_gold(gold_path)
    sdir = Path(sources_dir) if sources_dir else default_sources_dir(gold_path, gold)
    report = Report(gold_path=str(gold_path), sources_dir=str(sdir))

    loaded: list[Source] = []
    if not sdir.is_dir():
        report.errors.append(f"no sources folder: {sdir}")
    else:
        try:
            loaded = list((loader or _default_loader)(sdir))
        except Exception as e:  # report, do not crash: the table still shows what is missing
            report.errors.append(f"loading sources raised {type(e).__name__}: {e}")
    entries: dict[str, dict] = {str(k): (v or {}) for k, v in gold["sources"].items()}
    matched = _match_sources(entries, loaded)
    if extractor is None:
        extractor = _default_extractor

    facts_by_source: dict[str, list[Fact]] = {}
    for key, entry in entries.items():
        src = matched.get(key)
        if src is None:
            report.missing_sources.append(key)
            continue
        if not src.published and entry.get("published"):
            src.published = str(entry["published"])
        try:
            facts_by_source[src.id] = list(extractor(src))
        except Exception as e:  # keep scoring the other sources
            report.errors.append(f"{key}: extractor raised {type(e).__name__}: {e}")
            facts_by_source[src.id] = []

    derived = _derived_facts([matched[k] for k in entries if k in matched], facts_by_source) if derive else {}
    by_id = {s.id: s for s in matched.values()}
    for key, entry in entries.items():
        src = matched.get(key)
        facts = facts_by_source.get(src.id, []) if src else []
        report.facts_total += len(facts)
        check_evidence(facts, by_id, report)
        extra = [d for d in derived.get(src.id, [])] if src else []
        score_source(key, entry, facts + extra, report)
        if src is not None:
            report.sources_scored += 1
    return report


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _thresholds(specs: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for spec in specs or []:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                k, v = part.split("=", 1)
                out[k.strip()] = float(v)
            else:
                out["overall"] = float(part)
    return out


def _check(report: Report, metric: str, limits: dict[str, float]) -> list[str]:
    fails = []
    for kind, lim in limits.items():
        s = report.row(kind)
        val = getattr(s, metric)
        val = 1.0 if val is None else val
        if val + 1e-12 < lim:
            fails.append(f"{Path(report.gold_path).name}: {kind} {metric} {val:.3f} < {lim:.3f}")
    return fails


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefing eval", description="Score extraction against gold annotations.")
    p.add_argument("--gold", action="append", help="gold YAML file, or 'seeds' / 'devset' / 'holdout' (repeatable; default: seeds and devset)")
    p.add_argument("--sources", help="folder of articles (default: the gold file's sources_dir, or the seeds)")
    p.add_argument("-v", "--verbose", action="store_true", help="list every miss, false positive and violation")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-derived", action="store_true", help="score extraction only, without the facts stage's derived values")
    for m in ("f1", "precision", "recall"):
        p.add_argument(
            f"--min-{m}", action="append", metavar="SPEC",
            help=f"fail (exit 1) below this {m}: '0.9' (overall) or 'advisory=0.9,numbers=0.85' (repeatable)",
        )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    golds = args.gold or ["seeds", "devset"]
    paths = [NAMED_GOLD.get(g, Path(g)) for g in golds]
    if args.sources and len(paths) > 1:
        print("briefing eval: --sources needs a single --gold", file=sys.stderr)
        return 2
    try:
        limits = {m: _thresholds(getattr(args, f"min_{m}")) for m in ("f1", "precision", "recall")}
    except ValueError as e:
        print(f"briefing eval: bad threshold: {e}", file=sys.stderr)
        return 2
    unknown = sorted({k for lim in limits.values() for k in lim} - set(ROW_ORDER))
    if unknown:
        print(f"briefing eval: unknown kind in threshold: {', '.join(unknown)} (use one of {', '.join(ROW_ORDER)})", file=sys.stderr)
        return 2
    reports: list[Report] = []
    for path in paths:
        if not Path(path).is_file():
            print(f"briefing eval: no gold file: {path}", file=sys.stderr)
            return 2
        reports.append(score(path, args.sources, derive=not args.no_derived))
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(r.table(verbose=args.verbose) for r in reports))
    fails = [msg for r in reports for m, lim in limits.items() for msg in _check(r, m, lim)]
    for msg in fails:
        print(f"below threshold: {msg}", file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    raise SystemExit(main())
