"""Helpers shared by the quantities and events extractors: noun phrases, actors, places, countries.

Everything here is generic English-news heuristics; nothing is specific to one crisis.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon

# words that end a noun phrase that follows a number
STOP = set("""
the a an of in on at by for from to with and or but as than that which who whom whose were was is are
be been being have has had will would could should may might can did do does said says say reportedly
allegedly also still more most since during after before while when where this these those their its his
her our my your per each across over into between among amid amidst including such so not no last about
around nearly almost within without against toward towards under along through throughout via until
just only even all both either neither other another some any many much few several according
according it they we he she there here then now yet ago who's what how why if whether because although
though despite unlike like near outside inside behind beyond upon onto off out up down
""".split())

MONTHS_AND_DAYS = set(
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday".split()
)

# nouns for people (plural and singular): victims of killings and kidnappings
PERSON_NOUNS = set("""
people persons person civilians civilian drivers driver truckers trucker soldiers soldier troops trooper
fighters fighter militants militant jihadists jihadist insurgents insurgent rebels rebel gunmen gunman
police policemen policeman officers officer gendarmes gendarme guards guard students student schoolchildren
schoolgirls schoolboys pupils pupil children child kids women woman men man girls girl boys boy workers
worker employees employee staff staffers staffer nationals national citizens citizen foreigners foreigner
expatriates expatriate tourists tourist missionaries missionary priests priest nuns nun pastors pastor
clerics cleric imams imam pilots pilot journalists journalist reporters reporter farmers farmer herders
herder villagers villager residents resident passengers passenger hostages hostage peacekeepers
peacekeeper engineers engineer miners miner pilgrims pilgrim worshippers worshipper refugees refugee
migrants migrant protesters protester demonstrators demonstrator officials official doctors doctor nurses
nurse medics medic teachers teacher contractors contractor mercenaries mercenary volunteers volunteer
traders trader merchants merchant fishermen fisherman crew crewmembers sailors sailor seafarers seafarer
businessmen businessman humanitarians humanitarian diplomats diplomat militiamen militiaman
combatants combatant recruits recruit cadets cadet detainees detainee prisoners prisoner inmates inmate
others patients patient infants terrorists terrorist assailants assailant attackers attacker bandits bandit kidnappers extremists extremist companions relatives technicians technician infant babies baby elders elder chiefs chief leaders leader members member
personnel Palestinians Israelis Ukrainians Russians Americans Britons Somalis Sudanese Haitians
""".split())

# nouns of countable happenings, assets and actors: a number before them is a count
COUNT_NOUNS = set("""
attacks attack incidents incident strikes strike airstrikes airstrike raids raid ambushes ambush bombings
bombing explosions explosion blasts blast clashes clash battles battle operations operation assaults
assault offensives shootings shooting killings massacres massacre abductions abduction kidnappings
kidnapping executions arrests arrest detentions protests protest demonstrations riots riot events event
violations violation incursions incursion shelling shells shell rockets rocket missiles missile drones
drone munitions bombs bomb mines landmines ieds IEDs grenades weapons rounds
tankers tanker trucks truck lorries lorry vehicles vehicle convoys convoy buses bus cars car boats boat
ships ship vessels vessel aircraft planes plane helicopters helicopter flights flight trains train
schools school hospitals hospital clinics clinic health centres centers villages village towns town
cities city homes home houses house buildings building shops shop markets market businesses business
factories factory mines mine bridges bridge roads road checkpoints checkpoint roadblocks roadblock
camps camp bases base posts post stations station wells well churches church mosques mosque
governments government countries country states nations nation embassies embassy consulates companies
company firms firm organisations organizations agencies agency
households families family displaced dead wounded injured deaths casualties fatalities victims
tonnes trucks containers barrels sacks bags targets sites positions facilities settlements communities farms
warehouses depots tanks outposts dams pylons substations pipelines
arrivals cases evacuees returnees deportees admissions
""".split()) | PERSON_NOUNS

AUX = set("were was have has had been being are is reportedly allegedly also all who later subsequently "
          "since then initially apparently".split())


_VERBS_AFTER_NOUN = set("""
need needs lack lacks face faces remain remains live lives fled flee rely relies depend depends say says
continue continues took take make made went go come came fell rose hit struck saw see account accounts
""".split())


@dataclass
class NP:
    start: int
    end: int
    words: list[str]

    @property
    def head(self) -> str:
        return self.words[-1] if self.words else ""

    @property
    def text(self) -> str:
        return " ".join(self.words)


_WORD = re.compile(r"[A-Za-z][\w'’.-]*[\w]|[A-Za-z]")


def np_after(text: str, pos: int, end: int, *, allow_of: bool = False, max_words: int = 5) -> NP | None:
    """The noun phrase that starts at ``pos`` ("Senegalese truck drivers", "attacks")."""
    i = pos
    if allow_of:
        m = re.match(r"\s+of\s+(?:the\s+|these\s+|those\s+|them\b)?", text[i:end])
        if m:
            if m.group(0).rstrip().endswith("them"):
                return None
            i += m.end()
    m0 = re.match(r"[ \t]+(?:more|additional|other|further|new|separate)(?=[ \t]+[a-z])", text[i:end])
    if m0:
        i += m0.end()
    words: list[tuple[int, int, str]] = []
    while len(words) < max_words:
        m = re.match(r"[ \t]+" if words else r"[ \t]*", text[i:end])
        if m is None:
            break
        j = i + m.end()
        mw = _WORD.match(text, j, end)
        if not mw:
            break
        w = mw.group(0).rstrip(".")
        lw = w.lower()
        if lw in STOP or (lw.endswith("ing") and words and lw not in COUNT_NOUNS):
            break
        if w in MONTHS_AND_DAYS:
            break
        # a plural noun followed by a verb: "attacks targeted civilians", "people need aid"
        if words and words[-1][2].lower() in COUNT_NOUNS and lw not in COUNT_NOUNS and w[:1].islower() and (
                lw.endswith("ed") or lw in _VERBS_AFTER_NOUN):
            break
        words.append((j, j + len(w), w))
        i = j + len(w)
        # possessive or punctuation ends the phrase
        if re.match(r"['’]s\b", text[i:end]):
            break
    # trailing participles/adverbs are not part of the noun phrase ("attacks reported" -> "attacks")
    while len(words) > 1 and (words[-1][2].lower().endswith("ed") or words[-1][2].lower().endswith("ly")) \
            and words[-1][2].lower() not in COUNT_NOUNS:
        words.pop()
    # the head is the last countable noun: "rockets hit" -> "rockets"
    idx = [k for k, (_, _, w) in enumerate(words) if w.lower() in COUNT_NOUNS]
    if idx:
        words = words[: idx[-1] + 1]
    if not words:
        return None
    return NP(words[0][0], words[-1][1], [w for _, _, w in words])


def norm_what(words: list[str]) -> str:
    """Lowercase common words, keep proper/acronym words as written."""
    return " ".join(w if any(c.isupper() for c in w) and w.lower() not in COUNT_NOUNS else w.lower()
                    for w in words)


# --------------------------------------------------------------------------------------------
# actors
# --------------------------------------------------------------------------------------------

_NOT_ACTOR = set("""
US U.S. UK U.K. USA EU-wide IED IEDs GDP CFA FM TV AM PM GMT UTC CEO PhD MP MPs NGO NGOs UNESCO-listed
According The A An In On At By For From To With And But As This That These Those It Its He She They We
Since After Before While When Where Mr Mrs Ms Dr Last Earlier Later Meanwhile However Still Also
""".split()) | MONTHS_AND_DAYS

_NAME = r"(?:[A-Z][\w'’.-]*|al-[A-Z][\w'’-]*)(?:\s+(?:al-|el-|de\s+|du\s+|of\s+the\s+|of\s+|for\s+the\s+|wal-|wa\s+)?(?:[A-Z][\w'’.-]*))*"
_ACRONYM = r"\b[A-Z][A-Z0-9&]{1,7}\b"
_RESP = (r"(?:(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+)?(?:reportedly\s+|allegedly\s+)?"
         r"(?:(?:held\s+)?responsible\s+for|behind|carried\s+out|carrying\s+out|carries\s+out|conducted|conducts|"
         r"launched|launches|staged|stages|claimed|claims|perpetrated|committed|mounted|mounts|executed|seized|"
         r"captured|took\s+control\s+of|overran|destroyed|burned|burnt|torched|attacked|struck|shot\s+down|fired|"
         r"killed|abducted|kidnapped|ambushed|raided|shelled|hit)")


_GROUP_NOUN = (r"(?:rebels|militants|fighters|forces|troops|jihadists|insurgents|gunmen|group|militia|militiamen|"
               r"soldiers|army|militias|paramilitaries|members)")


def clean_actor(name: str) -> str | None:
    name = name.strip(" ,.;:'’\"")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    if not name or name in _NOT_ACTOR or name.split()[0] in _NOT_ACTOR:
        parts = name.split()
        while parts and parts[0] in _NOT_ACTOR:
            parts = parts[1:]
        name = " ".join(parts)
        if not name:
            return None
    return name


def actor_before_verb(text: str, lo: int, pos: int) -> str | None:
    """'... the RSF was responsible for carrying out 90 attacks' -> RSF (the name before the verb)."""
    seg = text[lo:pos]
    best = None
    for m in re.finditer(rf"({_NAME})\s*(?:\([A-Z][\w&-]+\)\s*)?(?:\s+{_GROUP_NOUN})?,?\s+{_RESP}\b", seg):
        best = m
    if not best:
        return None
    name = best.group(1)
    paren = re.search(r"\(([A-Z][A-Z0-9&-]{1,8})\)", best.group(0))
    if paren:
        return paren.group(1)
    # a long name: keep its last acronym or the whole name
    acr = re.findall(_ACRONYM, name)
    if acr and acr[-1] not in _NOT_ACTOR:
        return acr[-1]
    return clean_actor(name)


def actor_by(text: str, pos: int, end: int) -> str | None:
    """'... by JNIM', 'by the Rapid Support Forces (RSF)' right after pos (within a few words)."""
    m = re.match(rf"(?:\s+[\w'’-]+){{0,4}}?\s+by\s+(?:the\s+)?(?:(?:al[- ]Qaeda|Islamic\s+State)[- ]linked\s+)?({_NAME})"
                 rf"(?:\s*\(([A-Z][A-Z0-9&-]{{1,8}})\))?", text[pos:end])
    if not m:
        return None
    if m.group(2):
        return m.group(2)
    return clean_actor(m.group(1))


def acronyms(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in re.finditer(_ACRONYM, text) if m.group(0) not in _NOT_ACTOR
            and not re.fullmatch(r"[A-Z]\d+|\d.*", m.group(0)) and not lexicon.country_code(m.group(0))]


# --------------------------------------------------------------------------------------------
# countries and places
# --------------------------------------------------------------------------------------------


def country_mentions(text: str, start: int = 0, end: int | None = None):
    """[(start, end, code, kind)] country mentions (names, adjectives, peoples, capitals)."""
    end = len(text) if end is None else end
    fc = getattr(lexicon, "find_countries", None)
    out = []
    if fc is not None:
        try:
            for m in fc(text, start, end):
                out.append((m.start, m.end, m.code, m.kind))
            return out
        except Exception:  # pragma: no cover - lexicon in flux
            out = []
    for m in re.finditer(r"\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}", text[start:end]):
        code = lexicon.country_code(m.group(0))
        if code:
            out.append((start + m.start(), start + m.end(), code, "name"))
    return out


def country_name(code: str) -> str:
    fn = getattr(lexicon, "country_name", None)
    if fn is not None:
        try:
            n = fn(code)
            if n:
                return n
        except Exception:  # pragma: no cover
            pass
    try:
        import pycountry

        c = pycountry.countries.get(alpha_2=code)
        if c:
            return getattr(c, "common_name", None) or c.name
    except Exception:  # pragma: no cover
        pass
    return code


def is_country_name(word: str) -> str | None:
    """ISO2 when ``word`` names a country (not a capital, not a demonym)."""
    for s, e, code, kind in country_mentions(word):
        if s == 0 and e == len(word) and kind in ("name", "NAME"):
            return code
    return None


def nationality(word: str) -> str | None:
    """ISO2 for a demonym or country adjective ("Senegalese" -> SN, "US" -> US)."""
    for s, e, code, kind in country_mentions(word):
        if s == 0 and e == len(word) and kind not in ("capital", "institution"):
            return code
    code = lexicon.country_code(word)
    return code


def subject_country(text: str) -> str | None:
    """The country an article is about. The advisory extractor's place-context scoring decides
    ("in X", "leave X", "X's", its capital: a bare "Washington authorised ..." is an issuer, not a
    place); when no country is named as a place, the most often named one."""
    from .advisories import subject_country_of

    best = subject_country_of(text)
    if best:
        return best
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for s, _e, code, kind in country_mentions(text):
        if kind in ("institution",):
            continue
        counts[code] += 1
        first.setdefault(code, s)
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))


_PLACE_WORD = r"[A-Z][\w'’-]*[\w]"
_PLACE = rf"{_PLACE_WORD}(?:[\s-](?:du|de|des|el|al|la|le|al-|ad)?\s?{_PLACE_WORD}){{0,3}}"
_SETTLEMENT = (r"city|town|village|region|province|state|district|camp|commune|area|county|neighbou?rhood|"
               r"municipality|prefecture|governorate|locality|outskirts|suburb|port|capital")
_NOT_PLACE = MONTHS_AND_DAYS | {"The", "A", "An", "This", "That", "Islamic", "State", "Al", "Al-Qaeda"}


@dataclass
class Where:
    place: str | None = None
    country: str | None = None
    place_start: int | None = None


def where(text: str, lo: int, hi: int) -> Where:
    """A named place and/or country in text[lo:hi] ("in Sudan's western city of El Geneina")."""
    seg = text[lo:hi]
    w = Where()
    m = re.search(rf"\b(?:{_SETTLEMENT})\s+of\s+({_PLACE})", seg)
    if m and m.group(1).split()[0] not in _NOT_PLACE and not is_country_name(m.group(1)):
        w.place, w.place_start = m.group(1), lo + m.start(1)
    m = re.search(rf"\b(?:shelling|bombing|bombardment|siege|capture|fall|battle|outskirts|centre|center|"
                  rf"attacks?|strikes?|raids?|assault)\s+(?:of|on|in|for|against)\s+(?:the\s+)?({_PLACE})", seg)
    if w.place is None and m and m.group(1).split()[0] not in _NOT_PLACE and not is_country_name(m.group(1)):
        w.place, w.place_start = m.group(1), lo + m.start(1)
    for m in re.finditer(rf"(?:(?<=\s)|^)(?:in|near|at|outside|around|from|across|inside|into)\s+(?:the\s+)?({_PLACE})", seg):
        name = m.group(1)
        name = re.sub(r"['’]s$", "", name)
        if name.split()[0] in _NOT_PLACE or re.fullmatch(r"[A-Z]{2,}", name):
            continue
        code = is_country_name(name)
        if code:
            w.country = w.country or code
        elif w.place is None and not lexicon.country_code(name.split()[0]) or (
            w.place is None and len(name.split()) == 1 and _is_capital(name)
        ):
            if w.place is None:
                w.place, w.place_start = name, lo + m.start(1)
    if w.country is None:
        m = re.search(rf"\b({_PLACE_WORD})['’]s\s+(?:[a-z-]+\s+){{0,3}}(?:{_SETTLEMENT}|border|north|south|east|west)",
                      seg)
        if m:
            w.country = is_country_name(m.group(1))
    if w.country is None:
        m = re.search(rf",\s+({_PLACE_WORD})\b", seg)
        if m and w.place:
            w.country = is_country_name(m.group(1))
    return w


def _is_capital(name: str) -> bool:
    for s, e, _code, kind in country_mentions(name):
        if s == 0 and e == len(name) and kind in ("capital", "CAPITAL"):
            return True
    return False


@lru_cache(maxsize=64)
def _subject_cached(text: str) -> str | None:
    return subject_country(text)


def article_country(text: str) -> str | None:
    return _subject_cached(text)


@lru_cache(maxsize=64)
def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of quoted speech: “...” pairs anywhere, and "..." pairs within a paragraph (line)."""
    curly: list[tuple[int, int]] = []
    for m in _CURLY_QUOTE.finditer(text):
        curly.append((m.start(), m.end()))
    spans = list(curly)
    # a straight-quoted stretch counts unless it starts inside a curly one (curly spans are sorted and
    # do not overlap; straight ones of a line never start inside each other)
    starts = [a for a, _ in curly]
    for m in _STRAIGHT_QUOTE.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if k >= 0 and curly[k][0] <= m.start() < curly[k][1]:
            continue
        spans.append((m.start(), m.end()))
    return tuple(sorted(spans))


_CURLY_QUOTE = re.compile(r'“[^“”"\n]*(?:[”"]|$)', re.M)
_STRAIGHT_QUOTE = re.compile(r'"[^"\n]*"')


def in_quotes(text: str, pos: int) -> bool:
    """Is ``pos`` inside quoted speech?"""
    spans = quote_spans(text)
    if not spans:
        return False
    ends = _span_ends(spans)
    # spans are sorted by start and may overlap: look at those starting before pos, from the one with the
    # largest end so far (prefix maxima of the ends)
    k = bisect.bisect_left(ends[0], pos) - 1  # spans with start < pos are spans[:k + 1]
    return k >= 0 and ends[1][k] > pos


_ENDS: list = [None, None]  # [spans, answer] for the last spans (hashing a long tuple costs as much)


def _span_ends(spans: tuple[tuple[int, int], ...]) -> tuple[list[int], list[int]]:
    """(starts, running maximum of ends) of sorted spans."""
    if _ENDS[0] is spans:
        return _ENDS[1]
    starts = [s for s, _ in spans]
    run, best = [], -1
    for _, e in spans:
        best = max(best, e)
        run.append(best)
    _ENDS[0], _ENDS[1] = spans, (starts, run)
    return starts, run
