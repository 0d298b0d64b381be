"""The held-out test set (tests/data/holdout, gold in tests/data/gold/holdout.yaml).

The extractor rules are tuned on the development set; this set is kept apart so that its scores say
how well the rules generalise. (a) the gold is checked against the articles; (b) the real extractor is
scored on it and the table printed (`pytest -s` or `benchmarks/eval.py --gold holdout`); the quality
thresholds are xfail(strict=False) until the extractors reach them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing import evaluate as ev
from briefing.model import ADVISORY_ACTIONS

from tests.gold_checks import norm as _norm


ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "tests" / "data" / "holdout"
HOLDGOLD = ROOT / "tests" / "data" / "gold" / "holdout.yaml"
DEVSET = ROOT / "tests" / "data" / "devset"
SCORED_KINDS = ev.NUMBER_KINDS
MUST_NOT_KINDS = ("advisory", "number", "any")


@pytest.fixture(scope="module")
def gold() -> dict:
    return ev.load_gold(HOLDGOLD)


def _evidence_parts(item: dict) -> list[str]:
    return [_norm(p.strip(" .")) for p in str(item.get("evidence", "")).split("...") if p.strip(" .")]


# --------------------------------------------------------------------------------------------
# (a) the gold is consistent with the articles
# --------------------------------------------------------------------------------------------


def test_holdout_files_and_gold_entries_match(gold):
    files = sorted(p.name for p in HOLDOUT.iterdir() if p.is_file())
    assert sorted(gold["sources"]) == files
    assert len(files) == 12
    assert sum(1 for f in files if f.endswith(".md")) >= 4
    assert sum(1 for f in files if f.startswith("o")) >= 6  # o* = crises other than Mali
    assert sum(1 for f in files if f.startswith("s")) >= 6  # s* = the Sahel/Mali situation
    assert (HOLDGOLD.parent / gold["sources_dir"]).resolve() == HOLDOUT.resolve()
    assert not set(files) & {p.name for p in DEVSET.iterdir()}


def test_holdout_articles_shape(gold):
    for name, entry in gold["sources"].items():
        text = (HOLDOUT / name).read_text(encoding="utf-8")
        words = len(text.split())
        assert 250 <= words <= 600, (name, words)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(entry.get("published"))), name
        if name.endswith(".md"):
            assert text.startswith("---\n") and "\npublished: " in text.split("\n---\n", 1)[0], name
            assert f"published: {entry['published']}" in text, name


def test_holdout_every_evidence_snippet_is_in_its_article(gold):
    for name, entry in gold["sources"].items():
        body = _norm((HOLDOUT / name).read_text(encoding="utf-8"))
        items = (
            list(entry.get("advisories") or []) + ev.gold_numbers(entry)
            + list(entry.get("events") or []) + list(entry.get("must_not") or [])
        )
        for it in items:
            for part in _evidence_parts(it):
                assert part in body, (name, part)
        for it in list(entry.get("advisories") or []) + ev.gold_numbers(entry):
            assert it.get("evidence"), (name, it)  # every annotation is justified by the text


def test_holdout_codes_actions_kinds_and_periods_are_valid(gold):
    for name, entry in gold["sources"].items():
        advs = entry.get("advisories") or []
        for a in advs:
            assert isinstance(a["country"], str) and re.fullmatch(r"[A-Z]{2}", a["country"]), (name, a)
            assert a["action"] in ADVISORY_ACTIONS, (name, a)
            assert set(a.get("also_accept") or []) <= set(ADVISORY_ACTIONS), (name, a)
        pairs = [(a["country"], a["action"]) for a in advs]
        assert len(pairs) == len(set(pairs)), (name, "duplicate advisory pair")
        nums = ev.gold_numbers(entry)
        for q in nums:
            assert q["kind"] in SCORED_KINDS, (name, q)
            has_value = q.get("value") is not None or q.get("low") is not None or q.get("high") is not None
            assert has_value or q.get("approx"), (name, q)  # a vague number is hedged
            if q.get("period") is not None:
                assert ev.parse_period(q["period"]), (name, q)
            for k in q.get("also_kind") or []:
                assert k in SCORED_KINDS, (name, q)
        for e in entry.get("events") or []:
            assert ev.parse_period(e["date"]), (name, e)
        countries = {a["country"] for a in advs}
        values = {q.get(k) for q in nums for k in ("value", "low", "high")} - {None}
        for m in entry.get("must_not") or []:
            assert m["kind"] in MUST_NOT_KINDS and m.get("why"), (name, m)
            if m["kind"] == "advisory":
                assert isinstance(m["country"], str) and re.fullmatch(r"[A-Z]{2}", m["country"]), (name, m)
                assert m["country"] not in countries, (name, m)  # never both wanted and forbidden
            else:
                assert m.get("value") is not None and m["value"] not in values, (name, m)


def test_holdout_numbers_in_the_text_are_annotated(gold):
    """Exhaustive annotation: every figure written in digits is gold, optional or must_not.

    (Digits inside a larger figure, e.g. 3.8 million or a date in a period, are covered by it.)
    """
    for name, entry in gold["sources"].items():
        text = (HOLDOUT / name).read_text(encoding="utf-8")
        if name.endswith(".md"):
            text = text.split("\n---\n", 1)[1]  # front matter is metadata
        known = {float(q[k]) for q in ev.gold_numbers(entry) for k in ("value", "low", "high") if q.get(k) is not None}
        known |= {float(m["value"]) for m in entry.get("must_not") or [] if m.get("value") is not None}
        for m in re.finditer(r"(?<![\d.,])\d[\d,]*(?:\.\d+)?", text):
            raw = m.group().rstrip(",")
            v = float(raw.replace(",", ""))
            tail = text[m.end():m.end() + 12].lower()
            scaled = re.match(r"\s*(million|billion)", tail)
            if scaled:
                v *= 1e6 if scaled.group(1) == "million" else 1e9
            head = text[max(0, m.start() - 1):m.start()]
            if v in known or v == 0 or head in ("Q", "-") and v < 10:
                continue
            # parts of a year/quarter already annotated (Q2 2024, 2025-26) and dates in periods
            if 2000 <= v <= 2030 or re.match(r"\s*(january|february|march|april|may|june|july|august|september|october|november|december)", tail):
                continue
            raise AssertionError(f"{name}: unannotated number {raw!r} in {text[max(0, m.start() - 40):m.end() + 20]!r}")


def test_holdout_has_enough_and_varied_annotations(gold):
    entries = list(gold["sources"].values())
    adv = [a for e in entries for a in e.get("advisories") or [] if not a.get("optional")]
    nums = [q for e in entries for q in ev.gold_numbers(e) if not q.get("optional")]
    neg = [m for e in entries for m in e.get("must_not") or []]
    assert len(adv) >= 40 and len({a["country"] for a in adv}) >= 15
    assert {a["action"] for a in adv} >= {"ordered_departure", "leave_now", "avoid_travel"}
    assert len(nums) >= 50 and len(neg) >= 100
    kinds = {q["kind"] for q in nums}
    assert kinds == set(SCORED_KINDS)
    assert sum(1 for q in nums if q.get("period") is not None) >= 10
    assert any(q.get("low") is not None and q.get("high") is not None for q in nums)  # "between 30 and 40"
    assert any(q.get("value") is None and q.get("low") is None for q in nums)  # "scores of", "dozens"


def test_holdout_phrasing_differs_from_the_devset():
    """No run of ten words is shared with a development-set article (the set is not a paraphrase)."""

    def shingles(p: Path, n: int = 10) -> set[tuple[str, ...]]:
        w = re.findall(r"[a-z0-9']+", p.read_text(encoding="utf-8").lower())
        return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}

    dev: set[tuple[str, ...]] = set()
    for p in DEVSET.iterdir():
        dev |= shingles(p)
    for p in sorted(HOLDOUT.iterdir()):
        shared = shingles(p) & dev
        assert not shared, (p.name, [" ".join(s) for s in list(shared)[:3]])


# --------------------------------------------------------------------------------------------
# (b) the real extractor on the held-out set
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def holdout_report() -> ev.Report:
    return ev.score(HOLDGOLD)


def test_holdout_is_scored_and_table_printed(holdout_report):
    r = holdout_report
    print()
    print(r.table())
    assert not r.errors, r.errors
    assert not r.missing_sources, r.missing_sources
    assert r.sources_scored == 12
    assert r.row("advisory").gold >= 40 and r.numbers.gold >= 50
    for k in ("advisory", "numbers", "overall"):
        s = r.row(k)
        for v in (s.precision, s.recall, s.f1):
            assert v is None or 0.0 <= v <= 1.0


def test_holdout_cli_by_name_and_by_path(capsys):
    assert ev.main(["--gold", "holdout"]) == 0
    out = capsys.readouterr().out
    assert "holdout.yaml" in out and "advisory" in out and "numbers" in out
    assert ev.main(["--gold", str(HOLDGOLD.relative_to(ROOT)) if Path.cwd() == ROOT else str(HOLDGOLD)]) == 0
    assert "12 scored" in capsys.readouterr().out


@pytest.mark.xfail(strict=False, reason="extractors in progress; held-out quality target")
def test_holdout_thresholds(holdout_report):
    r = holdout_report
    assert not r.errors and not r.missing_sources
    assert not r.violations, [i.line() for i in r.violations]
    assert r.row("advisory").f1 >= 0.9, r.table()
    assert r.numbers.recall >= 0.85, r.table()
    assert (r.numbers.precision or 0.0) >= 0.9, r.table()
