"""Shared text helpers for the extractors: sentences, evidence spans, the extraction context."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets into Source.text
    end: int
    text: str


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Split text[start:end] into sentences. Line breaks always end a sentence."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    for m_line in re.finditer(r"[^\n]+", text[start:end]):
        ls = start + m_line.start()
        le = start + m_line.end()
        seg_start = ls
        for m in _BOUNDARY.finditer(text, ls, le):
            # the token before the period
            before = text[seg_start:m.start()]
            tok = re.search(r"([\w.]+)$", before)
            word = tok.group(1).lower() if tok else ""
            if m.group(0).startswith(".") and (word.rstrip(".") in _ABBREV or re.fullmatch(r"[a-z]", word)):
                continue
            # a period followed by a lowercase letter is not a boundary
            nxt = re.match(r"\s*(\S)", text[m.end():le])
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
            parts = [int(p) for p in source.published.split("-")]
            while len(parts) < 3:
                parts.append(1)
            try:
                pub = date(*parts[:3])
            except ValueError:
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
