"""``briefing watch``: rebuild when the inputs change, and say in one line what changed.

Watched: the sources folder, the review file, ``briefing.toml`` and the project's ``styles/``
(templates, theme, reference.docx). Nothing else: the output folder may sit inside the project (or
even inside a watched folder) and a build writing to it never triggers another build.

Polling with ``os.scandir`` and ``stat`` only (no file is read, no dependency): a poll compares
(size, mtime) of every watched file with the last snapshot. A change starts a quiet period: the
build waits until the files have stopped changing for ``quiet`` seconds, so copying 200 articles
in gives one build. Each build prints one line: when, which files were added / removed / modified
(a few names, then a count), and the result (time, warnings, the "What changed" summary of
``out/changes.md``), or the one-line error of a failed build; watching goes on either way.
Ctrl-C stops cleanly (exit status 0).

:func:`run` takes the clock, the sleep and the build function as arguments so that tests drive
it without waiting.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

Snapshot = dict[str, tuple[int, int]]  # label path -> (size, mtime_ns)

_SKIP_DIRS = ("__pycache__",)
_SKIP_PREFIXES = (".", "~$")  # hidden files, editor locks (~$brief.docx, .~lock.x#), temp files


@dataclass
class Watched:
    """What one poll looks at: (label, path) pairs, and folders never to enter (the output)."""

    roots: list[tuple[str, Path]]
    exclude: list[Path] = field(default_factory=list)


def _skip_name(name: str) -> bool:
    return name.startswith(_SKIP_PREFIXES) or name.endswith(("~", ".tmp", ".swp"))


def snapshot(w: Watched) -> Snapshot:
    """(size, mtime_ns) of every watched file, keyed by a readable label ("seeds/a.md",
    "review.yaml", "styles/theme.toml"). A missing file or folder is simply absent."""
    out: Snapshot = {}
    excluded = {os.path.normcase(os.path.abspath(p)) for p in w.exclude}
    for label, root in w.roots:
        root_s = str(root)
        try:
            st = os.stat(root_s)
        except OSError:
            continue
        if not os.path.isdir(root_s):
            out[label] = (st.st_size, st.st_mtime_ns)
            continue
        if os.path.normcase(os.path.abspath(root_s)) in excluded:
            continue
        stack = [(root_s, label)]
        while stack:
            d, rel = stack.pop()
            try:
                with os.scandir(d) as it:
                    for e in it:
                        name = e.name
                        if _skip_name(name) or name in _SKIP_DIRS:
                            continue
                        try:
                            if e.is_dir():
                                if name.startswith("_"):
                                    continue
                                if os.path.normcase(os.path.abspath(e.path)) in excluded:
                                    continue
                                stack.append((e.path, f"{rel}/{name}"))
                            else:
                                est = e.stat()
                                out[f"{rel}/{name}"] = (est.st_size, est.st_mtime_ns)
                        except OSError:
                            continue
            except OSError:
                continue
    return out


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.modified)

    def describe(self, limit: int = 3) -> str:
        def names(items: list[str]) -> str:
            shown = ", ".join(items[:limit])
            more = len(items) - limit
            return shown + (f" and {more} more" if more > 0 else "")

        parts = []
        for word, items in (("added", self.added), ("removed", self.removed), ("modified", self.modified)):
            if items:
                parts.append(f"{len(items)} {word} ({names(items)})")
        return "; ".join(parts) or "no file changes"


def diff(before: Snapshot, after: Snapshot) -> Changes:
    return Changes(
        added=sorted(k for k in after if k not in before),
        removed=sorted(k for k in before if k not in after),
        modified=sorted(k for k in after if k in before and after[k] != before[k]),
    )


def watched_paths(project: Path, sources: Path | None, out: Path | None) -> tuple[Watched, Path, Path]:
    """The inputs of a build of ``project``, per its briefing.toml (read again after each change
    of it: the config names the sources folder, the output folder and the review file)."""
    from .config import load_config

    project = Path(project).resolve()
    cfg_file = project / "briefing.toml"
    try:
        config = load_config(project)
        src = Path(sources) if sources else project / config.sources_dir
        dst = Path(out) if out else project / config.out_dir
        review = project / config.review
    except Exception:  # a broken config is reported by the build; watch the defaults meanwhile
        src = Path(sources) if sources else project / "seeds"
        dst = Path(out) if out else project / "out"
        review = project / "review.yaml"
    src, dst = src.resolve(), dst.resolve()
    roots = [
        (_label(src, project, "sources"), src),
        (_label(review, project, "review"), review),
        ("briefing.toml", cfg_file),
        ("styles", project / "styles"),
    ]
    return Watched(roots, [dst]), src, dst


def _label(p: Path, project: Path, fallback: str) -> str:
    try:
        return p.resolve().relative_to(project).as_posix() or fallback
    except ValueError:
        return p.name or fallback


# --------------------------------------------------------------------------------------------
# the result line
# --------------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def result_summary(res, out: Path) -> str:
    """"built in 1.2 s, 3 warnings; what changed: 1 new source, 2 new facts, travel advice NO:
    none -> leave_now" from a BuildResult and out/changes.md."""
    total = (getattr(res, "timings", None) or {}).get("total", 0.0)
    warnings = len(getattr(res, "warnings", []) or [])
    if getattr(res, "unchanged", False):
        return f"up to date ({total:.2f} s, {_plural(warnings, 'warning')}); outputs left as they were"
    line = f"built in {total:.2f} s, {_plural(warnings, 'warning')}"
    try:
        from .facts.changes import summarise_changes_md

        summary = summarise_changes_md((Path(out) / "changes.md").read_text(encoding="utf-8"))
    except OSError:
        summary = None
    if summary is None:
        return line
    if summary.get("first"):
        return line + "; first edition"
    bits = []
    for key, word in (("new_sources", "new source"), ("new_facts", "new fact"), ("changed_facts", "changed fact"),
                      ("withdrawn_facts", "withdrawn fact")):
        n = len(summary.get(key, []))
        if n:
            bits.append(_plural(n, word))
    adv = summary.get("advisory_changes", [])
    if adv:
        shown = ", ".join(adv[:3]) + (f" and {len(adv) - 3} more" if len(adv) > 3 else "")
        bits.append(f"travel advice {shown}")
    return line + "; what changed: " + (", ".join(bits) if bits else "nothing since the previous edition")


# --------------------------------------------------------------------------------------------
# the loop
# --------------------------------------------------------------------------------------------


_WARM: dict = {}  # the chart workers kept by this watcher across builds


def _default_build(project: Path, sources: Path | None, out: Path | None):
    """One build, in this (warm) process: the extractor, the writers and their fonts stay loaded between
    builds, and so do the chart workers with matplotlib imported (started again if one died)."""
    from .pipeline import _chart_workers, build

    workers = _WARM.get("charts")
    if workers is None or not workers.usable():
        if workers is not None:
            workers.close()
        _WARM["charts"] = workers = _chart_workers()
    return build(project, sources_dir=sources, out_dir=out, chart_workers=workers)


def _close_warm() -> None:
    workers = _WARM.pop("charts", None)
    if workers is not None:
        workers.close()


def _error_line(e: BaseException) -> str:
    from .config import ConfigError

    try:
        from .compose.env import TemplateError
        from .pipeline import BuildError

        known: tuple = (BuildError, ConfigError, TemplateError, OSError)
    except ImportError:  # pragma: no cover
        known = (ConfigError, OSError)
    msg = " ".join(str(e).split()) or type(e).__name__
    if isinstance(e, known):
        return f"build failed: {msg}"
    return f"build failed: internal error: {type(e).__name__}: {msg}"


def run(
    project: str | Path = ".",
    *,
    sources: str | Path | None = None,
    out: str | Path | None = None,
    interval: float = 0.5,
    quiet: float = 0.5,
    once: bool = False,
    max_builds: int | None = None,
    build: Callable | None = None,
    echo: Callable[[str], None] = print,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
) -> int:
    """Build, then rebuild on every settled change of the inputs until interrupted (exit 0).

    ``once``: build once and return (0 when the build succeeded, 1 when it failed).
    ``max_builds``: return after that many builds (the first included); for tests and scripts.
    """
    project = Path(project).resolve()
    build = build or _default_build
    interval = max(float(interval), 0.01)
    quiet = max(float(quiet), 0.0)
    builds = 0

    def do_build(what: str) -> bool:
        nonlocal builds
        builds += 1
        _, _, dst = watched_paths(project, Path(sources) if sources else None, Path(out) if out else None)
        t = clock()
        try:
            res = build(project, Path(sources) if sources else None, Path(out) if out else None)
        except KeyboardInterrupt:
            raise
        except Exception as e:  # the watcher survives any failing build
            echo(f"{now()} {what} -> {_error_line(e)} ({clock() - t:.2f} s)")
            return False
        echo(f"{now()} {what} -> {result_summary(res, dst)}")
        return True

    try:
        w, src, dst = watched_paths(project, Path(sources) if sources else None, Path(out) if out else None)
        echo(f"watching {src} and the project's config, review file and styles; output {dst} "
             f"(Ctrl-C to stop)" if not once else f"building {project}")
        last = snapshot(w)
        ok = do_build("start")
        if once:
            return 0 if ok else 1
        pause = interval
        while max_builds is None or builds < max_builds:
            sleep(pause)
            t = clock()
            cur = snapshot(w)
            # a poll costs one stat per file (~40 ms for 5,000 files): keep it under ~20% of a core
            pause = max(interval, 5 * (clock() - t))
            if cur == last:
                continue
            # debounce: wait until nothing has changed for `quiet` seconds
            settled_since = clock()
            while clock() - settled_since < quiet:
                sleep(min(interval, quiet))
                nxt = snapshot(w)
                if nxt != cur:
                    cur, settled_since = nxt, clock()
            changes = diff(last, cur)
            last = cur
            if not changes:
                continue
            do_build(changes.describe())
            # the config may name other folders now
            w, _, _ = watched_paths(project, Path(sources) if sources else None, Path(out) if out else None)
            last = snapshot(w) if any(k == "briefing.toml" for k in changes.modified + changes.added
                                      + changes.removed) else last
    except KeyboardInterrupt:
        echo("stopped")
        return 0
    finally:
        _close_warm()
    return 0
