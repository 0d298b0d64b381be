"""Country lexicon: names, short forms, demonyms and metonyms -> ISO 3166-1 alpha-2.

(First version: pycountry names only. The advisories extractor deepens this table.)
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                out[v.lower()] = c.alpha_2
    return out


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country name, short form, demonym or metonym; None when unknown."""
    return _names().get(name.strip().lower())
