"""Shared text helpers for the extractors: sentences, evidence spans, the extraction context."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from ..model import Evidence, Source

# Abbreviations after which a period does not end a sentence.
_ABBREV = {
    "u.s", "u.k", "u.n", "e.u", "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gen", "col", "lt",
    "maj", "capt", "cpt", "sgt", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gov",
    "pres", "amb", "adm", "brig", "cmdr", "rev", "fr", "mt", "ft", "approx", "est", "e.g", "i.e",
}

_BOUNDARY = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s+|$)")
_LINE = re.compile(r"[^\n]+")
_TOKEN_REV = re.compile(r"[\w.]*")
_NEXT_CHAR = re.compile(r"\s*(\S)")


def lower_for_gates(t: str) -> str:
    """The haystack for the extractors' cheap keyword tests ("gates", necessary conditions checked
    before running a regex): lower case, every whitespace run one space (as ``\\s+`` allows), and the
    two letters that ``re.IGNORECASE`` folds to ASCII but ``str.lower`` keeps ("ſ", "ı") folded.
    Remembered for the last few thousand texts: each extractor asks for every sentence."""
    low = _LOW.get(t)
    if low is None:
        low = t.lower()
        if not t.isascii() and ("ſ" in low or "ı" in low):
            low = low.replace("ſ", "s").replace("ı", "i")
        low = " ".join(low.split())
        if len(_LOW) >= 4096:
            _LOW.clear()
        _LOW[t] = low
    return low


_LOW: dict[str, str] = {}


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets into Source.text
    end: int
    text: str


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Split text[start:end] into sentences. Line breaks always end a sentence."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    for m_line in _LINE.finditer(text, start, end):
        ls = m_line.start()
        le = m_line.end()
        seg_start = ls
        for m in _BOUNDARY.finditer(text, ls, le):
            if m.group(0).startswith("."):
                # the token before the period (an abbreviation is short: a bounded window is enough, and
                # keeps a long line with many periods linear)
                before = text[max(seg_start, m.start() - 256):m.start()]
                n = _TOKEN_REV.match(before[::-1]).end()  # the [\w.]+ run that ends the window
                word = before[len(before) - n:].lower()
                if word.rstrip(".") in _ABBREV or (len(word) == 1 and "a" <= word <= "z"):
                    continue
            # a period followed by a lowercase letter is not a boundary
            nxt = _NEXT_CHAR.match(text, m.end(), le)
            if nxt and nxt.group(1).islower():
                continue
            _add(out, text, seg_start, m.end())
            seg_start = m.end()
        _add(out, text, seg_start, le)
    return out


def _add(out: list[Sentence], text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Sentence(s, e, text[s:e]))


@dataclass
class Context:
    """Everything an extractor needs about one source."""

    source: Source
    sentences: list[Sentence] = field(default_factory=list)
    pub_date: date | None = None

    @classmethod
    def of(cls, source: Source) -> "Context":
        pub = None
        if source.published:
            try:
                parts = [int(p) for p in source.published.split("-")[:3]]
                if len(parts) == 1:  # a year only: its last day (months of that year are in the past)
                    parts += [12, 31]
                elif len(parts) == 2:  # a month only: its last day ("on 19 February" in a February report)
                    parts.append(calendar.monthrange(parts[0], parts[1])[1])
                pub = date(*parts)
            except (ValueError, TypeError, calendar.IllegalMonthError):
                pub = None
        return cls(source=source, sentences=split_sentences(source.text), pub_date=pub)

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence for text[start:end] (offsets into Source.text), mapped to the original file."""
        s = self.source
        # trim whitespace so quotes are tidy
        while start < end and s.text[start].isspace():
            start += 1
        while end > start and s.text[end - 1].isspace():
            end -= 1
        os_, oe = s.span_to_original(start, end)
        return Evidence(source=s.id, start=os_, end=oe, quote=s.original[os_:oe])
