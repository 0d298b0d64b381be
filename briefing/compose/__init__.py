"""Compose: FactSheet + figures + Jinja2 template -> Document (blocks with stable ids).

Public API:
    compose(sheet, figures, config, styles, *, changes=None) -> Document
    TemplateError  -- raised for template problems; the message names the file and line

How it works: ``analysis`` decides what the brief says (subject, trends, bottom line, key judgments,
key figures, sections); the template (``styles/templates/brief.md.j2`` unless the project config
names another) lays it out in a small Markdown dialect, rendered in a sandboxed Jinja2 environment
(``env``) where every printed fact-sheet value is escaped; ``dialect`` parses the result into the
Document blocks of ``briefing.model``, each with a stable id.

Template context (for writing your own ``styles/templates/*.md.j2``):
    data     meta (DocMeta), subject, sheet, sources (by number), facts (kind -> facts),
             bluf (sentences: .key .text), judgments (.key .lead .term .statement .confidence
             .confidence_text .facts), changes (new_sources/new_facts/changed_facts/
             withdrawn_facts/advisory_changes -> items .key .text; {} when nothing changed),
             previous_as_of, key_figures (.key .label .value .period .facts), themes (.key .title
             .facts .events .figures; the body's selection .top_facts .top_events .more_facts),
             overview_figures, timeline_figures, other_figures, chart_figures,
             advisories (.country .name .action .action_label .date .facts), advisories_top,
             timeline (all dated events), timeline_top (the body's), timeline_all (deduplicated,
             at most annex_limit), timeline_distinct, undated_events, actors, actors_top,
             claims (the body's), claims_omitted, claims_all, conflicts (.conflict .facts .key),
             conflicts_top, conflicts_all, actors_all (at most annex_limit, the most important),
             figure_rows ((theme title, fact) for the annex, at most annex_limit), figure_count, annex_limit,
             sources_in_annex (too many sources to list in the body), contrast, source_summary,
             low_confidence, rejected, warned_sources, notes
             Long lists: the body shows the most important rows (analysis.BODY_LIMITS), the annex
             all of them up to annex_limit, the fact sheet everything.
    helpers  cite(fact(s)|source), num(f), describe(f), label(f), when(f), date(iso),
             period(p), country_name(iso2), countries([iso2]), key(*parts) (id slug),
             link(text, url), source_entry(s), figure(fig), accounts(conflict), aliases(actor),
             quote(text), actor_type(f), stance_label(s), action_label(a), number_word(n),
             lines(facts), cited_sources() (sources printed so far: call it at the end), filter |md
             Citations are compact: ranges and "[1, 4, 9 and 240 more]" (analysis.Sourcing.compact).
Styles used: Paragraph bluf, lead, note, small, machine, source, body; Table grid, keyfigures;
Callout box, machine (all existing names of briefing.model).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config, Styles, default_styles_dir
from ..model import DocMeta, Document, Fact, FactSheet, Figure
from . import analysis as A
from . import fmt
from .dialect import DialectError, parse
from .env import TemplateError, render
from .fmt import MD, escape

__all__ = ["compose", "TemplateError", "build_context", "render_text"]


def _created(config: Config, as_of: str | None) -> str:
    if config.build_time:
        return config.build_time
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if as_of and len(as_of) >= 10:
        return f"{as_of[:10]}T00:00:00Z"
    return ""


def _meta(sheet: FactSheet, config: Config, styles: Styles | None, subject: str, actors: list[Fact]) -> DocMeta:
    as_of = config.as_of or sheet.as_of or ""
    theme_marking = ""
    if styles is not None and styles.theme is not None:
        theme_marking = str(styles.theme.marking.get("default") or "")
    n = len(sheet.sources)
    keywords = [k for k in [subject, "situation brief"] + [a.actor or "" for a in actors[:5]] if k]
    return DocMeta(
        title=config.title or (f"{subject}: situation brief" if subject else "Situation brief"),
        subtitle=f"Based on {n} open source{'s' if n != 1 else ''}" if n else "",
        subject=subject,
        as_of=f"As of {fmt.date_text(as_of)}" if as_of else "",
        marking=config.marking or theme_marking or "TLP:CLEAR",
        author=config.author,
        organisation=config.organisation,
        keywords=list(dict.fromkeys(keywords)),
        created=_created(config, as_of),
    )


def build_context(
    sheet: FactSheet,
    figures: list[Figure],
    config: Config,
    styles: Styles | None,
    changes: dict | None = None,
) -> dict[str, Any]:
    """Everything the template sees: prepared sections plus formatting helpers."""
    src = A.Sourcing(sheet)
    # charts' source notes with compact citation lists (a note citing hundreds would fill a page)
    figures = [replace(f, source_note=A.compact_note(f.source_note, src)) for f in figures]
    # the locator map is an overview: narrower than the text column keeps the body short
    figures = [
        replace(f, width=min(f.width or 1.0, A.OVERVIEW_WIDTH)) if A.figure_section(f) == "overview" else f
        for f in figures
    ]
    subject_code = None if config.subject else A.infer_subject(sheet)
    subject = config.subject or (fmt.country_name(subject_code) if subject_code else "")
    actors = A.actors(sheet)
    meta = _meta(sheet, config, styles, subject, actors)
    adv = A.advisory_rows(sheet)
    dated, undated = A.timeline(sheet)
    key_figures = A.key_figures(sheet, adv, limit=A.BODY_LIMITS["key_figures"])
    in_key_figures = {f.id for r in key_figures for f in r.facts}
    themes = A.theme_sections(sheet, figures, src, in_key_figures)
    placed = {f.id for t in themes for f in t.figures}
    by_section: dict[str, list[Figure]] = {}
    for fig in figures:
        if fig.id not in placed:
            by_section.setdefault(A.figure_section(fig), []).append(fig)
    ch = A.changes_view(changes, sheet, src)
    claims_shown, claims_omitted = A.claims(sheet)
    claims_all = A.claims(sheet, per_speaker=10**9, limit=10**9)[0]
    conflict_views = A.conflicts(sheet)
    timeline_dedup = A.dedupe(dated, src, A._event_key)
    limit = A.ANNEX_LIMIT
    n_sources = len(sheet.sources)
    sources_in_annex = n_sources > A.BODY_LIMITS["sources"]

    def cited_sources() -> list[Any]:
        """The sources whose numbers were printed so far (call it last: the annex list at scale)."""
        return [s for s in sorted(sheet.sources, key=lambda s: s.number) if s.number in src.printed]

    def figure(fig: Any) -> MD:
        fid = fig.id if isinstance(fig, Figure) else str(fig)
        return MD(f"![{escape(fid)}]")

    return {
        # data
        "meta": meta,
        "chart_figures": figures,
        "subject": subject,
        "subject_code": subject_code or "",
        "sheet": sheet,
        "sources": sorted(sheet.sources, key=lambda s: s.number),
        "facts": {k: sheet.by_kind(k) for k in sorted({f.kind for f in sheet.facts})},
        "bluf": A.bluf(sheet, src, adv),
        "judgments": A.key_judgments(sheet, src, adv),
        "likelihood_terms": A.LIKELIHOOD_TERMS,
        "changes": ch,
        "previous_as_of": (changes or {}).get("previous_as_of") if isinstance(changes, dict) else None,
        "key_figures": key_figures,
        "themes": [t for t in themes if t.facts or t.events or t.figures or (t.key == "diplomatic" and adv)],
        "overview_figures": by_section.get("overview", []),
        "timeline_figures": by_section.get("timeline", []),
        "other_figures": [f for k, v in by_section.items() if k not in ("overview", "timeline") for f in v],
        "advisories": adv,
        "advisories_top": adv[: A.BODY_LIMITS["advisories"]],
        "timeline": dated,
        "timeline_top": A.timeline_top(dated, src),
        "timeline_all": A.timeline_top(timeline_dedup, src, limit) if len(timeline_dedup) > limit else timeline_dedup,
        "timeline_distinct": len(timeline_dedup),
        "undated_events": undated,
        "actors": actors,
        "actors_top": A.actors_top(actors, src),
        "claims": claims_shown,
        "claims_omitted": claims_omitted,
        "claims_all": claims_all[:limit],
        "conflicts": conflict_views,
        "conflicts_top": A.conflicts_top(conflict_views, src),
        "conflicts_all": A.conflicts_top(conflict_views, src, limit),
        "actors_all": A.actors_top(actors, src, limit),
        "figure_rows": A.figure_rows(themes, src, limit),
        "figure_count": sum(len(t.facts) for t in themes),
        "annex_limit": limit,
        "sources_in_annex": sources_in_annex,
        "cited_sources": cited_sources,
        "contrast": A.contrast_sentence(sheet, src, adv),
        "source_summary": A.source_summary(sheet),
        "low_confidence": A.low_confidence(sheet),
        "rejected": A.rejected(sheet),
        "warned_sources": A.sources_with_warnings(sheet),
        "notes": list(sheet.notes),
        "low_confidence_threshold": A.LOW_CONFIDENCE,
        # helpers
        "cite": src.cite,
        "num": fmt.num,
        "country_name": lambda c: escape(fmt.country_name(c)),
        "countries": fmt.countries,
        "date": fmt.date,
        "period": fmt.period,
        "when": lambda f: escape(fmt.when_text(f)),
        "describe": fmt.describe,
        "ucfirst": lambda s: escape(fmt.ucfirst(str(s or ""))),
        "label": lambda f: escape(fmt.fact_label(f)),
        "key": fmt.slug,
        "link": A.link,
        "source_entry": lambda s: A.source_entry(s, sheet),
        "figure": figure,
        "accounts": lambda cv: A.accounts(cv, src),
        "actor_type": lambda f: escape(A.actor_type(f)),
        "aliases": lambda f: escape("; ".join(A.aliases(f))),
        "quote": lambda t: escape(A.quote_text(t)),
        "stance_label": lambda s: escape(fmt.STANCE_LABELS.get(s or "other", str(s or ""))),
        "action_label": lambda a: escape(fmt.ACTION_LABELS.get(a or "other", str(a or ""))),
        "number_word": fmt.number_word,
        "lines": src.lines,
    }


def render_text(
    sheet: FactSheet, figures: list[Figure], config: Config, styles: Styles | None, changes: dict | None = None
) -> tuple[str, Path, dict[str, Any]]:
    """The rendered dialect text (before parsing), the template path and the context."""
    tpl = Path(styles.template) if styles is not None else default_styles_dir() / "templates" / (config.template or "brief.md.j2")
    search: list[Path] = []
    if styles is not None:
        search.append(Path(styles.templates_dir))
        if styles.project_dir is not None:
            search.append(Path(styles.project_dir) / "styles" / "templates")
    search.append(default_styles_dir() / "templates")
    ctx = build_context(sheet, figures, config, styles, changes)
    return render(tpl, search, ctx), tpl, ctx


def compose(
    sheet: FactSheet,
    figures: list[Figure],
    config: Config,
    styles: Styles,
    *,
    changes: dict | None = None,
) -> Document:
    text, tpl, ctx = render_text(sheet, figures, config, styles, changes)
    try:
        blocks = parse(text, {f.id: f for f in ctx["chart_figures"]})
    except DialectError as e:
        raise TemplateError(f"{tpl}: {e}", str(tpl), None) from None
    return Document(meta=ctx["meta"], blocks=blocks)
