"""Faults during a build: the previous outputs survive, no half-written file is left, one build at a time."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.hostile.corpus import SEEDS, make_good_project

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("brief.docx", "brief.pdf", "factsheet.yaml")


def reopen(out: Path) -> None:
    import docx
    import yaml
    from pypdf import PdfReader

    d = docx.Document(str(out / "brief.docx"))
    assert d.paragraphs
    r = PdfReader(str(out / "brief.pdf"), strict=True)
    assert len(r.pages) >= 1 and r.pages[0].extract_text()
    assert yaml.safe_load((out / "factsheet.yaml").read_text(encoding="utf-8"))


def snapshot(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in OUTPUTS}


def stray_files(out: Path) -> list[str]:
    """Files that look like (partial) outputs: anything visible that a build does not normally leave."""
    normal = {"brief.docx", "brief.pdf", "factsheet.yaml", "changes.md"}
    bad = []
    for p in out.rglob("*"):
        rel = p.relative_to(out).as_posix()
        if p.is_dir() or rel.startswith((".cache/", "charts/", "previous/")) or rel in normal or rel == ".lock":
            continue
        bad.append(rel)
    return bad


def temp_leftovers(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(".*.tmp"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from briefing import build

    project = make_good_project(tmp_path_factory.mktemp("faults"), n=2)
    build(project)
    return project


@pytest.fixture
def project(built, tmp_path):
    p = tmp_path / "p"
    shutil.copytree(built, p)
    # a new source so the next build really writes different outputs
    shutil.copy(SEEDS / "004_5f6a32acac610a47.txt", p / "seeds" / "004_5f6a32acac610a47.txt")
    return p


# --- a writer fails mid-build ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where,target", [("replace", "factsheet.yaml"), ("fsync", "brief.docx"), ("replace", "brief.pdf")]
)
def test_failure_while_writing_keeps_the_previous_output(project, monkeypatch, target, where):
    """The disk fails while an output is being written (before its data is flushed, or at the rename)."""
    from briefing import build

    out = project / "out"
    before = snapshot(out)
    real_replace, real_fsync = os.replace, os.fsync
    state = {"dst": None, "hit": False}

    def fake_replace(src, dst, *a, **k):
        if where == "replace" and str(dst).endswith(target):
            state["hit"] = True
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *a, **k)

    def fake_fsync(fd):
        name = os.readlink(f"/proc/self/fd/{fd}")
        if where == "fsync" and Path(name).name.startswith(f".") and target in Path(name).name:
            state["hit"] = True
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "replace", fake_replace)
    monkeypatch.setattr(os, "fsync", fake_fsync)
    with pytest.raises(OSError):
        build(project)
    monkeypatch.undo()
    assert state["hit"], f"{target} was not written through a temporary file"
    if target in before:
        assert (out / target).read_bytes() == before[target]
    reopen(out)
    assert temp_leftovers(out) == []
    assert stray_files(out) == []
    _hold_lock(out).close()  # the lock was released


# --- the build process is killed ----------------------------------------------------------------------


def test_killed_build_leaves_previous_outputs_readable(built, tmp_path):
    """SIGKILL builds at staggered moments (all start together, each on its own copy of the project)."""
    delays = [0.5, 1.3, 2.1, 2.9, 3.7]
    runs = []
    for i, delay in enumerate(delays):
        p = tmp_path / f"p{i}"
        shutil.copytree(built, p)
        shutil.copy(SEEDS / "004_5f6a32acac610a47.txt", p / "seeds")
        before = snapshot(p / "out")
        proc = subprocess.Popen(
            [sys.executable, "-m", "briefing", "build", "--project", str(p), "-q"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runs.append((p, delay, before, proc))
    t0 = time.monotonic()
    for p, delay, before, proc in runs:
        time.sleep(max(0.0, t0 + delay - time.monotonic()))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    changed = 0
    for p, delay, before, proc in runs:
        proc.wait(timeout=30)
        out = p / "out"
        reopen(out)  # whatever moment the kill came, every output opens
        assert stray_files(out) == [], (delay, stray_files(out))
        for name in temp_leftovers(out):  # a killed writer may leave its hidden temporary file, never a partial output
            assert Path(name).name.startswith(".") and name.endswith(".tmp")
        changed += snapshot(out) != before
    # after a kill, the lock is free and a rebuild completes
    p = runs[0][0]
    from briefing import build

    build(p)
    reopen(p / "out")


# --- one build at a time ------------------------------------------------------------------------------


def _hold_lock(out: Path):
    fh = open(out / ".lock", "a+")
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fh


def test_second_build_on_a_locked_out_folder_fails_fast(project):
    from briefing import build
    from briefing.cli import main
    from briefing.pipeline import BuildError

    out = project / "out"
    before = snapshot(out)
    fh = _hold_lock(out)
    try:
        t = time.perf_counter()
        with pytest.raises(BuildError, match="another build is writing to"):
            build(project)
        assert time.perf_counter() - t < 2.0
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", "--project", str(project), "-q"])
        assert code == 1
        assert err.getvalue().splitlines() == [f"briefing: error: another build is writing to {out}; wait for it to finish"]
    finally:
        fh.close()
    assert snapshot(out) == before
    build(project)  # free again once the first build is done
    reopen(out)


def test_two_real_builds_do_not_interleave(project):
    """Build A runs in a subprocess (slowed down at the charts stage); build B on the same folder is refused."""
    from briefing.cli import main

    out = project / "out"
    script = (
        "import sys, time, briefing.charts as c\n"
        "real = c.make_charts\n"
        "def slow(*a, **k):\n"
        "    time.sleep(2)\n"
        "    return real(*a, **k)\n"
        "c.make_charts = slow\n"
        "from briefing.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    a = subprocess.Popen([sys.executable, "-c", script, "build", "--project", str(project), "-q"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:  # wait until A holds the lock
            assert time.monotonic() < deadline and a.poll() is None
            try:
                fh = _hold_lock(out)
            except OSError:
                break
            fh.close()
            time.sleep(0.05)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", "--project", str(project), "-q"])
        assert code == 1 and "another build is writing to" in err.getvalue()
        assert a.wait(timeout=60) == 0, a.stderr.read()
    finally:
        if a.poll() is None:
            a.kill()
            a.wait()
    reopen(out)
    assert stray_files(out) == [] and temp_leftovers(out) == []
