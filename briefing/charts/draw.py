"""Drawing the bar, slope, matrix and timeline charts (matplotlib object API, no pyplot).

Every function takes a Spec payload, the chart settings and the colours, and returns a
matplotlib Figure; ``make_charts`` saves it. Called only inside ``matplotlib.rc_context(style)``.
"""

from __future__ import annotations

import textwrap

from .style import CM, new_figure, tint

LEFT_CM = 0.35  # figure margins (the caption and source note sit outside the image)
TOP_TITLE_CM = 0.45
BAR_H_CM = 7.2  # the counts and shares charts
TIMELINE_H_CM = 6.6


def advisories_height(n_rows: int) -> float:
    return 2.3 + 0.62 * n_rows


def header(fig, title: str, subtitle: str, col: dict, cfg: dict) -> float:
    """Title and subtitle at the top left; returns the figure fraction below them."""
    h = fig.get_figheight() / CM
    y = 1 - TOP_TITLE_CM / h
    x = LEFT_CM / (fig.get_figwidth() / CM)
    fig.text(x, y, title, ha="left", va="center", fontsize=cfg["title_size"], fontweight="bold", color=col["text"])
    bottom = y - 0.35 / h
    if subtitle:
        y2 = y - 0.45 / h
        fig.text(x, y2, subtitle, ha="left", va="center", fontsize=cfg["font_size"] - 0.5, color=col["muted"])
        bottom = y2 - 0.35 / h
    return bottom


def _legend_patch(fig, items: list[tuple[dict, str]], y: float, col: dict, cfg: dict) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(**kw) for kw, _ in items]
    fig.legend(
        handles,
        [label for _, label in items],
        loc="upper right",
        bbox_to_anchor=(1 - 0.2 / (fig.get_figwidth() / CM), y),
        ncol=len(items),
        fontsize=cfg["font_size"] - 0.5,
        handlelength=1.4,
        handleheight=0.9,
        columnspacing=1.2,
        labelcolor=col["text"],
    )


# --------------------------------------------------------------------------------------------
# 1. counts by period
# --------------------------------------------------------------------------------------------


def counts(spec, cfg: dict, col: dict):
    p = spec.payload
    panels = p["panels"]
    n = len(panels)
    width = float(cfg["width_cm"])
    fig = new_figure(width, BAR_H_CM)
    base = col["palette"][0]
    light = tint(base, float(cfg["derived_tint"]))
    sub = "Number per reporting period"
    if n == 1 and len(panels[0]["bars"]) == 2:
        a, b = panels[0]["bars"]
        if a["value"]:
            ch = (b["value"] - a["value"]) / a["value"] * 100
            about = "about " if (a["hedged"] or b["hedged"]) else ""
            sub = f"{b['period']} compared with {a['period']}: {about}{ch:+.0f}%"
            if a["derived"] or b["derived"]:
                sub += " (one value derived)"
    top = header(fig, spec.title, sub, col, cfg)
    has_derived = any(b["derived"] for pnl in panels for b in pnl["bars"])
    if has_derived:
        _legend_patch(
            fig,
            [({"facecolor": base, "edgecolor": base}, "Reported"),
             ({"facecolor": light, "edgecolor": base, "linestyle": (0, (3, 2)), "linewidth": 1.0}, "Derived")],
            1 - 0.15 / 7.2, col, cfg,
        )
    axes = fig.subplots(1, n, squeeze=False)[0]
    fig.subplots_adjust(left=0.04, right=0.98, top=top - (0.5 / 7.2 if n > 1 else 0.1 / 7.2), bottom=0.12, wspace=0.25)
    for ax, pnl in zip(axes, panels):
        bars = pnl["bars"]
        xs = list(range(len(bars)))
        vmax = max(b["value"] for b in bars) or 1
        for x, b in zip(xs, bars):
            if b["derived"]:
                ax.bar(x, b["value"], width=0.62, color=light, edgecolor=base, linewidth=1.1, linestyle=(0, (3, 2)), zorder=2)
            else:
                ax.bar(x, b["value"], width=0.62, color=base, edgecolor=base, linewidth=0.8, zorder=2)
            ax.text(x, b["value"] + vmax * 0.03, b["label"], ha="center", va="bottom",
                    fontsize=cfg["font_size"] + 1, fontweight="bold", color=col["text"])
            if b["derived"]:
                inside = b["value"] > vmax * 0.22
                ax.text(x, b["value"] - vmax * 0.04 if inside else b["value"] + vmax * 0.16, "derived",
                        ha="center", va="top" if inside else "bottom", fontsize=cfg["font_size"] - 1,
                        fontstyle="italic", color=col["primary"])
        ax.set_xticks(xs, [b["period"] for b in bars])
        ax.set_xlim(-0.6, len(bars) - 0.4)
        ax.set_ylim(0, vmax * 1.28)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="x", pad=4)
        if n > 1:
            ax.set_title(pnl["title"], fontsize=cfg["font_size"], pad=4)
    return fig


# --------------------------------------------------------------------------------------------
# 2. share shift (slope chart)
# --------------------------------------------------------------------------------------------


def shares(spec, cfg: dict, col: dict):
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    p = spec.payload
    periods = p["periods"]
    lines = p["lines"]
    fig = new_figure(float(cfg["width_cm"]), BAR_H_CM)
    hedged = any(pt["hedged"] for ln in lines for pt in ln["points"])
    sub = "Percent"
    if len(lines) == 1 and len(lines[0]["points"]) >= 2:
        a, b = lines[0]["points"][0], lines[0]["points"][-1]
        about = "about " if (a["hedged"] or b["hedged"]) else ""
        sub += f"; {a['period']} to {b['period']}: {about}{b['value'] - a['value']:+.0f} percentage points"
    if hedged:
        sub += "; ~ approximate (open marker)"
    top = header(fig, spec.title, sub, col, cfg)
    multi = len(lines) > 1
    right = 0.72 if multi else 0.8
    ax = fig.add_axes((0.2, 0.13, right - 0.2, top - 0.13 - 0.06))
    vmax = max(pt["value"] for ln in lines for pt in ln["points"]) or 1
    idx = {per: i for i, per in enumerate(periods)}
    ax.set_xlim(-0.35, len(periods) - 0.65)
    ax.set_ylim(0, vmax * 1.25)
    ends: dict[str, list] = {"first": [], "last": []}  # labels at the ends, placed after dodging
    for k, ln in enumerate(lines):
        color = col["palette"][k % len(col["palette"])]
        xs = [idx[pt["period"]] for pt in ln["points"]]
        ys = [pt["value"] for pt in ln["points"]]
        ax.plot(xs, ys, color=color, linewidth=2.2, zorder=2, solid_capstyle="round")
        for j, (x, y, pt) in enumerate(zip(xs, ys, ln["points"])):
            face = "white" if pt["hedged"] or pt["derived"] else color
            ax.plot([x], [y], marker="o", markersize=8, markerfacecolor=face, markeredgecolor=color,
                    markeredgewidth=1.8, zorder=3, linestyle="none")
            if j == 0:
                ends["first"].append((x, y, pt["label"], color))
            elif j == len(xs) - 1:
                name = textwrap.shorten(ln["name"], 28, placeholder="…")
                ends["last"].append((x, y, f"{pt['label']}  {name}" if multi else pt["label"], color))
            elif not multi:  # middle values only when one line: with several they would collide
                ax.annotate(pt["label"], (x, y), xytext=(0, 8), textcoords="offset points", ha="center",
                            va="bottom", fontsize=cfg["font_size"], fontweight="bold", color=color)
    gap = (cfg["font_size"] + 3) * fig.dpi / 72  # pixels between label centres
    for side, dx, ha in (("first", -9, "right"), ("last", 9, "left")):
        items = ends[side]
        ys_px = [ax.transData.transform((x, y))[1] for x, y, _, _ in items]
        placed = _dodge(ys_px, gap)
        for (x, y, text, color), y0, y1 in zip(items, ys_px, placed):
            ax.annotate(text, (x, y), xytext=(dx, (y1 - y0) * 72 / fig.dpi), textcoords="offset points", ha=ha,
                        va="center", fontsize=cfg["font_size"] + 1, fontweight="bold", color=color)
    ax.set_xticks(range(len(periods)), periods)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.grid(axis="y")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", labelcolor=col["muted"])
    return fig


def _dodge(ys: list[float], gap: float) -> list[float]:
    """Spread label positions so neighbours are at least ``gap`` apart, keeping their mean in place."""
    if len(ys) < 2:
        return list(ys)
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = [ys[i] for i in order]
    for k in range(1, len(out)):
        out[k] = max(out[k], out[k - 1] + gap)
    shift = (sum(ys) - sum(out)) / len(out)
    res = [0.0] * len(ys)
    for k, i in enumerate(order):
        res[i] = out[k] + shift
    return res


# --------------------------------------------------------------------------------------------
# 3. advisories matrix
# --------------------------------------------------------------------------------------------

ACTION_COLOR_INDEX = {"ordered_departure": 3, "leave_now": 1, "avoid_travel": 0}


def action_color(action: str, col: dict) -> str:
    i = ACTION_COLOR_INDEX.get(action)
    return col["palette"][i] if i is not None and i < len(col["palette"]) else col["muted"]


def cell_cites(nums: list[int], limit: int = 4) -> str:
    """Citations in a chart cell: "[1–3, 9]" (ranges as in the brief); beyond ``limit`` numbers only the
    count, "(240 sources)", since a cell has no room and the figure's source note lists them."""
    from ..model import Cite

    nums = sorted(set(nums))
    if len(nums) > limit:
        return f"({len(nums)} sources)"
    return "[" + ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in Cite(nums).spans()) + "]"


def advisories(spec, cfg: dict, col: dict):
    p = spec.payload
    rows, columns, labels = p["rows"], p["columns"], p["labels"]
    n = len(rows)
    height = advisories_height(n)
    fig = new_figure(float(cfg["width_cm"]), height)
    top = header(fig, spec.title, "Filled marker: strongest action taken; ring: also advised; [n]: sources", col, cfg)
    head_cm = 0.85
    ax = fig.add_axes((0.27, 0.25 / height, 0.70, top - (0.25 + head_cm) / height))
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    for i in range(n):
        if i % 2 == 0:
            ax.axhspan(i - 0.5, i + 0.5, color="#F3F5F8", zorder=0, linewidth=0)
    for j in range(len(columns)):
        ax.axvline(j, color=col["rule"], linewidth=0.5, zorder=1, alpha=0.6)
    fs = cfg["font_size"]
    for i, r in enumerate(rows):
        for j, a in enumerate(columns):
            if a not in r["actions"]:
                continue
            c = action_color(a, col)
            if a == r["strongest"]:
                ax.plot([j], [i], marker="o", markersize=10, color=c, markeredgecolor="white", markeredgewidth=0.8, zorder=3)
            else:
                ax.plot([j], [i], marker="o", markersize=7.5, markerfacecolor="white", markeredgecolor=c,
                        markeredgewidth=1.6, zorder=3)
            nums = r["sources"].get(a) or []
            if nums:
                ax.annotate(cell_cites(nums), (j, i), xytext=(9, 0), textcoords="offset points",
                            ha="left", va="center", fontsize=fs - 1.5, color=col["muted"])
    ax.set_yticks(range(n), [r["name"] for r in rows])
    ax.set_xticks(range(len(columns)), [textwrap.fill(labels[a], 16) for a in columns])
    ax.xaxis.tick_top()
    for lbl in ax.get_xticklabels():
        lbl.set_color(col["text"])
        lbl.set_fontweight("bold")
        lbl.set_verticalalignment("bottom")
    ax.tick_params(axis="both", length=0, pad=6)
    for s in ax.spines.values():
        s.set_visible(False)
    return fig


# --------------------------------------------------------------------------------------------
# 4. events timeline
# --------------------------------------------------------------------------------------------

def _label(ev: dict, width_chars: int, max_lines: int = 3) -> str:
    return textwrap.fill(ev["text"], width_chars, max_lines=max_lines, placeholder="…")


def timeline(spec, cfg: dict, col: dict):
    """Events on a time axis, labels alternating above and below the line.

    To scale when the labels fit without touching; otherwise evenly spaced and marked "not to scale".
    Stems never cross labels: there is one label level on each side of the line.
    """
    from matplotlib.transforms import Bbox

    events = spec.payload["events"]
    n = len(events)
    fs = float(cfg["font_size"]) - 0.5
    height = TIMELINE_H_CM
    fig = new_figure(float(cfg["width_cm"]), height)
    renderer = fig.canvas.get_renderer()
    top = header(fig, spec.title, " ", col, cfg)
    subtitle = fig.texts[-1]
    ax = fig.add_axes((0.02, 0.03, 0.96, top - 0.05))
    accent = col["primary"]
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_yticks([])
    ax.set_xticks([])
    ax.set_ylim(-3.1, 3.1)

    def draw(positions: list[float], xlim: tuple[float, float], levels: list[float], wrap: int, centred: bool = False):
        # each layout attempt starts from an empty plot (removing the artists is far cheaper than
        # clearing the axes, which rebuilds its ticks and spines)
        for artist in [*ax.lines, *ax.texts]:
            artist.remove()
        ax.set_xlim(*xlim)
        ax.axhline(0, color=col["rule"], linewidth=1.6, zorder=1)
        groups = []
        for x, lv, ev in zip(positions, levels, events):
            ax.plot([x, x], [0, lv], color=col["rule"], linewidth=0.8, zorder=1)
            ax.plot([x], [0], marker="o", markersize=5.5, color=accent, zorder=3)
            frac = (x - xlim[0]) / (xlim[1] - xlim[0])
            ha = "center" if centred else ("left" if frac < 0.8 else "right")
            dx = {"left": 2, "right": -2, "center": 0}[ha]
            va = "bottom" if lv > 0 else "top"
            body = _label(ev, wrap, 4 if centred else 3)
            common = dict(textcoords="offset points", ha=ha, va=va, fontsize=fs)
            if lv > 0:  # above the line: description first (nearest the stem), date on top of it
                t2 = ax.annotate(body, (x, lv), xytext=(dx, 1), color=col["text"], **common)
                h = t2.get_window_extent(renderer).height * 72 / fig.dpi
                t1 = ax.annotate(ev["date_label"], (x, lv), xytext=(dx, 1 + h + 1.5), color=accent,
                                 fontweight="bold", **common)
            else:  # below the line: date first, then the description
                t1 = ax.annotate(ev["date_label"], (x, lv), xytext=(dx, -1), color=accent, fontweight="bold", **common)
                h = t1.get_window_extent(renderer).height * 72 / fig.dpi
                t2 = ax.annotate(body, (x, lv), xytext=(dx, -1 - h - 1.5), color=col["text"], **common)
            groups.append((t1, t2, ha))
        return groups

    def extents(groups):
        return [Bbox.union([t1.get_window_extent(renderer), t2.get_window_extent(renderer)]) for t1, t2, _ in groups]

    def clashes(groups, levels) -> int:
        bbs = [b.expanded(1.03, 1.0) for b in extents(groups)]
        axbb = ax.get_window_extent(renderer)
        bad = 0
        for i, a in enumerate(bbs):
            if a.x0 < axbb.x0 - 1 or a.x1 > axbb.x1 + 1 or a.y0 < axbb.y0 - 1 or a.y1 > axbb.y1 + 1:
                bad += 1
            for k in range(i + 1, len(bbs)):
                if levels[k] == levels[i] and Bbox.intersection(a, bbs[k]) is not None:
                    bad += 1
        return bad

    pos = [e["pos"] for e in events]
    span = max(pos[-1] - pos[0], 0.25)
    xlim = (pos[0] - span * 0.03, pos[-1] + span * 0.03)
    for wrap in (26, 20):
        # First fit: each event goes on the side whose last label ends before it.
        groups = draw(pos, xlim, [1.0] * n, wrap)
        inv = ax.transData.inverted()
        levels: list[float] = []
        ends = {1.0: -1e9, -1.0: -1e9}
        for bb in extents(groups):
            x0 = inv.transform((bb.x0, 0))[0]
            x1 = inv.transform((bb.x1, 0))[0]
            pref = [1.0, -1.0] if not levels or levels[-1] < 0 else [-1.0, 1.0]
            lv = next((v for v in pref if ends[v] < x0 - span * 0.01), min(pref, key=lambda v: ends[v]))
            levels.append(lv)
            ends[lv] = x1
        groups = draw(pos, xlim, levels, wrap)
        if clashes(groups, levels) == 0:
            _year_ticks(ax, xlim, col, fs)
            subtitle.set_text(f"{n} dated events, to scale")
            return fig
    # Not to scale: evenly spaced, alternating above and below the line, each label centred on its
    # event and no wider than two slots (so it cannot reach the labels beside it on its side).
    levels = [1.0 if i % 2 == 0 else -1.0 for i in range(n)]
    slot_cm = 0.96 * float(cfg["width_cm"]) / (n + 1)
    char_cm = fs * 0.6 / 72 * 2.54
    wrap = max(10, min(30, int(1.8 * slot_cm / char_cm)))
    draw(list(range(n)), (-1.0, float(n)), levels, wrap, centred=True)
    subtitle.set_text(f"{n} dated events in order; evenly spaced, not to scale")
    return fig


def _year_ticks(ax, xlim, col, fs) -> None:
    y0, y1 = int(xlim[0]), int(xlim[1])
    step = next(st for st in (1, 2, 5, 10, 20, 50, 100) if (y1 - y0) / st <= 10)
    for y in range(y0 - y0 % step, y1 + 1, step):
        if xlim[0] <= y <= xlim[1]:
            ax.plot([y], [0], marker="|", markersize=9, color=col["muted"], zorder=2)
            ax.annotate(str(y), (y, 0), xytext=(0, -8), textcoords="offset points", ha="center", va="top",
                        fontsize=fs - 0.5, color=col["muted"])

