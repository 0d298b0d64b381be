"""Numbers extractor: counts, shares, casualties, kidnappings and other quantities.

Per sentence: find the numbers (``numbers.find_numbers``) and time expressions
(``periods.find_times``), then

1. casualties and kidnappings: a number (or a singular subject) tied to killed/wounded/abducted verbs;
2. shares: percentages, with what they are a share of, region and period;
3. counts: a number before a countable noun (attacks, tankers, governments...), with actor, period,
   region and a comparison ("double the same period last year" -> a derived count for the base period);
4. quantities: distances, money, volumes (never charted as counts).

Years, ages, dates, durations, ordinals, prices, ids and phone numbers never become counts
(``numbers`` classifies them).
"""

from __future__ import annotations

import re

from ..model import CASUALTIES, COUNT, KIDNAPPING, QUANTITY, SHARE, Fact, Period
from . import common as C
from .numbers import Num, find_numbers
from .periods import Anchor, TimeMention, anchor_for, find_times, resolve_same
from .text import Context, Sentence, lower_for_gates

# --------------------------------------------------------------------------------------------
# verbs
# --------------------------------------------------------------------------------------------

_KILL = r"killed|dead|died|slain|murdered|executed|massacred|lost\s+their\s+lives|perished|shot\s+dead|beheaded"
_WOUND = r"wounded|injured|hurt|maimed"
_KIDNAP = r"abducted|kidnapped|seized|taken\s+hostage|taken\s+captive|held\s+hostage|snatched|captured"
_ALLV = rf"(?P<v>{_KILL}|{_WOUND}|{_KIDNAP})(?:\s+(?:or|and|and/or)\s+(?P<v2>{_KILL}|{_WOUND}|{_KIDNAP}))?"
_AUXRX = r"(?:\s+(?:were|was|have|has|had|been|being|are|is|reportedly|allegedly|also|all|later|believed|" \
         r"feared|confirmed|to\s+have|to\s+be|killed\s+and|who|had\s+been|subsequently))*"
_ACTIVE_V = (
    r"kill(?:ed|ing|s)?|slew|slaying|massacr(?:ed|ing|e\s+of)|execut(?:ed|ing)|behead(?:ed|ing)|murder(?:ed|ing)|"
    r"slaughter(?:ed|ing)|neutrali[sz](?:ed|ing)|shot\s+dead|shooting\s+dead|(?:the\s+)?(?:killing|deaths?|murder)s?\s+of|"
    r"(?:claimed|claiming|cost)\s+the\s+lives\s+of|wound(?:ed|ing|s)?|injur(?:ed|ing|es)|"
    r"abduct(?:ed|ing|s)?|kidnapp?(?:ed|ing|s)?|(?:the\s+)?(?:abduction|kidnapping)s?\s+of|seiz(?:ed|ing)|captur(?:ed|ing)|"
    r"(?:took|taken|taking|holding|held)(?=\s+\S+\s+hostages)"
)
_ACTIVE = re.compile(rf"\b(?P<v>{_ACTIVE_V})(?:\s+(?!and\b|or\b)[a-z][\w'’-]*){{0,2}}?\s+[\"“‘]?$", re.I)
_KIDNAP_NOUN = re.compile(r"^\s+(?:(?:cases|incidents|instances)\s+of\s+(?:abduction|kidnapping|hostage-taking)|"
                          r"abductions|kidnappings|hostages)\b", re.I)
_LEFT = re.compile(r"\b(?:left|leaving|leaves)\s+$", re.I)
_TOLL = re.compile(r"\b(?:death\s+toll|toll|number\s+of\s+(?:dead|deaths|fatalities))\b[^.;]{0,40}?"
                   r"\b(?:to|at|of|reached|hit|stands\s+at|stood\s+at|rose\s+to|climbed\s+to)\s+[\"“']?$", re.I)
_RELEASED = re.compile(r"\b(?:released|freed|set\s+free|rescued|liberated|let\s+go|returned\s+safely)\b", re.I)
_STILL_HELD = re.compile(r"\b(?:remains?\s+missing|still\s+(?:missing|held|in\s+captivity|being\s+held)|"
                         r"remains?\s+in\s+captivity|remain\s+(?:missing|hostages?)|whereabouts\s+(?:remain\s+)?unknown|"
                         r"are\s+still\s+held|continue\s+to\s+be\s+held)\b", re.I)


def _verb_kind(v: str) -> tuple[str, str]:
    v = re.sub(r"^the\s+", "", v.lower())
    if re.fullmatch(_KIDNAP, v) or re.match(r"abduct|kidnap|seiz|captur|took|tak|hold|held", v):
        return KIDNAPPING, "kidnapped"
    if re.fullmatch(_WOUND, v) or re.match(r"wound|injur", v):
        return CASUALTIES, "wounded"
    return CASUALTIES, "killed"


# --------------------------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------------------------

_RATIO_WORDS = [
    (r"\b(?:double|doubled|doubling|twice)\b", 2.0, "double"),
    (r"\b(?:triple|tripled|tripling|three\s+times)\b", 3.0, "triple"),
    (r"\b(?:quadruple|quadrupled|four\s+times)\b", 4.0, "four times"),
    (r"\b(?:halved|half\s+(?:the|of\s+the)\s+(?:number|amount|level|total))\b", 0.5, "half"),
    (r"\b(?:a|one)[\s-]third\s+(?:more|higher|increase)\b", 4 / 3, "a third more"),
    (r"\b(?:a|one)[\s-]quarter\s+(?:more|higher|increase)\b", 5 / 4, "a quarter more"),
    (r"\b(?:a|one)[\s-]third\s+(?:fewer|less|lower)\b", 2 / 3, "a third fewer"),
]
_PCT_UP = re.compile(r"\b(?:up|rose|increased|grew|jumped|climbed|rise|increase|higher|more)\s+(?:by\s+)?"
                     r"(?P<p>\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)|(?P<p2>\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)"
                     r"\s+(?P<dir>increase|rise|jump|more|higher|up|decrease|drop|decline|fall|fewer|less|lower|down)\b",
                     re.I)
_UP_FROM = re.compile(r"\b(?:(?:up|down|rising|falling|an?\s+(?:increase|rise|drop|decrease|fall))\s+from|against|"
                      r"compared\s+(?:with|to)|versus|vs\.?|(?:rose|increased|fell|dropped|grew|jumped|climbed|declined)\s+"
                      r"(?:from))\s+(?:only\s+|just\s+)?", re.I)


def _comparison(text: str, lo: int, hi: int) -> tuple[float, str, int, int] | None:
    """(ratio, words, start, end) of a comparison in text[lo:hi] ("double", "a third more", "up 20%")."""
    best = None
    for rx, ratio, word in _RATIO_WORDS:
        m = re.search(rx, text[lo:hi], re.I)
        if m and (best is None or m.start() < best[2] - lo):
            best = (ratio, word, lo + m.start(), lo + m.end())
    m = _PCT_UP.search(text[lo:hi])
    if m and (best is None or lo + m.start() < best[2]):
        p = float(m.group("p") or m.group("p2"))
        down = (m.group("dir") or "").lower() in ("decrease", "drop", "decline", "fall", "fewer", "less", "lower",
                                                  "down")
        ratio = 1 - p / 100 if down else 1 + p / 100
        best = (ratio, m.group(0), lo + m.start(), lo + m.end())
    return best


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _nearest_time(times: list[TimeMention], pos: int, *, before_limit: int, after_limit: int,
                  exclude: set[int] | None = None) -> TimeMention | None:
    """The time expression governing a number at ``pos``: the last one before it, else the first after."""
    exclude = exclude or set()
    usable = [t for t in times if t.kind in ("period", "date") and t.period is not None and id(t) not in exclude]
    before = [t for t in usable if before_limit <= t.start and t.end <= pos]
    if before:
        return before[-1]
    after = [t for t in usable if t.start >= pos and t.end <= after_limit]
    return after[0] if after else None


def _set_num(f: Fact, n: Num) -> None:
    f.value = n.value
    f.low = n.low
    f.high = n.high
    f.qualifier = n.qualifier
    f.surface = n.surface


_DIR = (r"north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|north|south|east|west|centre|center|"
        r"central|centre[- ]north|centre[- ]south")
_REGION_RX = re.compile(
    rf"\b(?:in|across|within|throughout|of|to)\s+(?:the\s+)?(?:(?P<poss>country|nation|[A-Z][\w'’-]+)['’]s\s+)?"
    rf"(?:far\s+)?(?P<dir>{_DIR})(?:ern)?(?:\s+(?:region|regions|part|parts|provinces|areas?))?"
    rf"(?:\s+of\s+(?:the\s+country|(?P<c>[A-Z][\w'’-]+)))?\b"
    rf"|\b(?P<dir2>{_DIR})(?:ern)?\s+(?P<c2>[A-Z][\w'’-]+)\b",
    re.I,
)


def _region(text: str, lo: int, hi: int, subject: str | None) -> tuple[str | None, int | None]:
    m = _REGION_RX.search(text, lo, hi)
    if not m:
        return None, None
    d = (m.group("dir") or m.group("dir2")).lower().replace("-", "").replace(" ", "")
    d = {"center": "central", "centre": "central"}.get(d, d)
    cname = m.group("c") or m.group("c2") or m.group("poss")
    if cname and cname[0].islower() and cname.lower() not in ("country", "nation"):
        cname = None
    code = None
    if cname and cname.lower() not in ("country", "nation"):
        code = C.is_country_name(cname)
        if code is None:
            if m.group("c2") and not m.group("c2")[0].isupper():
                return None, None
            if m.group("c2") and m.group("c2") in C.MONTHS_AND_DAYS:
                return None, None
            return f"{d} {cname}", m.start()
    code = code or subject
    if code is None:
        return d, m.start()
    return f"{d} {C.country_name(code)}", m.start()


_SHARE_SUBJECT = re.compile(
    r"(?:^|(?<=[\s(]))((?:[A-Za-z][\w-]*\s+)?[A-Za-z][\w-]*)(?:\s*,[^,]{1,100},)?\s+(?:made\s+up|make\s+up|makes\s+up|"
    r"accounted\s+for|account\s+for|accounts\s+for|represented|represent|represents|comprised|formed|were|was)\s+"
    r"(?:only\s+|just\s+|about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|some\s+|close\s+to\s+|more\s+than\s+)*$")
# a plan's funding level: "the 2025 response plan ... is 19 percent funded"
_FUNDED = re.compile(r"\s+(?:funded|financed|covered)\b", re.I)
_PLAN = re.compile(r"\b((?:[A-Za-z][\w-]*\s+){0,3}?(?:[Pp]lan|[Aa]ppeal|[Bb]udget|[Rr]equirements?|[Pp]rogramme|"
                   r"[Pp]rogram|[Ff]und|[Rr]esponse))\b(?![\s\S]*\b(?:[Pp]lan|[Aa]ppeal)\b)")


def _share_what(text: str, n: Num, hi: int) -> tuple[str | None, str | None, int]:
    """('share of JNIM violence', actor, end) from '8 percent of JNIM-induced violence ...'."""
    pos = n.end
    m = re.match(r"\s+of\s+(?:the\s+|all\s+|its\s+|their\s+|those\s+|these\s+|that\s+|this\s+|our\s+|his\s+|her\s+)?",
                 text[pos:hi])
    if not m and re.search(r"\bin\s+\S+$", n.surface):  # "one in three people"
        m = re.match(r"", text[pos:hi])
    if not m:
        return None, None, pos
    j = pos + m.end()
    mm = re.match(r"([A-Z][\w&-]*)['’]s\s+", text[j:hi])
    poss = None
    if mm:
        poss = mm.group(1)
        j += mm.end()
    np_ = C.np_after(text, j, hi, max_words=4)
    if np_ is None:
        return None, None, j
    words = list(np_.words)
    actor = poss
    out: list[str] = []
    for w in words:
        mw = re.fullmatch(r"([A-Z][\w&]*)-(?:induced|related|linked|led|perpetrated|affiliated|claimed|attributed)", w)
        if mw:
            actor = actor or mw.group(1)
            out.append(mw.group(1))
            continue
        out.append(w if any(c.isupper() for c in w) else w.lower())
    phrase = " ".join(out)
    if phrase in ("total", "figure", "number", "tally", "count", "whole"):
        # "Decoy drones, which ..., made up close to 40 percent of that total": the share's subject
        ms = _SHARE_SUBJECT.search(text, max(0, n.start - 160), n.start)
        if ms:
            phrase = " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in ms.group(1).split())
    phrase = re.sub(r"\bviolent\s+(?:activity|activities|incidents|events)\b", "violence", phrase)
    if poss:
        phrase = f"{poss} {phrase}"
    if actor is None:
        acr = [a for _, a in C.acronyms(phrase)]
        actor = acr[0] if acr else None
    return f"share of {phrase}", actor, np_.end


# --------------------------------------------------------------------------------------------
# the extractor
# --------------------------------------------------------------------------------------------


class _Sent:
    def __init__(self, ctx: Context, sent: Sentence, anchor: Anchor | None, subject: str | None):
        self.ctx = ctx
        self.text = ctx.source.text
        self.s = sent
        self.anchor = anchor
        self.subject = subject
        self.nums = find_numbers(self.text, sent.start, sent.end)
        self.times = find_times(self.text, anchor, sent.start, sent.end)
        self.used: set[int] = set()  # num_start of numbers already turned into facts
        self.facts: list[Fact] = []
        # the statistical period of the sentence before (a half, quarter or span of months), for "the same
        # period of 2024" in a sentence that names no period of its own
        self.prev_period: Period | None = None

    # --- evidence
    def ev(self, a: int, b: int):
        return self.ctx.evidence(a, b)

    def attrs_time(self, f: Fact, t: TimeMention | None) -> None:
        if t is not None and t.inferred:
            f.attrs["period_inferred"] = True


def extract(ctx: Context) -> list[Fact]:
    text = ctx.source.text
    anchor = anchor_for(ctx.pub_date, text)
    subject = C.article_country(text)
    facts: list[Fact] = []
    prev_period: Period | None = None
    for sent in ctx.sentences:
        if _skip_sentence(sent.text):
            continue
        st = _Sent(ctx, sent, anchor, subject)
        st.prev_period = prev_period
        if st.nums:  # these read only the sentence's numbers
            _violence(st)
        if _SING_GATE(sent.text):
            _singular_victim(st)
        if st.nums:
            _shares(st)
            _counts(st)
            _quantities(st)
        facts.extend(st.facts)
        stats = [t.period for t in st.times if t.kind == "period" and t.period is not None
                 and t.form in ("half", "quarter", "months")]
        prev_period = stats[-1] if stats else (prev_period if not st.times else None)
    return facts


_CREDIT = re.compile(r"^\s*(?:top\s+)?(?:photo|image|picture|video)\s*(?:credit|:)|\b(?:REUTERS|AFP|Getty\s+Images|AP\s+Photo|"
                     r"Shutterstock)\s*/", re.I)


_CREDIT_WORDS = ("photo", "image", "picture", "video", "reuters", "afp", "getty", "shutterstock")


def _skip_sentence(s: str) -> bool:
    low = lower_for_gates(s)
    if not any(w in low for w in _CREDIT_WORDS):  # cheap necessary condition for _CREDIT
        return False
    return bool(_CREDIT.search(s))


# --- casualties and kidnappings ----------------------------------------------------------------


_LOOK_BACK = 400
_TOLL_WORDS = ("fatalities", "deaths", "dead", "killings", "casualties", "injuries", "wounded")


def _open_counts(st: _Sent):
    """The sentence's count-like numbers not yet used by another fact and with a number to keep
    ("several", "a few" have none)."""
    for n in st.nums:
        if n.category == "count" and n.num_start not in st.used and not (n.qualifier == "vague" and n.low is None):
            yield n


def _violence(st: _Sent) -> None:
    text, hi = st.text, st.s.end
    for n in _open_counts(st):
        # "Reported fatalities exceeded 8,000 last year", "the number of dead rose to 57"
        window = text[max(st.s.start, n.start - 60):n.start]
        lw = lower_for_gates(window)
        ms = _TOLL_SUBJECT.search(window) if any(w in lw for w in _TOLL_WORDS) else None
        nnp = C.np_after(text, n.end, hi) if ms else None
        if ms and (nnp is None or nnp.head.lower() not in C.COUNT_NOUNS):
            word = ms.group(1).lower()
            f = Fact(kind=CASUALTIES, rule="quantities.casualties.subject",
                     what="wounded" if word in ("injuries", "wounded") else "killed")
            _set_num(f, n)
            verb = ms.group(0).lower()
            if n.qualifier == "exact" and re.search(r"exceeded|surpassed|topped|passed", verb):
                f.qualifier, f.low = "more_than", n.value
            lo = max(st.s.start, n.start - 60) + ms.start()
            _violence_context(st, f, n, None, lo, n.end, CASUALTIES)
            f.evidence = [st.ev(lo, n.end)]
            st.facts.append(f)
            st.used.add(n.num_start)
            continue
        np_ = C.np_after(text, n.num_end if n.unit_end is None else n.end, hi,
                         allow_of=n.qualifier == "vague" or bool(re.search(r"(?:thousand|million|hundred)s?$",
                                                                            n.surface, re.I)))
        if np_ is None:
            mo = re.match(r"\s+of\s+(?:the|our|their|its|his|her|these|those)\s+(?:own\s+)?", text[n.end:hi])
            if mo:
                np_ = C.np_after(text, n.end + mo.end() - 1, hi)
        after = np_.end if np_ else n.end
        mk = _KIDNAP_NOUN.match(text[n.end:hi])
        if mk:
            np_ = None
        elif np_ is not None and np_.head.lower() not in C.PERSON_NOUNS and np_.head.lower() not in (
                "dead", "wounded", "injured") and not _demonym_plural(np_.head):
            # "12 vehicles were seized" is not a kidnapping; killed/wounded need people too
            if not (np_.head[:1].isupper()):
                continue
        verbs: list[tuple[str, str]] = []
        vstart = vend = None
        m = re.match(rf"(?:\s+(?:and|or)\s+(?:an?\s+)?(?:[A-Za-z][\w'’-]*\s+){{0,2}}?[a-z][\w'’-]*)?{_AUXRX}\s+{_ALLV}\b",
                     text[after:hi], re.I)
        if m is None and np_ is not None and np_.head.lower() in C.PERSON_NOUNS:
            pp = _PP_AFTER.match(text, after, hi)
            if pp:
                m2 = re.match(rf"{_AUXRX}\s+{_ALLV}\b", text[pp.end():hi], re.I)
                if m2 and re.match(r"\s+(?:were|was|have|has|had|are|is)\b", text[pp.end():hi], re.I):
                    after = pp.end()
                    m = m2
        if np_ is not None and m and re.match(r"\s+(?:and|or)\s", text[after:hi]):
            # "Two engineers and a technician were seized": the coordinated phrase must be people
            coord = re.match(r"\s+(?:and|or)\s+(?:an?\s+)?((?:[A-Za-z][\w'’-]*\s+){0,2}?[a-z][\w'’-]*)", text[after:hi])
            if coord and coord.group(1).split()[-1].lower() not in C.PERSON_NOUNS | {"technician", "technicians"}:
                m = re.match(rf"{_AUXRX}\s+{_ALLV}\b", text[after:hi], re.I)
        if m and not mk:
            vstart, vend = after + m.start("v"), after + m.end()
            verbs = [_verb_kind(m.group("v"))] + ([_verb_kind(m.group("v2"))] if m.group("v2") else [])
        elif np_ is not None and np_.head.lower() in ("dead", "wounded", "injured"):
            verbs = [_verb_kind(np_.head)]
            vstart, vend = np_.start, np_.end
        elif np_ is not None and any(w.lower() in ("dead", "wounded", "injured") for w in np_.words[:-1]):
            w = next(w for w in np_.words[:-1] if w.lower() in ("dead", "wounded", "injured"))
            verbs = [_verb_kind(w)]
            vstart, vend = np_.start, np_.end
        elif mk:
            verbs = [(KIDNAPPING, "kidnapped")]
            vstart, vend = n.start, n.end + mk.end()
            np_ = None
        else:
            # the clause before the number: a bounded look-back (these patterns end at the number and span
            # a few words; the whole sentence prefix made huge one-line texts quadratic)
            base = max(st.s.start, n.start - _LOOK_BACK)
            before = text[base:n.start]
            lb = lower_for_gates(before)  # cheap necessary conditions before each search
            ma = _ACTIVE.search(before) if any(w in lb for w in _SING_VERB_WORDS) else None
            ml = _LEFT.search(before) if ("left" in lb or "leav" in lb) else None
            mt = _TOLL.search(before) if ("toll" in lb or "number" in lb) else None
            mi = re.search(r"\b(?:including|among\s+them|among\s+whom|of\s+whom|and|as\s+well\s+as|plus|while|along\s+with)"
                           r"\s+$", before, re.I)
            mh = re.search(r"\b(?:treated|treating|admitted|hospitali[sz]ed|evacuated)\s+$", before, re.I) if \
                re.match(r"\s+(?:with|for|suffering)\s+(?:[\w-]+\s+){0,4}?(?:wounds|injuries)\b", text[after:hi], re.I) else None
            if ma and np_ is not None:
                v = ma.group("v").lower()
                verbs = [_verb_kind(v)]
                vstart, vend = base + ma.start(), st.s.start + ma.end()
                if verbs[0][0] == KIDNAPPING and v.startswith(("seiz", "captur", "took", "tak", "hold", "held")) and (
                        np_.head.lower() not in C.PERSON_NOUNS and not _demonym_plural(np_.head)):
                    continue
            elif mi and np_ is not None and np_.head.lower() in C.PERSON_NOUNS and st.facts and \
                    st.facts[-1].kind in (CASUALTIES, KIDNAPPING) and \
                    st.facts[-1].evidence[0].end <= st.ctx.source.span_to_original(n.start, n.start)[0]:
                prev = st.facts[-1]
                verbs = [(prev.kind, prev.what or "kidnapped")]
                vstart, vend = base + mi.start(), st.s.start + mi.end()
            elif mh and np_ is not None:
                verbs = [(CASUALTIES, "wounded")]
                vstart, vend = base + mh.start(), after + re.match(r"\s+\w+\s+(?:[\w-]+\s+){0,4}?(?:wounds|injuries)",
                                                                         text[after:hi]).end()
            elif ml and np_ is not None and re.match(r"\s*(dead|wounded|injured)\b", text[after:hi]) is not None:
                word = re.match(r"\s*(dead|wounded|injured)\b", text[after:hi]).group(1)
                verbs = [_verb_kind(word)]
                vstart, vend = base + ml.start(), after + len(re.match(r"\s*\w+", text[after:hi]).group(0))
            elif ml and np_ is not None and np_.head.lower() in ("dead", "wounded", "injured"):
                verbs = [_verb_kind(np_.head)]
                vstart, vend = base + ml.start(), np_.end
            elif mt:
                verbs = [(CASUALTIES, "killed")]
                vstart, vend = base + mt.start(), n.end
        if not verbs:
            continue
        victims = None
        if np_ is not None and np_.head.lower() not in ("dead", "wounded", "injured"):
            victims = C.norm_what(np_.words)
        elif np_ is not None and len(np_.words) > 1:
            victims = C.norm_what(np_.words[:-1])
        span_lo = min(n.start, vstart)
        span_hi = max(vend, np_.end if np_ else n.end)
        for kind, what in dict.fromkeys(verbs):
            f = Fact(kind=kind, rule=f"quantities.{kind}")
            _set_num(f, n)
            if kind == CASUALTIES:
                f.what = what
            if victims:
                f.attrs["victims"] = victims
            _violence_context(st, f, n, np_, span_lo, span_hi, kind)
            f.evidence = [st.ev(span_lo, span_hi)]
            st.facts.append(f)
        st.used.add(n.num_start)


_PP_AFTER = re.compile(r"\s+(?:of|from|with|at|for|working\s+for)\s+(?:an?|the|their|its|two|three|several)?\s*"
                       r"(?:[\w'’-]+\s+){0,3}?[\w'’-]+(?=\s+(?:were|was|have|has|had|are|is)\b)")


def _demonym_plural(w: str) -> bool:
    return bool(w[:1].isupper() and C.nationality(w))


def _violence_context(st: _Sent, f: Fact, n: Num, np_, lo: int, hi: int, kind: str) -> None:
    text = st.text
    sent_lo, sent_hi = st.s.start, st.s.end
    # actor: perpetrator ("by militants") or the named group among the victims ("60 Foo Brigade fighters")
    actor = C.actor_by(text, hi, sent_hi) or C.actor_before_verb(text, sent_lo, n.start)
    if actor is None and np_ is not None:
        for w in np_.words:
            if w[:1].isupper() and not C.nationality(w) and w not in C.PERSON_NOUNS:
                actor = w
                break
    if actor:
        f.actor = actor
    # nationality of the victims
    if np_ is not None:
        for w in np_.words:
            if w[:1].isupper():
                code = C.nationality(w)
                if code:
                    f.attrs["nationality"] = code
                    break
    if "nationality" not in f.attrs:
        mb = re.search(r"\b([A-Z][\w.]*)\s+$", text[max(sent_lo, n.start - 20):n.start])
        if mb and C.nationality(mb.group(1)):
            f.attrs["nationality"] = C.nationality(mb.group(1))
    if kind == KIDNAPPING:
        f.attrs["nationality"] = f.attrs.get("nationality")
        rest = text[hi:sent_hi]
        nxt = _next_sentence_text(st)
        if _STILL_HELD.search(rest):
            f.attrs["released"] = False
        elif _RELEASED.search(rest):
            f.attrs["released"] = True
        elif nxt and _STILL_HELD.search(nxt[:200]):
            f.attrs["released"] = False
        elif nxt and re.search(r"\b(?:they|the\s+\w+|all|both)\b[^.]{0,40}\b(?:were|have\s+been|was)\s+"
                               r"(?:later\s+)?(?:released|freed)", nxt[:200], re.I):
            f.attrs["released"] = True
        else:
            f.attrs["released"] = None
    w = C.where(text, hi, sent_hi)
    if w.place is None and w.country is None:
        w = C.where(text, sent_lo, sent_hi)
    if w.place:
        f.place = w.place
    if w.country:
        f.country = w.country
    t = _nearest_time(st.times, n.start, before_limit=sent_lo, after_limit=sent_hi)
    if t is not None:
        f.period = t.period
        f.date, f.date_precision = t.date, t.precision
        st.attrs_time(f, t)


def _next_sentence_text(st: _Sent) -> str | None:
    sents = st.ctx.sentences
    for i, s in enumerate(sents):
        if s.start == st.s.start and i + 1 < len(sents):
            return sents[i + 1].text
    return None


_SING_SUBJ = re.compile(
    rf"(?P<subj>\b(?:[Tt]he|[Aa]n?|[Oo]ne)\s+(?:[\w'’.-]+\s+){{0,3}}?(?P<head>[a-z][\w-]*)"
    rf"|(?P<name>[A-Z][a-z]+(?:\s+[A-Z]\.?)?(?:\s+[A-Z][a-z'’-]+)+))"
    rf"(?:\s*,[^,]{{1,90}},)?\s+(?:was|has\s+been|had\s+been|is\s+believed\s+to\s+have\s+been)\s+"
    rf"(?:\w+ly\s+)?(?P<v>{_KILL}|{_WOUND}|abducted|kidnapped|taken\s+hostage|taken\s+captive)\b"
)


_SING_OBJ = re.compile(
    rf"\b(?P<v>{_ACTIVE_V})\s+(?P<subj>(?:an?|one)\s+(?P<words>[\w'’.-]+(?:\s+[\w'’.-]+){{0,3}}))"
)


def _SING_GATE(t: str) -> bool:
    """Cheap necessary condition for ``_SING_OBJ`` or ``_SING_SUBJ`` (both case-sensitive): a verb of
    killing, wounding or abduction in the sentence."""
    for w in _SING_VERB_WORDS:
        if w in t:
            return True
    return False


_SING_VERB_WORDS = (
    "kill", "slew", "slaying", "massacr", "execut", "behead", "murder", "slaughter", "neutrali", "shot", "shooting",
    "death", "lives", "wound", "injur", "abduct", "kidnap", "seiz", "captur", "took", "taken", "taking", "holding",
    "held", "dead", "died", "slain", "perished", "hurt", "maimed",
)


def _singular_victim(st: _Sent) -> None:
    """'The missionary, who is also a pilot, was abducted in Niger' -> one kidnapping."""
    text = st.text
    for m in _SING_OBJ.finditer(text, st.s.start, st.s.end):
        words = m.group("words").split()
        idx = [k for k, w in enumerate(words) if w.lower() in C.PERSON_NOUNS and not
               (w.lower().endswith("s") and w.lower()[:-1] in C.PERSON_NOUNS)]
        if not idx or any(w.lower() in C.STOP for w in words[: idx[0]]):
            continue
        words = words[: idx[0] + 1]
        if any(n.num_start in st.used and m.start() <= n.num_start <= m.end() for n in st.nums):
            continue
        kind, what = _verb_kind(m.group("v"))
        victims = " ".join(words)
        f = Fact(kind=kind, rule=f"quantities.{kind}.singular", value=1, qualifier="exact", surface=m.group("subj"))
        if kind == CASUALTIES:
            f.what = what
        f.attrs["victims"] = C.norm_what(victims.split())
        code = next((C.nationality(w) for w in victims.split() if w[:1].isupper() and C.nationality(w)), None)
        if kind == KIDNAPPING or code:
            f.attrs["nationality"] = code
        send = m.start("words") + len(" ".join(words))
        f.surface = text[m.start("subj"):send]
        fake = Num(m.start("subj"), send, m.start("subj"), m.start("subj"), 1, None, None, "exact", f.surface, "count")
        _violence_context(st, f, fake, None, m.start(), send, kind)
        f.evidence = [st.ev(m.start(), send)]
        st.facts.append(f)
    for m in _SING_SUBJ.finditer(text, st.s.start, st.s.end):
        if m.group("head"):
            head = m.group("head").lower()
            if head not in C.PERSON_NOUNS or head.endswith("s") and head not in ("boss",):
                if head not in C.PERSON_NOUNS:
                    continue
                if head.endswith("s") and head[:-1] in C.PERSON_NOUNS:
                    continue
            victims = re.sub(r"^(?:[Tt]he|[Aa]n?|[Oo]ne)\s+", "", m.group("subj"))
        else:
            name = m.group("name")
            if C.is_country_name(name) or C.clean_actor(name) is None:
                continue
            victims = name
        # a number already covers this clause
        if any(n.num_start in st.used and m.start() <= n.num_start <= m.end() for n in st.nums):
            continue
        kind, what = _verb_kind(m.group("v"))
        f = Fact(kind=kind, rule=f"quantities.{kind}.singular", value=1, qualifier="exact",
                 surface=m.group("subj") or m.group("name"))
        if kind == CASUALTIES:
            f.what = what
        f.attrs["victims"] = C.norm_what(victims.split())
        code = None
        for w in victims.split():
            if w[:1].isupper() and C.nationality(w):
                code = C.nationality(w)
                break
        if kind == KIDNAPPING:
            f.attrs["nationality"] = code
        elif code:
            f.attrs["nationality"] = code
        fake = Num(m.start(), m.end(), m.start(), m.start(), 1, None, None, "exact", f.surface or "", "count")
        _violence_context(st, f, fake, None, m.start(), m.end(), kind)
        f.evidence = [st.ev(m.start(), m.end())]
        st.facts.append(f)


# --- shares ------------------------------------------------------------------------------------


def _shares(st: _Sent) -> None:
    text = st.text
    pcts = [n for n in st.nums if n.category == "percent"]
    for i, n in enumerate(pcts):
        if n.num_start in st.used:
            continue
        nxt = [m.start for m in st.nums if m.start > n.end and m.category in ("count", "percent")]
        seg_hi = min(nxt) if nxt else st.s.end
        after = text[n.end:seg_hi]
        before = text[max(st.s.start, n.start - 30):n.start]
        # a change, not a share: "a 30 percent increase", "up 12 percent", "rose by 5%"
        if re.match(r"\s*(?:increase|rise|jump|drop|decline|decrease|fall|higher|lower|more|fewer|less|"
                    r"up|down|year-on-year|growth|hike|surge|spike|reduction|cut)\b", after, re.I) or \
                (re.search(r"\b(?:up|down|rose|fell|increased|decreased|grew|dropped|jumped|climbed|by)\s+$", before,
                           re.I) and not re.search(r"\b(?:made|make|makes|making|took|take|takes|taken|taking)\s+up\s+$",
                                                   before, re.I)):
            continue
        what, actor, what_end = _share_what(text, n, seg_hi)
        prev_sh = [f for f in st.facts if f.kind == SHARE]
        if what is None and prev_sh and re.search(r"\b(?:against|compared\s+(?:with|to)|from|versus|vs\.?|to|and|while)\s+"
                                               r"(?:only\s+|just\s+|some\s+)?$", before, re.I):
            what, actor = prev_sh[-1].what, prev_sh[-1].actor  # "45 percent of X ..., against 12 percent in 2024"
        if what is None:
            mb = re.search(r"(?:\b(?:[Aa]n?|[Tt]he)\s+)?\b([a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+(?:rate\s+)?(?:of|at|stood\s+at|"
                           r"stands\s+at|reached|hit|is|was|remains|remained)\s+(?:only\s+|just\s+|now\s+|still\s+)?$",
                           text[max(st.s.start, n.start - 50):n.start])
            if mb and mb.group(1).split()[-1] not in C.STOP:
                what = mb.group(1)
                if re.match(r"\s+funded\b", text[n.end:seg_hi]):
                    what = f"{what} funded"
        if what is None and _FUNDED.match(text, n.end, seg_hi):
            mp = _PLAN.search(text, st.s.start, n.start)
            what = f"{mp.group(1).lower()} funded" if mp else "funding received"
            what_end = _FUNDED.match(text, n.end, seg_hi).end()
        if what is None:
            continue
        f = Fact(kind=SHARE, rule="quantities.share", unit="percent", what=what, actor=actor)
        _set_num(f, n)
        region, _ = _region(text, what_end, seg_hi, st.subject)
        if region is None:
            prev = [m.end for m in st.nums if m.end <= n.start]
            lo = max(prev) if prev else st.s.start
            region, _ = _region(text, lo, n.start, st.subject)
        f.region = region
        same = next((t for t in st.times if t.kind == "same" and n.end <= t.start < seg_hi), None)
        # a time right after the number is its own: "40 percent this year, up from 25 percent in 2024";
        # else the sentence's governing time
        t = next((x for x in st.times if x.kind in ("period", "date") and x.period is not None
                  and n.end <= x.start <= n.end + 12 and x.start < seg_hi
                  and re.fullmatch(r"\s*(?:in|during|for|over|of|at\s+the\s+end\s+of)?\s*(?:the\s+)?",
                                   text[n.end:x.start])), None) or \
            _nearest_time(st.times, n.start, before_limit=st.s.start, after_limit=seg_hi)
        if same is not None and prev_sh and prev_sh[-1].period is not None:
            f.period = resolve_same(same, prev_sh[-1].period)  # "against 12 percent over the same weeks of 2024"
        elif t is not None:
            f.period = t.period
            st.attrs_time(f, t)
        end = max(what_end, n.end)
        if region:
            m = _REGION_RX.search(text, what_end, seg_hi)
            if m:
                end = max(end, m.end())
        f.evidence = [st.ev(n.start, end)]
        st.facts.append(f)
        st.used.add(n.num_start)


# --- counts ------------------------------------------------------------------------------------

_PASSIVE = re.compile(r"^(?:\s+(?:have|has|had|were|was|are|is|been|being|reportedly|allegedly|also|all))+\s+"
                      r"(?P<v>[a-z]+(?:ed|en)|burnt|hit|shut|struck|set\s+ablaze|set\s+on\s+fire|destroyed|torched|"
                      r"looted|closed|damaged|razed|attacked)\b")


_ISSUER_NOUNS = {
    "governments", "government", "countries", "country", "states", "nations", "nation", "embassies", "embassy",
    "consulates", "missions", "capitals", "allies", "partners", "administrations", "ministries",
}
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas|as)\b|\b(?:while|whereas|after|before|when)\b", re.I)


def _issues_advice(st: _Sent, np_: C.NP) -> bool:
    """Is the counted noun phrase ("four Western governments") the subject of a travel-advice or embassy
    cue of its sentence ("... have urged their nationals to leave")? Then the number counts who gave
    advice (shown with the advisories), not something that happened."""
    from .advisories import _find_cues

    off = st.s.start
    for cue in _find_cues(st.s.text):
        verb = off + cue.verb
        if np_.end <= verb and verb - np_.end <= 160 and not _CLAUSE_BREAK.search(st.text, np_.end, verb):
            return True
    return False


def _counts(st: _Sent) -> None:
    text, hi = st.text, st.s.end
    for n in _open_counts(st):
        allow_of = n.qualifier == "vague" or bool(re.search(r"(?:dozen|thousand|million|hundred)s?$", n.surface,
                                                            re.I))
        np_ = C.np_after(text, n.end if n.unit is None else n.num_end, hi, allow_of=allow_of)
        if np_ is None:
            np_ = _subject_noun(text, st.s.start, n.start) or _moved_people(text, n, hi)
            if np_ is None:
                continue
        head = np_.head.lower()
        if n.value == 1 and n.word:
            continue  # "one convoy": a single thing is an event, not a count
        if n.qualifier == "exact" and re.search(r"(?:\b(?:the|these|those|its|their|both|all|his|her|our|my|your)|"
                                                r"\w['’]s?)\s+$", text[max(st.s.start, n.start - 8):n.start], re.I):
            continue  # "the three governments": a reference back, not a new count
        if re.search(r"\b(?:population|inhabitants|home\s+to|nation\s+of|country\s+of|populated)\b",
                     text[max(st.s.start, n.start - 40):min(hi, n.end + 40)], re.I):
            continue  # a population figure is not a count of something that happened
        if _NOT_HAPPENED_BEFORE.search(text, max(st.s.start, n.start - 30), n.start) and \
                head in _STOCK_NOUNS:
            continue  # "which served about 400,000 residents", "which has some 30,000 workers there": a stock
        if _NEEDED_AFTER.match(text, np_.end, hi) or _NEED_BEFORE.search(text, max(st.s.start, n.start - 30), n.start):
            continue  # "12,000 shelters are needed": a need, not something that happened
        # "at least four governments have urged their nationals to leave": a count of who gave advice (the
        # gold annotations keep it as a count); tagged so the brief shows it with the advisories
        issuers = head in _ISSUER_NOUNS and _issues_advice(st, np_)
        pm = _PASSIVE.match(text[np_.end:hi])
        if head not in C.COUNT_NOUNS and not (pm and head.endswith("s")) and not _demonym_plural(np_.head):
            continue
        what = C.norm_what(np_.words)
        if getattr(np_, "moved", None):
            what = f"people {np_.moved}"
        end = max(np_.end, n.end)
        if pm and np_.start > n.start:
            verb = re.sub(r"\s+", " ", pm.group("v"))
            what = f"{what} {verb}"
            end = np_.end + pm.end()
        f = Fact(kind=COUNT, rule="quantities.count", what=what)
        if issuers:
            f.attrs["counts"] = "advice_issuers"
        _set_num(f, n)
        f.actor = C.actor_before_verb(text, st.s.start, n.start) or C.actor_by(text, end, hi)
        if f.actor is None:
            mp = re.search(r"([A-Z][\w&-]+)['’]s\s+$", text[max(st.s.start, n.start - 20):n.start])
            if mp and not C.is_country_name(mp.group(1)):
                f.actor = mp.group(1)
        # comparison in the rest of the clause
        nxt = [m.start for m in st.nums if m.start > end and m.category in ("count",) and m.num_start not in st.used]
        cmp_hi = min(nxt) if nxt else hi
        comp = _comparison(text, end, cmp_hi)
        mv = re.search(r"\b(?:doubled|tripled|quadrupled|halved)\s+(?:to\s+)?$", text[max(st.s.start, n.start - 25):n.start])
        if comp is None and mv:
            comp = _comparison(text, n.start - len(mv.group(0)), n.start)
        # "doubled to 300" / "300, up from 150"
        upfrom = _UP_FROM.search(text, end, hi)
        base_n = None
        if upfrom:
            base_n = next((m for m in st.nums if m.start == upfrom.end() and m.category == "count"
                           and m.num_start not in st.used), None)
            # the base must not name its own, different noun ("against 12 vehicles")
            if base_n is not None:
                bnp = C.np_after(text, base_n.end, hi)
                if bnp is not None and bnp.head.lower() != np_.head.lower() and bnp.head.lower() in C.COUNT_NOUNS:
                    base_n = None
        # the governing period: before the number, or after it but before the comparison's base
        cmp_start = hi
        if comp and comp[2] > n.start:
            cmp_start = comp[2]
        elif upfrom is not None and base_n is not None:
            cmp_start = upfrom.start()
        mk = _BASE_MARK.search(text, n.end, cmp_start)
        if mk:
            cmp_start = mk.start()
        gov = _nearest_time(st.times, n.start, before_limit=st.s.start, after_limit=cmp_start)
        if gov is not None:
            f.period = gov.period
            st.attrs_time(f, gov)
        region = None
        w = C.where(text, st.s.start, hi)
        if w.country:
            region = C.country_name(w.country)
        elif st.subject:
            region = C.country_name(st.subject)
        f.region = region
        f.evidence = [st.ev(min(n.start, np_.start), end)]
        st.facts.append(f)
        st.used.add(n.num_start)
        if comp and n.value is not None:
            _derived_base(st, f, n, comp, gov, cmp_hi)
        elif base_n is not None:
            st.used.add(base_n.num_start)
            _reported_base(st, f, base_n, upfrom.start(), gov)


_TREND_VERB = (r"(?:rose|increased|fell|dropped|declined|decreased|tripled|doubled|quadrupled|halved|climbed|"
               r"jumped|reached|totalled|totaled|numbered|stood|surged|soared|grew|hit)")
_TOLL_SUBJECT = re.compile(
    rf"\b(fatalities|deaths|dead|killings|casualties|injuries|wounded)((?:\s+[\w'’-]+){{0,4}}?)\s+"
    rf"(?:{_TREND_VERB}|exceeded|surpassed|topped|passed)\s+(?:to\s+|at\s+)?$", re.I)


_STOCK_NOUNS = {"residents", "inhabitants", "workers", "employees", "staff", "nationals", "citizens", "people",
                "troops", "soldiers", "students", "members", "personnel", "expatriates", "households", "families",
                "beneficiaries", "customers", "users", "subscribers", "patients", "children", "pupils"}
_NOT_HAPPENED_BEFORE = re.compile(
    r"\b(?:serv(?:ed|es|ing)|(?:which|who|that|it|they)\s+(?:has|have|had|employs?|employed)|(?:has|have|had)\s+"
    r"(?:an\s+estimated|about|around|roughly|some|more\s+than|over|nearly|almost)|employ(?:s|ed|ing)|hosts?|hosting|"
    r"houses?|housing|shelters|sheltering|catering\s+(?:to|for))\s+(?:(?:about|around|roughly|some|more\s+than|over|"
    r"nearly|almost|an\s+estimated|up\s+to)\s+)?$", re.I)
_NEEDED_AFTER = re.compile(r"\s+(?:are|is|were|remain|will\s+be)\s+(?:still\s+|urgently\s+|also\s+)?(?:needed|required|"
                           r"necessary|lacking)\b", re.I)
_NEED_BEFORE = re.compile(r"\b(?:needs?|require[sd]?|requiring|lacks?|short\s+of|shortfall\s+of|target\s+of|"
                          r"plans?\s+to\s+\w+|aims?\s+to\s+\w+)\s+(?:an?\s+(?:additional|further|extra)\s+|another\s+|"
                          r"(?:at\s+least|about|some|around)\s+)?$", re.I)
# "Some 3.9 million (of them) have crossed into ...", "35,000 have fled": people on the move, the noun left out
_MOVED = re.compile(r"(?:\s+of\s+them)?\s+(?:have|had|has)\s+(?:now\s+|already\s+|since\s+|also\s+)?(?P<v>fled|crossed|"
                    r"been\s+displaced|been\s+uprooted|been\s+evacuated|returned|been\s+deported|been\s+relocated|"
                    r"sought\s+refuge|left\s+their\s+homes)\b", re.I)


def _moved_people(text: str, n: Num, hi: int) -> C.NP | None:
    if n.qualifier == "vague" or n.value is None or n.value < 10:
        return None
    m = _MOVED.match(text, n.end, hi)
    if not m:
        return None
    verb = re.sub(r"^been\s+", "", re.sub(r"\s+", " ", m.group("v").lower()))
    np_ = C.NP(n.end, m.end(), ["people"])
    np_.moved = verb  # what they did: "people crossed"
    return np_


def _subject_noun(text: str, lo: int, pos: int) -> C.NP | None:
    """'Attacks in Cabo Delgado tripled to 90': the counted noun is the subject before the verb."""
    m = re.search(rf"(?:^|(?<=\s))([A-Za-z][\w-]*)((?:\s+[\w'’-]+){{0,5}}?)\s+{_TREND_VERB}\s+(?:to\s+|at\s+|by\s+)?$",
                  text[lo:pos])
    if not m:
        return None
    word = m.group(1)
    if word.lower() not in C.COUNT_NOUNS or not word.lower().endswith("s"):
        return None
    return C.NP(lo + m.start(1), lo + m.end(1), [word.lower()])


_BASE_MARK = re.compile(r"\b(?:compared\s+(?:with|to)|than|versus|vs\.?|against|from)\s+(?:in\s+|during\s+)?"
                        r"(?=(?:the\s+)?(?:same|corresponding|(?:1[89]|20)\d\d|last|a\s+year|the\s+previous|"
                        r"H[12]|Q[1-4]|January|February|March|April|May|June|July|August|September|October|"
                        r"November|December|the\s+(?:first|second|third|fourth)))", re.I)


def _base_time(st: _Sent, lo: int, hi: int, gov: TimeMention | None) -> tuple[Period | None, int]:
    for t in st.times:
        if gov is not None and t is gov:
            continue
        if t.start < lo or t.start > hi:
            continue
        if t.kind == "same":
            return resolve_same(t, gov.period if gov else st.prev_period), t.end
        if t.period is not None and (gov is None or t is not gov):
            return t.period, t.end
    return None, lo


def _derived_base(st: _Sent, f: Fact, n: Num, comp, gov: TimeMention | None, hi: int) -> None:
    ratio, word, cs, ce = comp
    base_period, bend = _base_time(st, min(cs, n.end) if cs < n.start else cs, hi, gov)
    if cs < n.start:
        base_period, bend = _base_time(st, n.end, hi, gov)
    f.attrs["comparison"] = {"ratio": round(ratio, 4), "words": st.text[cs:ce],
                             "base_period": base_period.label if base_period else None}
    if base_period is None:
        return
    raw = n.value / ratio
    val = round(raw)
    # a hedged ratio ("nearly twice", "more than double") makes the base approximate too
    hedged_ratio = re.search(r"\b(?:nearly|almost|roughly|about|around|some|close to|more than|over|at least|"
                             r"less than|under|just under|just over)\s+$", st.text[max(0, cs - 20):cs], re.I)
    approx = abs(raw - val) > 1e-9 or n.qualifier not in ("exact",) or bool(hedged_ratio)
    d = Fact(kind=COUNT, rule="quantities.count.derived", what=f.what, actor=f.actor, region=f.region,
             value=float(val), qualifier="approx" if approx else "exact", period=base_period, derived=True)
    d.surface = st.text[cs:ce]
    rel = {"double": "double", "triple": "triple", "four times": "four times", "half": "half"}.get(
        word, f"{word} than" if not word.endswith("than") else word)
    if ratio not in (2.0, 3.0, 4.0, 0.5) and word not in ("a third more", "a quarter more", "a third fewer"):
        rel = f"{word} (x{ratio:g})"
    if hedged_ratio:
        rel = f"{hedged_ratio.group(0).strip()} {rel}"
    d.basis = f"{_fmt(n.value)} is {rel} the {base_period.label} figure: {_fmt(n.value)} / {ratio:.4g}" + \
        (f" ≈ {val}" if approx else f" = {val}")
    d.derived_from = [f"{e.source}:{e.start}-{e.end}" for e in f.evidence]
    d.attrs["comparison"] = {"ratio": round(ratio, 4), "of": _fmt(n.value)}
    if gov is not None and gov.inferred:
        d.attrs["period_inferred"] = True
    d.evidence = [st.ev(cs, max(ce, bend))]
    st.facts.append(d)


def _reported_base(st: _Sent, f: Fact, b: Num, cs: int, gov: TimeMention | None) -> None:
    base_period, bend = _base_time(st, b.end, st.s.end, gov)
    f.attrs["comparison"] = {"base_value": b.value, "base_period": base_period.label if base_period else None}
    d = Fact(kind=COUNT, rule="quantities.count.base", what=f.what, actor=f.actor, region=f.region,
             period=base_period)
    _set_num(d, b)
    d.evidence = [st.ev(cs, max(b.end, bend))]
    st.facts.append(d)


# --- other quantities ---------------------------------------------------------------------------


def _quantities(st: _Sent) -> None:
    text, hi = st.text, st.s.end
    if re.search(r"\b(?:subscri|donat|membership|newsletter|contribut|per\s+month|a\s+month|/month|sign\s+up|"
                 r"sponsor|advertis|promoted|also\s+on\s+(?:our|the)|elsewhere\s+(?:in|on)|read\s+more|more\s+from)",
                 st.s.text, re.I):
        return  # appeals, paywalls, advertisements and links to other stories, not facts
    for n in st.nums:
        if n.category not in ("measure", "money") or n.num_start in st.used:
            continue
        if n.value is None and n.low is None:
            continue
        end = n.end
        what = None
        if n.category == "measure":
            m = re.match(rf"\s+(?:(?i:{_DIR})(?:ern)?\s+)?(?:of|from)\s+({C._PLACE})", text[end:hi])
            if m and m.group(1)[:1].isupper():
                what = f"distance from {m.group(1)}"
                end += m.end()
            elif n.unit in ("miles", "km", "m"):
                what = "distance"
            else:
                np_ = C.np_after(text, n.end, hi, allow_of=True, max_words=3)
                if np_ is not None and re.match(r"\s+of\s", text[n.end:n.end + 5]):
                    what = C.norm_what(np_.words)
                    end = np_.end
                else:
                    what = n.unit
        else:
            ctxt = text[max(st.s.start, n.start - 60):min(hi, n.end + 60)].lower()
            if "ransom" in ctxt:
                what = "ransom"
            elif re.match(r"\s*(?:per|a|/)\s*(?:litre|liter|gallon|barrel|kg|kilo|tonne|ton|bag|sack)", text[end:hi],
                          re.I):
                what = "price"
            else:
                m = re.match(r"\s+(?:in|of|for|worth\s+of)\s+", text[end:hi])
                np_ = C.np_after(text, end + m.end() - 1, hi, max_words=3) if m else None
                what = C.norm_what(np_.words) if np_ else "amount"
        f = Fact(kind=QUANTITY, rule="quantities.quantity", what=what, unit=n.unit)
        _set_num(f, n)
        if n.qualifier == "range":
            f.value = None
        f.evidence = [st.ev(n.start, end)]
        st.facts.append(f)
        st.used.add(n.num_start)
