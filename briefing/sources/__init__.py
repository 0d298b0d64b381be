"""Sources: load a folder of articles into Source objects (decode, clean, metadata, duplicates).

Public API:
    load_sources(folder) -> LoadResult
    source_id(rel_path) -> str

``load_sources`` is a per-file map and one folder-level step, usable separately (e.g. a process pool
and a cache keyed by relative path + file bytes for the map):

    files = scan(folder)                                   # [(rel, path)], sorted
    read = [read_one(path, folder) for rel, path in files] # (Source | None, [warning lines]) each
    loaded = finish(folder, [(rel, *r) for (rel, _), r in zip(files, read)])

``read_one`` is pure (file bytes + relative path -> picklable result); ``finish`` applies the sidecar,
makes ids unique, completes dateline years and marks duplicates, without mutating its inputs.

Formats: .txt, .md/.markdown (optional YAML front matter), .html/.htm, .pdf (text layer), .docx.
Anything else is skipped with a warning. A bad file never stops the load: it is skipped with one
warning line naming it. See ``readers`` for what ``Source.original`` holds per format, ``clean`` for
boilerplate removal and ``meta`` for metadata inferred from the text.

Optional sidecar: ``sources.yaml`` in the folder maps a file name (relative path) to metadata
(title, outlet, author, url, published, reliability, language). It fills fields the file itself
does not declare (front matter or HTML metadata win) and is not itself a source.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Dropped, Source

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
SUPPORTED = set(FORMATS)
SIDECAR = "sources.yaml"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_IGNORED_NAMES = {SIDECAR, "sources.yml", "thumbs.db", "desktop.ini"}
_META_FIELDS = ("title", "outlet", "author", "url", "published", "reliability", "language")


@dataclass
class LoadResult:
    sources: list[Source] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one line each, naming the file and the problem
    skipped: list[str] = field(default_factory=list)  # paths not loaded


def source_id(rel_path: str) -> str:
    """Stable id from the path relative to the sources folder (independent of other files).

    ``000_abc.txt`` -> ``000_abc``; other formats keep their extension so that the same article saved
    as ``report.txt`` and ``report.pdf`` gets two ids: ``report`` and ``report-pdf``.
    """
    rel = rel_path.replace("\\", "/")
    stem, dot, ext = rel.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = rel, ""
    sid = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")
    ext = ext.lower()
    if ext and ext not in ("txt",):
        sid = f"{sid}-{re.sub(r'[^a-z0-9]+', '', ext)}" if sid else re.sub(r"[^a-z0-9]+", "", ext)
    return sid or "source"


def load_sources(folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    """Read every source file in ``folder``: ``finish(folder, [(rel, *read_one(path, folder)) ...])``."""
    folder = Path(folder)
    return finish(folder, [(rel, *read_one(path, folder, max_bytes=max_bytes)) for rel, path in scan(folder)])


def scan(folder: Path) -> list[tuple[str, Path]]:
    """The files a load looks at: ``(path relative to folder, path)``, sorted by relative path.

    Hidden files and folders, folders starting with ``_``, Office lock files and the sidecar are left
    out; files of unsupported formats are included (``read_one`` skips them with a warning)."""
    folder = Path(folder)
    files: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in names:
            if name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES:
                continue
            p = Path(root) / name
            files.append((p.relative_to(folder).as_posix(), p))
    files.sort()
    return files


def read_one(path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Source | None, list[str]]:
    """Read, decode and clean one file: ``(Source or None when skipped, warning lines)``.

    The result depends only on the file's bytes, its path relative to ``root`` and ``max_bytes``
    (nothing else in the folder, no global state), so it can run in a worker process and be cached
    under (relative path, sha256 of the bytes). The Source pickles. Each warning line names the file
    (``"<rel>: ..."``); a skipped file has exactly one, ``"<rel>: skipped: <reason>"``. Folder-level
    steps (sidecar metadata, unique ids, years of wire datelines, duplicates) happen in ``finish``.
    """
    path, root = Path(path), Path(root)
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    name = path.name
    if name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES:
        return None, []
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        return None, [_skip_line(rel, f"unsupported format '{path.suffix or 'no extension'}' (supported: txt, md, html, pdf, docx)")]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_skip_line(rel, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")]
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return None, [_skip_line(rel, "symbolic link pointing outside the sources folder")]
        raw = path.read_bytes()
    except OSError as e:
        return None, [_skip_line(rel, f"cannot be read ({e.strerror or e})")]
    if len(raw) > max_bytes:  # grew since stat
        return None, [_skip_line(rel, f"file is {len(raw) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")]
    if not raw.strip():
        return None, [_skip_line(rel, "empty file (0 bytes)" if not raw else "empty file (only whitespace)")]
    try:
        src = build_source(rel, raw, fmt, path=path)
    except _Skip as e:
        return None, [_skip_line(rel, str(e))]
    except RecursionError:
        return None, [_skip_line(rel, "could not be loaded (structure nested too deeply)")]
    except MemoryError:
        return None, [_skip_line(rel, "could not be loaded (out of memory)")]
    except Exception as e:  # a bug or an exotic file must not stop the others
        return None, [_skip_line(rel, f"could not be loaded ({type(e).__name__}: {str(e)[:80]})")]
    return src, [f"{rel}: {w}" for w in src.warnings]


def finish(folder: Path | None, items: Iterable[tuple[str, Source | None, list[str]]], *,
           shingles: dict | None = None) -> LoadResult:
    """The folder-level steps after ``read_one``: ``items`` are ``(rel, source, warnings)`` in
    ``scan`` order. Applies the sidecar (``sources.yaml`` in ``folder``; None: no sidecar), makes
    ids unique, dates wire datelines that lack a year, marks duplicates. The sources are copied,
    the inputs are left as they were (so cached results can be reused). ``shingles``: kept text ->
    ``dedupe.shingle_array(text)`` already made in this process or a fork of it (others are made here)."""
    res = LoadResult()
    sidecar = _read_sidecar(Path(folder), res) if folder is not None else {}
    used_ids: set[str] = set()
    for rel, src, warnings in items:
        if src is None:
            res.warnings.extend(warnings)
            if warnings:
                res.skipped.append(rel)
            continue
        src = _copy_source(src)
        meta = sidecar.get(rel) or sidecar.get(rel.rsplit("/", 1)[-1])
        if meta:
            _apply_sidecar(src, meta)
        sid = src.id
        if sid in used_ids:  # e.g. "a b.txt" and "a-b.txt"; keep ids unique, deterministically
            sid = f"{sid}-{hashlib.sha1(rel.encode()).hexdigest()[:6]}"
            src.id = sid
        used_ids.add(sid)
        res.warnings.extend(f"{rel}: {w}" for w in src.warnings)
        res.sources.append(src)
    _complete_years(res)
    from .dedupe import mark_duplicates

    mark_duplicates(res.sources, known=shingles)
    by_id = {s.id: s for s in res.sources}
    for s in res.sources:
        if s.duplicate_of:
            kind = "identical to" if by_id[s.duplicate_of].sha256 == s.sha256 else "near-duplicate of"
            s.warnings.append(f"{kind} {s.duplicate_of} (counted as one line of reporting)")
            res.warnings.append(f"{s.path}: {s.warnings[-1]}")
    return res


class _Skip(Exception):
    pass


def _skip_line(rel: str, msg: str) -> str:
    return f"{rel}: skipped: {msg}"


def _copy_source(src: Source) -> Source:
    s = copy.copy(src)
    s.warnings = list(src.warnings)
    s.inferred = list(src.inferred)
    return s


def _apply_sidecar(src: Source, meta: dict[str, Any]) -> None:
    """Sidecar metadata fills what the file does not declare itself (and beats what was inferred)."""
    for key in _META_FIELDS:
        val = meta.get(key)
        if not val or (getattr(src, key) is not None and key not in src.inferred):
            continue
        setattr(src, key, val)
        if key in src.inferred:
            src.inferred.remove(key)
        if key == "published":
            src.warnings = [w for w in src.warnings if w != "no publication date"]
            src.__dict__.pop("_month_day", None)


def _read_sidecar(folder: Path, res: LoadResult) -> dict[str, dict[str, Any]]:
    for name in (SIDECAR, "sources.yml"):
        p = folder / name
        if not p.is_file():
            continue
        import yaml

        from .readers import clean_meta, yaml_load

        try:
            data = yaml_load(p.read_text(encoding="utf-8", errors="replace"))
        except yaml.YAMLError:
            res.warnings.append(f"{name}: malformed YAML; sidecar metadata ignored")
            return {}
        if not isinstance(data, dict):
            res.warnings.append(f"{name}: expected a mapping of file name -> metadata; ignored")
            return {}
        return {str(k): clean_meta(v) for k, v in data.items() if isinstance(v, dict)}
    return {}


def build_source(rel: str, raw: bytes, fmt: str, *, path: Path | None = None, sidecar: dict | None = None) -> Source:
    """One file's bytes -> Source (raises _Skip with a one-line reason)."""
    from .readers import ReadError, read_document

    try:
        doc = read_document(path or Path(rel), raw, fmt)
    except ReadError as e:
        raise _Skip(str(e)) from None
    return source_from_doc(rel, raw, doc, sidecar=sidecar)


def source_from_doc(rel: str, raw: bytes, doc, *, sidecar: dict | None = None) -> Source:
    """A read document (``readers.RawDoc``) -> Source: normalise, clean, map offsets, metadata."""
    from .clean import clean
    from .decode import normalise
    from .textmap import compose

    original = doc.original
    if original.startswith("\ufeff"):
        original = original[1:]
        doc.body_start = max(0, doc.body_start - 1)
    norm = normalise(original)
    n_body = _n_pos(norm, doc.body_start)
    cleaned = clean(norm.text, n_body, wrapped=doc.wrapped, markdown=doc.markdown, given=doc.meta)
    if not cleaned.kept.text.strip():
        if not norm.text[n_body:].strip():
            raise _Skip("no text (empty or whitespace only)")
        raise _Skip("nothing left after removing page furniture (no article text found)")
    kept = compose(cleaned.kept, norm)
    dropped = []
    for ns, ne, rule, reason in cleaned.dropped:
        os_, oe = norm.base_span(ns, ne)
        dropped.append(Dropped(os_, oe, rule, reason, original[os_:oe]))
    src = Source(
        id=source_id(rel),
        path=rel,
        sha256=hashlib.sha256(raw).hexdigest(),
        format=doc.format,
        original=original,
        text=kept.text,
        offsets=kept.offset_map(),
        paragraphs=cleaned.paragraphs,
        dropped=dropped,
        warnings=list(doc.warnings),
    )
    _apply_meta(src, doc.meta, sidecar or {}, cleaned.meta)
    if not src.published and cleaned.meta.get("_month_day"):
        src.__dict__["_month_day"] = cleaned.meta["_month_day"]
    return src


def _complete_years(res: LoadResult) -> None:
    """A wire dateline without a year ("BAMAKO, Nov 6 (Agency) -") takes its year from the newest
    dated source in the folder (the latest year that does not put it after that date)."""
    from .meta import complete_year

    newest = max((s.published for s in res.sources if s.published and len(s.published) == 10), default=None)
    drop: set[str] = set()
    for s in res.sources:
        md = s.__dict__.pop("_month_day", None)  # set by source_from_doc, not a dataclass field
        if not md or s.published:
            continue
        iso = complete_year(md, newest) if newest else None
        if iso:
            s.published = iso
            s.inferred.append("published")
            s.warnings = [w for w in s.warnings if w != "no publication date"]
            s.warnings.append(f"publication year inferred from the other sources' dates (dateline gives {md})")
            drop.add(f"{s.path}: no publication date")
            res.warnings.append(f"{s.path}: {s.warnings[-1]}")
    if drop:
        res.warnings = [w for w in res.warnings if w not in drop]


def _n_pos(norm, orig_pos: int) -> int:
    """First normalised offset whose original offset is >= orig_pos."""
    if orig_pos <= 0:
        return 0
    for t, o, tl, ol in norm.parts:
        if o + ol > orig_pos:
            return t + max(0, orig_pos - o) if tl == ol else t
    return len(norm.text)


def _apply_meta(src: Source, given: dict, sidecar: dict, inferred: dict) -> None:
    from .meta import parse_date

    for key in ("title", "outlet", "author", "url", "published", "reliability", "language"):
        val = given.get(key) or sidecar.get(key)
        if val:
            setattr(src, key, val)
        elif inferred.get(key):
            setattr(src, key, inferred[key])
            src.inferred.append(key)
    if src.title is None:
        t = _fallback_title(src.text)
        if t:
            src.title = t
            src.inferred.append("title")
    if src.published and not parse_date(src.published):
        src.warnings.append(f"unreadable publication date {src.published!r}; ignored")
        src.published = None
    if not src.published:
        src.warnings.append("no publication date")


def _fallback_title(text: str, limit: int = 90) -> str | None:
    first = text.strip().split("\n", 1)[0]
    m = re.match(r"(.+?[.!?])(?:\s|$)", first)
    s = (m.group(1) if m else first).strip()
    if not s:
        return None
    if len(s) <= limit:
        return s.rstrip(".")
    cut = s[:limit].rsplit(" ", 1)[0].rstrip(",;:—– ")
    return cut + "…"
