"""Edit in Word, add a source, rebuild: nothing the analyst wrote is lost (issue 6).

The edits are made the way Word makes them: on the XML of the saved file (changed runs with bold,
italics and highlighting, an inserted paragraph, a deleted section, an edited table cell, an edited
paragraph inside a callout) plus a comment added with python-docx.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from briefing.model import DocMeta, Document, Heading, Paragraph, Text
from briefing.render import ooxml as ox

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "regen"
ARTICLE = FIXTURES / "norway_article.md"

BLUF_BOLD = "Analyst view: "
BLUF_HIGHLIGHT = "the blockade is the decisive factor this week, "
ADDED = "ANALYST NOTE: convoy escorts were doubled on the southern corridor."
CELL = "EDITED CELL: main armed group"
CALLOUT = " CALLOUT EDIT."
COMMENT = "Check this with the desk"


# --------------------------------------------------------------------------------------------
# helpers: edit a .docx as Word would, read outputs as a reader would
# --------------------------------------------------------------------------------------------


def find_block(root, bid: str):
    for b, sdt in ox.iter_blocks(root, entries=[]):
        if b == bid:
            return sdt
    raise KeyError(bid)


def run(text: str, *props: tuple[str, dict]):
    r = ox.text_run(text)
    if props:
        rpr = ox.el("w:rPr")
        for tag, attrs in props:
            rpr.append(ox.el(tag, **attrs))
        r.insert(0, rpr)
    return r


def word_edit(path: Path) -> None:
    import docx
    from docx.text.paragraph import Paragraph as DocxParagraph

    d = docx.Document(str(path))
    root = d.element
    # the bottom line rewritten: new runs, bold, italic + highlight
    p = ox.sdt_content(find_block(root, "bluf-summary"))[0]
    for child in p.findall(qn("w:r")) + p.findall(qn("w:hyperlink")):
        p.remove(child)
    p.append(run(BLUF_BOLD, ("w:b", {})))
    p.append(run(BLUF_HIGHLIGHT, ("w:i", {}), ("w:highlight", {"val": "yellow"})))
    p.append(run("and staff reductions will continue."))
    # a paragraph of the analyst's own after the "Situation" heading, outside any control
    new = ox.paragraph("BodyText")
    new.append(ox.text_run(ADDED))
    find_block(root, "situation").addnext(new)
    # a section deleted: the Outlook heading and its paragraph
    for bid in ("outlook", "outlook-analyst"):
        sdt = find_block(root, bid)
        sdt.getparent().remove(sdt)
    # a table cell edited
    tbl = next(e for e in ox.sdt_content(find_block(root, "actors-table")) if e.tag == qn("w:tbl"))
    cp = tbl.findall(qn("w:tr"))[1].findall(qn("w:tc"))[-1].find(qn("w:p"))
    for r in cp.findall(qn("w:r")):
        cp.remove(r)
    cp.append(ox.text_run(CELL))
    # a comment on a paragraph whose text is not changed
    lead = ox.sdt_content(find_block(root, "diplomatic-lead"))[0]
    d.add_comment(DocxParagraph(lead, d._body).runs[0], text=COMMENT, author="Analyst", initials="AN")
    # a paragraph inside the machine-drafted callout edited
    ox.sdt_content(find_block(root, "kj-method"))[0].append(ox.text_run(CALLOUT))
    d.save(str(path))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages)


def block_text(path: Path, bid: str) -> str | None:
    root = ox.document_root(path)
    entries = ox.read_manifest_entries(path)
    by = {e.block_id: e for e in entries}
    for b, sdt in ox.iter_blocks(root, entries=entries):
        if b == bid:
            return "\n".join(ox.element_text(e) for e in ox.block_elements(sdt, by.get(bid)))
    return None


def build(project: Path):
    from briefing import build as run_build

    lines: list[str] = []
    res = run_build(project, log=lines.append)
    return res, lines


def edit_add_rebuild(project: Path, *, through_libreoffice: bool = False):
    shutil.copytree(SEEDS, project / "seeds")
    build(project)
    out = project / "out"
    word_edit(out / "brief.docx")
    if through_libreoffice:
        work = project / "lo"
        work.mkdir()
        shutil.copy(out / "brief.docx", work / "brief.docx")
        subprocess.run(["soffice", "--headless", "--convert-to", "docx", "--outdir", str(work / "conv"),
                        str(work / "brief.docx")], check=True, capture_output=True, timeout=120,
                       env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
        shutil.copy(work / "conv" / "brief.docx", out / "brief.docx")
    edited = (out / "brief.docx").read_bytes()
    shutil.copy(ARTICLE, project / "seeds" / ARTICLE.name)
    res, lines = build(project)
    return edited, res, lines


# --------------------------------------------------------------------------------------------
# the round trip
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    project = tmp_path_factory.mktemp("regen")
    edited, res, lines = edit_add_rebuild(project)
    out = project / "out"
    first = ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes())
    res2, _ = build(project)  # nothing new
    second = ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes())
    return project, edited, res, lines, first, second, res2


def test_edited_file_is_backed_up_first(merged):
    project, edited, res, *_ = merged
    backups = sorted((project / "out" / "history").glob("brief-*.docx"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == edited
    assert backups[0].name[len("brief-"):-len(".docx")].endswith("Z")
    assert res.outputs["docx-backup"] == backups[0]


def test_changed_runs_and_formatting_survive(merged):
    project, *_ = merged
    path = project / "out" / "brief.docx"
    text = block_text(path, "bluf-summary")
    assert text.startswith(BLUF_BOLD + BLUF_HIGHLIGHT)
    root = ox.document_root(path)
    p = ox.sdt_content(find_block(root, "bluf-summary"))[0]
    runs = {"".join(t.text for t in r.iter(qn("w:t"))): r for r in p.iter(qn("w:r"))}
    assert runs[BLUF_BOLD].find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    hl = runs[BLUF_HIGHLIGHT].find(f"{qn('w:rPr')}/{qn('w:highlight')}")
    assert hl is not None and hl.get(qn("w:val")) == "yellow"
    assert runs[BLUF_HIGHLIGHT].find(f"{qn('w:rPr')}/{qn('w:i')}") is not None


def test_added_paragraph_stays_after_its_heading(merged):
    project, *_ = merged
    lines = [ln for ln in ox.docx_text(project / "out" / "brief.docx").split("\n") if ln.strip()]
    i = lines.index(ADDED)
    assert lines[i - 1] == "Situation"
    assert lines.count(ADDED) == 1


def test_table_cell_and_callout_edits_survive(merged):
    project, *_ = merged
    path = project / "out" / "brief.docx"
    assert CELL in block_text(path, "actors-table")
    assert block_text(path, "kj-method").endswith(CALLOUT.strip())
    # the rest of the callout was regenerated: the new country is in the machine-drafted judgment
    assert "Norway" in block_text(path, "kj-advisories")


def test_analyst_comment_survives_and_new_wording_is_attached(merged):
    import docx

    project, _, res, lines, *_ = merged
    d = docx.Document(str(project / "out" / "brief.docx"))
    comments = list(d.comments)
    assert any(c.author == "Analyst" and c.text == COMMENT for c in comments)
    ours = [c for c in comments if c.author == "briefing"]
    # the lead of the advisories section now counts one more government: the analyst kept theirs
    lead = block_text(project / "out" / "brief.docx", "diplomatic-lead")
    assert "Norway" not in lead
    assert any("Norway" in c.text and "governments" in c.text for c in ours)
    assert any("Analyst view" not in c.text and "280" in c.text for c in ours)  # the BLUF's new wording
    # the comment markers sit in the body
    body = d.element.body
    assert len(list(body.iter(qn("w:commentReference")))) == len(comments)
    assert any(ln.startswith("kept your edit of") and "[diplomatic-lead]" in ln for ln in lines)
    assert any(ln.startswith("merged your edits: 4 kept, 3 with changed facts") for ln in res.warnings)


def test_deleted_section_stays_deleted_and_new_facts_appear(merged):
    from briefing.regen import read_entries

    project, *_ = merged
    path = project / "out" / "brief.docx"
    text = ox.docx_text(path)
    assert "Outlook" not in text  # not even in the cached table of contents
    assert "Analyst to complete" not in text
    states = {e.block_id: e.state for e in read_entries(path)}
    assert states["outlook"] == states["outlook-analyst"] == "deleted"
    assert "Norway" in block_text(path, "advisories-table")


def test_pdf_follows_the_merged_document(merged):
    project, *_ = merged
    text = pdf_text(project / "out" / "brief.pdf")
    for s in (ADDED, BLUF_BOLD.strip(), CELL, CALLOUT.strip(), "Norway"):
        assert s in text, s
    assert "Outlook" not in text
    assert text.index("Situation") < text.index(ADDED)


def test_rebuild_with_nothing_new_changes_nothing(merged):
    project, *_, first, second, res2 = merged
    assert first == second
    assert len(list((project / "out" / "history").glob("*.docx"))) == 1
    assert not any("comment attached" in w and "with changed facts" in w for w in res2.warnings)


# --------------------------------------------------------------------------------------------
# the same round trip through LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_round_trip_through_libreoffice_keeps_the_edits(tmp_path):
    edited, res, lines = edit_add_rebuild(tmp_path, through_libreoffice=True)
    path = tmp_path / "out" / "brief.docx"
    text = ox.docx_text(path)
    for s in (BLUF_BOLD + BLUF_HIGHLIGHT, ADDED, CELL, CALLOUT.strip()):
        assert s in text, s
    assert "Analyst to complete" not in text
    assert "Norway" in block_text(path, "advisories-table")
    pdf = pdf_text(tmp_path / "out" / "brief.pdf")
    assert ADDED in pdf and CELL in pdf
    before = path.read_bytes()
    build(tmp_path)
    assert path.read_bytes() == before


# --------------------------------------------------------------------------------------------
# small documents: anchoring, unplaced text, markers stripped, formatting-only edits
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def styles():
    from briefing.config import Config, resolve_styles

    return resolve_styles(None, Config())


def small_doc(*blocks) -> Document:
    return Document(DocMeta(title="Test brief", created="2025-01-01T00:00:00Z"), list(blocks))


def para(bid: str, text: str) -> Paragraph:
    return Paragraph(bid, [Text(text)])


def add_after(data: bytes, bid: str, text: str) -> bytes:
    import io

    import docx

    d = docx.Document(io.BytesIO(data))
    p = ox.paragraph()
    p.append(ox.text_run(text))
    find_block(d.element, bid).addnext(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_analyst_text_follows_the_next_surviving_block_or_goes_to_unplaced(styles):
    from briefing.regen import UNPLACED_TITLE, merge, stamp
    from briefing.render.docx import render_bytes

    old = small_doc(Heading("h1", 1, "One"), para("p1", "First."), para("p2", "Second."),
                    para("p3", "Third."), para("p4", "Fourth."))
    mine = stamp(render_bytes(old, styles))
    mine = add_after(mine, "p2", "Mine after two.")
    mine = add_after(mine, "p4", "Mine after four.")
    new = small_doc(Heading("h1", 1, "One"), para("p1", "First."), para("p3", "Third, updated."),
                    para("p5", "Fifth."))
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    lines = [ln for ln in ox.docx_text(res.data).split("\n") if ln.strip()]
    assert lines[lines.index("First."):] == ["First.", "Mine after two.", "Third, updated.", "Fifth.",
                                             UNPLACED_TITLE, "Mine after four."]
    assert res.report.added == 1 and res.report.unplaced == 1
    # the PDF document carries the same text
    pdf_words = [b.inlines[0].text if isinstance(b, Paragraph) else b.text for b in res.document.blocks]
    assert pdf_words.index("Mine after two.") == pdf_words.index("Third, updated.") - 1
    assert pdf_words[-1] == "Mine after four."


def test_markers_stripped_blocks_matched_by_content(styles):
    import io

    import docx

    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = small_doc(*[para(f"p{i}", f"Generated paragraph number {i} about the situation.") for i in range(8)])
    mine = stamp(render_bytes(old, styles))
    d = docx.Document(io.BytesIO(mine))
    body = d.element.body
    for sdt in list(body.iter(qn("w:sdt"))):  # an editor that drops the controls, keeps the content
        for child in ox.sdt_content(sdt):
            sdt.addprevious(child)
        sdt.getparent().remove(sdt)
    p3 = [p for p in body.iter(qn("w:p")) if "number 3" in ox.element_text(p)][0]
    p3.append(ox.text_run(" My addition."))
    buf = io.BytesIO()
    d.save(buf)
    new = small_doc(*[para(f"p{i}", f"Generated paragraph number {i} about the situation, revised.")
                      for i in range(8)])
    res = merge(buf.getvalue(), stamp(render_bytes(new, styles)), new)
    assert res.report.matched_by_content == 9  # the title block and the eight paragraphs
    assert "markers missing; matched 9 blocks by content" in res.report.lines()
    assert [k.rsplit("[", 1)[1] for k in res.report.kept] == ["p3]"]
    text = ox.docx_text(res.data)
    assert "number 3 about the situation. My addition." in text
    assert text.count("revised.") == 7
    # the markers are back
    assert {b for b, _ in ox.iter_blocks(res.data)} >= {f"p{i}" for i in range(8)}


def test_formatting_only_edit_is_an_edit_and_merge_is_deterministic(styles):
    import io

    import docx

    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = small_doc(para("p1", "Keep me bold."), para("p2", "Plain."))
    mine = stamp(render_bytes(old, styles))
    d = docx.Document(io.BytesIO(mine))
    r = next(ox.sdt_content(find_block(d.element, "p1"))[0].iter(qn("w:r")))
    rpr = ox.el("w:rPr")
    rpr.append(ox.el("w:b"))
    r.insert(0, rpr)
    buf = io.BytesIO()
    d.save(buf)
    new = small_doc(para("p1", "Keep me bold, regenerated."), para("p2", "Plain, regenerated."))
    theirs = stamp(render_bytes(new, styles))
    a = merge(buf.getvalue(), theirs, new)
    b = merge(buf.getvalue(), theirs, new)
    assert a.data == b.data
    text = ox.docx_text(a.data)
    assert "Keep me bold." in text and "Plain, regenerated." in text
    assert a.report.changed and "[p1]" in a.report.changed[0]
    # merging the merged file again with the same generated content changes nothing
    assert merge(a.data, theirs, new).data == a.data


def test_unedited_file_is_simply_replaced(tmp_path, styles):
    from briefing.regen import rebuild_docx

    path = tmp_path / "brief.docx"
    old = small_doc(para("p1", "One."))
    rebuild_docx(old, styles, path)
    new = small_doc(para("p1", "One, updated."), para("p2", "Two."))
    res = rebuild_docx(new, styles, path)
    assert res.backup is None and not res.messages
    assert ox.docx_text(path).split("\n")[-2:] == ["One, updated.", "Two."]
    assert not (tmp_path / "history").exists()
    again = rebuild_docx(new, styles, path)
    assert not again.written


def test_pdf_is_redrawn_only_when_what_it_shows_changed(merged, styles):
    from briefing.regen import pdf_key, pdf_up_to_date

    project, *_ = merged
    out = project / "out"
    a = small_doc(para("p1", "One."))
    b = small_doc(para("p1", "One, edited by the analyst."))
    assert pdf_key(a, styles) == pdf_key(small_doc(para("p1", "One.")), styles)
    assert pdf_key(a, styles) != pdf_key(b, styles)
    key = (out / ".cache" / "pdf.key").read_text().split()[0]
    assert pdf_up_to_date(out / "brief.pdf", key, out / ".cache" / "pdf.key")
    assert not pdf_up_to_date(out / "brief.pdf", pdf_key(a, styles), out / ".cache" / "pdf.key")


def test_an_edited_footer_is_kept(tmp_path, styles):
    import io
    import zipfile

    from briefing.regen import rebuild_docx

    path = tmp_path / "brief.docx"
    old = small_doc(para("p1", "One."))
    rebuild_docx(old, styles, path)
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("word/footer"):
                data = data.replace(b"</w:p>", b"<w:r><w:t>Desk copy</w:t></w:r></w:p>", 1)
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    res = rebuild_docx(small_doc(para("p1", "One, updated.")), styles, path)
    assert res.backup is not None and "kept your header/footer" in res.messages
    import docx

    d = docx.Document(str(path))
    assert "Desk copy" in d.sections[0].footer.paragraphs[0].text
    assert "One, updated." in ox.docx_text(path)
