"""Benchmarks: print speed, memory and size figures for this machine.

    python benchmarks/run.py [--repeat 5] [--scale 100,1000,5000] [--scale-repeat 3] [--quick]

Every figure is the median of repeated whole-process runs (`python -m briefing ...` in a subprocess),
peak memory is the child's max RSS. Nothing here is a test: the suite checks correctness, this prints
numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def measured(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """Wall time and peak RSS of cmd, measured in a fresh helper process so peaks do not mix."""
    code = (
        "import resource,subprocess,sys,time;"
        "t=time.perf_counter();r=subprocess.run(sys.argv[1:],capture_output=True);w=time.perf_counter()-t;"
        "sys.stderr.buffer.write(r.stderr[-3000:]) if r.returncode else None;"
        "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, r.returncode)"
    )
    r = subprocess.run([sys.executable, "-c", code, *cmd], cwd=cwd, env=env, capture_output=True, text=True)
    w, mib, rc = r.stdout.split()
    if rc != "0":
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}\n{r.stderr}")
    return float(w), float(mib)


def median_of(n: int, fn) -> tuple[float, float, float, float]:
    walls, peaks = [], []
    for _ in range(n):
        w, p = fn()
        walls.append(w)
        peaks.append(p)
    return statistics.median(walls), min(walls), max(walls), max(peaks)


def briefing_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefing", *args]


def row(name: str, stats: tuple[float, float, float, float], extra: str = "") -> None:
    med, lo, hi, peak = stats
    print(f"| {name:<44} | {med:7.3f} | {lo:.3f}–{hi:.3f} | {peak:7.0f} | {extra}")


_WARM = r"""
import random, statistics, sys, time
from pathlib import Path
sys.path.insert(0, "benchmarks")
from generate import article
from briefing import watch
proj, n = Path(sys.argv[1]), int(sys.argv[2])
extra = proj / "seeds" / "zz_extra.md"
watch._default_build(proj, None, None)
times = []
for _ in range(n):
    rng = random.Random(len(list((proj / "seeds").iterdir())))
    extra.write_text(article(rng, 99999)[1], encoding="utf-8")
    t = time.perf_counter()
    watch._default_build(proj, None, None)
    times.append(time.perf_counter() - t)
    extra.unlink()
    watch._default_build(proj, None, None)
watch._close_warm()
print(statistics.median(times), min(times), max(times))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", default="100,1000,5000", help="source counts for the scaling table ('' to skip)")
    ap.add_argument("--scale-repeat", type=int, default=3, help="cold builds per size in the scaling table")
    ap.add_argument("--quick", action="store_true", help="repeat 3, scale 100 only")
    a = ap.parse_args()
    if a.quick:
        a.repeat, a.scale, a.scale_repeat = 3, "100", 1
    env = dict(os.environ, MPLBACKEND="Agg")
    # as on a user's machine, Python keeps compiled bytecode (a sandbox may switch that off, and then
    # every run would compile the modules changed since the last install again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {a.repeat} runs\n")
    print("| measurement                                  |  median s | min–max | peak MiB | notes")
    print("|---|---:|---|---:|---|")
    row("briefing --help", median_of(a.repeat, lambda: measured(briefing_cmd("--help"), env=env)))

    with tempfile.TemporaryDirectory() as td:
        td = Path(td)
        proj = td / "proj"
        shutil.copytree(ROOT / "seeds", proj / "seeds")

        def cold():
            shutil.rmtree(proj / "out", ignore_errors=True)
            return measured(briefing_cmd("build", "--project", str(proj), "-q"), env=env)

        cold_stats = median_of(a.repeat, cold)
        row("cold build of the seeds (no out/, no cache)", cold_stats)
        peer_ok = subprocess.run([sys.executable, "-c", "import weasyprint, pypandoc"], capture_output=True).returncode == 0
        if peer_ok:
            peer = median_of(a.repeat, lambda: measured(
                [sys.executable, str(ROOT / "benchmarks" / "peer.py"), str(proj / "out" / "brief.docx"), str(td / "peer")],
                env=env))
            row("peer: charts + pandoc docx + pandoc html + WeasyPrint", peer,
                f"briefing cold / peer = {cold_stats[0] / peer[0]:.2f} (target <= 0.5)")
        else:
            print("| peer pipeline: skipped (pip install -e '.[bench]' for weasyprint and pandoc) | | | |")
        row("rebuild, nothing changed", median_of(a.repeat, lambda: measured(briefing_cmd("build", "--project", str(proj), "-q"), env=env)))
        from generate import article
        import random

        extra = proj / "seeds" / "zz_extra.md"

        def add_one():
            rng = random.Random(len(list((proj / "seeds").iterdir())))
            extra.write_text(article(rng, 99999)[1], encoding="utf-8")
            stats = measured(briefing_cmd("build", "--project", str(proj), "-q"), env=env)
            extra.unlink()
            measured(briefing_cmd("build", "--project", str(proj), "-q"), env=env)
            return stats

        row("rebuild after adding one source", median_of(a.repeat, add_one))
        # the same, in `briefing watch`: one warm process (extractor, writers, fonts and chart workers
        # loaded once); the figure is the build, after the watcher's 0.5 s settle time
        r = subprocess.run([sys.executable, "-c", _WARM, str(proj), str(a.repeat)], env=env, capture_output=True,
                           text=True, cwd=ROOT)
        if r.returncode == 0:
            med, lo, hi = (float(x) for x in r.stdout.split()[-3:])
            print(f"| {'same, in briefing watch (warm process)':<44} | {med:7.3f} | {lo:.3f}–{hi:.3f} |         | "
                  "build time once the watcher has seen the file")
        else:
            print(f"| briefing watch row failed: {r.stderr.strip().splitlines()[-1:]} | | | |")
        out = proj / "out"
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KiB" for p in sorted(out.glob("brief.*")))
        charts = sum(p.stat().st_size for p in (out / "charts").glob("*")) / 1024 if (out / "charts").exists() else 0
        print(f"\noutput sizes: {sizes}, charts {charts:.0f} KiB")

        # extraction throughput, in process
        sys.path.insert(0, str(ROOT))
        from briefing.extract import extract
        from briefing.sources import load_sources
        from generate import generate

        corpus = td / "corpus"
        generate(corpus, 300, seed=7)
        loaded = load_sources(corpus)
        mb = sum(len(s.original.encode("utf-8")) for s in loaded.sources) / 1e6
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            for s in loaded.sources:
                extract(s)
            times.append(time.perf_counter() - t)
        t = statistics.median(times)
        print(f"extraction throughput (one core, {len(loaded.sources)} synthetic sources, {mb:.2f} MB): "
              f"{len(loaded.sources) / t:.0f} sources/s, {mb / t:.2f} MB/s")

        scales = [int(x) for x in a.scale.split(",") if x.strip()]
        if scales:
            print(f"\n| sources | MB | full build s (median of {a.scale_repeat}) | min–max | s per 100 sources | peak MiB |")
            print("|---:|---:|---:|---|---:|---:|")
        for n in scales:
            sp = td / f"scale{n}"
            generate(sp / "seeds", n, seed=n)
            size = sum(p.stat().st_size for p in (sp / "seeds").iterdir()) / 1e6
            reps = a.scale_repeat

            def full():
                shutil.rmtree(sp / "out", ignore_errors=True)
                return measured(briefing_cmd("build", "--project", str(sp), "-q"), env=env)

            med, lo, hi, peak = median_of(reps, full)
            print(f"| {n} | {size:.1f} | {med:.2f} | {lo:.2f}–{hi:.2f} | {med / n * 100:.3f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
