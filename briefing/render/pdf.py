"""PDF writer (reportlab platypus)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from ..config import Styles
from ..model import Document, Heading, Paragraph, Text


def write(doc: Document, path: Path, styles: Styles) -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph as P, SimpleDocTemplate

    ss = getSampleStyleSheet()
    story = [P(escape(doc.meta.title), ss["Title"])]
    for b in doc.blocks:
        if isinstance(b, Heading):
            story.append(P(escape(b.text), ss[f"Heading{b.level}"]))
        elif isinstance(b, Paragraph):
            story.append(P(escape("".join(i.text for i in b.inlines if isinstance(i, Text))), ss["BodyText"]))
    from ..util import atomic_path

    with atomic_path(path) as tmp:
        SimpleDocTemplate(str(tmp), invariant=1).build(story)
