"""A sample Document exercising every block type, for the writer tests (docx, pdf)."""

from __future__ import annotations

from pathlib import Path

from briefing.model import (
    BulletList,
    Callout,
    Cite,
    DocMeta,
    Document,
    Figure,
    FigureBlock,
    Heading,
    Link,
    PageBreak,
    Paragraph,
    Table,
    Text,
    TocBlock,
)

HOSTILE = "Markup is data: <b>not bold</b> & ]]> {{ not_a_var }} {% not_a_tag %} \\ *stars* _under_"
UNICODE = "Names: Assimi Goïta, Côte d'Ivoire, Ségou; Arabic: «الوضع خطير»; Cyrillic: «ситуация»; CJK: 局势; emoji: ⚠"


def make_figure(tmp: Path, fid: str = "attacks-by-period") -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(6, 3))
    ax = fig.subplots()
    ax.bar(["H1 2024", "H1 2025"], [10, 20], color=["#cccccc", "#0072B2"])
    ax.set_title("Example chart")
    tmp.mkdir(parents=True, exist_ok=True)
    png, svg = tmp / f"{fid}.png", tmp / f"{fid}.svg"
    fig.savefig(png, dpi=200)
    fig.savefig(svg, metadata={"Date": None})
    return Figure(
        id=fid,
        title="Attacks by period",
        caption="Attacks attributed to the group, by half-year; the hatched bar is derived.",
        alt="Bar chart: 10 attacks in H1 2024 (derived), 20 in H1 2025.",
        source_note="Sources: [1], [2]",
        png=str(png),
        svg=str(svg),
        cites=["a", "b"],
    )


def sample_document(tmp: Path, n_rows: int = 6) -> Document:
    fig = make_figure(tmp)
    meta = DocMeta(
        title="Example: fuel blockade of the capital",
        subtitle="Situation brief",
        subject="Example country",
        as_of="Information cut-off: 13 November 2025",
        marking="TLP:AMBER",
        author="Analyst Name",
        organisation="Example Security Desk",
        keywords=["blockade", "advisories"],
        created="2025-11-13T00:00:00Z",
    )
    rows = [
        [[Text(f"Country {i}")], [Text("leave now")], [Text("2025-11-0%d" % (i % 9 + 1))], [Cite([1, 2])]]
        for i in range(n_rows)
    ]
    blocks = [
        TocBlock(),
        Heading("h-bluf", 1, "Bottom line up front", anchor="bluf"),
        Paragraph(
            "p-bluf",
            [Text("Attacks doubled to "), Text("280", bold=True), Text(" in H1 2025 "), Cite([1]), Text(". " + UNICODE)],
            style="bluf",
        ),
        Callout(
            "kf",
            "Key figures",
            [
                Table(
                    "t-kf",
                    ["Figure", "Value", "Period", "Sources"],
                    [[[Text("Attacks")], [Text("280")], [Text("H1 2025")], [Cite([1])]]],
                    caption="Key figures",
                    style="keyfigures",
                )
            ],
        ),
        Callout("kj", "Key judgments (machine-drafted)", [Paragraph("p-kj", [Text("It is likely that ..."), Cite([2])])], kind="machine"),
        Heading("h-sit", 1, "Situation"),
        Heading("h-sec", 2, "Security"),
        Paragraph("p-hostile", [Text(HOSTILE), Text(" italic", italic=True), Cite([1, 2])]),
        BulletList("l-1", [[Text("First point "), Cite([1])], [Text("Second point "), Link("external link", "https://example.org/a?b=1&c=2")]]),
        FigureBlock("f-1", fig),
        Table("t-adv", ["Country", "Action", "Date", "Sources"], rows, caption="Advisories by country", widths=[3, 3, 2, 1]),
        PageBreak(),
        Heading("h-src", 1, "Sources", anchor="sources"),
        Paragraph("src-1", [Text("[1] Outlet One, “A title with Goïta”, 13 November 2025.")], style="source", anchor="src-1"),
        Paragraph("src-2", [Text("[2] Outlet Two, “Another title”, undated. "), Link("https://example.org", "https://example.org")], style="source", anchor="src-2"),
    ]
    return Document(meta=meta, blocks=blocks)


# -- editing a .docx as Word would (shared by the merge and round-trip tests) ----------------------


def find_block(root, bid: str):
    """The content control of generated block ``bid``."""
    from briefing.render import ooxml as ox

    for b, sdt in ox.iter_blocks(root, entries=[]):
        if b == bid:
            return sdt
    raise KeyError(bid)


def run(text: str, *props: tuple[str, dict]):
    """A w:r with ``text`` and run properties ``(tag, attrs)``."""
    from briefing.render import ooxml as ox

    r = ox.text_run(text)
    if props:
        rpr = ox.el("w:rPr")
        for tag, attrs in props:
            rpr.append(ox.el(tag, **attrs))
        r.insert(0, rpr)
    return r


def pstyle(p) -> str:
    from docx.oxml.ns import qn

    s = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return s.get(qn("w:val")) if s is not None else ""


def callout_title(root, bid: str):
    from docx.oxml.ns import qn

    return next(p for p in find_block(root, bid).iter(qn("w:p")) if pstyle(p) == "BriefCalloutTitle")
