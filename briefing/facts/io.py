"""Fact sheet (de)serialisation: out/factsheet.yaml and the JSON machine interface."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import yaml

from ..model import Conflict, FactSheet, SourceInfo, fact_from_dict

SCHEMA_VERSION = 1


def sheet_to_dict(sheet: FactSheet) -> dict:
    from .merge import gc_paused

    with gc_paused(keep=True):  # hundreds of thousands of new dicts at thousands of sources, no garbage
        return {
            "schema": SCHEMA_VERSION,
            "as_of": sheet.as_of,
            "extractor_version": sheet.extractor_version,
            "sources": [plain(s) for s in sheet.sources],
            "facts": [_fact_dict(f) for f in sheet.facts],
            "conflicts": [plain(c) for c in sheet.conflicts],
            "notes": list(sheet.notes),
        }


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(obj):
    """``model.to_dict`` (dataclass -> plain dict without None values and empty containers), the same
    result several times faster: field names are looked up once per class and scalar fields are kept
    without a recursive call. Used for the fact sheet and the build's cache entries."""
    t = type(obj)
    if t is str or t is int or t is float or t is bool or obj is None:
        return obj
    names = _FIELD_NAMES.get(t)
    if names is None:
        if hasattr(obj, "__dataclass_fields__"):
            names = tuple(f.name for f in fields(obj))
            if not isinstance(obj, type):
                _FIELD_NAMES[t] = names
        elif isinstance(obj, (list, tuple)):
            return [plain(x) for x in obj]
        elif isinstance(obj, dict):
            return {k: plain(v) for k, v in obj.items()}
        else:
            return obj
    out = {}
    for n in names:
        v = getattr(obj, n)
        if v is None:
            continue
        tv = type(v)
        if tv is not str and tv is not int and tv is not float and tv is not bool:
            v = plain(v)
            if v is None or v == [] or v == {}:
                continue
        out[n] = v
    return out


def _fact_dict(f) -> dict:
    d = plain(f)
    # the documented interface: value is a number, or {"low", "high"} for a range
    if f.value is None and (f.low is not None or f.high is not None):
        d["value"] = {"low": f.low, "high": f.high}
    d["derived"] = bool(f.derived)
    d["status"] = f.status
    return d


def sheet_to_json(sheet: FactSheet) -> str:
    return json.dumps(sheet_to_dict(sheet), ensure_ascii=False, indent=2, sort_keys=False)


def sheet_to_yaml(sheet: FactSheet) -> str:
    return dump_yaml(sheet_to_dict(sheet))


# -- a small, fast YAML emitter for plain data ------------------------------------------------------
# libyaml needs about 6 s to emit an 8 MB fact sheet (1,000 sources); this writes the same data in a
# fraction of that. Block style, keys plain when safe, every string double-quoted with JSON escapes
# (valid YAML escapes) plus escapes for what YAML does not allow raw (C1 controls, U+2028/2029, BOM,
# U+FFFE/FFFF, lone surrogates). Any YAML loader reads back exactly the data (property-tested).

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _scalar(v) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return ".nan"
        if v in (float("inf"), float("-inf")):
            return ".inf" if v > 0 else "-.inf"
        r = repr(v)
        if "e" in r:
            mant, exp = r.split("e")
            if "." not in mant:
                mant += ".0"
            r = f"{mant}e{'+' if not exp.startswith(('-', '+')) else ''}{exp}"
        return r
    s = json.dumps(str(v), ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def _key(k) -> str:
    k = str(k)
    return k if _PLAIN_KEY.match(k) and k.lower() not in _YAML_WORDS else _scalar(k)


def dump_yaml(data) -> str:
    out: list[str] = []

    def emit(v, indent: str) -> None:
        # v is a dict or list with at least one item; writes its lines at ``indent``
        if isinstance(v, dict):
            for k, x in v.items():
                head = f"{indent}{_key(k)}:"
                if isinstance(x, (dict, list)) and x:
                    out.append(head)
                    emit(x, indent + ("  " if isinstance(x, dict) else ""))
                else:
                    out.append(f"{head} {_inline(x)}")
        else:
            for x in v:
                if isinstance(x, dict) and x:
                    first = True
                    for k, y in x.items():
                        lead = f"{indent}- " if first else f"{indent}  "
                        first = False
                        if isinstance(y, (dict, list)) and y:
                            out.append(f"{lead}{_key(k)}:")
                            emit(y, indent + "    " if isinstance(y, dict) else indent + "  ")
                        else:
                            out.append(f"{lead}{_key(k)}: {_inline(y)}")
                elif isinstance(x, list) and x:
                    out.append(f"{indent}-")
                    emit(x, indent + "  ")
                else:
                    out.append(f"{indent}- {_inline(x)}")

    def _inline(x) -> str:
        if isinstance(x, dict):
            return "{}"
        if isinstance(x, (list, tuple)):
            return "[]"
        return _scalar(x)

    if isinstance(data, (dict, list)) and data:
        emit(data, "")
    else:
        out.append(_inline(data))
    return "\n".join(out) + "\n"


def write_yaml(sheet: FactSheet, path: Path) -> None:
    from ..util import atomic_write_text

    atomic_write_text(Path(path), sheet_to_yaml(sheet))


def load_yaml(path: Path) -> FactSheet:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return sheet_from_dict(yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader))


def sheet_from_dict(data: dict) -> FactSheet:
    """The inverse of ``sheet_to_dict`` (as read back from YAML or JSON)."""
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
