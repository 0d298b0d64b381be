"""Charts: FactSheet -> figures (PNG for Word and the PDF, SVG when asked for), each with caption, alt text and a
source note. A chart with no data is omitted.

Public API:
    make_charts(sheet, theme, out_dir) -> list[Figure]

Charts (ids in ``FIGURE_IDS``): counts by period (``attacks-by-period``), regional share shift
(``share-shift``), advisories by country and action (``advisories-by-country``), events timeline
(``events-timeline``) and a locator map (``locator-map``). Which facts each one shows, and its words,
are decided in ``data.py`` (no matplotlib); drawing is in ``draw.py`` and ``locator.py``, the shared
style in ``style.py``. A chart whose data, style and code are unchanged is not drawn again: its hash is
stored beside it as ``<id>.hash``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from ..config import Theme
from ..model import FactSheet, Figure
from ..util import trace
from .data import FIGURE_IDS, Spec, all_specs

__all__ = ["make_charts", "plan_charts", "ChartWorkers", "FIGURE_IDS"]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.sha1()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _mpl_version() -> str:
    """matplotlib's version (charts are redrawn when it changes), read from its ``_version.py``
    without importing it; looking it up in the installed packages' metadata costs tens of ms."""
    from importlib.util import find_spec

    try:
        spec = find_spec("matplotlib")
        if spec is not None and spec.origin:
            text = (Path(spec.origin).parent / "_version.py").read_text(encoding="utf-8")
            m = re.search(r"""^(?:__version__\s*=\s*)?version\s*=\s*['"]([^'"]+)['"]""", text, re.M)
            if m:
                return m.group(1)
    except (OSError, ImportError, ValueError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


# The parts of a Spec the drawing functions read. Caption, alt text, source note and citations are
# printed by the writers beside the chart, not in it: a new source that only renumbers the citations
# of a chart (or rewords its caption) does not redraw it.
_DRAWN = ("id", "title", "payload", "width", "extra_hash")


def spec_hash(spec: Spec, cfg: dict, col: dict, theme: Theme) -> str:
    """What a chart's pixels depend on: the drawn parts of its spec, the chart settings, colours and
    fonts, the drawing code and matplotlib's version."""
    drawn = asdict(spec)
    blob = json.dumps(
        {
            "spec": {k: drawn[k] for k in _DRAWN},
            "cfg": cfg,
            "col": col,
            "fonts": theme.fonts,
            "code": _code_digest(),
            "mpl": _mpl_version(),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def _draw(spec: Spec, cfg: dict, col: dict):
    from . import draw, locator

    fn = {
        "attacks-by-period": draw.counts,
        "share-shift": draw.shares,
        "advisories-by-country": draw.advisories,
        "events-timeline": draw.timeline,
        "locator-map": locator.locator_map,
    }[spec.id]
    return fn(spec, cfg, col)


def figure_cm(spec: Spec, cfg: dict) -> tuple[float, float]:
    """A chart's width and height in cm, from its data alone: the writers lay out the brief with it
    while the chart is still being drawn (the drawing functions use the same sizes)."""
    from . import draw, locator

    w = float(cfg["width_cm"])
    if spec.id == "locator-map":
        return w, locator.frame(spec, cfg)[-1]
    if spec.id == "advisories-by-country":
        return w, draw.advisories_height(len(spec.payload["rows"]))
    if spec.id == "events-timeline":
        return w, draw.TIMELINE_H_CM
    return w, draw.BAR_H_CM


def figure_px(spec: Spec, cfg: dict) -> tuple[int, int]:
    """The PNG's size in pixels, as matplotlib's Agg canvas sizes it (inches times dpi, truncated)."""
    from .style import CM

    w, h = figure_cm(spec, cfg)
    dpi = int(cfg["dpi"])
    return int(w * CM * dpi), int(h * CM * dpi)


@dataclass
class Job:
    """One chart to draw: its spec and where its files go (picklable: sent to worker processes)."""

    spec: Spec
    png: str
    svg: str
    hfile: str
    digest: str


@dataclass
class Plan:
    figures: list[Figure]  # every chart with data, in order (files may still be pending in ``jobs``)
    jobs: list[Job]  # charts whose files are missing or stale
    cfg: dict
    col: dict


def plan_charts(sheet: FactSheet, theme: Theme, out_dir: Path) -> Plan:
    """Decide which charts exist and which must be (re)drawn; no matplotlib involved."""
    from .style import chart_settings, colors

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = chart_settings(theme)
    col = colors(theme)
    figures: list[Figure] = []
    jobs: list[Job] = []
    for spec in all_specs(sheet):
        png, svg, hfile = out_dir / f"{spec.id}.png", out_dir / f"{spec.id}.svg", out_dir / f"{spec.id}.hash"
        digest = spec_hash(spec, cfg, col, theme)
        fresh = (
            png.exists() and (svg.exists() or not cfg["svg"]) and hfile.exists()
            and hfile.read_text(encoding="utf-8").strip() == digest
        )
        if not fresh:
            jobs.append(Job(spec, str(png), str(svg), str(hfile), digest))
        figures.append(
            Figure(
                id=spec.id,
                title=spec.title,
                caption=spec.caption,
                alt=spec.alt,
                source_note=spec.source_note,
                png=str(png),
                svg=str(svg) if cfg["svg"] else "",
                cites=list(spec.cites),
                width=spec.width,
                data_hash=digest,
            )
        )
    # Charts that no longer have data: remove their old files so out/charts matches the brief.
    kept = {f.id for f in figures}
    for fid in FIGURE_IDS:
        if fid not in kept:
            for ext in ("png", "svg", "hash"):
                (out_dir / f"{fid}.{ext}").unlink(missing_ok=True)
    return plan_cost_order(Plan(figures, jobs, cfg, col))


# rough relative drawing cost, used to balance charts across worker processes
_COST = {"locator-map": 5, "events-timeline": 5, "advisories-by-country": 2, "attacks-by-period": 1.5, "share-shift": 1.5}


def plan_cost_order(plan: Plan) -> Plan:
    plan.jobs.sort(key=lambda j: -_COST.get(j.spec.id, 2))
    return plan


def draw_jobs(jobs: list[Job], cfg: dict, col: dict, theme: Theme) -> dict[str, str]:
    """Draw and write each job's files; returns {chart id: error message} for charts that failed."""
    import matplotlib

    from ..util import atomic_write_bytes, atomic_write_text
    from .style import rc_params, render_bytes

    failed: dict[str, str] = {}
    rc = rc_params(theme, cfg)
    for job in jobs:
        try:
            with matplotlib.rc_context(rc):
                fig = _draw(job.spec, cfg, col)
                png_bytes, svg_bytes = render_bytes(fig, int(cfg["dpi"]), svg=cfg["svg"])
        except Exception as e:  # noqa: BLE001 - one bad chart must not sink the brief
            failed[job.spec.id] = f"{type(e).__name__}: {e}"
            continue
        Path(job.hfile).unlink(missing_ok=True)
        atomic_write_bytes(Path(job.png), png_bytes)
        if svg_bytes is not None:
            atomic_write_bytes(Path(job.svg), svg_bytes)
        else:
            Path(job.svg).unlink(missing_ok=True)
        atomic_write_text(Path(job.hfile), job.digest + "\n")
        trace(f"chart drawn: {job.spec.id}")
    return failed


def apply_failures(plan: Plan, failed: dict[str, str], sheet: FactSheet) -> tuple[list[Figure], list[str]]:
    """The figures that were drawn, and a message for each chart that failed (also noted on the sheet,
    so the brief's annex lists it)."""
    msgs = []
    for fid, err in failed.items():
        msg = f"chart '{fid}' could not be drawn and was left out: {err}"
        sheet.notes.append(msg)
        msgs.append(msg)
    return [f for f in plan.figures if f.id not in failed], msgs


def make_charts(sheet: FactSheet, theme: Theme, out_dir: Path, workers: "ChartWorkers | None" = None) -> list[Figure]:
    """Draw the charts whose data changed (in ``workers`` when given) and return the figures."""
    plan = plan_charts(sheet, theme, out_dir)
    if not plan.jobs:
        return plan.figures
    if workers is not None:
        failed = workers.draw(plan, theme)
    else:
        failed = draw_jobs(plan.jobs, plan.cfg, plan.col, theme)
    figures, msgs = apply_failures(plan, failed, sheet)
    for msg in msgs:
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return figures


def _warm_up(theme: Theme | None) -> None:
    """Draw a tiny throw-away chart in the theme's fonts: the first drawing in a process loads fonts and
    text-layout caches (about 0.1 s); done before the other workers are forked, it is paid once."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    from .style import chart_settings, png_rgb, rc_params

    rc = rc_params(theme, chart_settings(theme)) if theme is not None else {}
    with matplotlib.rc_context(rc):
        fig = MplFigure(figsize=(1.5, 1))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.2, 0.2, 0.7, 0.6))
        ax.bar([0, 1], [1, 2])
        ax.set_xticks([0, 1], ["Ab", "Cd"])
        ax.annotate("Ef 1", (0, 1), fontweight="bold")
        fig.text(0.05, 0.9, "Gh", fontweight="bold")
        png_rgb(fig, 40)


def _lean_import() -> None:
    """Import the parts of matplotlib a chart worker draws with, leaving out two costs that buy a
    worker nothing (together about 0.07 s of the 0.4 s import):

    - every Artist subclass builds a help text for its ``set()`` method when its class is created
      (``matplotlib.artist.kwdoc``); a worker never shows help, so that text is left empty here;
    - ``matplotlib.projections`` imports the 3D toolkit to register the "3d" projection; no chart
      here is 3D, so that import is skipped (and matplotlib's warning about it silenced).

    Both only touch this process (a chart worker, which exits with the build), are undone once the
    import is done, and fall back to the plain import if matplotlib's layout differs. Charts drawn
    either way are identical (tested)."""
    import sys
    import warnings

    if "matplotlib.figure" in sys.modules:  # already imported in full (e.g. forked from a process that drew)
        return
    try:
        import matplotlib.artist as artist
    except Exception:  # noqa: BLE001 - the plain import then reports the problem
        return
    original = artist.kwdoc if callable(getattr(artist, "kwdoc", None)) else None
    if original is not None:
        artist.kwdoc = lambda _artist: ""
    blocked = "mpl_toolkits.mplot3d" not in sys.modules
    if blocked:
        sys.modules["mpl_toolkits.mplot3d"] = None  # type: ignore[assignment] - its import raises ImportError
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unable to import Axes3D")
            import matplotlib.figure  # noqa: F401
            import matplotlib.projections  # noqa: F401
    except Exception:  # noqa: BLE001
        pass
    finally:
        if blocked and sys.modules.get("mpl_toolkits.mplot3d", 0) is None:
            del sys.modules["mpl_toolkits.mplot3d"]
        if original is not None:
            artist.kwdoc = original


def _worker_main(conn, siblings=(), parent_ends=(), theme: Theme | None = None) -> None:
    """A chart worker process: import matplotlib at once (while the parent extracts), then draw jobs.

    The first worker imports matplotlib once and then forks the other workers (``siblings``: their
    pipe ends) from itself, so the import is paid once rather than once per worker. ``parent_ends``
    are the build's ends of the pipes, inherited by the fork: closed at once, so that a worker sees
    end-of-file when the build goes away."""
    import os

    for end in parent_ends:
        end.close()

    try:
        _lean_import()
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.backends import backend_agg  # noqa: F401 - warm the import
        from matplotlib import font_manager

        font_manager.fontManager  # noqa: B018 - load the font cache now
        import numpy  # noqa: F401 - used to write the PNGs

        from . import draw, locator  # noqa: F401

        trace("chart worker: matplotlib imported")
        _warm_up(theme)
        trace("chart worker: warmed up")
    except Exception:  # noqa: BLE001 - the parent falls back to drawing itself
        pass
    for i, sib in enumerate(siblings):
        try:
            pid = os.fork()
        except OSError:
            sib.close()  # the parent sees EOF on that pipe and draws that worker's share itself
            continue
        if pid == 0:  # the sibling: serve its own pipe only
            code = 0
            try:
                conn.close()
                for other in siblings:
                    if other is not sib:
                        other.close()
                _serve(sib)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        sib.close()
    _serve(conn)


def _serve(conn) -> None:
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        jobs, cfg, col, theme = msg
        try:
            failed = draw_jobs(jobs, cfg, col, theme)
        except BaseException as e:  # noqa: BLE001
            failed = {j.spec.id: f"{type(e).__name__}: {e}" for j in jobs}
        try:
            conn.send(failed)
        except (OSError, ValueError):
            return


class ChartWorkers:
    """Forked processes that import matplotlib in the background and draw charts in parallel.

    Start them early (``ChartWorkers(2)``) so the import overlaps extraction; ``draw(plan, theme)``
    splits the jobs between them; ``close()`` ends them. If a worker dies, its charts are drawn here."""

    def __init__(self, n: int = 2, theme: Theme | None = None):
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        pipes = [ctx.Pipe() for _ in range(max(1, n))]
        # one process is started; it forks the others once matplotlib is imported
        p = ctx.Process(target=_worker_main, daemon=True,
                        args=(pipes[0][1], tuple(c for _, c in pipes[1:]), tuple(e for e, _ in pipes), theme))
        p.start()
        for _, child in pipes:
            child.close()
        self.proc = p
        self.procs = [(p, parent) for parent, _ in pipes]
        self.broken = False

    def usable(self) -> bool:
        """Every worker is there to take jobs (a long-lived set is replaced when this turns false)."""
        return bool(self.procs) and not self.broken and self.proc.is_alive()

    def draw(self, plan: Plan, theme: Theme) -> dict[str, str]:
        return self.submit(plan, theme)()

    def submit(self, plan: Plan, theme: Theme):
        """Send the jobs out and return at once; calling the result waits and gives {id: error}."""
        shares: list[list[Job]] = [[] for _ in self.procs]
        load = [0.0] * len(self.procs)
        for job in plan.jobs:  # jobs come most expensive first: each goes to the least loaded worker
            k = load.index(min(load))
            shares[k].append(job)
            load[k] += _COST.get(job.spec.id, 2)
        sent = []
        for (p, conn), share in zip(self.procs, shares):
            if not share:
                continue
            try:
                conn.send((share, plan.cfg, plan.col, theme))
                sent.append((conn, share))
            except (OSError, ValueError):
                self.broken = True
                sent.append((None, share))

        def wait() -> dict[str, str]:
            failed: dict[str, str] = {}
            for conn, share in sent:
                try:
                    if conn is None:
                        raise EOFError
                    failed.update(conn.recv())
                except (EOFError, OSError):
                    self.broken = True
                    failed.update(draw_jobs(share, plan.cfg, plan.col, theme))
            return failed

        return wait

    def close(self) -> None:
        for p, conn in self.procs:
            try:
                conn.send(None)
                conn.close()
            except (OSError, ValueError):
                pass
        # the forked siblings end when their pipe closes; the first worker is our child
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.procs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
