"""Sources: load a folder of articles into Source objects (decode, clean, metadata, duplicates).

Public API:
    load_sources(folder) -> LoadResult
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import OffsetMap, Source

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


@dataclass
class LoadResult:
    sources: list[Source] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one line each, naming the file and the problem
    skipped: list[str] = field(default_factory=list)  # paths not loaded


def source_id(rel_path: str) -> str:
    """Stable id from the path relative to the sources folder (independent of other files)."""
    stem = rel_path.rsplit(".", 1)[0]
    sid = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")
    return sid or "source"


def load_sources(folder: Path) -> LoadResult:
    folder = Path(folder)
    res = LoadResult()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name.startswith("."):
            continue
        if path.suffix.lower() != ".txt":
            res.warnings.append(f"{rel}: skipped (unsupported format)")
            res.skipped.append(rel)
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            res.warnings.append(f"{rel}: skipped (empty file)")
            res.skipped.append(rel)
            continue
        res.sources.append(
            Source(
                id=source_id(rel),
                path=rel,
                sha256=hashlib.sha256(raw).hexdigest(),
                format="txt",
                original=text,
                text=text,
                offsets=OffsetMap.identity(len(text)),
            )
        )
    return res
