"""Property: whatever text a source holds, the build does not crash and the outputs reopen."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.hostile.corpus import make_good_project

# any code point, control characters included; lone surrogates cannot come out of a file as str, but
# arbitrary bytes (below) decode to anything a reader can meet, including invalid UTF-8
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
WORDS = st.lists(
    st.one_of(
        st.sampled_from(["<b>", "&amp;", "]]>", "{{ 7*7 }}", "{% if %}", "\\", "*", "_", "#", "|", "\u202e", "\u200f", "\x00", "\x0b", "\ufffe", "2025", "1,000", "per cent"]),
        st.text(min_size=1, max_size=12),
    ),
    max_size=60,
).map(" ".join)
RAW = st.binary(max_size=400)


def _build(tmp: Path, files: dict[str, bytes]) -> None:
    import docx
    from pypdf import PdfReader

    from briefing import build

    project = tmp / "p"
    if project.exists():
        shutil.rmtree(project)
    make_good_project(project, n=1)
    for name, data in files.items():
        (project / "seeds" / name).write_bytes(data)
    res = build(project)  # must not raise
    assert res.sources, res.warnings
    for w in res.warnings:
        assert "\n" not in w  # one line each
    out = project / "out"
    docx.Document(str(out / "brief.docx"))
    assert len(PdfReader(str(out / "brief.pdf"), strict=True).pages) >= 1


# each example puts three arbitrary sources (text, markdown with front matter, raw bytes) next to a
# good one and builds once: one PDF per example keeps the file fast
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(TEXT, WORDS), md=st.one_of(TEXT, WORDS), raw=RAW)
def test_arbitrary_sources_never_crash_the_build(tmp_path, text, md, raw):
    _build(
        tmp_path,
        {
            "any.txt": ("Title line\n\n" + text).encode("utf-8"),
            "any.md": ("---\ntitle: " + md[:40] + "\n---\n\n" + md).encode("utf-8"),
            "raw.txt": raw,
        },
    )
