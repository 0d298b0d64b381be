"""Advisories: a government's travel advice or embassy posture (kind ``advisory``).

Fields: ``country`` = the ISSUING government (ISO2), ``action`` (strongest first):

- ``ordered_departure``: embassy staff, non-essential personnel or their families withdrawn, evacuated,
  ordered or authorised to leave (US "ordered/authorized departure", a "drawdown");
- ``leave_now``: nationals told / urged / advised / called on to leave, depart or evacuate, or a
  government evacuating its nationals;
- ``avoid_travel``: "do not travel", "avoid (all) travel", "advised against travel";
- ``other``: weaker or different postures: travel advice level raised, "reconsider travel", embassy
  closed or operations suspended.

Method (sentence by sentence, no model):

1. cue patterns find the action words and the people they concern (``attrs.scope`` staff/citizens);
2. the issuer comes from, in order: the subject of the cue's clause (country names, capitals used as
   metonyms, institutions such as "the Foreign Office", adjectives + government nouns such as "the
   Australian and Japanese governments"), the nationality of the people advised ("British nationals",
   "Americans"), another cue of the same sentence, any nationals phrase of the sentence, and finally the
   issuer of the previous sentence when the subject is an anaphor ("the department", "it");
3. coordinated lists ("Germany, Italy, Canada, and France") give one fact per country;
4. countries named as places (after "in", "from", "to", ...), the destination of the advice and the
   article's subject country are never issuers; cues about forces, troops, peacekeepers, contractors or
   ambassadors are not advisories; negated cues ("has not ordered") are dropped;
5. one fact per (issuer, action) per sentence; ``other`` is dropped when the same issuer has a stronger
   action in the sentence; an "evacuate or avoid travel" coordination gives the strongest action only.

The date is set when the sentence states one ("on Thursday" resolved against the publication date,
"October 28", "28 October 2025").
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..model import ADVISORY, Fact
from .lexicon import ADJECTIVE, CAPITAL, INSTITUTION, NAME, PEOPLE, CountryMention, _forms, find_countries
from .text import Context, lower_for_gates

RULE_VERSION = "adv-2"

_STRENGTH = {"ordered_departure": 0, "leave_now": 1, "avoid_travel": 2, "other": 3}

# ------------------------------------------------------------------------------------------------
# Vocabulary
# ------------------------------------------------------------------------------------------------

_GAP = r"(?:[\s,]+(?:[\w’'.\-&]+|“|”|\"))"  # one more word


def _gap(n: int) -> str:
    return rf"{_GAP}{{0,{n}}}?"


_PEOPLE_GENERIC = (
    r"nationals|citizens|residents|expatriates|expats|passport[- ]holders|travell?ers|visitors|tourists|"
    r"compatriots|people|those|anyone|everyone|foreigners"
)


def _people_plurals() -> list[str]:
    return sorted((f for f, (c, k) in _forms().items() if k == PEOPLE), key=len, reverse=True)


def _people_nouns() -> str:
    return rf"(?:{_PEOPLE_GENERIC}|(?-i:{_by_first_char(_people_plurals())}))"


def _by_first_char(words: list[str]) -> str:
    """``'|'.join(map(re.escape, words))`` with the words grouped by first character ("B(?:ritons|rits)"),
    each group where its first word stood and the words of a group in their order. Words with different
    first characters never match at one position, so the alternation tries the same words in the same
    order; it just skips a whole group after one character test instead of trying each word."""
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[:1], []).append(w[1:])
    parts = []
    for c, rests in groups.items():
        if len(rests) == 1:
            parts.append(re.escape(c + rests[0]))
        else:
            parts.append(re.escape(c) + "(?:" + "|".join(re.escape(r) for r in rests) + ")")
    return "|".join(parts)


_PEOPLE_KEYS: tuple[str, ...] | None = None


def _people_keys() -> tuple[str, ...]:
    """Lower-case words one of which any match of ``_people_nouns()`` contains (for gates)."""
    global _PEOPLE_KEYS
    if _PEOPLE_KEYS is None:
        generic = ("nationals", "citizens", "residents", "expatriates", "expats", "holders", "travel", "visitors",
                   "tourists", "compatriots", "people", "those", "anyone", "everyone", "foreigners")
        _PEOPLE_KEYS = tuple(dict.fromkeys(generic + tuple(p.split()[0].lower() for p in _people_plurals())))
    return _PEOPLE_KEYS


_STAFF = (
    r"(?:(?:non-?essential|non-?emergency|nonessential|nonemergency|embassy|diplomatic|government|consular|"
    r"mission|expatriate|U\.?S\.? government)\s+(?:\w+\s+)?(?:staff(?:ers)?|personnel|employees|workers|officials|"
    r"diplomats|team|teams|presence)"
    r"|staff(?:ers)?\s+(?:at|from|of)\s+(?:its|their|the)\s+(?:\w+\s+)?(?:embassy|embassies|mission|consulate)"
    r"|(?:its|their)\s+(?:embassy\s+)?(?:staff|personnel|diplomats|employees)"
    r"|(?:its|their|some|remaining|most|all)\s+(?:(?:remaining|other|own|[A-Z][\w.]*-based|locally\s+engaged)\s+){1,2}"
    r"(?:staff|personnel|diplomats|employees)"
    r"|some\s+(?:of\s+(?:its|their)\s+)?(?:staff|personnel|diplomats)"
    r"|diplomats|diplomatic\s+staff|embassy\s+staff"
    r"|family\s+members|dependents|dependants|(?:their\s+)?families)"
)

_LEAVE = (
    r"(?:leave|depart|evacuate|exit|get\s+out|quit|flee|go\s+home|return\s+home|relocate|"
    r"make\s+(?:arrangements|plans)\s+to\s+leave)"
)

_ADVISE = (
    r"(?:urg\w*|advis\w*|tell\w*|told|call\w*\s+(?:on|upon)|ask\w*|instruct\w*|encourag\w*|recommend\w*|"
    r"warn\w*|order\w*|direct\w*|press\w*|implor\w*)"
)

_NEG_OBJECTS = re.compile(
    r"\b(?:forces|troops|soldiers|peacekeep\w*|military|militar\w*|contingent|battalions?|army|armies|"
    r"mercenar\w*|contractors?|ambassadors?|envoys?|fighters|jihadists|militants|insurgents|"
    r"expel\w*|expuls\w*|persona\s+non\s+grata|imports?|exports?|goods|trucks?|tankers?|vessels?|ships?)\b",
    re.I,
)

_NEGATION = re.compile(
    r"\b(?:not|no|never|n[o’']t|don’t|didn’t|hasn’t|haven’t|won’t|wouldn’t|neither|nor|refus\w+|declin\w+|"
    r"rul\w+\s+out|without)\b",
    re.I,
)

_GOV_NOUN = re.compile(
    r"^(?:[’']s)?\s+(?:(?:foreign|interior|defen[cs]e)\s+)?(?:government|governments|authorities|officials|"
    r"embassy|embassies|consulate|consulates|mission|missions|ministry|ministries|foreign\s+office|"
    r"state\s+department|department|diplomats|foreign\s+minister|minister|prime\s+minister|president|"
    r"chancellor|administration|cabinet|high\s+commission|spokesperson|spokesman|spokeswoman|representation|"
    r"delegation|chancell(?:ery|eries)|legation)\b",
    re.I,
)

_PEOPLE_AFTER = None  # compiled lazily (depends on lexicon)

_LOC_PREP = re.compile(
    r"\b(?:in|from|to|for|into|across|of|on|near|at|over|within|throughout|with|against|between|by|about|"
    r"toward|towards|outside|inside|around|via|through|beyond|under|after|following|than|leave|leaving|"
    r"left|visit\w*|exit\w*|depart\w*|enter\w*|neighbou?ring|bordering)\s+(?:the\s+)?$",
    re.I,
)

_SEP = re.compile(r"^(?:\s*(?:,|and\s+of|or\s+of|and|or|&|as\s+well\s+as|plus|along\s+with|together\s+with|—|–|-|the|\s)"
                  r"\s*)*$", re.I)

_ANAPHOR = re.compile(
    r"\b(?:it|he|she|they|the\s+(?:department|ministry|embassy|office|spokes\w+|official|government|"
    r"statement|advisory|mission|consulate|agency|administration))\b",
    re.I,
)

_OF_ISSUER = re.compile(
    r"(?:governments?|ministr(?:y|ies)|embass(?:y|ies)|authorities|nationals|citizens|foreign\s+offices?|"
    r"departments?)\s+of\s+(?:the\s+)?$",
    re.I,
)


@dataclass
class _Cue:
    action: str
    start: int  # offsets in the sentence text
    end: int
    verb: int  # where the subject region ends
    rule: str
    scope: str
    people: tuple[int, int] | None = None  # span of the people noun phrase
    issuers: list[tuple[str, CountryMention | None, str]] = field(default_factory=list)


def _compile():
    people = _people_nouns()
    pnp = rf"(?:[\w.’'\-]+,?\s+){{0,4}}?{people}"
    lv = _LEAVE
    pats: list[tuple[str, str, str, str]] = [
        # --- ordered departure
        ("ordered_departure", "od.order-noun", "staff",
         rf"\b(?P<verb>(?:order|authori[sz]|approv|direct|announc|begin|began|begun|start|carr(?:y|ied)\s+out|"
         rf"complet|conduct)\w*){_gap(4)}\s+(?:the\s+)?(?:(?:immediate|voluntary|mandatory|temporary|partial|"
         rf"phased)\s+)*(?:departure|withdrawal|evacuation|drawdown|relocation|pull-?out|exit|removal)\s+of"
         rf"{_gap(4)}\s+(?P<obj>{_STAFF})"),
        ("ordered_departure", "od.verb-staff", "staff",
         rf"\b(?P<verb>withdr[ae]w|withdrawn|withdrawing|withdraws|evacuat(?:e|ed|es|ing)|pull(?:ed|ing|s)?\s+out|"
         rf"pull(?:ed|ing|s)?|relocat(?:e|ed|es|ing)|reduc(?:e|ed|es|ing)|draw(?:n|ing|s)?\s+down|drew\s+down|"
         rf"recall(?:ed|ing|s)?|sen[dt](?:ing|s)?\s+home|fl(?:y|ew|own)\s+out|airlift\w*){_gap(3)}\s+"
         rf"(?P<obj>{_STAFF})"),
        ("ordered_departure", "od.staff-passive", "staff",
         rf"(?P<obj>{_STAFF}){_gap(7)}\s+(?:were|have\s+been|has\s+been|had\s+been|are\s+being|are|is|was|will\s+be|"
         rf"would\s+be)\s+(?P<verb>(?:ordered|authori[sz]ed|told|instructed|allowed|permitted|being\s+withdrawn|"
         rf"withdrawn|evacuated|relocated|pulled\s+out|flown\s+out))\b"),
        ("ordered_departure", "od.order-staff-to", "staff",
         rf"\b(?P<verb>(?:order|authori[sz]|instruct|direct|told|tell|allow|permit)\w*){_gap(3)}\s+(?P<obj>{_STAFF})"
         rf"{_gap(6)}\s+to\s+(?:\w+\s+)?{lv}\b"),
        ("ordered_departure", "od.order-staff-out", "staff",
         rf"\b(?P<verb>(?:order|pull|took|take|taking|flew|fly|flown)\w*){_gap(3)}\s+(?P<obj>{_STAFF})\s+out\b"),
        ("ordered_departure", "od.ordered-departure", "staff",
         rf"\b(?P<verb>(?:placed|put|moved|went|go|going|on|under|announced|approved|declared|remains?|is|was|"
         rf"stays?|remained))\b{_gap(4)}\s+"
         rf"(?:an?\s+|the\s+)?(?:ordered|authori[sz]ed)\s+departure\b"),
        ("ordered_departure", "od.evacuate-embassy", "staff",
         rf"\b(?P<verb>evacuat(?:e|ed|es|ing)|clos\w+\s+and\s+evacuat\w+)\s+(?:its|their|the)\s+(?:\w+\s+)?"
         rf"(?:embassy|embassies|mission|consulate)\b"),
        ("ordered_departure", "od.noun", "staff",
         rf"\b(?P<verb>(?:withdrawal|evacuation|departure|drawdown|relocation|pull-?out))\s+of{_gap(3)}\s+"
         rf"(?P<obj>{_STAFF})"),
        # --- leave now
        ("leave_now", "ln.advise-people-to-leave", "citizens",
         rf"\b(?P<verb>{_ADVISE}){_gap(3)}\s+(?P<obj>{pnp}){_gap(7)}\s+to\s+(?:(?:\w+ly|now)\s+)?"
         rf"(?P<lv>(?:consider\s+(?:leaving|departing)|{lv})"
         rf"(?:\s+or\s+(?:to\s+)?(?:avoid|not)\s+(?:\w+\s+)?travel\w*)?)\b"),
        ("leave_now", "ln.people-should-leave", "citizens",
         rf"(?P<obj>{pnp}){_gap(6)}\s+(?P<verb>should|must|need\s+to|ought\s+to|have\s+to|had\s+to|to|"
         rf"(?:are|were|have\s+been|had\s+been|has\s+been|was|being)\s+(?:\w+\s+)?(?:urged|advised|told|asked|"
         rf"encouraged|instructed|ordered|called\s+on|recommended|warned)(?:\s+by\s+(?:the\s+)?(?:[\w’'.&\-]+\s+){{0,4}}?"
         rf"[\w’'.&\-]+)?)\s+(?:to\s+)?[\"“]?(?:(?:\w+ly|now)\s+)?(?P<lv>{lv})\b"),
        ("leave_now", "ln.you-should-leave", "citizens",
         rf"\b(?P<verb>you\s+(?:should|must|need\s+to|are\s+(?:strongly\s+)?(?:advised|urged|told)\s+to))\s+"
         rf"(?:(?:\w+ly|now)\s+)?(?P<lv>{lv})\b"),
        ("leave_now", "ln.recommend-that", "citizens",
         rf"\b(?P<verb>(?:recommend|advis|urg|ask|insist)\w*)\s+(?:that\s+)(?P<obj>{pnp}){_gap(4)}\s+"
         rf"(?:should\s+)?(?P<lv>{lv})\b"),
        ("leave_now", "ln.call-departure-of", "citizens",
         rf"\b(?P<verb>(?:recommend|advis|urg|call(?:ed|s|ing)?\s+for|order|organi[sz]|begin|began|start|arrang)"
         rf"\w*){_gap(3)}\s+(?:the\s+)?(?:(?:immediate|urgent)\s+)?(?:departure|evacuation|exit|repatriation)\s+of"
         rf"{_gap(3)}\s+(?P<obj>{pnp})"),
        ("leave_now", "ln.evacuate-people", "citizens",
         rf"\b(?P<verb>evacuat(?:e|ed|es|ing)|airlift\w*|repatriat\w*|fl(?:y|ew|own|ying)\s+out)\s+"
         rf"(?:(?:\d[\d,]*|some|more\s+than\s+\d[\d,]*|hundreds\s+of|dozens\s+of)\s+)?"
         rf"(?P<obj>(?:its|their|the)\s+(?:own\s+)?(?:nationals|citizens|compatriots)|(?-i:[A-Z][\w’'.\-]*)\s+"
         rf"(?:nationals|citizens)|{people})\b"),
        ("leave_now", "ln.advice-to-leave", "citizens",
         rf"\b(?P<verb>(?:advice|call|calls|warning|instruction|recommendation|appeal))\s+(?:for\s+\w+\s+)?"
         rf"(?:to\s+{lv}|(?:now\s+)?reads?\s*[:,]?\s*[\"“]\s*{lv})\b"),
        # --- avoid travel
        ("avoid_travel", "at.tell-avoid", "citizens",
         rf"\b(?P<verb>{_ADVISE}){_gap(3)}\s+(?P<obj>{pnp}){_gap(5)}\s+to\s+(?:avoid|stay\s+away|stay\s+out|"
         rf"keep\s+away|steer\s+clear)\b"),
        ("avoid_travel", "at.do-not-travel", "citizens",
         r"\b(?P<verb>(?:do\s+not|don[’']t|not\s+to|should\s+not|must\s+not|shouldn[’']t))\s+(?:\w+\s+)?"
         r"(?:travel|go|visit)\b"),
        ("avoid_travel", "at.avoid-travel", "citizens",
         r"\b(?P<verb>avoid\w*)\s+(?:all\s+|any\s+)?(?:(?:non-?essential|nonessential|unnecessary|but\s+essential)\s+)?"
         r"(?:travel\w*|trips?|visits?)\b"),
        ("avoid_travel", "at.against-travel", "citizens",
         r"\b(?P<verb>against)\s+(?:all\s+|any\s+)?(?:(?:but\s+essential|non-?essential|nonessential|unnecessary)\s+)?"
         r"(?:travel\w*|visit\w*|trips?|going)\b"),
        ("avoid_travel", "at.refrain-ban", "citizens",
         r"\b(?P<verb>refrain\w*\s+from|(?:ban|bann\w+|bars?|barr\w+|prevent\w*|prohibit\w*|forbid\w*|forbad\w*)"
         r"(?:\s+(?:its|their|all)\s+(?:own\s+)?(?:citizens|nationals)\s+from)?)\s+(?:all\s+|any\s+)?"
         r"(?:travel\w*|going|visit\w*|trips?)\s+(?:to|in)\b"),
        ("avoid_travel", "at.level-4", "citizens",
         r"\b(?P<verb>level\s+(?:4|four))\b"),
        # --- "X have done so", "Y followed suit": the action of the advice just before (set in extract)
        ("other", "fs.follow", "citizens",
         r"\b(?P<verb>(?:have|has|had)\s+(?:now\s+|already\s+|also\s+|since\s+)?(?:done\s+so|done\s+the\s+same|"
         r"followed\s+suit)|did\s+the\s+same|followed\s+suit|(?:issued|made|gave)\s+similar\s+(?:calls|warnings|"
         r"appeals|advice|advisories|instructions|recommendations))\b"),
        # --- other
        ("other", "ot.raise-level", "travel advice",
         r"\b(?P<verb>(?:rais|upgrad|elevat|increas|hik|lift|tighten|updat|revis|strengthen)\w*)\s+(?:\w+\s+){0,3}?"
         r"travel\s+(?:advice|advisory|advisories|warning|warnings|alert|level|guidance)\b"),
        ("other", "ot.reconsider", "citizens",
         r"\b(?P<verb>reconsider)\s+(?:all\s+)?(?:travel\w*|trips?|visits?)\b"),
        ("other", "ot.embassy-closed", "embassy",
         r"\b(?P<verb>(?:clos\w+|shut\w*|suspend\w*|halt\w*))\s+(?:down\s+)?(?:\w+\s+){0,3}?(?:its|their|the)\s+"
         r"(?:\w+\s+)?(?:embassy|embassies|consulate|consular\s+(?:services|operations)|mission)\b"),
        ("other", "ot.embassy-closes", "embassy",
         r"\b(?:embassy|consulate)\s+(?:\w+\s+){0,4}?(?P<verb>(?:(?:has|had|will|would)\s+(?:be\s+)?)?"
         r"(?:closed|shut|suspended|clos(?:e|es|ing)|suspend(?:s|ing)?))\b"),
    ]
    return [(a, r, s, re.compile(p, re.I), _GATES[r]) for a, r, s, p in pats]


# Cheap necessary conditions. A pattern can only match a sentence whose text (lowercased, whitespace
# runs made one space) passes its gate: the gates test words each pattern's match must contain.
# Sentences without advice vocabulary (most of an article) then cost a few substring tests instead of
# 23 regex scans. Keep these in step with the patterns above (tests/test_extract_speed.py checks that
# gated and ungated cue finding agree).
def _any(hay: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w in hay:
            return True
    return False


_STAFF_STRONG = ("staff", "personnel", "employees", "diplomats", "family members", "dependents", "dependants",
                 "families")
_STAFF_QUAL = ("essential", "emergency", "embassy", "diplomatic", "government", "consular", "mission", "expatriate")
_STAFF_WEAK = ("workers", "officials", "team", "presence")
_LV_KW = ("leave", "leaving", "depart", "evacuate", "exit", "get out", "quit", "flee", "go home", "return home", "relocate")
_ADVISE_KW = ("urg", "advis", "tell", "told", "call", "ask", "instruct", "encourag", "recommend", "warn", "order",
              "direct", "press", "implor")
_OF_NOUNS = ("departure of", "withdrawal of", "evacuation of", "drawdown of", "relocation of", "pullout of",
             "pull-out of")


def _staff(h: str) -> bool:
    return _any(h, _STAFF_STRONG) or (_any(h, _STAFF_QUAL) and _any(h, _STAFF_WEAK))


_GATES = {
    "od.order-noun": lambda h: _any(h, _OF_NOUNS + ("exit of", "removal of")) and _staff(h),
    "od.verb-staff": lambda h: _any(h, ("withdr", "evacuat", "pull", "relocat", "reduc", "draw", "drew down",
                                        "recall", "home", "fly out", "flew out", "flown out", "airlift")) and _staff(h),
    "od.staff-passive": lambda h: _any(h, ("ordered", "authorised", "authorized", "told", "instructed", "allowed",
                                           "permitted", "withdrawn", "evacuated", "relocated", "pulled out",
                                           "flown out")) and _staff(h),
    "od.order-staff-to": lambda h: _any(h, ("order", "authori", "instruct", "direct", "told", "tell", "allow",
                                            "permit")) and _any(h, _LV_KW) and _staff(h),
    "od.order-staff-out": lambda h: " out" in h and _any(h, ("order", "pull", "took", "take", "flew", "fly",
                                                             "flown")) and _staff(h),
    "od.ordered-departure": lambda h: "departure" in h,
    "od.evacuate-embassy": lambda h: "evacuat" in h,
    "od.noun": lambda h: _any(h, _OF_NOUNS) and _staff(h),
    "ln.advise-people-to-leave": lambda h: _any(h, _LV_KW) and _any(h, _ADVISE_KW),
    "ln.people-should-leave": lambda h: _any(h, _LV_KW) and _any(h, _people_keys()),
    "ln.you-should-leave": lambda h: "you " in h and _any(h, _LV_KW),
    "ln.recommend-that": lambda h: "that" in h and _any(h, _LV_KW),
    "ln.call-departure-of": lambda h: _any(h, ("departure of", "evacuation of", "exit of", "repatriation of")),
    "ln.evacuate-people": lambda h: _any(h, ("evacuat", "airlift", "repatriat", "fly out", "flew out",
                                             "flown out", "flying out")),
    "ln.advice-to-leave": lambda h: _any(h, _LV_KW),
    "at.tell-avoid": lambda h: _any(h, ("avoid", "stay away", "stay out", "keep away", "steer clear")),
    "at.do-not-travel": lambda h: _any(h, ("not", "n't", "n’t")),
    "at.avoid-travel": lambda h: "avoid" in h,
    "at.against-travel": lambda h: "against" in h,
    "at.refrain-ban": lambda h: _any(h, ("refrain", "ban", "bar", "prevent", "prohibit", "forb")) and _any(
        h, ("travel", "going", "visit", "trip")),
    "at.level-4": lambda h: "level" in h,
    "fs.follow": lambda h: _any(h, ("done so", "done the same", "did the same", "followed suit", "similar ")),
    "ot.raise-level": lambda h: _any(h, ("travel advi", "travel warning", "travel alert", "travel level",
                                         "travel guidance")),
    "ot.reconsider": lambda h: "reconsider" in h,
    "ot.embassy-closed": lambda h: _any(h, ("embass", "consul", "mission")),
    "ot.embassy-closes": lambda h: _any(h, ("embassy", "consulate")),
}

def _gate_open(gate, low: str) -> bool:
    return gate(low)


_PATTERNS = None


def _patterns():
    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = _compile()
    return _PATTERNS


# ------------------------------------------------------------------------------------------------
# Cue finding
# ------------------------------------------------------------------------------------------------


def _find_cues(t: str, patterns=None, low: str | None = None) -> list[_Cue]:
    cues: list[_Cue] = []
    low = lower_for_gates(t) if low is None else low
    for action, rule, scope, rx, gate in (_patterns() if patterns is None else patterns):
        if not gate(low):
            continue
        for m in rx.finditer(t):
            span = t[m.start():m.end()]
            if action in ("ordered_departure", "leave_now") and _NEG_OBJECTS.search(span):
                continue
            verb = m.start("verb") if "verb" in rx.groupindex and m.group("verb") else m.start()
            # negation just before the verb ("has not ordered", "no plans to evacuate")
            clause = max(t.rfind(",", 0, m.start()), t.rfind(";", 0, m.start()), t.rfind(":", 0, m.start()),
                         t.rfind(" and ", 0, verb),
                         t.rfind(" but ", 0, verb), max(0, m.start() - 40))
            pre = t[max(0, clause):verb] if verb - clause < 80 else t[max(0, verb - 28):verb]
            if _NEGATION.search(pre) and _NEGATION.search(t[max(0, clause):m.start() + 1] + " " + pre) and not re.search(r"\b(?:do|does|should|must)\s+not\s*$|not\s+to\s*$", pre, re.I):
                if not (rule.startswith("at.") and re.search(r"\bnot\b", m.group(0), re.I)):
                    continue
            if rule == "at.do-not-travel" or rule == "at.against-travel":
                # "not to travel" needs an advice context nearby; plain "could not travel" is a fact, not advice
                ctx = t[max(0, m.start() - 80):m.end() + 10]
                if not re.search(r"advis|urg|warn|told|tell|recommend|caution|should|must|do\s+not|don[’']t|"
                                 r"travel\s+advi|level", ctx, re.I):
                    continue
                if re.search(r"\b(?:could|can|cannot|can[’']t|unable|were\s+not|was\s+not|did\s+not)\b",
                             t[max(0, m.start() - 12):m.start() + 4], re.I):
                    continue
            people = None
            if "obj" in rx.groupindex and m.group("obj"):
                people = (m.start("obj"), m.end("obj"))
            a = action
            if rule == "ln.advise-people-to-leave" or rule == "ln.people-should-leave":
                obj = m.group("obj") or ""
                if re.search(rf"\b(?:{_STAFF})\b", obj, re.I):
                    a = "ordered_departure"
            cues.append(_Cue(a, m.start(), m.end(), verb, rule, "staff" if a == "ordered_departure" else scope, people))
    # keep one cue per overlapping group: longest, then strongest
    cues.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cue] = []
    for c in cues:
        clash = None
        for k in kept:
            if c.start < k.end and k.start < c.end:
                clash = k
                break
        if clash is None:
            kept.append(c)
        elif c.action == clash.action:
            clash.end = max(clash.end, c.end)
            clash.people = clash.people or c.people
        elif _STRENGTH[c.action] > _STRENGTH[clash.action] and not re.search(
            r"\bor\s+(?:to\s+)?(?:\w+\s+)?$", t[clash.start:c.start], re.I
        ):
            kept.append(c)  # a separate, weaker cue inside a long match ("advised ... against travel and urged ...")
        elif _STRENGTH[c.action] < _STRENGTH[clash.action] and c.action != "other":
            # overlapping cues: keep the stronger reading, merged span
            clash.action, clash.rule, clash.scope = c.action, c.rule, c.scope
            clash.people = clash.people or c.people
            clash.start, clash.end = min(clash.start, c.start), max(clash.end, c.end)
    kept.sort(key=lambda c: c.start)
    return kept


# ------------------------------------------------------------------------------------------------
# Issuer resolution
# ------------------------------------------------------------------------------------------------


def _groups(t: str, ms: list[CountryMention]) -> list[list[CountryMention]]:
    out: list[list[CountryMention]] = []
    for m in ms:
        if out and _SEP.match(t[out[-1][-1].end:m.start]):
            out[-1].append(m)
        else:
            out.append([m])
    return out


def _adjectival(t: str, m: CountryMention) -> bool:
    return bool(_GOV_NOUN.match(t[m.end:m.end + 40]))


_PEOPLE_NOUN_AFTER = re.compile(
    rf"^(?:[’']s)?\s+(?:dual\s+)?(?:{_PEOPLE_GENERIC}|passport|staff|personnel|embassy|diplomats|forces|troops|"
    rf"soldiers|military|firms|companies|officials|government)\b",
    re.I,
)


def _attributive(t: str, m: CountryMention) -> bool:
    """"U.S. citizens", "French forces": the country word qualifies a noun, it is not a place."""
    return bool(_PEOPLE_NOUN_AFTER.match(t[m.end:m.end + 40])) or _adjectival(t, m)


def _governmentish(t: str, group: list[CountryMention], m: CountryMention) -> bool:
    """An adjective counts only when the group ends in a government noun ("the Australian and Japanese governments")."""
    return _adjectival(t, group[-1]) or _adjectival(t, m)


def _location(t: str, group: list[CountryMention]) -> bool:
    first = group[0]
    before = t[max(0, first.start - 40):first.start]
    if _OF_ISSUER.search(before):
        return False
    return bool(_LOC_PREP.search(before))


def _subject_issuers(t: str, ms: list[CountryMention], lo: int, hi: int,
                     exclude: set[str] | frozenset[str] = frozenset()) -> list[CountryMention]:
    region = [m for m in ms if lo <= m.start and m.end <= hi and m.code not in exclude]
    if not region:
        return []
    accepted_groups: list[list[CountryMention]] = []
    for g in _groups(t, region):
        keep: list[CountryMention] = []
        # "... aimed at the United States and Britain, which have told ...": a relative clause names its subject
        relative = bool(re.match(r"^(?:[^.;:,]{0,60})?,\s*(?:which|who|whose)\b|^\s*(?:which|who|whose)\b",
                                 t[g[-1].end:hi], re.I)) and not re.search(r"[.;:]", t[g[-1].end:hi])
        loc = _location(t, g) and not relative
        for m in g:
            if re.match(r"-[a-z]", t[m.end:m.end + 2]):
                continue  # "London-listed miner", "Paris-based group", "US-led coalition": not a government
            if m.kind in (NAME, CAPITAL, INSTITUTION):
                if loc and not _adjectival(t, m):
                    continue
                keep.append(m)
            elif m.kind == ADJECTIVE and _governmentish(t, g, m):
                keep.append(m)
        if keep:
            accepted_groups.append(keep)
    if not accepted_groups:
        return []
    nearest = accepted_groups[-1]  # the group nearest the verb
    if _OBJECT_OF.search(t[max(0, nearest[0].start - 30):nearest[0].start]):
        return []  # "told Paris to withdraw its staff": the group is an object, the issuer is someone else
    return nearest


_OBJECT_OF = re.compile(
    r"\b(?:told|tell\w*|ask\w*|order\w*|urg\w*|forc\w*|demand\w*|instruct\w*|gave|giv\w+|called\s+on|"
    r"pressur\w+|press\w*)\s+(?:the\s+)?$",
    re.I,
)
_EXPULSION = re.compile(r"\b(?:expel\w*|expuls\w*|persona\s+non\s+grata|kick\w*\s+out|declared\s+\w+\s+unwelcome)\b", re.I)


def _people_issuers(t: str, ms: list[CountryMention], lo: int, hi: int) -> list[CountryMention]:
    """Nationality of the people advised: "British nationals", "U.S. citizens", "Americans", "nationals of X"."""
    out: list[CountryMention] = []
    region = [m for m in ms if lo <= m.start and m.end <= hi + 40]
    for g in _groups(t, region):
        for m in g:
            if m.end > hi and not (m.start < hi):
                # "nationals of Germany and France": only when the group follows "nationals of"
                before = t[max(0, g[0].start - 20):g[0].start]
                if not re.search(r"(?:nationals|citizens)\s+of\s+(?:the\s+)?$", before, re.I) or g[0].start > hi + 4:
                    continue
                out.append(m)
                continue
            if m.kind == PEOPLE:
                out.append(m)
            elif m.kind in (ADJECTIVE, NAME):
                after = t[g[-1].end:g[-1].end + 30]
                if re.match(rf"\s+(?:{_PEOPLE_GENERIC})\b", after, re.I) or re.match(
                    r"\s+(?:dual\s+)?(?:nationals|citizens|passport)", after, re.I
                ):
                    out.append(m)
    return out


def _sentence_people(t: str, ms: list[CountryMention]) -> list[CountryMention]:
    out = []
    for m in ms:
        if m.kind == PEOPLE:
            out.append(m)
        elif m.kind in (ADJECTIVE, NAME) and re.match(r"\s+(?:nationals?|citizens?|passport[- ]holders?)\b", t[m.end:m.end + 25], re.I):
            out.append(m)
    return out


def _opening_issuers(t: str, ms: list[CountryMention], subject: str | None) -> list[str]:
    """A government named as the subject at the start of a sentence ("The State Department issued ..."),
    kept so that an anaphor in the next sentence ("It advised ...") can refer back to it."""
    first = [m for m in ms if m.start < 45]
    if not first:
        return []
    rx = re.compile(r"\b(?:said|says|issued|issues|announced|announces|released|published|updated|has|have|had|is|"
                    r"was|will|would|on)\b")
    verb = rx.search(t, first[0].end)
    hi = verb.start() if verb else 45
    got = _subject_issuers(t, ms, 0, hi, {subject} if subject else frozenset())
    return [m.code for m in got]


def _destinations(t: str, ms: list[CountryMention], cue: _Cue) -> set[str]:
    """Countries the advice is about: "leave Mali", "travel to Haiti", "in Lebanon"."""
    out = set()
    for m in ms:
        if m.kind not in (NAME, CAPITAL):
            continue
        before = t[max(0, m.start - 30):m.start]
        if re.search(r"\b(?:leave|leaving|depart(?:ing)?|exit|evacuate|flee|quit|to|for|in|into|from|within|across|inside|"
                     r"visit(?:ing)?|travel(?:l?ing)?\s+to)\s+(?:the\s+)?$", before, re.I):
            if not _attributive(t, m) and not re.match(r"^\s*,\s*(?:which|who|whose)\b", t[m.end:m.end + 12], re.I):
                out.add(m.code)
    return out


def _subject_country(ctx: Context) -> str | None:
    """The subject country of ctx's source (cached on the context); see ``subject_country_of``."""
    cached = getattr(ctx, "_adv_subject", None)
    if cached is not None:
        return cached or None
    best = subject_country_of(ctx.source.text) or ""
    try:
        setattr(ctx, "_adv_subject", best)
    except Exception:  # pragma: no cover
        pass
    return best or None


_SUBJECT_OF: list = [None, None]  # [text, answer] for the last text asked about


def subject_country_of(text: str) -> str | None:
    """The country an article is about: the country most often named as a place ("in X", "leave X",
    "X's", its capital). Bare names (often issuers: "France urged ...") do not count."""
    if _SUBJECT_OF[0] is text:
        return _SUBJECT_OF[1]
    best = _subject_country_of(text)
    _SUBJECT_OF[0], _SUBJECT_OF[1] = text, best
    return best


def _subject_country_of(text: str) -> str | None:
    score: dict[str, float] = {}
    for m in find_countries(text):
        if m.kind in (INSTITUTION, ADJECTIVE, PEOPLE) or _attributive(text, m):
            continue
        before = text[max(0, m.start - 40):m.start]
        w = 0.0
        if re.search(r"\b(?:in|to|into|from|across|of|leave|leaving|quit|flee|visit|visiting|inside|throughout|"
                     r"within)\s+(?:the\s+)?$", before, re.I) and not _OF_ISSUER.search(before):
            w = 2.0
        elif text[m.end:m.end + 2] in ("’s", "'s"):
            w = 2.0
        elif m.kind == CAPITAL:
            w = 1.0
        if w:
            score[m.code] = score.get(m.code, 0) + w
    best = max(sorted(score), key=lambda c: score[c]) if score else ""
    if best and score[best] < 2:
        best = ""
    return best or None


# ------------------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------------------

_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH_RX = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"


def _resolve_date(t: str, pub: date | None) -> tuple[str | None, str | None]:
    m = re.search(rf"\b(?P<m>{_MONTH_RX})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", t)
    if not m:
        m = re.search(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_RX})(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", t)
    if m:
        mon = _MONTHS[m.group("m").rstrip(".").lower()]
        day = int(m.group("d"))
        year = int(m.group("y")) if m.group("y") else None
        if year is None and pub is not None:
            year = pub.year
            try:
                if date(year, mon, day) > pub:
                    year -= 1
            except ValueError:
                return None, None
        if year is not None:
            try:
                return date(year, mon, day).isoformat(), "day"
            except ValueError:
                return None, None
    w = re.search(r"\b(?:on\s+|last\s+|this\s+|released\s+|issued\s+|)(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", t)
    if w and pub is not None:
        target = _WEEKDAYS[w.group("w").lower()]
        back = (pub.weekday() - target) % 7
        return (pub - timedelta(days=back)).isoformat(), "day"
    return None, None


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def _clause_end(t: str, i: int) -> int:
    m = re.search(r"[,;:.!?—–(]|\s[“\"]|”", t[i:])
    end = i + m.start() if m else len(t)
    return min(end, i + 80)


def _sentence_mentions(every: list[CountryMention], starts: list[int], lo: int, hi: int) -> list[CountryMention]:
    """``find_countries(text[lo:hi])`` for a sentence, from the mentions of the whole text (no country
    form spans a sentence boundary, so the two agree; a test checks it)."""
    i = bisect.bisect_left(starts, lo)
    out = []
    while i < len(every) and every[i].start < hi:
        m = every[i]
        if m.end <= hi:
            out.append(CountryMention(m.start - lo, m.end - lo, m.text, m.code, m.kind))
        i += 1
    return out


def extract(ctx: Context) -> list[Fact]:
    text = ctx.source.text
    subject = _subject_country(ctx)
    facts: list[Fact] = []
    prev_issuers: list[str] = []
    page_issuers: list[str] = []  # the issuers most recently named anywhere before (a travel-advice page's voice)
    prev_action: str | None = None  # the strongest advice of the sentence before (for "X have done so")
    low = lower_for_gates(text)
    patterns = [p for p in _patterns() if p[4](low)]  # those that can match anywhere
    every = find_countries(text)
    starts = [m.start for m in every]
    for sent in ctx.sentences:
        t = sent.text
        low_t = lower_for_gates(t)
        cues = _find_cues(t, patterns, low_t) if patterns else []
        if any(w in low_t for w in ("expel", "expuls", "persona", "kick", "unwelcome")) and _EXPULSION.search(t):
            cues = [c for c in cues if c.action != "ordered_departure"]
        ms = _sentence_mentions(every, starts, sent.start, sent.end)
        before_action = prev_action
        if cues:
            real = [c.action for c in cues if c.rule != "fs.follow"]
            prev_action = min(real, key=_STRENGTH.__getitem__) if real else prev_action
        else:
            prev_action = None
        for c in cues:
            if c.rule == "fs.follow":
                # "The US, Germany and Italy have done so": the advice just before, in this sentence or the last
                earlier = [k.action for k in cues if k.rule != "fs.follow" and k.end <= c.start]
                c.action = earlier[-1] if earlier else before_action
        cues = [c for c in cues if c.rule != "fs.follow" or c.action]
        if not cues:
            prev_issuers = _opening_issuers(t, ms, subject)
            continue
        produced: dict[tuple[str, str], Fact] = {}
        last_end = 0
        last_issuers: list[str] = []
        sentence_issuers: list[str] = []
        for cue in cues:
            dest = _destinations(t, ms, cue) | ({subject} if subject else set())
            lo = last_end
            # a quotation opened before the verb and not closed: the subject is outside the quote
            subj = _subject_issuers(t, ms, lo, cue.verb, dest)
            how = "subject"
            codes = [m.code for m in subj if m.code not in dest]
            if not codes and cue.people:
                ppl = _people_issuers(t, ms, cue.people[0], cue.people[1])
                codes = [m.code for m in ppl if m.code not in dest]
                how = "nationals"
            if not codes and last_issuers and re.match(r"^[\s,;]*(?:and|but|while|as)?\b", t[last_end:cue.start], re.I) \
                    and not re.search(r"[.;]", t[last_end:cue.start]):
                codes = list(last_issuers)
                how = "coordination"
            if not codes:
                ppl = _sentence_people(t, ms)
                codes = [m.code for m in ppl if m.code not in dest]
                how = "sentence"
            if not codes and prev_issuers and _ANAPHOR.search(t[lo:cue.verb] or t[:cue.start]):
                codes = list(prev_issuers)
                how = "previous sentence"
            if not codes and cue.rule == "ln.you-should-leave" and page_issuers:
                # "If you are in X, you should leave": the reader is addressed by the page's issuer
                codes = [c for c in page_issuers if c not in dest]
                how = "page"
            last_end = cue.end
            if not codes:
                continue
            seen: list[str] = []
            for c in codes:
                if c not in seen:
                    seen.append(c)
            last_issuers = seen
            d, prec = _resolve_date(t, ctx.pub_date)
            start = min([cue.start] + [m.start for m in subj if m.code in seen and how == "subject"])
            end = max(cue.end, _clause_end(t, cue.end))
            if how == "subject" and end - start > 260:
                start = cue.start
            ev = ctx.evidence(sent.start + start, sent.start + end)
            for c in seen:
                key = (c, cue.action)
                if key in produced:
                    continue
                produced[key] = Fact(
                    kind=ADVISORY,
                    country=c,
                    action=cue.action,
                    date=d,
                    date_precision=prec,
                    text=t[cue.start:end].strip(),
                    attrs={"scope": cue.scope, "issuer_from": how,
                           **({"destination": sorted(dest - {None})[0]} if len(dest - {None}) == 1 else {})},
                    confidence=0.9 if how in ("subject", "nationals") else 0.7,
                    rule=f"{RULE_VERSION}:{cue.rule}",
                    evidence=[ev],
                )
            sentence_issuers.extend(c for c in seen if c not in sentence_issuers)
        # drop "other" where the issuer has a stronger action in the same sentence
        for (c, a) in list(produced):
            if a == "other" and any(k[0] == c and k[1] != "other" for k in produced):
                del produced[(c, a)]
        facts.extend(produced.values())
        prev_issuers = sentence_issuers or _opening_issuers(t, ms, subject)
        if sentence_issuers:
            page_issuers = list(sentence_issuers)
    return facts
