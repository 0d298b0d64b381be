"""OOXML helpers for the Word writer: what python-docx lacks, built with lxml.

Everything here is small and separately testable: element construction in schema order, content
controls (block markers for the edit/rebuild merge), bookmarks, fields, hyperlinks, the house styles
(created from the theme), the block manifest (a custom XML part), text extraction that also sees
inside content controls, and a deterministic ZIP writer.

Text from sources is data: it only ever goes into ``w:t`` text nodes (lxml escapes it) after
``xml_safe``; nothing here parses source text as XML.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from ..util import xml_safe

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MANIFEST_NS = "urn:briefing:manifest:1"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
TAG_PREFIX = "brief:"

TWIPS_PER_CM = 1440 / 2.54
EMU_PER_TWIP = 635

# --------------------------------------------------------------------------------------------
# element construction
# --------------------------------------------------------------------------------------------


def el(tag: str, text: str | None = None, **attrs: Any):
    """``el("w:shd", val="clear", fill="EEF2F6")``: attributes are namespaced like the tag.

    An attribute name may carry its own prefix with a double underscore (``r__id``, ``xml__space``).
    """
    e = OxmlElement(tag)
    prefix = tag.split(":")[0]
    for k, v in attrs.items():
        if v is None:
            continue
        if "__" in k:
            p, n = k.split("__", 1)
            name = "{http://www.w3.org/XML/1998/namespace}" + n if p == "xml" else qn(f"{p}:{n}")
        else:
            name = qn(f"{prefix}:{k}")
        e.set(name, str(v))
    if text is not None:
        e.text = text
    return e


def sub(parent, tag: str, **attrs: Any):
    child = el(tag, **attrs)
    parent.append(child)
    return child


# Schema child orders (ECMA-376 transitional) for the containers we add to by hand.
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
    "tblLook", "tblCaption", "tblDescription",
]
TRPR_ORDER = ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
              "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden"]
TCPR_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
              "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"]
STYLE_ORDER = [
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
]
SETTINGS_BEFORE_UPDATEFIELDS = {  # settings children that come after w:updateFields
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
}


def _local(e) -> str:
    return e.tag.rsplit("}", 1)[-1] if isinstance(e.tag, str) else ""


def set_child(parent, child, order: list[str]):
    """Insert ``child`` into ``parent`` at its schema position, replacing a same-named child."""
    name = _local(child)
    for old in parent.findall(child.tag):
        parent.remove(old)
    idx = order.index(name) if name in order else len(order)
    for i, existing in enumerate(parent):
        ln = _local(existing)
        if ln in order and order.index(ln) > idx:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def get_or_add(parent, tag: str, order: list[str], first: bool = False):
    found = parent.find(qn(tag))
    if found is not None:
        return found
    child = el(tag)
    if first:
        parent.insert(0, child)
        return child
    return set_child(parent, child, order)


def hex_color(value: str | None, default: str = "000000") -> str:
    v = (value or "").strip().lstrip("#")
    return v.upper() if re.fullmatch(r"[0-9A-Fa-f]{6}", v) else default


def tint(color: str, amount: float) -> str:
    """Mix a hex colour with white: amount=0.9 gives a very pale tint."""
    c = hex_color(color)
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(v + (255 - v) * amount):02X}" for v in rgb)


def half_points(pt: float) -> int:
    return int(round(float(pt) * 2))


# --------------------------------------------------------------------------------------------
# runs, text, fields, bookmarks, hyperlinks
# --------------------------------------------------------------------------------------------


def rpr(*, style: str | None = None, bold: bool = False, italic: bool = False, color: str | None = None,
        size: float | None = None, shading: str | None = None, caps: bool = False):
    r = el("w:rPr")
    if style:
        r.append(el("w:rStyle", val=style))
    if bold:
        r.append(el("w:b"))
        r.append(el("w:bCs"))
    if italic:
        r.append(el("w:i"))
        r.append(el("w:iCs"))
    if caps:
        r.append(el("w:caps"))
    if color:
        r.append(el("w:color", val=hex_color(color)))
    if size:
        r.append(el("w:sz", val=half_points(size)))
        r.append(el("w:szCs", val=half_points(size)))
    if shading:
        r.append(el("w:shd", val="clear", color="auto", fill=hex_color(shading)))
    return r if len(r) else None


def text_run(text: str, props=None):
    """A ``w:r`` holding ``text`` literally: tabs and line breaks become w:tab / w:br."""
    r = el("w:r")
    if props is not None:
        r.append(_copy(props))  # a copy: appending the same element twice would move it
    text = xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(el("w:br"))
        for j, chunk in enumerate(line.split("\t")):
            if j:
                r.append(el("w:tab"))
            if chunk:
                r.append(el("w:t", chunk, xml__space="preserve"))
    return r


def field_runs(instr: str, result: str = "", *, dirty: bool = False, props=None) -> list:
    """Complex field: begin, instruction, separate, cached result, end (as a list of w:r)."""
    def run_with(child):
        r = el("w:r")
        if props is not None:
            r.append(_copy(props))
        r.append(child)
        return r

    runs = [
        run_with(el("w:fldChar", fldCharType="begin", dirty="true" if dirty else None)),
        run_with(el("w:instrText", f" {instr} ", xml__space="preserve")),
        run_with(el("w:fldChar", fldCharType="separate")),
    ]
    if result:
        runs.append(text_run(result, _copy(props) if props is not None else None))
    runs.append(run_with(el("w:fldChar", fldCharType="end")))
    return runs


def _copy(e):
    import copy

    return copy.deepcopy(e) if e is not None else None


def bookmark_name(anchor: str) -> str:
    """A valid Word bookmark name for an anchor: letters, digits and '_', starts with a letter,
    at most 40 characters. ``src-3`` -> ``src_3``. The mapping is used for both ends of a link."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", anchor or "")
    if not name or not name[0].isalpha():
        name = "a_" + name
    if len(name) > 40:
        name = name[:31] + "_" + hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:8]
    return name


def add_bookmark(p, name: str, bid: int):
    """Bookmark the whole paragraph: bookmarkStart right after w:pPr, bookmarkEnd at the end."""
    start = el("w:bookmarkStart", id=bid, name=name)
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(el("w:bookmarkEnd", id=bid))


def hyperlink(*, anchor: str | None = None, rid: str | None = None):
    return el("w:hyperlink", r__id=rid, anchor=anchor, history="1")


_SAFE_URL = re.compile(r"^(https?|mailto|ftp):", re.I)


def safe_url(url: str) -> str | None:
    """The URL if it is an ordinary web/mail link, percent-encoding characters Word rejects."""
    from urllib.parse import quote

    url = xml_safe(url or "").strip()
    if not _SAFE_URL.match(url):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


# --------------------------------------------------------------------------------------------
# paragraphs
# --------------------------------------------------------------------------------------------


def paragraph(style_id: str | None = None, *, keep_next: bool = False, jc: str | None = None):
    p = el("w:p")
    if style_id or keep_next or jc:
        ppr = sub(p, "w:pPr")
        if style_id:
            ppr.append(el("w:pStyle", val=style_id))
        if keep_next:
            ppr.append(el("w:keepNext"))
        if jc:
            set_child(ppr, el("w:jc", val=jc), PPR_ORDER)
    return p


def ppr_of(p):
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    return ppr


def set_keep_next(p):
    set_child(ppr_of(p), el("w:keepNext"), PPR_ORDER)


# --------------------------------------------------------------------------------------------
# content controls (block markers)
# --------------------------------------------------------------------------------------------


class IdAllocator:
    """Deterministic ids: bookmarks count up; content-control ids derive from the block id
    (crc32, probed on collision) so the same block keeps the same w:id from one build to the next."""

    def __init__(self) -> None:
        self._bookmark = 0
        self._sdt: set[int] = set()
        self._toc = 0

    def bookmark(self) -> int:
        self._bookmark += 1
        return self._bookmark

    def toc_name(self) -> str:
        self._toc += 1
        return f"_Toc{100000000 + self._toc}"

    def sdt(self, key: str) -> int:
        n = (zlib.crc32(key.encode("utf-8")) & 0x3FFFFFFF) or 1
        while n in self._sdt:
            n = n % 0x3FFFFFFF + 1
        self._sdt.add(n)
        return n


ALIAS_ID = re.compile(r"\[brief:(.+)\]\s*$")


def alias_for(label: str, block_id: str) -> str:
    """The control's title: a human label that ends with "[brief:<block id>]", because the alias
    is the only part of a control that LibreOffice 7.x keeps on save (it drops w:tag and renumbers
    w:id)."""
    suffix = f"[brief:{xml_safe(block_id)}]"
    room = max(0, 64 - len(suffix) - 1)  # Word's dialog allows 64 characters; the suffix stays whole
    label = " ".join(xml_safe(label).split())
    if len(label) > room:
        label = label[: max(0, room - 1)].rstrip() + "…" if room > 1 else ""
    return f"{label} {suffix}".strip()


def sdt_block(tag: str, alias: str, sdt_id: int, *, toc: bool = False):
    """A block-level content control: ``w:sdt/(w:sdtPr, w:sdtContent)``; returns (sdt, content)."""
    sdt = el("w:sdt")
    pr = sub(sdt, "w:sdtPr")
    pr.append(el("w:alias", val=xml_safe(alias)))
    pr.append(el("w:tag", val=xml_safe(tag)[:250]))
    pr.append(el("w:id", val=sdt_id))
    if toc:
        obj = sub(pr, "w:docPartObj")
        obj.append(el("w:docPartGallery", val="Table of Contents"))
        obj.append(el("w:docPartUnique"))
    content = sub(sdt, "w:sdtContent")
    return sdt, content


# --------------------------------------------------------------------------------------------
# text extraction and block hashes
# --------------------------------------------------------------------------------------------

# tag names used on every node of the text walks (qn() each time costs more than the walk)
_FLDCHAR = qn("w:fldChar")
_FLDCHARTYPE = qn("w:fldCharType")
_T = qn("w:t")
_TAB = qn("w:tab")
_BR = qn("w:br")
_CR = qn("w:cr")
_TYPE = qn("w:type")
_FLDSIMPLE = qn("w:fldSimple")
_R = qn("w:r")
_P = qn("w:p")

_BLOCK_TAGS = {_P, qn("w:tbl")}


def track_field(node, state: list[str]) -> bool:
    """Advance the complex-field ``state`` (one "instr" or "result" entry per open field) for
    ``node``; True when the node was a w:fldChar (the caller skips it)."""
    if node.tag != _FLDCHAR:
        return False
    kind = node.get(_FLDCHARTYPE)
    if kind == "begin":
        state.append("instr")
    elif kind == "separate" and state:
        state[-1] = "result"
    elif kind == "end" and state:
        state.pop()
    return True


def _para_text(p, *, field_results: bool, state: list[str] | None = None) -> str:
    """Text of one paragraph. ``state`` (per open complex field: "instr" or "result") is shared
    across the paragraphs of a block, because a field such as a TOC spans paragraphs."""
    out: list[str] = []
    state = [] if state is None else state
    for node in p.iter():
        tag = node.tag
        if track_field(node, state):
            continue
        if not field_results and "result" in state:
            continue
        if tag == _T:
            # skip text inside w:fldSimple when field results are excluded
            if not field_results and next(node.iterancestors(_FLDSIMPLE), None) is not None:
                continue
            out.append(node.text or "")
        elif tag == _TAB:
            if node.getparent() is not None and node.getparent().tag == _R:
                out.append("\t")
        elif tag in (_BR, _CR):
            if node.get(_TYPE) in (None, "textWrapping"):
                out.append("\n")
    return "".join(out)


def element_text(e, *, field_results: bool = True) -> str:
    """Visible text of a block-level element (paragraph, table, content control), paragraphs on
    separate lines. Deleted text (w:delText) is not text; inserted text is."""
    return "\n".join(_element_lines(e, field_results=field_results, state=[]))


def _element_lines(e, *, field_results: bool, state: list[str]) -> list[str]:
    if e.tag == _P:
        return [_para_text(e, field_results=field_results, state=state)]
    lines: list[str] = []
    for p in e.iter(_P):
        # nested paragraphs of text boxes are rare; take each w:p once, outermost order
        if next(p.iterancestors(_P), None) is not None:
            continue
        lines.append(_para_text(p, field_results=field_results, state=state))
    return lines


def normalise_text(text: str) -> str:
    """What the manifest hashes: NFC, whitespace collapsed to single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def hash_elements(elements: Iterable) -> str:
    """sha256 of the normalised text of block elements (field results excluded, so Word updating a
    TOC or page number is not an edit)."""
    state: list[str] = []
    text = "\n".join(line for e in elements for line in _element_lines(e, field_results=False, state=state))
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def sdt_tag(sdt) -> str | None:
    t = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
    return t.get(qn("w:val")) if t is not None else None


def sdt_id(sdt) -> int | None:
    t = sdt.find(f"{qn('w:sdtPr')}/{qn('w:id')}")
    try:
        return int(t.get(qn("w:val"))) if t is not None else None
    except (TypeError, ValueError):
        return None


def sdt_alias(sdt) -> str | None:
    t = sdt.find(f"{qn('w:sdtPr')}/{qn('w:alias')}")
    return t.get(qn("w:val")) if t is not None else None


def sdt_content(sdt) -> list:
    c = sdt.find(qn("w:sdtContent"))
    return list(c) if c is not None else []


# --------------------------------------------------------------------------------------------
# manifest (custom XML part) and reading a saved file
# --------------------------------------------------------------------------------------------


@dataclass
class ManifestEntry:
    block_id: str
    sha256: str
    sdt_id: int
    label: str = ""
    parts: int = 1  # number of block-level elements the block was written as
    kind: str = ""
    parent: str = ""  # id of the enclosing block (blocks inside a callout)


MERGE_ATTRS = ("state", "gen", "fmt", "title")


def manifest_xml(entries: list[ManifestEntry], generator: str = "briefing") -> bytes:
    root = parse_xml(f'<bm:manifest xmlns:bm="{MANIFEST_NS}" generator="{generator}" version="1"/>')
    for e in entries:
        b = root.makeelement(f"{{{MANIFEST_NS}}}block")
        b.set("id", xml_safe(e.block_id))
        b.set("sha256", e.sha256)
        b.set("sdt", str(e.sdt_id))
        b.set("kind", e.kind)
        b.set("parts", str(e.parts))
        b.set("label", xml_safe(e.label)[:200])
        if e.parent:
            b.set("parent", xml_safe(e.parent))
        for k in MERGE_ATTRS:  # written by the rebuild merge (briefing.regen.Entry); absent here
            v = getattr(e, k, "")
            if v:
                b.set(k, v)
        root.append(b)
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_manifest_part(document, entries: list[ManifestEntry]) -> None:
    """Store the manifest as a custom XML part (customXml/itemN.xml + itemPropsN.xml), related
    from the main document part. Word and LibreOffice keep custom XML parts on save."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    from lxml import etree

    pkg = document.part.package
    for rid, rel in list(document.part.rels.items()):  # a manifest inherited from the reference
        if rel.reltype == RT_CUSTOM_XML and not rel.is_external:
            try:
                root = etree.fromstring(rel.target_part.blob)
            except etree.XMLSyntaxError:
                continue
            if root.tag == f"{{{MANIFEST_NS}}}manifest":
                del document.part.rels[rid]
    used = {str(p.partname) for p in pkg.iter_parts()}
    n = 1
    while f"/customXml/item{n}.xml" in used or f"/customXml/itemProps{n}.xml" in used:
        n += 1
    item = Part(PackURI(f"/customXml/item{n}.xml"), "application/xml", manifest_xml(entries), pkg)
    props_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<ds:datastoreItem ds:itemID="{6B7A1E0C-2F51-4C8B-9E1D-B1EF0000BF01}" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
        f'<ds:schemaRefs><ds:schemaRef ds:uri="{MANIFEST_NS}"/></ds:schemaRefs></ds:datastoreItem>'
    ).encode("utf-8")
    props = Part(PackURI(f"/customXml/itemProps{n}.xml"), CT_CUSTOM_XML_PROPS, props_xml, pkg)
    item.relate_to(props, RT_CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT_CUSTOM_XML)


def _open_zip(src) -> zipfile.ZipFile:
    if isinstance(src, (bytes, bytearray)):
        return zipfile.ZipFile(io.BytesIO(src))
    return zipfile.ZipFile(str(src))


def manifest_block_elements(src: str | Path | bytes) -> list:
    """The raw ``block`` elements of a .docx's manifest part, in document order ([] when none).

    The one place that finds and parses the manifest; readers map the attributes they need.
    """
    from lxml import etree

    with _open_zip(src) as z:
        for name in sorted(z.namelist()):
            if not re.fullmatch(r"customXml/item\d+\.xml", name):
                continue
            try:
                root = etree.fromstring(z.read(name))
            except etree.XMLSyntaxError:
                continue
            if root.tag == f"{{{MANIFEST_NS}}}manifest":
                return root.findall(f"{{{MANIFEST_NS}}}block")
    return []


def int_attr(b, name: str, default: int) -> int:
    try:
        return int(b.get(name, "") or default)
    except ValueError:
        return default


def read_manifest_entries(path: str | Path | bytes) -> list[ManifestEntry]:
    """All manifest entries in document order (empty when the file has none)."""
    return [
        ManifestEntry(
            block_id=b.get("id", ""),
            sha256=b.get("sha256", ""),
            sdt_id=int_attr(b, "sdt", 0),
            label=b.get("label", ""),
            parts=int_attr(b, "parts", 1),
            kind=b.get("kind", ""),
            parent=b.get("parent", ""),
        )
        for b in manifest_block_elements(path)
    ]


def read_manifest(path: str | Path | bytes) -> dict[str, str]:
    """block id -> sha256 of the block's normalised generated text."""
    return {e.block_id: e.sha256 for e in read_manifest_entries(path)}


def document_root(src):
    """The w:document element of a path / bytes / python-docx Document / element."""
    from lxml import etree

    if hasattr(src, "element") and hasattr(src, "part"):
        return src.element
    if hasattr(src, "tag"):
        return src
    with _open_zip(src) as z:
        return etree.fromstring(z.read("word/document.xml"))


def sdt_block_id(sdt, by_sdt: dict[int, str] | None = None, toc_id: str | None = None) -> str | None:
    """The block id a content control marks, or None for a control we did not write.

    Tried in order: ``w:tag`` "brief:<id>" (Word keeps it); the alias suffix "[brief:<id>]"
    (LibreOffice keeps only the alias); ``w:id`` looked up in the manifest; a Table-of-Contents
    document-part control (LibreOffice keeps nothing else of the TOC control) -> ``toc_id``.
    """
    tag = sdt_tag(sdt)
    if tag and tag.startswith(TAG_PREFIX):
        return tag[len(TAG_PREFIX):]
    alias = sdt_alias(sdt)
    m = ALIAS_ID.search(alias or "")
    if m:
        return m.group(1)
    if tag is None and by_sdt:
        bid = by_sdt.get(sdt_id(sdt) or -1)
        if bid:
            return bid
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    if toc_id and gallery is not None and gallery.get(qn("w:val")) == "Table of Contents":
        return toc_id
    return None


def iter_blocks(src, *, entries: list[ManifestEntry] | None = None) -> Iterator[tuple[str, Any]]:
    """Yield ``(block_id, sdt_element)`` for every generated block marker, in document order
    (a callout's own marker comes before the markers of the blocks inside it).

    ``src`` is a path, bytes, a python-docx Document or an lxml element. Markers are recognised by
    :func:`sdt_block_id`. After a LibreOffice save a block control becomes a control inside the
    block's first paragraph; :func:`block_elements` gives the block-level elements a marker covers.
    """
    root = document_root(src)
    if entries is None and not (hasattr(src, "tag") or hasattr(src, "part")):
        try:
            entries = read_manifest_entries(src)
        except (OSError, KeyError, zipfile.BadZipFile):
            entries = []
    elif entries is None and hasattr(src, "part"):
        entries = _entries_from_package(src)
    by_sdt = {e.sdt_id: e.block_id for e in entries or []}
    toc_id = next((e.block_id for e in entries or [] if e.kind == "toc"), None)
    seen: set[str] = set()
    for sdt in root.iter(qn("w:sdt")):
        bid = sdt_block_id(sdt, by_sdt, toc_id)
        if bid is None or bid in seen:
            continue
        seen.add(bid)
        yield bid, sdt


def _entries_from_package(document) -> list[ManifestEntry]:
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype == RT_CUSTOM_XML and not rel.is_external:
            try:
                blob = rel.target_part.blob
                root = etree.fromstring(blob)
            except Exception:  # pragma: no cover - a foreign custom XML part
                continue
            if root.tag == f"{{{MANIFEST_NS}}}manifest":
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w") as z:
                    z.writestr("customXml/item1.xml", blob)
                return read_manifest_entries(buf.getvalue())
    return []


def _has_marker(e) -> bool:
    return e.tag == qn("w:sdt") or next(e.iter(qn("w:sdt")), None) is not None


def _fill(first: list, anchor, parts: int) -> list:
    """``first`` plus the unmarked siblings after ``anchor`` until there are ``parts`` elements."""
    out = list(first)
    sib = anchor.getnext()
    while len(out) < parts and sib is not None and sib.tag in _BLOCK_TAGS and not _has_marker(sib):
        out.append(sib)
        sib = sib.getnext()
    return out


def block_elements(sdt, entry: ManifestEntry | None = None) -> list:
    """The block-level elements a marker covers.

    For a block-level control as written (and as Word keeps it) that is the control's content.
    LibreOffice 7.x rewrites some controls: it moves a control around a table into the table's
    first cell, turns some into a control inside the block's first paragraph, and merges nested
    controls into the outer one. With the block's manifest ``entry`` (kind and number of parts)
    this reconstructs the block: a callout is its whole table; a block that lost its extent is
    its first element plus the unmarked elements after it, up to the number written.
    """
    stop = (qn("w:body"), qn("w:tc"))
    parent = sdt.getparent()
    if entry is not None and entry.kind == "callout" and parent is not None and parent.tag != qn("w:body") \
            and parent.tag != qn("w:sdtContent"):
        for anc in sdt.iterancestors(qn("w:tbl")):
            return _fill([anc], anc, entry.parts)
    if parent is not None and parent.tag in stop + (qn("w:sdtContent"),):
        content = sdt_content(sdt)
        if entry is not None and len(content) < entry.parts:
            return _fill(content, sdt, entry.parts)
        return content
    node = sdt
    while node.getparent() is not None and node.getparent().tag not in stop:
        node = node.getparent()
    return _fill([node], node, entry.parts if entry is not None else 1)


def block_hash(sdt, entry: ManifestEntry | None = None) -> str:
    return hash_elements(block_elements(sdt, entry))


def docx_text(src) -> str:
    """All visible body text in document order, one paragraph per line, including text inside
    content controls and tables (which python-docx's ``document.paragraphs`` does not see)."""
    root = document_root(src)
    body = root.find(qn("w:body"))
    if body is None:
        return ""
    return element_text(body)


def renumber_drawing_ids(root) -> None:
    """Give every drawing (wp:docPr / pic:cNvPr) a unique id in document order; python-docx
    numbers a picture by the pictures already in the tree, which misses detached ones."""
    n = 0
    for e in root.iter(qn("wp:docPr")):
        n += 1
        e.set("id", str(n))
    for e in root.iter(qn("pic:cNvPr")):
        e.set("id", "0")


# --------------------------------------------------------------------------------------------
# deterministic package
# --------------------------------------------------------------------------------------------


def deterministic_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a .docx: entries sorted ([Content_Types].xml first), fixed timestamps and
    attributes, so the same content gives the same bytes. Images that are compressed already (PNG,
    JPEG, GIF) are stored as they are: deflating them again costs time and saves nothing.
    ``replace``: {entry name: new content} for entries to swap on the way."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = sorted(names, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            packed = name.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
            info.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, replace[name] if name in replace else src.read(name))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# house styles (from the theme)
# --------------------------------------------------------------------------------------------

# Paragraph.style value -> style name in the reference document
PARAGRAPH_STYLES = {
    "body": "Body Text",
    "bluf": "Brief BLUF",
    "lead": "Brief Lead",
    "note": "Brief Note",
    "small": "Brief Small",
    "machine": "Brief Machine",
    "source": "Brief Source",
}


def _rpr_xml(*, font=None, size=None, bold=False, italic=False, color=None, underline=None, caps=False) -> str:
    out = []
    if font:
        f = xml_escape_attr(font)
        out.append(f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>')
    if bold:
        out.append("<w:b/><w:bCs/>")
    if italic:
        out.append("<w:i/><w:iCs/>")
    if caps:
        out.append("<w:caps/>")
    if color:
        out.append(f'<w:color w:val="{hex_color(color)}"/>')
    if size:
        out.append(f'<w:sz w:val="{half_points(size)}"/><w:szCs w:val="{half_points(size)}"/>')
    if underline:
        out.append(f'<w:u w:val="{underline}"/>')
    return f"<w:rPr>{''.join(out)}</w:rPr>" if out else ""


def _border(side: str, val: str, sz: int, color: str, space: int = 0) -> str:
    return f'<w:{side} w:val="{val}" w:sz="{sz}" w:space="{space}" w:color="{hex_color(color)}"/>'


def _ppr_xml(*, keep_next=False, keep_lines=False, numpr="", pbdr="", shd=None, tabs=None, before=None,
             after=None, line=None, ind=None, contextual=False, jc=None, outline=None) -> str:
    out = []
    if keep_next:
        out.append("<w:keepNext/>")
    if keep_lines:
        out.append("<w:keepLines/>")
    if numpr:
        out.append(numpr)
    if pbdr:
        out.append(f"<w:pBdr>{pbdr}</w:pBdr>")
    if shd:
        out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{hex_color(shd)}"/>')
    if tabs:
        out.append("<w:tabs>" + "".join(
            f'<w:tab w:val="{v}" w:leader="{ld}" w:pos="{pos}"/>' for v, pos, ld in tabs) + "</w:tabs>")
    if before is not None or after is not None or line is not None:
        a = ""
        if before is not None:
            a += f' w:before="{before}"'
        if after is not None:
            a += f' w:after="{after}"'
        if line is not None:
            a += f' w:line="{line}" w:lineRule="auto"'
        out.append(f"<w:spacing{a}/>")
    if ind:
        out.append("<w:ind" + "".join(f' w:{k}="{v}"' for k, v in ind.items()) + "/>")
    if contextual:
        out.append("<w:contextualSpacing/>")
    if jc:
        out.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        out.append(f'<w:outlineLvl w:val="{outline}"/>')
    return f"<w:pPr>{''.join(out)}</w:pPr>" if out else ""


def xml_escape_attr(s: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(xml_safe(s))[1:-1]


def _style(sid, name, *, type_="paragraph", based=None, next_=None, ui=None, body="", custom=True,
           semi_hidden=False) -> str:
    head = f'<w:name w:val="{xml_escape_attr(name)}"/>'
    if based:
        head += f'<w:basedOn w:val="{based}"/>'
    if next_:
        head += f'<w:next w:val="{next_}"/>'
    if ui is not None:
        head += f'<w:uiPriority w:val="{ui}"/>'
    if semi_hidden:
        head += "<w:semiHidden/><w:unhideWhenUsed/>"
    head += "<w:qFormat/>"
    c = ' w:customStyle="1"' if custom else ""
    return f'<w:style {nsdecls("w")} w:type="{type_}"{c} w:styleId="{sid}">{head}{body}</w:style>'


def text_width_twips(theme) -> int:
    w, _ = page_size_twips(theme)
    return w - 2 * margin_twips(theme)


def page_size_twips(theme) -> tuple[int, int]:
    size = str((theme.page or {}).get("size", "A4")).upper()
    if size == "LETTER":
        return 12240, 15840
    return 11906, 16838  # A4


def margin_twips(theme) -> int:
    return int(round(float((theme.page or {}).get("margin_cm", 2.0)) * TWIPS_PER_CM))


def house_styles(theme, numbering: dict[str, str] | None = None,
                 options: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(style name, style XML) for every style the writer uses, built from the theme.

    ``numbering`` maps "List Bullet"/"List Number" to an existing ``w:numPr`` XML fragment;
    ``options`` is the theme's ``[docx]`` section (machine_box, machine_rule).
    """
    options = options or {}
    f = theme.fonts or {}
    s = theme.sizes or {}
    c = theme.colors or {}
    body_font = f.get("body", "DejaVu Sans")
    head_font = f.get("heading", body_font)
    body = float(s.get("body", 10))
    small = float(s.get("small", body - 1.5))
    caption = float(s.get("caption", small))
    primary = c.get("primary", "#1F3A5F")
    accent = c.get("accent", "#C8102E")
    text = c.get("text", "#222222")
    muted = c.get("muted", "#5F6B7A")
    rule = c.get("rule", "#B8C2CC")
    box = c.get("box", "#EEF2F6")
    machine_rule = options.get("machine_rule") or accent
    machine_box = options.get("machine_box") or tint(accent, 0.93)
    tw = text_width_twips(theme)
    numbering = numbering or {}
    H = lambda pt: _rpr_xml(font=head_font, size=pt, bold=True, color=primary)  # noqa: E731

    out: list[tuple[str, str]] = []

    def add(sid, name, **kw):
        out.append((name, _style(sid, name, **kw)))

    add("Normal", "Normal", custom=False, body=_ppr_xml(after=0, line=264)
        + _rpr_xml(font=body_font, size=body, color=text))
    add("BodyText", "Body Text", based="Normal", custom=False, ui=99,
        body=_ppr_xml(after=120, line=276))
    add("Title", "Title", based="Normal", next_="Subtitle", custom=False, ui=10,
        body=_ppr_xml(keep_next=True, before=120, after=60, line=240)
        + _rpr_xml(font=head_font, size=s.get("title", 22), bold=True, color=primary))
    add("Subtitle", "Subtitle", based="Normal", next_="BodyText", custom=False, ui=11,
        body=_ppr_xml(keep_next=True, after=160)
        + _rpr_xml(font=head_font, size=s.get("h2", 12), color=muted))
    for lvl, (before, after, key) in enumerate([(360, 120, "h1"), (240, 80, "h2"), (200, 60, "h3")], 1):
        bdr = _border("bottom", "single", 6, rule, 1) if lvl == 1 else ""
        color = primary if lvl < 3 else text
        add(f"Heading{lvl}", f"heading {lvl}", based="Normal", next_="BodyText", custom=False, ui=9,
            body=_ppr_xml(keep_next=True, keep_lines=True, pbdr=bdr, before=before, after=after,
                          line=240, outline=lvl - 1)
            + _rpr_xml(font=head_font, size=s.get(key, body + 4 - lvl), bold=True, color=color))
    add("Caption", "caption", based="Normal", next_="BodyText", custom=False, ui=35,
        body=_ppr_xml(before=60, after=120) + _rpr_xml(size=caption, color=muted))
    add("TOCHeading", "TOC Heading", based="Normal", next_="BodyText", custom=False, ui=39,
        body=_ppr_xml(keep_next=True, before=120, after=120, outline=9) + H(s.get("h2", 12)))
    for lvl in (1, 2, 3):
        add(f"TOC{lvl}", f"toc {lvl}", based="Normal", next_="BodyText", custom=False, ui=39,
            body=_ppr_xml(tabs=[("right", tw, "dot")], after=40 if lvl > 1 else 60,
                          ind={"left": (lvl - 1) * 284})
            + _rpr_xml(bold=lvl == 1))
    for name, sid in (("Header", "Header"), ("Footer", "Footer")):
        add(sid, name.lower(), based="Normal", custom=False, ui=99,
            body=_ppr_xml(tabs=[("center", tw // 2, "none"), ("right", tw, "none")])
            + _rpr_xml(size=small, color=muted))
    for name, sid in (("List Bullet", "ListBullet"), ("List Number", "ListNumber")):
        add(sid, name, based="BodyText", custom=False, ui=99,
            body=_ppr_xml(numpr=numbering.get(name, ""), after=60, contextual=True))
    add("Hyperlink", "Hyperlink", type_="character", custom=False, ui=99,
        body=_rpr_xml(color="#0563C1", underline="single"))
    add("BriefCitation", "Brief Citation", type_="character", ui=1, body=_rpr_xml(color=primary))

    add("BriefBLUF", "Brief BLUF", based="BodyText", next_="BodyText", ui=1,
        body=_ppr_xml(pbdr=_border("left", "single", 24, primary, 8), shd=box, before=60, after=160,
                      ind={"left": 170, "right": 113})
        + _rpr_xml(size=body + 1))
    add("BriefLead", "Brief Lead", based="BodyText", next_="BodyText", ui=1, body=_rpr_xml(size=body + 1))
    add("BriefNote", "Brief Note", based="BodyText", next_="BodyText", ui=1,
        body=_rpr_xml(italic=True, color=muted))
    add("BriefSmall", "Brief Small", based="BodyText", next_="BodyText", ui=1, body=_rpr_xml(size=small))
    add("BriefMachine", "Brief Machine", based="BodyText", next_="BodyText", ui=1,
        body=_ppr_xml(pbdr=_border("left", "dashed", 12, machine_rule, 8), ind={"left": 170})
        + _rpr_xml(italic=True))
    add("BriefSource", "Brief Source", based="Normal", next_="BriefSource", ui=1,
        body=_ppr_xml(after=60, ind={"left": 425, "hanging": 425}) + _rpr_xml(size=small))
    add("BriefMarking", "Brief Marking", based="Normal", next_="Title", ui=1,
        body=_ppr_xml(shd="#000000", after=240, jc="center")
        + _rpr_xml(bold=True, size=small + 1, color="#FFFFFF"))
    add("BriefMeta", "Brief Meta", based="Normal", next_="BodyText", ui=1,
        body=_ppr_xml(after=40) + _rpr_xml(color=muted))
    add("BriefFigure", "Brief Figure", based="Normal", next_="Caption", ui=1,
        body=_ppr_xml(keep_next=True, before=120, after=60, jc="center"))
    add("BriefFigureSource", "Brief Figure Source", based="Normal", next_="BodyText", ui=1,
        body=_ppr_xml(after=200) + _rpr_xml(size=caption, color=muted))
    add("BriefCalloutTitle", "Brief Callout Title", based="Normal", next_="BodyText", ui=1,
        body=_ppr_xml(keep_next=True, after=80) + H(s.get("h3", body + 0.5)))
    add("BriefMachineLabel", "Brief Machine Label", based="Normal", next_="BodyText", ui=1,
        body=_ppr_xml(keep_next=True, after=80) + _rpr_xml(bold=True, size=small, color=machine_rule, caps=True))
    add("BriefTableText", "Brief Table Text", based="Normal", ui=1,
        body=_ppr_xml(before=20, after=20, line=240) + _rpr_xml(size=small))
    add("BriefTableHeading", "Brief Table Heading", based="BriefTableText", ui=1,
        body=_ppr_xml(keep_next=True) + _rpr_xml(bold=True, color=primary))
    add("BriefKeyFiguresHeading", "Brief Key Figures Heading", based="BriefTableText", ui=1,
        body=_ppr_xml(keep_next=True) + _rpr_xml(bold=True, color="#FFFFFF"))

    cell_mar = ('<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
                '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>')
    first_row = (
        '<w:tblStylePr w:type="firstRow">' + _rpr_xml(bold=True, color=primary)
        + "<w:tblPr/><w:trPr><w:tblHeader/></w:trPr><w:tcPr><w:tcBorders>"
        + _border("bottom", "single", 12, primary) + "</w:tcBorders>"
        + f'<w:shd w:val="clear" w:color="auto" w:fill="{hex_color(box)}"/></w:tcPr></w:tblStylePr>'
    )
    add("BriefTable", "Brief Table", type_="table", based="TableNormal", ui=59,
        body="<w:tblPr><w:tblBorders>" + _border("top", "single", 8, primary)
        + _border("bottom", "single", 8, primary) + _border("insideH", "single", 4, rule)
        + "</w:tblBorders>" + cell_mar + "</w:tblPr>" + first_row)
    add("BriefKeyFigures", "Brief Key Figures", type_="table", based="TableNormal", ui=59,
        body="<w:tblPr><w:tblBorders>" + _border("top", "single", 18, primary)
        + _border("bottom", "single", 18, primary) + _border("insideH", "dotted", 4, muted)
        + "</w:tblBorders>" + cell_mar + "</w:tblPr>"
        + '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="FFFFFF"/></w:tcPr>'
        + '<w:tblStylePr w:type="firstRow">' + _rpr_xml(bold=True, color="#FFFFFF")
        + "<w:tblPr/><w:trPr><w:tblHeader/></w:trPr>"
        + f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{hex_color(primary)}"/></w:tcPr>'
        + "</w:tblStylePr>")
    box_mar = ('<w:tblCellMar><w:top w:w="113" w:type="dxa"/><w:left w:w="170" w:type="dxa"/>'
               '<w:bottom w:w="113" w:type="dxa"/><w:right w:w="170" w:type="dxa"/></w:tblCellMar>')
    add("BriefCallout", "Brief Callout", type_="table", based="TableNormal", ui=59,
        body="<w:tblPr><w:tblBorders>" + _border("top", "single", 4, rule)
        + _border("left", "single", 24, primary) + _border("bottom", "single", 4, rule)
        + _border("right", "single", 4, rule) + "</w:tblBorders>" + box_mar + "</w:tblPr>"
        + f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{hex_color(box)}"/></w:tcPr>')
    add("BriefCalloutMachine", "Brief Callout Machine", type_="table", based="TableNormal", ui=59,
        body="<w:tblPr><w:tblBorders>" + "".join(
            _border(side, "dashed", 12, machine_rule) for side in ("top", "left", "bottom", "right"))
        + "</w:tblBorders>" + box_mar + "</w:tblPr>"
        + f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{hex_color(machine_box)}"/></w:tcPr>')
    return out


_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def _numpr_of(styles_el, style_id: str) -> str:
    from lxml import etree

    for st in styles_el.findall(qn("w:style")):
        if st.get(qn("w:styleId")) == style_id:
            np_ = st.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if np_ is not None:
                return etree.tostring(np_).decode()
    return ""


def ensure_styles(document, theme, *, overwrite: bool = False, options: dict[str, Any] | None = None) -> list[str]:
    """Add the house styles missing from ``document`` (all of them, replacing existing ones, when
    ``overwrite``: that is how styles/reference.docx is generated). Styles are matched by name,
    so a reference document made in a localised Word keeps its own style ids. Returns the names
    of the styles added or replaced."""
    styles_el = document.styles.element
    numbering = {
        "List Bullet": _numpr_of(styles_el, "ListBullet"),
        "List Number": _numpr_of(styles_el, "ListNumber"),
    }
    # strip the namespace declarations our fragments carry from the numPr XML
    numbering = {k: re.sub(r"\s+xmlns:\w+=\"[^\"]+\"", "", v) for k, v in numbering.items()}
    changed = []
    for name, xml in house_styles(theme, numbering, options):
        new = parse_xml(xml)
        existing = _find_style(document, name)
        if existing is not None and not overwrite:
            continue
        if existing is not None:
            link = existing.find(qn("w:link"))
            if link is not None:  # keep Word's linked character style pairing
                set_child(new, el("w:link", val=link.get(qn("w:val"))), STYLE_ORDER)
            if existing.get(qn("w:default")):
                new.set(qn("w:default"), existing.get(qn("w:default")))
            new.set(qn("w:styleId"), existing.get(qn("w:styleId")))
            existing.addprevious(new)
            styles_el.remove(existing)
        else:
            styles_el.append(new)
        changed.append(name)
    return changed


def _find_style(document, name: str):
    """The w:style element with this name (UI names such as "Heading 1" are mapped to Word's
    internal "heading 1"), or None. Never falls back to a style id."""
    from docx.styles import BabelFish

    return document.styles.element.get_by_name(BabelFish.ui2internal(name))


def style_id(document, name: str, fallback: str | None = None) -> str | None:
    el_ = _find_style(document, name)
    if el_ is not None:
        return el_.get(qn("w:styleId"))
    return fallback


def apply_theme_fonts(document, theme, language: str | None = None) -> None:
    """Make the theme's fonts win: named fonts on the document defaults and the heading-like
    styles, and no *Theme font attributes anywhere in styles.xml (they override w:ascii etc.)."""
    f = theme.fonts or {}
    body_font = xml_safe(f.get("body", "DejaVu Sans"))
    head_font = xml_safe(f.get("heading", body_font))
    styles_el = document.styles.element
    for rf in styles_el.iter(qn("w:rFonts")):
        for a in _THEME_ATTRS:
            rf.attrib.pop(qn(f"w:{a}"), None)
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles_el.insert(0, defaults)
    rpr_default = get_or_add(defaults, "w:rPrDefault", ["rPrDefault", "pPrDefault"], first=True)
    rpr_ = get_or_add(rpr_default, "w:rPr", ["rPr"])
    _set_fonts(rpr_, body_font)
    if language:
        lang = get_or_add(rpr_, "w:lang", RPR_ORDER)
        lang.set(qn("w:val"), xml_safe(language))
    heading_names = ["Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "TOC Heading",
                     "Brief Callout Title"]
    for name in heading_names:
        st = _find_style(document, name)
        if st is None:
            continue
        _set_fonts(get_or_add(st, "w:rPr", STYLE_ORDER), head_font)
        link = st.find(qn("w:link"))
        if link is not None:
            for cst in styles_el.findall(qn("w:style")):
                if cst.get(qn("w:styleId")) == link.get(qn("w:val")):
                    _set_fonts(get_or_add(cst, "w:rPr", STYLE_ORDER), head_font)
    for name in ("Normal",):
        st = _find_style(document, name)
        if st is not None:
            _set_fonts(get_or_add(st, "w:rPr", STYLE_ORDER), body_font)


def _set_fonts(rpr_el, font: str) -> None:
    rf = get_or_add(rpr_el, "w:rFonts", RPR_ORDER)
    for a in _THEME_ATTRS:
        rf.attrib.pop(qn(f"w:{a}"), None)
    for a in ("ascii", "hAnsi", "eastAsia", "cs"):
        rf.set(qn(f"w:{a}"), font)
