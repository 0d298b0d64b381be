"""The analyst's review file (``review.yaml`` in the project folder).

Decisions are keyed by fact id and survive re-extraction (ids come from what a fact is about, not from
where it sits). Format::

    decisions:
      - fact: count-1a2b3c4d5e      # confirm a fact
        action: confirm
        note: checked against the ACLED dashboard
      - fact: advisory-0f9e8d7c6b   # reject a fact
        action: reject
        note: this is a troop withdrawal, not an advisory
      - fact: share-5a4b3c2d1e      # correct fields of a fact
        action: correct
        set: {value: 21, qualifier: approx}
      - action: add                 # add a fact by hand, with a citation into a source
        fact: {kind: count, what: attacks, actor: JNIM, value: 12, period: {label: "October 2025", start: 2025-10-01, end: 2025-10-31}}
        source: 003_1e40ac8446c2f0c0
        quote: "the exact words of the source"

A decision whose fact no longer exists is reported in the fact sheet's notes, never dropped silently.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Evidence, FactSheet, Period, Source, fact_from_dict

_CORRECTABLE = {"value", "low", "high", "unit", "qualifier", "surface", "what", "actor", "region", "place", "country", "action", "date", "text", "speaker", "stance"}


def _note(sheet: FactSheet, msg: str) -> None:
    sheet.notes.append(msg)


def apply_review(sheet: FactSheet, path: Path, sources: list[Source]) -> None:
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        _note(sheet, f"{path.name}:{where}: not valid YAML, review decisions ignored ({getattr(e, 'problem', e)})")
        return
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(data.get("decisions", []), list):
        _note(sheet, f"{path.name}: expected a mapping with a 'decisions' list; review decisions ignored")
        return
    by_id = {f.id: f for f in sheet.facts}
    src = {s.id: s for s in sources}
    for i, d in enumerate(data.get("decisions") or [], 1):
        if not isinstance(d, dict):
            _note(sheet, f"{path.name}: decision {i} is not a mapping; ignored")
            continue
        action = str(d.get("action", "")).lower()
        note = str(d.get("note", "") or "")
        if action == "add":
            _add(sheet, d, src, path.name, i)
            continue
        fid = str(d.get("fact", ""))
        fact = by_id.get(fid)
        if fact is None:
            _note(sheet, f"{path.name}: decision {i} ({action or 'no action'}) names fact '{fid}', which no longer exists; kept in the file, not applied")
            continue
        if action == "confirm":
            fact.status = "confirmed"
        elif action == "reject":
            fact.status = "rejected"
        elif action == "correct":
            changes = d.get("set") or {}
            if not isinstance(changes, dict):
                _note(sheet, f"{path.name}: decision {i}: 'set' must be a mapping; ignored")
                continue
            bad = sorted(set(changes) - _CORRECTABLE)
            if bad:
                _note(sheet, f"{path.name}: decision {i}: cannot correct {', '.join(bad)}; ignored those fields")
            for k, v in changes.items():
                if k in _CORRECTABLE:
                    fact.attrs.setdefault("extracted", {})[k] = getattr(fact, k)
                    setattr(fact, k, v)
            fact.status = "corrected"
        else:
            _note(sheet, f"{path.name}: decision {i}: unknown action '{action}' (confirm, reject, correct, add)")
            continue
        if note:
            fact.attrs["review_note"] = note


def _add(sheet: FactSheet, d: dict, src: dict[str, Source], name: str, i: int) -> None:
    spec = d.get("fact")
    if not isinstance(spec, dict) or "kind" not in spec:
        _note(sheet, f"{name}: decision {i} (add): needs a 'fact' mapping with a 'kind'; not added")
        return
    sid, quote = str(d.get("source", "")), str(d.get("quote", ""))
    s = src.get(sid)
    if s is None:
        _note(sheet, f"{name}: decision {i} (add): unknown source '{sid}'; not added")
        return
    start = s.original.find(quote) if quote else -1
    if start < 0:
        _note(sheet, f"{name}: decision {i} (add): quote not found in source '{sid}'; not added")
        return
    spec = dict(spec)
    if isinstance(spec.get("period"), dict):
        spec["period"] = {k: str(v) for k, v in spec["period"].items()}
    try:
        fact = fact_from_dict({**spec, "evidence": []})
    except TypeError as e:
        _note(sheet, f"{name}: decision {i} (add): {e}; not added")
        return
    if isinstance(fact.period, dict):
        fact.period = Period(**fact.period)
    fact.evidence = [Evidence(source=sid, start=start, end=start + len(quote), quote=quote)]
    fact.status = "manual"
    fact.rule = "review:add"
    from .merge import fact_id

    fact.id = fact_id(fact, "manual")
    if note := d.get("note"):
        fact.attrs["review_note"] = str(note)
    sheet.facts.append(fact)
