"""Facts: merge per-source facts into one FactSheet (corroborate, derive, detect conflicts,
apply the analyst's review file). The FactSheet is the single input of charts and compose.

Public API:
    build_factsheet(sources, facts_by_source, *, as_of=None, review_path=None) -> FactSheet
    write_yaml(sheet, path), sheet_to_json(sheet) -> str, load_yaml(path) -> FactSheet
"""

from __future__ import annotations

from .merge import build_factsheet
from .io import load_yaml, sheet_to_dict, sheet_to_json, write_yaml

__all__ = ["build_factsheet", "write_yaml", "sheet_to_json", "sheet_to_dict", "load_yaml"]
