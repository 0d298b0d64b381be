"""Issue 6, "done when": edit the generated .docx the way Word does, add an article, rebuild.

The edits are made on the XML of the saved file as Word writes it: runs replaced with bold,
italics and highlighting; a paragraph and a table of the analyst's own inserted; a section deleted;
a table cell rewritten; a comment added; a paragraph inside a callout extended; a heading renamed;
a callout's title rewritten; a source entry annotated. Then an article with a new country's travel
advice and a new figure arrives (tests/fixtures/regen, written for these tests) and the brief is
rebuilt. Every edit must survive in the .docx and in the PDF, the new facts must appear, including
the changed advisory in the "What changed" section and in out/changes.md, and the merged file must
stay valid (unique bookmark names, every internal link resolving).

The same round trip through LibreOffice is in test_roundtrip_libreoffice.py (it reuses these
helpers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from briefing.render import ooxml as ox
from tests.doc_fixtures import callout_title, find_block, pstyle, run

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).parent / "fixtures" / "regen"
DUTCH = FIXTURES / "dutch_advisory_article.md"

BLUF_BOLD = "Desk assessment: "
BLUF_HIGHLIGHT = "the capital's fuel supply is the pressure point to watch, "
BLUF_TAIL = "and further staff reductions are likely."
ADDED = "ANALYST NOTE: two convoy escorts were reinforced on the northern corridor this week."
ADDED_TABLE = ("Desk contact", "Duty officer, ext. 4411")
CELL = "EDITED CELL: armed group, desk wording"
CALLOUT = " CALLOUT EDIT BY THE DESK."
COMMENT = "Please check this against the embassy cable"
HEADING_SUFFIX = " (desk-checked)"
BOX_TITLE_SUFFIX = " (checked by the desk)"
SOURCE_NOTE = " Read in the print edition."
SOURCE_BLOCK = "source-000-26edd2b44d24d61b"
SOURCE_ID = "000_26edd2b44d24d61b"
DELETED = ("outlook", "outlook-analyst")


# --------------------------------------------------------------------------------------------
# helpers: edit a .docx as Word would; read outputs as a reader would
# --------------------------------------------------------------------------------------------










def word_edit(path: Path) -> None:
    import docx
    from docx.text.paragraph import Paragraph as DocxParagraph

    d = docx.Document(str(path))
    root = d.element
    # the bottom line rewritten: its runs replaced, bold, italic + highlight
    p = ox.sdt_content(find_block(root, "bluf-summary"))[0]
    for child in p.findall(qn("w:r")) + p.findall(qn("w:hyperlink")):
        p.remove(child)
    p.append(run(BLUF_BOLD, ("w:b", {})))
    p.append(run(BLUF_HIGHLIGHT, ("w:i", {}), ("w:highlight", {"val": "yellow"})))
    p.append(run(BLUF_TAIL))
    # a paragraph of the analyst's own after the "Situation" heading, outside any control
    new = ox.paragraph("BodyText")
    new.append(ox.text_run(ADDED))
    find_block(root, "situation").addnext(new)
    # a table of the analyst's own after the actors table
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = ADDED_TABLE
    find_block(root, "actors-table").addnext(t._tbl)
    # a section deleted: the Outlook heading and its paragraph
    for bid in DELETED:
        sdt = find_block(root, bid)
        sdt.getparent().remove(sdt)
    # a table cell rewritten
    tbl = next(e for e in ox.sdt_content(find_block(root, "actors-table")) if e.tag == qn("w:tbl"))
    cp = tbl.findall(qn("w:tr"))[1].findall(qn("w:tc"))[-1].find(qn("w:p"))
    for r in cp.findall(qn("w:r")):
        cp.remove(r)
    cp.append(ox.text_run(CELL))
    # a comment on a paragraph whose text is not changed
    lead = ox.sdt_content(find_block(root, "diplomatic-lead"))[0]
    d.add_comment(DocxParagraph(lead, d._body).runs[0], text=COMMENT, author="Analyst", initials="AN")
    # a paragraph inside the machine-drafted callout extended
    ox.sdt_content(find_block(root, "kj-method"))[0].append(ox.text_run(CALLOUT))
    # a heading renamed (Word keeps its bookmarks)
    ox.sdt_content(find_block(root, "timeline"))[0].append(ox.text_run(HEADING_SUFFIX))
    # a callout's title rewritten
    callout_title(root, "key-figures").append(ox.text_run(BOX_TITLE_SUFFIX))
    # a source entry annotated
    ox.sdt_content(find_block(root, SOURCE_BLOCK))[0].append(ox.text_run(SOURCE_NOTE))
    d.save(str(path))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages)


def block_text(path, bid: str) -> str | None:
    root = ox.document_root(path)
    entries = ox.read_manifest_entries(path)
    by = {e.block_id: e for e in entries}
    for b, sdt in ox.iter_blocks(root, entries=entries):
        if b == bid:
            return "\n".join(ox.element_text(e) for e in ox.block_elements(sdt, by.get(bid)))
    return None


def lines_of(path) -> list[str]:
    return [ln for ln in ox.docx_text(path).split("\n") if ln.strip()]


def build(project: Path, *, force: bool = False):
    import inspect

    from briefing.pipeline import build as run_build

    lines: list[str] = []
    kw = {"force": True} if force and "force" in inspect.signature(run_build).parameters else {}
    res = run_build(project, log=lines.append, **kw)
    return res, lines


def libreoffice_resave(path: Path, work: Path) -> None:
    """Open and save ``path`` with LibreOffice (headless --convert-to docx), in place."""
    import subprocess

    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, work / path.name)
    subprocess.run(["soffice", "--headless", "--convert-to", "docx", "--outdir", str(work / "conv"),
                    str(work / path.name)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
    shutil.copy(work / "conv" / path.name, path)


_FIRST: dict[str, Path] = {}


def first_build(factory) -> Path:
    """One build of the seeds per test session; each round trip starts from a copy of it."""
    if "project" not in _FIRST:
        project = factory.mktemp("seeds_build")
        shutil.copytree(SEEDS, project / "seeds")
        build(project)
        _FIRST["project"] = project
    return _FIRST["project"]


def edit_add_rebuild(project: Path, article: Path, *, through_libreoffice: bool = False, factory=None):
    if factory is not None:
        first = first_build(factory)
        shutil.copytree(first / "seeds", project / "seeds")
        shutil.copytree(first / "out", project / "out", ignore=shutil.ignore_patterns(".lock"))
    else:
        shutil.copytree(SEEDS, project / "seeds")
        build(project)
    out = project / "out"
    word_edit(out / "brief.docx")
    if through_libreoffice:
        libreoffice_resave(out / "brief.docx", project / "lo")
    edited = (out / "brief.docx").read_bytes()
    shutil.copy(article, project / "seeds" / article.name)
    res, lines = build(project)
    return edited, res, lines


def bookmark_names(path) -> list[str]:
    return [b.get(qn("w:name")) for b in ox.document_root(path).iter(qn("w:bookmarkStart"))]


def assert_links_resolve(path) -> None:
    """Bookmark names are unique and every internal link (TOC lines, citations) finds one."""
    names = bookmark_names(path)
    dups = sorted({n for n in names if names.count(n) > 1})
    assert not dups, f"duplicate bookmark names: {dups}"
    anchors = {h.get(qn("w:anchor")) for h in ox.document_root(path).iter(qn("w:hyperlink"))}
    anchors.discard(None)
    assert anchors and anchors <= set(names), sorted(anchors - set(names))


# --------------------------------------------------------------------------------------------
# the round trip
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    project = tmp_path_factory.mktemp("roundtrip")
    edited, res, lines = edit_add_rebuild(project, DUTCH, factory=tmp_path_factory)
    out = project / "out"
    pdf = pdf_text(out / "brief.pdf")
    return project, edited, res, lines, pdf


def test_the_edited_file_is_backed_up_before_anything_is_written(merged):
    project, edited, res, *_ = merged
    backups = sorted((project / "out" / "history").glob("brief-*.docx"))
    assert [b.read_bytes() == edited for b in backups] == [True]
    assert res.outputs["docx-backup"] == backups[0]


def test_changed_runs_keep_their_text_and_formatting(merged):
    project, *_ , pdf = merged
    path = project / "out" / "brief.docx"
    assert block_text(path, "bluf-summary") == BLUF_BOLD + BLUF_HIGHLIGHT + BLUF_TAIL
    p = ox.sdt_content(find_block(ox.document_root(path), "bluf-summary"))[0]
    runs = {"".join(t.text for t in r.iter(qn("w:t"))): r for r in p.iter(qn("w:r"))}
    assert runs[BLUF_BOLD].find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    assert runs[BLUF_HIGHLIGHT].find(f"{qn('w:rPr')}/{qn('w:highlight')}").get(qn("w:val")) == "yellow"
    assert runs[BLUF_HIGHLIGHT].find(f"{qn('w:rPr')}/{qn('w:i')}") is not None
    assert (BLUF_BOLD + BLUF_HIGHLIGHT + BLUF_TAIL).strip() in pdf


def test_inserted_paragraph_and_table_stay_where_they_were(merged):
    project, *_, pdf = merged
    path = project / "out" / "brief.docx"
    lines = lines_of(path)
    assert lines.count(ADDED) == 1 and lines[lines.index(ADDED) - 1] == "Situation"
    i = lines.index(ADDED_TABLE[0])
    assert lines[i + 1] == ADDED_TABLE[1]
    assert any(CELL in ln for ln in lines[:i])  # after the actors table it followed
    assert pdf.index("Situation") < pdf.index(ADDED)
    assert f"{ADDED_TABLE[0]} {ADDED_TABLE[1]}" in pdf


def test_deleted_section_stays_deleted_everywhere(merged):
    from briefing.regen import read_entries

    project, *_, pdf = merged
    path = project / "out" / "brief.docx"
    states = {e.block_id: e.state for e in read_entries(path)}
    assert all(states[b] == "deleted" for b in DELETED)
    assert "Outlook" not in ox.docx_text(path)  # not even in the cached table of contents
    assert "Outlook" not in pdf


def test_table_cell_callout_paragraph_heading_and_source_edits_survive(merged):
    project, _, res, _, pdf = merged
    path = project / "out" / "brief.docx"
    assert CELL in block_text(path, "actors-table")
    assert block_text(path, "kj-method").endswith(CALLOUT.strip())
    assert block_text(path, "timeline") == "Timeline" + HEADING_SUFFIX
    assert block_text(path, SOURCE_BLOCK).endswith(SOURCE_NOTE.strip())
    for s in (CELL, CALLOUT.strip(), "Timeline" + HEADING_SUFFIX, SOURCE_NOTE.strip()):
        assert s in pdf, s
    # the rest of the callout was regenerated: the new country is in the machine-drafted judgment
    assert "Netherlands" in block_text(path, "kj-advisories")


def test_comment_survives_and_changed_facts_get_the_new_wording(merged):
    import docx

    project, _, res, lines, _ = merged
    d = docx.Document(str(project / "out" / "brief.docx"))
    comments = list(d.comments)
    assert any(c.author == "Analyst" and c.text == COMMENT for c in comments)
    ours = [c for c in comments if c.author == "briefing"]
    assert "Netherlands" not in block_text(project / "out" / "brief.docx", "diplomatic-lead")
    assert any("Netherlands" in c.text for c in ours)  # the lead's new wording, offered beside it
    assert len(list(d.element.body.iter(qn("w:commentReference")))) == len(comments)
    assert any(ln.startswith("kept your edit of") and "[diplomatic-lead]" in ln for ln in lines)


def test_callout_title_edit_is_kept_once(merged):
    project, *_, pdf = merged
    path = project / "out" / "brief.docx"
    box = find_block(ox.document_root(path), "key-figures")
    titles = [ox.element_text(p) for p in box.iter(qn("w:p")) if pstyle(p) == "BriefCalloutTitle"]
    assert titles == ["Key figures" + BOX_TITLE_SUFFIX]
    assert pdf.count("Key figures" + BOX_TITLE_SUFFIX) == 1
    assert pdf.count("Key figures") == 1
    # the box's table was not edited: it took the new figure
    assert "63" in block_text(path, "key-figures-table")


def test_bookmarks_stay_unique_and_every_link_resolves(merged):
    project, _, res, *_ = merged
    path = project / "out" / "brief.docx"
    assert_links_resolve(path)
    root = ox.document_root(path)
    # the renamed heading is still in the table of contents (its bookmark is the one the TOC uses)
    toc_names = {h.get(qn("w:anchor")) for h in find_block(root, "toc").iter(qn("w:hyperlink"))}
    heading = ox.sdt_content(find_block(root, "timeline"))[0]
    assert {b.get(qn("w:name")) for b in heading.iter(qn("w:bookmarkStart"))} & toc_names
    # the annotated source entry carries the bookmark of its new number: citations reach it
    number = res.sheet.source(SOURCE_ID).number
    entry = ox.sdt_content(find_block(root, SOURCE_BLOCK))[0]
    assert [b.get(qn("w:name")) for b in entry.iter(qn("w:bookmarkStart"))] == [ox.bookmark_name(f"src-{number}")]


def test_new_advisory_and_new_figure_appear_in_docx_and_pdf(merged):
    project, *_, pdf = merged
    path = project / "out" / "brief.docx"
    assert "Netherlands" in block_text(path, "advisories-table")
    assert "Netherlands" in pdf
    assert "63" in block_text(path, "key-figures-table")
    assert "63 fuel tankers destroyed" in pdf


def test_what_changed_reports_the_new_source_figure_and_advisory(merged):
    project, *_, pdf = merged
    path = project / "out" / "brief.docx"
    changed = block_text(path, "what-changed-list")
    assert "New source:" in changed and "Netherlands orders its citizens out of Mali" in changed
    assert "63 fuel tankers destroyed" in changed
    assert "Travel advice: Netherlands: none → nationals told to leave" in changed
    assert "Travel advice: Netherlands: none → nationals told to leave" in pdf
    md = (project / "out" / "changes.md").read_text(encoding="utf-8")
    advisory = md.split("## Advisory changes", 1)[1]
    assert "- NL: none -> leave_now" in advisory
    assert "dutch" in md.split("## New sources", 1)[1].split("##", 1)[0]


def test_rebuild_with_nothing_new_is_a_no_op_without_rendering(merged, monkeypatch):
    import briefing.render.docx as docx_writer

    project, *_ = merged
    out = project / "out"
    before = ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes())

    def no_render(*a, **k):  # the Word file is not rendered again when nothing changed
        raise AssertionError("rendered on a no-change rebuild")

    monkeypatch.setattr(docx_writer, "render_bytes", no_render)
    res, _ = build(project, force=True)
    assert ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes()) == before
    assert len(list((out / "history").glob("*.docx"))) == 1
    assert "docx-backup" not in res.outputs
