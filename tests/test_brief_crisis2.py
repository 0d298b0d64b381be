"""A second, unrelated crisis (tests/data/crisis2: three short articles written for this test about a
gang blockade of a port) builds into a sensible brief with nothing left over from the seed crisis."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CRISIS2 = ROOT / "tests" / "data" / "crisis2"

# words of the seed crisis that must never come from the template or the compose code
SEED_WORDS = (
    "Mali", "Malian", "Bamako", "Sahel", "JNIM", "Wagner", "junta", "jihad", "Goïta", "ECOWAS", "Kayes",
    "Senegal", "Burkina", "Niger", "fuel", "tanker", "Tinzaouaten", "Africa Corps",
)


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return "\n".join("".join(t.text or "" for t in p.iter(f"{ns}t")) for p in d.element.body.iter(f"{ns}p"))


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from briefing import build

    project = tmp_path_factory.mktemp("crisis2")
    shutil.copytree(CRISIS2, project / "seeds")
    (project / "briefing.toml").write_text('build_time = "2025-11-04T08:00:00Z"\n', encoding="utf-8")
    res = build(project)
    out = project / "out"
    return project, res, _docx_text(out / "brief.docx"), _pdf_text(out / "brief.pdf")


def test_articles_are_our_own_and_cover_the_kinds():
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(CRISIS2.iterdir())}
    assert len(texts) == 3
    allt = "\n".join(texts.values())
    assert re.search(r"told its citizens .* to leave|ordered the departure", allt)  # advisories
    assert re.search(r"\d+ kidnappings in the first half of 2025", allt)  # a count with a period
    assert re.search(r"\d+ percent", allt)  # a share


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_right_country_and_no_seed_leftovers(built, fmt):
    _, res, docx_text, pdf_text = built
    text = docx_text if fmt == "docx" else pdf_text
    flat = re.sub(r"\s+", " ", text)
    assert "Haiti: situation brief" in flat
    for w in SEED_WORDS:
        assert not re.search(rf"\b{re.escape(w)}", flat, re.I), (fmt, w)
    # sections come from the facts: headings for what the articles contain, the advisories of the
    # three governments, the headline figures with their citations
    for s in ("Bottom line up front", "Key judgments", "Key figures", "Situation", "Timeline", "Sources"):
        assert s in flat, s
    for c in ("United States", "Canada", "France"):
        assert c in flat, c
    assert re.search(r"412[^\[]{0,80}\[\d", flat), "the kidnapping count is cited"
    assert re.search(r"18,000[^\[]{0,80}\[\d", flat), "the displacement count is cited"


def test_bluf_and_sections_are_drawn_from_the_facts(built):
    project, res, docx_text, _ = built
    from briefing.compose import compose
    from briefing.config import load_config, resolve_styles
    from briefing.model import Heading, Paragraph

    config = load_config(project)
    doc = compose(res.sheet, [], config, resolve_styles(project, config))
    heads = [b.text for b in doc.blocks if isinstance(b, Heading)]
    # no "Blockade and economy" title unless the facts speak of a blockade; sections with nothing are left out
    assert "Diplomatic posture and advisories" in heads and "Humanitarian" in heads
    bluf = next(b for b in doc.blocks if isinstance(b, Paragraph) and b.id == "bluf-summary")
    words = "".join(getattr(i, "text", "") for i in bluf.inlines)
    assert "Haiti" in words and "Canada told its nationals to leave" in words
    assert doc.meta.subject == "Haiti" and "Haiti" in doc.meta.keywords


def test_second_build_is_byte_identical(built, tmp_path):
    from briefing import build

    project, *_ = built
    other = tmp_path / "again"
    shutil.copytree(project / "seeds", other / "seeds")
    shutil.copy(project / "briefing.toml", other / "briefing.toml")
    build(other)
    for name in ("brief.docx", "brief.pdf"):
        assert (other / "out" / name).read_bytes() == (project / "out" / name).read_bytes(), name
