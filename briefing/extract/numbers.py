"""Numbers in news text: digits, number words, hedges, ranges, vague quantities, and what they are.

``find_numbers(text, start, end)`` returns every number mention in ``text[start:end]`` with

- its value (or low/high for ranges, None for vague words such as "dozens"),
- its qualifier (``exact``, ``approx``, ``approx_below``, ``at_least``, ``more_than``, ``up_to``,
  ``range``, ``vague``) and the surface words ("close to 20 percent"),
- a ``category`` that says what kind of number it is: ``count`` (a candidate count of something),
  ``percent``, ``money``, ``measure`` (distance, volume, weight), ``duration``, ``age``, ``year``,
  ``date``, ``time``, ``ordinal``, ``phone``, ``id`` or ``multiplier``. Only ``count`` numbers may
  become counts, casualties or kidnappings; the others are never read as counts.

Number words are parsed by a small grammar ("twenty-one", "two hundred and fifty", "a dozen",
"2.5 million", "1,200"). No dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import lower_for_gates

# --------------------------------------------------------------------------------------------
# number words
# --------------------------------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000}
SCALE_ABBR = {"m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "k": 1_000}

# vague quantity words -> lower bound (None: no meaningful bound)
VAGUE = {
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens of thousands": 20_000,
    "hundreds of thousands": 200_000, "millions": 2_000_000, "tens": 20, "several": None,
    "a few": None, "a handful": None, "numerous": None, "many": None, "some": None,
}

_W = "|".join(sorted(list(UNITS) + list(TENS), key=len, reverse=True))
_S = "|".join(SCALES)
_WORDNUM = (
    rf"(?:(?:a|one|half\s+a)\s+(?:dozen|{_S})"
    rf"|(?:(?:{_W})(?:[\s-](?:{_W}))?)(?:\s+(?:and\s+)?(?:{_S}|dozen)(?:\s+(?:and\s+)?(?:{_W})(?:[\s-](?:{_W}))?)*)*)"
)
_DIGITS = (r"(?<![\w.,/:])(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?=[ \u00a0]+[a-z])|\d+)"
           r"(?:\.\d+)?(?![\w]|[.,]\d|:\d)")
_SPACED = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3})")
_DIGNUM = rf"{_DIGITS}(?:\s*(?:{_S}|mn|bn)\b|(?:m|bn|k)\b)?"
_VAGUE_RX = (
    r"(?:tens|hundreds)\s+of\s+thousands|dozens|scores|hundreds|thousands|millions|several|a\s+few"
    r"|a\s+handful|numerous"
)
# (the leading lookbehind and lookahead are implied by every alternative: they only let the scan skip,
# cheaply, the positions inside words where no number can start)
_CORE = re.compile(
    rf"(?<!\w)(?=[\da-z])(?:"
    rf"(?P<dig>{_DIGNUM})|(?<![\w-])(?P<word>{_WORDNUM})(?![\w-])|(?<![\w-])(?P<vague>{_VAGUE_RX})(?![\w-]))",
    re.I,
)


def parse_number_words(s: str) -> float | None:
    """'twenty-one' -> 21, 'two hundred and fifty' -> 250, 'a dozen' -> 12, '2.5 million' -> 2500000."""
    s = s.lower().strip()
    m = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)\s*([a-z]+)?", s)
    if m:
        v = float(m.group(1).replace(",", ""))
        if m.group(2):
            mult = SCALES.get(m.group(2)) or SCALE_ABBR.get(m.group(2))
            if mult is None:
                return None
            v *= mult
        return v
    toks = [t for t in re.split(r"[\s-]+", s) if t and t != "and"]
    if not toks:
        return None
    if toks[:2] == ["half", "a"]:
        rest = parse_number_words(" ".join(["one"] + toks[2:]))
        return rest / 2 if rest is not None else None
    total, cur = 0.0, 0.0
    for t in toks:
        if t in ("a", "an"):
            cur = 1 if cur == 0 else cur
        elif t in UNITS:
            cur += UNITS[t]
        elif t in TENS:
            cur += TENS[t]
        elif t == "dozen":
            cur = (cur or 1) * 12
        elif t == "hundred":
            cur = (cur or 1) * 100
        elif t in SCALES:
            total += (cur or 1) * SCALES[t]
            cur = 0
        else:
            return None
    return total + cur


def _num_value(s: str) -> float | None:
    return parse_number_words(s)


# --------------------------------------------------------------------------------------------
# hedges, units and context
# --------------------------------------------------------------------------------------------

_HEDGE_BEFORE = [
    ("approx_below", r"close\s+to|nearly|almost|just\s+(?:under|below|shy\s+of)|just\s+short\s+of"),
    ("at_least", r"at\s+least|no\s+(?:fewer|less)\s+than|a\s+minimum\s+of|not\s+less\s+than"),
    ("more_than", r"more\s+than|over|upwards\s+of|in\s+excess\s+of|above|exceeding|well\s+over"),
    ("up_to", r"up\s+to|as\s+many\s+as|as\s+much\s+as|at\s+most|fewer\s+than|less\s+than|under|below|a\s+maximum\s+of"),
    ("approx", r"about|around|roughly|approximately|some|an\s+estimated|estimated|almost\s+exactly|circa|ca\.|"
               r"an\s+approximate|approx\.?|more\s+or\s+less|nearly\s+exactly|the\s+better\s+part\s+of"),
]
_HEDGE_BEFORE_RX = [(q, re.compile(rf"(?<![\w])(?:{rx})\s+$", re.I)) for q, rx in _HEDGE_BEFORE]
_OR_MORE = re.compile(r"^\s+or\s+(?:more|above|over)\b", re.I)

_PERCENT = re.compile(r"^\s*(?:%|percent\b|per\s*cent\b|pc\b|percentage\s+points?\b)", re.I)
_CURRENCY_BEFORE = re.compile(
    r"(?:US\s?\$|A\$|C\$|\$|€|£|¥|₦|₹|USD|EUR|GBP|CFA|FCFA|XOF|NGN|KES|SDG|UAH|HTG|Rs\.?)\s*$", re.I
)
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:(?:US|U\.S\.|American|Canadian|Australian)\s+)?(dollars?|euros?|pounds?(?:\s+sterling)?|"
    r"(?:CFA\s+)?francs?|CFA|shillings?|naira|hryvni?as?|rand|birr|rupees?|yuan|yen|dirhams?|gourdes?|"
    r"cedis?|riyals?|roubles?|rubles?|USD|EUR|GBP|XOF)\b",
    re.I,
)
_MEASURE_AFTER = re.compile(
    r"^\s*(?:-\s*)?(miles?|mi\b|kilometres?|kilometers?|km\b|kms\b|metres?|meters?|feet|foot|ft\b|"
    r"litres?|liters?|gallons?|barrels?|bbl\b|tonnes?|tons?|t\b|kilograms?|kg\b|kgs\b|pounds?\s+of|lbs?\b|"
    r"hectares?|ha\b|acres?|square\s+(?:kilometres?|kilometers?|miles?|metres?|meters?)|sq\.?\s*km|"
    r"cubic\s+metres?|megawatts?|MW\b|degrees?|°C?|calories|mm\b|cm\b)",
    re.I,
)
_DURATION_AFTER = re.compile(
    r"^(?:\s+|\s*-\s*)(?:more\s+|long\s+|full\s+|consecutive\s+|straight\s+|or\s+so\s+)?"
    r"(seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries|century)\b",
    re.I,
)
_AGE_AFTER = re.compile(r"^\s*-?\s*years?[\s-]+old\b|^-year-old\b|^\s*yrs?\b", re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged|age|ages)\s+$", re.I)
_TIME_AFTER = re.compile(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT\b|UTC\b|hrs\b|o'clock\b|h\d\d\b)", re.I)
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
_ID_BEFORE = re.compile(
    r"(?:\b(?:No\.?|Nos\.?|Number|Resolution|Article|Section|Chapter|Paragraph|Clause|Route|Highway|RN|"
    r"Flight|Room|Page|pp?\.|Vol\.?|Item|Case|Decree|Law|Act|Order|Level|Phase|Round|Stage|Grade|Class|"
    r"Category|Code|Line|Platform|Gate|Unit|Battalion|Brigade|Division|Regiment|Squadron|Corps)\s*$|"
    r"[A-Za-z]\s?-\s?$|[A-Za-z]$|#\s*$|\+\s*$|/\s*$)",
)
_MONTH_NEAR = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_MULTIPLIER_AFTER = re.compile(r"^\s*(?:times|-fold|fold)\b", re.I)


@dataclass
class Num:
    """One number mention. Offsets index the text given to find_numbers."""

    start: int  # the whole surface, hedge included
    end: int
    num_start: int  # the number itself
    num_end: int
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    surface: str
    category: str  # count | percent | money | measure | duration | age | year | date | time | ...
    unit: str | None = None
    unit_end: int | None = None  # end of the unit words (percent, miles...)
    word: bool = False  # written in words


# the last word of every hedge above: a hedge needs one of them (then blanks) right before the number
_HEDGE_LAST = {
    "to", "nearly", "almost", "under", "below", "of", "least", "than", "over", "above", "exceeding", "as", "most",
    "about", "around", "roughly", "approximately", "some", "estimated", "exactly", "circa", "ca.", "approximate",
    "approx", "approx.", "less",
}
_TRAIL_WORD = re.compile(r"[\w.]*")


def _hedge(text: str, start: int, lo: int) -> tuple[str | None, int]:
    before = text[max(lo, start - 40):start]
    if not before or not before[-1].isspace():
        return None, start
    last = lower_for_gates(_TRAIL_WORD.match(before.rstrip()[::-1]).group(0)[::-1])
    parts = last.split(".")  # a hedge may also start after a dot inside the token ("x.about")
    if not any(".".join(parts[k:]) in _HEDGE_LAST for k in range(len(parts))):
        return None, start
    for q, rx in _HEDGE_BEFORE_RX:
        m = rx.search(before)
        if m:
            return q, start - (len(before) - m.start())
    return None, start


def _is_year(text: str, s: int, e: int, v: float | None) -> bool:
    raw = text[s:e]
    if not re.fullmatch(r"(?:1[89]\d\d|20\d\d|2100)", raw):
        return False
    after = text[e:e + 20]
    m = re.match(r"\s+([a-z]+)", after)
    if m and m.group(1) in _COUNT_AFTER_YEAR_OK:
        before = text[max(0, s - 10):s]
        if not re.search(r"\b(?:in|since|of|by|until|from|early|late|mid)\s*-?\s*$", before, re.I):
            return False
    return True


_COUNT_AFTER_YEAR_OK = {
    "people", "troops", "soldiers", "civilians", "fighters", "refugees", "attacks", "vehicles", "trucks",
    "households", "families", "children", "persons", "migrants", "homes", "tankers", "incidents",
}


def _classify(text: str, s: int, e: int, lo: int, hi: int, value: float | None, word: bool
              ) -> tuple[str, str | None, int | None]:
    """(category, unit, unit_end) for the number at text[s:e]."""
    before = text[max(lo, s - 30):s]
    after = text[e:min(hi, e + 40)]
    m = _PERCENT.match(after)
    if m:
        return "percent", "percent", e + m.end()
    if not word and _ORDINAL_AFTER.match(after):
        return "ordinal", None, None
    if _CURRENCY_BEFORE.search(before):
        cur = _CURRENCY_BEFORE.search(before).group(0).strip()
        return "money", _currency_code(cur), e
    m = _CURRENCY_AFTER.match(after)
    if m:
        return "money", _currency_code(m.group(1)), e + m.end()
    if _AGE_AFTER.match(after) or _AGE_BEFORE.search(before):
        return "age", None, None
    # "Mohammed Abu Halima, 43, sits" / "Jane Doe (43)"
    if re.search(r"[A-Z][\w'’.-]+\s*,\s*$", before) and re.match(r"^\s*,", after) and value is not None \
            and 0 < value < 120 and not word:
        return "age", None, None
    if re.search(r"[A-Z][a-z]+\s*\($", before) and re.match(r"^\)", after) and not word:
        return "age", None, None
    m = _MEASURE_AFTER.match(after)
    if m:
        return "measure", _measure_unit(m.group(1)), e + m.end()
    m = _DURATION_AFTER.match(after)
    if m:
        return "duration", m.group(1).lower(), e + m.end()
    if _TIME_AFTER.match(after):
        return "time", None, None
    if _MULTIPLIER_AFTER.match(after):
        return "multiplier", None, None
    if not word:
        if _is_year(text, s, e, value):
            return "year", None, None
        if _ID_BEFORE.search(before):
            return "id", None, None
        # phone numbers and long digit groups: "+223 20 22 54 11", "20-22-54-11"
        if re.search(r"\d[\s-]$", before) or re.match(r"^[\s-]\d{2,}", after):
            if re.search(r"\d[\d\s-]{6,}$", text[max(lo, s - 12):e]) or re.match(r"^(?:[\s-]\d{2,4}){2,}", after):
                return "phone", None, None
        # dates: "October 21", "21 October", "21/10"
        if _MONTH_NEAR.search(before[-12:]) and re.search(r"[A-Z][a-z]*\.?\s+$", before) and (value or 0) <= 31:
            return "date", None, None
        if re.match(r"^\s+" + _MONTH_NEAR.pattern, after) and (value or 0) <= 31:
            return "date", None, None
        if re.match(r"^[/.]\d", after):
            return "date", None, None
    return "count", None, None


_CUR = {
    "$": "USD", "us$": "USD", "us $": "USD", "dollar": "USD", "dollars": "USD", "€": "EUR", "euro": "EUR",
    "euros": "EUR", "£": "GBP", "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "cfa": "XOF",
    "fcfa": "XOF", "cfa franc": "XOF", "cfa francs": "XOF", "naira": "NGN", "₦": "NGN", "shilling": "KES",
    "shillings": "KES", "hryvnia": "UAH", "hryvnias": "UAH", "hryvnas": "UAH", "gourde": "HTG",
    "gourdes": "HTG", "rupee": "INR", "rupees": "INR", "₹": "INR", "yen": "JPY", "¥": "JPY", "yuan": "CNY",
    "rand": "ZAR", "birr": "ETB", "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB",
}


def _currency_code(s: str) -> str:
    k = s.strip().lower()
    if k.upper() in ("USD", "EUR", "GBP", "XOF", "NGN", "KES", "SDG", "UAH", "HTG"):
        return k.upper()
    return _CUR.get(k, _CUR.get(k.rstrip("s"), k.upper()))


def _measure_unit(s: str) -> str:
    k = re.sub(r"\s+", " ", s.strip().lower()).rstrip(".")
    table = {
        "mile": "miles", "miles": "miles", "mi": "miles", "km": "km", "kms": "km", "kilometre": "km",
        "kilometres": "km", "kilometer": "km", "kilometers": "km", "metre": "m", "metres": "m", "meter": "m",
        "meters": "m", "litre": "litres", "litres": "litres", "liter": "litres", "liters": "litres",
        "gallon": "gallons", "gallons": "gallons", "barrel": "barrels", "barrels": "barrels", "bbl": "barrels",
        "tonne": "tonnes", "tonnes": "tonnes", "ton": "tonnes", "tons": "tonnes", "t": "tonnes",
        "kilogram": "kg", "kilograms": "kg", "kg": "kg", "kgs": "kg", "hectare": "hectares",
        "hectares": "hectares", "ha": "hectares", "acre": "acres", "acres": "acres",
    }
    if k in table:
        return table[k]
    if k.startswith("square") or k.startswith("sq"):
        return "km2" if "k" in k[2:] else k
    return k


_FRACTIONS = {
    "quarter": 25.0, "third": 33.3, "fifth": 20.0, "tenth": 10.0, "half": 50.0, "three-quarters": 75.0,
    "three quarters": 75.0, "two-thirds": 66.7, "two thirds": 66.7,
}
_FRACTION_RX = re.compile(
    r"(?<![\w-])(?=[a-z1])(?:"
    r"(?<![\w-])(?P<f>(?:a|one)[\s-](?:quarter|third|fifth|tenth)|three[\s-]quarters|two[\s-]thirds|half)"
    r"(?=\s+of\s+(?!(?:the\s+)?(?:year|month|week|day|decade|century|\d{4})\b))"
    r"|(?<![\w-])(?P<a>one|1)\s+in\s+(?P<b>two|three|four|five|six|seven|eight|nine|ten|twenty|a\s+hundred|\d+)\b)",
    re.I,
)


_FRACTION_CMP = re.compile(
    r"\b(?:from|against|compared\s+(?:with|to)|than|versus)\s+(?:(?:about|around|roughly|nearly|almost|some|just|"
    r"only|barely|close\s+to)\s+)?(?P<f>(?:a|one)[\s-](?:quarter|third|fifth|tenth)|three[\s-]quarters|two[\s-]thirds|"
    r"half)(?=\s+(?:in|during|last|this|a\s+year|the\s+(?:previous|year|same))\b|\s*[,.;]|$)",
    re.I,
)


def _fraction_matches(text: str, start: int, end: int) -> list[re.Match[str]]:
    ms = list(_FRACTION_RX.finditer(text, start, end))
    low = text[start:end].lower()
    if ("percent" in low or "%" in low or "per cent" in low) and any(
            w in low for w in ("from", "against", "compared", "than", "versus")):
        seen = {m.start("f") for m in ms if m.group("f")}
        for m in _FRACTION_CMP.finditer(text, start, end):
            pm = re.search(r"%|percent|per\s+cent", text[start:m.start()], re.I)
            if pm and m.start("f") not in seen:
                ms.append(_FracAt(m))
        ms.sort(key=lambda x: x.start())
    return ms


class _FracAt:
    """A comparison match seen as a fraction match (the fraction words only)."""

    def __init__(self, m: re.Match[str]):
        self._m = m

    def start(self, g: str | None = None) -> int:
        return self._m.start("f")

    def end(self, g: str | None = None) -> int:
        return self._m.end("f")

    def group(self, g: str | int = 0) -> str | None:
        return self._m.group("f") if g in ("f", 0) else None


def _fractions(text: str, start: int, end: int) -> list[Num]:
    out: list[Num] = []
    for m in _fraction_matches(text, start, end):
        if m.group("f"):
            before = text[max(start, m.start() - 12):m.start()].lower()
            if re.search(r"\b(?:first|second|latter|other)\s+$", before):
                continue
            key = re.sub(r"^(?:a|one)[\s-]", "", m.group("f").lower())
            v = _FRACTIONS.get(key, _FRACTIONS.get(key.replace(" ", "-")))
        else:
            b = parse_number_words(m.group("b"))
            if not b:
                continue
            v = round(100.0 / b, 1)
        if v is None:
            continue
        q, hs = _hedge(text, m.start(), start)
        q = q or ("approx" if v in (33.3, 66.7) or not m.group("f") and v != round(v) else "exact")
        low = high = None
        if q in ("at_least", "more_than"):
            low = v
        elif q in ("up_to", "approx_below"):
            high = v
        out.append(Num(hs, m.end(), m.start(), m.end(), v, low, high, q, text[hs:m.end()], "percent", "percent",
                       m.end(), True))
    return out


_MEMO: dict[tuple[int, int], list[Num]] = {}
_MEMO_TEXT: list[str | None] = [None]


def find_numbers(text: str, start: int = 0, end: int | None = None) -> list[Num]:
    """All number mentions in text[start:end], ranges merged, hedges attached, categories set.

    The extractors ask for the same sentence more than once; the answers for the current text are kept
    (one text at a time): the list is new, the ``Num`` objects are shared and must not be changed."""
    end = len(text) if end is None else end
    if _MEMO_TEXT[0] is not text:
        _MEMO.clear()
        _MEMO_TEXT[0] = text
    got = _MEMO.get((start, end))
    if got is None:
        got = _MEMO[(start, end)] = _find_numbers(text, start, end)
    return list(got)


def _find_numbers(text: str, start: int, end: int) -> list[Num]:
    fracs = _fractions(text, start, end)
    raw: list[tuple[int, int, float | None, bool, str | None]] = []  # s, e, value, word, vague-key
    for m in _CORE.finditer(text, start, end):
        if any(f.num_start <= m.start() < f.num_end for f in fracs):
            continue
        if m.group("dig"):
            dig = m.group("dig")
            v = _num_value(_SPACED.sub("", dig) if " " in dig or not dig.isascii() else dig)
            raw.append((m.start(), m.end(), v, False, None))
        elif m.group("word"):
            w = m.group("word")
            # "one" used as a pronoun ("one of the", "no one") and "a"/"an" forms are handled by callers
            v = parse_number_words(w)
            if v is None:
                continue
            raw.append((m.start(), m.end(), v, True, None))
        else:
            key = re.sub(r"\s+", " ", m.group("vague").lower())
            raw.append((m.start(), m.end(), None, True, key))

    out: list[Num] = []
    i = 0
    while i < len(raw):
        s, e, v, word, vkey = raw[i]
        # ranges: "between X and Y", "X to Y", "X-Y", "X–Y"
        if vkey is None and i + 1 < len(raw) and raw[i + 1][4] is None:
            s2, e2, v2, word2, _ = raw[i + 1]
            gap = text[e:s2]
            btw = re.search(r"\bbetween\s+$", text[max(start, s - 10):s], re.I)
            frm = re.search(r"\b(?:from|rose|fell|increased|decreased|grew|dropped|jumped|climbed)\s+$",
                            text[max(start, s - 12):s], re.I)
            is_rng = (btw and re.fullmatch(r"\s+and\s+", gap)) or (
                not frm and (re.fullmatch(r"\s*[-–—]\s*", gap) or re.fullmatch(r"\s+to\s+", gap))
            )
            if is_rng and v is not None and v2 is not None and v < v2:
                rs = s - len(btw.group(0)) if btw else s
                # "2.5 to 3 million": carry the scale of the second number to the first
                scale = re.search(rf"({_S}|mn|bn)$", text[s2:e2], re.I)
                if scale and not re.search(rf"({_S}|mn|bn)$", text[s:e], re.I):
                    v = v * SCALES.get(scale.group(1).lower(), SCALE_ABBR.get(scale.group(1).lower(), 1))
                cat, unit, uend = _classify(text, s2, e2, start, end, v2, word2)
                if cat == "year" and _classify(text, s, e, start, end, v, word)[0] == "year":
                    pass  # "2020-2021": years, handled below one by one
                else:
                    surf_end = uend or e2
                    out.append(Num(rs, surf_end, s, e2, None, v, v2, "range", text[rs:surf_end],
                                   cat if cat != "year" else "count", unit, uend, word or word2))
                    i += 2
                    continue
        if vkey is not None:
            low = VAGUE.get(vkey)
            # "dozens of", "hundreds of": category from what follows "of" (e.g. "dozens of times")
            cat, unit, uend = "count", None, None
            after = text[e:min(end, e + 40)]
            m_of = re.match(r"\s+of\s+", after)
            if m_of:
                cat, unit, uend = _classify(text, e + m_of.end() - 1, e + m_of.end() - 1, start, end, None, True)
            else:
                cat, unit, uend = _classify(text, s, e, start, end, None, True)
            out.append(Num(s, uend or e, s, e, None, low, None, "vague", text[s:uend or e], cat, unit, uend,
                           True))
            i += 1
            continue
        cat, unit, uend = _classify(text, s, e, start, end, v, word)
        q, hs = _hedge(text, s, start)
        surf_end = uend or e
        m = _OR_MORE.match(text[surf_end:end])
        if m and q is None:
            q = "at_least"
            surf_end += m.end()
        if q is None:
            q = "exact"
        low = high = None
        if q in ("at_least", "more_than"):
            low = v
        elif q == "up_to":
            high = v
        elif q == "approx_below":
            high = v
        # "some" before a non-number word is not a hedge we want ("some 40" yes; handled by regex order)
        out.append(Num(hs, surf_end, s, e, v, low, high, q, text[hs:surf_end], cat, unit, uend, word))
        i += 1
    out = sorted(out + fracs, key=lambda n: n.start)
    # "from 8 to 20 percent", "8 or 9 percent": the unit of the second number applies to the first
    for a, b in zip(out, out[1:]):
        if a.category == "count" and b.category == "percent" and \
                re.fullmatch(r"\s+(?:to|and|or)\s+", text[a.end:b.num_start]):
            a.category, a.unit = "percent", "percent"
    return out


__all__ = ["Num", "find_numbers", "parse_number_words", "VAGUE"]
