"""Compose: FactSheet + figures + Jinja2 template -> Document (blocks with stable ids).

Public API:
    compose(sheet, figures, config, styles) -> Document
"""

from __future__ import annotations

from ..config import Config, Styles
from ..model import Cite, DocMeta, Document, FactSheet, Figure, Heading, Paragraph, Text


def compose(sheet: FactSheet, figures: list[Figure], config: Config, styles: Styles) -> Document:
    meta = DocMeta(title=config.title or "Situation brief", as_of=sheet.as_of or "", marking=config.marking or "TLP:CLEAR")
    blocks = [Heading("h-sources", 1, "Sources")]
    for s in sheet.sources:
        blocks.append(Paragraph(f"src-{s.number}", [Text(f"[{s.number}] {s.title or s.path}")], style="source", anchor=f"src-{s.number}"))
    return Document(meta=meta, blocks=blocks)
