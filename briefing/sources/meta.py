"""Metadata found in the text itself: dates, datelines, bylines, author lines.

Only *positions* that carry metadata are read: a short line near the top that is mostly a date
(possibly glued to an outlet name: "November 13, 2025Clash Report"), a "By ..." line, a name alone on
the first line, or a wire dateline opening the first paragraph ("NAIROBI, 3 March 2024 (Agency) -").
A date inside the body (a photo credit, a quote) never becomes the publication date.

Also read: a note on the publication before the story ("[Translated from X. Original published in
... on 2 May 2024.]") and a short "Published/Updated <date>" line anywhere (a footer). Of several
candidates the best by ``rank`` wins: a full date beats a month; an explicit publish/issue label
beats an update label, which beats a bare date. Dates bounding a covered period ("Coverage: 1-28
February 2025", "data as of ...") never count. All-numeric dates are read only when day and month
cannot swap ("13/05/2024"; "05.06.2024" is day.month); "05/06/2024" gives only its year.
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
    rf"|(?P<iso>(?P<y3>{_YEAR})[-/.](?P<m3>0?[1-9]|1[0-2])[-/.](?P<d3>[12]\d|3[01]|0?[1-9]))(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d|\s?(?:UTC|GMT))?)?"
    rf"|(?P<my>(?P<m4>{_MON})\.?,?\s+(?P<y4>{_YEAR}))"
    rf"|(?P<num>(?P<a5>[12]\d|3[01]|0?[1-9])(?P<s5>[/.-])(?P<b5>[12]\d|3[01]|0?[1-9])(?P=s5)(?P<y5>{_YEAR}))"
    rf")(?!\d)",
    re.I,
)
_TIME_RE = re.compile(r"\b(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s*(?:GMT|UTC|[A-Z]{2,4}T))?\b|\b\d{1,2}\s*[ap]\.?m\.?", re.I)
# the words that label a date as the text's own ("Published", "Last updated", "Date of issue")
_PUBLISH_WORDS = r"(?:first |originally |original(?:ly)? )?(?:published|posted|issued|released|dated|filed)"
_UPDATE_WORDS = r"(?:last )?(?:updated|modified|revised)"
_DATE_LABEL = re.compile(
    rf"\b(?:{_PUBLISH_WORDS}|{_UPDATE_WORDS}|date(?: of (?:issue|publication|release))?|publication date|"
    r"release date|issue date|on)\b\s*:?",
    re.I,
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
        elif m.group("num"):
            return _numeric_date(int(m.group("a5")), int(m.group("b5")), int(m.group("y5")), m.group("s5"))
        else:
            return None
        return _dt.date(y, mo, d).isoformat()
    except (ValueError, KeyError):
        return None


def _numeric_date(a: int, b: int, y: int, sep: str) -> str | None:
    """"7.3.2025" is day.month.year; "7/3/2025" or "7-3-2025" may be either order: read only when
    one part cannot be a month (or both are equal), else only the year is certain."""
    if sep == ".":
        d, mo = a, b
    elif a > 12 >= b:
        d, mo = a, b
    elif b > 12 >= a:
        d, mo = b, a
    elif a == b:
        d, mo = a, b
    else:
        return f"{y:04d}"
    return _dt.date(y, mo, d).isoformat()


def precision(iso: str | None) -> int:
    """2 for a day, 1 for a month, 0 for a year (or nothing)."""
    return {10: 2, 7: 1}.get(len(iso or ""), 0)


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
_BYLINE_LABEL = re.compile(r"^\W{0,3}(?:posted|published|filed|issued|released)\s+by\b", re.I)


def byline_strength(line: str) -> int:
    """``LABELLED`` for "Posted by X on <date>" (the date is the posting date), else ``BARE``."""
    return LABELLED if _BYLINE_LABEL.match(line) else BARE


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
# a label right before a date that says the date is when the text came out ("Issued 7 March 2025")
_LABEL_BEFORE = re.compile(
    rf"(?:{_PUBLISH_WORDS}|{_UPDATE_WORDS}|date(?: of (?:issue|publication|release))?\s*:|publication date\s*:?|"
    r"release date\s*:?|issue date\s*:?)\s*(?:on|:)?\s*$",
    re.I,
)
_UPDATE_LABEL = re.compile(r"updated|modified|revised", re.I)
# the date is the end (or start) of a period the text covers, not when it came out:
# "Coverage: 1-28 February 2025", "Reporting period: 1 Jan - 31 Mar 2025", "data as of 5 March 2025"
_PERIOD_WORDS = re.compile(
    r"\b(?:coverage|covering|covers|covered|period|as of|as at|from|between|since|until|till|through|"
    r"data|figures|week(?:s)? (?:of|ending)|month of|next (?:report|update|issue))\b",
    re.I,
)
_RANGE_BEFORE = re.compile(
    rf"(?:\d|\b{_MON}\.?)\s*(?:[-–—]|to|and|until|through)\s*(?:{_DAY}\s*)?$|\bfrom\s+$",
    re.I,
)
_SEG_SEP = re.compile(r"[|•·]|\s[-–—]{1,2}\s")
# strength of a publication-date candidate
BARE, UPDATED, LABELLED = 0, 1, 2


def _segment_before(s: str, pos: int) -> str:
    """The text between the last separator ("|", "•", " - ") before ``pos`` and ``pos``."""
    start = 0
    for m in _SEG_SEP.finditer(s, 0, pos):
        start = m.end()
    return s[start:pos]


def is_period_date(s: str, m: re.Match) -> bool:
    """The date at ``m`` in the line ``s`` bounds a covered period, not a publication."""
    before = _segment_before(s, m.start())
    return bool(_RANGE_BEFORE.search(s, 0, m.start()) or _PERIOD_WORDS.search(before))


def date_strength(s: str, m: re.Match) -> int:
    before = s[max(0, m.start() - 40):m.start()]
    lab = _LABEL_BEFORE.search(before)
    if not lab:
        return BARE
    return UPDATED if _UPDATE_LABEL.search(lab.group(0)) else LABELLED


def rank(iso: str, strength: int) -> tuple[int, int, int]:
    """Sort key of a publication-date candidate (larger is better): a full date beats a month or a
    year; then an explicit publish/issue label beats an update label, which beats a bare date."""
    p = precision(iso)
    return (int(p == 2), strength, p)


_TZ = re.compile(r"^(?:UTC|GMT|[A-Z]{1,4}T|Z)$")


def dateline_parts(line: str) -> tuple[str, str | None, str | None] | None:
    """For a short line that is mostly a date: (iso date, outlet or None, author or None).

    "November 13, 2025Clash Report", "Published 4 March 2024 | Markets desk",
    "Center for X | Analysis | 20 November 2025", "By Jane Doe | Outlet | 5 May 2024".
    """
    info = dateline_info(line)
    return info[:3] if info else None


def dateline_info(line: str) -> tuple[str, str | None, str | None, int] | None:
    """``dateline_parts`` plus the strength of the date (``BARE``, ``UPDATED``, ``LABELLED``).

    Dates that bound a covered period ("Coverage: 1-28 February 2025") are left out; of the others
    the best by ``rank`` is taken ("Coverage: ... | Issued 7 March 2025" -> 7 March)."""
    s = " ".join(line.split())
    if len(s.split()) > 16 or len(s) > 160:
        return None
    matches = [m for m in DATE_RE.finditer(s) if match_to_iso(m)]
    if not matches:
        return None
    usable = [m for m in matches if not is_period_date(s, m)]
    if not usable:
        return None
    scored = [(rank(match_to_iso(m), date_strength(s, m)), -i, m) for i, m in enumerate(usable)]
    best = max(scored, key=lambda x: x[:2])
    m = best[2]
    strength = best[0][1]
    iso = match_to_iso(m)
    rest = s
    for mm in reversed(matches):
        rest = rest[: mm.start()] + " | " + rest[mm.end():]
    rest = _TIME_RE.sub(" ", rest)
    # a date standing alone between separators ("... | 12 June 2025") is in a dateline position
    before, after = s[: m.start()].rstrip(), s[m.end():].strip()
    alone = (not before or before[-1] in "|•·/–—-") and (not after or after[0] in "|•·/–—-")
    has_label = strength > BARE or alone
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
        if not pw or p.lower() in _SECTION_WORDS or len(pw) > 6 or ":" in p or _TZ.match(p):
            continue
        if re.search(r"\b(ago|minutes?|hours?|read|min|period|reporting)\b", p, re.I) or _PERIOD_WORDS.search(p):
            continue
        if re.search(r"\d\s*[-–—]\s*\d", p):
            continue
        if all(w[:1].isupper() or w[:1].isdigit() or w in {"of", "the", "and", "&", "de", "du", "for", "on"} for w in pw):
            outlet = p
            break
    if outlet is None and words and not has_label:
        # unlabelled: everything besides the date must look like names or time words
        if not all(w[:1].isupper() or w.lower() in {"ago", "min", "read", "minute", "minutes", "hour", "hours"} for w in words):
            return None
    return iso, outlet, author, strength


# A note about where and when the text came out, standing before the story: "[Unofficial
# translation. Original published in a Lagos daily on 2 May 2024.]", "Translated from Arabic.
# Published by a Beirut daily, 5 April 2025. Translation: X." Every sentence of it must be such a
# note; a sentence of the story that mentions a publication ("A report published on ...") is not.
_NOTE_SENTENCE = re.compile(
    r"^\W{0,3}(?:(?:unofficial |machine |official |english |free )?translat\w*|translation\b|"
    r"(?:first |originally |original(?:ly)? |also )?(?:published|issued|posted|released|updated|appeared)\b|"
    r"this (?:article|story|report|piece|translation|text|update|summary) (?:was|is|has been|first)\b|"
    r"editor['’]?s note\b|note\b|source\b|(?:originally |first )?(?:appeared|ran) in\b|reproduced\b|republished\b)",
    re.I,
)
_NOTE_LABEL = re.compile(
    r"\b(?:published|issued|posted|released|appeared|ran|dated|updated|modified)\b(?P<gap>[^.!?|]{0,60}?)$", re.I
)
# words of reporting, not of a note ("... which said 12 staff had been hurt")
_STORY_WORDS = re.compile(r"\b(?:said|says|told|according|stated|added|found|showed|warned|killed|which|who)\b", re.I)
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\]\)”\"']?\s+(?=[\[\(“\"']?[A-Z])")


def publication_note(text: str) -> tuple[str, int] | None:
    """(iso date, strength) when ``text`` is a short note on the text's publication (see above)."""
    if len(text) > 400 or not _NOTE_SENTENCE.match(text):
        return None
    t = " ".join(text.split())
    if not t or len(t.split()) > 50:
        return None
    sentences = _SENT_SPLIT.split(t.strip("[]() "))
    if not all(_NOTE_SENTENCE.match(x) and len(x.split()) <= 20 for x in sentences) or _STORY_WORDS.search(t):
        return None
    best = None
    for m in DATE_RE.finditer(t):
        iso = match_to_iso(m)
        if not iso:
            continue
        lab = _NOTE_LABEL.search(t, max(0, m.start() - 70), m.start())
        if not lab or len(lab.group("gap").split()) > 8:
            continue
        strength = UPDATED if _UPDATE_LABEL.search(lab.group(0)) else LABELLED
        key = rank(iso, strength)
        if best is None or key > best[0]:
            best = (key, iso, strength)
    return (best[1], best[2]) if best else None


# a short line that only says when the text came out ("Last updated: 7 March 2025 10:40 GMT")
_PUB_LINE = re.compile(
    r"^\W{0,3}(?:(?:first |originally |last )?(?:published|issued|posted|updated|released|modified)|"
    r"date of (?:issue|publication)|publication date)\b",
    re.I,
)


def publication_line(line: str) -> tuple[str, int] | None:
    """(iso, strength) for a short line that starts with a publish/update label and holds a date."""
    if not _PUB_LINE.match(line):
        return None
    t = " ".join(line.split())
    if len(t.split()) > 12:
        return None
    info = dateline_info(t)
    if not info or info[3] == BARE:
        return None
    return info[0], info[3]


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
