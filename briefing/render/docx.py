"""Word writer (python-docx + the OOXML it lacks)."""

from __future__ import annotations

from pathlib import Path

from ..config import Styles
from ..model import Document, Heading, Paragraph, Text


def write(doc: Document, path: Path, styles: Styles) -> None:
    import docx

    d = docx.Document()
    d.add_heading(doc.meta.title, 0)
    for b in doc.blocks:
        if isinstance(b, Heading):
            d.add_heading(b.text, b.level)
        elif isinstance(b, Paragraph):
            d.add_paragraph("".join(i.text for i in b.inlines if isinstance(i, Text)))
    from ..util import atomic_path

    with atomic_path(path) as tmp:
        d.save(str(tmp))
