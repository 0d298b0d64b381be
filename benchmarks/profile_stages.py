"""Where a large build's time goes, stage by stage, in one process (for performance work; not a test).

    python benchmarks/profile_stages.py PROJECT [--profile STAGE]

PROJECT is a folder with a ``seeds/`` folder (e.g. made by ``benchmarks/generate.py PROJECT/seeds --n
5000``). Reads the sources cold (a fresh cache), extracts them cold (forked workers as in a build),
merges the facts and turns the sheet into its dict, printing for each stage the wall time, this
process's CPU time, the workers' CPU time and the time the cyclic garbage collector took here.
``--profile sources|extract|facts`` runs that stage under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import shutil
import tempfile
import time
from pathlib import Path

_GC = [0.0, 0.0]  # total seconds in collections, start of the current one


def _gc_timer(phase: str, info: dict) -> None:
    if phase == "start":
        _GC[1] = time.perf_counter()
    else:
        _GC[0] += time.perf_counter() - _GC[1]


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def stage(name: str, fn, profile: str | None):
    t, (c, k), g = time.perf_counter(), _cpu(), _GC[0]
    if profile == name:
        prof = cProfile.Profile()
        out = prof.runcall(fn)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    else:
        out = fn()
    c2, k2 = _cpu()
    print(f"{name:<10} wall {time.perf_counter() - t:7.2f} s   here {c2 - c:6.2f} s   workers {k2 - k:6.2f} s   "
          f"gc here {_GC[0] - g:5.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--profile", choices=("sources", "extract", "facts"))
    a = ap.parse_args()
    from briefing.extract import fingerprint
    from briefing.facts import build_factsheet, sheet_to_dict
    from briefing.pipeline import extract_all, load_all

    gc.callbacks.append(_gc_timer)
    with tempfile.TemporaryDirectory() as td:
        cache = Path(td)
        loaded = stage("sources", lambda: load_all(a.project / "seeds", cache / "sources"), a.profile)
        facts = stage("extract", lambda: extract_all(loaded.sources, cache / "extract"), a.profile)
        sheet = stage("facts", lambda: build_factsheet(loaded.sources, facts, extractor_version=fingerprint()),
                      a.profile)
        stage("sheet", lambda: sheet_to_dict(sheet), None)
        shutil.rmtree(cache, ignore_errors=True)
    print(f"{len(loaded.sources)} sources, {sum(map(len, facts.values()))} facts extracted, "
          f"{len(sheet.facts)} in the sheet")


if __name__ == "__main__":
    main()
