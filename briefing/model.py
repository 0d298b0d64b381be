"""The data types passed between pipeline stages.

sources  -> Source
extract  -> Fact (with Evidence)
facts    -> FactSheet
charts   -> Figure
compose  -> Document (blocks with stable ids, inline runs and citations)
render   -> files

Every stage imports only these types (and its own helpers); nothing here imports a stage.
Plain dataclasses keep imports fast and make `to_dict` / `from_dict` trivial.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Union

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


@dataclass
class OffsetMap:
    """Maps offsets in a Source's cleaned ``text`` back to offsets in its ``original``.

    ``runs`` is a sorted list of ``(clean_start, orig_start, length)`` or
    ``(clean_start, orig_start, clean_length, orig_length)``. A run whose two lengths are equal maps
    position by position: ``text[cs:cs+n]`` corresponds to ``original[os:os+n]`` (identical unless
    normalisation replaced a character one-for-one, e.g. a no-break space). A run whose lengths differ
    is a replaced chunk (e.g. NFC composition, collapsed spaces): any span touching it maps to the whole
    original chunk. Characters of ``text`` in no run were inserted by cleaning (paragraph separators):
    a span starting there starts at the next run, a span ending there ends after the previous run.
    Original characters in no run were removed (control characters, markup, dropped boilerplate).
    """

    runs: list[tuple[int, ...]] = field(default_factory=list)

    @classmethod
    def identity(cls, length: int) -> "OffsetMap":
        return cls([(0, 0, length)])

    def _starts(self) -> list[int]:
        cache = self.__dict__.get("_starts_cache")
        if cache is None or len(cache) != len(self.runs):
            cache = [r[0] for r in self.runs]
            self.__dict__["_starts_cache"] = cache
        return cache

    @staticmethod
    def _lens(run: tuple[int, ...]) -> tuple[int, int, int, int]:
        if len(run) == 3:
            return run[0], run[1], run[2], run[2]
        return run[0], run[1], run[2], run[3]

    def _start(self, i: int) -> int:
        if not self.runs:
            return i
        k = bisect.bisect_right(self._starts(), i) - 1
        if k < 0:
            return self._lens(self.runs[0])[1]
        cs, os_, cl, ol = self._lens(self.runs[k])
        if i < cs + cl:
            return os_ + (i - cs) if cl == ol else os_
        # in a gap (inserted text) or past the end: the next run, else the end of this one
        if k + 1 < len(self.runs):
            return self._lens(self.runs[k + 1])[1]
        return os_ + ol

    def _end(self, i: int) -> int:
        if not self.runs:
            return i
        k = bisect.bisect_left(self._starts(), i) - 1  # last run starting before i
        if k < 0:
            return self._lens(self.runs[0])[1]
        cs, os_, cl, ol = self._lens(self.runs[k])
        if i <= cs + cl:
            return os_ + (i - cs) if cl == ol else os_ + ol
        return os_ + ol

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        os_ = self._start(start)
        if end <= start:
            return os_, os_
        oe = self._end(end)
        return os_, max(os_, oe)


@dataclass
class Dropped:
    """A stretch of the original file that cleaning removed, and why."""

    start: int  # offsets into Source.original
    end: int
    rule: str  # e.g. "cta", "donation", "teaser", "related-tail", "image-credit"
    reason: str
    text: str = ""


@dataclass
class Source:
    id: str  # stable: derived from the file's path relative to the sources folder
    path: str  # path as given to the loader (relative to the sources folder when possible)
    sha256: str
    format: str  # txt | md | html | pdf | docx
    original: str  # decoded text of the original (for pdf/docx: the extracted text layer)
    text: str  # kept article text after boilerplate removal (what extraction reads)
    offsets: OffsetMap  # text offsets -> original offsets
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD (or YYYY-MM / YYYY when that is all we know)
    language: str | None = None
    reliability: str | None = None
    inferred: list[str] = field(default_factory=list)  # metadata fields that were inferred, not given
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # spans in `text`
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # id of the source this one duplicates (byte-identical or near)
    group: str | None = None  # reporting group id (near-duplicates share one)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.to_original(start, end)

    def info(self) -> "SourceInfo":
        return SourceInfo(
            id=self.id,
            path=self.path,
            sha256=self.sha256,
            format=self.format,
            title=self.title,
            outlet=self.outlet,
            author=self.author,
            url=self.url,
            published=self.published,
            inferred=list(self.inferred),
            warnings=list(self.warnings),
            duplicate_of=self.duplicate_of,
            group=self.group,
            words_kept=len(self.text.split()),
            words_dropped=sum(len(d.text.split()) for d in self.dropped),
        )


@dataclass
class SourceInfo:
    """Source metadata as carried in the fact sheet (no text)."""

    id: str
    path: str
    sha256: str
    format: str = "txt"
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    inferred: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    group: str | None = None
    words_kept: int = 0
    words_dropped: int = 0
    number: int = 0  # the [n] used in the brief; assigned by the facts stage


# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


@dataclass
class Evidence:
    source: str  # Source.id
    start: int  # character offsets into Source.original
    end: int
    quote: str  # == Source.original[start:end]


@dataclass
class Period:
    label: str  # as a reader would say it: "H1 2025", "2024", "September 2025"
    start: str  # ISO date
    end: str  # ISO date
    surface: str | None = None  # the words in the article: "the first half of 2025", "last year"


# Fact kinds
COUNT = "count"
SHARE = "share"
ADVISORY = "advisory"
CASUALTIES = "casualties"
KIDNAPPING = "kidnapping"
EVENT = "event"
ACTOR = "actor"
PLACE = "place"
CLAIM = "claim"
QUANTITY = "quantity"  # any other measured amount (distance, price, ...), not charted

# Advisory actions, strongest first
ADVISORY_ACTIONS = ("ordered_departure", "leave_now", "avoid_travel", "other")

# Qualifiers on numbers
QUALIFIERS = ("exact", "approx", "approx_below", "at_least", "more_than", "up_to", "range", "vague")


@dataclass
class Fact:
    kind: str
    id: str = ""  # stable id, assigned by facts stage from the fact's identity key
    what: str | None = None  # what is counted / what happened ("attacks", "fighters killed")
    actor: str | None = None  # canonical actor name ("JNIM")
    value: float | None = None  # point value (None for vague quantities)
    low: float | None = None
    high: float | None = None
    unit: str | None = None  # "percent", "miles", None for plain counts
    qualifier: str | None = None  # one of QUALIFIERS
    surface: str | None = None  # the number as written: "close to 20 percent", "dozens"
    period: Period | None = None
    region: str | None = None  # "southwest Mali"
    place: str | None = None  # a named place ("Goma")
    country: str | None = None  # ISO 3166-1 alpha-2: advisory issuer; kidnapping victims' nationality; ...
    action: str | None = None  # advisory action
    date: str | None = None  # ISO, possibly partial: YYYY, YYYY-MM, YYYY-MM-DD
    date_precision: str | None = None  # day | month | year | vague
    speaker: str | None = None  # claims
    stance: str | None = None  # claims: government | foreign_government | militant | analyst | ...
    text: str | None = None  # a short description (events, claims) in the article's words
    aliases: list[str] = field(default_factory=list)  # actors
    attrs: dict[str, Any] = field(default_factory=dict)  # kind-specific extras (released, victims, ...)
    derived: bool = False
    derived_from: list[str] = field(default_factory=list)  # fact ids this was computed from
    basis: str | None = None  # how it was derived: "120 attacks is 'double' the base period"
    status: str = "reported"  # reported | corroborated | conflict | confirmed | corrected | rejected | manual
    confidence: float = 1.0
    rule: str | None = None  # extraction rule id
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(e.source for e in self.evidence))  # first-seen order, linear time


@dataclass
class Conflict:
    id: str
    kind: str
    what: str  # the slot in words: "JNIM attacks, H1 2025"
    fact_ids: list[str]
    note: str = ""


@dataclass
class FactSheet:
    as_of: str | None  # ISO date: newest source date unless configured
    sources: list[SourceInfo] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # build / review messages for the annex
    extractor_version: str = ""

    def by_kind(self, kind: str, *, include_rejected: bool = False) -> list[Fact]:
        return [
            f
            for f in self.facts
            if f.kind == kind and (include_rejected or f.status != "rejected")
        ]

    def source(self, sid: str) -> SourceInfo | None:
        # an id index, rebuilt when the list is replaced or changes length (thousands of sources)
        idx = self.__dict__.get("_source_index")
        if idx is None or idx[0] is not self.sources or idx[1] != len(self.sources):
            idx = (self.sources, len(self.sources), {s.id: s for s in reversed(self.sources)})
            self.__dict__["_source_index"] = idx
        s = idx[2].get(sid)
        if s is not None and s.id != sid:  # an entry's id was changed in place: look again
            self.__dict__.pop("_source_index", None)
            return next((x for x in self.sources if x.id == sid), None)
        return s


# --------------------------------------------------------------------------------------------
# Figures (charts stage)
# --------------------------------------------------------------------------------------------


@dataclass
class Figure:
    id: str  # "attacks-by-period"
    title: str
    caption: str  # sentence shown under the figure (without the "Figure n:" label)
    alt: str  # alt text describing what the chart shows, with the numbers
    source_note: str  # "Sources: [3]" style note in words
    png: str  # path of the PNG (for Word)
    svg: str  # path of the SVG (for PDF)
    cites: list[str] = field(default_factory=list)  # source ids behind the chart
    width: float = 1.0  # fraction of the text column
    data_hash: str = ""


# --------------------------------------------------------------------------------------------
# Document (compose stage -> render stage)
# --------------------------------------------------------------------------------------------


@dataclass
class Text:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Cite:
    """A citation: renders as [n] or [n, m], each number linking to anchor f"src-{n}".

    Compact form: runs of three or more consecutive numbers print as a range ("[3–7, 12]", both ends
    linked; see ``spans``); ``more`` counts further sources not listed, printed inside the brackets
    ("[3, 8, 12 and 240 more]"; the fact sheet lists them all)."""

    numbers: list[int]
    more: int = 0

    def spans(self) -> list[tuple[int, int]]:
        """The sorted, de-duplicated numbers as (first, last) runs; a run of two stays two singles."""
        nums = sorted({int(n) for n in self.numbers})
        out: list[tuple[int, int]] = []
        for n in nums:
            if out and n == out[-1][1] + 1:
                out[-1] = (out[-1][0], n)
            else:
                out.append((n, n))
        split: list[tuple[int, int]] = []
        for a, b in out:
            split.extend([(a, a), (b, b)] if b == a + 1 else [(a, b)])
        return split


@dataclass
class Link:
    text: str
    target: str  # "https://..." or "#anchor"


Inline = Union[Text, Cite, Link]


@dataclass
class Heading:
    id: str
    level: int  # 1..3
    text: str
    anchor: str | None = None


@dataclass
class Paragraph:
    id: str
    inlines: list[Inline]
    style: str = "body"  # body | bluf | lead | note | small | machine | source
    anchor: str | None = None  # bookmark name, e.g. "src-3" for source entries


@dataclass
class BulletList:
    id: str
    items: list[list[Inline]]
    ordered: bool = False


@dataclass
class Table:
    id: str
    header: list[str]
    rows: list[list[list[Inline]]]
    caption: str | None = None
    widths: list[float] | None = None  # relative column widths
    style: str = "grid"  # grid | keyfigures


@dataclass
class FigureBlock:
    id: str
    figure: Figure


@dataclass
class Callout:
    id: str
    title: str
    blocks: list["Block"]
    kind: str = "box"  # box | machine (machine-drafted text for the analyst to confirm)


@dataclass
class TocBlock:
    id: str = "toc"


@dataclass
class PageBreak:
    id: str = "pagebreak"


Block = Union[Heading, Paragraph, BulletList, Table, FigureBlock, Callout, TocBlock, PageBreak]


@dataclass
class DocMeta:
    title: str
    subtitle: str = ""
    subject: str = ""
    as_of: str = ""  # human-readable as-of line
    marking: str = "TLP:CLEAR"
    author: str = ""
    organisation: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "en"
    created: str = ""  # ISO datetime used for document properties (deterministic)


@dataclass
class Document:
    meta: DocMeta
    blocks: list[Block] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# (de)serialisation helpers
# --------------------------------------------------------------------------------------------


def to_dict(obj: Any) -> Any:
    """Dataclass -> plain dict, dropping None values and empty containers for compact YAML/JSON."""
    if hasattr(obj, "__dataclass_fields__"):
        out = {}
        for f in fields(obj):
            v = to_dict(getattr(obj, f.name))
            if v is None or v == [] or v == {}:
                continue
            out[f.name] = v
        return out
    if isinstance(obj, (list, tuple)):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def fact_from_dict(d: dict[str, Any]) -> Fact:
    d = dict(d)
    if isinstance(d.get("period"), dict):
        d["period"] = Period(**d["period"])
    d["evidence"] = [Evidence(**e) for e in d.get("evidence", [])]
    known = {f.name for f in fields(Fact)}
    return Fact(**{k: v for k, v in d.items() if k in known})


__all__ = [n for n in dir() if not n.startswith("_")] + ["asdict"]
