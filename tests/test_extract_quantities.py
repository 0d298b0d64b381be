"""Numbers extraction: the number grammar, hard negatives, counts/shares/casualties/kidnappings/quantities."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefing.extract import quantities
from briefing.extract.numbers import find_numbers, parse_number_words
from briefing.extract.text import Context
from briefing.model import OffsetMap, Source

HERE = Path(__file__).parent
ROOT = HERE.parent
CASES = yaml.safe_load((HERE / "fixtures" / "numbers" / "sentences.yaml").read_text(encoding="utf-8"))


def make_source(text: str, published: str | None, sid: str = "t") -> Source:
    return Source(id=sid, path=f"{sid}.txt", sha256="0" * 64, format="txt", original=text, text=text,
                  offsets=OffsetMap.identity(len(text)), published=published)


def run(text: str, published: str | None = "2025-11-13"):
    facts = quantities.extract(Context.of(make_source(text, published)))
    for f in facts:
        for e in f.evidence:
            assert text[e.start:e.end] == e.quote
    return facts


def matches(f, exp: dict) -> bool:
    for k, v in exp.items():
        if k in ("victims", "nationality", "released"):
            got = f.attrs.get(k)
            if k == "victims":
                if v is None or got is None or v.lower() not in got.lower():
                    return False
                continue
            if got != v:
                return False
            continue
        got = getattr(f, k)
        if k == "period":
            if got is None or got.label != str(v):
                return False
        elif k in ("what", "text"):
            if got is None or str(v).lower() not in got.lower():
                return False
        elif k in ("value", "low", "high") and v is not None:
            if got is None or abs(got - float(v)) > 1e-6:
                return False
        elif k == "date":
            if got != str(v):
                return False
        elif got != v:
            return False
    return True


@pytest.mark.parametrize("case", [c for c in CASES if "expect" in c or "forbid" in c], ids=lambda c: c["id"])
def test_sentences(case):
    facts = run(case["text"], str(case["pub"]))
    for exp in case.get("expect", []):
        assert any(matches(f, exp) for f in facts), (exp, [(f.kind, f.value, f.what, f.period, f.attrs) for f in facts])
    for bad in case.get("forbid", []):
        hits = [f for f in facts if matches(f, bad)]
        assert not hits, (bad, hits)


def test_at_least_thirty_own_sentences():
    assert len(CASES) >= 30


# --- the number grammar ---------------------------------------------------------------------------


@pytest.mark.parametrize("words,value", [
    ("six", 6), ("twenty-one", 21), ("two hundred and fifty", 250), ("a dozen", 12), ("half a dozen", 6),
    ("2.5 million", 2_500_000), ("1,200", 1200), ("three thousand", 3000), ("forty", 40),
])
def test_parse_number_words(words, value):
    assert parse_number_words(words) == value


@pytest.mark.parametrize("text,qualifier", [
    ("about 40 trucks", "approx"), ("around 40 trucks", "approx"), ("roughly 40 trucks", "approx"),
    ("some 40 trucks", "approx"), ("approximately 40 trucks", "approx"), ("an estimated 40 trucks", "approx"),
    ("close to 40 trucks", "approx_below"), ("nearly 40 trucks", "approx_below"), ("almost 40 trucks", "approx_below"),
    ("at least 40 trucks", "at_least"), ("no fewer than 40 trucks", "at_least"), ("40 or more trucks", "at_least"),
    ("more than 40 trucks", "more_than"), ("over 40 trucks", "more_than"),
    ("up to 40 trucks", "up_to"), ("as many as 40 trucks", "up_to"),
    ("between 30 and 40 trucks", "range"), ("30 to 40 trucks", "range"), ("30-40 trucks", "range"),
    ("dozens of trucks", "vague"), ("hundreds of trucks", "vague"), ("thousands of trucks", "vague"),
    ("scores of trucks", "vague"), ("several trucks", "vague"),
])
def test_hedges(text, qualifier):
    nums = [n for n in find_numbers(text) if n.category == "count"]
    assert len(nums) == 1 and nums[0].qualifier == qualifier, nums


@pytest.mark.parametrize("text,category", [
    ("Mohammed Abu Halima, 43, sits in front of his tent", "age"),
    ("a 43-year-old man", "age"), ("aged 43", "age"),
    ("the 13-year insurgency", "duration"), ("for 6 weeks", "duration"),
    ("in 2024", "year"), ("on October 21", "date"), ("21 October", "date"),
    ("$5 per litre", "money"), ("500 CFA francs", "money"), ("380 miles", "measure"), ("150 tonnes", "measure"),
    ("8 percent", "percent"), ("8%", "percent"), ("Resolution 2719", "id"), ("COVID-19", "id"),
    ("at 10 a.m.", "time"), ("three times as many", "multiplier"),
])
def test_categories(text, category):
    nums = find_numbers(text)
    assert nums and nums[0].category == category, nums


def test_ordinals_and_phone_numbers_are_not_counts():
    assert not [n for n in find_numbers("the first half, the 21st round") if n.category == "count"]
    assert not [n for n in find_numbers("call +223 20 22 54 11 now") if n.category == "count"]


# --- seeds ---------------------------------------------------------------------------------------

SEED_PUB = {"000": "2025-11-01", "001": "2025-11-13", "002": "2025-11-04", "003": "2025-12-29", "004": "2025-07-08"}


def seed(prefix: str, *, cut_teasers: bool = True) -> list:
    path = next((ROOT / "seeds").glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    if cut_teasers and "Dear RS readers" in text:  # what the sources stage removes
        text = text[: text.index("Dear RS readers")]
    return quantities.extract(Context.of(make_source(text, SEED_PUB[prefix], path.stem)))


def test_seed_003_headline_figures():
    facts = seed("003")
    att = [f for f in facts if f.kind == "count" and f.value == 280]
    assert att and att[0].actor == "JNIM" and att[0].period.label == "H1 2025" and att[0].what == "attacks"
    assert att[0].attrs["comparison"]["ratio"] == 2
    base = [f for f in facts if f.kind == "count" and f.derived]
    assert len(base) == 1 and base[0].value == 140 and base[0].period.label == "H1 2024"
    assert base[0].period.start == "2024-01-01" and base[0].period.end == "2024-06-30"
    assert base[0].basis and "double" in base[0].basis and base[0].derived_from
    assert "double" in base[0].evidence[0].quote
    shares = {f.value: f for f in facts if f.kind == "share"}
    assert shares[8].period.label == "2024" and shares[8].region == "southwest Mali"
    assert shares[8].what == "share of JNIM violence" and shares[8].actor == "JNIM"
    assert shares[20].qualifier == "approx_below" and shares[20].period.start == "2025-01-01"
    assert shares[20].region == "southwest Mali" and shares[20].what == "share of JNIM violence"
    cas = [f for f in facts if f.kind == "casualties"]
    assert len(cas) == 1 and cas[0].value == 84 and cas[0].place == "Tinzaouaten"
    assert cas[0].period.label == "2024" and "Wagner" in cas[0].attrs["victims"]
    dist = [f for f in facts if f.kind == "quantity" and f.value == 380]
    assert dist and dist[0].unit == "miles" and dist[0].what == "distance from Bamako"


def test_seed_003_teasers_and_ages():
    # on the cleaned text: nothing from the teasers
    vals = {f.value for f in seed("003")}
    assert 71000 not in vals and 16 not in vals and 43 not in vals
    # even on the raw file, the age in the photo credit is never a number fact
    assert 43 not in {f.value for f in seed("003", cut_teasers=False)}
    assert not [f for f in seed("003") if f.kind == "count" and f.value in (2017, 2024, 2025, 13)]


def test_seed_000_dozens_of_tankers():
    facts = seed("000")
    vague = [f for f in facts if f.kind == "count" and f.qualifier == "vague"]
    assert vague and vague[0].value is None and vague[0].surface == "dozens" and "tankers" in vague[0].what


def test_seed_001_at_least_four_governments():
    # "at least four Western governments ... have urged their nationals to leave": a count (as the gold
    # says) of who gave advice, tagged so the brief shows it with the advisories
    facts = seed("001")
    c = [f for f in facts if f.kind == "count" and f.value == 4]
    assert c and c[0].qualifier == "at_least" and c[0].surface == "at least four"
    assert c[0].attrs.get("counts") == "advice_issuers"
    assert not [f for f in facts if f.value in (2020, 2021, 13)]


def test_seed_002_missionary():
    k = [f for f in seed("002") if f.kind == "kidnapping"]
    assert len(k) == 1 and k[0].value == 1 and k[0].country == "NE" and k[0].date == "2025-10-21"
    assert k[0].attrs["released"] is False and k[0].attrs["victims"] == "missionary"


def test_seed_004_drivers():
    k = [f for f in seed("004") if f.kind == "kidnapping"]
    assert len(k) == 1 and k[0].value == 6 and k[0].attrs["nationality"] == "SN"
    assert k[0].attrs["released"] is True and "truck drivers" in k[0].attrs["victims"]


def test_no_pub_date_resolves_against_newest_year_and_flags():
    facts = run("In the first half of 2023 there were 40 attacks. Last year, 12 percent of attacks hit the capital.", None)
    s = [f for f in facts if f.kind == "share"]
    assert s and s[0].period.label == "2022" and s[0].attrs.get("period_inferred") is True


def test_weak_inferred_anchor_leaves_relative_periods_unresolved():
    # the only year is a historical reference: "last year" cannot be trusted to mean 2022
    facts = run("The army seized power in 2023. Last year, 12 percent of attacks hit the capital.", None)
    s = [f for f in facts if f.kind == "share"]
    assert s and s[0].period is None


def test_quotes_match_spans_on_all_seeds():
    for p in SEED_PUB:
        for f in seed(p, cut_teasers=False):
            assert f.evidence and all(e.quote for e in f.evidence)


# --- counts of who gave advice are not incident counts --------------------------------------------

ISSUER_COUNTS = [
    "At least five European governments have told their citizens to leave Lebanon.",
    "Three embassies, including Canada's, ordered non-essential staff to depart Port-au-Prince.",
    "In parallel, at least four Western governments — Norway, Spain, Japan and Ireland — have urged their "
    "nationals to leave Chad, citing the risk of further fighting.",
    "Twelve countries have closed their embassies in Juba.",
]
INCIDENT_COUNTS = [  # hard negatives: a count of countries or embassies that is about what happened
    ("Gunmen attacked three embassies in the capital overnight, and Britain told its nationals to leave.", 3),
    ("The violence spread to 4 countries in 2024.", 4),
    ("Rebels seized 14 government buildings and 3 embassies; Italy urged citizens to leave.", 3),
]


@pytest.mark.parametrize("text", ISSUER_COUNTS)
def test_counts_of_governments_giving_advice_are_tagged(text):
    from briefing.extract import quantities
    from tests.fixtures.extract.helpers import ctx_from_text

    counts = [f for f in quantities.extract(ctx_from_text(text, "2025-10-01")) if f.kind == "count"]
    assert counts and all(f.attrs.get("counts") == "advice_issuers" for f in counts), counts


@pytest.mark.parametrize("text,value", INCIDENT_COUNTS)
def test_counts_of_countries_or_embassies_hit_are_kept(text, value):
    from briefing.extract import quantities
    from tests.fixtures.extract.helpers import ctx_from_text

    counts = [f for f in quantities.extract(ctx_from_text(text, "2025-10-01")) if f.kind == "count"]
    assert any(f.value == value and any(w in f.what for w in ("countries", "embassies")) for f in counts), counts
    assert not any(f.attrs.get("counts") for f in counts if f.value == value)


# --- phrasings found missing on the second development set (own texts, other crises) ---------------


def _one(facts, **exp):
    got = [f for f in facts if matches(f, exp)]
    assert got, [(f.kind, f.value, f.what, f.period.label if f.period else None) for f in facts]
    return got[0]


def test_a_month_after_the_count_is_its_period_resolved_against_the_date():
    facts = run("At least 31 civilians were killed in shelling on Kharkiv in February, officials said.", "2025-03-10")
    _one(facts, kind="casualties", value=31, period="February 2025")
    facts = run("Monitors counted 57 drone attacks in January and February, up from 23 in the last two months "
                "of 2024.", "2025-03-10")
    _one(facts, kind="count", value=57, period="Jan–Feb 2025")
    _one(facts, kind="count", value=23, period="Nov–Dec 2024")


def test_a_month_precision_publication_date_keeps_its_own_month():
    facts = run("Three engineers of a road contractor were abducted on 12 June near Gao.", "2025-06")
    f = _one(facts, kind="kidnapping", value=3)
    assert f.date == "2025-06-12"


def test_people_of_an_organisation_then_the_verb():
    facts = run("Two employees of a water charity were kidnapped on the road to Tawila.", "2025-05-02")
    _one(facts, kind="kidnapping", value=2)
    assert not [f for f in facts if f.kind == "count" and f.value == 2]


def test_a_quote_between_verb_and_number():
    facts = run('The army said it had killed "about 45 bandits" in air strikes near Zurmi.', "2025-05-02")
    _one(facts, kind="casualties", value=45, qualifier="approx")
    assert not [f for f in facts if f.kind == "count"]


def test_funded_shares_and_shares_of_a_total():
    _one(run("The regional appeal is 11 percent funded as of 1 May.", "2025-05-02"), kind="share", value=11)
    facts = run("Cluster munitions, which are banned by most states, made up close to 30 percent of that total, "
                "up from about a fifth in 2023.", "2025-05-02")
    _one(facts, kind="share", value=30, what="cluster munitions")
    _one(facts, kind="share", value=20, period="2023")


def test_people_on_the_move_without_a_noun():
    _one(run("Some 1.2 million of them have crossed into Uganda and Kenya.", "2025-05-02"), kind="count",
         value=1200000, what="people crossed")
    _one(run("About 52,000 have fled to the coast since Monday.", "2025-05-02"), kind="count", value=52000)


def test_stocks_and_needs_are_not_counts():
    for text in ("The plant served about 250,000 residents before the strike.",
                 "Manila, which has some 45,000 workers in Kuwait, said it was watching closely.",
                 "Another 9,000 tents are needed before the rains.",
                 "The agency needs 600 more trucks to reach the camps."):
        assert not [f for f in run(text, "2025-05-02") if f.kind == "count"], text


def test_spaced_thousands_in_translated_copy():
    _one(run("Some 2 450 tanker trucks have crossed the border since 1 March.", "2025-05-02"), kind="count",
         value=2450)
    # a year then a number stay two numbers
    assert [n.value for n in find_numbers("In 2024 150 people were displaced.")] == [2024, 150]
    assert [n.value for n in find_numbers("Roads 12 and 14, 300 metres apart.")] == [12, 14, 300]


def test_same_period_takes_the_period_of_the_sentence_before():
    text = ("In H1 2025 the group carried out 1,300 attacks. Raids on markets grew fastest: 90 raids, "
            "double the figure for the same period of 2024.")
    d = _one(run(text, "2025-08-01"), kind="count", value=45)
    assert d.derived and d.period.label == "H1 2024"
