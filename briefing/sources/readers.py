"""Readers: one file -> ``RawDoc`` (the text a citation points into, plus any metadata it declares).

What ``original`` is, per format:
- ``.txt`` / ``.md``: the decoded file, front matter included (so offsets are offsets in the file).
- ``.html`` / ``.htm``: the plain text trafilatura extracts as the main content (one paragraph per
  line), preceded by the page title when the extracted text does not already start with it. Offsets
  into markup would not help an analyst check a quote; the extracted text does.
- ``.pdf``: the text layer (pypdf), lines in reading order, a blank line where the layout shows a
  paragraph gap, a font change or a new page.
- ``.docx``: the paragraphs of the body (and table cells), one per block, separated by a blank line.

Heavy libraries (trafilatura, pypdf, python-docx) are imported only when such a file is read.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .decode import DecodeError, decode_bytes

META_KEYS = ("title", "outlet", "author", "url", "published", "reliability", "language")
_ALIASES = {
    "source": "outlet",
    "publisher": "outlet",
    "publication": "outlet",
    "site": "outlet",
    "sitename": "outlet",
    "site_name": "outlet",
    "authors": "author",
    "byline": "author",
    "link": "url",
    "date": "published",
    "published_at": "published",
    "publish_date": "published",
    "pubdate": "published",
    "pub_date": "published",
    "published_date": "published",
    "date_published": "published",
    "datepublished": "published",
    "publication_date": "published",
    "issued": "published",
    "date_issued": "published",
    "issue_date": "published",
    "release_date": "published",
    "posted": "published",
    "created": "published",
    "lang": "language",
    "grade": "reliability",
    "headline": "title",
}

# a docx whose parts would inflate beyond this is refused (zip bomb guard)
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_PDF_PAGES = 1000


class ReadError(Exception):
    """The file cannot be read; the message is short and names the problem, not the file."""


@dataclass
class RawDoc:
    original: str
    format: str
    meta: dict[str, Any] = field(default_factory=dict)  # declared metadata (front matter, HTML, docx)
    body_start: int = 0  # offset in original where the article starts (after front matter)
    wrapped: bool = False  # lines inside a paragraph block are soft line breaks (pdf)
    markdown: bool = False
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""


def read_document(path: Path, raw: bytes, fmt: str) -> RawDoc:
    if fmt in ("txt", "md"):
        return _read_text(raw, fmt)
    if fmt == "html":
        return _read_html(raw)
    if fmt == "pdf":
        return _read_pdf(path, raw)
    if fmt == "docx":
        return _read_docx(path, raw)
    raise ReadError(f"unsupported format .{fmt}")


# --- plain text and markdown ---------------------------------------------------------------------

_FM_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


def _read_text(raw: bytes, fmt: str) -> RawDoc:
    try:
        text, enc = decode_bytes(raw)
    except DecodeError as e:
        raise ReadError(str(e)) from None
    doc = RawDoc(original=text, format=fmt, markdown=(fmt == "md"), encoding=enc)
    m = _FM_OPEN.match(text)
    if m:
        close = _FM_CLOSE.search(text, m.end())
        if close is None:
            if fmt == "md":
                doc.warnings.append("front matter not closed with '---'; read as text")
        else:
            block = text[m.end():close.start()]
            body_start = close.end()
            if body_start < len(text) and text[body_start] == "\n":
                body_start += 1
            meta, problem = parse_front_matter(block)
            if problem and fmt == "txt" and not meta:
                pass  # a .txt that merely starts with a rule line: leave it alone
            else:
                doc.body_start = body_start
                doc.meta = meta
                if problem:
                    doc.warnings.append(problem)
    return doc


def parse_front_matter(block: str) -> tuple[dict[str, Any], str | None]:
    """YAML front matter -> (metadata, problem or None). Never raises."""
    import yaml

    try:
        data = yaml_load(block) if block.strip() else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        return {}, f"malformed front matter{where}; metadata ignored, body used"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "front matter is not a key: value mapping; metadata ignored, body used"
    return clean_meta(data), None


def yaml_load(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C parser when PyYAML has it (several times faster)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# keys of the last change: used for the publication date only when no key gives that
_UPDATED_KEYS = {"updated", "last_updated", "lastmod", "modified", "date_modified", "datemodified", "last_modified"}


def clean_meta(data: dict[str, Any]) -> dict[str, Any]:
    from .meta import LABELLED, UPDATED, rank

    out: dict[str, Any] = {}
    dates: list[tuple[tuple[int, int, int], int, str]] = []
    for i, (k, v) in enumerate(data.items()):
        raw_key = str(k).strip().lower()
        key = _ALIASES.get(raw_key, raw_key)
        if raw_key in _UPDATED_KEYS and v is not None:
            iso = date_to_iso(v)
            if iso:
                dates.append((rank(iso, UPDATED), -i, iso))
            continue
        if key == "published" and v is not None:
            iso = date_to_iso(v)
            if iso:  # several date keys: a full date beats a month, a publish key an update key
                dates.append((rank(iso, LABELLED), -i, iso))
            continue
        if key not in META_KEYS or v is None or key in out:
            continue
        if isinstance(v, (list, tuple)):
            v = ", ".join(str(x) for x in v if x is not None)
        v = " ".join(str(v).split())
        if v:
            out[key] = v
    if dates:
        out["published"] = max(dates)[2]
    return out


def date_to_iso(v: Any) -> str | None:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, int) and 1800 < v < 2200:
        return str(v)
    if isinstance(v, str):
        from .meta import parse_date

        return parse_date(v)
    return None


# --- HTML --------------------------------------------------------------------------------------


def _read_html(raw: bytes) -> RawDoc:
    try:
        markup, enc = decode_bytes(raw)
    except DecodeError as e:
        raise ReadError(str(e)) from None
    if not markup.strip():
        raise ReadError("empty file")
    from trafilatura import bare_extraction

    try:
        doc = bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura/lxml raise many kinds on broken markup
        raise ReadError("the HTML could not be parsed (broken or unsupported markup)") from None
    if doc is None:
        raise ReadError("no article text found in the HTML")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = d.get("text") or ""
    if not text.strip():
        raise ReadError("no article text found in the HTML")
    meta = clean_meta(
        {
            "title": d.get("title"),
            "author": d.get("author"),
            "url": d.get("url"),
            "outlet": d.get("sitename"),
            "published": d.get("date"),
            "language": d.get("language"),
        }
    )
    title = meta.get("title")
    first = text.lstrip().split("\n", 1)[0].strip()
    if title and _norm(first) != _norm(title):
        text = f"{title}\n\n{text}"
    return RawDoc(original=text, format="html", meta=meta, encoding=enc)


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(path: Path, raw: bytes) -> RawDoc:
    if not raw.lstrip()[:5].startswith(b"%PDF"):
        raise ReadError(f"not a PDF file ({_what_instead(raw)})")
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise ReadError("encrypted PDF (password needed)")
        pages = reader.pages
        n = len(pages)
    except ReadError:
        raise
    except (PdfReadError, Exception) as e:
        raise ReadError(f"malformed PDF (the file is damaged or incomplete{_detail(e)})") from None
    if n > MAX_PDF_PAGES:
        raise ReadError(f"PDF has {n} pages (limit {MAX_PDF_PAGES})")
    page_texts: list[str] = []
    for page in pages:
        try:
            page_texts.append(_pdf_page_text(page))
        except Exception:
            continue
    out: list[str] = []
    for t in (t for t in page_texts if t.strip()):
        if out and out[-1].rstrip()[-1:] not in _SENTENCE_END and t.lstrip()[:1].islower():
            out.append("\n")  # a paragraph running on over the page break
        elif out:
            out.append("\n\n")
        out.append(t)
    text = "".join(out)
    if not text.strip():
        raise ReadError("PDF has no text layer (scanned image?)")
    meta: dict[str, Any] = {}
    try:
        info = reader.metadata or {}
        meta = clean_meta({"title": info.get("/Title"), "author": info.get("/Author")})
        for k in ("title", "author"):
            v = meta.get(k, "")
            if v.strip("() ").lower() in {"untitled", "unspecified", "anonymous", "unknown", "none", "author", "title"} or re.search(
                r"^Microsoft (?:Word|PowerPoint) - |\.(?:docx?|pdf|txt|html?|indd|odt|rtf)$", v, re.I
            ):
                meta.pop(k, None)
    except Exception:
        meta = {}
    return RawDoc(original=text, format="pdf", meta=meta, wrapped=True)


_SENTENCE_END = set(".!?:;\"'”’)]")


def _pdf_page_text(page) -> str:
    """Text of one page: lines in order; a blank line at paragraph gaps and font-size changes."""
    lines: list[list[Any]] = []  # [text, y, size]
    cur: list[Any] = ["", None, None]

    def visit(text, cm, tm, font_dict, font_size):
        nonlocal cur
        if not text:
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size * (tm[3] or 1) * (cm[3] or 1))
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if part.strip() and cur[1] is None:
                cur[1], cur[2] = y, size
            cur[0] += part
            if i < len(parts) - 1:
                lines.append(cur)
                cur = ["", None, None]

    page.extract_text(visitor_text=visit)
    if cur[0]:
        lines.append(cur)
    lines = [ln for ln in lines if ln[0].strip()]
    if not lines:
        return ""
    gaps = [lines[i][1] - lines[i + 1][1] for i in range(len(lines) - 1) if lines[i][1] is not None and lines[i + 1][1] is not None]
    pos = sorted(g for g in gaps if g > 0.5)
    base = pos[len(pos) // 4] if pos else 0.0  # a typical line-to-line distance inside paragraphs
    out: list[str] = [lines[0][0].rstrip()]
    for prev, nxt in zip(lines, lines[1:]):
        brk = "\n"
        if prev[1] is not None and nxt[1] is not None:
            gap = prev[1] - nxt[1]
            if gap < -1 or (base and gap > 1.3 * base) or abs((prev[2] or 0) - (nxt[2] or 0)) > 0.9:
                brk = "\n\n"
        out.append(brk + nxt[0].rstrip())
    return "".join(out)


def _what_instead(raw: bytes) -> str:
    """For a file whose extension lies: what it looks like instead."""
    from .decode import sniff_binary

    what = sniff_binary(raw)
    if what:
        return f"it looks like {what}"
    try:
        decode_bytes(raw)
    except DecodeError:
        return "unrecognised binary data"
    return "it is plain text; rename it .txt"


def _detail(e: BaseException) -> str:
    """``": <first line of the message>"`` (short, printable), or "" when there is none."""
    msg = str(e).strip().strip("'\"").splitlines()[0] if str(e).strip() else ""
    msg = "".join(c for c in msg if c.isprintable())[:80].strip()
    return f": {msg}" if msg else ""


# --- DOCX --------------------------------------------------------------------------------------


def check_zip(raw_or_path, *, limit: int | None = None) -> None:
    """Refuse archives that are corrupt or would inflate to more than ``limit`` bytes."""
    limit = MAX_UNZIPPED if limit is None else limit
    try:
        zf = zipfile.ZipFile(raw_or_path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ReadError("corrupt Word file (not a zip archive, or the archive is damaged or incomplete)") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > 5000:
            raise ReadError(f"Word file refused: it holds {len(infos)} parts, far more than any document")
        total = 0
        for info in infos:
            total += info.file_size
            if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
                raise ReadError(
                    f"Word file refused: a part would inflate from {info.compress_size / 1e6:.1f} MB to "
                    f"{info.file_size / 1e6:.0f} MB (a zip bomb?)"
                )
        if total > limit:
            raise ReadError(f"Word file refused: it would inflate to {total / 1e6:.0f} MB (limit {limit / 1e6:.0f} MB; a zip bomb?)")
        if "word/document.xml" not in {i.filename for i in infos}:
            raise ReadError("not a Word document (a zip archive without word/document.xml)")


def _docx_problem(e: Exception) -> str:
    """What a python-docx / zip / XML failure means, in words."""
    import zlib

    if isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "the zip archive is damaged or incomplete"
    if isinstance(e, KeyError):
        return "a part it needs is missing or not linked"
    if type(e).__name__ == "XMLSyntaxError":
        return f"its XML is damaged{_detail(e)}"
    if isinstance(e, ValueError) and "content type" in str(e):
        return "the archive is not a Word document (another Office format?)"
    return "its internal structure is not what Word writes"


def _read_docx(path: Path, raw: bytes) -> RawDoc:
    import io

    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError("encrypted or old-format Word file (save it as .docx)")
    if not raw.startswith(b"PK"):
        raise ReadError(f"not a Word file ({_what_instead(raw)})")
    check_zip(io.BytesIO(raw))
    try:
        import docx

        d = docx.Document(io.BytesIO(raw))
    except Exception as e:
        raise ReadError(f"corrupt Word file ({_docx_problem(e)})") from None
    blocks: list[str] = []
    try:
        body = d.element.body
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                t = Paragraph(child, d).text
                if t.strip():
                    blocks.append(t.strip())
            elif tag == "tbl":
                for row in Table(child, d).rows:
                    for cell in row.cells:
                        t = cell.text.strip()
                        if t and (not blocks or blocks[-1] != t):
                            blocks.append(t)
    except Exception as e:
        raise ReadError(f"corrupt Word file ({_docx_problem(e)})") from None
    text = "\n\n".join(blocks)
    if not text.strip():
        raise ReadError("empty Word document")
    meta: dict[str, Any] = {}
    try:
        cp = d.core_properties
        t = (cp.title or "").strip()
        if t and t.lower() not in {"python-docx", "untitled", "document"}:
            meta["title"] = " ".join(t.split())
    except Exception:
        pass
    return RawDoc(original=text, format="docx", meta=meta, wrapped=True)
