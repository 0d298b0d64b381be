"""The shortcuts taken for speed give the same answers as the plain algorithms they replace:
keyword pre-checks before the boilerplate patterns, word weights computed once per distinct word,
normalisation that only stops at special characters, whitespace copied in whole runs."""

from __future__ import annotations

import random
import re

import pytest

from briefing.sources import build_source
from briefing.sources import decode as D
from briefing.sources import rules as R
from briefing.sources.textmap import Builder

PIECES = [
    "subscribe", "newsletter", "Sign up", "SIGNUP", "donate", "now", "support", "our", "journalism", "click",
    "here", "Getty Images", "REUTERS /", "Photo:", "www.example.org", "desk@example.org", "+44 20 7946 0000",
    "confidential", "notice", "do not", "forward", "(c) 2024", "©", "All Rights Reserved", "CTA", "make us",
    "your preferred source", "tap", "below", "chip in", "give", "today", "tax-deductible", "said", "the",
    "road", "Valley", ".", "(AFP)", "(AFP Photo by Staff)", "via", "\u017fubscribe", "D\u0130GEST", "round-up",
    "weekly", "contribution", "help us", "dear readers", "http://example.org/x", "Contact", "for internal use only",
    "this e-mail is intended", "year-end gift", "becoming a member", "reader-funded", "pledge", "consider donating",
    "Read more", "|", "Share", "on", "Facebook", "K\u212aeep", "Ministry", "north",
]


def test_keyword_prechecks_never_change_a_classification(monkeypatch):
    rng = random.Random(11)
    lines = [" ".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 16))) for _ in range(6000)]
    fast = [R.classify(t) for t in lines]
    monkeypatch.setattr(R, "_has", lambda low, need: True)  # every pattern runs
    slow = [R.classify(t) for t in lines]
    assert fast == slow
    assert sum(x is not None for x in fast) > 1000  # the lines do hit the rules


def _reference_tokens(text: str) -> dict[str, float]:
    """Word weights computed word by word, as described in ``rules.add_tokens``."""
    acc: dict[str, float] = {}
    first = True
    for m in re.finditer(r"[^\W\d_][\w'’-]*", text):
        w = m.group(0)
        start = first or re.search(r"[.!?:\n\"“—–|]\s*$", text[max(0, m.start() - 3):m.start()]) is not None
        first = False
        stem = R._stem(w)
        if w.lower() in R.STOPWORDS or len(stem) < 3:
            continue
        if w[0].isupper() and stem not in R._GENERIC_CAPS:
            weight = 3.0 if (not start or sum(c.isupper() for c in w) > 1) else 2.0
        else:
            weight = 1.0
        acc[stem] = max(acc.get(stem, 0.0), weight)
        if "-" in w:
            for part in w.split("-"):
                ps = R._stem(part)
                if len(ps) >= 3 and part.lower() not in R.STOPWORDS:
                    pw = 3.0 if part[:1].isupper() and ps not in R._GENERIC_CAPS else 1.0
                    acc[ps] = max(acc.get(ps, 0.0), pw)
    return acc


def test_word_weights_match_the_word_by_word_definition():
    rng = random.Random(4)
    alphabet = list("abXY .!?:\n\"“—–|'’-_7 \t") + ["Port-Harbour", "UN", "The", "Valley", "said", "Ministry", "north", "North", "Don't"]
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 50)))
        assert R.tokens(text) == _reference_tokens(text), text


def test_word_weights_examples():
    t = R.tokens("Valley residents fled. Valley roads closed as the Harbour-Board met.")
    assert t["valley"] == 2.0  # only ever at a sentence start
    assert t["harbour-board"] == 3.0 and t["harbour"] == 3.0 and t["board"] == 3.0
    assert "the" not in t and "as" not in t
    t2 = R.tokens("Floods hit Valley towns. Valley farmers wait.")
    assert t2["valley"] == 3.0  # a name: also used mid-sentence


def _reference_normalise(original: str):
    b = Builder(original)
    pos = 0
    nfc = D.unicodedata.is_normalized("NFC", original)
    for m in D._SPECIAL.finditer(original):
        D._copy_nfc(b, original, pos, m.start(), nfc)
        if m.lastgroup == "crlf":
            b.copy(m.start() + 1, m.end())
        elif m.lastgroup == "nl":
            b.replace(m.start(), m.end(), "\n")
        elif m.lastgroup == "sp":
            b.replace(m.start(), m.end(), " ")
        pos = m.end()
    D._copy_nfc(b, original, pos, len(original), nfc)
    return b.build()


def test_normalise_matches_the_match_by_match_definition():
    rng = random.Random(9)
    alphabet = list("ab \n\r\t\x00\x07\u00a0\u2028\u00ad\u200b\ufeff\u0301\u0085\u3000") + ["\r\n", "cafe\u0301", "\r\r\n"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        got, want = D.normalise(text), _reference_normalise(text)
        assert (got.text, got.parts) == (want.text, want.parts), repr(text)


@pytest.mark.parametrize("sep", [" ", "  ", "\t", " \t ", "\u00a0", "\u3000 ", "   "])
def test_whitespace_runs_collapse_and_words_map_back(sep):
    words = ["Flood", "waters", "rose", "across", "the", "valley", "overnight,", "officials", "said."]
    body = sep.join(words)
    text = "River valley floods\n\n" + sep + body + sep + "\n\nSecond paragraph with  two  spaces and\ttabs.\n"
    src = build_source("w.txt", text.encode("utf-8"), "txt")
    assert "  " not in src.text and "\t" not in src.text
    assert " ".join(words) in src.text
    pos = 0
    for w in words + ["two", "spaces", "tabs."]:
        i = src.text.index(w, pos)
        a, b = src.offsets.to_original(i, i + len(w))
        assert src.original[a:b] == w
        pos = i + len(w)
