"""A cache of compiled regular expressions kept between builds.

The extractor's patterns (long alternations of countries, people nouns, advisory verbs) take about
0.15 s to compile, in every build, even one that reads a single new source. Python's ``re`` turns a
pattern into a list of integers (its "code") and hands that to ``_sre.compile``; this module keeps
those lists in ``out/.cache/patterns.bin`` and, while a build runs, hands a pattern seen before
straight to ``_sre.compile``.

* Only patterns that take a while to compile (``_SLOW``) are kept: the long alternations, not the
  many short patterns made from names in the sources.
* The store is rewritten only when a build compiled a pattern worth keeping. Each rewrite is a
  generation; an entry no build has used for ``_KEEP`` generations is dropped, so patterns that
  change from run to run (a library that builds one from a set) do not pile up.
* It is safe to lose or damage the file. The store is tied to this exact Python (version and regular
  expression engine magic number) and carries a checksum, and ``_sre.compile`` validates the code it
  is given; an entry that does not load is compiled the normal way. ``cached()`` checks first that
  the shortcut gives the same pattern as ``re`` on this Python, and does nothing if not. Outside
  ``cached()``, ``re`` is untouched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import sys
import time
from array import array
from pathlib import Path

_FORMAT = 2
_SLOW = 0.0002  # seconds: patterns quicker to compile than this are not worth a place in the store
_KEEP = 4  # generations an unused entry survives
_MAX_ENTRIES = 2000


def _header() -> tuple:
    import _sre

    return (_FORMAT, sys.version, getattr(_sre, "MAGIC", None), getattr(_sre, "CODESIZE", None))


def _compile_parts(pattern, flags: int) -> tuple:
    """What ``re._compiler.compile`` hands ``_sre.compile`` for a str/bytes pattern, in plain types."""
    from re import _compiler, _parser

    p = _parser.parse(pattern, flags)
    code = [int(c) for c in _compiler._code(p, flags)]
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (int(flags | p.state.flags), code, p.state.groups - 1, groupindex, tuple(indexgroup))


def _pack(parts: tuple, gen: int) -> tuple:
    flags, code, groups, groupindex, indexgroup = parts
    return (flags, array("I", code).tobytes(), groups, groupindex, indexgroup, gen)


def _unpack(entry: tuple) -> tuple:
    flags, packed, groups, groupindex, indexgroup, _gen = entry
    code = array("I")
    code.frombytes(packed)
    return (flags, code.tolist(), groups, groupindex, indexgroup)


def _load(path: Path) -> tuple[int, dict]:
    """(generation, {(pattern, flags): packed entry}); (0, {}) when there is no usable store."""
    try:
        blob = path.read_bytes()
    except OSError:
        return 0, {}
    digest, body = blob[:20], blob[20:]
    if len(digest) < 20 or hashlib.sha1(body).digest() != digest:
        return 0, {}
    try:
        header, gen, entries = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return 0, {}
    if header != _header() or not isinstance(entries, dict) or not isinstance(gen, int):
        return 0, {}
    return gen, entries


def _save(path: Path, gen: int, entries: dict) -> None:
    from .util import atomic_write_bytes

    body = marshal.dumps((_header(), gen, entries))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, hashlib.sha1(body).digest() + body, durable=False)
    except OSError:
        pass  # a cache: the next build compiles again


@functools.lru_cache(maxsize=1)
def _works() -> bool:
    """The shortcut gives what ``re`` gives, on a pattern with groups, names, flags and classes
    (checked once per process: the answer depends only on this Python)."""
    import re
    from re import _compiler

    def compile_from(pattern, parts):
        return _sre.compile(pattern, *parts)

    pattern, flags = r"(?P<w>\b[^\W\d]+)\s*(\d{1,3}(?:,\d{3})*)|(?i:x)[-–]?", re.IGNORECASE
    try:
        import _sre

        if array("I").itemsize != 4:
            return False
        want = _compiler.compile(pattern, flags)
        entry = marshal.loads(marshal.dumps(_pack(_compile_parts(pattern, flags), 0)))
        got = compile_from(pattern, _unpack(entry))
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
    the store at ``path`` (rewritten when the block ends, if a slow pattern was compiled)."""
    try:
        import _sre
        from re import _compiler
    except ImportError:  # pragma: no cover - not CPython
        yield
        return

    def from_parts(pattern, parts):
        return _sre.compile(pattern, *parts)

    if path is None or not hasattr(_compiler, "compile") or not _works():
        yield
        return

    original = _compiler.compile
    gen, stored = _load(path)
    gen += 1  # the generation this block would write
    used: dict = {}
    new = [0]

    def compile(p, flags=0):
        if isinstance(p, (str, bytes)):
            key = (p, int(flags))
            entry = stored.get(key)
            if entry is not None:
                try:
                    compiled = from_parts(p, _unpack(entry))
                except Exception:  # noqa: BLE001 - a damaged entry: compile it again
                    pass
                else:
                    used[key] = entry
                    return compiled
            try:
                t = time.perf_counter()
                parts = _compile_parts(p, int(flags))
                compiled = from_parts(p, parts)
            except Exception:  # noqa: BLE001 - let re raise its own error (or handle what we do not)
                return original(p, flags)
            if time.perf_counter() - t >= _SLOW:
                used[key] = _pack(parts, gen)
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
            # entries used now get this generation; the rest stay until _KEEP generations old (a
            # long-lived process takes patterns it compiled before from re's own cache, unseen here)
            keep = {k: v for k, v in stored.items() if v[-1] > gen - _KEEP}
            keep.update((k, v[:-1] + (gen,)) for k, v in used.items())
            if len(keep) > _MAX_ENTRIES:
                keep = {k: v for k, v in keep.items() if v[-1] == gen}
            _save(path, gen, keep)
