"""Fact sheet: merging, corroboration, conflicts, derived links, review decisions, changes."""

from __future__ import annotations

import json

from briefing.facts import build_factsheet, load_yaml, sheet_to_json, write_yaml
from briefing.facts.changes import changes_markdown, diff, strongest_advisories
from briefing.model import Evidence, Fact, OffsetMap, Period, Source


def src(sid: str, text: str, published: str | None = "2025-11-01", group: str | None = None) -> Source:
    return Source(
        id=sid, path=f"{sid}.txt", sha256=sid * 4, format="txt", original=text, text=text,
        offsets=OffsetMap.identity(len(text)), published=published, title=f"Title {sid}", group=group,
    )


def ev(s: Source, quote: str) -> Evidence:
    i = s.original.index(quote)
    return Evidence(s.id, i, i + len(quote), quote)


H1 = Period("H1 2025", "2025-01-01", "2025-06-30")


def count(s: Source, quote: str, value, qualifier="exact", **kw) -> Fact:
    return Fact(kind="count", what="attacks", actor="Group X", value=value, qualifier=qualifier, period=H1, evidence=[ev(s, quote)], **kw)


def test_same_figure_from_two_sources_merges_and_is_corroborated():
    a = src("a", "Group X carried out 120 attacks in H1 2025.")
    b = src("b", "In the first half of 2025 the group staged 120 attacks.")
    sheet = build_factsheet([a, b], {"a": [count(a, "120 attacks", 120)], "b": [count(b, "120 attacks", 120)]})
    counts = sheet.by_kind("count")
    assert len(counts) == 1
    assert counts[0].status == "corroborated"
    assert {e.source for e in counts[0].evidence} == {"a", "b"}
    assert not sheet.conflicts


def test_near_duplicate_sources_count_as_one_line_of_reporting():
    a = src("a", "Group X carried out 120 attacks.", group="g1")
    b = src("b", "Group X carried out 120 attacks.", group="g1")
    sheet = build_factsheet([a, b], {"a": [count(a, "120 attacks", 120)], "b": [count(b, "120 attacks", 120)]})
    f = sheet.by_kind("count")[0]
    assert f.status == "reported"
    assert f.attrs["lines_of_reporting"] == 1


def test_different_values_are_a_conflict_never_an_average():
    a = src("a", "Group X carried out 120 attacks.")
    b = src("b", "Group X carried out 150 attacks.")
    sheet = build_factsheet([a, b], {"a": [count(a, "120 attacks", 120)], "b": [count(b, "150 attacks", 150)]})
    counts = sheet.by_kind("count")
    assert sorted(f.value for f in counts) == [120, 150]
    assert all(f.status == "conflict" for f in counts)
    assert len(sheet.conflicts) == 1
    assert set(sheet.conflicts[0].fact_ids) == {f.id for f in counts}
    assert 135 not in [f.value for f in counts]


def test_hedged_and_exact_values_that_agree_merge_keeping_the_precise_one():
    a = src("a", "at least 100 attacks were recorded")
    b = src("b", "Group X carried out 120 attacks.")
    sheet = build_factsheet(
        [a, b], {"a": [count(a, "at least 100 attacks", 100, "at_least")], "b": [count(b, "120 attacks", 120)]}
    )
    counts = sheet.by_kind("count")
    assert len(counts) == 1 and counts[0].value == 120 and counts[0].qualifier == "exact"


def test_ids_are_stable_when_sources_are_added():
    a = src("a", "Group X carried out 120 attacks.")
    b = src("b", "Another story entirely about 7 attacks.")
    one = build_factsheet([a], {"a": [count(a, "120 attacks", 120)]})
    two = build_factsheet([a, b], {"a": [count(a, "120 attacks", 120)], "b": [Fact(kind="count", what="raids", value=7, evidence=[ev(b, "7 attacks")])]})
    assert one.facts[0].id in {f.id for f in two.facts}


def test_derived_fact_links_to_its_input():
    a = src("a", "280 attacks, double the amount of attacks in the same period last year")
    base = count(a, "280 attacks", 280)
    der = Fact(kind="count", what="attacks", actor="Group X", value=140, derived=True, basis="'double'",
               period=Period("H1 2024", "2024-01-01", "2024-06-30"), evidence=[ev(a, "double the amount of attacks")])
    sheet = build_factsheet([a], {"a": [base, der]})
    d = [f for f in sheet.facts if f.derived][0]
    assert d.derived_from == [[f for f in sheet.facts if not f.derived][0].id]


def test_sources_numbered_by_date_and_as_of_is_newest():
    a = src("a", "x", published="2025-11-13")
    b = src("b", "y", published="2025-10-01")
    c = src("c", "z", published=None)
    sheet = build_factsheet([a, b, c], {})
    assert [s.id for s in sorted(sheet.sources, key=lambda s: s.number)] == ["b", "a", "c"]
    assert sheet.as_of == "2025-11-13"


def test_review_confirm_reject_correct_add_and_orphans(tmp_path):
    a = src("a", "Group X carried out 120 attacks. Officials said 9 schools closed.")
    facts = {"a": [count(a, "120 attacks", 120), Fact(kind="advisory", country="FR", action="leave_now", evidence=[ev(a, "Officials said")])]}
    first = build_factsheet([a], facts)
    cid = first.by_kind("count")[0].id
    aid = first.by_kind("advisory")[0].id
    review = tmp_path / "review.yaml"
    review.write_text(
        f"""decisions:
  - {{fact: {cid}, action: correct, set: {{value: 121}}, note: recount}}
  - {{fact: {aid}, action: reject, note: not an advisory}}
  - {{fact: count-doesnotexist, action: confirm}}
  - action: add
    fact: {{kind: count, what: schools closed, value: 9}}
    source: a
    quote: "9 schools closed"
  - action: add
    fact: {{kind: count, what: invented, value: 1}}
    source: a
    quote: "words that are not there"
""",
        encoding="utf-8",
    )
    facts = {"a": [count(a, "120 attacks", 120), Fact(kind="advisory", country="FR", action="leave_now", evidence=[ev(a, "Officials said")])]}
    sheet = build_factsheet([a], facts, review_path=review)
    c = [f for f in sheet.facts if f.id == cid][0]
    assert c.value == 121 and c.status == "corrected" and c.attrs["extracted"]["value"] == 120
    assert [f for f in sheet.facts if f.id == aid][0].status == "rejected"
    assert not sheet.by_kind("advisory")  # rejected facts are hidden by default
    manual = [f for f in sheet.facts if f.status == "manual"]
    assert len(manual) == 1 and manual[0].evidence[0].quote == "9 schools closed"
    assert a.original[manual[0].evidence[0].start:manual[0].evidence[0].end] == "9 schools closed"
    notes = "\n".join(sheet.notes)
    assert "count-doesnotexist" in notes and "no longer exists" in notes
    assert "quote not found" in notes


def test_malformed_review_file_is_reported_not_fatal(tmp_path):
    a = src("a", "Group X carried out 120 attacks.")
    review = tmp_path / "review.yaml"
    review.write_text("decisions: [ {fact: x, action: confirm\n  - broken", encoding="utf-8")
    sheet = build_factsheet([a], {"a": [count(a, "120 attacks", 120)]}, review_path=review)
    assert sheet.facts and any("not valid YAML" in n for n in sheet.notes)


def test_yaml_and_json_round_trip(tmp_path):
    a = src("a", "Group X carried out between 10 and 20 attacks.")
    f = Fact(kind="count", what="attacks", low=10, high=20, qualifier="range", evidence=[ev(a, "between 10 and 20 attacks")])
    sheet = build_factsheet([a], {"a": [f]})
    write_yaml(sheet, tmp_path / "fs.yaml")
    back = load_yaml(tmp_path / "fs.yaml")
    assert back.facts[0].low == 10 and back.facts[0].high == 20 and back.facts[0].id == sheet.facts[0].id
    data = json.loads(sheet_to_json(sheet))
    assert data["facts"][0]["value"] == {"low": 10, "high": 20}
    assert data["facts"][0]["evidence"][0]["quote"] == "between 10 and 20 attacks"
    assert set(data) >= {"sources", "facts"}


def test_changes_between_editions():
    a = src("a", "France told its nationals to leave. Group X carried out 120 attacks.")
    b = src("b", "Italy withdrew embassy staff.", published="2025-11-05")
    fa = lambda: [Fact(kind="advisory", country="FR", action="leave_now", evidence=[ev(a, "France told its nationals to leave")]), count(a, "120 attacks", 120)]
    prev = build_factsheet([a], {"a": fa()})
    cur = build_factsheet([a, b], {"a": fa(), "b": [Fact(kind="advisory", country="IT", action="ordered_departure", evidence=[ev(b, "Italy withdrew embassy staff")])]})
    ch = diff(prev, cur)
    assert ch["new_sources"] == ["b"]
    assert len(ch["new_facts"]) == 1
    assert ch["advisory_changes"] == [{"country": "IT", "before": None, "after": "ordered_departure"}]
    assert strongest_advisories(cur) == {"FR": "leave_now", "IT": "ordered_departure"}
    assert "IT: none -> ordered_departure" in changes_markdown(ch, cur)
    assert diff(None, cur) == {}


# --- merging stays exact and near-linear on big sheets ----------------------------------------------


def test_first_compatible_index_agrees_with_a_plain_scan():
    import random

    from briefing.facts import merge

    rnd = random.Random(3)
    quals = ["exact", "exact", "exact", "approx", "approx_below", "at_least", "more_than", "up_to", "range", "vague"]
    for _ in range(60):
        bucket = []
        for _ in range(rnd.randint(1, 40)):
            q = rnd.choice(quals)
            v = float(rnd.randint(1, 30))
            f = Fact(kind="count", what="attacks", value=None if q == "vague" else v, qualifier=q)
            if q == "range":
                f.value, f.low, f.high = None, v, v + rnd.randint(0, 5)
            if q == "vague":
                f.low = rnd.choice([None, 10.0])
            bucket.append(f)
        idx: dict = {}
        for _ in range(50):
            q = rnd.choice(quals)
            f = Fact(kind="count", what="attacks", value=float(rnd.randint(1, 30)), qualifier=q)
            plain = next((g for g in bucket if merge.compatible(g, f)), None)
            assert merge._first_compatible(bucket, f, idx) is plain


def test_many_sources_with_many_conflicting_values_merge_with_linear_work(monkeypatch):
    from briefing.facts import merge

    calls = {"compatible": 0, "jaccard": 0}
    real_compatible, real_tokens = merge.compatible, merge._event_tokens

    def counting_compatible(a, b):
        calls["compatible"] += 1
        return real_compatible(a, b)

    def counting_tokens(f):
        calls["jaccard"] += 1
        return real_tokens(f)

    monkeypatch.setattr(merge, "compatible", counting_compatible)
    monkeypatch.setattr(merge, "_event_tokens", counting_tokens)
    n = 3000
    sources, facts = [], {}
    for i in range(n):
        s = src(f"s{i:05d}", f"Group X carried out {i % 300 + 1} attacks in H1 2025. Fighting on 3 May 2025 near Town {i}.")
        sources.append(s)
        q = ("exact", "at_least", "approx")[i % 3]
        facts[s.id] = [
            count(s, f"{i % 300 + 1} attacks", float(i % 300 + 1), q),
            Fact(kind="event", date="2025-05-03", date_precision="day", text=f"Fighting near Town{i} river{i}",
                 evidence=[ev(s, f"Fighting on 3 May 2025 near Town {i}")]),
            Fact(kind="actor", actor="Group X", evidence=[ev(s, "Group X")]),
        ]
    sheet = build_factsheet(sources, facts)
    assert sheet.by_kind("actor")[0].attrs["lines_of_reporting"] == n
    assert len(sheet.by_kind("count")) > 90  # about a hundred conflicting values in one slot
    # a plain scan of the slot's values for each new figure made about 150,000 checks here
    assert calls["compatible"] < 10 * n
    assert calls["jaccard"] <= 2 * n  # each event's words once (and once more as a cluster's first)
