"""Issue 6, "done when", second half: the same round trip with a file saved by a real office suite.

The Word-style edits of test_roundtrip_word.py are made, then LibreOffice (headless
``--convert-to docx``) opens and saves the file, which rewrites most of it (it drops the content
controls' tags, renumbers ids, merges nested controls, rewrites styles and bookmarks). Then an
article with another new country's travel advice and a new figure arrives and the brief is rebuilt.
Skipped when LibreOffice is not installed.
"""

from __future__ import annotations

import shutil

import pytest
from docx.oxml.ns import qn

from briefing.render import ooxml as ox

from .test_roundtrip_word import (
    ADDED,
    ADDED_TABLE,
    BLUF_BOLD,
    BLUF_HIGHLIGHT,
    BOX_TITLE_SUFFIX,
    CALLOUT,
    CELL,
    FIXTURES,
    HEADING_SUFFIX,
    SOURCE_NOTE,
    assert_links_resolve,
    block_text,
    build,
    edit_add_rebuild,
    lines_of,
    pdf_text,
)

NORWAY = FIXTURES / "norway_article.md"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    project = tmp_path_factory.mktemp("roundtrip_lo")
    edited, res, lines = edit_add_rebuild(project, NORWAY, through_libreoffice=True, factory=tmp_path_factory)
    return project, res, lines, pdf_text(project / "out" / "brief.pdf")


def test_edits_survive_a_libreoffice_save(merged):
    project, res, lines, pdf = merged
    path = project / "out" / "brief.docx"
    text = ox.docx_text(path)
    for s in (BLUF_BOLD + BLUF_HIGHLIGHT, ADDED, CELL, CALLOUT.strip(), "Timeline" + HEADING_SUFFIX,
              SOURCE_NOTE.strip(), ADDED_TABLE[0], ADDED_TABLE[1]):
        assert s in text, s
        assert s.strip() in pdf, s
    got = lines_of(path)
    assert got[got.index(ADDED) - 1] == "Situation"
    assert "Analyst to complete" not in text and "Outlook" not in pdf
    assert (project / "out" / "history").is_dir()


def test_callout_title_once_and_links_resolve_after_libreoffice(merged):
    project, _, _, pdf = merged
    path = project / "out" / "brief.docx"
    assert ox.docx_text(path).count("Key figures" + BOX_TITLE_SUFFIX) == 1
    assert pdf.count("Key figures") == 1
    assert_links_resolve(path)
    names = [b.get(qn("w:name")) for b in ox.document_root(path).iter(qn("w:bookmarkStart"))]
    assert len(names) == len(set(names))


def test_new_facts_and_what_changed_after_libreoffice(merged):
    project, _, _, pdf = merged
    path = project / "out" / "brief.docx"
    assert "Norway" in block_text(path, "advisories-table")
    assert "Travel advice: Norway: none →" in block_text(path, "what-changed-list")
    assert "Travel advice: Norway: none →" in pdf
    assert "41" in block_text(path, "what-changed-list")
    md = (project / "out" / "changes.md").read_text(encoding="utf-8")
    assert "- NO: none -> leave_now" in md.split("## Advisory changes", 1)[1]


def test_rebuild_after_libreoffice_with_nothing_new_changes_nothing(merged):
    project, *_ = merged
    out = project / "out"
    before = ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes())
    build(project, force=True)
    assert ((out / "brief.docx").read_bytes(), (out / "brief.pdf").read_bytes()) == before
