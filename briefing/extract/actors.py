"""Actors (with aliases), places and claims.

- ``actor``: canonical actors from the alias table ``briefing/data/actors.tsv`` (armed groups and
  organisations common in conflict reporting), plus any "Full Name (ACRONYM)" in the text whose acronym
  fits the name's initials (how a new article about another crisis gets its actors), plus named people
  with a role ("Colonel Jane Doe", "Foreign Minister John Roe", "Ana Silva, senior analyst").
  Matching folds apostrophe and hyphen variants ("Jama’at", "al- Islam wal -Muslimin").
- ``place``: towns, cities and regions from the shipped gazetteer (``gazetteer.tsv`` derived from
  GeoNames, ``regions.tsv``) with country and lat/lon, plus "the town of X" style mentions the gazetteer
  lacks (no coordinates). Small places need the article to mention their country, or a place context.
- ``claim``: direct quotations with a say-verb and a speaker (a named person, a pronoun resolved to the
  only person of the previous two sentences, or an organisation); stance from the speaker's role.
  Unattributable quotes give no claim (precision over recall).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..model import ACTOR, CLAIM, PLACE, Fact
from .lexicon import ADJECTIVE, CAPITAL, NAME, country_code, find_countries
from .text import Context

# ------------------------------------------------------------------------------------------------
# Alias table
# ------------------------------------------------------------------------------------------------

_APOS = "'’ʼ`´‘"
_DASH = "-‐‑–—"


def _fold(s: str) -> str:
    if s.isascii():
        return s.lower()
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.lower()


def _alias_regex(alias: str) -> str:
    """A regex for an alias tolerant to apostrophe/hyphen/space variants."""
    parts = re.split(rf"([{_APOS}]|[{_DASH}]|\s+)", alias)
    out = []
    for p in parts:
        if not p:
            continue
        if p in _APOS:
            out.append(f"[{_APOS}]?")
        elif p in _DASH or p.isspace():
            out.append(rf"(?:\s*[{_DASH}]\s*|\s+)")
        else:
            out.append("".join(_char_class(c) for c in p))
    return "".join(out)


def _char_class(c: str) -> str:
    base = _fold(c)
    if base != c.lower() and base:
        return f"[{re.escape(c)}{re.escape(c.upper())}{re.escape(base)}{re.escape(base.upper())}]"
    return re.escape(c)


@dataclass(frozen=True)
class _Entry:
    canonical: str
    type: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def alias_table() -> list[_Entry]:
    out = []
    for line in resources.files("briefing.data").joinpath("actors.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canon, typ, aliases = line.split("\t")[:3]
        out.append(_Entry(canon, typ, tuple(a for a in aliases.split("|") if a)))
    return out


@dataclass
class _Alias:
    order: int  # rank in the alternation: longer aliases first
    entry: _Entry
    source: str  # the alias regex (``_alias_regex``)
    acronym: bool  # matched case-sensitively, after no word character or dot
    pieces: tuple[str, ...]  # substrings every match contains (folded for names); () = always try
    _rx: re.Pattern[str] | None = None

    def rx(self) -> re.Pattern[str]:
        if self._rx is None:
            if self.acronym:
                self._rx = re.compile(rf"(?<![\w.])(?:{self.source})(?![\w])")
            else:
                self._rx = re.compile(rf"(?<![\w])(?:{self.source})(?![\w])", re.I)
        return self._rx


_PIECE_SPLIT = re.compile(rf"[{_APOS}]|[{_DASH}]|\s+")


@lru_cache(maxsize=1)
def _aliases() -> tuple[list[_Alias], list[_Alias]]:
    """(names, acronyms), each in alternation order (longest first). Names are matched
    case-insensitively, acronyms case-sensitively. Each alias regex is compiled on first use."""
    names, acros = [], []
    for i, e in enumerate(alias_table()):
        for a in sorted(e.aliases, key=len, reverse=True):
            is_acro = bool(re.fullmatch(r"[A-Z0-9.\-]{2,8}|[A-Z][A-Za-z]?[A-Z0-9]{1,6}", a)) and not a.istitle()
            parts = [x for x in _PIECE_SPLIT.split(a) if x]
            if not is_acro:
                parts = [_fold(x) for x in parts]
            pieces = tuple(parts) if all(x.isascii() for x in parts) else ()
            (acros if is_acro else names).append((len(a), _Alias(0, e, _alias_regex(a), is_acro, pieces)))
    out = []
    for group in (names, acros):
        group.sort(key=lambda x: -x[0])  # stable: table order among equal lengths
        lst = [al for _, al in group]
        for k, al in enumerate(lst):
            al.order = k
        out.append(lst)
    return out[0], out[1]


def _fold_extra(t: str) -> str:
    return t.replace("ſ", "s").replace("ı", "i") if ("ſ" in t or "ı" in t) else t


def _fold_ascii(text: str) -> str:
    """Lower case with accents dropped (and other non-ASCII letters removed): a haystack for the
    aliases' folded pieces."""
    if text.isascii():
        return text.lower()
    t = unicodedata.normalize("NFKD", _fold_extra(text))
    return t.encode("ascii", "ignore").decode("ascii").lower()


def _scan(aliases: list[_Alias], text: str, hay: str) -> list[tuple[int, int, _Alias]]:
    """What one alternation of ``aliases`` (in order) would find with ``finditer``: at each position
    the first alias that matches there, scanning on after each match. Aliases whose pieces are not all
    in ``hay`` cannot match and are not run."""
    at: dict[int, tuple[int, int, _Alias]] = {}
    for al in aliases:
        if al.pieces and not all(p in hay for p in al.pieces):
            continue
        rx = al.rx()
        pos = 0
        while True:
            m = rx.search(text, pos)
            if m is None:
                break
            s0 = m.start()
            prev = at.get(s0)
            if prev is None or al.order < prev[2].order:
                at[s0] = (s0, m.end(), al)
            pos = s0 + 1
    out = []
    cursor = 0
    for s0 in sorted(at):
        if s0 < cursor:
            continue
        hit = at[s0]
        out.append(hit)
        cursor = hit[1]
    return out


@dataclass
class _Mention:
    start: int
    end: int
    canonical: str
    type: str
    surface: str


_MENTIONS_OF: list = [None, []]  # [text, mentions]: the last text's alias mentions
_CAPS_TOKEN = re.compile(rf"[A-Za-z0-9{_APOS}.]+(?:[{_DASH}][A-Za-z0-9{_APOS}.]+)*")


@lru_cache(maxsize=1)
def _acronym_aliases() -> frozenset[str]:
    return frozenset(a for e in alias_table() for a in e.aliases if a.isupper())


def _inside_caps_compound(text: str, s0: int, e0: int) -> bool:
    """An acronym inside a hyphenated name in capitals ("PORT-AU-PRINCE" in a dateline) is a piece of
    that name, not a mention of the organisation; "AU-led" and "UN-AU" are mentions."""
    if not ((s0 > 0 and text[s0 - 1] in _DASH) or (e0 < len(text) and text[e0] in _DASH)):
        return False
    lo = s0
    while lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] in _DASH or text[lo - 1] in _APOS):
        lo -= 1
    m = _CAPS_TOKEN.match(text, lo)
    if not m or m.end() < e0:
        return False
    parts = [p for p in re.split(rf"[{_DASH}]", m.group(0)) if p]
    known = _acronym_aliases()
    return any(len(p) >= 3 and p.isupper() and p not in known for p in parts)


def _alias_mentions(text: str) -> list[_Mention]:
    if _MENTIONS_OF[0] is text:
        return list(_MENTIONS_OF[1])
    names, acros = _aliases()
    out: list[_Mention] = []
    hay = _fold_ascii(text)
    for group, h in ((names, hay), (acros, text)):
        for s0, e0, al in _scan(group, text, h):
            out.append(_Mention(s0, e0, al.entry.canonical, al.entry.type, text[s0:e0]))
    out.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[_Mention] = []
    for m in out:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    _MENTIONS_OF[0], _MENTIONS_OF[1] = text, kept
    return list(kept)


# ------------------------------------------------------------------------------------------------
# "Full Name (ACRONYM)"
# ------------------------------------------------------------------------------------------------

_FUNC = {"of", "the", "for", "and", "in", "on", "de", "du", "des", "la", "le", "al", "wal", "el", "wa", "&", "to"}
_NOT_ACTORS = {
    "FTO", "SDGT", "GDP", "IED", "IEDS", "UAV", "UAVS", "NGO", "NGOS", "IDP", "IDPS", "CEO", "VAT", "CFA", "ETA",
    "COVID", "HIV", "AIDS", "AI", "KM", "MW", "GW", "RPG", "AK",
}
_ACRO_RX = re.compile(
    r"(?P<name>(?:[A-Z][\w’'´‘\-]*|of|the|for|and|in|on|de|du|des|la|le|al|wal|el|wa|&|to)"
    r"(?:[ \t]+(?:[A-Z][\w’'´‘\-]*|of|the|for|and|in|on|de|du|des|la|le|al-?|wal-?|el|wa|&|to|-[A-Z][\w’'\-]*))*)"
    r"\s*\((?P<acro>[A-Z][A-Za-z0-9\-]{1,9})\)"
)


_ACRO_PAREN = re.compile(r"\s*\((?P<acro>[A-Z][A-Za-z0-9\-]{1,9})\)")
_NAME_CHARS = re.compile(r"[\w’'´‘\-& \t]*")
_NAME_TOKEN = re.compile(r"[A-Z][\w’'´‘\-]*|of|the|for|and|in|on|de|du|des|la|le|al-?|wal-?|el|wa|&|to|-[A-Z][\w’'\-]*")
_BLANKS = re.compile(r"[ \t]+")
_ACRO_WINDOW = 4000  # a name before "(ACRONYM)" is never this long


def _acro_matches(text: str) -> list[re.Match[str]]:
    """``_ACRO_RX.finditer(text)`` without trying the pattern at every capitalised word (which made a
    long run of capitalised words quadratic). A match is a chain of name words ending in "(ACRONYM)";
    it cannot cross a word that is no name word, so the pattern is tried only from the last such word
    before each parenthesis (each try then succeeds or fails within one word)."""
    out: list[re.Match[str]] = []
    cursor = 0
    for pm in _ACRO_PAREN.finditer(text):
        ps = pm.start()
        if ps < cursor:
            continue
        lo = max(cursor, ps - _ACRO_WINDOW)
        # start of the run of name characters that ends at the parenthesis (matched on the reversed
        # window: a "[...]*$" search would be quadratic in the window)
        first = ps - _NAME_CHARS.match(text[lo:ps][::-1]).end()
        # the last token of the run that is not a name word: a chain starts inside it or after it
        for t in reversed(_tokens(text, first, ps)):
            if not _NAME_TOKEN.fullmatch(text, t[0], t[1]):
                first = t[0]
                break
        for p in range(first, ps):
            m = _ACRO_RX.match(text, p)
            if m is not None:
                out.append(m)
                cursor = m.end()
                break
    return out


def _tokens(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    i = lo
    for b in _BLANKS.finditer(text, lo, hi):
        if b.start() > i:
            out.append((i, b.start()))
        i = b.end()
    if i < hi:
        out.append((i, hi))
    return out


def _initials(words: list[str]) -> str:
    out = ""
    for w in words:
        if w.lower() in _FUNC:
            continue
        for part in re.split(rf"[{_DASH}]", w):
            part = part.strip(_APOS)
            if not part or part.lower() in _FUNC:
                continue
            if part[0].isupper():
                out += part[0]
    return out


def _subsequence(acro: str, s: str) -> bool:
    it = iter(s.upper())
    return all(c in it for c in acro.upper())


def _acronym_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, full name, acronym) for "Full Name (ACRONYM)" where the acronym fits the name."""
    out = []
    for m in _acro_matches(text):
        acro = m.group("acro")
        letters = re.sub(r"[^A-Za-z]", "", acro)
        if acro.upper().rstrip("S") in _NOT_ACTORS or acro.upper() in _NOT_ACTORS or len(letters) < 2:
            continue
        raw = m.group("name")
        # tokens with their offsets
        toks = [(t.start(), t.group(0)) for t in re.finditer(r"\S+", raw)]
        base = m.start("name")
        found = None
        for k in range(len(toks) - 1, -1, -1):
            words = [w for _, w in toks[k:]]
            if words[0].lower() in _FUNC or not words[0][0].isupper():
                continue
            ini = _initials(words)
            if ini.upper() == letters.upper():
                found = k
                break
            if len(ini) > len(letters) + 1:
                break
        if found is None:
            # "Africa Command (AFRICOM)": acronym letters in order inside one or two words
            for k in range(len(toks) - 1, max(-1, len(toks) - 3), -1):
                words = [w for _, w in toks[k:]]
                if words[0][0].isupper() and words[0][0] == letters[0] and _subsequence(letters, "".join(words)):
                    found = k
                    break
        if found is None:
            continue
        s = base + toks[found][0]
        name = text[s:m.start("name") + len(raw)].strip()
        if len(name.split()) < 2 and len(name) < 6:
            continue
        out.append((s, m.end(), name, acro))
    return out


# ------------------------------------------------------------------------------------------------
# People with a role
# ------------------------------------------------------------------------------------------------

_ROLE_TITLES = (
    r"(?:(?:Retired|Former|Interim|Transitional|Acting|Deputy|Vice|Junta\s+leader|Military\s+leader)\s+)*"
    r"(?:(?:Air\s+Force|Army|Navy)\s+)?"
    r"(?:Colonel|Col\.|General|Gen\.|Lieutenant\s+General|Lt\.?\s+Gen\.|Major\s+General|Maj\.?\s+Gen\.|"
    r"Brigadier\s+General|Brig\.?\s+Gen\.|Captain|Capt\.|Commander|Major|Lieutenant|Admiral|"
    r"President|Prime\s+Minister|Foreign\s+Minister|Defen[cs]e\s+Minister|Interior\s+Minister|Minister|"
    r"Secretary\s+of\s+State|Secretary-General|Secretary\s+General|Secretary|Foreign\s+Secretary|"
    r"Ambassador|Senator|Sen\.|Rep\.|Representative|Governor|Mayor|Chancellor|King|Emir|Sheikh|Imam|Dr\.|"
    r"Professor|Prof\.|Spokesman|Spokeswoman|Spokesperson|Envoy|Special\s+Envoy|Chief)"
)
_NW = r"[A-Z][a-zà-ÿ’']+(?:-[A-Z]?[a-zà-ÿ’']+)*"
_NAME = rf"(?P<pname>{_NW}(?:\s+(?:[A-Z]\.|(?:ag|al|el|bin|ben|de|van|von|da|dos|du)\s+{_NW}|{_NW})){{1,3}})"
# (every title starts with a capital: the lookahead only skips positions that cannot match, fast)
_ROLE_NAME = re.compile(rf"(?=[A-Z])(?P<role>{_ROLE_TITLES}){{1}}\s+{_NAME}")
_ROLE_NOUNS = (
    r"analyst|expert|researcher|fellow|professor|scholar|editor|director|spokesperson|spokesman|spokeswoman|"
    r"official|officer|commander|minister|ambassador|envoy|journalist|consultant|adviser|advisor|lecturer|head|"
    r"chief|leader|coordinator|representative|president|founder|mechanic|resident|trader|driver|activist"
)
_APPOSITIVE = re.compile(
    rf"{_NAME},\s+(?P<role>(?:an?\s+|the\s+)?(?:[\w’'\-]+\s+){{0,5}}?(?:{_ROLE_NOUNS})\b[^,.;“”\"]{{0,80}})"
)
_SAID_ROLE = re.compile(
    rf"\b(?:said|says|told|according\s+to|added|noted|warned|explained)\s+(?P<role>(?:[a-z][\w’'\-]*\s+){{0,4}}?"
    rf"(?:{_ROLE_NOUNS}))\s+{_NAME}"
)
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "But", "And", "Since", "After", "Before", "While", "With", "For", "From",
    "This", "That", "These", "Those", "Mali", "It", "He", "She", "They", "We",
}


@dataclass
class _Person:
    name: str
    role: str
    start: int  # of the name
    end: int
    country: str | None = None


def _clean_name(n: str) -> str | None:
    n = re.sub(r"[’']s$", "", n.strip())
    words = n.split()
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    if len(words) < 2 or words[0] in _NOT_NAMES:
        return None
    if any(country_code(w) for w in words if len(w) > 3 and w[0].isupper()):
        # "President Donald Trump" has no country words; "Minister Mali" is not a name
        if all(country_code(w) for w in words if w[0].isupper() and len(w) > 1):
            return None
    return " ".join(words)


_PERSONS_OF: list = [None, []]  # [text, persons] for the last text


def _persons(text: str) -> list[_Person]:
    if _PERSONS_OF[0] is text:
        return list(_PERSONS_OF[1])
    found = _find_persons(text)
    _PERSONS_OF[0], _PERSONS_OF[1] = text, found
    return list(found)


def _find_persons(text: str) -> list[_Person]:
    found: list[_Person] = []
    for rx in (_ROLE_NAME, _APPOSITIVE, _SAID_ROLE):
        for m in rx.finditer(text):
            name = _clean_name(m.group("pname"))
            if not name:
                continue
            role = re.sub(r"\s+", " ", m.group("role")).strip(" ,")
            role = re.sub(r"^(?:an?|the)\s+", "", role, flags=re.I)
            s = m.start("pname")
            found.append(_Person(name, role, s, s + len(name)))
    found.sort(key=lambda p: p.start)
    return found


# ------------------------------------------------------------------------------------------------
# Gazetteer
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str
    cc: str
    lat: float
    lon: float
    kind: str
    pop: int


class _Gazetteer:
    """Folded place name -> [_Place], read from the precomputed ``extract_index.txt`` (built from
    ``gazetteer.tsv`` and ``regions.tsv`` by ``briefing/data/build_index.py``). Place records are made
    on first lookup, so loading costs a few milliseconds instead of folding every name at start-up."""

    def __init__(self) -> None:
        from .lexicon import _section_lines

        self._rows = _section_lines("places")
        self._keys = dict(zip(_section_lines("keys"), _section_lines("vals")))
        self._made: dict[str, list[_Place]] = {}
        self.multi_first = frozenset(_section_lines("multi"))  # first words of multi-word names

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def get(self, key: str, default=None):
        got = self._made.get(key)
        if got is None:
            ids = self._keys.get(key)
            if ids is None:
                return default
            got = []
            for i in ids.split(","):
                name, cc, lat, lon, kind, pop = self._rows[int(i)].split("\t")
                got.append(_Place(name, cc, float(lat), float(lon), kind, int(pop)))
            self._made[key] = got
        return got

    def __getitem__(self, key: str) -> list[_Place]:
        got = self.get(key)
        if got is None:
            raise KeyError(key)
        return got


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    return _Gazetteer()


# Common words that are also place names somewhere; never places on their own.
_PLACE_STOP = {
    "will", "more", "best", "early", "union", "victoria", "mark", "march", "may", "june", "august", "bar", "male",
    "police", "central", "north", "south", "east", "west", "sahel", "centre", "center", "nord", "sud", "est",
    "ouest", "ali", "bla", "san", "man", "koro", "boro", "mina", "sagala", "sagalo", "bamba",
    "islam", "africa", "reuters", "digital", "google", "president", "general", "colonel", "major", "said",
    "justice", "liberty", "independence", "concord", "hope", "unity", "progress", "mercy", "paradise",
    "kremlin", "wagner", "congress", "senate", "navy", "bridgeway", "control", "state", "islamic", "corps",
}


# ------------------------------------------------------------------------------------------------
# Extraction
# ------------------------------------------------------------------------------------------------


def _actor_facts(ctx: Context) -> tuple[list[Fact], list[tuple[int, int]]]:
    text = ctx.source.text
    by: dict[str, Fact] = {}
    spans: list[tuple[int, int]] = []
    for m in _alias_mentions(text):
        if m.surface.isupper() and _inside_caps_compound(text, m.start, m.end):
            continue  # "AU" in "PORT-AU-PRINCE"
        spans.append((m.start, m.end))
        f = by.get(m.canonical)
        if f is None:
            f = by[m.canonical] = Fact(
                kind=ACTOR, actor=m.canonical, attrs={"type": m.type, "mentions": 0}, rule="actor.alias",
                evidence=[ctx.evidence(m.start, m.end)],
            )
        f.attrs["mentions"] += 1
        if m.surface not in f.aliases and _fold(m.surface) != _fold(m.canonical):
            f.aliases.append(m.surface)
    for s, e, name, acro in _acronym_mentions(text):
        spans.append((s, e))
        known = next((k for k, f in by.items() if acro in f.aliases or k == acro or _fold(name) in
                      {_fold(a) for a in f.aliases}), None)
        if known:
            f = by[known]
            for a in (name, acro):
                if a not in f.aliases and a != f.actor:
                    f.aliases.append(a)
            continue
        typ = "organisation"
        if re.search(r"\b(?:Islam\w*|Jihad\w*|Front|Movement|Brigades?|Army|Forces|Militia|Liberation|Mujahideen|"
                     r"State|Ansar\w*|Jama\w*)\b", name):
            typ = "armed_group"
        if re.search(r"\b(?:Programme|Program|Nations|Union|Council|Fund|Agency|Organi[sz]ation|Committee|"
                     r"Office|Centre|Center|Foundation|Institute|Project|Commission|Bank|Mission|Community)\b", name):
            typ = "organisation"
        f = by[acro] = Fact(kind=ACTOR, actor=acro, aliases=[name], attrs={"type": typ, "mentions": 1},
                            rule="actor.acronym", evidence=[ctx.evidence(s, e)])
        # count later bare uses of the acronym
        f.attrs["mentions"] += len(re.findall(rf"(?<![\w]){re.escape(acro)}(?![\w])", text[e:]))
    for f in by.values():
        f.aliases = sorted(set(f.aliases), key=lambda a: (len(a), a))
    persons: dict[str, Fact] = {}
    for p in _persons(text):
        spans.append((p.start, p.end))
        if p.name in persons:
            continue
        persons[p.name] = Fact(kind=ACTOR, actor=p.name, attrs={"type": "person", "role": p.role},
                               rule="actor.person", evidence=[ctx.evidence(p.start, p.end)])
    return list(by.values()) + list(persons.values()), spans


_PLACE_CTX = re.compile(
    r"(?:(?P<cty>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?)[’']s\s+)?(?:(?:[\w\-]+\s+){0,3}?)"
    r"(?P<kind>town|city|village|commune|locality|district|region|province|camp|outpost|base)\s+of\s+"
    r"(?P<name>[A-Z][\w’'\-]+(?:\s+(?:du|de|el|al|[A-Z][\w’'\-]+)){0,2})"
)
_PLACE_KIND = re.compile(r"(?:town|city|village|commune|locality|district|region|province|camp|outpost|base)"
                         r"\s+of\s+[A-Z]")


def _place_ctx_matches(text: str) -> list[re.Match[str]]:
    """``_PLACE_CTX.finditer(text)``, without trying the pattern at every position: a match holds a
    "<kind> of <Name>" and starts at most five words before it, so only those windows are tried."""
    out: list[re.Match[str]] = []
    cursor = 0
    for k in _PLACE_KIND.finditer(text):
        ks = k.start()
        if ks < cursor:
            continue
        # start of the sixth whitespace-separated token before the kind word
        lo = ks
        for _ in range(6):
            j = lo
            while j > 0 and text[j - 1].isspace():
                j -= 1
            while j > 0 and not text[j - 1].isspace():
                j -= 1
            lo = j
        for p in range(max(lo, cursor), ks + 1):
            m = _PLACE_CTX.match(text, p)
            if m is not None:
                out.append(m)
                cursor = m.end()
                break
    return out


_POSSESSIVE = re.compile(r"[’']s$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*|[\"“]\s*)$")
_NONSPACE = re.compile(r"\S+")
_CAP_SEQ = re.compile(r"[A-Z][\w’'\-]*(?:\s+(?:du|de|la|el|al|of|[A-Z][\w’'\-]*))*")


def _place_facts(ctx: Context, taken: list[tuple[int, int]]) -> list[Fact]:
    text = ctx.source.text
    gaz = _gazetteer()
    mentioned = {m.code for m in find_countries(text)}
    from .advisories import _subject_country

    subject = _subject_country(ctx)
    out: dict[str, Fact] = {}

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    def add(name: str, cc: str | None, s: int, e: int, attrs: dict) -> None:
        key = _fold(name)
        if key in out:
            out[key].attrs["mentions"] = out[key].attrs.get("mentions", 1) + 1
            surf = text[s:e]
            if surf != out[key].place and surf not in out[key].attrs.setdefault("aliases", []):
                out[key].attrs["aliases"].append(surf)
            return
        surface = text[s:e]
        if surface.isupper() and len(surface) > 3 and not name.isupper():
            surface = name  # "PORT-AU-PRINCE" in a dateline: the place's usual spelling
        a = {**attrs, "mentions": 1}
        if _fold(surface) != key:
            a["gazetteer_name"] = name
        out[key] = Fact(kind=PLACE, place=surface, country=cc, attrs=a, rule="place",
                        evidence=[ctx.evidence(s, e)])

    # "the northern border city of X", "the western region of Kayes"
    for m in _place_ctx_matches(text):
        name = m.group("name").strip()
        s, e = m.start("name"), m.start("name") + len(name)
        if overlaps(s, e) or _is_country_name(name):
            continue
        cands = gaz.get(_fold(name), [])
        cc = country_code(m.group("cty")) if m.group("cty") else None
        admin = "region" if m.group("kind") in ("region", "province", "district") else None
        if cands:
            p = _best(cands, mentioned | ({cc} if cc else set()))
            add(p.name, p.cc, s, e, {"lat": p.lat, "lon": p.lon, **({"admin": admin} if admin else {}),
                                     "gazetteer": p.kind})
        else:
            add(name, cc, s, e, {"admin": admin} if admin else {"kind": m.group("kind")})
    for m in _CAP_SEQ.finditer(text):
        words = [(w.start(), w.end()) for w in _NONSPACE.finditer(m.group(0))]
        i = 0
        while i < len(words):
            hit = None
            top = min(len(words), i + 4)
            if top > i + 1:
                f0 = _fold(text[m.start() + words[i][0]:m.start() + words[i][1]])
                if f0 not in gaz.multi_first and len(f0.split()) == 1:
                    top = i + 1  # no multi-word name starts with this word
            for j in range(top, i, -1):
                s, e = m.start() + words[i][0], m.start() + words[j - 1][1]
                surf = text[s:e]
                surf2 = _POSSESSIVE.sub("", surf)
                e2 = s + len(surf2)
                key = _fold(surf2)
                if key in gaz and key not in _PLACE_STOP and surf2[0].isupper() and (
                    len(surf2) > 3 or any(p.cc in mentioned and p.pop >= 50_000 for p in gaz[key])
                ):
                    hit = (s, e2, surf2, j)
                    break
            if hit is None:
                i += 1
                continue
            s, e, surf, j = hit
            i = j
            if overlaps(s, e) or _is_country_name(surf):
                continue
            # a word at the start of a sentence could be anything; need the name elsewhere or a context
            p = _best(gaz[_fold(surf)], mentioned)
            before = text[max(0, s - 25):s]
            locative = bool(re.search(r"\b(?:in|at|near|from|to|into|outside|around|of|towards?|between|and)\s+(?:the\s+)?$",
                                      before))
            strict = bool(re.search(r"\b(?:in|at|near|outside|around|inside|(?:travel+ed|flew|arrived|went)\s+to|visit\w*)"
                                    r"\s+(?:the\s+)?$", before))
            if surf.isupper() and not strict:
                # a dateline naming its country ("PORT-AU-PRINCE, Haiti —") says where the report is from
                dl = re.match(r",\s+([A-Z][\w’' ]{2,30}?)\s*(?:,|—|–|-)", text[e:e + 40])
                strict = bool(dl) and country_code(dl.group(1)) == p.cc
            if p.kind == "capital" and p.cc != subject and not strict:
                continue  # "Washington", "Paris" as metonyms for governments are not places on the map
            if (p.cc != subject and not locative and " " not in surf and not surf.isupper()
                    and _SENTENCE_START.search(text, max(0, s - 3), s)
                    and text.count(surf) == 1):
                continue  # "Mobile clinics were suspended": a capitalised word opening a sentence, once
            if not (p.cc in mentioned or p.pop >= 500_000 or (locative and p.pop >= 50_000)):
                continue
            if subject and p.cc != subject and p.cc not in mentioned and not strict and p.pop < 1_000_000:
                continue  # "the districts of X and Palma" in a report on Mozambique is not Palma, Spain
            if p.kind not in ("capital", "admin1", "area") and p.cc not in mentioned and not locative:
                continue
            attrs = {"lat": p.lat, "lon": p.lon, "gazetteer": p.kind}
            if p.kind in ("admin1", "area"):
                attrs["admin"] = "region"
            add(p.name, p.cc, s, e, attrs)
    return list(out.values())


def _is_country_name(s: str) -> bool:
    from .lexicon import _forms

    hit = _forms().get(s)
    return bool(hit) and hit[1] != CAPITAL


def _best(cands: list[_Place], countries: set[str]) -> _Place:
    return sorted(cands, key=lambda p: (p.cc not in countries, p.kind != "capital", -p.pop, p.name))[0]


# ------------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------------

_SAY = (
    r"(?:said|says|say|told|tells|added|adds|noted|notes|stated|states|warned|warns|argued|argues|insisted|"
    r"insists|stressed|stresses|explained|explains|declared|declares|claimed|claims|wrote|writes|asserted|"
    r"remarked|cautioned|suggested|suggests|denied|denies|confirmed|confirms|described|describes|read)"
)
_SAID_AFTER = re.compile(rf"\s*[,.]?\s*(?:{_SAY})\s+(?P<x>[^,.;“”]{{2,120}})")
_X_SAID_AFTER = re.compile(rf"\s*[,.]?\s*(?P<x>[^,;“”]{{2,100}}?)\s+(?:{_SAY})\b")
_X_SAID_BEFORE = re.compile(rf"(?P<x>[^.;“”]{{2,160}}?)\s+(?:{_SAY})\b[^“”]{{0,120}}$")
_SAY_WORDS = tuple(_SAY[3:-1].split("|"))
_SAY_NEAR = re.compile(rf"(?<=\s)(?:{_SAY})")
_FORBIDDEN_X = ".;“”"


def _said_before(text: str, lo: int, hi: int) -> re.Match[str] | None:
    """``_X_SAID_BEFORE.search(text, lo, hi)`` ("X said ... “" before a quote), computed without trying
    the pattern at every position of a long sentence: the say-verb ends within 120 characters of the
    quote, the speaker within 160 characters (and blanks) before the verb, so the leftmost possible
    start is worked out from the say-verbs near the quote and the pattern is matched there once."""
    best = None
    for v in _SAY_NEAR.finditer(text, max(lo, hi - 120 - 12), hi):
        r = v.start()
        ok = False
        for a in _SAY_WORDS:
            e = r + len(a)
            if e <= hi and text.startswith(a, r) and (e == hi or not (text[e].isalnum() or text[e] == "_")) \
                    and hi - e <= 120 and "“" not in text[e:hi] and "”" not in text[e:hi]:
                ok = True
                break
        if not ok:
            continue
        q = r
        while q > lo and text[q - 1].isspace():
            q -= 1
        floor = max(lo, q - 160)
        f = max(text.rfind(c, floor, q) for c in _FORBIDDEN_X)
        p = max(floor, f + 1)
        if p + 2 <= r - 1 and (best is None or p < best):
            best = p
    if best is None:
        return None
    m = _X_SAID_BEFORE.match(text, best, hi)
    if m is None:  # pragma: no cover - the reasoning above says it matches; stay safe
        m = _X_SAID_BEFORE.search(text, max(lo, hi - 2000), hi)
    return m


_QUOTE = re.compile(r"“(?P<q>[^“”]{3,700})”|\"(?P<q2>[^\"\n]{3,700})\"")

_GOV_ROLE = re.compile(r"\b(?:minister|president|prime|junta|government|army|military|colonel|general|spokes\w+\s+for\s+the\s+"
                       r"government|authorities|governor|ministry|state\s+television|transitional)\b", re.I)
_FOREIGN_ROLE = re.compile(r"\b(?:state\s+department|secretary\s+of\s+state|foreign\s+office|embassy|ambassador|senator|"
                           r"envoy|congress\w*)\b", re.I)
_ANALYST_ROLE = re.compile(r"\b(?:analyst|expert|researcher|fellow|professor|scholar|editor|consultant|lecturer|"
                           r"think\s+tank|retired|former)\b", re.I)
_CIVIL_ROLE = re.compile(r"\b(?:resident|mechanic|trader|driver|union|activist|journalist|villager|farmer|teacher|"
                         r"student|doctor|nurse|worker|shopkeeper|merchant|local)\b", re.I)


def _stance(role: str, speaker_type: str | None, country: str | None, subject: str | None) -> str:
    if speaker_type == "armed_group":
        return "militant"
    if speaker_type in ("organisation",):
        return "international_org"
    if _ANALYST_ROLE.search(role):
        return "analyst"
    if _FOREIGN_ROLE.search(role):
        return "foreign_government" if (country is None or country != subject) else "government"
    if _GOV_ROLE.search(role):
        if country and subject and country != subject:
            return "foreign_government"
        return "government"
    if _CIVIL_ROLE.search(role):
        return "civil_society"
    return "other"


def _role_country(text: str, p: _Person, subject: str | None) -> str | None:
    """Country of a person's role: "Mali’s foreign minister", "U.S. Deputy Secretary of State X"."""
    seg = text[max(0, p.start - len(p.role) - 30):p.start] + " " + p.role
    for m in reversed(find_countries(seg)):
        if m.kind in (NAME, ADJECTIVE, CAPITAL) and (seg[m.end:m.end + 2] in ("’s", "'s") or m.kind == ADJECTIVE
                                                      or re.match(r"\s+[A-Z]", seg[m.end:m.end + 2])):
            return m.code
    if re.search(r"secretary\s+of\s+state|state\s+department", p.role, re.I):
        return "US"
    # a generic role phrase elsewhere in the text: "Mali’s foreign minister has dismissed ..."
    role_core = re.sub(r"^(?:(?:retired|former|deputy|acting|interim)\s+)+", "", p.role, flags=re.I).lower()
    if len(role_core) > 4:
        return _role_phrase_country(text, role_core)
    return None


_ROLE_PHRASE: list = [None, {}]  # [text, {role: country}]: one search of the text per distinct role


def _role_phrase_country(text: str, role_core: str) -> str | None:
    if _ROLE_PHRASE[0] is not text:
        _ROLE_PHRASE[0], _ROLE_PHRASE[1] = text, {}
    memo = _ROLE_PHRASE[1]
    if role_core not in memo:
        c = None
        m = re.search(rf"(?P<c>[A-Z][\w’'\.\-]+(?:\s+[A-Z][\w’'\-]+)?)(?:[’']s)?\s+{re.escape(role_core)}\b", text, re.I)
        if m:
            c = country_code(re.sub(r"[’']s$", "", m.group("c")))
        memo[role_core] = c
    return memo[role_core]


def _claim_facts(ctx: Context, actors: list[Fact]) -> list[Fact]:
    text = ctx.source.text
    persons = _persons(text)
    subject = None
    try:
        from .advisories import _subject_country

        subject = _subject_country(ctx)
    except Exception:  # pragma: no cover
        subject = None
    by_surname: dict[str, _Person] = {}
    for p in persons:
        by_surname.setdefault(p.name.split()[-1], p)
    orgs = [o for o in _alias_mentions(text) if not (o.surface.isupper() and _inside_caps_compound(text, o.start, o.end))]
    person_starts = [p.start for p in persons]  # both lists are sorted by start
    org_starts = [o.start for o in orgs]
    out: list[Fact] = []
    sents = ctx.sentences

    starts = [s.start for s in sents]

    def sentence_at(i: int) -> int:
        k = bisect.bisect_right(starts, i) - 1
        return k if k >= 0 and i < sents[k].end + 1 else -1

    for m in _QUOTE.finditer(text):
        q = m.group("q") or m.group("q2")
        qs = m.start("q") if m.group("q") else m.start("q2")
        qe = qs + len(q)
        if len(q.split()) < 3:
            continue
        k = sentence_at(m.start())
        if k < 0:
            continue
        sent = sents[k]
        # attribution text: the sentence outside the quotes (matched in place, with offsets into the
        # text: slicing the rest of a sentence for every quote was quadratic on huge one-line texts)
        speaker = None
        role = ""
        stype = None
        country = None
        # 1. "… ,” said X" / "…,” X said" / "X said, “…”" / "X told Y that … “…”"
        cand_spans = []
        ma = _SAID_AFTER.match(text, m.end(), sent.end)
        if ma:
            cand_spans.append((ma.start("x"), ma.end("x")))
        mb = _X_SAID_AFTER.match(text, m.end(), sent.end)
        if mb and not ma:
            cand_spans.append((mb.start("x"), mb.end("x")))
        mc = _said_before(text, sent.start, m.start())
        if mc:
            cand_spans.append((mc.start("x"), mc.end("x")))
        for cs, ce in cand_spans:
            seg = text[cs:ce]
            p = _first_in(persons, person_starts, cs, ce)
            if p is None:
                for w in re.findall(r"\b[A-Z][a-zà-ÿ’'\-]+\b", seg):
                    if w in by_surname:
                        p = by_surname[w]
                        break
            if p is not None:
                speaker, role = p.name, p.role
                country = _role_country(text, p, subject)
                break
            o = _first_in(orgs, org_starts, cs, ce)
            if o is not None and o.type in ("organisation", "armed_group"):
                speaker, stype, role = o.canonical, o.type, seg.strip()
                break
            if re.match(r"^\s*(?:He|She)\b", seg) or re.search(r"\b(?:he|she)\s*$", seg.strip(), re.I):
                p = _antecedent(text, sents, k, persons)
                if p is not None:
                    speaker, role = p.name, p.role
                    country = _role_country(text, p, subject)
                    break
            desc = re.search(r"\b(?:an?|the)\s+(?P<d>(?:[\w’'\-]+\s+){0,4}?(?:analyst|expert|researcher|spokesperson|"
                             r"spokesman|spokeswoman|official|resident|mechanic|driver|trader))\b", seg)
            if desc:
                d = desc.group("d")
                if desc.group(0).lower().startswith("the "):
                    # "the analyst noted": the indefinite description of the previous sentences ("A Malian
                    # security analyst in Bamako said"); otherwise nothing
                    head = d.split()[-1]
                    prev = text[sents[max(0, k - 2)].start:(mc.start() if mc else sent.start)]
                    found = re.findall(rf"\b(?:an?)\s+((?:[\w’'\-]+\s+){{0,4}}?{re.escape(head)})\b", prev, re.I)
                    if len(set(found)) != 1 or head in ("spokesperson", "spokesman", "spokeswoman", "official"):
                        continue
                    d = found[0]
                speaker, role = d, d
                cc = [c.code for c in find_countries(d) if c.kind in (ADJECTIVE, NAME)]
                country = cc[0] if cc else None
                break
            if re.search(r"statement\s+from|spokes\w+\s+for", seg):
                rest = text[cs:sent.end]
                ms = [c for c in find_countries(rest)]
                inst = [c for c in ms if c.kind == "institution"]
                if ms:
                    pick = inst[0] if inst else ms[0]
                    speaker, role, country = pick.text, seg.strip(), pick.code
                    break
        if speaker is None:
            continue
        stance = _stance(role or "", stype, country, subject)
        if re.search(r"statement\s+from|spokes\w+\s+for", role) and stype is None:
            stance = "foreign_government" if country and country != subject else "government"
        out.append(Fact(kind=CLAIM, speaker=speaker, stance=stance, text=q.strip(),
                        attrs={"role": role, **({"country": country} if country else {}), "direct": True},
                        rule="claim.quote", evidence=[ctx.evidence(qs, qe)]))
    return out


def _first_in(items: list, starts: list[int], lo: int, hi: int):
    """The first item (sorted by ``start``) with lo <= start < hi, or None."""
    i = bisect.bisect_left(starts, lo)
    return items[i] if i < len(items) and starts[i] < hi else None


def _antecedent(text: str, sents, k: int, persons: list[_Person]) -> _Person | None:
    """The one person named in this sentence before the pronoun or in the previous two sentences."""
    lo = sents[max(0, k - 2)].start
    hi = sents[k].start
    cands = [p for p in persons if lo <= p.start < hi]
    # surnames used alone ("Ndiaye said") also count
    names = {p.name for p in cands}
    for p in persons:
        sur = p.name.split()[-1]
        if re.search(rf"\b{re.escape(sur)}\b", text[lo:hi]):
            names.add(p.name)
    if len(names) != 1:
        return None
    name = names.pop()
    return next(p for p in persons if p.name == name)


def extract(ctx: Context) -> list[Fact]:
    actors, spans = _actor_facts(ctx)
    places = _place_facts(ctx, spans)
    claims = _claim_facts(ctx, actors)
    return actors + places + claims
