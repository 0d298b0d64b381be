"""Edit in Word, rebuild, nothing lost: the three-way merge of ``out/brief.docx``.

The Word writer wraps every generated block in a content control tagged ``brief:<block id>`` and
records, in a manifest (custom XML part), the hash of each block's normalised text. On rebuild:

- base   = the manifest of the existing file (what the generator wrote, or the previous merge);
- mine   = the existing file as the analyst left it;
- theirs = the freshly rendered file (``render.docx.render_bytes``).

Per block: untouched -> the new content; edited (text, formatting or comments changed) -> the
analyst's XML verbatim, with the new wording attached as a Word comment when the facts under it
changed; deleted -> stays deleted (a tombstone in the manifest); new -> inserted in generator order.
Unmarked content the analyst added (paragraphs, tables, images) keeps its place after the block
that preceded it (else before the next surviving one, else in an "Unplaced analyst text" section).
Blocks inside a callout are merged the same way inside the callout's cell.

The analyst's package is the base of the output: header, footer, section properties, styles,
numbering and comments are theirs; generated content is copied in with its images, hyperlinks,
styles and numbering instances re-related. The merged file gets a fresh manifest (same namespace,
extra attributes: ``state`` = kept / merged / deleted, ``gen`` = the generated hash a kept block was
last compared with, ``fmt`` = a formatting fingerprint, ``title`` = for a callout, the hash of the
generated title) so that a rebuild with nothing new is a no-op and a kept block stays kept. A
callout's title is not a block: the analyst's title replaces the generated one when it differs from
the recorded ``title`` (edited or deleted), else the new title is taken; never both.

Bookmark names stay unique: a kept block takes the names the generator now gives the same block
(a heading inserted before it renumbers every ``_Toc`` name; a new source renumbers ``src_n``), and
any remaining clash is resolved in favour of the generated bookmark, which links point to.

A rebuild whose composed Document, styles and code are those of the last build, with the .docx
byte-for-byte as that build left it, renders and merges nothing (``out/.cache/brief.docx-state.json``
records the key, the file's sha256 and, after a merge, the Document the PDF followed).

When the markers are gone (an editor dropped the controls and their aliases), blocks are matched by
content: the manifest's block sizes, and difflib similarity against the generated text (the base
text itself is not stored; the new generated text stands in for it).

:func:`rebuild_docx` is what the pipeline calls: it renders, merges when needed, backs up the
edited file to ``out/history/`` first, writes atomically and returns the Document the PDF should
follow (analyst text included).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import io
import re
import shutil
import zipfile
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from docx.oxml.ns import qn

from .model import (
    BulletList,
    Callout,
    Cite,
    DocMeta,
    Document,
    Figure,
    FigureBlock,
    Heading,
    Link,
    PageBreak,
    Paragraph,
    Table,
    Text,
    TocBlock,
)
from .render import ooxml as ox
from .util import atomic_write_bytes

MANIFEST_NS = ox.MANIFEST_NS
R_NS = ox.R_NS
UNPLACED_TITLE = "Unplaced analyst text"
COMMENT_AUTHOR = "briefing"

W_P, W_TBL, W_SDT, W_SECTPR = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sectPr")
_PSTYLE_PATH = f"{qn('w:pPr')}/{qn('w:pStyle')}"
_W_VAL, _W_RPR, _W_RSTYLE = qn("w:val"), qn("w:rPr"), qn("w:rStyle")
_BLOCKS = (W_P, W_TBL, W_SDT)


# --------------------------------------------------------------------------------------------
# manifest with merge state
# --------------------------------------------------------------------------------------------


@dataclass
class Entry(ox.ManifestEntry):
    """A manifest entry with the merge's own attributes (``ox.MERGE_ATTRS``)."""

    sha256: str = ""
    sdt_id: int = 0
    state: str = ""  # "" (generated) | kept | merged | deleted
    gen: str = ""  # kept blocks: the generated hash last compared with
    fmt: str = ""  # formatting fingerprint of the block as written
    title: str = ""  # callouts: hash of the generated title (the frame the analyst may edit)


def read_entries(src) -> list[Entry]:
    """The manifest of a .docx (path or bytes) with the merge attributes; [] when there is none."""
    try:
        blocks = ox.manifest_block_elements(src)
    except (OSError, zipfile.BadZipFile):
        return []
    return [
        Entry(b.get("id", ""), b.get("sha256", ""), ox.int_attr(b, "sdt", 0), b.get("label", ""),
              ox.int_attr(b, "parts", 1), b.get("kind", ""), b.get("parent", ""), b.get("state", ""),
              b.get("gen", ""), b.get("fmt", ""), b.get("title", ""))
        for b in blocks
    ]


def manifest_xml(entries: list[Entry]) -> bytes:
    return ox.manifest_xml(entries)


def _replace_manifest(data: bytes, xml: bytes) -> bytes:
    """``data`` with its manifest part's content replaced (entries keep their order)."""
    from lxml import etree

    src = zipfile.ZipFile(io.BytesIO(data))
    target = None
    for name in sorted(src.namelist()):
        if re.fullmatch(r"customXml/item\d+\.xml", name):
            try:
                if etree.fromstring(src.read(name)).tag == f"{{{MANIFEST_NS}}}manifest":
                    target = name
                    break
            except etree.XMLSyntaxError:
                continue
    if target is None:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, xml if info.filename == target else src.read(info.filename))
    return ox.deterministic_zip(out.getvalue())


# --------------------------------------------------------------------------------------------
# formatting fingerprint
# --------------------------------------------------------------------------------------------

_TOGGLES = ("b", "i", "strike", "dstrike", "caps", "smallCaps", "vanish")
_OFF = {"0", "false", "off", "none"}


_QN = {n: qn(f"w:{n}") for n in (*_TOGGLES, "u", "highlight", "vertAlign")}


def _rpr_dict(rpr) -> dict[str, str]:
    """The run properties the fingerprint looks at, as name -> value ("" = off)."""
    out: dict[str, str] = {}
    if rpr is None:
        return out
    for name in _TOGGLES:
        e = rpr.find(_QN[name])
        if e is not None:
            out[name] = "" if (e.get(_W_VAL) or "true").lower() in _OFF else "1"
    for name, default in (("u", "single"), ("highlight", ""), ("vertAlign", "baseline")):
        e = rpr.find(_QN[name])
        if e is not None:
            v = (e.get(_W_VAL) or default).lower()
            out[name] = "" if v in _OFF or v == "baseline" else v
    return out


class StyleProps:
    """Run properties each style gives (following basedOn), so that formatting is compared as it
    shows: an editor may drop direct formatting that repeats the style's (LibreOffice does)."""

    def __init__(self, styles_root=None):
        self._styles = {}
        self.names: dict[str, str] = {}  # style id -> lower-case style name
        if styles_root is not None:
            for st in styles_root.findall(qn("w:style")):
                sid = st.get(qn("w:styleId"))
                self._styles[sid] = st
                name = st.find(qn("w:name"))
                self.names[sid] = (name.get(qn("w:val")) if name is not None else sid or "").lower()
        self._cache: dict[str, dict[str, str]] = {}

    @classmethod
    def of_package(cls, data) -> "StyleProps":
        from lxml import etree

        try:
            with ox._open_zip(data) as z:
                return cls(etree.fromstring(z.read("word/styles.xml")))
        except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
            return cls()

    def props(self, style_id: str | None, depth: int = 0) -> dict[str, str]:
        if not style_id or depth > 20:
            return {}
        if style_id in self._cache:
            return self._cache[style_id]
        st = self._styles.get(style_id)
        out: dict[str, str] = {}
        if st is not None:
            based = st.find(qn("w:basedOn"))
            if based is not None:
                out.update(self.props(based.get(qn("w:val")), depth + 1))
            out.update(_rpr_dict(st.find(qn("w:rPr"))))
        self._cache[style_id] = out
        return out

    def run(self, r) -> str:
        props: dict[str, str] = {}
        p = next(r.iterancestors(W_P), None) if r is not None else None
        if p is not None:
            ps = p.find(_PSTYLE_PATH)
            props.update(self.props(ps.get(_W_VAL) if ps is not None else None))
        rpr = r.find(_W_RPR) if r is not None else None
        if rpr is not None:
            rs = rpr.find(_W_RSTYLE)
            if rs is not None:
                props.update(self.props(rs.get(_W_VAL)))
            props.update(_rpr_dict(rpr))
        return ",".join(f"{k}={v}" for k, v in sorted(props.items()) if v)


_COMMENT_TAGS = (qn("w:commentRangeStart"), qn("w:commentReference"))
_W_T = qn("w:t")


def fingerprint(elements, styles: StyleProps | None = None) -> str:
    """A hash of what the analyst may change without changing the text: bold, italics, underline,
    strike-through, highlighting (as shown, style included), and comments. Field results (TOC,
    page numbers, captions) are excluded, as they are from the text hash. Run splits and revision
    ids do not count."""
    styles = styles or StyleProps()
    segs: list[list[str]] = []
    comments = 0
    state: list[str] = []
    for top in elements:
        for node in top.iter():
            tag = node.tag
            if tag in _COMMENT_TAGS:
                comments += 1
            elif ox.track_field(node, state):
                pass
            elif tag == _W_T and not state:
                text = " ".join((node.text or "").split())
                if not text:
                    continue
                props = styles.run(node.getparent())
                if segs and segs[-1][0] == props:
                    segs[-1][1] += " " + text
                else:
                    segs.append([props, text])
    if comments == 0 and all(not p for p, _ in segs):
        return ""  # plain text: nothing to remember
    body = "\x1e".join(f"{p}\x1f{t}" for p, t in segs if p) + f"\x1dc{comments}"
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


CALLOUT_TITLE_STYLE = "brief callout title"


def _is_callout_title(e, names: dict[str, str]) -> bool:
    """A callout's title paragraph (the generator's frame, not a block of its own)."""
    return e.tag == W_P and names.get(_pstyle(e) or "", "") == CALLOUT_TITLE_STYLE


def title_hash(paragraphs: list) -> str:
    """Hash of a callout's title text (empty title included: a deleted title is an edit)."""
    text = _norm("\n".join(ox.element_text(p) for p in paragraphs))
    return hashlib.sha256(("title\x1f" + text).encode("utf-8")).hexdigest()[:16]


def stamp(data: bytes) -> bytes:
    """A freshly rendered .docx with formatting fingerprints added to its manifest, so that a later
    formatting-only edit (bold, highlight, a comment) is recognised as an edit; callouts also get
    the hash of their title, so that an edited title is told from a regenerated one."""
    entries = read_entries(data)
    if not entries:
        return data
    root = ox.document_root(data)
    by_id = {e.block_id: e for e in entries}
    ox_entries = ox.read_manifest_entries(data)
    oe = {e.block_id: e for e in ox_entries}
    styles = StyleProps.of_package(data)
    for bid, sdt in ox.iter_blocks(root, entries=ox_entries):
        if bid in by_id:
            els = ox.block_elements(sdt, oe.get(bid))
            by_id[bid].fmt = fingerprint(els, styles)
            if by_id[bid].kind == "callout":
                cell = _first_cell(els)
                if cell is not None:
                    by_id[bid].title = title_hash([c for c in cell if _is_callout_title(c, styles.names)])
    return _replace_manifest(data, manifest_xml(entries))


# --------------------------------------------------------------------------------------------
# reading a container (body or callout cell) into blocks and loose content
# --------------------------------------------------------------------------------------------


@dataclass
class _Block:
    id: str
    elements: list  # block-level elements of the block (the control's content)
    node: Any  # what sits in the container: the control, or (LibreOffice) the first element
    nodes: list  # container children the block occupies


@dataclass
class _Loose:
    element: Any


@dataclass
class _Frame:
    """A callout title the analyst edited: emitted in place of the generated one."""

    element: Any


def _container_children(container, owners: dict | None = None, parent: str = "") -> list:
    """Block-level children of a body or cell. A marker of the container's own block (LibreOffice
    moves a callout's control into its first cell) is looked through."""
    out = []
    for c in container:
        if c.tag not in _BLOCKS:
            continue
        if c.tag == W_SDT and owners is not None and parent:
            own = owners.get(id(c))
            if own is not None and own[0] == parent:
                content = c.find(qn("w:sdtContent"))
                if content is not None:
                    out.extend(_container_children(content, owners, parent))
                continue
        out.append(c)
    return out


def _scan(children: list, owners: dict[int, tuple]) -> list:
    """Container children -> [_Block | _Loose] in order. ``owners`` maps id(element) of a container
    child to (block id, block elements)."""
    items: list = []
    i = 0
    while i < len(children):
        c = children[i]
        own = owners.get(id(c))
        if own is None:
            items.append(_Loose(c))
            i += 1
            continue
        bid, els = own[0], own[1]
        nodes = [c]
        j = i + 1
        while j < len(children) and owners.get(id(children[j]), (None,))[0] == bid:
            nodes.append(children[j])
            j += 1
        items.append(_Block(bid, els, c, nodes))
        i = j
    return items


def _owners(root, entries: list[Entry]) -> dict[int, tuple]:
    """id(container child) -> (block id, elements) for every marked block, keyed by the child of
    the block's own container (body or cell) that holds it."""
    ox_entries = [ox.ManifestEntry(e.block_id, e.sha256, e.sdt_id, e.label, e.parts, e.kind, e.parent)
                  for e in entries if e.state != "deleted"]
    by_id = {e.block_id: e for e in ox_entries}
    out: dict[int, tuple[str, list]] = {}
    for bid, sdt in ox.iter_blocks(root, entries=ox_entries):
        entry = by_id.get(bid)
        els = ox.block_elements(sdt, entry)
        if not els:
            continue
        parent = sdt.getparent()
        if parent is not None and parent.tag in (qn("w:body"), qn("w:tc")) and els == ox.sdt_content(sdt):
            nodes = [sdt]
        else:
            nodes = list(els) + [sdt]
        for n in nodes:  # the tuple holds the element: its id stays valid (lxml proxies)
            out.setdefault(id(n), (bid, els, n))
    return out


def _is_empty(e) -> bool:
    if e.tag != W_P:
        return False
    if ox.element_text(e).strip():
        return False
    for tag in ("w:drawing", "w:pict", "w:object", "w:commentReference", "w:sectPr", "w:footnoteReference"):
        if next(e.iter(qn(tag)), None) is not None:
            return False
    for br in e.iter(qn("w:br")):
        if br.get(qn("w:type")) == "page":
            return False
    return True


def _norm(text: str) -> str:
    return ox.normalise_text(text)


# --------------------------------------------------------------------------------------------
# the merge
# --------------------------------------------------------------------------------------------


@dataclass
class MergeReport:
    kept: list[str] = field(default_factory=list)  # labels of blocks kept as the analyst wrote them
    changed: list[str] = field(default_factory=list)  # kept, and the facts under them changed
    added: int = 0  # analyst paragraphs/tables/images kept
    deleted: list[str] = field(default_factory=list)  # blocks that stay deleted
    new_blocks: list[str] = field(default_factory=list)
    updated: int = 0  # untouched blocks that took new content
    unplaced: int = 0
    withdrawn_kept: list[str] = field(default_factory=list)
    matched_by_content: int = 0
    markers_missing: bool = False

    @property
    def analyst_content(self) -> bool:
        return bool(self.kept or self.added or self.deleted or self.unplaced or self.withdrawn_kept)

    def lines(self) -> list[str]:
        out = []
        if self.matched_by_content:
            out.append(f"markers missing; matched {self.matched_by_content} blocks by content")
        if self.analyst_content:
            parts = [f"{len(self.kept)} kept"]
            if self.changed:
                parts.append(f"{len(self.changed)} with changed facts (comment attached)")
            parts.append(f"{self.added} added paragraph{'s' if self.added != 1 else ''} kept")
            if self.deleted:
                parts.append(f"{len(self.deleted)} deleted block{'s' if len(self.deleted) != 1 else ''} "
                             f"stay{'s' if len(self.deleted) == 1 else ''} deleted")
            if self.new_blocks:
                parts.append(f"{len(self.new_blocks)} new block{'s' if len(self.new_blocks) != 1 else ''}")
            if self.unplaced:
                parts.append(f"{self.unplaced} unplaced (see \"{UNPLACED_TITLE}\")")
            out.append("merged your edits: " + ", ".join(parts))
        for label in self.changed:
            out.append(f"kept your edit of {label}; the facts under it changed, new wording attached as a comment")
        for label in self.withdrawn_kept:
            out.append(f"kept your edit of {label}; the generator no longer produces this block")
        return out


@dataclass
class MergeResult:
    data: bytes
    document: Document  # what the PDF should show
    report: MergeReport
    edited: bool  # the existing file held edits its manifest did not know about


def _label(e: Entry | None, bid: str) -> str:
    label = (e.label if e else "") or bid
    label = ox.ALIAS_ID.sub("", label).strip()
    return f"\u201c{label}\u201d [{bid}]" if label else bid


class _Merger:
    def __init__(self, mine: bytes, theirs: bytes, doc: Document, comment_date: str | None):
        import docx

        self.doc = doc
        self.md = docx.Document(io.BytesIO(mine))
        self.td = docx.Document(io.BytesIO(theirs))
        self.base = [e for e in read_entries(mine)]
        self.base_by_id = {e.block_id: e for e in self.base}
        self.theirs_entries = read_entries(theirs)
        self.t_by_id = {e.block_id: e for e in self.theirs_entries}
        self.report = MergeReport()
        self.out_entries: list[Entry] = []
        self.edited = False
        self.comment_date = comment_date
        self._rel_cache: dict[str, str] = {}
        self._num_cache: dict[str, str] = {}
        self._gen_blocks = _index_blocks(doc.blocks)
        self._analyst_n = 0
        self._style_names = _style_names(self.md)
        # formatting is compared under the generator's styles: an analyst restyling Heading 1
        # changes every heading's look, not what any block says
        self.t_styles = StyleProps(self.td.styles.element)
        self._unplaced: list = []
        self.meta = doc.meta
        self.m_names = {k: (v or "").lower() for k, v in self._style_names.items()}
        self.t_names = self.t_styles.names
        self._titles: dict[str, tuple[bool, str, str]] = {}  # callout id -> (kept, text, hash to record)
        self._analyst_nodes: list = []  # top elements of analyst content (kept/added), for bookmarks

    # ---- entry points ----------------------------------------------------------------------

    def run(self) -> MergeResult:
        mroot, troot = self.md.element, self.td.element
        mbody, tbody = mroot.body, troot.body
        self.m_owner = _owners(mroot, self.base)
        self.t_owner = _owners(troot, self.theirs_entries)
        self._content_fallback(mbody)
        out_items, pdf_blocks = self._merge_container(_container_children(mbody, self.m_owner),
                                                      _container_children(tbody, self.t_owner), "")
        sect = mbody.find(W_SECTPR)
        for c in list(mbody):
            if c is not sect:
                mbody.remove(c)
        for e in out_items:
            if sect is not None:
                sect.addprevious(e)
            else:
                mbody.append(e)
        if self._unplaced:
            head = ox.paragraph(_style_id(self.md, "Heading 1"))
            head.append(ox.text_run(UNPLACED_TITLE))
            els = [head] + self._unplaced
            for e in els:
                if sect is not None:
                    sect.addprevious(e)
                else:
                    mbody.append(e)
            pdf_blocks.append(Heading("analyst-unplaced", 1, UNPLACED_TITLE))
            pdf_blocks.extend(self._to_blocks(self._unplaced))
        self._tidy(mroot)
        self._write_manifest()
        buf = io.BytesIO()
        self.md.save(buf)
        data = ox.deterministic_zip(buf.getvalue())
        pdf_doc = Document(meta=self.meta, blocks=pdf_blocks)
        return MergeResult(data, pdf_doc, self.report, self.edited)

    # ---- fallback: markers missing ---------------------------------------------------------

    def _content_fallback(self, mbody) -> None:
        """Decide whether the markers were stripped (most top-level blocks unrecognised): then
        blocks are matched by content similarity anywhere, not only beside their neighbours."""
        found = {v[0] for v in self.m_owner.values()}
        top = [e for e in self.base if e.state != "deleted" and not e.parent]
        missing = [e for e in top if e.block_id not in found]
        self.stripped = len(missing) > max(3, len(top) // 2)
        self.report.markers_missing = self.stripped

    def _match_missing(self, items: list, t_blocks: dict, parent: str) -> list:
        """Blocks of this container whose markers are gone, found among the unmarked elements.
        First pass: an element run with the block's recorded size and hash (untouched blocks).
        Second pass, between the blocks found around it (and, unless the markers were stripped
        altogether, right beside one of them): the run most similar to the newly generated text
        of the block (difflib ratio >= 0.6; the base text itself is not stored)."""
        siblings = [e for e in self.base if (e.parent or "") == parent and e.state != "deleted"]
        order = [e.block_id for e in siblings]

        def present() -> dict[str, int]:
            return {it.id: k for k, it in enumerate(items) if isinstance(it, _Block)}

        def windows(e: Entry, lo: int, hi: int):
            n = max(1, e.parts)
            for i in range(max(lo, 0), min(hi, len(items)) - n + 1):
                window = items[i:i + n]
                if all(isinstance(w, _Loose) for w in window):
                    els = [w.element for w in window]
                    if not all(_is_empty(x) for x in els):
                        yield i, els

        def take(e: Entry, i: int, els: list) -> None:
            items[i:i + len(els)] = [_Block(e.block_id, els, els[0], els)]
            self.report.matched_by_content += 1

        for e in siblings:  # exact
            if e.block_id in present():
                continue
            for i, els in windows(e, 0, len(items)):
                if ox.hash_elements(els) == e.sha256:
                    take(e, i, els)
                    break
        for k, e in enumerate(siblings):  # similar, in place
            pos = present()
            if e.block_id in pos or e.block_id not in t_blocks:
                continue
            prev = next((pos[b] for b in reversed(order[:k]) if b in pos), -1)
            nxt = next((pos[b] for b in order[k + 1:] if b in pos), len(items))
            t = t_blocks[e.block_id]
            target = _norm("\n".join(ox.element_text(x, field_results=False) for x in t.elements))
            best = None
            for i, els in windows(e, prev + 1, nxt):
                if not self.stripped and i != prev + 1 and i + len(els) != nxt:
                    continue
                text = _norm("\n".join(ox.element_text(x, field_results=False) for x in els))
                score = difflib.SequenceMatcher(None, text, target, autojunk=False).ratio()
                if best is None or score > best[0]:
                    best = (score, i, els)
            if best is not None and best[0] >= 0.6:
                take(e, best[1], best[2])
        return items

    # ---- the per-container merge -----------------------------------------------------------

    def _merge_container(self, mine_children: list, theirs_children: list, parent: str):
        """Returns (elements for the container, Document blocks for the PDF)."""
        m_items = _scan(mine_children, self.m_owner)
        t_items = _scan(theirs_children, self.t_owner)
        m_items = self._match_missing(m_items, {it.id: it for it in t_items if isinstance(it, _Block)}, parent)
        m_blocks = {it.id: it for it in m_items if isinstance(it, _Block)}
        t_blocks = {it.id: it for it in t_items if isinstance(it, _Block)}
        t_loose_text = {_norm(ox.element_text(it.element)) for it in t_items if isinstance(it, _Loose)}
        t_loose_text.discard("")
        m_title, t_title, title_kept = self._callout_title(parent, m_items, t_items)

        # decide each block
        decision: dict[str, str] = {}
        for it in t_items:
            if not isinstance(it, _Block):
                continue
            bid = it.id
            e = self.base_by_id.get(bid)
            if e is None:
                decision[bid] = "new"
            elif bid not in m_blocks:
                decision[bid] = "deleted"
            elif e.state == "deleted":  # pasted back after a deletion: theirs now
                decision[bid] = "kept"
            elif self._is_edited(m_blocks[bid], e, it):
                decision[bid] = "recurse" if self._can_recurse(m_blocks[bid], e) else "kept"
            else:
                decision[bid] = "theirs"
        # mine-only blocks (the generator withdrew them): keep them when the analyst edited them
        analyst: list[tuple[Any, str]] = []  # (item, kind) in mine order
        for it in m_items:
            if isinstance(it, _Block) and it.id in t_blocks:
                analyst.append((it, "anchor"))
            elif isinstance(it, _Block):
                e = self.base_by_id.get(it.id)
                if e is None:  # a marker the manifest does not know: treat it as the analyst's
                    analyst.extend((_Loose(x), "added") for x in it.elements)
                elif self._is_edited(it, e, None):
                    analyst.append((it, "withdrawn"))
                    self.report.withdrawn_kept.append(_label(e, it.id))
                else:
                    analyst.append((it, "anchor"))  # untouched and withdrawn: drops out
            else:
                el = it.element
                if any(it is x for x in m_title):
                    if title_kept:  # the analyst's title replaces the generated one
                        analyst.append((_Frame(el), "added"))
                    continue
                if _is_empty(el) or _norm(ox.element_text(el)) in t_loose_text and not _has_media(el):
                    continue  # generator frame (spacers, callout titles)
                analyst.append((it, "added"))

        emitted = {bid for bid, d in decision.items() if d != "deleted"}
        emitted |= {it.id for it, k in analyst if k == "withdrawn"}
        # anchor analyst content: after the preceding block of mine, else before the next surviving
        after: dict[str | None, list] = {}
        before: dict[str, list] = {}
        prev: str | None = None
        pending: list = []
        order = [(it, k) for it, k in analyst]
        for idx, (it, kind) in enumerate(order):
            if kind == "anchor":
                prev = it.id
                continue
            if kind == "withdrawn":
                # placed like added content, then acts as an anchor itself
                pass
            if prev is None or prev in emitted:
                after.setdefault(prev, []).append(it)
            else:
                nxt = next((o.id for o, k in order[idx + 1:] if k in ("anchor", "withdrawn") and o.id in emitted), None)
                if nxt is not None:
                    before.setdefault(nxt, []).append(it)
                else:
                    pending.append(it)
            if kind == "withdrawn":
                prev = it.id

        out: list = []
        pdf: list = []

        def emit_analyst(items) -> None:
            for it in items:
                if isinstance(it, _Frame):
                    out.append(it.element)
                    self._analyst_nodes.append(it.element)
                    continue
                if isinstance(it, _Block):  # withdrawn but edited
                    e = self.base_by_id.get(it.id)
                    node = self._mine_node(it, None)
                    out.append(node)
                    self._analyst_nodes.append(node)
                    self._entry(it.id, e, None, ox.sdt_content(node), state="kept", gen="", parent=parent)
                    pdf.extend(self._to_blocks(it.elements))
                    emit_analyst(after.get(it.id, []))
                else:
                    out.append(it.element)
                    self._analyst_nodes.append(it.element)
                    self.report.added += 1
                    pdf.extend(self._to_blocks([it.element]))

        emit_analyst(after.get(None, []))
        for it in t_items:
            if isinstance(it, _Loose):
                if title_kept and any(it is x for x in t_title):
                    continue
                out.append(self._import(it.element))
                continue
            bid = it.id
            d = decision[bid]
            e = self.base_by_id.get(bid)
            te = self.t_by_id.get(bid)
            emit_analyst(before.get(bid, []))
            if d == "deleted":
                self.report.deleted.append(_label(e, bid))
                self.out_entries.append(replace(e, state="deleted", parent=parent or e.parent))
                if not e.state == "deleted":
                    self.edited = True
                self._tombstone_children(bid, parent)
            elif d in ("theirs", "new"):
                node = self._import(it.node)
                out.append(node)
                self._theirs_entries(bid, parent)
                gen = self._gen_blocks.get(bid)
                if gen is not None:
                    pdf.append(gen)
                if d == "new" and e is None and self.base:
                    self.report.new_blocks.append(_label(te, bid))
                elif e is not None and te is not None and te.sha256 != e.sha256:
                    self.report.updated += 1
            elif d == "recurse":
                node, blocks = self._recurse(m_blocks[bid], it, e, te, parent)
                out.append(node)
                pdf.extend(blocks)
            else:  # kept
                m = m_blocks[bid]
                node = self._mine_node(m, it)
                out.append(node)
                self._analyst_nodes.append(node)
                self._adopt_bookmarks(m.elements, it.elements)
                mh = ox.hash_elements(m.elements)
                base_gen = e.gen if e.state in ("kept", "merged") and e.gen else e.sha256
                facts_changed = te is not None and te.sha256 != base_gen and te.sha256 != mh
                if facts_changed:
                    self._comment(m.elements, it.elements)
                    self.report.changed.append(_label(e, bid))
                self.report.kept.append(_label(e, bid))
                self._entry(bid, te or e, None, ox.sdt_content(node) if node.tag == W_SDT else [node],
                            state="kept", gen=te.sha256 if te else "", parent=parent)
                pdf.extend(self._kept_blocks(bid, m.elements))
            emit_analyst(after.get(bid, []))
        for p in pending:  # plain analyst text from here on
            self._unplaced.extend([p.element] if isinstance(p, _Loose) else p.elements)
        self.report.unplaced += len(pending)
        # tombstones of blocks the generator no longer produces stay recorded
        for e in self.base:
            if e.state == "deleted" and (e.parent or "") == parent and e.block_id not in t_blocks \
                    and e.block_id not in m_blocks:
                self.out_entries.append(replace(e))
        return out, pdf

    def _callout_title(self, parent: str, m_items: list, t_items: list) -> tuple[list, list, bool]:
        """The title paragraphs of a callout being merged (mine, theirs) and whether the analyst's
        title is kept: it differs from the generated title recorded in the manifest (or, for a file
        without that record, from the new one). A kept title replaces the generated one, so the
        callout never shows two titles."""
        pe = self.base_by_id.get(parent) if parent else None
        if pe is None or pe.kind != "callout":
            return [], [], False
        m_title = [it for it in m_items if isinstance(it, _Loose) and _is_callout_title(it.element, self.m_names)]
        t_title = [it for it in t_items if isinstance(it, _Loose) and _is_callout_title(it.element, self.t_names)]
        te = self.t_by_id.get(parent)
        t_hash = (te.title if te else "") or title_hash([it.element for it in t_title])
        if not m_title and pe.title:
            # an editor may have restyled the title: a loose paragraph with the recorded title text
            m_title = [it for it in m_items if isinstance(it, _Loose) and it.element.tag == W_P
                       and ox.element_text(it.element).strip() and title_hash([it.element]) == pe.title][:1]
            if not m_title and pe.title != title_hash([]):  # the analyst deleted the title
                self._titles[parent] = (True, "", pe.title)
                return m_title, t_title, True
        if not m_title:  # no title recorded or written
            self._titles[parent] = (False, "", t_hash)
            return m_title, t_title, False
        m_hash = title_hash([it.element for it in m_title])
        ref = pe.title or t_hash
        kept = m_hash != ref
        text = " ".join(" ".join(ox.element_text(it.element).split()) for it in m_title).strip()
        self._titles[parent] = (kept, text, (pe.title or t_hash) if kept else t_hash)
        return m_title, t_title, kept

    def _adopt_bookmarks(self, mine_els: list, theirs_els: list) -> None:
        """A kept block takes the bookmark names the generator now gives the same block: the new
        table of contents and citations link to those, and the names the analyst's copy had may
        now belong to other blocks (a heading inserted before it renumbers every _Toc name)."""
        name = qn("w:name")
        m = [b for el in mine_els for b in el.iter(qn("w:bookmarkStart"))]
        t = [b.get(name) for el in theirs_els for b in el.iter(qn("w:bookmarkStart"))]
        m_toc = [b for b in m if (b.get(name) or "").startswith("_Toc")]
        t_toc = [n for n in t if (n or "").startswith("_Toc")]
        for b, n in zip(m_toc, t_toc):
            b.set(name, n)
        m_other = [b for b in m if not (b.get(name) or "").startswith("_") and b not in m_toc]
        t_other = [n for n in t if n and not n.startswith("_")]
        if m_other and len(m_other) == len(t_other):
            for b, n in zip(m_other, t_other):
                b.set(name, n)

    def _is_edited(self, m: _Block, e: Entry, t: _Block | None) -> bool:
        if e.state in ("kept", "merged"):
            return True
        els = m.elements
        if ox.hash_elements(els) != e.sha256:
            self.edited = True
            return True
        if e.kind == "toc":
            return False
        fp = fingerprint(els, self.t_styles)
        if e.fmt or fp:
            ref = e.fmt
            if not ref and t is not None:
                te = self.t_by_id.get(e.block_id)
                if te is not None and te.sha256 == e.sha256:
                    ref = fingerprint(t.elements, self.t_styles)
            if fp != ref:
                self.edited = True
                return True
        return False

    def _can_recurse(self, m: _Block, e: Entry) -> bool:
        if e.kind != "callout":
            return False
        kids = [k for k in self.base if k.parent == e.block_id and k.state != "deleted"]
        cell = _first_cell(m.elements)
        if cell is None or not kids:
            return False
        inside = {id(c) for c in cell}
        found = {self.m_owner[i][0] for i in inside if i in self.m_owner}
        return bool(found)

    # ---- pieces ---------------------------------------------------------------------------

    def _recurse(self, m: _Block, t: _Block, e: Entry, te: Entry | None, parent: str):
        node = self._mine_node(m, t)
        mcell = _first_cell(ox.sdt_content(node) if node.tag == W_SDT else [node])
        tcell = _first_cell(t.elements)
        idx = len(self.out_entries)
        self.out_entries.append(None)  # the callout's entry comes before its children
        items, blocks = self._merge_container(_container_children(mcell, self.m_owner, e.block_id),
                                              _container_children(tcell, self.t_owner, e.block_id), e.block_id)
        for c in [c for c in mcell if c.tag in _BLOCKS]:
            mcell.remove(c)
        for c in items:
            mcell.append(c)
        if not len(_container_children(mcell)) or mcell[-1].tag != W_P:
            mcell.append(ox.paragraph())
        els = ox.sdt_content(node) if node.tag == W_SDT else [node]
        kept_title, mine_title, title_h = self._titles.get(e.block_id, (False, "", (te or e).title))
        self.out_entries[idx] = Entry(e.block_id, ox.hash_elements(els), (te or e).sdt_id, (te or e).label,
                                      len(els), "callout", parent, "merged", te.sha256 if te else "",
                                      fingerprint(els, self.t_styles), title_h)
        gen = self._gen_blocks.get(e.block_id)
        title = mine_title if kept_title else (gen.title if isinstance(gen, Callout) else "")
        kind = gen.kind if isinstance(gen, Callout) else "box"
        return node, [Callout(e.block_id, title, blocks, kind)]

    def _mine_node(self, m: _Block, t: _Block | None):
        """The analyst's block as a block-level control (re-wrapped when an editor unwrapped it)."""
        if len(m.nodes) == 1 and m.node.tag == W_SDT and m.node.find(qn("w:sdtContent")) is not None \
                and list(ox.sdt_content(m.node)) == list(m.elements):
            return m.node
        e = self.t_by_id.get(m.id) or self.base_by_id.get(m.id)
        label = ox.ALIAS_ID.sub("", e.label if e else "").strip() or m.id
        sdt, content = ox.sdt_block(ox.TAG_PREFIX + m.id, ox.alias_for(label, m.id), e.sdt_id if e else 1)
        for el in m.elements:
            content.append(el)
        return sdt

    def _entry(self, bid: str, e: Entry | None, t: Any, els: list, *, state: str, gen: str, parent: str) -> None:
        e = e or Entry(bid)
        self.out_entries.append(Entry(bid, ox.hash_elements(els), e.sdt_id, e.label, len(els), e.kind, parent,
                                      state, gen, fingerprint(els, self.t_styles), e.title))

    def _theirs_entries(self, bid: str, parent: str) -> None:
        """Entries of a generated block taken whole (a callout brings its children)."""
        te = self.t_by_id[bid]
        self.out_entries.append(replace(te))
        if te.kind == "callout":
            for k in self.theirs_entries:
                if k.parent == bid:
                    self.out_entries.append(replace(k))
            # tombstones of children stay recorded
            for k in self.base:
                if k.parent == bid and k.state == "deleted":
                    self.out_entries.append(replace(k))

    def _tombstone_children(self, bid: str, parent: str) -> None:
        for k in self.base:
            if k.parent == bid:
                self.out_entries.append(replace(k, state="deleted"))

    def _kept_blocks(self, bid: str, els: list) -> list:
        if bid == "_title":  # the title block is DocMeta, not a block: the PDF takes the edited title
            self._title_meta(els)
            return []
        gen = self._gen_blocks.get(bid)
        if isinstance(gen, Callout):
            cell = _first_cell(els)
            if cell is not None:  # the box's own title, as the analyst left it, once
                kids = _container_children(cell, self.m_owner, bid)
                titles = [c for c in kids if _is_callout_title(c, self.m_names)]
                label = [c for c in kids if c.tag == W_P and self.m_names.get(_pstyle(c) or "", "")
                         == "brief machine label"]
                title = " ".join(" ".join(ox.element_text(c).split()) for c in titles).strip()
                rest = [c for c in kids if not any(c is x for x in titles + label)]
                return [Callout(bid, title if titles else gen.title, self._to_blocks(rest), gen.kind)]
            return [Callout(bid, gen.title, self._to_blocks(els), gen.kind)]
        return self._to_blocks(els, heading_hint=isinstance(gen, Heading))

    def _title_meta(self, els: list) -> None:
        found: dict[str, str] = {}
        for p in els:
            if p.tag != W_P:
                continue
            style = self._style_names.get(_pstyle(p) or "", "").lower()
            text = " ".join(ox.element_text(p).split())
            if style in ("title", "subtitle") and text and style not in found:
                found[style] = text
        self.meta = replace(self.meta, title=found.get("title", self.meta.title),
                            subtitle=found.get("subtitle", self.meta.subtitle))

    # ---- converting Word content back to Document blocks (for the PDF) -----------------------

    def _to_blocks(self, els: list, heading_hint: bool = False) -> list:
        out: list = []
        items: list = []

        def flush() -> None:
            if items:
                out.append(BulletList(self._aid(), list(items)))
                items.clear()

        for el in els:
            if el.tag == W_SDT:
                flush()
                out.extend(self._to_blocks(ox.sdt_content(el), heading_hint))
            elif el.tag == W_TBL:
                flush()
                out.extend(self._table_blocks(el))
            elif el.tag == W_P:
                if _is_empty(el):
                    continue
                inl = _inlines(el)
                if not inl:
                    flush()
                    if next(el.iter(qn("w:drawing")), None) is not None:
                        out.append(Paragraph(self._aid(), [Text("[image]", italic=True)], "small"))
                    continue
                style = self._style_names.get(_pstyle(el) or "", "").lower()
                level = _heading_level(style)
                if level is None and heading_hint and style in ("", "normal"):
                    level = 1
                if level:
                    flush()
                    out.append(Heading(self._aid(), level, "".join(i.text for i in inl)))
                elif "list" in style or el.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None:
                    items.append(inl)
                else:
                    flush()
                    pstyle = "body"
                    for key, name in ox.PARAGRAPH_STYLES.items():
                        if name.lower() == style:
                            pstyle = key
                    out.append(Paragraph(self._aid(), inl, pstyle if pstyle != "source" else "body"))
        flush()
        return out

    def _table_blocks(self, tbl) -> list:
        rows = []
        for tr in tbl.findall(qn("w:tr")):
            cells = []
            for tc in tr.findall(qn("w:tc")):
                inl: list = []
                for p in tc.iter(W_P):
                    part = _inlines(p)
                    if part and inl:
                        inl.append(Text(" "))
                    inl.extend(part)
                cells.append(inl)
            rows.append(cells)
        if not rows:
            return []
        if len(rows[0]) == 1 and all(len(r) == 1 for r in rows):  # a box: a one-cell table
            cell = _first_cell([tbl])
            return [Callout(self._aid(), "", self._to_blocks(_container_children(cell)))]
        header = ["".join(i.text for i in c) for c in rows[0]]
        return [Table(self._aid(), header, rows[1:])]

    def _aid(self) -> str:
        self._analyst_n += 1
        return f"analyst-{self._analyst_n}"

    # ---- importing generated content into the analyst's package -----------------------------

    def _import(self, node):
        node = copy.deepcopy(node)
        mpart, tpart = self.md.part, self.td.part
        for e in node.iter():
            for attr, val in list(e.attrib.items()):
                if not attr.startswith(f"{{{R_NS}}}"):
                    continue
                new = self._rel(val, mpart, tpart)
                if new:
                    e.set(attr, new)
        self._import_styles(node)
        self._import_numbering(node)
        return node

    def _rel(self, rid: str, mpart, tpart) -> str | None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        if rid in self._rel_cache:
            return self._rel_cache[rid]
        rel = tpart.rels.get(rid)
        new = None
        if rel is not None:
            if rel.is_external:
                new = mpart.relate_to(rel.target_ref, rel.reltype, is_external=True)
            elif rel.reltype == RT.IMAGE:
                new, _ = mpart.get_or_add_image(io.BytesIO(rel.target_part.blob))
        self._rel_cache[rid] = new
        return new

    def _import_styles(self, node) -> None:
        mstyles = self.md.styles.element
        have = {s.get(qn("w:styleId")) for s in mstyles.findall(qn("w:style"))}
        tstyles = {s.get(qn("w:styleId")): s for s in self.td.styles.element.findall(qn("w:style"))}
        want = []
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            for e in node.iter(qn(tag)):
                want.append(e.get(qn("w:val")))
        while want:
            sid = want.pop()
            if not sid or sid in have or sid not in tstyles:
                continue
            st = copy.deepcopy(tstyles[sid])
            mstyles.append(st)
            have.add(sid)
            for tag in ("w:basedOn", "w:link", "w:next"):
                ref = st.find(qn(tag))
                if ref is not None:
                    want.append(ref.get(qn("w:val")))

    def _import_numbering(self, node) -> None:
        ids = [e for e in node.iter(qn("w:numId"))]
        if not ids:
            return
        try:
            tnum = self.td.part.numbering_part.element
            mnum = self.md.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for e in ids:
            val = e.get(qn("w:val"))
            if val in self._num_cache:
                e.set(qn("w:val"), self._num_cache[val])
                continue
            t = next((n for n in tnum.findall(qn("w:num")) if n.get(qn("w:numId")) == val), None)
            if t is None:
                continue
            m = next((n for n in mnum.findall(qn("w:num")) if n.get(qn("w:numId")) == val), None)
            from lxml import etree

            if m is not None and etree.tostring(m) == etree.tostring(t):
                new = val
            elif m is None and self._abstract_ok(t, mnum):
                mnum.append(copy.deepcopy(t))
                new = val
            else:
                used = {int(n.get(qn("w:numId"))) for n in mnum.findall(qn("w:num")) if n.get(qn("w:numId"), "").isdigit()}
                k = max(used | {0}) + 1
                c = copy.deepcopy(t)
                c.set(qn("w:numId"), str(k))
                mnum.append(c)
                new = str(k)
            self._num_cache[val] = new
            e.set(qn("w:val"), new)

    @staticmethod
    def _abstract_ok(num, mnum) -> bool:
        a = num.find(qn("w:abstractNumId"))
        want = a.get(qn("w:val")) if a is not None else None
        return any(x.get(qn("w:abstractNumId")) == want for x in mnum.findall(qn("w:abstractNum")))

    # ---- comments ---------------------------------------------------------------------------

    def _comment(self, mine_els: list, theirs_els: list) -> None:
        runs = [r for el in mine_els for r in el.iter(qn("w:r")) if r.find(qn("w:t")) is not None]
        if not runs:
            return
        text = "\n".join(t for t in (ox.element_text(e).strip() for e in theirs_els) if t)
        c = self.md.comments.add_comment(
            text="The facts under this block changed. New generated wording:\n" + text,
            author=COMMENT_AUTHOR, initials="BR")
        elm = c._comment_elm
        if self.comment_date:
            elm.set(qn("w:date"), self.comment_date)
        elif qn("w:date") in elm.attrib:
            del elm.attrib[qn("w:date")]
        cid = str(c.comment_id)
        first, last = runs[0], runs[-1]
        first.addprevious(ox.el("w:commentRangeStart", id=cid))
        last.addnext(ox.el("w:commentRangeEnd", id=cid))
        ref = ox.el("w:r")
        ref.append(ox.el("w:rPr"))
        ref[0].append(ox.el("w:rStyle", val=_style_id(self.md, "annotation reference") or "CommentReference"))
        ref.append(ox.el("w:commentReference", id=cid))
        last.getnext().addnext(ref)

    # ---- finishing --------------------------------------------------------------------------

    def _tidy(self, root) -> None:
        """Unique bookmark ids, drawing ids; drop image/hyperlink relationships nothing uses."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        n = 0
        open_: dict[str, list[str]] = {}
        for e in root.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
            old = e.get(qn("w:id"))
            if e.tag == qn("w:bookmarkStart"):
                n += 1
                open_.setdefault(old, []).append(str(n))
                e.set(qn("w:id"), str(n))
            else:
                stack = open_.get(old)
                if stack:
                    e.set(qn("w:id"), stack.pop(0))
        self._unique_bookmark_names(root)
        ox.renumber_drawing_ids(root)
        self._drop_stale_toc_entries(root)
        used = set()
        for e in root.iter():
            for attr, val in e.attrib.items():
                if attr.startswith(f"{{{R_NS}}}"):
                    used.add(val)
        rels = self.md.part.rels
        for rid, rel in list(rels.items()):
            if rel.reltype in (RT.IMAGE, RT.HYPERLINK) and rid not in used:
                del rels[rid]

    def _unique_bookmark_names(self, root) -> None:
        """Bookmark names must be unique (Word drops or repairs duplicates). When the analyst's
        content and generated content carry the same name, the generated bookmark keeps it (the
        new table of contents and citations link to it) and the analyst's is renamed."""
        name = qn("w:name")
        held = [b for n in self._analyst_nodes for b in n.iter(qn("w:bookmarkStart"))]  # alive: ids stay valid
        analyst = {id(b) for b in held}
        starts = list(root.iter(qn("w:bookmarkStart")))
        groups: dict[str, list] = {}
        for b in starts:
            groups.setdefault(b.get(name) or "", []).append(b)
        taken = set(groups)
        for n, bs in groups.items():
            if len(bs) < 2 or not n:
                continue
            keeper = next((b for b in bs if id(b) not in analyst), bs[0])
            k = 1
            for b in bs:
                if b is keeper:
                    continue
                while True:
                    k += 1
                    suffix = f"_{k}"
                    cand = n[: 40 - len(suffix)] + suffix
                    if cand not in taken:
                        break
                taken.add(cand)
                b.set(name, cand)

    def _drop_stale_toc_entries(self, root) -> None:
        """Cached TOC lines that link to a heading no longer in the document (the analyst deleted
        it) go; Word rebuilds the field on open anyway (w:updateFields)."""
        names = {b.get(qn("w:name")) for b in root.iter(qn("w:bookmarkStart"))}
        for sdt in root.iter(W_SDT):
            gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            if gallery is None or gallery.get(qn("w:val")) != "Table of Contents":
                continue
            for p in list(ox.sdt_content(sdt)):
                links = p.findall(qn("w:hyperlink")) if p.tag == W_P else []
                stale = [h for h in links if h.get(qn("w:anchor")) and h.get(qn("w:anchor")) not in names]
                if not stale:
                    continue
                if next(p.iter(qn("w:fldChar")), None) is None:
                    p.getparent().remove(p)
                else:  # the line that opens the field stays, without its link
                    for h in stale:
                        p.remove(h)

    def _write_manifest(self) -> None:
        from lxml import etree

        xml = manifest_xml([e for e in self.out_entries if e is not None])
        for rel in self.md.part.rels.values():
            if rel.reltype == ox.RT_CUSTOM_XML and not rel.is_external:
                try:
                    root = etree.fromstring(rel.target_part.blob)
                except etree.XMLSyntaxError:
                    continue
                if root.tag == f"{{{MANIFEST_NS}}}manifest":
                    rel.target_part._blob = xml
                    return
        ox.add_manifest_part(self.md, [])
        self._write_manifest()


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _index_blocks(blocks, out=None) -> dict:
    out = {} if out is None else out
    for b in blocks:
        bid = getattr(b, "id", None)
        if bid:
            out.setdefault(bid, b)
        if isinstance(b, Callout):
            _index_blocks(b.blocks, out)
    return out


def _first_cell(els):
    for e in els:
        if e.tag == W_TBL:
            return next(e.iter(qn("w:tc")), None)
        if e.tag == W_SDT:
            c = _first_cell(ox.sdt_content(e))
            if c is not None:
                return c
    return None


def _has_media(e) -> bool:
    return any(next(e.iter(qn(t)), None) is not None for t in ("w:drawing", "w:pict", "w:object"))


def _pstyle(p) -> str | None:
    s = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return s.get(qn("w:val")) if s is not None else None


def _style_names(d) -> dict[str, str]:
    out = {}
    for s in d.styles.element.findall(qn("w:style")):
        name = s.find(qn("w:name"))
        out[s.get(qn("w:styleId"))] = name.get(qn("w:val")) if name is not None else s.get(qn("w:styleId"))
    return out


def _style_id(d, name: str) -> str | None:
    for s in d.styles.element.findall(qn("w:style")):
        n = s.find(qn("w:name"))
        if n is not None and n.get(qn("w:val"), "").lower() == name.lower():
            return s.get(qn("w:styleId"))
    return None


def _heading_level(style_name: str) -> int | None:
    m = re.fullmatch(r"heading\s*([1-9])", style_name.strip())
    if m:
        return min(int(m.group(1)), 3)
    if style_name in ("title", "unplaced"):
        return 1
    return None


def _on(rpr, name: str) -> bool:
    e = rpr.find(qn(f"w:{name}")) if rpr is not None else None
    return e is not None and (e.get(qn("w:val")) or "true").lower() not in _OFF


def _inlines(p) -> list:
    """Text runs of a paragraph with bold/italic, adjacent equal runs joined; deleted text and
    field instructions excluded."""
    out: list[Text] = []
    state: list[str] = []
    for node in p.iter():
        tag = node.tag
        if ox.track_field(node, state):
            continue
        if "instr" in state:
            continue
        if tag not in (qn("w:t"), qn("w:tab"), qn("w:br")):
            continue
        r = node.getparent()
        if r is None or r.tag != qn("w:r"):
            continue
        text = node.text or "" if tag == qn("w:t") else (" " if tag == qn("w:tab") else "\n")
        if tag == qn("w:br") and node.get(qn("w:type")) not in (None, "textWrapping"):
            continue
        rpr = r.find(qn("w:rPr"))
        b, i = _on(rpr, "b"), _on(rpr, "i")
        if out and out[-1].bold == b and out[-1].italic == i:
            out[-1].text += text
        else:
            out.append(Text(text, bold=b, italic=i))
    if not "".join(t.text for t in out).strip():
        return []
    return out


# --------------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------------


def merge(mine: bytes, theirs: bytes, doc: Document, *, comment_date: str | None = None) -> MergeResult:
    """Three-way merge of the analyst's file ``mine`` with the fresh render ``theirs`` of ``doc``."""
    return _Merger(mine, theirs, doc, comment_date).run()


def _comment_date(doc: Document) -> str | None:
    value = (doc.meta.created or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = datetime.fromisoformat(value[:10])
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.replace(microsecond=0).isoformat() + "Z"


def backup(path: Path, history: Path) -> Path:
    """Copy ``path`` to ``history/<stem>-<UTC mtime>.docx``; never overwrites a different backup,
    and reuses an identical one."""
    ts = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    history.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    k = 0
    while True:
        name = f"{path.stem}-{ts}{'' if k == 0 else f'-{k}'}{path.suffix}"
        target = history / name
        if not target.exists():
            tmp = history / f".{name}.tmp"
            shutil.copy2(path, tmp)
            tmp.replace(target)
            return target
        if target.read_bytes() == data:
            return target
        k += 1


def _header_footer_text(data: bytes) -> list[str]:
    """The text of the header and footer parts (field results excluded): an analyst who rewrote
    the footer edited the document even when the body is untouched."""
    from lxml import etree

    out = []
    try:
        with ox._open_zip(data) as z:
            for name in sorted(z.namelist()):
                if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                    root = etree.fromstring(z.read(name))
                    out.append(_norm(ox.element_text(root, field_results=False)))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    return sorted(t for t in out if t)


@dataclass
class RebuildResult:
    document: Document  # for the PDF
    report: MergeReport | None = None
    backup: Path | None = None
    written: bool = True
    messages: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# skipping an unchanged Word file
# --------------------------------------------------------------------------------------------

_DOC_TYPES = {c.__name__: c for c in (Document, DocMeta, Heading, Paragraph, BulletList, Table, FigureBlock,
                                      Figure, Callout, TocBlock, PageBreak, Text, Cite, Link)}
_digests: dict[int, tuple[Any, str]] = {}  # id(Document) -> (weak reference, digest of its content)


def doc_to_json(obj: Any) -> Any:
    """A Document as plain JSON, each dataclass tagged with its type (read back by doc_from_json)."""
    if hasattr(obj, "__dataclass_fields__"):
        out = {"~": type(obj).__name__}
        for f in fields(obj):
            out[f.name] = doc_to_json(getattr(obj, f.name))
        return out
    if isinstance(obj, (list, tuple)):
        return [doc_to_json(x) for x in obj]
    if isinstance(obj, dict):
        return {k: doc_to_json(v) for k, v in obj.items()}
    return obj


def doc_from_json(obj: Any) -> Any:
    if isinstance(obj, list):
        return [doc_from_json(x) for x in obj]
    if isinstance(obj, dict):
        kind = obj.get("~")
        vals = {k: doc_from_json(v) for k, v in obj.items() if k != "~"}
        if kind is None:
            return vals
        cls = _DOC_TYPES[kind]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in vals.items() if k in known})
    return obj


def doc_digest(doc: Document) -> str:
    """sha256 of a Document's content; remembered per object, since the docx and the PDF checks
    both ask for it in one build."""
    import json
    import weakref

    hit = _digests.get(id(doc))
    if hit is not None and hit[0]() is doc:
        return hit[1]
    digest = hashlib.sha256(json.dumps(doc_to_json(doc), sort_keys=True, ensure_ascii=False,
                                       default=str).encode("utf-8")).hexdigest()
    for k in [k for k, (ref, _) in _digests.items() if ref() is None]:
        del _digests[k]
    try:
        _digests[id(doc)] = (weakref.ref(doc), digest)
    except TypeError:  # pragma: no cover - not weak-referenceable
        pass
    return digest


def _file_digest(p: Path) -> str:
    try:
        return hashlib.sha256(Path(p).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def docx_key(doc: Document, styles) -> str:
    """What the Word file depends on besides the analyst's edits: the composed Document, the
    reference .docx and theme, the chart PNGs it embeds, the writer and merge code, python-docx."""
    import json

    from .model import FigureBlock as _FB

    h = hashlib.sha256(b"docx-key-1\0")
    h.update(doc_digest(doc).encode())
    theme = styles.theme
    h.update(json.dumps([theme.fonts, theme.sizes, theme.colors, theme.page, theme.marking], sort_keys=True,
                        default=str).encode("utf-8"))
    files = [Path(styles.reference_docx)] if getattr(styles, "reference_docx", None) else []
    if theme.path:
        files.append(Path(theme.path))
    here = Path(__file__).parent
    files += [here / "regen.py", here / "render" / "docx.py", here / "render" / "ooxml.py"]

    def pngs(blocks):
        for b in blocks:
            if isinstance(b, _FB) and b.figure.png:
                yield Path(b.figure.png)
            elif isinstance(b, Callout):
                yield from pngs(b.blocks)

    files.extend(pngs(doc.blocks))
    for p in files:
        h.update(f"{p}\0{_file_digest(p)}\0".encode("utf-8", "surrogateescape"))
    try:
        import docx as _docx

        h.update(str(getattr(_docx, "__version__", "")).encode())
    except Exception:  # pragma: no cover
        pass
    return h.hexdigest()


def _state_file(path: Path) -> Path:
    return path.parent / ".cache" / f"{path.stem}.docx-state.json"


def _read_state(path: Path) -> dict | None:
    import json

    try:
        state = json.loads(_state_file(path).read_text(encoding="utf-8"))
        return state if isinstance(state, dict) else None
    except (OSError, ValueError):
        return None


def _write_state(path: Path, key: str, data_sha: str, merged: Document | None) -> None:
    import json

    from .util import atomic_write_text

    state = {"key": key, "sha256": data_sha}
    if merged is not None:
        state["document"] = doc_to_json(merged)
    try:
        atomic_write_text(_state_file(path), json.dumps(state, ensure_ascii=False, separators=(",", ":")))
    except OSError:  # a cache: a failure only costs time next build
        pass


def rebuild_docx(doc: Document, styles, path: Path, *, log: Callable[[str], None] | None = None,
                 rendered: Callable[[], bytes] | None = None) -> RebuildResult:
    """Render ``doc`` to ``path``, merging the analyst's edits of the existing file.

    When the composed Document, styles and code are those of the last build and the file is
    byte-for-byte what that build left (out/.cache/<name>.docx-state.json), nothing is rendered or
    merged: the result is the Document the last build gave the PDF.

    ``rendered``: gives ``stamp(render_bytes(doc, styles))`` when the build has it already (rendered
    while the charts were drawn); raising ValueError makes it render here instead."""
    path = Path(path)
    try:
        key = docx_key(doc, styles)
    except Exception:  # pragma: no cover - never let the cache stop a build
        key = ""
    state = _read_state(path) if key else None
    same_file = bool(state) and path.exists() and _file_digest(path) == state.get("sha256")
    if same_file and state.get("key") == key:
        try:
            merged = doc_from_json(state["document"]) if "document" in state else None
        except (KeyError, TypeError, ValueError):
            merged = None
            state = None
        if state is not None and (merged is None or isinstance(merged, Document)):
            return RebuildResult(merged or doc, written=False)
    # The file is what the last build wrote from its composed Document alone (no analyst content was
    # merged into it) and nobody has touched it since: there is nothing to merge, the new rendering
    # replaces it (what the merge would conclude, at a third of the cost).
    untouched = same_file and "document" not in state
    res = _rebuild_docx(doc, styles, path, log=log, untouched=untouched, rendered=rendered)
    if key and path.exists():
        _write_state(path, key, _file_digest(path), None if res.document is doc else res.document)
    return res


def _rebuild_docx(doc: Document, styles, path: Path, *, log: Callable[[str], None] | None = None,
                  untouched: bool = False, rendered: Callable[[], bytes] | None = None) -> RebuildResult:
    from .render import docx as docx_writer

    log = log or (lambda msg: None)
    path = Path(path)
    theirs = None
    if rendered is not None:
        try:
            theirs = rendered()
        except ValueError:
            theirs = None
    if theirs is None:
        theirs = stamp(docx_writer.render_bytes(doc, styles))
    if untouched or not path.exists():
        atomic_write_bytes(path, theirs)
        return RebuildResult(doc)
    mine = path.read_bytes()
    if mine == theirs:
        return RebuildResult(doc, written=False)
    res = RebuildResult(doc)
    try:
        base = read_entries(mine)
    except Exception:  # pragma: no cover - a damaged file: keep it, write fresh
        base = []
    if not base:
        res.backup = backup(path, path.parent / "history")
        msg = (f"{path.name} has no build manifest (not written by briefing, or the editor dropped it); "
               f"kept a copy as {res.backup.relative_to(path.parent)} and wrote a fresh brief")
        res.messages.append(msg)
        atomic_write_bytes(path, theirs)
        return res
    try:
        result = merge(mine, theirs, doc, comment_date=_comment_date(doc))
    except Exception as e:  # a file we cannot read as expected: keep it, never lose it
        import os

        if os.environ.get("BRIEFING_DEBUG"):
            raise
        res.backup = backup(path, path.parent / "history")
        res.messages.append(f"could not merge your edits of {path.name} ({type(e).__name__}: {e}); your file is "
                            f"kept as {res.backup.relative_to(path.parent)} and a fresh brief was written")
        atomic_write_bytes(path, theirs)
        return res
    res.report = result.report
    res.messages.extend(result.report.lines())
    own_parts = _header_footer_text(mine) != _header_footer_text(theirs)
    if own_parts:
        res.messages.append("kept your header/footer")
    if not result.report.analyst_content and not own_parts:
        data, res.document = theirs, doc
    else:
        data, res.document = result.data, result.document
    if data == mine:
        res.written = False
        return res
    if result.edited or result.report.analyst_content or own_parts:
        res.backup = backup(path, path.parent / "history")
        res.messages.insert(0, f"kept a copy of your edited file as {res.backup.relative_to(path.parent)}")
    atomic_write_bytes(path, data)
    return res


# --------------------------------------------------------------------------------------------
# skipping an unchanged PDF
# --------------------------------------------------------------------------------------------


def pdf_key(doc: Document, styles) -> str:
    """What the PDF depends on: the Document (analyst text included), the theme and its font
    files, the charts it embeds (by the hash of the data they are drawn from; by file content for a
    figure without one), the PDF writer's code and reportlab's version. Same key, same
    PDF (the writer is deterministic), so an unchanged rebuild need not redraw it."""
    import json
    import os

    from .model import FigureBlock

    h = hashlib.sha256()
    h.update(doc_digest(doc).encode())
    theme = styles.theme
    h.update(json.dumps([theme.fonts, theme.sizes, theme.colors, theme.page, theme.marking], sort_keys=True,
                        default=str).encode("utf-8"))
    files: list[Path] = []
    if theme.path and Path(theme.path).exists():
        files.append(Path(theme.path))
        fonts_dir = Path(theme.path).parent / "fonts"
        if fonts_dir.is_dir():
            files.extend(sorted(p for p in fonts_dir.rglob("*") if p.is_file()))
    render_dir = Path(__file__).parent / "render"
    files.extend(sorted(render_dir.glob("pdf*.py")))

    def figures(blocks):
        for b in blocks:
            if isinstance(b, FigureBlock):
                if b.figure.data_hash:  # what the chart files are drawn from (known before they are)
                    h.update(f"{b.figure.id}|{b.figure.data_hash}".encode("utf-8"))
                    continue
                for p in (b.figure.svg, b.figure.png):
                    if p:
                        yield Path(p)
            elif isinstance(b, Callout):
                yield from figures(b.blocks)

    files.extend(figures(doc.blocks))
    for p in files:
        h.update(str(p).encode("utf-8"))
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    try:
        import reportlab

        h.update(reportlab.Version.encode())
    except Exception:  # pragma: no cover
        pass
    h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return h.hexdigest()


def pdf_up_to_date(path: Path, key: str, stamp_file: Path) -> bool:
    """True when ``path`` is the PDF last written for ``key`` (and nobody changed it since)."""
    try:
        want_key, want_sha = stamp_file.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return False
    if want_key != key or not path.exists():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == want_sha


def record_pdf(path: Path, key: str, stamp_file: Path) -> None:
    from .util import atomic_write_text

    atomic_write_text(stamp_file, f"{key} {hashlib.sha256(path.read_bytes()).hexdigest()}\n")
