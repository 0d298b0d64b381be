"""PDF writer: structure checked with pypdf (fonts, outline, links, text, furniture, determinism)."""

from __future__ import annotations

import io
import logging
import re
import shutil
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

from briefing.config import Config, default_styles_dir, load_theme, resolve_styles  # noqa: E402
from briefing.model import (  # noqa: E402
    Callout,
    Cite,
    DocMeta,
    Document,
    FigureBlock,
    Heading,
    Link,
    Paragraph,
    Table,
    Text,
)
from briefing.render import pdf, pdf_fonts  # noqa: E402
from tests.doc_fixtures import HOSTILE, make_figure, sample_document  # noqa: E402


@pytest.fixture(scope="module")
def styles():
    return resolve_styles(None, Config())


@pytest.fixture(scope="module")
def sample(tmp_path_factory, styles):
    tmp = tmp_path_factory.mktemp("pdf")
    doc = sample_document(tmp, n_rows=60)  # long enough for the advisories table to split
    out = tmp / "brief.pdf"
    pdf.write(doc, out, styles)
    return doc, out, pypdf.PdfReader(str(out))


def _text(reader) -> list[str]:
    return [p.extract_text() or "" for p in reader.pages]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _fonts(reader) -> dict[str, object]:
    out = {}
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for k in fonts:
            f = fonts[k].get_object()
            out[str(f["/BaseFont"])] = f
    return out


def _outline_titles(items, level=0, acc=None):
    acc = [] if acc is None else acc
    for it in items:
        if isinstance(it, list):
            _outline_titles(it, level + 1, acc)
        else:
            acc.append((level, it.title))
    return acc


def _render(doc, styles) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf.render_bytes(doc, styles)))


# --------------------------------------------------------------------------------------------------


def test_fonts_are_embedded_truetype_only(sample):
    _, _, reader = sample
    fonts = _fonts(reader)
    assert fonts, "no fonts in the PDF"
    for name, f in fonts.items():
        assert "Helvetica" not in name and "Times" not in name, f"base-14 font {name} used"
        desc = f["/FontDescriptor"] if "/FontDescriptor" in f else f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in desc.get_object(), f"{name} is not an embedded TrueType font"
    assert any("DejaVuSans-Bold" in n for n in fonts) and any(n.endswith("DejaVuSans") for n in fonts)


def test_outline_equals_headings(sample):
    doc, _, reader = sample
    headings = [b for b in doc.blocks if isinstance(b, Heading)]
    got = _outline_titles(reader.outline)
    assert [t for _, t in got] == [h.text for h in headings]
    assert [lvl for lvl, _ in got] == [h.level - 1 for h in headings]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_outline_levels_stay_contiguous(styles):
    doc = Document(DocMeta(title="T"), [
        Heading("a", 1, "One"), Heading("b", 3, "Deep jump"), Heading("c", 2, "Two"), Heading("d", 1, "Three"),
    ])
    got = _outline_titles(_render(doc, styles).outline)
    assert got == [(0, "One"), (1, "Deep jump"), (1, "Two"), (0, "Three")]


def test_every_link_resolves_and_citations_point_at_sources(sample):
    doc, _, reader = sample
    page_ids = [p.indirect_reference.idnum for p in reader.pages]
    named = reader.named_destinations
    n_internal = 0
    uris = []
    cite_targets = set()
    for i, page in enumerate(reader.pages):
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            if a.get("/Subtype") != "/Link":
                continue
            action = a.get("/A")
            if action is not None and action.get_object().get("/S") == "/URI":
                uris.append(str(action.get_object()["/URI"]))
                continue
            dest = a.get("/Dest")
            if dest is None and action is not None:
                dest = action.get_object().get("/D")
            assert dest is not None, f"link without destination on page {i + 1}"
            if isinstance(dest, str) or hasattr(dest, "startswith"):
                assert str(dest) in named, f"named destination {dest} missing"
                continue
            target = dest[0].idnum
            assert target in page_ids, f"link on page {i + 1} points outside the document"
            n_internal += 1
            cite_targets.add(page_ids.index(target))
    assert n_internal > 5
    assert "https://example.org/a?b=1&c=2" in uris and "https://example.org" in uris
    # the source entries are on the last page; citations land there
    assert len(reader.pages) - 1 in cite_targets


def test_text_is_literal_and_unicode_prints(sample):
    _, _, reader = sample
    text = _norm(" ".join(_text(reader)))
    assert _norm(HOSTILE) in text
    for s in ("Goïta", "Côte d'Ivoire", "Ségou", "ситуация", "⚠"):
        assert s in text
    assert "Table 1: Key figures" in text and "Table 2: Advisories by country" in text
    assert "Figure 1: Attacks attributed" in text
    assert "MACHINE-DRAFTED" in text


def test_header_and_footer_on_every_page(sample):
    _, _, reader = sample
    pages = _text(reader)
    n = len(pages)
    assert n >= 3
    for i, t in enumerate(pages, 1):
        assert f"Page {i} of {n}" in t
        assert t.count("TLP:AMBER") >= 2  # header and footer labels


def test_table_header_repeats_on_continuation_pages(sample):
    _, _, reader = sample
    pages = [p for p in _text(reader) if "Country 5" in p or "Country 59" in p]
    rows_pages = [p for p in _text(reader) if re.search(r"Country \d+", p)]
    assert len(rows_pages) >= 2, "the long table should split across pages"
    for p in rows_pages:
        assert "Country" in p and "Action" in p and "Sources" in p
    assert pages


def test_metadata_language_and_determinism(sample, styles, tmp_path):
    doc, out, reader = sample
    meta = reader.metadata
    assert meta["/Title"] == doc.meta.title
    assert meta["/Author"] == doc.meta.author
    assert meta["/Subject"] == doc.meta.subject
    assert meta["/Keywords"] == "blockade, advisories"
    assert str(meta["/CreationDate"]).startswith("D:20251113")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    again = tmp_path / "again.pdf"
    pdf.write(doc, again, styles)
    assert again.read_bytes() == out.read_bytes()


def _images(reader) -> list:
    out = []
    for page in reader.pages:
        xo = page["/Resources"].get("/XObject", {})
        out += [xo[k].get_object() for k in xo if xo[k].get_object().get("/Subtype") == "/Image"]
    return out


def test_chart_is_200_dpi_png_by_default(sample):
    _, _, reader = sample
    imgs = _images(reader)
    assert imgs, "the chart is embedded as an image"
    # the sample figure is 6 in wide: at least 200 dpi of it reaches the PDF
    assert int(imgs[0]["/Width"]) >= 6 * 200


def test_chart_is_vector_with_svg_format_and_png_fallback(tmp_path):
    theme = (default_styles_dir() / "theme.toml").read_text(encoding="utf-8")
    assert 'chart_format = "png"' in theme
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "theme.toml").write_text(theme.replace('chart_format = "png"', 'chart_format = "svg"'))
    styles = resolve_styles(tmp_path, Config())
    vec = _render(Document(DocMeta(title="T"), [FigureBlock("f", make_figure(tmp_path / "v"))]), styles)
    assert not _images(vec)  # SVG through svglib: drawn as paths, no raster image
    assert "Figure 1:" in _text(vec)[0]
    fig = make_figure(tmp_path, "nosvg")
    Path(fig.svg).unlink()
    doc = Document(DocMeta(title="T"), [FigureBlock("f", fig)])
    r = _render(doc, styles)
    xo = r.pages[0]["/Resources"].get("/XObject", {})
    imgs = [xo[k].get_object() for k in xo if xo[k].get_object().get("/Subtype") == "/Image"]
    assert imgs and int(imgs[0]["/Width"]) >= 1000  # the 200 dpi PNG, not a thumbnail
    assert "Figure 1:" in _text(r)[0]


def test_missing_glyphs_become_placeholder_with_warning(sample, styles, caplog):
    _, _, reader = sample
    assert pdf_fonts.PLACEHOLDER in " ".join(_text(reader))  # the CJK in the sample
    doc = Document(DocMeta(title="T"), [Paragraph("p", [Text("CJK 局势 here")])])
    with caplog.at_level(logging.WARNING, logger="briefing.render.pdf"):
        r = _render(doc, styles)
    assert "U+5C40" in caplog.text
    assert "CJK" in _text(r)[0] and "here" in _text(r)[0]


def test_fallback_font_used_for_glyphs_the_body_font_lacks(tmp_path):
    """Body font DejaVu Serif has no Arabic: the configured fallback font prints it, no placeholder."""
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    (tmp_path / "fonts").mkdir()
    for src, dst in (("DejaVuSerif", "Serif"), ("DejaVuSerif-Bold", "Serif-Bold"),
                     ("DejaVuSerif-Italic", "Serif-Italic"), ("DejaVuSerif-BoldItalic", "Serif-BoldItalic")):
        shutil.copy(ttf / f"{src}.ttf", tmp_path / "fonts" / f"{dst}.ttf")
    theme_text = (default_styles_dir() / "theme.toml").read_text(encoding="utf-8")
    theme_text = theme_text.replace('body = "DejaVu Sans"', 'body = "Serif"').replace('heading = "DejaVu Sans"', 'heading = "Serif"')
    theme_text = re.sub(r"(?m)^\[pdf\].*$", "[pdf_unused]", theme_text)  # replace the shipped [pdf] table
    theme_text += f'\n[pdf]\nfallback_fonts = ["{(ttf / "DejaVuSans.ttf").as_posix()}"]\n'
    (tmp_path / "theme.toml").write_text(theme_text, encoding="utf-8")
    theme = load_theme(tmp_path / "theme.toml")
    st = resolve_styles(None, Config())
    st.theme = theme
    doc = Document(DocMeta(title="Serif"), [Paragraph("p", [Text("Quote: «الوضع خطير» end, Goïta")])])
    r = _render(doc, st)
    names = set(_fonts(r))
    assert any("DejaVuSerif" in n for n in names) and any(n.endswith("+DejaVuSans") for n in names)
    text = _text(r)[0]
    assert pdf_fonts.PLACEHOLDER not in text and "Goïta" in text


def test_links_are_safe_and_unknown_targets_are_plain_text(styles, caplog):
    doc = Document(DocMeta(title="T"), [
        Heading("h", 1, "Sources", anchor="sources"),
        Paragraph("p", [
            Link("bad", "javascript:alert(1)"), Text(" "), Link("nowhere", "#nope"), Text(" "),
            Link("back", "#sources"), Text(" "), Cite([7]), Text(" "), Link('q"uote', 'https://example.org/x?a="b"'),
        ]),
        Paragraph("src-1", [Text("[1] only source")], style="source", anchor="src-1"),
    ])
    with caplog.at_level(logging.WARNING, logger="briefing.render.pdf"):
        r = _render(doc, styles)
    annots = [a.get_object() for a in r.pages[0].get("/Annots", []) or []]
    uris = [str(a["/A"]["/URI"]) for a in annots if "/A" in a and a["/A"].get("/S") == "/URI"]
    assert not any(u.startswith("javascript") for u in uris)
    assert uris == ['https://example.org/x?a="b"']
    internal = [a for a in annots if "/Dest" in a]
    assert len(internal) == 1  # only "#sources"; "#nope" and the uncited [7] are plain text
    t = _text(r)[0]
    assert "bad" in t and "nowhere" in t and "[7]" in t
    assert "src-7" in caplog.text


def test_xml_illegal_characters_and_markup_in_titles(styles):
    nasty = "A\x00B\x0bC <para> </b> &amp; ]]> {{ x }}"
    doc = Document(DocMeta(title=nasty, subtitle="<i>sub", organisation="Org & <Co>", marking="TLP:RED"), [
        Heading("h", 1, nasty),
        Table("t", ["<b>", "&"], [[[Text("<td>")], [Text("]]>")]]], caption="Cap <x>"),
        Callout("c", "Box <b>", [Paragraph("p", [Text("inside & </para>")])], kind="machine"),
    ])
    r = _render(doc, styles)
    t = _norm(" ".join(_text(r)))
    assert "ABC <para> </b> &amp; ]]> {{ x }}" in t
    for s in ("<i>sub", "ORG & <CO>", "Table 1: Cap <x>", "<td>", "Box <b>", "inside & </para>", "TLP:RED"):
        assert s in t
    assert r.metadata["/Title"] == "ABC <para> </b> &amp; ]]> {{ x }}"


def test_tall_callout_and_empty_document_render(styles):
    many = [Paragraph(f"p{i}", [Text("Long paragraph of analysis text. " * 12)]) for i in range(30)]
    doc = Document(DocMeta(title="T"), [Callout("c", "Very long box", many)])
    r = _render(doc, styles)
    assert len(r.pages) >= 3
    empty = _render(Document(DocMeta(title="Only a title")), styles)
    assert "Page 1 of 1" in _text(empty)[0]


def test_visual_rtl_orders_words_and_folds_edge_punctuation():
    a, b = "\u0627\u0644\u0648\u0636\u0639", "\u062e\u0637\u064a\u0631"  # two Arabic words
    assert pdf_fonts.visual_rtl("plain text") == "plain text"
    # words reversed; glued guillemets folded in mirrored so the shaper puts them back outside
    assert pdf_fonts.visual_rtl(f"Q: «{a} {b}»; x") == f"Q: {b}» ;«{a} x"
    # without a shaper, characters are reversed too
    assert pdf_fonts.visual_rtl(f"{a} {b}", shaped=False) == f"{b[::-1]} {a[::-1]}"
    # a Latin letter glued to the run becomes its own word
    assert pdf_fonts.visual_rtl(f"x{a}") == f"x {a}"


def test_a_table_cell_taller_than_a_page_splits_instead_of_failing(styles):
    """Reportlab cannot place a row taller than the frame; the writer lays out again with rows allowed
    to split, so the text is all there rather than the build failing."""
    from briefing.model import Table as TableBlock

    words = " ".join(f"word{i}" for i in range(4000)) + " THE-END"
    doc = Document(DocMeta(title="T"), [
        Paragraph("p", [Text("Before the table.")]),
        TableBlock("t", ["Claim", "Sources"], [[[Text("short")], [Text("[1]")]], [[Text(words)], [Text("[2]")]]],
                   caption="A long claim"),
    ])
    r = _render(doc, styles)
    text = " ".join(_text(r))
    assert len(r.pages) >= 3 and "THE-END" in text and "word2000" in text and "Before the table." in text


def test_compact_citations_print_ranges_and_more_with_links(styles):
    from briefing.model import Cite

    entries = [Paragraph(f"s{n}", [Text(f"[{n}] Source {n}")], style="source", anchor=f"src-{n}") for n in range(1, 10)]
    doc = Document(DocMeta(title="T"), [Paragraph("p", [Text("Figure"), Cite([5, 1, 2, 3, 4, 9], more=12)])] + entries)
    r = _render(doc, styles)
    assert "Figure[1–5, 9 and 12 more]" in _text(r)[0].replace(" [", "[")
    links = []
    for page in r.pages:
        for a in page.get("/Annots", []) or []:
            a = a.get_object()
            if a.get("/Dest") is not None:
                links.append(str(a["/Dest"]))
    assert len(links) == 3  # 1, 5 and 9: both ends of the range and the single


def _first_image_pixels(reader):
    img = reader.pages[0].images[0].image
    return img.convert("RGB")


@pytest.mark.parametrize("mode", ["ours", "rgba"])
def test_chart_pixels_reach_the_pdf_unchanged(tmp_path, styles, mode):
    """Our RGB chart PNG is embedded from its own compressed rows (PNG predictors in the PDF stream);
    any other PNG (here RGBA, as savefig writes) goes through reportlab's reader. Either way the PDF
    shows exactly the chart's pixels."""
    from PIL import Image as PILImage
    from matplotlib.figure import Figure as MplFigure

    from briefing.charts.style import png_rgb
    from briefing.render.pdf_layout import read_png

    fig = make_figure(tmp_path)
    if mode == "ours":
        m = MplFigure(figsize=(3, 1.5))
        ax = m.subplots()
        ax.bar(["a", "b", "c"], [3, 1, 2], color=["#0072B2", "#D55E00", "#009E73"])
        Path(fig.png).write_bytes(png_rgb(m, 200))
        info = read_png(fig.png)
        assert info is not None and info[2] == 3  # RGB, embeddable as it is
    else:
        assert read_png(fig.png) is None  # savefig's RGBA PNG: not embeddable as it is
    expected = PILImage.open(fig.png).convert("RGB")
    r = _render(Document(DocMeta(title="T"), [FigureBlock("f", fig)]), styles)
    got = _first_image_pixels(r)
    assert got.size == expected.size
    assert got.tobytes() == expected.tobytes()


def test_read_png_refuses_damaged_and_other_files(tmp_path):
    from briefing.render.pdf_layout import read_png

    good = tmp_path / "g.png"
    from matplotlib.figure import Figure as MplFigure

    from briefing.charts.style import png_rgb

    good.write_bytes(png_rgb(MplFigure(figsize=(1, 1)), 50))
    assert read_png(str(good))[:3] == (50, 50, 3)
    data = good.read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "flip.png").write_bytes(data[:40] + bytes([data[40] ^ 0xFF]) + data[41:])
    (tmp_path / "text.png").write_text("not a png")
    for name in ("cut.png", "flip.png", "text.png", "missing.png"):
        assert read_png(str(tmp_path / name)) is None, name
