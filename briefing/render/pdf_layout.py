"""Page furniture for the PDF writer: the document template (outline, TOC entries, "Page X of Y",
header and footer) and the heading flowable. Imported lazily (it imports reportlab at module level).

The document is laid out once. Everything that depends on where pages fall (each page's "Page X of Y"
and the contents list's page numbers with their leader dots) is drawn as a PDF form XObject that the
page refers to by name; the forms are defined after the last page, when the numbers are known. The
contents list itself is laid out from the story's headings before layout starts, so its size does not
change either. (reportlab's own approach, laying the document out again until the numbers stop
moving, costs at least a second pass.)"""

from __future__ import annotations

from datetime import datetime, timezone

from reportlab.lib.units import cm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus import Paragraph as _P
from reportlab.platypus.tableofcontents import TableOfContents


class FigureFlowable(Flowable):
    """A chart with its caption and source note, kept together. When the chart does not fit in the
    space left on the page it shrinks (down to ``min_scale``) rather than leave a large gap."""

    def __init__(self, graphic, parts, min_scale: float = 0.72, gap: float = 5.0):
        super().__init__()
        self.graphic = graphic  # a reportlab Drawing or platypus Image (already at natural size), or None
        self.parts = parts
        self.min_scale = min_scale
        self.gap = gap
        self.gw = float(getattr(graphic, "width", 0) or getattr(graphic, "drawWidth", 0) or 0) if graphic else 0.0
        self.gh = float(getattr(graphic, "height", 0) or getattr(graphic, "drawHeight", 0) or 0) if graphic else 0.0
        self.s = 1.0

    def _parts_height(self, aw):
        h = 0.0
        for i, p in enumerate(self.parts):
            h += p.wrap(aw, 1e6)[1] + p.getSpaceAfter() + (p.getSpaceBefore() if i else 0)
        return h

    def wrap(self, aw, ah):
        ph = self._parts_height(aw)
        natural = self.gh + self.gap + ph
        s = 1.0
        if self.gh and natural > ah:
            room = ah - ph - self.gap
            s = max(self.min_scale, min(1.0, room / self.gh)) if room > 0 else self.min_scale
        self.s = s
        self.width, self.height = aw, self.gh * s + (self.gap if self.gh else 0) + ph
        return self.width, self.height

    def split(self, aw, ah):
        return []

    def draw(self):
        c = self.canv
        y = self.height
        if self.gh:
            w, h = self.gw * self.s, self.gh * self.s
            y -= h
            c.saveState()
            c.translate((self.width - w) / 2, y)
            c.scale(self.s, self.s)
            self.graphic.drawOn(c, 0, 0)
            c.restoreState()
            y -= self.gap
        for i, p in enumerate(self.parts):
            if i:
                y -= p.getSpaceBefore()
            y -= p.height
            p.drawOn(c, 0, y)
            y -= p.getSpaceAfter()


class HeadingPara(_P):
    """A heading: carries its outline entry ``(level, text, key, toc_markup)``; level-1 headings get a rule."""

    outline: tuple | None = None
    rule = None

    def draw(self):
        super().draw()
        if self.rule is not None:
            c = self.canv
            c.saveState()
            c.setStrokeColor(self.rule)
            c.setLineWidth(0.6)
            c.line(0, -3.5, self.width, -3.5)
            c.restoreState()


class ContentsList(TableOfContents):
    """The contents list, laid out once from entries known before layout (``_lastEntries``: the
    story's headings, page numbers unknown). Each entry's leader dots and page number are a form
    XObject drawn where reportlab would draw them; ``define_forms`` writes the forms once the pages
    are known, as reportlab's ``drawPageNumbers`` would have drawn them."""

    _CB = "briefingTocEnd"

    def __init__(self, tag: int = 0, **kw):
        super().__init__(**kw)
        self.tag = tag  # which contents list of the document (form names must be unique and stable)
        self.slots: dict[int, tuple[float, int]] = {}  # entry -> (width from text end to margin, level)

    def wrap(self, availWidth, availHeight):
        from reportlab.platypus import Paragraph, Spacer, Table

        entries = self._lastEntries

        def entry_end(canvas, kind, label):
            i = int(label)
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            self.slots[i] = (availWidth - x, entries[i][0])
            canvas.saveState()
            canvas.translate(x, y)
            canvas.doForm(self.form_name(i))
            canvas.restoreState()

        self.canv.setNamedCB(self._CB, entry_end)
        rows = []
        for i, (level, text, _page, key) in enumerate(entries):
            style = self.getLevelStyle(level)
            if key:
                text = f'<a href="#{key}">{text}</a>'
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([Paragraph(f'{text}<onDraw name="{self._CB}" label="{i}"/>', style)])
        self._table = Table(rows or [[Spacer(0, 0)]], colWidths=(availWidth,), style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def form_name(self, i: int) -> str:
        return f"{self._CB}{self.tag}x{i}"

    def define_forms(self, canvas, pages: dict) -> None:
        """Write the form of every entry that was drawn: dots, then the page of its heading
        (``pages``: heading key -> page) right-aligned at the margin."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        for i, (free, level) in sorted(self.slots.items()):
            key = self._lastEntries[i][3]
            pagestr = str(pages.get(key, ""))
            style = self.getLevelStyle(level)
            size = style.fontSize
            pw = stringWidth(pagestr, style.fontName, size)
            while pw > free and size >= 1.0:  # as reportlab does: shrink a number that does not fit
                size *= 0.9
                pw = stringWidth(pagestr, style.fontName, size)
            dot = " . " if 0 <= self.dotsMinLevel <= level else ""
            dw = stringWidth(dot, style.fontName, size) if dot else 0
            n = int((free - pw) / dw) if dw else 0
            canvas.beginForm(self.form_name(i), lowerx=-1, lowery=-size, upperx=max(free, 0) + 1, uppery=2 * size)
            tx = canvas.beginText(free - n * dw - pw, 0)
            tx.setFont(style.fontName, size)
            tx.setFillColor(style.textColor)
            tx.textLine(n * dot + pagestr)
            canvas.drawText(tx)
            canvas.endForm()


class BriefDocTemplate(BaseDocTemplate):
    def __init__(self, filename, writer, **kw):
        self.writer = writer
        self.heading_pages: dict = {}  # heading key -> page it starts on
        super().__init__(filename, **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("main", [frame], onPage=self._decorate)])

    def build_once(self, story, contents: list) -> None:
        """Lay the story out (once), then define the forms that show page numbers, then save."""
        self._doSave = 0
        self.build(story)
        canv = self.canv
        for toc in contents:
            toc.define_forms(canv, self.heading_pages)
        total = self.page
        for page in range(1, total + 1):
            self._define_page_label(canv, page, total)
        canv.save()

    def beforeDocument(self):
        c = self.canv
        c.showOutline()
        try:
            c.setViewerPreference("DisplayDocTitle", "true")
        except Exception:  # pragma: no cover - older reportlab
            pass
        _set_timestamp(c, self.writer.doc.meta.created)

    def afterFlowable(self, flowable):
        info = getattr(flowable, "outline", None)
        if isinstance(flowable, HeadingPara) and info:
            level, text, key, markup = info
            self.canv.addOutlineEntry(text, key, level=level, closed=level >= 1)
            self.heading_pages.setdefault(key, self.page)

    # -- header and footer ---------------------------------------------------------------------
    def _decorate(self, canv, doc):
        w = self.writer
        pw, ph = self.pagesize
        left, right = self.leftMargin, pw - self.rightMargin
        small = 7.5
        muted, rule = w.color("muted", "#5F6B7A"), w.color("rule", "#B8C2CC")
        marking = w.marking()
        canv.saveState()
        # header: marking label left, title right, hairline below
        y = ph - self.topMargin + 0.95 * cm
        if marking:
            _label(canv, w, left, y, marking, small)
        title = w.doc.meta.title or ""
        if self.page > 1 and title:
            canv.setFillColor(muted)
            _draw_text(canv, w, right, y, title, small, align="right", max_w=(right - left) * 0.62)
        canv.setStrokeColor(rule)
        canv.setLineWidth(0.5)
        canv.line(left, y - 0.25 * cm, right, y - 0.25 * cm)
        # footer: hairline, organisation left, marking centre, page X of Y right
        fy = self.bottomMargin - 1.0 * cm
        canv.line(left, fy + 0.42 * cm, right, fy + 0.42 * cm)
        canv.setFillColor(muted)
        org = w.doc.meta.organisation or w.doc.meta.author or ""
        if org:
            _draw_text(canv, w, left, fy, org, small, max_w=(right - left) * 0.38)
        if marking:
            _label(canv, w, (left + right) / 2, fy, marking, small, align="center")
        canv.translate(right, fy)
        canv.doForm(self._page_label_form(self.page))  # the page count is known when the last page is done
        canv.restoreState()

    @staticmethod
    def _page_label_form(page: int) -> str:
        return f"briefingPageLabel{page}"

    def _define_page_label(self, canv, page: int, total: int) -> None:
        w = self.writer
        small = 7.5
        text = w.labels.get("page", "Page {page} of {total}").format(page=page, total=total)
        canv.beginForm(self._page_label_form(page), lowerx=-self.pagesize[0], lowery=-small, upperx=1,
                       uppery=2 * small)
        canv.setFillColor(w.color("muted", "#5F6B7A"))
        _draw_text(canv, w, 0, 0, text, small, align="right")
        canv.endForm()


def _draw_text(canv, w, x, y, text, size, align="left", bold=False, max_w=None):
    """Draw one line with the body family, using fallback fonts per run; shortened with an ellipsis."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from ..util import xml_safe
    from . import pdf_fonts

    text = " ".join(xml_safe(text).split())
    if pdf_fonts.has_rtl(text):
        text = pdf_fonts.visual_rtl(text, shaped=False)

    def measure(t):
        return sum(stringWidth(c, f or w.body.face(bold), size) for f, c in w.fonts.runs(t, w.body, bold))

    if max_w and measure(text) > max_w:
        while text and measure(text + "\u2026") > max_w:
            text = text[:-1]
        text = text.rstrip() + "\u2026"
    width = measure(text)
    x0 = x - width if align == "right" else x - width / 2 if align == "center" else x
    for font, chunk in w.fonts.runs(text, w.body, bold):
        name = font or w.body.face(bold)
        canv.setFont(name, size)
        canv.drawString(x0, y, chunk)
        x0 += stringWidth(chunk, name, size)
    return width


def _label(canv, w, x, y, text, size, align="left"):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    bg, fg = w.marking_colors(text)
    name = w.body.face(True)
    tw = sum(stringWidth(c, f or name, size) for f, c in w.fonts.runs(text, w.body, True))
    pad = 3.5
    x0 = x - (tw + 2 * pad) / 2 if align == "center" else x
    canv.saveState()
    canv.setFillColor(bg)
    canv.roundRect(x0, y - 2.6, tw + 2 * pad, size + 4.2, 1.5, stroke=0, fill=1)
    canv.setFillColor(fg)
    _draw_text(canv, w, x0 + pad, y, text, size, bold=True)
    canv.restoreState()


def _set_timestamp(canv, created: str) -> None:
    """Stamp the document's creation/modification date from DocMeta.created (deterministic)."""
    if not created:
        return
    try:
        dt = datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
    except ValueError:
        return
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    dt = dt.astimezone(timezone.utc)
    ts = getattr(getattr(canv, "_doc", None), "_timeStamp", None)
    if ts is None:
        return
    ts.t = dt.timestamp()
    ts.lt = dt.timetuple()
    ts.YMDhms = tuple(dt.timetuple())[:6]
    ts.dhh = ts.dmm = 0
    ts.tzname = "UTC"


def read_png(path: str) -> tuple[int, int, int, bytes] | None:
    """(width, height, colour components, compressed pixel data) of an 8-bit, non-interlaced grey or RGB
    PNG, or None for any other PNG (palette, alpha, 16-bit, interlaced) or a file that is not one."""
    import struct
    import zlib

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, head = 8, [], None
    while pos + 8 <= len(data):
        n, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or data[pos + 8 + n:pos + 12 + n] != struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF):
            return None  # truncated or damaged: let the general reader deal with it
        if tag == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat.append(body)
        elif tag == b"IEND":
            break
        pos += 12 + n
    if head is None or not idat:
        return None
    w, h, depth, ctype, comp, filt, interlace = head
    if depth != 8 or ctype not in (0, 2) or comp or filt or interlace or not w or not h:
        return None
    return w, h, 3 if ctype == 2 else 1, b"".join(idat)


class PendingPng:
    """A chart PNG another process is drawing: ``load`` waits until its hash file holds ``digest`` (the
    drawing process writes the PNG first, then the hash file, each atomically) and reads it."""

    def __init__(self, path: str, hfile: str, digest: str, timeout: float = 300.0):
        self.path, self.hfile, self.digest, self.timeout = path, hfile, digest, timeout

    def load(self) -> tuple[int, int, int, bytes]:
        import time

        end = time.monotonic() + self.timeout
        while True:
            try:
                with open(self.hfile, encoding="utf-8") as fh:
                    if fh.read().strip() == self.digest:
                        break
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"chart {self.path} was not drawn")
            time.sleep(0.003)
        info = read_png(self.path)
        if info is None:
            raise ValueError(f"chart {self.path} is not an 8-bit RGB or grey PNG")
        return info


class PngImage(Flowable):
    """A PNG drawn from its own compressed pixel data: PNG rows are what a PDF Flate stream with PNG
    predictors holds, so the image is embedded without being decoded and compressed again.

    ``info`` may instead be a ``PendingPng``: a chart still being drawn in another process. The page
    then refers to the image by name and its data is read when the PDF file is written, so the whole
    document is laid out while the charts are drawn."""

    def __init__(self, info: "tuple[int, int, int, bytes] | PendingPng", width: float, height: float,
                 key: str = ""):
        super().__init__()
        self.info = info
        self.width, self.height = width, height
        self.key = key  # names the image in the PDF (a chart: file name and data hash); else its pixels

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        import hashlib

        c = self.canv
        name = "png" + hashlib.sha1(self.key.encode("utf-8") if self.key else self.info[3]).hexdigest()[:20]
        reg = c._doc.getXObjectName(name)
        if c._doc.idToObject.get(reg) is None:
            xo = _PngXObject(name)
            if isinstance(self.info, PendingPng):
                xo.pending = self.info
            else:
                xo.width, xo.height, xo.colours, xo.streamContent = self.info
            xo.bitsPerComponent, xo._filters, xo.mask = 8, ("FlateDecode",), None
            c._setXObjects(xo)
            c._doc.Reference(xo, reg)
            c._doc.addForm(name, xo)
        c._currentPageHasImages = 1
        c.saveState()
        c.scale(self.width, self.height)
        c._code.append(f"/{reg} Do")
        c.restoreState()
        c._formsinuse.append(name)


def _png_xobject_class():
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFImageXObject, PDFName, PDFStream

    class PngXObject(PDFImageXObject):
        pending = None

        def format(self, document):
            if self.pending is not None:  # written now, once the chart is there
                self.width, self.height, self.colours, self.streamContent = self.pending.load()
            self.colorSpace = "DeviceRGB" if self.colours == 3 else "DeviceGray"
            s = PDFStream(content=self.streamContent)
            d = s.dictionary
            d["Type"], d["Subtype"] = PDFName("XObject"), PDFName("Image")
            d["Width"], d["Height"] = self.width, self.height
            d["BitsPerComponent"], d["ColorSpace"] = 8, PDFName(self.colorSpace)
            d["Filter"] = PDFArray([PDFName("FlateDecode")])
            # one parameter dictionary per filter: Filter is an array, so DecodeParms is one too
            d["DecodeParms"] = PDFArray([PDFDictionary(
                {"Predictor": 15, "Colors": self.colours, "BitsPerComponent": 8, "Columns": self.width})])
            d["Length"] = len(self.streamContent)
            return s.format(document)

    return PngXObject


_PngXObject = _png_xobject_class()
