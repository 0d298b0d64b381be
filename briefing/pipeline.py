"""The pipeline: sources -> extract -> facts -> charts -> compose -> render.

``build(project_dir)`` is the whole job; the CLI is a thin shell over it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .model import Fact, FactSheet, Source, fact_from_dict
from .util import trace


class BuildError(Exception):
    """Nothing could be built; the message is one line for the user."""


@dataclass
class BuildResult:
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sheet: FactSheet | None = None  # None when ``unchanged`` (read out/factsheet.yaml if you need it)
    sources: list[Source] = field(default_factory=list)  # empty when ``unchanged``
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # nothing changed since the last build: the outputs were left as they were
    merge_messages: list[str] = field(default_factory=list)  # what the Word merge did (also in warnings)


_STAMP = "build.json"  # out/.cache/build.json: what the last complete build read and wrote


def _tree_stat(h, root: Path, label: str) -> None:
    """Feed (relative path, size, mtime) of every file under root into h; a missing root counts too."""
    import os

    h.update(f"\0{label}:{root}\0".encode())
    try:
        st = os.stat(root)
    except OSError:
        h.update(b"-")
        return
    if not os.path.isdir(root):
        h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
        return
    stack = [str(root)]
    rows = []
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.name in ("__pycache__", ".cache", ".lock", "history", "previous") or e.name.endswith(".pyc"):
                        continue
                    try:
                        if e.is_dir(follow_symlinks=True):
                            stack.append(e.path)
                        else:
                            est = e.stat()
                            rows.append(f"{e.path}|{est.st_size}|{est.st_mtime_ns}")
                    except OSError:
                        rows.append(f"{e.path}|?")
        except OSError:
            rows.append(f"{d}|unreadable")
    rows.sort()
    h.update("\n".join(rows).encode("utf-8", "surrogateescape"))


def _input_key(project_dir: Path, src_dir: Path, out: Path, config) -> str:
    """A digest of everything a build reads: code and shipped data, the environment that changes output,
    sources, config, review file, project and default styles (by path, size and mtime: stat calls only)."""
    import os

    from .config import default_styles_dir

    h = hashlib.sha1()
    h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    _tree_stat(h, Path(__file__).resolve().parent, "code")
    _tree_stat(h, Path(default_styles_dir()), "default-styles")
    _tree_stat(h, project_dir / "styles", "styles")
    _tree_stat(h, project_dir / "briefing.toml", "config")
    _tree_stat(h, project_dir / config.review, "review")
    _tree_stat(h, src_dir, "sources")
    h.update(str(out).encode())
    return h.hexdigest()


def _output_key(outputs: dict[str, Path]) -> str:
    h = hashlib.sha1()
    for name in sorted(outputs):
        _tree_stat(h, Path(outputs[name]), name)
    return h.hexdigest()


def _unchanged(out: Path, key: str) -> BuildResult | None:
    """The last build's result when its inputs and outputs are exactly as it left them, else None."""
    try:
        rec = json.loads((out / ".cache" / _STAMP).read_text(encoding="utf-8"))
        if rec.get("input") != key:
            return None
        outputs = {k: Path(v) for k, v in rec["outputs"].items()}
        if rec.get("output") != _output_key(outputs):
            return None
        return BuildResult(outputs=outputs, warnings=list(rec.get("warnings", [])), unchanged=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _record(out: Path, key: str, res: BuildResult) -> None:
    from .util import atomic_write_text

    rec = {
        "input": key,
        "output": _output_key(res.outputs),
        "outputs": {k: str(v) for k, v in res.outputs.items()},
        # replayed by a no-change build: what the inputs cause (sources, facts), not this build's merge report
        "warnings": [w for w in res.warnings if w not in set(res.merge_messages)],
    }
    atomic_write_text(out / ".cache" / _STAMP, json.dumps(rec, ensure_ascii=False, indent=0))


def _resolve_dirs(project_dir: Path, sources_dir, out_dir, config):
    src = Path(sources_dir) if sources_dir else project_dir / config.sources_dir
    out = Path(out_dir) if out_dir else project_dir / config.out_dir
    return src, out


PARALLEL_MIN = 24  # fewer items than this are processed in-process (a pool costs ~50 ms)

_POOL: tuple[Callable, list, bool] | None = None  # set before forking: workers read their items from here


def _pool_chunk(indices: list[int]) -> list[tuple[int, object]]:
    fn, items, collect = _POOL
    if collect:  # the parent paused its collector while it waits; a worker collects as usual
        import gc

        gc.enable()
    return [(i, fn(items[i])) for i in indices]


def _workers(n_jobs: int) -> int:
    import os

    env = os.environ.get("BRIEFING_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return min(int(env), n_jobs)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_jobs))


def parallel_map(fn: Callable, items: list, sizes: list[int]) -> list:
    """``[fn(x) for x in items]``, in forked worker processes (one per core, ``BRIEFING_JOBS`` caps them)
    when there are many items; chunks are balanced by ``sizes``, results come back in input order. The
    items reach the workers through fork, not a pickle; only the results are pickled."""
    import multiprocessing as mp

    n = _workers(len(items))
    if n < 2 or len(items) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        return [fn(x) for x in items]
    from concurrent.futures import ProcessPoolExecutor

    import gc
    import heapq

    global _POOL
    # many small chunks: a worker that finishes early takes the next one, so both end nearly together
    # (with a few large chunks one core idled for most of a chunk at the end)
    n_chunks = min(len(items), n * 16)
    chunks: list[list[int]] = [[] for _ in range(n_chunks)]
    heap = [(0, k) for k in range(n_chunks)]
    for i in sorted(range(len(items)), key=lambda i: -sizes[i]):  # largest first into the lightest chunk
        load, k = heapq.heappop(heap)
        chunks[k].append(i)
        heapq.heappush(heap, (load + sizes[i] + 500, k))
    results: list = [None] * len(items)
    # The parent's objects are frozen before the fork: a collection in a worker then never walks them
    # (nor copies their pages); and the parent does not collect while it unpickles results (all alive).
    enabled = gc.isenabled()
    _POOL = (fn, items, enabled)
    gc.disable()
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork")) as ex:
            for part in ex.map(_pool_chunk, [c for c in chunks if c]):
                for i, r in part:
                    results[i] = r
    finally:
        _POOL = None
        if len(items) >= _KEEP_FROZEN:
            gc.freeze()  # the results are the build's data from now on: later collections skip them
        else:
            gc.unfreeze()
        if enabled:
            gc.enable()
    return results


_KEEP_FROZEN = 1000  # parallel_map results of this many items stay frozen (see facts.merge.gc_paused)


def _source_to_json(src: Source | None, warnings: list[str]) -> str:
    from .facts.io import plain

    return json.dumps({"source": plain(src) if src is not None else None, "warnings": warnings}, ensure_ascii=False)


def _source_from_json(text: str) -> tuple[Source | None, list[str]]:
    from .model import Dropped, OffsetMap

    d = json.loads(text)
    sd = d["source"]
    if sd is None:
        return None, list(d["warnings"])
    sd = dict(sd)
    sd["offsets"] = OffsetMap([tuple(r) for r in sd.get("offsets", {}).get("runs", [])])
    sd["dropped"] = [Dropped(**x) for x in sd.get("dropped", [])]
    sd["paragraphs"] = [tuple(p) for p in sd.get("paragraphs", [])]
    sd.setdefault("original", "")
    sd.setdefault("text", "")
    return Source(**sd), list(d["warnings"])


def _read_path(args: tuple[Path, Path]):
    from .sources import read_one

    return read_one(*args)


@functools.lru_cache(maxsize=8)
def _code_version(*parts: str) -> str:
    """Digest of the package files under the given subfolders (what a cached result depends on)."""
    h = hashlib.sha1()
    base = Path(__file__).resolve().parent
    for part in parts:
        for p in sorted((base / part).rglob("*")):
            if p.is_file() and p.suffix in (".py", ".tsv", ".txt", ".json", ".yaml"):
                h.update(p.relative_to(base).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def load_all(src_dir: Path, cache_dir: Path | None):
    """``sources.load_sources`` with a per-file cache (keyed by relative path, size, mtime and the
    sources code) and, for many new files, reading in forked worker processes."""
    import os

    from .facts.merge import gc_paused, release_frozen
    from .sources import finish, scan

    release_frozen()  # what an earlier build in this process kept frozen
    files = scan(src_dir)
    version = _code_version("sources") + _code_version("data")[:8]
    read: list[tuple[Source | None, list[str]] | None] = [None] * len(files)
    keys: list[Path | None] = [None] * len(files)
    todo: list[int] = []
    with gc_paused(keep=True):  # thousands of cached sources parsed: all alive
        for i, (rel, path) in enumerate(files):
            if cache_dir is not None:
                try:
                    st = os.stat(path)
                    k = hashlib.sha1(f"{rel}|{st.st_size}|{st.st_mtime_ns}|{version}".encode()).hexdigest()
                    keys[i] = cache_dir / f"{k}.json"
                    read[i] = _source_from_json(keys[i].read_text(encoding="utf-8"))
                    continue
                except (OSError, ValueError, KeyError, TypeError):
                    pass
            todo.append(i)
    sizes = []
    for i in todo:
        try:
            sizes.append(os.stat(files[i][1]).st_size)
        except OSError:
            sizes.append(0)
    if cache_dir is not None and todo:
        cache_dir.mkdir(parents=True, exist_ok=True)

    from .sources.dedupe import SMALL, shingle_array

    # many files: the near-duplicate shingles of each new source are made by the worker that read it
    # (forked, so its string hashes agree with this process's); only the pair search stays here
    shingle_here = len(files) > SMALL and len(todo) >= PARALLEL_MIN

    def read_and_cache(i: int):
        r = _read_path((files[i][1], src_dir))
        if keys[i] is not None and r is not None:  # written by the worker that read it
            from .util import atomic_write_text

            try:
                atomic_write_text(keys[i], _source_to_json(*r), durable=False)
            except OSError:
                pass
        if shingle_here and r is not None and r[0] is not None:
            return r, shingle_array(r[0].text)
        return r, None

    known = {}
    for i, (r, sh) in zip(todo, parallel_map(read_and_cache, todo, sizes)):
        read[i] = r
        if sh is not None:
            known[r[0].text] = sh
    if cache_dir is not None:
        _prune(cache_dir, {k.name for k in keys if k is not None})
    return finish(src_dir, [(rel, *r) for (rel, _), r in zip(files, read)], shingles=known)


def _prune(cache_dir: Path, keep: set[str]) -> None:
    """Remove cache entries this build did not use (files since deleted or changed)."""
    import os

    try:
        with os.scandir(cache_dir) as it:
            for e in it:
                if e.name.endswith(".json") and e.name not in keep:
                    try:
                        os.unlink(e.path)
                    except OSError:
                        pass
    except OSError:
        pass


def extract_all(sources: list[Source], cache_dir: Path | None) -> dict[str, list[Fact]]:
    """Run the extractor on each source, reusing cached results keyed by content and version.
    Many uncached sources are extracted in parallel (one process per core; ``BRIEFING_JOBS`` caps it)."""
    from .extract import extract, fingerprint
    from .facts.io import plain
    from .facts.merge import gc_paused

    version = fingerprint()
    out: dict[str, list[Fact]] = {}
    todo: list[tuple[Source, Path | None]] = []
    with gc_paused(keep=True):  # cached facts parsed: all alive
        for s in sources:
            cached = cache_dir / f"{_extract_key(s, version)}.json" if cache_dir else None
            if cached and cached.exists():
                try:
                    out[s.id] = [fact_from_dict(d) for d in json.loads(cached.read_text(encoding="utf-8"))]
                    continue
                except (ValueError, TypeError, KeyError):
                    pass
            todo.append((s, cached))
    if cache_dir and todo:
        cache_dir.mkdir(parents=True, exist_ok=True)

    def extract_and_cache(item: tuple[Source, Path | None]) -> list[Fact]:
        s, cached = item
        facts = extract(s)
        if cached:  # written by the worker that extracted it
            from .util import atomic_write_text

            atomic_write_text(cached, json.dumps([plain(f) for f in facts], ensure_ascii=False), durable=False)
        return facts

    found = parallel_map(extract_and_cache, todo, [len(s.text) for s, _ in todo])
    for (s, _), facts in zip(todo, found):
        out[s.id] = facts
    if cache_dir:
        _prune(cache_dir, {_extract_key(s, version) + ".json" for s in sources})
    return {s.id: out[s.id] for s in sources if s.id in out}


def _extract_key(s: Source, version: str) -> str:
    return hashlib.sha1(f"{s.id}|{s.published}|{version}|{s.sha256}|{s.text}".encode()).hexdigest()


def _rotate_editions(sheet: FactSheet, out: Path) -> dict:
    """Write this edition's fact sheet, compare with the previous edition and keep it.

    ``out/factsheet.yaml`` is the current edition. When this build's facts differ from it, it becomes
    ``out/previous/factsheet.yaml`` (the edition "What changed" compares against); a rebuild with nothing
    new keeps comparing against the same previous edition. Each edition has a JSON twin
    (``out/.cache/factsheet.json``, ``out/previous/factsheet.json``) that is read instead of the YAML,
    which is slow to parse for thousands of sources; the twin carries the YAML's digest and is ignored
    when they disagree."""
    import shutil

    from .facts.changes import diff
    from .facts.io import sheet_from_dict, sheet_to_dict, dump_yaml
    from .util import atomic_write_bytes, atomic_write_text

    current, current_twin = out / "factsheet.yaml", out / ".cache" / "factsheet.json"
    previous, previous_twin = out / "previous" / "factsheet.yaml", out / "previous" / "factsheet.json"
    data = sheet_to_dict(sheet)
    new_json = json.dumps(data, ensure_ascii=False, sort_keys=False)
    if current.exists():
        try:
            cur_json = _twin_json(current, current_twin)
            if cur_json != new_json:
                previous.parent.mkdir(parents=True, exist_ok=True)
                tmp = previous.with_name(".factsheet.yaml.copy.tmp")
                try:
                    shutil.copyfile(current, tmp)
                    tmp.replace(previous)
                finally:
                    tmp.unlink(missing_ok=True)
                atomic_write_text(previous_twin, _twin(previous.read_bytes(), cur_json))
        except (OSError, ValueError):
            pass
    def write_current() -> None:
        yaml_bytes = dump_yaml(data).encode("utf-8")
        atomic_write_bytes(current, yaml_bytes)
        atomic_write_text(current_twin, _twin(yaml_bytes, new_json))

    # A large sheet's YAML (seconds for thousands of sources) is written by a forked process while the
    # brief is composed and rendered; ``join_background`` waits for it before the build ends.
    if len(sheet.facts) < _BACKGROUND_YAML_FACTS or not _background(write_current):
        write_current()
    prev_sheet = None
    if previous.exists():
        try:
            prev_sheet = sheet_from_dict(json.loads(_twin_json(previous, previous_twin)))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            prev_sheet = None
    return diff(prev_sheet, sheet)


_BACKGROUND_YAML_FACTS = 3000
_BACKGROUND: list[tuple[int, Callable[[], None]]] = []  # (pid, what to do here if that process failed)


def _background(fn: Callable[[], None]) -> bool:
    """Run fn in a forked process; False when no process could be forked (then the caller runs it)."""
    import os

    if not hasattr(os, "fork"):
        return False
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:
        code = 1
        try:
            fn()
            code = 0
        finally:
            os._exit(code)
    _BACKGROUND.append((pid, fn))
    return True


def join_background() -> None:
    """Wait for the build's background writers; redo here what one of them failed to do."""
    import os

    while _BACKGROUND:
        pid, fn = _BACKGROUND.pop()
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = 1
        if status != 0:
            fn()


def _twin(yaml_bytes: bytes, sheet_json: str) -> str:
    return json.dumps({"yaml_sha1": hashlib.sha1(yaml_bytes).hexdigest()}) + "\n" + sheet_json


def _twin_json(yaml_path: Path, twin: Path) -> str:
    """The sheet JSON for a fact sheet YAML file: from its twin when the digests match, else parsed."""
    raw = yaml_path.read_bytes()
    try:
        head, body = twin.read_text(encoding="utf-8").split("\n", 1)
        if json.loads(head).get("yaml_sha1") == hashlib.sha1(raw).hexdigest():
            return body
    except (OSError, ValueError, AttributeError):
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return json.dumps(yaml.load(raw.decode("utf-8"), Loader=loader), ensure_ascii=False, sort_keys=False)


def build(
    project_dir: str | Path = ".",
    *,
    sources_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    log: Callable[[str], None] | None = None,
    force: bool = False,
    chart_workers=None,
) -> BuildResult:
    """Build the brief. When nothing the build reads or wrote has changed since the last complete build
    (same sources, config, review file, styles, code; outputs untouched), return at once with
    ``unchanged=True`` and the last build's warnings; ``force=True`` always rebuilds.

    ``chart_workers``: a long-lived ``charts.ChartWorkers`` to draw with (``briefing watch`` keeps one
    across builds, so matplotlib is imported once); by default each build starts and ends its own."""
    from .config import load_config

    log = log or (lambda msg: None)
    t0 = time.perf_counter()
    trace("build: start")
    project_dir = Path(project_dir).resolve()
    config = load_config(project_dir)
    src_dir, out = _resolve_dirs(project_dir, sources_dir, out_dir, config)
    if not src_dir.is_dir():
        raise BuildError(f"no sources folder: {src_dir}")
    key = _input_key(project_dir, src_dir.resolve(), out.resolve(), config)
    if not force:
        same = _unchanged(out, key)
        if same is not None:
            for w in same.warnings:
                log(f"warning: {w}")
            log("nothing changed since the last build; outputs left as they were")
            same.timings["total"] = time.perf_counter() - t0
            return same

    from .config import resolve_styles

    res = BuildResult()
    styles = resolve_styles(project_dir, config)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise BuildError(f"cannot write to output folder {out}: {e.strerror or e}") from None

    from .rxcache import cached as compiled_patterns_cached

    with _build_lock(out), compiled_patterns_cached(out / ".cache" / "patterns.bin"):
        _clean_stale_temps(out)
        stamp = out / ".cache" / _STAMP
        previous_input = _recorded_input(stamp)
        stamp.unlink(missing_ok=True)
        # charts are drawn in worker processes that import matplotlib while sources are read and
        # extracted; not started when only an output changed (then the charts are already up to date)
        own = chart_workers is None or not chart_workers.usable()
        if previous_input == key:
            workers = None
        else:
            workers = _chart_workers(styles.theme) if own else chart_workers
        try:
            loaded = load_all(src_dir, out / ".cache" / "sources")
            res.warnings.extend(loaded.warnings)
            for w in loaded.warnings:
                log(f"warning: {w}")
            if not loaded.sources:
                raise BuildError(f"no readable sources in {src_dir}")
            res.sources = loaded.sources
            log(f"read {len(loaded.sources)} source(s) from {src_dir}")
            res.timings["sources"] = time.perf_counter() - t0
            trace("build: sources")
            _run(res, loaded, project_dir, config, styles, out, log, t0, workers)
        finally:
            join_background()
            if workers is not None and own:
                workers.close()
                trace("build: workers closed")
        _record(out, key, res)
        trace("build: recorded")
    return res


class _PdfAhead:
    """Render a Document to a PDF in a forked process; ``take`` waits and moves it into place."""

    def __init__(self, doc, styles, tmp: Path, key: str, pending: dict | None = None):
        import multiprocessing as mp

        self.key, self.tmp = key, tmp
        tmp.parent.mkdir(parents=True, exist_ok=True)
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_pdf_child, args=(child, doc, styles, tmp, pending), daemon=True)
        self.proc.start()
        child.close()

    def take(self, dest: Path) -> list[str] | None:
        """The child's problems list once its PDF is in place at dest; None if it failed (render here)."""
        import os

        try:
            ok, problems = self.conn.recv()
        except (EOFError, OSError):
            ok, problems = False, []
        self.proc.join()
        if not ok or not self.tmp.exists():
            self.tmp.unlink(missing_ok=True)
            return None
        os.replace(self.tmp, dest)
        return problems

    def cancel(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.tmp.unlink(missing_ok=True)
        return None


def _docx_draft(doc, styles, plan, standin_dir: Path) -> tuple[bytes, dict[bytes, str]] | None:
    """The Word document rendered while its charts are drawn: stand-in images of each pending chart's
    size; ``fill_images`` puts the charts in once they are there. None if that cannot be done (Word is
    then rendered after the charts, as always)."""
    from .charts import figure_px
    from .regen import stamp
    from .render import docx as docx_writer

    try:
        standins: dict[str, str] = {}
        images: dict[bytes, str] = {}
        for job in plan.jobs:
            w, h = figure_px(job.spec, plan.cfg)
            where = standin_dir / Path(job.png).name  # the same file name: Word records it
            data = docx_writer.standin_png(where, w, h, int(plan.cfg["dpi"]), f"{job.spec.id}|{job.digest}")
            standins[job.png] = str(where)
            images[data] = job.png
        return stamp(docx_writer.render_bytes(doc, styles, standins)), images
    except Exception:  # noqa: BLE001 - an optimisation only
        import os

        if os.environ.get("BRIEFING_DEBUG"):
            raise
        return None


def _pdf_child(conn, doc, styles, tmp: Path, pending: dict | None = None) -> None:
    try:
        from .render import pdf as pdf_writer

        problems = pdf_writer.write(doc, tmp, styles, pending=pending)
        trace("pdf child: written")
        conn.send((True, problems))
    except BaseException as e:  # noqa: BLE001 - the parent renders it again and reports properly
        try:
            conn.send((False, [f"{type(e).__name__}: {e}"]))
        except Exception:  # noqa: BLE001
            pass


def _where_chars(problem: str, sources: list[Source]) -> str:
    """'a.txt, b.txt': the sources holding the characters a PDF problem names (U+XXXX codes)."""
    import re

    chars = {chr(int(h, 16)) for h in re.findall(r"U\+([0-9A-F]{4,6})", problem)}
    if not chars:
        return ""
    names = [Path(s.path).name for s in sources if any(c in s.text for c in chars)]
    if not names:
        return ""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{', '.join(names[:3])}{more}"


def _recorded_input(stamp: Path) -> str | None:
    try:
        return json.loads(stamp.read_text(encoding="utf-8")).get("input")
    except (OSError, ValueError, AttributeError):
        return None


def _chart_workers(theme=None):
    """Two chart worker processes where fork is available and there are two cores (else None)."""
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods() or _workers(2) < 2:
        return None
    try:
        from .charts import ChartWorkers

        return ChartWorkers(2, theme)
    except OSError:  # cannot fork (limits): draw in-process
        return None


def _clean_stale_temps(out: Path) -> None:
    """Remove temporary files a killed build left behind (``.name.xxxx.tmp``); we hold the lock, so no
    other build is writing them."""
    import os

    for d in (out, out / "charts", out / ".cache", out / "previous", out / "history"):
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.name.startswith(".") and e.name.endswith(".tmp") and e.is_file(follow_symlinks=False):
                        try:
                            os.unlink(e.path)
                        except OSError:
                            pass
        except OSError:
            continue


_LOCK_FDS: set[int] = set()


def _close_lock_in_child() -> None:
    """Forked workers must not keep the build lock alive: if the build is killed, the lock is free at
    once even while a worker is still finishing."""
    import os

    for fd in list(_LOCK_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


def _register_fork_hook() -> None:
    import os

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_close_lock_in_child)


_register_fork_hook()


class _build_lock:
    """One build at a time per output folder (an advisory lock on out/.lock)."""

    def __init__(self, out: Path):
        self.path = out / ".lock"
        self.fh = None

    def __enter__(self):
        import fcntl

        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            raise BuildError(f"another build is writing to {self.path.parent}; wait for it to finish") from None
        _LOCK_FDS.add(self.fh.fileno())
        return self

    def __exit__(self, *exc):
        import fcntl

        _LOCK_FDS.discard(self.fh.fileno())
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
        return False


def _run(res: BuildResult, loaded, project_dir: Path, config, styles, out: Path, log, t0: float, workers=None) -> None:
    t = time.perf_counter()
    facts = extract_all(loaded.sources, out / ".cache" / "extract")
    res.timings["extract"] = time.perf_counter() - t
    trace("build: extract")

    t = time.perf_counter()
    from .extract import fingerprint
    from .facts import build_factsheet

    review = project_dir / config.review
    if review.exists():
        log(f"applying review decisions from {review.name}")
    sheet = build_factsheet(
        loaded.sources,
        facts,
        as_of=config.as_of or None,
        review_path=review if review.exists() else None,
        extractor_version=fingerprint(),
    )
    res.sheet = sheet
    for note in sheet.notes:
        res.warnings.append(note)
        log(f"warning: {note}")
    changes = _rotate_editions(sheet, out)  # also writes out/factsheet.yaml
    res.outputs["factsheet"] = out / "factsheet.yaml"
    from .facts.changes import changes_markdown
    from .util import atomic_write_text

    atomic_write_text(out / "changes.md", changes_markdown(changes, sheet))
    res.outputs["changes"] = out / "changes.md"
    res.timings["facts"] = time.perf_counter() - t
    trace("build: facts")

    t = time.perf_counter()
    from .charts import apply_failures, draw_jobs, plan_charts
    from .compose import compose
    from .compose.env import use_cache_dir

    use_cache_dir(out / ".cache" / "templates")

    from .regen import pdf_key, pdf_up_to_date, record_pdf, rebuild_docx

    pdf_path, stamp_file = out / "brief.pdf", out / ".cache" / "pdf.key"

    def pdf_ahead(doc, pending_charts=None):
        """The PDF follows the merged Word document, which is nearly always the composed one (no analyst
        edits): render that in a second process while Word is merged; it is kept only if the merge agrees."""
        ahead_key = pdf_key(doc, styles)
        if pdf_up_to_date(pdf_path, ahead_key, stamp_file):
            return None
        return _PdfAhead(doc, styles, out / ".cache" / "ahead.pdf", ahead_key, pending_charts)

    # charts are drawn by the workers while the brief is composed, the writers are imported and the PDF
    # is laid out
    plan = plan_charts(sheet, styles.theme, out / "charts")
    pending = workers.submit(plan, styles.theme) if (workers is not None and plan.jobs) else None
    ahead = draft = None
    if pending is not None:
        doc = compose(sheet, plan.figures, config, styles, changes=changes or None)
        trace("build: composed")
        from .render import pdf as _pdf_writer

        _pdf_writer.prepare(styles)  # fonts, inherited by the process that renders the PDF
        if _pdf_writer.embeds_png(styles):  # (SVG charts are read when laid out: then it waits)
            from .charts import figure_px

            late = {job.png: (*figure_px(job.spec, plan.cfg), job.hfile, job.digest) for job in plan.jobs}
            ahead = pdf_ahead(doc, late)
        draft = _docx_draft(doc, styles, plan, out / ".cache" / "standins")
        trace("build: docx drafted")
        failed = pending()
        if failed and ahead is not None:  # it would wait for a chart that never comes
            ahead = ahead.cancel()
    else:
        doc = None
        failed = draw_jobs(plan.jobs, plan.cfg, plan.col, styles.theme) if plan.jobs else {}
    trace("build: charts in hand")
    figures, chart_problems = apply_failures(plan, failed, sheet)
    for msg in chart_problems:
        res.warnings.append(msg)
        log(f"warning: {msg}")
    for fig in figures:
        res.outputs[f"chart:{fig.id}"] = Path(fig.png)
    res.timings["charts"] = time.perf_counter() - t
    trace("build: charts")

    t = time.perf_counter()
    if doc is None or failed:
        doc = compose(sheet, figures, config, styles, changes=changes or None)
    res.timings["compose"] = time.perf_counter() - t
    trace("build: compose")

    t = time.perf_counter()
    if workers is not None and ahead is None:
        ahead = pdf_ahead(doc)

    # Word: render, and merge the analyst's edits of the existing file (backed up first)
    rendered = None
    if draft is not None and not failed:
        from .render.docx import fill_images

        rendered = lambda: fill_images(*draft)  # noqa: E731
    rebuilt = rebuild_docx(doc, styles, out / "brief.docx", log=log, rendered=rendered)
    for msg in rebuilt.messages:
        res.warnings.append(msg)
        res.merge_messages.append(msg)
        log(msg)
    res.outputs["docx"] = out / "brief.docx"
    if rebuilt.backup is not None:
        res.outputs["docx-backup"] = rebuilt.backup
    res.timings["docx"] = time.perf_counter() - t
    trace("build: docx")

    t = time.perf_counter()
    # PDF: follows the merged document; redrawn only when something it shows changed
    key = pdf_key(rebuilt.document, styles)
    problems: list[str] | None = None
    if ahead is not None:
        problems = ahead.take(pdf_path) if key == ahead.key else ahead.cancel()
    if problems is None and not pdf_up_to_date(pdf_path, key, stamp_file):
        from .render import pdf as pdf_writer

        problems = pdf_writer.write(rebuilt.document, pdf_path, styles)
    if problems is not None:
        record_pdf(pdf_path, key, stamp_file)
        for p in problems:
            where = _where_chars(p, loaded.sources)
            msg = f"{where}: in {pdf_path.name}, {p}" if where else f"{pdf_path.name}: {p}"
            res.warnings.append(msg)
            log(f"warning: {msg}")
    res.outputs["pdf"] = pdf_path
    res.timings["pdf"] = time.perf_counter() - t
    trace("build: pdf")
    res.timings["total"] = time.perf_counter() - t0
    trace("build: total")
