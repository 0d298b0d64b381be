"""Formatting helpers for the compose stage: dialect escaping, numbers with hedges, dates, country
names and short fact descriptions.

Everything that turns fact-sheet data into dialect text returns :class:`MD` (text that is already
valid dialect: data escaped, markup intended). Plain ``str`` values reaching the template output are
escaped by the environment's ``finalize`` (see ``env.py``), so source text can never become markup.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from ..model import Fact, Period
from ..util import xml_safe

# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------

# Characters with a meaning somewhere in the dialect (inline or at the start of a line). Every one of
# them is backslash-escaped in data; the inline parser turns "\X" back into a literal X.
SPECIAL = "\\*_[](){}|#!:-<>@`~"
_ESC_RE = re.compile("([" + re.escape(SPECIAL) + "])")
_WS_RE = re.compile(r"\s+")


class MD(str):
    """Trusted dialect text (data already escaped). Plain str is escaped on output; MD is not."""

    __slots__ = ()


def escape(value: Any) -> MD:
    """Data -> dialect text that reads back as exactly that text (one line, XML-safe)."""
    if value is None:
        return MD("")
    if isinstance(value, MD):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = _WS_RE.sub(" ", xml_safe(str(value))).strip()
    return MD(_ESC_RE.sub(r"\\\1", s))


def md_join(parts: Iterable[Any], sep: str = "") -> MD:
    return MD(sep.join(escape(p) for p in parts))


def slug(*parts: Any, maxlen: int = 60) -> MD:
    """A stable, readable id fragment: ascii lowercase words joined by '-'."""
    words: list[str] = []
    for p in parts:
        if p is None or p == "":
            continue
        if isinstance(p, Period):
            p = p.label
        s = unicodedata.normalize("NFKD", str(p)).encode("ascii", "ignore").decode("ascii").lower()
        s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
        if s:
            words.append(s)
    out = "-".join(words)[:maxlen].strip("-")
    return MD(out)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]

# Hedge words per qualifier; the first is the default, others are taken from the article's surface.
HEDGES = {
    "approx": ["about", "around", "roughly", "approximately", "an estimated", "some"],
    "approx_below": ["close to", "nearly", "almost", "just under", "just below"],
    "at_least": ["at least", "no fewer than", "no less than"],
    "more_than": ["more than", "over", "upwards of", "in excess of"],
    "up_to": ["up to", "as many as"],
}


def fmt_number(v: float | int | None) -> str:
    if v is None:
        return ""
    v = float(v)
    if abs(v) >= 1_000_000:
        m = v / 1_000_000
        return (f"{m:.1f}".rstrip("0").rstrip(".")) + " million"
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def number_word(n: int, *, capital: bool = False) -> str:
    """'six' for small counts (as style guides want in prose), digits otherwise."""
    w = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else fmt_number(n)
    return w[:1].upper() + w[1:] if capital else w


def _with_unit(s: str, unit: str | None) -> str:
    if not unit:
        return s
    if unit in ("percent", "%", "per cent"):
        return f"{s}%"
    return f"{s} {unit}"


def _hedge(f: Fact) -> str:
    choices = HEDGES.get(f.qualifier or "", [])
    if not choices:
        return ""
    surf = (f.surface or "").lower()
    for h in choices:
        if re.search(rf"\b{re.escape(h)}\b", surf):
            return h
    return choices[0]


def num_text(f: Fact) -> str:
    """A fact's value as a reader should see it, hedge kept: '120', 'close to 20%', 'at least 4',
    'dozens', 'about 60 (derived)'. Plain text (not escaped)."""
    q = f.qualifier or "exact"
    if q == "range" and f.low is not None and f.high is not None:
        s = _with_unit(f"{fmt_number(f.low)}–{fmt_number(f.high)}", f.unit)
    elif f.value is None:
        if q == "vague" or f.surface:
            s = (f.surface or "an unspecified number").strip()
        elif f.low is not None:
            s = _with_unit(f"at least {fmt_number(f.low)}", f.unit)
        elif f.high is not None:
            s = _with_unit(f"up to {fmt_number(f.high)}", f.unit)
        else:
            s = "an unspecified number"
    else:
        s = _with_unit(fmt_number(f.value), f.unit)
        h = _hedge(f)
        if h:
            s = f"{h} {s}"
    if f.derived:
        s += " (derived)"
    return s


def num(f: Fact) -> MD:
    return escape(num_text(f))


def point(f: Fact) -> float | None:
    """A single number for comparisons (value, else the middle of the range, else the bound)."""
    if f.value is not None:
        return float(f.value)
    if f.low is not None and f.high is not None:
        return (f.low + f.high) / 2
    if f.low is not None:
        return float(f.low)
    return float(f.high) if f.high is not None else None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def date_text(iso: Any) -> str:
    """'2025-11-13' -> '13 November 2025'; '2025-09' -> 'September 2025'; '2025' -> '2025';
    '2025-11-13T14:05' -> '13 November 2025, 14:05'. Anything else is returned as given."""
    if iso is None:
        return ""
    s = str(iso).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?", s)
    if not m:
        return s
    y, mo, d, hh, mm, tz = m.groups()
    if mo and not 1 <= int(mo) <= 12:
        return s
    if d and mo:
        out = f"{int(d)} {MONTHS[int(mo) - 1]} {y}"
    elif mo:
        out = f"{MONTHS[int(mo) - 1]} {y}"
    else:
        out = y
    if hh and d:
        out += f", {hh}:{mm}" + (" UTC" if tz in ("Z", "+00:00", "+0000") else "")
    return out


def date(iso: Any) -> MD:
    return escape(date_text(iso))


def period_text(p: Any) -> str:
    if p is None:
        return ""
    if isinstance(p, Period):
        return p.label or p.surface or ""
    if isinstance(p, dict):
        return str(p.get("label") or p.get("surface") or "")
    return str(p)


def period(p: Any) -> MD:
    return escape(period_text(p))


def when_text(f: Fact) -> str:
    """The fact's time as a phrase without preposition: a period label or a formatted date."""
    if f.period is not None:
        return period_text(f.period)
    if f.date:
        return date_text(f.date)
    return ""


def in_when(f: Fact) -> str:
    w = when_text(f)
    if not w:
        return ""
    if f.period is None and f.date and len(f.date) == 10:
        return f" on {w}"
    return f" in {w}"


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------

# Short display names where ISO's official short name reads oddly in prose.
_DISPLAY = {
    "RU": "Russia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "PS": "Palestine",
    "VA": "Holy See",
    "BN": "Brunei",
    "FM": "Micronesia",
    "TR": "Türkiye",
}
# Names that take "the" in running text.
_THE = {"US", "GB", "NL", "PH", "BS", "GM", "CF", "CD", "CG", "DO", "AE", "KM", "MV", "MH", "SB", "SC", "VA"}


# Shorter labels where space is tight (chart axes).
_SHORT = {
    "RU": "Russia", "CD": "DR Congo", "CG": "Congo", "PS": "Palestine", "BN": "Brunei", "FM": "Micronesia",
    "EU": "European Union", "UN": "United Nations", "XK": "Kosovo", "US": "United States",
    "GB": "United Kingdom", "VA": "Vatican City", "SH": "Saint Helena",
}


def country_name(code: Any, short: bool = False) -> str:
    """ISO 3166-1 alpha-2 -> a readable English name ('GB' -> 'United Kingdom'); ``short``: the label
    a chart prints ('CD' -> 'DR Congo')."""
    if not code:
        return ""
    c = str(code).strip().upper()
    if c == "UK":
        c = "GB"
    if short and c in _SHORT:
        return _SHORT[c]
    if c in _DISPLAY:
        return _DISPLAY[c]
    try:
        import pycountry

        rec = pycountry.countries.get(alpha_2=c)
    except (ImportError, LookupError, KeyError):
        rec = None
    if rec is None:
        return str(code)
    name = getattr(rec, "common_name", None) or rec.name
    return name.split(",")[0].split(" (")[0].strip()


def country_in_text(code: Any) -> str:
    name = country_name(code)
    c = str(code or "").strip().upper()
    return f"the {name}" if c in _THE or (c == "UK") else name


def join_words(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def countries_text(codes: Iterable[Any]) -> str:
    seen: list[str] = []
    for c in codes or []:
        c = str(c).strip().upper()
        if c and c not in seen:
            seen.append(c)
    return join_words([country_in_text(c) for c in seen])


def countries(codes: Iterable[Any]) -> MD:
    return escape(countries_text(codes))


# --------------------------------------------------------------------------------------------
# Labels and short descriptions of facts (plain text; escape before output)
# --------------------------------------------------------------------------------------------

ACTION_LABELS = {
    "ordered_departure": "staff withdrawn / ordered departure",
    "leave_now": "nationals told to leave",
    "avoid_travel": "advises against travel",
    "other": "other advice",
}
STANCE_LABELS = {
    "government": "Government",
    "foreign_government": "Foreign government",
    "militant": "Armed group",
    "analyst": "Analyst",
    "international_org": "International organisation",
    "civil_society": "Civil society",
    "other": "Other",
}
ACTOR_TYPES = {
    "armed_group": "Armed group",
    "government": "Government",
    "military": "Military",
    "organisation": "Organisation",
    "person": "Person",
    "company": "Company",
}


def ucfirst(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def fact_label(f: Fact) -> str:
    """What a figure measures, for a key-figures row: 'GroupX attacks (Northtown)'."""
    what = (f.what or "").strip()
    if f.kind == "share":
        base = ucfirst(what or "share")
    elif f.kind == "casualties":
        victims = str(f.attrs.get("victims") or "").strip()
        base = ucfirst(f"{victims} {what}".strip() if victims and victims.lower() not in what.lower() else (what or "casualties"))
    elif f.kind == "kidnapping":
        victims = str(f.attrs.get("victims") or "people").strip()
        base = ucfirst(f"{victims} kidnapped")
    else:
        actor = (f.actor or "").strip()
        if actor and actor.lower() not in what.lower():
            base = f"{actor} {what}".strip() if what else actor
        else:
            base = ucfirst(what or f.kind)
    where = f.region or f.place
    if where and where.lower() not in base.lower():
        base += f" ({where})"
    return base


def describe_text(f: Fact) -> str:
    """One line about a fact, in the article's terms, without citation."""
    k = f.kind
    n = num_text(f)
    what = (f.what or "").strip()
    if k == "count":
        if f.value is None and re.search(r"\b(dozens|hundreds|thousands|scores|millions|tens)$", n):
            n += " of"
        s = f"{n} {what or 'incidents'}"
        if f.actor and f.actor.lower() not in what.lower():
            s += f" attributed to {f.actor}"
        if f.region:
            s += f" in {f.region}"
        elif f.place:
            s += f" in {f.place}"
        return s + in_when(f)
    if k == "share":
        s = ucfirst(what or "share")
        if f.region and f.region.lower() not in s.lower():
            s += f" in {f.region}"
        return s + f": {n}" + in_when(f)
    if k == "casualties":
        victims = str(f.attrs.get("victims") or "").strip()
        if what.lower() in ("killed", "wounded", "dead", "injured", "died"):
            s = f"{n} {victims or 'people'} {what.lower()}"
        else:
            s = f"{n} {what or 'casualties'}"
            if victims and victims.lower() not in what.lower():
                s += f" ({victims})"
        if f.actor and f.actor.lower() not in s.lower():
            s += f", attributed to {f.actor}"
        if f.place:
            s += f" in {f.place}"
        return s + in_when(f)
    if k == "kidnapping":
        victims = str(f.attrs.get("victims") or "people").strip()
        s = f"{n} {victims} kidnapped"
        if f.place:
            s += f" in {f.place}"
        elif f.country:
            s += f" in {country_name(f.country)}"
        s += in_when(f)
        rel = f.attrs.get("released")
        if rel is True:
            s += "; later released"
        elif rel is False:
            s += "; still held"
        return s
    if k == "quantity":
        return f"{ucfirst(what or 'amount')}: {n}"
    if k == "event":
        body = ucfirst((f.text or what or "").strip())  # a clause may start lower-case ("withdrawal of ...")
        w = date_text(f.date) if f.date else ""
        return f"{w}: {body}" if w else body
    if k == "advisory":
        s = f"{country_name(f.country)}: {ACTION_LABELS.get(f.action or 'other', f.action or '')}"
        return s + (f" ({date_text(f.date)})" if f.date else "")
    if k == "claim":
        who = f.speaker or "Unattributed"
        return f"{who}: “{(f.text or '').strip()}”"
    if k == "actor":
        return f.actor or f.text or ""
    if k == "place":
        return f.place + (f" ({country_name(f.country)})" if f.country else "") if f.place else ""
    return f.text or what or k


def describe(f: Fact) -> MD:
    return escape(ucfirst(describe_text(f)))
