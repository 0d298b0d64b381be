"""Command line: a thin shell over the Python API. Imports stay lazy so --help is instant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="briefing",
        description="Turn a folder of news articles into a cited situation brief (Word + PDF).",
    )
    p.add_argument("--version", action="version", version="briefing 0.1.0")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build out/brief.pdf, out/brief.docx, out/factsheet.yaml and charts")
    b.add_argument("--project", default=".", help="project folder (default: current folder)")
    b.add_argument("--sources", help="folder of articles (default: PROJECT/seeds)")
    b.add_argument("--out", help="output folder (default: PROJECT/out)")
    b.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    b.add_argument("--strict", action="store_true", help="exit with status 2 if there was any warning (the outputs are still written)")

    s = sub.add_parser("sources", help="list the sources with their metadata and what was dropped")
    s.add_argument("--project", default=".")
    s.add_argument("--sources", help="folder of articles (default: PROJECT/seeds)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument("--show-dropped", action="store_true", help="list every removed stretch with its rule")

    f = sub.add_parser("facts", help="print the fact sheet")
    f.add_argument("--project", default=".")
    f.add_argument("--sources", help="folder of articles (default: PROJECT/seeds)")
    f.add_argument("--format", choices=["json", "yaml"], default="json")
    w = sub.add_parser("watch", help="rebuild whenever the sources, review file, config or styles change")
    w.add_argument("--project", default=".", help="project folder (default: current folder)")
    w.add_argument("--sources", help="folder of articles (default: PROJECT/seeds)")
    w.add_argument("--out", help="output folder (default: PROJECT/out)")
    w.add_argument("--interval", type=float, default=0.5, help="seconds between polls (default: 0.5)")
    w.add_argument("--once", action="store_true", help="build once and exit (status 1 if the build failed)")

    e = sub.add_parser("eval", help="score the extractor against gold annotations (precision/recall per kind)", add_help=False)
    e.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["eval"]:  # its options are the scorer's own (argparse cannot pass on a leading --option)
        from .evaluate import main as eval_main

        return eval_main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    try:
        if args.command == "build":
            return _cmd_build(args)
        if args.command == "sources":
            return _cmd_sources(args)
        if args.command == "facts":
            return _cmd_facts(args)
        if args.command == "watch":
            from .watch import run as watch_run

            return watch_run(args.project, sources=args.sources, out=args.out, interval=args.interval,
                             once=args.once)
        if args.command == "eval":
            from .evaluate import main as eval_main

            return eval_main(args.rest)
    except KeyboardInterrupt:
        print("briefing: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: say so in one line, full traceback on request
        import os

        if os.environ.get("BRIEFING_DEBUG"):
            raise
        print(f"briefing: internal error: {type(e).__name__}: {e} (set BRIEFING_DEBUG=1 for the traceback)", file=sys.stderr)
        return 3
    return 2


def run() -> None:
    """The ``briefing`` command: ``main()``, then exit at once.

    Every output is written, closed and renamed into place before ``main`` returns, so the interpreter's
    own clean-up (freeing every object of a large build, 70-90 ms) does nothing a user could notice; it
    is skipped. Tests and library callers use ``main`` and keep their process."""
    import os

    try:
        code = main()
    except SystemExit as e:  # argparse: --help, usage errors
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        pass
    os._exit(code)


def _fail(msg: str) -> int:
    print(f"briefing: error: {msg}", file=sys.stderr)
    return 1


def _cmd_build(args) -> int:
    from .pipeline import BuildError, build
    from .config import ConfigError
    from .compose.env import TemplateError

    def log(msg: str) -> None:
        if msg.startswith("warning:"):
            print(msg, file=sys.stderr)
        elif not args.quiet:
            print(msg)

    try:
        res = build(args.project, sources_dir=args.sources, out_dir=args.out, log=log)
    except (BuildError, ConfigError, TemplateError) as e:
        return _fail(str(e))
    if not args.quiet and getattr(res, "unchanged", False):
        print(f"up to date: {res.outputs.get('pdf', '')} and the other outputs were left as they were")
    elif not args.quiet:
        for name, path in res.outputs.items():
            if not name.startswith("chart:"):
                print(f"wrote {path}")
        charts = [p for n, p in res.outputs.items() if n.startswith("chart:")]
        if charts:
            print(f"wrote {len(charts)} chart(s) to {charts[0].parent}")
        print(f"done in {res.timings.get('total', 0):.2f} s")
    if getattr(args, "strict", False) and res.warnings:
        print(f"briefing: {len(res.warnings)} warning(s) with --strict: exit status 2 (outputs were written)", file=sys.stderr)
        return 2
    return 0


def _sources_dir(args) -> Path:
    from .config import load_config

    project = Path(args.project)
    return Path(args.sources) if args.sources else project / load_config(project).sources_dir


def _cmd_sources(args) -> int:
    import json

    from .model import to_dict
    from .sources import load_sources

    folder = _sources_dir(args)
    if not folder.is_dir():
        return _fail(f"no sources folder: {folder}")
    res = load_sources(folder)
    if args.json:
        items = []
        for s in res.sources:
            d = to_dict(s.info())
            if s.language:
                d["language"] = s.language
            if s.reliability:
                d["reliability"] = s.reliability
            if args.show_dropped:
                d["dropped"] = [to_dict(x) for x in s.dropped]
            items.append(d)
        payload = {"folder": str(folder), "sources": items, "skipped": res.skipped, "warnings": res.warnings}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0

    def cell(v: str | None, width: int) -> str:
        v = " ".join((v or "").split())
        return v if len(v) <= width else v[: width - 1] + "…"

    rows = [("id", "title", "outlet", "date", "kept", "dropped", "warnings")]
    for s in res.sources:
        i = s.info()
        date = i.published or "-"
        if "published" in i.inferred:
            date += "*"
        dup = f" (dup of {i.duplicate_of})" if i.duplicate_of else ""
        rows.append((i.id, cell(i.title, 48), cell(i.outlet, 20), date, str(i.words_kept), str(i.words_dropped), str(len(i.warnings)) + dup))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    for n, r in enumerate(rows):
        line = "  ".join(c.rjust(w) if k in (4, 5) and n else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths)))
        print(line.rstrip())
    print(f"{len(res.sources)} source(s), {len(res.skipped)} skipped; * = inferred from the text")
    if args.show_dropped:
        for s in res.sources:
            if not s.dropped:
                continue
            print(f"\n{s.id} ({s.path}): {len(s.dropped)} stretch(es) removed")
            for d in s.dropped:
                snippet = cell(d.text, 72)
                print(f"  {d.start}-{d.end} [{d.rule}] {d.reason}: {snippet}")
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def _cmd_facts(args) -> int:
    from .pipeline import extract_all
    from .extract import fingerprint
    from .facts import build_factsheet, sheet_to_json
    from .facts.io import sheet_to_yaml
    from .sources import load_sources

    folder = _sources_dir(args)
    if not folder.is_dir():
        return _fail(f"no sources folder: {folder}")
    res = load_sources(folder)
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    facts = extract_all(res.sources, None)
    review = Path(args.project) / "review.yaml"
    sheet = build_factsheet(res.sources, facts, review_path=review if review.exists() else None, extractor_version=fingerprint())
    print(sheet_to_json(sheet) if args.format == "json" else sheet_to_yaml(sheet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
