"""The speed-ups for large builds change no result.

Each one is checked against the plain computation it replaces: the fast dataclass -> dict conversion,
the memoised name folding and event signatures of the facts stage, the collector paused (and the
build's data frozen) while thousands of objects are made, the people-noun alternation grouped by first
letter and its keyword gate, near-duplicate shingles made by the reading workers, and the smaller,
balanced chunks of the worker pool.
"""

from __future__ import annotations

import gc
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from briefing.model import Evidence, Fact, Period, to_dict

ROOT = Path(__file__).resolve().parents[1]


def _generate(folder: Path, n: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(folder, n, seed=seed)


# --- plain(): model.to_dict, faster ------------------------------------------------------------------


def _facts_for_plain() -> list[Fact]:
    ev = Evidence("a", 3, 9, "quoted")
    return [
        Fact(kind="count", what="raids", value=12.0, qualifier="exact", evidence=[ev, ev]),
        Fact(kind="count", what="raids", low=5, high=9, qualifier="range", period=Period("2023", "2023-01-01",
                                                                                        "2023-12-31")),
        Fact(kind="event", text="", date="2024-05", attrs={"also_worded": ["x", "y"], "empty": [], "none": None,
                                                            "nested": {"k": (1, 2)}, "zero": 0, "no": False}),
        Fact(kind="actor", actor="Front", aliases=["F"], attrs={"mentions": 3}, derived=True, confidence=0.0),
        Fact(kind="claim", speaker="A spokesman", stance="other", text="We will stay", evidence=[]),
        Fact(kind="place", place="Lakeside", country="ZZ", attrs={"lat": 1.5, "lon": -2.25}),
    ]


def test_plain_equals_to_dict_on_facts_and_other_dataclasses():
    from briefing.facts.io import plain
    from briefing.model import Conflict, SourceInfo

    objs = _facts_for_plain() + [
        Conflict("c1", "count", "raids, 2023", ["a", "b"]),
        SourceInfo("s", "s.txt", "0" * 64, inferred=["title"], number=3),
        Period("H1 2024", "2024-01-01", "2024-06-30", None),
        [1, (2, 3), {"a": None}],
        {"k": Period("2024", "2024-01-01", "2024-12-31")},
        "text",
        None,
    ]
    for o in objs:
        assert plain(o) == to_dict(o)
        if isinstance(o, Fact):  # same key order too (the fact sheet is written in this order)
            assert list(plain(o)) == list(to_dict(o))


def test_plain_equals_to_dict_on_loaded_sources_and_extracted_facts():
    from briefing.extract import extract
    from briefing.facts.io import plain
    from briefing.sources import load_sources

    for s in load_sources(ROOT / "seeds").sources:
        assert plain(s) == to_dict(s)
        facts = extract(s)
        assert facts
        assert [plain(f) for f in facts] == [to_dict(f) for f in facts]


# --- facts stage: memoised helpers ------------------------------------------------------------------


def _fold_reference(s):
    if not s:
        return ""
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[-‐‑–—]+", " ", re.sub(r"[’'ʼ`´‘]", "", s.lower()))
    s = re.sub(r"\s+", " ", s).strip(" .,;:")
    return re.sub(r"^the\s+", "", s)


NAMES = ["The  Liberation Front", "front de libération", "Al-Shabaab", "al Shabaab ", "O’Neill", "", None,
         "  Ñandú  Brigade.", "the the Group", "THE Group;", "Group\u00a0Nine", "Séléka—Ex"]


def test_memoised_norm_and_fold_name_equal_the_plain_functions():
    from briefing.facts import merge

    for s in NAMES * 2:  # twice: the second answers come from the memo
        assert merge.fold_name(s) == _fold_reference(s)
        assert merge._norm(s) == re.sub(r"\s+", " ", (s or "").strip().lower())


def test_memoised_event_classes_and_words_equal_the_plain_scan():
    from briefing.facts import merge

    texts = ["Gunmen attacked a convoy and burned trucks near Riverton", "The junta seized power in a coup",
             "Talks on a ceasefire deal were signed", "Residents fled the fighting", "", "A quiet week"]
    for t in texts * 2:
        low = t.lower()
        assert merge._classes_of(low) == {n for n, _r, rx in merge._CLASS_RX if rx.search(low)}
        for w in re.findall(r"[a-z]{4,}", low):
            want = w not in merge._EVENT_STOP and not any(rx.fullmatch(w) for _, _, rx in merge._CLASS_RX)
            assert merge._content_word(w) is want


# --- facts stage: the collector -----------------------------------------------------------------------


def _seed_facts():
    from briefing.extract import extract
    from briefing.sources import load_sources

    sources = load_sources(ROOT / "seeds").sources
    return sources, {s.id: extract(s) for s in sources}


def test_the_merge_gives_the_same_sheet_with_the_collector_paused_or_not(monkeypatch):
    from briefing.facts import build_factsheet, sheet_to_dict
    from briefing.facts import merge

    sources, facts = _seed_facts()
    a = sheet_to_dict(build_factsheet(sources, facts))
    assert gc.isenabled()  # left as it was found
    sources, facts = _seed_facts()

    class NoPause:
        def __init__(self, keep=False):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(merge, "gc_paused", NoPause)
    b = sheet_to_dict(build_factsheet(sources, facts))
    assert a == b and a["facts"]


def test_gc_paused_restores_the_collector_and_freezes_only_large_stretches(monkeypatch):
    from briefing.facts.merge import gc_paused, release_frozen

    release_frozen()
    assert gc.get_freeze_count() == 0
    with gc_paused(keep=True):
        assert not gc.isenabled()
        small = [[i] for i in range(10)]
    assert gc.isenabled() and gc.get_freeze_count() == 0  # too few objects: nothing frozen
    monkeypatch.setattr(gc_paused, "KEEP_MIN", 1)
    with gc_paused(keep=True):
        big = [[i] for i in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() > 0
    release_frozen()
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a paused collector stays paused
    finally:
        gc.enable()
    assert small and big


# --- advisories: the people-noun alternation and its gate -------------------------------------------


def test_grouping_an_alternation_by_first_character_keeps_every_match():
    from briefing.extract.advisories import _by_first_char

    words = sorted(["Alpha", "Alphas", "Al", "Beta Men", "Bet", "B", "Gamma-Folk", "G.I.s", "Zed", "Ze",
                    "ab", "a"], key=len, reverse=True)
    plain_rx = re.compile("|".join(re.escape(w) for w in words))
    grouped = re.compile(_by_first_char(words))
    # followed by a constraint that forces backtracking into the alternation
    plain_bt = re.compile(rf"(?:{plain_rx.pattern})s?\s+left")
    grouped_bt = re.compile(rf"(?:{grouped.pattern})s?\s+left")
    texts = ["Alphas left; Al left, Alpha Betas left", "Beta Men left and B left but Bet left", "G.I.s left",
             "Gamma-Folk lefts Zed left Zeds left", "ab a left", "no match here", "Alpha  left Alphaleft"]
    for t in texts:
        assert [m.span() for m in plain_rx.finditer(t)] == [m.span() for m in grouped.finditer(t)]
        assert [m.span() for m in plain_bt.finditer(t)] == [m.span() for m in grouped_bt.finditer(t)]


def test_people_nouns_pattern_matches_like_the_plain_alternation():
    from briefing.extract import advisories as A

    plain = rf"(?:{A._PEOPLE_GENERIC}|(?-i:{'|'.join(re.escape(p) for p in A._people_plurals())}))"
    fast = re.compile(A._people_nouns(), re.I)
    slow = re.compile(plain, re.I)
    sample = ("Britons, Brits and New Zealanders; South Africans and Sudanese nationals, tourists, "
              "passport holders and travellers; AMERICANS americans Americans; Guineans and Papua New Guineans")
    assert [m.span() for m in fast.finditer(sample)] == [m.span() for m in slow.finditer(sample)]
    assert len(list(fast.finditer(sample))) >= 10


LEAVE_TEXTS = [
    "Canadians in the capital should leave the country while commercial flights are still available.",
    "All British nationals were urged by the Foreign Office to leave immediately.",
    "Passport-holders must depart now, officials said.",
    "Travellers had to flee the city by road.",
    "Those who can should leave, the embassy said.",
    "Anyone still in the north was told to evacuate.",
    "The company said its engineers would leave next week.",  # no people noun: gate closed, no cue
    "Foreigners need to get out of the border area, the ministry warned.",
]


def test_people_gate_holds_whenever_the_pattern_matches():
    from briefing.extract import advisories as A
    from briefing.extract.text import lower_for_gates

    rx = {r: (rx, gate) for _a, r, _s, rx, gate in A._patterns()}["ln.people-should-leave"]
    matched = 0
    for t in LEAVE_TEXTS:
        if rx[0].search(t):
            matched += 1
            assert rx[1](lower_for_gates(t)), t
    assert matched >= 6
    # every generic people noun of the pattern contains one of the gate's keys
    for alt in A._PEOPLE_GENERIC.split("|"):
        for form in {alt.replace("[- ]", " "), alt.replace("[- ]", "-"), alt.replace("l?", "l"), alt.replace("l?", "")}:
            if re.fullmatch(A._PEOPLE_GENERIC, form):
                assert any(k in form.lower() for k in A._people_keys()), form


def test_advisory_cues_are_the_same_with_and_without_gates_on_our_texts():
    from briefing.extract import advisories as A

    ungated = [(a, r, s, rx, lambda low: True) for a, r, s, rx, _ in A._patterns()]
    key = lambda cues: [(c.action, c.start, c.end, c.rule, c.people) for c in cues]  # noqa: E731
    for t in LEAVE_TEXTS:
        assert key(A._find_cues(t)) == key(A._find_cues(t, ungated)), t


# --- sources: shingles made by the reading workers ---------------------------------------------------


def _add_near_copies(folder: Path) -> None:
    """Three wire copies: the same article with one word changed by the copying outlet."""
    for i, p in enumerate(sorted(folder.iterdir())[:3]):
        text = p.read_text(encoding="utf-8")
        k = text.rindex(" the ")
        (folder / f"zz_copy{i}{p.suffix}").write_text(text[:k] + " this " + text[k + 5:], encoding="utf-8")


def test_mark_duplicates_with_known_shingles_gives_the_same_groups(tmp_path):
    from briefing.sources import dedupe, load_sources

    folder = tmp_path / "s"
    _generate(folder, 70, seed=11)
    _add_near_copies(folder)
    sources = load_sources(folder).sources
    assert len(sources) > dedupe.SMALL
    before = [(s.group, s.duplicate_of) for s in sources]
    assert any(d for _g, d in before)  # the generated set has near-duplicates
    for s in sources:
        s.group = s.duplicate_of = None
    known = {s.text: dedupe.shingle_array(s.text) for s in sources[::2]}  # half known, half made here
    dedupe.mark_duplicates(sources, known=known)
    assert [(s.group, s.duplicate_of) for s in sources] == before


def test_parallel_loading_of_many_files_equals_load_sources(tmp_path, monkeypatch):
    import briefing.pipeline as pipeline
    from briefing.sources import dedupe, load_sources

    folder = tmp_path / "s"
    _generate(folder, dedupe.SMALL + 10, seed=12)
    _add_near_copies(folder)
    want = load_sources(folder)
    assert any(s.duplicate_of for s in want.sources)
    monkeypatch.setenv("BRIEFING_JOBS", "2")
    seen = []
    real = dedupe.mark_duplicates
    monkeypatch.setattr(dedupe, "mark_duplicates", lambda srcs, known=None: seen.append(len(known or {})) or
                        real(srcs, known=known))
    got = pipeline.load_all(folder, tmp_path / "cache")
    assert [to_dict(s) for s in got.sources] == [to_dict(s) for s in want.sources]
    assert got.warnings == want.warnings
    if pipeline._workers(100) >= 2:
        assert seen == [len({s.text for s in want.sources})]  # each new text's shingles came from its reader
        assert any(s.duplicate_of and "near-duplicate" in " ".join(s.warnings) for s in got.sources)
    pipeline.load_all(folder, tmp_path / "cache")  # from the cache: shingles made here
    assert seen[-1] == 0


# --- the worker pool --------------------------------------------------------------------------------


def _square(x: int) -> int:
    return x * x


def test_parallel_map_keeps_order_balances_chunks_and_leaves_the_collector_on(monkeypatch):
    import briefing.pipeline as pipeline
    from briefing.facts.merge import release_frozen

    monkeypatch.setenv("BRIEFING_JOBS", "2")
    items = list(range(300))
    sizes = [(i * 37) % 101 for i in items]
    assert pipeline.parallel_map(_square, items, sizes) == [i * i for i in items]
    assert gc.isenabled()
    monkeypatch.setattr(pipeline, "_KEEP_FROZEN", 10)
    assert pipeline.parallel_map(_square, items, sizes) == [i * i for i in items]
    assert gc.isenabled()
    if pipeline._workers(300) >= 2:
        assert gc.get_freeze_count() > 0  # a large result is kept frozen ...
    release_frozen()  # ... until the next build loads its sources
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("n", [30, 100])
def test_extract_all_in_workers_equals_in_process(tmp_path, monkeypatch, n):
    import briefing.pipeline as pipeline
    from briefing.sources import load_sources

    folder = tmp_path / "s"
    _generate(folder, n, seed=13)
    for p in sorted((ROOT / "seeds").iterdir())[:3]:
        shutil.copy(p, folder / p.name)
    sources = load_sources(folder).sources
    monkeypatch.setenv("BRIEFING_JOBS", "1")
    serial = pipeline.extract_all(sources, None)
    monkeypatch.setenv("BRIEFING_JOBS", "2")
    cache = tmp_path / "cache"
    parallel = pipeline.extract_all(sources, cache)
    again = pipeline.extract_all(sources, cache)  # every source from the cache entries the workers wrote
    want = {k: [to_dict(f) for f in v] for k, v in serial.items()}
    assert {k: [to_dict(f) for f in v] for k, v in parallel.items()} == want
    assert {k: [to_dict(f) for f in v] for k, v in again.items()} == want
    assert list(parallel) == list(serial) == [s.id for s in sources]
