"""The offset map: kept text -> original file. Unit tests and property tests (hypothesis)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.model import OffsetMap
from briefing.sources import _Skip, build_source
from briefing.sources.decode import normalise
from briefing.sources.textmap import Builder, compose
from briefing.util import xml_safe

# --- OffsetMap ---------------------------------------------------------------------------------


def test_identity():
    m = OffsetMap.identity(10)
    assert m.to_original(2, 5) == (2, 5)
    assert m.to_original(0, 10) == (0, 10)
    assert m.to_original(4, 4) == (4, 4)


def test_gaps_and_chunks():
    # text "abc" + inserted "\n\n" + "de" (from orig 10..12) + "é" (replacing 2 chars at 12..14)
    m = OffsetMap([(0, 0, 3), (5, 10, 2), (7, 12, 1, 2)])
    assert m.to_original(0, 3) == (0, 3)
    assert m.to_original(3, 5) == (10, 10)  # only inserted characters: an empty span before the next run
    assert m.to_original(1, 6) == (1, 11)  # across the inserted separator
    assert m.to_original(4, 7) == (10, 12)  # starts in the gap: starts at the next run
    assert m.to_original(7, 8) == (12, 14)  # a replaced chunk maps to the whole original chunk
    assert m.to_original(5, 8) == (10, 14)


def test_offset_map_runs_stay_backward_compatible():
    m = OffsetMap([(0, 5, 4)])
    assert m.to_original(1, 3) == (6, 8)


def test_compose_chains_two_maps():
    original = "a\u00a0b\r\nc\u0301d"
    n = normalise(original)
    assert n.text == "a b\n\u0107d"  # NBSP -> space, CRLF -> LF, c + combining acute -> ć
    b = Builder(n.text)
    b.copy(0, 3)
    b.insert(" | ")
    b.copy(4, len(n.text))
    t = compose(b.build(), n)
    om = t.offset_map()
    i = t.text.index("a")
    assert original[slice(*om.to_original(i, i + 1))] == "a"
    j = t.text.index("d")
    assert original[slice(*om.to_original(j, j + 1))] == "d"


# --- property tests on whole files ---------------------------------------------------------------

WORDS = ["Bamako", "convoy", "fuel", "attack", "Ségou", "Goïta", "said", "officials", "the", "of", "2025", "280", "20 percent"]
NOISE = [
    " ", "  ", "\t", "\u00a0", "\r\n", "\n", "\n\n", "\x07", "\u200b", "\ufeff", "e\u0301", "’", "“", "”", "—",
    ".", ",", "!", "?", ":", "\u2028", "\x0c", "\ud7ff", "\U0001f600",
]
LINES = [
    "Follow us on social", "google cta", "RELATED:", "Photo: a convoy near the river", "Reporting | Africa",
    "Subscribe to our newsletter for daily updates", "By Jane Doe", "March 3, 2024",
    "# A heading here", "**bold words** and [a link](https://x.org/y)", "- a list item", "---",
]

chunk = st.one_of(st.sampled_from(WORDS), st.sampled_from(NOISE), st.sampled_from(LINES).map(lambda s: "\n" + s + "\n"))
documents = st.lists(chunk, min_size=1, max_size=120).map(" ".join)


def _check(src) -> None:
    text, orig = src.text, src.original
    # kept text is clean
    assert xml_safe(text) == text
    assert unicodedata.is_normalized("NFC", text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]", text)
    runs = [r if len(r) == 4 else (r[0], r[1], r[2], r[2]) for r in src.offsets.runs]
    # runs are ordered, inside both strings, and non-overlapping
    last_t = last_o = 0
    for cs, os_, cl, ol in runs:
        assert cs >= last_t and os_ >= last_o
        assert cs + cl <= len(text) and os_ + ol <= len(orig)
        last_t, last_o = cs + cl, os_ + ol
    # unaltered characters are identical; one-for-one replacements are whitespace only
    altered = [False] * len(text)
    covered = [False] * len(text)
    for cs, os_, cl, ol in runs:
        for i in range(cl):
            covered[cs + i] = True
            if cl != ol:
                altered[cs + i] = True
            elif text[cs + i] != orig[os_ + i]:
                altered[cs + i] = True
                assert text[cs + i] in " \n" and (orig[os_ + i].isspace() or orig[os_ + i] in "\u2028\u2029\x85")
    # inserted characters are only paragraph separators
    assert all(covered[i] or text[i] == "\n" for i in range(len(text)))
    # THE invariant: any span of unaltered kept characters maps onto the same characters
    n = len(text)
    for a in range(0, n, max(1, n // 40)):
        for b in range(a, min(n, a + 60) + 1, 7):
            o1, o2 = src.span_to_original(a, b)
            assert 0 <= o1 <= o2 <= len(orig)
            if all(covered[a:b]) and not any(altered[a:b]) and _contiguous(runs, a, b):
                assert orig[o1:o2] == text[a:b], (a, b)
    # monotone
    starts = [src.span_to_original(i, i)[0] for i in range(0, n + 1, max(1, n // 50))]
    assert starts == sorted(starts)
    # dropped stretches are the original's text, and never overlap kept characters
    for d in src.dropped:
        assert orig[d.start:d.end] == d.text
        for cs, os_, cl, ol in runs:
            assert os_ + ol <= d.start or os_ >= d.end, (d, (cs, os_, cl, ol))
    # paragraphs tile the text
    for s, e in src.paragraphs:
        assert text[s:e].strip() == text[s:e] and text[s:e]


def _contiguous(runs, a, b) -> bool:
    """True when text[a:b] lies in runs that are back to back in both strings."""
    prev = None
    for cs, os_, cl, ol in runs:
        if cs + cl <= a or cs >= b:
            continue
        if prev is not None and (prev[0] + prev[2] != cs or prev[1] + prev[3] != os_):
            return False
        prev = (cs, os_, cl, ol)
    return prev is not None or a == b


@settings(max_examples=120, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(["txt", "md"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_offsets_property(doc, fmt, enc):
    try:
        raw = doc.encode(enc, errors="surrogatepass" if enc == "utf-8" else "strict")
    except UnicodeEncodeError:
        return
    try:
        src = build_source(f"doc.{fmt}", raw, fmt)
    except _Skip:
        assert not re.search(r"\w", doc) or True
        return
    _check(src)


@settings(max_examples=80, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_offsets_property_wrapped_layout(doc, markdown):
    """PDF/DOCX text layers join soft-wrapped lines inside a paragraph block."""
    from briefing.sources import source_from_doc
    from briefing.sources.readers import RawDoc

    doc = doc.replace("\ud7ff", "")
    try:
        src = source_from_doc("doc.pdf", doc.encode("utf-8", "surrogatepass"), RawDoc(doc, "pdf", wrapped=True, markdown=markdown))
    except _Skip:
        return
    _check(src)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=40), st.lists(st.sampled_from(NOISE), min_size=0, max_size=8))
def test_words_survive_and_map_back(words, noise):
    line = " ".join(words) + "."
    doc = "Heading words here\n\n" + "".join(noise) + line + "\n"
    try:
        src = build_source("w.txt", doc.encode("utf-8", errors="surrogatepass"), "txt")
    except _Skip:
        return
    _check(src)
    for m in re.finditer(r"\w+", src.text):
        o1, o2 = src.span_to_original(m.start(), m.end())
        assert normalise(src.original[o1:o2]).text == m.group(0)


def test_seeds_satisfy_the_invariant():
    from pathlib import Path

    from briefing.sources import load_sources

    for src in load_sources(Path(__file__).resolve().parents[1] / "seeds").sources:
        _check(src)
