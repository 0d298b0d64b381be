"""One matplotlib style for every chart, built from the theme (styles/theme.toml).

Chart-specific settings live in the theme's optional ``[charts]`` table; every key has a default here,
so a project theme without that table still works.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

from ..config import Theme

CM = 1 / 2.54

DEFAULTS: dict[str, Any] = {
    "dpi": 200,  # PNG resolution (for Word)
    "width_cm": 16.0,  # drawn at the text column width of an A4 page
    "font_size": 8.5,  # base size in points, at 100 % scale
    "title_size": 9.5,
    "grid": "#E1E6EB",
    "derived_tint": 0.55,  # how much lighter (towards white) derived bars are drawn
    "sea": "#EAF1F7",
    "land": "#F4F3EF",
    "land_edge": "#A3ADB8",
    "focus": "#DCE7F2",
    "focus_edge": "#1F3A5F",
    "svg_hashsalt": "briefing",
    "svg": None,  # also write SVG files; default: only when the PDF embeds SVG ([pdf] chart_format = "svg")
}


def chart_settings(theme: Theme) -> dict[str, Any]:
    """Defaults, overridden by the theme's [charts] table (Theme.charts if present, else read from the file)."""
    cfg = dict(DEFAULTS)
    extra = getattr(theme, "charts", None)
    pdf: dict = {}
    if getattr(theme, "path", None):
        try:
            data = tomllib.loads(Path(theme.path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        pdf = data.get("pdf", {}) if isinstance(data.get("pdf"), dict) else {}
        if extra is None:
            extra = data.get("charts", {})
    for k, v in (extra or {}).items():
        if k in cfg:
            cfg[k] = v
    if cfg["svg"] is None:
        cfg["svg"] = str(pdf.get("chart_format", "png")).lower() == "svg"
    cfg["svg"] = bool(cfg["svg"])
    return cfg


def colors(theme: Theme) -> dict[str, Any]:
    c = theme.colors or {}
    palette = list(c.get("palette") or ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"])
    return {
        "primary": c.get("primary", "#1F3A5F"),
        "text": c.get("text", "#222222"),
        "muted": c.get("muted", "#5F6B7A"),
        "rule": c.get("rule", "#B8C2CC"),
        "palette": palette,
    }


def tint(hex_color: str, amount: float) -> str:
    """Mix a colour with white: amount 0 = unchanged, 1 = white."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    mix = [round(v + (255 - v) * amount) for v in (r, g, b)]
    return "#" + "".join(f"{v:02X}" for v in mix)


def font_family(theme: Theme) -> str:
    """Register the theme's body font with matplotlib (if it is not a bundled one) and return its name."""
    family = (theme.fonts or {}).get("body", "DejaVu Sans")
    if family.replace(" ", "").lower().startswith("dejavusans"):
        return family
    try:
        from matplotlib import font_manager

        path = theme.font_file(family)
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    except Exception:  # noqa: BLE001 - any font problem falls back to the bundled font
        return "DejaVu Sans"


def rc_params(theme: Theme, cfg: dict[str, Any]) -> dict[str, Any]:
    col = colors(theme)
    from cycler import cycler

    size = float(cfg["font_size"])
    return {
        "font.family": [font_family(theme), "DejaVu Sans"],
        "font.size": size,
        "axes.titlesize": float(cfg["title_size"]),
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlecolor": col["text"],
        "axes.labelsize": size,
        "axes.labelcolor": col["muted"],
        "axes.edgecolor": col["rule"],
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=col["palette"]),
        "grid.color": cfg["grid"],
        "grid.linewidth": 0.7,
        "xtick.color": col["muted"],
        "ytick.color": col["muted"],
        "xtick.labelcolor": col["text"],
        "ytick.labelcolor": col["text"],
        "xtick.labelsize": size,
        "ytick.labelsize": size,
        "xtick.major.size": 0,
        "ytick.major.size": 0,
        "legend.frameon": False,
        "legend.fontsize": size - 0.5,
        "text.color": col["text"],
        "text.usetex": False,
        "text.parse_math": False,  # source text is data: a "$" must print, not start mathtext
        "svg.hashsalt": str(cfg["svg_hashsalt"]),
        "svg.fonttype": "path",  # text as outlines: the PDF's SVG import needs no fonts
        "path.simplify": True,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "hatch.linewidth": 0.8,
    }


def new_figure(width_cm: float, height_cm: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def render_bytes(fig, dpi: int, svg: bool = True) -> tuple[bytes, bytes | None]:
    """PNG (and SVG when asked) bytes, without timestamps or version strings (byte-identical across runs)."""
    png = png_rgb(fig, dpi)
    if not svg:
        return png, None
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return png, out.getvalue()


def png_rgb(fig, dpi: int, level: int = 1) -> bytes:
    """The figure as an 8-bit RGB PNG (no alpha: charts are opaque) with its resolution recorded.

    Written here rather than by ``savefig``: every row uses PNG filter 0, so the PDF writer can embed
    the compressed pixel data as it is (a PDF Flate stream with PNG predictors) instead of decoding and
    compressing the image again; zlib level 1 is several times faster than the default and flat-colour
    charts compress nearly as well."""
    import zlib

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    old = fig.dpi
    fig.set_dpi(dpi)
    try:
        raw, (w, h) = canvas.print_to_buffer()  # draws at ``dpi``; RGBA
    finally:
        fig.set_dpi(old)
    rgba = np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 4)
    rgb = rgba[:, :, :3]
    alpha = rgba[:, :, 3]
    if alpha.min() < 255:  # anything see-through: flatten onto white, as a viewer would show it
        a = alpha[:, :, None].astype(np.uint16)
        rgb = ((rgb.astype(np.uint16) * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)
    rows = np.zeros((h, w * 3 + 1), dtype=np.uint8)  # column 0: the row's filter type (0, none)
    rows[:, 1:] = rgb.reshape(h, w * 3)

    from ..util import png_bytes

    return png_bytes(w, h, dpi, zlib.compress(rows.tobytes(), level))
