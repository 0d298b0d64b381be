"""Duplicate detection: byte-identical files and near-duplicates (the same wire story in two outlets).

Near-duplicates: word 5-gram shingles of the kept text; two sources are the same story when the
Jaccard similarity of their shingle sets is >= 0.8, or when >= 90 % of the shorter one's shingles
occur in the longer one (a trimmed wire copy). ``duplicate_of`` is the id of the first source of the
group (in load order), ``group`` is shared by the whole group (a source alone is its own group).
"""

from __future__ import annotations

import re

from ..model import Source

JACCARD = 0.8
CONTAINMENT = 0.9
MIN_SHINGLES = 20
K = 5


def shingles(text: str, k: int = K) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < k:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i:i + k])) for i in range(len(words) - k + 1)}


def similarity(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / len(a | b), inter / min(len(a), len(b))


def mark_duplicates(sources: list[Source]) -> None:
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_hash: dict[str, int] = {}
    for i, s in enumerate(sources):
        if s.sha256 in by_hash:
            union(by_hash[s.sha256], i)
        else:
            by_hash[s.sha256] = i
    sh = [shingles(s.text) for s in sources]
    for i in range(len(sources)):
        for j in range(i + 1, len(sources)):
            if find(i) == find(j):
                continue
            if min(len(sh[i]), len(sh[j])) < MIN_SHINGLES:
                continue
            jac, cont = similarity(sh[i], sh[j])
            if jac >= JACCARD or cont >= CONTAINMENT:
                union(i, j)
    for i, s in enumerate(sources):
        root = find(i)
        s.group = sources[root].id
        s.duplicate_of = sources[root].id if root != i else None
