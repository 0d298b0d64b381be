"""Checks shared by the tests of every gold file: an entry's annotations agree with its article."""

from __future__ import annotations

import re

from briefing import evaluate as ev
from briefing.model import ADVISORY_ACTIONS


def norm(t: str) -> str:
    """Curly quotes straightened and whitespace collapsed, as evidence snippets are compared."""
    t = t.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", t)


def check_entry(name: str, entry: dict, text: str) -> None:
    """Every evidence snippet occurs in the article; countries, actions, kinds and periods are valid;
    no must_not entry contradicts the entry's own annotations."""
    assert entry.get("published"), name
    body = norm(text)
    items = list(entry.get("advisories") or []) + ev.gold_numbers(entry) + list(entry.get("events") or [])
    for it in items:
        for part in str(it.get("evidence", "")).split("..."):
            part = norm(part.strip(" ."))
            assert not part or part in body, (name, part)
    for a in entry.get("advisories") or []:
        assert isinstance(a["country"], str) and re.fullmatch(r"[A-Z]{2}", a["country"]), (name, a)
        assert a["action"] in ADVISORY_ACTIONS and set(a.get("also_accept") or []) <= set(ADVISORY_ACTIONS)
    values = {q.get("value") for q in ev.gold_numbers(entry)}
    countries = {a["country"] for a in entry.get("advisories") or []}
    for q in ev.gold_numbers(entry):
        assert q["kind"] in ev.NUMBER_KINDS, (name, q)
        if q.get("period") is not None:
            assert ev.parse_period(q["period"]), (name, q)
    for m in entry.get("must_not") or []:
        if m["kind"] == "advisory":
            assert isinstance(m["country"], str) and m["country"] not in countries, (name, m)
        else:
            assert m["kind"] in ("number", "any") and m["value"] not in values, (name, m)
