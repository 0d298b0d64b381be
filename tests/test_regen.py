"""The Word merge on small documents (issue 6): anchoring, unplaced text, markers stripped,
formatting-only edits, callout titles, bookmark names, and the no-change fast path.

The whole round trip on the seeds (Word-style edits, a new article, rebuild, docx + PDF) is in
test_roundtrip_word.py, and through LibreOffice in test_roundtrip_libreoffice.py.
"""

from __future__ import annotations

import io

import pytest
from docx.oxml.ns import qn

from briefing.model import Callout, DocMeta, Document, Heading, Paragraph, Text
from briefing.render import ooxml as ox
from tests.doc_fixtures import callout_title, find_block

# --------------------------------------------------------------------------------------------
# helpers: edit a .docx as Word would
# --------------------------------------------------------------------------------------------






def edit(data: bytes, fn) -> bytes:
    import docx

    d = docx.Document(io.BytesIO(data))
    fn(d.element)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


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


def test_pdf_is_redrawn_only_when_what_it_shows_changed(tmp_path, styles):
    from briefing.regen import pdf_key, pdf_up_to_date, record_pdf

    a = small_doc(para("p1", "One."))
    b = small_doc(para("p1", "One, edited by the analyst."))
    assert pdf_key(a, styles) == pdf_key(small_doc(para("p1", "One.")), styles)
    assert pdf_key(a, styles) != pdf_key(b, styles)
    pdf, stamp_file = tmp_path / "brief.pdf", tmp_path / ".cache" / "pdf.key"
    pdf.write_bytes(b"%PDF-1.4 stand-in")
    record_pdf(pdf, pdf_key(a, styles), stamp_file)
    assert pdf_up_to_date(pdf, pdf_key(a, styles), stamp_file)
    assert not pdf_up_to_date(pdf, pdf_key(b, styles), stamp_file)
    pdf.write_bytes(b"%PDF-1.4 changed by someone")
    assert not pdf_up_to_date(pdf, pdf_key(a, styles), stamp_file)


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


# --------------------------------------------------------------------------------------------
# known defects: callout titles, bookmark names
# --------------------------------------------------------------------------------------------






def boxed(title: str, body: str) -> Document:
    return small_doc(Heading("h", 1, "One"), Callout("box", title, [para("box-p", body)]), para("after", "After."))


def text_lines(data: bytes) -> list[str]:
    return [ln for ln in ox.docx_text(data).split("\n") if ln.strip()]


def test_an_edited_callout_title_replaces_the_generated_one(styles):
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = boxed("Bottom line, week 18", "Generated body.")
    mine = edit(stamp(render_bytes(old, styles)), lambda root: callout_title(root, "box").append(ox.text_run(" (desk)")))
    new = boxed("Bottom line, week 19", "Generated body, new.")
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    lines = text_lines(res.data)
    assert lines[lines.index("One") + 1:] == ["Bottom line, week 18 (desk)", "Generated body, new.", "After."]
    box = next(b for b in res.document.blocks if isinstance(b, Callout))
    assert box.title == "Bottom line, week 18 (desk)"
    assert [b.inlines[0].text for b in box.blocks] == ["Generated body, new."]
    # and it stays the analyst's on the next rebuild, with no second title appearing
    again = merge(res.data, stamp(render_bytes(new, styles)), new)
    assert text_lines(again.data) == lines


def test_an_untouched_callout_title_follows_the_generator_when_the_body_was_edited(styles):
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = boxed("Bottom line, week 18", "Generated body.")
    mine = edit(stamp(render_bytes(old, styles)),
                lambda root: ox.sdt_content(find_block(root, "box-p"))[0].append(ox.text_run(" Mine.")))
    new = boxed("Bottom line, week 19", "Generated body, new.")
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    lines = text_lines(res.data)
    assert lines[lines.index("One") + 1:] == ["Bottom line, week 19", "Generated body. Mine.", "After."]
    box = next(b for b in res.document.blocks if isinstance(b, Callout))
    assert box.title == "Bottom line, week 19"
    assert [b.inlines[0].text for b in box.blocks] == ["Generated body. Mine."]
    assert res.report.added == 0


def test_a_deleted_callout_title_stays_deleted(styles):
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = boxed("Bottom line", "Generated body.")

    def drop(root):
        p = callout_title(root, "box")
        p.getparent().remove(p)

    mine = edit(stamp(render_bytes(old, styles)), drop)
    new = boxed("Bottom line", "Generated body, new.")
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    assert "Bottom line" not in text_lines(res.data)
    assert next(b for b in res.document.blocks if isinstance(b, Callout)).title == ""


def test_kept_callout_gives_the_pdf_its_title_once(styles):
    """A callout kept whole (its inner markers gone, as after some editors): the PDF shows the
    box's title as its title, not a second time inside the box."""
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = boxed("Bottom line", "Generated body.")

    def unmark_child(root):  # the inner control unwrapped, its paragraph edited
        sdt = find_block(root, "box-p")
        p = ox.sdt_content(sdt)[0]
        p.append(ox.text_run(" Mine."))
        sdt.addprevious(p)
        sdt.getparent().remove(sdt)

    mine = edit(stamp(render_bytes(old, styles)), unmark_child)
    new = boxed("Bottom line", "Generated body, new.")
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    box = next(b for b in res.document.blocks if isinstance(b, Callout))
    assert box.title == "Bottom line"
    texts = [b.inlines[0].text for b in box.blocks if isinstance(b, Paragraph)]
    assert "Bottom line" not in texts and any("Mine." in t for t in texts)
    assert ox.docx_text(res.data).count("Bottom line") == 1


def _bookmarks(data: bytes) -> list[tuple[str, str]]:
    root = ox.document_root(data)
    return [(b.get(qn("w:name")), ox.element_text(b.getparent())) for b in root.iter(qn("w:bookmarkStart"))]


def test_kept_heading_takes_the_new_toc_bookmark_and_names_stay_unique(styles):
    from briefing.model import TocBlock
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    def doc(*heads):
        return small_doc(TocBlock(), *[b for i, h in enumerate(heads)
                                       for b in (Heading(h.lower(), 1, h), para(f"p{i}-{h.lower()}", f"{h} text."))])

    old = doc("Alpha", "Beta", "Gamma")
    mine = edit(stamp(render_bytes(old, styles)),
                lambda root: ox.sdt_content(find_block(root, "gamma"))[0].append(ox.text_run(" (mine)")))
    new = doc("Alpha", "Inserted", "Beta", "Gamma")  # every _Toc name after "Inserted" moves by one
    res = merge(mine, stamp(render_bytes(new, styles)), new)
    marks = _bookmarks(res.data)
    names = [n for n, _ in marks]
    assert len(names) == len(set(names)), names
    toc = {h.get(qn("w:anchor")): ox.element_text(h)
           for h in find_block(ox.document_root(res.data), "toc").iter(qn("w:hyperlink"))}
    by_name = dict(marks)
    assert set(toc) <= set(by_name)  # every TOC line has its heading
    assert "Gamma (mine)" in {by_name[a] for a in toc}  # the kept heading is still in the TOC


def test_duplicate_bookmark_names_from_analyst_text_are_renamed_generated_ones_kept(styles):
    from briefing.regen import merge, stamp
    from briefing.render.docx import render_bytes

    old = small_doc(Paragraph("s1", [Text("[1] First source.")], "source", anchor="src-1"))
    theirs_doc = small_doc(Paragraph("s1", [Text("[1] First source.")], "source", anchor="src-1"),
                           para("p2", "More."))

    def analyst_bookmark(root):  # the analyst pasted text that carries a bookmark of the same name
        p = ox.paragraph()
        p.append(ox.text_run("Pasted from an older brief."))
        ox.add_bookmark(p, "src_1", 900)
        find_block(root, "s1").addprevious(p)  # before the generated entry, in document order

    mine = edit(stamp(render_bytes(old, styles)), analyst_bookmark)
    res = merge(mine, stamp(render_bytes(theirs_doc, styles)), theirs_doc)
    marks = dict((t, n) for n, t in _bookmarks(res.data))
    assert marks["[1] First source."] == "src_1"  # the generated entry keeps the name citations use
    assert marks["Pasted from an older brief."] not in ("src_1", "")
    ids = [b.get(qn("w:id")) for b in ox.document_root(res.data).iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------------------------
# the no-change fast path
# --------------------------------------------------------------------------------------------


def test_document_json_round_trip(styles):
    from briefing.model import BulletList, Cite, Figure, FigureBlock, Link, Table, to_dict
    from briefing.regen import doc_digest, doc_from_json, doc_to_json

    fig = Figure("f", "T", "C", "A", "S", "/x.png", "/x.svg", cites=["s1"])
    doc = small_doc(Heading("h", 2, "Head", anchor="h"),
                    Paragraph("p", [Text("a", bold=True), Cite([1, 2]), Link("l", "#src-1")], "bluf"),
                    BulletList("b", [[Text("i")]], ordered=True),
                    Table("t", ["A"], [[[Text("c")]]], caption="Cap", widths=[1.0]),
                    Callout("c", "Title", [FigureBlock("fb", fig)], "machine"))
    back = doc_from_json(doc_to_json(doc))
    assert back == doc and to_dict(back) == to_dict(doc)
    assert doc_digest(back) == doc_digest(doc)
    assert doc_digest(doc) != doc_digest(small_doc(para("p", "other")))


def test_unchanged_rebuild_renders_nothing_and_gives_the_pdf_the_merged_document(tmp_path, styles, monkeypatch):
    import briefing.render.docx as docx_writer
    from briefing.model import to_dict
    from briefing.regen import rebuild_docx

    path = tmp_path / "brief.docx"
    doc = small_doc(para("p1", "One."), para("p2", "Two."))
    rebuild_docx(doc, styles, path)
    path.write_bytes(edit(path.read_bytes(), lambda root: find_block(root, "p1").addnext(
        ox.paragraph()) or find_block(root, "p1").getnext().append(ox.text_run("Mine."))))
    first = rebuild_docx(doc, styles, path)  # merges: the PDF document carries the analyst's text
    assert first.written and "Mine." in [b.inlines[0].text for b in first.document.blocks]
    data = path.read_bytes()
    calls = []
    real = docx_writer.render_bytes
    monkeypatch.setattr(docx_writer, "render_bytes", lambda *a: calls.append(1) or real(*a))
    second = rebuild_docx(small_doc(para("p1", "One."), para("p2", "Two.")), styles, path)
    assert calls == [] and not second.written and path.read_bytes() == data
    assert to_dict(second.document) == to_dict(first.document)
    # the analyst saves again: the file differs from the one recorded, so the merge runs
    path.write_bytes(edit(data, lambda root: find_block(root, "p2").append(ox.text_run(" Edited."))))
    third = rebuild_docx(doc, styles, path)
    assert calls == [1] and third.written
    # new generated content: rendered again
    rebuild_docx(small_doc(para("p1", "One, new."), para("p2", "Two.")), styles, path)
    assert calls == [1, 1]


def test_a_damaged_state_file_only_costs_time(tmp_path, styles):
    from briefing.regen import _state_file, rebuild_docx

    path = tmp_path / "brief.docx"
    doc = small_doc(para("p1", "One."))
    rebuild_docx(doc, styles, path)
    _state_file(path).write_text("{not json", encoding="utf-8")
    res = rebuild_docx(doc, styles, path)
    assert not res.written and res.document is doc
    _state_file(path).write_text('{"key": 1, "sha256": 2, "document": {"~": "Nope"}}', encoding="utf-8")
    assert rebuild_docx(doc, styles, path).document is doc


def test_an_untouched_file_is_replaced_without_a_merge_but_merged_text_is_always_merged(tmp_path, styles, monkeypatch):
    import briefing.regen as regen

    path = tmp_path / "brief.docx"
    rebuild = regen.rebuild_docx
    rebuild(small_doc(para("p1", "One.")), styles, path)
    merges = []
    real = regen.merge
    monkeypatch.setattr(regen, "merge", lambda *a, **k: merges.append(1) or real(*a, **k))
    # nobody touched the file the last build wrote: the new rendering replaces it, no merge
    res = rebuild(small_doc(para("p1", "One, updated."), para("p2", "Two.")), styles, path)
    assert merges == [] and res.written and not res.messages
    assert ox.docx_text(path).split("\n")[-2:] == ["One, updated.", "Two."]
    # the analyst adds a paragraph: merged
    path.write_bytes(add_after(path.read_bytes(), "p1", "Analyst line."))
    res = rebuild(small_doc(para("p1", "One, updated."), para("p2", "Two, new.")), styles, path)
    assert merges == [1] and "Analyst line." in ox.docx_text(path)
    # the file now holds merged analyst text, untouched since: the next build still merges, keeping it
    res = rebuild(small_doc(para("p1", "One, updated."), para("p2", "Two, newer.")), styles, path)
    assert merges == [1, 1]
    text = ox.docx_text(path)
    assert "Analyst line." in text and "Two, newer." in text
    # and a file that does not match the recorded one (edited outside, state lost) is merged too
    regen._state_file(path).unlink()
    rebuild(small_doc(para("p1", "One, updated."), para("p2", "Two, newest.")), styles, path)
    assert merges == [1, 1, 1] and "Analyst line." in ox.docx_text(path)
