"""Periods and dates in news text, resolved against the article's publication date.

``find_times(text, anchor, start, end)`` returns every time expression in ``text[start:end]``:
statistical periods ("H1 2025", "the first half of 2025", "Q3 2024", "last year", "this year"),
calendar dates ("July 6, 2024", "on October 21", "September 2025", "in 2017"), relative dates
("Thursday", "last week", "a year ago", "since early September", "earlier this year") and the
comparison form "the same (six-month) period last year", which is resolved later against the period
that governs it (``shift_period``).

Everything is resolved against an :class:`Anchor`: the publication date when known. When the
publication date is unknown, the caller may pass an inferred anchor (the newest year mentioned in the
article, ``exact=False``); then only year-level relative expressions are resolved and the mention is
flagged ``inferred``; day-level ones (weekdays, "last week") stay unresolved.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..model import Period

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_NAMES = [
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}  # monday=0

# Month names must be capitalised ("march" and "may" are verbs); abbreviations may end with a dot.
_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d|2100)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_REL_YEAR = r"(?:this year|last year|the previous year|the past year)"
_NUMWORD = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}


@dataclass(frozen=True)
class Anchor:
    """The date relative expressions are resolved against."""

    date: date
    exact: bool = True  # False: inferred from the newest year in the article (year-level only)
    strong: bool = True  # inferred from a year the article dates precisely ("September 2025", "H1 2025")


@dataclass
class TimeMention:
    start: int  # offsets into the text given to find_times
    end: int
    surface: str
    kind: str  # period | date | same (needs a governing period) | vague
    period: Period | None = None
    date: str | None = None  # ISO, possibly partial
    precision: str | None = None  # day | month | year | vague
    form: str = ""  # half | quarter | months | year | month | day | weekday | relative | since | same
    relative: bool = False  # resolved against the anchor
    inferred: bool = False  # resolved against an inferred anchor
    shift_years: int = 0  # for kind == "same": -1 = the year before the governing period
    year: int | None = None  # for kind == "same" with an explicit year ("the same period of 2024")


# --------------------------------------------------------------------------------------------
# small date helpers
# --------------------------------------------------------------------------------------------


def _iso(d: date) -> str:
    return d.isoformat()


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def year_period(y: int, surface: str | None = None) -> Period:
    return Period(str(y), f"{y}-01-01", f"{y}-12-31", surface)


def month_period(y: int, m: int, surface: str | None = None) -> Period:
    return Period(f"{MONTH_NAMES[m]} {y}", f"{y}-{m:02d}-01", _iso(_month_end(y, m)), surface)


def half_period(y: int, h: int, surface: str | None = None) -> Period:
    if h == 1:
        return Period(f"H1 {y}", f"{y}-01-01", f"{y}-06-30", surface)
    return Period(f"H2 {y}", f"{y}-07-01", f"{y}-12-31", surface)


def quarter_period(y: int, q: int, surface: str | None = None) -> Period:
    m0 = 3 * (q - 1) + 1
    return Period(f"Q{q} {y}", f"{y}-{m0:02d}-01", _iso(_month_end(y, m0 + 2)), surface)


def first_months_period(y: int, n: int, surface: str | None = None) -> Period:
    if n == 6:
        return half_period(y, 1, surface)
    if n == 3:
        return quarter_period(y, 1, surface)
    if n == 12:
        return year_period(y, surface)
    return Period(f"Jan–{MONTH_NAMES[n][:3]} {y}", f"{y}-01-01", _iso(_month_end(y, n)), surface)


def day_period(d: date, surface: str | None = None) -> Period:
    return Period(f"{d.day} {MONTH_NAMES[d.month]} {d.year}", _iso(d), _iso(d), surface)


def shift_period(p: Period, years: int, surface: str | None = None) -> Period:
    """The same period ``years`` years earlier/later: H1 2025 -> H1 2024 for years=-1."""

    def sh(iso: str) -> str:
        y, m, d = (int(x) for x in iso.split("-"))
        y += years
        d = min(d, calendar.monthrange(y, m)[1])
        return f"{y}-{m:02d}-{d:02d}"

    start, end = sh(p.start), sh(p.end)
    label = re.sub(r"\b(1[89]\d\d|20\d\d)\b", lambda m: str(int(m.group(1)) + years), p.label)
    label = label.replace(" (to date)", " (same period)")
    return Period(label, start, end, surface if surface is not None else p.surface)


def period_to_date(p: Period) -> tuple[str, str]:
    """(ISO partial date, precision) that best names a period."""
    if p.start == p.end:
        return p.start, "day"
    y0, m0, d0 = p.start.split("-")
    y1, m1, _ = p.end.split("-")
    if y0 == y1 and m0 == m1 and d0 == "01":
        return f"{y0}-{m0}", "month"
    if y0 == y1 and p.start.endswith("-01-01"):
        return y0, "year"
    return p.start, "vague"


def month_in_past(m: int, anchor: date, *, strictly_before: bool = False) -> int:
    """The year of the most recent month ``m`` at or before the anchor's month."""
    if m < anchor.month or (m == anchor.month and not strictly_before):
        return anchor.year
    return anchor.year - 1


def day_in_past(m: int, d: int, anchor: date) -> date | None:
    """The most recent date with month ``m`` and day ``d`` on or before the anchor (a week's slack)."""
    for y in (anchor.year, anchor.year - 1):
        try:
            cand = date(y, m, d)
        except ValueError:
            continue
        if cand <= anchor + timedelta(days=7):
            return cand
    return None


def weekday_in_past(wd: int, anchor: date, *, last: bool = False) -> date:
    """Most recent weekday ``wd`` on or before the anchor ("on Thursday" in a Thursday paper is today).

    ``last=True`` ("last Thursday") means strictly before the anchor.
    """
    delta = (anchor.weekday() - wd) % 7
    if last and delta == 0:
        delta = 7
    return anchor - timedelta(days=delta)


# --------------------------------------------------------------------------------------------
# patterns, most specific first
# --------------------------------------------------------------------------------------------

_RX: list[tuple[str, re.Pattern[str]]] = []


def _p(name: str, rx: str, flags: int = 0) -> None:
    _RX.append((name, re.compile(rx, flags)))


_Y_OR_REL = rf"(?:(?P<y>{_YEAR})|(?P<rel>this year|last year|the previous year|the year))"
_p("same", r"\b(?:the\s+)?(?:same|corresponding|equivalent|comparable)\s+"
   r"(?:(?P<n>\w+)[- ]month\s+)?(?:period|weeks|months|days|time|stretch|span|quarter|half)\s+(?:(?:of|in|during)\s+)?"
   rf"(?P<which>last year|the previous year|the year before|a year (?:earlier|ago|before)|(?P<y>{_YEAR}))",
   re.I)
_p("same", r"\b(?P<which>a year (?:earlier|before)|the previous year's level|twelve months earlier)\b", re.I)
_p("half", rf"\bH(?P<h>[12])[ -]?(?P<y>{_YEAR})(?!\d)")
_p("half", rf"\b(?P<y>{_YEAR})[ -]H(?P<h>[12])\b")
_p("half", r"\b(?:the\s+)?(?P<hw>first|second|1st|2nd|latter)\s+half\s+(?:of\s+)?" + _Y_OR_REL, re.I)
_p("dayspan", rf"\b(?:[Bb]etween\s+|[Ff]rom\s+)(?P<m1>{_MON})\s+(?P<d1>{_DAY})\s*(?:and|to|through|until|-|–)\s*"
   rf"(?P<m2>{_MON})\s+(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?(?!\d)")
_p("span", rf"\b(?:between\s+|from\s+)?(?P<m1>{_MON})(?:\s+(?P<y1>{_YEAR}))?\s*(?:and|to|through|until|-|–)\s*"
   rf"(?P<m2>{_MON}),?\s+(?P<y>{_YEAR})(?!\d)")
# "in January and February", "between September and October": months without a year, the most recent
# such stretch at or before the anchor
_p("monspan", rf"(?:(?<=\b[Ii]n )|(?<=\b[Bb]etween )|(?<=\b[Ff]rom )|(?<=\b[Dd]uring )|(?<=\b[Oo]ver )|(?<=\b[Ff]or ))"
   rf"(?P<m1>{_MON})\s+(?:and|to|through|until|-|–)\s+(?P<m2>{_MON})\b(?!,?\s+\d{1,2}\b|\s+\d)")
# "the last week of February", "the first two weeks of March"
_p("weekof", rf"\b(?:the\s+)?(?P<wk>first|second|third|fourth|last|final)\s+(?:(?P<n>two|three)\s+)?weeks?\s+of\s+"
   rf"(?P<mon>{_MON})(?:,?\s+(?P<y>{_YEAR}))?(?!\d)", re.I)
_p("months", r"\b(?:the\s+)?(?P<fl>first|last|past|opening)\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|eleven|"
   r"twelve|\d{1,2})\s+months\s+"
   r"(?:of\s+)?" + _Y_OR_REL, re.I)
_p("quarter", rf"\bQ(?P<q>[1-4])[ -]?(?P<y>{_YEAR})(?!\d)")
_p("quarter", r"\b(?:the\s+)?(?P<qw>first|second|third|fourth|last|final)\s+quarter\s+(?:of\s+)?" + _Y_OR_REL,
   re.I)
_p("fulldate", rf"\b(?P<mon>{_MON})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})(?!\d)")
_p("fulldate", rf"\b(?P<d>{_DAY})\s+(?P<mon>{_MON}),?\s+(?P<y>{_YEAR})(?!\d)")
_p("monthyear", rf"\b(?:(?P<em>early|mid|late|end of|the end of|the start of|the beginning of)[- ]?\s*)?"
   rf"(?P<mon>{_MON}),?\s+(?P<y>{_YEAR})(?!\d)", 0)
_p("monthday", rf"\b(?P<mon>{_MON})\s+(?P<d>{_DAY})\b(?![,:]?\s*\d)")
_p("monthday", rf"\b(?P<d>{_DAY})\s+(?P<mon>{_MON})\b(?!,?\s*\d)")
# (the leading lookahead is implied by the rest: it lets the scan skip most positions cheaply)
_p("month", rf"(?=[JFMASONDeml])(?:(?<=\b[Ii]n )|(?<=\b[Ss]ince )|(?<=\b[Bb]y )|(?<=\b[Uu]ntil )|(?<=\b[Ff]rom )|(?<=\b[Dd]uring )"
   rf"|(?<=\b[Oo]f )|(?<=\b[Ll]ast )|(?<=\b[Tt]his )|(?<=\b[Tt]hrough )|(?<=\b[Tt]hroughout )|(?<=\b[Ss]ince the )"
   rf"|(?<=\b[Ii]n the )|(?<=\b[Ee]nd of )|(?<=\b[Ss]tart of )|(?<=\b[Bb]eginning of )|(?<=\b[Tt]ill ))"
   rf"(?:(?P<em>early|mid|late)[- ]?\s*)?(?P<mon>{_MON})\b(?!\s+\d)")
_p("month", rf"\b(?P<em>[Ee]arly|[Mm]id|[Ll]ate)[- ]\s*(?P<mon>{_MON})\b(?!\s+\d)")
_p("weekday", r"\b(?:(?P<lw>last|this|on|[Ll]ast|[Tt]his|[Oo]n)\s+)?"
   r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s)?\b")
_p("relative", r"\b(?P<w>yesterday|today|tonight|last week|this week|last weekend|this weekend|earlier this week"
   r"|last month|this month|earlier this month|earlier this year|later this year|last year|this year"
   r"|the previous year|the past year|the previous month|the past month"
   r"|(?P<ago>(?P<an>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d{1,2})\s+"
   r"(?P<unit>day|week|month|year)s?\s+ago))\b", re.I)
_p("yearrel", rf"\b(?:(?P<em>early|mid|late|earlier in|later in|the end of|end of|the start of)[- ]?\s*)?"
   rf"(?P<y>{_YEAR})(?!\s*(?:%|percent|per cent)|,\d|\.\d|\d)")

# Cheap necessary conditions for the patterns above, in the same order: (name of a shared test, words
# of which the sentence must contain one or more from each group, test on the lowercased text?). A
# pattern runs on a sentence only when its test passes (most sentences have no time expression; this
# skips 20 regex scans for them). Keep in step with the patterns (tests/test_extract_speed.py checks
# that gated and ungated scans agree).
_MON3 = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_YEAR_KW = ("18", "19", "20", "21")
_GATES: list[tuple[str, tuple[tuple[str, ...], ...], bool]] = [
    ("same", (("same", "corresponding", "equivalent", "comparable"),), True),
    ("yearago", (("year", "twelve"),), True),  # "a year earlier"
    ("H", (("H1", "H2"), _YEAR_KW), False),  # H1 2025
    ("H", (("H1", "H2"), _YEAR_KW), False),  # 2025-H1
    ("half", (("half",),), True),  # first half of
    ("mon", (_MON3,), False),  # dayspan
    ("mon+y", (_MON3, _YEAR_KW), False),  # span
    ("mon", (_MON3,), False),  # monspan
    ("week", (("week",),), True),  # the last week of February
    ("months", (("months",),), True),  # first six months of
    ("Q", (("Q1", "Q2", "Q3", "Q4"), _YEAR_KW), False),  # Q3 2024
    ("quarter", (("quarter",),), True),  # third quarter of
    ("mon+y", (_MON3, _YEAR_KW), False),  # fulldate
    ("mon+y", (_MON3, _YEAR_KW), False),  # fulldate
    ("mon+y", (_MON3, _YEAR_KW), False),  # monthyear
    ("mon", (_MON3,), False),  # monthday
    ("mon", (_MON3,), False),  # monthday
    ("mon", (_MON3,), False),  # month
    ("mon", (_MON3,), False),  # early month
    ("day", (("day",),), False),  # weekday
    ("rel", (("yesterday", "today", "tonight", "week", "month", "year", "ago"),), True),  # relative
    ("y", (_YEAR_KW,), False),  # yearrel
]
assert len(_GATES) == len(_RX)


# str.lower() misses two letters that re.IGNORECASE folds to ASCII
def _fold_extra(t: str) -> str:
    return t.replace("ſ", "s").replace("ı", "i") if ("ſ" in t or "ı" in t) else t


def _gate_open(groups: tuple[tuple[str, ...], ...], hay: str) -> bool:
    for group in groups:
        for w in group:
            if w in hay:
                break
        else:
            return False
    return True


_HALF = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "latter": 2}
_QUART = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "final": 4}
_NUM = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, **{str(i): i for i in range(1, 13)}}


def _rel_year(rel: str, anchor: Anchor | None) -> int | None:
    if anchor is None or not anchor.strong:
        return None
    rel = rel.lower()
    if rel in ("this year", "the year"):  # "the first half of the year": the current year
        return anchor.date.year
    return anchor.date.year - 1


def _year_to_date(y: int, anchor: Anchor | None, surface: str) -> Period:
    if anchor and anchor.date.year == y and anchor.exact:
        return Period(f"{y} (to date)", f"{y}-01-01", _iso(anchor.date), surface)
    return year_period(y, surface)


def _mention(name: str, m: re.Match[str], anchor: Anchor | None) -> TimeMention | None:
    g = m.groupdict()
    surface = m.group(0)
    s, e = m.start(), m.end()
    mk = lambda **kw: TimeMention(start=s, end=e, surface=surface, **kw)  # noqa: E731
    a = anchor.date if anchor else None
    inferred = bool(anchor and not anchor.exact)

    if name == "same":

        if g.get("y"):
            return mk(kind="same", form="same", year=int(g["y"]))
        return mk(kind="same", form="same", shift_years=-1)

    if name in ("half", "months", "quarter"):
        if g.get("y"):
            y, rel = int(g["y"]), False
        else:
            y, rel = _rel_year(g["rel"], anchor), True
            if y is None:
                return mk(kind="period", form=name, relative=True)
        if name == "half":
            h = int(g["h"]) if g.get("h") else _HALF[g["hw"].lower()]
            p = half_period(y, h, surface)
        elif name == "quarter":
            q = int(g["q"]) if g.get("q") else _QUART[g["qw"].lower()]
            p = quarter_period(y, q, surface)
        else:
            n = _NUM[g["n"].lower()]
            if g["fl"].lower() in ("first", "opening"):
                p = first_months_period(y, n, surface)
            else:  # "the last six months of 2024"
                m0 = 12 - n + 1
                p = Period(f"{MONTH_NAMES[m0][:3]}–Dec {y}" if n != 6 else f"H2 {y}",
                           f"{y}-{m0:02d}-01", f"{y}-12-31", surface)
        d, prec = period_to_date(p)
        return mk(kind="period", form=name, period=p, date=d, precision=prec, relative=rel,
                  inferred=rel and inferred)

    if name == "dayspan":
        m1, m2 = MONTHS[g["m1"].rstrip(".").lower()], MONTHS[g["m2"].rstrip(".").lower()]
        d1, d2 = int(re.sub(r"\D", "", g["d1"])), int(re.sub(r"\D", "", g["d2"]))
        if g.get("y"):
            y2 = int(g["y"])
        elif a is not None and anchor.exact:
            end = day_in_past(m2, d2, a)
            if end is None:
                return None
            y2 = end.year
        else:
            return mk(kind="period", form="span", relative=True)
        y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
        try:
            s_, e_ = date(y1, m1, d1), date(y2, m2, d2)
        except ValueError:
            return None
        lab = f"{d1} {MONTH_NAMES[m1][:3]}–{d2} {MONTH_NAMES[m2][:3]} {y2}"
        return mk(kind="period", form="span", period=Period(lab, _iso(s_), _iso(e_), surface), date=_iso(s_),
                  precision="vague", relative=not g.get("y"))

    if name == "span":
        y2 = int(g["y"])
        m1, m2 = MONTHS[g["m1"].rstrip(".").lower()], MONTHS[g["m2"].rstrip(".").lower()]
        y1 = int(g["y1"]) if g.get("y1") else (y2 if m1 <= m2 else y2 - 1)
        if y1 == y2 and m1 == 1 and m2 in (3, 6, 9, 12):
            p = first_months_period(y2, m2, surface)
        elif y1 == y2 and m1 == 7 and m2 == 12:
            p = half_period(y2, 2, surface)
        elif y1 == y2 and m2 - m1 == 2 and m1 in (1, 4, 7, 10):
            p = quarter_period(y2, (m1 + 2) // 3, surface)
        else:
            lab = f"{MONTH_NAMES[m1][:3]}–{MONTH_NAMES[m2][:3]} {y2}" if y1 == y2 else \
                f"{MONTH_NAMES[m1][:3]} {y1}–{MONTH_NAMES[m2][:3]} {y2}"
            p = Period(lab, f"{y1}-{m1:02d}-01", _iso(_month_end(y2, m2)), surface)
        d, prec = period_to_date(p)
        return mk(kind="period", form="months", period=p, date=d, precision=prec)

    if name == "monspan":
        m1, m2 = MONTHS[g["m1"].rstrip(".").lower()], MONTHS[g["m2"].rstrip(".").lower()]
        if a is None or not anchor.strong or m1 == m2:
            return mk(kind="period", form="months", relative=True)
        y2 = month_in_past(m2, a)
        y1 = y2 if m1 < m2 else y2 - 1
        lab = f"{MONTH_NAMES[m1][:3]}–{MONTH_NAMES[m2][:3]} {y2}" if y1 == y2 else \
            f"{MONTH_NAMES[m1][:3]} {y1}–{MONTH_NAMES[m2][:3]} {y2}"
        p = Period(lab, f"{y1}-{m1:02d}-01", _iso(_month_end(y2, m2)), surface)
        d, prec = period_to_date(p)
        return mk(kind="period", form="months", period=p, date=d, precision=prec, relative=True,
                  inferred=inferred)

    if name == "weekof":
        mo = MONTHS[g["mon"].rstrip(".").lower()]
        if g.get("y"):
            y = int(g["y"])
        elif a is not None and anchor.strong:
            y = month_in_past(mo, a)
        else:
            return mk(kind="period", form="weeks", relative=True)
        n = _NUM[g["n"].lower()] if g.get("n") else 1
        last = _month_end(y, mo).day
        if g["wk"].lower() in ("last", "final"):
            d1, d2 = max(1, last - 7 * n + 1), last
        else:
            k = _QUART[g["wk"].lower()]
            d1, d2 = 7 * (k - 1) + 1, min(last, 7 * (k - 1 + n))
        p = Period(f"{d1}–{d2} {MONTH_NAMES[mo][:3]} {y}", f"{y}-{mo:02d}-{d1:02d}", f"{y}-{mo:02d}-{d2:02d}", surface)
        return mk(kind="period", form="weeks", period=p, date=f"{y}-{mo:02d}", precision="vague",
                  relative=not g.get("y"), inferred=inferred and not g.get("y"))

    if name == "fulldate":
        try:
            dd = date(int(g["y"]), MONTHS[g["mon"].rstrip(".").lower()], int(re.sub(r"\D", "", g["d"])))
        except ValueError:
            return None
        return mk(kind="date", form="day", period=day_period(dd, surface), date=_iso(dd), precision="day")

    if name == "monthyear":
        y, mo = int(g["y"]), MONTHS[g["mon"].rstrip(".").lower()]
        return mk(kind="date", form="month", period=month_period(y, mo, surface), date=f"{y}-{mo:02d}",
                  precision="month")

    if name == "monthday":
        mo = MONTHS[g["mon"].rstrip(".").lower()]
        d = int(re.sub(r"\D", "", g["d"]))
        if a is None or not anchor.exact:
            return mk(kind="date", form="day", relative=True)
        dd = day_in_past(mo, d, a)
        if dd is None:
            return None
        return mk(kind="date", form="day", period=day_period(dd, surface), date=_iso(dd), precision="day",
                  relative=True)

    if name == "month":
        mo = MONTHS[g["mon"].rstrip(".").lower()]
        if a is None or not anchor.strong:
            return mk(kind="date", form="month", relative=True)
        before = m.string[max(0, s - 6):s].lower()
        y = month_in_past(mo, a, strictly_before=before.endswith("last "))
        p = month_period(y, mo, surface)
        return mk(kind="date", form="month", period=p, date=f"{y}-{mo:02d}", precision="month",
                  relative=True, inferred=inferred)

    if name == "weekday":
        lw = (g.get("lw") or "").lower()
        if a is None or not anchor.exact:
            return mk(kind="date", form="weekday", relative=True)
        dd = weekday_in_past(WEEKDAYS[g["wd"].lower()], a, last=(lw == "last"))
        return mk(kind="date", form="weekday", period=day_period(dd, surface), date=_iso(dd),
                  precision="day", relative=True)

    if name == "relative":
        w = g["w"].lower()
        if a is None or not anchor.strong:
            return mk(kind="vague", form="relative", relative=True)
        if w in ("last year", "the previous year", "the past year"):
            y = a.year - 1
            return mk(kind="period", form="relative", period=year_period(y, surface), date=str(y),
                      precision="year", relative=True, inferred=inferred)
        if w == "this year":
            return mk(kind="period", form="relative", period=_year_to_date(a.year, anchor, surface),
                      date=str(a.year), precision="year", relative=True, inferred=inferred)
        if w in ("earlier this year", "later this year"):
            return mk(kind="period", form="relative", period=_year_to_date(a.year, anchor, surface),
                      date=str(a.year), precision="vague", relative=True, inferred=inferred)
        if not anchor.exact:
            return mk(kind="vague", form="relative", relative=True)
        if w in ("yesterday",):
            dd = a - timedelta(days=1)
            return mk(kind="date", form="relative", period=day_period(dd, surface), date=_iso(dd),
                      precision="day", relative=True)
        if w in ("today", "tonight"):
            return mk(kind="date", form="relative", period=day_period(a, surface), date=_iso(a),
                      precision="day", relative=True)
        if w in ("last week", "last weekend"):
            dd = a - timedelta(days=7)
            p = Period(f"week of {dd.isoformat()}", _iso(a - timedelta(days=a.weekday() + 7)),
                       _iso(a - timedelta(days=a.weekday() + 1)), surface)
            return mk(kind="date", form="relative", period=p, date=_iso(dd), precision="vague", relative=True)
        if w in ("this week", "earlier this week", "this weekend"):
            p = Period(f"week of {a.isoformat()}", _iso(a - timedelta(days=a.weekday())), _iso(a), surface)
            return mk(kind="date", form="relative", period=p, date=_iso(a), precision="vague", relative=True)
        if w in ("last month", "the previous month", "the past month"):
            y, mo = (a.year, a.month - 1) if a.month > 1 else (a.year - 1, 12)
            return mk(kind="date", form="relative", period=month_period(y, mo, surface), date=f"{y}-{mo:02d}",
                      precision="month", relative=True)
        if w in ("this month", "earlier this month"):
            p = Period(f"{MONTH_NAMES[a.month]} {a.year} (to date)", f"{a.year}-{a.month:02d}-01", _iso(a),
                       surface)
            return mk(kind="date", form="relative", period=p, date=f"{a.year}-{a.month:02d}",
                      precision="month" if w == "this month" else "vague", relative=True)
        if g.get("ago"):
            n = _NUMWORD.get(g["an"].lower()) if not g["an"].isdigit() else int(g["an"])
            unit = g["unit"].lower()
            if n is None:
                return None
            if unit == "day":
                dd = a - timedelta(days=n)
                return mk(kind="date", form="relative", period=day_period(dd, surface), date=_iso(dd),
                          precision="day", relative=True)
            if unit == "week":
                dd = a - timedelta(days=7 * n)
                return mk(kind="date", form="relative", date=_iso(dd), precision="vague", relative=True)
            if unit == "month":
                total = a.year * 12 + (a.month - 1) - n
                y, mo = divmod(total, 12)
                return mk(kind="date", form="relative", period=month_period(y, mo + 1, surface),
                          date=f"{y}-{mo + 1:02d}", precision="vague", relative=True)
            y = a.year - n
            return mk(kind="date", form="relative", period=year_period(y, surface),
                      date=f"{y}-{a.month:02d}", precision="vague", relative=True)
        return None

    if name == "yearrel":
        y = int(g["y"])
        em = (g.get("em") or "").lower()
        prec = "vague" if em in ("early", "mid", "late", "earlier in", "later in", "the end of", "end of",
                                 "the start of") else "year"
        return mk(kind="date", form="year", period=year_period(y, surface), date=str(y), precision=prec)
    return None


def _since(text: str, tm: TimeMention, anchor: Anchor | None) -> TimeMention:
    """"since September 2025": the period runs from the start of the month/year to the anchor."""
    if tm.period is None or tm.form not in ("month", "year", "day"):
        return tm
    before = text[max(0, tm.start - 12):tm.start]
    if not re.search(r"\b[Ss]ince\s+(?:the\s+)?$", before):
        return tm
    end = anchor.date.isoformat() if anchor and anchor.exact else tm.period.end
    name = tm.period.label
    p = Period(f"since {name}", tm.period.start, end, tm.surface)
    return replace(tm, period=p, form="since")


def find_times(text: str, anchor: Anchor | None = None, start: int = 0, end: int | None = None
               ) -> list[TimeMention]:
    """All time expressions in text[start:end], longest-first without overlaps, in text order."""
    end = len(text) if end is None else end
    cands = _candidates(text, start, end)
    taken: list[tuple[int, int]] = []
    out: list[TimeMention] = []
    for s, e, _prio, name, m in cands:
        if any(s < te and ts < e for ts, te in taken):
            continue
        if name == "yearrel" and _not_a_year(text, s, e, m):
            continue
        tm = _mention(name, m, anchor)
        if tm is None:
            continue
        taken.append((s, e))
        out.append(_since(text, tm, anchor))
    out.sort(key=lambda t: t.start)
    return out


_CAND_CACHE: dict[tuple[int, int], list] = {}
_CAND_TEXT: list[str | None] = [None]


def _candidates(text: str, start: int, end: int) -> list[tuple[int, int, int, str, re.Match[str]]]:
    """Every pattern match in text[start:end], longest first, then pattern priority. The extractors ask
    for the same sentence more than once: the matches of the current text are kept (one text at a time)."""
    if _CAND_TEXT[0] is not text:
        _CAND_CACHE.clear()
        _CAND_TEXT[0] = text
    key = (start, end)
    got = _CAND_CACHE.get(key)
    if got is not None:
        return got
    seg = text[start:end]
    low = seg.lower()
    if not seg.isascii():
        low = _fold_extra(low)
    cands: list[tuple[int, int, int, str, re.Match[str]]] = []
    seen: dict[str, bool] = {}
    for prio, (name, rx) in enumerate(_RX):
        gname, groups, on_lower = _GATES[prio]
        ok = seen.get(gname)
        if ok is None:
            ok = seen[gname] = _gate_open(groups, low if on_lower else seg)
        if not ok:
            continue
        for m in rx.finditer(text, start, end):
            cands.append((m.start(), m.end(), prio, name, m))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    _CAND_CACHE[key] = cands
    return cands


def _not_a_year(text: str, s: int, e: int, m: re.Match[str]) -> bool:
    """A four-digit number that is not a year: money, a count ("2000 troops"), an id."""
    ys = m.start() if m.group("em") else m.start("y")
    before = text[max(0, ys - 12):ys]
    after = text[m.end("y"):m.end("y") + 20]
    if re.search(r"[$€£#]\s*$|\d[.,]?$|[A-Za-z]-?$|\b(?:No\.|Resolution|Article|Section|Room|Flight|Route)\s*$",
                 before):
        return True
    if re.match(r"\s*(?:-|–)\s*(?:year|month|day|km|mile)", after):
        return True
    # "2000 troops": a year is rarely followed directly by a plural common noun
    mm = re.match(r"\s+([a-z]+)", after)
    if mm and mm.group(1) in _COUNT_NOUN_AFTER_YEAR and not re.search(r"\b(?:in|since|of|by|until|from)\s*$",
                                                                       before, re.I):
        return True
    return False


_COUNT_NOUN_AFTER_YEAR = {
    "people", "troops", "soldiers", "civilians", "fighters", "refugees", "tonnes", "tons", "dollars", "euros",
    "attacks", "vehicles", "trucks", "households", "families", "children", "persons", "km", "miles",
    "kilometres", "kilometers", "metres", "meters", "barrels", "litres", "liters", "migrants", "homes",
}


def anchor_for(pub: date | None, text: str) -> Anchor | None:
    """The publication date, or (flagged as inferred) the end of the newest year the text mentions."""
    if pub is not None:
        return Anchor(pub, True)
    years = [int(y) for y in re.findall(rf"(?<![\d,.$])({_YEAR})(?!\d|,\d)", text)]
    years = [y for y in years if 1990 <= y <= 2100]
    if not years:
        return None
    y = max(years)
    strong = bool(re.search(
        rf"{_MON}\s+(?:{_DAY},?\s+)?{y}(?!\d)|(?:H[12]|Q[1-4]|half\s+of|quarter\s+of|months\s+of)\s+{y}(?!\d)", text))
    return Anchor(date(y, 12, 31), False, strong)


def resolve_same(tm: TimeMention, governing: Period | None) -> Period | None:
    """Resolve "the same period last year" against the period that governs it."""
    if tm.kind != "same":
        return tm.period
    if governing is None:
        if tm.year is not None:
            return year_period(tm.year, tm.surface)
        return None
    if tm.year is not None:
        gy = int(governing.start[:4])
        return shift_period(governing, tm.year - gy, tm.surface)
    return shift_period(governing, tm.shift_years, tm.surface)


__all__ = [
    "Anchor", "TimeMention", "find_times", "shift_period", "resolve_same", "anchor_for", "year_period",
    "month_period", "half_period", "quarter_period", "day_period", "period_to_date", "replace",
]
