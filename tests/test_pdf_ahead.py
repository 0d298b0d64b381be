"""Laying out the PDF while its charts are still being drawn (issue 8): chart sizes known from the data,
images read when the file is written, and a layout in one pass with page numbers filled in afterwards.
Every shortcut must give the same bytes as the plain path."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seeds built once, and the Document the PDF is rendered from."""
    from briefing import build
    from briefing.charts import plan_charts
    from briefing.compose import compose
    from briefing.config import load_config, resolve_styles

    project = tmp_path_factory.mktemp("ahead") / "p"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    res = build(project)
    config = load_config(project)
    styles = resolve_styles(project, config)
    plan = plan_charts(res.sheet, styles.theme, project / "out" / "charts")
    assert not plan.jobs and len(plan.figures) >= 4
    doc = compose(res.sheet, plan.figures, config, styles)
    return project, styles, plan, doc


def test_chart_sizes_are_known_before_drawing(built, tmp_path):
    """The pixel size the writers lay out with is the size of the PNG the chart worker writes, for every
    chart kind, including the ones whose height follows the data (advisory rows, the map's extent)."""
    from briefing.charts import figure_px
    from briefing.charts.data import all_specs
    from briefing.render.pdf_layout import read_png

    project, _styles, plan, _doc = built
    specs = list(all_specs(_sheet(project)))
    assert {s.id for s in specs} >= {"locator-map", "advisories-by-country", "events-timeline"}
    for spec in specs:
        info = read_png(str(project / "out" / "charts" / f"{spec.id}.png"))
        assert figure_px(spec, plan.cfg) == info[:2], spec.id
    # a taller advisory matrix: one more row, a taller chart, still predicted exactly
    from dataclasses import replace

    from briefing.charts import draw_jobs, plan_charts
    from briefing.config import load_theme

    adv = next(s for s in specs if s.id == "advisories-by-country")
    rows = adv.payload["rows"]
    bigger = replace(adv, payload={**adv.payload, "rows": rows + rows[:1]})
    assert figure_px(bigger, plan.cfg)[1] > figure_px(adv, plan.cfg)[1]
    theme = load_theme(ROOT / "styles" / "theme.toml")
    sub = plan_charts(_sheet(project), theme, tmp_path)
    job = next(j for j in sub.jobs if j.spec.id == "advisories-by-country")
    job.spec = bigger
    draw_jobs([job], sub.cfg, sub.col, theme)
    assert read_png(job.png)[:2] == figure_px(bigger, sub.cfg)


def _sheet(project: Path):
    import yaml

    from briefing.facts.io import sheet_from_dict

    return sheet_from_dict(yaml.safe_load((project / "out" / "factsheet.yaml").read_text(encoding="utf-8")))


def test_a_pdf_laid_out_before_its_charts_exist_is_the_same_file(built, tmp_path):
    from briefing.charts import figure_px
    from briefing.render import pdf

    project, styles, plan, doc = built
    plain = tmp_path / "plain.pdf"
    pdf.write(doc, plain, styles)
    # hide the charts' hash files: to the writer the charts are still being drawn
    charts = project / "out" / "charts"
    specs = {s.id: s for s in _all_specs(project)}
    pending, hidden = {}, []
    for fig in plan.figures:
        h = charts / f"{fig.id}.hash"
        pending[fig.png] = (*figure_px(specs[fig.id], plan.cfg), str(h), fig.data_hash)
        hidden.append((h, h.read_bytes()))
        h.unlink()
    restored = []

    def draw_later():
        time.sleep(0.4)
        for h, data in hidden:
            h.write_bytes(data)
        restored.append(time.monotonic())

    t = threading.Thread(target=draw_later)
    t.start()
    late = tmp_path / "late.pdf"
    try:
        pdf.write(doc, late, styles, pending=pending)
        done = time.monotonic()
    finally:
        t.join()
    assert restored and done >= restored[0]  # it waited for the charts
    assert late.read_bytes() == plain.read_bytes()


def _all_specs(project: Path):
    from briefing.charts.data import all_specs

    return all_specs(_sheet(project))


def test_a_chart_that_never_comes_fails_the_pdf_loudly(tmp_path):
    from briefing.render.pdf_layout import PendingPng

    (tmp_path / "c.hash").write_text("old digest\n", encoding="utf-8")
    with pytest.raises(TimeoutError):
        PendingPng(str(tmp_path / "c.png"), str(tmp_path / "c.hash"), "new digest", timeout=0.05).load()


def test_the_pdf_is_laid_out_once_with_true_page_numbers(built, tmp_path, monkeypatch):
    """One layout pass: the contents list's page numbers and every "Page X of Y" are filled in after
    the last page, and they are the pages the headings really fell on (the PDF outline, made as each
    heading is drawn, says the same)."""
    import re

    import reportlab.platypus.doctemplate as dt
    from pypdf import PdfReader

    from briefing.render import pdf

    _project, styles, _plan, doc = built
    builds: list[int] = []
    real = dt.BaseDocTemplate.build
    monkeypatch.setattr(dt.BaseDocTemplate, "build", lambda self, *a, **k: builds.append(1) or real(self, *a, **k))
    out = tmp_path / "once.pdf"
    pdf.write(doc, out, styles)
    assert builds == [1]
    pdf.write(doc, tmp_path / "again.pdf", styles)
    assert (tmp_path / "again.pdf").read_bytes() == out.read_bytes()

    reader = PdfReader(str(out))
    pages = [p.extract_text() or "" for p in reader.pages]
    n = len(pages)
    assert n >= 4
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {n}" in text
    # pypdf reads each contents line as its leader dots and page number, then the heading's words
    contents = {m.group(2).strip(): int(m.group(1)) for m in re.finditer(r"(?:\.\s*){3,}(\d+)\n([^\n]+)", pages[0])}
    assert len(contents) >= 8 and max(contents.values()) >= 4

    def outline(items, acc):
        for it in items:
            if isinstance(it, list):
                outline(it, acc)
            else:
                acc.setdefault(it.title, reader.get_destination_page_number(it) + 1)
        return acc

    marks = outline(reader.outline, {})
    checked = 0
    for title, page in contents.items():
        assert title in pages[page - 1], (title, page)
        if title in marks:
            assert marks[title] == page, title
            checked += 1
    assert checked >= 8


def test_a_word_file_drafted_before_its_charts_exist_is_the_same_file(built, tmp_path):
    from briefing.charts import figure_px
    from briefing.regen import stamp
    from briefing.render import docx as docx_writer

    project, styles, plan, doc = built
    plain = stamp(docx_writer.render_bytes(doc, styles))
    specs = {s.id: s for s in _all_specs(project)}
    standins, images = {}, {}
    for fig in plan.figures:
        w, h = figure_px(specs[fig.id], plan.cfg)
        where = tmp_path / "standins" / Path(fig.png).name
        data = docx_writer.standin_png(where, w, h, int(plan.cfg["dpi"]), f"{fig.id}|{fig.data_hash}")
        standins[fig.png], images[data] = str(where), fig.png
    assert len(images) == len(plan.figures)  # no two stand-ins alike, even for charts of one size
    draft = stamp(docx_writer.render_bytes(doc, styles, standins))
    assert draft != plain
    assert docx_writer.fill_images(draft, images) == plain
    # a stand-in the file does not hold: refused, so the build renders Word itself
    extra = docx_writer.standin_png(tmp_path / "x.png", 10, 10, 200, "other")
    with pytest.raises(ValueError):
        docx_writer.fill_images(draft, {**images, extra: plan.figures[0].png})
