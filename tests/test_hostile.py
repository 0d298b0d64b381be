"""Hostile input: every bad file gets one clear line, the brief is still built from the good sources.

Exit status rule (README "Exit status"): 0 with warnings for bad source files and review decisions;
1 with one ``briefing: error:`` line naming file and line for configuration/template errors (the
previous brief is left untouched); 2 under ``--strict`` when there was any warning (outputs written).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from tests.fixtures.hostile.corpus import MARKUP_BODY, MARKUP_TITLE, make_bad_sources, make_good_project

# bad source file -> (loaded?, words the one warning line must contain; None = no warning expected)
EXPECT = {
    "empty.txt": (False, "skipped: empty"),
    "blank.txt": (False, "skipped: empty"),
    "picture.txt": (False, "PNG"),
    "utf16.txt": (True, None),
    "cp1252.txt": (True, None),
    "controls.txt": (True, None),
    "xmlillegal.txt": (True, None),
    "longline.txt": (True, None),
    "markup.txt": (True, None),
    "scripts.txt": (True, None),
    "badfront.md": (True, "malformed front matter (line 3)"),
    "broken.pdf": (False, "malformed PDF"),
    "locked.pdf": (False, "encrypted PDF"),
    "corrupt.docx": (False, "corrupt Word file"),
    "bomb.docx": (False, "zip bomb"),
    "huge.txt": (False, "skipped: file is 52.4 MB, over the 21 MB limit"),
    "inject.md": (True, None),
}
INJECT_TITLE = "{{ 7*7 }} {{ ''.__class__.__mro__ }} {% raw %} {{ config.items() }}"


def run_cli(*argv: str) -> tuple[int, str, str]:
    from briefing.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))  # raises if the package or its XML is broken
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return "\n".join("".join(t.text or "" for t in p.iter(f"{ns}t")) for p in d.element.body.iter(f"{ns}p"))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    r = PdfReader(str(path), strict=True)
    assert len(r.pages) >= 1
    return "\n".join(page.extract_text() or "" for page in r.pages)


def assert_outputs_open(out: Path) -> tuple[str, str]:
    return docx_text(out / "brief.docx"), pdf_text(out / "brief.pdf")


def good_titles(project: Path) -> list[str]:
    from briefing.sources import load_sources

    folder = project / "good-only"
    folder.mkdir()
    for p in (project / "seeds").glob("0*.txt"):
        shutil.copy(p, folder / p.name)
    titles = [s.title for s in load_sources(folder).sources]
    shutil.rmtree(folder)
    return titles


# --- bad source files, all in one folder next to three good ones ---------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    project = make_good_project(tmp_path_factory.mktemp("hostile"))
    titles = good_titles(project)
    cases = make_bad_sources(project / "seeds")
    (project / "seeds" / "inject.md").write_text(  # every line template syntax
        f"---\ntitle: \"{INJECT_TITLE}\"\npublished: 2025-11-01\n---\n\n{{{{ 6*7 }}}} " + MARKUP_BODY, encoding="utf-8"
    )
    assert set(cases) | {"inject.md"} == set(EXPECT)
    code, stdout, stderr = run_cli("build", "--project", str(project))
    texts.update(zip(("docx", "pdf"), assert_outputs_open(project / "out")))
    return project, titles, code, stdout, stderr


texts: dict[str, str] = {}  # the corpus brief's docx and pdf text, read once


def test_corpus_builds_with_exit_0_and_outputs_reopen(corpus):
    project, titles, code, stdout, stderr = corpus
    assert code == 0, stderr
    docx, pdf = texts["docx"], texts["pdf"]
    flat_pdf = " ".join(pdf.split())
    for title in titles:  # the good sources are in the brief (source list)
        assert title and title in docx
        assert " ".join(title.split())[:30] in flat_pdf


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_each_bad_file_gets_one_clear_line(corpus, name):
    project, _, code, stdout, stderr = corpus
    loaded, words = EXPECT[name]
    lines = [ln for ln in stderr.splitlines() if ln.startswith("warning:") and name in ln]
    if name == "scripts.txt" and lines:
        # no installed font has CJK or emoji (true on CI): one line naming the file, the PDF and the fix
        assert len(lines) == 1 and lines[0].startswith(f"warning: {name}: in brief.pdf, no available font has"), lines
        assert "U+6C34" in lines[0] and "fallback_fonts" in lines[0]
        return
    if words is None:
        assert lines == [], lines
    else:
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"warning: {name}: ") and words in lines[0], lines[0]
    if not loaded:
        assert "skipped" in lines[0]


def test_only_bad_files_are_warned_about(corpus):
    _, _, _, _, stderr = corpus
    for ln in stderr.splitlines():
        if ln.startswith("warning:"):
            assert any(ln.startswith(f"warning: {n}: ") for n in EXPECT), ln


def test_loaded_odd_files_keep_their_text(corpus):
    from briefing.sources import load_sources

    project = corpus[0]
    by_path = {s.path: s for s in load_sources(project / "seeds").sources}
    assert {n for n, (ok, _) in EXPECT.items() if ok} <= set(by_path)
    assert "Café owners “worried” – report" in by_path["cp1252.txt"].original
    assert "Storm report" in by_path["utf16.txt"].original
    assert "洪水报告" in by_path["scripts.txt"].original and "🚧" in by_path["scripts.txt"].original
    assert len(by_path["longline.txt"].original) > 1_000_000 and "\n" not in by_path["longline.txt"].original.strip()


# --- source text is data, never code ---------------------------------------------------------------


def test_markup_and_template_syntax_print_literally(corpus):
    project = corpus[0]
    docx, pdf = texts["docx"], texts["pdf"]
    assert MARKUP_TITLE in docx
    assert MARKUP_TITLE in " ".join(pdf.split())
    assert "{{ 7*7 }}" in docx and "{% if x %}" in docx
    assert INJECT_TITLE in docx and INJECT_TITLE in " ".join(pdf.split())
    assert "<class" not in docx and "<class" not in pdf
    import yaml

    sheet = yaml.safe_load((project / "out" / "factsheet.yaml").read_text(encoding="utf-8"))
    assert MARKUP_TITLE in str(sheet)


# --- project files: review.yaml, briefing.toml, template -------------------------------------------


@pytest.fixture(scope="module")
def built_good(tmp_path_factory):
    project = make_good_project(tmp_path_factory.mktemp("good"))
    code, _, stderr = run_cli("build", "--project", str(project), "-q", "--strict")
    assert code == 0 and stderr == "", stderr  # --strict without warnings: exit 0
    return project


@pytest.fixture
def project(built_good, tmp_path):
    p = tmp_path / "p"
    shutil.copytree(built_good, p)
    return p


def _snapshot(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in ("brief.docx", "brief.pdf")}


def test_malformed_review_yaml_is_one_warning_and_the_brief_is_built(project):
    (project / "review.yaml").write_text("decisions:\n  - fact: x\n    action: [confirm\n  note: oops\n", encoding="utf-8")
    (project / "out" / "brief.pdf").unlink()
    code, _, stderr = run_cli("build", "--project", str(project), "-q", "--strict")
    assert code == 2  # --strict: any warning -> 2, after writing the outputs (without it: 0, see the corpus)
    lines = stderr.splitlines()
    assert len(lines) == 2 and "--strict" in lines[1], lines
    assert lines[0].startswith("warning: review.yaml:") and "line" in lines[0] and "YAML" in lines[0], lines
    assert_outputs_open(project / "out")


def test_strict_flag_is_documented():
    from briefing.cli import _parser

    ROOT = Path(__file__).resolve().parents[1]
    para = (ROOT / "README.md").read_text(encoding="utf-8").split("Exit status of `briefing build`")[1].split("\n\n")[0]
    for words in ("0 when", "1 when", "2 with `--strict`", "3 on an internal error"):
        assert words in para
    sub = _parser()._subparsers._group_actions[0].choices["build"]
    assert "--strict" in sub.format_help()


CONFIG_CASES = {
    "unknown key": ('title = "Brief"\ncolour = "red"\n', ["briefing.toml:2:", "unknown key 'colour'"]),
    "wrong type": ('title = "Brief"\nas_of = 2025\n', ["briefing.toml:2:", "'as_of' must be a string"]),
    "syntax error": ('title = "Brief"\nsubject = "unterminated\n', ["briefing.toml", "line 2"]),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_briefing_toml_stops_with_one_line_and_keeps_the_old_brief(project, case):
    text, words = CONFIG_CASES[case]
    (project / "briefing.toml").write_text(text, encoding="utf-8")
    before = _snapshot(project / "out")
    code, stdout, stderr = run_cli("build", "--project", str(project), "-q")
    assert code == 1
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: "), lines
    for w in words:
        assert w in lines[0], lines[0]
    assert _snapshot(project / "out") == before
    assert_outputs_open(project / "out")


def test_template_syntax_error_names_template_and_line(project):
    tpl = project / "styles" / "templates" / "brief.md.j2"
    tpl.parent.mkdir(parents=True)
    tpl.write_text("# {{ meta.title }}\n\nSome text\n{% for x in %}\n{% endfor %}\n", encoding="utf-8")
    before = _snapshot(project / "out")
    code, _, stderr = run_cli("build", "--project", str(project), "-q")
    assert code == 1
    lines = stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("briefing: error: ") and f"{tpl}:4: template syntax error" in lines[0], lines[0]
    assert _snapshot(project / "out") == before
    assert_outputs_open(project / "out")
