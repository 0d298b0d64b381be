"""The seed brief as built: a short body (title to Sources at most six pages, the annex after it),
and the Word file's structure checked on the real brief rather than on a sample document."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx.oxml.ns import qn
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
BODY_PAGES = 6


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from briefing import build

    project = tmp_path_factory.mktemp("seeds")
    shutil.copytree(ROOT / "seeds", project / "seeds")
    res = build(project)
    return project, res


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages]


def _part(path: Path, name: str):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def test_body_is_short_and_the_annex_follows(built):
    project, _ = built
    pages = _pages(project / "out" / "brief.pdf")
    # the first page after the contents list that starts an annex
    annex = next(i for i, t in enumerate(pages) if i > 0 and re.search(r"Annex: \w", t))
    assert annex <= BODY_PAGES, f"body runs to page {annex} of {len(pages)}"
    sources = max(i for i, t in enumerate(pages[:annex]) if "Sources" in t)
    # every numbered source entry is in the body, after the Sources heading, none alone on a page
    body = " ".join(pages[:annex])
    n = len(list((project / "seeds").iterdir()))
    for k in range(1, n + 1):
        assert f"[{k}] " in body[body.rindex("Sources"):] or f"[{k}] " in pages[sources], k
    last = pages[annex - 1]
    assert "Sources" in last or "Outlook" in last, "the last body page is more than a stray source entry"


def test_word_structure_of_the_real_brief(built):
    project, res = built
    path = project / "out" / "brief.docx"
    import docx

    d = docx.Document(str(path))
    names = {s.style_id: s.name for s in d.styles}
    doc_xml = d.element
    # heading outline: built-in Heading styles, in order, starting at level 1, no level skipped
    levels = []
    for p in doc_xml.body.iter(qn("w:p")):
        ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = names.get(ps.get(qn("w:val"))) if ps is not None else None
        if name and re.fullmatch(r"Heading [1-3]", name):
            levels.append(int(name[-1]))
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    # every picture has alt text; every caption is numbered by a SEQ field
    pics = list(doc_xml.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))
    assert pics and all(len(p.get("descr") or "") > 20 for p in pics)
    instr = [" ".join((e.text or "").split()) for e in doc_xml.body.iter(qn("w:instrText"))]
    assert sum(i.startswith("SEQ Figure") for i in instr) == len(pics)
    assert any(i.startswith("TOC ") for i in instr)
    # data tables repeat their header row and rows do not split
    for t in doc_xml.body.iter(qn("w:tbl")):
        style = names.get(t.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}").get(qn("w:val")))
        if style not in ("Brief Table", "Brief Key Figures"):
            continue
        rows = t.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
    # every citation link lands on a bookmarked source entry
    marks = {b.get(qn("w:name")) for b in doc_xml.body.iter(qn("w:bookmarkStart"))}
    links = [h.get(qn("w:anchor")) for h in doc_xml.body.iter(qn("w:hyperlink")) if (h.get(qn("w:anchor")) or "").startswith("src_")]
    assert links and all(a in marks for a in links)
    # page numbers in the footer, document properties from the brief
    footers = [n for n in zipfile.ZipFile(path).namelist() if re.match(r"word/footer\d*\.xml", n)]
    finstr = [" ".join((e.text or "").split()) for n in footers for e in _part(path, n).iter(qn("w:instrText"))]
    assert "PAGE" in finstr and "NUMPAGES" in finstr
    cp = d.core_properties
    assert cp.title.endswith("situation brief") and cp.subject and cp.keywords
