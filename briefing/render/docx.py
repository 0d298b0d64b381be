"""Word writer: Document -> .docx (python-docx, plus the OOXML it lacks from ``ooxml``).

The output takes its styles from the reference document (``styles/reference.docx``, generated from
the theme by ``styles/reference_src/make_reference.py``; an organisation may swap in its own, and
any house style it lacks is added from the theme). What it writes:

- a title block (handling marking banner, title, subtitle, as-of line, author / organisation);
- built-in Heading 1-3 (navigation pane), a dirty TOC field in a Table-of-Contents content
  control with cached entries, ``w:updateFields`` in the settings;
- figure and table captions in the built-in Caption style with SEQ fields (cached numbers);
- tables with a repeated header row, rows that do not split, widths from ``Table.widths``;
- callouts as shaded one-cell tables, machine-drafted ones labelled and drawn differently;
- pictures with an explicit width and alt text (docPr descr/title);
- header and footer with the marking and "Page X of Y" (PAGE / NUMPAGES);
- citations "[n, m]" whose numbers link to bookmarks on the source entries (``src-3`` ->
  ``src_3``, see ``ooxml.bookmark_name``);
- document properties from DocMeta (title, subject, author, keywords, created/modified, language);
- for the edit/rebuild merge: every block wrapped in a block-level content control tagged
  ``brief:<block id>`` (alias = a human label; ``w:id`` derived from the block id), and a manifest
  (block id -> sha256 of its normalised text) in a custom XML part. Read them back with
  :func:`read_manifest`, :func:`iter_blocks`, :func:`block_elements`, :func:`docx_text`.

Output is byte-identical for the same Document (fixed timestamps, sorted ZIP entries,
deterministic ids). Theme options live in the ``[docx]`` section of the theme file.
"""

from __future__ import annotations

import io
import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from ..config import Styles
from ..model import (
    BulletList,
    Callout,
    Cite,
    Document,
    FigureBlock,
    Heading,
    Link,
    PageBreak,
    Paragraph,
    Table,
    Text,
    TocBlock,
)
from ..util import atomic_write_bytes, xml_safe
from . import ooxml as ox
from .ooxml import (  # re-exported: the merge and the tests read files through these
    ManifestEntry,
    block_elements,
    block_hash,
    docx_text,
    iter_blocks,
    read_manifest,
    read_manifest_entries,
)

__all__ = [
    "write",
    "render_bytes",
    "read_manifest",
    "read_manifest_entries",
    "iter_blocks",
    "block_elements",
    "block_hash",
    "docx_text",
    "ManifestEntry",
    "TITLE_BLOCK_ID",
]

TITLE_BLOCK_ID = "_title"  # the generated title block (DocMeta) is a block like the others

DEFAULT_OPTIONS: dict[str, Any] = {
    "theme_fonts": True,  # the theme's fonts win over the reference document's
    "theme_page": True,  # page size and margins from the theme's [page]
    "machine_box": "",  # machine-drafted callouts (house styles; default: a tint of the accent)
    "machine_rule": "",
    "marking_fg": "",  # marking colours; default: TLP colours for TLP markings, else white on accent
    "marking_bg": "",
    "labels": {
        "contents": "Contents",
        "figure": "Figure",
        "table": "Table",
        "page": "Page",
        "of": "of",
        "machine": "Machine-drafted: for the analyst to confirm",
        "toc_placeholder": "Update the field (F9) to build the table of contents.",
    },
}

# TLP 2.0 (FIRST): label colours on a black background
TLP_COLORS = {
    "TLP:RED": "FF2B2B",
    "TLP:AMBER+STRICT": "FFC000",
    "TLP:AMBER": "FFC000",
    "TLP:GREEN": "33FF00",
    "TLP:CLEAR": "FFFFFF",
    "TLP:WHITE": "FFFFFF",
}


def docx_options(theme) -> dict[str, Any]:
    """The theme file's ``[docx]`` section over the defaults."""
    opts = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_OPTIONS.items()}
    path = getattr(theme, "path", None)
    if path and Path(path).exists():
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("docx", {})
        except tomllib.TOMLDecodeError:
            data = {}
        for k, v in data.items():
            if k == "labels" and isinstance(v, dict):
                opts["labels"].update({str(a): str(b) for a, b in v.items()})
            elif k in opts:
                opts[k] = v
    return opts


def marking_colors(marking: str, opts: dict[str, Any], theme) -> tuple[str, str]:
    """(text colour, background colour) of the marking banner."""
    if opts.get("marking_fg") and opts.get("marking_bg"):
        return ox.hex_color(opts["marking_fg"]), ox.hex_color(opts["marking_bg"])
    key = (marking or "").strip().upper()
    for label, color in TLP_COLORS.items():
        if key.startswith(label):
            return color, "000000"
    return "FFFFFF", ox.hex_color((theme.colors or {}).get("accent"), "C8102E")


# Fonts for the other scripts, first choice first. Word and LibreOffice take one name per script
# (w:rFonts eastAsia / cs); the next choices go into the font table as w:altName, and every app
# falls back by glyph when a named font is missing. Override with [fonts] east_asian / complex.
EAST_ASIAN_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", "MS Gothic", "Malgun Gothic")
COMPLEX_FONTS = ("DejaVu Sans", "Noto Sans Arabic", "Arial", "Times New Roman")


def script_fonts(theme) -> tuple[list[str], list[str]]:
    """(East Asian font names, complex-script font names) from the theme, first choice first."""
    f = getattr(theme, "fonts", None) or {}

    def names(key: str, default: tuple[str, ...]) -> list[str]:
        v = f.get(key)
        if isinstance(v, str) and v.strip():
            v = [v]
        out = [xml_safe(str(x)).strip() for x in (v if isinstance(v, (list, tuple)) else default)]
        return [x for x in dict.fromkeys(out) if x] or list(default)

    return names("east_asian", EAST_ASIAN_FONTS), names("complex", COMPLEX_FONTS)


def apply_script_fonts(document, theme) -> None:
    """East Asian (w:eastAsia) and complex-script (w:cs, Arabic, Hebrew) fonts on the document
    defaults and on every style that names its fonts, with the languages that make LibreOffice pick
    them (w:lang eastAsia / bidi), and the fallbacks as w:altName in the font table."""
    ea, cs = script_fonts(theme)
    styles_el = document.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_ = ox.get_or_add(ox.get_or_add(defaults, "w:rPrDefault", ["rPrDefault", "pPrDefault"], first=True), "w:rPr", ["rPr"])
        ox.get_or_add(rpr_, "w:rFonts", ox.RPR_ORDER)
        lang = ox.get_or_add(rpr_, "w:lang", ox.RPR_ORDER)
        lang.set(qn("w:eastAsia"), lang.get(qn("w:eastAsia")) or "zh-CN")
        lang.set(qn("w:bidi"), lang.get(qn("w:bidi")) or "ar-SA")
    for rf in styles_el.iter(qn("w:rFonts")):
        if rf.get(qn("w:ascii")) or rf.getparent().getparent().tag == qn("w:rPrDefault"):
            rf.set(qn("w:eastAsia"), ea[0])
            rf.set(qn("w:cs"), cs[0])
    _font_table_fallbacks(document, {ea[0]: (ea[1:], "86"), cs[0]: (cs[1:], None)})


def _font_table_fallbacks(document, fonts: dict[str, tuple[list[str], str | None]]) -> None:
    from lxml import etree

    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, (alts, charset) in fonts.items():
        font = next((e for e in root.findall(qn("w:font")) if e.get(qn("w:name")) == name), None)
        if font is None:
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            if alts:
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alts[0])
            if charset:
                etree.SubElement(font, qn("w:charset")).set(qn("w:val"), charset)
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "swiss")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def write(doc: Document, path: Path, styles: Styles) -> None:
    atomic_write_bytes(Path(path), render_bytes(doc, styles))


def render_bytes(doc: Document, styles: Styles, standins: dict[str, str] | None = None) -> bytes:
    """The .docx bytes. ``standins`` ({chart PNG path: stand-in path}) lays the document out before its
    charts are drawn: each stand-in (``standin_png``) has the chart's pixel size, resolution and file
    name, so the document is the same apart from the image bytes, which ``fill_images`` puts in."""
    return _Writer(doc, styles, standins=dict(standins or {})).run()


def standin_png(path: Path, width: int, height: int, dpi: int, tag: str) -> bytes:
    """Write (and return) a PNG header that stands in for a chart not drawn yet: the size and
    resolution Word lays the picture out with, and ``tag`` (the chart's name and data hash) so that no
    two stand-ins are alike. It has no pixels: it never reaches a finished file."""
    from ..util import png_bytes

    data = png_bytes(width, height, dpi, comment=tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data, durable=False)
    return data


def fill_images(data: bytes, images: dict[bytes, str]) -> bytes:
    """``data`` with every stand-in image ({stand-in bytes: the drawn chart's path}) replaced by the
    chart. Raises ValueError if a stand-in is missing from the file or a chart cannot be read."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    replace: dict[str, bytes] = {}
    for name in src.namelist():
        if name.startswith("word/media/"):
            body = src.read(name)
            if body in images:
                try:
                    replace[name] = Path(images[body]).read_bytes()
                except OSError as e:
                    raise ValueError(f"chart {images[body]} cannot be read: {e}") from None
    if len(replace) != len(images):
        raise ValueError("a chart stand-in is missing from the document")
    return ox.deterministic_zip(data, replace)


# --------------------------------------------------------------------------------------------


def _created(meta_created: str) -> datetime | None:
    value = (meta_created or "").strip()
    if value:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = datetime.fromisoformat(value[:10])
            except ValueError:
                dt = None
        if dt is not None:
            if dt.tzinfo is not None:
                dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
            return dt.replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(tzinfo=None)
    return None


def _snippet(text: str, n: int = 60) -> str:
    t = " ".join(xml_safe(text).split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def _inline_text(inlines) -> str:
    out = []
    for i in inlines:
        if isinstance(i, Text):
            out.append(i.text)
        elif isinstance(i, Link):
            out.append(i.text)
        elif isinstance(i, Cite):
            out.append(_cite_text(i))
    return "".join(out)


def _cite_text(c: Cite) -> str:
    """'[3–7, 12 and 240 more]': the words a citation prints as."""
    parts = [str(a) if a == b else f"{a}\u2013{b}" for a, b in c.spans()]
    more = f" and {int(c.more)} more" if c.more else ""
    return "[" + ", ".join(parts) + more + "]"


@dataclass
class _Ctx:
    width: int  # available width in twips


@dataclass
class _Writer:
    doc: Document
    styles: Styles
    entries: list[ManifestEntry] = field(default_factory=list)
    standins: dict[str, str] = field(default_factory=dict)  # chart PNG -> stand-in (see render_bytes)

    def __post_init__(self) -> None:
        import docx

        self.theme = self.styles.theme
        self.opts = docx_options(self.theme)
        self.labels = self.opts["labels"]
        ref = Path(self.styles.reference_docx) if self.styles.reference_docx else None
        self.d = docx.Document(str(ref)) if ref and ref.exists() else docx.Document()
        self.ids = ox.IdAllocator()
        self.fig_no = 0
        self.tbl_no = 0
        self.anchors: set[str] = set()
        self.toc_entries: list[tuple[int, str, str]] = []  # (level, text, _Toc bookmark)
        self._toc_names: dict[int, str] = {}  # id(Heading) -> _Toc name, assigned in doc order
        self._parent = ""  # id of the callout being written

    # ---- setup -------------------------------------------------------------------------------

    def run(self) -> bytes:
        body = self.d.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        ox.ensure_styles(self.d, self.theme, overwrite=False, options=self.opts)
        if self.opts.get("theme_fonts", True):
            ox.apply_theme_fonts(self.d, self.theme, self.doc.meta.language or None)
            apply_script_fonts(self.d, self.theme)
        self.sid = {name: ox.style_id(self.d, name) for name in self._style_names()}
        self._page_setup()
        self._collect(self.doc.blocks)
        width = self._text_width()
        self._emit(body, TITLE_BLOCK_ID, "Title block", "title", self._title_block())
        for b in self.doc.blocks:
            self._block(body, b, _Ctx(width))
        last = self._last_block_element(body)
        if last is None or last.tag != qn("w:p"):
            self._append(body, ox.paragraph(self.sid["Body Text"]))
        ox.renumber_drawing_ids(self.d.element)
        self._header_footer()
        self._settings()
        self._properties()
        ox.add_manifest_part(self.d, self.entries)
        buf = io.BytesIO()
        self.d.save(buf)
        return ox.deterministic_zip(buf.getvalue())

    @staticmethod
    def _style_names() -> list[str]:
        return [
            "Normal", "Body Text", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
            "Caption", "TOC Heading", "toc 1", "toc 2", "toc 3", "Header", "Footer", "List Bullet",
            "List Number", "Hyperlink", "Brief Citation", "Brief Marking", "Brief Meta", "Brief Figure",
            "Brief Figure Source", "Brief Callout Title", "Brief Machine Label", "Brief Table Text",
            "Brief Table Heading", "Brief Key Figures Heading", "Brief Table", "Brief Key Figures", "Brief Callout",
            "Brief Callout Machine", *ox.PARAGRAPH_STYLES.values(),
        ]

    def _page_setup(self) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Twips

        sec = self.d.sections[0]
        sec.different_first_page_header_footer = False
        if self.opts.get("theme_page", True):
            w, h = ox.page_size_twips(self.theme)
            m = ox.margin_twips(self.theme)
            sec.orientation = WD_ORIENT.PORTRAIT
            sec.page_width, sec.page_height = Twips(w), Twips(h)
            sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Twips(m)
            sec.header_distance = sec.footer_distance = Twips(int(m * 0.45))

    def _text_width(self) -> int:
        sec = self.d.sections[0]
        try:
            return int((sec.page_width - sec.left_margin - sec.right_margin) / ox.EMU_PER_TWIP)
        except TypeError:
            return ox.text_width_twips(self.theme)

    def _collect(self, blocks) -> None:
        for b in blocks:
            if isinstance(b, Heading):
                if b.anchor:
                    self.anchors.add(ox.bookmark_name(b.anchor))
                if 1 <= b.level <= 3:
                    name = self.ids.toc_name()
                    self._toc_names[id(b)] = name
                    self.toc_entries.append((b.level, b.text, name))
            elif isinstance(b, Paragraph) and b.anchor:
                self.anchors.add(ox.bookmark_name(b.anchor))
            elif isinstance(b, Callout):
                self._collect(b.blocks)

    # ---- containers and markers -------------------------------------------------------------

    @staticmethod
    def _append(container, element) -> None:
        sect = container.find(qn("w:sectPr")) if container.tag == qn("w:body") else None
        if sect is not None:
            sect.addprevious(element)
        else:
            container.append(element)

    @staticmethod
    def _last_block_element(container):
        kids = [k for k in container if k.tag in (qn("w:p"), qn("w:tbl"), qn("w:sdt"))]
        node = kids[-1] if kids else None
        while node is not None and node.tag == qn("w:sdt"):
            content = ox.sdt_content(node)
            node = content[-1] if content else None
        return node

    def _emit(self, container, block_id: str, label: str, kind: str, elements: list, *, toc: bool = False,
              entry: ManifestEntry | None = None):
        """Wrap ``elements`` in a content control tagged brief:<block_id> and add it to ``container``."""
        sdt_id = entry.sdt_id if entry else self.ids.sdt(block_id)
        sdt, content = ox.sdt_block(ox.TAG_PREFIX + block_id, ox.alias_for(label, block_id), sdt_id, toc=toc)
        for e in elements:
            content.append(e)
        self._append(container, sdt)
        if entry is None:
            entry = ManifestEntry(block_id, "", sdt_id, label, len(elements), kind, self._parent)
            self.entries.append(entry)
        entry.parts = len(elements)
        entry.sha256 = ox.hash_elements(elements)
        return sdt

    # ---- blocks -------------------------------------------------------------------------------

    def _block(self, container, b, ctx: _Ctx) -> None:
        if isinstance(b, Heading):
            self._emit(container, b.id, f"Heading {b.level}: {_snippet(b.text)}", "heading", [self._heading(b)])
        elif isinstance(b, Paragraph):
            self._emit(container, b.id, f"Paragraph ({b.style}): {_snippet(_inline_text(b.inlines), 40)}",
                       "paragraph", [self._paragraph(b)])
        elif isinstance(b, BulletList):
            self._emit(container, b.id, f"List: {_snippet(_inline_text(b.items[0]) if b.items else '', 40)}",
                       "list", self._list(b))
        elif isinstance(b, Table):
            self._emit(container, b.id, f"Table: {_snippet(b.caption or ', '.join(b.header), 50)}", "table",
                       self._table_block(b, ctx))
        elif isinstance(b, FigureBlock):
            self._emit(container, b.id, f"Figure: {_snippet(b.figure.title, 50)}", "figure",
                       self._figure(b, ctx))
        elif isinstance(b, Callout):
            self._callout(container, b, ctx)
        elif isinstance(b, TocBlock):
            self._emit(container, b.id, "Table of contents", "toc", self._toc(), toc=True)
            # LibreOffice (7.4) drops the first content control after a TOC control on import;
            # an empty unmarked paragraph after the TOC keeps the next block's marker alive.
            self._append(container, ox.paragraph(self.sid["Normal"]))
        elif isinstance(b, PageBreak):
            p = ox.paragraph(self.sid["Normal"])
            r = ox.sub(p, "w:r")
            r.append(ox.el("w:br", type="page"))
            self._emit(container, b.id, "Page break", "pagebreak", [p])
        else:  # an unknown block type: keep its text rather than dropping it
            text = getattr(b, "text", "") or ""
            p = ox.paragraph(self.sid["Body Text"])
            p.append(ox.text_run(str(text)))
            self._emit(container, getattr(b, "id", "block"), "Block", "other", [p])

    def _title_block(self) -> list:
        m = self.doc.meta
        out = []
        fg, bg = marking_colors(m.marking, self.opts, self.theme)
        if m.marking:
            p = ox.paragraph(self.sid["Brief Marking"])
            ox.set_child(ox.ppr_of(p), ox.el("w:shd", val="clear", color="auto", fill=bg), ox.PPR_ORDER)
            p.append(ox.text_run(m.marking, ox.rpr(bold=True, color=fg)))
            out.append(p)
        p = ox.paragraph(self.sid["Title"])
        p.append(ox.text_run(m.title))
        out.append(p)
        if m.subtitle:
            p = ox.paragraph(self.sid["Subtitle"])
            p.append(ox.text_run(m.subtitle))
            out.append(p)
        for line in (m.as_of, " · ".join(x for x in (m.author, m.organisation) if x)):
            if line:
                p = ox.paragraph(self.sid["Brief Meta"])
                p.append(ox.text_run(line))
                out.append(p)
        return out

    def _heading(self, b: Heading):
        level = min(max(int(b.level or 1), 1), 3)
        p = ox.paragraph(self.sid[f"Heading {level}"])
        p.append(ox.text_run(b.text))
        names = [self._toc_names.get(id(b))]
        if b.anchor:
            names.append(ox.bookmark_name(b.anchor))
        for name in reversed([n for n in names if n]):
            ox.add_bookmark(p, name, self.ids.bookmark())
        return p

    def _paragraph(self, b: Paragraph):
        name = ox.PARAGRAPH_STYLES.get(b.style, "Body Text")
        p = ox.paragraph(self.sid.get(name) or self.sid["Body Text"])
        self._inlines(p, b.inlines)
        if b.anchor:
            ox.add_bookmark(p, ox.bookmark_name(b.anchor), self.ids.bookmark())
        return p

    def _inlines(self, p, inlines, *, base: dict | None = None) -> None:
        base = base or {}
        for i in inlines:
            if isinstance(i, Text):
                props = ox.rpr(bold=i.bold or base.get("bold", False), italic=i.italic or base.get("italic", False),
                               color=base.get("color"))
                p.append(ox.text_run(i.text, props))
            elif isinstance(i, Cite):
                self._cite(p, i)
            elif isinstance(i, Link):
                self._link(p, i, base)
            else:  # pragma: no cover - the model has no other inline
                p.append(ox.text_run(str(getattr(i, "text", ""))))

    def _cite(self, p, c: Cite) -> None:
        """'[3–7, 12 and 240 more]': each printed number (both ends of a range) links to its source."""
        style = self.sid["Brief Citation"]

        def number(n: int) -> None:
            name = ox.bookmark_name(f"src-{n}")
            run = ox.text_run(str(n), ox.rpr(style=style))
            if name in self.anchors:
                h = ox.hyperlink(anchor=name)
                h.append(run)
                p.append(h)
            else:
                p.append(run)

        p.append(ox.text_run("[", ox.rpr(style=style)))
        for k, (a, b) in enumerate(c.spans()):
            if k:
                p.append(ox.text_run(", ", ox.rpr(style=style)))
            number(a)
            if b != a:
                p.append(ox.text_run("\u2013", ox.rpr(style=style)))
                number(b)
        if c.more:
            p.append(ox.text_run(f" and {int(c.more)} more", ox.rpr(style=style)))
        p.append(ox.text_run("]", ox.rpr(style=style)))

    def _link(self, p, link: Link, base: dict) -> None:
        target = (link.target or "").strip()
        text = link.text or target
        run = ox.text_run(text, ox.rpr(style=self.sid["Hyperlink"], bold=base.get("bold", False)))
        h = None
        if target.startswith("#"):
            name = ox.bookmark_name(target[1:])
            if name in self.anchors:
                h = ox.hyperlink(anchor=name)
        else:
            url = ox.safe_url(target)
            if url:
                rid = self.d.part.relate_to(url, RT.HYPERLINK, is_external=True)
                h = ox.hyperlink(rid=rid)
        if h is None:  # not a link we can make safely: keep the words
            p.append(ox.text_run(text, ox.rpr(bold=base.get("bold", False))))
            return
        h.append(run)
        p.append(h)

    def _list(self, b: BulletList) -> list:
        name = "List Number" if b.ordered else "List Bullet"
        num_id = self._restart_numbering(name) if b.ordered else None
        out = []
        for item in b.items:
            p = ox.paragraph(self.sid[name])
            if num_id is not None:
                numpr = ox.el("w:numPr")
                numpr.append(ox.el("w:ilvl", val=0))
                numpr.append(ox.el("w:numId", val=num_id))
                ox.set_child(ox.ppr_of(p), numpr, ox.PPR_ORDER)
            self._inlines(p, item)
            out.append(p)
        return out

    def _restart_numbering(self, style_name: str) -> int | None:
        """A new w:num on the style's list definition, restarting at 1 (ordered lists)."""
        st = ox._find_style(self.d, style_name)
        nid = st.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}") if st is not None else None
        if nid is None:
            return None
        try:
            numbering = self.d.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return None
        for num in numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == nid.get(qn("w:val")):
                abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
                new = numbering.add_num(int(abstract))
                new.add_lvlOverride(ilvl=0).add_startOverride(1)
                return int(new.numId)
        return None

    # ---- captions, tables, figures, callouts ---------------------------------------------

    def _caption(self, kind: str, number: int, text: str):
        label = self.labels["figure" if kind == "Figure" else "table"]
        p = ox.paragraph(self.sid["Caption"], keep_next=True)
        strong = ox.rpr(bold=True)
        p.append(ox.text_run(f"{label} ", strong))
        for r in ox.field_runs(f"SEQ {kind} \\* ARABIC", str(number), props=strong):
            p.append(r)
        p.append(ox.text_run(": ", strong))
        p.append(ox.text_run(text))
        return p

    def _table_block(self, t: Table, ctx: _Ctx) -> list:
        out = []
        if t.caption:
            self.tbl_no += 1
            out.append(self._caption("Table", self.tbl_no, t.caption))
        out.append(self._table(t, ctx.width))
        out.append(self._spacer())
        return out

    def _spacer(self):
        """A small empty paragraph after a table: keeps tables apart (Word merges adjacent ones)."""
        p = ox.paragraph(self.sid["Normal"])
        spacer_pt = 7  # exact line height of the spacer; Word measures it in twentieths of a point
        ox.set_child(ox.ppr_of(p), ox.el("w:spacing", before=0, after=0, line=spacer_pt * 20, lineRule="exact"), ox.PPR_ORDER)
        return p

    def _widths(self, n: int, rel: list[float] | None, total: int) -> list[int]:
        rel = [float(x) for x in (rel or []) if float(x) > 0][:n]
        if len(rel) < n:
            rel = rel + [sum(rel) / len(rel) if rel else 1.0] * (n - len(rel))
        s = sum(rel) or 1.0
        ws = [int(total * r / s) for r in rel]
        ws[-1] += total - sum(ws)
        return ws

    def _tbl(self, style_name: str, width: int, grid: list[int], *, first_row: bool, caption: str = ""):
        tbl = ox.el("w:tbl")
        pr = ox.sub(tbl, "w:tblPr")
        pr.append(ox.el("w:tblStyle", val=self.sid[style_name]))
        pr.append(ox.el("w:tblW", w=width, type="dxa"))
        pr.append(ox.el("w:tblLayout", type="fixed"))
        pr.append(ox.el("w:tblLook", val="0620" if first_row else "0600", firstRow=int(first_row), lastRow=0,
                        firstColumn=0, lastColumn=0, noHBand=1, noVBand=1))
        if caption:
            pr.append(ox.el("w:tblCaption", val=xml_safe(caption)[:250]))
        g = ox.sub(tbl, "w:tblGrid")
        for w in grid:
            g.append(ox.el("w:gridCol", w=w))
        return tbl

    def _row(self, tbl, *, header: bool = False, cant_split: bool = True):
        tr = ox.sub(tbl, "w:tr")
        if cant_split or header:
            trpr = ox.sub(tr, "w:trPr")
            if cant_split:
                trpr.append(ox.el("w:cantSplit"))
            if header:
                trpr.append(ox.el("w:tblHeader"))
        return tr

    @staticmethod
    def _cell(tr, width: int):
        tc = ox.sub(tr, "w:tc")
        tcpr = ox.sub(tc, "w:tcPr")
        tcpr.append(ox.el("w:tcW", w=width, type="dxa"))
        return tc

    def _table(self, t: Table, width: int):
        ncols = max([len(t.header)] + [len(r) for r in t.rows] + [1])
        grid = self._widths(ncols, t.widths, width)
        style = "Brief Key Figures" if t.style == "keyfigures" else "Brief Table"
        tbl = self._tbl(style, width, grid, first_row=bool(t.header), caption=t.caption or "")
        keep = len(t.rows) <= 15  # small tables stay on one page
        if t.header:
            tr = self._row(tbl, header=True)
            for k in range(ncols):
                tc = self._cell(tr, grid[k])
                hstyle = "Brief Key Figures Heading" if t.style == "keyfigures" else "Brief Table Heading"
                p = ox.paragraph(self.sid[hstyle] or self.sid["Brief Table Heading"], keep_next=True)
                if k < len(t.header):
                    p.append(ox.text_run(t.header[k]))
                tc.append(p)
        for ri, row in enumerate(t.rows):
            tr = self._row(tbl)
            for k in range(ncols):
                tc = self._cell(tr, grid[k])
                p = ox.paragraph(self.sid["Brief Table Text"], keep_next=keep and ri < len(t.rows) - 1)
                if k < len(row):
                    self._inlines(p, row[k])
                tc.append(p)
        return tbl

    def _figure(self, b: FigureBlock, ctx: _Ctx) -> list:
        fig = b.figure
        out = []
        p = ox.paragraph(self.sid["Brief Figure"])
        png = Path(self.standins.get(fig.png) or fig.png) if fig.png else None
        if png is not None and png.exists():
            frac = min(max(float(fig.width or 1.0), 0.1), 1.0)
            width_emu = int(ctx.width * frac) * ox.EMU_PER_TWIP
            inline = self.d.part.new_pic_inline(str(png), width=width_emu)
            self.fig_no += 1
            docpr = inline.docPr
            docpr.set("name", xml_safe(f"Figure {self.fig_no}")[:250])
            docpr.set("descr", xml_safe(fig.alt or fig.title or fig.caption))
            docpr.set("title", xml_safe(fig.title or fig.caption))
            r = ox.sub(p, "w:r")
            drawing = ox.sub(r, "w:drawing")
            drawing.append(inline)
        else:
            self.fig_no += 1
            p.append(ox.text_run(f"[{fig.alt or fig.title}]", ox.rpr(italic=True)))
        out.append(p)
        cap_text = (fig.title or "").strip()
        if fig.caption:
            cap_text = f"{cap_text.rstrip('.')}. {fig.caption}" if cap_text else fig.caption
        cap = self._caption("Figure", self.fig_no, cap_text)
        out.append(cap)
        if fig.source_note:
            sp = ox.paragraph(self.sid["Brief Figure Source"])
            sp.append(ox.text_run(fig.source_note))
            out.append(sp)
        else:  # the caption then ends the group
            ox.ppr_of(cap).remove(ox.ppr_of(cap).find(qn("w:keepNext")))
        return out

    def _callout(self, container, b: Callout, ctx: _Ctx) -> None:
        machine = b.kind == "machine"
        style = "Brief Callout Machine" if machine else "Brief Callout"
        label = ("Machine-drafted box: " if machine else "Box: ") + _snippet(b.title, 50)
        entry = ManifestEntry(b.id, "", self.ids.sdt(b.id), label, 1, "callout", self._parent)
        self.entries.append(entry)  # before the blocks inside it: document order
        tbl = self._tbl(style, ctx.width, [ctx.width], first_row=False, caption=b.title)
        tr = self._row(tbl, cant_split=len(b.blocks) <= 2)
        tc = self._cell(tr, ctx.width)
        if b.title:
            p = ox.paragraph(self.sid["Brief Callout Title"])
            p.append(ox.text_run(b.title))
            tc.append(p)
        label_text = self.labels.get("machine", "")
        first_word = label_text.split(":")[0].split()[0].lower() if label_text.split() else ""
        if machine and label_text and not (first_word and first_word in (b.title or "").lower()):
            p = ox.paragraph(self.sid["Brief Machine Label"])
            p.append(ox.text_run(self.labels["machine"]))
            tc.append(p)
        inner = _Ctx(max(ctx.width - 2 * 170 - 120, 1000))
        outer, self._parent = self._parent, b.id
        try:
            for child in b.blocks:
                self._block(tc, child, inner)
        finally:
            self._parent = outer
        last = self._last_block_element(tc)
        if last is None or last.tag != qn("w:p"):  # a cell must end with a paragraph
            p = ox.paragraph(self.sid["Brief Table Text"])
            ppr = ox.ppr_of(p)
            ox.set_child(ppr, ox.el("w:spacing", before=0, after=0, line=40, lineRule="exact"), ox.PPR_ORDER)
            tc.append(p)
        self._emit(container, b.id, label, "callout", [tbl, self._spacer()], entry=entry)

    def _toc(self) -> list:
        out = []
        head = ox.paragraph(self.sid["TOC Heading"])
        head.append(ox.text_run(self.labels["contents"]))
        out.append(head)
        instr = 'TOC \\o "1-3" \\h \\z \\u'
        begin = ox.field_runs(instr, dirty=True)
        # split the field: begin/instr/separate open in the first entry, end closes in the last
        opening, closing = begin[:3], begin[-1]
        entries = self.toc_entries
        if not entries:
            p = ox.paragraph(self.sid["toc 1"])
            for r in opening:
                p.append(r)
            p.append(ox.text_run(self.labels["toc_placeholder"]))
            p.append(closing)
            return out + [p]
        for k, (level, text, name) in enumerate(entries):
            p = ox.paragraph(self.sid[f"toc {level}"])
            if k == 0:
                for r in opening:
                    p.append(r)
            h = ox.hyperlink(anchor=name)
            h.append(ox.text_run(text))
            p.append(h)
            out.append(p)
        end = ox.paragraph(self.sid["toc 1"])  # Word, too, ends the field in a paragraph of its own
        end.append(closing)
        out.append(end)
        return out

    # ---- header, footer, settings, properties ---------------------------------------------

    def _header_footer(self) -> None:
        m = self.doc.meta
        sec = self.d.sections[0]
        fg, bg = marking_colors(m.marking, self.opts, self.theme)
        for part_api, kind in ((sec.header, "header"), (sec.footer, "footer")):
            part_api.is_linked_to_previous = False
            root = part_api._element
            for child in list(root):
                root.remove(child)
            p = ox.paragraph(self.sid["Header" if kind == "header" else "Footer"])
            if m.marking:
                p.append(ox.text_run(f" {m.marking} ", ox.rpr(bold=True, color=fg, shading=bg)))
            p.append(ox.text_run("\t"))
            if kind == "header":
                p.append(ox.text_run("\t" + m.title))
            else:
                p.append(ox.text_run(m.organisation or ""))
                p.append(ox.text_run("\t" + self.labels["page"] + " "))
                for r in ox.field_runs("PAGE", "1"):
                    p.append(r)
                p.append(ox.text_run(f" {self.labels['of']} "))
                for r in ox.field_runs("NUMPAGES", "1"):
                    p.append(r)
            root.append(p)

    def _settings(self) -> None:
        s = self.d.settings.element
        for old in s.findall(qn("w:updateFields")):
            s.remove(old)
        upd = ox.el("w:updateFields", val="true")
        for child in s:
            if ox._local(child) in ox.SETTINGS_BEFORE_UPDATEFIELDS:
                child.addprevious(upd)
                break
        else:
            s.append(upd)
        for cs in s.iter(qn("w:compatSetting")):
            if cs.get(qn("w:name")) == "compatibilityMode":
                cs.set(qn("w:val"), "15")
        for rel_name in ("w:attachedTemplate",):
            for e in s.findall(qn(rel_name)):
                s.remove(e)

    def _properties(self) -> None:
        m = self.doc.meta
        cp = self.d.core_properties
        cp.title = xml_safe(m.title)[:255]
        cp.subject = xml_safe(m.subject)[:255]
        cp.author = xml_safe(m.author or m.organisation)[:255]
        cp.keywords = xml_safe(", ".join(m.keywords))[:255]
        cp.language = xml_safe(m.language or "")
        cp.content_status = xml_safe(m.marking)[:255]
        cp.category = "Situation brief"
        cp.comments = "Generated by briefing"
        cp.last_modified_by = xml_safe(m.author or m.organisation or "briefing")[:255]
        cp.revision = 1
        dt = _created(m.created)
        if dt is not None:
            cp.created = dt
            cp.modified = dt
            cp.last_printed = dt
        self._app_properties()

    def _app_properties(self) -> None:
        from lxml import etree

        for part in self.d.part.package.iter_parts():
            if str(part.partname) != "/docProps/app.xml":
                continue
            try:
                root = etree.fromstring(part.blob)
            except etree.XMLSyntaxError:  # pragma: no cover
                return
            ns = root.nsmap.get(None, "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties")
            for name, value in (("Application", "briefing"), ("Company", self.doc.meta.organisation or "")):
                node = root.find(f"{{{ns}}}{name}")
                if node is None:
                    node = etree.SubElement(root, f"{{{ns}}}{name}")
                node.text = xml_safe(value)
            tmpl = root.find(f"{{{ns}}}Template")
            if tmpl is not None:
                root.remove(tmpl)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            return
