"""Every file the loader cannot use gets one plain line: the file, then what is wrong with it, in
words an analyst understands (no exception class names, no library internals)."""

from __future__ import annotations

import io
import re
import zipfile

from briefing.sources import load_sources

DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _real_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("The ferry resumed service on Tuesday after the storm.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


EXPECT = {
    "empty.txt": (b"", "empty file (0 bytes)"),
    "blank.md": (b" \n\t\n", "empty file (only whitespace)"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a text file (looks like a PNG image)"),
    "noise.md": (bytes(range(256)) * 20, "not a text file"),
    "plain.pdf": (b"This is a note, not a PDF at all.", "not a PDF file (it is plain text; rename it .txt)"),
    "broken.pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF", "malformed PDF (the file is damaged or incomplete"),
    "plain.docx": (b"Just some words saved with the wrong name.", "not a Word file (it is plain text; rename it .txt)"),
    "image.docx": (b"\xff\xd8\xff\xe0" + bytes(300), "not a Word file (it looks like a JPEG image)"),
    "old.docx": (b"\xd0\xcf\x11\xe0" + bytes(100), "encrypted or old-format Word file (save it as .docx)"),
    "cut.docx": (_real_docx()[:-300], "corrupt Word file (not a zip archive, or the archive is damaged or incomplete)"),
    "sheet.docx": (_zip({"xl/workbook.xml": "<x/>"}), "not a Word document (a zip archive without word/document.xml)"),
    "parts.docx": (_zip({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": "<w:document><open>"}), "corrupt Word file (a part it needs is missing or not linked)"),
    "types.docx": (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), "corrupt Word file (its internal structure is not what Word writes)"),
    "notes.rtf": (b"{\\rtf1 hello}", "unsupported format '.rtf' (supported: txt, md, html, pdf, docx)"),
}


def test_each_bad_file_gets_one_plain_line(tmp_path):
    for name, (data, _) in EXPECT.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text("Ferry back in service\n\nThe ferry resumed service on Tuesday after the storm.\n", encoding="utf-8")
    res = load_sources(tmp_path)
    assert [s.path for s in res.sources] == ["good.txt"]
    assert set(res.skipped) == set(EXPECT)
    for name, (_, words) in EXPECT.items():
        lines = [w for w in res.warnings if w.startswith(f"{name}: ")]
        assert len(lines) == 1, (name, res.warnings)
        line = lines[0]
        assert line.startswith(f"{name}: skipped: ") and words in line, line
        assert "\n" not in line and len(line) < 200
        assert not re.search(r"\b[A-Z][a-z]+(?:Error|Exception)\b|Traceback|http://schemas", line), line


def test_zip_bomb_message_says_what_and_how_big(tmp_path, monkeypatch):
    from briefing.sources import readers

    monkeypatch.setattr(readers, "MAX_UNZIPPED", 1024 * 1024)
    (tmp_path / "big.docx").write_bytes(_zip({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b" " * (3 * 1024 * 1024)}))
    res = load_sources(tmp_path)
    (line,) = res.warnings
    assert line == "big.docx: skipped: Word file refused: it would inflate to 3 MB (limit 1 MB; a zip bomb?)"
