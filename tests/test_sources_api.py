"""The split of loading into a per-file step (``read_one``) and a folder step (``finish``): the same
result as ``load_sources``, picklable results that can come from worker processes, no dependence on
the hash seed, inputs left untouched so cached results can be reused."""

from __future__ import annotations

import copy
import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

from briefing.sources import finish, load_sources, read_one, scan

ROOT = Path(__file__).resolve().parents[1]

STORY = (
    "Harbour officials in the coastal town said on Monday that the ferry service would stay closed "
    "until the storm damage to the pier had been repaired and the channel dredged again.\n\n"
    "Fishermen counted their boats at dawn and found that most had survived the gale, although "
    "three wooden hulls were lost near the breakwater and two sheds collapsed.\n\n"
    "The regional council promised emergency funds for the repairs and a public meeting on Friday "
    "about the future of the old sea wall, which residents say has failed twice in ten years.\n"
)


def _result(res) -> str:
    """Everything a load produces, as one comparable string."""
    rows = [
        (s.id, s.path, s.sha256, s.format, s.text, s.offsets.runs, s.title, s.outlet, s.author, s.published,
         s.reliability, s.inferred, s.paragraphs, [(d.start, d.end, d.rule) for d in s.dropped], s.warnings,
         s.duplicate_of, s.group)
        for s in res.sources
    ]
    return json.dumps([rows, res.warnings, res.skipped], default=str)


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    (d / "sub").mkdir(parents=True)
    (d / "story.txt").write_text("Storm closes the harbour ferry\n\n" + STORY, encoding="utf-8")
    (d / "copy.txt").write_text("Storm closes the harbour ferry\n\n" + STORY, encoding="utf-8")  # identical
    trimmed = STORY.split("\n\n")
    (d / "sub" / "trimmed.md").write_text("# Harbour ferry stays shut\n\n" + "\n\n".join(trimmed[:2]) + "\n", encoding="utf-8")
    (d / "a b.txt").write_text("A different report\n\nThe mountain road reopened after the snow was cleared by the army.\n", encoding="utf-8")
    (d / "a-b.txt").write_text("Another report\n\nTeachers in the hill villages kept the schools open all winter long.\n", encoding="utf-8")
    (d / "wire.txt").write_text(
        "PORTVILLE, March 3 (Coast Wire) - The lighthouse keeper reported that the beacon failed twice during the night.\n",
        encoding="utf-8",
    )
    (d / "dated.md").write_text("---\ntitle: Dated report\npublished: 2024-03-10\n---\n\nThe market reopened on Sunday after the floods.\n", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (d / "notes.rtf").write_text("{\\rtf1 hi}", encoding="utf-8")
    (d / ".hidden.txt").write_text("not a source", encoding="utf-8")
    (d / "sources.yaml").write_text(
        "story.txt:\n  outlet: Coast Times\n  published: 2024-03-04\n"
        "dated.md:\n  title: Sidecar title (the declared one wins)\n  outlet: Inland Post\n"
        "a b.txt:\n  published: 2024-02-01\n  title: Sidecar beats the inferred title\n",
        encoding="utf-8",
    )
    return d


def test_read_one_then_finish_is_load_sources(tmp_path):
    d = _folder(tmp_path)
    files = scan(d)
    assert [rel for rel, _ in files] == sorted(rel for rel, _ in files)
    assert ".hidden.txt" not in [rel for rel, _ in files] and "sources.yaml" not in [rel for rel, _ in files]
    read = [read_one(p, d) for _, p in files]
    res = finish(d, [(rel, *r) for (rel, _), r in zip(files, read)])
    assert _result(res) == _result(load_sources(d))
    by_path = {s.path: s for s in res.sources}
    # folder-level steps happened in finish
    assert by_path["story.txt"].outlet == "Coast Times" and by_path["story.txt"].published == "2024-03-04"
    assert by_path["story.txt"].title == "Storm closes the harbour ferry"  # inferred, no sidecar title
    assert by_path["dated.md"].title == "Dated report" and by_path["dated.md"].outlet == "Inland Post"
    assert by_path["a b.txt"].title == "Sidecar beats the inferred title" and "title" not in by_path["a b.txt"].inferred
    assert by_path["story.txt"].duplicate_of == by_path["copy.txt"].id  # first in load order
    assert "identical to copy" in by_path["story.txt"].warnings[-1]
    assert by_path["sub/trimmed.md"].group == by_path["copy.txt"].id
    assert "near-duplicate of copy" in by_path["sub/trimmed.md"].warnings[-1]
    assert by_path["wire.txt"].published == "2024-03-03" and "published" in by_path["wire.txt"].inferred
    assert len({s.id for s in res.sources}) == len(res.sources)
    assert set(res.skipped) == {"empty.txt", "image.txt", "notes.rtf"}


def test_read_one_is_pure_and_reports_its_own_warnings(tmp_path):
    d = _folder(tmp_path)
    src, warnings = read_one(d / "story.txt", d)
    assert src is not None and src.path == "story.txt" and src.id == "story"
    # no sidecar, no duplicates, no folder knowledge in the per-file result
    assert src.outlet is None and src.duplicate_of is None and src.group is None
    assert warnings == [f"story.txt: {w}" for w in src.warnings]
    # the same bytes at the same relative path elsewhere give the same result
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "story.txt").write_bytes((d / "story.txt").read_bytes())
    again, w2 = read_one(other / "story.txt", other)
    assert pickle.dumps(again) == pickle.dumps(src) and w2 == warnings
    skipped, w3 = read_one(d / "image.txt", d)
    assert skipped is None and w3 == ["image.txt: skipped: not a text file (looks like a PNG image)"]
    assert read_one(d / ".hidden.txt", d) == (None, [])


def test_results_pickle_and_finish_leaves_its_inputs_alone(tmp_path):
    d = _folder(tmp_path)
    items = [(rel, *read_one(p, d)) for rel, p in scan(d)]
    thawed = pickle.loads(pickle.dumps(items))
    frozen = pickle.dumps(thawed)
    first = finish(d, thawed)
    assert pickle.dumps(thawed) == frozen  # nothing mutated: a cache may hand the same objects again
    second = finish(d, thawed)
    assert _result(first) == _result(second) == _result(load_sources(d))


def test_read_one_in_worker_processes(tmp_path):
    """Spawned workers have their own hash seeds and import state: the result must not change."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    d = _folder(tmp_path)
    files = scan(d)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        read = list(pool.map(read_one, [p for _, p in files], [d] * len(files)))
    res = finish(d, [(rel, *r) for (rel, _), r in zip(files, read)])
    assert _result(res) == _result(load_sources(d))


def _many_stories(folder: Path, n: int = 90) -> None:
    """More sources than the all-pairs threshold, with planted copies, trimmed copies and edits."""
    rng = random.Random(7)
    vocab = [f"{a}{b}" for a in ("bar", "cel", "dun", "fal", "gor", "hel", "jor", "kal") for b in ("ab", "ek", "im", "on", "ul", "ys", "ar", "et", "ix", "oz")]
    stories = []
    for i in range(n):
        if stories and i % 9 == 0:
            words = rng.choice(stories)[: rng.randrange(60, 200)]  # trimmed copy
        elif stories and i % 11 == 0:
            words = list(rng.choice(stories))
            for k in rng.sample(range(len(words)), 8):
                words[k] = "changed"
        else:
            words = [rng.choice(vocab) for _ in range(rng.randrange(60, 220))]
        stories.append(words)
        text = "Report number %d\n\n" % i + " ".join(words).capitalize() + ".\n"
        if i % 5 == 0:  # furniture and a teaser, for the cleaner's word statistics
            text += "\nShare this article\n\nMore Coverage\n\nRiver Town Council Approves Park Budget\n\nThe River Town council approved money for parks and a library on Monday.\n"
        (folder / f"s{i:03d}.txt").write_text(text, encoding="utf-8")


def test_cleaning_and_duplicate_groups_do_not_depend_on_the_hash_seed(tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    _many_stories(d)
    code = (
        "import json, sys; from briefing.sources import load_sources; r = load_sources(sys.argv[1]); "
        "print(json.dumps([(s.id, s.duplicate_of, s.group, s.text, [(d.start, d.end, d.reason) for d in s.dropped]) for s in r.sources]))"
    )
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        p = subprocess.run([sys.executable, "-c", code, str(d)], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        outs.append(json.loads(p.stdout))
    assert outs[0] == outs[1]
    groups = {row[2] for row in outs[0]}
    assert 1 < len(groups) < 90  # the planted copies were found


def test_finish_without_a_folder_applies_no_sidecar(tmp_path):
    d = _folder(tmp_path)
    items = [(rel, *read_one(p, d)) for rel, p in scan(d)]
    res = finish(None, copy.deepcopy(items))
    story = next(s for s in res.sources if s.path == "story.txt")
    assert story.outlet is None and "story.txt: no publication date" in res.warnings
