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
import warnings
from dataclasses import asdict
from pathlib import Path

from ..config import Theme
from ..model import FactSheet, Figure
from .data import FIGURE_IDS, Spec, all_specs

__all__ = ["make_charts", "FIGURE_IDS"]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.sha1()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _mpl_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


def spec_hash(spec: Spec, cfg: dict, col: dict, theme: Theme) -> str:
    blob = json.dumps(
        {
            "spec": asdict(spec),
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


def make_charts(sheet: FactSheet, theme: Theme, out_dir: Path) -> list[Figure]:
    from ..util import atomic_write_bytes, atomic_write_text
    from .style import chart_settings, colors, rc_params, render_bytes

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = chart_settings(theme)
    col = colors(theme)
    figures: list[Figure] = []
    rc = None
    for spec in all_specs(sheet):
        png, svg, hfile = out_dir / f"{spec.id}.png", out_dir / f"{spec.id}.svg", out_dir / f"{spec.id}.hash"
        digest = spec_hash(spec, cfg, col, theme)
        fresh = (
            png.exists() and (svg.exists() or not cfg["svg"]) and hfile.exists()
            and hfile.read_text(encoding="utf-8").strip() == digest
        )
        if not fresh:
            import matplotlib

            if rc is None:
                rc = rc_params(theme, cfg)
            try:
                with matplotlib.rc_context(rc):
                    fig = _draw(spec, cfg, col)
                    png_bytes, svg_bytes = render_bytes(fig, int(cfg["dpi"]), svg=cfg["svg"])
            except Exception as e:  # noqa: BLE001 - one bad chart must not sink the brief
                msg = f"chart '{spec.id}' could not be drawn and was left out: {type(e).__name__}: {e}"
                warnings.warn(msg, RuntimeWarning, stacklevel=2)
                sheet.notes.append(msg)
                continue
            hfile.unlink(missing_ok=True)
            atomic_write_bytes(png, png_bytes)
            if svg_bytes is not None:
                atomic_write_bytes(svg, svg_bytes)
            else:
                svg.unlink(missing_ok=True)
            atomic_write_text(hfile, digest + "\n")
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
    return figures
