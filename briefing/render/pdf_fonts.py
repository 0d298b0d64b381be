"""Fonts for the PDF writer: embedded TrueType families, glyph coverage, fallback and RTL runs.

Everything here is imported lazily by ``briefing.render.pdf.write`` (it pulls in reportlab).

* ``FontBook.family(name)`` registers the four faces of a theme family (regular, bold, italic,
  bold-italic) as one reportlab family, so ``<b>``/``<i>`` map onto real faces and every face is
  embedded as a TrueType subset.
* ``FontBook.runs(text, face)`` splits text into runs the face can print and runs that need another
  font (the family's regular face, a configured fallback font, or a system font with a wider
  repertoire). A character that no font has becomes a visible placeholder and is recorded in
  ``FontBook.missing`` so the writer can warn: never a black box, never a crash.
* ``visual_rtl(text)`` puts right-to-left word runs (Arabic, Hebrew, ...) into visual order for a
  left-to-right paragraph; uharfbuzz (when installed) then shapes each word (joining forms).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("briefing.render.pdf")

PLACEHOLDER = "\u25a1"  # WHITE SQUARE: visible, and present in DejaVu

# TrueType-outline fonts with a wide repertoire that are often installed; used only for characters
# the theme's fonts lack, and only when such characters occur. (CFF-flavoured .otf/.ttc files such as
# Noto CJK cannot be embedded by reportlab and are not listed.)
SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialuni.ttf",
    "C:/Windows/Fonts/seguisym.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)

_FACES = ((False, False), (True, False), (False, True), (True, True))


def _short_hash(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:10]


_HASHES: dict[tuple[str, int, int], str] = {}


def _file_key(path: Path) -> str:
    st = path.stat()
    k = (str(path), st.st_size, int(st.st_mtime))
    if k not in _HASHES:
        _HASHES[k] = _short_hash(path)
    return _HASHES[k]


def _register_ttf(path: Path, tag: str) -> str | None:
    """Register a TrueType file (first face of a .ttc) under a content-derived name; None if unusable."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = Path(path)
    try:
        name = f"{tag}-{path.stem}-{_file_key(path)}"
    except OSError:
        return None
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    try:
        font = TTFont(name, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc" else TTFont(name, str(path))
    except Exception as e:  # CFF outlines, corrupt file, no embedding permission ...
        log.debug("font %s not usable: %s", path, e)
        return None
    pdfmetrics.registerFont(font)
    return name


def _single_face_family(name: str) -> str:
    from reportlab.pdfbase import pdfmetrics

    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return name


def coverage(fontname: str) -> set[int]:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(fontname).face
    return set(getattr(face, "charToGlyph", {}) or {})


@dataclass
class Family:
    name: str  # the family name to use as a ParagraphStyle fontName base
    faces: dict[tuple[bool, bool], str]  # (bold, italic) -> registered face name
    files: dict[tuple[bool, bool], Path]

    def face(self, bold: bool = False, italic: bool = False) -> str:
        return self.faces[(bold, italic)]


# Characters that never need a glyph of their own (format controls, joiners, variation selectors).
_IGNORABLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f\ufeff\u00ad]")


@dataclass
class FontBook:
    theme: object
    extra_fallbacks: list[Path] = field(default_factory=list)
    families: dict[str, Family] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    used_fallbacks: set[str] = field(default_factory=set)
    _cov: dict[str, set[int]] = field(default_factory=dict)
    _fallbacks: list[str] | None = None
    _alias: dict[str, str] = field(default_factory=dict)
    _choice: dict[tuple[str, str], str | None] = field(default_factory=dict)

    # -- families -------------------------------------------------------------------------------
    def family(self, family: str) -> Family:
        if family in self.families:
            return self.families[family]
        from reportlab.pdfbase import pdfmetrics

        faces: dict[tuple[bool, bool], str] = {}
        files: dict[tuple[bool, bool], Path] = {}
        for bold, italic in _FACES:
            path = Path(self.theme.font_file(family, bold, italic))
            name = _register_ttf(path, "F")
            if name is None:
                log.warning("font %s (%s) cannot be embedded; using DejaVu Sans", path, family)
                path = _dejavu(bold, italic)
                name = _register_ttf(path, "F")
            if name is None:  # pragma: no cover - matplotlib always ships DejaVu
                raise RuntimeError("no usable TrueType font for the PDF")
            faces[(bold, italic)] = name
            files[(bold, italic)] = path
        fam_name = "FAM-" + hashlib.sha1("|".join(faces[f] for f in _FACES).encode()).hexdigest()[:10]
        pdfmetrics.registerFontFamily(
            fam_name,
            normal=faces[(False, False)],
            bold=faces[(True, False)],
            italic=faces[(False, True)],
            boldItalic=faces[(True, True)],
        )
        # the face names themselves must map back onto the family for <b>/<i> inside styled text
        for (bold, italic), n in faces.items():
            pdfmetrics.registerFontFamily(
                n,
                normal=faces[(False, False)],
                bold=faces[(True, False)],
                italic=faces[(False, True)],
                boldItalic=faces[(True, True)],
            )
        fam = Family(fam_name, faces, files)
        self.families[family] = fam
        return fam

    # -- coverage -------------------------------------------------------------------------------
    def _coverage(self, fontname: str) -> set[int]:
        if fontname not in self._cov:
            self._cov[fontname] = coverage(fontname)
        return self._cov[fontname]

    def covers(self, fontname: str, ch: str) -> bool:
        return ord(ch) in self._coverage(fontname)

    def _fallback_names(self) -> list[str]:
        if self._fallbacks is None:
            names: list[str] = []
            for p in list(self.extra_fallbacks) + [Path(p) for p in SYSTEM_FALLBACKS]:
                try:
                    if not Path(p).is_file():
                        continue
                except OSError:
                    continue
                n = _register_ttf(Path(p), "FB")
                if n and n not in names:
                    names.append(_single_face_family(n))
            self._fallbacks = names
        return self._fallbacks

    def _alias_of(self, fam: Family, bold: bool, italic: bool) -> str:
        """A face of the family registered as its own single-face family (for cross-face fallback)."""
        key = fam.faces[(bold, italic)]
        if key not in self._alias:
            n = _register_ttf(fam.files[(bold, italic)], "FA")
            self._alias[key] = _single_face_family(n) if n else key
        return self._alias[key]

    def _fallback_for(self, ch: str, fam: Family, bold: bool, italic: bool) -> str | None:
        face = fam.face(bold, italic)
        ck = (face, ch)
        if ck in self._choice:
            return self._choice[ck]
        choice = None
        # 1. another face of the same family (DejaVu's obliques lack Arabic, for instance)
        for b, i in ((bold, False), (False, italic), (False, False)):
            if (b, i) != (bold, italic) and self.covers(fam.face(b, i), ch):
                choice = self._alias_of(fam, b, i)
                break
        # 2. configured and system fallback fonts
        if choice is None:
            for n in self._fallback_names():
                if self.covers(n, ch):
                    choice = n
                    break
        self._choice[ck] = choice
        return choice

    def runs(self, text: str, fam: Family, bold: bool = False, italic: bool = False) -> list[tuple[str | None, str]]:
        """Split ``text`` into ``(font, chunk)`` runs; font None means the face itself prints it."""
        face = fam.face(bold, italic)
        out: list[tuple[str | None, str]] = []
        cov = self._coverage(face)
        for ch in text:
            cp = ord(ch)
            if cp in cov or ch in "\n\t\r " or _IGNORABLE.match(ch):
                font = None
            else:
                font = self._fallback_for(ch, fam, bold, italic)
                if font is None:
                    self.missing.add(ch)
                    ch = PLACEHOLDER if ord(PLACEHOLDER) in cov else "?"
                else:
                    self.used_fallbacks.add(font)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out


def _dejavu(bold: bool, italic: bool) -> Path:
    import matplotlib

    suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Oblique", (True, True): "-BoldOblique"}
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"DejaVuSans{suffix[(bold, italic)]}.ttf"


# ------------------------------------------------------------------------------------------------
# Right-to-left text
# ------------------------------------------------------------------------------------------------

_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_RTL = f"[{_RTL_CHARS}]"
# a run of right-to-left words: starts and ends with an RTL letter; may hold spaces, marks, digits
# and punctuation in between (which then take the run's direction)
_RTL_RUN = re.compile(f"{_RTL}(?:[{_RTL_CHARS}\\s\\d\u060c\u061b\u061f.,:;!?'\"()\\-]*{_RTL})?")
# scripts whose letters change shape with their neighbours (shaping needed)
_NEEDS_SHAPING = re.compile("[\u0600-\u08ff\ufb50-\ufdff\ufe70-\ufefc\u0900-\u0dff\u1000-\u109f]")
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<", "«": "»", "»": "«", "‹": "›", "›": "‹"}


def has_rtl(text: str) -> bool:
    return re.search(_RTL, text) is not None


def needs_shaping(text: str) -> bool:
    return _NEEDS_SHAPING.search(text) is not None


def _mirror(s: str) -> str:
    return "".join(_MIRROR.get(c, c) for c in s)


def _is_neutral(s: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZ" for c in s)


def visual_rtl(text: str, shaped: bool = True) -> str:
    """Reorder right-to-left runs of ``text`` for display in a left-to-right paragraph.

    Each RTL run's words are put in reverse order. With ``shaped`` (uharfbuzz present), each word
    stays in logical order, because the shaper lays out a word of Arabic script right to left
    itself (mirroring brackets); without it, the characters of each word are reversed as well. Punctuation
    glued to the edge of a run (``«...»``) is folded into the edge word so that the shaper, which
    lays the whole word out right to left, puts it back on the correct side. A run that breaks
    across lines reads in the wrong line order: a documented limitation of this simple model.
    """
    if not has_rtl(text):
        return text
    out: list[str] = []
    pos = 0
    for m in _RTL_RUN.finditer(text):
        s, e = m.span()
        if s < pos:  # already consumed as glued punctuation of the previous run
            continue
        before = text[pos:s]
        lead = re.search(f"[^\\s{_RTL_CHARS}]*$", before).group(0)
        head = before[: len(before) - len(lead)]
        after = re.match(f"[^\\s{_RTL_CHARS}]*", text[e:]).group(0)
        tokens = re.split(r"(\s+)", m.group(0))[::-1]  # tokens[0]: visually leftmost word
        if not shaped:
            tokens = [t if t.isspace() else _mirror(t[::-1]) for t in tokens]
            out.append(before + "".join(tokens))
            pos = e
            continue
        if lead and _is_neutral(lead):
            tokens[0] = tokens[0] + _mirror(lead[::-1])
        elif lead:
            head += lead + " "  # own word: the shaper must not lay it out right to left
        tail = ""
        if after and _is_neutral(after):
            tokens[-1] = _mirror(after[::-1]) + tokens[-1]
        elif after:
            tail = " " + after
        out.append(head + "".join(tokens) + tail)
        pos = e + len(after)
    out.append(text[pos:])
    return "".join(out)
