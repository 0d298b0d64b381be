"""Sources stage: formats, bad files, decoding, metadata, ids, duplicates, the CLI."""

from __future__ import annotations

import json
import time
import zipfile
from html import escape
from pathlib import Path

import pytest

from briefing.sources import LoadResult, build_source, load_sources, source_id

ROOT = Path(__file__).resolve().parents[1]

TITLE = "Floodwaters cut off districts south of Beira"
PARAS = [
    "Floodwaters cut off three districts south of the port city of Beira on Wednesday after days of heavy "
    "rain, leaving about 40,000 people without road access, disaster officials said.",
    "The national disaster agency said rescue teams had moved more than 2,000 families to higher ground in "
    "Buzi and Nhamatanda, where temporary camps were set up in schools.",
    "“The water is still rising and many people are on rooftops,” said Ana Matsinhe, a volunteer with a "
    "local relief group in Buzi.",
    "Aid agencies warned that cholera could spread in the camps unless clean water reached them within "
    "days, and appealed for boats and fuel to reach stranded villages in Sofala province.",
]
PLAIN = TITLE + "\n\n" + "\n\n".join(PARAS) + "\n"


def _flat(s: str) -> str:
    return " ".join(s.split())


def write_txt(d: Path, name: str = "story.txt") -> Path:
    p = d / name
    p.write_text(PLAIN, encoding="utf-8")
    return p


def write_md(d: Path) -> Path:
    p = d / "story.md"
    body = "\n\n".join(PARAS).replace("Beira", "**Beira**", 1).replace("Buzi", "[Buzi](https://example.org/buzi)", 1)
    p.write_text(
        f"---\ntitle: {TITLE}\noutlet: Coast Times\npublished: 2024-02-14\n---\n\n# {TITLE}\n\n{body}\n",
        encoding="utf-8",
    )
    return p


def write_html(d: Path) -> Path:
    p = d / "story.html"
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(TITLE)} | Coast Times</title>"
        "<meta property='og:site_name' content='Coast Times'>"
        "<meta name='author' content='Rui Tembe'>"
        "<meta property='article:published_time' content='2024-02-14T08:00:00Z'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/africa'>Africa</a></nav>"
        f"<article><h1>{escape(TITLE)}</h1>"
        + "".join(f"<p>{escape(x)}</p>" for x in PARAS)
        + "</article><footer>Contact us. All rights reserved.</footer></body></html>"
    )
    p.write_text(html, encoding="utf-8")
    return p


def write_pdf(d: Path, name: str = "story.pdf", *, encrypt: str | None = None) -> Path:
    import matplotlib
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font)))
    ss = getSampleStyleSheet()
    body = ss["BodyText"].clone("b", fontName="DejaVuSans")
    head = ss["Title"].clone("t", fontName="DejaVuSans")
    p = d / name
    doc = SimpleDocTemplate(str(p), pagesize=A4, title=TITLE, invariant=1, encrypt=encrypt)
    doc.build([Paragraph(escape(TITLE), head)] + [Paragraph(escape(x), body) for x in PARAS])
    return p


def write_docx(d: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_heading(TITLE, level=1)
    for x in PARAS:
        doc.add_paragraph(x)
    p = d / "story.docx"
    doc.save(str(p))
    return p


# --- formats ---------------------------------------------------------------------------------


def test_same_article_in_every_format_gives_the_same_text(tmp_path):
    for w in (write_txt, write_md, write_html, write_pdf, write_docx):
        w(tmp_path)
    res = load_sources(tmp_path)
    assert res.skipped == []
    by_fmt = {s.format: s for s in res.sources}
    assert set(by_fmt) == {"txt", "md", "html", "pdf", "docx"}
    want = _flat(PLAIN)
    for fmt, s in by_fmt.items():
        assert _flat(s.text) == want, fmt
        assert s.title == TITLE, fmt
        assert len(s.paragraphs) == 5, fmt
        # every paragraph's words can be found, in order, in the original at the mapped span
        for start, end in s.paragraphs:
            os_, oe = s.span_to_original(start, end)
            pos = os_
            for w in _flat(s.text[start:end]).split():
                w = w.strip("“”*[]")
                pos = s.original.index(w, pos, oe) + len(w)
    # a quote from the middle maps exactly in every format
    q = "rescue teams had moved more than 2,000 families"
    for s in res.sources:
        i = s.text.index(q)
        os_, oe = s.span_to_original(i, i + len(q))
        assert s.original[os_:oe] == q, s.format
    html = by_fmt["html"]
    assert (html.outlet, html.author, html.published) == ("Coast Times", "Rui Tembe", "2024-02-14")
    assert by_fmt["md"].published == "2024-02-14" and by_fmt["md"].outlet == "Coast Times"
    # the five copies are one story: one group
    assert len({s.group for s in res.sources}) == 1
    assert sum(1 for s in res.sources if s.duplicate_of is None) == 1


def test_mixed_folder_with_bad_files_warns_once_per_file(tmp_path):
    write_txt(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("   \n\n\t\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "table.xlsx").write_bytes(b"PK\x03\x04whatever")
    (tmp_path / "notes.rtf").write_text("{\\rtf1 hello}", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage garbage\n%%EOF")
    (tmp_path / "fake.pdf").write_text("this is not a pdf at all", encoding="utf-8")
    (tmp_path / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (tmp_path / "notzip.docx").write_text("plain text pretending", encoding="utf-8")
    write_pdf(tmp_path, "locked.pdf", encrypt="s3cret")
    res = load_sources(tmp_path)
    assert [s.path for s in res.sources] == ["story.txt"]
    bad = {"empty.txt", "blank.md", "image.txt", "table.xlsx", "notes.rtf", "broken.pdf", "fake.pdf",
           "corrupt.docx", "notzip.docx", "locked.pdf"}
    assert set(res.skipped) == bad
    for name in bad:
        lines = [w for w in res.warnings if w.startswith(name + ":")]
        assert len(lines) == 1, (name, res.warnings)
        assert "\n" not in lines[0]
    text = "\n".join(res.warnings)
    assert "image.txt: skipped: not a text file (looks like a PNG image)" in text
    assert "locked.pdf: skipped: encrypted PDF" in text
    assert "table.xlsx: skipped: unsupported format '.xlsx'" in text
    assert "empty.txt: skipped: empty file" in text


def test_oversized_file_is_refused_without_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no memory, no disk
    write_txt(tmp_path)
    t = time.perf_counter()
    res = load_sources(tmp_path)
    assert time.perf_counter() - t < 2
    assert res.skipped == ["huge.txt"]
    assert "huge.txt: skipped: file is 52.4 MB, over the 21 MB limit" in res.warnings
    small = load_sources(tmp_path, max_bytes=100)
    assert {"huge.txt", "story.txt"} == set(small.skipped)


def test_zip_bomb_docx_is_refused(tmp_path, monkeypatch):
    from briefing.sources import readers

    monkeypatch.setattr(readers, "MAX_UNZIPPED", 2 * 1024 * 1024)
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (5 * 1024 * 1024) + b"</w:document>")
    assert p.stat().st_size < 100_000
    res = load_sources(tmp_path)
    assert res.skipped == ["bomb.docx"]
    assert "inflate" in res.warnings[0]


def test_never_raises_on_an_exploding_reader(tmp_path, monkeypatch):
    from briefing.sources import readers

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    write_txt(tmp_path)
    write_txt(tmp_path, "second.txt")
    monkeypatch.setattr(readers, "_read_text", boom)
    res = load_sources(tmp_path)
    assert res.sources == [] and len(res.warnings) == 2
    assert all("could not be loaded (RuntimeError: kaboom)" in w for w in res.warnings)


def test_hidden_files_and_sidecar_are_not_sources(tmp_path):
    write_txt(tmp_path)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "sources.yaml").write_text(
        "story.txt:\n  outlet: Coast Times\n  published: 2024-02-13\n  reliability: A\n", encoding="utf-8"
    )
    res = load_sources(tmp_path)
    assert res.warnings == [] and res.skipped == []
    (s,) = res.sources
    assert (s.outlet, s.published, s.reliability) == ("Coast Times", "2024-02-13", "A")
    assert "published" not in s.inferred


# --- decoding ----------------------------------------------------------------------------------

LEGACY = "Côte d’Ivoire’s “fuel” convoys reached Ségou — officials said the café reopened.\n\nA second paragraph here."


@pytest.mark.parametrize(
    "encoded",
    [
        LEGACY.encode("utf-8"),
        b"\xef\xbb\xbf" + LEGACY.encode("utf-8"),
        LEGACY.encode("utf-16"),  # with BOM
        LEGACY.encode("utf-16-be"),  # no BOM
        LEGACY.encode("cp1252"),
        LEGACY.replace("’", "'").replace("“", '"').replace("”", '"').replace("—", "-").encode("latin-1"),
    ],
)
def test_encodings(encoded):
    s = build_source("a.txt", encoded, "txt")
    want = LEGACY
    if b"\xe2\x80\x99" not in encoded and b"\x92" not in encoded and b"\x00" not in encoded:
        want = LEGACY.replace("’", "'").replace("“", '"').replace("”", '"').replace("—", "-")
    assert _flat(s.text) == _flat(want)
    assert "\ufeff" not in s.original


def test_normalisation_and_control_characters():
    raw = "Se\u0301gou and Bamako\u00a0report\x07ed calm.\r\nA\u200bnother line\x00 here, ok.\r\n"
    s = build_source("n.txt", raw.encode("utf-8"), "txt")
    assert s.text == "Ségou and Bamako reported calm.\n\nAnother line here, ok."
    i = s.text.index("Bamako")
    os_, oe = s.span_to_original(i, i + 6)
    assert s.original[os_:oe] == "Bamako"
    i = s.text.index("Ségou")
    os_, oe = s.span_to_original(i, i + 5)
    assert s.original[os_:oe] == "Se\u0301gou"  # the altered span maps to what was in the file
    from briefing.util import xml_safe

    assert xml_safe(s.text) == s.text


# --- metadata ----------------------------------------------------------------------------------


def test_malformed_front_matter_warns_and_keeps_body(tmp_path):
    (tmp_path / "bad.md").write_text(
        "---\ntitle: [unclosed\noutlet: : :\n---\n\n" + PLAIN, encoding="utf-8"
    )
    res = load_sources(tmp_path)
    (s,) = res.sources
    assert any(w.startswith("bad.md: malformed front matter") for w in res.warnings)
    assert _flat(s.text) == _flat(PLAIN)
    assert "title:" not in s.text
    assert s.title == TITLE and "title" in s.inferred


def test_dates_in_body_are_not_publication_dates():
    text = (
        "Talks resume in Juba\n\n"
        "Delegations met in Juba on March 3, 2024 to revive a peace deal signed on 12 September 2018, "
        "mediators said.\n\n"
        "Photo: Delegates arrive in Juba on 2 March 2024.\n"
    )
    s = build_source("j.txt", text.encode(), "txt")
    assert s.published is None
    assert "no publication date" in s.warnings


def test_wire_dateline_gives_date_and_agency():
    text = "JUBA, South Sudan, 4 March 2024 (Nile Wire) - Delegations met in Juba to revive a peace deal, mediators said.\n"
    s = build_source("w.txt", text.encode(), "txt")
    assert s.published == "2024-03-04" and s.outlet == "Nile Wire"
    assert s.text.startswith("JUBA, South Sudan")  # the sentence itself is kept


def test_byline_with_outlet_and_date():
    text = (
        "Ceasefire holds in Tigray border towns\n"
        "By Hana Bekele | Horn Monitor | 21 May 2023\n\n"
        "A ceasefire between the two forces held for a third day in the border towns of Tigray, residents said.\n"
    )
    s = build_source("b.txt", text.encode(), "txt")
    assert (s.author, s.outlet, s.published) == ("Hana Bekele", "Horn Monitor", "2023-05-21")
    assert "Hana" not in s.text


# --- ids and duplicates ---------------------------------------------------------------------------


def test_ids_are_stable_and_unique(tmp_path):
    write_txt(tmp_path, "b.txt")
    first = {s.path: s.id for s in load_sources(tmp_path).sources}
    write_txt(tmp_path, "a.txt")
    write_pdf(tmp_path, "b.pdf")
    (tmp_path / "sub").mkdir()
    write_txt(tmp_path / "sub", "b.txt")
    second = {s.path: s.id for s in load_sources(tmp_path).sources}
    assert second["b.txt"] == first["b.txt"] == "b"
    assert second["b.pdf"] == "b-pdf"
    assert second["sub/b.txt"] == "sub-b"
    assert len(set(second.values())) == len(second)
    assert source_id("000_26edd2b44d24d61b.txt") == "000_26edd2b44d24d61b"
    assert source_id("reports/Jan 5.md") == "reports-Jan-5-md"


def test_identical_and_near_duplicates(tmp_path):
    write_txt(tmp_path, "a.txt")
    write_txt(tmp_path, "b.txt")  # byte-identical
    # the same wire story in another outlet: other headline and byline, one sentence trimmed
    other = "Floods isolate Beira districts\nBy Staff Reporter\n\n" + "\n\n".join(PARAS[:3]) + "\n\n" + PARAS[3].split(",")[0] + ".\n"
    (tmp_path / "c.txt").write_text(other, encoding="utf-8")
    (tmp_path / "d.txt").write_text(
        "Ceasefire holds in Tigray border towns\n\nA ceasefire between the two forces held for a third day in the "
        "border towns of Tigray, residents said, as aid trucks crossed from the south for the first time in weeks.\n",
        encoding="utf-8",
    )
    res = load_sources(tmp_path)
    s = {x.path: x for x in res.sources}
    assert s["a.txt"].duplicate_of is None
    assert s["b.txt"].duplicate_of == "a"
    assert s["c.txt"].duplicate_of == "a"
    assert s["a.txt"].group == s["b.txt"].group == s["c.txt"].group == "a"
    assert s["d.txt"].duplicate_of is None and s["d.txt"].group == "d"
    assert any(w.startswith("b.txt: identical to a") for w in res.warnings)
    assert any(w.startswith("c.txt: near-duplicate of a") for w in res.warnings)


# --- speed and the CLI -------------------------------------------------------------------------


def test_seeds_load_fast():
    load_sources(ROOT / "seeds")  # warm up imports
    t = time.perf_counter()
    res = load_sources(ROOT / "seeds")
    assert time.perf_counter() - t < 0.2
    assert len(res.sources) == 5 and isinstance(res, LoadResult)


def test_cli_table_json_and_dropped(capsys):
    from briefing.cli import main

    assert main(["sources", "--sources", str(ROOT / "seeds")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["id", "title", "outlet", "date", "kept", "dropped", "warnings"]
    assert "001_33ad8ba5e0332fa5" in out and "Clash Report" in out and "2025-11-13*" in out
    assert main(["sources", "--sources", str(ROOT / "seeds"), "--show-dropped"]) == 0
    out = capsys.readouterr().out
    assert "[teaser]" in out and "[donation]" in out and "[related]" in out
    assert main(["sources", "--sources", str(ROOT / "seeds"), "--json", "--show-dropped"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["sources"]) == 5
    s3 = next(x for x in data["sources"] if x["id"].startswith("003"))
    assert s3["words_dropped"] > 500 and any(d["rule"] == "teaser" for d in s3["dropped"])


def test_multipage_pdf_keeps_paragraph_running_over_the_page(tmp_path):
    from reportlab.lib.pagesizes import A6
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    paras = [f"Paragraph {i}: " + " ".join(PARAS) for i in range(1, 5)]
    p = tmp_path / "long.pdf"
    doc = SimpleDocTemplate(str(p), pagesize=A6, invariant=1)
    doc.build([Paragraph(escape(x), getSampleStyleSheet()["BodyText"]) for x in paras])
    from pypdf import PdfReader

    assert len(PdfReader(str(p)).pages) >= 3
    (s,) = load_sources(tmp_path).sources
    assert _flat(s.text) == _flat(" ".join(paras))
    assert len(s.paragraphs) == 4


def test_html_furniture_and_missing_article(tmp_path):
    html = (
        "<html><head><title>Clashes near Kidal</title></head><body><article><h1>Clashes near Kidal</h1>"
        "<p>Fighting broke out near Kidal on Monday between the army and armed groups, residents said.</p>"
        "<p>Share this article on Facebook</p>"
        "<p>The clashes lasted several hours and forced families to leave two villages north of the town.</p>"
        "</article></body></html>"
    )
    (tmp_path / "a.html").write_text(html, encoding="utf-8")
    (tmp_path / "b.htm").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    res = load_sources(tmp_path)
    (s,) = res.sources
    assert "Share this article" not in s.text and "forced families to leave" in s.text
    assert s.title == "Clashes near Kidal" and "title" not in s.inferred
    assert res.skipped == ["b.htm"] and res.warnings[-1].startswith("b.htm: skipped:")


def test_heavy_parsers_are_imported_only_when_needed():
    import subprocess
    import sys

    code = (
        "import sys; from briefing.sources import load_sources; load_sources(sys.argv[1]); "
        "print(sorted(m for m in ('trafilatura', 'pypdf', 'docx', 'reportlab', 'charset_normalizer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "seeds")], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
