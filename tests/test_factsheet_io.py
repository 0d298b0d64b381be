"""The fact sheet's YAML writer and the JSON twins the build reads editions from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.facts.io import dump_yaml

ROOT = Path(__file__).resolve().parents[1]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

scalars = (
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=False, allow_infinity=True, width=64)
    | st.text(max_size=40)
    | st.sampled_from(["yes", "No", "on", "null", "~", "- x", "a: b", "#c", "1e3", "0x10", "", " lead", "\u2028", "\x85", "\ufeff"])
)
keys = st.text(max_size=12) | st.sampled_from(["id", "y", "no", "true", "1", "a b", "-", "key:", "é"])
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(data)
def test_any_plain_data_reads_back_exactly(d):
    assert yaml.load(dump_yaml(d), Loader=LOADER) == d


def test_fact_sheet_yaml_reads_back_and_twin_is_used_only_when_it_matches(tmp_path):
    from briefing import build
    from briefing.pipeline import _twin_json

    project = tmp_path / "p"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    res = build(project)
    out = project / "out"
    text = (out / "factsheet.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=LOADER)
    assert len(data["facts"]) == len(res.sheet.facts) and data["facts"][0]["evidence"][0]["quote"]
    twin = out / ".cache" / "factsheet.json"
    assert json.loads(_twin_json(out / "factsheet.yaml", twin)) == data
    # a twin that no longer matches its YAML is ignored: the YAML is what counts
    data["notes"] = ["edited by hand"]
    (out / "factsheet.yaml").write_text(dump_yaml(data), encoding="utf-8")
    assert json.loads(_twin_json(out / "factsheet.yaml", twin))["notes"] == ["edited by hand"]
