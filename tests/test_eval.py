"""Tests of the evaluation harness (briefing/evaluate.py) and of the development set's gold file.

(a) the scorer on tiny synthetic gold and fake facts; (b) the seeds and (c) the development set scored
with the real extractor.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from briefing import evaluate as ev
from briefing.model import Evidence, Fact, OffsetMap, Period, Source
from tests.gold_checks import check_entry

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "tests" / "data" / "devset"
DEVGOLD = ROOT / "tests" / "data" / "gold" / "devset.yaml"
SEEDGOLD = ROOT / "tests" / "data" / "gold" / "seeds.yaml"


# --------------------------------------------------------------------------------------------
# helpers: a fake loader and fake extractor
# --------------------------------------------------------------------------------------------


def _src(sid: str, text: str, published: str | None = None) -> Source:
    return Source(
        id=sid, path=f"{sid}.txt", sha256=hashlib.sha256(text.encode()).hexdigest(), format="txt",
        original=text, text=text, offsets=OffsetMap.identity(len(text)), published=published,
    )


def _ev(src: Source, quote: str) -> list[Evidence]:
    i = src.original.index(quote)
    return [Evidence(src.id, i, i + len(quote), quote)]


def _adv(src: Source, country: str, action: str, quote: str) -> Fact:
    return Fact(kind="advisory", country=country, action=action, evidence=_ev(src, quote))


def _num(src: Source, kind: str, value, quote: str, *, qualifier="exact", period=None, low=None, date=None) -> Fact:
    return Fact(kind=kind, value=value, low=low, qualifier=qualifier, period=period, date=date, evidence=_ev(src, quote))


H1_2025 = Period("H1 2025", "2025-01-01", "2025-06-30", "the first half of 2025")
Y2024 = Period("2024", "2024-01-01", "2024-12-31", "last year")

TEXT_A = (
    "Germany, Italy and Canada told their nationals to leave. Washington ordered staff out. "
    "The group carried out 280 attacks in the first half of 2025, and at least four towns were hit. "
    "Dozens of tankers burned. Senegal is a corridor. A litre costs 900 francs. 280 attacks again."
)
TEXT_B = "Six drivers were abducted in 2024; 12 percent of roads are closed."


def _run(tmp_path: Path, gold: dict, facts_for, texts=None, published=None) -> ev.Report:
    texts = texts or {"a": TEXT_A, "b": TEXT_B}
    gpath = tmp_path / "gold.yaml"
    gpath.write_text(yaml.safe_dump(gold, sort_keys=False), encoding="utf-8")
    sdir = tmp_path / "src"
    sdir.mkdir(exist_ok=True)
    for k, t in texts.items():
        (sdir / f"{k}.txt").write_text(t, encoding="utf-8")

    def loader(folder):
        return [_src(k, t, (published or {}).get(k)) for k, t in texts.items()]

    return ev.score(gpath, sdir, extractor=facts_for, loader=loader, derive=False)


# --------------------------------------------------------------------------------------------
# (a) unit tests of the scorer
# --------------------------------------------------------------------------------------------


def test_parse_period_forms():
    assert ev.parse_period("2025-H1") == ("2025-01-01", "2025-06-30")
    assert ev.parse_period("2024-H2") == ("2024-07-01", "2024-12-31")
    assert ev.parse_period("2025-Q3") == ("2025-07-01", "2025-09-30")
    assert ev.parse_period(2024) == ("2024-01-01", "2024-12-31")
    assert ev.parse_period("2024-02") == ("2024-02-01", "2024-02-29")
    assert ev.parse_period("2025-01/2025-11") == ("2025-01-01", "2025-11-30")
    assert ev.parse_period({"start": "2025-09-01", "end": "2025-11-15"}) == ("2025-09-01", "2025-11-15")
    assert ev.parse_period(None) is None


def test_value_match_is_tolerant_to_qualifier_but_not_to_value():
    f = Fact(kind="count", value=4, qualifier="at_least")
    assert ev.value_matches({"value": 4, "approx": True}, f)
    assert not ev.value_matches({"value": 5}, f)
    vague = Fact(kind="count", value=None, qualifier="vague", surface="dozens")
    assert ev.value_matches({"value": None}, vague)
    assert not ev.value_matches({"value": None}, f)
    assert not ev.value_matches({"value": 12}, vague)
    low_only = Fact(kind="count", low=100, qualifier="more_than")
    assert ev.value_matches({"value": 100}, low_only)
    rng = Fact(kind="count", low=7000, high=12000, qualifier="range")
    assert ev.value_matches({"low": 7000, "high": 12000}, rng)
    assert not ev.value_matches({"value": 7000}, rng)
    assert ev.value_matches({"value": 67, "tol": 1}, Fact(kind="share", value=66.67))


def test_advisories_pairs_also_accept_optional_and_false_positives(tmp_path):
    gold = {"sources": {"a.txt": {
        "advisories": [
            {"country": "DE", "action": "leave_now", "also_accept": ["avoid_travel"]},
            {"country": "IT", "action": "leave_now"},
            {"country": "CA", "action": "leave_now"},
            {"country": "US", "action": "ordered_departure"},
            {"country": "FR", "action": "other", "optional": True},
        ],
    }}}

    def extract(src):
        if src.id != "a":
            return []
        return [
            _adv(src, "DE", "avoid_travel", "Germany"),  # an also_accept action: correct
            _adv(src, "IT", "leave_now", "Italy"),
            _adv(src, "IT", "leave_now", "told their nationals"),  # duplicate pair: counted once
            _adv(src, "US", "leave_now", "Washington"),  # wrong action: FP, and US o_d missed
            _adv(src, "FR", "other", "Senegal"),  # optional: neither TP nor FP
            _adv(src, "SN", "avoid_travel", "Senegal is a corridor"),  # FP
        ]

    r = _run(tmp_path, gold, extract)
    s = r.row("advisory")
    assert (s.tp, s.fp, s.gold, s.found) == (2, 2, 4, 2)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    missed = {i.what.split()[0] for i in r.misses if i.kind == "advisory"}
    assert missed == {"CA", "US"}
    assert {i.what for i in r.false_positives} == {"US leave_now", "SN avoid_travel"}
    assert any("extracted: leave_now" in i.what for i in r.misses)  # hint for a wrong action


def test_numbers_match_on_kind_value_and_period(tmp_path):
    gold = {"sources": {
        "a.txt": {"quantities": [
            {"kind": "count", "value": 280, "period": "2025-H1"},
            {"kind": "count", "value": 4, "approx": True},
            {"kind": "count", "value": None, "approx": True, "text": "dozens"},
        ]},
        "b.txt": {
            "kidnappings": [{"value": 6, "period": 2024}],
            "quantities": [{"kind": "share", "value": 12}],
        },
    }}

    def extract(src):
        if src.id == "a":
            return [
                _num(src, "count", 280, "280 attacks", period=H1_2025),
                _num(src, "count", 280, "280 attacks again", period=H1_2025),  # same key: once
                _num(src, "count", 4, "at least four", qualifier="at_least"),
                _num(src, "count", None, "Dozens", qualifier="vague"),
                _num(src, "quantity", 900, "900 francs"),  # recall-only kind: never a FP
                _num(src, "count", 900, "900 francs"),  # a price read as a count: FP
            ]
        return [
            _num(src, "kidnapping", 6, "Six drivers", date="2024-05"),  # date inside the period
            _num(src, "count", 12, "12 percent"),  # wrong kind: FP, and the share is missed
        ]

    r = _run(tmp_path, gold, extract)
    n = r.numbers
    assert (n.tp, n.fp, n.gold, n.found) == (4, 2, 5, 4)
    assert r.row("kidnapping").found == 1
    assert r.row("share").found == 0
    assert any("value found as count" in i.what for i in r.misses)
    assert "quantity" not in r.scores or r.scores["quantity"].fp == 0


def test_period_is_required_when_gold_gives_one(tmp_path):
    gold = {"sources": {"a.txt": {"quantities": [{"kind": "count", "value": 280, "period": "2025-H1"}]}}}

    def extract(src):
        return [_num(src, "count", 280, "280 attacks", period=Y2024)] if src.id == "a" else []

    r = _run(tmp_path, gold, extract)
    assert r.numbers.found == 0 and r.numbers.fp == 1
    assert "value found with period 2024" in r.misses[0].what


def test_also_kind_accepts_a_tally_as_count(tmp_path):
    gold = {"sources": {"b.txt": {"kidnappings": [{"value": 6, "also_kind": ["count"]}]}}}

    def extract(src):
        return [_num(src, "count", 6, "Six drivers")] if src.id == "b" else []

    r = _run(tmp_path, gold, extract)
    assert r.numbers.found == 1 and r.numbers.fp == 0 and r.numbers.tp == 1


def test_must_not_hits_are_false_positives_counted_once(tmp_path):
    gold = {"sources": {"a.txt": {
        "advisories": [{"country": "DE", "action": "leave_now"}],
        "must_not": [
            {"kind": "advisory", "country": "SN", "why": "corridor"},
            {"kind": "number", "value": 900, "why": "price"},
            {"kind": "any", "value": 280, "why": "teaser figure"},
        ],
    }}}

    def extract(src):
        if src.id != "a":
            return []
        return [
            _adv(src, "DE", "leave_now", "Germany"),
            _adv(src, "SN", "avoid_travel", "Senegal"),  # FP already; must_not hit, not double counted
            _num(src, "quantity", 900, "900 francs"),  # a price as quantity: legitimate, no hit
            _num(src, "quantity", 280, "280 attacks"),  # 'any': hits even a quantity -> extra FP
        ]

    r = _run(tmp_path, gold, extract)
    assert len(r.must_not_hits) == 2
    assert r.must_not_extra_fp == 1
    assert r.row("advisory").fp == 1
    assert r.overall.fp == 2


def test_norway_survives_yaml(tmp_path):
    # YAML 1.1 reads an unquoted NO as False; the scorer must still mean Norway
    gpath = tmp_path / "gold.yaml"
    gpath.write_text("sources:\n  a.txt:\n    advisories:\n      - {country: NO, action: avoid_travel}\n", encoding="utf-8")
    src = _src("a", TEXT_A)
    r = ev.score(gpath, tmp_path, loader=lambda d: [src], extractor=lambda s: [_adv(s, "NO", "avoid_travel", "Germany")], derive=False)
    assert r.row("advisory").found == 1 and r.row("advisory").fp == 0


def test_evidence_integrity_violations_are_counted(tmp_path):
    gold = {"sources": {"a.txt": {}}}

    def extract(src):
        if src.id != "a":
            return []
        good = _adv(src, "DE", "leave_now", "Germany")
        bad = Fact(kind="advisory", country="IT", action="leave_now", evidence=[Evidence("a", 0, 7, "Italy, ")])
        none = Fact(kind="event", text="no evidence")
        return [good, bad, none]

    r = _run(tmp_path, gold, extract)
    assert len(r.violations) == 1 and r.violations[0].kind == "advisory"
    assert len(r.unevidenced) == 1


def test_published_comes_from_gold_when_loader_has_none(tmp_path):
    gold = {"sources": {"a.txt": {"published": "2025-11-06"}, "b.txt": {"published": "2025-01-01"}}}
    seen = {}

    def extract(src):
        seen[src.id] = src.published
        return []

    _run(tmp_path, gold, extract, published={"b": "2024-12-31"})
    assert seen == {"a": "2025-11-06", "b": "2024-12-31"}


def test_missing_source_and_extractor_errors_are_reported(tmp_path):
    gold = {"sources": {
        "a.txt": {"advisories": [{"country": "DE", "action": "leave_now"}]},
        "zz.txt": {"advisories": [{"country": "GB", "action": "leave_now"}]},
    }}

    def extract(src):
        raise RuntimeError("boom")

    r = _run(tmp_path, gold, extract)
    assert r.missing_sources == ["zz.txt"]
    assert any("boom" in e for e in r.errors)
    assert r.row("advisory").gold == 2 and r.row("advisory").found == 0
    assert "zz.txt" in r.table()


def test_table_and_verbose_listing(tmp_path):
    gold = {"sources": {"a.txt": {"advisories": [{"country": "CA", "action": "leave_now"}]}}}

    def extract(src):
        return [_adv(src, "SN", "avoid_travel", "Senegal is a corridor")] if src.id == "a" else []

    r = _run(tmp_path, gold, extract)
    table = r.table()
    assert re.search(r"^advisory\s+0\s+1\s+1\s+1", table, re.M)
    assert "misses" not in table
    verbose = r.table(verbose=True)
    assert 'a.txt [advisory] CA leave_now' in verbose
    assert 'a.txt [advisory] SN avoid_travel  "Senegal is a corridor"' in verbose
    d = r.to_dict()
    assert d["scores"]["advisory"]["fp"] == 1 and d["scores"]["overall"]["f1"] == 0.0


def test_main_exit_codes_and_thresholds(tmp_path, monkeypatch, capsys):
    gpath = tmp_path / "gold.yaml"
    gpath.write_text(yaml.safe_dump({"sources": {"a.txt": {"advisories": [
        {"country": "DE", "action": "leave_now"}, {"country": "IT", "action": "leave_now"}]}}}), encoding="utf-8")
    (tmp_path / "a.txt").write_text(TEXT_A, encoding="utf-8")
    src = _src("a", TEXT_A)
    monkeypatch.setattr(ev, "_default_loader", lambda d: [src])
    monkeypatch.setattr(ev, "_default_extractor", lambda s: [_adv(s, "DE", "leave_now", "Germany")])
    argv = ["--gold", str(gpath), "--sources", str(tmp_path), "--no-derived"]
    assert ev.main(argv) == 0
    out = capsys.readouterr().out
    assert "advisory" in out and "0.500" in out
    assert ev.main(argv + ["--min-f1", "advisory=0.7"]) == 1
    assert ev.main(argv + ["--min-f1", "advisory=0.6"]) == 0
    assert ev.main(argv + ["--min-precision", "advisory=1.0", "--min-recall", "0.5"]) == 0
    assert ev.main(argv + ["--json"]) == 0
    assert '"advisory"' in capsys.readouterr().out
    assert ev.main(["--gold", str(tmp_path / "nope.yaml")]) == 2


# --------------------------------------------------------------------------------------------
# the development set and its gold file are consistent
# --------------------------------------------------------------------------------------------


def test_devset_gold_is_consistent_with_the_articles():
    gold = ev.load_gold(DEVGOLD)
    files = sorted(p.name for p in DEVSET.iterdir() if p.is_file())
    assert sorted(gold["sources"]) == files
    assert len(files) >= 20
    assert sum(1 for f in files if f.endswith(".md")) >= 5
    assert sum(1 for f in files if f.startswith("n")) >= 8  # n* = crises other than Mali
    for name, entry in gold["sources"].items():
        text = (DEVSET / name).read_text(encoding="utf-8")
        words = len(text.split())
        assert 250 <= words <= 700, (name, words)
        check_entry(name, entry, text)


def test_devset_has_enough_annotations():
    gold = ev.load_gold(DEVGOLD)
    entries = gold["sources"].values()
    adv = [a for e in entries for a in e.get("advisories") or [] if not a.get("optional")]
    nums = [q for e in entries for q in ev.gold_numbers(e) if not q.get("optional")]
    neg = [m for e in entries for m in e.get("must_not") or []]
    assert len(adv) >= 50 and len({a["country"] for a in adv}) >= 15
    assert len(nums) >= 60 and len(neg) >= 100


# --------------------------------------------------------------------------------------------
# (b) seeds and (c) devset with the real extractor
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_report():
    return ev.score(SEEDGOLD, ROOT / "seeds")


@pytest.fixture(scope="module")
def devset_report():
    return ev.score(DEVGOLD)


def test_seeds_every_advisory_and_headline_number_and_no_must_not(seeds_report):
    r = seeds_report
    assert not r.errors and not r.missing_sources
    assert r.row("advisory").recall == 1.0, [i.line() for i in r.misses if i.kind == "advisory"]
    assert r.numbers.recall == 1.0, [i.line() for i in r.misses if i.kind in ev.NUMBER_KINDS]
    assert not r.must_not_hits, [i.line() for i in r.must_not_hits]
    assert not r.violations


def test_devset_thresholds(devset_report):
    r = devset_report
    assert not r.errors and not r.missing_sources
    assert r.row("advisory").f1 >= 0.9
    assert r.numbers.recall >= 0.85
    assert (r.numbers.precision or 0.0) >= 0.9
    assert not r.violations


def test_a_vague_fact_matches_no_forbidden_value(tmp_path):
    # "dozens" states no number: its conventional lower bound (24) is not the "24 hours" a must_not forbids
    gold = {"sources": {"a.txt": {"quantities": [{"kind": "count", "value": None, "evidence": "Dozens of tankers"}],
                                  "must_not": [{"kind": "any", "value": 24, "why": "helpline hours"}]}}}

    def facts(src):
        return [Fact(kind="count", value=None, low=24, qualifier="vague", evidence=_ev(src, "Dozens of tankers"))]

    r = _run(tmp_path, gold, facts, texts={"a": TEXT_A})
    assert not r.must_not_hits and r.numbers.recall == 1.0 and r.numbers.precision == 1.0


def test_cli_passes_leading_options_to_the_scorer(capsys):
    """`briefing eval --gold NAME`: the scorer's options reach it even as the first argument."""
    from briefing.cli import main

    assert main(["eval", "--gold", "seeds"]) == 0
    out = capsys.readouterr().out
    assert "gold:" in out and "seeds.yaml" in out and "devset" not in out
