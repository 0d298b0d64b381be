"""Publication dates read from the text: which date lines count, and which never do.

Own short texts in several house styles (sitreps, wire copy, blogs, translated press, travel-advice
pages) about several crises. The rules: an explicit publish/issue label beats an update label, which
beats a bare date; a full date beats a month; dates bounding a covered period and dates inside the
story are never the publication date; an all-numeric date whose day and month could swap gives only
its year.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefing.sources import build_source, load_sources
from briefing.sources import meta as M
from briefing.sources.readers import clean_meta

ROOT = Path(__file__).resolve().parents[1]


def _src(text: str, name: str = "a.txt"):
    return build_source(name, text.encode("utf-8"), name.rsplit(".", 1)[1])


BODY = (
    "Heavy fighting around the river port displaced thousands of families this week, local officials said.\n\n"
    "Aid agencies said the road to the port remained closed to trucks for a fifth day.\n"
)


# --- sitrep headers: coverage lines are not the publication date --------------------------------


def test_issued_beats_coverage_month():
    s = _src(
        "YEMEN: Port Access Situation Report No. 7\n"
        "Coverage: 1-30 April 2024 | Issued 6 May 2024 | Next report: early June\n\n" + BODY
    )
    assert s.published == "2024-05-06"
    assert s.outlet is None  # "Coverage: 1-30" is not an outlet
    assert "Coverage" not in s.text and "Issued" not in s.text


def test_coverage_line_alone_gives_no_date():
    s = _src("Flood response update\nReporting period: 1 January – 31 March 2024\n\n" + BODY)
    assert s.published is None
    assert "no publication date" in s.warnings


@pytest.mark.parametrize(
    "line",
    [
        "Covering 1–14 March 2025",
        "Period: 3 February - 9 February 2025",
        "Data as of 5 March 2025",
        "Figures from 1 to 28 February 2025",
    ],
)
def test_period_lines_are_not_publication_dates(line):
    assert M.dateline_info(line) is None


def test_label_beats_bare_and_full_beats_month():
    # an update label loses to a publish label; a month loses to a full date
    assert M.dateline_info("Last updated 9 June 2024 | Published 7 June 2024")[0] == "2024-06-07"
    assert M.dateline_info("Updated: June 9, 2024")[:1] == ("2024-06-09",)
    assert M.dateline_info("Updated: June 9, 2024")[3] == M.UPDATED
    s = _src("Kivu ceasefire frays\nJune 2024 edition\nPosted 7 June 2024\n\n" + BODY)
    assert s.published == "2024-06-07"


def test_update_label_is_used_when_nothing_else():
    s = _src("Cholera cases rise in Sindh\nLast updated: 12 August 2024 14:05 GMT\n\n" + BODY)
    assert s.published == "2024-08-12"


# --- notes on the publication, footers, bylines, datelines ---------------------------------------


def test_translation_note_gives_the_date_and_is_dropped():
    s = _src(
        "[Unofficial translation from Portuguese. Original published in a Maputo weekly on 14 October 2024.]\n\n"
        "INSURGENTS RETURN TO THE COASTAL DISTRICTS\n\n" + BODY
    )
    assert s.published == "2024-10-14"
    assert s.title == "INSURGENTS RETURN TO THE COASTAL DISTRICTS"
    assert "translation" not in s.text.lower()
    assert any(d.rule == "dateline" and "Maputo weekly" in d.text for d in s.dropped)


def test_note_with_several_sentences():
    s = _src(
        "Translated from Amharic. Published by an Addis Ababa daily, 3 February 2025. Translation: Horn Press Digest.\n\n"
        "FIGHTING SPREADS IN THE NORTHERN HIGHLANDS\n\n" + BODY
    )
    assert s.published == "2025-02-03"
    assert s.outlet != "Horn Press Digest"  # the translator is not the outlet


def test_a_story_sentence_about_a_publication_is_not_the_date():
    s = _src(
        "Report finds clinics looted\n\n"
        "A report published on 3 March 2024 found that 40 clinics in the region had been looted, the agency said.\n\n"
        "This report was published on 3 March 2024 by a coalition of aid groups, which said 12 staff had been hurt.\n"
    )
    assert s.published is None
    assert "3 March 2024" in s.text


def test_footer_publication_line():
    s = _src("Rains delay harvest in the Sahel\n\n" + BODY + "\nFirst published: 21 September 2024\n")
    assert s.published == "2024-09-21"
    assert "First published" not in s.text


def test_dates_inside_the_story_never_count():
    s = _src(
        "Talks resume over the dam\n\n"
        "Negotiators met in Khartoum on 4 May 2024 to resume talks on the dam, officials said.\n\n"
        "A previous round ended on 12 January 2024 without agreement, diplomats said.\n"
    )
    assert s.published is None


def test_posted_by_line():
    s = _src("Shelling near the border\nPosted by Lena Brandt on March 7, 2025\n\n" + BODY)
    assert (s.published, s.author) == ("2025-03-07", "Lena Brandt")


def test_iso_date_in_byline():
    s = _src("Shelling near the border\nBy Ana Costa | 2024-11-02T08:15:00Z\n\n" + BODY)
    assert (s.published, s.author) == ("2024-11-02", "Ana Costa")
    assert s.outlet is None


def test_iso_date_with_time_zone_is_not_an_outlet():
    s = _src("Shelling near the border\nPublished 2024-11-02 08:15 UTC | Delta Courier\n\n" + BODY)
    assert (s.published, s.outlet) == ("2024-11-02", "Delta Courier")


def test_wire_dateline_month_first():
    s = _src("GOMA, March 3, 2025 (Lake Wire) — Rebels entered two more villages overnight, residents said.\n")
    assert s.published == "2025-03-03" and s.outlet == "Lake Wire"
    assert s.text.startswith("GOMA")


def test_label_in_the_head_beats_wire_dateline_without_year():
    s = _src("Issued 2 May 2024\n\nJUBA, 1 May (Nile Wire) - Fighting resumed near the border town, residents said.\n")
    assert s.published == "2024-05-02"


# --- numeric dates: conservative --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, iso",
    [
        ("13/05/2024", "2024-05-13"),  # 13 cannot be a month
        ("5/13/2024", "2024-05-13"),
        ("05/06/2024", "2024"),  # 5 June or May 6: only the year is certain
        ("7-3-2025", "2025"),
        ("4/4/2024", "2024-04-04"),
        ("05.06.2024", "2024-06-05"),  # dots: day.month.year
        ("31/02/2024", None),
    ],
)
def test_numeric_dates(text, iso):
    assert M.parse_date(text) == iso


def test_ambiguous_numeric_date_line():
    s = _src("Drought deepens in the south\nDate: 05/06/2024\n\n" + BODY)
    assert s.published == "2024"
    s = _src("Drought deepens in the south\nDate: 25/06/2024\n\n" + BODY)
    assert s.published == "2024-06-25"


# --- front matter ----------------------------------------------------------------------------


def test_front_matter_keys():
    assert clean_meta({"issued": "2024-06-07"})["published"] == "2024-06-07"
    assert clean_meta({"date_published": "June 7, 2024"})["published"] == "2024-06-07"
    assert clean_meta({"date": "2024-06", "published": "2024-06-07"})["published"] == "2024-06-07"  # full beats month
    assert clean_meta({"updated": "2024-06-09", "published": "2024-06-07"})["published"] == "2024-06-07"
    assert clean_meta({"last_updated": "2024-06-09"})["published"] == "2024-06-09"
    assert clean_meta({"published": "2024-06-07T09:00:00+02:00"})["published"] == "2024-06-07"


def test_front_matter_beats_the_text():
    s = _src("---\ntitle: Port reopens\nissued: 2024-06-07\n---\n\nPort reopens\nPosted 9 June 2024\n\n" + BODY, "p.md")
    assert s.published == "2024-06-07" and "published" not in s.inferred


# --- the second development set (dates written by people) ----------------------------------------

DEVSET2 = ROOT / "tests" / "data" / "devset2"
GOLD2 = ROOT / "tests" / "data" / "gold" / "devset2.yaml"


@pytest.mark.skipif(not GOLD2.exists(), reason="no second development set")
def test_devset2_publication_dates():
    gold = yaml.safe_load(GOLD2.read_text(encoding="utf-8"))["sources"]
    got = {s.path: s for s in load_sources(DEVSET2).sources}
    for path, g in gold.items():
        assert got[path].published == str(g["published"]), path
