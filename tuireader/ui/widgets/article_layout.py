"""How an article is set: its pieces (kicker, headline, paragraphs, captions, jumps,
links) and the screen lines they are broken into, for ``ArticleView`` to draw.

No Textual here: ``layout_article`` can run in a worker thread. Every piece of
article text goes through ``sanitize.clean``; a link's URL through ``link_target``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tuireader.i18n import _
from tuireader.model import Article, Link
from tuireader.text.linebreak import break_balanced, break_lines, cell_width
from tuireader.text.sanitize import clean, link_target

#: Titles: a last line of one character alone is re-broken (``break_balanced``).
TITLE_CLASSES = frozenset({"article--kicker", "article--headline", "article--subheadline"})
#: The Chinese first-line indent: two full-width spaces.
INDENT = "\u3000\u3000"
PICTURE_MARK = "▣ 图"
CAPTION_BAR = "│ "
RULE = "─"


@dataclass(slots=True)
class Piece:
    """A run of text set as one unit: the kicker, one paragraph, one caption..."""

    text: str
    cls: str
    #: Index into ``article.blocks``; -1 for the heading (kicker, headline, bylines).
    block: int = -1
    first_prefix: str = ""
    prefix: str = ""
    prefix_cls: str | None = None
    align: str = "left"
    #: For jump markers: the article id the marker leads to (None: not in the library).
    target: str | None = None
    #: The block type the piece comes from ("" for the heading).
    kind: str = ""
    #: Characters at the start set in the byline style (the dateline opening a paragraph).
    lead: int = 0
    #: Links in the text: (start, end, URL fit for an OSC 8 hyperlink).
    links: tuple[tuple[int, int, str], ...] = ()
    #: URLs shown as text (``hyperlinks: off``): (start, end), set dimmed.
    urls: tuple[tuple[int, int], ...] = ()
    #: Reading onward: what Tab steps to and Enter follows, (start, end, what, value):
    #: ("search", keyword) or ("open", article id).
    choices: tuple[tuple[int, int, str, str], ...] = ()


@dataclass(slots=True)
class Line:
    """One screen line of the article column."""

    piece: int  # index into the pieces; -1 for a rule or a blank line
    start: int = 0  # character offsets into the piece's text
    end: int = 0
    prefix: str = ""
    prefix_cls: str | None = None
    cls: str = "article--paragraph"
    align: str = "left"


@dataclass(slots=True)
class Layout:
    pieces: list[Piece] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    column: int = 0


@dataclass(frozen=True, slots=True)
class Onward:
    """Reading onward, set at the end of an article: its keywords, each a search, and
    相关报道, other articles sharing them, each opened. ``note`` says why there are none yet."""

    article_id: str
    keywords: tuple[str, ...] = ()
    #: (article id, headline, source: the paper and date)
    related: tuple[tuple[str, str, str], ...] = ()
    note: str = ""


def jump_label(direction: str | None, page: int | None, available: bool) -> str:
    page_text = f"第{page}版" if page is not None else "另版"
    if direction == "prev":
        return f"← 上接{page_text}" if available else f"上接{page_text}" + _(" (beginning not in this library)")
    return f"下转{page_text} →" if available else f"下转{page_text}" + _(" (continuation not in this library)")


class LinkSetter:
    """A block's text with its links: each a hyperlink on its words, or (``hyperlinks``
    off) its words followed by the URL once per article, to be dimmed."""

    def __init__(self, hyperlinks: bool) -> None:
        self.hyperlinks = hyperlinks
        self.shown: set[str] = set()

    def set(self, raw: str, links: Iterable[Link], shift: int = 0) -> tuple[str, list[tuple[int, int, str]],
                                                                        list[tuple[int, int]]]:
        """(cleaned text, link spans, URL spans); spans moved on by ``shift`` (a dateline put before)."""
        text, spans, urls, pos = "", [], [], 0
        for link in sorted(links, key=lambda k: k.start):
            if link.start < pos or link.end <= link.start:
                continue
            text += clean(raw[pos : link.start])
            start = len(text)
            text += clean(raw[link.start : link.end])
            pos = link.end
            target = link_target(link.url)
            if target is None:
                continue  # not a link a terminal should be handed: the words alone
            if self.hyperlinks:
                spans.append((shift + start, shift + len(text), target))
            elif target not in self.shown:
                self.shown.add(target)
                text += " "
                urls.append((shift + len(text), shift + len(text) + len(target)))
                text += target
        text += clean(raw[pos:])
        return text, spans, urls


def article_pieces(article: Article, hyperlinks: bool = True) -> list[Piece]:
    """The article's text, in reading order, as pieces to be set; its links hyperlinks
    on their words (``hyperlinks``), else followed by their URL."""
    pieces: list[Piece] = []
    setter = LinkSetter(hyperlinks)
    if article.kicker:
        pieces.append(Piece(clean(article.kicker), "article--kicker"))
    if article.headline:
        pieces.append(Piece(clean(article.headline), "article--headline"))
    for sub in article.subheadlines:
        pieces.append(Piece(clean(sub), "article--subheadline"))
    for byline in article.bylines:
        pieces.append(Piece(clean(byline), "article--byline"))
    dateline = clean(article.dateline) if article.dateline else ""
    dateline_pending = bool(dateline)
    for index, block in enumerate(article.blocks):
        text = clean(block.text)
        if block.type == "paragraph":
            lead = 0
            before = ""
            if dateline_pending:
                dateline_pending = False
                if not text.startswith(dateline):
                    gap = "" if dateline.endswith("】") else " "
                    before = f"{dateline}{gap}" if text else dateline
                lead = len(dateline)
            text, spans, urls = setter.set(block.text, block.links, len(before))
            pieces.append(Piece(before + text, "article--paragraph", index, first_prefix=INDENT, lead=lead,
                                links=tuple(spans), urls=tuple(urls)))
        elif block.type == "link":  # a paragraph that is only a link: its words, linked
            raw = block.text or block.url or ""
            text, spans, urls = setter.set(raw, [Link(0, len(raw), block.url or "")])
            pieces.append(Piece(text, "article--paragraph", index, first_prefix=INDENT, kind="link",
                                links=tuple(spans), urls=tuple(urls)))
        elif block.type == "subhead":
            pieces.append(Piece(text, "article--subhead", index))
        elif block.type == "dateline":  # opens a dispatch: set as the lead of its first paragraph
            if dateline_pending:
                pieces.append(Piece(dateline, "article--byline"))
            dateline, dateline_pending = text, bool(text)
        elif block.type == "signature":
            pieces.append(Piece(text, "article--byline", index, align="right"))
        elif block.type == "caption":
            pieces.append(
                Piece(text, "article--caption", index, prefix=CAPTION_BAR, prefix_cls="article--caption")
            )
            if block.credit:
                pieces.append(
                    Piece(
                        clean(block.credit),
                        "article--credit",
                        index,
                        prefix=CAPTION_BAR,
                        prefix_cls="article--caption",
                        align="right",
                    )
                )
        elif block.type == "jump":
            if block.direction == "prev":
                target = article.continued_from
            else:
                target = article.continues_at
            label = jump_label(block.direction, block.page, target is not None)
            cls = "article--jump" if target is not None else "article--byline"
            align = "left" if block.direction == "prev" else "right"
            pieces.append(Piece(label, cls, index, align=align, target=target, kind="jump"))
        elif text:
            pieces.append(Piece(text, "article--paragraph", index, first_prefix=INDENT))
    if dateline_pending:
        pieces.append(Piece(dateline, "article--byline"))
    return pieces


def article_size(article: Article) -> int:
    """Characters of text in an article (what setting it costs)."""
    return len(article.headline or "") + sum(len(b.text) for b in article.blocks)


def placeholder_layout(message: str, column: int) -> Layout:
    """A message in place of an article: a line, or a few (a reason under it)."""
    layout = Layout(column=column)
    for text in message.split("\n") if message else []:
        number = len(layout.pieces)
        layout.pieces.append(Piece(text, "article--placeholder"))
        position = 0
        for part in break_lines(text, max(column, 8)) or [""]:
            start = max(text.find(part, position), position)
            position = start + len(part)
            layout.lines.append(Line(number, start, position, cls="article--placeholder"))
    return layout


def layout_article(article: Article, column: int, hyperlinks: bool = True) -> Layout:
    """Set ``article`` in a column ``column`` cells wide."""
    column = max(column, 8)
    pieces = article_pieces(article, hyperlinks)
    layout = Layout(pieces=pieces, column=column)
    lines = layout.lines
    lines.append(Line(-1))  # air below the masthead
    previous_cls: str | None = None
    for number, piece in enumerate(pieces):
        cls = piece.cls
        in_caption = cls in ("article--caption", "article--credit")
        heading = cls in ("article--kicker", "article--headline", "article--subheadline", "article--byline")
        # Vertical rhythm: a blank line between body blocks and after the heading.
        if number > 0:
            if cls == "article--credit":
                pass
            elif heading and previous_cls in ("article--kicker", "article--headline", "article--subheadline"):
                if cls == "article--byline":
                    lines.append(Line(-1))
            elif heading and previous_cls == "article--byline":
                pass
            elif previous_cls == "article--subhead":
                pass  # a subhead sits on the text it heads
            else:
                lines.append(Line(-1))
        if cls == "article--caption":
            mark = f"{PICTURE_MARK} "
            lines.append(
                Line(-1, prefix=mark + RULE * max(0, column - cell_width(mark)), prefix_cls="article--caption")
            )
        prefix_width = cell_width(piece.prefix)
        width = column - prefix_width
        first_indent = cell_width(piece.first_prefix)
        if not piece.text:
            parts = [""]
        elif cls in TITLE_CLASSES:
            parts = break_balanced(piece.text, width)
        elif piece.align == "right":
            parts = break_lines(piece.text, width)
        else:
            parts = break_lines(piece.text, width, first_indent)
        position = 0
        for i, part in enumerate(parts):
            start = piece.text.find(part, position) if part else position
            if start < 0:  # the breaker normalised something: fall back to running offsets
                start = position
            end = start + len(part)
            position = end
            prefix = piece.prefix + (piece.first_prefix if i == 0 else "")
            lines.append(
                Line(number, start, end, prefix=prefix, prefix_cls=piece.prefix_cls, cls=cls, align=piece.align)
            )
        closes_caption = in_caption and (
            number + 1 >= len(pieces) or pieces[number + 1].cls != "article--credit"
        )
        if closes_caption:
            lines.append(Line(-1, prefix=RULE * column, prefix_cls="article--caption"))
        previous_cls = cls
    return layout


#: Between keywords on their line.
KEYWORD_GAP = "\u3000"


def onward_pieces(onward: Onward) -> list[Piece]:
    """The pieces of the reading-onward block: a heading, the keywords on one line
    (wrapped), then each related article on a line of its own. Text is cleaned: it is data."""
    pieces = [Piece(_("Reading onward"), "article--onward-heading")]
    if onward.note:
        pieces.append(Piece(clean(onward.note), "article--onward"))
        return pieces
    label = _("Keywords: ")
    text, choices = label, []
    for word in onward.keywords:
        shown = clean(word).strip()
        if shown:
            if len(text) > len(label):
                text += KEYWORD_GAP
            choices.append((len(text), len(text) + len(shown), "search", word))
            text += shown
    if choices:
        pieces.append(Piece(text, "article--onward", lead=len(label), choices=tuple(choices)))
    if onward.related:
        pieces.append(Piece(_("Related articles"), "article--onward-heading"))
    for article_id, headline, source in onward.related:
        shown = clean(headline).strip() or "—"
        quiet = f"  {clean(source)}" if source else ""
        pieces.append(Piece(shown + quiet, "article--onward", first_prefix="· ", prefix="  ",
                            choices=((0, len(shown), "open", article_id),),
                            urls=((len(shown), len(shown) + len(quiet)),) if quiet else ()))
    if not choices and not onward.related:
        pieces.append(Piece(_("No keywords for this article."), "article--onward"))
    return pieces


def append_onward(layout: Layout, onward: Onward) -> None:
    """Set the reading-onward block under an article laid out already: a rule, then its pieces."""
    column = layout.column
    lines = layout.lines
    lines.append(Line(-1))
    lines.append(Line(-1, prefix=RULE * column, prefix_cls="article--onward"))
    for piece in onward_pieces(onward):
        number = len(layout.pieces)
        layout.pieces.append(piece)
        prefix_width = cell_width(piece.prefix)
        first_indent = cell_width(piece.first_prefix) - prefix_width
        if piece.lead and piece.choices:
            spans = _keyword_lines(piece, column)
        else:
            spans, position = [], 0
            for part in break_lines(piece.text, column - prefix_width, max(first_indent, 0)) or [""]:
                start = piece.text.find(part, position) if part else position
                start = position if start < 0 else start
                position = start + len(part)
                spans.append((start, position))
        for i, (start, end) in enumerate(spans):
            prefix = piece.first_prefix if i == 0 and piece.first_prefix else piece.prefix
            lines.append(Line(number, start, end, prefix=prefix, cls=piece.cls))


def _keyword_lines(piece: Piece, column: int) -> list[tuple[int, int]]:
    """The keyword line broken between keywords, never inside one (a keyword wider than the
    column is cut by the screen's edge rather than split)."""
    spans: list[tuple[int, int]] = []
    start = previous_end = 0
    for word_start, word_end, _what, _value in piece.choices:
        if previous_end and cell_width(piece.text[start:word_end]) > column:
            spans.append((start, previous_end))  # the gap before this keyword is not drawn
            start = word_start
        previous_end = word_end
    spans.append((start, len(piece.text)))
    return spans


def find_choices(layout: Layout, first_line: int = 0) -> list[tuple[int, int, int]]:
    """(line number, piece, index into its choices) of every choice from ``first_line`` on,
    each on the line where it starts, in reading order."""
    out = []
    for number in range(first_line, len(layout.lines)):
        line = layout.lines[number]
        if line.piece < 0:
            continue
        for index, (start, _end, _what, _value) in enumerate(layout.pieces[line.piece].choices):
            if line.start <= start < max(line.end, line.start + 1):
                out.append((number, line.piece, index))
    return out


def offset_at(layout: Layout, line: Line, x: int) -> int:
    """The character of ``line``'s piece under column ``x`` of the text column (-1: in the prefix)."""
    piece = layout.pieces[line.piece]
    x -= cell_width(line.prefix)
    if x < 0:
        return -1
    for index in range(line.start, line.end):
        x -= cell_width(piece.text[index])
        if x < 0:
            return index
    return line.end
