"""Duplicate detection: byte-identical files and near-duplicates (the same wire story in two outlets).

Near-duplicates: word 5-gram shingles of the kept text; two sources are the same story when the
Jaccard similarity of their shingle sets is >= 0.8, or when >= 90 % of the shorter one's shingles
occur in the longer one (a trimmed wire copy). ``duplicate_of`` is the id of the first source of the
group (in load order), ``group`` is shared by the whole group (a source alone is its own group).

Candidate pairs are found with an exact prefix filter, so the work grows with the number of sources
that share rare shingles, not with the number of pairs. Either test above implies that the pair shares
at least ``t = ceil(0.8 * a)`` shingles, ``a`` being the size of the smaller set. A shingle in that
overlap occurs in at least two sources, so for the smaller set A only its *shared* shingles matter;
by pigeonhole any ``len(shared) - t + 1`` of them must include one that the partner also holds. The
probe uses the rarest ones (lowest document frequency), looks them up in an inverted index and runs
the exact similarity test on the sources found. The groups are exactly those of the all-pairs test:
they are the connected components of the "similar" relation, whatever order pairs are found in, so
nothing depends on hash seeds or set iteration order.
"""

from __future__ import annotations

import re

from ..model import Source

JACCARD = 0.8
CONTAINMENT = 0.9
MIN_SHINGLES = 20
K = 5
SMALL = 60  # up to this many sources every pair is tested directly
EXTRA = 12  # probes beyond the pigeonhole minimum (see similar_pairs)
_WORDS = re.compile(r"\w+")


def shingles(text: str, k: int = K) -> set[int]:
    """Hashes of the word ``k``-grams of ``text`` (lower-cased). Hash values are only compared
    within one process (they are never stored)."""
    words = _WORDS.findall(text.lower())
    if len(words) < k:
        return {hash(" ".join(words))} if words else set()
    return set(map(hash, zip(*(words[i:] for i in range(k)))))


def shingle_array(text: str, k: int = K):
    """``shingles`` as a sorted numpy array (a tenth of the memory of a set of ints). Like ``shingles``,
    only comparable within one process and its forks (string hashes are salted per process)."""
    import numpy as np

    words = _WORDS.findall(text.lower())
    if len(words) < k:
        return np.array([hash(" ".join(words))] if words else [], dtype=np.int64)
    grams = zip(*(words[i:] for i in range(k)))
    return np.unique(np.fromiter(map(hash, grams), dtype=np.int64, count=len(words) - k + 1))


def similarity(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b))


def _similar(a: set[int], b: set[int]) -> bool:
    jac, cont = similarity(a, b)
    return jac >= JACCARD or cont >= CONTAINMENT


def _similar_arrays(a, b) -> bool:
    """``_similar`` for two sorted arrays of distinct values."""
    import numpy as np

    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter) >= JACCARD or inter / min(a.size, b.size) >= CONTAINMENT


def min_overlap(a: int) -> int:
    """The fewest shared shingles a pair whose smaller set has ``a`` shingles can have and still be
    near-duplicates: ceil(0.8 * a), in integers. (Jaccard >= 0.8 needs 0.8 * |union| >= 0.8 * a;
    containment >= 0.9 needs 0.9 * a.)"""
    return (4 * a + 4) // 5


def similar_pairs(sets: list) -> list[tuple[int, int]]:
    """All pairs ``(i, j)``, ``i < j``, of shingle sets (Python sets or ``shingle_array`` arrays)
    with at least MIN_SHINGLES shingles that pass the near-duplicate test, sorted. Exact: the same
    answer as testing every pair."""
    eligible = [i for i, s in enumerate(sets) if len(s) >= MIN_SHINGLES]
    if len(eligible) < 2:
        return []
    if len(eligible) <= SMALL:
        return _all_pairs([s if isinstance(s, set) else set(s.tolist()) for s in sets], eligible)
    import numpy as np

    arrays = [np.array(sorted(s), dtype=np.int64) if isinstance(s, set) else s for s in sets]
    return _filtered_pairs(arrays, eligible)


def _all_pairs(sets: list[set[int]], eligible: list[int]) -> list[tuple[int, int]]:
    return [(i, j) for k, i in enumerate(eligible) for j in eligible[k + 1:] if _similar(sets[i], sets[j])]


def _filtered_pairs(
    sets: list, eligible: list[int], *, chunk: int = 1_000_000, max_bins: int = 2_000_000
) -> list[tuple[int, int]]:
    """The prefix filter over numpy arrays.

    Documents are numbered by (size, index), so a pair is always probed from its lower number (the
    smaller set). One sort of all (shingle, document) entries gives each shingle's document frequency
    and its posting list: a run of the sorted array, ascending by document. A probe of document A
    with shingle x then reaches the documents after A in x's run, without a comparison. Hits per
    (A, B) are counted with ``bincount`` over a block of documents (no sort), or ``unique`` when the
    block would need too many bins.

    To sort plain integers rather than index arrays, the document number is packed into the low bits
    of each shingle hash (the hash loses those bits). Two shingles that then look alike only let more
    pairs through the filter: every candidate is tested on the full sets, so the answer stays exact.
    """
    import numpy as np

    docs = sorted(eligible, key=lambda i: (len(sets[i]), i))  # document number -> index in sets
    m = len(docs)
    sizes = np.fromiter((len(sets[i]) for i in docs), dtype=np.int64, count=m)
    total = int(sizes.sum())
    vals = np.concatenate([sets[i] for i in docs]).astype(np.int64, copy=False)
    dbits = max(1, (m - 1).bit_length())
    dmask = (1 << dbits) - 1
    vals &= ~dmask
    vals |= np.repeat(np.arange(m, dtype=np.int64), sizes)
    vals.sort()
    sd = (vals & dmask).astype(np.int32)  # the document of each sorted entry
    vals >>= dbits
    new = np.empty(total, dtype=bool)
    new[0] = True
    np.not_equal(vals[1:], vals[:-1], out=new[1:])
    del vals
    gstart = np.flatnonzero(new)  # where each shingle's run starts
    del new
    counts = np.diff(np.append(gstart, total))  # document frequency of each shingle
    df = np.repeat(counts.astype(np.int32), counts)  # ... of each entry
    # per document, its shared shingles (df >= 2) rarest first: sort (doc, df, entry), packed likewise
    shared = np.flatnonzero(df > 1)
    kbits = max(1, (total - 1).bit_length())
    fbits = max(1, int(counts.max()).bit_length())
    if dbits + fbits + kbits <= 62:
        packed = (sd[shared].astype(np.int64) << (fbits + kbits)) | (df[shared].astype(np.int64) << kbits) | shared
        del shared, df
        packed.sort()
        e_doc = packed >> (fbits + kbits)
        e_k = packed & ((1 << kbits) - 1)
        del packed
    else:  # beyond any realistic folder: the same order from an index sort
        order = np.lexsort((shared, df[shared], sd[shared]))
        e_doc, e_k = sd[shared][order], shared[order]
        del shared, df, order
    h = np.bincount(e_doc, minlength=m)  # shared shingles per document
    t = (4 * sizes + 4) // 5  # min_overlap
    n_probe = np.minimum(h, h - t + EXTRA)
    need = np.maximum(n_probe - (h - t), 1)
    rank = np.arange(len(e_doc)) - np.searchsorted(e_doc, np.arange(m))[e_doc]
    sel = (rank < n_probe[e_doc]) & (h[e_doc] >= t[e_doc])
    del rank
    pa, pk = e_doc[sel], e_k[sel]  # probes: (document, its entry in the sorted array), by document
    del e_doc, e_k, sel
    run = np.searchsorted(gstart, pk, side="right") - 1
    plen = gstart[run] + counts[run] - pk - 1  # the documents after it in the shingle's run
    del run
    # blocks of documents: bounded work (memory) and, for bincount, bounded bins
    use_bins = m <= max_bins
    per_block = max(1, max_bins // m) if use_bins else m
    bounds = np.searchsorted(pa, np.arange(m + 1))  # probes of document d: bounds[d]:bounds[d + 1]
    work = np.concatenate(([0], np.cumsum(plen)))
    out: list[tuple[int, int]] = []
    d0 = 0
    while d0 < m:
        d1 = d0 + 1
        while d1 < m and d1 - d0 < per_block and work[bounds[d1 + 1]] - work[bounds[d0]] <= chunk:
            d1 += 1
        lo, hi = int(bounds[d0]), int(bounds[d1])
        ln = plen[lo:hi]
        n_work = int(ln.sum())
        if n_work:
            rep_a = np.repeat(pa[lo:hi], ln)
            off = np.arange(n_work) - np.repeat(np.cumsum(ln) - ln, ln)
            b = sd[np.repeat(pk[lo:hi] + 1, ln) + off]
            if use_bins:
                hits = np.bincount((rep_a - d0) * m + b, minlength=(d1 - d0) * m).reshape(d1 - d0, m)
                ok = hits >= need[d0:d1, None]
                found = np.flatnonzero(ok)
                ca, cb = found // m + d0, found % m
            else:
                uniq, cnt = np.unique(rep_a * m + b, return_counts=True)
                uniq = uniq[cnt >= need[uniq // m]]
                ca, cb = uniq // m, uniq % m
            for x, y in zip(ca.tolist(), cb.tolist()):
                if x == y:
                    continue  # a document meets itself only through a packed-hash collision
                i, j = docs[x], docs[y]
                if _similar_arrays(sets[i], sets[j]):
                    out.append((i, j) if i < j else (j, i))
        d0 = d1
    out.sort()
    return out


def mark_duplicates(sources: list[Source], known: dict | None = None) -> None:
    """Set ``group`` and ``duplicate_of`` of each source. ``known``: kept text -> ``shingle_array(text)``
    made earlier in this process or a fork of it (the rest are made here)."""
    from ..util import DisjointSets

    sets_of = DisjointSets(len(sources))
    find, union = sets_of.find, sets_of.union
    by_hash: dict[str, int] = {}
    reps: list[int] = []  # one source per distinct content
    for i, s in enumerate(sources):
        if s.sha256 in by_hash:
            union(by_hash[s.sha256], i)
        else:
            by_hash[s.sha256] = i
            reps.append(i)
    if len(reps) <= SMALL:
        sets = [shingles(sources[i].text) for i in reps]
    else:
        known = known or {}
        sets = [known.get(sources[i].text) for i in reps]
        sets = [shingle_array(sources[i].text) if a is None else a for i, a in zip(reps, sets)]
    for a, b in similar_pairs(sets):
        union(reps[a], reps[b])
    for i, s in enumerate(sources):
        root = find(i)
        s.group = sources[root].id
        s.duplicate_of = sources[root].id if root != i else None
