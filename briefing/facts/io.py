"""Fact sheet (de)serialisation: out/factsheet.yaml and the JSON machine interface."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..model import Conflict, FactSheet, SourceInfo, fact_from_dict, to_dict

SCHEMA_VERSION = 1


def sheet_to_dict(sheet: FactSheet) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "as_of": sheet.as_of,
        "extractor_version": sheet.extractor_version,
        "sources": [to_dict(s) for s in sheet.sources],
        "facts": [_fact_dict(f) for f in sheet.facts],
        "conflicts": [to_dict(c) for c in sheet.conflicts],
        "notes": list(sheet.notes),
    }


def _fact_dict(f) -> dict:
    d = to_dict(f)
    # the documented interface: value is a number, or {"low", "high"} for a range
    if f.value is None and (f.low is not None or f.high is not None):
        d["value"] = {"low": f.low, "high": f.high}
    d["derived"] = bool(f.derived)
    d["status"] = f.status
    return d


def sheet_to_json(sheet: FactSheet) -> str:
    return json.dumps(sheet_to_dict(sheet), ensure_ascii=False, indent=2, sort_keys=False)


def sheet_to_yaml(sheet: FactSheet) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(sheet_to_dict(sheet), Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


def write_yaml(sheet: FactSheet, path: Path) -> None:
    from ..util import atomic_write_text

    atomic_write_text(Path(path), sheet_to_yaml(sheet))


def load_yaml(path: Path) -> FactSheet:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
    facts = []
    for d in data.get("facts", []):
        d = dict(d)
        if isinstance(d.get("value"), dict):
            d["low"], d["high"] = d["value"].get("low"), d["value"].get("high")
            d["value"] = None
        facts.append(fact_from_dict(d))
    return FactSheet(
        as_of=data.get("as_of"),
        sources=[SourceInfo(**s) for s in data.get("sources", [])],
        facts=facts,
        conflicts=[Conflict(**c) for c in data.get("conflicts", [])],
        notes=list(data.get("notes", [])),
        extractor_version=data.get("extractor_version", ""),
    )
