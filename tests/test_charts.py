"""Charts stage: which charts are drawn from which facts, their words, files, determinism and caching.

The fact sheet here is synthetic (an invented situation in Sudan, written for these tests).
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from briefing.charts import FIGURE_IDS, make_charts
from briefing.charts import data as chart_data
from briefing.config import default_styles_dir, load_theme
from briefing.model import Evidence, Fact, FactSheet, Period, SourceInfo


def ev(src: str, quote: str = "x") -> Evidence:
    return Evidence(source=src, start=0, end=len(quote), quote=quote)


def make_sheet() -> FactSheet:
    sources = [
        SourceInfo(id=f"s{i}", path=f"s{i}.txt", sha256=str(i), number=i + 1, title=f"Report {i}") for i in range(4)
    ]
    h1_24 = Period("H1 2024", "2024-01-01", "2024-06-30", "the same period last year")
    h1_25 = Period("H1 2025", "2025-01-01", "2025-06-30", "the first six months of 2025")
    y24 = Period("2024", "2024-01-01", "2024-12-31", "last year")
    y25 = Period("2025", "2025-01-01", "2025-12-31", "this year")
    facts = [
        # counts: one reported, one derived from "three times"
        Fact(kind="count", id="c1", what="drone strikes", actor="RSF", value=96, qualifier="exact",
             period=h1_25, evidence=[ev("s1")]),
        Fact(kind="count", id="c2", what="drone strikes", actor="RSF", value=32, qualifier="exact",
             period=h1_24, derived=True, basis="96 strikes is 'three times' the earlier figure",
             derived_from=["c1"], evidence=[ev("s1")]),
        # a count with a single period: not enough for a chart on its own
        Fact(kind="count", id="c3", what="aid convoys blocked", value=12, qualifier="at_least", surface="at least 12",
             period=y25, evidence=[ev("s2")]),
        # shares with a hedge
        Fact(kind="share", id="sh1", what="share of RSF attacks", actor="RSF", region="North Darfur", value=11,
             unit="percent", qualifier="exact", period=y24, evidence=[ev("s0")]),
        Fact(kind="share", id="sh2", what="share of RSF attacks", actor="RSF", region="North Darfur", value=30,
             unit="percent", qualifier="approx_below", surface="nearly 30 percent", period=y25,
             evidence=[ev("s0"), ev("s3")]),
        # advisories
        Fact(kind="advisory", id="a1", country="GB", action="ordered_departure", evidence=[ev("s2")]),
        Fact(kind="advisory", id="a2", country="GB", action="leave_now", evidence=[ev("s2")]),
        Fact(kind="advisory", id="a3", country="US", action="leave_now", evidence=[ev("s1"), ev("s2")]),
        Fact(kind="advisory", id="a4", country="FR", action="avoid_travel", evidence=[ev("s3")]),
        Fact(kind="advisory", id="a5", country="JP", action="other", evidence=[ev("s3")]),
        Fact(kind="advisory", id="a6", country="NO", action="leave_now", status="rejected", evidence=[ev("s3")]),
        # events (one vague: not on the time axis)
        Fact(kind="event", id="e1", date="2023-04-15", date_precision="day", text="Fighting broke out in the capital",
             evidence=[ev("s0")]),
        Fact(kind="event", id="e2", date="2024-05", date_precision="month", text="Siege of the regional capital began",
             evidence=[ev("s1")]),
        Fact(kind="event", id="e3", date="2025-02", date_precision="month",
             text="Drone strike on the main market, the deadliest this year, drew condemnation", evidence=[ev("s2")]),
        Fact(kind="event", id="e4", date="2025-06-03", date_precision="day", text="Aid corridor reopened briefly",
             evidence=[ev("s3")]),
        Fact(kind="event", id="e5", date="2025", date_precision="vague", text="Talks were floated", evidence=[ev("s3")]),
        # places (the gazetteer fills lat/lon)
        Fact(kind="place", id="p1", place="El Fasher", country="SD", attrs={"lat": 13.63, "lon": 25.35},
             evidence=[ev("s0"), ev("s1")]),
        Fact(kind="place", id="p2", place="Port Sudan", country="SD", attrs={"lat": 19.62, "lon": 37.22},
             evidence=[ev("s2")]),
        Fact(kind="place", id="p3", place="Kassala", country="SD", attrs={"lat": 15.45, "lon": 36.4},
             evidence=[ev("s2")]),
        Fact(kind="place", id="p4", place="Khartoum", country="SD", attrs={"lat": 15.5, "lon": 32.56},
             evidence=[ev("s3")]),
        Fact(kind="place", id="p5", place="Adré", country="TD", attrs={"lat": 13.47, "lon": 22.2},
             evidence=[ev("s3")]),
        Fact(kind="place", id="p6", place="Sudan", country="SD", evidence=[ev("s1")]),
        Fact(kind="place", id="p7", place="Geneva", country="CH", attrs={"lat": 46.2, "lon": 6.15},
             evidence=[ev("s3")]),
    ]
    return FactSheet(as_of="2025-06-30", sources=sources, facts=facts)


@pytest.fixture(scope="module")
def theme():
    return load_theme(default_styles_dir() / "theme.toml")


@pytest.fixture(scope="module")
def svg_theme(theme):
    """The default theme with SVG files written as well (as when the PDF embeds vector charts)."""
    import copy

    t = copy.copy(theme)
    t.charts = {"svg": True}
    return t


@pytest.fixture(scope="module")
def built(tmp_path_factory, svg_theme):
    theme = svg_theme
    out = tmp_path_factory.mktemp("charts")
    t = time.perf_counter()
    figs = make_charts(make_sheet(), theme, out)
    return out, figs, time.perf_counter() - t


def test_png_only_by_default(tmp_path, theme):
    sheet = make_sheet()
    figs = make_charts(sheet, theme, tmp_path)
    assert figs and all(Path(f.png).is_file() and not f.svg for f in figs)
    assert not list(tmp_path.glob("*.svg"))


def by_id(figs):
    return {f.id: f for f in figs}


def test_all_five_charts_with_files_and_fields(built):
    out, figs, _ = built
    assert [f.id for f in figs] == list(FIGURE_IDS)
    for f in figs:
        assert Path(f.png).stat().st_size > 5000
        assert Path(f.svg).read_text(encoding="utf-8").lstrip().startswith("<?xml")
        assert (out / f"{f.id}.hash").read_text().strip() == f.data_hash
        assert f.title and f.caption.endswith(".") and f.alt and f.source_note.startswith("Source")
        assert f.cites and all(c.startswith("s") for c in f.cites)
        assert "\n" not in f.caption


def test_png_is_200_dpi_at_column_width(built):
    from PIL import Image

    _, figs, _ = built
    for f in figs:
        with Image.open(f.png) as im:
            assert abs(im.width - round(16 / 2.54 * 200)) <= 2, (f.id, im.size)


def test_counts_chart_marks_derived_and_hedges(built):
    f = by_id(built[1])["attacks-by-period"]
    assert "RSF drone strikes" in f.title
    assert "H1 2024: 32 (derived)" in f.alt and "H1 2025: 96" in f.alt
    assert "derived" in f.caption
    assert f.source_note.startswith("Source: [2]") and "32 derived" in f.source_note and "three times" in f.source_note
    assert f.cites == ["s1"]
    spec = chart_data.counts_spec(make_sheet())
    bars = spec.payload["panels"][0]["bars"]
    assert [b["period"] for b in bars] == ["H1 2024", "H1 2025"]  # chronological
    assert [b["derived"] for b in bars] == [True, False]
    # the single-period count is not charted
    assert len(spec.payload["panels"]) == 1


def test_shares_keep_the_hedge(built):
    f = by_id(built[1])["share-shift"]
    assert "11%" in f.alt and "close to 30%" in f.alt
    assert "North Darfur" in f.title
    assert f.source_note == "Sources: [1], [4]"
    pts = chart_data.shares_spec(make_sheet()).payload["lines"][0]["points"]
    assert [p["label"] for p in pts] == ["11%", "~30%"] and pts[1]["hedged"]


def test_advisories_matrix(built):
    f = by_id(built[1])["advisories-by-country"]
    for name in ("United Kingdom", "United States", "France", "Japan"):
        assert name in f.alt
    assert "Norway" not in f.alt  # rejected fact
    rows = chart_data.advisories_spec(make_sheet()).payload["rows"]
    assert [r["code"] for r in rows] == ["GB", "US", "FR", "JP"]  # strongest action first
    assert rows[0]["strongest"] == "ordered_departure" and rows[0]["actions"] == ["ordered_departure", "leave_now"]
    assert "4 governments" in f.caption


def test_timeline_skips_vague_and_lists_events(built):
    f = by_id(built[1])["events-timeline"]
    assert "April 2023" in f.alt and "June 2025" in f.alt and "Talks were floated" not in f.alt
    assert "15 April 2023" in f.alt


def test_locator_map(built):
    f = by_id(built[1])["locator-map"]
    assert f.title.startswith("Sudan")
    for name in ("El Fasher", "Port Sudan", "Kassala", "Adré"):
        assert name in f.alt
    assert "Geneva" not in f.alt  # far away: not on this map
    assert "Khartoum" in f.alt and "star" in f.alt  # the capital
    assert "13.6°N, 25.4°E" in f.alt
    assert "Natural Earth" in f.source_note
    spec = chart_data.map_spec(make_sheet())
    assert spec.payload["country"] == "SD"
    assert [p["name"] for p in spec.payload["places"] if p["capital"]] == ["Khartoum"]


def test_main_country_is_most_mentioned():
    sheet = make_sheet()
    for i in range(6):
        sheet.facts.append(Fact(kind="place", id=f"x{i}", place=f"Town {i}", country="TD", evidence=[ev("s1")]))
    assert chart_data.main_country(sheet) == "TD"


def test_no_data_no_charts(tmp_path, theme):
    sheet = FactSheet(as_of=None, sources=[SourceInfo(id="s0", path="a", sha256="0", number=1)])
    assert make_charts(sheet, theme, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_charts_omitted_when_data_thin(tmp_path, theme):
    sheet = make_sheet()
    keep = {"advisory"}
    sheet.facts = [f for f in sheet.facts if f.kind in keep]
    figs = make_charts(sheet, theme, tmp_path)
    assert [f.id for f in figs] == ["advisories-by-country"]
    # two dated events are not a timeline; one advisory country is not a matrix
    sheet = make_sheet()
    sheet.facts = [f for f in sheet.facts if f.id in ("e1", "e2", "e5", "a4")]
    assert make_charts(sheet, theme, tmp_path / "b") == []


def test_stale_chart_files_removed(tmp_path, theme):
    make_charts(make_sheet(), theme, tmp_path)
    assert (tmp_path / "locator-map.png").exists()
    sheet = make_sheet()
    sheet.facts = [f for f in sheet.facts if f.kind != "place"]
    figs = make_charts(sheet, theme, tmp_path)
    assert "locator-map" not in {f.id for f in figs}
    assert not (tmp_path / "locator-map.png").exists() and not (tmp_path / "locator-map.hash").exists()


def test_deterministic_bytes_and_cache(built, tmp_path, svg_theme):
    theme = svg_theme
    out, figs, _ = built
    # a fresh folder: byte-identical files
    figs2 = make_charts(make_sheet(), theme, tmp_path)
    for a, b in zip(figs, figs2):
        assert Path(a.png).read_bytes() == Path(b.png).read_bytes(), a.id
        assert Path(a.svg).read_bytes() == Path(b.svg).read_bytes(), a.id
        assert a.data_hash == b.data_hash
    # same folder again: nothing is redrawn (files untouched) and it is fast
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    make_charts(make_sheet(), theme, tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == mtimes
    # a changed value redraws that chart only
    sheet = make_sheet()
    next(f for f in sheet.facts if f.id == "c1").value = 97
    figs3 = make_charts(sheet, theme, tmp_path)
    changed = {f.id for f, g in zip(figs2, figs3) if f.data_hash != g.data_hash}
    assert changed == {"attacks-by-period"}
    assert (tmp_path / "attacks-by-period.png").stat().st_mtime_ns != mtimes["attacks-by-period.png"]


def test_only_what_a_chart_shows_redraws_it(theme):
    """A chart is redrawn when something drawn in it changes (title, data, size), not when only the
    words printed beside it do (caption, alt text, source note, citations: a new source renumbers
    those without changing the picture)."""
    import dataclasses

    from briefing.charts import spec_hash
    from briefing.charts.style import chart_settings, colors

    cfg, col = chart_settings(theme), colors(theme)
    for spec in chart_data.all_specs(make_sheet()):
        base = spec_hash(spec, cfg, col, theme)
        for field, value in (("caption", "Other words."), ("alt", "Other alt text."),
                             ("source_note", "Sources: [7], [9]"), ("cites", ["s9"])):
            assert spec_hash(dataclasses.replace(spec, **{field: value}), cfg, col, theme) == base, (spec.id, field)
        assert spec_hash(dataclasses.replace(spec, title=spec.title + " (b)"), cfg, col, theme) != base
        assert spec_hash(dataclasses.replace(spec, width=spec.width / 2), cfg, col, theme) != base
        changed = copy.deepcopy(spec.payload)
        changed["_probe"] = 1
        assert spec_hash(dataclasses.replace(spec, payload=changed), cfg, col, theme) != base


def test_the_words_beside_a_chart_are_not_in_its_pixels(theme):
    """What ``spec_hash`` leaves out is really not drawn: the same PNG with all of it changed."""
    import dataclasses

    import matplotlib

    from briefing.charts import _draw
    from briefing.charts.style import chart_settings, colors, rc_params, render_bytes

    cfg, col = chart_settings(theme), colors(theme)

    def png(spec):
        with matplotlib.rc_context(rc_params(theme, cfg)):
            return render_bytes(_draw(spec, cfg, col), int(cfg["dpi"]), svg=False)[0]

    for spec in chart_data.all_specs(make_sheet()):
        other = dataclasses.replace(spec, caption="Other words.", alt="Other alt.", source_note="Sources: [9]",
                                    cites=["s9"])
        assert png(other) == png(spec), spec.id


def test_dollar_signs_and_markup_are_plain_text(tmp_path, theme):
    sheet = make_sheet()
    for f in sheet.facts:
        if f.kind == "event":
            f.text = "Fuel rose to $5 a litre, then $7 <b>& more</b> \\frac{1}{2} {{ x }}"
        if f.kind == "count":
            f.what = "fines of $ and $ paid"
        if f.kind == "place" and f.place == "Kassala":
            f.place = "Kassala $x^2$"
    figs = make_charts(sheet, theme, tmp_path)
    ids = {f.id for f in figs}
    assert {"events-timeline", "attacks-by-period", "locator-map"} <= ids
    tl = by_id(figs)["events-timeline"]
    assert "$5 a litre" in tl.alt
    assert not sheet.notes  # nothing failed to draw


def test_theme_charts_section_is_read(tmp_path, theme):
    from briefing.charts.style import chart_settings

    t = copy.copy(theme)
    p = tmp_path / "theme.toml"
    p.write_text('[colors]\npalette = ["#000000"]\n\n[charts]\ndpi = 100\nunknown_key = 1\n', encoding="utf-8")
    t.path = p
    assert chart_settings(t)["dpi"] == 100 and "unknown_key" not in chart_settings(t)
    assert chart_settings(theme)["width_cm"] == 16.0


def test_world_data_ships_with_package():
    from briefing.charts import geo

    world = geo.load_world()
    assert len(world.all()) > 200
    fr = world.get("FR")
    x0, y0, x1, y1 = geo.core_bbox(fr)
    assert -6 < x0 < x1 < 10 and 41 < y0 < y1 < 52  # mainland France, not its overseas departments
    assert world.get("KE").capital[0] == "Nairobi"


def test_same_spot_two_names_one_marker():
    sheet = make_sheet()
    sheet.facts.append(Fact(kind="place", id="p8", place="El Fasher town", country="SD",
                            attrs={"lat": 13.631, "lon": 25.349, "mentions": 1}, evidence=[ev("s2")]))
    places = chart_data.map_spec(sheet).payload["places"]
    names = [p["name"] for p in places]
    assert "El Fasher town" in names and "El Fasher" not in names  # the fuller name, once
    assert len(names) == len(set(names)) == 5


def test_many_events_are_thinned_and_not_to_scale(tmp_path, theme):
    sheet = make_sheet()
    for m in range(1, 11):
        sheet.facts.append(Fact(kind="event", id=f"m{m}", date=f"2025-03-{m:02d}", date_precision="day",
                                text=f"incident number {m} was reported near the border crossing", evidence=[ev("s1")]))
    spec = chart_data.timeline_spec(sheet)
    assert len(spec.payload["events"]) == chart_data.MAX_EVENTS
    assert "of 14" in spec.caption
    assert all(e["text"][0].isupper() for e in spec.payload["events"])
    sheet.facts = [f for f in sheet.facts if f.kind == "event"]
    figs = make_charts(sheet, theme, tmp_path)
    assert [f.id for f in figs] == ["events-timeline"] and not sheet.notes


def test_several_share_lines_and_count_panels(tmp_path, theme):
    sheet = make_sheet()
    y24 = Period("2024", "2024-01-01", "2024-12-31")
    y25 = Period("2025", "2025-01-01", "2025-12-31")
    for i, region in enumerate(["Kordofan", "Blue Nile"]):
        for per, v in ((y24, 30 + i), (y25, 29 + i)):
            sheet.facts.append(Fact(kind="share", what="share of RSF attacks", actor="RSF", region=region, value=v,
                                    unit="percent", period=per, evidence=[ev("s2")]))
    for per, v in ((y24, 5), (y25, 9)):
        sheet.facts.append(Fact(kind="count", what="kidnappings", value=v, period=per, evidence=[ev("s3")]))
    sheet.facts = [f for f in sheet.facts if f.kind in ("share", "count")]
    figs = by_id(make_charts(sheet, theme, tmp_path))
    assert not sheet.notes
    assert "Kordofan" in figs["share-shift"].alt and "Blue Nile" in figs["share-shift"].alt
    assert "Kidnappings" in figs["attacks-by-period"].alt and "RSF drone strikes" in figs["attacks-by-period"].alt


def test_dodge_keeps_labels_apart():
    from briefing.charts.draw import _dodge

    out = _dodge([100.0, 101.0, 300.0, 99.0], 12.0)
    order = sorted(out)
    assert all(b - a >= 12.0 - 1e-9 for a, b in zip(order, order[1:]))
    assert abs(sum(out) - 600.0) < 1e-9 and out[2] == max(out)


def test_svg_has_no_timestamp_and_text_as_paths(built):
    _, figs, _ = built
    for f in figs:
        svg = Path(f.svg).read_text(encoding="utf-8")
        assert "<dc:date>" not in svg and "<text" not in svg


def test_svg_imports_into_reportlab(built):
    svglib = pytest.importorskip("svglib.svglib")
    _, figs, _ = built
    for f in figs:
        d = svglib.svg2rlg(f.svg)
        assert d is not None and abs(d.width - 16 / 2.54 * 72) < 1


def test_odd_values_do_not_break_charts(tmp_path, theme):
    sheet = make_sheet()
    sheet.facts += [
        Fact(kind="count", what="drone strikes", actor="RSF", value=0, period=Period("H2 2025", "2025-07-01", "2025-12-31"),
             evidence=[ev("s1")]),
        Fact(kind="count", what="drone strikes", actor="RSF", value=None, qualifier="vague", surface="dozens",
             period=Period("H2 2023", "2023-07-01", "2023-12-31"), evidence=[ev("s1")]),  # nothing to draw
        Fact(kind="count", what="raids", value=3, period=Period("", "", ""), evidence=[ev("s1")]),
        Fact(kind="event", id="bad", date="2025-13-40", date_precision="day", text="Impossible date", evidence=[ev("s1")]),
        Fact(kind="advisory", country="XQ", action="made_up_action", evidence=[ev("s1")]),
        Fact(kind="place", place="Nowhere", country="SD", attrs={"lat": "n/a", "lon": 200}, evidence=[ev("s1")]),
        Fact(kind="place", place="ءالفاشر Эль-Фашер", country="SD", attrs={"lat": 14.0, "lon": 26.0}, evidence=[ev("s1")]),
    ]
    figs = by_id(make_charts(sheet, theme, tmp_path))
    assert not sheet.notes and len(figs) == 5
    assert "H2 2025: 0" in figs["attacks-by-period"].alt and "dozens" not in figs["attacks-by-period"].alt
    assert "Impossible" not in figs["events-timeline"].alt
    assert "XQ" in figs["advisories-by-country"].alt and "Other advice" in figs["advisories-by-country"].alt
    assert "Nowhere" not in figs["locator-map"].alt and "Эль-Фашер" in figs["locator-map"].alt


_LEAN_DRAW = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from briefing.charts import _lean_import
_lean_import()
import matplotlib.artist
assert "mpl_toolkits.mplot3d" not in sys.modules, "the 3D toolkit was imported"
assert matplotlib.artist.kwdoc(matplotlib.artist.Artist), "kwdoc was not given back"
from test_charts import make_sheet
from briefing.charts import make_charts
from briefing.config import default_styles_dir, load_theme
for f in make_charts(make_sheet(), load_theme(default_styles_dir() / "theme.toml"), Path(sys.argv[1])):
    print(f.id)
"""


def test_the_lean_matplotlib_import_of_a_worker_draws_the_same_charts(tmp_path, theme):
    """A chart worker imports matplotlib without the 3D toolkit and without building help texts; the
    charts it draws are byte-identical to charts drawn after a plain import (this process)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _LEAN_DRAW, str(tmp_path / "lean"), str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == list(FIGURE_IDS)
    import matplotlib.artist

    assert "Properties:" in matplotlib.artist.kwdoc(matplotlib.artist.Artist)  # this process: untouched
    plain = make_charts(make_sheet(), theme, tmp_path / "plain")
    for f in plain:
        assert (tmp_path / "lean" / Path(f.png).name).read_bytes() == Path(f.png).read_bytes(), f.id


def test_worker_processes_draw_the_same_files(tmp_path, theme):
    """Charts drawn by the forked workers are byte-identical to charts drawn in-process; a worker that
    died is replaced by drawing in-process."""
    from briefing.charts import ChartWorkers

    serial = make_charts(make_sheet(), theme, tmp_path / "a")
    with ChartWorkers(2) as w:
        parallel = make_charts(make_sheet(), theme, tmp_path / "b", workers=w)
    assert [f.id for f in parallel] == [f.id for f in serial] == list(FIGURE_IDS)
    for a, b in zip(serial, parallel):
        assert Path(a.png).read_bytes() == Path(b.png).read_bytes(), a.id
    with ChartWorkers(1) as w:
        for p, _ in w.procs:
            p.kill()
            p.join()
        again = make_charts(make_sheet(), theme, tmp_path / "c", workers=w)
    assert [f.id for f in again] == list(FIGURE_IDS)
    assert all(Path(f.png).stat().st_size > 5000 for f in again)


def test_chart_cell_citations_stay_short_at_scale():
    from briefing.charts.draw import cell_cites

    assert cell_cites([3, 1, 2]) == "[1\u20133]"
    assert cell_cites([1, 2, 9, 4]) == "[1, 2, 4, 9]"
    assert cell_cites(list(range(1, 241))) == "(240 sources)"
