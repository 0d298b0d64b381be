"""Chart data: which facts each chart shows, and the words around it (caption, alt text, source note).

Pure functions of the FactSheet, no matplotlib here: a ``Spec`` holds everything a chart needs as plain
JSON-able data, so its hash decides whether the chart must be drawn again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import ADVISORY_ACTIONS, FactSheet, Fact

# Figure ids (stable; the template places figures by id).
COUNTS_ID = "attacks-by-period"  # counts by period (named after the usual case: attacks)
SHARES_ID = "share-shift"
ADVISORIES_ID = "advisories-by-country"
TIMELINE_ID = "events-timeline"
MAP_ID = "locator-map"
FIGURE_IDS = (COUNTS_ID, SHARES_ID, ADVISORIES_ID, TIMELINE_ID, MAP_ID)

MAX_COUNT_PANELS = 3
MAX_SHARE_SERIES = 5
MAX_EVENTS = 8  # more would not be legible at column width; the brief's timeline table lists all
MAX_TOWN_LABELS = 16

ACTION_LABELS = {
    "ordered_departure": "Staff withdrawn",
    "leave_now": "Told nationals to leave",
    "avoid_travel": "Advised against travel",
    "other": "Other advice",
}
ACTION_WORDS = {
    "ordered_departure": "withdrew embassy staff",
    "leave_now": "told its nationals to leave",
    "avoid_travel": "advised against travel",
    "other": "issued other advice",
}

_STATUS_RANK = {"confirmed": 0, "corrected": 0, "manual": 0, "corroborated": 1, "reported": 2, "conflict": 3}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]

# Short display names where ISO's name reads awkwardly in a chart.


@dataclass
class Spec:
    id: str
    title: str
    caption: str
    alt: str
    source_note: str
    cites: list[str]
    payload: dict[str, Any]
    width: float = 1.0
    extra_hash: list[str] = field(default_factory=list)  # e.g. the geodata's digest


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def country_name(code: str | None) -> str:
    from ..compose.fmt import country_name as name

    return name(code, short=True)


def fmt_num(v: float) -> str:
    if v is None:
        return ""
    if abs(v - round(v)) < 1e-9:
        return f"{int(round(v)):,}"
    return f"{v:,.1f}"


def plot_value(f: Fact) -> float | None:
    if f.value is not None:
        return float(f.value)
    if f.low is not None and f.high is not None:
        return (float(f.low) + float(f.high)) / 2
    if f.low is not None:
        return float(f.low)
    if f.high is not None:
        return float(f.high)
    return None


_SHORT = {"approx": "~", "approx_below": "~", "at_least": "≥", "more_than": ">", "up_to": "≤"}
_WORDS = {"approx": "about ", "approx_below": "close to ", "at_least": "at least ", "more_than": "more than ", "up_to": "up to "}


def _hedged(f: Fact, unit: str, prefixes: dict[str, str], range_sep: str, unknown: str) -> str:
    q = f.qualifier or "exact"
    if q == "range" and f.low is not None and f.high is not None:
        return f"{fmt_num(f.low)}{range_sep}{fmt_num(f.high)}{unit}"
    v = f.value if f.value is not None else (f.low if f.low is not None else f.high)
    if v is None:
        return (f.surface or unknown).strip()
    return f"{prefixes.get(q, '')}{fmt_num(v)}{unit}"


def hedge_short(f: Fact, unit: str = "") -> str:
    """Compact label for a chart: '120', '~20%', '≥4', '10–15', 'dozens'."""
    return _hedged(f, unit, _SHORT, "–", "n/a")


def hedge_words(f: Fact, unit: str = "") -> str:
    """Words for alt text: 'about 120', 'close to 20%', 'at least 4', '10 to 15', 'dozens'."""
    return _hedged(f, unit, _WORDS, " to ", "an unstated number")


def is_hedged(f: Fact) -> bool:
    return (f.qualifier or "exact") not in ("exact",)


def source_numbers(sheet: FactSheet, facts: list[Fact]) -> list[int]:
    nums = set()
    for f in facts:
        for sid in f.sources:
            s = sheet.source(sid)
            if s is not None and s.number:
                nums.add(s.number)
    return sorted(nums)


def source_ids(sheet: FactSheet, facts: list[Fact]) -> list[str]:
    ids = list(dict.fromkeys(sid for f in facts for sid in f.sources))

    def key(sid: str):
        s = sheet.source(sid)
        return (s.number if s is not None and s.number else 10**9, sid)

    return sorted(ids, key=key)


def sources_phrase(nums: list[int]) -> str:
    if not nums:
        return "Sources: none numbered"
    word = "Source" if len(nums) == 1 else "Sources"
    return f"{word}: " + ", ".join(f"[{n}]" for n in nums)


def _period_series(groups: dict[tuple, list[Fact]]) -> list[tuple[tuple, list[Fact]]]:
    """(group key, the best fact per period in period order) for groups with two or more periods."""
    series = []
    for key, facts in groups.items():
        by_period: dict[tuple[str, str], list[Fact]] = {}
        for f in facts:
            by_period.setdefault(_period_key(f), []).append(f)
        if len(by_period) >= 2:
            series.append((key, [best_fact(by_period[k]) for k in sorted(by_period)]))
    return series


def best_fact(facts: list[Fact]) -> Fact:
    """Of several facts for one slot, the best-attested one (review status, then sources, then id)."""
    return sorted(
        facts,
        key=lambda f: (_STATUS_RANK.get(f.status, 2), f.derived, -len(f.sources), -f.confidence, f.id),
    )[0]


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip().lower())


def _has_period(f: Fact) -> bool:
    return f.period is not None and bool((f.period.label or f.period.start or "").strip())


def _period_key(f: Fact) -> tuple[str, str]:
    p = f.period
    return (p.start or p.label or "", p.label or p.start or "") if p else ("", "")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def series_title(actor: str | None, what: str | None) -> str:
    what = (what or "").strip() or "count"
    if actor and _norm(actor) not in _norm(what):
        return f"{actor} {what}"
    return _cap(what)


def clip_text(s: str, n: int) -> str:
    s = re.sub(r"\s+", " ", s or "").strip()
    if len(s) <= n:
        return s
    cut = s[: n - 1].rsplit(" ", 1)[0] if " " in s[: n - 1] else s[: n - 1]
    return cut.rstrip(",;:.- ") + "…"


def date_label(d: str, short: bool = True) -> str:
    parts = (d or "").split("-")
    months = _MONTHS if short else _MONTHS_LONG
    try:
        if len(parts) >= 3:
            return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{months[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return d
    return parts[0]


def date_pos(d: str) -> float | None:
    """Decimal year of a partial ISO date (mid-month / mid-year for partial dates)."""
    import datetime as dt

    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", (d or "").strip())
    if not m:
        return None
    y = int(m.group(1))
    try:
        if m.group(3):
            day = dt.date(y, int(m.group(2)), int(m.group(3)))
        elif m.group(2):
            day = dt.date(y, int(m.group(2)), 15)
        else:
            day = dt.date(y, 7, 2)
    except ValueError:
        return None
    start = dt.date(y, 1, 1)
    length = (dt.date(y + 1, 1, 1) - start).days
    return y + (day - start).days / length


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _derived_notes(facts: list[Fact], unit: str = "") -> list[str]:
    notes = []
    for f in facts:
        if f.derived:
            basis = clip_text(f.basis or "", 90)
            notes.append(f"{hedge_short(f, unit)} derived" + (f" ({basis})" if basis else ""))
    return notes


# --------------------------------------------------------------------------------------------
# 1. counts by period
# --------------------------------------------------------------------------------------------


def counts_spec(sheet: FactSheet) -> Spec | None:
    groups: dict[tuple[str, str], list[Fact]] = {}
    display: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for f in sheet.by_kind("count"):
        if not _has_period(f) or plot_value(f) is None or not (f.what or "").strip():
            continue
        if f.unit and f.unit not in ("count", "number", ""):
            continue
        key = (_norm(f.actor), _norm(f.what))
        groups.setdefault(key, []).append(f)
        display.setdefault(key, (f.actor, f.what))
    series = _period_series(groups)
    if not series:
        return None
    series.sort(key=lambda s: (-len(s[1]), -max(plot_value(f) or 0 for f in s[1]), s[0]))
    series = series[:MAX_COUNT_PANELS]

    panels = []
    all_facts: list[Fact] = []
    alt_parts = []
    regions = set()
    for key, chosen in series:
        actor, what = display[key]
        bars = []
        for f in chosen:
            bars.append(
                {
                    "period": f.period.label or f.period.start,
                    "value": plot_value(f),
                    "label": hedge_short(f),
                    "derived": bool(f.derived),
                    "hedged": is_hedged(f),
                }
            )
            regions.add(_norm(f.region))
        all_facts.extend(chosen)
        title = series_title(actor, what)
        panels.append({"title": title, "bars": bars})
        vals = "; ".join(
            f"{f.period.label or f.period.start}: {hedge_words(f)}" + (" (derived)" if f.derived else "")
            for f in chosen
        )
        alt_parts.append(f"{title}, {vals}")

    region = ""
    if len(regions) == 1:
        only = next(iter(regions))
        if only:
            region = next(f.region for f in all_facts if f.region)
    first_actor, first_what = display[series[0][0]]
    if len(panels) == 1:
        title = panels[0]["title"] + " by period"
        subject = (first_what or "counts").strip()
        who = f" attributed to {first_actor}" if first_actor and _norm(first_actor) not in _norm(first_what) else ""
        caption = f"Number of {subject}{who}" + (f" in {region}" if region else "") + " per reporting period"
    else:
        title = "Reported counts by period"
        caption = "Reported counts per period for " + _join([p["title"] for p in panels])
    has_derived = any(f.derived for f in all_facts)
    caption += "; lighter dashed bars are derived from the reporting, not stated in it." if has_derived else "."
    alt = "Bar chart. " + ". ".join(alt_parts) + "."
    nums = source_numbers(sheet, all_facts)
    note = sources_phrase(nums)
    dn = _derived_notes(all_facts)
    if dn:
        note += "; " + "; ".join(dn)
    return Spec(
        id=COUNTS_ID,
        title=title,
        caption=caption,
        alt=alt,
        source_note=note,
        cites=source_ids(sheet, all_facts),
        payload={"panels": panels, "region": region},
    )


# --------------------------------------------------------------------------------------------
# 2. share shift
# --------------------------------------------------------------------------------------------


def shares_spec(sheet: FactSheet) -> Spec | None:
    groups: dict[tuple[str, str, str], list[Fact]] = {}
    display: dict[tuple[str, str, str], Fact] = {}
    for f in sheet.by_kind("share"):
        if not _has_period(f) or plot_value(f) is None:
            continue
        if f.unit and f.unit not in ("percent", "%"):
            continue
        key = (_norm(f.actor), _norm(f.what), _norm(f.region))
        groups.setdefault(key, []).append(f)
        display.setdefault(key, f)
    series = _period_series(groups)
    if not series:
        return None
    series.sort(key=lambda s: (-len(s[1]), s[0]))
    series = series[:MAX_SHARE_SERIES]
    lines = []
    all_facts: list[Fact] = []
    alt_parts = []
    periods: dict[tuple[str, str], str] = {}
    for key, chosen in series:
        d = display[key]
        what = (d.what or "share").strip()
        name = d.region or series_title(d.actor, what)
        pts = []
        for f in chosen:
            pk = _period_key(f)
            periods[pk] = f.period.label or f.period.start
            pts.append(
                {"period": periods[pk], "value": plot_value(f), "label": hedge_short(f, "%"),
                 "hedged": is_hedged(f), "derived": bool(f.derived)}
            )
        all_facts.extend(chosen)
        lines.append({"name": name, "points": pts})
        vals = ", ".join(
            f"{hedge_words(f, '%')} in {f.period.label or f.period.start}" + (" (derived)" if f.derived else "")
            for f in chosen
        )
        alt_parts.append(f"{_cap(what)}{' in ' + d.region if d.region else ''}: {vals}")
    names = [ln["name"] for ln in lines]
    if len(set(names)) < len(names):  # lines differ by what or who, not by region: say so
        for ln, (key, _) in zip(lines, series):
            d = display[key]
            ln["name"] = series_title(d.actor, d.what) + (f", {d.region}" if d.region else "")
    order = [periods[k] for k in sorted(periods)]
    d0 = display[series[0][0]]
    what0 = (d0.what or "share").strip()
    if len(lines) == 1:
        title = _cap(what0) + (f", {d0.region}" if d0.region else "")
        caption = (
            f"{_cap(what0)}" + (f" in {d0.region}" if d0.region else "")
            + f", {order[0]} to {order[-1]}, in percent"
        )
    else:
        title = "Regional shares by period"
        caption = f"Shares by region, {order[0]} to {order[-1]}, in percent"
    hedged = any(is_hedged(f) for f in all_facts)
    caption += "; open markers and '~' show values the sources give only approximately." if hedged else "."
    nums = source_numbers(sheet, all_facts)
    note = sources_phrase(nums)
    dn = _derived_notes(all_facts, "%")
    if dn:
        note += "; " + "; ".join(dn)
    return Spec(
        id=SHARES_ID,
        title=title,
        caption=caption,
        alt="Slope chart. " + ". ".join(alt_parts) + ".",
        source_note=note,
        cites=source_ids(sheet, all_facts),
        payload={"periods": order, "lines": lines},
    )


# --------------------------------------------------------------------------------------------
# 3. advisories by country and action
# --------------------------------------------------------------------------------------------


def advisories_spec(sheet: FactSheet) -> Spec | None:
    by_country: dict[str, dict[str, list[Fact]]] = {}
    for f in sheet.by_kind("advisory"):
        if not f.country:
            continue
        action = f.action if f.action in ADVISORY_ACTIONS else "other"
        by_country.setdefault(f.country.upper(), {}).setdefault(action, []).append(f)
    if len(by_country) < 2:
        return None
    rank = {a: i for i, a in enumerate(ADVISORY_ACTIONS)}
    rows = []
    for cc, acts in by_country.items():
        strongest = min(acts, key=lambda a: rank[a])
        rows.append(
            {
                "code": cc,
                "name": country_name(cc),
                "actions": sorted(acts, key=lambda a: rank[a]),
                "strongest": strongest,
                "sources": {a: source_numbers(sheet, acts[a]) for a in sorted(acts, key=lambda a: rank[a])},
            }
        )
    rows.sort(key=lambda r: (rank[r["strongest"]], -len(r["actions"]), r["name"]))
    used = [a for a in ADVISORY_ACTIONS if any(a in r["actions"] for r in rows)]
    # Always show the three standard columns so charts from different editions compare; "other" only if used.
    columns = [a for a in ADVISORY_ACTIONS if a != "other" or a in used]
    facts = [f for acts in by_country.values() for fl in acts.values() for f in fl]
    counts = {a: sum(1 for r in rows if r["strongest"] == a) for a in ADVISORY_ACTIONS}
    summary = []
    for a in ADVISORY_ACTIONS:
        names = [r["name"] for r in rows if r["strongest"] == a]
        if names:
            summary.append(f"{ACTION_LABELS[a].lower()} (strongest action): {_join(names)}")
    n_staff = counts["ordered_departure"]
    n_leave = sum(1 for r in rows if "leave_now" in r["actions"] or "ordered_departure" in r["actions"])
    caption = f"Travel advice issued by {len(rows)} governments, by action; the filled marker is each government's strongest action"
    if n_staff and n_leave > n_staff:
        caption += f" ({n_staff} withdrew embassy staff and {n_leave - n_staff} more told their nationals to leave)."
    elif n_staff:
        caption += f" ({n_staff} withdrew embassy staff)."
    elif n_leave:
        caption += f" ({n_leave} told their nationals to leave)."
    else:
        caption += "."
    alt = (
        f"Dot matrix of {len(rows)} governments by advisory action. "
        + "; ".join(_cap(s) for s in summary)
        + ". All actions: "
        + "; ".join(f"{r['name']}: " + ", ".join(ACTION_LABELS[a].lower() for a in r["actions"]) for r in rows)
        + "."
    )
    return Spec(
        id=ADVISORIES_ID,
        title="Travel advice by country and action",
        caption=caption,
        alt=alt,
        source_note=sources_phrase(source_numbers(sheet, facts)),
        cites=source_ids(sheet, facts),
        payload={"rows": rows, "columns": columns, "labels": {a: ACTION_LABELS[a] for a in columns}},
    )


# --------------------------------------------------------------------------------------------
# 4. events timeline
# --------------------------------------------------------------------------------------------


def timeline_spec(sheet: FactSheet) -> Spec | None:
    seen: dict[tuple[str, str], list[Fact]] = {}
    for f in sheet.by_kind("event"):
        if not f.date or (f.date_precision or "") == "vague" or not (f.text or "").strip():
            continue
        if date_pos(f.date) is None:
            continue
        seen.setdefault((f.date, _norm(f.text)), []).append(f)
    if len(seen) < 3:
        return None
    events = [best_fact(fl) for _, fl in sorted(seen.items())]
    total = len(events)
    if total > MAX_EVENTS:
        # Keep the best-attested, most precisely dated, most recent events.
        prec = {"day": 3, "month": 2, "year": 1}
        events = sorted(
            events,
            key=lambda f: (-len(f.sources), -prec.get(f.date_precision or "", len(f.date.split("-"))),
                           -date_pos(f.date), f.id),
        )[:MAX_EVENTS]
    events = sorted(events, key=lambda f: (date_pos(f.date), f.id))
    items = [
        {"date": f.date, "pos": round(date_pos(f.date), 5), "date_label": date_label(f.date),
         "text": _cap(clip_text(f.text or "", 70))}
        for f in events
    ]
    first, last = events[0].date, events[-1].date
    caption = f"Dated events in the reporting, {date_label(first, False)} to {date_label(last, False)}"
    if total > len(events):
        caption += f" ({len(events)} of {total}, chosen by number of sources, precision of the date and recency)"
    caption += "."
    alt = f"Timeline of {len(items)} events: " + "; ".join(
        f"{date_label(f.date, False)}: {clip_text(f.text or '', 120)}" for f in events
    ) + "."
    return Spec(
        id=TIMELINE_ID,
        title="Timeline of reported events",
        caption=caption,
        alt=alt,
        source_note=sources_phrase(source_numbers(sheet, events)),
        cites=source_ids(sheet, events),
        payload={"events": items},
    )


# --------------------------------------------------------------------------------------------
# 5. locator map
# --------------------------------------------------------------------------------------------


def _latlon(f: Fact) -> tuple[float, float] | None:
    a = f.attrs or {}
    try:
        lat, lon = float(a.get("lat")), float(a.get("lon"))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _mentions(f: Fact) -> int:
    m = (f.attrs or {}).get("mentions")
    return int(m) if isinstance(m, (int, float)) and m > 0 else max(1, len(f.sources))


def main_country(sheet: FactSheet) -> str | None:
    weights: dict[str, int] = {}
    for f in sheet.by_kind("place"):
        if f.country:
            cc = f.country.upper()
            weights[cc] = weights.get(cc, 0) + max(1, len(f.sources))
    if not weights:
        return None
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def map_spec(sheet: FactSheet) -> Spec | None:
    from . import geo

    cc = main_country(sheet)
    if cc is None:
        return None
    world = geo.load_world()
    country = world.get(cc)
    if country is None:
        return None
    cap = country.capital
    cap_name = _norm(cap[0]) if cap else ""
    names_of_countries = {_norm(c.name) for c in world.all()} | {_norm(country_name(c.iso2)) for c in world.all() if c.iso2}
    by_name: dict[str, list[Fact]] = {}
    for f in sheet.by_kind("place"):
        ll = _latlon(f)
        if ll is None or not (f.place or "").strip():
            continue
        key = _norm(f.place)
        if key in names_of_countries or (f.attrs or {}).get("type") in ("country", "region", "admin1"):
            continue
        by_name.setdefault(key, []).append(f)
    # Towns in the country or close enough to show on its map.
    x0, y0, x1, y1 = geo.padded_bbox(geo.core_bbox(country), 0.45)
    at: dict[tuple[float, float], list[tuple[str, list[Fact]]]] = {}
    for key, fl in sorted(by_name.items()):
        lat, lon = _latlon(best_fact(fl))
        at.setdefault((round(lat, 2), round(lon, 2)), []).append((key, fl))
    places = []
    used: list[Fact] = []
    for _, named in sorted(at.items()):
        # Several names at one spot ("X" and "X du Y"): one marker, with the fullest name it starts.
        fl = [f for _, group in named for f in group]
        weights = {key: sum(_mentions(f) for f in group) for key, group in named}
        key = max(weights, key=lambda k: (weights[k], len(k), k))
        longer = [k for k, _ in named if k != key and k.startswith(key)]
        if longer:
            key = max(longer, key=len)
        f = best_fact(dict(named)[key])
        lat, lon = _latlon(f)
        inside = any((g.country or "").upper() == cc for g in fl)
        if not inside and not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        places.append({"name": f.place.strip(), "lat": round(lat, 4), "lon": round(lon, 4), "country": (f.country or "").upper(),
                       "weight": sum(weights.values()), "capital": any(k == cap_name for k, _ in named)})
        used.extend(fl)
    cname = country_name(cc)
    towns = [p for p in places if not p["capital"]]
    caption = f"Locator map of {cname} and its neighbours"
    if towns:
        caption += f", with the {len(towns)} place{'s' if len(towns) != 1 else ''} named in the sources"
    caption += "."
    alt = f"Map of {cname} and neighbouring countries"
    if cap:
        alt += f"; the capital, {cap[0]}, is marked with a star"
    if towns:
        alt += ". Places named in the sources: " + "; ".join(
            f"{p['name']} ({abs(p['lat']):.1f}°{'N' if p['lat'] >= 0 else 'S'}, "
            f"{abs(p['lon']):.1f}°{'E' if p['lon'] >= 0 else 'W'})" for p in sorted(towns, key=lambda p: p["name"])
        )
    alt += "."
    note = sources_phrase(source_numbers(sheet, used)) if used else "Sources: place names from the reporting"
    note += "; boundaries: Natural Earth (public domain); capital: GeoNames"
    return Spec(
        id=MAP_ID,
        title=f"{cname}: locator map",
        caption=caption,
        alt=alt,
        source_note=note,
        cites=source_ids(sheet, used),
        payload={"country": cc, "name": cname, "capital": list(cap) if cap else None, "places": places},
        extra_hash=[geo.world_digest()],
    )


def all_specs(sheet: FactSheet) -> list[Spec]:
    out = []
    for fn in (counts_spec, shares_spec, advisories_spec, timeline_spec, map_spec):
        spec = fn(sheet)
        if spec is not None:
            out.append(spec)
    return out
