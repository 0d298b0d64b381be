"""Boilerplate removal on plain text, with every removal logged and every kept character mapped.

The text is cut into *units* (paragraphs: one line, or soft-wrapped lines joined). Each unit is
either prose, a heading-like line, or dropped by a rule:

- line rules (``rules.py``): calls to action and site chrome, share/follow lines, newsletter and
  donation appeals, image credits, section labels, "Related"/"Read more" markers;
- head rules: byline, dateline ("November 13, 2025Clash Report"), short labels above the headline,
  notes on the publication ("[Translated from X. Original published on ...]");
- boxes: an advert under a sponsor label on its own line, and a line of three or more headlines
  (bars or bullets) most of which name nothing the story names (the one-line sponsor and
  related-stories boxes are line rules);
- teasers: later blocks of prose, separated from the story by headline-like lines or chrome, whose
  words and names barely overlap with the headline and lead (topical coherence);
- trailing headline-like lines after the last kept paragraph (teaser or related headlines).

The kept text joins kept units with a blank line; ``Mapped`` parts tie each kept character to the
normalised text, and so (composed with the normalisation map) to the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import meta as M
from . import rules as R
from .textmap import Builder, Mapped


@dataclass
class Unit:
    idx: int
    n_start: int  # span in the normalised text (first to last content character)
    n_end: int
    m: Mapped  # the unit's text over the normalised text
    kind: str = "prose"  # prose | heading | drop
    rule: str | None = None
    reason: str | None = None
    md_heading: bool = False
    l_start: int = -1  # the whole lines (markup included), for the log of removals
    l_end: int = -1

    @property
    def text(self) -> str:
        return self.m.text

    @property
    def words(self) -> int:
        return len(self.m.text.split())

    @property
    def toks(self) -> dict[str, float]:
        """``rules.add_tokens`` of the unit's text (computed once)."""
        t = self.__dict__.get("_toks")
        if t is None:
            t = self.__dict__["_toks"] = R.tokens(self.m.text)
        return t

    def drop(self, rule: str, reason: str) -> None:
        self.kind, self.rule, self.reason = "drop", rule, reason


@dataclass
class Cleaned:
    kept: Mapped  # kept text over the normalised text
    paragraphs: list[tuple[int, int]]
    dropped: list[tuple[int, int, str, str]]  # spans in the normalised text, rule, reason
    meta: dict[str, str] = field(default_factory=dict)  # inferred metadata
    units: list[Unit] = field(default_factory=list)


# --- units ---------------------------------------------------------------------------------------

_MD_LINE_DROP = re.compile(r"^\s{0,3}(?:(?:[-*_=]\s*){3,}|`{3,}.*|~{3,}.*|\[[^\]]+\]:\s*\S+.*)$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MD_HEADING_TAIL = re.compile(r"\s+#+\s*$")
_MD_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_MD_BULLET = re.compile(r"\s*[-*+•]\s+")  # used with .match(line, pos, endpos)
_MD_INLINE = re.compile(
    r"(?P<img>!\[[^\]\n]*\]\([^)\n]*\))"
    r"|(?P<link>\[(?P<lt>[^\]\n]+)\]\((?P<lu>[^)\n]*)\))"
    r"|(?P<ref>\[(?P<rt>[^\]\n]+)\]\[[^\]\n]*\])"
    r"|(?P<tag></?[A-Za-z][^<>\n]{0,200}>)"
    r"|(?P<strong>(?<![\w*])\*\*(?=\S)|(?<=\S)\*\*(?![\w*])|(?<!\w)__(?=\S)|(?<=\S)__(?!\w))"
    r"|(?P<em>(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])|(?<![\w])_(?=[^\s_])|(?<=[^\s_])_(?![\w]))"
    r"|(?P<code>`+)"
)
_MD_INLINE_CHARS = "[<*_`"  # every _MD_INLINE alternative starts with one of these
_BULLET_PLAIN = re.compile(r"\s*[•▪◦●]\s+")  # used with .match(line, pos, endpos)
_PLAIN_FLAGS = {"block_start": False, "md_heading": False}  # shared: never modified


def _line_segments(n: str, ls: int, le: int, markdown: bool) -> tuple[list[tuple[int, int]], dict]:
    """Spans of the line to keep (normalised-text offsets) and flags."""
    line = n[ls:le]
    if not line or line.isspace():
        return [], _PLAIN_FLAGS
    flags = _PLAIN_FLAGS
    if markdown and _MD_LINE_DROP.match(line):
        return [], flags
    start = ls
    if markdown:
        m = _MD_HEADING.match(line)
        if m:
            start = ls + m.end()
            flags = {"block_start": True, "md_heading": True}
            t = _MD_HEADING_TAIL.search(n, start, le)
            if t:
                le = t.start()
        else:
            m = _MD_QUOTE.match(line)
            if m:
                start = ls + m.end()
            m = _MD_BULLET.match(line, start - ls, le - ls)
            if m:
                start = ls + m.end()
                flags = {"block_start": True, "md_heading": False}
    m = _BULLET_PLAIN.match(line, start - ls, le - ls)
    if m:
        start = ls + m.end()
        flags = {"block_start": True, "md_heading": flags["md_heading"]}
    segs: list[tuple[int, int]] = []
    pos = start
    if markdown and any(c in line for c in _MD_INLINE_CHARS):
        for mm in _MD_INLINE.finditer(n, start, le):
            if mm.group("link"):
                segs.append((pos, mm.start()))
                segs.append((mm.start("lt"), mm.end("lt")))
                pos = mm.end()
            elif mm.group("ref"):
                segs.append((pos, mm.start()))
                segs.append((mm.start("rt"), mm.end("rt")))
                pos = mm.end()
            else:
                segs.append((pos, mm.start()))
                pos = mm.end()
    segs.append((pos, le))
    return [(a, b) for a, b in segs if b > a], flags


_TERMINAL = re.compile(r"[.!?;:…]['\"’”)\]]*$")


# a whitespace run that is not a single plain space
_ODD_WS = re.compile(r" \s+|[^\S ]\s*")


def _emit(b: Builder, n: str, segs: list[tuple[int, int]], state: dict) -> None:
    """Copy segments, collapsing whitespace runs to one space, trimming at both ends.

    A run of whitespace before a segment's text (or after it) becomes the pending separator, written
    as one space only when more text follows in the unit. Inside the text a single space is copied
    with the words around it; any other run is replaced by one space standing for the whole run.
    """
    for a, e in segs:
        seg = n[a:e]
        body = seg.strip()
        if not body:
            if seg:
                state["pending"] = (a, e)
            continue
        c0 = a + seg.find(body[0])
        c1 = c0 + len(body)
        if c0 > a:
            state["pending"] = (a, c0)
        _flush(b, state)
        pos = c0
        for m in _ODD_WS.finditer(n, c0, c1):
            b.copy(pos, m.start())
            b.replace(m.start(), m.end(), " ")
            pos = m.end()
        b.copy(pos, c1)
        state["any"] = True
        if c1 < e:
            state["pending"] = (c1, e)


def _flush(b: Builder, state: dict) -> None:
    p = state.get("pending")
    if p and state.get("any"):
        b.replace(p[0], p[1], " ")
    state["pending"] = None


def build_units(n: str, start: int, *, wrapped: bool, markdown: bool) -> list[Unit]:
    lines: list[tuple[int, int, list[tuple[int, int]], dict]] = []
    for ls, le in _iter_lines(n, start):
        segs, flags = _line_segments(n, ls, le, markdown)
        segs = [(a, b) for a, b in segs if n[a:b].strip()]
        lines.append((ls, le, segs, flags))
    # blocks: runs of non-empty lines
    blocks: list[list[int]] = []
    cur: list[int] = []
    for i, (_, _, segs, flags) in enumerate(lines):
        if not segs:
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append(i)
    if cur:
        blocks.append(cur)
    width = _wrap_width([n[l[0]:l[1]].strip() for l in lines if l[2]])
    seen: dict[str, tuple[str, str] | None] = {}  # each line is judged up to four times by _join

    def classify(text: str) -> tuple[str, str] | None:
        hit = seen.get(text, seen)
        if hit is seen:
            hit = seen[text] = R.classify(text)
        return hit

    units: list[Unit] = []
    for block in blocks:
        groups: list[list[int]] = [[block[0]]]
        for prev, nxt in zip(block, block[1:]):
            pt = n[lines[prev][0]:lines[prev][1]].strip()
            nt = n[lines[nxt][0]:lines[nxt][1]].strip()
            if _join(pt, nt, lines[nxt][3], lines[prev][3], wrapped=wrapped or markdown, width=width, classify=classify):
                groups[-1].append(nxt)
            else:
                groups.append([nxt])
        for g in groups:
            b = Builder(n)
            state: dict = {"pending": None, "any": False}
            prev_end = None
            for li in g:
                ls, le, segs, flags = lines[li]
                if prev_end is not None and state["any"]:
                    last = b.chunks[-1][-1:] if b.chunks else ""
                    if last == "-" and b.pos >= 2 and b.chunks[-1][-2:-1].isalpha() and n[segs[0][0]].islower():
                        state["pending"] = None  # "war-\ntorn": join without a space
                    else:
                        state["pending"] = (prev_end, segs[0][0])
                _emit(b, n, segs, state)
                prev_end = segs[-1][1]
            mapped = b.build()
            if not mapped.text.strip():
                continue
            u = Unit(
                idx=len(units),
                n_start=lines[g[0]][2][0][0],
                n_end=lines[g[-1]][2][-1][1],
                m=mapped,
                md_heading=lines[g[0]][3]["md_heading"],
            )
            ls0, le1 = lines[g[0]][0], lines[g[-1]][1]
            while ls0 < le1 and n[ls0].isspace():
                ls0 += 1
            while le1 > ls0 and n[le1 - 1].isspace():
                le1 -= 1
            u.l_start, u.l_end = min(ls0, u.n_start), max(le1, u.n_end)
            units.append(u)
    return units


def _iter_lines(n: str, start: int):
    pos = start
    while pos <= len(n):
        e = n.find("\n", pos)
        if e < 0:
            yield pos, len(n)
            return
        yield pos, e
        pos = e + 1


def _wrap_width(lines: list[str]) -> int:
    """The line width of hard-wrapped text, or 0 when lines are whole paragraphs."""
    lens = sorted(len(x) for x in lines if len(x) > 20)
    if len(lens) < 4:
        return 0
    w = lens[int(len(lens) * 0.9)]
    return w if w <= 100 else 0


def _join(prev: str, nxt: str, nflags: dict, pflags: dict, *, wrapped: bool, width: int, classify=R.classify) -> bool:
    if nflags["block_start"] or pflags["md_heading"]:
        return False
    if any(len(x.split()) <= 8 and classify(x) for x in (prev, nxt)):
        return False  # a short line of page furniture stays on its own line
    if classify(nxt) and (_TERMINAL.search(prev) or classify(prev)):
        return False  # a line of furniture (credit, "Read more: ...") after a sentence or furniture
    if wrapped:
        return True
    if not _TERMINAL.search(prev) and nxt[:1].islower() and len(prev.split()) >= 6:
        return True  # a sentence continued on the next line
    if width and len(prev) >= 0.6 * width and not R.is_heading_like(prev):
        return True
    return False


# --- cleaning ------------------------------------------------------------------------------------


def clean(n: str, start: int = 0, *, wrapped: bool = False, markdown: bool = False, given: dict | None = None) -> Cleaned:
    units = build_units(n, start, wrapped=wrapped, markdown=markdown)
    given = given or {}
    meta: dict[str, str] = {}
    # 1. line rules
    for u in units:
        hit = R.classify(u.text)
        if hit:
            u.drop(*hit)
        elif u.md_heading or R.is_heading_like(u.text):
            u.kind = "heading"
    _repeats(units)
    # 2. the head: byline, dateline, title, labels above the title
    _head(units, meta, given)
    # 3. advertisers' boxes and strips of other headlines; teasers and related tails
    _boxes(units)
    _teasers(units, meta)
    # 4. headline-like lines after the end of the story
    last_prose = max((u.idx for u in units if u.kind == "prose"), default=-1)
    for u in units[last_prose + 1:]:
        if u.kind == "heading":
            u.drop("trailing-heading", "headline-like line after the end of the article")
    # safety net: never return nothing when there was prose
    if not any(u.kind != "drop" for u in units) and units:
        for u in units:
            if u.rule in ("teaser", "trailing-heading", "label", "repeat"):
                u.kind, u.rule, u.reason = "prose", None, None
    return _assemble(n, units, meta)


def _repeats(units: list[Unit]) -> None:
    seen: set[str] = set()
    for u in units:
        key = " ".join(u.text.lower().split())
        if u.kind == "heading" and key in seen:
            u.drop("repeat", "repeated headline-like line")
        seen.add(key)


def _first_prose(units: list[Unit]) -> int:
    return next((u.idx for u in units if u.kind == "prose"), len(units))


def _head(units: list[Unit], meta: dict, given: dict) -> None:
    prose_seen = 0
    head_end = len(units)
    for u in units:
        if u.kind == "prose":
            prose_seen += 1
            if prose_seen == 3:
                head_end = u.idx
                break
    head_end = min(head_end, 12)
    # publication-date candidates: (rank, -position, iso); the best one wins (see meta.rank)
    dates: list[tuple[tuple[int, int, int], int, str]] = []

    def add_date(iso: str, strength: int, pos: int) -> None:
        dates.append((M.rank(iso, strength), -pos, iso))

    for u in units[:head_end]:
        if u.kind == "drop" and u.rule != "label":
            continue
        if u.words <= 16:
            author, rest = M.byline_author(u.text)
            if author:
                dl = M.dateline_info(rest) if rest.strip(" |,-–—") else None
                meta.setdefault("author", author)
                if dl:
                    add_date(dl[0], max(dl[3], M.byline_strength(u.text)), u.idx)
                    if dl[1]:
                        meta.setdefault("outlet", dl[1])
                u.drop("byline", "author line (kept as metadata)")
                continue
            dl = M.dateline_info(u.text)
            if dl and (u.kind == "heading" or u.rule == "label" or u.words <= 8):
                iso, outlet, author, strength = dl
                add_date(iso, max(strength, M.byline_strength(u.text)), u.idx)
                if outlet:
                    meta.setdefault("outlet", outlet)
                if author:
                    meta.setdefault("author", author)
                u.drop("dateline", "date/outlet line (kept as metadata)")
                continue
        note = M.publication_note(u.text)
        if note:
            add_date(note[0], note[1], u.idx)
            u.drop("dateline", "note on the publication (kept as metadata)")
            continue
    # a short "Published/Updated <date>" line anywhere (a footer); never a date inside the story
    for u in units[head_end:]:
        if u.kind != "drop" and len(u.text) <= 120:
            pl = M.publication_line(u.text)
            if pl:
                add_date(pl[0], pl[1], u.idx)
                u.drop("dateline", "publication date line (kept as metadata)")
    fp = _first_prose(units)
    for u in units[:min(head_end, fp)]:
        if u.kind == "heading" and M.looks_like_name(u.text):
            nxt = next((v for v in units[u.idx + 1:] if v.kind != "drop"), None)
            if nxt is not None and nxt.kind == "prose" and "author" not in meta:
                meta["author"] = u.text.strip()
                u.drop("byline", "author name alone on a line (kept as metadata)")
    # title: the first substantial heading before the first prose paragraph
    fp = _first_prose(units)
    heads = [u for u in units[:fp] if u.kind == "heading"]
    want = " ".join(_W.findall(str(given.get("title") or "").lower()))
    title_u = next((u for u in units[:fp + 1] if want and " ".join(_W.findall(u.text.lower())) == want), None)
    if title_u is not None and title_u.kind == "prose":
        title_u.kind = "heading"  # the declared headline, even when it ends with a full stop
        heads = [u for u in units[:fp] if u.kind == "heading"]
    title_u = title_u or next((u for u in heads if u.words >= 4), None) or next((u for u in heads if u.words >= 2), None)
    if title_u is not None:
        meta["title"] = title_u.text.strip()
        meta["_title_idx"] = str(title_u.idx)
        for u in heads:
            if u.idx < title_u.idx and u.words <= 4:
                u.drop("label", "short label above the headline (kicker or image caption)")
    # a wire dateline opening the first paragraph
    if fp < len(units):
        wd = M.wire_dateline(units[fp].text)
        if wd:
            iso, agency, month_day = wd
            if iso:
                add_date(iso, M.BARE, fp)
            elif month_day and not dates:
                meta["_month_day"] = month_day  # the year may come from the other sources
            if agency:
                meta.setdefault("outlet", agency)
    if dates:
        meta["published"] = max(dates)[2]


def _boxes(units: list[Unit]) -> None:
    """An advert under a sponsor label standing alone ("Sponsored" / its text on the next line), and
    a line of three or more headlines (bars or bullets between them) of which most are about
    something the story never names: both are page furniture wherever they stand."""
    fp = _first_prose(units)
    story: dict[str, float] | None = None
    for k, u in enumerate(units):
        if u.kind == "drop" and u.rule not in ("chrome", "label"):
            continue
        if len(u.text) <= 80 and R.SPONSOR_MARK.match(u.text):
            nxt = next((v for v in units[k + 1:k + 2] if v.kind != "drop"), None)
            if nxt is not None and nxt.words <= 60 and R.COMMERCIAL.search(nxt.text) and not R._REPORTED.search(nxt.text):
                u.drop("sponsored", "sponsored content or advertisement")
                nxt.drop("sponsored", "sponsored content or advertisement (under a sponsor label)")
            continue
        if u.kind == "drop" or k <= fp:
            continue
        items = R.headline_strip(u.text)
        if not items:
            continue
        if story is None:
            story = {}
            for v in units:
                if v.kind == "prose" and v is not u:
                    R.merge_tokens(story, v.toks)
        off = 0
        for it in items:
            toks = R.tokens(it)
            if any(w >= 2 for w in toks.values()) and R.overlap(toks, story, names=True) == 0:
                off += 1
        if off >= 2 and 2 * off >= len(items):
            u.drop("teaser", "a line of headlines of other articles")


_W = re.compile(r"\w+")
LEAD_WORDS = 90
# A later block is kept when enough of its (weighted) words appear in the headline and lead AND it
# shares at least some of the names (people, places, groups) - or, before any related-stories marker
# or teaser, when it matches the story kept so far. Measured on the seeds and test fixtures: sections
# of a story score 0.16-0.35 (names 0.10-1.0) against the lead; appended teasers 0.01-0.10 (names
# 0.00-0.04).
T_LEAD = 0.12
T_NAMES = 0.05
T_STRONG = 0.25
T_BODY = 0.30
_DEBUG = False


def _teasers(units: list[Unit], meta: dict) -> None:
    title_idx = int(meta["_title_idx"]) if "_title_idx" in meta else None
    topic: dict[str, float] = {}
    if title_idx is not None:
        R.merge_tokens(topic, units[title_idx].toks)
    # the lead: first prose units up to LEAD_WORDS words (at least one unit, at most 3)
    lead: list[int] = []
    words = 0
    for u in units:
        if u.kind == "drop" and u.rule in R.TAIL_RULES and lead:
            break
        if u.kind != "prose":
            if lead and u.kind == "heading" and words >= 40:
                break
            continue
        lead.append(u.idx)
        R.merge_tokens(topic, u.toks)
        words += u.words
        if words >= LEAD_WORDS or len(lead) >= 3:
            break
    if not lead:
        return
    # names of the story: capitalised in the headline and used as names in the lead
    lead_toks: dict[str, float] = {}
    for k in lead:
        R.merge_tokens(lead_toks, units[k].toks)
    title_toks: dict[str, float] = {}
    if title_idx is not None:
        R.merge_tokens(title_toks, units[title_idx].toks)
    story_names = {t for t, w in title_toks.items() if w >= 2 and lead_toks.get(t, 0) >= 3}
    body: dict[str, float] = dict(topic)
    tail = False
    i = lead[-1] + 1
    # extend the lead unit's own segment: consecutive prose right after the lead is the same block
    while i < len(units) and units[i].kind == "prose":
        R.merge_tokens(body, units[i].toks)
        i += 1
    pending: list[Unit] = []  # headings / dropped units since the last prose
    after_related = False
    # (headings before it, prose units, on topic?, right after a related-stories marker?, reason)
    segments: list[tuple[list[Unit], list[Unit], bool, bool, str]] = []
    while i < len(units):
        u = units[i]
        if u.kind != "prose":
            if u.kind == "drop" and u.rule in R.TAIL_RULES:
                tail = True
                if u.rule == "related":
                    after_related = True
            elif u.kind == "heading" and after_related:
                u.drop("related", "headline in a related-stories list")
            pending.append(u)
            i += 1
            continue
        # a segment: consecutive prose units
        seg = [u]
        j = i + 1
        while j < len(units) and units[j].kind == "prose":
            seg.append(units[j])
            j += 1
        heads = [p for p in pending if p.kind == "heading"]
        toks: dict[str, float] = {}
        for p in heads + seg:
            R.merge_tokens(toks, p.toks)
        s_lead = R.overlap(toks, topic)
        s_body = R.overlap(toks, body)
        n_lead = R.overlap(toks, topic, names=True)
        n_body = R.overlap(toks, body, names=True)
        named = any(toks.get(t, 0) >= 2 for t in story_names)
        keep = (
            (s_lead >= T_LEAD and n_lead >= T_NAMES)
            or s_lead >= T_STRONG
            or (not tail and s_body >= T_BODY and n_body >= T_NAMES)
            or (named and (not tail or s_lead >= T_LEAD))
        )
        if _DEBUG:
            print(f"seg@{i} lead={s_lead:.2f}/{n_lead:.2f} body={s_body:.2f}/{n_body:.2f} named={named} tail={tail} keep={keep}: {seg[0].text[:50]!r}")
        if keep:
            for p in seg:
                R.merge_tokens(body, p.toks)
        reason = f"unrelated to the headline and lead (topic overlap {s_lead:.0%}, story overlap {s_body:.0%})"
        segments.append((heads, seg, keep, after_related, reason))
        after_related = False
        pending = []
        i = j
    # An off-topic block is a teaser when it follows a related-stories marker or when nothing on
    # topic comes after it (teasers are appended after the story); an off-topic block in the
    # middle of the story is a section of it (a report's "Funding" or "Health" section).
    last_kept = max((k for k, sg in enumerate(segments) if sg[2]), default=-1)
    for k, (heads, seg, keep, related, reason) in enumerate(segments):
        if keep or not (related or k > last_kept):
            continue
        for p in heads:
            p.drop("teaser", "headline of an unrelated article")
        for p in seg:
            p.drop("teaser", reason)


def _assemble(n: str, units: list[Unit], meta: dict) -> Cleaned:
    b = Builder(n)
    paragraphs: list[tuple[int, int]] = []
    dropped: list[tuple[int, int, str, str]] = []
    merge = False  # the previous unit was dropped: a drop for the same reason extends it
    for u in units:
        if u.kind == "drop":
            if merge and dropped[-1][2] == u.rule and dropped[-1][3] == u.reason:
                d = dropped[-1]
                dropped[-1] = (d[0], u.l_end, d[2], d[3])
            else:
                dropped.append((u.l_start, u.l_end, u.rule or "drop", u.reason or ""))
            merge = True
            continue
        merge = False
        if paragraphs:
            b.insert("\n\n")
        s = b.pos
        b.append(u.m)
        paragraphs.append((s, b.pos))
    meta = {k: v for k, v in meta.items() if k != "_title_idx"}
    return Cleaned(kept=b.build(), paragraphs=paragraphs, dropped=dropped, meta=meta, units=units)
