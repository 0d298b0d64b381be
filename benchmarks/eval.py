"""Score extraction against the gold annotations and print the table.

    .venv/bin/python benchmarks/eval.py                 # seeds and devset
    .venv/bin/python benchmarks/eval.py --gold devset -v  # list misses and false positives
    .venv/bin/python benchmarks/eval.py --min-f1 advisory=0.9 --min-recall numbers=0.85

A thin wrapper around ``briefing.evaluate.main`` (the same as ``briefing eval``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from briefing.evaluate import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
