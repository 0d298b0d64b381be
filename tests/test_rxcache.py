"""The compiled-pattern cache kept between builds (briefing.rxcache): patterns taken from the store
behave exactly as freshly compiled ones, and a damaged, foreign or stale store only costs a compile."""

from __future__ import annotations

import re
import uuid
from array import array

import pytest

from briefing import rxcache

SUBJECT = "Les 1 234 déplacés — 12,5 % ; CAPS and caps, Ünïcode words, 2025-11-04 and x-y-z"


def _patterns(tag: str) -> list[tuple[str, int]]:
    """Patterns unique to a test (``re`` keeps its own cache of compiled patterns), with groups, names,
    flags, classes, look-arounds and back-references."""
    return [
        (rf"(?P<num>\d{{1,3}}(?:[ ,]\d{{3}})*)(?:,\d+)?\s*(?P<unit>%|déplacés)(?#{tag})", 0),
        (rf"\b(caps)\b.*?\b\1\b(?#{tag})", re.IGNORECASE),
        (rf"(?<=\s)[^\W\d_]+(?=\s)(?#{tag})", 0),
        (rf"(\d{{4}})-(\d\d)-(\d\d)|(?i:X)-(?:y|z)(?#{tag})", 0),
    ]


def _behaviour(rx: re.Pattern) -> tuple:
    return (rx.pattern, rx.flags, rx.groups, dict(rx.groupindex),
            [(m.span(), m.groups()) for m in rx.finditer(SUBJECT)])


def _compile_all(pats) -> list[tuple]:
    return [_behaviour(re.compile(p, f)) for p, f in pats]


@pytest.fixture
def keep_all(monkeypatch):
    """Keep every pattern, however quick to compile (the test patterns are short)."""
    monkeypatch.setattr(rxcache, "_SLOW", 0.0)


def test_patterns_from_the_store_behave_as_compiled_ones(tmp_path, monkeypatch, keep_all):
    store = tmp_path / "patterns.bin"
    tag = uuid.uuid4().hex
    want = _compile_all(_patterns(tag + "plain"))  # outside the block: plain re
    with rxcache.cached(store):
        first = _compile_all(_patterns(tag))
    assert store.exists() and re._compiler.compile is not None
    re.purge()
    # the second time, nothing is compiled: every pattern comes from the store
    compiled: list[str] = []
    real = rxcache._compile_parts
    monkeypatch.setattr(rxcache, "_compile_parts", lambda p, f: compiled.append(p) or real(p, f))
    with rxcache.cached(store):
        second = _compile_all(_patterns(tag))
    assert not [p for p in compiled if tag in p]
    strip = lambda rows: [(p.replace(tag + "plain", tag), *rest) for p, *rest in rows]  # noqa: E731
    assert first == second == strip(want)


def test_re_is_given_back_after_the_block(tmp_path):
    from re import _compiler

    before = _compiler.compile
    with rxcache.cached(tmp_path / "p.bin"):
        assert _compiler.compile is not before
        with pytest.raises(re.error):  # re's own errors still reach the caller
            re.compile(r"(unclosed" + uuid.uuid4().hex)
    assert _compiler.compile is before


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "bad code", "garbage"])
def test_a_damaged_or_foreign_store_only_costs_a_compile(tmp_path, damage, keep_all):
    store = tmp_path / "patterns.bin"
    tag = uuid.uuid4().hex
    pats = _patterns(tag)
    with rxcache.cached(store):
        want = _compile_all(pats)
    re.purge()
    blob = store.read_bytes()
    if damage == "truncate":
        store.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        store.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    elif damage == "garbage":
        store.write_bytes(b"\x00" * 64)
    else:
        gen, entries = rxcache._load(store)
        assert len(entries) >= len(pats)
        if damage == "foreign":  # written by another Python: a different header
            monkeypatch_header = rxcache._header
            try:
                rxcache._header = lambda: ("another", "python")
                rxcache._save(store, gen, entries)
            finally:
                rxcache._header = monkeypatch_header
        else:  # a checksum-valid store whose code the regular expression engine refuses
            bad = array("I", [9999, 1, 2]).tobytes()
            rxcache._save(store, gen, {k: (v[0], bad, *v[2:]) for k, v in entries.items()})
    with rxcache.cached(store):
        got = _compile_all(pats)
    assert got == want
    re.purge()
    assert len(rxcache._load(store)[1]) >= len(pats)  # written again, whole


def test_only_slow_patterns_are_kept_and_unused_ones_age_out(tmp_path):
    store = tmp_path / "patterns.bin"
    tag = uuid.uuid4().hex
    slow = "|".join(f"word{i}{tag}" for i in range(400))  # a long alternation, like the extractor's
    quick = rf"\b{tag}\b"
    with rxcache.cached(store):
        re.compile(slow)
        re.compile(quick)
    gen, entries = rxcache._load(store)
    assert (slow, 0) in entries and (quick, 0) not in entries and gen == 1
    # builds that compile other slow patterns but no longer this one: it survives _KEEP - 1 of them
    for i in range(rxcache._KEEP):
        re.purge()
        with rxcache.cached(store):
            re.compile(slow.replace(tag, f"{tag}v{i}"))
        assert ((slow, 0) in rxcache._load(store)[1]) == (i < rxcache._KEEP - 1), i
    # one used in every build stays
    for i in range(rxcache._KEEP + 1):
        re.purge()
        with rxcache.cached(store):
            re.compile(slow)
            re.compile(slow.replace(tag, f"{tag}w{i}"))
    assert (slow, 0) in rxcache._load(store)[1]
