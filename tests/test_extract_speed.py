"""The fast paths of extraction give exactly what the plain regex scans they replace gave.

Each speed-up (keyword gates before regexes, a word table instead of a 900-way country alternation,
per-alias scans instead of one alias alternation, windowed scans instead of trying a pattern at every
position, memoised per-text answers) is checked here against a reference implementation of the slow
path, on the repository's article sets and on hand-made texts of our own. The last tests guard against
quadratic behaviour on huge one-line inputs (generous bounds: a quadratic scan would take minutes).
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from briefing.extract import actors, advisories, common, lexicon, numbers, periods
from briefing.extract.text import Context, lower_for_gates, split_sentences
from tests.fixtures.extract.helpers import ctx_from_text

ROOT = Path(__file__).resolve().parents[1]

# Texts of our own with the constructions the fast paths must not miss.
OWN = [
    "The U.S. State Department ordered non-emergency staff and their families to leave Haiti on Friday. "
    "Canada, Germany and the UK told their nationals to depart Port-au-Prince immediately.",
    "The Norwegian government urged its citizens in Chad to leave while flights are available. Oslo said "
    "it had not ordered an evacuation. Do not travel to the border region, the advisory says.",
    "Britain has advised against all travel to Sudan; the embassy in Khartoum closed and diplomats were "
    "withdrawn. Authorities said 12 people were killed and 30 wounded in El Fasher last week.",
    "In the first half of 2024 the Rapid Support Forces (RSF) carried out 310 attacks, up from 150 in the "
    "same period a year earlier, according to the Armed Conflict Location & Event Data Project (ACLED).",
    "Since early September, the Front for Change (FFC) has attacked convoys near Abéché; on 3 March 2025 "
    "gunmen abducted two Italian engineers. A missionary was kidnapped in Niger's Tillabéri region.",
    "“We will not leave,” said Foreign Minister Ana Duarte of Mozambique. The town of Pemba, Cabo "
    "Delgado, saw close to 20 percent of the violence this year, against 8 percent last year.",
    "ſtaff ſhould leave now, the mıssion said in a statement; İstanbul-based analysts disagreed.",
    "Jama’at Nusrat al- Islam wal -Muslimin (JNIM) and Islamic State Sahel Province fought near Ménaka.",
    "Dozens of tankers were torched between October 2 and October 9; about 1,200 trucks waited at the "
    "Senegal border. Residents said the Gulf of Guinea route was closed in mid-October.",
    "x.about 40 people fled; (nearly 300 homes) burned; ca. 12 schools shut; some 2.5 million need aid.",
]


def corpus_texts() -> list[str]:
    out = list(OWN)
    for folder in ("seeds", "tests/data/devset", "tests/data/holdout"):
        for p in sorted((ROOT / folder).glob("*")):
            if p.suffix in (".txt", ".md"):
                out.append(p.read_text(encoding="utf-8", errors="replace"))
    return out


TEXTS = corpus_texts()
SENTENCES = [s.text for t in TEXTS for s in split_sentences(t)]


def test_the_corpus_is_there():
    assert len(TEXTS) > 30 and len(SENTENCES) > 800


# --- gates -----------------------------------------------------------------------------------------


def test_advisory_gates_never_hide_a_cue():
    ungated = [(a, r, s, rx, lambda low: True) for a, r, s, rx, _ in advisories._patterns()]
    key = lambda cues: [(c.action, c.start, c.end, c.rule, c.people) for c in cues]  # noqa: E731
    for t in SENTENCES:
        assert key(advisories._find_cues(t)) == key(advisories._find_cues(t, ungated)), t


def test_advisory_gates_match_each_pattern_alone():
    # a gate must hold whenever its own pattern matches (not only when the cue survives the overlap rules)
    for t in SENTENCES:
        low = lower_for_gates(t)
        for _a, rule, _s, rx, gate in advisories._patterns():
            if rx.search(t):
                assert gate(low), (rule, t)


def test_time_pattern_gates_match_each_pattern_alone():
    for t in SENTENCES + ["Between Jan 3 and Feb 9, 2025", "Q3-2024", "2025-H2", "the previous year's level",
                          "in mid-Sept", "on Wednesday's vote", "twelve months earlier", "2100"]:
        low = lower_for_gates(t)
        for prio, (name, rx) in enumerate(periods._RX):
            _gname, groups, on_lower = periods._GATES[prio]
            if rx.search(t):
                assert periods._gate_open(groups, low if on_lower else t), (name, t)


def test_find_times_with_and_without_the_memo_agree():
    for t in TEXTS[:40]:
        for s in split_sentences(t):
            a = periods.find_times(t, None, s.start, s.end)
            periods._CAND_TEXT[0] = None
            b = periods.find_times(t, None, s.start, s.end)
            assert [(x.start, x.end, x.kind, x.date) for x in a] == [(x.start, x.end, x.kind, x.date) for x in b]


def test_hedge_gate_keeps_every_hedge():
    for t in SENTENCES:
        for m in numbers._CORE.finditer(t):
            before = t[max(0, m.start() - 40):m.start()]
            ref = next((q for q, rx in numbers._HEDGE_BEFORE_RX if rx.search(before)), None)
            assert numbers._hedge(t, m.start(), 0)[0] == ref, t


# --- country mentions --------------------------------------------------------------------------------


def _reference_countries(text: str) -> list[tuple[int, int, str, str]]:
    forms = lexicon._forms()
    alts = sorted(set(forms) | set(lexicon._BLOCKERS), key=lambda s: (-len(s), s))
    rx = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")
    return [(m.start(), m.end(), forms[m.group(0)][0], forms[m.group(0)][1])
            for m in rx.finditer(text) if m.group(0) in forms]


def test_country_word_table_finds_what_the_alternation_found():
    odd = ("Paris-based, anti-France, US-led, the States, Gulf of Guinea, Niger Delta, Nigerians, Côte d'Ivoire, "
           "Åland, Washington, D.C., U.K.-made, Britain's, Chadian, Mali_x, Mali2, Germany")
    for t in TEXTS + [odd]:
        got = [(m.start, m.end, m.code, m.kind) for m in lexicon.find_countries(t)]
        assert got == _reference_countries(t)


def test_sentence_mentions_come_from_the_whole_text_scan():
    for t in TEXTS:
        every = lexicon.find_countries(t)
        starts = [m.start for m in every]
        for s in split_sentences(t):
            assert advisories._sentence_mentions(every, starts, s.start, s.end) == lexicon.find_countries(s.text)


def test_extract_index_is_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_index", ROOT / "briefing" / "data" / "build_index.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = (ROOT / "briefing" / "data" / "extract_index.txt").read_text(encoding="utf-8")
    assert shipped == mod.render(), "run: python briefing/data/build_index.py"


def test_gazetteer_lookups_read_the_index():
    gaz = actors._gazetteer()
    assert "bamako" in gaz and gaz["bamako"][0].cc == "ML"
    assert gaz.get("no such place at all") is None
    assert "nioro" in gaz.multi_first  # "Nioro du Sahel"


# --- actors -----------------------------------------------------------------------------------------


def _reference_aliases(text: str) -> list[tuple[int, int, str]]:
    names, acros = [], []
    for i, e in enumerate(actors.alias_table()):
        for j, a in enumerate(sorted(e.aliases, key=len, reverse=True)):
            is_acro = bool(re.fullmatch(r"[A-Z0-9.\-]{2,8}|[A-Z][A-Za-z]?[A-Z0-9]{1,6}", a)) and not a.istitle()
            (acros if is_acro else names).append((len(a), f"a{i}_{j}", actors._alias_regex(a), e))
    names.sort(key=lambda x: -x[0])
    acros.sort(key=lambda x: -x[0])
    groups = {g: e for _, g, _, e in names + acros}
    rn = re.compile(r"(?<![\w])(?:" + "|".join(f"(?P<{g}>{r})" for _, g, r, _ in names) + r")(?![\w])", re.I)
    ra = re.compile(r"(?<![\w.])(?:" + "|".join(f"(?P<{g}>{r})" for _, g, r, _ in acros) + r")(?![\w])")
    out = []
    for rx in (rn, ra):
        for m in rx.finditer(text):
            out.append((m.start(), m.end(), groups[m.lastgroup].canonical))
    out.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for m in out:
        if kept and m[0] < kept[-1][1]:
            continue
        kept.append(m)
    return kept


def test_alias_scan_finds_what_the_alias_alternation_found():
    for t in TEXTS:
        got = [(m.start, m.end, m.canonical) for m in actors._alias_mentions(t)]
        assert got == _reference_aliases(t)


def test_windowed_scans_equal_the_plain_finditer():
    rnd = random.Random(7)
    words = ["the", "town", "of", "Kayes", "city", "Gao", "region", "Mali’s", "northern", "hometown", "(UN)",
             "(NRA)", "United", "Nations", "for", "x", "Relief", "Alliance", "de", "al-", "-Bria", "\n", "  ", "\t",
             "and", "(cpc)", "Coalition", "base", "camp", "Sahel"]
    made = [" ".join(rnd.choice(words) for _ in range(rnd.randint(5, 60))) for _ in range(400)]
    for t in TEXTS + made:
        assert [m.span() for m in actors._place_ctx_matches(t)] == [m.span() for m in actors._PLACE_CTX.finditer(t)]
        assert [m.span() for m in actors._acro_matches(t)] == [m.span() for m in actors._ACRO_RX.finditer(t)]


def test_speaker_before_a_quote_is_found_where_the_plain_search_finds_it():
    rnd = random.Random(11)
    words = ["The", "minister", "said", "says", "sayings", "told", "reporters", ",", ".", ";", "“", "”", "  ", "\n",
             "Ana", "Duarte", "that", "a", "resident", "claimed", "read", "x" * 30, "  \t "]
    made = [" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 90))) + " “quoted words here”"
            for _ in range(600)]
    for t in TEXTS + made:
        for s in split_sentences(t):
            for m in actors._QUOTE.finditer(t, s.start):
                if m.start() >= s.end:
                    break
                got = actors._said_before(t, s.start, m.start())
                ref = actors._X_SAID_BEFORE.search(t, s.start, m.start())
                assert (got.span("x") if got else None) == (ref.span("x") if ref else None), t[s.start:m.end()]


def test_quote_spans_and_in_quotes():
    def ref_spans(text):
        spans = []
        for m in re.finditer(r'“[^“”"\n]*(?:[”"]|$)', text, re.M):
            spans.append((m.start(), m.end()))
        for line in re.finditer(r"[^\n]+", text):
            for m in re.finditer(r'"[^"\n]*"', line.group(0)):
                if not any(a <= line.start() + m.start() < b for a, b in spans):
                    spans.append((line.start() + m.start(), line.start() + m.end()))
        return tuple(sorted(spans))

    extra = ['He said “no "way" at all” and "yes" then “open\nnext "x" line']
    for t in TEXTS + extra:
        spans = common.quote_spans(t)
        assert spans == ref_spans(t)
        for pos in range(0, len(t), 7):
            assert common.in_quotes(t, pos) == any(s < pos < e for s, e in spans)


# --- scaling ----------------------------------------------------------------------------------------

PROSE = "The long road along the river bends past quiet fields where the farmers wait for rain. "
HUGE = {
    "one line of prose": lambda n: (PROSE * (n // len(PROSE) + 1))[:n],
    "one repeated name": lambda n: ("Mali " * (n // 5 + 1))[:n],
    "capitalised words": lambda n: ("THE ARMY SAID THAT JNIM FIGHTERS ATTACKED " * (n // 42 + 1))[:n],
    "quotes": lambda n: ('“They said "go" and \'left\' ' * (n // 28 + 1))[:n],
    "claims": lambda n: ("President John Smith said “we will win the war” . " * (n // 50 + 1))[:n],
    "markup soup": lambda n: (("<div class='c1' id=\"x\"><span>&nbsp;&amp;</span><a href=\"/n/2025/10/01?id=12&x=3\">"
                               "More</a><script>var x = {a: 1}; if (x.a < 2) { f('<p>'); }</script>{{ 7*7 }}</div>\n")
                              * (n // 160 + 1))[:n],
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_huge_one_line_inputs_stay_linear(case):
    from briefing.extract import extract
    from briefing.model import OffsetMap, Source

    text = HUGE[case](200_000)
    src = Source("x", "x.txt", "0", "txt", text, text, OffsetMap.identity(len(text)), published="2025-10-01")
    t = time.process_time()
    extract(src)
    assert time.process_time() - t < 6.0  # about 0.1-0.6 s; quadratic scans took minutes


def test_context_sentences_unchanged_by_the_bounded_token_window():
    t = ("a" * 300 + ". Next one. U.S. officials met. " + "x." * 200 + " End.")
    got = [(s.start, s.end) for s in Context.of(ctx_from_text(t).source).sentences]
    assert got[0] == (0, 301) and any(t[a:b].startswith("U.S. officials") for a, b in got)
