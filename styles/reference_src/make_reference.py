"""Generate styles/reference.docx, the reference document whose styles the Word brief uses.

    .venv/bin/python styles/reference_src/make_reference.py [--theme styles/theme.toml] [--out styles/reference.docx]

It starts from python-docx's default template, replaces the styles the brief uses with the house
styles built from the theme (briefing.render.ooxml.house_styles: fonts, sizes, colours), sets the
page from the theme, drops the template's thumbnail and Word-2010 style copy, and writes a specimen
page (one paragraph per style) so that someone restyling it in Word sees what they are editing.
The writer clears the body and keeps the styles, page setup, numbering and theme.

The output is byte-for-byte reproducible; tests/test_render_docx.py checks that the committed
file matches what this script makes from the committed theme. Re-run it after changing the
theme's sizes or colours (fonts and the page follow the theme at build time anyway).

An organisation can instead point ``reference_docx`` in briefing.toml at its own Word file: the
writer uses that file's styles and adds only the house styles it lacks.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from briefing.config import load_theme  # noqa: E402
from briefing.render import ooxml as ox  # noqa: E402
from briefing.render.docx import apply_script_fonts, docx_options  # noqa: E402

SPECIMEN = [
    ("Brief Marking", "TLP:CLEAR"),
    ("Title", "Title of the brief"),
    ("Subtitle", "Subtitle"),
    ("Brief Meta", "Brief Meta: as-of line, author and organisation"),
    ("TOC Heading", "TOC Heading"),
    ("heading 1", "Heading 1"),
    ("Brief BLUF", "Brief BLUF: the bottom line up front."),
    ("Brief Lead", "Brief Lead: a lead paragraph."),
    ("Body Text", "Body Text: ordinary paragraphs of the brief, with citations [1]."),
    ("heading 2", "Heading 2"),
    ("List Bullet", "List Bullet"),
    ("List Number", "List Number"),
    ("heading 3", "Heading 3"),
    ("Brief Note", "Brief Note: a note to the reader."),
    ("Brief Small", "Brief Small: small print."),
    ("Brief Machine", "Brief Machine: machine-drafted text for the analyst to confirm."),
    ("Brief Callout Title", "Brief Callout Title"),
    ("Brief Machine Label", "Brief Machine Label"),
    ("Brief Figure", "Brief Figure (the paragraph holding a chart)"),
    ("caption", "Caption: Figure 1: a caption."),
    ("Brief Figure Source", "Brief Figure Source: Sources: [1], [2]"),
    ("Brief Table Heading", "Brief Table Heading"),
    ("Brief Table Text", "Brief Table Text"),
    ("Brief Source", "[1] Brief Source: Outlet, “Title”, date."),
]


def build_reference(theme_path: Path) -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.shared import Twips

    theme = load_theme(theme_path)
    d = docx.Document()
    body = d.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    ox.ensure_styles(d, theme, overwrite=True, options=docx_options(theme))
    ox.apply_theme_fonts(d, theme)
    apply_script_fonts(d, theme)  # East Asian and complex-script fonts, with fallbacks

    sec = d.sections[0]
    w, h = ox.page_size_twips(theme)
    m = ox.margin_twips(theme)
    sec.page_width, sec.page_height = Twips(w), Twips(h)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Twips(m)
    sec.header_distance = sec.footer_distance = Twips(int(m * 0.45))

    for name, text in SPECIMEN:
        p = ox.paragraph(ox.style_id(d, name))
        p.append(ox.text_run(text))
        body.find(qn("w:sectPr")).addprevious(p)

    # no thumbnail of the template's empty page; no Word-2010 copy of the old styles
    pkg_rels = d.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg_rels[rid]
    for rid, rel in list(d.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del d.part.rels[rid]
    settings = d.settings.element
    for e in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(e)
    for cs in settings.iter(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")

    cp = d.core_properties
    cp.title = "Briefing reference document"
    cp.subject = "House styles for the Word brief"
    cp.author = "briefing"
    cp.comments = "Styles only: the brief takes its styles, page setup and numbering from this file."
    cp.last_modified_by = "briefing"
    cp.keywords = "reference, styles"
    cp.revision = 1
    cp.created = cp.modified = datetime(2025, 1, 1)

    buf = io.BytesIO()
    d.save(buf)
    return ox.deterministic_zip(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--theme", type=Path, default=ROOT / "styles" / "theme.toml")
    ap.add_argument("--out", type=Path, default=ROOT / "styles" / "reference.docx")
    args = ap.parse_args(argv)
    data = build_reference(args.theme)
    from briefing.util import atomic_write_bytes

    atomic_write_bytes(args.out, data)
    print(f"wrote {args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
