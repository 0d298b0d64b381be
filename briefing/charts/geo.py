"""Country outlines and capitals shipped with the package (briefing/data/geo/world.json).

No network, no GIS stack: the file is a compact JSON of Natural Earth 1:50m admin-0 rings (see
briefing/data/geo/README.md). The file is read once per process; each country's geometry is decoded
when first used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

Ring = list[tuple[float, float]]


@dataclass
class Country:
    iso2: str | None
    name: str
    bbox: tuple[float, float, float, float]  # lon0, lat0, lon1, lat1
    encoded: list  # the file's delta-encoded polygons, decoded on first use of ``polys``
    scale: float
    capital: tuple[str, float, float] | None  # name, lon, lat

    @functools.cached_property
    def polys(self) -> list[list[Ring]]:
        """Each polygon: outer ring, then holes. Decoded when first asked for: a map draws the
        countries in its frame, not the world."""
        return [[_decode_ring(r, self.scale) for r in poly] for poly in self.encoded]


class World:
    def __init__(self, countries: list[Country]):
        self._countries = countries
        self._by_iso = {c.iso2: c for c in countries if c.iso2}

    def get(self, iso2: str | None) -> Country | None:
        return self._by_iso.get((iso2 or "").upper())

    def all(self) -> list[Country]:
        return list(self._countries)

    def intersecting(self, box: tuple[float, float, float, float]) -> list[Country]:
        x0, y0, x1, y1 = box
        return [c for c in self._countries if not (c.bbox[2] < x0 or c.bbox[0] > x1 or c.bbox[3] < y0 or c.bbox[1] > y1)]


def world_path() -> Path:
    return Path(str(resources.files("briefing.data"))) / "geo" / "world.json"


@functools.lru_cache(maxsize=1)
def world_digest() -> str:
    return hashlib.sha1(world_path().read_bytes()).hexdigest()[:16]


def _decode_ring(flat: list[int], scale: float) -> Ring:
    x, y = flat[0], flat[1]
    pts = [(x / scale, y / scale)]
    for i in range(2, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        pts.append((x / scale, y / scale))
    return pts


@functools.lru_cache(maxsize=1)
def load_world() -> World:
    data = json.loads(world_path().read_text(encoding="utf-8"))
    scale = float(data.get("scale", 100))
    out = []
    for c in data["countries"]:
        cap = c.get("capital")
        out.append(
            Country(
                iso2=c.get("iso2"),
                name=c.get("name", ""),
                bbox=tuple(c["bbox"]),
                encoded=c["polys"],
                scale=scale,
                capital=(cap[0], float(cap[1]), float(cap[2])) if cap else None,
            )
        )
    return World(out)


def padded_bbox(bbox, frac: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bbox
    w, h = x1 - x0, y1 - y0
    pad = max(w, h) * frac
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def ring_area(ring: Ring) -> float:
    """Signed shoelace area (positive = counter-clockwise)."""
    a = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        a += x0 * y1 - x1 * y0
    return a / 2


def main_polygon(country: Country) -> list[Ring]:
    return max(country.polys, key=lambda p: abs(ring_area(p[0])))


def km_per_degree_lon(lat: float) -> float:
    return 111.32 * math.cos(math.radians(lat))


def _ring_bbox(ring: Ring) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def core_bbox(country: Country) -> tuple[float, float, float, float]:
    """Bounding box of the country's main landmass and the land that clusters around it.

    Starting from the largest polygon, large polygons are added while they lie within half the cluster's
    size of it, then small islands just off its coast. Far-flung parts (overseas territories, remote islands) stay out,
    so a locator map frames the country a reader thinks of.
    """
    main = main_polygon(country)
    main_area = abs(ring_area(main[0])) or 1.0
    core = _ring_bbox(main[0])
    rest = [(p, _ring_bbox(p[0]), abs(ring_area(p[0]))) for p in country.polys if p is not main]

    def within(b, box) -> bool:
        return b[0] >= box[0] and b[2] <= box[2] and b[1] >= box[1] and b[3] <= box[3]

    changed = True
    while changed:  # large polygons close to the cluster join it (archipelagos grow island by island)
        changed = False
        far = padded_bbox(core, 0.5)
        keep = []
        for p, b, area in rest:
            if area >= 0.005 * main_area and within(b, far):
                core = (min(core[0], b[0]), min(core[1], b[1]), max(core[2], b[2]), max(core[3], b[3]))
                changed = True
            else:
                keep.append((p, b, area))
        rest = keep
    near = padded_bbox(core, 0.15)  # small islands just off the coast
    for _, b, _ in rest:
        if within(b, near):
            core = (min(core[0], b[0]), min(core[1], b[1]), max(core[2], b[2]), max(core[3], b[3]))
    return core
