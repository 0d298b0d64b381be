"""What the brief says, decided from the fact sheet: subject, themes, trends, bottom line, key
judgments, key figures and the summaries the template lays out.

All wording here is generic (no crisis, country or actor is named in code); every generated sentence
carries citation tokens for the facts it rests on.

Estimative language (key judgments) -- the fixed rule
-----------------------------------------------------
Terms are those of ICD 203, in order: almost no chance, very unlikely, unlikely, roughly even chance,
likely, very likely, almost certain. A judgment restates what the facts show; its likelihood comes
only from how well those facts are corroborated:

* independent lines of reporting behind the judgment (sources that are near-duplicates or share an
  originator count once): 1 -> likely, 2 -> very likely, 3 or more -> almost certain;
* any supporting fact in conflict with another source -> at most "roughly even chance";
* every supporting fact confirmed or corrected by the analyst (review file) -> one step up (cap:
  almost certain).

Confidence (low / moderate / high) is stated in a separate sentence and rests on the sourcing, not on
the likelihood: high = 3+ independent lines, no conflict, no derived or hedged input; moderate = 2+
lines, or 3+ with a derived/hedged input; low = one line of reporting, or any conflict, or an input
with extraction confidence below 0.6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Conflict, Fact, FactSheet, Figure, SourceInfo
from .fmt import (
    ACTION_LABELS,
    ACTOR_TYPES,
    MD,
    STANCE_LABELS,
    countries_text,
    country_name,
    date_text,
    describe_text,
    escape,
    fact_label,
    num_text,
    number_word,
    point,
    slug,
    ucfirst,
    when_text,
)

LIKELIHOOD_TERMS = (
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)
LOW_CONFIDENCE = 0.6  # extraction confidence below this is listed in the annex
CITE_SPANS = 4  # a citation prints in full when it is at most this many ranges or single numbers ...
CITE_SHOW = 3  # ... else this many numbers (one per independent line of reporting) "and N more"
ACTION_RANK = {a: i for i, a in enumerate(("ordered_departure", "leave_now", "avoid_travel", "other"))}
ANALYST_STATUSES = ("confirmed", "corrected", "manual")

# --------------------------------------------------------------------------------------------
# Themes: decided by keywords in the fact's own words (what, text, victims), never by names.
# --------------------------------------------------------------------------------------------

THEMES = (
    ("security", "Security"),
    ("economy", "Blockade and economy"),
    ("diplomatic", "Diplomatic posture and advisories"),
    ("humanitarian", "Humanitarian"),
)

_ECONOMY = re.compile(
    r"\b(fuel|petrol|diesel|gasoline|tanker|truck|lorr(?:y|ies)|convoy|trade|import|export|suppl(?:y|ies)|"
    r"price|inflation|road|route|highway|corridor|blockade|siege|market|shortage|economy|economic|transport|"
    r"shipment|cargo|goods|commerce|port|border crossing|electricity|power cut|currency|bank|customs|"
    r"container|freight|ship|berth|dock|harbou?r)\w*",
    re.I,
)
_HUMANITARIAN = re.compile(
    r"\b(aid|humanitarian|food|hunger|famine|malnutrition|displace\w*|refugee|idp|civilian|health|hospital|"
    r"clinic|school|cholera|epidemic|shelter|relief|water|sanitation|wfp|unicef|unhcr|ocha|msf|icrc|"
    r"medical|medicine|pharmac|vaccin|children)\w*",
    re.I,
)
_SECURITY = re.compile(
    r"\b(attack|kill|dead|death|ambush|strike|airstrike|clash|fight|coup|offensive|assault|raid|bomb|"
    r"militant|insurgen|jihad|armed|gunmen|kidnap|abduct|hostage|soldier|troop|army|military|security|"
    r"siege|seiz|captur|massacre|violence)\w*",
    re.I,
)


def fact_words(f: Fact) -> str:
    parts = [f.what, f.text, str(f.attrs.get("victims") or "")]
    return " ".join(p for p in parts if p)


def theme_of(f: Fact) -> str | None:
    """security | economy | humanitarian | diplomatic | None (timeline/annex only)."""
    if f.kind == "advisory":
        return "diplomatic"
    if f.kind in ("actor", "place", "claim"):
        return None
    words = fact_words(f)
    if f.kind == "count" and _GOV_COUNT.search(f.what or ""):
        return "diplomatic"  # "at least four governments urged ..." belongs with the advisories
    if _ECONOMY.search(words):
        return "economy"
    if _HUMANITARIAN.search(words):
        return "humanitarian"
    if f.kind in ("count", "share", "casualties", "kidnapping"):
        return "security"
    if f.kind == "event" and _SECURITY.search(words):
        return "security"
    return None


def figure_section(fig: Figure) -> str:
    """Where a chart goes, from its id and title."""
    s = f"{fig.id} {fig.title}".lower()
    if re.search(r"map|locator", s):
        return "overview"
    if re.search(r"advis", s):
        return "diplomatic"
    if re.search(r"timeline|event", s):
        return "timeline"
    if _ECONOMY.search(s):
        return "economy"
    if _HUMANITARIAN.search(s):
        return "humanitarian"
    return "security"


# --------------------------------------------------------------------------------------------
# Small records handed to the template
# --------------------------------------------------------------------------------------------


@dataclass
class Sentence:
    key: str  # stable id fragment ("trend-jnim-attacks")
    text: MD  # dialect text with citation tokens


@dataclass
class Trend:
    key: str
    older: Fact
    newer: Fact
    direction: str  # rose | fell | unchanged
    facts: list[Fact] = field(default_factory=list)


@dataclass
class AdvisoryRow:
    country: str
    name: str
    action: str
    action_label: str
    date: str
    facts: list[Fact]
    key: str


@dataclass
class Judgment:
    key: str
    lead: str  # "It is likely that"
    term: str
    statement: MD  # rest of the sentence, cited
    confidence: str  # low | moderate | high
    confidence_text: MD  # the separate confidence sentence, cited
    facts: list[Fact]


@dataclass
class KeyFigure:
    key: str
    label: str
    value: str
    period: str
    facts: list[Fact]


@dataclass
class ThemeSection:
    key: str
    title: str
    facts: list[Fact]  # every figure of the theme (the annex lists them)
    events: list[Fact]  # every event of the theme, chronological
    figures: list[Figure]
    top_facts: list[Fact] = field(default_factory=list)  # what the body shows (not already key figures)
    top_events: list[Fact] = field(default_factory=list)
    more_facts: int = 0  # figures of the theme the body leaves to the annex


# --------------------------------------------------------------------------------------------
# Lines of reporting
# --------------------------------------------------------------------------------------------


class Sourcing:
    def __init__(self, sheet: FactSheet):
        self.sheet = sheet
        self.by_id = {s.id: s for s in sheet.sources}
        self.group = {s.id: (s.group or s.duplicate_of or s.id) for s in sheet.sources}
        self.group_of_number = {s.number: self.group[s.id] for s in sheet.sources if s.number}
        self.printed: set[int] = set()  # every source number printed so far (the annex lists those)
        self.weights: dict[int, tuple] = {}  # id(fact) -> weight(fact) (the sheet outlives this object)

    def numbers(self, facts: Any) -> list[int]:
        nums: set[int] = set()
        for sid in self.source_ids(facts):
            s = self.by_id.get(sid)
            if s is not None and s.number:
                nums.add(s.number)
        return sorted(nums)

    def source_ids(self, facts: Any) -> list[str]:
        out: dict[str, None] = {}
        for f in _flatten(facts):
            if isinstance(f, Fact):
                ids = f.sources
            elif isinstance(f, SourceInfo):
                ids = [f.id]
            elif isinstance(f, str):
                ids = [f]
            else:
                ids = []
            for sid in ids:
                out[sid] = None
        return list(out)

    def lines(self, facts: Any) -> int:
        if isinstance(facts, list) and len(facts) == 1 and isinstance(facts[0], Fact):
            f = facts[0]
            n = len({self.group.get(e.source, e.source) for e in f.evidence})
            lor = f.attrs.get("lines_of_reporting")
            if isinstance(lor, int):
                n = max(1, min(n, lor)) if n else lor
            return n
        fl = [f for f in _flatten(facts) if isinstance(f, Fact)]
        groups = {self.group.get(sid, sid) for sid in self.source_ids(fl)}
        n = len(groups)
        if len(fl) == 1 and isinstance(fl[0].attrs.get("lines_of_reporting"), int):
            n = max(1, min(n, fl[0].attrs["lines_of_reporting"])) if n else fl[0].attrs["lines_of_reporting"]
        return n

    def cite(self, facts: Any) -> MD:
        """A citation token; compact at scale (see ``compact``)."""
        shown, more = self.compact(self.numbers(facts))
        self.printed.update(shown)
        return MD("[@" + ",".join(str(n) for n in shown) + (f"+{more}" if more else "") + "]")

    def compact(self, nums: list[int]) -> tuple[list[int], int]:
        """(numbers to print, how many more). All of them when they print as at most ``CITE_SPANS``
        ranges or singles; else the first source of each of the first ``CITE_SHOW`` independent lines
        of reporting (lowest numbers first), and a count of the rest."""
        if len(nums) <= CITE_SPANS:
            return nums, 0
        spans = 0
        for k, n in enumerate(nums):
            if k == 0 or n != nums[k - 1] + 1:
                spans += 1
        if spans <= CITE_SPANS:
            return nums, 0
        shown: list[int] = []
        seen: set[str] = set()
        for n in nums:
            g = self.group_of_number.get(n, str(n))
            if g in seen:
                continue
            seen.add(g)
            shown.append(n)
            if len(shown) == CITE_SHOW:
                break
        return shown, len(nums) - len(shown)


def _flatten(x: Any):
    if x is None:
        return
    if isinstance(x, (list, tuple, set)):
        for y in x:
            yield from _flatten(y)
    else:
        yield x


# --------------------------------------------------------------------------------------------
# Subject
# --------------------------------------------------------------------------------------------

_ALIASES = {
    "Britain": "GB", "Great Britain": "GB", "UK": "GB", "U.K.": "GB", "United Kingdom": "GB",
    "US": "US", "U.S.": "US", "USA": "US", "United States": "US", "America": "US",
    "Ivory Coast": "CI", "Russia": "RU", "Burma": "MM", "DRC": "CD", "DR Congo": "CD",
    "Democratic Republic of Congo": "CD", "Czech Republic": "CZ", "Turkey": "TR", "Cape Verde": "CV",
    "Swaziland": "SZ", "South Korea": "KR", "North Korea": "KP", "Vietnam": "VN", "Laos": "LA",
    "Syria": "SY", "Iran": "IR", "Palestine": "PS", "Gaza": "PS", "West Bank": "PS",
}
_NAME_RE: re.Pattern | None = None
_NAME_MAP: dict[str, str] = {}


def _country_regex() -> re.Pattern:
    global _NAME_RE
    if _NAME_RE is None:
        names = dict(_ALIASES)
        try:
            import pycountry

            for c in pycountry.countries:
                for n in (c.name, getattr(c, "common_name", None)):
                    if n:
                        names.setdefault(n, c.alpha_2)
                        short = n.split(",")[0].split(" (")[0].strip()
                        names.setdefault(short, c.alpha_2)
        except ImportError:  # pragma: no cover
            pass
        _NAME_MAP.update(names)
        alts = sorted(names, key=len, reverse=True)
        _NAME_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(a) for a in alts) + r")(?![\w])")
    return _NAME_RE


def country_mentions(text: str) -> list[str]:
    rx = _country_regex()
    return [_NAME_MAP[m.group(1)] for m in rx.finditer(text or "")]


def infer_subject(sheet: FactSheet) -> str | None:
    """ISO2 of the country the sources are mainly about, or None.

    Votes: each place fact's country (2), each casualty/kidnapping/event location (1), and each country
    name in source titles, regions and evidence quotes (1) -- except, in an advisory's quote, the
    issuing government, which is never the subject.
    """
    votes: dict[str, int] = {}

    def vote(code: str | None, w: int = 1) -> None:
        if code:
            code = code.upper()
            votes[code] = votes.get(code, 0) + w

    for s in sheet.sources:
        for c in country_mentions(s.title or ""):
            vote(c)
    for f in sheet.facts:
        if f.status == "rejected":
            continue
        if f.kind == "place":
            vote(f.country, 2)
        elif f.kind in ("casualties", "kidnapping", "event") and f.country:
            vote(f.country)
        for c in country_mentions(f.region or ""):
            vote(c)
        issuer = (f.country or "").upper() if f.kind == "advisory" else None
        seen_quotes = set()
        for e in f.evidence:
            if e.quote in seen_quotes:
                continue
            seen_quotes.add(e.quote)
            for c in country_mentions(e.quote):
                if c != issuer:
                    vote(c)
    if not votes:
        return None
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


# --------------------------------------------------------------------------------------------
# Grouping and selections
# --------------------------------------------------------------------------------------------


def _pkey(f: Fact) -> tuple:
    if f.period is not None:
        return (f.period.start or "", f.period.end or "", f.period.label)
    return (f.date or "", "", "")


def _gkey(f: Fact) -> tuple:
    return ((f.actor or "").lower(), (f.what or "").lower(), (f.region or "").lower(), (f.unit or ""))


def _live(sheet: FactSheet, kind: str) -> list[Fact]:
    return sheet.by_kind(kind)


def _span_days(f: Fact) -> int | None:
    from datetime import date as _d

    p = f.period
    if p is None or not p.start or not p.end:
        return None
    try:
        a = _d.fromisoformat(p.start[:10])
        b = _d.fromisoformat(p.end[:10])
    except ValueError:
        return None
    return (b - a).days + 1


def _shape(f: Fact) -> str:
    return re.sub(r"\d", "9", f.period.label if f.period else "")


def comparable(a: Fact, b: Fact) -> bool:
    """Two periods can be compared when they are about as long (a year with a year, a half-year
    with a half-year); without dates, when their labels have the same shape ('H1 2024', 'H1 2025')."""
    da, db = _span_days(a), _span_days(b)
    if da and db:
        return 0.8 <= da / db <= 1.25
    return _shape(a) == _shape(b) and bool(_shape(a))


def trends(facts: list[Fact]) -> list[Trend]:
    """Series of the same (actor, what, region, period length) over >= 2 periods: compare the last two."""
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        if f.period is None or point(f) is None:
            continue
        span = _span_days(f)
        length = round(span / 30) if span else _shape(f)
        groups.setdefault(_gkey(f) + (length,), []).append(f)
    out: list[Trend] = []
    for key, fs in groups.items():
        by_period: dict[tuple, Fact] = {}
        for f in sorted(fs, key=lambda f: (f.derived, f.status == "conflict")):
            by_period.setdefault(_pkey(f), f)
        if len(by_period) < 2:
            continue
        ordered = [by_period[k] for k in sorted(by_period)]
        older, newer = ordered[-2], ordered[-1]
        if not comparable(older, newer):
            continue
        a, b = point(older), point(newer)
        direction = "rose" if b > a else "fell" if b < a else "unchanged"
        out.append(Trend(slug(*key[:3]) or MD("series"), older, newer, direction, [older, newer]))
    out.sort(key=lambda t: (-(point(t.newer) or 0) if t.newer.unit != "percent" else 0, t.key))
    return out


_GOV_COUNT = re.compile(r"\b(government|countr|nation|state|embass)\w*", re.I)


def headline_counts(sheet: FactSheet) -> tuple[list[Trend], list[Fact]]:
    counts = [f for f in _live(sheet, "count") if not _GOV_COUNT.search(f.what or "")]
    return trends(counts), sorted(
        [f for f in counts if point(f) is not None and not f.derived],
        key=lambda f: (-(point(f) or 0), f.id),
    )


def advisory_rows(sheet: FactSheet) -> list[AdvisoryRow]:
    by_country: dict[str, list[Fact]] = {}
    for f in _live(sheet, "advisory"):
        if f.country:
            by_country.setdefault(f.country.upper(), []).append(f)
    rows = []
    for c, fs in by_country.items():
        fs = sorted(fs, key=lambda f: (ACTION_RANK.get(f.action or "other", 9), f.date or "", f.id))
        best = fs[0]
        dates = sorted(d for d in (f.date for f in fs) if d)
        rows.append(
            AdvisoryRow(
                country=c,
                name=country_name(c),
                action=best.action or "other",
                action_label=ACTION_LABELS.get(best.action or "other", best.action or ""),
                date=date_text(best.date or (dates[-1] if dates else "")),
                facts=fs,
                key=slug(c),
            )
        )
    rows.sort(key=lambda r: (ACTION_RANK.get(r.action, 9), r.name))
    return rows


def _cited(src: Sourcing, text: str, facts: Any) -> MD:
    return MD(f"{escape(text)} {src.cite(facts)}")


def bluf(sheet: FactSheet, src: Sourcing, adv: list[AdvisoryRow]) -> list[Sentence]:
    out: list[Sentence] = []
    tr, tops = headline_counts(sheet)
    # 1. the headline count, with its comparison when there is one
    if tr:
        t = tr[0]
        word = {"rose": "up from", "fell": "down from", "unchanged": "unchanged from"}[t.direction]
        text = MD(
            f"{escape('Sources report ' + describe_text(t.newer))} {src.cite(t.newer)}, "
            f"{escape(word + ' ' + num_text(t.older) + ' in ' + when_text(t.older))} {src.cite(t.older)}."
        )
        out.append(Sentence(f"count-{t.key}", text))
    elif tops:
        f = tops[0]
        out.append(Sentence(f"count-{slug(*_gkey(f)[:3])}", MD(f"{escape('Sources report ' + describe_text(f))} {src.cite(f)}.")))
    # 2. governments telling nationals to leave / withdrawing staff
    s = advisory_sentence(adv, src)
    if s is not None:
        out.append(s)
    # 3. a shift in shares, else the largest casualty or kidnapping figure
    shifts = trends(_live(sheet, "share"))
    if shifts and len(out) < 3:
        t = shifts[0]
        out.append(Sentence(f"shift-{t.key}", shift_text(t, src)))
    if len(out) < 3:
        others = [f for f in _live(sheet, "casualties") + _live(sheet, "kidnapping") if point(f) is not None]
        others.sort(key=lambda f: (-(point(f) or 0), f.id))
        if others:
            f = others[0]
            out.append(Sentence(f"{f.kind}-{slug(fact_label(f))}", MD(f"{escape('Sources report ' + describe_text(f))} {src.cite(f)}.")))
    return out[:3]


def shift_text(t: Trend, src: Sourcing) -> MD:
    f = t.newer
    what = (f.what or "share").strip()
    subj = f"The {what}" if what.lower().startswith("share") else ucfirst(what)
    if f.region and f.region.lower() not in what.lower():
        subj += f" in {f.region}"
    verb = {"rose": "rose", "fell": "fell", "unchanged": "was unchanged"}[t.direction]
    return MD(
        f"{escape(f'{subj} {verb} from {num_text(t.older)} in {when_text(t.older)}')} {src.cite(t.older)} "
        f"{escape(f'to {num_text(f)} in {when_text(f)}')} {src.cite(f)}."
    )


def advisory_sentence(adv: list[AdvisoryRow], src: Sourcing) -> Sentence | None:
    dep = [r for r in adv if r.action == "ordered_departure"]
    leave = [r for r in adv if r.action == "leave_now"]
    avoid = [r for r in adv if r.action == "avoid_travel"]
    n = len(dep) + len(leave)

    def facts(rows: list[AdvisoryRow]) -> list[Fact]:
        return [f for r in rows for f in r.facts]

    if n:
        if dep and leave:
            verb = "withdrawn embassy staff or told their nationals to leave"
        elif dep:
            verb = "withdrawn embassy staff"
        else:
            verb = "told their nationals to leave"
        if n == 1:
            text = f"{escape(ucfirst(countries_text([(dep + leave)[0].country])) + ' has ' + verb)} {src.cite(facts(dep + leave))}"
        else:
            text = escape(f"{number_word(n, capital=True)} governments have {verb}") + ": "
            if dep and leave:
                text += (
                    f"{escape(countries_text([r.country for r in dep]) + ' withdrew staff')} {src.cite(facts(dep))}, "
                    f"{escape('and ' + countries_text([r.country for r in leave]) + (' told its nationals to leave' if len(leave) == 1 else ' told their nationals to leave'))} "
                    f"{src.cite(facts(leave))}"
                )
            else:
                rows = dep or leave
                text += f"{escape(countries_text([r.country for r in rows]))} {src.cite(facts(rows))}"
        if avoid:
            adv_verb = " advises against travel" if len(avoid) == 1 else " advise against travel"
            text += f"; {escape(countries_text([r.country for r in avoid]) + adv_verb)} {src.cite(facts(avoid))}"
        return Sentence("advisories", MD(text + "."))
    if avoid:
        gov = "government advises" if len(avoid) == 1 else "governments advise"
        words = f"{number_word(len(avoid), capital=True)} {gov} against travel ({countries_text([r.country for r in avoid])})"
        return Sentence("advisories", MD(f"{escape(words)} {src.cite(facts(avoid))}."))
    return None


# --------------------------------------------------------------------------------------------
# Key judgments
# --------------------------------------------------------------------------------------------


def likelihood_index(facts: list[Fact], src: Sourcing) -> int:
    n = src.lines(facts)
    idx = {0: 3, 1: 4, 2: 5}.get(n, 6)
    if any(f.status == "conflict" for f in facts):
        idx = min(idx, 3)
    elif facts and all(f.status in ANALYST_STATUSES for f in facts):
        idx = min(idx + 1, 6)
    return idx


def confidence(facts: list[Fact], src: Sourcing) -> tuple[str, str]:
    n = src.lines(facts)
    conflict = any(f.status == "conflict" for f in facts)
    weak = [f for f in facts if f.confidence < LOW_CONFIDENCE]
    caveat = any(f.derived or (f.qualifier or "exact") not in ("exact",) for f in facts)
    lines = f"{number_word(n)} independent line{'s' if n != 1 else ''} of reporting"
    if n <= 1 or conflict or weak:
        why = [lines]
        if conflict:
            why.append("sources disagree on a figure")
        if weak:
            why.append("part of the extraction is uncertain")
        if any(f.derived for f in facts):
            why.append("one figure is derived from a comparison in the text")
        return "low", "; ".join(why)
    if n >= 3 and not caveat:
        return "high", lines
    why = [lines]
    if any(f.derived for f in facts):
        why.append("one figure is derived from a comparison in the text")
    elif caveat:
        why.append("figures are hedged in the sources")
    return "moderate", "; ".join(why)


def _lead(term: str) -> str:
    if term in ("roughly even chance", "almost no chance"):
        return f"There is {'a ' if term.startswith('roughly') else ''}{term} that"
    return f"It is {term} that"


def judgment(key: str, statement: MD, facts: list[Fact], src: Sourcing) -> Judgment:
    key = slug(key)
    term = LIKELIHOOD_TERMS[likelihood_index(facts, src)]
    level, why = confidence(facts, src)
    conf = MD(f"{escape(f'Confidence: {level} ({why}).')}")
    return Judgment(key, _lead(term), term, statement, level, conf, facts)


def key_judgments(sheet: FactSheet, src: Sourcing, adv: list[AdvisoryRow]) -> list[Judgment]:
    out: list[Judgment] = []
    tr, _ = headline_counts(sheet)
    for t in tr[:2]:
        f = t.newer
        what = (f.what or "incidents").strip()
        subj = what + (f" attributed to {f.actor}" if f.actor and f.actor.lower() not in what.lower() else "")
        if f.region:
            subj += f" in {f.region}"
        verb = {"rose": "increased", "fell": "decreased", "unchanged": "held steady"}[t.direction]
        st = MD(
            f"{escape(f'{subj} {verb} between {when_text(t.older)} and {when_text(f)}, from {num_text(t.older)} to {num_text(f)}')} "
            f"{src.cite(t.facts)}."
        )
        out.append(judgment(f"trend-{t.key}", st, t.facts, src))
    for t in trends(_live(sheet, "share"))[:1]:
        st = shift_text(t, src)
        st = MD(st[:1].lower() + st[1:]) if st.startswith("The ") else st
        out.append(judgment(f"shift-{t.key}", st, t.facts, src))
    moving = [r for r in adv if r.action in ("ordered_departure", "leave_now")]
    if moving:
        facts = [f for r in moving for f in r.facts if f.action in ("ordered_departure", "leave_now")]
        n = len(moving)
        who = "a foreign government is" if n == 1 else "foreign governments are"
        has = "has" if n == 1 else "have"
        words = f"{who} reducing their exposure: {countries_text([r.country for r in moving])} {has} withdrawn staff or told nationals to leave"
        out.append(judgment("advisories", MD(f"{escape(words)} {src.cite(facts)}."), facts, src))
    return out


# --------------------------------------------------------------------------------------------
# Key figures, timeline, actors, contested reporting
# --------------------------------------------------------------------------------------------

_KF_KINDS = ("count", "share", "casualties", "kidnapping")


def key_figures(sheet: FactSheet, adv: list[AdvisoryRow], limit: int = 10) -> list[KeyFigure]:
    """Counts, shares, casualties and kidnappings (not vague, not low-confidence, not counts of
    governments, which the advisories row covers): series with a trend first, then by size."""
    facts = [f for k in _KF_KINDS for f in _live(sheet, k)]
    facts = [
        f
        for f in facts
        if point(f) is not None
        and f.confidence >= LOW_CONFIDENCE
        and not (f.kind == "count" and _GOV_COUNT.search(f.what or ""))
    ]
    kind_rank = {k: i for i, k in enumerate(_KF_KINDS)}
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        groups.setdefault((f.kind, _gkey(f)), []).append(f)

    def gorder(item):
        (kind, gk), fs = item
        periods = {_pkey(f) for f in fs}
        return (0 if len(periods) >= 2 else 1, kind_rank[kind], -max(point(f) or 0 for f in fs), gk)

    rows: list[KeyFigure] = []
    for (_kind, _gk), fs in sorted(groups.items(), key=gorder):
        for f in sorted(fs, key=lambda f: (_pkey(f), f.derived, f.id)):
            value = num_text(f) + (" (disputed)" if f.status == "conflict" else "")
            rows.append(
                KeyFigure(
                    key=slug(fact_label(f), when_text(f)) + ("-derived" if f.derived else ""),
                    label=fact_label(f),
                    value=value,
                    period=when_text(f),
                    facts=[f],
                )
            )
    rows = rows[:limit]
    moving = [r for r in adv if r.action in ("ordered_departure", "leave_now")]
    if moving:
        rows.append(
            KeyFigure(
                key="governments-leave-or-withdraw",
                label="Governments that withdrew staff or told nationals to leave",
                value=str(len(moving)),
                period="to date",
                facts=[f for r in moving for f in r.facts if f.action in ("ordered_departure", "leave_now")],
            )
        )
    return rows


def timeline(sheet: FactSheet) -> tuple[list[Fact], list[Fact]]:
    """(dated events in chronological order, undated events)."""
    ev = _live(sheet, "event")
    dated = sorted([f for f in ev if f.date], key=lambda f: (f.date, (f.text or "").lower(), f.id))
    return dated, [f for f in ev if not f.date]


_ACTOR_ORDER = {k: i for i, k in enumerate(("armed_group", "government", "military", "organisation", "person", "company"))}


def actors(sheet: FactSheet) -> list[Fact]:
    return sorted(
        [f for f in _live(sheet, "actor") if f.actor or f.text],
        key=lambda f: (_ACTOR_ORDER.get(str(f.attrs.get("type") or ""), 9), (f.actor or f.text or "").lower()),
    )


def _norm_name(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", s.lower())


def aliases(f: Fact) -> list[str]:
    """Aliases without spelling variants of each other or of the name (apostrophes, hyphens, case)."""
    seen = {_norm_name(f.actor or f.text or "")}
    out = []
    for a in f.aliases:
        k = _norm_name(a)
        if k and k not in seen:
            seen.add(k)
            out.append(a.strip())
    return out


def quote_text(s: Any) -> str:
    """A quoted claim: trailing clause punctuation dropped, curly quotes around it."""
    t = re.sub(r"\s+", " ", str(s or "")).strip().strip("“”\"").strip()
    t = re.sub(r"[,;:]+$", "", t).strip()
    return f"“{t}”" if t else ""


def actor_type(f: Fact) -> str:
    t = str(f.attrs.get("type") or "")
    return ACTOR_TYPES.get(t, ucfirst(t.replace("_", " ")) if t else "")


_STANCE_ORDER = {k: i for i, k in enumerate(STANCE_LABELS)}


def claims(sheet: FactSheet, per_speaker: int = 1, limit: int | None = None) -> tuple[list[Fact], int]:
    """Attributed claims, officials first; at most ``per_speaker`` each and ``limit`` in all.
    Returns (shown, number left out)."""
    limit = BODY_LIMITS["claims"] if limit is None else limit
    allc = sorted(
        [f for f in _live(sheet, "claim") if f.text],
        key=lambda f: (_STANCE_ORDER.get(f.stance or "other", 9), (f.speaker or "").lower(), f.id),
    )
    if limit < len(allc):  # within a position, the most reported speakers first
        allc.sort(key=lambda f: (_STANCE_ORDER.get(f.stance or "other", 9), -len(f.sources)))
    shown: list[Fact] = []
    count: dict[str, int] = {}
    for f in allc:
        k = (f.speaker or "").lower()
        if count.get(k, 0) >= per_speaker or len(shown) >= limit:
            continue
        count[k] = count.get(k, 0) + 1
        shown.append(f)
    return shown, len(allc) - len(shown)


@dataclass
class ConflictView:
    conflict: Conflict
    facts: list[Fact]
    key: str


def conflicts(sheet: FactSheet) -> list[ConflictView]:
    by_id = {f.id: f for f in sheet.facts}
    out = []
    for c in sheet.conflicts:
        fs = [by_id[i] for i in c.fact_ids if i in by_id]
        if fs:
            out.append(ConflictView(c, fs, slug(c.what) or slug(c.id)))
    return out


ACCOUNTS_SHOWN = 4  # a disputed figure lists at most this many values, the rest as a range


def accounts(cv: ConflictView, src: Sourcing, limit: int = ACCOUNTS_SHOWN) -> MD:
    """'120 [@1] versus 150 [@2]' for a conflict: one entry per distinct value (its sources cited
    together); beyond ``limit`` values, the most reported ones and then "and N other values from X
    to Y" with their sources."""

    def one(f: Fact) -> str:
        return num_text(f) if f.kind in ("count", "share", "quantity") else describe_text(f)

    groups: dict[str, list[Fact]] = {}
    for f in cv.facts:
        groups.setdefault(one(f), []).append(f)
    if len(groups) <= limit:
        return MD(" versus ".join(f"{escape(k)} {src.cite(fs)}" for k, fs in groups.items()))
    ranked = sorted(groups.items(), key=lambda kv: (-src.lines(kv[1]), point(kv[1][0]) or 0, kv[0]))
    shown = ranked[: limit - 1]
    rest = ranked[limit - 1 :]
    vals = [v for _, fs in rest for v in (point(f) for f in fs) if v is not None]
    words = f"and {len(rest)} other values"
    if vals:
        unit = rest[0][1][0].unit
        lo, hi = min(vals), max(vals)
        def show(v: float) -> str:
            t = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
            return t + ("%" if unit == "percent" else "")
        words += f" from {show(lo)} to {show(hi)}"
    parts = [f"{escape(k)} {src.cite(fs)}" for k, fs in shown]
    return MD(" versus ".join(parts) + f", {escape(words)} {src.cite([f for _, fs in rest for f in fs])}")


def contrast_sentence(sheet: FactSheet, src: Sourcing, adv: list[AdvisoryRow]) -> MD | None:
    """Government statements against foreign governments' advisories, when both exist."""
    gov = [f for f in claims(sheet, per_speaker=99, limit=10_000)[0] if f.stance == "government"]
    moving = [r for r in adv if r.action in ("ordered_departure", "leave_now", "avoid_travel")]
    if not gov or not moving:
        return None
    speakers = sorted({f.speaker for f in gov if f.speaker})
    who = f"Government statements ({', '.join(speakers)})" if speakers else "Government statements"
    n = len(moving)
    many = n != 1
    others = (
        f"while {number_word(n)} foreign government{'s' if many else ''} {'advise' if many else 'advises'} "
        f"{'their' if many else 'its'} nationals to leave, withdraw staff or avoid travel"
    )
    return MD(f"{escape(who + ' set out the official position')} {src.cite(gov)}, {escape(others)} {src.cite([r.facts for r in moving])}.")


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


def source_summary(sheet: FactSheet) -> str:
    srcs = sheet.sources
    n = len(srcs)
    if not n:
        return "No sources."
    groups = {s.group or s.duplicate_of or s.id for s in srcs}
    outlets = {(s.outlet or "").strip().lower() for s in srcs if (s.outlet or "").strip()}
    dates = sorted(s.published for s in srcs if s.published)
    undated = n - len(dates)
    parts = [f"{n} source{'s' if n != 1 else ''}"]
    if outlets:
        parts[0] += f" from {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}"
    if dates:
        if dates[0] == dates[-1]:
            parts.append(f"dated {date_text(dates[0])}")
        else:
            parts.append(f"dated {date_text(dates[0])} to {date_text(dates[-1])}")
    text = ", ".join(parts)
    extra = []
    if undated:
        extra.append(f"{undated} undated")
    unknown = sum(1 for s in srcs if not (s.outlet or "").strip())
    if unknown and outlets:
        extra.append(f"{unknown} without a named outlet")
    if len(groups) < n:
        extra.append(f"{len(groups)} independent lines of reporting (near-duplicates counted once)")
    else:
        extra.append("no near-duplicates found")
    return text + ("; " + "; ".join(extra) if extra else "") + "."


def source_entry(s: SourceInfo, sheet: FactSheet) -> MD:
    """'[n] Outlet, “Title”, date. URL' (URL as a link)."""
    outlet = (s.outlet or s.author or "").strip()
    title = (s.title or "").strip()
    bits = [outlet] if outlet else []
    bits.append(f"“{title}”" if title else f"untitled ({s.path})")
    bits.append(date_text(s.published) if s.published else "undated")
    text = escape(f"[{s.number}] " + ", ".join(bits) + ".")
    if s.duplicate_of:
        dup = sheet.source(s.duplicate_of)
        if dup is not None:
            text = MD(text + " " + escape(f"(near-duplicate of [{dup.number}])"))
    if s.url:
        text = MD(text + " " + link(s.url, s.url))
    return MD(text)


_SAFE_URL = re.compile(r"^(https?://|mailto:)\S+$", re.I)


def link(text: Any, url: Any) -> MD:
    u = str(url or "").strip()
    if not _SAFE_URL.match(u):
        return escape(text)
    return MD(f"[{escape(text)}]({escape(u)})")


# --------------------------------------------------------------------------------------------
# What changed
# --------------------------------------------------------------------------------------------


@dataclass
class ChangeItem:
    key: str
    text: MD


def changes_view(changes: dict | None, sheet: FactSheet, src: Sourcing, max_items: int = 8) -> dict[str, list[ChangeItem]]:
    """Normalise the facts stage's edition diff into cited lines; {} when nothing changed. Long
    lists are cut at ``max_items`` with an "and N more" line."""
    if not changes:
        return {}
    facts = {f.id: f for f in sheet.facts}
    out: dict[str, list[ChangeItem]] = {}

    def item_for_fact(x: Any, prefix: str) -> ChangeItem | None:
        f = x if isinstance(x, Fact) else facts.get(str(x)) if isinstance(x, str) else None
        if f is None:
            return ChangeItem(f"{prefix}-{slug(str(x))}", escape(str(x))) if isinstance(x, str) and x else None
        return ChangeItem(f"{prefix}-{slug(f.id)}", MD(f"{escape(ucfirst(describe_text(f)))} {src.cite(f)}"))

    new_sources = []
    for x in changes.get("new_sources") or []:
        s = x if isinstance(x, SourceInfo) else sheet.source(str(x))
        if s is None:
            continue
        label = (s.outlet or "").strip()
        title = (s.title or "").strip()
        txt = ", ".join(p for p in (label, f"“{title}”" if title else s.path) if p)
        new_sources.append(ChangeItem(f"new-source-{slug(s.id)}", MD(f"{escape(txt)} {src.cite(s)}")))
    out["new_sources"] = new_sources
    out["new_facts"] = [i for i in (item_for_fact(x, "new-fact") for x in changes.get("new_facts") or []) if i]
    changed = []
    for c in changes.get("changed_facts") or []:
        if isinstance(c, dict):
            f = facts.get(str(c.get("id")))
            label = fact_label(f) if f is not None else str(c.get("id"))
            txt = f"{label}: {c.get('before') or 'none'} → {c.get('after') or 'none'}"
            changed.append(ChangeItem(f"changed-{slug(c.get('id') or label)}", MD(f"{escape(txt)} {src.cite(f) if f else ''}".rstrip())))
        else:
            i = item_for_fact(c, "changed")
            if i:
                changed.append(i)
    out["changed_facts"] = changed
    withdrawn = list(changes.get("withdrawn_facts") or [])
    out["withdrawn_facts"] = (
        [ChangeItem("withdrawn", escape(f"{len(withdrawn)} item{'s' if len(withdrawn) != 1 else ''} from the previous edition no longer reported"))]
        if withdrawn
        else []
    )
    removed = list(changes.get("removed_sources") or [])
    if removed:
        out["withdrawn_facts"].append(
            ChangeItem("removed-sources", escape(f"{len(removed)} source{'s' if len(removed) != 1 else ''} from the previous edition removed"))
        )
    adv = []
    adv_facts: dict[str, list[Fact]] = {}
    for f in sheet.by_kind("advisory"):
        adv_facts.setdefault((f.country or "").upper(), []).append(f)
    for c in changes.get("advisory_changes") or []:
        if not isinstance(c, dict):
            continue
        code = str(c.get("country") or "").upper()
        before = ACTION_LABELS.get(c.get("before") or "", c.get("before") or "none")
        after = ACTION_LABELS.get(c.get("after") or "", c.get("after") or "none")
        txt = f"{country_name(code)}: {before} → {after}"
        cite = src.cite(adv_facts.get(code, []))
        adv.append(ChangeItem(f"advisory-{slug(code)}", MD(f"{escape(txt)} {cite}")))
    out["advisory_changes"] = adv
    for key, noun in (("new_facts", "new item"), ("changed_facts", "changed item"), ("new_sources", "new source")):
        items = out[key]
        if len(items) > max_items:
            rest = len(items) - max_items
            out[key] = items[:max_items] + [ChangeItem(f"{key}-more", escape(f"… and {rest} more {noun}{'s' if rest != 1 else ''} (see the fact sheet)"))]
    if not any(out.values()):
        return {}
    return out


# --------------------------------------------------------------------------------------------
# Annex
# --------------------------------------------------------------------------------------------


def low_confidence(sheet: FactSheet) -> list[Fact]:
    return [f for f in sheet.facts if f.status != "rejected" and f.confidence < LOW_CONFIDENCE]


def rejected(sheet: FactSheet) -> list[Fact]:
    return [f for f in sheet.facts if f.status == "rejected"]


def sources_with_warnings(sheet: FactSheet) -> list[SourceInfo]:
    return [s for s in sheet.sources if s.warnings]


def theme_sections(
    sheet: FactSheet, figures: list[Figure], src: "Sourcing | None" = None, shown_elsewhere: set[str] | None = None
) -> list[ThemeSection]:
    """Thematic sections with every figure and event of the theme, and the body's selection: the
    ``BODY_LIMITS['theme_facts']`` most important figures not already shown elsewhere (key figures)
    and the ``BODY_LIMITS['theme_events']`` most important events (all are in the timeline)."""
    src = src or Sourcing(sheet)
    shown_elsewhere = shown_elsewhere or set()
    facts: dict[str, list[Fact]] = {k: [] for k, _ in THEMES}
    events: dict[str, list[Fact]] = {k: [] for k, _ in THEMES}
    kind_rank = {k: i for i, k in enumerate(("count", "share", "casualties", "kidnapping", "quantity"))}
    for f in sheet.facts:
        if f.status == "rejected" or f.kind in ("advisory",):
            continue
        if f.attrs.get("counts") == "advice_issuers":
            continue  # "at least four governments told their nationals to leave": the advisories table says it
        th = theme_of(f)
        if th is None:
            continue
        if f.kind == "event":
            events[th].append(f)
        elif f.kind in kind_rank:
            facts[th].append(f)
    figs: dict[str, list[Figure]] = {k: [] for k, _ in THEMES}
    for fig in figures:
        sec = figure_section(fig)
        if sec in figs:
            figs[sec].append(fig)
    out = []

    def show_order(f: Fact) -> tuple:
        return (kind_rank[f.kind], _gkey(f), _pkey(f), f.id)

    for key, title in THEMES:
        if key == "economy" and not any(re.search(r"\b(blockade|siege|blockad)", fact_words(f), re.I) for f in facts[key] + events[key]):
            title = "Economy and supply"  # "Blockade" only when the facts speak of one
        fs = sorted(facts[key], key=show_order)
        ev = sorted(events[key], key=lambda f: (f.date or "9999", f.id))
        rest = [f for f in fs if f.id not in shown_elsewhere or not f.id]
        if not rest and not ev and not figs[key]:
            rest = fs  # all in the key figures: repeat them rather than leave the section empty
        top_f = sorted(top(rest, src, BODY_LIMITS["theme_facts"]), key=show_order)
        top_e = top(ev, src, BODY_LIMITS["theme_events"], key=_event_key, recent=True)
        top_e.sort(key=lambda f: (f.date or "9999", f.id))
        out.append(ThemeSection(key, title, fs, ev, figs[key], top_f, top_e, len(rest) - len(top_f)))
    return out


# --------------------------------------------------------------------------------------------
# Summaries: the body shows the most important rows of each long list; the annex shows them all
# (up to ANNEX_LIMIT rows each; the fact sheet always has everything)
# --------------------------------------------------------------------------------------------

BODY_LIMITS = {
    "key_figures": 10,
    "theme_facts": 4,
    "theme_events": 2,
    "advisories": 15,
    "timeline": 5,
    "actors": 6,
    "claims": 4,
    "conflicts": 5,
    "sources": 30,  # more sources than this: the numbered list moves to an annex
}
ANNEX_LIMIT = 60
OVERVIEW_WIDTH = 0.62  # fraction of the text column for overview figures (the locator map)
_STATUS_RANK = {"confirmed": 0, "corrected": 0, "manual": 0, "corroborated": 1, "reported": 2, "conflict": 3}
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "vague": 3}


def weight(f: Fact, src: "Sourcing") -> tuple:
    """Sort key, most important first: more independent lines of reporting, analyst-confirmed or
    corroborated before single reports and disputed ones, more sources, reported before derived,
    surer extraction."""
    cache = src.weights
    w = cache.get(id(f))
    if w is None:
        w = cache[id(f)] = (-src.lines([f]), _STATUS_RANK.get(f.status, 2), -len(f.sources), f.derived, -f.confidence)
    return w


def _norm_text(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (s or "").lower()).strip()


def _event_key(f: Fact) -> str:
    return _norm_text(f.text or f.what)


def _fact_key(f: Fact) -> str:
    return _norm_text(describe_text(f))


def top(facts: list[Fact], src: "Sourcing", n: int, *, key=None, recent: bool = False) -> list[Fact]:
    """The ``n`` most important facts (``weight``; then, with ``recent``, more precise and newer dates
    first), one per ``key`` (default: the described fact), in order of importance."""
    key = key or _fact_key

    def order(f: Fact) -> tuple:
        w = weight(f, src)
        if recent:
            d = f.date or (f.period.end if f.period else "") or ""
            return w + (_PRECISION_RANK.get(f.date_precision or "", 3), _neg(d), f.id)
        return w + (f.id,)

    out: list[Fact] = []
    seen: set[str] = set()
    for f in sorted(facts, key=order):
        k = key(f)
        if k in seen:
            continue
        seen.add(k)
        out.append(f)
        if len(out) >= n:
            break
    return out


def _neg(s: str) -> tuple:
    """Sort key putting later ISO dates first."""
    return tuple(-ord(c) for c in s)


def dedupe(facts: list[Fact], src: "Sourcing", key) -> list[Fact]:
    """One fact per key (the most important), in the given order."""
    best: dict[str, Fact] = {}
    for f in facts:
        k = key(f)
        if k not in best or weight(f, src) < weight(best[k], src):
            best[k] = f
    keep = {id(f) for f in best.values()}
    return [f for f in facts if id(f) in keep]


def timeline_top(dated: list[Fact], src: "Sourcing", n: int | None = None) -> list[Fact]:
    """The body's timeline: the most reported, most precisely dated, most recent events, one per
    wording, in date order."""
    sel = top(dated, src, n or BODY_LIMITS["timeline"], key=_event_key, recent=True)
    return sorted(sel, key=lambda f: (f.date, (f.text or "").lower(), f.id))


_ACTOR_BODY_ORDER = {k: i for i, k in enumerate(("armed_group", "government", "military", "organisation", "company", "person"))}


def actors_top(actors_all: list[Fact], src: "Sourcing", n: int | None = None) -> list[Fact]:
    """The body's actors: groups, governments, forces and organisations before people; within a
    type, the most reported first; shown in the usual type-then-name order."""
    n = n or BODY_LIMITS["actors"]
    ranked = sorted(
        actors_all,
        key=lambda f: (_ACTOR_BODY_ORDER.get(str(f.attrs.get("type") or ""), 9), weight(f, src), (f.actor or f.text or "").lower()),
    )
    keep = {id(f) for f in ranked[:n]}
    return [f for f in actors_all if id(f) in keep]


def conflicts_top(views: list["ConflictView"], src: "Sourcing", n: int | None = None) -> list["ConflictView"]:
    """The body's disputed figures: those with the most sources behind them."""
    n = n or BODY_LIMITS["conflicts"]
    ranked = sorted(views, key=lambda v: (-src.lines(v.facts), -len(src.source_ids(v.facts)), v.key))
    keep = {id(v) for v in ranked[:n]}
    return [v for v in views if id(v) in keep]


def figure_rows(themes: list[ThemeSection], src: "Sourcing | None" = None, limit: int | None = None) -> list[tuple[str, Fact]]:
    """(theme title, fact) for every figure of every theme, for the annex; beyond ``limit``, the most
    important ones (in the same order)."""
    rows = [(t.title, f) for t in themes for f in t.facts]
    if limit is None or len(rows) <= limit or src is None:
        return rows
    keep = {id(f) for f in sorted((f for _, f in rows), key=lambda f: weight(f, src) + (f.id,))[:limit]}
    return [(t, f) for t, f in rows if id(f) in keep]


_NOTE_CITES = re.compile(r"\[\d+\](?:,\s*\[\d+\])+|\[\d+(?:,\s*\d+)+\]")


def compact_note(note: str, src: "Sourcing") -> str:
    """A chart's source note with its list of citations made compact ("[1], [2], [3], [9]" ->
    "[1–3, 9]"; hundreds -> "[1, 4, 9 and 240 more]")."""

    def repl(m: re.Match) -> str:
        nums = sorted({int(x) for x in re.findall(r"\d+", m.group(0))})
        shown, more = src.compact(nums)
        from ..model import Cite

        parts = [str(a) if a == b else f"{a}\u2013{b}" for a, b in Cite(shown).spans()]
        src.printed.update(shown)
        return "[" + ", ".join(parts) + (f" and {more} more" if more else "") + "]"

    return _NOTE_CITES.sub(repl, note or "")
