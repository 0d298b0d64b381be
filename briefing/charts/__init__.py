"""Charts: FactSheet -> figures (SVG for the PDF, PNG for Word), each with caption, alt text and a
source note. A chart with no data is omitted.

Public API:
    make_charts(sheet, theme, out_dir) -> list[Figure]
"""

from __future__ import annotations

from pathlib import Path

from ..config import Theme
from ..model import FactSheet, Figure


def make_charts(sheet: FactSheet, theme: Theme, out_dir: Path) -> list[Figure]:
    return []
