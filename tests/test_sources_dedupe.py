"""Near-duplicate detection: the candidate filter finds exactly the pairs the all-pairs test finds."""

from __future__ import annotations

import random

import pytest

from briefing.model import OffsetMap, Source
from briefing.sources import dedupe as D


def _random_sets(seed: int, n: int) -> list[set[int]]:
    """Sets built like articles from a shared pool of phrases, with planted near-copies: trimmed
    copies (containment), light edits (Jaccard) and near misses just under the thresholds."""
    rng = random.Random(seed)
    pool = list(range(4000))
    sets: list[set[int]] = []
    for _ in range(n):
        kind = rng.random()
        if sets and kind < 0.15:  # a trimmed copy of an earlier set
            base = sorted(rng.choice(sets))
            keep = rng.uniform(0.05, 1.0)
            lost = rng.uniform(0.0, 0.15)
            part = base[: max(1, int(len(base) * keep))]
            s = set(rng.sample(part, max(1, int(len(part) * (1 - lost)))))
            s |= {rng.randrange(10**6, 10**7) for _ in range(rng.randrange(0, 6))}
        elif sets and kind < 0.3:  # an edited copy: some elements swapped
            base = sorted(rng.choice(sets))
            swap = rng.uniform(0.0, 0.3)
            s = set(base)
            for x in rng.sample(base, int(len(base) * swap)):
                s.discard(x)
                s.add(rng.randrange(10**6, 10**7))
        else:  # common phrases (high document frequency) plus rare ones
            size = rng.choice([5, 19, 20, 21, 30, 60, 150, 400])
            common = rng.sample(pool[:60], min(size // 3, 60))
            s = set(common) | {rng.randrange(4000, 10**6) for _ in range(size - len(common))}
        sets.append(s)
    return sets


def _arrays(sets):
    import numpy as np

    return [np.array(sorted(s), dtype=np.int64) for s in sets]


@pytest.mark.parametrize("seed", range(8))
def test_filtered_pairs_equal_all_pairs(seed):
    sets = _random_sets(seed, 150)
    eligible = [i for i, s in enumerate(sets) if len(s) >= D.MIN_SHINGLES]
    want = D._all_pairs(sets, eligible)
    assert want, "the generator plants near-duplicates"
    sets = _arrays(sets)
    assert D._filtered_pairs(sets, eligible) == want
    # memory-bounded chunks must not split a document's probes
    assert D._filtered_pairs(sets, eligible, chunk=50) == want
    assert D._filtered_pairs(sets, eligible, max_bins=100) == want  # unique() instead of bincount
    assert D._filtered_pairs(sets, eligible, max_bins=1000, chunk=200) == want
    assert D.similar_pairs(sets) == want


def test_hashes_sharing_their_low_bits_stay_apart():
    """The filter packs document numbers into the low bits of the hashes; values that differ only
    there must not make different sets look alike in the exact test."""
    base = [set(range(k * 1_000_000, k * 1_000_000 + 40)) for k in range(70)]
    shifted = [{x * 4096 for x in s} for s in base]  # multiples of 4096: low bits all zero
    sets = shifted + [{x + 1 for x in shifted[0]}]  # same high bits as set 0, other values
    pairs = D.similar_pairs(sets)
    assert pairs == []
    sets.append(set(shifted[3]))
    assert D.similar_pairs(sets) == [(3, 71)]


def test_thresholds_at_the_boundary():
    base = set(range(100))
    jac_in = set(range(10, 110))  # 90/110 = 0.818 >= 0.8 (and containment 0.9)
    cont_in = set(range(90))  # contained: 90/90
    miss = set(range(25, 125)) | set()  # 75/125 = 0.6, containment 0.75
    edge = set(range(20)) | set(range(1000, 1002))  # 20 of 22 in base: containment 0.909
    below = set(range(19)) | set(range(1000, 1003))  # 19 of 22: 0.864
    sets = [base, jac_in, cont_in, miss, edge, below] + [set(range(10**5 * k, 10**5 * k + 50)) for k in range(1, 70)]
    pairs = D.similar_pairs(sets)
    assert (0, 1) in pairs and (0, 2) in pairs and (0, 4) in pairs
    assert (0, 3) not in pairs and (0, 5) not in pairs
    eligible = [i for i, s in enumerate(sets) if len(s) >= D.MIN_SHINGLES]
    assert pairs == D._all_pairs(sets, eligible)


def test_min_overlap_is_exact_integer_ceiling():
    for a in range(1, 2000):
        t = D.min_overlap(a)
        assert 5 * t >= 4 * a > 5 * (t - 1)


def _src(i: int, text: str, sha: str | None = None) -> Source:
    return Source(id=f"s{i:03d}", path=f"s{i:03d}.txt", sha256=sha or f"h{i}", format="txt", original=text, text=text, offsets=OffsetMap.identity(len(text)))


def _story(rng: random.Random, words: int) -> str:
    vocab = [f"w{k}" for k in range(3000)]
    return " ".join(rng.choice(vocab) for _ in range(words))


def test_mark_duplicates_groups_and_identical_files():
    rng = random.Random(3)
    stories = [_story(rng, 200) for _ in range(80)]
    srcs = [_src(i, t) for i, t in enumerate(stories)]
    srcs.append(_src(80, stories[5], sha="h5"))  # byte-identical copy of 5
    srcs.append(_src(81, " ".join(stories[7].split()[:120])))  # trimmed copy of 7
    srcs.append(_src(82, " ".join(stories[7].split()[30:])))  # another trimmed copy of 7
    D.mark_duplicates(srcs)
    assert srcs[80].duplicate_of == "s005" and srcs[80].group == "s005"
    assert srcs[81].duplicate_of == "s007" and srcs[82].duplicate_of == "s007"
    assert srcs[7].duplicate_of is None and srcs[7].group == "s007"
    alone = [s for s in srcs if s.group == s.id and s.duplicate_of is None]
    assert len(alone) == 80


def test_shingles_are_word_five_grams():
    a = D.shingles("One two three four five six")
    b = D.shingles("ONE, two; three four five. Six!")
    assert a == b and len(a) == 2
    assert len(D.shingles("just three words")) == 1
    assert D.shingles("") == set()


def test_disjoint_sets_name_each_set_by_its_smallest_member():
    """The union-find shared by duplicate grouping and actor grouping: chains and any union order end
    in the same sets, each named by its smallest item."""
    from briefing.util import DisjointSets

    rng = random.Random(7)
    pairs = [(0, 5), (5, 9), (3, 4), (9, 2), (7, 7)]
    want = {0: 0, 2: 0, 5: 0, 9: 0, 3: 3, 4: 3, 1: 1, 6: 6, 7: 7, 8: 8}
    for _ in range(20):
        rng.shuffle(pairs)
        d = DisjointSets(10)
        for a, b in pairs:
            d.union(*((a, b) if rng.random() < 0.5 else (b, a)))
        assert {i: d.find(i) for i in range(10)} == want
