"""briefing: a folder of news articles about a crisis -> a cited situation brief (Word + PDF).

The Python API mirrors the CLI: ``briefing.build(project_dir)`` runs the whole pipeline.
Heavy modules are imported lazily so ``briefing --help`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"


def build(project_dir=".", **kwargs):
    from .pipeline import build as _build

    return _build(project_dir, **kwargs)


__all__ = ["build", "__version__"]
