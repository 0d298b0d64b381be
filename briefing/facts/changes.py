"""What changed between two editions of the fact sheet."""

from __future__ import annotations

from ..model import Fact, FactSheet

_ACTION_RANK = {"ordered_departure": 0, "leave_now": 1, "avoid_travel": 2, "other": 3}


def strongest_advisories(sheet: FactSheet) -> dict[str, str]:
    """Issuing country -> strongest advisory action (rejected facts ignored)."""
    out: dict[str, str] = {}
    for f in sheet.by_kind("advisory"):
        if not f.country or not f.action:
            continue
        cur = out.get(f.country)
        if cur is None or _ACTION_RANK.get(f.action, 9) < _ACTION_RANK.get(cur, 9):
            out[f.country] = f.action
    return out


def _signature(f: Fact) -> tuple:
    return (f.value, f.low, f.high, f.qualifier, f.status, f.date)


def diff(prev: FactSheet | None, cur: FactSheet) -> dict:
    """Changes from ``prev`` to ``cur``; an empty dict when there is no previous edition."""
    if prev is None:
        return {}
    prev_src = {s.id for s in prev.sources}
    prev_facts = {f.id: f for f in prev.facts}
    cur_facts = {f.id: f for f in cur.facts}
    new_facts = [f.id for f in cur.facts if f.id not in prev_facts and f.kind not in ("actor", "place")]
    withdrawn = [fid for fid, f in prev_facts.items() if fid not in cur_facts and f.kind not in ("actor", "place")]
    changed = []
    for f in cur.facts:
        p = prev_facts.get(f.id)
        if p is None:
            continue
        if _signature(p) != _signature(f):
            changed.append({"id": f.id, "before": _describe(p), "after": _describe(f)})
        elif len({e.source for e in f.evidence}) > len({e.source for e in p.evidence}):
            changed.append({"id": f.id, "before": f"{len(p.sources)} source(s)", "after": f"{len(f.sources)} source(s)"})
    adv_prev, adv_cur = strongest_advisories(prev), strongest_advisories(cur)
    advisory_changes = [
        {"country": c, "before": adv_prev.get(c), "after": adv_cur.get(c)}
        for c in sorted(set(adv_prev) | set(adv_cur))
        if adv_prev.get(c) != adv_cur.get(c)
    ]
    out = {
        "previous_as_of": prev.as_of,
        "new_sources": [s.id for s in cur.sources if s.id not in prev_src],
        "removed_sources": sorted(prev_src - {s.id for s in cur.sources}),
        "new_facts": new_facts,
        "changed_facts": changed,
        "withdrawn_facts": withdrawn,
        "advisory_changes": advisory_changes,
    }
    return out


def has_changes(changes: dict) -> bool:
    return any(v for k, v in changes.items() if k != "previous_as_of")


def _describe(f: Fact) -> str:
    if f.value is not None:
        v = f"{f.value:g}"
    elif f.low is not None or f.high is not None:
        v = f"{f.low:g}–{f.high:g}" if f.low is not None and f.high is not None else str(f.low or f.high)
    else:
        v = f.surface or ""
    bits = [v, f.qualifier or "", f.status]
    return ", ".join(b for b in bits if b)


def changes_markdown(changes: dict, cur: FactSheet) -> str:
    """out/changes.md: the same content as the brief's "What changed" section, for a quick look."""
    lines = ["# What changed", ""]
    if not changes:
        lines.append("First edition: no previous edition to compare with.")
        return "\n".join(lines) + "\n"
    lines.append(f"Compared with the edition as of {changes.get('previous_as_of') or 'unknown date'}.")
    lines.append("")
    facts = {f.id: f for f in cur.facts}
    titles = {s.id: (s.title or s.path) for s in cur.sources}

    def section(title: str, items: list[str]) -> None:
        lines.append(f"## {title}")
        lines.append("")
        lines.extend(f"- {i}" for i in items) if items else lines.append("- none")
        lines.append("")

    section("New sources", [f"{sid}: {titles.get(sid, '')}" for sid in changes["new_sources"]])
    section("New facts", [f"{fid}: {_label(facts.get(fid))}" for fid in changes["new_facts"]])
    section("Changed facts", [f"{c['id']}: {c['before']} -> {c['after']}" for c in changes["changed_facts"]])
    section("Withdrawn facts", list(changes["withdrawn_facts"]))
    section(
        "Advisory changes",
        [f"{c['country']}: {c['before'] or 'none'} -> {c['after'] or 'none'}" for c in changes["advisory_changes"]],
    )
    return "\n".join(lines)


_SECTION_KEYS = {
    "New sources": "new_sources",
    "New facts": "new_facts",
    "Changed facts": "changed_facts",
    "Withdrawn facts": "withdrawn_facts",
    "Advisory changes": "advisory_changes",
}


def summarise_changes_md(text: str) -> dict | None:
    """Read back what :func:`changes_markdown` wrote: ``{"first": True}`` for a first edition,
    else section key -> list of item lines (advisory items as "GB: none -> leave_now");
    None when the text is not such a file."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "# What changed":
        return None
    if any(ln.startswith("First edition:") for ln in lines[1:4]):
        return {"first": True}
    out: dict = {k: [] for k in _SECTION_KEYS.values()}
    key = None
    for ln in lines[1:]:
        if ln.startswith("## "):
            key = _SECTION_KEYS.get(ln[3:].strip())
        elif key and ln.startswith("- ") and ln[2:].strip() != "none":
            out[key].append(ln[2:].strip())
    return out


def _label(f: Fact | None) -> str:
    if f is None:
        return ""
    parts = [f.kind, f.country or "", f.action or "", f.actor or "", f.what or "", f.text or ""]
    val = _describe(f)
    return " ".join(p for p in parts if p)[:100] + (f" ({val})" if val else "")
