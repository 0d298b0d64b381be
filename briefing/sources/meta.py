"""Metadata found in the text itself: dates, datelines, bylines, author lines.

Only *positions* that carry metadata are read: a short line near the top that is mostly a date
(possibly glued to an outlet name: "November 13, 2025Clash Report"), a "By ..." line, a name alone on
the first line, or a wire dateline opening the first paragraph ("NAIROBI, 3 March 2024 (Agency) -").
A date inside the body (a photo credit, a quote) never becomes the publication date.
"""

from __future__ import annotations

import datetime as _dt
import re

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)"

DATE_RE = re.compile(
    rf"(?<![\w-])(?:{_WEEKDAY})?(?:"
    rf"(?P<mdy>(?P<m1>{_MON})\.?\s+(?P<d1>{_DAY}),?\s+(?P<y1>{_YEAR}))"
    rf"|(?P<dmy>(?P<d2>{_DAY})\s+(?P<m2>{_MON})\.?,?\s+(?P<y2>{_YEAR}))"
    rf"|(?P<iso>(?P<y3>{_YEAR})[-/.](?P<m3>0?[1-9]|1[0-2])[-/.](?P<d3>[12]\d|3[01]|0?[1-9]))(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
    rf"|(?P<my>(?P<m4>{_MON})\.?,?\s+(?P<y4>{_YEAR}))"
    rf")(?!\d)",
    re.I,
)
_TIME_RE = re.compile(r"\b(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s*(?:GMT|UTC|[A-Z]{2,4}T))?\b|\b\d{1,2}\s*[ap]\.?m\.?", re.I)
_DATE_LABEL = re.compile(
    r"\b(?:published|updated|posted|last updated|first published|modified|date|on)\b\s*:?", re.I
)


def _month(s: str) -> int:
    key = s.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def match_to_iso(m: re.Match) -> str | None:
    try:
        if m.group("mdy"):
            y, mo, d = int(m.group("y1")), _month(m.group("m1")), int(re.sub(r"\D", "", m.group("d1")))
        elif m.group("dmy"):
            y, mo, d = int(m.group("y2")), _month(m.group("m2")), int(re.sub(r"\D", "", m.group("d2")))
        elif m.group("iso"):
            y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
        elif m.group("my"):
            y, mo = int(m.group("y4")), _month(m.group("m4"))
            return f"{y:04d}-{mo:02d}"
        else:
            return None
        return _dt.date(y, mo, d).isoformat()
    except (ValueError, KeyError):
        return None


def parse_date(s: str) -> str | None:
    """A date written in a metadata field -> ISO (YYYY-MM-DD, YYYY-MM or YYYY), else None."""
    s = str(s).strip()
    m = DATE_RE.search(s)
    if m:
        iso = match_to_iso(m)
        if iso:
            return iso
    m = re.fullmatch(r"(1[89]\d\d|2[01]\d\d)(?:-(0[1-9]|1[0-2]))?", s)
    if m:
        return s
    return None


_NAME_TOKEN = r"(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]\.|[A-Z][a-z]?[A-Z][a-zà-ÿ]+|(?:de|da|di|du|van|von|der|al|el|bin|ibn|le|la|dos|das|ter|ten)(?:-)?)"
_NAME = rf"(?:{_NAME_TOKEN})(?:\s+{_NAME_TOKEN}){{1,4}}"
NAME_LINE = re.compile(rf"^{_NAME}$")
BYLINE = re.compile(
    rf"^(?:(?:written|words|story|text|report(?:ed|ing)?)\s+)?by[:\s]+(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)(?P<rest>.*)$",
    re.I,
)
_NON_NAMES = {
    "the", "news", "breaking", "latest", "analysis", "opinion", "world", "africa", "home",
    "share", "follow", "subscribe", "cover", "image", "photo", "video", "related", "newsletter",
}


def looks_like_name(line: str) -> bool:
    line = line.strip()
    if not NAME_LINE.match(line):
        return False
    words = line.split()
    if not 2 <= len(words) <= 4:
        return False
    return not any(w.lower().strip(".") in _NON_NAMES for w in words)


def byline_author(line: str) -> tuple[str | None, str]:
    """("Jane Doe, John Roe", rest) for a "By ..." line, else (None, line)."""
    m = BYLINE.match(line.strip())
    if not m:
        return None, line
    names = m.group("names")
    # "By Jane Doe in Nairobi" -> stop at lowercase words (handled by the name pattern)
    names = re.sub(r"\s*(?:&|\band\b)\s*", ", ", names)
    return names.strip(" ,"), m.group("rest")


_SECTION_WORDS = {
    "analysis", "opinion", "news", "comment", "feature", "features", "explainer", "report", "brief",
    "policy brief", "field update", "update", "live", "world", "africa", "markets", "business", "politics",
    "desk", "exclusive", "interview", "editorial", "blog", "podcast", "video", "photos", "security",
}
_LABEL_BEFORE = re.compile(r"(?:published|posted|dated|first published|updated|last updated|modified)\s*(?:on|:)?\s*$", re.I)


def dateline_parts(line: str) -> tuple[str, str | None, str | None] | None:
    """For a short line that is mostly a date: (iso date, outlet or None, author or None).

    "November 13, 2025Clash Report", "Published 4 March 2024 | Markets desk",
    "Center for X | Analysis | 20 November 2025", "By Jane Doe | Outlet | 5 May 2024".
    """
    s = " ".join(line.split())
    if len(s.split()) > 16 or len(s) > 160:
        return None
    matches = [m for m in DATE_RE.finditer(s) if match_to_iso(m)]
    if not matches:
        return None
    labelled = [m for m in matches if _LABEL_BEFORE.search(s[max(0, m.start() - 20):m.start()])]
    published = [m for m in labelled if not re.search(r"updated|modified", s[max(0, m.start() - 20):m.start()], re.I)]
    m = (published or labelled or matches)[0]
    iso = match_to_iso(m)
    rest = s
    for mm in reversed(matches):
        rest = rest[: mm.start()] + " | " + rest[mm.end():]
    rest = _TIME_RE.sub(" ", rest)
    # a date standing alone between separators ("... | 12 June 2025") is in a dateline position
    before, after = s[: m.start()].rstrip(), s[m.end():].strip()
    alone = (not before or before[-1] in "|•·/–—-") and (not after or after[0] in "|•·/–—-")
    has_label = bool(labelled) or alone
    rest = _DATE_LABEL.sub(" ", rest)
    author = None
    parts = [p.strip(" ,;:-–—·•") for p in re.split(r"\s*[|•·/]\s*|\s+[-–—]+\s+|\s+--\s*", rest)]
    keep: list[str] = []
    for p in parts:
        if not p:
            continue
        a, _ = byline_author(p)
        if a:
            author = a
            continue
        keep.append(p)
    other = " ".join(keep).strip()
    words = other.split()
    if len(words) > 8:
        return None  # a sentence that happens to contain a date
    outlet = None
    for p in keep:
        pw = p.split()
        if not pw or p.lower() in _SECTION_WORDS or len(pw) > 6:
            continue
        if re.search(r"\b(ago|minutes?|hours?|read|min|period|reporting)\b", p, re.I):
            continue
        if all(w[:1].isupper() or w[:1].isdigit() or w in {"of", "the", "and", "&", "de", "du", "for", "on"} for w in pw):
            outlet = p
            break
    if outlet is None and words and not has_label:
        # unlabelled: everything besides the date must look like names or time words
        if not all(w[:1].isupper() or w.lower() in {"ago", "min", "read", "minute", "minutes", "hour", "hours"} for w in words):
            return None
    return iso, outlet, author


WIRE_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z'’.-]+(?:[ -][A-Z][A-Za-z'’.-]+)*)(?:,\s*[A-Z][A-Za-z .'’-]+)?,?\s+"
    rf"(?P<date>(?:{_WEEKDAY})?(?:{_MON}\.?\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+{_MON}\.?(?:,?\s+{_YEAR})?))"
    rf"\s*(?:\((?P<outlet>[^)]{{2,40}})\))?\s*(?:--|[-—–:])\s+"
)
_MONTH_DAY = re.compile(rf"(?:(?P<m1>{_MON})\.?\s+(?P<d1>{_DAY})|(?P<d2>{_DAY})\s+(?P<m2>{_MON}))", re.I)


def wire_dateline(paragraph: str) -> tuple[str | None, str | None, str | None] | None:
    """For "PLACE, 5 March 2024 (Agency) - ..." at a paragraph start: (iso date or None, agency,
    "MM-DD" when the dateline has no year)."""
    m = WIRE_DATELINE.match(paragraph)
    if not m:
        return None
    outlet = m.group("outlet") or None
    dm = DATE_RE.search(m.group("date"))
    iso = match_to_iso(dm) if dm else None
    if iso:
        return iso, outlet, None
    md = _MONTH_DAY.search(m.group("date"))
    if not md:
        return None
    mon = _month(md.group("m1") or md.group("m2"))
    day = int(re.sub(r"\D", "", md.group("d1") or md.group("d2")))
    try:
        _dt.date(2000, mon, day)  # leap year: any valid month-day
    except ValueError:
        return None
    return None, outlet, f"{mon:02d}-{day:02d}"


def complete_year(month_day: str, newest: str) -> str | None:
    """Year for a "MM-DD" dateline given the newest full date among the other sources: the latest
    year that does not put the date more than a week after that newest date."""
    try:
        ref = _dt.date.fromisoformat(newest)
    except ValueError:
        return None
    mon, day = (int(x) for x in month_day.split("-"))
    for year in (ref.year, ref.year - 1):
        try:
            d = _dt.date(year, mon, day)
        except ValueError:
            continue
        if d <= ref + _dt.timedelta(days=7):
            return d.isoformat()
    return None
