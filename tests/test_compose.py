"""Tests of the compose stage: FactSheet + figures + template -> Document."""

from __future__ import annotations

from briefing.model import Conflict, Evidence, Fact, FactSheet, Figure, Period, SourceInfo

HOSTILE = "<b>x</b> & ]]> {{ boom }} {% if %} *star* _u_ | pipe [[toc]] [@9] [a](javascript:alert(1)) \\ back {: #evil} # - ::: ![fig]"


def _src(n: int, sid: str, *, title=None, outlet=None, published=None, url=None, group=None, warnings=None, dup=None) -> SourceInfo:
    return SourceInfo(
        id=sid,
        path=f"{sid}.txt",
        sha256="0" * 64,
        title=title,
        outlet=outlet,
        published=published,
        url=url,
        group=group,
        warnings=list(warnings or []),
        duplicate_of=dup,
        number=n,
    )


def _ev(sid: str, quote: str) -> Evidence:
    return Evidence(sid, 0, len(quote), quote)


def _p(label: str, start: str, end: str) -> Period:
    return Period(label, start, end)


def sahel_like_sheet(*, extra_source: bool = False, hostile: bool = False) -> FactSheet:
    """A fictional crisis in a landlocked country (Mali is used as the place name only as a country
    code; the text is invented)."""
    q = HOSTILE if hostile else "the group carried out 300 attacks in the first half of 2025"
    sources = [
        _src(1, "a_wire", title="Embassies pull staff as fighting spreads in Mali", outlet="Wire One", published="2025-11-01", url="https://example.org/a?x=1&y=2"),
        _src(2, "b_paper", title=(HOSTILE if hostile else "Analysis: the insurgency moves south"), outlet="Daily Paper", published="2025-11-10"),
        _src(3, "c_blog", title=None, outlet=None, published=None, warnings=["no date found"]),
        _src(4, "d_copy", title="Embassies pull staff (copy)", outlet="Wire One", published="2025-11-02", group="a_wire", dup="a_wire"),
    ]
    if extra_source:
        sources.append(_src(5, "e_new", title="Late report", outlet="Radio Five", published="2025-11-12"))
        sources[1].number, sources[4].number = 5, 2  # numbers shift when a source lands in between
    f = [
        Fact("count", id="count-1", what="attacks", actor="GroupX", value=300, qualifier="exact",
             period=_p("H1 2025", "2025-01-01", "2025-06-30"), evidence=[_ev("b_paper", q)],
             attrs={"comparison": {"ratio": 2}}),
        Fact("count", id="count-2", what="attacks", actor="GroupX", value=150, qualifier="approx", derived=True,
             basis="300 is 'double' the same period of 2024", period=_p("H1 2024", "2024-01-01", "2024-06-30"),
             evidence=[_ev("b_paper", "double the number")]),
        Fact("count", id="count-3", what="fuel tankers torched", value=None, qualifier="vague", surface="dozens",
             evidence=[_ev("a_wire", "dozens of fuel tankers torched")]),
        Fact("count", id="count-4", what="Western governments urging nationals to leave", value=4, qualifier="at_least",
             surface="at least four", evidence=[_ev("a_wire", "at least four Western governments")]),
        Fact("share", id="share-1", what="share of GroupX violence", actor="GroupX", region="southwest Mali", value=8,
             unit="percent", qualifier="exact", period=_p("2024", "2024-01-01", "2024-12-31"), evidence=[_ev("b_paper", "8 percent in the southwest")]),
        Fact("share", id="share-2", what="share of GroupX violence", actor="GroupX", region="southwest Mali", value=20,
             unit="percent", qualifier="approx_below", surface="close to 20 percent",
             period=_p("2025", "2025-01-01", "2025-12-31"), evidence=[_ev("b_paper", "close to 20 percent in southwest Mali")]),
        Fact("casualties", id="cas-1", what="killed", value=40, qualifier="exact", attrs={"victims": "soldiers"},
             place="Townville", country="ML", date="2025-10", evidence=[_ev("a_wire", "40 soldiers were killed near Townville")]),
        Fact("kidnapping", id="kid-1", value=3, qualifier="exact", attrs={"victims": "aid workers", "released": True, "nationality": "FR"},
             country="ML", date="2025-10-21", evidence=[_ev("c_blog", "three aid workers were abducted")]),
        Fact("advisory", id="adv-us-od", country="US", action="ordered_departure", date="2025-10-30",
             evidence=[_ev("a_wire", "Washington ordered non-emergency staff to leave Mali"), _ev("d_copy", "Washington ordered non-emergency staff to leave Mali")]),
        Fact("advisory", id="adv-us-ln", country="US", action="leave_now", evidence=[_ev("a_wire", "urged citizens to leave Mali")]),
        Fact("advisory", id="adv-gb", country="GB", action="leave_now", evidence=[_ev("a_wire", "London told British nationals to leave Mali"), _ev("b_paper", "Britain urged its nationals to leave")], status="corroborated"),
        Fact("advisory", id="adv-de", country="DE", action="avoid_travel", evidence=[_ev("c_blog", "Berlin advised against travel to Mali")]),
        Fact("event", id="ev-1", date="2025-09", date_precision="month", text="the group announced a fuel blockade of the capital",
             evidence=[_ev("a_wire", "announced a fuel blockade")]),
        Fact("event", id="ev-2", date="2020", date_precision="year", text="the army seized power in a coup", evidence=[_ev("b_paper", "seized power in 2020")]),
        Fact("event", id="ev-3", date="2025-11-09", date_precision="day", text="regional bloc called for an urgent response", evidence=[_ev("b_paper", "called for an urgent response")]),
        Fact("event", id="ev-4", text="aid convoys suspended", evidence=[_ev("c_blog", "aid convoys were suspended")]),
        Fact("actor", id="act-1", actor="GroupX", aliases=["Group of Example Fighters", "GEF"], attrs={"type": "armed_group"}, evidence=[_ev("b_paper", "GroupX")]),
        Fact("actor", id="act-2", actor="Minister Example", attrs={"type": "person"}, evidence=[_ev("b_paper", "Minister Example")]),
        Fact("place", id="pl-1", place="Townville", country="ML", evidence=[_ev("a_wire", "Townville")]),
        Fact("place", id="pl-2", place="Capital City", country="ML", evidence=[_ev("a_wire", "Capital City")]),
        Fact("claim", id="cl-1", speaker="Minister Example", stance="government", text=(HOSTILE if hostile else "the situation is under control"),
             evidence=[_ev("b_paper", "the situation is under control")]),
        Fact("claim", id="cl-2", speaker="State Department", stance="foreign_government", text="conditions are unpredictable",
             evidence=[_ev("a_wire", "conditions are unpredictable")]),
        Fact("count", id="count-c1", what="civilians displaced", value=5000, qualifier="exact", status="conflict",
             period=_p("2025", "2025-01-01", "2025-12-31"), evidence=[_ev("a_wire", "5,000 displaced")]),
        Fact("count", id="count-c2", what="civilians displaced", value=12000, qualifier="approx", status="conflict",
             period=_p("2025", "2025-01-01", "2025-12-31"), evidence=[_ev("c_blog", "about 12,000 displaced")]),
        Fact("casualties", id="cas-low", what="killed", value=7, attrs={"victims": "villagers"}, confidence=0.4,
             rule="casualties.loose", evidence=[_ev("c_blog", "seven villagers died")]),
        Fact("count", id="count-rej", what="drones shot down", value=99, status="rejected", evidence=[_ev("c_blog", "99 drones")]),
    ]
    if extra_source:
        f[0].evidence.append(_ev("e_new", "300 attacks"))
    sheet = FactSheet(
        as_of="2025-11-13",
        sources=sources,
        facts=f,
        conflicts=[Conflict("conflict-1", "count", "civilians displaced, 2025", ["count-c1", "count-c2"], note="sources report different values")],
        notes=["review: 1 fact rejected"],
    )
    return sheet


def haiti_like_sheet() -> FactSheet:
    sources = [
        _src(1, "h1", title="Gangs tighten grip on Haiti's capital", outlet="Island Wire", published="2025-03-02"),
        _src(2, "h2", title="Airport closed as violence rises in Port-au-Prince", outlet="Caribbean Daily", published="2025-03-05"),
        _src(3, "h3", title="Aid agencies warn of hunger in Haiti", outlet="Relief Notes", published="2025-03-06"),
    ]
    f = [
        Fact("count", id="h-c1", what="kidnappings", value=700, qualifier="more_than", surface="more than 700",
             period=_p("2024", "2024-01-01", "2024-12-31"), evidence=[_ev("h1", "more than 700 kidnappings in Haiti")]),
        Fact("count", id="h-c2", what="kidnappings", value=250, qualifier="approx", surface="around 250",
             period=_p("Q1 2025", "2025-01-01", "2025-03-31"), evidence=[_ev("h2", "around 250 kidnappings")]),
        Fact("count", id="h-c3", what="people displaced", value=360000, qualifier="approx", surface="about 360,000",
             evidence=[_ev("h3", "about 360,000 people displaced in Haiti")]),
        Fact("advisory", id="h-a1", country="CA", action="leave_now", evidence=[_ev("h2", "Ottawa told Canadians to leave Haiti")]),
        Fact("advisory", id="h-a2", country="DO", action="avoid_travel", evidence=[_ev("h2", "the Dominican Republic advised against travel to Haiti")]),
        Fact("advisory", id="h-a3", country="US", action="ordered_departure", evidence=[_ev("h1", "the US embassy in Port-au-Prince drew down staff")]),
        Fact("event", id="h-e1", date="2025-03-04", text="the main airport suspended flights", evidence=[_ev("h2", "airport suspended flights")]),
        Fact("event", id="h-e2", date="2024-02", text="gangs attacked prisons in the capital", evidence=[_ev("h1", "attacked prisons")]),
        Fact("event", id="h-e3", date="2025-03-06", text="food prices doubled in markets", evidence=[_ev("h3", "food prices doubled")]),
        Fact("place", id="h-p1", place="Port-au-Prince", country="HT", evidence=[_ev("h1", "Port-au-Prince")]),
        Fact("actor", id="h-ac1", actor="Viv Ansanm", attrs={"type": "armed_group"}, evidence=[_ev("h1", "Viv Ansanm")]),
    ]
    return FactSheet(as_of="2025-03-06", sources=sources, facts=f)


def figures_for(tmp_path, ids=("attacks-by-period", "advisories-by-country", "locator-map", "events-timeline")) -> list[Figure]:
    out = []
    for i in ids:
        out.append(
            Figure(
                id=i,
                title=i.replace("-", " ").capitalize(),
                caption=f"Caption for {i}.",
                alt=f"Alt text for {i}.",
                source_note="Sources: [1]",
                png=str(tmp_path / f"{i}.png"),
                svg=str(tmp_path / f"{i}.svg"),
                cites=["a_wire"],
            )
        )
    return out


# ============================================================================================
# helpers
# ============================================================================================

import re
from pathlib import Path

import pytest

from briefing.compose import TemplateError, compose
from briefing.compose import analysis as A
from briefing.compose import fmt
from briefing.compose.dialect import DialectError, parse, parse_inlines
from briefing.config import Config, Styles, default_styles_dir, resolve_styles
from briefing.model import (
    BulletList,
    Callout,
    Cite,
    FigureBlock,
    Heading,
    Link,
    PageBreak,
    Paragraph,
    Table,
    Text,
    TocBlock,
)


@pytest.fixture(scope="module")
def styles():
    return resolve_styles(None, Config())


def walk(blocks):
    for b in blocks:
        yield b
        if isinstance(b, Callout):
            yield from walk(b.blocks)


def inline_runs(b):
    if isinstance(b, Paragraph):
        return [b.inlines]
    if isinstance(b, BulletList):
        return list(b.items)
    if isinstance(b, Table):
        return [c for r in b.rows for c in r]
    return []


def plain(inlines) -> str:
    out = []
    for x in inlines:
        if isinstance(x, (Text, Link)):
            out.append(x.text)
        elif isinstance(x, Cite):
            out.append("[" + ", ".join(map(str, x.numbers)) + "]")
    return "".join(out)


def doc_text(doc) -> str:
    parts = [doc.meta.title, doc.meta.subtitle, doc.meta.as_of]
    for b in walk(doc.blocks):
        if isinstance(b, Heading):
            parts.append(b.text)
        elif isinstance(b, Callout):
            parts.append(b.title)
        elif isinstance(b, Table):
            parts.append(" | ".join(b.header))
            parts.append(b.caption or "")
        for r in inline_runs(b):
            parts.append(plain(r))
    return "\n".join(parts)


def by_id(doc):
    return {b.id: b for b in walk(doc.blocks)}


def make(sheet=None, figures=(), config=None, styles=None, **kw):
    config = config or Config()
    styles = styles or resolve_styles(None, config)
    return compose(sheet or sahel_like_sheet(), list(figures), config, styles, **kw)


def styles_with_template(tmp_path: Path, text: str, name: str = "custom.md.j2") -> Styles:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    base = resolve_styles(None, Config())
    return Styles(project_dir=None, theme=base.theme, template=p, reference_docx=base.reference_docx, templates_dir=tmp_path)


# ============================================================================================
# structure
# ============================================================================================


def test_structure_and_sections(tmp_path):
    doc = make(figures=figures_for(tmp_path))
    heads = [(b.level, b.text) for b in doc.blocks if isinstance(b, Heading)]
    top = [t for lvl, t in heads if lvl == 1]
    assert top[:2] == ["Bottom line up front", "Key judgments"]
    for name in ("Situation", "Timeline", "Actors", "Contested reporting", "Outlook", "Sources", "Annex: extraction notes"):
        assert name in top
    assert top.index("Sources") < top.index("Annex: extraction notes")
    subs = [t for lvl, t in heads if lvl == 2]
    for name in ("Security", "Blockade and economy", "Diplomatic posture and advisories", "Humanitarian"):
        assert name in subs
    assert isinstance(doc.blocks[0], TocBlock)
    ids = by_id(doc)
    # key figures: a box holding a keyfigures table with figure, value, period, sources
    kf = ids["key-figures"]
    assert isinstance(kf, Callout) and kf.kind == "box"
    table = kf.blocks[0]
    assert isinstance(table, Table) and table.style == "keyfigures"
    assert table.header == ["Figure", "Value", "Period", "Sources"]
    rows = {plain(r[0]) + " @ " + plain(r[2]): plain(r[1]) for r in table.rows}
    assert rows["GroupX attacks @ H1 2025"] == "300"
    assert rows["GroupX attacks @ H1 2024"] == "about 150 (derived)"
    assert rows["Share of GroupX violence (southwest Mali) @ 2025"] == "close to 20%"
    assert all(isinstance(r[3][0], Cite) for r in table.rows)
    # low-confidence and rejected facts are not key figures
    assert not any("drones" in k or "Villagers" in k for k in rows)
    # key judgments: machine callout, marked for the analyst
    kj = ids["kj-box"]
    assert kj.kind == "machine" and "analyst to confirm" in kj.title
    # advisories table: strongest action per country
    adv = ids["advisories-table"]
    got = {plain(r[0]): plain(r[1]) for r in adv.rows}
    assert got == {
        "United States": fmt.ACTION_LABELS["ordered_departure"],
        "United Kingdom": fmt.ACTION_LABELS["leave_now"],
        "Germany": fmt.ACTION_LABELS["avoid_travel"],
    }
    # figures are placed in their sections
    order = [b.id for b in walk(doc.blocks)]
    assert order.index("fig-attacks-by-period") > order.index("security")
    assert order.index("fig-advisories-by-country") > order.index("diplomatic")
    assert order.index("fig-events-timeline") > order.index("timeline")
    assert order.index("fig-locator-map") < order.index("security")
    # timeline chronological, undated events left for the annex
    # with a timeline chart in the body, the dated events with their sources are in the annex
    assert "timeline-table" not in ids and "annex" in plain(ids["timeline-note"].inlines)
    tl = ids["annex-timeline-table"]
    dates = [plain(r[0]) for r in tl.rows]
    assert dates == ["2020", "September 2025", "9 November 2025"]
    assert "Aid convoys suspended" in plain(ids["annex-undated-list"].items[0])
    # actors with aliases
    actors = ids["actors-table"]
    assert plain(actors.rows[0][0]) == "GroupX" and "GEF" in plain(actors.rows[0][1])
    # contested reporting: conflict values side by side, claims with attribution
    conf = ids["conflicts-table"]
    assert "5,000" in plain(conf.rows[0][1]) and "about 12,000" in plain(conf.rows[0][1])
    claims = ids["claims-table"]
    assert [plain(r[1]) for r in claims.rows] == ["Government", "Foreign government"]
    assert "Minister Example" in plain(ids["contested-contrast"].inlines)
    # outlook left for the analyst
    assert "Analyst to complete" in plain(ids["outlook-analyst"].inlines)
    # annex
    for key in ("annex-low-confidence-list", "annex-conflicts-list", "annex-rejected-list", "annex-source-warnings-list", "annex-notes-list"):
        assert key in ids
    assert "drones" in plain(ids["annex-rejected-list"].items[0])


def test_sections_only_with_content(styles):
    sheet = FactSheet(as_of=None, sources=[SourceInfo(id="x", path="x.txt", sha256="", number=1)])
    doc = compose(sheet, [], Config(), styles)
    top = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert top == ["Bottom line up front", "Outlook", "Sources", "Annex: extraction notes"]
    assert by_id(doc)["bluf-summary"].style == "note"
    assert doc.meta.title == "Situation brief"


def test_sources_entries_and_summary():
    doc = make()
    ids = by_id(doc)
    entries = [b for b in doc.blocks if isinstance(b, Paragraph) and b.style == "source"]
    assert [e.anchor for e in entries] == ["src-1", "src-2", "src-3", "src-4"]
    assert plain(entries[0].inlines).startswith("[1] Wire One, “Embassies pull staff as fighting spreads in Mali”, 1 November 2025.")
    link = [x for x in entries[0].inlines if isinstance(x, Link)]
    assert link and link[0].target == "https://example.org/a?x=1&y=2"
    assert plain(entries[2].inlines) == "[3] untitled (c_blog.txt), undated."
    assert "near-duplicate of [1]" in plain(entries[3].inlines)
    summary = plain(ids["sources-summary"].inlines)
    assert summary.startswith("4 sources from 2 outlets, dated 1 November 2025 to 10 November 2025; 1 undated")
    assert "3 independent lines of reporting (near-duplicates counted once)" in summary


def test_every_citation_resolves_and_generated_numbers_are_cited():
    doc = make()
    anchors = {b.anchor for b in walk(doc.blocks) if isinstance(b, Paragraph) and b.style == "source"}
    for b in walk(doc.blocks):
        for r in inline_runs(b):
            for x in r:
                if isinstance(x, Cite):
                    assert x.numbers == sorted(set(x.numbers)) and x.numbers
                    assert all(f"src-{n}" in anchors for n in x.numbers)
    ids = by_id(doc)
    bluf = ids["bluf-summary"]
    assert bluf.style == "bluf"
    text = plain(bluf.inlines)
    sentences = [s for s in re.split(r"(?<=\.)\s+", text) if s]
    assert 2 <= len(sentences) <= 3
    for s in sentences:
        assert re.search(r"\[\d+(, \d+)*\]", s), s
    assert "300 attacks attributed to GroupX in H1 2025 [2], up from about 150 (derived) in H1 2024 [2]" in text
    assert "the United States withdrew staff [1, 4]" in text
    assert "Germany advises against travel [3]" in text
    # bullet lists in the situation sections: each item ends with a citation
    lists = [k for k in ids if re.fullmatch(r"(security|economy|humanitarian)-(figures|events)", k)]
    assert {"economy-figures", "economy-events"} <= set(lists)
    for key in lists:
        for item in ids[key].items:
            assert isinstance(item[-1], Cite), plain(item)


def test_key_judgments_estimative_language():
    doc = make()
    kj = by_id(doc)["kj-box"]
    paras = [b for b in kj.blocks if b.style == "machine"]
    assert len(paras) == 3
    terms = A.LIKELIHOOD_TERMS
    for p in paras:
        text = plain(p.inlines)
        sentences = re.split(r"(?<=[.)])\s+(?=[A-Z])", text)
        likely = [s for s in sentences if any(re.search(rf"\b{t}\b", s) for t in terms)]
        conf = [s for s in sentences if s.startswith("Confidence:")]
        assert likely and conf, text
        assert not any(re.search(rf"\b{t}\b", c) for c in conf for t in terms)
        assert re.search(r"\b(low|moderate|high)\b", conf[0])
        assert any(isinstance(x, Cite) for x in p.inlines)
    texts = [plain(p.inlines) for p in paras]
    # one line of reporting -> likely; two independent lines (the copy counts once) -> very likely
    assert texts[0].startswith("It is likely that attacks attributed to GroupX increased between H1 2024 and H1 2025")
    assert texts[2].startswith("It is very likely that foreign governments are reducing their exposure")
    assert "Confidence: low" in texts[0] and "Confidence: moderate" in texts[2]


def test_likelihood_rule():
    sheet = sahel_like_sheet()
    src = A.Sourcing(sheet)
    one = Fact("count", evidence=[Evidence("a_wire", 0, 1, "x")])
    two = Fact("count", evidence=[Evidence("a_wire", 0, 1, "x"), Evidence("b_paper", 0, 1, "x")])
    dup = Fact("count", evidence=[Evidence("a_wire", 0, 1, "x"), Evidence("d_copy", 0, 1, "x")])
    three = Fact("count", evidence=[Evidence(s, 0, 1, "x") for s in ("a_wire", "b_paper", "c_blog")])
    term = lambda fs: A.LIKELIHOOD_TERMS[A.likelihood_index(fs, src)]  # noqa: E731
    assert term([one]) == "likely"
    assert term([dup]) == "likely"  # a near-duplicate is not an independent line
    assert term([two]) == "very likely"
    assert term([three]) == "almost certain"
    three.status = "conflict"
    assert term([three]) == "roughly even chance"
    two.status = "confirmed"
    assert term([two]) == "almost certain"
    assert A.confidence([one], src)[0] == "low"
    three.status = "corroborated"
    assert A.confidence([three], src)[0] == "high"


# ============================================================================================
# ids
# ============================================================================================


def test_ids_unique_stable_and_content_keyed():
    d1, d2 = make(), make()
    ids1 = [b.id for b in walk(d1.blocks)]
    assert len(ids1) == len(set(ids1))
    assert ids1 == [b.id for b in walk(d2.blocks)]
    assert d1 == d2  # deterministic
    assert "kj-trend-groupx-attacks" in ids1
    assert "source-a-wire" in ids1
    # a new source (renumbering the others) keeps every existing block id
    d3 = make(sahel_like_sheet(extra_source=True))
    ids3 = [b.id for b in walk(d3.blocks)]
    assert set(ids1) <= set(ids3)
    assert set(ids3) - set(ids1) == {"source-e-new"}
    assert by_id(d3)["source-b-paper"].anchor == "src-5"


def test_auto_ids_from_section_and_content():
    blocks = parse("# Alpha {: #alpha}\n\nSome text 12.\n\nSome text 34.\n\n- a\n- b\n")
    assert [b.id for b in blocks] == ["alpha", "alpha-p-some-text", "alpha-p-some-text-2", "alpha-list-a"]


# ============================================================================================
# escaping
# ============================================================================================


def test_hostile_text_is_literal():
    doc = make(sahel_like_sheet(hostile=True))
    ids = by_id(doc)
    claim = plain(ids["claims-table"].rows[0][2])
    assert claim == f"“{HOSTILE}”"
    entry = ids["source-b-paper"]
    assert HOSTILE in plain(entry.inlines)
    assert all(isinstance(x, Text) and not x.bold and not x.italic for x in entry.inlines)
    # nothing from the hostile text became structure
    assert sum(isinstance(b, TocBlock) for b in walk(doc.blocks)) == 1
    assert not any(isinstance(b, FigureBlock) for b in walk(doc.blocks))
    assert "evil" not in {b.id for b in walk(doc.blocks)}
    for b in walk(doc.blocks):
        for r in inline_runs(b):
            for x in r:
                assert not (isinstance(x, Cite) and 9 in x.numbers)
                assert not (isinstance(x, Link) and "javascript" in x.target)


def test_escape_roundtrip_and_inline_parser():
    for s in [HOSTILE, "a\\b", "ends with \\", "**bold**", "[@1]", "- x", "# y", "| a | b |", "{: #id}", "tab\there"]:
        got = plain(parse_inlines(fmt.escape(s)))
        assert got == re.sub(r"\s+", " ", s).strip(), s
    inl = parse_inlines("a **b** *c* [@3,1,3] [t](https://x.org/a_b) [bad](javascript:x) **open")
    assert inl[1] == Text("b", bold=True) and inl[3] == Text("c", italic=True)
    assert Cite([1, 3]) in inl and Link("t", "https://x.org/a_b") in inl
    assert plain(inl).endswith("[bad](javascript:x) **open")
    assert plain(parse_inlines("280 [@].")) == "280."
    # a compact citation: listed numbers and a count of the rest
    assert parse_inlines("x [@1,4,9+240]")[-1] == Cite([1, 4, 9], more=240)
    assert parse_inlines("x [@+5]")[-1] == Text("x")  # no numbers: nothing to cite
    # XML-illegal characters are dropped from data
    assert "\x0b" not in fmt.escape("a\x0bb")


def test_dialect_blocks_and_errors():
    text = "\n".join(
        [
            "::: box Box {: #b}",
            "Table: Cap {: #t .keyfigures widths=2,1}",
            "| H1 | H2 |",
            "|---|---|",
            "| a \\| b | [@2] |",
            ":::",
            "",
            "#. one",
            "#. two",
            "",
            "[[pagebreak]]",
            "",
            "para",
            "{: #p .lead anchor=here}",
        ]
    )
    blocks = parse(text)
    box, ol, pb, p = blocks
    t = box.blocks[0]
    assert t.id == "t" and t.style == "keyfigures" and t.widths == [2.0, 1.0] and t.caption == "Cap"
    assert plain(t.rows[0][0]) == "a | b" and t.rows[0][1] == [Cite([2])]
    assert isinstance(ol, BulletList) and ol.ordered and len(ol.items) == 2
    assert isinstance(pb, PageBreak)
    assert (p.id, p.style, p.anchor) == ("p", "lead", "here")
    with pytest.raises(DialectError, match="never closed"):
        parse("::: box X\ntext")
    with pytest.raises(DialectError, match="unknown figure"):
        parse("![nope]")
    with pytest.raises(DialectError, match="widths"):
        parse("Table: c {: widths=1}\n| a | b |\n|---|---|\n| 1 | 2 |")


# ============================================================================================
# helpers
# ============================================================================================


def _f(**kw):
    return Fact("count", **kw)


def test_num_helper():
    assert fmt.num_text(_f(value=280, qualifier="exact")) == "280"
    assert fmt.num_text(_f(value=20, unit="percent", qualifier="approx_below", surface="close to 20 percent")) == "close to 20%"
    assert fmt.num_text(_f(value=20, unit="percent", qualifier="approx_below", surface="nearly 20 percent")) == "nearly 20%"
    assert fmt.num_text(_f(value=4, qualifier="at_least", surface="at least four")) == "at least 4"
    assert fmt.num_text(_f(value=None, qualifier="vague", surface="dozens")) == "dozens"
    assert fmt.num_text(_f(value=140, qualifier="approx", derived=True)) == "about 140 (derived)"
    assert fmt.num_text(_f(low=10, high=20, qualifier="range")) == "10–20"
    assert fmt.num_text(_f(value=1200, qualifier="more_than")) == "more than 1,200"
    assert fmt.num_text(_f(value=2_500_000)) == "2.5 million"
    assert fmt.num_text(Fact("quantity", value=380, unit="miles", qualifier="approx")) == "about 380 miles"


def test_date_country_helpers():
    assert fmt.date_text("2025-11-13") == "13 November 2025"
    assert fmt.date_text("2025-09") == "September 2025"
    assert fmt.date_text("2025") == "2025"
    assert fmt.date_text("2025-11-13T14:05:00Z") == "13 November 2025, 14:05 UTC"
    assert fmt.date_text("soon") == "soon"
    assert fmt.country_name("GB") == "United Kingdom"
    assert fmt.country_name("uk") == "United Kingdom"
    assert fmt.country_name("CI") == "Côte d'Ivoire"
    assert fmt.country_name("IR") == "Iran"
    assert fmt.countries_text(["US", "GB", "FR"]) == "the United States, the United Kingdom and France"
    assert fmt.countries_text(["FR"]) == "France"
    assert fmt.period_text(Period("H1 2025", "2025-01-01", "2025-06-30")) == "H1 2025"


def test_subject_inference_ignores_advisory_issuers():
    sheet = sahel_like_sheet()
    assert A.infer_subject(sheet) == "ML"
    assert A.infer_subject(haiti_like_sheet()) == "HT"
    # an issuer named in many advisory quotes does not become the subject
    only_adv = FactSheet(
        as_of=None,
        sources=[SourceInfo(id="s", path="s", sha256="", number=1)],
        facts=[Fact("advisory", country="US", action="leave_now", evidence=[Evidence("s", 0, 1, "United States told citizens to leave Sudan")]) for _ in range(3)],
    )
    assert A.infer_subject(only_adv) == "SD"


# ============================================================================================
# meta and config
# ============================================================================================


def test_meta_defaults_and_overrides(monkeypatch, styles):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = make()
    m = doc.meta
    assert m.title == "Mali: situation brief" and m.subject == "Mali"
    assert m.as_of == "As of 13 November 2025"
    assert m.marking == styles.theme.marking.get("default", "TLP:CLEAR")
    assert m.created == "2025-11-13T00:00:00Z"
    cfg = Config(title="Weekly brief", subject="Northland", as_of="2025-12-01", marking="TLP:AMBER", author="A. Analyst", organisation="Desk")
    m2 = make(config=cfg).meta
    assert (m2.title, m2.subject, m2.as_of, m2.marking, m2.author, m2.organisation) == (
        "Weekly brief", "Northland", "As of 1 December 2025", "TLP:AMBER", "A. Analyst", "Desk")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert make().meta.created == "1970-01-02T00:00:00Z"
    assert make(config=Config(build_time="2025-01-01T00:00:00Z")).meta.created == "2025-01-01T00:00:00Z"


# ============================================================================================
# what changed
# ============================================================================================


def test_what_changed_only_when_given():
    assert "what-changed" not in by_id(make())
    empty = {"previous_as_of": "2025-11-01", "new_sources": [], "new_facts": [], "changed_facts": [], "withdrawn_facts": [], "advisory_changes": []}
    assert "what-changed" not in by_id(make(changes=empty))
    changes = dict(
        empty,
        new_sources=["c_blog"],
        new_facts=["count-1"],
        changed_facts=[{"id": "count-2", "before": "120, approx", "after": "150, approx"}],
        withdrawn_facts=["gone-1"],
        advisory_changes=[{"country": "GB", "before": "avoid_travel", "after": "leave_now"}],
    )
    ids = by_id(make(changes=changes))
    assert "what-changed" in ids
    items = [plain(i) for i in ids["what-changed-list"].items]
    assert items[0].startswith("New source: ") and items[0].endswith("[3]")
    assert items[1].startswith("New: 300 attacks attributed to GroupX in H1 2025 [2]")
    assert "120, approx → 150, approx" in items[2]
    assert "United Kingdom: advises against travel → nationals told to leave [1, 2]" in items[3]
    assert "1 item from the previous edition no longer reported" in items[4]
    assert "1 November 2025" in plain(ids["what-changed-intro"].inlines)


# ============================================================================================
# templates: lookup, errors, sandbox
# ============================================================================================


def test_template_syntax_error_names_file_and_line(tmp_path):
    st = styles_with_template(tmp_path, "# Title\n\nline two\n{% if %}\n")
    with pytest.raises(TemplateError) as e:
        make(styles=st)
    assert str(e.value).startswith(f"{tmp_path / 'custom.md.j2'}:4:")


def test_template_undefined_names_file_and_line(tmp_path):
    st = styles_with_template(tmp_path, "# Title\n\n{{ subject }}\n\n{{ no_such_thing }}\n")
    with pytest.raises(TemplateError) as e:
        make(styles=st)
    msg = str(e.value)
    assert msg.startswith(f"{tmp_path / 'custom.md.j2'}:5:") and "no_such_thing" in msg


def test_template_error_in_include(tmp_path):
    (tmp_path / "part.md.j2").write_text("ok\n{{ missing.attr }}\n", encoding="utf-8")
    st = styles_with_template(tmp_path, "# T\n\n{% include 'part.md.j2' %}\n")
    with pytest.raises(TemplateError) as e:
        make(styles=st)
    assert str(e.value).startswith(f"{tmp_path / 'part.md.j2'}:2:")


def test_template_sandbox(tmp_path):
    st = styles_with_template(tmp_path, "{{ sheet.__class__.__mro__ }}\n{{ cite.__globals__ }}\n")
    with pytest.raises(TemplateError) as e:
        make(styles=st)
    assert str(e.value).startswith(str(tmp_path / "custom.md.j2") + ":1:")


def test_dialect_error_names_template(tmp_path):
    st = styles_with_template(tmp_path, "::: box Never closed\n")
    with pytest.raises(TemplateError, match="custom.md.j2.*never closed"):
        make(styles=st)


def test_custom_template_escapes_values_and_allows_macros(tmp_path):
    st = styles_with_template(
        tmp_path,
        "{% macro row(f) %}{{ f.text }} {{ cite(f) }}{% endmacro %}\n"
        "# Claims {: #claims}\n\n"
        "{% for f in claims %}\n- {{ row(f)|safe }}\n{% endfor %}\n{: #claims-list}\n\n"
        "{{ sheet.sources[1].title }}\n{: #raw .small}\n",
    )
    doc = make(sahel_like_sheet(hostile=True), styles=st)
    ids = by_id(doc)
    first = ids["claims-list"].items[0]
    assert plain(first[:-1]).strip() == HOSTILE and first[-1] == Cite([2])
    assert plain(ids["raw"].inlines) == HOSTILE


def test_project_template_overrides_default(tmp_path):
    proj = tmp_path / "proj"
    (proj / "styles" / "templates").mkdir(parents=True)
    (proj / "styles" / "templates" / "brief.md.j2").write_text("# Only this {: #only}\n", encoding="utf-8")
    cfg = Config()
    st = resolve_styles(proj, cfg)
    doc = compose(sahel_like_sheet(), [], cfg, st)
    assert [b.id for b in doc.blocks] == ["only"]


# ============================================================================================
# no crisis-specific wording
# ============================================================================================

CRISIS_WORDS = ("Mali", "JNIM", "Bamako", "Sahel", "Wagner", "Goïta", "ECOWAS", "Kayes", "junta", "Tinzaouaten", "Senegal")


def test_template_and_code_have_no_crisis_words():
    files = [default_styles_dir() / "templates" / "brief.md.j2"] + sorted(Path(fmt.__file__).parent.glob("*.py"))
    for p in files:
        text = p.read_text(encoding="utf-8")
        for w in CRISIS_WORDS:
            assert not re.search(rf"\b{w}\b", text), (p.name, w)


def test_other_crisis_reads_right(tmp_path):
    doc = make(haiti_like_sheet(), figures=figures_for(tmp_path, ids=("advisories-by-country",)))
    text = doc_text(doc)
    for w in CRISIS_WORDS:
        assert w not in text, w
    assert doc.meta.title == "Haiti: situation brief"
    ids = by_id(doc)
    bluf = plain(ids["bluf-summary"].inlines)
    # a year is not compared with a quarter
    assert "down from" not in bluf and "up from" not in bluf
    assert "Canada told its nationals to leave [2]" in bluf
    assert "the Dominican Republic advises against travel [2]" in bluf
    assert "humanitarian" in ids and ids["economy"].text == "Economy and supply"


def test_compose_speed():
    import time

    make()  # warm (imports, country-name table)
    t = time.perf_counter()
    for _ in range(5):
        make()
    assert (time.perf_counter() - t) / 5 < 0.5


def test_escape_fuzz_roundtrip():
    import random

    rnd = random.Random(1234)
    alphabet = list("\\*_[]{}|#!:-()<>@`~&;'\"%.,/ \t\nabcXYZ0189é“”") + ["[@", "{:", "]]", "{%", "{{", ":::", "**", "Table:", "[[toc]]", "- ", "# ", "#. ", "![x]", "](https://a)"]
    for _ in range(500):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        want = re.sub(r"\s+", " ", s).strip()
        md = fmt.escape(s)
        assert plain(parse_inlines(md)) == want, s
        # as a whole line of the document it stays one plain paragraph
        blocks = parse(md) if want else []
        if want:
            assert len(blocks) == 1 and isinstance(blocks[0], Paragraph)
            assert plain(blocks[0].inlines) == want


def test_context_groups_facts_by_kind(tmp_path):
    st = styles_with_template(tmp_path, "{% for f in facts.advisory %}\n- {{ country_name(f.country) }} {{ cite(f) }}\n{% endfor %}\n{: #adv}\n")
    items = [plain(i) for i in by_id(make(styles=st))["adv"].items]
    assert items == ["United States [1, 4]", "United States [1]", "United Kingdom [1, 2]", "Germany [3]"]


def test_claims_capped_per_speaker():
    sheet = sahel_like_sheet()
    sheet.facts += [
        Fact("claim", id=f"cl-x{i}", speaker="Minister Example", stance="government", text=f"statement number {i},",
             evidence=[Evidence("b_paper", 0, 1, "x")])
        for i in range(3)
    ]
    ids = by_id(make(sheet))
    rows = ids["claims-table"].rows
    assert sum(plain(r[0]) == "Minister Example" for r in rows) == 1
    assert plain(ids["claims-omitted"].inlines).startswith("3 further claims are listed in the annex")
    # the annex has every claim
    annex = [plain(r[2]) for r in ids["annex-claims-table"].rows]
    assert sum("statement number" in c for c in annex) == 3
    # trailing clause punctuation is dropped inside the quotation marks
    assert all(not plain(r[2]).endswith(",”") for r in rows)
    lead = ids["diplomatic-lead"]
    assert lead.inlines[-2] == Cite([1, 2, 3, 4])


def test_what_changed_long_lists_are_cut():
    sheet = sahel_like_sheet()
    changes = {"new_facts": [f.id for f in sheet.facts if f.kind != "actor"], "new_sources": [], "changed_facts": [],
               "withdrawn_facts": [], "advisory_changes": []}
    items = [plain(i) for i in by_id(make(sheet, changes=changes))["what-changed-list"].items]
    assert len(items) == 9 and items[-1].startswith("New: … and ") and items[-1].endswith("more new items (see the fact sheet)")


def test_event_rows_and_bullets_start_with_a_capital(styles):
    """Event clauses are stored as the source words them ("the army seized power ..."); wherever the
    brief prints one as a sentence or a table cell, it starts with a capital letter."""
    text = doc_text(make(styles=styles))
    assert "The army seized power in a coup" in text
    assert "the army seized power in a coup" not in text
    assert "The group announced a fuel blockade of the capital" in text
