"""Periods and dates: forms, resolution against the publication date, "the same period last year"."""

from __future__ import annotations

from datetime import date

import pytest

from briefing.extract.periods import Anchor, anchor_for, find_times, resolve_same, shift_period, year_period
from briefing.model import Period

PUB = Anchor(date(2025, 11, 13))  # a Thursday


def one(text: str, anchor: Anchor | None = PUB):
    ts = find_times(text, anchor)
    assert len(ts) == 1, ts
    return ts[0]


@pytest.mark.parametrize("text,label,start,end", [
    ("attacks in H1 2025", "H1 2025", "2025-01-01", "2025-06-30"),
    ("in the first half of 2025", "H1 2025", "2025-01-01", "2025-06-30"),
    ("during the first six months of 2025", "H1 2025", "2025-01-01", "2025-06-30"),
    ("in the second half of 2024", "H2 2024", "2024-07-01", "2024-12-31"),
    ("in Q3 2024", "Q3 2024", "2024-07-01", "2024-09-30"),
    ("in the third quarter of 2024", "Q3 2024", "2024-07-01", "2024-09-30"),
    ("in 2024", "2024", "2024-01-01", "2024-12-31"),
    ("last year", "2024", "2024-01-01", "2024-12-31"),
    ("this year", "2025 (to date)", "2025-01-01", "2025-11-13"),
    ("the first half of this year", "H1 2025", "2025-01-01", "2025-06-30"),
    ("last month", "October 2025", "2025-10-01", "2025-10-31"),
    ("in September 2025", "September 2025", "2025-09-01", "2025-09-30"),
    ("since early September", "since September 2025", "2025-09-01", "2025-11-13"),
    ("since May", "since May 2025", "2025-05-01", "2025-11-13"),
    ("on February 29, 2024", "29 February 2024", "2024-02-29", "2024-02-29"),
])
def test_period_forms(text, label, start, end):
    t = one(text)
    assert (t.period.label, t.period.start, t.period.end) == (label, start, end)


@pytest.mark.parametrize("text,iso,precision", [
    ("The AU on Sunday called", "2025-11-09", "day"),
    ("said on Thursday", "2025-11-13", "day"),
    ("last Thursday", "2025-11-06", "day"),
    ("abducted on October 21", "2025-10-21", "day"),
    ("killed on 20 December", "2024-12-20", "day"),  # most recent past December 20
    ("July 6, 2024", "2024-07-06", "day"),
    ("in 2017", "2017", "year"),
    ("a year ago", "2024-11", "vague"),
    ("last week", "2025-11-06", "vague"),
    ("yesterday", "2025-11-12", "day"),
    ("earlier this year", "2025", "vague"),
    ("earlier in 2025", "2025", "vague"),
    ("in mid-2024", "2024", "vague"),
    ("last month", "2025-10", "month"),
    ("in September", "2025-09", "month"),
    ("in December", "2024-12", "month"),
    ("two weeks ago", "2025-10-30", "vague"),
])
def test_dates(text, iso, precision):
    t = one(text)
    assert (t.date, t.precision) == (iso, precision)


def test_same_period_last_year_resolves_against_governing_period():
    ts = find_times("280 attacks in the first half of 2025, double the same six-month period last year", PUB)
    gov, same = ts
    assert same.kind == "same"
    p = resolve_same(same, gov.period)
    assert (p.label, p.start, p.end) == ("H1 2024", "2024-01-01", "2024-06-30")
    assert p.surface == "the same six-month period last year"


def test_same_period_with_explicit_year():
    ts = find_times("in Q2 2025, up on the same period of 2023", PUB)
    p = resolve_same(ts[1], ts[0].period)
    assert (p.label, p.start, p.end) == ("Q2 2023", "2023-04-01", "2023-06-30")


def test_shift_period_keeps_leap_days_valid():
    p = shift_period(Period("29 February 2024", "2024-02-29", "2024-02-29"), -1)
    assert p.start == "2023-02-28"
    assert shift_period(year_period(2025), -1).label == "2024"


@pytest.mark.parametrize("text", [
    "the 13-year insurgency", "2000 troops arrived", "Resolution 2719", "militants may attack",
    "in March, march on", "the first half", "$2025 in cash",
])
def test_not_dates(text):
    ts = [t for t in find_times(text, PUB) if t.kind in ("date", "period") and t.form in ("year", "half")]
    if text == "in March, march on":
        ts = [t for t in find_times(text, PUB) if t.surface.lower().startswith("march on")]
    assert ts == []


def test_no_anchor_leaves_relative_unresolved():
    t = one("on Sunday", None)
    assert t.date is None and t.relative
    assert one("last year", None).period is None


def test_inferred_anchor_resolves_years_only_and_flags():
    a = anchor_for(None, "Attacks rose in 2023 and in March 2024.")
    assert a == Anchor(date(2024, 12, 31), False, True)
    t = one("last year", a)
    assert t.period.label == "2023" and t.inferred
    assert one("on Sunday", a).date is None


def test_weak_inferred_anchor_resolves_nothing_relative():
    a = anchor_for(None, "The junta took power in 2021.")
    assert a.exact is False and a.strong is False
    assert one("last year", a).period is None
    assert one("since May", a).date is None
    assert one("in 2017", a).date == "2017"


def test_anchor_prefers_publication_date():
    assert anchor_for(date(2025, 1, 2), "in 2030") == Anchor(date(2025, 1, 2), True)
    assert anchor_for(None, "no years here") is None


@pytest.mark.parametrize("text,label,start,end", [
    ("attacks in January and February", "Jan–Feb 2025", "2025-01-01", "2025-02-28"),
    ("tankers destroyed in September and October", "Sep–Oct 2025", "2025-09-01", "2025-10-31"),
    ("between November and February", "Nov 2024–Feb 2025", "2024-11-01", "2025-02-28"),
    ("fled in the last week of February", "22–28 Feb 2025", "2025-02-22", "2025-02-28"),
    ("in the first two weeks of March 2024", "1–14 Mar 2024", "2024-03-01", "2024-03-14"),
])
def test_month_spans_without_a_year_and_weeks_of_a_month(text, label, start, end):
    t = one(text)
    assert (t.period.label, t.period.start, t.period.end) == (label, start, end)
