"""An article written after the extractors were finished (another crisis, another house style), run
through loading and extraction unchanged. Each assertion is something a reader of the text would say."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.extract import extract
from briefing.sources import load_sources

HERE = Path(__file__).parent / "fixtures" / "unseen"


@pytest.fixture(scope="module")
def facts():
    res = load_sources(HERE)
    (src,) = res.sources
    assert src.published == "2025-10-02"
    out = extract(src)
    for f in out:
        for e in f.evidence:
            assert src.original[e.start:e.end] == e.quote
    return out


def test_advisories_and_the_naval_withdrawal_negative(facts):
    adv = {(f.country, f.action) for f in facts if f.kind == "advisory"}
    assert adv == {("PT", "leave_now"), ("US", "ordered_departure"), ("GB", "avoid_travel"), ("IE", "avoid_travel")}


def test_count_with_hedged_comparison_and_region(facts):
    counts = {(f.value, f.period.label, f.derived): f for f in facts if f.kind == "count"}
    reported = counts[(96, "H1 2025", False)]
    assert reported.region == "Mozambique"
    base = counts[(48, "H1 2024", True)]
    assert base.qualifier == "approx" and "nearly" in base.basis


def test_shares_take_the_period_next_to_each_number(facts):
    shares = {f.value: f for f in facts if f.kind == "share"}
    assert shares[40].qualifier == "approx_below" and shares[40].period.label.startswith("2025")
    assert shares[25].period.label == "2024"


def test_casualties_and_kidnapping(facts):
    killed = [f for f in facts if f.kind == "casualties"]
    assert [(f.value, f.qualifier) for f in killed] == [(14, "at_least")]
    (k,) = [f for f in facts if f.kind == "kidnapping"]
    assert k.value == 3 and k.attrs.get("nationality") == "TZ"
