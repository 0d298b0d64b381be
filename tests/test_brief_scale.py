"""The brief at scale: hundreds of sources give a brief that summarises (capped tables, compact
citations, the numbered source list in an annex) and still renders; the seeds give a short brief."""

from __future__ import annotations

import re
import time

import pytest

from briefing.config import Config, resolve_styles
from briefing.model import (
    Callout,
    Cite,
    Conflict,
    Evidence,
    Fact,
    FactSheet,
    Heading,
    Paragraph,
    Period,
    SourceInfo,
    Table,
)


def big_sheet(n: int) -> FactSheet:
    """n sources about an invented crisis: one figure reported by every source, many events, actors,
    claims and disputed figures."""
    sources = [
        SourceInfo(id=f"s{i:05d}", path=f"s{i:05d}.txt", sha256="0" * 64, title=f"Report {i}", outlet=f"Outlet {i % 40}",
                   published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", number=i + 1,
                   group=f"s{i - i % 3:05d}")  # every three sources are one line of reporting
        for i in range(n)
    ]

    def ev(i: int, q: str = "x") -> Evidence:
        return Evidence(sources[i % n].id, 0, len(q), q)

    h1 = Period("H1 2025", "2025-01-01", "2025-06-30")
    facts = [
        Fact("count", id="c-all", what="attacks", actor="Group A", value=300, qualifier="exact", period=h1,
             status="corroborated", evidence=[ev(i) for i in range(n) if (i + 1) % 5]),
        Fact("count", id="c-old", what="attacks", actor="Group A", value=150, qualifier="exact",
             period=Period("H1 2024", "2024-01-01", "2024-06-30"), evidence=[ev(i) for i in range(0, n, 7)]),
        Fact("advisory", id="adv-1", country="CA", action="leave_now", date="2025-06-01", evidence=[ev(i) for i in range(0, n, 2)]),
    ]
    for i in range(n):
        facts.append(Fact("event", id=f"e{i}", date=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", date_precision="day",
                          text=f"armed men attacked village {i}", evidence=[ev(i), ev(i + 1)]))
        facts.append(Fact("casualties", id=f"k{i}", what="killed", value=3 + i % 50, place=f"Village {i}",
                          date=f"2025-{1 + i % 12:02d}", evidence=[ev(i)]))
    for i in range(n // 10):
        facts.append(Fact("actor", id=f"a{i}", actor=f"Militia {i}", attrs={"type": "armed_group"}, evidence=[ev(i), ev(i + 5)]))
        facts.append(Fact("claim", id=f"cl{i}", speaker=f"Speaker {i}", stance="analyst", text=f"the situation is grave {i}",
                          evidence=[ev(i)]))
    conflicts = []
    for i in range(n // 20):
        ids = []
        for j in range(12):
            fid = f"cf{i}-{j}"
            ids.append(fid)
            facts.append(Fact("count", id=fid, what=f"displaced people {i}", value=1000 + 10 * j, qualifier="exact",
                              period=h1, status="conflict", evidence=[ev(i * 12 + j)]))
        conflicts.append(Conflict(id=f"conf{i}", kind="count", what=f"displaced people {i}, H1 2025", fact_ids=ids))
    return FactSheet(as_of="2025-12-01", sources=sources, facts=facts, conflicts=conflicts)


def walk(blocks):
    for b in blocks:
        yield b
        if isinstance(b, Callout):
            yield from walk(b.blocks)


def cites(b):
    runs = []
    if isinstance(b, Paragraph):
        runs = [b.inlines]
    elif isinstance(b, Table):
        runs = [c for r in b.rows for c in r]
    elif hasattr(b, "items"):
        runs = b.items
    return [x for r in runs for x in r if isinstance(x, Cite)]


@pytest.fixture(scope="module")
def styles():
    from pathlib import Path

    return resolve_styles(Path("."), Config())


@pytest.fixture(scope="module")
def big(styles):
    from briefing.compose import compose

    sheet = big_sheet(600)
    t = time.perf_counter()
    doc = compose(sheet, [], Config(), styles)
    return sheet, doc, time.perf_counter() - t


def test_citations_are_compact(big):
    _, doc, _ = big
    all_cites = [c for b in walk(doc.blocks) for c in cites(b)]
    assert all_cites
    for c in all_cites:
        assert len(c.spans()) <= 4, c
    # the figure every source reports: three numbers, one per line of reporting, and the count of the rest
    kf = next(b for b in walk(doc.blocks) if getattr(b, "id", "") == "key-figures-table")
    row = next(r for r in kf.rows if "300" in "".join(getattr(x, "text", "") for x in r[1]))
    c = row[3][0]
    assert c.numbers == [1, 4, 7] and c.more == 477


def test_body_summarises_and_annex_has_the_rest(big):
    sheet, doc, _ = big
    ids = {b.id: b for b in walk(doc.blocks)}
    from briefing.compose.analysis import ANNEX_LIMIT, BODY_LIMITS

    assert len(ids["actors-table"].rows) == BODY_LIMITS["actors"]
    assert len(ids["claims-table"].rows) == BODY_LIMITS["claims"]
    assert len(ids["conflicts-table"].rows) == BODY_LIMITS["conflicts"]
    assert len(ids["annex-actors-table"].rows) == ANNEX_LIMIT
    assert len(ids["annex-timeline-table"].rows) == ANNEX_LIMIT
    # a disputed figure with twelve values lists a few and sums up the rest as a range
    acc = "".join(getattr(x, "text", "") for x in ids["conflicts-table"].rows[0][1])
    assert "and 9 other values from" in acc
    # the numbered sources are in the last annex, only those the brief cites, and every citation resolves
    heads = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert heads[-1] == "Annex: sources cited" and heads.index("Sources") < heads.index("Annex: sources cited")
    entries = [b for b in doc.blocks if isinstance(b, Paragraph) and b.style == "source"]
    assert 0 < len(entries) < len(sheet.sources)
    assert doc.blocks.index(entries[0]) > doc.blocks.index(next(b for b in doc.blocks if getattr(b, "id", "") == "annex-sources"))
    anchors = {e.anchor for e in entries}
    for b in walk(doc.blocks):
        for c in cites(b):
            assert all(f"src-{n}" in anchors for n in c.numbers), c


def test_compose_time_is_near_linear(styles, big):
    from briefing.compose import compose

    _, _, t600 = big
    sheet = big_sheet(2400)
    t = time.perf_counter()
    compose(sheet, [], Config(), styles)
    t2400 = time.perf_counter() - t
    assert t2400 < 10
    assert t2400 < 4 * 3 * max(t600, 0.05), (t600, t2400)  # 4x the input: well under 12x the time


def test_big_brief_renders_to_word_with_compact_citations(big, styles, tmp_path):
    from briefing.render.docx import docx_text, write

    _, doc, _ = big
    write(doc, tmp_path / "big.docx", styles)
    text = docx_text(tmp_path / "big.docx")
    assert re.search(r"\[1, 4, 7 and 477 more\]", text)
    assert re.search(r"\[\d+\u2013\d+", text) or "more]" in text


def test_figure_source_notes_are_compacted(styles):
    from briefing.compose import compose
    from briefing.model import Figure

    sheet = big_sheet(300)
    note = "Sources: " + ", ".join(f"[{i}]" for i in range(1, 301, 2)) + "; derived values dashed"
    fig = Figure(id="attacks-by-period", title="Attacks by period", caption="c", alt="a", source_note=note, png="x.png", svg="x.svg")
    doc = compose(sheet, [fig], Config(), styles)
    fb = next(b for b in walk(doc.blocks) if getattr(b, "figure", None) is not None)
    assert fb.figure.source_note == "Sources: [1, 5, 7 and 147 more]; derived values dashed"
    short = Figure(id="attacks-by-period", title="t", caption="c", alt="a", source_note="Sources: [1], [2], [3], [5]", png="x", svg="x")
    doc = compose(sheet, [short], Config(), styles)
    fb = next(b for b in walk(doc.blocks) if getattr(b, "figure", None) is not None)
    assert fb.figure.source_note == "Sources: [1\u20133, 5]"
