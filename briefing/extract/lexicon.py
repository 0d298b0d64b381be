"""Country lexicon: names, short forms, demonyms, capitals and metonyms -> ISO 3166-1 alpha-2.

Data: pycountry names, plus ``briefing/data/countries.tsv`` (short forms, adjectives, plural
nouns), ``briefing/data/metonyms.tsv`` (institutions such as "the State Department") and the
capitals in ``briefing/data/gazetteer.tsv``. Everything is generic world data.

API
    country_code(name)            -> ISO2 or None (case-insensitive; names, demonyms, capitals, metonyms)
    find_countries(text, s, e)    -> [CountryMention] in text[s:e] (case-sensitive, longest match first)
    country_name(code)            -> a short English name ("United Kingdom" -> "United Kingdom", "US" -> "United States")
    demonym(code)                 -> the adjective ("GB" -> "British") or None
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Surface kinds of a mention
NAME = "name"  # "Germany", "the UK", "U.S."
ADJECTIVE = "adjective"  # "German", "British"
PEOPLE = "people"  # "Germans", "Britons", "Americans"
CAPITAL = "capital"  # "Berlin" (metonym for the government, or a place)
INSTITUTION = "institution"  # "the State Department", "the Quai d'Orsay"

# Capitals whose names are ambiguous (other towns, common words, or people's names): never metonyms.
_AMBIGUOUS_CAPITALS = {
    "Victoria", "Kingston", "Georgetown", "Hamilton", "Male", "Road Town", "The Valley", "Plymouth",
    "Jamestown", "Stanley", "Avarua", "Douglas", "San Juan", "Saint John's", "Kingstown", "Castries",
    "Alofi", "Adamstown", "Flying Fish Cove", "West Island", "Marigot", "Gustavia", "Philipsburg",
    "Charlotte Amalie", "Basse-Terre", "Saint Helier", "Saint Peter Port", "Saint-Pierre", "Oranjestad",
    "Willemstad", "Hagåtña", "Saipan", "Pago Pago", "Mata-Utu", "Papeete", "Nouméa", "Cayenne",
    "Fort-de-France", "Mamoudzou", "Saint-Denis", "Gibraltar", "Monaco", "Luxembourg", "Singapore",
    "Kuwait City", "Djibouti", "Guatemala City", "Panama City", "Mexico City", "San Marino", "Vatican City",
    "Longyearbyen", "Mariehamn", "Tórshavn", "Nuuk", "Episkopi Cantonment", "King Edward Point",
}

# Phrases that contain a country word but do not refer to the country (consumed, yield nothing).
_BLOCKERS = [
    "Gulf of Guinea", "Latin America", "Latin American", "South America", "South American", "North America",
    "North American", "Central America", "Central American", "the Americas", "African-American",
    "African American", "Niger River", "River Niger", "Niger Delta", "Senegal River", "Congo River",
    "Congo Basin", "Jordan River", "New Mexico", "New Mexican", "New Jersey", "New South Wales",
    "New England", "Washington Post", "Washington state", "Washington State", "Washington, D.C.",
    "French-speaking", "English-speaking", "Arabic-speaking", "French Guiana", "French Polynesia",
    "Guinea worm", "Turkey Creek", "Chad Basin", "Lake Chad", "Indian Ocean", "American Samoa",
    "Dutch disease", "China Sea", "Sea of Japan", "Persian Gulf", "Irish Sea", "English Channel",
    "Paris Agreement", "Paris Club", "Moscow-backed", "Saint-Louis", "Panama Canal", "Suez",
    "British Virgin Islands", "British Indian Ocean", "Virginia", "West Virginia",
]

# Extra name forms that pycountry spells awkwardly: pycountry's commas/inversions are skipped.
_BAD_NAME = re.compile(r",|\(")


@dataclass(frozen=True)
class CountryMention:
    start: int
    end: int
    text: str
    code: str
    kind: str  # NAME | ADJECTIVE | PEOPLE | CAPITAL | INSTITUTION


def _data(name: str) -> str:
    return resources.files("briefing.data").joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[list[str]]:
    out = []
    for line in _data(name).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        out.append(line.rstrip("\n").split("\t"))
    return out


def _split(field: str) -> list[str]:
    return [] if field in ("", "-") else [x for x in field.split("|") if x]


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[str, str]]:
    """Case-sensitive surface form -> (ISO2, kind)."""
    import pycountry

    forms: dict[str, tuple[str, str]] = {}
    for c in pycountry.countries:
        for attr in ("common_name", "name"):
            v = getattr(c, attr, None)
            if v and not _BAD_NAME.search(v):
                forms.setdefault(v, (c.alpha_2, NAME))
    # capitals first, so that names/demonyms (more specific) overwrite clashes
    for row in _rows("gazetteer.tsv"):
        if len(row) >= 5 and row[4] == "capital" and row[0] not in _AMBIGUOUS_CAPITALS:
            forms.setdefault(row[0], (row[1], CAPITAL))
    for row in _rows("countries.tsv"):
        code = row[0]
        for n in _split(row[1]):
            forms[n] = (code, NAME)
        for a in _split(row[2]):
            if a not in forms or forms[a][1] != NAME:
                forms[a] = (code, ADJECTIVE)
        for p in _split(row[3]) if len(row) > 3 else []:
            forms[p] = (code, PEOPLE)
    for row in _rows("metonyms.tsv"):
        forms[row[0]] = (row[1], row[2] if len(row) > 2 else INSTITUTION)
    return forms


@lru_cache(maxsize=1)
def _lower_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for form, (code, kind) in _forms().items():
        out.setdefault(form.lower(), code)
    # names win over other kinds when case-folding makes them collide
    for form, (code, kind) in _forms().items():
        if kind == NAME:
            out[form.lower()] = code
    return out


@lru_cache(maxsize=1)
def _regex() -> re.Pattern[str]:
    alts = sorted(set(_forms()) | set(_BLOCKERS), key=lambda s: (-len(s), s))
    body = "|".join(re.escape(a) for a in alts)
    # the 's of a possessive is allowed after the match; letters/digits are not
    return re.compile(rf"(?<![\w\-])(?:{body})(?!\w)")


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country name, short form, demonym, capital or metonym; None when unknown."""
    if not name:
        return None
    key = name.strip()
    key = re.sub(r"^the\s+", "", key, flags=re.I)
    key = re.sub(r"[’']s$", "", key)
    hit = _forms().get(key)
    if hit:
        return hit[0]
    return _lower_index().get(key.lower())


def find_countries(text: str, start: int = 0, end: int | None = None) -> list[CountryMention]:
    """Country mentions in text[start:end], in order; blockers ("Gulf of Guinea") are skipped."""
    end = len(text) if end is None else end
    forms = _forms()
    out: list[CountryMention] = []
    for m in _regex().finditer(text, start, end):
        s = m.group(0)
        hit = forms.get(s)
        if not hit:
            continue  # a blocker
        code, kind = hit
        # "US"/"UK" in an all-caps headline word run are still fine; "US" as the pronoun never is uppercase
        out.append(CountryMention(m.start(), m.end(), s, code, kind))
    return out


@lru_cache(maxsize=None)
def country_name(code: str) -> str | None:
    for row in _rows("countries.tsv"):
        if row[0] == code:
            return _split(row[1])[0] if _split(row[1]) else None
    import pycountry

    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or (c.name if c else None)


@lru_cache(maxsize=None)
def demonym(code: str) -> str | None:
    for row in _rows("countries.tsv"):
        if row[0] == code:
            adj = _split(row[2])
            return adj[0] if adj else None
    return None


@lru_cache(maxsize=None)
def capital_of(code: str) -> str | None:
    for row in _rows("gazetteer.tsv"):
        if len(row) >= 5 and row[1] == code and row[4] == "capital":
            return row[0]
    return None
