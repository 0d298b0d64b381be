"""Actors (aliases, "Full Name (ACRONYM)", people with roles), places (gazetteer) and claims."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from briefing.extract import actors
from tests.fixtures.extract.helpers import ctx_from_text

ROOT = Path(__file__).resolve().parents[1]


def kinds(text: str, kind: str, published: str | None = "2025-05-01"):
    return [f for f in actors.extract(ctx_from_text(text, published)) if f.kind == kind]


def fold(s: str) -> str:
    s = s.replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def test_alias_variants_collapse_to_one_canonical_actor():
    text = ("Fighters of Jama’at Nusrat al- Islam wal -Muslimin raided a checkpoint. The Group for the Support "
            "of Islam and Muslims later claimed the raid, and JNIM said two soldiers were captured.")
    acts = {f.actor: f for f in kinds(text, "actor")}
    assert "JNIM" in acts
    jnim = acts["JNIM"]
    assert jnim.attrs["type"] == "armed_group" and jnim.attrs["mentions"] == 3
    assert any(fold(a).startswith("jama'at nusrat") for a in jnim.aliases)
    assert "Group for the Support of Islam and Muslims" in jnim.aliases


def test_full_name_acronym_pattern_finds_new_actors_and_skips_designations():
    text = ("The Coalition of Patriots for Change (CPC) seized the town of Bria. The CPC has been listed as a "
            "Foreign Terrorist Organization (FTO) by no one. Doctors from the Northern Relief Alliance (NRA) "
            "treated the wounded.")
    acts = {f.actor: f for f in kinds(text, "actor")}
    assert acts["CPC"].aliases == ["Coalition of Patriots for Change"]
    assert acts["CPC"].attrs["mentions"] == 2
    assert "NRA" in acts
    assert "FTO" not in acts


def test_people_need_a_role_word():
    text = ("Defence Minister Amadou Keita visited the front. Colonel Jean-Baptiste Morel led the convoy. "
            "“It will be a long year,” said Lina Haddad, a researcher at the Beirut Policy Institute. "
            "Heavy Rains Fell on Monday.")
    people = {f.actor: f.attrs["role"] for f in kinds(text, "actor") if f.attrs.get("type") == "person"}
    assert people["Amadou Keita"] == "Defence Minister"
    assert people["Jean-Baptiste Morel"] == "Colonel"
    assert people["Lina Haddad"].startswith("researcher")
    assert "Heavy Rains" not in people


@pytest.mark.parametrize("text,expected", [
    ("Clashes were reported in Gao and near Timbuktu in northern Mali.", {("Gao", "ML"), ("Timbuktu", "ML")}),
    ("Gangs attacked Mirebalais and Croix-des-Bouquets outside Port-au-Prince, Haiti.",
     {("Mirebalais", "HT"), ("Croix-des-Bouquets", "HT"), ("Port-au-Prince", "HT")}),
    ("Rapid Support Forces fighters entered El Fasher, the capital of North Darfur, in Sudan.",
     {("El Fasher", "SD"), ("North Darfur", "SD")}),
    ("Supplies ran short in Goma after rebels cut the road from Rutshuru in eastern Congo.",
     {("Goma", "CD"), ("Rutshuru", "CD")}),
    ("The Washington Post said Paris and London were consulted about the crisis in Lebanon.", set()),
])
def test_places_from_the_gazetteer(text, expected):
    got = {(f.place, f.country) for f in kinds(text, "place")}
    assert got == expected


def test_a_foreign_namesake_in_a_list_is_not_put_on_the_map():
    """In a report on one country, a town in a list ("X and Palma") whose only gazetteer entry is a
    city elsewhere, in a country the report never names, is not that city; a foreign city named with
    "in" is kept."""
    text = ("Insurgents raided the districts of Nangade and Palma in Mozambique's far north on Monday, "
            "officials in Pemba said. Talks on the crisis in Mozambique were held in Mombasa last week.")
    got = {(f.place, f.country) for f in kinds(text, "place")}
    assert not any(cc == "ES" for _, cc in got)
    assert ("Mombasa", "KE") in got and ("Pemba", "MZ") in got


def test_place_has_coordinates_and_unknown_town_from_context():
    text = "Soldiers died in the remote desert village of Zarqoutene, in Mali’s north, not far from Kidal."
    places = {f.place: f for f in kinds(text, "place")}
    assert places["Zarqoutene"].attrs.get("lat") is None
    assert places["Kidal"].country == "ML"
    assert abs(places["Kidal"].attrs["lat"] - 18.44) < 0.5


def test_claims_with_pronoun_resolution_and_stance():
    text = ("Mali’s foreign minister spoke on Tuesday. Foreign Minister Amadou Keita addressed reporters in the "
            "capital.\nHe said the army was “in full control of the situation” and dismissed the reports.\n"
            "“The humanitarian situation is catastrophic,” said a spokesperson for the World Food Programme.\n"
            "“The group is stretched thin,” said Lina Haddad, a researcher at the Beirut Policy Institute.")
    claims = {f.text: f for f in kinds(text, "claim")}
    c = claims["in full control of the situation"]
    assert c.speaker == "Amadou Keita" and c.stance == "government"
    w = claims["The humanitarian situation is catastrophic,"]
    assert w.speaker == "WFP" and w.stance == "international_org"
    a = claims["The group is stretched thin,"]
    assert a.speaker == "Lina Haddad" and a.stance == "analyst"
    for f in claims.values():
        ev = f.evidence[0]
        assert text[ev.start:ev.end] == ev.quote


def test_claims_are_dropped_when_the_speaker_is_ambiguous_or_unknown():
    text = ("Minister John Smith met General Ali Musa in the capital. He said “we will win this war soon.”\n"
            "“We will leave tomorrow,” a man said.")
    assert kinds(text, "claim") == []


def _seed_facts():
    from briefing.extract.text import Context
    from briefing.sources import load_sources

    out = {}
    for s in load_sources(ROOT / "seeds").sources:
        out[s.path] = (s, actors.extract(Context.of(s)))
    return out


@pytest.mark.skipif(not (ROOT / "seeds").is_dir(), reason="seeds folder not present")
def test_seed_actors_places_and_claims_match_gold():
    gold = yaml.safe_load((ROOT / "tests/data/gold/seeds.yaml").read_text())["sources"]
    facts = _seed_facts()
    all_aliases: dict[str, set[str]] = {}
    for path, (s, fs) in facts.items():
        for f in fs:
            for ev in f.evidence:
                assert s.original[ev.start:ev.end] == ev.quote
            if f.kind == "actor":
                all_aliases.setdefault(f.actor, set()).update(fold(a) for a in f.aliases)
        g = gold[path]
        names = {fold(f.actor) for f in fs if f.kind == "actor"}
        for a in g.get("actors", []):
            assert fold(a) in names, (path, a)
        places = {fold(f.place) for f in fs if f.kind == "place"}
        for p in g.get("places", []):
            assert fold(p) in places, (path, p)
        for c in g.get("claims", []):
            assert any(f.kind == "claim" and f.speaker == c["speaker"] and f.stance == c["stance"]
                       and c["evidence"] in f.evidence[0].quote for f in fs), (path, c)
    for canon, aliases in gold["000_26edd2b44d24d61b.txt"]["aliases"].items():
        for a in aliases:
            assert fold(a) in all_aliases[canon], (canon, a)


# --- datelines and capitalised words are not actors or places --------------------------------------


def test_capitalised_dateline_city_is_not_an_acronym_actor():
    text = ("PORT-AU-PRINCE, Haiti — Gangs blocked the road to the airport on Monday, the police said. "
            "Flights to the capital were cancelled, and Haiti's government declared a curfew.")
    acts = {f.actor for f in kinds(text, "actor")}
    assert "African Union" not in acts and "AU" not in acts
    places = {f.place: f for f in kinds(text, "place")}
    assert "Port-au-Prince" in places  # the usual spelling, not the dateline's capitals
    assert places["Port-au-Prince"].country == "HT"


def test_acronym_in_a_lowercase_compound_is_still_a_mention():
    text = "The AU-led mission in Somalia will shrink next year, and UN-AU talks on funding resume in May."
    acts = {f.actor: f for f in kinds(text, "actor")}
    assert "African Union" in acts and acts["African Union"].attrs["mentions"] == 2


def test_sentence_opening_word_is_not_a_faraway_town():
    text = ("The US embassy in Bamako said it was monitoring the situation. Mobile clinics were suspended in "
            "Kayes for lack of fuel.")
    places = {f.place for f in kinds(text, "place")}
    assert "Mobile" not in places
    assert "Kayes" in places
