"""End to end: build the seeds into a temporary folder and read the outputs as a reader would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEASER = ["Gaza", "Nigeria", "Sokoto", "Letters of marque", "Blackbeard", "Dear RS readers", "Subscribe now", "71,000", "google cta"]
COUNTRIES = ["United States", "United Kingdom", "France", "Germany", "Italy", "Canada"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from briefing import build

    project = tmp_path_factory.mktemp("project")
    shutil.copytree(SEEDS, project / "seeds")
    res = build(project)
    return project, res


def docx_text(path: Path) -> str:
    """All text in the body, including inside content controls and tables."""
    import docx

    d = docx.Document(str(path))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paras = []
    for p in d.element.body.iter(f"{ns}p"):
        paras.append("".join(t.text or "" for t in p.iter(f"{ns}t")))
    return "\n".join(paras)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_outputs_exist(built):
    project, res = built
    out = project / "out"
    for name in ("brief.pdf", "brief.docx", "factsheet.yaml"):
        assert (out / name).stat().st_size > 0
    charts = list((out / "charts").glob("*.png"))
    assert charts and not list((out / "charts").glob("*.svg"))  # SVG files only when asked for


def test_every_evidence_quote_is_the_source_text_at_its_span(built):
    _, res = built
    originals = {s.id: s.original for s in res.sources}
    n = 0
    for f in res.sheet.facts:
        assert f.evidence, f"fact {f.id} has no evidence"
        for e in f.evidence:
            assert originals[e.source][e.start:e.end] == e.quote, (f.id, e)
            n += 1
    assert n > 10


def test_factsheet_headline_figures(built):
    project, _ = built
    data = yaml.safe_load((project / "out" / "factsheet.yaml").read_text(encoding="utf-8"))
    counts = [f for f in data["facts"] if f["kind"] == "count"]
    h1_2025 = [f for f in counts if f.get("value") == 280 and f.get("period", {}).get("label") == "H1 2025"]
    assert h1_2025, "280 attacks in H1 2025 missing"
    derived = [f for f in counts if f.get("value") == 140 and f.get("derived")]
    assert derived and derived[0]["period"]["label"] == "H1 2024"
    shares = {(f.get("value"), f.get("period", {}).get("label")): f for f in data["facts"] if f["kind"] == "share"}
    assert (8, "2024") in shares
    assert (20, "2025") in shares and shares[(20, "2025")]["qualifier"] in ("approx_below", "approx")


def test_factsheet_advisories(built):
    _, res = built
    adv = {(f.country, f.action) for f in res.sheet.by_kind("advisory")}
    assert {c for c, _ in adv} == {"US", "GB", "FR", "DE", "IT", "CA"}
    assert ("US", "ordered_departure") in adv and ("GB", "ordered_departure") in adv


def test_no_teaser_content_anywhere(built):
    project, _ = built
    out = project / "out"
    texts = {
        "factsheet": (out / "factsheet.yaml").read_text(encoding="utf-8"),
        "docx": docx_text(out / "brief.docx"),
        "pdf": pdf_text(out / "brief.pdf"),
    }
    for where, text in texts.items():
        for bad in TEASER:
            assert bad.lower() not in text.lower(), f"teaser text {bad!r} in {where}"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_reader_sees_headline_figures_with_citations_and_countries(built, fmt):
    project, _ = built
    path = project / "out" / f"brief.{fmt}"
    text = docx_text(path) if fmt == "docx" else pdf_text(path)
    flat = re.sub(r"\s+", " ", text)
    assert re.search(r"280[^\[\n]{0,80}\[\d+(, ?\d+)*\]", flat), "280 without a citation"
    assert re.search(r"140[^\[]{0,80}\[\d+(, ?\d+)*\]", flat)
    assert "derived" in flat.lower()
    for c in COUNTRIES:
        assert c in flat, c
    assert "Sources" in flat


def test_cli_build_and_exit_codes(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(SEEDS, project / "seeds")
    r = subprocess.run([sys.executable, "-m", "briefing", "build", "--project", str(project)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "brief.pdf" in r.stdout
    empty = tmp_path / "empty"
    (empty / "seeds").mkdir(parents=True)
    r = subprocess.run([sys.executable, "-m", "briefing", "build", "--project", str(empty)], capture_output=True, text=True)
    assert r.returncode != 0
    assert "no readable sources" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_build_runs_in_a_folder_without_styles(tmp_path, monkeypatch):
    from briefing import build

    (tmp_path / "seeds").mkdir()
    shutil.copy(SEEDS / "000_26edd2b44d24d61b.txt", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    res = build(".", out_dir=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "brief.pdf").exists()
    assert res.outputs["docx"].exists()


def test_rebuild_with_nothing_changed_returns_at_once(tmp_path):
    """A second build with the same inputs leaves every output untouched and replays the warnings;
    touching a source, editing the Word file or deleting the PDF makes the next build a real one."""
    import os

    from briefing import build

    project = tmp_path / "p"
    shutil.copytree(SEEDS, project / "seeds")
    first = build(project)
    assert not first.unchanged
    out = project / "out"
    names = ("brief.pdf", "brief.docx", "factsheet.yaml", "changes.md")
    stamps = {n: (out / n).stat().st_mtime_ns for n in names}
    second = build(project)
    assert second.unchanged and second.sheet is None
    assert second.warnings == first.warnings and first.warnings  # the seeds have undated articles
    assert set(second.outputs) == set(first.outputs)
    assert {n: (out / n).stat().st_mtime_ns for n in names} == stamps
    assert not build(project, force=True).unchanged

    src = sorted((project / "seeds").iterdir())[0]
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    assert not build(project).unchanged
    assert build(project).unchanged
    (out / "brief.pdf").unlink()
    again = build(project)
    assert not again.unchanged and (out / "brief.pdf").stat().st_size > 0
    docx = out / "brief.docx"
    os.utime(docx, ns=(docx.stat().st_atime_ns, docx.stat().st_mtime_ns + 10**9))  # "saved in Word"
    assert not build(project).unchanged
    (project / "briefing.toml").write_text('title = "Another title"\n', encoding="utf-8")
    res = build(project)
    assert not res.unchanged and res.sheet is not None


def test_parallel_extraction_equals_serial(tmp_path, monkeypatch):
    """Forked workers give exactly the facts, in the same order, as extracting in-process."""
    import briefing.pipeline as pipeline
    from briefing.model import to_dict
    from briefing.sources import load_sources

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(tmp_path / "s", 8, seed=3)
    for p in sorted(SEEDS.iterdir())[:2]:
        shutil.copy(p, tmp_path / "s" / p.name)
    sources = load_sources(tmp_path / "s").sources
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    monkeypatch.setenv("BRIEFING_JOBS", "1")
    serial = pipeline.extract_all(sources, None)
    monkeypatch.setenv("BRIEFING_JOBS", "2")
    calls = []
    real = pipeline._workers
    monkeypatch.setattr(pipeline, "_workers", lambda n: calls.append(real(n)) or calls[-1])
    parallel = pipeline.extract_all(sources, None)
    assert calls == [2]  # the forked pool ran, with two workers
    assert list(parallel) == list(serial) == [s.id for s in sources]
    assert {k: [to_dict(f) for f in v] for k, v in parallel.items()} == {k: [to_dict(f) for f in v] for k, v in serial.items()}
    assert sum(len(v) for v in serial.values()) > 20


def test_temporary_files_of_a_killed_build_are_cleaned(tmp_path):
    from briefing import build

    project = tmp_path / "p"
    shutil.copytree(SEEDS, project / "seeds")
    out = project / "out"
    (out / "charts").mkdir(parents=True)
    stale = [out / ".brief.pdf.abc123.tmp", out / "charts" / ".share-shift.png.x1.tmp"]
    for p in stale:
        p.write_bytes(b"half a file")
    keep = out / "notes.tmp"  # not one of ours (no leading dot): left alone
    keep.write_text("mine")
    build(project)
    assert not any(p.exists() for p in stale)
    assert keep.read_text() == "mine"


def test_parallel_build_gives_the_same_bytes_as_serial(tmp_path, monkeypatch):
    """Chart workers and the PDF rendered ahead in a second process change nothing in the outputs."""
    import briefing.pipeline as pipeline
    from briefing import build

    ahead = []
    real = pipeline._PdfAhead.take
    monkeypatch.setattr(pipeline._PdfAhead, "take", lambda self, dest: ahead.append(1) or real(self, dest))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763000000")
    outs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("BRIEFING_JOBS", jobs)
        # the parallel build also writes its fact sheet YAML in a background process
        monkeypatch.setattr(pipeline, "_BACKGROUND_YAML_FACTS", 0 if jobs == "2" else 10**9)
        project = tmp_path / jobs
        shutil.copytree(SEEDS, project / "seeds")
        build(project)
        outs[jobs] = {n: (project / "out" / n).read_bytes() for n in ("brief.pdf", "brief.docx", "factsheet.yaml")}
    assert ahead == [1]  # only the two-process build rendered the PDF ahead
    assert outs["1"] == outs["2"]


def test_a_background_writer_that_fails_is_redone_by_the_build(tmp_path):
    import os

    import briefing.pipeline as pipeline

    parent = os.getpid()
    target = tmp_path / "written.txt"

    def write():
        if os.getpid() != parent:
            raise OSError("disk full (simulated, in the background process only)")
        target.write_text("done")

    assert pipeline._background(write)
    assert not target.exists()
    pipeline.join_background()
    assert target.read_text() == "done"
    assert pipeline._BACKGROUND == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_chart_that_cannot_be_drawn_is_left_out_with_a_warning(tmp_path, monkeypatch, jobs):
    """In-process or in a worker process: the failing chart is named, the rest of the brief is built."""
    import docx

    import briefing.charts.draw as draw
    from briefing import build

    def broken(*a, **k):
        raise ValueError("bad data for this chart")

    monkeypatch.setattr(draw, "timeline", broken)
    monkeypatch.setenv("BRIEFING_JOBS", jobs)
    project = tmp_path / "p"
    shutil.copytree(SEEDS, project / "seeds")
    res = build(project)
    assert any("chart 'events-timeline' could not be drawn" in w and "bad data" in w for w in res.warnings)
    assert "chart:events-timeline" not in res.outputs and "chart:locator-map" in res.outputs
    d = docx.Document(str(project / "out" / "brief.docx"))
    assert len(d.inline_shapes) == len([k for k in res.outputs if k.startswith("chart:")]) >= 3
    assert (project / "out" / "brief.pdf").stat().st_size > 10_000


def test_cached_and_parallel_source_loading_equals_load_sources(tmp_path, monkeypatch):
    """load_all (per-file cache, forked readers) gives exactly what sources.load_sources gives: same
    sources in the same order, same warnings and skipped files, cold and from the cache."""
    import briefing.pipeline as pipeline
    from briefing.model import to_dict
    from briefing.sources import load_sources

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    folder = tmp_path / "s"
    generate(folder, 6, seed=5)
    for p in sorted(SEEDS.iterdir()):
        shutil.copy(p, folder / p.name)
    (folder / "empty.txt").write_text("  \n")
    (folder / "dup.txt").write_bytes(sorted(SEEDS.iterdir())[0].read_bytes())  # a duplicate for finish()
    want = load_sources(folder)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    monkeypatch.setenv("BRIEFING_JOBS", "2")
    cache = tmp_path / "cache"
    for _ in range(2):  # cold (workers), then every file from the cache
        got = pipeline.load_all(folder, cache)
        assert [to_dict(s) for s in got.sources] == [to_dict(s) for s in want.sources]
        assert [s.original for s in got.sources] == [s.original for s in want.sources]
        assert got.warnings == want.warnings and got.skipped == want.skipped == ["empty.txt"]
    assert any(s.duplicate_of for s in got.sources)
    assert len(list(cache.glob("*.json"))) == len(want.sources) + 1
    (folder / "empty.txt").unlink()  # a removed file's cache entry is pruned
    pipeline.load_all(folder, cache)
    assert len(list(cache.glob("*.json"))) == len(want.sources)


def test_count_of_advice_issuers_is_kept_in_the_sheet_but_not_a_situation_bullet(built):
    """The gold keeps "at least four Western governments" as a count; the brief shows who advised what in
    the advisories table instead of a bare bullet."""
    project, res = built
    c = [f for f in res.sheet.facts if f.kind == "count" and f.value == 4 and f.attrs.get("counts") == "advice_issuers"]
    assert c
    assert "Western governments" not in pdf_text(project / "out" / "brief.pdf")


def test_cache_entries_are_written_without_fsync_outputs_with_it(tmp_path, monkeypatch):
    """Thousands of cache entries must not each wait for the disk; the outputs still do."""
    import os

    from briefing import build

    synced: list[str] = []
    real = os.fsync

    def counting_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    monkeypatch.setenv("BRIEFING_JOBS", "1")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    build(tmp_path)
    names = [Path(p).name for p in synced]
    assert not [p for p in synced if "/.cache/sources/" in p or "/.cache/extract/" in p]
    assert any(".brief.pdf." in n for n in names) and any(".factsheet.yaml." in n for n in names)
    assert list((tmp_path / "out" / ".cache" / "extract").glob("*.json"))
