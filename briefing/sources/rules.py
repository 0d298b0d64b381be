"""Line rules for boilerplate and the word statistics used to judge topical coherence.

The rules describe *kinds* of page furniture (calls to action, share bars, appeals, credits, labels,
related-story markers), not any one site's strings. Each returns ``(rule, reason)``.
"""

from __future__ import annotations

import re

# rules that mark the end of the story proper: what follows must match the headline and lead
TAIL_RULES = {"related"}

_I = re.I

# a whole short line that is site chrome
_CHROME_LINE = re.compile(
    r"^(?:advertisement|advertising|advert|ad|sponsored(?: content)?|promoted|skip to(?: main)? content|menu|"
    r"search|home|sign in|log ?in|log ?out|register|print|print this(?: page| article)?|e-?mail|share|"
    r"share this(?: article| story| page)?|tweet|pin it|comments?|\d+ comments?|leave a comment|"
    r"listen(?: to this article)?|cover image|featured image|image|images|video|photo|photos|gallery|"
    r"watch|play|loading\W*|close|toggle navigation|back to top|top stories|latest|latest news|"
    r"newsletters?|subscribe|more|show more|show less|load more|breaking(?: news)?|live|"
    r"copy link|link copied|copied|save|bookmark|follow|following|unfollow|"
    r"(?:facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|tiktok|reddit|threads|bluesky|flipboard)"
    r"(?:\s*[|,/•·]?\s*(?:facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|tiktok|reddit|threads|bluesky|flipboard|e-?mail|print|copy link))*"
    r")\W*$",
    _I,
)
_SOCIAL = r"(?:facebook|twitter|x\.com|instagram|linkedin|whatsapp|telegram|youtube|tiktok|reddit|threads|bluesky|google(?: news)?|social(?: media)?|rss)"
_CTA = [
    re.compile(r"\bcta\b", _I),  # call-to-action widget labels leaking into text
    re.compile(r"^(?:follow|like|join|find|connect with|add)\s+us\b", _I),
    re.compile(rf"^(?:share|follow|like|join)\b.{{0,60}}\b(?:on|via)\s+{_SOCIAL}\b", _I),
    re.compile(rf"^(?:share|send|post) (?:this|the)(?: article| story| page| post)?\b.{{0,40}}$", _I),
    re.compile(r"\b(?:click|tap) (?:here|the link|below)\b", _I),
    re.compile(r"^(?:want|get|looking for|like|enjoy(?:ed)?|love)\b.{0,40}\bmore\b.{0,40}\b(?:stories|news|coverage|articles|updates|content|journalism)\b", _I),
    re.compile(r"\b(?:make|set|add) us (?:as )?(?:a |your )?(?:preferred|favou?rite|trusted) source\b", _I),
    re.compile(r"^(?:download|get|install) (?:our|the)\b.{0,30}\bapp\b", _I),
    re.compile(r"^(?:sign up|signup|register|subscribe|join)\b.{0,80}\b(?:newsletter|inbox|updates|alerts|briefing|round-?up|digest|free|today|now|here)\b", _I),
    re.compile(r"^(?:don['’]t|do not) miss\b", _I),
    re.compile(r"^(?:we use cookies|this (?:site|website) uses cookies|accept (?:all )?cookies)\b", _I),
    re.compile(r"\b(?:all rights reserved|©|\(c\) ?\d{4}|copyright ©?\s*\d{4})", _I),
    re.compile(r"^(?:have a (?:news )?tip|got a (?:news )?tip|contact (?:us|the author|our newsroom))\b", _I),
    re.compile(r"^(?:this (?:article|story) (?:was|has been) (?:updated|corrected|amended))\b.{0,80}$", _I),
    re.compile(r"^\d+\s*(?:min(?:ute)?s?|m)\s+read$", _I),
    re.compile(r"^(?:updated|published|posted)?\s*\d+\s+(?:minutes?|hours?|days?)\s+ago$", _I),
]
_NEWSLETTER = re.compile(
    r"\b(?:subscribe|sign up|signup)\b.{0,120}\b(?:newsletter|round-?up|digest|briefing|inbox|mailing list|weekly|daily)\b"
    r"|\b(?:newsletter|round-?up|digest)\b.{0,120}\b(?:subscribe|sign up|inbox|delivered)\b",
    _I,
)
_DONATE_APPEAL = re.compile(
    r"\b(?:donat(?:e|es|ing|ion|ions)|contribution|contribute|tax[- ](?:exempt|deductible)|year-end gift|"
    r"support (?:our|us|independent|this|quality)|consider (?:making|supporting|donating|a (?:gift|donation|contribution))|"
    r"becom(?:e|ing) an? (?:member|supporter|patron|subscriber|paid subscriber)|(?:reader|member)[- ](?:funded|supported)|"
    r"chip in|pledge)\b",
    _I,
)
_DONATE_SELF = re.compile(
    r"\b(?:dear (?:\w+\s+){0,3}readers?|our (?:journalism|reporting|coverage|work|editing team|editors|staff|newsroom|"
    r"reporters|writers|mission|team|independence)|we can continue|help us|keep us|you will find nowhere else|"
    r"your (?:support|gift|donation|contribution|help))\b",
    _I,
)
_DONATE_NOW = re.compile(r"\b(?:donate|give|chip in)\s+(?:now|today|here|online)\b|\bdonate at\b", _I)
# bounded repeats: an unbounded "[\w.+-]+@" is quadratic on a long unbroken run of word characters
_CONTACT = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,63}|(?:\+\d{1,3}[\s.-]?)(?:\d[\s.-]?){6,14}\d|\bwww\.\S{1,200}|https?://\S{1,500}", _I)
_NOTICE = re.compile(
    r"\b(?:not for (?:re)?distribution|for internal use only|do not (?:forward|distribute)|confidential(?:ity)? notice|"
    r"this (?:e-?mail|message) (?:and any attachments )?(?:is|are) (?:intended|confidential))\b",
    _I,
)
_REPORTED = re.compile(r"\b(?:said|says|told|according to|stated|added)\b", _I)
_CREDIT = [
    re.compile(r"^(?:top |main |header |featured |lead |cover |hero )?(?:photo|image|picture|illustration|graphic|video|photograph|map)s?(?: credits?| captions?| source| courtesy)?\s*[:|—–]\s*", _I),
    re.compile(r"^(?:credits?|photos?|images?)\s*:\s*\S", _I),
    re.compile(r"^\(?(?:photo|image|picture)s?\s+(?:by|courtesy(?: of)?|credit)\b", _I),
    re.compile(r"(?:\b(?:REUTERS|AFP|AP|EPA|EPA-EFE|Getty Images|Shutterstock|Anadolu(?: Agency)?|Xinhua|AP Photo|Alamy|Pool|Handout|SOPA Images|NurPhoto|Bloomberg)\s*/\s*[A-Z][\w.\-' ]{1,60}|\((?:AFP|AP|Reuters|Getty Images|EPA)(?: Photo)?[^)]{0,40}\))\s*$"),
    re.compile(r"\b(?:via Getty Images|/ ?Getty Images|Getty Images$)", _I),
]
_RELATED = re.compile(
    r"^(?:related(?: articles?| stories| content| coverage| reading| news| posts?| topics| links?)?|"
    r"read (?:more|also|next|the full story|this next)|also read|more (?:from|on|about|stories|news|in)\b|"
    r"you (?:may|might) (?:also )?(?:like|be interested|enjoy)|recommended(?: for you| reading| stories| articles)?|"
    r"most (?:read|popular|viewed|shared)|trending(?: now| stories| news)?|also on|see also|further reading|"
    r"keep reading|continue reading|up next|what to read next|popular (?:now|stories)|editor['’]?s picks?|"
    r"latest (?:news|stories|articles|videos)|in (?:other|related) news|other stories|explore more)(?-i:(?![a-z]))",
    _I,
)
# a box of other stories: a marker, a few words and a colon or bar, then a list of headlines
# ("Also on our live pages: A | B | C", "ELSEWHERE IN AFRICA | A | B", "Most read: A • B")
_LIST_MARK = re.compile(
    r"^(?:related|read (?:more|also|next)|also (?:read|on|in)|more (?:from|on|about|stories|news|in|headlines)|"
    r"you (?:may|might) (?:also )?(?:like|have missed)|recommended|most (?:read|popular|viewed|shared)|trending|"
    r"see also|further reading|up next|popular|editor['’]?s picks?|latest|in (?:other|related) news|other (?:stories|headlines|news)|"
    r"elsewhere|around the (?:world|region|web|continent)|in case you missed it|icymi|top (?:stories|headlines)|"
    r"what else|more headlines|today['’]?s (?:other )?headlines)(?-i:(?![a-z]))"
    r"(?:\s+[\w'’-]+){0,5}?\s*(?:[:|»›]|\s[-–—]{1,2}\s)",
    _I,
)
_LIST_SPLIT = re.compile(r"\s*[|•·]\s*|\s+;\s+")
# an advertiser's box: a sponsor label, a separator, then the advert ("SPONSORED | Secure ...")
_SPONSOR = re.compile(
    r"^(?:sponsored(?: content| post| message| links?| feature)?|advertisement|advertising|advertorial|advert|ad|"
    r"promoted(?: content| post)?|promotion(?:al)?|promo|partner (?:content|message|post)|"
    r"paid (?:content|post|partnership|promotion)|(?:a )?message from (?:our|the) (?:sponsors?|partners?)|"
    r"from our (?:sponsors?|partners?))(?-i:(?![a-z]))\s*(?:[|:»›]|\s[-–—]{1,2}\s)\s*\S"
    r"|^(?:sponsored|presented|brought to you|paid for) by\b[^|:\n,.]{1,40}?\s*\|\s*\S",
    _I,
)
# the same labels standing alone on a line (the advert follows on the next line)
SPONSOR_MARK = re.compile(
    r"^\W*(?:sponsored(?: content| post| message| links?| feature)?|advertisement|advertorial|promoted(?: content| post)?|"
    r"partner (?:content|message|post)|paid (?:content|post|partnership|promotion)|(?:a )?message from (?:our|the) (?:sponsors?|partners?)|"
    r"from our (?:sponsors?|partners?)|(?:sponsored|presented|brought to you|paid for) by\b.{1,40})\W*$",
    _I,
)
# words of an advert, not of a news story
COMMERCIAL = re.compile(
    r"\b(?:book (?:a|your|now|today)\b|learn more|shop now|buy now|order (?:now|today|online)|get (?:a|your) (?:free )?(?:quote|trial|demo)|"
    r"free (?:trial|demo|consultation|quote)|limited[- ]time|promo code|use code|discount|% off|"
    r"(?:starting|starts|prices?) (?:at|from)|from (?:[$€£]|US\$)\s?\d|call (?:us|now|today)|contact us today|"
    r"visit (?:us|our (?:website|store|shop))|(?:enrol+|apply|register) (?:now|today)|sign up (?:now|today))",
    _I,
)
_LABEL_SEP = re.compile(r"\s+[|›»>/]\s+|\s*[|›»]\s*")
_SEPARATOR = re.compile(r"^[\W_]+$")
_PAGE_NO = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", _I)
_CONTACT_LEAD = re.compile(r"(?:for more information|contact|email|e-mail|tel|phone|press|media enquiries|web(?:site)?)\b", _I)
_DIGIT = re.compile(r"\d")
_QUESTION_QUOTED = re.compile(r"\?['\"’”]$")
_CREDITS_LINE = re.compile(r"^(?:\(?(?:additional )?(?:reporting|writing|editing|research|graphics|translation) by\b)", _I)


# Words a text must contain (after _fold) for a pattern to have any chance to match: a cheap test
# that skips most searches on prose. Each tuple lists, for every alternative of the pattern, a
# literal part of it; a pattern without an entry (anchored ones are fast anyway) always runs.
_CTA_NEED: dict[int, tuple[str, ...]] = {
    0: ("cta",),
    4: ("click ", "tap "),
    6: ("source",),
    11: ("all rights reserved", "©", "(c)", "copyright"),
}
_CTA_CHECKS = [(rx, _CTA_NEED.get(i)) for i, rx in enumerate(_CTA)]
_CREDIT_NEED: dict[int, tuple[str, ...]] = {3: ("/", "("), 4: ("getty",)}
_CREDIT_CHECKS = [(rx, _CREDIT_NEED.get(i)) for i, rx in enumerate(_CREDIT)]
_NEWSLETTER_NEED = ("subscribe", "sign up", "signup", "newsletter", "round", "digest")
_DONATE_APPEAL_NEED = ("donat", "contribut", "tax", "gift", "support", "consider", "becom", "funded", "chip in", "pledge")
_DONATE_NOW_NEED = ("donate", "give", "chip in")
_NOTICE_NEED = ("distribution", "internal use", "forward", "distribute", "confidential", "intended")
_CONTACT_NEED = ("@", "+", "www.", "http")
# characters that re.IGNORECASE matches to an ASCII letter but str.lower() does not turn into it
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _fold(t: str) -> str:
    if not t.isascii() and ("\u0130" in t or "\u0131" in t or "\u017f" in t):
        t = t.translate(_FOLD)
    return t.lower()


def _has(low: str, need: tuple[str, ...] | None) -> bool:
    if need is None:
        return True
    for k in need:
        if k in low:
            return True
    return False


def classify(text: str) -> tuple[str, str] | None:
    t = " ".join(text.split())
    if not t:
        return ("empty", "empty line")
    nw = t.count(" ") + 1
    if _SEPARATOR.match(t):
        return ("chrome", "separator line")
    if _PAGE_NO.match(t):
        return ("chrome", "page number")
    if nw <= 8 and _CHROME_LINE.match(t):
        return ("chrome", "site navigation or widget label")
    if nw <= 15:
        m = _RELATED.match(t)
        if m:
            rest = t[m.end():]
            if not rest.strip(" :.-–—|>»›") or rest[:1] in ":|—–-»›>" or rest[:1].isupper() or is_heading_like(t):
                return ("related", "related-stories marker: what follows is other articles")
    if nw <= 80:
        if _SPONSOR.match(t) and not _REPORTED.search(t):
            return ("sponsored", "sponsored content or advertisement")
        if related_list(t):
            return ("related-box", "related-stories box: headlines of other articles")
    low = _fold(t)
    if nw <= 120 and _has(low, _NEWSLETTER_NEED) and _NEWSLETTER.search(t) and not _REPORTED.search(t):
        return ("newsletter", "newsletter sign-up appeal")
    if nw <= 40:
        for rx, need in _CTA_CHECKS:
            if (need is None or _has(low, need)) and rx.search(t):
                return ("cta", "call to action or share/follow line")
    if nw <= 200 and _has(low, _DONATE_APPEAL_NEED) and _DONATE_APPEAL.search(t) and _DONATE_SELF.search(t) and not _REPORTED.search(t):
        return ("donation", "donation or membership appeal")
    if nw <= 60 and _has(low, _DONATE_NOW_NEED) and _DONATE_NOW.search(t) and not _REPORTED.search(t):
        return ("donation", "donation or membership appeal")
    if nw <= 20 and _has(low, _NOTICE_NEED) and _NOTICE.search(t):
        return ("chrome", "distribution or confidentiality notice")
    if nw <= 20 and _has(low, _CONTACT_NEED):
        contact = _CONTACT.search(t)
        if contact and not _TERMINAL_RE.search(t.rstrip(")")) or (nw <= 12 and contact and _CONTACT_LEAD.match(t)):
            return ("chrome", "contact details")
    if nw <= 80:
        for rx, need in _CREDIT_CHECKS:
            if (need is None or _has(low, need)) and rx.search(t):
                return ("image-credit", "image caption or photo credit")
    if nw <= 25 and _CREDITS_LINE.match(t):
        return ("credits", "reporting/editing credits")
    if nw <= 10 and _is_label(t):
        return ("label", "section or category label")
    if nw == 1 and not _DIGIT.search(t) and not t.endswith((".", "!", "?")):
        return ("chrome", "one-word line (label or widget)")
    return None


def related_list(t: str) -> bool:
    """A related/most-read/elsewhere box on one line: a marker, then one or more headlines."""
    m = _LIST_MARK.match(t)
    if not m:
        return False
    items = [x for x in (y.strip(" -–—»›") for y in _LIST_SPLIT.split(t[m.end():])) if x]
    if not items or any(len(x.split()) > 20 or _TERMINAL_RE.search(x) for x in items):
        return False
    return len(items) >= 2 or is_heading_like(items[0])


def headline_strip(t: str) -> list[str] | None:
    """The items of a line of three or more headlines separated by bars or bullets, else None."""
    if "|" not in t and "•" not in t and "·" not in t:
        return None
    items = [x for x in (y.strip(" -–—»›") for y in _LIST_SPLIT.split(t)) if x]
    if len(items) < 3 or sum(len(x.split()) >= 3 for x in items) < 2:
        return None
    if not all(is_heading_like(x) for x in items):
        return None
    return items


def _is_label(t: str) -> bool:
    if not _LABEL_SEP.search(t):
        return False
    parts = [p.strip() for p in _LABEL_SEP.split(t) if p.strip()]
    return len(parts) >= 2 and all(len(p.split()) <= 4 and not _TERMINAL_RE.search(p) for p in parts)


_TERMINAL_RE = re.compile(r"[.!?;:,…]['\"’”)\]]*$")


def is_heading_like(text: str) -> bool:
    """A short line without final punctuation (a headline, subheading, label or caption)."""
    t = " ".join(text.split())
    words = t.split()
    if not words or len(words) > 20 or len(t) > 160:
        return False
    if t.endswith("?") or _QUESTION_QUOTED.search(t):
        return len(words) <= 15 and cap_ratio(t) >= 0.5
    if _TERMINAL_RE.search(t):
        return False
    first = next((c for c in t if c.isalnum()), "")
    if first.islower():
        return False
    return True


def cap_ratio(t: str) -> float:
    words = [w for w in _WORD.findall(t) if w.lower() not in STOPWORDS or w[0].isupper()]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


# --- words and topical overlap -----------------------------------------------------------------

STOPWORDS = set(
    """a about above after again against all almost also although am among an and another any are aren't
    around as at be because been before being below between both but by can cannot could couldn't did
    didn't do does doesn't doing don't down during each either else even ever every few for from further
    had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself
    his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself just least less let
    let's like made make makes many may me might more most much must mustn't my myself neither never no nor
    not now of off often on once one only or other others otherwise ought our ours ourselves out over own
    per perhaps quite rather really same several shall shan't she she'd she'll she's should shouldn't since
    so some such than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those though through thus to too toward towards under until up upon us
    very via was wasn't we we'd we'll we're we've were weren't what what's whatever when when's where
    where's whether which while who who's whoever whom whose why why's will with within without won't
    would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    said says say saying told tells according added adding also including include includes included new
    news report reports reported reporting statement week weeks month months year years day days today
    yesterday tomorrow time times first last next two three four five six seven eight nine ten hundred
    thousand million billion dozen dozens number numbers part well still even just back way get gets got
    take takes took taken come comes came go goes went going see seen know known people thing things
    mr mrs ms dr monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOP_FORMS = frozenset(f for w in STOPWORDS for f in (w, w.capitalize(), w.upper()))  # never counted


def _stem(w: str) -> str:
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


# capitalised words that are not names of anything in particular
_GENERIC_CAPS = set(
    """north south east west northern southern eastern western central middle upper lower greater
    president minister prime general colonel major captain lieutenant sergeant commander chief
    secretary spokesperson spokesman spokeswoman ambassador governor mayor senator king queen prince
    government army state states city province region district republic national international
    united kingdom federal ministry department office council committee agency force forces""".split()
)


# a word that starts a sentence: after one of these marks and at most two whitespace characters
_SENTENCE_WORD = re.compile(r"[.!?:\n\"“—–|]\s{0,2}([^\W\d_][\w'’-]*)")
_WORD_INFO: dict[str, tuple] = {}
_WORD_INFO_MAX = 200_000


def _word_info(w: str) -> tuple:
    """(stem or None when the word does not count, weight at a sentence start, weight elsewhere,
    ((part stem, weight), ...) for the parts of a hyphenated word)."""
    info = _WORD_INFO.get(w)
    if info is not None:
        return info
    stem = _stem(w)
    if w.lower() in STOPWORDS or len(stem) < 3:
        info = (None, 0.0, 0.0, ())
    else:
        if w[0].isupper() and stem not in _GENERIC_CAPS:
            w_mid = 3.0
            w_start = 3.0 if sum(c.isupper() for c in w) > 1 else 2.0
        else:
            w_mid = w_start = 1.0
        parts: list[tuple[str, float]] = []
        if "-" in w:  # "Kayes-Bamako" also counts as "Kayes" and "Bamako"
            for part in w.split("-"):
                ps = _stem(part)
                if len(ps) >= 3 and part.lower() not in STOPWORDS:
                    parts.append((ps, 3.0 if part[:1].isupper() and ps not in _GENERIC_CAPS else 1.0))
        info = (stem, w_start, w_mid, tuple(parts))
    if len(_WORD_INFO) >= _WORD_INFO_MAX:
        _WORD_INFO.clear()
    _WORD_INFO[w] = info
    return info


def add_tokens(acc: dict[str, float], text: str) -> None:
    """Add the content words of ``text`` to ``acc``: weight 3 for names (capitalised mid-sentence or
    acronyms), 2 for other capitalised words, 1 for other words. The first word of ``text`` and a
    word after a sentence mark count as sentence starts; a word takes the largest weight of its
    occurrences."""
    words = _WORD.findall(text)
    if not words:
        return
    get = acc.get
    cache = _WORD_INFO
    starts: list[str] | None = None
    for w in set(words) - _STOP_FORMS:
        info = cache.get(w) or _word_info(w)
        stem = info[0]
        if stem is None:
            continue
        weight = info[2]
        if info[1] != weight:  # lower at a sentence start: does it occur anywhere else?
            if starts is None:
                first = _WORD.search(text).start()
                starts = [words[0]] + [m.group(1) for m in _SENTENCE_WORD.finditer(text) if m.start(1) != first]
            if words.count(w) <= starts.count(w):
                weight = info[1]
        if get(stem, 0.0) < weight:
            acc[stem] = weight
        for ps, pw in info[3]:
            if get(ps, 0.0) < pw:
                acc[ps] = pw


def tokens(text: str) -> dict[str, float]:
    """``add_tokens`` into a new dict."""
    acc: dict[str, float] = {}
    add_tokens(acc, text)
    return acc


def merge_tokens(acc: dict[str, float], toks: dict[str, float]) -> None:
    """``acc`` takes the larger weight of each word: the same as ``add_tokens`` of the text."""
    get = acc.get
    for t, w in toks.items():
        if get(t, 0.0) < w:
            acc[t] = w


def overlap(seg: dict[str, float], topic: dict[str, float], *, names: bool = False) -> float:
    """Weighted share of the segment's distinct words that also occur in the topic (``names``: only
    the segment's names count; 1.0 when it has none)."""
    items = [(t, w) for t, w in seg.items() if not names or w >= 2.0]
    total = sum(w for _, w in items)
    if not total:
        return 1.0
    return sum(w for t, w in items if t in topic) / total
