"""The pipeline an analyst would otherwise script, for comparison: matplotlib charts (PNG 200 dpi + SVG),
pandoc Markdown -> .docx, pandoc Markdown -> HTML, WeasyPrint HTML -> PDF, on the same content as our brief.

    python benchmarks/peer.py BRIEF_DOCX WORK_DIR

BRIEF_DOCX is a brief built by briefing (its text, headings and tables become the Markdown); the charts
are three bar/line charts of comparable size. Needs the `bench` extra (weasyprint, pypandoc-binary);
benchmarks/run.py runs this as a whole process and skips the row when they are missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def brief_markdown(docx_path: Path) -> str:
    """Headings, paragraphs and tables of a .docx as pandoc Markdown."""
    import docx

    d = docx.Document(str(docx_path))
    out: list[str] = []
    body = d.element.body
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for el in body.iter(f"{ns}p", f"{ns}tbl"):
        if el.tag == f"{ns}tbl":
            rows = [["".join(t.text or "" for t in c.iter(f"{ns}t")).replace("|", "/") for c in r.iter(f"{ns}tc")]
                    for r in el.iter(f"{ns}tr")]
            if rows:
                n = max(len(r) for r in rows)
                rows = [r + [""] * (n - len(r)) for r in rows]
                out.append("| " + " | ".join(rows[0]) + " |")
                out.append("|" + "---|" * n)
                out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
                out.append("")
            continue
        if any(a.tag == f"{ns}tc" for a in el.iterancestors()):
            continue
        text = "".join(t.text or "" for t in el.iter(f"{ns}t")).strip()
        if not text:
            continue
        style = el.find(f"{ns}pPr/{ns}pStyle")
        sid = style.get(f"{ns}val") if style is not None else ""
        level = int(sid[-1]) if sid.startswith("Heading") and sid[-1:].isdigit() else 0
        out.append(("#" * level + " " if level else "") + text)
        out.append("")
    return "\n".join(out)


def charts(work: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for i, kind in enumerate(("bar", "barh", "line")):
        fig, ax = plt.subplots(figsize=(6.3, 3.2))
        xs, ys = ["H1 2024", "H2 2024", "H1 2025"], [140, 190, 280]
        getattr(ax, "plot" if kind == "line" else kind)(xs, ys)
        ax.set_title(f"Chart {i + 1}")
        for ext in ("png", "svg"):
            p = work / f"chart{i}.{ext}"
            fig.savefig(p, dpi=200)
        paths.append(work / f"chart{i}.png")
        plt.close(fig)
    return paths


def main() -> None:
    brief, work = Path(sys.argv[1]), Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    md = brief_markdown(brief)
    pngs = charts(work)
    md += "\n" + "\n\n".join(f"![Chart {i + 1}]({p.name})" for i, p in enumerate(pngs)) + "\n"
    (work / "brief.md").write_text(md, encoding="utf-8")
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    subprocess.run([pandoc, "brief.md", "-o", "brief.docx"], cwd=work, check=True)
    subprocess.run([pandoc, "brief.md", "-s", "--metadata", "title=Brief", "-o", "brief.html"], cwd=work, check=True)
    from weasyprint import HTML

    HTML(filename=str(work / "brief.html"), base_url=str(work)).write_pdf(str(work / "brief.pdf"))


if __name__ == "__main__":
    main()
