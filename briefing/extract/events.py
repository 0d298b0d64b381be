"""Events extractor: dated happenings for the timeline.

Every calendar or relative date in a sentence ("in 2017", "September 2025", "on October 21",
"Thursday", "last week", "a year ago", "since early September", "earlier this year") becomes an
event, resolved against the publication date with its precision (day / month / year / vague), and
described by the clause around the date in the article's own words (about 15 words at most).

Not events: statistical periods ("the first half of 2025", "Q3", "last year" next to a count or a
share), dates inside quoted speech, photo-credit lines, datelines, birth years, and dates after the
publication date (forecasts such as "into 2026"); schedules and deadlines ("due to begin on",
"until 30 June"), records ("the worst since 2019"), dates of statements ("said on Tuesday"),
statistics and comparisons ("fell to 900, down from 4,000"), dates qualifying a noun ("October's
attacks", "its 2025-26 season").

The description is a clause an analyst can print: a clause without its own subject borrows the one
it leans on ("X, which seized the town in 2020" -> "X seized the town"; "... and killed nine soldiers"
-> "<subject> killed nine soldiers"), an opening participle gets its subject ("Formed in 2012, the
movement ..." -> "the movement was formed"), attribution ("officials said") and dateline words are
dropped, a happening named by a noun phrase keeps that phrase ("the withdrawal of peacekeepers"),
and long clauses are cut at a boundary after their verb. The evidence is the source's own span.
"""

from __future__ import annotations

import re

from ..model import EVENT, Fact
from . import common as C
from .numbers import find_numbers
from .lexicon import INSTITUTION, NAME, find_countries
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
_PREP = r"(?:in|on|since|during|by|until|from|of|at|through|throughout|around|early|late|mid|earlier\s+in|later\s+in|between)"
# "at the end of", "since the beginning of", "in the run-up to": removed with the date they govern
_FRAME = r"(?:(?:at|since|from|by|until|in|during)\s+)?the\s+(?:end|beginning|start|middle|turn|close|run-up|lead-up)\s+(?:of|to)"
_SUPERLATIVE = (r"(?:worst|best|\w+iest|highest|lowest|largest|biggest|heaviest|greatest|longest|strongest|sharpest|"
                r"first|most\s+(?!of\b)\w+)")
# a wire dateline opening a paragraph: "BAMAKO, Nov 6 (Sahel Wire) -", "PORT-AU-PRINCE, Haiti, Oct. 16 --"
_DATELINE = re.compile(
    r"[A-Z][A-Z’'.\-]{2,}(?:\s+[A-Z][A-Z’'.\-]+)*(?:,\s*[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*){0,2})*"
    r"(?:,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})(?:,?\s+\d{4})?)?"
    r"\s*(?:\([^()\n]{1,40}\))?\s*(?:--?|—|–)\s+"
)
# a time that is a deadline or a schedule, not when something happened
_FUTURE_BEFORE = re.compile(r"\b(?:(?:due|scheduled|set|slated|planned|expected)(?:\s+to\s+\w+(?:\s+place)?)?|until|till|"
                            r"deadline)\s+(?:for\s+|on\s+|in\s+|by\s+|to\s+)?(?:the\s+)?(?:early\s+|late\s+|mid-?)?$", re.I)
# "the worst since 2019", "the first time since 2012": a record, not a happening in that year
_RECORD_BEFORE = re.compile(rf"\b(?:the|its|their)\s+{_SUPERLATIVE}\s+(?:[\w-]+\s+){{0,3}}?since\s+(?:early\s+|late\s+)?$",
                            re.I)
_SAY = (r"said|says|say|told|tells|added|adds|noted|notes|stated|states|reported|reports|wrote|writes|explained|"
        r"confirmed|confirms|according\s+to")
# "traders and industry officials said", "the health ministry said": an attribution, not a happening
# (say-verbs are matched in lower case: "the United States" is no "states")
_ATTRIBUTION_END = re.compile(rf"^(?:[\w’'\-]+\s+){{0,6}}?(?:{_SAY})(?:\s+\w+)?$")
_ATTRIBUTION_START = re.compile(rf"^(?:{_SAY})\b")
_STATEMENT_BEFORE = re.compile(rf"\b(?:{_SAY})(?:\s+(?:reporters|journalists|parliament|lawmakers|\w+\s+television))?"
                               rf"\s+(?:on\s+|in\s+|at\s+|late\s+|early\s+)?(?:the\s+)?$")
# "the humanitarian office said that more than 40,000 people had been displaced": the reported happening
_SAID_THAT = re.compile(rf"^(?:[\w’'.-]+\s+){{1,6}}?(?:{_SAY})\s+(?:that\s+)?(?!(?:it|they|he|she|we|this)\b)")
# statistics and comparisons are figures for a period, not happenings
_STAT = re.compile(
    r"\b(?:per\s*cent|percent|percentage|share|proportion|rate)\b|%|\b(?:up|down)\s+from\b|\bcompared\s+(?:with|to)\b|"
    r"\b(?:fell|rose|dropped|climbed|increased|decreased|declined|grew|jumped|slumped)\s+(?:to|by|from)\b|"
    r"\b(?:recorded|registered|counted|logged|tallied|shows?|showed|totall?ed|numbered|compiled)\s+"
    r"(?:(?:about|around|some|nearly|almost|more\s+than|at\s+least|over|just)\s+)?\d|"
    r"\b(?:figures?|toll|tally|average|total)\s+(?:was|were|is|stood|reached|rose|fell)\b|\bhighest\b|\blowest\b",
    re.I,
)
_PURPOSE = re.compile(r"^(?:as\s+|in\s+)?an?\s+(?:attempt|bid|effort|move|way)\s+to\b|"
                      rf"^(?:in\s+|among\s+)?(?:one\s+of\s+)?the\s+{_SUPERLATIVE}\b", re.I)  # "in the worst attack ..."
_ELLIPSIS = re.compile(r"^(?:as\s+)?(?:it|they|he|she|this|that|we)\s+(?:did|does|do|had|has|have|was|were|is|are)\b"
                       r"(?:\s+\w+){0,4}$", re.I)
_NOMINAL_LEAD = re.compile(r"^(?:following|after|before|amid|despite|since|with|upon|on)\s+", re.I)


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
        slo = sent.start
        if text[slo:slo + 1].isupper() and text[slo + 1:slo + 2].isupper():
            dl = _DATELINE.match(text, slo, sent.end)
            if dl:  # the dateline's date is the filing date, and its words are not the event's
                slo = dl.end()
                times = [t for t in times if t.start >= slo]
        stat = None
        for t in times:
            if t.form in ("relative",) and t.precision == "year":
                if stat is None:
                    stat = any(n.category in ("count", "percent") and n.value is not None
                               for n in find_numbers(text, sent.start, sent.end))
                if stat:
                    continue  # "last year"/"this year" next to a figure: a statistical period
            if C.in_quotes(text, t.start):
                continue
            before = text[max(sent.start, t.start - 25):t.start]
            if _STATUS.search(before) or _BORN.search(before):
                continue
            if _FUTURE_BEFORE.search(text[max(sent.start, t.start - 40):t.start]):
                continue  # "due to begin on 28 December", "matched until 30 June": not a happening
            if _RECORD_BEFORE.search(text[max(sent.start, t.start - 50):t.start]):
                continue
            if _STATEMENT_BEFORE.search(text[max(sent.start, t.start - 30):t.start]):
                continue  # "said on Saturday": when something was said, not when it happened
            if re.match(r"[-–/]\d{2,4}\b", text[t.end:t.end + 5]):
                continue  # "its 2025-26 season": a span naming something, not a date of a happening
            if text[t.end:t.end + 2] in ("’s", "'s"):
                continue  # "October's incidents": the date qualifies a noun
            if anchor is not None and t.date and t.date > anchor.date.isoformat()[: len(t.date)]:
                continue  # after publication: a forecast, not an event
            desc, lo, hi = _describe(text, slo, sent.end, t, times)
            if desc is None:
                continue
            key = (t.date or "", desc.lower())
            if key in seen:
                continue
            seen.add(key)
            f = Fact(kind=EVENT, rule=f"events.{t.form}", date=t.date, date_precision=t.precision, text=desc)
            f.actor = _actor(text, lo, hi, slo, sent.end, desc)
            w = C.where(text, lo, hi)
            if w.place and _is_place(text, w):
                f.place = w.place
            if w.country:
                f.country = w.country
            cm = find_countries(desc) + find_countries(text, lo, hi)
            if cm:
                f.attrs["countries"] = sorted({m.code for m in cm if m.kind != INSTITUTION})
                names = sorted({m.text for m in cm if m.kind == NAME})
                if names:
                    f.attrs["country_names"] = names
                if not f.attrs["countries"]:
                    del f.attrs["countries"]
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


_GROUP_AFTER = re.compile(r"\s+(?:coalition|gangs?|group|alliance|militias?|movement|forces|fighters|army|party|"
                          r"front|brigades?|network|federation|faction|rebels|militants)\b", re.I)


def _is_place(text: str, w: "C.Where") -> bool:
    """A name after "from"/"in" is not a place when it names a group ("gunmen from the X coalition")
    or an organisation the alias table knows."""
    pos = getattr(w, "place_start", None)
    if pos is not None and _GROUP_AFTER.match(text, pos + len(w.place)):
        return False
    if C.acronyms(w.place) and re.fullmatch(r"[A-Z0-9&-]{2,}", w.place):
        return False
    return True


def _is_event_time(t: TimeMention) -> bool:
    if t.kind in ("same", "vague") or t.date is None:
        return False
    if t.form in ("half", "quarter", "months", "span"):
        return False
    return True


_AND_VERB = (r"\s+and\s+(?=(?:has|have|had|was|were|is|are|then|later|also|subsequently|again)\b|"
             r"[a-z]+ed\s+(?!groups?\b|men\b|forces\b|people\b|civilians\b|persons\b|fighters\b|vehicles\b|"
             r"drones?\b|and\b|or\b)[a-z]|(?:took|led|left|held|struck|hit|shut|set|cut|won|lost|fought|sought|"
             r"brought|saw|became|began|withdrew|fled|went|came|sent|told|made|quit|overran|retook|rose|fell|kept)\b)")
_RELATIVE = r"that|which|who|whose"


_PUNCT_RX = re.compile(r"\s*[,;:—–]\s+|\s+[-–—]\s+")
_PAREN_RX = re.compile(r"\s*\(\s*([^()]*)\)\s*")
_ASIDE_RX = re.compile(rf"(?:{_LEFT_WORDS}|{_RIGHT_WORDS}|{_RELATIVE}|and|or|then|now|later|since|formerly)\b")
_LEFT_RX = re.compile(rf"\s+(?:{_LEFT_WORDS}|{_RELATIVE})\s+|{_AND_VERB}|"
                      r"\s+since\s+(?=(?:the|a|an|its|their|his|her)\s+(?:[\w’'-]+\s+){0,3}?(?:began|started|took|[a-z]+ed)\b)")
_RIGHT_RX = re.compile(rf"\s+(?:{_RIGHT_WORDS})\s+|{_AND_VERB}")


_NAME_LIST = re.compile(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*(?:,\s+[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)*,?\s+(?:and|or)\s+[A-Z]")


def _name_list(text: str, a: int, b: int) -> bool:
    """"Mali, Niger and Burkina Faso": the comma joins names in a list, it ends no clause."""
    before = text[max(0, a - 30):a].split()
    return bool(before) and before[-1][:1].isupper() and bool(_NAME_LIST.match(text, b))


def _boundaries(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(left, right) clause boundaries in text[lo:hi] as (start, end) spans of the separator."""
    seg = text[lo:hi]
    punct = [(lo + m.start(), lo + m.end()) for m in _PUNCT_RX.finditer(seg)
             if not (m.group(0).strip() == "," and _name_list(text, lo + m.start(), lo + m.end()))]
    # a parenthesis is a boundary when it holds an aside ("(which ...)"), not a name or a gloss
    # ("(JNIM)", "(Italy's foreign ministry)")
    for m in _PAREN_RX.finditer(seg) if "(" in seg else ():
        if _ASIDE_RX.match(m.group(1)):
            a, b = lo + m.start(), lo + m.end()
            punct += [(a, lo + m.start(1)), (lo + m.end(1), b)]
    left = punct + [(lo + m.start(), lo + m.end())
                    for m in _LEFT_RX.finditer(seg)
                    if not _complementiser(text, lo + m.start(), m.group(0))]
    right = punct + [(lo + m.start(), lo + m.end()) for m in _RIGHT_RX.finditer(seg)
                     if not _complementiser(text, lo + m.start(), m.group(0))]
    return sorted(left), sorted(right)


_SAYLIKE = re.compile(r"(?:said|says|say|told|tells|announced|announces|warned|warns|declared|claimed|added|noted|"
                      r"stated|reported|insisted|argued|confirmed|denied|threatened|pledged|vowed|promised|believe[ds]?|"
                      r"think|thinks|thought|hoped|feared|ensure[ds]?|so|such|now|given)$", re.I)


def _complementiser(text: str, pos: int, sep: str) -> bool:
    """"announced that ...", "so that ...": "that" opens what was said, not a relative clause."""
    if sep.strip().lower() != "that":
        return False
    before = text[max(0, pos - 60):pos].split()
    for w in reversed(before[-5:]):
        if _SAYLIKE.search(w.strip(",")):
            return True
        if not re.fullmatch(r"(?:in|on|at|early|late|mid|last|this|the|week|month|year|\d[\d,]*|[A-Z][a-z]+\.?),?", w):
            return False
    return False


_ACR_NAME = re.compile(
    r"(?:(?:[Aa]l[- ]Qaeda|Islamic\s+State|IS)[- ](?:linked|affiliated)\s+)?"
    r"(?:the\s+)?[A-Z][\w'’.-]*(?:[\s-]+(?:[A-Z][\w'’.-]*|al|wal|of|for|the|and|&|"
    r"de|du|des|el|wa))*\s*\(([A-Z][A-Z0-9&-]{1,9})\)"
)


def _shorten_names(s: str) -> str:
    """'the Group for the Support of Islam and Muslims (JNIM)' -> 'JNIM'."""
    return _ACR_NAME.sub(lambda m: m.group(1), s)


# a word after a date that makes the date attributive ("the 2020 coup", "in 2021 elections")
_NOT_ATTRIBUTIVE = {"alone", "only", "onwards", "onward", "ago", "before", "after", "last", "next", "later",
                    "earlier", "again", "itself", "too", "respectively"}


def _attributive(word: str) -> bool:
    w = word.lower()
    return not (w in C.STOP or w in C.AUX or w in _NOT_ATTRIBUTIVE or w.endswith(("ed", "ly")) or w in _IRREGULAR)


_DATELINE_LEFT = re.compile(r"^\s*\([^()]{1,40}\)\s*(?:--?|—|–)\s*")
_ASIDE = re.compile(r"\s*\((?![A-Z][A-Z0-9&-]{1,9}\))[^()]{1,80}\)")
_DOUBLE_DET = re.compile(r"\b(?:a|an|the)\s+(?=\b(?:a|an|the)\b)")
_SPACE_PUNCT = re.compile(r"\s+([,.;:])")
_SPACES = re.compile(r"\s{2,}")
_CHAIN_GAP = re.compile(r"\s*(?:,|and|or|,\s*and|to|-|–|through)?\s*")
_NEXT_WORD = re.compile(r"\s+([a-z][\w-]*)")
_DET_END = re.compile(r"\b(?:the|a|an|its|their|his|her|this|that)\s+$", re.I)
_PREP_TAIL = re.compile(rf"(?:\bbetween\s+\d{{1,2}}(?:st|nd|rd|th)?\s+(?:and|to)\s+|\b{_FRAME}\s+|\b{_PREP}\s+(?:the\s+)?(?:(?:early|late|mid)[- ])?)$", re.I)
_LEAD_JOINER = re.compile(rf"^(?:{_LEFT_WORDS}|{_RIGHT_WORDS}|and|or|so|then|also)\s+", re.I)
_TAIL_JOINER = re.compile(r"\s+(?:in|on|since|during|by|of|at|and|or|the|a|an|between|from|to|over)$", re.I)


def _clean(text: str, lo: int, hi: int, times: list[TimeMention]) -> str:
    """Clause text with the date expressions (and their prepositions) removed."""
    inside = [t for t in times if t.start >= lo and t.end <= hi]
    # chains of dates joined by "and"/"or"/commas: "in 2020 and 2021"
    chains: list[list[TimeMention]] = []
    for t in inside:
        if chains and _CHAIN_GAP.fullmatch(text, chains[-1][-1].end, t.start):
            chains[-1].append(t)
        else:
            chains.append([t])
    out = ""
    pos = lo
    for ch in chains:
        piece = text[pos:ch[0].start]
        attributive = _NEXT_WORD.match(text, ch[-1].end, hi)
        # "after the 2020 coup" keeps its words; "groups in September continue" loses "in"
        if not (attributive and _attributive(attributive.group(1)) and _DET_END.search(piece)):
            piece = _PREP_TAIL.sub("", piece)
        out += piece
        pos = ch[-1].end
    out += text[pos:hi]
    out = _shorten_names(out)
    if "(" in out:
        out = _DATELINE_LEFT.sub("", out)  # what is left of a dateline
        out = _ASIDE.sub("", out)  # asides: "(about 7,000 people)"
    out = _DOUBLE_DET.sub("", out)
    out = _SPACE_PUNCT.sub(r"\1", out)
    out = _SPACES.sub(" ", out).strip(" ,;:—–-.")
    out = _LEAD_JOINER.sub("", out)
    for _ in range(2):
        out = _TAIL_JOINER.sub("", out)
    return out.strip(" ,;:—–-.")


def _words(s: str) -> int:
    return len(s.split())


_IRREGULAR = frozenset("""took led left held struck hit shut set cut won lost fought sought brought saw became began
withdrew fled went came sent told made quit overran retook rose fell kept met stole drove flew gave rode spoke swore
threw tore wrote broke chose froze hid undertook overtook forbade bought""".split())
_AUXW = frozenset("was were is are has have had will would did does can could may might been".split())
_DETS = frozenset("the a an its their his her this these those our".split())
_PREPS = frozenset("""in on at by for from to with of into onto over under after before since during while when as
than near against about between among amid across through via per without within""".split())


def _starts_with_verb(raw: str) -> bool:
    m = re.match(r"(?:(?:also|later|then|subsequently|reportedly|allegedly)\s+)?([a-z][\w’'-]*)", raw)
    if not m:
        return False
    w = m.group(1)
    return w in _AUXW or w in _IRREGULAR or (w.endswith("ed") and len(w) > 4) or w == "whose"


def _head_np(text: str, lo: int, pos: int) -> str | None:
    """The noun phrase ending at ``pos`` (before a relative pronoun, a comma or "and"): "the blockade",
    "The Malian army", "the French energy company TotalEnergies"."""
    seg = text[lo:pos].rstrip(" ,")
    acr = re.search(r"\(([A-Z][A-Z0-9&-]{1,9})\)$", seg)
    if acr:
        return acr.group(1)  # "the Group for ... (JNIM)": the group's short name
    toks = seg.split()
    out: list[str] = []
    for tok in reversed(toks):
        w = tok.strip("“”\"(),")
        wl = w.lower()
        if not w or len(out) >= 5:
            break
        if wl in _DETS or re.fullmatch(r"[A-Z][\w’'.-]*[’']s", w):
            out.append(w)
            break
        if wl in ("of", "from", "for") and out and out[-1][:1].isupper() and not tok.endswith(","):
            out.append(w)  # "a delegation from Türkiye", "the Ministry of Defence"
            continue
        if wl in _PREPS or wl in _AUXW or wl in _IRREGULAR or wl in C.STOP or (
                wl.endswith("ed") and not w[0].isupper() and "-" not in wl and len(out) > 0 and wl not in ("armed",)):
            break
        if tok.endswith(",") and out:
            break
        out.append(w)
    if not out:
        return None
    head = " ".join(reversed(out))
    if not (head[0].isupper() or out[-1].lower() in _DETS or "’s" in out[-1] or "'s" in out[-1]):
        return None
    return head


_LEAD_NP = re.compile(r"\s*((?:[\w’'.&-]+\s+){0,5}?)(?=(?:also\s+|later\s+|reportedly\s+|then\s+)?"
                      r"(?:has|have|had|was|were|is|are|will|would|did|[a-z]+ed|" + "|".join(sorted(_IRREGULAR)) + r")\b)")


def _lead_np(text: str, lo: int, hi: int) -> str | None:
    """The subject at the start of text[lo:hi]: the words before its first verb (at most five)."""
    m = _LEAD_NP.match(text, lo, hi)
    if not m:
        return None
    head = m.group(1).strip()
    if not head or "," in head or not (head[0].isupper()) or head.split()[0].lower() in C.STOP - _DETS:
        return None
    return head


def _subject_for(text: str, slo: int, lo: int, left: list[tuple[int, int]], depth: int = 0) -> str | None:
    """Who does the clause starting at ``lo`` (with no subject of its own) talk about?"""
    seps = [b for b in left if b[1] == lo]
    if not seps or depth > 2:
        return None
    a, _b = seps[0]
    sep = text[a:lo].strip(" ,").lower()
    last = sep.split()[-1] if sep.split() else ""
    if last in ("which", "who", "that", "whose"):
        return _head_np(text, slo, a)
    if last == "and":
        prev = [b for b in left if b[1] <= a]
        plo = prev[-1][1] if prev else slo
        raw = text[plo:a]
        if _starts_with_verb(raw.lstrip()):
            return _subject_for(text, slo, plo, left, depth + 1)
        cut = max(text.rfind(";", slo, a), text.rfind(":", slo, a))
        return _lead_np(text, plo, a) or _lead_np(text, cut + 1 if cut >= 0 else slo, a)
    if sep in ("", ",", ";", ":", "—", "–", "-"):
        # "X, itself short of fuel, banned ...": the subject opening the sentence (or its last ";" part)
        cut = max(text.rfind(";", slo, a), text.rfind(":", slo, a))
        start = cut + 1 if cut >= 0 else slo
        head = _lead_np_before_comma(text, start, a)
        if head:
            return head
        # "the blockade, announced in September, ...": a participle after a noun phrase
        if re.match(r"\s*[a-z]+ed\b", text[lo:lo + 30]) and not re.match(r"\s*(?:has|have|had|was|were)\b", text[lo:]):
            return _head_np(text, slo, a)
        return None
    return None


def _lead_np_before_comma(text: str, lo: int, hi: int) -> str | None:
    """"Niger, itself short of fuel," -> "Niger": a short subject followed by an aside."""
    m = re.match(r"\s*([A-Z][\w’'.&-]*(?:\s+[\w’'.&-]+(?:,\d{3})*){0,6}?),\s", text[lo:hi])
    if not m:
        return None
    head = m.group(1)
    if head.split()[0] in ("In", "On", "At", "Since", "After", "Before", "During", "Last", "Earlier", "But", "And",
                           "However", "Meanwhile", "Following", "Despite", "Amid", "As", "While", "When", "Once", "Until", "By"):
        return None
    if any(w.lower() in _AUXW or w.lower() in _IRREGULAR or w.lower().endswith("ed") for w in head.split()[1:]):
        return None
    return head


_CUT_CLAUSE = {"when", "after", "as", "while", "which", "who", "that", "because", "including", "but", "and",
               "where", "before", "amid", "despite", "although", "though", "citing"}
_CUT_PHRASE = {"in", "on", "at", "near", "from", "to", "for", "with", "over", "under", "across", "into", "along",
               "during", "by", "of", "through", "against"}


def _truncate(desc: str) -> str:
    words = desc.split()
    if len(words) <= MAX_WORDS:
        return desc
    if len(words) > MAX_WORDS:
        # "an attack on the town of X" -> "an attack on X"
        desc = re.sub(r"\bthe\s+(?:town|city|village|district|commune|locality)\s+of\s+(?=[A-Z])", "", desc)
        words = desc.split()
        if len(words) <= MAX_WORDS:
            return desc
    v = _first_verb_word(desc)
    low = [w.lower().strip(",") for w in words]
    span = [k for k in range(max(6, v + 2), MAX_WORDS + 1) if k < len(words)]
    # a clause boundary first ("..., after officials accused ..."), unless "and" only joins two verbs
    ks = [k for k in span if low[k] in _CUT_CLAUSE and not (
        low[k] in ("and", "but") and k + 1 < len(low) and re.fullmatch(r"[a-z]+(?:ing|ed)", low[k + 1]))]
    ks = ks or [k for k in span if low[k] in _CUT_PHRASE]
    words = words[:ks[-1]] if ks else words[:MAX_WORDS]
    while words and (words[-1].lower().strip(",") in C.STOP or re.fullmatch(r"[\d,.]+|least|than|some", words[-1])):
        words.pop()
    return " ".join(words).rstrip(",;:")


def _verbless_part(text: str, lo: int, hi: int, t: TimeMention) -> tuple[int, int]:
    """Of a clause without a verb ("its break with France and the withdrawal of UN peacekeepers in 2023"),
    the conjunct that holds the date; a leading "following"/"after" is dropped."""
    seg = text[lo:hi]
    m = _NOMINAL_LEAD.match(seg.lstrip())
    if m:
        lo += len(seg) - len(seg.lstrip()) + m.end()
    for m in re.finditer(r"\s+and\s+", text[lo:hi]):
        a, b = lo + m.start(), lo + m.end()
        if b <= t.start:
            lo = b
        elif a >= t.end:
            hi = a
            break
    return lo, hi


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
    elif intro and re.match(r"[A-Z][a-z]+ed\b", desc):
        # "Formed in 2017 from five groups, the movement ...": the participle describes the subject after it
        subj = _lead_np(text, rights[0][1], shi)
        if not subj:
            m = re.match(r"\s*((?:the|a|an)\s+[a-z][\w-]*|[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3})\b", text[rights[0][1]:shi])
            subj = m.group(1) if m else None
        if subj and _words(subj) <= 4:
            desc = f"{subj} was {desc[0].lower()}{desc[1:]}"
    desc, borrowed = _borrow(text, slo, lo, hi, left, desc)
    relative = _sep_word(text, left, lo) in ("which", "that", "who")
    if not borrowed and relative and _words(desc) < 5:
        # "the blockade that the group declared in September": the clause, then what it is about
        a = next(a for a, b in left if b == lo)
        head = _head_np(text, slo, a)
        if not head or not head[:1].islower() or re.match(r"(?:this|that|last|next)\s+(?:year|month|week)", head):
            return None, lo, hi
        desc, borrowed = f"{desc} {head}", True
    # still too short: widen to the neighbouring clause(s); after "after"/"when"... look left first
    tries = 0
    while not borrowed and _words(desc) < 5 and tries < 3:
        tries += 1
        sep = next((text[a:b] for a, b in left if b == lo), "")
        prefer_left = lo > slo and (re.fullmatch(rf"\s+(?:{_LEFT_WORDS})\s+", sep) or
                                    re.match(r"[a-z]\w*(?:ed|ing)\b", desc))
        if prefer_left:
            prev = [b for b in left if b[1] < lo - 1]
            new_lo = prev[-1][1] if prev else slo
            if _words(_clean(text, new_lo, hi, times)) > MAX_WORDS:
                # too long to print: stop at the last name of a list ("..., Niger and Burkina Faso quit")
                commas = [m.end() for m in _PUNCT_RX.finditer(text, new_lo, lo - 1) if m.group(0).strip() == ","]
                new_lo = commas[-1] if commas else new_lo
            lo = new_lo
        elif rights and hi < shi:
            nxt = [b for b in right if b[0] > hi]
            hi = nxt[0][0] if nxt else shi
        elif lefts and lo > slo:
            prev = [b for b in left if b[1] < lo - 1]
            lo = prev[-1][1] if prev else slo
        else:
            break
        desc = _clean(text, lo, hi, times)
        desc, borrowed = _borrow(text, slo, lo, hi, left, desc)
    if _ATTRIBUTION_END.match(desc):
        # "..., traders and officials said this week": the happening is the reported clause before it
        prev = [b for b in left if b[1] <= lo - 1]
        if not prev and lo <= slo:
            return None, lo, hi
        plo = prev[-1][1] if len(prev) > 0 and prev[-1][1] < lo else slo
        pa = max([b[0] for b in left if b[1] <= lo], default=lo)
        lo, hi = plo, pa
        desc = _clean(text, lo, hi, times)
        if _ATTRIBUTION_END.match(desc) or not _has_verb(desc):
            return None, lo, hi
    # "five workers abducted [in July] were released": the participle belonged to the removed date
    desc = re.sub(r"\b(?:[a-z]+ed|seized|taken|held|kidnapped)\s+(?=(?:were|was|have\s+been|has\s+been|had\s+been)\s+[a-z]+ed\b)",
                  "", desc) if _reduced_relative(text, t) is None else _reduced_relative(text, t) or desc
    said = _SAID_THAT.match(desc)
    if said and _has_verb(desc[said.end():]) and _words(desc[said.end():]) >= 4:
        desc = desc[said.end():]
    if _ATTRIBUTION_START.match(desc) or _PURPOSE.match(desc) or _ELLIPSIS.match(desc):
        return None, lo, hi
    if _STAT.search(desc):
        return None, lo, hi
    if not _has_verb(desc):
        # a happening named by a noun phrase: "the withdrawal of UN peacekeepers in 2023"
        plo, phi = _verbless_part(text, lo, hi, t)
        part = re.sub(r"^(?:the|its|their)\s+", "", _clean(text, plo, phi, times))
        if _EVENT_NOUN.search(part) and not _attributive_date(text, t):
            desc = part
        else:
            return None, lo, hi
    if _words(desc) < 3 or not re.search(r"[a-z]", desc):
        return None, lo, hi
    return _truncate(desc), lo, hi


_PARTICIPLE_BEFORE = re.compile(r"\b((?:[A-Z][\w’'-]*|[a-z][\w’'-]*)(?:\s+[\w’'-]+){0,5}?)\s+([a-z]+ed|seized|taken|held)\s+"
                                r"(?:(?:in|on|during|since|last|early|late|mid)\s+)?$")
_AUX_AFTER = re.compile(r"\s+(were|was|are|is|have\s+been|has\s+been|had\s+been)\s+[a-z]+")


def _reduced_relative(text: str, t: TimeMention) -> str | None:
    """"Two drivers seized in August were freed last week": for the August date, "Two drivers were
    seized"; None when the date does not follow such a participle."""
    aux = _AUX_AFTER.match(text, t.end)
    if not aux:
        return None
    lo = max(text.rfind(c, 0, t.start) for c in ".,;:") + 1
    m = _PARTICIPLE_BEFORE.search(text, lo, t.start)
    if not m or m.end() != t.start:
        return None
    np_ = re.sub(r"^(?:and|but|while)\s+", "", m.group(1).strip())
    if _words(np_) > 6 or _has_verb(np_):
        return None
    be = "were" if aux.group(1) in ("were", "are", "have been") else "was"
    return f"{np_} {be} {m.group(2)}"


def _sep_word(text: str, left: list[tuple[int, int]], lo: int) -> str:
    sep = next((text[a:b] for a, b in left if b == lo), "").strip(" ,").lower().split()
    return sep[-1] if sep else ""


def _borrow(text: str, slo: int, lo: int, hi: int, left: list[tuple[int, int]], desc: str) -> tuple[str, bool]:
    """A clause without its own subject ("which seized power in 2020", "and killed nine soldiers last
    week", "whose fighters burned ..."): prefix the subject it leans on."""
    raw = text[lo:hi].lstrip(" ,")
    if lo > slo and _sep_word(text, left, lo) == "whose":
        a = next(a for a, b in left if b == lo)
        head = _head_np(text, slo, a)
        if head and _words(head) <= 4:
            return f"{head}’s {desc}", True  # "JNIM, whose fighters burned ..." -> "JNIM’s fighters burned ..."
        return desc, False
    if lo <= slo or not _starts_with_verb(raw):
        return desc, False
    head = _subject_for(text, slo, lo, left)
    if not head or _words(head) > 7:
        return desc, False
    if raw.startswith("whose "):
        if desc.startswith("whose "):
            return f"{head}’s {desc[len('whose '):]}", True
        return desc, False
    return f"{head} {desc}", True


def _attributive_date(text: str, t: TimeMention) -> bool:
    """"the 2021 coup": the date sits between a determiner and a noun."""
    before = text[max(0, t.start - 8):t.start]
    after = re.match(r"\s+([a-z][\w-]*)", text[t.end:t.end + 30])
    return bool(re.search(r"\b(?:the|a|an|its|their)\s+$", before, re.I) and after and _attributive(after.group(1)))


_EVENT_NOUN = re.compile(
    r"\b(?:coups?|putsch\w*|withdrawal|blockade|siege|ban|election|elections|referendum|agreement|ceasefire|truce|"
    r"deal|visit|summit|massacre|ambush|attack|offensive|invasion|kidnapping|abduction|evacuation|expulsion|"
    r"closure|suspension|takeover|capture|fall|assassination|bombing|airstrike|uprising|protests?|riots?|"
    r"earthquake|floods?|outbreak|departure|arrival|return|resignation|death|killing|collapse|exodus|deployment|"
    r"handover|dissolution|annexation|occupation|surrender|independence)\b", re.I)
_VERBISH = re.compile(
    r"\b(?:\w+ed|is|are|was|were|has|have|had|did|does|do|will|would|began|begun|went|came|"
    r"took|taken|made|met|fell|fallen|rose|risen|led|left|held|struck|hit|shut|set|cut|put|won|lost|fought|sought|"
    r"brought|said|says|quit|saw|seen|became|withdrew|withdrawn|seized|overthrew|overthrown|driven|given|shown|"
    r"known|flown|drawn|grown|thrown|broken|chosen|stolen|spoken|written|beaten|announces|calls|warns|"
    r"launches|kills|signs|orders|urges|flees|fled|freed|\w{3,}ing)\b",
    re.I,
)


_NOT_ING = frozenset("""during morning evening spring thing something nothing anything everything king ring building
wedding funding ceiling string sibling darling pudding according including following ongoing""".split())
_ADJ_BEFORE = _DETS | {"of", "and", "by", "for", "with", "to", "first", "second", "third", "latest", "recent", "new",
                       "deadly", "heavy", "fierce", "renewed", "mass"}


def _verb_matches(desc: str):
    for m in _VERBISH.finditer(desc):
        w = m.group(0).lower()
        before = desc[:m.start()].split()
        prev = before[-1].lower() if before else ""
        if w.endswith("ed") and w not in _AUXW:
            # "the armed resistance", "displaced people": a participle used as an adjective
            if prev in _ADJ_BEFORE:
                continue
            if w in ("armed", "based", "linked", "affiliated", "backed", "related", "united", "red", "need"):
                continue
        if w.endswith("ing"):
            if w in _NOT_ING or prev in _ADJ_BEFORE:
                continue
        yield m


def _has_verb(desc: str) -> bool:
    return next(_verb_matches(desc), None) is not None


_FINITE = re.compile(rf"\b(?:\w+ed|{'|'.join(sorted(_IRREGULAR | _AUXW))})\b", re.I)


def _first_verb_word(desc: str) -> int:
    for m in _verb_matches(desc):
        if _FINITE.fullmatch(m.group(0)):
            return len(desc[:m.start()].split())
    return 0


def _actor(text: str, lo: int, hi: int, slo: int, shi: int, desc: str = "") -> str | None:
    acr = C.acronyms(desc)
    if acr:
        return acr[0][1]
    acr = C.acronyms(text[lo:hi])
    if acr:
        return acr[0][1]
    if desc and not text[lo:hi].lstrip(" ,").startswith(desc.split()[0]):
        return None  # the subject was borrowed and names no acronym
    # "The AU on Sunday called ...": the subject may sit just before the clause
    acr = C.acronyms(text[slo:lo])
    if acr and lo - (slo + acr[-1][0]) < 40:
        return acr[-1][1]
    return None
