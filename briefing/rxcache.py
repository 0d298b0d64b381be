"""A cache of compiled regular expressions kept between builds.

The extractor's patterns (long alternations of countries, people nouns, advisory verbs) take about a
tenth of a second to compile, in every build, even one that reads a single new source. Python's ``re``
turns a pattern into a list of integers (its "code") and hands that to ``_sre.compile``; this module
keeps those lists in ``out/.cache/patterns.bin`` and, while a build runs, hands a pattern seen before
straight to ``_sre.compile``.

It is safe to lose or damage the file. The store is tied to this exact Python (version and regular
expression engine magic number), carries a checksum, and ``_sre.compile`` validates the code it is
given; any entry that does not load is compiled the normal way. ``cached()`` checks at entry that the
shortcut gives the same pattern as ``re`` on this Python, and does nothing if not (another Python
implementation, a changed ``re`` module). Outside ``cached()``, ``re`` is untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
from pathlib import Path

_FORMAT = 1
_MAX_ENTRIES = 4000  # patterns built from source text must not make the file grow without end


def _header() -> tuple:
    import _sre

    return (_FORMAT, sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))


def _compile_parts(pattern, flags: int):
    """What ``re._compiler.compile`` hands ``_sre.compile`` for a str/bytes pattern, in plain types."""
    from re import _compiler, _parser

    p = _parser.parse(pattern, flags)
    code = [int(c) for c in _compiler._code(p, flags)]
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (int(flags | p.state.flags), code, p.state.groups - 1, groupindex, tuple(indexgroup))


def _load(path: Path) -> dict:
    try:
        blob = path.read_bytes()
    except OSError:
        return {}
    digest, body = blob[:20], blob[20:]
    if len(digest) < 20 or hashlib.sha1(body).digest() != digest:
        return {}
    try:
        header, entries = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if header != _header() or not isinstance(entries, dict):
        return {}
    return entries


def _save(path: Path, entries: dict) -> None:
    from .util import atomic_write_bytes

    body = marshal.dumps((_header(), entries))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, hashlib.sha1(body).digest() + body, durable=False)
    except OSError:
        pass  # a cache: the next build compiles again


def _works(compile_from) -> bool:
    """The shortcut gives what ``re`` gives, on a pattern with groups, names, flags and classes."""
    import re
    from re import _compiler

    pattern, flags = r"(?P<w>\b[^\W\d]+)\s*(\d{1,3}(?:,\d{3})*)|(?i:x)[-–]?", re.IGNORECASE
    try:
        want = _compiler.compile(pattern, flags)
        parts = marshal.loads(marshal.dumps(_compile_parts(pattern, flags)))
        got = compile_from(pattern, parts)
    except Exception:  # noqa: BLE001 - any surprise: leave re alone
        return False
    text = "Élan 12,345 X– and more"
    return (
        got.pattern == want.pattern
        and got.flags == want.flags
        and got.groups == want.groups
        and got.groupindex == want.groupindex
        and [m.span() for m in got.finditer(text)] == [m.span() for m in want.finditer(text)]
    )


@contextlib.contextmanager
def cached(path: Path | None):
    """Within the block, regular expressions compiled in this process are taken from, and added to,
    the store at ``path`` (written when the block ends, if a new pattern was compiled)."""
    try:
        import _sre
        from re import _compiler
    except ImportError:  # pragma: no cover - not CPython
        yield
        return

    def from_parts(pattern, parts):
        return _sre.compile(pattern, *parts)

    if path is None or not hasattr(_compiler, "compile") or not _works(from_parts):
        yield
        return

    original = _compiler.compile
    stored = _load(path)
    used: dict = {}
    new = [0]

    def compile(p, flags=0):
        if isinstance(p, (str, bytes)):
            key = (p, int(flags))
            parts = stored.get(key)
            if parts is not None:
                try:
                    compiled = from_parts(p, parts)
                except Exception:  # noqa: BLE001 - a damaged entry: compile it again
                    pass
                else:
                    used[key] = parts
                    return compiled
            try:
                parts = _compile_parts(p, int(flags))
                compiled = from_parts(p, parts)
            except Exception:  # noqa: BLE001 - let re raise its own error (or handle what we do not)
                return original(p, flags)
            used[key] = parts
            new[0] += 1
            return compiled
        return original(p, flags)

    _compiler.compile = compile
    try:
        yield
    finally:
        if _compiler.compile is compile:
            _compiler.compile = original
        if new[0]:
            merged = {**stored, **used}  # a long-lived process compiled some patterns before the block
            _save(path, merged if len(merged) <= _MAX_ENTRIES else used)
