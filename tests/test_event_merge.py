"""Cross-source event merge (one fact per happening) and actor names shared across extractors.

The articles in tests/fixtures/events are short texts written for these tests: three outlets report
the same week in Sudan in different words, with look-alike happenings that must stay apart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefing.extract import extract
from briefing.facts import build_factsheet
from briefing.facts.merge import _event_sig, actor_canon_map, fold_name, same_happening
from briefing.model import Evidence, Fact, OffsetMap, Source

FIX = Path(__file__).parent / "fixtures" / "events"
PUBLISHED = {"sd1_wire": "2025-06-10", "sd2_daily": "2025-06-11", "sd3_ngo": "2025-06-12"}


def src(sid: str, text: str, published: str | None = "2025-06-10") -> Source:
    return Source(id=sid, path=f"{sid}.txt", sha256=sid * 4, format="txt", original=text, text=text,
                  offsets=OffsetMap.identity(len(text)), published=published)


def event(s: Source, quote: str, date: str, text: str, precision: str = "day", **kw) -> Fact:
    i = s.original.index(quote)
    return Fact(kind="event", date=date, date_precision=precision, text=text,
                evidence=[Evidence(s.id, i, i + len(quote), quote)], **kw)


@pytest.fixture(scope="module")
def sudan():
    sources = [src(k, (FIX / f"{k}.txt").read_text(encoding="utf-8"), v) for k, v in PUBLISHED.items()]
    facts = {s.id: extract(s) for s in sources}
    return sources, build_factsheet(sources, facts)


def events_on(sheet, date: str) -> list[Fact]:
    return [f for f in sheet.by_kind("event") if f.date == date]


# --- the same happening, told three ways ----------------------------------------------------------


def test_one_shelling_reported_by_two_outlets_is_one_corroborated_event(sudan):
    _, sheet = sudan
    market = [f for f in events_on(sheet, "2025-06-08") if "market" in f.text]
    assert len(market) == 1, [f.text for f in events_on(sheet, "2025-06-08")]
    f = market[0]
    assert set(f.sources) == {"sd1_wire", "sd2_daily"}
    assert f.status == "corroborated" and f.attrs["lines_of_reporting"] == 2
    assert f.place == "Omdurman"
    assert f.attrs.get("also_worded")  # the other outlet's words are kept for the analyst


def test_a_coup_worded_differently_merges(sudan):
    _, sheet = sudan
    coups = events_on(sheet, "2021")
    assert len(coups) == 1, [f.text for f in coups]
    assert set(coups[0].sources) == {"sd1_wire", "sd2_daily"}
    assert "power" in coups[0].text


def test_outbreak_of_war_merges_across_wordings(sudan):
    _, sheet = sudan
    war = events_on(sheet, "2023-04")
    assert len(war) == 1, [f.text for f in war]
    assert set(war[0].sources) == {"sd2_daily", "sd3_ngo"}


def test_evidence_quotes_stay_the_source_text(sudan):
    sources, sheet = sudan
    by_id = {s.id: s for s in sources}
    for f in sheet.by_kind("event"):
        for e in f.evidence:
            assert by_id[e.source].original[e.start:e.end] == e.quote


# --- hard negatives --------------------------------------------------------------------------------


def test_two_attacks_on_the_same_day_in_different_towns_stay_apart(sudan):
    _, sheet = sudan
    day = events_on(sheet, "2025-06-08")
    kosti = [f for f in day if f.place == "Kosti"]
    omdurman = [f for f in day if f.place == "Omdurman"]
    assert kosti and omdurman
    assert not {f.id for f in kosti} & {f.id for f in omdurman}
    assert all("Omdurman" not in f.text for f in kosti)


def test_an_abduction_and_an_attack_near_the_same_town_stay_apart(sudan):
    _, sheet = sudan
    kosti = [f for f in events_on(sheet, "2025-06-08") if f.place == "Kosti"]
    assert len(kosti) == 2, [f.text for f in kosti]
    assert {f.sources[0] for f in kosti} == {"sd1_wire", "sd3_ngo"}


def test_same_day_attacks_in_two_towns_from_two_sources_stay_apart():
    a = src("a", "Gunmen attacked a market in Gao on Sunday.")
    b = src("b", "Gunmen attacked a church in Mopti on Sunday.")
    fa = event(a, "Gunmen attacked a market in Gao on Sunday", "2025-06-08", "Gunmen attacked a market in Gao",
               place="Gao")
    fb = event(b, "Gunmen attacked a church in Mopti on Sunday", "2025-06-08", "Gunmen attacked a church in Mopti",
               place="Mopti")
    sheet = build_factsheet([a, b], {"a": [fa], "b": [fb]})
    assert len(sheet.by_kind("event")) == 2


def test_same_day_different_parties_and_kinds_stay_apart():
    day = "2025-03-02"
    sigs = {
        "m23": _event_sig(Fact(kind="event", date=day, text="M23 rebels attacked an army base", actor="M23")),
        "adf": _event_sig(Fact(kind="event", date=day, text="ADF fighters attacked an army base", actor="ADF")),
        "kid": _event_sig(Fact(kind="event", date=day, text="M23 rebels abducted two nurses", actor="M23")),
        "other_day": _event_sig(Fact(kind="event", date="2025-03-03", text="M23 rebels attacked an army base",
                                     actor="M23")),
    }
    assert not same_happening(sigs["m23"], sigs["adf"])
    assert not same_happening(sigs["m23"], sigs["kid"])
    assert not same_happening(sigs["m23"], sigs["other_day"])


def test_coups_in_two_countries_in_one_year_stay_apart():
    niger = _event_sig(Fact(kind="event", date="2023", text="Soldiers seized power in a coup",
                            attrs={"countries": ["NE"]}))
    gabon = _event_sig(Fact(kind="event", date="2023", text="Officers seized power in a coup",
                            attrs={"countries": ["GA"]}))
    assert not same_happening(niger, gabon)


def test_a_month_and_a_day_inside_it_merge_only_on_strong_evidence():
    month = _event_sig(Fact(kind="event", date="2025-09", text="JNIM announced a fuel blockade", actor="JNIM"))
    day = _event_sig(Fact(kind="event", date="2025-09-03", text="JNIM declared a blockade of fuel routes",
                          actor="JNIM"))
    weak = _event_sig(Fact(kind="event", date="2025-09-03", text="Traders described a blockade"))
    assert same_happening(month, day)
    assert not same_happening(month, weak)


def test_bridging_wording_folds_two_clusters_into_one():
    a, b, c = src("a", "one"), src("b", "two"), src("c", "three")
    fa = event(a, "one", "2025-09", "The Kivu Front has blocked the roads to the capital", "month", actor="KF")
    fb = event(b, "two", "2025-09", "The fuel blockade of the capital began", "month")
    fc = event(c, "three", "2025-09", "KF fighters declared a blockade of the capital", "month", actor="KF")
    sheet = build_factsheet([a, b, c], {"a": [fa], "b": [fb], "c": [fc]})
    ev = sheet.by_kind("event")
    assert len(ev) == 1, [f.text for f in ev]
    assert set(ev[0].sources) == {"a", "b", "c"}


def test_many_events_on_one_day_in_different_towns_merge_in_bounded_time():
    sources, facts = [], {}
    n = 2000
    for i in range(n):
        s = src(f"s{i:05d}", f"Militants attacked Town{i} on 3 May.")
        sources.append(s)
        facts[s.id] = [event(s, f"Militants attacked Town{i}", "2025-05-03", f"Militants attacked a post near Town{i}")]
    t0 = time.perf_counter()
    sheet = build_factsheet(sources, facts)
    assert len(sheet.by_kind("event")) == n  # every town its own happening
    assert time.perf_counter() - t0 < 10


# --- actors: one name per group -------------------------------------------------------------------


def test_actor_aliases_give_every_fact_the_canonical_name():
    a = src("a", "The African Union (AU) called for talks. The AU met on Sunday.")
    b = src("b", "AU envoys arrived.")
    au_table = Fact(kind="actor", actor="African Union", aliases=["AU"], rule="actor.alias",
                    attrs={"type": "organisation", "mentions": 2}, evidence=[Evidence("a", 4, 17, "African Union")])
    au_acro = Fact(kind="actor", actor="AU", aliases=["African Union"], rule="actor.acronym",
                   attrs={"type": "organisation", "mentions": 1}, evidence=[Evidence("b", 0, 2, "AU")])
    ev = event(a, "The AU met on Sunday", "2025-06-08", "The AU met", actor="AU")
    cnt = Fact(kind="count", what="envoys", actor="AU", value=3, qualifier="exact",
               evidence=[Evidence("b", 0, 2, "AU")])
    sheet = build_factsheet([a, b], {"a": [au_table, ev], "b": [au_acro, cnt]})
    actors = sheet.by_kind("actor")
    assert [f.actor for f in actors] == ["African Union"]
    assert "AU" in actors[0].aliases and set(actors[0].sources) == {"a", "b"}
    assert sheet.by_kind("event")[0].actor == "African Union"
    assert sheet.by_kind("count")[0].actor == "African Union"


def test_acronym_group_and_its_full_name_from_other_extractors_share_one_name():
    text = ("Fighters of the Rapid Support Forces (RSF) shelled the camp. The Rapid Support Forces "
            "claimed 40 attacks in May.")
    s = src("a", text, "2025-06-10")
    sheet = build_factsheet([s], {"a": extract(s) + [
        Fact(kind="count", what="attacks", actor="Rapid Support Forces", value=40, qualifier="exact",
             evidence=[Evidence("a", text.index("40 attacks"), text.index("40 attacks") + 10, "40 attacks")])]})
    names = {f.actor for f in sheet.by_kind("actor")}
    assert "RSF" in names and "Rapid Support Forces" not in names
    assert {f.actor for f in sheet.by_kind("count")} == {"RSF"}


def test_ambiguous_alias_is_left_alone():
    f1 = Fact(kind="actor", actor="Allied Democratic Forces", aliases=["ADF"], rule="actor.alias")
    f2 = Fact(kind="actor", actor="Australian Defence Force", aliases=["ADF"], rule="actor.alias")
    canon = actor_canon_map([f1, f2])
    assert fold_name("ADF") not in canon
    assert canon[fold_name("Allied Democratic Forces")] == "Allied Democratic Forces"


def test_fold_name_ignores_apostrophe_dash_and_case_variants():
    assert fold_name("Jama’at Nusrat al-Islam") == fold_name("jama'at nusrat al islam")
    assert fold_name("The Wagner Group") == fold_name("Wagner Group")
