"""Parsers for the three layouts, all built on one tokenizer and one assembler.

1. Page files (the sample): one file per page, several articles, paragraphs
   broken where a column ended (reflowed here).
2. Per-article Markdown with YAML front matter (a People's Daily archive).
3. Anything else that is text or Markdown: headings become articles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from tuireader.ingest import links as L
from tuireader.ingest import patterns as P
from tuireader.model import Article, Block

_HEADING_RE = re.compile(r"^(#{1,6})[ \t\u3000]+(.*?)[ \t\u3000]*#*[ \t]*$")
_QUOTE_RE = re.compile(r"^(?:>[ \t]?)+")
_HR_RE = re.compile(r"^(?:[-*_][ \t]*){3,}$")
# Short, unpunctuated lines that open an untitled piece can serve as its headline.
_TITLE_MAX = 40


@dataclass(slots=True)
class Token:
    kind: str  # "heading", "para", "quote"
    text: str
    level: int = 0


@dataclass(slots=True)
class Item:
    """An article in the making: header lines, then body tokens."""

    headline: str = ""
    level: int = 0
    kicker: str | None = None
    subheadlines: list[str] = field(default_factory=list)
    body: list[Token] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- tokens


def tokenize(text: str) -> list[Token]:
    """Split Markdown-ish text into headings, paragraphs and quote paragraphs.

    Lines inside one paragraph are joined without a space: Chinese text wraps
    mid-sentence, and a space would show as a gap between characters.
    """
    tokens: list[Token] = []
    for chunk in _BLANK_RE.split(text):
        if "\n" not in chunk:
            # The common case, inlined: a plain paragraph on one line.
            line = chunk.strip(_SPACES)
            if not line:
                continue
            if line[0] not in "#>-*_" and "<" not in line and "&" not in line:
                tokens.append(Token("para", line))
                continue
            _tokenize_lines((line,), tokens)
        else:
            _tokenize_lines(chunk.split("\n"), tokens)
    return tokens


_BLANK_RE = re.compile(r"\n[ \t\u3000\ufeff]*(?:\n[ \t\u3000\ufeff]*)+")
_SPACES = " \t\u3000\ufeff"


def _tokenize_lines(lines, tokens: list[Token]) -> None:
    buf: list[str] = []
    buf_kind = "para"

    def flush() -> None:
        if buf:
            joined = P.join_lines(buf)
            if "<" in joined or "&" in joined:
                tokens.extend(Token(buf_kind, piece) for piece in P.strip_html(joined))
            else:
                tokens.append(Token(buf_kind, joined))
            buf.clear()

    for raw in lines:
        line = raw.strip(_SPACES)
        if not line:
            flush()
            continue
        first = line[0]
        if first in "-*_" and _HR_RE.match(line):
            flush()
            continue
        if first == "#":
            m = _HEADING_RE.match(line)
            if m:
                flush()
                content = m.group(2)
                if "<" in content or "&" in content:
                    content = " ".join(P.strip_html(content))
                if content:
                    tokens.append(Token("heading", content, len(m.group(1))))
                continue
        kind = "para"
        if first == ">":
            q = _QUOTE_RE.match(line)
            assert q is not None  # the line starts with ">", which the pattern always matches
            kind = "quote"
            line = line[q.end() :].strip(_SPACES)
            if not line:
                flush()
                continue
        if buf and kind != buf_kind:
            flush()
        buf_kind = kind
        buf.append(line)
    flush()


# ------------------------------------------------------------------ items


def page_items(tokens: list[Token]) -> list[Item]:
    """Layout 1: ``# `` starts an article, ``## `` after it is a subheadline,
    ``### `` right before ``# `` is its kicker, ``## `` after body text starts
    a stand-alone item (a picture, a brief)."""
    items: list[Item] = []
    cur: Item | None = None
    kicker: str | None = None
    for i, tok in enumerate(tokens):
        if tok.kind == "heading":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if tok.level >= 3 and nxt is not None and nxt.kind == "heading" and nxt.level == 1:
                if kicker is not None:  # two kickers in a row: the first was a stray heading
                    _ensure(items, cur).body.append(Token("subhead", kicker))
                kicker = tok.text
                continue
            if tok.level == 1 or cur is None or (tok.level == 2 and cur.body) or (tok.level == 2 and cur.level == 2):
                if tok.level == 2 and cur is not None and not cur.body and cur.level == 1:
                    cur.subheadlines.append(tok.text)
                    continue
                cur = Item(headline=tok.text, level=tok.level, kicker=kicker)
                kicker = None
                items.append(cur)
            elif not cur.body:
                cur.subheadlines.append(tok.text)
            else:
                cur.body.append(Token("subhead", tok.text))
        else:
            if kicker is not None:
                _ensure(items, cur).body.append(Token("subhead", kicker))
                kicker = None
            cur = _ensure(items, cur)
            cur.body.append(tok)
    if kicker is not None:
        _ensure(items, cur).body.append(Token("subhead", kicker))
    return items


def _ensure(items: list[Item], cur: Item | None) -> Item:
    if cur is None:
        cur = Item()
        items.append(cur)
    return cur


def is_page_layout(tokens: list[Token]) -> bool:
    """Page files use ``#``/``##`` for items and ``###`` only as kickers."""
    has_h1 = False
    for i, tok in enumerate(tokens):
        if tok.kind != "heading":
            continue
        if tok.level == 1:
            has_h1 = True
        elif tok.level >= 3:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if not (nxt is not None and nxt.kind == "heading" and nxt.level == 1):
                return False
    return has_h1 or any(t.kind == "heading" and t.level == 2 for t in tokens)


def generic_items(tokens: list[Token]) -> list[Item]:
    """Layout 3: the heading level that most often heads body text is the
    article level; shallower headings with body are articles too, shallower
    ones without body are context, deeper ones are in-text subheads."""
    heads_body: Counter[int] = Counter()
    for i, tok in enumerate(tokens):
        if tok.kind == "heading" and i + 1 < len(tokens) and tokens[i + 1].kind != "heading":
            heads_body[tok.level] += 1
    level = max(heads_body, key=lambda lv: (heads_body[lv], lv)) if heads_body else 1
    items: list[Item] = []
    cur: Item | None = None
    context: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "heading" and tok.level <= level:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if tok.level < level and (nxt is None or nxt.kind == "heading"):
                context.append(tok.text)
                continue
            cur = Item(headline=tok.text, level=tok.level, context=context)
            context = []
            items.append(cur)
        elif tok.kind == "heading":
            if cur is None:
                cur = Item(context=context)
                context = []
                items.append(cur)
            cur.body.append(Token("subhead", tok.text))
        else:
            if cur is None:
                cur = Item(context=context)
                context = []
                items.append(cur)
            cur.body.append(tok)
    if context:
        if cur is None:
            cur = Item()
            items.append(cur)
        cur.context.extend(context)
    return items


def single_item(tokens: list[Token]) -> Item:
    """Layout 2: a per-article file is one article whatever its headings."""
    items = page_items(tokens)
    if not items:
        return Item()
    first = items[0]
    for extra in items[1:]:
        for heading in ([extra.kicker] if extra.kicker else []) + [extra.headline, *extra.subheadlines]:
            if heading:
                first.body.append(Token("subhead", heading))
        first.body.extend(extra.body)
    return first


# --------------------------------------------------------------- assembly


def assemble(item: Item, *, reflow: bool, header_quote_is_byline: bool = False) -> Article:
    """Turn an item's header and body tokens into an Article with typed blocks."""
    art = Article(headline=item.headline, kicker=item.kicker, subheadlines=list(item.subheadlines))
    if item.context:
        art.meta["context"] = list(item.context)
    body = item.body
    start = 0  # header tokens taken so far (slicing once: popping the front each time is quadratic)

    # Header: bylines (and the edition tail) before the first body paragraph.
    while start < len(body):
        tok = body[start]
        if tok.kind == "quote":
            rest, edition = P.split_edition(tok.text)
            if edition or header_quote_is_byline or P.is_byline(rest):
                if edition:
                    art.edition = edition["text"]
                    art.meta.setdefault("_edition", edition)
                if rest.strip():
                    art.bylines.append(P.normalise_byline(rest))
                start += 1
                continue
            break
        if tok.kind == "para" and P.is_byline(tok.text):
            art.bylines.append(P.normalise_byline(tok.text))
            start += 1
            continue
        break

    # An untitled piece: a short first line becomes its headline.
    if not art.headline and start < len(body) and body[start].kind == "para":
        first = body[start].text
        if len(first) <= _TITLE_MAX and first[-1] not in "。！？；，,.!?;：:" and L.only_link(first) is None:
            art.headline = first
            start += 1
    body = body[start:]

    if reflow:
        body = _reflow(body)
    art.blocks = _blocks(body, art)
    if any("[" in b.text for b in art.blocks):
        art.blocks = [L.resolve(b) for b in art.blocks]
    _classify(art)
    return art


# Bold, credits, captions and jump markers all need one of these: a paragraph
# without any is plain text, and most paragraphs are.
_SPECIAL_CHARS_RE = re.compile(r"[*_摄图绘版页]")  # a character class scans fastest


def _special(text: str) -> bool:
    return bool(_SPECIAL_CHARS_RE.search(text)) or "新华社发" in text or "面）" in text or "面)" in text


def _is_plain(tok: Token) -> bool:
    text = tok.text
    if tok.kind == "para" and not _special(text):
        return not (len(text) <= 70 and P.is_byline(text)) and P.split_dateline(text)[0] is None
    return (
        tok.kind == "para"
        and not P.is_credit(tok.text)
        and not P.is_byline(tok.text)
        and P.bold_line(tok.text) is None
        and not (tok.text[:1] in "（(" and P.JUMP_RE.match(tok.text))
        and P.split_dateline(tok.text)[0] is None
    )


def _reflow(body: list[Token]) -> list[Token]:
    """Join paragraphs that a column end split (page files only)."""
    out: list[Token] = []
    plain = [_is_plain(t) for t in body]
    credit = [t.kind == "para" and P.is_credit(t.text) for t in body]
    i = 0
    while i < len(body):
        tok = body[i]
        if plain[i] or (tok.kind == "para" and P.split_dateline(tok.text)[0] is not None):
            run = _Run(tok.text)
            while (
                i + 1 < len(body)
                and plain[i + 1]
                and P.continues(run.last)
                and not P.JUMP_RE.search(run.tail)
                and not (i + 2 < len(body) and credit[i + 2])
            ):
                run.add(body[i + 1].text)
                i += 1
            out.append(Token("para", run.text()))
        else:
            out.append(tok)
        i += 1
    return out


class _Run:
    """A paragraph being joined from pieces, in one pass (``join_text`` over and
    over copies the paragraph once a piece): the loop that joins asks only about
    its end, so only the end is kept at hand."""

    __slots__ = ("_parts", "tail", "last")

    def __init__(self, first: str) -> None:
        self._parts = [first]
        #: The last 12 characters (where a jump marker would be).
        self.tail = first[-12:]
        #: The last character that is not a space (what ``continues`` looks at).
        self.last = first.rstrip()[-1:]

    def add(self, piece: str) -> None:
        joint = P.joint(self.tail[-1:], piece)
        self._parts += (joint, piece)
        self.tail = (self.tail + joint + piece[-12:])[-12:]
        self.last = piece.rstrip()[-1:] or self.last

    def text(self) -> str:
        return "".join(self._parts)


def _blocks(body: list[Token], art: Article) -> list[Block]:
    blocks: list[Block] = []
    first_para = True
    for tok in body:
        text = tok.text
        if tok.kind == "subhead":
            blocks.append(Block("subhead", text))
            continue
        if not _special(text):  # the fast path for plain paragraphs
            if first_para:
                text = _take_dateline(text, art)
            first_para = False
            text = text.strip()
            if text:
                blocks.append(Block("paragraph", text))
            continue
        bold = P.bold_line(text)
        if bold is not None:
            blocks.append(Block("subhead", bold))
            continue
        text = text.replace("**", "") if "**" in text else text
        if P.is_credit(text):
            _attach_credit(blocks, text.strip(), art)
            continue
        if first_para:
            text = _take_dateline(text, art)
        first_para = False
        trailing = P.split_trailing_credit(text)
        if trailing:
            blocks.append(Block("caption", trailing[0], credit=trailing[1]))
            continue
        blocks.extend(P.split_jumps(text))
    return blocks


def _take_dateline(text: str, art: Article) -> str:
    """The first paragraph's dateline (and its reporter credit) go to their fields."""
    if art.dateline is not None:
        return text
    dateline, credit, rest = P.split_dateline(text)
    if dateline is None:
        return text
    art.dateline = dateline
    if credit:
        art.bylines.append(credit)
    return rest


def _attach_credit(blocks: list[Block], credit: str, art: Article) -> None:
    """A credit line closes the caption written just before it."""
    prev = blocks[-1] if blocks else None
    if prev is not None and prev.type == "paragraph":
        # The crawler wrote some captions twice: ``caption　　credit`` then
        # the caption and the credit again on their own. Keep one.
        before = blocks[-2] if len(blocks) >= 2 else None
        if before is not None and before.type == "caption" and before.text == prev.text and before.credit == credit:
            blocks.pop()
            art.merged.append(f"caption written twice: {prev.text[:20]}…")
            return
        blocks[-1] = Block("caption", prev.text, credit=credit)
    elif prev is not None and prev.type == "caption" and prev.credit is None:
        prev.credit = credit
    else:
        blocks.append(Block("caption", "", credit=credit))


def _classify(art: Article) -> None:
    """Photo items: nothing but captions (and a short lead into the caption);
    link items: nothing but links (a broadcast item that only points at its video)."""
    if art.blocks and all(b.type == "link" for b in art.blocks):
        art.kind = "link"
        return
    captions = [b for b in art.blocks if b.type == "caption"]
    paragraphs = [b for b in art.blocks if b.type == "paragraph"]
    if not captions:
        if not art.bylines and len(paragraphs) <= 1 and sum(len(b.text) for b in paragraphs) < 120:
            art.kind = "brief" if paragraphs else art.kind
        return
    if not paragraphs:
        art.kind = "photo"
        return
    # ``Lead text. / 图为… / credit``: a short item that ends in a caption is a
    # picture item whose caption runs over more than one paragraph.
    last = art.blocks[-1]
    if (
        len(captions) == 1
        and last is captions[0]
        and all(b.type in ("paragraph", "caption") for b in art.blocks)
        and sum(len(b.text) for b in art.blocks) < 400
        and len(paragraphs) <= 2
    ):
        text = "\n".join(b.text for b in art.blocks)
        art.blocks = [Block("caption", text, credit=last.credit)]
        art.kind = "photo"
