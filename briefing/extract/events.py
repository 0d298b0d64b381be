"""Events extractor: dated happenings for the timeline.

Every calendar or relative date in a sentence ("in 2017", "September 2025", "on October 21",
"Thursday", "last week", "a year ago", "since early September", "earlier this year") becomes an
event, resolved against the publication date with its precision (day / month / year / vague), and
described by the clause around the date in the article's own words (about 15 words at most).

Not events: statistical periods ("the first half of 2025", "Q3", "last year" next to a count or a
share), dates inside quoted speech, photo-credit lines, datelines, birth years, and dates after the
publication date (forecasts such as "into 2026").
"""

from __future__ import annotations

import re

from ..model import EVENT, Fact
from . import common as C
from .numbers import find_numbers
from .periods import TimeMention, anchor_for, find_times
from .text import Context, lower_for_gates

MAX_WORDS = 15

_LEFT_WORDS = r"after|when|while|whereas|although|though|because|before|as|but|and\s+then|where"
_RIGHT_WORDS = r"which|who|that|whereas|while|but|although|though|because|where|as\s+well\s+as|including|citing"
_INTRO = re.compile(r"^(?:in|on|at|during)\s+(?:a|an|the|its|his|her|their)\s+(?:statement|interview|speech|"
                    r"press\s+conference|post|video|letter|report|briefing|message|televised|communiqu)", re.I)
_CREDIT = re.compile(r"(?:photo|image|picture)\s*(?:credit|:)|\b(?:REUTERS|AFP|Getty\s+Images|AP\s+Photo|"
                     r"Shutterstock)\b\s*/?", re.I)
_CREDIT_WORDS = ("photo", "image", "picture", "reuters", "afp", "getty", "shutterstock")  # one is in any match
_STATUS = re.compile(r"\b(?:as\s+of|as\s+at|updated|published|posted)\s+(?:on\s+)?$", re.I)
_BORN = re.compile(r"\b(?:born|founded\s+in\s+the\s+year)\s+(?:in\s+|on\s+)?$", re.I)
_PREP = r"(?:in|on|since|during|by|until|from|of|at|through|throughout|around|early|late|mid|earlier\s+in|later\s+in)"


def extract(ctx: Context) -> list[Fact]:
    text = ctx.source.text
    anchor = anchor_for(ctx.pub_date, text)
    facts: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for sent in ctx.sentences:
        low = lower_for_gates(sent.text)
        if any(w in low for w in _CREDIT_WORDS) and _CREDIT.search(sent.text):
            continue
        times = [t for t in find_times(text, anchor, sent.start, sent.end) if _is_event_time(t)]
        if not times:
            continue
        stat = any(n.category in ("count", "percent") and n.value is not None
                   for n in find_numbers(text, sent.start, sent.end))
        for t in times:
            if stat and t.form in ("relative",) and t.precision == "year":
                continue  # "last year"/"this year" next to a figure: a statistical period
            if C.in_quotes(text, t.start):
                continue
            before = text[max(sent.start, t.start - 25):t.start]
            if _STATUS.search(before) or _BORN.search(before):
                continue
            if anchor is not None and t.date and t.date > anchor.date.isoformat()[: len(t.date)]:
                continue  # after publication: a forecast, not an event
            desc, lo, hi = _describe(text, sent.start, sent.end, t, times)
            if desc is None:
                continue
            key = (t.date or "", desc.lower())
            if key in seen:
                continue
            seen.add(key)
            f = Fact(kind=EVENT, rule=f"events.{t.form}", date=t.date, date_precision=t.precision, text=desc)
            f.actor = _actor(text, lo, hi, sent.start, sent.end)
            w = C.where(text, lo, hi)
            if w.place:
                f.place = w.place
            if w.country:
                f.country = w.country
            f.period = t.period
            f.attrs["date_surface"] = t.surface
            if t.relative:
                f.attrs["relative"] = True
            if t.inferred:
                f.attrs["date_inferred"] = True
            ev_lo, ev_hi = min(lo, t.start), max(hi, t.end)
            f.evidence = [ctx.evidence(ev_lo, ev_hi)]
            facts.append(f)
    return facts


def _is_event_time(t: TimeMention) -> bool:
    if t.kind in ("same", "vague") or t.date is None:
        return False
    if t.form in ("half", "quarter", "months", "span"):
        return False
    return True


def _boundaries(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(left, right) clause boundaries in text[lo:hi] as (start, end) spans of the separator."""
    seg = text[lo:hi]
    punct = [(lo + m.start(), lo + m.end()) for m in re.finditer(r"\s*[,;:—–]\s+|\s+[-–—]\s+|\s*\(\s*(?=[a-z])|\)\s*", seg)]
    # parentheses around acronyms ("(JNIM)") are not boundaries
    punct = [(a, b) for a, b in punct if not re.fullmatch(r"\)\s*", text[a:b]) or
             not re.search(r"\([A-Z][\w&-]*$", text[max(lo, a - 12):a])]
    left = punct + [(lo + m.start(), lo + m.end()) for m in re.finditer(rf"\s+(?:{_LEFT_WORDS})\s+", seg)]
    right = punct + [(lo + m.start(), lo + m.end()) for m in re.finditer(rf"\s+(?:{_RIGHT_WORDS})\s+", seg)]
    return sorted(left), sorted(right)


_ACR_NAME = re.compile(
    r"(?:(?:[Aa]l[- ]Qaeda|Islamic\s+State|IS)[- ](?:linked|affiliated)\s+)?"
    r"(?:the\s+)?[A-Z][\w'’.-]*(?:[\s-]+(?:[A-Z][\w'’.-]*|al|wal|of|for|the|and|"
    r"de|du|des|el|wa))*\s*\(([A-Z][A-Z0-9&-]{1,9})\)"
)


def _shorten_names(s: str) -> str:
    """'the Group for the Support of Islam and Muslims (JNIM)' -> 'JNIM'."""
    return _ACR_NAME.sub(lambda m: m.group(1), s)


def _clean(text: str, lo: int, hi: int, times: list[TimeMention]) -> str:
    """Clause text with the date expressions (and their prepositions) removed."""
    inside = [t for t in times if t.start >= lo and t.end <= hi]
    # chains of dates joined by "and"/"or"/commas: "in 2020 and 2021"
    chains: list[list[TimeMention]] = []
    for t in inside:
        if chains and re.fullmatch(r"\s*(?:,|and|or|,\s*and|to|-|–|through)?\s*", text[chains[-1][-1].end:t.start]):
            chains[-1].append(t)
        else:
            chains.append([t])
    out = ""
    pos = lo
    for ch in chains:
        piece = text[pos:ch[0].start]
        attributive = re.match(r"\s+([a-z][\w-]*)", text[ch[-1].end:hi])
        if not (attributive and attributive.group(1) not in C.STOP):
            piece = re.sub(rf"(?:\b{_PREP}\s+(?:the\s+)?(?:(?:early|late|mid)[- ])?)$", "", piece, flags=re.I)
        out += piece
        pos = ch[-1].end
    out += text[pos:hi]
    out = _shorten_names(out)
    out = re.sub(r"\b(?:a|an|the)\s+(?=\b(?:a|an|the)\b)", "", out)
    out = re.sub(r"\s+([,.;:])", r"\1", out)
    out = re.sub(r"\s{2,}", " ", out).strip(" ,;:—–-.")
    out = re.sub(rf"^(?:{_LEFT_WORDS}|{_RIGHT_WORDS}|and|or|so|then|also)\s+", "", out, flags=re.I)
    out = re.sub(r"\s+(?:in|on|since|during|by|of|at|and|or|the|a|an)$", "", out, flags=re.I)
    return out.strip(" ,;:—–-.")


def _words(s: str) -> int:
    return len(s.split())


def _describe(text: str, slo: int, shi: int, t: TimeMention, times: list[TimeMention]
              ) -> tuple[str | None, int, int]:
    left, right = _boundaries(text, slo, shi)
    lefts = [b for b in left if b[1] <= t.start]
    rights = [b for b in right if b[0] >= t.end]
    lo = lefts[-1][1] if lefts else slo
    hi = rights[0][0] if rights else shi
    desc = _clean(text, lo, hi, times)

    # an introductory date phrase ("Last week, ...", "In a statement on Monday, ..."): the main clause
    intro = lo == slo and rights and re.match(r"\s*,", text[rights[0][0]:rights[0][1]])
    if intro and (_words(desc) <= 3 or _INTRO.match(desc)):
        nxt = [b for b in right if b[0] >= rights[0][1]]
        lo, hi = rights[0][1], (nxt[0][0] if nxt else shi)
        desc = _clean(text, lo, hi, times)
    # still too short: widen to the neighbouring clause(s); after "after"/"when"... look left first
    tries = 0
    while _words(desc) < 5 and tries < 3:
        tries += 1
        sep = next((text[a:b] for a, b in left if b == lo), "")
        prefer_left = lo > slo and (re.fullmatch(rf"\s+(?:{_LEFT_WORDS})\s+", sep) or
                                    re.match(r"[a-z]\w*(?:ed|ing)\b", desc))
        if prefer_left:
            prev = [b for b in left if b[1] < lo - 1]
            lo = prev[-1][1] if prev else slo
        elif rights and hi < shi:
            nxt = [b for b in right if b[0] > hi]
            hi = nxt[0][0] if nxt else shi
        elif lefts and lo > slo:
            prev = [b for b in left if b[1] < lo - 1]
            lo = prev[-1][1] if prev else slo
        else:
            break
        desc = _clean(text, lo, hi, times)
    # a relative clause ("which seized power in 2020") or a bare predicate ("was abducted in Niger"):
    # borrow the short subject that precedes it
    raw = text[lo:hi].lstrip(" ,")
    if lo > slo and re.match(r"(?:which|who|was|were|is|are|has|have|had|will)\b", raw):
        seps = [bd for bd in left if bd[1] <= lo]
        if re.match(r"(?:which|who)\b", raw):
            plo = max([bd[1] for bd in seps if bd[1] <= seps[-1][0]], default=slo)
            head = _clean(text, plo, seps[-1][0], times)
        else:  # the sentence's subject: its first clause
            first = [bd for bd in left if bd[0] > slo]
            head = _clean(text, slo, first[0][0], times) if first else ""
        if head and _words(head) <= 5 and not re.match(r"(?:[Ii]n|[Oo]n|[Ss]ince|[Aa]fter|[Ll]ast)\b", head):
            desc = f"{head} {desc}"
    if _words(desc) < 3 or not re.search(r"[a-z]", desc):
        return None, lo, hi
    if not _has_verb(desc):
        return None, lo, hi
    words = desc.split()
    if len(words) > MAX_WORDS:
        words = words[:MAX_WORDS]
        while words and words[-1].lower().strip(",") in C.STOP:
            words.pop()
        desc = " ".join(words).rstrip(",;:")
    return desc, lo, hi


_VERBISH = re.compile(
    r"\b(?:\w+ed|\w+en|\w+ing|is|are|was|were|has|have|had|did|does|do|will|would|began|begun|went|came|"
    r"took|made|met|fell|rose|led|left|held|struck|hit|shut|set|cut|put|won|lost|fought|sought|brought|"
    r"said|says|warned|won|quit|saw|became|began|withdrew|seized|overthrew|announces?|calls?|warns?|"
    r"launch(?:es)?|kills?|attacks?|signs?|orders?|urges?|formed|coups?|putsch(?:es)?|withdrawal|blockade|"
    r"ban|attack|election|elections|agreement|ceasefire|deal|visit|summit|strike|strikes|massacre|ambush)\b",
    re.I,
)


def _has_verb(desc: str) -> bool:
    return bool(_VERBISH.search(desc))


def _actor(text: str, lo: int, hi: int, slo: int, shi: int) -> str | None:
    acr = C.acronyms(text[lo:hi])
    if acr:
        return acr[0][1]
    # "The AU on Sunday called ...": the subject may sit just before the clause
    acr = C.acronyms(text[slo:lo])
    if acr and lo - (slo + acr[-1][0]) < 40:
        return acr[-1][1]
    return None
