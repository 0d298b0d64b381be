"""Word writer: structure, fields, links, markers, safety, determinism (no pixels).

LibreOffice checks (open, convert, round-trip the markers) run only when ``soffice`` is installed.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from briefing.config import Config, load_theme, resolve_styles
from briefing.model import (
    BulletList,
    Callout,
    Cite,
    DocMeta,
    Document,
    Heading,
    Link,
    Paragraph,
    Table,
    Text,
)
from briefing.render import docx as W
from briefing.render import ooxml as ox
from tests.doc_fixtures import HOSTILE, UNICODE, sample_document

ROOT = Path(__file__).resolve().parent.parent
W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _all_block_ids(blocks) -> list[str]:
    out = []
    for b in blocks:
        out.append(b.id)
        if isinstance(b, Callout):
            out.extend(_all_block_ids(b.blocks))
    return out


@pytest.fixture(scope="module")
def styles():
    return resolve_styles(None, Config())


@pytest.fixture(scope="module")
def sample(tmp_path_factory, styles):
    tmp = tmp_path_factory.mktemp("docx")
    doc = sample_document(tmp / "fx")
    path = tmp / "brief.docx"
    W.write(doc, path, styles)
    return doc, path


def _part(path: Path, name: str):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def _style_names(d) -> dict[str, str]:
    return {s.style_id: s.name for s in d.styles}


# --------------------------------------------------------------------------------------------
# styles and structure
# --------------------------------------------------------------------------------------------


def test_styles_used_come_from_reference(sample):
    _, path = sample
    d = docx.Document(str(path))
    names = _style_names(d)
    body = d.element.body
    used_p = {names[e.get(qn("w:val"))] for e in body.iter(qn("w:pStyle"))}
    used_t = {names[e.get(qn("w:val"))] for e in body.iter(qn("w:tblStyle"))}
    for expected in ["Title", "Subtitle", "Heading 1", "Heading 2", "Caption", "Body Text", "List Bullet",
                     "Brief BLUF", "Brief Source", "Brief Marking", "TOC Heading", "toc 1", "toc 2",
                     "Brief Table Text", "Brief Figure"]:
        assert expected in used_p, expected
    assert {"Brief Table", "Brief Key Figures", "Brief Callout", "Brief Callout Machine"} <= used_t
    # every referenced style exists
    assert all(e.get(qn("w:val")) in names for e in body.iter(qn("w:pStyle")))


def test_heading_outline_in_order(sample):
    doc, path = sample
    d = docx.Document(str(path))
    names = _style_names(d)
    got = []
    for p in d.element.body.iter(qn("w:p")):
        ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if ps is not None and names[ps.get(qn("w:val"))].startswith("Heading"):
            got.append((int(names[ps.get(qn("w:val"))][-1]), ox.element_text(p)))
    want = [(b.level, b.text) for b in doc.blocks if isinstance(b, Heading)]
    assert got == want
    # built-in heading styles carry outline levels (navigation pane)
    h1 = d.styles["Heading 1"].element
    assert h1.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}").get(qn("w:val")) == "0"


def test_theme_fonts_and_page(sample, styles):
    _, path = sample
    st = _part(path, "word/styles.xml")
    assert not [e for e in st.iter(qn("w:rFonts")) if e.get(qn("w:asciiTheme")) or e.get(qn("w:cstheme"))]
    rf = st.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    font = styles.theme.fonts["body"]
    assert [rf.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi")] == [font] * 2
    # other scripts: the theme's first East Asian and complex-script fonts, on every style that names fonts
    ea, cs = styles.theme.fonts["east_asian"][0], styles.theme.fonts["complex"][0]
    assert (rf.get(qn("w:eastAsia")), rf.get(qn("w:cs"))) == (ea, cs)
    named = [e for e in st.iter(qn("w:rFonts")) if e.get(qn("w:ascii"))]
    assert named and all(e.get(qn("w:eastAsia")) == ea and e.get(qn("w:cs")) == cs for e in named)
    lang = st.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) and lang.get(qn("w:bidi")).startswith("ar")
    # the next choices are fallbacks in the font table
    ft = _part(path, "word/fontTable.xml")
    alt = {e.get(qn("w:name")): e.find(qn("w:altName")) for e in ft.findall(qn("w:font"))}
    assert alt[ea] is not None and alt[ea].get(qn("w:val")) == styles.theme.fonts["east_asian"][1]
    d = docx.Document(str(path))
    sec = d.sections[0]
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    assert round(sec.left_margin.cm, 2) == round(float(styles.theme.page["margin_cm"]), 2)


def test_title_block_and_marking(sample):
    doc, path = sample
    text = W.docx_text(path)
    lines = text.splitlines()
    assert lines[0] == doc.meta.marking
    assert lines[1] == doc.meta.title
    assert doc.meta.as_of in lines[:6]
    assert "Analyst Name · Example Security Desk" in lines[:6]
    d = docx.Document(str(path))
    header = ox.element_text(d.sections[0].header._element)
    footer = ox.element_text(d.sections[0].footer._element)
    assert doc.meta.marking in header and doc.meta.title in header
    assert doc.meta.marking in footer and "Page" in footer


def test_marking_colours():
    theme = load_theme(ROOT / "styles" / "theme.toml")
    opts = W.docx_options(theme)
    assert W.marking_colors("TLP:AMBER", opts, theme) == ("FFC000", "000000")
    assert W.marking_colors("tlp:red", opts, theme) == ("FF2B2B", "000000")
    assert W.marking_colors("RESTRICTED", opts, theme) == ("FFFFFF", "C8102E")


# --------------------------------------------------------------------------------------------
# fields, captions, tables, pictures
# --------------------------------------------------------------------------------------------


def _instr(root) -> list[str]:
    return [" ".join((e.text or "").split()) for e in root.iter(qn("w:instrText"))]


def test_fields_toc_seq_page(sample):
    _, path = sample
    doc_xml = _part(path, "word/document.xml")
    instr = _instr(doc_xml)
    assert 'TOC \\o "1-3" \\h \\z \\u' in instr
    assert instr.count("SEQ Figure \\* ARABIC") == 1
    assert instr.count("SEQ Table \\* ARABIC") == 2
    # the TOC sits in a Table-of-Contents document-part control and is marked dirty
    toc_sdt = [s for s in doc_xml.iter(qn("w:sdt")) if ox.sdt_tag(s) == "brief:toc"][0]
    gallery = toc_sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    assert gallery.get(qn("w:val")) == "Table of Contents"
    begins = [f for f in toc_sdt.iter(qn("w:fldChar")) if f.get(qn("w:fldCharType")) == "begin"]
    assert begins[0].get(qn("w:dirty")) == "true"
    # cached TOC entries link to bookmarks on the headings
    names = {b.get(qn("w:name")) for b in doc_xml.iter(qn("w:bookmarkStart"))}
    toc_links = [h.get(qn("w:anchor")) for h in toc_sdt.iter(qn("w:hyperlink"))]
    assert len(toc_links) == 4 and all(a in names for a in toc_links)
    settings = _part(path, "word/settings.xml")
    upd = settings.find(qn("w:updateFields"))
    assert upd is not None and upd.get(qn("w:val")) == "true"
    footer_instr = []
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if re.match(r"word/footer\d*\.xml", n):
                footer_instr += _instr(etree.fromstring(z.read(n)))
    assert "PAGE" in footer_instr and "NUMPAGES" in footer_instr


def test_captions_numbered_and_kept_with(sample):
    _, path = sample
    d = docx.Document(str(path))
    names = _style_names(d)
    caps = []
    for p in d.element.body.iter(qn("w:p")):
        ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if ps is not None and names[ps.get(qn("w:val"))] == "Caption":
            caps.append(p)
    texts = [ox.element_text(p) for p in caps]
    assert texts[0].startswith("Table 1: Key figures")
    assert texts[1].startswith("Figure 1: Attacks by period.")
    assert texts[2].startswith("Table 2: Advisories by country")
    # table captions keep with their table; the figure picture keeps with its caption
    for p in (caps[0], caps[2]):
        assert p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
    pic_para = caps[1].getprevious()
    assert next(pic_para.iter(qn("w:drawing")), None) is not None
    assert names[pic_para.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val"))] == "Brief Figure"
    # source note under the caption, in small text
    note = caps[1].getnext()
    assert ox.element_text(note) == "Sources: [1], [2]"


def test_tables_header_repeat_cant_split_widths(sample):
    doc, path = sample
    d = docx.Document(str(path))
    names = _style_names(d)
    data_tables = [t for t in d.element.body.iter(qn("w:tbl"))
                   if names[t.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}").get(qn("w:val"))]
                   in ("Brief Table", "Brief Key Figures")]
    assert len(data_tables) == 2
    for t in data_tables:
        rows = t.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in rows[1:])
    adv = data_tables[1]
    grid = [int(g.get(qn("w:w"))) for g in adv.iter(qn("w:gridCol"))]
    assert abs(grid[0] / grid[3] - 3.0) < 0.01 and abs(grid[2] / grid[3] - 2.0) < 0.01
    assert sum(grid) == W._Writer(doc, resolve_styles(None, Config()))._text_width()
    # Cite cells render as linked numbers
    last_cell = adv.findall(qn("w:tr"))[1].findall(qn("w:tc"))[3]
    assert ox.element_text(last_cell) == "[1, 2]"
    assert [h.get(qn("w:anchor")) for h in last_cell.iter(qn("w:hyperlink"))] == ["src_1", "src_2"]
    # key figures are visibly distinct (own table style, dark header row)
    kf_style = d.styles["Brief Key Figures"].element
    fill = kf_style.find(f"{qn('w:tblStylePr')}/{qn('w:tcPr')}/{qn('w:shd')}").get(qn("w:fill"))
    assert fill == "1F3A5F"


def test_pictures_alt_text_and_width(sample, styles):
    doc, path = sample
    doc_xml = _part(path, "word/document.xml")
    fig = [b for b in doc.blocks if b.__class__.__name__ == "FigureBlock"][0].figure
    docprs = list(doc_xml.iter(f"{{{WP}}}docPr"))
    assert docprs, "no picture"
    for dp in docprs:
        assert dp.get("descr") and dp.get("title")
    assert docprs[0].get("descr") == fig.alt and docprs[0].get("title") == fig.title
    assert len({dp.get("id") for dp in docprs}) == len(docprs)
    extent = next(doc_xml.iter(f"{{{WP}}}extent"))
    tw = ox.text_width_twips(styles.theme)
    assert abs(int(extent.get("cx")) - tw * ox.EMU_PER_TWIP) < 2 * ox.EMU_PER_TWIP


def test_callouts_boxed_and_machine_labelled(sample, tmp_path):
    _, path = sample
    root = _part(path, "word/document.xml")
    sdts = {ox.sdt_tag(s): s for s in root.iter(qn("w:sdt"))}
    kf = sdts["brief:kf"]
    kj = sdts["brief:kj"]
    assert [ox._local(e) for e in ox.sdt_content(kf)] == ["tbl", "p"]
    assert ox.element_text(kj).startswith("Key judgments (machine-drafted)\nIt is likely")
    # a machine box is labelled, unless its title already says so
    d2 = Document(DocMeta(title="T"), [
        Callout("m1", "Judgments", [Paragraph("x", [Text("x")])], kind="machine"),
        Callout("m2", "Machine-drafted judgments", [Paragraph("y", [Text("y")])], kind="machine"),
    ])
    buf = tmp_path / "m.docx"
    W.write(d2, buf, resolve_styles(None, Config()))
    assert W.docx_text(buf).count("Machine-drafted: for the analyst to confirm") == 1
    # nested blocks have their own markers inside the box
    assert "brief:t-kf" in {ox.sdt_tag(s) for s in kf.iter(qn("w:sdt"))}
    # each table cell ends with a paragraph
    for tc in root.iter(qn("w:tc")):
        last = [c for c in tc if c.tag in (qn("w:p"), qn("w:tbl"), qn("w:sdt"))][-1]
        while last.tag == qn("w:sdt"):
            last = ox.sdt_content(last)[-1]
        assert last.tag == qn("w:p")


# --------------------------------------------------------------------------------------------
# citations and links
# --------------------------------------------------------------------------------------------


def test_citations_link_to_source_bookmarks(sample):
    _, path = sample
    root = _part(path, "word/document.xml")
    names = {b.get(qn("w:name")) for b in root.iter(qn("w:bookmarkStart"))}
    assert {"src_1", "src_2", "bluf", "sources"} <= names
    anchors = [h.get(qn("w:anchor")) for h in root.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))]
    assert anchors and all(a in names for a in anchors)
    assert "src_1" in anchors and "src_2" in anchors
    ids = [b.get(qn("w:id")) for b in root.iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(b.get(qn("w:id")) for b in root.iter(qn("w:bookmarkEnd")))
    # the source entry's bookmark is on the source paragraph
    for b in root.iter(qn("w:bookmarkStart")):
        if b.get(qn("w:name")) == "src_1":
            assert ox.element_text(b.getparent()).startswith("[1] Outlet One")
    # bookmark names are valid Word names
    for n in names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", n)


def test_external_link_relationship(sample):
    _, path = sample
    d = docx.Document(str(path))
    targets = {r.target_ref for r in d.part.rels.values() if r.is_external}
    assert "https://example.org/a?b=1&c=2" in targets and "https://example.org" in targets
    rids = {h.get(qn("r:id")) for h in d.element.body.iter(qn("w:hyperlink")) if h.get(qn("r:id"))}
    assert rids and all(d.part.rels[r].is_external for r in rids)


def test_compact_citations_ranges_and_more(tmp_path, styles):
    srcs = [Paragraph(f"s{n}", [Text(f"[{n}] Source {n}")], style="source", anchor=f"src-{n}") for n in (3, 4, 5, 6, 7, 12)]
    doc = Document(DocMeta(title="T"), [Paragraph("p", [Text("Figure "), Cite([3, 4, 5, 6, 7, 12], more=240), Text(" and "), Cite([3, 4])])] + srcs)
    path = tmp_path / "c.docx"
    W.write(doc, path, styles)
    root = docx.Document(str(path)).element.body
    para = next(p for p in root.iter(qn("w:p")) if ox.element_text(p).startswith("Figure"))
    assert ox.element_text(para) == "Figure [3\u20137, 12 and 240 more] and [3, 4]"
    # both ends of a range link to their source entries; the count of the rest is plain text
    assert [h.get(qn("w:anchor")) for h in para.iter(qn("w:hyperlink"))] == ["src_3", "src_7", "src_12", "src_3", "src_4"]
    assert Cite([1, 2, 3, 5, 6, 9]).spans() == [(1, 3), (5, 5), (6, 6), (9, 9)]


def test_unsafe_links_and_unknown_cites_stay_text(tmp_path, styles):
    doc = Document(
        DocMeta(title="T"),
        [Paragraph("p", [Link("click", "javascript:alert(1)"), Text(" "), Link("x", "#nowhere"), Cite([9])])],
    )
    path = tmp_path / "b.docx"
    W.write(doc, path, styles)
    d = docx.Document(str(path))
    assert not [r for r in d.part.rels.values() if r.is_external]
    assert next(d.element.body.iter(qn("w:hyperlink")), None) is None
    assert "click x[9]" in W.docx_text(path)


def test_alias_keeps_block_id_and_fits():
    a = ox.alias_for("Paragraph (body): " + "word " * 40, "sec-security-p3")
    assert len(a) <= 64 and a.endswith("[brief:sec-security-p3]")
    assert ox.ALIAS_ID.search(a).group(1) == "sec-security-p3"


def test_bookmark_name_mapping():
    assert ox.bookmark_name("src-3") == "src_3"
    assert ox.bookmark_name("3rd") == "a_3rd"
    long = ox.bookmark_name("x" * 80)
    assert len(long) <= 40 and long != ox.bookmark_name("x" * 81)


# --------------------------------------------------------------------------------------------
# markers and manifest (edit/rebuild merge)
# --------------------------------------------------------------------------------------------


def test_every_block_has_a_tagged_control(sample):
    doc, path = sample
    ids = _all_block_ids(doc.blocks)
    found = [bid for bid, _ in W.iter_blocks(path)]
    assert found == [W.TITLE_BLOCK_ID] + ids
    root = _part(path, "word/document.xml")
    sdt_ids = []
    for s in root.iter(qn("w:sdt")):
        assert ox.sdt_tag(s).startswith("brief:")
        assert ox.sdt_alias(s).endswith(f"[{ox.sdt_tag(s)}]")
        sdt_ids.append(ox.sdt_id(s))
    assert len(sdt_ids) == len(set(sdt_ids))


def test_manifest_readable_and_matches_content(sample):
    doc, path = sample
    manifest = W.read_manifest(path)
    assert list(manifest) == [W.TITLE_BLOCK_ID] + _all_block_ids(doc.blocks)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in manifest.values())
    entries = {e.block_id: e for e in W.read_manifest_entries(path)}
    for bid, sdt in W.iter_blocks(path):
        assert W.block_hash(sdt, entries[bid]) == manifest[bid], bid
    assert entries["t-kf"].parent == "kf" and entries["kf"].parent == ""
    # the manifest also reads from an opened python-docx Document
    d = docx.Document(str(path))
    assert [b for b, _ in W.iter_blocks(d)] == list(manifest)


def test_hash_ignores_field_updates_and_detects_edits(sample):
    _, path = sample
    d = docx.Document(str(path))
    blocks = dict(W.iter_blocks(d))
    toc = blocks["toc"]
    before = W.block_hash(toc)
    for t in toc.iter(qn("w:t")):  # Word refreshing the TOC changes only field results
        if t.text == "Security":
            t.text = "Security\t2"
    assert W.block_hash(toc) == before
    para = blocks["p-hostile"]
    before = W.block_hash(para)
    next(para.iter(qn("w:t"))).text += " (analyst edit)"
    assert W.block_hash(para) != before


def test_stale_manifest_in_reference_is_replaced(tmp_path, styles):
    first = tmp_path / "first.docx"
    W.write(Document(DocMeta(title="One"), [Paragraph("a", [Text("alpha")])]), first, styles)
    st2 = replace(styles, reference_docx=first)  # a previous brief used as the reference
    second = tmp_path / "second.docx"
    W.write(Document(DocMeta(title="Two"), [Paragraph("b", [Text("beta")])]), second, st2)
    assert list(W.read_manifest(second)) == [W.TITLE_BLOCK_ID, "b"]
    assert "alpha" not in W.docx_text(second)


def test_docx_text_sees_inside_controls(sample):
    _, path = sample
    d = docx.Document(str(path))
    assert not [p for p in d.paragraphs if p.text.strip()]  # python-docx cannot see them
    text = W.docx_text(path)
    assert "Bottom line up front" in text and "[1] Outlet One" in text and "Country 5" in text


# --------------------------------------------------------------------------------------------
# text safety, lists, options
# --------------------------------------------------------------------------------------------


def test_hostile_and_unicode_text_literal(sample):
    _, path = sample
    text = W.docx_text(path)
    assert HOSTILE in text
    assert UNICODE in text
    with zipfile.ZipFile(path) as z:
        raw = z.read("word/document.xml").decode("utf-8")
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; ]]&gt;" in raw
    # the hostile paragraph produced no bold run
    root = _part(path, "word/document.xml")
    runs = [r for r in root.iter(qn("w:r")) if "not bold" in "".join(t.text or "" for t in r.iter(qn("w:t")))]
    assert runs and all(r.find(f"{qn('w:rPr')}/{qn('w:b')}") is None for r in runs)


def test_xml_illegal_characters_are_dropped(tmp_path, styles):
    bad = "bell\x07 vt\x0b nul\x00 ok\ufffe"
    doc = Document(
        DocMeta(title="Title\x0c with form feed", author="A\x01", keywords=["k\x02"]),
        [Heading("h", 1, "Head\x1f"), Paragraph("p", [Text(bad)]), Table("t", ["a\x03"], [[[Text("c\x04")]]], caption="x\x05")],
    )
    path = tmp_path / "b.docx"
    W.write(doc, path, styles)
    text = W.docx_text(path)
    assert "bell vt nul ok" in text and "Head" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", text)
    d = docx.Document(str(path))
    assert d.core_properties.title == "Title with form feed"


def test_ordered_lists_restart_numbering(tmp_path, styles):
    doc = Document(DocMeta(title="T"), [
        BulletList("o1", [[Text("one")], [Text("two")]], ordered=True),
        BulletList("u1", [[Text("dot")]]),
        BulletList("o2", [[Text("again")]], ordered=True),
    ])
    path = tmp_path / "b.docx"
    W.write(doc, path, styles)
    d = docx.Document(str(path))
    blocks = dict(W.iter_blocks(d))
    num = lambda bid: {p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}").get(qn("w:val"))  # noqa: E731
                       for p in ox.sdt_content(blocks[bid])}
    assert len(num("o1")) == 1 and len(num("o2")) == 1 and num("o1") != num("o2")
    numbering = d.part.numbering_part.element
    for n in num("o1") | num("o2"):
        node = [x for x in numbering.findall(qn("w:num")) if x.get(qn("w:numId")) == n][0]
        assert node.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}").get(qn("w:val")) == "1"
    names = _style_names(d)
    u_style = ox.sdt_content(blocks["u1"])[0].find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val"))
    assert names[u_style] == "List Bullet"


def test_docx_options_from_theme(tmp_path, styles):
    theme_text = (ROOT / "styles" / "theme.toml").read_text(encoding="utf-8")
    theme_path = tmp_path / "theme.toml"
    theme_path.write_text(theme_text + '\n[docx.labels]\ncontents = "Inhalt"\nfigure = "Abbildung"\n',
                          encoding="utf-8")
    st = replace(styles, theme=load_theme(theme_path))
    path = tmp_path / "b.docx"
    doc = sample_document(tmp_path / "fx")
    W.write(doc, path, st)
    text = W.docx_text(path)
    assert "\nInhalt\n" in text and "Abbildung 1: " in text


def test_foreign_reference_gets_missing_styles(tmp_path, styles):
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # a reference without any house style
    st = replace(styles, reference_docx=plain)
    path = tmp_path / "b.docx"
    W.write(sample_document(tmp_path / "fx"), path, st)
    d = docx.Document(str(path))
    names = {s.name for s in d.styles}
    assert {"Brief BLUF", "Brief Source", "Brief Table", "Brief Callout Machine", "Caption"} <= names


# --------------------------------------------------------------------------------------------
# determinism, validity, properties, reference
# --------------------------------------------------------------------------------------------


def test_byte_identical_rebuild(tmp_path, styles):
    doc = sample_document(tmp_path / "fx")
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    W.write(doc, a, styles)
    W.write(doc, b, styles)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_created_falls_back_to_source_date_epoch(tmp_path, styles, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = tmp_path / "b.docx"
    W.write(Document(DocMeta(title="T"), [Paragraph("p", [Text("x")])]), path, styles)
    cp = docx.Document(str(path)).core_properties
    assert cp.created.isoformat().startswith("2023-11-14T22:13:20")


def test_document_properties(sample):
    doc, path = sample
    cp = docx.Document(str(path)).core_properties
    assert cp.title == doc.meta.title and cp.subject == doc.meta.subject
    assert cp.author == doc.meta.author and cp.keywords == "blockade, advisories"
    assert cp.created.isoformat().startswith("2025-11-13T00:00:00")
    assert cp.modified == cp.created
    assert cp.language == "en" and cp.content_status == "TLP:AMBER"
    app = _part(path, "docProps/app.xml")
    ns = app.nsmap[None]
    assert app.find(f"{{{ns}}}Company").text == doc.meta.organisation


def _check_order(parent, order):
    names = [ox._local(c) for c in parent if ox._local(c) in order]
    idx = [order.index(n) for n in names]
    assert idx == sorted(idx), (ox._local(parent), names)


def test_xml_child_order_follows_schema(sample):
    _, path = sample
    with zipfile.ZipFile(path) as z:
        parts = [etree.fromstring(z.read(n)) for n in z.namelist()
                 if re.match(r"word/(document|header\d*|footer\d*|styles)\.xml", n)]
    for root in parts:
        for tag, order in (("w:pPr", ox.PPR_ORDER), ("w:rPr", ox.RPR_ORDER), ("w:tblPr", ox.TBLPR_ORDER),
                           ("w:trPr", ox.TRPR_ORDER), ("w:tcPr", ox.TCPR_ORDER), ("w:style", ox.STYLE_ORDER)):
            for e in root.iter(qn(tag)):
                _check_order(e, order)
        for sdtpr in root.iter(qn("w:sdtPr")):
            _check_order(sdtpr, ["rPr", "alias", "tag", "id", "lock", "docPartObj"])
        for bm in root.iter(qn("w:bookmarkStart")):
            prev = bm.getprevious()
            assert prev is None or ox._local(prev) in ("pPr", "bookmarkStart")
        for p in root.iter(qn("w:p")):
            ppr = p.find(qn("w:pPr"))
            assert ppr is None or p.index(ppr) == 0
    settings = _part(path, "word/settings.xml")
    kids = [ox._local(c) for c in settings if c.tag.startswith(f"{{{W_MAIN}}}")]  # main namespace only
    after = [k for k in kids[kids.index("updateFields") + 1:]]
    assert all(k in ox.SETTINGS_BEFORE_UPDATEFIELDS for k in after)


def _load_make_reference():
    spec = importlib.util.spec_from_file_location("make_reference", ROOT / "styles" / "reference_src" / "make_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_reference_docx_is_reproducible_from_theme():
    mod = _load_make_reference()
    data = mod.build_reference(ROOT / "styles" / "theme.toml")
    committed = (ROOT / "styles" / "reference.docx").read_bytes()
    assert data == committed, "styles/reference.docx is stale: run styles/reference_src/make_reference.py"
    d = docx.Document(io.BytesIO(committed))
    names = {s.name for s in d.styles}
    for name in ["Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "Body Text", "List Bullet",
                 *ox.PARAGRAPH_STYLES.values(), "Brief Table", "Brief Key Figures", "Brief Callout"]:
        assert name in names, name


# --------------------------------------------------------------------------------------------
# LibreOffice (optional): opens, converts, keeps the markers
# --------------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")


def _soffice(args: list[str], cwd: Path) -> None:
    profile = cwd / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", *args], cwd=cwd,
                   check=True, capture_output=True, timeout=120)


@needs_soffice
def test_libreoffice_opens_and_converts(sample, tmp_path):
    _, path = sample
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], tmp_path)
    pdf = tmp_path / "brief.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 2 and "Bottom line up front" in text and "Page 1 of" in text


@needs_soffice
def test_markers_survive_libreoffice_save(sample, tmp_path):
    doc, path = sample
    out = tmp_path / "saved"
    _soffice(["--convert-to", "docx", "--outdir", str(out), str(path)], tmp_path)
    saved = out / "brief.docx"
    assert W.read_manifest(saved) == W.read_manifest(path)
    entries = {e.block_id: e for e in W.read_manifest_entries(saved)}
    found = dict(W.iter_blocks(saved))
    top = [W.TITLE_BLOCK_ID] + [b.id for b in doc.blocks]
    assert set(top) <= set(found)  # LibreOffice keeps every top-level marker (nested ones merge)
    for bid in top:
        assert W.block_hash(found[bid], entries[bid]) == entries[bid].sha256, bid
