"""Small shared helpers: atomic writes, XML-safe text."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

# Characters not allowed in XML 1.0 (and so in .docx and PDF text): C0 controls but tab/LF/CR,
# surrogates, U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _umask_mode() -> int:
    """0o666 minus the process umask: the mode a plain open() would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target.

    ``durable=False`` skips the fsync: for cache entries, which are rebuilt when unreadable, and of
    which a large build writes thousands (an fsync each cost seconds)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())  # mkstemp makes 0600 files; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), durable)


def atomic_path(path: Path):
    """Context manager yielding a temporary path next to ``path``; renamed over it on success."""
    import contextlib

    @contextlib.contextmanager
    def _cm():
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            os.chmod(tmp, _umask_mode())
            os.replace(tmp, p)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    return _cm()


class DisjointSets:
    """Union-find over the items ``0 .. n-1``: ``union(i, j)`` puts two items in one set, ``find(i)``
    names its set by the set's smallest item (so sets are named the same whatever the union order)."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


_TRACE = os.environ.get("BRIEFING_TRACE")


def trace(label: str) -> None:
    """With ``BRIEFING_TRACE=1`` in the environment, print a timestamped line to stderr (which process,
    what it just finished, and the CPU time that process has used so far): how the build's processes
    overlap, for performance work."""
    if _TRACE:
        import sys
        import time

        sys.stderr.write(f"trace {time.time() % 1000:8.3f} pid {os.getpid()} cpu {time.process_time():6.3f}: {label}\n")


def png_bytes(width: int, height: int, dpi: int, idat: bytes = b"", comment: str = "") -> bytes:
    """An 8-bit RGB PNG file around ``idat`` (already compressed rows), with its resolution recorded
    and an optional comment; without ``idat`` it is a header only (a stand-in, see render.docx)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ppm = round(dpi / 0.0254)  # pixels per metre
    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
             chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))]
    if comment:
        parts.append(chunk(b"tEXt", b"Comment\x00" + comment.encode("utf-8")))
    if idat:
        parts.append(chunk(b"IDAT", idat))
    parts.append(chunk(b"IEND", b""))
    return b"".join(parts)
