"""Bytes -> text (BOMs, UTF-8, UTF-16, legacy single-byte encodings) and text normalisation.

``normalise(original)`` returns a ``Mapped`` over the original: NFC, line breaks unified to ``\\n``,
control / XML-illegal / zero-width characters removed, exotic spaces turned into plain spaces. Curly
quotes, dashes and every other character are kept as they are.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from .textmap import Builder, Mapped


class DecodeError(Exception):
    """The bytes are not text (one short line for the user)."""


# magic numbers of formats that are not text, whatever the file is called
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF media file"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"OggS", "an audio file"),
    (b"ID3", "an audio file"),
    (b"\x1a\x45\xdf\xa3", "a video file"),
    (b"SQLite format 3", "a database"),
]

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def sniff_binary(raw: bytes) -> str | None:
    """A description of what the bytes are if they are clearly not text, else None."""
    for bom, _ in _BOMS:
        if raw.startswith(bom):
            return None
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            if magic == b"MZ" and len(raw) > 2 and raw[2:3].isalpha():
                continue  # a text starting with "MZ..." word
            if magic == b"ID3" and b"\x00" not in raw[:16]:
                continue
            return what
    head = raw[:8192]
    if head and head.count(0) > max(2, len(head) // 200) and _utf16_guess(head) is None:
        return "binary data"
    return None


def _utf16_guess(head: bytes) -> str | None:
    """BOM-less UTF-16: NUL bytes at every other position."""
    if len(head) < 4:
        return None
    even = head[0::2]
    odd = head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode file bytes to text. Returns (text, encoding). Raises DecodeError for non-text."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(enc), enc + " (BOM)"
            except UnicodeDecodeError:
                return raw[len(bom):].decode(enc, errors="replace"), enc + " (BOM, with errors)"
    what = sniff_binary(raw)
    if what:
        raise DecodeError(f"not a text file (looks like {what})")
    enc16 = _utf16_guess(raw[:8192])
    if enc16:
        try:
            return raw.decode(enc16), enc16
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Short texts fool any detector between the single-byte Latin tables (cp775 vs cp1252 ...).
    # Take the detector's answer when it reads the bytes as another script (Cyrillic, Greek, ...);
    # otherwise read them as cp1252 (Windows Western, which includes latin-1's printable range).
    best = from_bytes(raw[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            text = raw.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and _non_latin_share(text) >= 0.5:
            if _control_ratio(text) > 0.05:
                raise DecodeError("not a text file (binary data)")
            return text, best.encoding
    try:
        text, enc = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, enc = raw.decode("latin-1"), "latin-1"
    if _control_ratio(text) > 0.05:
        raise DecodeError("not a text file (binary data)")
    return text, enc


def _non_latin_share(text: str) -> float:
    """Among non-ASCII letters, the share that belong to a script other than Latin."""
    letters = [c for c in text[:20000] if ord(c) > 127 and c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if not unicodedata.name(c, "LATIN").startswith("LATIN")) / len(letters)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or 0x7F <= ord(c) < 0xA0)
    return bad / len(sample)


# --- normalisation ------------------------------------------------------------------------------

# removed: C0 controls but tab/LF/CR, DEL, C1 controls, surrogates, non-characters, zero-width
# characters, soft hyphen, BOM, bidi controls
_REMOVE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_SPACES = "\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPECIAL = re.compile(f"(?P<crlf>\r\n)|(?P<nl>[\r\u2028\u2029\u0085])|(?P<rm>[{_REMOVE}]+)|(?P<sp>[{_SPACES}])")


# the characters _SPECIAL starts a match with, as one class: a search for it skips plain text fast
_SPECIAL_RUN = re.compile(f"[\r\u2028\u2029\u0085{_REMOVE}{_SPACES}]+")


def normalise(original: str) -> Mapped:
    """NFC, ``\\n`` line breaks, no control characters, plain spaces; with a map to ``original``."""
    b = Builder(original)
    pos = 0
    nfc = unicodedata.is_normalized("NFC", original)
    n = len(original)
    for run in _SPECIAL_RUN.finditer(original):
        end = run.end()
        if end < n and original[end - 1] == "\r" and original[end] == "\n":
            end += 1  # a CRLF ending the run
        for m in _SPECIAL.finditer(original, run.start(), end):
            _copy_nfc(b, original, pos, m.start(), nfc)
            kind = m.lastgroup
            if kind == "crlf":  # keep the LF, drop the CR
                b.copy(m.start() + 1, m.end())
            elif kind == "nl":
                b.replace(m.start(), m.end(), "\n")
            elif kind == "sp":
                b.replace(m.start(), m.end(), " ")
            # "rm": removed
            pos = m.end()
    _copy_nfc(b, original, pos, len(original), nfc)
    return b.build()


def _copy_nfc(b: Builder, text: str, start: int, end: int, already: bool) -> None:
    if start >= end:
        return
    if already or unicodedata.is_normalized("NFC", text[start:end]):
        b.copy(start, end)
        return
    # group each starter with its following combining characters; normalise group by group
    i = start
    run = start
    while i < end:
        j = i + 1
        while j < end and unicodedata.combining(text[j]):
            j += 1
        group = text[i:j]
        norm = unicodedata.normalize("NFC", group)
        if norm != group:
            b.copy(run, i)
            b.replace(i, j, norm)
            run = j
        i = j
    b.copy(run, end)
