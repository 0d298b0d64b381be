"""The small Markdown dialect the templates produce, parsed into Document blocks.

Block syntax (one construct per line; blank lines separate blocks):

    # Heading {: #id}              levels 1-3 (``#``, ``##``, ``###``)
    [[toc]]                         table of contents
    [[pagebreak]]                   page break
    ![figure-id]                    a chart from the charts stage (FigureBlock)
    ::: box Title {: #id}           a callout (kind ``box`` or ``machine``) holding blocks ...
    :::                             ... until this line (callouts do not nest)
    - item                          bullet list item (one line each)
    #. item                         ordered list item
    Table: caption {: #id .keyfigures widths=3,1,1}
    | head | head |                 pipe table: header row, a |---| rule, then rows
    |---|---|
    | cell | cell |
    any other line                  paragraph text; consecutive lines join with a space

Attributes use the kramdown form ``{: #id .class key=value}``: at the end of a heading, callout,
figure or caption line, or on a line of their own. A line of its own applies to the block just above
it when there is no blank line in between, else to the next block. ``.class`` is the paragraph style
(body, bluf, lead, note, small, machine, source) or the table style (grid, keyfigures); ``anchor=``
sets a paragraph's bookmark.

Inline syntax: ``**bold**``, ``*italic*``, ``[@1,3]`` a citation (source numbers; ``[@1,3+40]``: and 40 more), ``[text](url)``
a link (http, https, mailto or #anchor only; anything else stays text), ``\\X`` a literal X for any
punctuation X. Data is escaped by ``fmt.escape`` so it can only ever produce literal text.

Ids: an explicit ``#id`` wins; otherwise ``<section>-<kind>-<slug of the text>`` where section is the
id of the nearest heading above. Duplicates get ``-2``, ``-3`` ... in document order.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from ..model import (
    Block,
    BulletList,
    Callout,
    Cite,
    Figure,
    FigureBlock,
    Heading,
    Inline,
    Link,
    PageBreak,
    Paragraph,
    Table,
    Text,
    TocBlock,
)
from .fmt import slug

PUNCT = set(string.punctuation)


class DialectError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"rendered line {line}: {message}")
        self.line = line
        self.message = message


# --------------------------------------------------------------------------------------------
# Escape-aware scanning helpers
# --------------------------------------------------------------------------------------------


def _is_escaped(s: str, i: int) -> bool:
    n = 0
    j = i - 1
    while j >= 0 and s[j] == "\\":
        n += 1
        j -= 1
    return n % 2 == 1


def unescape(s: str) -> str:
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in PUNCT:
            out.append(s[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_ATTR_TOKEN = re.compile(r"#[A-Za-z0-9_.:-]+|\.[A-Za-z0-9_-]+|[A-Za-z_][A-Za-z0-9_-]*=[^\s{}]+")


def _parse_attrs(body: str) -> dict[str, str] | None:
    attrs: dict[str, str] = {}
    classes: list[str] = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        if body[pos].isspace():
            pos += 1
            continue
        m = _ATTR_TOKEN.match(body, pos)
        if not m:
            return None
        tok = m.group(0)
        if tok.startswith("#"):
            attrs["id"] = tok[1:]
        elif tok.startswith("."):
            classes.append(tok[1:])
        else:
            k, v = tok.split("=", 1)
            attrs[k] = v
        pos = m.end()
    if classes:
        attrs["class"] = classes[-1]
    return attrs


def split_attrs(line: str) -> tuple[str, dict[str, str] | None]:
    """'Text {: #id .x}' -> ('Text', {...}); a brace that is escaped or malformed is text."""
    s = line.rstrip()
    if not s.endswith("}") or _is_escaped(s, len(s) - 1):
        return line, None
    i = s.rfind("{:")
    while i >= 0 and _is_escaped(s, i):
        i = s.rfind("{:", 0, i)
    if i < 0:
        return line, None
    # attribute blocks only ever come from the template (data cannot produce an unescaped "{:"),
    # so values printed into them by the template are unescaped here
    attrs = _parse_attrs(unescape(s[i + 2 : -1]))
    if attrs is None:
        return line, None
    return s[:i].rstrip(), attrs


# --------------------------------------------------------------------------------------------
# Inline parsing
# --------------------------------------------------------------------------------------------

_CITE_BODY = re.compile(r"\s*(\d+(?:\s*,\s*\d+)*)?\s*(?:\+\s*(\d+)\s*)?")
_URL_OK = re.compile(r"(https?://|mailto:|#)\S+$", re.I)


def _find_unescaped(s: str, ch: str, start: int) -> int:
    i = start
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == ch:
            return i
        i += 1
    return -1


def parse_inlines(s: str) -> list[Inline]:
    tokens: list[tuple] = []  # ("t", str) | ("b",) | ("i",) | ("cite", [n]) | ("link", text, url)
    buf: list[str] = []

    def flush() -> None:
        if buf:
            tokens.append(("t", "".join(buf)))
            buf.clear()

    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in PUNCT:
            buf.append(s[i + 1])
            i += 2
            continue
        if c == "*":
            flush()
            if s.startswith("**", i):
                tokens.append(("b",))
                i += 2
            else:
                tokens.append(("i",))
                i += 1
            continue
        if c == "[":
            if s.startswith("[@", i):
                j = s.find("]", i)
                if j > 0:
                    m = _CITE_BODY.fullmatch(s, i + 2, j)
                    if m:
                        flush()
                        nums = sorted({int(x) for x in re.findall(r"\d+", m.group(1) or "")})
                        tokens.append(("cite", nums, int(m.group(2) or 0) if nums else 0))
                        i = j + 1
                        continue
            j = _find_unescaped(s, "]", i + 1)
            if j > 0 and j + 1 < n and s[j + 1] == "(":
                k = _find_unescaped(s, ")", j + 2)
                if k > 0:
                    text = unescape(s[i + 1 : j])
                    url = unescape(s[j + 2 : k]).strip()
                    if _URL_OK.match(url):
                        flush()
                        tokens.append(("link", text or url, url))
                        i = k + 1
                        continue
        buf.append(c)
        i += 1
    flush()

    # unmatched emphasis markers are literal
    for kind, lit in (("b", "**"), ("i", "*")):
        idx = [k for k, t in enumerate(tokens) if t[0] == kind]
        if len(idx) % 2:
            tokens[idx[-1]] = ("t", lit)

    out: list[Inline] = []
    bold = italic = False
    for t in tokens:
        if t[0] == "b":
            bold = not bold
        elif t[0] == "i":
            italic = not italic
        elif t[0] == "t":
            if out and isinstance(out[-1], Text) and out[-1].bold == bold and out[-1].italic == italic:
                out[-1].text += t[1]
            elif t[1]:
                out.append(Text(t[1], bold=bold, italic=italic))
        elif t[0] == "cite":
            if t[1]:
                out.append(Cite(list(t[1]), more=t[2]))
            elif out and isinstance(out[-1], Text):
                # an empty citation swallows the space before it ("300 [@]." -> "300.")
                out[-1].text = out[-1].text.rstrip(" ")
        elif t[0] == "link":
            out.append(Link(t[1], t[2]))
    # tidy: collapse spaces, drop empty runs
    clean: list[Inline] = []
    for x in out:
        if isinstance(x, Text):
            x.text = re.sub(r"[ \t]{2,}", " ", x.text)
            if not x.text:
                continue
        clean.append(x)
    if clean and isinstance(clean[0], Text):
        clean[0].text = clean[0].text.lstrip()
    if clean and isinstance(clean[-1], Text):
        clean[-1].text = clean[-1].text.rstrip()
    return [x for x in clean if not (isinstance(x, Text) and not x.text)]


def inline_text(inlines: list[Inline]) -> str:
    parts = []
    for x in inlines:
        if isinstance(x, Text):
            parts.append(x.text)
        elif isinstance(x, Link):
            parts.append(x.text)
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Block parsing
# --------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_FIGURE = re.compile(r"^!\[([^\]]+)\]\s*$")
_CALLOUT_OPEN = re.compile(r"^:::\s*([A-Za-z][\w-]*)\s*(.*)$")
_BULLET = re.compile(r"^-\s+(.*)$")
_ORDERED = re.compile(r"^#\.\s+(.*)$")
_CAPTION = re.compile(r"^Table:\s*(.*)$")
_RULE_CELL = re.compile(r"^:?-{2,}:?$")

CALLOUT_KINDS = ("box", "machine")


def _split_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not _is_escaped(s, len(s) - 1):
        s = s[:-1]
    cells, cur, i = [], [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            cur.append(s[i : i + 2])
            i += 2
            continue
        if s[i] == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(s[i])
        i += 1
    cells.append("".join(cur).strip())
    return cells


@dataclass
class _Pending:
    kind: str  # para | list | olist | table
    lines: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    caption: str | None = None
    start: int = 0


class _Parser:
    def __init__(self, figures: dict[str, Figure]):
        self.figures = figures
        self.top: list[Block] = []
        self.target: list[Block] = self.top  # where blocks go (top level or a callout)
        self.callout: Callout | None = None
        self.callout_line = 0
        self.section = "doc"
        self.pending: _Pending | None = None
        self.next_attrs: dict[str, str] = {}
        self.last_block: Block | None = None
        self.auto: set[int] = set()  # ids of blocks whose id was generated

    # -- helpers -----------------------------------------------------------------------------

    def _auto_id(self, kind: str, text: str) -> str:
        key = re.sub(r"\d+", "", inline_text(parse_inlines(text)) if text else "")
        s = slug(key, maxlen=40)
        return f"{self.section}-{kind}" + (f"-{s}" if s else "")

    def _take_attrs(self, attrs: dict[str, str] | None) -> dict[str, str]:
        out = dict(self.next_attrs)
        self.next_attrs = {}
        if attrs:
            out.update(attrs)
        return out

    def _apply(self, block: Block, attrs: dict[str, str]) -> None:
        if "id" in attrs:
            if isinstance(block, Heading) and block.anchor == block.id:
                block.anchor = attrs["id"]
            block.id = attrs["id"]
            self.auto.discard(id(block))
            if isinstance(block, Heading) and self.callout is None:
                self.section = block.id
        if "anchor" in attrs and hasattr(block, "anchor"):
            block.anchor = attrs["anchor"]
        if "class" in attrs and hasattr(block, "style"):
            block.style = attrs["class"]

    def _emit(self, block: Block) -> None:
        self.target.append(block)
        self.last_block = block

    # -- pending blocks (paragraphs, lists, tables) ------------------------------------------

    def flush(self) -> None:
        p = self.pending
        self.pending = None
        if p is None:
            return
        attrs = p.attrs
        if p.kind == "para":
            text = " ".join(x.strip() for x in p.lines)
            inl = parse_inlines(text)
            if not inl:
                return
            style = attrs.get("class", "body")
            pid = attrs.get("id") or self._auto_id("p", text)
            block: Block = Paragraph(pid, inl, style=style, anchor=attrs.get("anchor"))
        elif p.kind in ("list", "olist"):
            items = [parse_inlines(x) for x in p.lines]
            items = [i for i in items if i]
            if not items:
                return
            lid = attrs.get("id") or self._auto_id("list", p.lines[0])
            block = BulletList(lid, items, ordered=p.kind == "olist")
        else:  # table
            rows = [_split_cells(x) for x in p.lines]
            if len(rows) >= 2 and all(_RULE_CELL.match(c.strip()) for c in rows[1] if c.strip()):
                header_cells, body = rows[0], rows[2:]
            else:
                raise DialectError(p.start, "a table needs a header row followed by a |---| rule")
            header = [inline_text(parse_inlines(c)) for c in header_cells]
            width = len(header)
            body_rows = []
            for r in body:
                r = (r + [""] * width)[:width]
                body_rows.append([parse_inlines(c) for c in r])
            widths = None
            if "widths" in attrs:
                try:
                    widths = [float(x) for x in attrs["widths"].split(",")]
                except ValueError:
                    raise DialectError(p.start, f"bad widths: {attrs['widths']!r}") from None
                if len(widths) != width:
                    raise DialectError(p.start, f"widths has {len(widths)} values for {width} columns")
            caption = inline_text(parse_inlines(p.caption)) if p.caption else None
            tid = attrs.get("id") or self._auto_id("table", p.caption or " ".join(header))
            block = Table(tid, header, body_rows, caption=caption or None, widths=widths, style=attrs.get("class", "grid"))
        if "id" not in attrs:
            self.auto.add(id(block))
        self._emit(block)

    def _start(self, kind: str, lineno: int, caption: str | None = None, attrs: dict | None = None) -> None:
        self.flush()
        self.pending = _Pending(kind, attrs=self._take_attrs(attrs), caption=caption, start=lineno)

    # -- main loop ---------------------------------------------------------------------------

    def feed(self, text: str) -> list[Block]:
        lines = text.split("\n")
        for n, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line:
                self.flush()
                self.last_block = None
                continue
            self.line(n, line)
        self.flush()
        if self.callout is not None:
            raise DialectError(self.callout_line, "callout opened here is never closed with ':::'")
        return self.top

    def line(self, n: int, line: str) -> None:
        # attribute line of its own
        if line.startswith("{:"):
            rest, attrs = split_attrs(line)
            if attrs is not None and not rest:
                if self.pending is not None:
                    self.pending.attrs.update(attrs)
                elif self.last_block is not None:
                    self._apply(self.last_block, attrs)
                else:
                    self.next_attrs.update(attrs)
                return
        if line == "[[toc]]":
            self.flush()
            self._take_attrs(None)
            self._emit(TocBlock())
            return
        if line == "[[pagebreak]]":
            self.flush()
            a = self._take_attrs(None)
            pb = PageBreak(a.get("id") or f"{self.section}-pagebreak")
            self._emit(pb)
            return
        if line.startswith(":::"):
            self.flush()
            rest = line[3:].strip()
            if not rest:
                if self.callout is None:
                    raise DialectError(n, "':::' closes a callout but none is open")
                self.callout = None
                self.target = self.top
                self.last_block = None
                return
            body, attrs = split_attrs(line)
            m = _CALLOUT_OPEN.match(body)
            if not m or m.group(1) not in CALLOUT_KINDS:
                raise DialectError(n, f"unknown callout {rest!r} (use ::: box Title or ::: machine Title)")
            if self.callout is not None:
                raise DialectError(n, "callouts do not nest (close the open one with ':::' first)")
            a = self._take_attrs(attrs)
            title = inline_text(parse_inlines(m.group(2)))
            cid = a.get("id") or self._auto_id(m.group(1), m.group(2))
            co = Callout(cid, title, [], kind=m.group(1))
            if "id" not in a:
                self.auto.add(id(co))
            self._emit(co)
            self.callout = co
            self.callout_line = n
            self.target = co.blocks
            self.last_block = None
            return
        m = _HEADING.match(line)
        if m:
            self.flush()
            body, attrs = split_attrs(m.group(2))
            a = self._take_attrs(attrs)
            text = inline_text(parse_inlines(body))
            hid = a.get("id") or ("h-" + (slug(text) or "section"))
            h = Heading(hid, len(m.group(1)), text, anchor=a.get("anchor", hid))
            if "id" not in a:
                self.auto.add(id(h))
            if self.callout is None:
                self.section = hid
            self._emit(h)
            return
        m = _FIGURE.match(split_attrs(line)[0])
        if m:
            self.flush()
            _, attrs = split_attrs(line)
            a = self._take_attrs(attrs)
            fid = unescape(m.group(1)).strip()
            fig = self.figures.get(fid)
            if fig is None:
                raise DialectError(n, f"unknown figure {fid!r} (known: {', '.join(sorted(self.figures)) or 'none'})")
            self._emit(FigureBlock(a.get("id") or f"fig-{slug(fid)}", fig))
            return
        m = _CAPTION.match(line)
        if m:
            body, attrs = split_attrs(m.group(1))
            self._start("table", n, caption=body, attrs=attrs)
            return
        if line.startswith("|"):
            if self.pending is None or self.pending.kind != "table":
                self._start("table", n)
            self.pending.lines.append(line)
            return
        m = _BULLET.match(line) or _ORDERED.match(line)
        if m:
            kind = "list" if line.startswith("-") else "olist"
            if self.pending is None or self.pending.kind != kind:
                self._start(kind, n)
            self.pending.lines.append(m.group(1))
            return
        if self.pending is not None and self.pending.kind == "para":
            body, attrs = split_attrs(line)
            self.pending.lines.append(body)
            if attrs:
                self.pending.attrs.update(attrs)
            return
        body, attrs = split_attrs(line)
        self._start("para", n, attrs=attrs)
        self.pending.lines.append(body)


def _walk(blocks: list[Block]):
    for b in blocks:
        yield b
        if isinstance(b, Callout):
            yield from _walk(b.blocks)


def parse(text: str, figures: dict[str, Figure] | None = None) -> list[Block]:
    """Rendered dialect text -> blocks with unique ids."""
    p = _Parser(figures or {})
    blocks = p.feed(text)
    seen: dict[str, int] = {}
    for b in _walk(blocks):
        base = b.id
        if base in seen:
            seen[base] += 1
            new = f"{base}-{seen[base]}"
            while new in seen:
                seen[base] += 1
                new = f"{base}-{seen[base]}"
            b.id = new
            seen[new] = 1
        else:
            seen[base] = 1
    return blocks
