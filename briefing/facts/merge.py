"""Merge per-source facts into one FactSheet.

- Facts about the same thing (same identity key, compatible values) merge into one fact with several
  evidence entries. Corroboration counts independent lines of reporting: near-duplicate sources share a
  group, and a figure attributed to one originator ("according to ACLED") counts once however many
  outlets repeat it.
- Different values for the same thing stay separate facts, each marked ``conflict``, and a Conflict
  names them: never averaged.
- Events: reports of one happening merge into one event whatever their wording (``happening_score``:
  compatible dates, nothing that tells them apart - another town, party, country or kind of
  happening - and enough in common); the merged event reads as its clearest wording, carries the most
  precise date and keeps the other wordings in ``attrs.also_worded``. Two attacks on one day in two
  towns stay two events.
- Actors: an actor fact, an event's actor and a count's actor that are aliases of one group get the
  group's canonical name (``actor_canon_map``); the actor fact lists the aliases.
- Derived facts keep ``derived=True`` and point at the fact they were computed from.
- The analyst's review file (see ``review.py``) is applied last.
"""

from __future__ import annotations

import bisect
import functools
import gc
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Conflict, Evidence, Fact, FactSheet, Source

NUMERIC = ("count", "share", "casualties", "kidnapping", "quantity")
_QUAL_RANK = {"exact": 0, None: 1, "approx": 2, "approx_below": 2, "at_least": 3, "more_than": 3, "up_to": 3, "range": 4, "vague": 5}


_WS = re.compile(r"\s+")


def _norm(s: str | None) -> str:
    return _norm_text(s) if s else ""


@functools.lru_cache(maxsize=1 << 16)
def _norm_text(s: str) -> str:
    # memoised: a build normalises the same few thousand names and labels hundreds of thousands of times
    return _WS.sub(" ", s.strip().lower())


def fact_key(f: Fact) -> tuple:
    """What a fact is about (not its value): facts with equal keys talk about the same thing."""
    per = f.period.label if f.period else None
    if f.kind == "advisory":
        return (f.kind, f.country, f.action)
    if f.kind in ("casualties", "kidnapping"):
        # who was hit matters: one kidnapped missionary and six abducted drivers are two incidents
        who = _norm(str(f.attrs.get("victims") or "")) or _norm(f.what)
        return (f.kind, who, _norm(str(f.attrs.get("nationality") or "")), f.date or per, _norm(f.place), f.country)
    if f.kind in NUMERIC:
        return (f.kind, _norm(f.actor), _norm(f.what), per, _norm(f.region), _norm(f.place), bool(f.derived))
    if f.kind == "actor":
        return (f.kind, _norm(f.actor or f.text))
    if f.kind == "place":
        return (f.kind, _norm(f.place), f.country)
    if f.kind == "claim":
        return (f.kind, _norm(f.speaker), _norm(f.text))
    return (f.kind, f.date, _norm(f.text or f.what)[:80])


def _hash(obj) -> str:
    return hashlib.sha1(repr(obj).encode("utf-8")).hexdigest()[:10]


def fact_id(f: Fact, extra: object = None) -> str:
    key = fact_key(f)
    return f"{f.kind}-{_hash(key if extra is None else (key, extra))}"


def _bounds(f: Fact) -> tuple[float | None, float | None]:
    """The interval of values a fact allows (None = unbounded)."""
    q = f.qualifier
    v = f.value
    if q == "range":
        return f.low, f.high
    if v is None:
        return f.low, f.high  # vague: whatever bounds it has
    if q in ("at_least", "more_than"):
        return v, None
    if q == "up_to":
        return None, v
    if q in ("approx", "approx_below"):
        tol = max(abs(v) * 0.1, 1.0)
        return v - tol, v + (0 if q == "approx_below" else tol)
    return v, v


def compatible(a: Fact, b: Fact) -> bool:
    """Can two reports of the same slot both be true?"""
    if a.kind not in NUMERIC:
        return True
    if a.value is None and a.low is None and a.high is None:
        return True
    if b.value is None and b.low is None and b.high is None:
        return True
    (alo, ahi), (blo, bhi) = _bounds(a), _bounds(b)
    lo = max(x for x in (alo, blo, float("-inf")) if x is not None)
    hi = min(x for x in (ahi, bhi, float("inf")) if x is not None)
    return lo <= hi + 1e-9


_INF = float("inf")


def _interval(f: Fact) -> tuple[bool, float, float]:
    """(unbounded, lo, hi) as ``compatible`` reads a fact."""
    if f.value is None and f.low is None and f.high is None:
        return True, -_INF, _INF
    lo, hi = _bounds(f)
    return False, -_INF if lo is None else lo, _INF if hi is None else hi


class _BucketIndex:
    """The facts of one bucket (one slot with conflicting values) indexed by interval, so that finding
    the first fact compatible with a new one does not scan a bucket that grew to hundreds of values."""

    def __init__(self, bucket: list[Fact]):
        self.bucket = bucket
        self.n = 0
        self.first_unbounded: int | None = None
        self.point_values: list[float] = []  # sorted distinct values of exact (point) facts
        self.point_first: dict[float, int] = {}  # value -> first position in the bucket
        self.others: list[tuple[int, float, float]] = []  # bounded intervals that are not points
        for g in bucket:
            self.add(g)

    def add(self, g: Fact) -> None:
        i = self.n
        self.n += 1
        u, lo, hi = _interval(g)
        if u:
            if self.first_unbounded is None:
                self.first_unbounded = i
        elif lo == hi:
            if lo not in self.point_first:
                self.point_first[lo] = i
                bisect.insort(self.point_values, lo)
        else:
            self.others.append((i, lo, hi))

    def first(self, flo: float, fhi: float) -> int | None:
        best = self.first_unbounded
        for i, lo, hi in self.others:
            if best is not None and i > best:
                break
            if max(lo, flo) <= min(hi, fhi) + 1e-9:
                best = i
                break
        if flo <= fhi + 1e-9:
            vals = self.point_values
            k = bisect.bisect_left(vals, flo - 1e-9)
            end = bisect.bisect_right(vals, fhi + 1e-9)
            # a point v is compatible iff max(v, flo) <= min(v, fhi) + 1e-9
            for v in vals[k:end]:
                if max(v, flo) <= min(v, fhi) + 1e-9:
                    j = self.point_first[v]
                    if best is None or j < best:
                        best = j
        return best


def _first_compatible(bucket: list[Fact], f: Fact, index_of: dict[int, _BucketIndex]) -> Fact | None:
    """``next((g for g in bucket if compatible(g, f)), None)`` without scanning long buckets."""
    if f.kind not in NUMERIC:
        return bucket[0]
    fu, flo, fhi = _interval(f)
    if fu:
        return bucket[0]
    if len(bucket) < 8:
        for g in bucket:
            if compatible(g, f):
                return g
        return None
    idx = index_of.get(id(bucket))
    if idx is None or idx.n != len(bucket):
        idx = index_of[id(bucket)] = _BucketIndex(bucket)
    j = idx.first(flo, fhi)
    return None if j is None else bucket[j]


def _line_of_reporting(ev: Evidence, group_of: dict[str, str], originator: dict[str, str | None]) -> str:
    return originator.get(ev.source) or group_of.get(ev.source, ev.source)


def _merge_into(target: Fact, other: Fact, seen: set | None = None) -> None:
    """Merge ``other`` into ``target``. ``seen``: the (source, start, end) of target's evidence, kept by
    the caller across merges (rebuilding it for every merge was quadratic for facts with thousands of
    evidence entries)."""
    if seen is None:
        seen = {(e.source, e.start, e.end) for e in target.evidence}
    for e in other.evidence:
        if (e.source, e.start, e.end) not in seen:
            target.evidence.append(e)
            seen.add((e.source, e.start, e.end))
    # keep the most precise statement of the value
    if _QUAL_RANK.get(other.qualifier, 1) < _QUAL_RANK.get(target.qualifier, 1) and other.value is not None:
        for attr in ("value", "low", "high", "qualifier", "surface", "unit"):
            setattr(target, attr, getattr(other, attr))
    for a in other.aliases:
        if a not in target.aliases:
            target.aliases.append(a)
    for k, v in other.attrs.items():
        target.attrs.setdefault(k, v)
    if target.date is None and other.date:
        target.date, target.date_precision = other.date, other.date_precision
    target.confidence = max(target.confidence, other.confidence)


# ------------------------------------------------------------------------------------------------
# Actors: one canonical name per group across extractors
# ------------------------------------------------------------------------------------------------

_APOS_RX = re.compile(r"[’'ʼ`´‘]")
_DASH_RX = re.compile(r"[-‐‑–—]+")


def fold_name(s: str | None) -> str:
    """A name compared across sources: accents, apostrophes, hyphens, case and a leading "the" folded."""
    if not s:
        return ""
    return _fold(s)


@functools.lru_cache(maxsize=1 << 16)
def _fold(s: str) -> str:
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _DASH_RX.sub(" ", _APOS_RX.sub("", s.lower()))
    s = _WS.sub(" ", s).strip(" .,;:")
    return _THE.sub("", s)


_THE = re.compile(r"^the\s+")


_ACTOR_RULE_RANK = {"actor.alias": 0, "actor.acronym": 1}


def actor_canon_map(facts: list[Fact]) -> dict[str, str]:
    """folded name or alias -> canonical actor name, from the actor facts of every source.

    Two actor facts are one group when the canonical name of one is a name or alias of the other
    ("African Union" with alias "AU", and "AU" with alias "African Union"). The group's name is the
    alias table's canonical name when one member comes from the table, else the acronym, else the most
    mentioned. A name that would map to two groups is left alone (ambiguous)."""
    acts = [f for f in facts if f.kind == "actor" and f.actor]
    if not acts:
        return {}
    from ..util import DisjointSets

    sets_of = DisjointSets(len(acts))
    find = sets_of.find
    canon_at: dict[str, int] = {}
    for i, f in enumerate(acts):
        k = fold_name(f.actor)
        if k in canon_at:
            sets_of.union(i, canon_at[k])
        else:
            canon_at[k] = i
    for i, f in enumerate(acts):
        for a in f.aliases:
            j = canon_at.get(fold_name(a))
            if j is not None:
                sets_of.union(i, j)
    groups: dict[int, list[Fact]] = {}
    for i, f in enumerate(acts):
        groups.setdefault(find(i), []).append(f)
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for members in groups.values():
        best = min(members, key=lambda f: (_ACTOR_RULE_RANK.get(f.rule or "", 2),
                                           -int(f.attrs.get("mentions") or 1), f.actor or ""))
        name = best.actor or ""
        for f in members:
            for n in [f.actor or ""] + list(f.aliases):
                k = fold_name(n)
                if not k:
                    continue
                if out.get(k, name) != name:
                    ambiguous.add(k)
                out[k] = name
    for k in ambiguous:
        out.pop(k, None)
    return out


def canonicalise_actors(facts: list[Fact], canon: dict[str, str]) -> None:
    """Give every fact's actor (and an organisation speaker of a claim) its group's canonical name;
    an actor fact renamed this way keeps its old name as an alias."""
    if not canon:
        return
    for f in facts:
        if f.actor:
            name = canon.get(fold_name(f.actor))
            if name and name != f.actor:
                if f.kind == "actor" and f.actor not in f.aliases:
                    f.aliases.append(f.actor)
                f.actor = name
        if f.kind == "claim" and f.speaker:
            name = canon.get(fold_name(f.speaker))
            if name and name != f.speaker and f.attrs.get("role") != f.speaker:
                f.speaker = name
    for f in facts:
        if f.kind == "actor" and f.aliases:
            f.aliases = [a for a in dict.fromkeys(f.aliases) if fold_name(a) != fold_name(f.actor)]


# ------------------------------------------------------------------------------------------------
# Events: one fact per happening, however many sources and wordings report it
# ------------------------------------------------------------------------------------------------

# What kind of happening a wording describes. Rare kinds (a coup, a founding, a blockade) identify a
# happening on a date more strongly than common ones (an attack).
_EVENT_CLASSES: tuple[tuple[str, bool, str], ...] = (
    ("coup", True, r"coups?|putsch\w*|(?:seiz\w*|took|taken|tak\w+|grabb?\w*)\s+power|overthr\w+|toppl\w+|junta\s+took"),
    ("founding", True, r"formed|formation|founded|founding|created|creation|established|establishment|merged|merger"),
    ("blockade", True, r"blockad\w*|block(?:ed|ing|s)?|siege|besieg\w*|encircl\w*"),
    ("election", True, r"elections?|electoral|vote[ds]?|voting|referendum|polls?|inaugurat\w*|sworn"),
    ("agreement", True, r"agree\w*|accords?|deal|ceasefire|truce|sign(?:ed|ing|s)?|pact|charter|treaty|talks"),
    ("expulsion", True, r"expel\w*|expulsion|ordered\s+out|kicked\s+out|deport\w*"),
    ("withdrawal", False, r"withdr\w+|pull\w*\s+out|pulled|quit\w*|left|leav\w+|exit\w*|depart\w*|evacuat\w*"),
    ("kidnapping", False, r"kidnap\w*|abduct\w*|hostages?|seized\s+(?:\w+\s+){0,3}(?:workers?|drivers?|nationals?|"
                          r"engineers?|people|civilians|missionar\w+|pilots?|tourists?)"),
    ("release", False, r"releas\w*|freed|free"),
    ("destruction", False, r"burn(?:ed|t|ing|s)?|torch\w*|destroy\w*|hijack\w*|loot\w*|set\s+(?:fire|ablaze)|razed"),
    ("war", True, r"wars?|civil\s+war|broke\s+out|erupted|(?:fighting|war|conflict|violence|clashes)\s+(?:began|started)|"
                  r"outbreak\s+of\s+(?:war|fighting)"),
    ("attack", False, r"attack(?:s|ed|ing)?|ambush\w*|raid(?:s|ed|ing)?|assault\w*|struck|strikes?|airstrikes?|"
                      r"bomb(?:s|ed|ing|ings|ardment|arded)?|shell(?:s|ed|ing)|clash(?:es|ed)?|fighting|fought|"
                      r"offensive|massacre\w*"),
    ("capture", False, r"captur\w*|retook|retak\w+|overr[au]n|took\s+control|seiz(?:ed|ure)\s+(?:the\s+)?(?:town|city|"
                       r"base|road|port|airport|capital)"),
    ("displacement", False, r"displac\w*|fled|flee\w*|refugees?"),
    ("suspension", False, r"suspend\w*|suspension|banned|bans?|closed|closure|halt\w*|shut"),
    ("advice", False, r"urg\w+|advis\w+|told\s+(?:its\s+)?(?:citizens|nationals)"),
)
_CLASS_RX = [(name, rare, re.compile(rf"\b(?:{rx})\b")) for name, rare, rx in _EVENT_CLASSES]
_RARE = frozenset(name for name, rare, _ in _EVENT_CLASSES if rare)
_EVENT_STOP = frozenset("""
have has had been being were was with from that this these those their there they them into onto over
under after before since during while when where which what whose also about against among than then
more most some such only just very said says told according still would could should will other another
year years month months week weeks days today yesterday last first second third following amid
""".split())
_PLACE_AFTER = re.compile(r"\b(?:in|near|at|outside|around|inside|into|of)\s+(?:the\s+)?([A-Z][\w’'-]*\w(?:[ -][A-Z][\w’'-]*\w)*)")
_PLACE_SKIP = frozenset("the a an this that his her its their".split())


_ACRONYM_RX = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")
_NOT_PARTY = frozenset("US UK EU UN AM PM GMT UTC ID TV".split())


_TOKEN4 = re.compile(r"[a-z]{4,}")


def _event_tokens(f: Fact) -> set[str]:
    return set(_TOKEN4.findall(_norm(f.text or f.what)))


@dataclass
class _EventSig:
    date: str | None
    classes: set[str]
    actors: set[str]
    places: set[str]
    countries: set[str]
    words: set[str]
    _keys: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def keys(self) -> list[str]:
        """What the signature can be looked up by (remembered until ``absorb``; do not modify)."""
        if self._keys is None:
            self._keys = ([f"c:{c}" for c in sorted(self.classes)] + [f"a:{a}" for a in sorted(self.actors)]
                          + [f"p:{p}" for p in sorted(self.places)] + [f"w:{w}" for w in sorted(self.words)])
        return self._keys

    def absorb(self, o: "_EventSig") -> None:
        self._keys = None
        self.classes |= o.classes
        self.actors |= o.actors
        self.places |= o.places
        self.countries |= o.countries
        self.words |= o.words


@functools.lru_cache(maxsize=1 << 14)
def _classes_of(low: str) -> frozenset[str]:
    """The kinds of happening a lower-cased wording names (memoised: sources repeat wordings)."""
    return frozenset(name for name, _rare, rx in _CLASS_RX if rx.search(low))


@functools.lru_cache(maxsize=1 << 16)
def _content_word(w: str) -> bool:
    """A token that tells wordings apart: not a stop word, not itself a kind-of-happening word."""
    return w not in _EVENT_STOP and not any(rx.fullmatch(w) for _, _, rx in _CLASS_RX)


def _event_sig(f: Fact) -> _EventSig:
    text = f.text or f.what or ""
    low = text.lower()
    classes = set(_classes_of(low))
    toks = _event_tokens(f)
    words = {w for w in toks if _content_word(w)}
    places = {fold_name(f.place)} if f.place else set()
    for m in _PLACE_AFTER.finditer(text):
        name = m.group(1)
        if name.lower() in _PLACE_SKIP or (f.actor and fold_name(name) == fold_name(f.actor)):
            continue
        places.add(fold_name(name))
    countries = set(f.attrs.get("countries") or [])
    if f.country:
        countries.add(f.country)
    # a country named as where it happened is not a town: "in Mali" and "in Gao" do not conflict
    names = {fold_name(n) for n in f.attrs.get("country_names") or []}
    places -= names
    actors = {fold_name(f.actor)} if f.actor else set()
    # every group the wording names by its acronym ("the RSF", "SAF") is a party to the happening
    actors |= {fold_name(a) for a in _ACRONYM_RX.findall(text) if a not in _NOT_PARTY}
    places -= actors
    return _EventSig(f.date, classes, actors, places, countries, words - {w for p in places for w in p.split()})


def _dates_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def happening_score(a: _EventSig, b: _EventSig) -> float:
    """How surely two event signatures describe one happening (0: not the same). Same date (or one
    date inside the other), nothing that tells them apart (another town, another party, another
    country, another kind of happening), and enough in common: the kind of happening (a rare kind
    such as a coup counts more), the party, the place, words."""
    if not _dates_compatible(a.date, b.date):
        return 0
    if a.places and b.places and not (a.places & b.places):
        return 0
    if a.actors and b.actors and not (a.actors & b.actors):
        return 0
    if a.countries and b.countries and not (a.countries & b.countries):
        return 0
    if a.classes and b.classes and not (a.classes & b.classes):
        return 0
    shared = a.classes & b.classes
    if not shared:
        # no kind of happening in common: only near-identical wordings
        union = a.words | b.words
        if union and a.date == b.date and len(a.words & b.words) / len(union) >= 0.5:
            return 3.0
        return 0
    score = 1 + (1 if shared & _RARE else 0)
    score += 2 if a.actors & b.actors else 0
    score += 2 if a.places & b.places else 0
    score += 1 if a.countries & b.countries else 0
    score += min(2, len(a.words & b.words))
    return float(score) if score >= (3 if a.date == b.date else 4) else 0


def same_happening(a: _EventSig, b: _EventSig) -> bool:
    return happening_score(a, b) > 0


_PRECISION = {"day": 0, "month": 1, "year": 2, "vague": 3, None: 4}
_FINITE = re.compile(r"\b(?:\w+ed|is|are|was|were|has|have|had|did|took|made|fell|rose|led|left|held|struck|hit|"
                     r"shut|set|cut|won|lost|fought|sought|brought|saw|became|began|withdrew|seized|overthrew|"
                     r"fled|freed|quit|met|went|came|sent|told|called|signed|killed)\b", re.I)


_STATE_RX = re.compile(r"\b(?:has|have|had)\s+been\b|\b(?:remains?|is|are)\b")


def _text_score(f: Fact) -> float:
    """How well a wording reads as a timeline entry (higher is better)."""
    text = f.text or ""
    n = len(text.split())
    score = -max(0, n - 12) * 0.2 - max(0, 5 - n) * 0.3
    if text[:1].isupper():
        score += 1.0
    if _FINITE.search(text):
        score += 1.0
    if _classes_of(text.lower()):
        score += 1.0
    if f.actor and fold_name(f.actor) in fold_name(text):
        score += 0.5
    if _STATE_RX.search(text):
        score -= 0.3  # a state ("has been under military rule") reads worse than the happening
    return score - 0.02 * n  # of equals, the crisper


def _finish_event(target: Fact, members: list[Fact]) -> None:
    """The merged event reads as its clearest wording and carries the most precise date."""
    if len(members) < 2:
        return
    best = max(members, key=_text_score)  # first of equals: source order
    others = list(dict.fromkeys(m.text for m in members if m.text and _norm(m.text) != _norm(best.text)))
    dated = min(members, key=lambda m: (_PRECISION.get(m.date_precision, 4), -len(m.date or "")))
    target.text = best.text
    target.date, target.date_precision = dated.date, dated.date_precision
    if dated.period is not None:
        target.period = dated.period
    if dated.attrs.get("date_surface"):
        target.attrs["date_surface"] = dated.attrs["date_surface"]
    for attr in ("actor", "place", "country"):
        if getattr(best, attr):
            setattr(target, attr, getattr(best, attr))
        elif not getattr(target, attr):
            setattr(target, attr, next((getattr(m, attr) for m in members if getattr(m, attr)), None))
    if others:
        target.attrs["also_worded"] = others[:4]


class _EventIndex:
    """Event clusters by date, found through what they share (kind of happening, actor, place, words),
    so that a new event is compared with a bounded number of clusters however many there are."""

    SCAN = 64  # clusters looked at per shared key (the most recent)

    def __init__(self) -> None:
        self.by_date: dict[str, dict[str, list[int]]] = {}
        self.finer: dict[str, set[str]] = {}  # date -> the more precise dates inside it
        self.sigs: list[_EventSig] = []
        self.keys: list[tuple] = []
        self.alive: list[bool] = []
        self.members: dict[tuple, list[Fact]] = {}
        self.index_of_key: dict[tuple, int] = {}

    def find(self, f: Fact, sig: _EventSig) -> list[tuple]:
        """The keys of the clusters ``f`` belongs to, best match first (several when ``f`` bridges
        two wordings that had not been recognised as one happening)."""
        d = f.date or ""
        dates = [d] + [p for p in (d[:4], d[:7]) if p != d and len(p) in (4, 7)]
        dates += sorted(self.finer.get(d, ()))
        seen: set[int] = set()
        hits: list[tuple[float, int]] = []
        keys = sig.keys() or ["*"]
        for dd in dates:
            bucket = self.by_date.get(dd)
            if not bucket:
                continue
            for k in keys:
                for i in reversed(bucket.get(k, [])[-self.SCAN:]):
                    if i in seen or not self.alive[i]:
                        continue
                    seen.add(i)
                    sc = happening_score(self.sigs[i], sig)
                    if sc > 0:
                        hits.append((sc, i))
        hits.sort(key=lambda h: (-h[0], h[1]))
        return [self.keys[i] for _, i in hits]

    def add(self, key: tuple, f: Fact, sig: _EventSig) -> None:
        i = len(self.sigs)
        self.sigs.append(sig)
        self.keys.append(key)
        self.alive.append(True)
        self.members[key] = [f]
        self.index_of_key[key] = i
        self._register(i, f.date or "", sig.keys())

    def _register(self, i: int, d: str, keys: list[str]) -> None:
        bucket = self.by_date.setdefault(d, {})
        for k in keys or ["*"]:
            lst = bucket.setdefault(k, [])
            if not lst or lst[-1] != i:
                lst.append(i)
        for p in (d[:4], d[:7]):
            if p != d and len(p) in (4, 7):
                self.finer.setdefault(p, set()).add(d)

    def merged(self, key: tuple, f: Fact, sig: _EventSig) -> None:
        i = self.index_of_key[key]
        new = set(sig.keys()) - set(self.sigs[i].keys())
        self.sigs[i].absorb(sig)
        self.members[key].append(f)
        if new:
            self._register(i, self.sigs[i].date or "", sorted(new))

    def joinable(self, key: tuple, other: tuple) -> bool:
        return same_happening(self.sigs[self.index_of_key[key]], self.sigs[self.index_of_key[other]])

    def absorb_cluster(self, key: tuple, other: tuple) -> list[Fact]:
        """Fold cluster ``other`` into ``key``; returns other's member facts."""
        j = self.index_of_key.pop(other)
        self.alive[j] = False
        i = self.index_of_key[key]
        new = set(self.sigs[j].keys()) - set(self.sigs[i].keys())
        self.sigs[i].absorb(self.sigs[j])
        moved = self.members.pop(other)
        self.members[key].extend(moved)
        if new:
            self._register(i, self.sigs[i].date or "", sorted(new))
        return moved


def build_factsheet(
    sources: list[Source],
    facts_by_source: dict[str, list[Fact]],
    *,
    as_of: str | None = None,
    review_path: Path | None = None,
    extractor_version: str = "",
) -> FactSheet:
    """Merge the facts of every source into one FactSheet (see the module's docstring)."""
    with gc_paused(keep=True):
        return _build_factsheet(sources, facts_by_source, as_of=as_of, review_path=review_path,
                                extractor_version=extractor_version)


class gc_paused:
    """Pause the cyclic garbage collector for a stretch that allocates hundreds of thousands of
    long-lived objects and frees no cycles (merging a large build's facts): each automatic collection
    would traverse the whole heap, seconds in all at thousands of sources. Re-entrant; the collector
    is left as it was found.

    ``keep=True``: what the stretch made is the build's data from then on (the fact sheet). When it made
    many objects, everything alive is frozen (``gc.freeze``) so that later collections do not walk it
    again (the first full collection after a large merge cost 1.5 s at 5,000 sources). Objects freed by
    reference counting still go; ``release_frozen`` (called as each build loads its sources) returns
    whatever an earlier build left frozen to the collector."""

    KEEP_MIN = 100_000  # new container objects that make freezing worth it

    def __init__(self, keep: bool = False):
        self.keep = keep

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc):
        if self.keep and gc.get_count()[0] >= self.KEEP_MIN:
            gc.freeze()
        if self.was:
            gc.enable()
        return False


def release_frozen() -> None:
    """Hand objects frozen by an earlier build (see ``gc_paused``) back to the collector."""
    if gc.get_freeze_count():
        gc.unfreeze()


def _build_factsheet(
    sources: list[Source],
    facts_by_source: dict[str, list[Fact]],
    *,
    as_of: str | None = None,
    review_path: Path | None = None,
    extractor_version: str = "",
) -> FactSheet:
    infos = [s.info() for s in sources]
    # [n] numbering: by date (undated last), then id
    infos.sort(key=lambda s: (s.published or "9999", s.id))
    for i, s in enumerate(infos, 1):
        s.number = i
    dates = [s.published for s in infos if s.published]
    sheet = FactSheet(as_of=as_of or (max(dates) if dates else None), sources=infos, extractor_version=extractor_version)

    group_of = {s.id: (s.group or s.duplicate_of or s.id) for s in sources}
    src_ids = {s.id for s in sources}

    # 1. cluster facts by identity key, then by value compatibility (near-linear: events are looked up
    # among the clusters of their date only, evidence sets are kept per fact across merges)
    clusters: dict[tuple, list[Fact]] = {}
    order: list[tuple] = []
    events = _EventIndex()
    seen_of: dict[int, set] = {}
    index_of: dict[int, _BucketIndex] = {}
    # one canonical name per actor group, whichever extractor named it (actor, count, event, claim)
    canon = actor_canon_map([f for s in sources for f in facts_by_source.get(s.id, []) if f.kind == "actor"])
    for s in sources:
        canonicalise_actors(facts_by_source.get(s.id, []), canon)
    for s in sources:
        for f in facts_by_source.get(s.id, []):
            f.evidence = [e for e in f.evidence if e.source in src_ids]
            sig = None
            key = None
            also: list[tuple] = []
            if f.kind == "event" and f.date is not None:
                sig = _event_sig(f)
                found = events.find(f, sig)
                if found:
                    key, also = found[0], found[1:]
            if key is None:
                key = fact_key(f)
            bucket = clusters.get(key)
            if bucket is None:
                clusters[key] = [f]
                order.append(key)
                if sig is not None:
                    events.add(key, f, sig)
                continue
            g = _first_compatible(bucket, f, index_of)
            if g is None:
                bucket.append(f)
                idx = index_of.get(id(bucket))
                if idx is not None:
                    idx.add(f)
            else:
                seen = seen_of.get(id(g))
                if seen is None:
                    seen = seen_of[id(g)] = {(e.source, e.start, e.end) for e in g.evidence}
                before = _interval(g) if g.kind in NUMERIC else None
                _merge_into(g, f, seen)
                if sig is not None and key in events.members:
                    events.merged(key, f, sig)
                    # f shows that other wordings were this happening too: fold their clusters in
                    for other in also:
                        if other in events.members and other != key and events.joinable(key, other):
                            for h in clusters.pop(other):
                                hs = seen_of.get(id(g))
                                _merge_into(g, h, hs)
                            events.absorb_cluster(key, other)
                if before is not None and _interval(g) != before:
                    index_of.pop(id(bucket), None)  # g's value became more precise: re-index the bucket
    for key, members in events.members.items():
        _finish_event(clusters[key][0], members)

    # 2. ids, corroboration, conflicts
    facts: list[Fact] = []
    used_ids: set[str] = set()
    for key in order:
        bucket = clusters.get(key)
        if bucket is None:
            continue  # an event cluster folded into another
        for f in bucket:
            extra = None if len(bucket) == 1 else (f.value, f.low, f.high, f.qualifier)
            fid = fact_id(f, extra)
            n = 2
            base = fid
            while fid in used_ids:
                fid = f"{base}-{n}"
                n += 1
            used_ids.add(fid)
            f.id = fid
            originator = {e.source: f.attrs.get("originator") for e in f.evidence} if f.attrs.get("originator") else {}
            lines = {_line_of_reporting(e, group_of, originator) for e in f.evidence}
            f.attrs["lines_of_reporting"] = len(lines)
            if f.status == "reported" and len(lines) >= 2:
                f.status = "corroborated"
            facts.append(f)
        if len(bucket) > 1:
            for f in bucket:
                f.status = "conflict"
            sample = bucket[0]
            sheet.conflicts.append(
                Conflict(
                    id=f"conflict-{_hash(key)}",
                    kind=sample.kind,
                    what=describe_slot(sample),
                    fact_ids=[f.id for f in bucket],
                    note="sources report different values; shown side by side, not averaged",
                )
            )

    # 3. link derived facts to their inputs
    by_source_kind: dict[tuple, list[Fact]] = {}
    for f in facts:
        for sid in dict.fromkeys(e.source for e in f.evidence):  # Fact.sources, in linear time
            by_source_kind.setdefault((sid, f.kind), []).append(f)
    ids = {f.id for f in facts}
    for f in facts:
        if not f.derived:
            continue
        resolved = [d for d in f.derived_from if d in ids]
        if not resolved:
            for sid in dict.fromkeys(e.source for e in f.evidence):
                for g in by_source_kind.get((sid, f.kind), []):
                    if g is not f and not g.derived and _norm(g.actor) == _norm(f.actor) and _norm(g.what) == _norm(f.what):
                        resolved.append(g.id)
                        break
        f.derived_from = resolved

    sheet.facts = facts

    # 4. the analyst's decisions
    if review_path is not None:
        from .review import apply_review

        apply_review(sheet, review_path, sources)
    return sheet


def describe_slot(f: Fact) -> str:
    parts = [p for p in (f.actor, f.what, f.region, f.place) if p]
    if f.period:
        parts.append(f.period.label)
    if f.kind == "advisory":
        parts = [f.country or "?", f.action or "?"]
    return ", ".join(parts) or f.kind
