"""The locator map: the country the sources are mainly about, its neighbours, capital and named places.

Plain matplotlib in an equirectangular frame scaled by cos(latitude) (fine at country scale), with
label placement that avoids overlaps: country names at the point of the country furthest from its
border and from the places marked; place labels at the first free spot around their marker.
"""

from __future__ import annotations

import math
import textwrap

from . import geo
from .draw import header
from .style import new_figure

MAP_MIN_CM, MAP_MAX_CM = 7.5, 12.5
INSET_CM = 3.4


def _path(country: geo.Country, np, MPath):
    verts, codes = [], []
    for poly in country.polys:
        for k, ring in enumerate(poly):
            r = ring if (geo.ring_area(ring) > 0) == (k == 0) else ring[::-1]  # outer CCW, holes CW
            verts.extend(r)
            verts.append(r[0])
            codes.extend([MPath.MOVETO] + [MPath.LINETO] * (len(r) - 1) + [MPath.CLOSEPOLY])
    return MPath(np.array(verts, dtype=float), codes)


def _nice_km(target: float) -> int:
    for v in (10, 20, 25, 50, 100, 150, 200, 250, 300, 500, 750, 1000, 1500, 2000):
        if v >= target * 0.75:
            return v
    return 2000


def frame(spec, cfg: dict) -> tuple[float, float, float, float, float, float, float, float]:
    """The map's extent (x0, y0, x1, y1 in degrees), its longitude scale k, the map's width and height
    and the figure's height in cm: from the data alone (no drawing), so that the writers know the
    chart's size before it is drawn."""
    p = spec.payload
    focus = geo.load_world().get(p["country"])
    x0, y0, x1, y1 = geo.padded_bbox(geo.core_bbox(focus), 0.1)
    for pl in p["places"]:
        x0, x1 = min(x0, pl["lon"] - 0.6), max(x1, pl["lon"] + 0.6)
        y0, y1 = min(y0, pl["lat"] - 0.4), max(y1, pl["lat"] + 0.4)
    lat0 = (y0 + y1) / 2
    k = max(math.cos(math.radians(lat0)), 0.2)
    width_cm = float(cfg["width_cm"])
    map_w = width_cm - 0.5
    map_h = map_w * (y1 - y0) / ((x1 - x0) * k)
    if map_h > MAP_MAX_CM:  # too tall: widen the frame
        map_h = MAP_MAX_CM
        need = (y1 - y0) / (k * map_h / map_w)
        cx = (x0 + x1) / 2
        x0, x1 = cx - need / 2, cx + need / 2
    elif map_h < MAP_MIN_CM:  # too wide: heighten the frame
        map_h = MAP_MIN_CM
        need = (x1 - x0) * k * map_h / map_w
        cy = (y0 + y1) / 2
        y0, y1 = cy - need / 2, cy + need / 2
    head_cm = 0.95
    return x0, y0, x1, y1, k, map_w, map_h, map_h + head_cm + 0.25


def locator_map(spec, cfg: dict, col: dict):
    import numpy as np
    from matplotlib import patheffects as pe
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath
    from matplotlib.transforms import Bbox

    p = spec.payload
    world = geo.load_world()
    focus = world.get(p["country"])
    fs = float(cfg["font_size"])
    halo = [pe.withStroke(linewidth=2.6, foreground="white")]

    # ---- extent and size --------------------------------------------------------------------
    x0, y0, x1, y1, k, map_w, map_h, fig_h = frame(spec, cfg)
    width_cm = float(cfg["width_cm"])
    fig = new_figure(width_cm, fig_h)
    renderer = fig.canvas.get_renderer()
    header(fig, spec.title, "", col, cfg)
    ax = fig.add_axes((0.25 / width_cm, 0.25 / fig_h, map_w / width_cm, map_h / fig_h))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_facecolor(cfg["sea"])
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(True)
        s.set_color(col["rule"])
        s.set_linewidth(0.8)

    # ---- countries --------------------------------------------------------------------------
    view = (x0 - 1, y0 - 1, x1 + 1, y1 + 1)
    shown = [c for c in world.intersecting(view) if c is not focus]
    paths = {}
    for c in shown:
        paths[id(c)] = _path(c, np, MPath)
        ax.add_artist(PathPatch(paths[id(c)], facecolor=cfg["land"], edgecolor=cfg["land_edge"], linewidth=0.6, zorder=1))
    fpath = _path(focus, np, MPath)
    ax.add_artist(PathPatch(fpath, facecolor=cfg["focus"], edgecolor="none", zorder=2))
    ax.add_artist(PathPatch(fpath, facecolor="none", edgecolor=cfg["focus_edge"], linewidth=1.4, zorder=4))

    # ---- label grid: which cells are free ---------------------------------------------------
    nx = 64
    ny = max(16, int(nx * map_h / map_w))
    gx = np.linspace(x0, x1, nx)
    gy = np.linspace(y0, y1, ny)
    GX, GY = np.meshgrid(gx, gy)
    pts = np.column_stack([GX.ravel(), GY.ravel()])
    cm_x = map_w / (x1 - x0)  # cm per degree on the page
    cm_y = map_h / (y1 - y0)
    obstacles = np.array([[pl["lon"], pl["lat"]] for pl in p["places"]] + ([[p["capital"][1], p["capital"][2]]] if p["capital"] else []),
                         dtype=float).reshape(-1, 2)
    blocked = np.zeros(len(pts), dtype=bool)

    # ---- inset: where the country lies in its region ---------------------------------------
    mask_focus = fpath.contains_points(pts)

    def corner_box(corner: str) -> tuple[float, float, float, float]:
        w_deg = INSET_CM / cm_x
        h_deg = INSET_CM * 0.8 / cm_y
        bx0 = x0 if "l" in corner else x1 - w_deg
        by0 = y0 if "b" in corner else y1 - h_deg
        return (bx0, by0, bx0 + w_deg, by0 + h_deg)

    def score(box) -> float:
        inb = (pts[:, 0] >= box[0]) & (pts[:, 0] <= box[2]) & (pts[:, 1] >= box[1]) & (pts[:, 1] <= box[3])
        s = float((inb & mask_focus).sum())
        if len(obstacles):
            s += 50.0 * float(((obstacles[:, 0] >= box[0]) & (obstacles[:, 0] <= box[2]) & (obstacles[:, 1] >= box[1]) & (obstacles[:, 1] <= box[3])).sum())
        return s

    corners = ["bl", "br", "tl", "tr"]
    inset_corner = min(corners, key=lambda c: (score(corner_box(c)), corners.index(c)))
    ib = corner_box(inset_corner)
    _draw_inset(fig, ax, focus, world, ib, col, cfg, np, MPath, PathPatch, Rectangle)
    blocked |= (pts[:, 0] >= ib[0]) & (pts[:, 0] <= ib[2]) & (pts[:, 1] >= ib[1]) & (pts[:, 1] <= ib[3])

    # ---- scale bar (in the bottom corner the inset leaves free) ----------------------------
    km_w = (x1 - x0) * 111.32 * k
    km = _nice_km(km_w / 5)
    deg = km / (111.32 * k)
    left_side = not (inset_corner == "bl")
    sx = x0 + (x1 - x0) * 0.03 if left_side else x1 - (x1 - x0) * 0.03 - deg
    sy = y0 + (y1 - y0) * 0.045
    ax.plot([sx, sx + deg], [sy, sy], color=col["text"], linewidth=2.2, solid_capstyle="butt", zorder=8, path_effects=halo)
    st = ax.text(sx + deg / 2, sy + (y1 - y0) * 0.015, f"{km:,} km", ha="center", va="bottom", fontsize=fs - 1,
                 color=col["text"], zorder=8, path_effects=halo)
    sb = st.get_window_extent(renderer)
    lb = Bbox.from_extents(*ax.transData.transform((sx, sy - (y1 - y0) * 0.01)), *ax.transData.transform((sx + deg, sy)))
    scale_px = Bbox.union([sb, lb]).expanded(1.05, 1.2)
    sdeg = ax.transData.inverted().transform([[scale_px.x0, scale_px.y0], [scale_px.x1, scale_px.y1]])
    blocked |= (pts[:, 0] >= sdeg[0, 0]) & (pts[:, 0] <= sdeg[1, 0]) & (pts[:, 1] >= sdeg[0, 1]) & (pts[:, 1] <= sdeg[1, 1])

    # ---- markers --------------------------------------------------------------------------
    placed: list = []  # window-extent boxes of labels and markers
    axbb = ax.get_window_extent(renderer)
    inset_px = Bbox.from_extents(*ax.transData.transform((ib[0], ib[1])), *ax.transData.transform((ib[2], ib[3])))
    placed.append(inset_px)
    placed.append(scale_px)
    markers = []
    if p["capital"]:
        cn, clon, clat = p["capital"]
        ax.plot([clon], [clat], marker="*", markersize=11, color=col["text"], markeredgecolor="white",
                markeredgewidth=0.8, zorder=6, linestyle="none")
        markers.append((clon, clat, 5.5, cn, True))
    towns = sorted([pl for pl in p["places"] if not pl["capital"]], key=lambda pl: (-pl["weight"], pl["name"]))
    for pl in towns:
        ax.plot([pl["lon"]], [pl["lat"]], marker="o", markersize=5, color=col["palette"][3 % len(col["palette"])],
                markeredgecolor="white", markeredgewidth=0.8, zorder=6, linestyle="none")
        markers.append((pl["lon"], pl["lat"], 3.5, pl["name"], False))
    for lon, lat, r, _, _ in markers:
        cx, cy = ax.transData.transform((lon, lat))
        rp = r * fig.dpi / 72
        placed.append(Bbox.from_extents(cx - rp, cy - rp, cx + rp, cy + rp))

    # ---- country names (point furthest from border, places and inset) ------------------------
    def pole_candidates(mask: np.ndarray) -> list[tuple[float, float, float]]:
        inside = mask & ~blocked
        if inside.sum() == 0:
            return []
        m2 = inside.reshape(ny, nx)
        pad = np.pad(m2, 1, constant_values=False)
        near_in = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
        border = ~m2 & near_in  # outside cells touching the area
        frame = np.zeros_like(m2)
        frame[0, :] = frame[-1, :] = frame[:, 0] = frame[:, -1] = True
        border |= frame & m2  # the map edge bounds the area too
        bpts = np.column_stack([GX[border], GY[border]])
        if len(obstacles):
            bpts = np.vstack([bpts, obstacles])
        ipts = np.column_stack([GX[m2], GY[m2]])
        d = np.sqrt(((ipts[:, None, 0] - bpts[None, :, 0]) * cm_x) ** 2 + ((ipts[:, None, 1] - bpts[None, :, 1]) * cm_y) ** 2).min(axis=1)
        order = np.argsort(-d, kind="stable")[:60]
        return [(float(ipts[i, 0]), float(ipts[i, 1]), float(d[i])) for i in order]

    def place_name(text: str, mask: np.ndarray, path, size: float, color: str, weight: str) -> None:
        for lon, lat, _clearance in pole_candidates(mask):
            t = ax.text(lon, lat, text, ha="center", va="center", fontsize=size, color=color, fontweight=weight,
                        zorder=5, path_effects=[pe.withStroke(linewidth=2.0, foreground=cfg["land"])])
            bb = t.get_window_extent(renderer)
            corners_px = np.array([[bb.x0, bb.y0], [bb.x1, bb.y0], [bb.x0, bb.y1], [bb.x1, bb.y1]])
            corners_deg = ax.transData.inverted().transform(corners_px)
            fits = path.contains_points(corners_deg).all() and axbb.contains(bb.x0, bb.y0) and axbb.contains(bb.x1, bb.y1)
            if fits and not any(Bbox.intersection(bb, o) is not None for o in placed):
                placed.append(bb)
                return
            t.remove()

    focus_name = textwrap.fill(p["name"].upper(), 18)
    place_name(focus_name, mask_focus, fpath, fs + 2, col["primary"], "bold")
    labelled = []
    for c in shown:
        m = paths[id(c)].contains_points(pts)
        if m.sum() < 6:
            continue
        labelled.append((int(m.sum()), c, m))
    for _, c, m in sorted(labelled, key=lambda t: (-t[0], t[1].name)):
        from .data import country_name

        name = country_name(c.iso2) if c.iso2 else c.name
        place_name(textwrap.fill(name.upper(), 14), m, paths[id(c)], fs - 1, col["muted"], "normal")

    # ---- place labels ---------------------------------------------------------------------
    offsets = [((6, 0), "left", "center"), ((-6, 0), "right", "center"), ((0, 5), "center", "bottom"),
               ((0, -5), "center", "top"), ((5, 4), "left", "bottom"), ((-5, 4), "right", "bottom"),
               ((5, -4), "left", "top"), ((-5, -4), "right", "top")]
    from .data import MAX_TOWN_LABELS

    for idx, (lon, lat, _, name, is_cap) in enumerate(markers):
        must = idx <= MAX_TOWN_LABELS  # the capital and the most-mentioned places; the rest only where free
        own = placed[2 + idx]
        best = None
        for off, ha, va in offsets:
            t = ax.annotate(name, (lon, lat), xytext=off, textcoords="offset points", ha=ha, va=va,
                            fontsize=fs + (0.5 if is_cap else 0), fontweight="bold" if is_cap else "normal",
                            color=col["text"], zorder=7, path_effects=halo)
            bb = t.get_window_extent(renderer)
            inside = axbb.x0 <= bb.x0 and bb.x1 <= axbb.x1 and axbb.y0 <= bb.y0 and bb.y1 <= axbb.y1
            hit = sum(_area(bb, o) for o in placed if o is not own)
            cost = hit + (0 if inside else 1e6)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, t, bb)
            else:
                t.remove()
            if cost == 0:
                break
        if best[0] > 0 and not must:
            best[1].remove()
            continue
        placed.append(best[2])

    # ---- legend
    from matplotlib.lines import Line2D

    handles, labels = [], []
    if p["capital"]:
        handles.append(Line2D([], [], marker="*", markersize=10, color=col["text"], linestyle="none"))
        labels.append("Capital")
    if towns:
        handles.append(Line2D([], [], marker="o", markersize=5, color=col["palette"][3 % len(col["palette"])], linestyle="none"))
        labels.append("Place named in the sources")
    if handles:
        fig.legend(handles, labels, loc="center right", bbox_to_anchor=(1 - 0.2 / width_cm, 1 - 0.45 / fig_h),
                   ncol=len(handles), fontsize=fs - 0.5, handletextpad=0.3, columnspacing=1.2, labelcolor=col["text"])
    return fig


def _area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _draw_inset(fig, ax, focus, world, box, col, cfg, np, MPath, PathPatch, Rectangle) -> None:
    """A small overview map in one corner: the wider region with the country highlighted."""
    fx0, fy0, fx1, fy1 = geo.core_bbox(focus)
    size = max(fx1 - fx0, fy1 - fy0)
    cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    half_w = max(size * 2.6, 14)
    k = max(math.cos(math.radians(cy)), 0.2)
    half_h = half_w * k * 0.8
    ext = (cx - half_w, max(cy - half_h, -85), cx + half_w, min(cy + half_h, 85))
    # position of the inset in figure coordinates
    p0 = fig.transFigure.inverted().transform(ax.transData.transform((box[0], box[1])))
    p1 = fig.transFigure.inverted().transform(ax.transData.transform((box[2], box[3])))
    inset = fig.add_axes((p0[0], p0[1], p1[0] - p0[0], p1[1] - p0[1]), zorder=9)
    inset.set_xlim(ext[0], ext[2])
    inset.set_ylim(ext[1], ext[3])
    inset.set_facecolor(cfg["sea"])
    inset.set_xticks([])
    inset.set_yticks([])
    for s in inset.spines.values():
        s.set_visible(True)
        s.set_color(col["muted"])
        s.set_linewidth(0.8)
    for c in world.intersecting(ext):
        face = col["primary"] if c is focus else cfg["land"]
        inset.add_artist(PathPatch(_path(c, np, MPath), facecolor=face, edgecolor=cfg["land_edge"] if c is not focus else col["primary"],
                                  linewidth=0.3, zorder=2 if c is focus else 1))
