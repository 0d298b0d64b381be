"""PDF writer (reportlab platypus).

``write(doc, path, styles)`` renders a :class:`briefing.model.Document` to an A4 brief:

* embedded Unicode TrueType fonts (the theme's families, regular/bold/italic/bold-italic registered as
  one family), with per-character fallback and a visible placeholder (plus a warning) for characters
  no available font has; right-to-left runs reordered and, with uharfbuzz, shaped (``pdf_fonts``);
* a title block with the handling marking as a coloured banner; header and footer on every page with
  the marking and "Page X of Y"; laid out in one pass, page numbers filled in afterwards (``pdf_layout``);
* outline bookmarks for every heading (levels kept contiguous), a clickable table of contents,
  citations ``[n]`` linking to the source entries (``src-n``), internal and external links;
* tables with a shaded header row repeated across pages, numbered table and figure captions, charts
  embedded as the 200 dpi PNG (default) or as vector drawings (SVG via svglib, `chart_format = "svg"`);
* document metadata and language; byte-identical output for the same Document (``invariant``).

Text from sources is data: every string is stripped of XML-illegal characters and escaped before it
reaches reportlab's paragraph markup; only this module writes markup.
"""

from __future__ import annotations

import logging
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

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

log = logging.getLogger("briefing.render.pdf")

# Defaults for the optional [pdf] section of the theme (styles/theme.toml).
DEFAULTS: dict[str, Any] = {
    "marking_colors": {  # FIRST TLP 2.0 colours: text colour on a black label
        "TLP:RED": "#FF2B2B",
        "TLP:AMBER+STRICT": "#FFC000",
        "TLP:AMBER": "#FFC000",
        "TLP:GREEN": "#33FF00",
        "TLP:CLEAR": "#FFFFFF",
        "TLP:WHITE": "#FFFFFF",
    },
    "marking_notes": {  # one-line handling note under the banner (TLP 2.0 definitions, abridged)
        "TLP:RED": "For the eyes and ears of individual recipients only; no further disclosure.",
        "TLP:AMBER+STRICT": "Limited disclosure: recipients may share only within their own organisation.",
        "TLP:AMBER": "Limited disclosure: recipients may share on a need-to-know basis within their organisation and its clients.",
        "TLP:GREEN": "Limited disclosure: recipients may share within their community, not publicly.",
        "TLP:CLEAR": "Disclosure is not limited; standard copyright rules apply.",
    },
    "machine_box": "#FFF4DE",  # machine-drafted callout background
    "machine_rule": "#B86E00",  # its border and label colour
    "link": "",  # colour of external links; default: the primary colour
    "zebra": "#F6F8FA",  # alternate table row shading
    "chart_format": "png",  # png: the 200 dpi PNG (fast); svg: vector charts via svglib (PNG if that fails)
    "fallback_fonts": [],  # TrueType files tried for characters the theme's fonts lack
    "labels": {
        "contents": "Contents",
        "figure": "Figure",
        "table": "Table",
        "page": "Page {page} of {total}",
        "machine": "MACHINE-DRAFTED \u2014 FOR ANALYST REVIEW",
        "as_of": "As of",
        "author": "Prepared by",
        "organisation": "Organisation",
        "handling": "Handling",
        "figure_missing": "Figure not available: {title}",
    },
}

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def pdf_settings(theme) -> dict[str, Any]:
    """The theme's [pdf] table merged over DEFAULTS (the Theme type itself does not carry it)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    path = getattr(theme, "path", None)
    if path and Path(path).exists():
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("pdf", {})
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        for k, v in data.items():
            if isinstance(v, dict) and isinstance(out.get(k), dict):
                out[k].update(v)
            else:
                out[k] = v
    return out


def write(doc: Document, path: Path, styles: Styles, pending: dict | None = None) -> list[str]:
    """Write the PDF atomically; returns the problems a reader would see (e.g. characters no font has).

    ``pending``: {PNG path: (width px, height px, hash file, digest)} for charts still being drawn by
    other processes; the PDF is laid out at once and their pixels are read when the file is written."""
    t0 = time.perf_counter()
    w = _Writer(doc, styles)
    w.pending = dict(pending or {})
    data = w.render()
    atomic_write_bytes(Path(path), data)
    log.debug("pdf written in %.2fs: %s", time.perf_counter() - t0, path)
    return list(w.problems)


def embeds_png(styles: Styles) -> bool:
    """The PDF embeds the charts' PNG files (the default), not their SVG drawings."""
    return str(pdf_settings(styles.theme).get("chart_format", "png")).lower() != "svg"


def prepare(styles: Styles) -> None:
    """Load the theme's body and heading fonts now (parsing the TrueType files takes about 0.1 s): the
    build calls this while it waits for its charts, and the process that renders the PDF inherits them."""
    from . import pdf_fonts

    fonts = styles.theme.fonts or {}
    book = pdf_fonts.FontBook(styles.theme)
    book.family(fonts.get("body", "DejaVu Sans"))
    book.family(fonts.get("heading", fonts.get("body", "DejaVu Sans")))


def render_bytes(doc: Document, styles: Styles) -> bytes:
    return _Writer(doc, styles).render()


# ------------------------------------------------------------------------------------------------


@dataclass
class _Face:
    family: Any  # pdf_fonts.Family
    bold: bool = False
    italic: bool = False


@dataclass
class _Ctx:
    figures: int = 0
    tables: int = 0
    outline_level: int = -1
    keys: set[str] = field(default_factory=set)


class _Writer:
    def __init__(self, doc: Document, styles: Styles):
        from . import pdf_fonts

        self.doc = doc
        self.theme = styles.theme
        self.cfg = pdf_settings(self.theme)
        self.labels = self.cfg["labels"]
        extra = []
        for p in self.cfg.get("fallback_fonts", []) or []:
            pp = Path(p)
            if not pp.is_absolute() and self.theme.path:
                pp = Path(self.theme.path).parent / pp
            extra.append(pp)
        self.fonts = pdf_fonts.FontBook(self.theme, extra_fallbacks=extra)
        fonts = self.theme.fonts or {}
        self.body = self.fonts.family(fonts.get("body", "DejaVu Sans"))
        self.head = self.fonts.family(fonts.get("heading", fonts.get("body", "DejaVu Sans")))
        self.dests = _destinations(doc)
        self.ctx = _Ctx()
        self._shaping = _shaping_available()
        self._styles_cache: dict[str, Any] = {}
        self.pending: dict = {}  # charts still being drawn (see ``write``)
        self.split_rows = False  # set when a row is taller than a page: rows may then split inside
        self._build_styles()

    # -- colours and styles -----------------------------------------------------------------------
    def color(self, key: str, default: str = "#000000"):
        from reportlab.lib.colors import HexColor

        v = self.theme.colors.get(key, default) if self.theme.colors else default
        try:
            return HexColor(str(v))
        except (ValueError, TypeError):
            return HexColor(default)

    def size(self, key: str, default: float) -> float:
        try:
            return float((self.theme.sizes or {}).get(key, default))
        except (TypeError, ValueError):
            return default

    def _build_styles(self) -> None:
        from reportlab.lib.enums import TA_LEFT
        from reportlab.lib.styles import ParagraphStyle

        body, small = self.size("body", 10), self.size("small", 8.5)
        text, muted, primary = self.color("text", "#222222"), self.color("muted", "#5F6B7A"), self.color("primary", "#1F3A5F")
        bf, hf = self.body.faces, self.head.faces
        base = ParagraphStyle(
            "body", fontName=bf[(False, False)], fontSize=body, leading=body * 1.4, textColor=text,
            spaceAfter=body * 0.6, alignment=TA_LEFT, allowWidows=0, allowOrphans=0, splitLongWords=1,
        )
        S: dict[str, ParagraphStyle] = {"body": base}

        def add(name, parent="body", **kw):
            S[name] = ParagraphStyle(name, parent=S[parent], **kw)

        add("bluf", fontSize=body + 1, leading=(body + 1) * 1.42, spaceAfter=0)
        add("lead", fontSize=body + 0.5, leading=(body + 0.5) * 1.45)
        add("note", fontName=bf[(False, True)], fontSize=small + 0.5, leading=(small + 0.5) * 1.4, textColor=muted)
        add("small", fontSize=small, leading=small * 1.4, textColor=muted)
        add("machine", backColor=self._hex(self.cfg["machine_box"]), borderPadding=4, spaceBefore=2, spaceAfter=8)
        add("source", fontSize=small + 0.5, leading=(small + 0.5) * 1.38, leftIndent=20, firstLineIndent=-20,
            spaceAfter=3, uriWasteReduce=0.3)
        add("caption", fontSize=self.size("caption", small), leading=self.size("caption", small) * 1.35,
            textColor=muted, spaceBefore=3, spaceAfter=10)
        add("tcaption", parent="caption", spaceBefore=6, spaceAfter=4, keepWithNext=0)
        add("srcnote", parent="caption", fontSize=small - 0.5, leading=(small - 0.5) * 1.3, spaceBefore=0)
        add("td", fontSize=small + 0.5, leading=(small + 0.5) * 1.3, spaceAfter=0)
        add("th", parent="td", fontName=bf[(True, False)], textColor=self.color("white", "#FFFFFF"))
        add("kfth", parent="td", fontName=bf[(True, False)], textColor=primary)
        add("kfval", parent="td", fontName=bf[(True, False)], fontSize=small + 1.5, leading=(small + 1.5) * 1.3)
        add("boxtitle", fontName=hf[(True, False)], fontSize=body + 1, leading=(body + 1) * 1.3, textColor=primary,
            spaceAfter=4)
        add("boxlabel", fontName=bf[(True, False)], fontSize=small - 1, leading=small + 1,
            textColor=self._hex(self.cfg["machine_rule"]), spaceAfter=2)
        add("bullet", spaceAfter=2)
        h = dict(fontName=hf[(True, False)], textColor=primary, keepWithNext=1, allowWidows=1, allowOrphans=1)
        add("h1", fontSize=self.size("h1", 15), leading=self.size("h1", 15) * 1.25, spaceBefore=14, spaceAfter=7, **h)
        add("h2", fontSize=self.size("h2", 12), leading=self.size("h2", 12) * 1.25, spaceBefore=10, spaceAfter=4, **h)
        add("h3", fontSize=self.size("h3", 10.5), leading=self.size("h3", 10.5) * 1.3, spaceBefore=8, spaceAfter=3,
            **{**h, "textColor": text})
        add("toctitle", parent="h1", spaceBefore=4)
        add("title", fontName=hf[(True, False)], fontSize=self.size("title", 22), leading=self.size("title", 22) * 1.18,
            textColor=primary, spaceAfter=4)
        add("subtitle", fontSize=body + 3, leading=(body + 3) * 1.3, textColor=muted, spaceAfter=2)
        add("org", fontName=bf[(True, False)], fontSize=small, leading=small * 1.4, textColor=muted, spaceAfter=6)
        add("metak", fontName=bf[(True, False)], fontSize=small, leading=small * 1.35, textColor=muted, spaceAfter=0)
        add("metav", fontSize=small + 0.5, leading=(small + 0.5) * 1.35, spaceAfter=0)
        add("banner", fontName=bf[(True, False)], fontSize=body + 1, leading=body + 3, spaceAfter=0)
        add("bannernote", fontSize=small - 0.5, leading=small + 1.5, spaceAfter=0)
        add("toc0", fontName=bf[(True, False)], fontSize=body, leading=body * 1.5, leftIndent=0)
        add("toc1", fontSize=body - 0.5, leading=(body - 0.5) * 1.45, leftIndent=14)
        self.S = S

    @staticmethod
    def _hex(v: str):
        from reportlab.lib.colors import HexColor

        try:
            return HexColor(str(v))
        except (ValueError, TypeError):
            return HexColor("#000000")

    def tstyle(self, cmds):
        """A TableStyle whose cell font is the body face (reportlab's default would pull in Helvetica)."""
        from reportlab.platypus import TableStyle

        return TableStyle([("FONTNAME", (0, 0), (-1, -1), self.body.face())] + list(cmds))

    def style(self, name: str, rtl: bool = False):
        st = self.S.get(name, self.S["body"])
        if not (rtl and self._shaping):
            return st
        key = st.name + "+shaped"
        if key not in self._styles_cache:
            from reportlab.lib.styles import ParagraphStyle

            self._styles_cache[key] = ParagraphStyle(key, parent=st, shaping=1)
        return self._styles_cache[key]

    def _face_of(self, style) -> _Face:
        for fam in (self.body, self.head):
            for (b, i), n in fam.faces.items():
                if n == style.fontName:
                    return _Face(fam, b, i)
        return _Face(self.body)

    # -- inline markup ----------------------------------------------------------------------------
    def text_markup(self, s: str, face: _Face, bold: bool = False, italic: bool = False) -> str:
        from . import pdf_fonts

        s = xml_safe(s or "")
        if pdf_fonts.has_rtl(s):
            s = pdf_fonts.visual_rtl(s, shaped=self._shaping)
        b, i = face.bold or bold, face.italic or italic
        out = []
        for font, chunk in self.fonts.runs(s, face.family, b, i):
            esc = escape(chunk)
            if font:
                out.append(f'<font name="{font}">{esc}</font>')
            else:
                if bold and not face.bold:
                    esc = f"<b>{esc}</b>"
                if italic and not face.italic:
                    esc = f"<i>{esc}</i>"
                out.append(esc)
        return "".join(out)

    def inline_markup(self, inlines, style) -> str:
        face = self._face_of(style)
        primary = self.theme.colors.get("primary", "#1F3A5F")
        link_col = self.cfg.get("link") or primary
        parts: list[str] = []
        for it in inlines or []:
            if isinstance(it, Text):
                parts.append(self.text_markup(it.text, face, it.bold, it.italic))
            elif isinstance(it, Cite):
                # as in Word: runs of three or more as ranges ("[3–7, 12]"), both ends linked, and
                # "and N more" for sources not listed
                def link(n: int) -> str:
                    if f"src-{n}" in self.dests:
                        return f'<a href="#src-{n}" color="{_attr(primary)}">{n}</a>'
                    log.warning("citation [%s] has no source entry (src-%s)", n, n)
                    return str(n)

                try:
                    spans = it.spans()
                except (TypeError, ValueError):
                    spans = []
                nums = [link(a) if a == b else f"{link(a)}\u2013{link(b)}" for a, b in spans]
                if nums:
                    more = f" and {int(it.more)} more" if it.more else ""
                    parts.append("[" + ", ".join(nums) + more + "]")
            elif isinstance(it, Link):
                label = self.text_markup(it.text or it.target, face)
                target = (it.target or "").strip()
                if target.startswith("#") and target[1:] in self.dests:
                    parts.append(f'<a href="#{_attr(target[1:])}" color="{_attr(primary)}">{label}</a>')
                elif target.lower().startswith(_SAFE_SCHEMES) and not re.search(r"\s", target):
                    parts.append(f'<a href="{_attr(xml_safe(target))}" color="{_attr(link_col)}"><u>{label}</u></a>')
                else:
                    if target.startswith("#"):
                        log.warning("link to unknown anchor %s rendered as text", target)
                    parts.append(label)
            else:  # unknown inline: show its text, never drop content silently
                parts.append(self.text_markup(str(getattr(it, "text", "")), face))
        return "".join(parts)

    def para(self, inlines, style_name: str, anchor: str | None = None):
        from reportlab.platypus import Paragraph as P

        rtl = _inlines_have_rtl(inlines)
        st = self.style(style_name, rtl)
        markup = self.inline_markup(inlines, st)
        if anchor:
            markup = f'<a name="{_attr(anchor)}"/>' + markup
        return P(markup, st)

    def plain(self, text: str, style_name: str, **overrides):
        from reportlab.platypus import Paragraph as P

        st = self.style(style_name, _has_rtl(text))
        if overrides:
            st = _restyle(st, **overrides)
        return P(self.text_markup(text, self._face_of(st)), st)

    # -- document ---------------------------------------------------------------------------------
    def render(self) -> bytes:
        from reportlab.platypus.doctemplate import LayoutError

        try:
            return self._render_once()
        except LayoutError:
            # a table row taller than a page (a huge cell): lay out again letting rows split inside
            log.info("PDF: a table row is taller than a page; rows may split across pages")
            self.split_rows = True
            self.ctx = _Ctx()
            return self._render_once()

    def _render_once(self) -> bytes:
        import io

        from reportlab.lib.units import cm

        from .pdf_layout import BriefDocTemplate

        page = self.theme.page or {}
        margin = float(page.get("margin_cm", 2.0)) * cm
        buf = io.BytesIO()
        meta = self.doc.meta
        tpl = BriefDocTemplate(
            buf,
            writer=self,
            pagesize=_pagesize(str(page.get("size", "A4"))),
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin + 0.4 * cm,
            bottomMargin=margin,
            title=xml_safe(meta.title or ""),
            author=xml_safe(meta.author or meta.organisation or ""),
            subject=xml_safe(meta.subject or meta.subtitle or ""),
            keywords=", ".join(xml_safe(k) for k in meta.keywords),
            creator="briefing (reportlab)",
            lang=(meta.language or "en").replace("_", "-"),
            invariant=1,
            initialFontName=self.body.face(),
            initialFontSize=self.size("body", 10),
        )
        self.frame_w = tpl.width
        self.frame_h = tpl.height
        return self._build(tpl, buf)

    def _rl_table(self, *args, **kw):
        from reportlab.platypus import Table

        if self.split_rows:
            kw.setdefault("splitInRow", 1)
        return Table(*args, **kw)

    def _build(self, tpl, buf) -> bytes:
        self.tocs = []
        story = self.title_block() + self.blocks(self.doc.blocks, self.frame_w)
        # the contents list starts with every entry (page numbers are filled in after layout), so the
        # document is laid out once, at its final size
        entries = [(lvl, markup, 0, key) for lvl, _text, key, markup in _outline_entries(story) if lvl <= 1]
        for toc in self.tocs:
            toc._lastEntries = list(entries)
        tpl.build_once(story, self.tocs)
        self.problems: list[str] = []
        if self.fonts.missing:
            from .pdf_fonts import PLACEHOLDER

            chars = "".join(sorted(self.fonts.missing))
            codes = " ".join(f"U+{ord(c):04X}" for c in chars[:20]) + (" ..." if len(chars) > 20 else "")
            msg = (f"no available font has {len(chars)} character(s) {codes}; printed as {PLACEHOLDER} "
                   "(install a font covering them and list it under [pdf] fallback_fonts in the theme)")
            self.problems.append(msg)
            self.missing_chars = chars
            log.warning("PDF: %s", msg)
        return buf.getvalue()

    # -- title block ------------------------------------------------------------------------------
    def marking(self) -> str:
        return xml_safe(self.doc.meta.marking or (self.theme.marking or {}).get("default", "") or "").strip()

    def marking_colors(self, marking: str):
        """(background, text) colours for the marking label."""
        from reportlab.lib.colors import black, white

        m = (marking or "").strip().upper()
        cols = {k.upper(): v for k, v in self.cfg["marking_colors"].items()}
        if m in cols:
            return black, self._hex(cols[m])
        for k in sorted(cols, key=len, reverse=True):
            if m.startswith(k):
                return black, self._hex(cols[k])
        return self.color("accent", "#C8102E"), white

    def title_block(self) -> list:
        from reportlab.lib.colors import white
        from reportlab.platypus import Spacer

        T = self._rl_table

        meta = self.doc.meta
        marking = self.marking()
        out: list = []
        W = self.frame_w
        if marking:
            bg, fg = self.marking_colors(marking)
            notes = {k.upper(): v for k, v in self.cfg["marking_notes"].items()}
            note = notes.get(marking.strip().upper(), "")
            lbl = self.plain(marking, "banner", textColor=fg)
            cells = [[lbl]]
            if note:
                n = self.plain(note, "bannernote", textColor=white)
                cells = [[lbl, n]]
            t = T(cells, colWidths=[W * 0.28, W * 0.72] if note else [W])
            t.setStyle(self.tstyle([
                ("BACKGROUND", (0, 0), (-1, -1), bg),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]))
            out += [t, Spacer(1, 14)]
        if meta.organisation:
            out.append(self.plain(meta.organisation.upper(), "org"))
        out.append(self.plain(meta.title or "", "title"))
        if meta.subtitle:
            out.append(self.plain(meta.subtitle, "subtitle"))
        from reportlab.platypus.flowables import HRFlowable

        out.append(HRFlowable(width="100%", thickness=2, color=self.color("primary"), spaceBefore=6, spaceAfter=6))
        rows = []
        for key, val in (("as_of", meta.as_of), ("author", meta.author), ("organisation", meta.organisation),
                         ("handling", marking)):
            if val:
                rows.append([self.plain(self.labels.get(key, key), "metak"), self.plain(val, "metav")])
        if rows:
            t = T(rows, colWidths=[W * 0.2, W * 0.8], hAlign="LEFT")
            t.setStyle(self.tstyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]))
            out.append(t)
        out.append(HRFlowable(width="100%", thickness=0.5, color=self.color("rule", "#B8C2CC"), spaceBefore=6,
                              spaceAfter=10))
        return out

    # -- blocks -----------------------------------------------------------------------------------
    def blocks(self, blocks, width: float) -> list:
        out: list = []
        for b in blocks or []:
            try:
                out.extend(self.block(b, width))
            except Exception as e:  # one bad block must not lose the whole brief
                log.warning("PDF: block %s (%s) could not be rendered: %s", getattr(b, "id", "?"), type(b).__name__, e)
                out.append(self.plain(f"[{type(b).__name__} {getattr(b, 'id', '')} could not be rendered]", "note"))
        return self._keep_headings(out, width)

    def _keep_headings(self, flow: list, width: float) -> list:
        """No heading alone at the foot of a page: a heading starts a new page unless there is room for
        it and some text below, and it joins a box that is kept together (keepWithNext does not)."""
        from reportlab.platypus import CondPageBreak, KeepTogether

        from .pdf_layout import HeadingPara

        out: list = []
        i = 0
        while i < len(flow):
            f = flow[i]
            if isinstance(f, HeadingPara):
                h = f.wrap(width, self.frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                nxt = flow[i + 1] if i + 1 < len(flow) else None
                if isinstance(nxt, CondPageBreak):
                    # a captioned table follows: the heading needs room for the caption, the header
                    # and the first rows too, or it would be left alone at the foot of the page
                    out.append(CondPageBreak(min(h + nxt.height, self.frame_h * 0.9)))
                    out.append(f)
                    i += 2
                    continue
                out.append(CondPageBreak(h + 64))
                if isinstance(nxt, KeepTogether):
                    out.append(KeepTogether([f] + list(nxt._content)))
                    i += 2
                    continue
            out.append(f)
            i += 1
        return out

    def block(self, b, width: float) -> list:
        from reportlab.platypus import PageBreak as PB

        if isinstance(b, Heading):
            return [self.heading(b)]
        if isinstance(b, Paragraph):
            if b.style == "bluf":
                return [self.bluf(b, width)]
            return [self.para(b.inlines, b.style if b.style in self.S else "body", b.anchor)]
        if isinstance(b, BulletList):
            return [self.bullets(b)]
        if isinstance(b, Table):
            return self.table(b, width)
        if isinstance(b, FigureBlock):
            return self.figure(b, width)
        if isinstance(b, Callout):
            return self.callout(b, width)
        if isinstance(b, TocBlock):
            return self.toc()
        if isinstance(b, PageBreak):
            return [PB()]
        log.warning("PDF: unknown block type %s skipped", type(b).__name__)
        return []

    def heading(self, b: Heading):
        from .pdf_layout import HeadingPara

        level = min(max(int(b.level or 1), 1), 3)
        # outline levels must be contiguous: never deeper than one below the previous heading
        olevel = min(level - 1, self.ctx.outline_level + 1)
        self.ctx.outline_level = olevel
        key = _unique(b.anchor or b.id or "h", self.ctx.keys)
        st = self.style(f"h{level}", _has_rtl(b.text))
        inner = self.text_markup(b.text, self._face_of(st))
        p = HeadingPara(f'<a name="{_attr(key)}"/>' + inner, st)
        p.outline = (olevel, xml_safe(b.text or "").strip() or "\u2014", key, inner)
        p.rule = self.color("rule", "#B8C2CC") if level == 1 else None
        return p

    def bluf(self, b: Paragraph, width: float):
        T = self._rl_table

        p = self.para(b.inlines, "bluf", b.anchor)
        t = T([[p]], colWidths=[width])
        t.setStyle(self.tstyle([
            ("BACKGROUND", (0, 0), (-1, -1), self.color("box", "#EEF2F6")),
            ("LINEBEFORE", (0, 0), (0, -1), 3.5, self.color("primary")),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 7),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ]))
        t.spaceAfter = 10
        return t

    def bullets(self, b: BulletList):
        from reportlab.platypus import ListFlowable, ListItem

        items = [ListItem(self.para(it, "bullet"), leftIndent=14) for it in b.items]
        kw = dict(leftIndent=14, bulletFontName=self.body.face(), bulletFontSize=self.size("body", 10),
                  bulletColor=self.color("primary"), spaceAfter=6)
        if b.ordered:
            return ListFlowable(items, bulletType="1", bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start="\u2022", **kw)

    def _caption(self, label: str, n: int, text: str, style: str, spaceAfter: float | None = None):
        from reportlab.platypus import Paragraph as P

        st = self.style(style, _has_rtl(text))
        if spaceAfter is not None:
            st = _restyle(st, spaceAfter=spaceAfter)
        face = self._face_of(st)
        lab = escape(f"{self.labels.get(label, label.title())} {n}:")
        return P(f"<b>{lab}</b> " + self.text_markup(text, face), st)

    def table(self, b: Table, width: float) -> list:
        from reportlab.platypus import CondPageBreak

        cap, t, head_h = self._table(b, width)
        if cap is None:
            return [t]
        # the caption, the header and the first rows start on the same page; longer tables split
        return [CondPageBreak(head_h + 30), cap, t]

    def _table(self, b: Table, width: float, inset: float = 0.0, bg=None, frame_cmds=()):
        """(caption or None, table, height of caption + first rows). With ``inset`` (inside a callout),
        empty shaded side columns of that width pad the table, so that it can still split by row."""
        T = self._rl_table

        kf = b.style == "keyfigures"
        ncols = max([len(b.header)] + [len(r) for r in b.rows] + [1])
        header = list(b.header) + [""] * (ncols - len(b.header))
        th = "kfth" if kf else "th"
        side = [""] if inset else []
        data = [side + [self.plain(h, th) for h in header] + side]
        for r in b.rows:
            cells = list(r) + [[]] * (ncols - len(r))
            data.append(side + [self.para(c, "kfval" if (kf and j == 1 and ncols > 2) else "td")
                                for j, c in enumerate(cells)] + side)
        inner = _col_widths(b, ncols, width - 2 * inset, header)
        widths = ([inset] + inner + [inset]) if inset else inner
        t = T(data, colWidths=widths, repeatRows=1, splitByRow=1, hAlign="LEFT")
        rule = self.color("rule", "#B8C2CC")
        c0, c1 = (1, -2) if inset else (0, -1)
        cmds = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 3.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        if bg is not None:
            cmds.append(("BACKGROUND", (0, 0), (-1, -1), bg))
        if kf:
            cmds += [
                ("LINEBELOW", (c0, 0), (c1, 0), 1.2, self.color("primary")),
                ("LINEBELOW", (c0, 1), (c1, -2), 0.4, rule),
            ]
            if bg is None:
                cmds.insert(0, ("BACKGROUND", (0, 0), (-1, -1), self.color("box", "#EEF2F6")))
        else:
            cmds += [
                ("BACKGROUND", (c0, 0), (c1, 0), self.color("primary")),
                ("LINEBELOW", (c0, 1), (c1, -1), 0.4, rule),
                ("LINEBELOW", (c0, -1), (c1, -1), 0.8, self.color("primary")),
            ]
            for i in range(2, len(data), 2):
                cmds.append(("BACKGROUND", (c0, i), (c1, i), self._hex(self.cfg["zebra"])))
        t.setStyle(self.tstyle(cmds + list(frame_cmds)))
        t.spaceAfter = 0 if inset else 10
        cap = None
        head_h = sum(_row_height(r, widths) for r in data[:4])
        if b.caption:
            self.ctx.tables += 1
            cap = self._caption("table", self.ctx.tables, b.caption, "tcaption")
            head_h += cap.wrap(width, self.frame_h)[1] + 10
        return cap, t, head_h

    def figure(self, b: FigureBlock, width: float) -> list:
        from .pdf_layout import FigureFlowable

        fig = b.figure
        frac = fig.width if fig.width and 0 < fig.width <= 1 else 1.0
        w = width * frac
        max_h = self.frame_h * 0.5
        vector = str(self.cfg.get("chart_format", "png")).lower() == "svg"
        key = f"{Path(fig.png).name}|{fig.data_hash}" if fig.png and fig.data_hash else ""
        late = self.pending.get(fig.png) if fig.png and not vector else None
        if late is not None:
            img = _pending_image(fig.png, late, w, max_h, key)
        else:
            img = ((_svg_drawing(fig.svg, w, max_h, self.body.face()) if vector else None)
                   or _png_image(fig.png, w, max_h, key))
        self.ctx.figures += 1
        parts: list = []
        if img is None:
            log.warning("PDF: figure %s has neither a readable SVG nor PNG", fig.id)
            parts.append(self.plain(self.labels["figure_missing"].format(title=fig.title or fig.id), "note"))
        parts.append(self._caption("figure", self.ctx.figures, fig.caption or fig.title or "", "caption",
                                   spaceAfter=1 if fig.source_note else 0))
        if fig.source_note:
            parts.append(self.plain(fig.source_note, "srcnote", spaceAfter=0))
        f = FigureFlowable(img, parts)
        f.spaceBefore, f.spaceAfter = 6, 14
        return [f]

    def callout(self, b: Callout, width: float) -> list:
        """A shaded box built from stacked segments, so that a long box can split across pages:
        runs of paragraphs become one-row-per-block shaded tables, a table keeps its own rows."""
        from reportlab.platypus import KeepTogether, Spacer

        T = self._rl_table

        machine = b.kind == "machine"
        pad = 9.0
        inner_w = width - 2 * pad
        bg = self._hex(self.cfg["machine_box"]) if machine else self.color("box", "#EEF2F6")
        edge = self._hex(self.cfg["machine_rule"]) if machine else self.color("primary")
        head: list = []
        if machine:
            head.append(self.plain(self.labels["machine"], "boxlabel"))
        if b.title:
            head.append(self.plain(b.title, "boxtitle"))
        # group the content: runs of non-table blocks, and tables on their own
        groups: list[tuple[str, Any]] = []
        pending: list = list(head)
        for blk in b.blocks or []:
            if isinstance(blk, Table):
                groups.append(("flow", pending))
                groups.append(("table", blk))
                pending = []
            else:
                pending.extend(self.blocks([blk], inner_w))
        groups.append(("flow", pending))
        groups = [g for g in groups if not (g[0] == "flow" and not g[1])]
        dash = (edge, 1, (3, 2)) if machine else (edge,)
        segs: list = []
        for k, (kind, item) in enumerate(groups):
            first, last = k == 0, k == len(groups) - 1
            frame = []
            if machine:
                frame += [("LINEBEFORE", (0, 0), (0, -1), 0.9, *dash), ("LINEAFTER", (-1, 0), (-1, -1), 0.9, *dash)]
            if first:
                frame.append(("LINEABOVE", (0, 0), (-1, 0), 0.9 if machine else 2, *dash))
            if last and machine:
                frame.append(("LINEBELOW", (0, -1), (-1, -1), 0.9, *dash))
            if kind == "table":
                cap, t, _ = self._table(item, width, inset=pad, bg=bg, frame_cmds=frame + (
                    [("BOTTOMPADDING", (0, -1), (-1, -1), 9)] if last else []))
                if cap is not None:
                    capt = T([[cap]], colWidths=[width])
                    capt.setStyle(self.tstyle([("BACKGROUND", (0, 0), (-1, -1), bg),
                                               ("LEFTPADDING", (0, 0), (-1, -1), pad),
                                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]
                                              + [c for c in frame if c[0] != "LINEBELOW"]))
                    capt.keepWithNext = 1
                    segs.append(capt)
                segs.append(t)
                continue
            for f in item:
                if hasattr(f, "style") and getattr(f.style, "spaceAfter", 0) > 6:
                    f.style = _restyle(f.style, spaceAfter=5)
            # label + title stay with the first block of the box
            rows = [[item[: len(head) + 1]]] + [[f] for f in item[len(head) + 1:]] if first and head else [[f] for f in item]
            t = T(rows, colWidths=[width], splitByRow=1)
            t.setStyle(self.tstyle([
                ("BACKGROUND", (0, 0), (-1, -1), bg),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), 7 if first else 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8 if last else 4),
            ] + frame))
            segs.append(t)
        total = sum(s.wrap(width, self.frame_h)[1] for s in segs)
        if total <= self.frame_h * 0.45:
            return [KeepTogether(segs), Spacer(1, 10)]
        return segs + [Spacer(1, 10)]

    def toc(self) -> list:
        from .pdf_layout import ContentsList

        toc = ContentsList(tag=len(self.tocs), dotsMinLevel=0, tableStyle=self.tstyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]))
        toc.levelStyles = [self.S["toc0"], self.S["toc1"]]
        self.tocs.append(toc)
        return [self.plain(self.labels["contents"], "toctitle"), toc]


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def _attr(s: str) -> str:
    return escape(str(s), {'"': "&quot;", "'": "&apos;"})


def _restyle(style, **kw):
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "+", parent=style, **kw)


def _unique(key: str, used: set[str]) -> str:
    key = re.sub(r"[^\w.:-]", "-", key) or "h"
    k, n = key, 2
    while k in used:
        k, n = f"{key}-{n}", n + 1
    used.add(k)
    return k


def _has_rtl(s: str | None) -> bool:
    from . import pdf_fonts

    return bool(s) and pdf_fonts.has_rtl(s)


def _inlines_have_rtl(inlines) -> bool:
    return any(_has_rtl(getattr(i, "text", None)) for i in inlines or [])


def _shaping_available() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _destinations(doc: Document) -> set[str]:
    """Names that links may target: paragraph anchors (src-n) and heading anchors/ids."""
    out: set[str] = set()

    def walk(blocks):
        for b in blocks or []:
            if isinstance(b, Paragraph) and b.anchor:
                out.add(b.anchor)
            elif isinstance(b, Heading):
                out.add(b.anchor or b.id)
            elif isinstance(b, Callout):
                walk(b.blocks)

    walk(doc.blocks)
    return out


def _pagesize(name: str):
    from reportlab.lib import pagesizes

    return getattr(pagesizes, name.strip().upper(), None) or getattr(pagesizes, name.strip(), None) or pagesizes.A4


def _col_widths(b: Table, ncols: int, width: float, header: list[str]) -> list[float]:
    ws = b.widths
    if ws and len(ws) == ncols and all(isinstance(x, (int, float)) and x > 0 for x in ws):
        rel = [float(x) for x in ws]
    else:  # from content: longest cell text per column, damped so that no column starves
        rel = []
        for j in range(ncols):
            lens = [len(header[j])]
            for r in b.rows:
                if j < len(r):
                    lens.append(sum(len(getattr(i, "text", "") or "") + (4 * len(getattr(i, "numbers", []))) for i in r[j]))
            rel.append(max(4.0, min(40.0, float(max(lens)))) ** 0.75)
    tot = sum(rel)
    return [width * x / tot for x in rel]


def _outline_entries(flowables) -> list[tuple]:
    """(level, text, key, markup) of every heading in the story, in order, looking inside containers."""
    from .pdf_layout import HeadingPara

    out: list[tuple] = []
    stack = list(reversed(list(flowables)))
    while stack:
        f = stack.pop()
        if isinstance(f, (list, tuple)):
            stack.extend(reversed(list(f)))
        elif isinstance(f, HeadingPara):
            if f.outline:
                out.append(f.outline)
        else:
            inner = getattr(f, "_content", None)
            if isinstance(inner, (list, tuple)):
                stack.extend(reversed(list(inner)))
    return out


def _row_height(row, widths) -> float:
    h = 0.0
    for cell, w in zip(row, widths):
        try:
            h = max(h, cell.wrap(max(w - 10, 10), 10_000)[1])
        except Exception:
            pass
    return h + 8


def _svg_drawing(path: str, w: float, max_h: float, font: str):
    if not path or not Path(path).is_file():
        return None
    try:
        from svglib.svglib import svg2rlg
    except ImportError:
        return None
    logging.getLogger("svglib").setLevel(logging.ERROR)
    try:
        d = svg2rlg(str(path))
    except Exception as e:  # malformed SVG: fall back to the PNG
        log.warning("PDF: SVG %s not usable (%s); using the PNG", path, e)
        return None
    if d is None or not d.width or not d.height:
        return None
    s = min(w / d.width, max_h / d.height)
    d.scale(s, s)
    d.width, d.height = d.width * s, d.height * s
    d.initialFontName = font  # matplotlib's text is paths; keep Helvetica out of the font list
    return d


def _pending_image(path: str, late: tuple, w: float, max_h: float, key: str = ""):
    from .pdf_layout import PendingPng, PngImage

    pw, ph, hfile, digest = late
    s = min(w / pw, max_h / ph)
    return PngImage(PendingPng(path, hfile, digest), width=pw * s, height=ph * s, key=key or f"{path}|{digest}")


def _png_image(path: str, w: float, max_h: float, key: str = ""):
    if not path or not Path(path).is_file():
        return None
    try:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        from .pdf_layout import PngImage, read_png

        info = read_png(str(path))
        if info is not None:  # the usual case (our charts): embedded as it is, no decoding
            s = min(w / info[0], max_h / info[1])
            return PngImage(info, width=info[0] * s, height=info[1] * s, key=key)
        iw, ih = ImageReader(str(path)).getSize()
        s = min(w / iw, max_h / ih)
        return Image(str(path), width=iw * s, height=ih * s)
    except Exception as e:
        log.warning("PDF: PNG %s not usable: %s", path, e)
        return None
