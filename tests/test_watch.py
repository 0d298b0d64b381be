"""``briefing watch``: polling, debouncing, what it ignores, failing builds, Ctrl-C.

The loop runs against a fake clock: ``sleep`` advances time and applies the file changes scheduled
for that moment, so nothing here waits. The build is a stand-in that records its calls (the real
pipeline is exercised elsewhere); one test runs the CLI with the pipeline's build replaced.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from briefing import watch
from briefing.facts.changes import changes_markdown, summarise_changes_md
from briefing.model import FactSheet, SourceInfo


class FakeTime:
    """clock/sleep pair: sleeping runs the events due by then; ``stop_at`` raises Ctrl-C."""

    def __init__(self, events=(), stop_at: float | None = None):
        self.t = 0.0
        self.events = sorted(events, key=lambda e: e[0])
        self.stop_at = stop_at
        self.sleeps = 0

    def clock(self) -> float:
        return self.t

    def sleep(self, dt: float) -> None:
        self.sleeps += 1
        self.t += dt
        while self.events and self.events[0][0] <= self.t:
            self.events.pop(0)[1]()
        if self.stop_at is not None and self.t >= self.stop_at:
            raise KeyboardInterrupt


class FakeBuild:
    def __init__(self, fail_on: set[int] = frozenset()):
        self.calls = 0
        self.fail_on = set(fail_on)

    def __call__(self, project, sources, out):
        self.calls += 1
        if self.calls in self.fail_on:
            from briefing.pipeline import BuildError

            raise BuildError(f"no readable sources in {project / 'seeds'}")
        out = out or project / "out"
        out.mkdir(exist_ok=True)
        (out / "brief.docx").write_bytes(b"x" * self.calls)  # a build writes its outputs
        return SimpleNamespace(warnings=["one warning"] * self.calls, timings={"total": 0.25}, unchanged=False)


def project(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "first.md").write_text("An article.\n", encoding="utf-8")
    (tmp_path / "styles" / "templates").mkdir(parents=True)
    (tmp_path / "styles" / "templates" / "brief.md.j2").write_text("# {{ title }}\n", encoding="utf-8")
    return tmp_path


def write(path: Path, text: str = "text") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(tmp_path, events, *, stop_at=30.0, builder=None, **kw):
    lines: list[str] = []
    ft = FakeTime(events, stop_at)
    builder = builder or FakeBuild()
    rc = watch.run(tmp_path, build=builder, echo=lines.append, clock=ft.clock, sleep=ft.sleep,
                   now=lambda: "12:00:00", interval=0.5, quiet=0.5, **kw)
    return rc, lines, builder


def result_lines(lines):
    return [ln for ln in lines if ln.startswith("12:00:00 ")]


# --------------------------------------------------------------------------------------------


def test_a_200_file_copy_gives_one_build_naming_a_few_files(tmp_path):
    p = project(tmp_path)

    def copy(batch):
        def go():
            for i in range(batch * 40, batch * 40 + 40):
                write(p / "seeds" / f"new_{i:03d}.md", f"Article {i}.")
        return go

    # five batches 0.3 s apart (less than the quiet period): one settled change
    events = [(1.0 + 0.3 * b, copy(b)) for b in range(5)]
    rc, lines, b = run(p, events, stop_at=10.0)
    assert rc == 0 and lines[-1] == "stopped"
    assert b.calls == 2  # the start, then one for the whole copy
    got = result_lines(lines)
    assert got[0] == "12:00:00 start -> built in 0.25 s, 1 warning"
    assert got[1].startswith("12:00:00 200 added (seeds/new_000.md, seeds/new_001.md, seeds/new_002.md and 197 more)")
    assert got[1].endswith("-> built in 0.25 s, 2 warnings")


def test_output_folder_changes_never_trigger_a_build(tmp_path):
    p = project(tmp_path)
    events = [(1.0, lambda: write(p / "out" / "brief.pdf", "pdf")),
              (2.0, lambda: write(p / "out" / "history" / "brief-1.docx", "old")),
              (3.0, lambda: write(p / "seeds" / ".~lock.first.md#", "lock")),  # an editor's lock file
              (3.5, lambda: write(p / "styles" / "~$ference.docx", "lock"))]
    rc, lines, b = run(p, events, stop_at=8.0)
    assert rc == 0 and b.calls == 1


def test_output_inside_the_sources_folder_is_ignored_too(tmp_path):
    p = project(tmp_path)
    out = p / "seeds" / "out2"  # an output folder someone put inside the sources folder
    events = [(1.0, lambda: write(out / "brief.pdf", "pdf")), (2.0, lambda: write(out / "charts" / "a.png", "png"))]
    lines: list[str] = []
    ft = FakeTime(events, stop_at=6.0)
    b = FakeBuild()
    assert watch.run(p, out=out, build=b, echo=lines.append, clock=ft.clock, sleep=ft.sleep) == 0
    assert b.calls == 1 and (out / "brief.docx").exists()  # the build wrote there; no rebuild followed


def test_review_config_and_styles_changes_rebuild_and_are_named(tmp_path):
    p = project(tmp_path)
    events = [(1.0, lambda: write(p / "review.yaml", "decisions: []\n")),
              (4.0, lambda: write(p / "briefing.toml", 'title = "Weekly"\n')),
              (7.0, lambda: write(p / "styles" / "templates" / "brief.md.j2", "# {{ title }} changed\n")),
              (10.0, lambda: (p / "seeds" / "first.md").unlink())]
    rc, lines, b = run(p, events, stop_at=13.0)
    got = result_lines(lines)[1:]
    assert [g.split(" -> ")[0] for g in got] == [
        "12:00:00 1 added (review.yaml)",
        "12:00:00 1 added (briefing.toml)",
        "12:00:00 1 modified (styles/templates/brief.md.j2)",
        "12:00:00 1 removed (seeds/first.md)",
    ]
    assert b.calls == 5


def test_a_failing_build_is_one_line_and_watching_goes_on(tmp_path):
    p = project(tmp_path)
    events = [(1.0, lambda: write(p / "seeds" / "second.md", "More.")),
              (4.0, lambda: write(p / "seeds" / "third.md", "Even more."))]
    rc, lines, b = run(p, events, stop_at=8.0, builder=FakeBuild(fail_on={2}))
    got = result_lines(lines)
    assert rc == 0 and b.calls == 3
    assert re.fullmatch(r"12:00:00 1 added \(seeds/second\.md\) -> build failed: no readable sources in .*seeds "
                        r"\(\d+\.\d\d s\)", got[1])
    assert got[2].startswith("12:00:00 1 added (seeds/third.md) -> built in")


def test_an_unexpected_exception_is_reported_not_raised(tmp_path):
    p = project(tmp_path)

    def boom(project, sources, out):
        raise ValueError("bad\nthing")

    rc, lines, _ = run(p, [], stop_at=2.0, builder=boom)
    assert rc == 0
    assert "build failed: internal error: ValueError: bad thing" in result_lines(lines)[0]


def test_ctrl_c_during_a_build_stops_cleanly(tmp_path):
    p = project(tmp_path)

    def interrupted(project, sources, out):
        raise KeyboardInterrupt

    rc, lines, _ = run(p, [], stop_at=None, builder=interrupted)
    assert rc == 0 and lines[-1] == "stopped"


def test_once_builds_once_and_reports_failure_in_the_status(tmp_path):
    p = project(tmp_path)
    rc, lines, b = run(p, [], stop_at=None, once=True)
    assert rc == 0 and b.calls == 1
    rc, lines, b = run(p, [], stop_at=None, once=True, builder=FakeBuild(fail_on={1}))
    assert rc == 1 and "build failed" in lines[-1]


def test_max_builds_ends_the_loop(tmp_path):
    p = project(tmp_path)
    events = [(1.0, lambda: write(p / "seeds" / "second.md", "More."))]
    rc, lines, b = run(p, events, stop_at=None, max_builds=2)
    assert rc == 0 and b.calls == 2


def test_a_modified_file_is_seen_even_with_the_same_size(tmp_path):
    p = project(tmp_path)
    f = p / "seeds" / "first.md"

    def edit():
        f.write_text("An artikle.\n", encoding="utf-8")
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))

    rc, lines, b = run(p, [(1.0, edit)], stop_at=5.0)
    assert result_lines(lines)[1].startswith("12:00:00 1 modified (seeds/first.md) ->")


def test_a_change_undone_before_it_settles_builds_nothing(tmp_path):
    p = project(tmp_path)
    tmp = p / "seeds" / "draft.md"
    rc, lines, b = run(p, [(1.0, lambda: write(tmp)), (1.2, tmp.unlink)], stop_at=5.0)
    assert b.calls == 1


def test_poll_costs_one_stat_per_file(tmp_path, monkeypatch):
    p = project(tmp_path)
    for i in range(50):
        write(p / "seeds" / "sub" / f"a{i}.md")
    w, _, _ = watch.watched_paths(p, None, None)
    opened: list = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    snap = watch.snapshot(w)
    assert not opened  # no file is read
    assert len([k for k in snap if k.startswith("seeds/")]) == 51
    assert "styles/templates/brief.md.j2" in snap


# --------------------------------------------------------------------------------------------
# the result line: the "What changed" summary read back from out/changes.md
# --------------------------------------------------------------------------------------------


def test_changes_md_summary_round_trip():
    sheet = FactSheet(as_of="2025-05-02", sources=[SourceInfo("s9", "s9.md", "0", title="A new report")])
    changes = {"previous_as_of": "2025-05-01", "new_sources": ["s9"], "removed_sources": [],
               "new_facts": ["f1", "f2"], "changed_facts": [{"id": "f3", "before": "3", "after": "4"}],
               "withdrawn_facts": [], "advisory_changes": [{"country": "SE", "before": None, "after": "leave_now"}]}
    summary = summarise_changes_md(changes_markdown(changes, sheet))
    assert summary["new_sources"] == ["s9: A new report"]
    assert len(summary["new_facts"]) == 2 and len(summary["changed_facts"]) == 1
    assert summary["withdrawn_facts"] == []
    assert summary["advisory_changes"] == ["SE: none -> leave_now"]
    assert summarise_changes_md(changes_markdown({}, sheet)) == {"first": True}
    assert summarise_changes_md("something else") is None


def test_result_summary_reads_what_changed(tmp_path):
    sheet = FactSheet(as_of="2025-05-02")
    changes = {"previous_as_of": "2025-05-01", "new_sources": ["s9"], "removed_sources": [], "new_facts": ["f1"],
               "changed_facts": [], "withdrawn_facts": [],
               "advisory_changes": [{"country": "SE", "before": "avoid_travel", "after": "leave_now"}]}
    (tmp_path / "changes.md").write_text(changes_markdown(changes, sheet), encoding="utf-8")
    res = SimpleNamespace(warnings=[], timings={"total": 1.5}, unchanged=False)
    assert watch.result_summary(res, tmp_path) == (
        "built in 1.50 s, 0 warnings; what changed: 1 new source, 1 new fact, travel advice SE: avoid_travel -> leave_now")
    same = SimpleNamespace(warnings=["w"], timings={"total": 0.02}, unchanged=True)
    assert watch.result_summary(same, tmp_path).startswith("up to date (0.02 s, 1 warning)")


def test_cli_watch_once_uses_the_pipeline(tmp_path, monkeypatch, capsys):
    import briefing.pipeline
    from briefing.cli import main

    p = project(tmp_path)
    calls = []

    def fake_build(project, *, sources_dir=None, out_dir=None, log=None, chart_workers=None):
        calls.append((Path(project), sources_dir, out_dir))
        return SimpleNamespace(warnings=[], timings={"total": 0.1}, unchanged=False)

    monkeypatch.setattr(briefing.pipeline, "build", fake_build)
    assert main(["watch", "--project", str(p), "--once"]) == 0
    assert calls == [(p.resolve(), None, None)]
    assert "start -> built in 0.10 s, 0 warnings" in capsys.readouterr().out


def test_watch_keeps_its_chart_workers_across_builds_and_replaces_dead_ones(tmp_path, monkeypatch):
    """The watcher's builds share one set of chart workers (matplotlib imported once); a set whose
    worker died is replaced before the next build; stopping closes it."""
    import os
    import signal

    import briefing.pipeline

    seen = []

    def fake_build(project, *, sources_dir=None, out_dir=None, log=None, chart_workers=None):
        seen.append(chart_workers)
        return SimpleNamespace(warnings=[], timings={"total": 0.1}, unchanged=False)

    monkeypatch.setattr(briefing.pipeline, "build", fake_build)
    try:
        watch._default_build(tmp_path, None, None)
        watch._default_build(tmp_path, None, None)
        first = seen[0]
        if first is None:
            pytest.skip("no fork or a single core: each build draws in-process")
        assert seen[1] is first and first.usable()
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.join(5)
        assert not first.usable()
        watch._default_build(tmp_path, None, None)
        assert seen[2] is not first and seen[2].usable()
    finally:
        watch._close_warm()
    assert not seen[-1].usable()
