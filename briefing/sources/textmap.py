"""Texts built from pieces of another text, with a map back to it.

A ``Mapped`` is a string plus *parts* ``(t_start, o_start, t_len, o_len)`` saying where each stretch
of it came from in a base string. Equal lengths map position by position; unequal lengths are a
replaced chunk. Text outside any part was inserted. ``Builder`` makes one, ``compose`` chains two
(cleaned text -> normalised text -> original file) into the ``OffsetMap`` a ``Source`` carries.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..model import OffsetMap

Part = tuple[int, int, int, int]


@dataclass
class Mapped:
    text: str
    parts: list[Part] = field(default_factory=list)

    @classmethod
    def identity(cls, text: str) -> "Mapped":
        return cls(text, [(0, 0, len(text), len(text))] if text else [])

    def offset_map(self) -> OffsetMap:
        return OffsetMap([(t, o, tl) if tl == ol else (t, o, tl, ol) for t, o, tl, ol in self.parts])

    # position mapping (same rules as OffsetMap)
    def _starts(self) -> list[int]:
        c = self.__dict__.get("_sc")
        if c is None or len(c) != len(self.parts):
            c = [p[0] for p in self.parts]
            self.__dict__["_sc"] = c
        return c

    def base_start(self, i: int) -> int:
        if not self.parts:
            return 0
        k = bisect.bisect_right(self._starts(), i) - 1
        if k < 0:
            return self.parts[0][1]
        t, o, tl, ol = self.parts[k]
        if i < t + tl:
            return o + (i - t) if tl == ol else o
        if k + 1 < len(self.parts):
            return self.parts[k + 1][1]
        return o + ol

    def base_end(self, i: int) -> int:
        if not self.parts:
            return 0
        k = bisect.bisect_left(self._starts(), i) - 1
        if k < 0:
            return self.parts[0][1]
        t, o, tl, ol = self.parts[k]
        if i <= t + tl:
            return o + (i - t) if tl == ol else o + ol
        return o + ol

    def base_span(self, start: int, end: int) -> tuple[int, int]:
        s = self.base_start(start)
        if end <= start:
            return s, s
        return s, max(s, self.base_end(end))


class Builder:
    """Accumulates text taken from a base string (copied, replaced) or inserted."""

    def __init__(self, base: str):
        self.base = base
        self.chunks: list[str] = []
        self.parts: list[Part] = []
        self.pos = 0

    def copy(self, b_start: int, b_end: int) -> None:
        n = b_end - b_start
        if n <= 0:
            return
        self.chunks.append(self.base[b_start:b_end])
        last = self.parts[-1] if self.parts else None
        if last and last[2] == last[3] and last[0] + last[2] == self.pos and last[1] + last[3] == b_start:
            self.parts[-1] = (last[0], last[1], last[2] + n, last[3] + n)
        else:
            self.parts.append((self.pos, b_start, n, n))
        self.pos += n

    def replace(self, b_start: int, b_end: int, new: str) -> None:
        """``new`` stands for base[b_start:b_end] (same length: mapped position by position)."""
        if not new:
            return
        if new == self.base[b_start:b_end]:
            self.copy(b_start, b_end)
            return
        self.chunks.append(new)
        self.parts.append((self.pos, b_start, len(new), b_end - b_start))
        self.pos += len(new)

    def insert(self, new: str) -> None:
        self.chunks.append(new)
        self.pos += len(new)

    def append(self, m: "Mapped") -> None:
        """Append another Mapped over the same base."""
        for t, o, tl, ol in m.parts:
            self.parts.append((self.pos + t, o, tl, ol))
        self.chunks.append(m.text)
        self.pos += len(m.text)

    def build(self) -> Mapped:
        return Mapped("".join(self.chunks), list(self.parts))


def compose(outer: Mapped, inner: Mapped) -> Mapped:
    """outer maps T -> N, inner maps N -> O: return T -> O."""
    out: list[Part] = []
    istarts = inner._starts()
    for t, n, tl, nl in outer.parts:
        if tl != nl:
            o1, o2 = inner.base_span(n, n + nl)
            out.append((t, o1, tl, o2 - o1))
            continue
        # positional: walk the inner parts overlapping [n, n + nl)
        a, b = n, n + nl
        k = max(0, bisect.bisect_right(istarts, a) - 1)
        cur = a
        while cur < b and k < len(inner.parts):
            it, io, itl, iol = inner.parts[k]
            if it + itl <= cur:
                k += 1
                continue
            if it > cur:  # text inserted in N: no origin
                cur = min(it, b)
                continue
            e = min(b, it + itl)
            if itl == iol:
                out.append((t + (cur - a), io + (cur - it), e - cur, e - cur))
            else:
                out.append((t + (cur - a), io, e - cur, iol))
            cur = e
            k += 1
    # merge adjacent positional parts
    merged: list[Part] = []
    for p in out:
        if merged:
            q = merged[-1]
            if q[2] == q[3] and p[2] == p[3] and q[0] + q[2] == p[0] and q[1] + q[3] == p[1]:
                merged[-1] = (q[0], q[1], q[2] + p[2], q[3] + p[3])
                continue
        merged.append(p)
    return Mapped(outer.text, merged)
