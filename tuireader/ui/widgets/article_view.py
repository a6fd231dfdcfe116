"""The article view: an article set line by line the way the paper prints it.

Lines are broken by ``tuireader.text.linebreak.break_lines`` (Chinese rules:
lines fill to the width, no closing punctuation at a line start; see
``article_layout.py``) and drawn with Textual's line API (``ScrollView.render_line``),
as Textualize/toolong does. Stock Textual wrapping is not used: it leaves half-empty
lines before a CJK run after a space and lets lines start with ``，。``.

Every piece of article text goes through ``sanitize.clean`` and into
``rich.text.Text`` objects: article text is data, never markup. A link is drawn as
its words with an OSC 8 hyperlink (``Style(link=...)``) to a URL ``link_target`` let through.
"""

from __future__ import annotations

import contextlib

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.i18n import N_, _
from tuireader.model import Article
from tuireader.text.linebreak import cell_width
from tuireader.text.sanitize import clean
from tuireader.ui.widgets.article_layout import (  # noqa: F401 (the view's layout, used by tests)
    CAPTION_BAR,
    INDENT,
    PICTURE_MARK,
    RULE,
    Layout,
    Line,
    Onward,
    Piece,
    append_onward,
    article_pieces,
    article_size,
    find_choices,
    jump_label,
    layout_article,
    offset_at,
    placeholder_layout,
)

#: Longer articles are set in a worker thread (about 0.1 s of work on one core).
LARGE_ARTICLE_CHARS = 100_000


class ArticleView(ScrollView, can_focus=True):
    """Shows one article; exposes ``show``, ``highlight``, ``next_match``, ``prev_match``,
    ``paragraph_in_view`` and ``scroll_to_paragraph`` (see docs/contracts.md).

    Paragraph numbers are indexes into ``article.blocks``.
    """

    COMPONENT_CLASSES = {
        "article--kicker",
        "article--headline",
        "article--subheadline",
        "article--byline",
        "article--paragraph",
        "article--subhead",
        "article--caption",
        "article--credit",
        "article--jump",
        "article--match",
        "article--placeholder",
        "article--link",
        "article--url",
        "article--onward",
        "article--onward-heading",
        "article--choice",
    }

    BINDINGS = [
        Binding("j,down", "scroll_down", N_("Down"), id="down", show=False),
        Binding("k,up", "scroll_up", N_("Up"), id="up", show=False),
        Binding("space,pagedown", "page_down", N_("Page down"), id="page_down", show=False),
        Binding("b,pageup", "page_up", N_("Page up"), id="page_up", show=False),
        Binding("g,home", "scroll_home", N_("Top"), id="top", show=False),
        Binding("G,end", "scroll_end", N_("Bottom"), id="bottom", show=False),
        # As in lynx, w3m and frogmouth: Tab steps through what can be followed, Enter follows it.
        Binding("tab", "next_choice", N_("Next keyword/related"), id="next_choice", show=False),
        Binding("shift+tab", "prev_choice", N_("Previous keyword/related"), id="prev_choice",
                show=False),
        Binding("enter", "follow_choice", N_("Open keyword/related"), id="follow_choice",
                show=False),
    ]

    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    """

    class Scrolled(Message):
        """The reader scrolled the article (a key or the wheel), not the program."""

    class OnwardChosen(Message):
        """A keyword (``what`` = "search") or a related article ("open") was chosen at the article's end."""

        def __init__(self, what: str, value: str) -> None:
            super().__init__()
            self.what = what
            self.value = value

    class JumpClicked(Message):
        """A jump marker was clicked; the app follows it."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def __init__(
        self, *, measure: int = 80, hyperlinks: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.measure = measure
        #: Links as OSC 8 hyperlinks on their words; False: their URL shown (``hyperlinks: off``).
        self.hyperlinks = hyperlinks
        self.article: Article | None = None
        self.placeholder = ""
        self._layout = Layout()
        self._layout_width = -1
        self._margin = 0
        self._strips: dict[int, Strip] = {}
        self._terms: list[str] = []
        #: piece index -> list of (start, end) matches of the highlighted terms
        self._matches: dict[int, list[tuple[int, int]]] = {}
        #: line numbers holding the start of a match, in order
        self._match_lines: list[int] = []
        self._match_cursor = -1
        self._pending_paragraph: int | None = None
        self._pending_match = False
        #: A long article is being set in a worker thread.
        self._layout_pending = False
        #: The block to scroll to once the new layout is on screen.
        self._scroll_anchor: int | None = None
        #: Reading onward, set under the open article once the index has answered.
        self.onward: Onward | None = None
        #: Lines and pieces of the article itself; the onward block follows them.
        self._body_size = (0, 0)
        #: The chosen keyword or related article: an index into ``choice_lines()`` (-1: none).
        self._choice = -1
        self._choices: list[tuple[int, int, int]] = []
        self._asked_paragraph: int | None = None

    # -- public interface -------------------------------------------------

    def show(self, article: Article | None, paragraph: int | None = None) -> None:
        """Show ``article`` from the top (or from block ``paragraph``)."""
        self.article = article
        if self.onward is not None and (article is None or self.onward.article_id != article.id):
            self.onward = None
        self._choice = -1
        self._terms = []
        self._matches = {}
        self._match_lines = []
        self._match_cursor = -1
        # Scrolled to once laid out (the view may be hidden, with no width, right now).
        self._pending_paragraph = paragraph
        #: Kept until the reader scrolls: the onward block, set later, must not move that place.
        self._asked_paragraph = paragraph
        self.scroll_to(y=0, animate=False, immediate=True)
        self._relayout(force=True)

    def show_placeholder(self, message: str) -> None:
        self.article = None
        self.onward = None
        self.placeholder = message
        self._relayout(force=True)

    @property
    def lines(self) -> list[Line]:
        return self._layout.lines

    @property
    def pieces(self) -> list[Piece]:
        return self._layout.pieces

    def line_text(self, number: int) -> str:
        """What line ``number`` shows, without the centring margin (for tests and copy)."""
        line = self._layout.lines[number]
        return self._line_text(line).plain.rstrip(" ") if line.piece >= 0 else line.prefix

    def rendered_lines(self) -> list[str]:
        return [self.line_text(i) for i in range(len(self._layout.lines))]

    def highlight(self, terms: list[str]) -> None:
        """Mark every occurrence of ``terms``; scroll to the first one."""
        self._terms = [t for t in (clean(t).strip() for t in terms) if t]
        self._compute_matches()
        self._strips.clear()
        self.refresh()
        if self._match_lines:
            self._match_cursor = 0
            if self._layout_width > 0:
                self.call_after_refresh(self._scroll_to_line, self._match_lines[0])
            else:
                self._pending_match = True
        elif self._layout_pending:
            self._match_cursor = -1  # scrolled to the first match once the layout lands

    @property
    def match_count(self) -> int:
        return sum(len(v) for v in self._matches.values())

    @property
    def match_position(self) -> tuple[int, int] | None:
        """(the match last scrolled to, counted from 1; how many), or None without matches."""
        if not self._match_lines or self._match_cursor < 0:
            return None
        return self._match_cursor + 1, len(self._match_lines)

    def next_match(self) -> bool:
        return self._step_match(+1)

    def prev_match(self) -> bool:
        return self._step_match(-1)

    def paragraph_in_view(self) -> int:
        """The block at the top of the view (index into ``article.blocks``)."""
        top = int(self.scroll_y)
        lines = self._layout.lines
        for number in range(top, len(lines)):
            line = lines[number]
            if line.piece >= 0 and self._layout.pieces[line.piece].block >= 0:
                return self._layout.pieces[line.piece].block
        for number in range(min(top, len(lines)) - 1, -1, -1):
            line = lines[number]
            if line.piece >= 0 and self._layout.pieces[line.piece].block >= 0:
                return self._layout.pieces[line.piece].block
        return 0

    def scroll_to_paragraph(self, index: int) -> None:
        """Scroll so that block ``index`` is at the top (the heading when it is the first)."""
        line = self.line_of_block(index)
        if line is not None:
            self._scroll_to_line(line, top=True)

    def line_of_block(self, index: int) -> int | None:
        first_body = None
        for number, line in enumerate(self._layout.lines):
            if line.piece < 0:
                continue
            block = self._layout.pieces[line.piece].block
            if block >= 0 and first_body is None:
                first_body = number
            if block >= index:
                # Block 0 is read from the very top, heading included.
                return 0 if number == first_body else number
        return None

    def jump_targets(self) -> list[tuple[int, Piece]]:
        """(line number, piece) of every jump marker, in order."""
        out = []
        for number, line in enumerate(self._layout.lines):
            if line.piece >= 0 and self._layout.pieces[line.piece].kind == "jump" and line.start == 0:
                out.append((number, self._layout.pieces[line.piece]))
        return out

    @property
    def has_jump(self) -> bool:
        """Whether the article has a jump marker (下转/上接), linked or not."""
        return any(p.kind == "jump" for p in self._layout.pieces)

    def subheads(self) -> list[tuple[int, str]]:
        """(block index, text) of every in-text subhead, for the outline."""
        return [(p.block, p.text) for p in self._layout.pieces if p.cls == "article--subhead"]

    # -- layout -------------------------------------------------------------

    @property
    def column_width(self) -> int:
        return self._layout.column

    def _relayout(self, force: bool = False) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if width <= 0:
            self._layout_width = -1  # hidden: lay out when shown again
            return
        if not force and width == self._layout_width:
            return
        anchor = self._pending_paragraph
        self._pending_paragraph = None
        if anchor is None and not force:
            anchor = self._scroll_anchor  # a scroll not done yet: two resizes in a row
        if anchor is None and self.article and not force and not self._layout_pending:
            anchor = self.paragraph_in_view()  # keep the reader's place across a resize
        self._layout_width = width
        available = max(width - 2, 8)  # one cell of air on each side
        column = min(available, self.measure)
        self._margin = 1 + (available - column) // 2
        article = self.article
        if article is not None and article_size(article) > LARGE_ARTICLE_CHARS:
            # Setting megabytes of text takes seconds: do it off the UI thread.
            self._layout_pending = True
            self._apply_layout(placeholder_layout(_("Setting a long article…"), column), None)
            self._layout_in_background(article, column, anchor)
            return
        self._layout_pending = False
        if article is not None:
            layout = layout_article(article, column, self.hyperlinks)
        else:
            layout = placeholder_layout(self.placeholder, column)
        self._apply_layout(layout, anchor)

    @work(thread=True, exclusive=True, group="article-layout")
    def _layout_in_background(self, article: Article, column: int, anchor: int | None) -> None:
        layout = layout_article(article, column, self.hyperlinks)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._background_layout_done, article, layout, anchor)

    def _background_layout_done(self, article: Article, layout: Layout, anchor: int | None) -> None:
        if article is not self.article or layout.column != self._layout.column:
            return  # another article, or another width, since: a newer layout is on its way
        self._layout_pending = False
        self._apply_layout(layout, anchor)
        if self._terms and self._match_lines and self._match_cursor < 0:
            self._match_cursor = 0
            self.call_after_refresh(self._scroll_to_line, self._match_lines[0])

    def _apply_layout(self, layout: Layout, anchor: int | None) -> None:
        self._layout = layout
        self._body_size = (len(layout.lines), len(layout.pieces))
        self._place_onward()
        self._compute_matches()
        self._strips.clear()
        width = max(self._layout_width, 0)
        self.virtual_size = Size(width, len(self._layout.lines))
        self.refresh()
        self._scroll_anchor = anchor or None
        if anchor:
            self.call_after_refresh(self._settle_anchor)
        if self._pending_match and self._match_lines:
            self._pending_match = False
            self.call_after_refresh(self._scroll_to_line, self._match_lines[self._match_cursor])

    # -- reading onward at the article's end -----------------------------------------

    def show_onward(self, onward: Onward) -> None:
        """Set ``onward`` under the open article (ignored if another article is open by now)."""
        if self.article is None or onward.article_id != self.article.id:
            return
        # The reader went (or is on the way) to the end, G, before it came: stay at the end.
        at_end = 0 < self.max_scroll_y <= max(self.scroll_y, self.scroll_target_y)
        self.onward = onward
        self._choice = -1
        self._place_onward()
        self._compute_matches()
        self._strips.clear()
        self.virtual_size = Size(max(self._layout_width, 0), len(self._layout.lines))
        self.refresh()
        if self._asked_paragraph:  # a place asked for (a position restored), held at the end by a shorter page
            self.call_after_refresh(self.scroll_to_paragraph, self._asked_paragraph)
        elif at_end:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def _place_onward(self) -> None:
        lines, pieces = self._body_size
        del self._layout.lines[lines:]
        del self._layout.pieces[pieces:]
        if self.onward is not None and self.article is not None and not self._layout_pending:
            append_onward(self._layout, self.onward)
        self._choices = find_choices(self._layout, lines)

    def choice_lines(self) -> list[tuple[int, int, int]]:
        """(line number, piece, index into the piece's choices) of every keyword and related
        article at the article's end, in reading order."""
        return self._choices

    @property
    def chosen(self) -> tuple[str, str] | None:
        """(what, value) of the chosen keyword or related article, if any."""
        choices = self.choice_lines()
        if not 0 <= self._choice < len(choices):
            return None
        _number, piece, index = choices[self._choice]
        _start, _end, what, value = self._layout.pieces[piece].choices[index]
        return what, value

    def _visible(self, number: int) -> bool:
        height = self.scrollable_content_region.height or self.size.height
        return self.scroll_y <= number < self.scroll_y + height

    def _step_choice(self, step: int) -> None:
        choices = self.choice_lines()
        if not choices:
            raise SkipAction()  # nothing to step to: Tab moves the focus, as it does elsewhere
        if 0 <= self._choice < len(choices) and self._visible(choices[self._choice][0]):
            self._choice = (self._choice + step) % len(choices)
        else:  # from where the reader is: the first one on or below the screen's top (or above its foot)
            height = self.scrollable_content_region.height or self.size.height
            if step > 0:
                self._choice = next((i for i, c in enumerate(choices) if c[0] >= self.scroll_y), 0)
            else:
                bottom = self.scroll_y + height
                self._choice = next((i for i in range(len(choices) - 1, -1, -1) if choices[i][0] < bottom),
                                    len(choices) - 1)
        self._strips.clear()
        self.refresh()
        self._scroll_to_line(choices[self._choice][0])

    def action_next_choice(self) -> None:
        self._step_choice(+1)

    def action_prev_choice(self) -> None:
        self._step_choice(-1)

    def action_follow_choice(self) -> None:
        choices = self.choice_lines()
        chosen = self.chosen
        if chosen is None or not self._visible(choices[self._choice][0]):
            raise SkipAction()
        self.post_message(self.OnwardChosen(*chosen))

    def _settle_anchor(self) -> None:
        if self._scroll_anchor is not None:
            self.scroll_to_paragraph(self._scroll_anchor)
            self._scroll_anchor = None

    def on_resize(self) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _compute_matches(self) -> None:
        self._matches = {}
        self._match_lines = []
        if not self._terms:
            return
        # The article's own text only: not the keywords and headlines set under it.
        for number, piece in enumerate(self._layout.pieces[: self._body_size[1]]):
            folded = piece.text.casefold()
            spans = []
            for term in self._terms:
                needle = term.casefold()
                start = folded.find(needle)
                while start >= 0:
                    spans.append((start, start + len(needle)))
                    start = folded.find(needle, start + len(needle))
            if spans:
                self._matches[number] = sorted(spans)
        seen: set[tuple[int, int]] = set()
        for line_number, line in enumerate(self._layout.lines):
            for start, _end in self._matches.get(line.piece, ()):
                if line.start <= start < max(line.end, line.start + 1) and (line.piece, start) not in seen:
                    seen.add((line.piece, start))
                    self._match_lines.append(line_number)

    def _step_match(self, step: int) -> bool:
        if not self._match_lines:
            return False
        self._match_cursor = (self._match_cursor + step) % len(self._match_lines)
        self._scroll_to_line(self._match_lines[self._match_cursor])
        return True

    def _scroll_to_line(self, number: int, top: bool = False) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if top:
            y = number
        elif self.scroll_y <= number < self.scroll_y + height:
            return
        else:
            y = max(0, number - height // 3)
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    # -- rendering -----------------------------------------------------------

    def _style(self, cls: str | None) -> Style:
        if cls is None or not self.is_mounted:
            return self.rich_style
        return self.get_component_rich_style(cls)

    def _line_text(self, line: Line) -> Text:
        column = self._layout.column
        text = Text(end="", no_wrap=True)
        if line.piece < 0:
            if line.prefix:
                text.append(line.prefix, self._style(line.prefix_cls))
            return text
        piece = self._layout.pieces[line.piece]
        body = piece.text[line.start : line.end]
        style = self._style(line.cls)
        body_text = Text(body, style=style, end="")
        if piece.lead > line.start:
            body_text.stylize(self._style("article--byline"), 0, min(piece.lead, line.end) - line.start)
        for start, end, url in piece.links:
            if end > line.start and start < line.end:
                # OSC 8: the terminal opens it, also over SSH (the reader's own terminal, not the server).
                link_style = self._style("article--link") + Style(link=url)
                body_text.stylize(link_style, max(start, line.start) - line.start, min(end, line.end) - line.start)
        for start, end in piece.urls:
            if end > line.start and start < line.end:
                body_text.stylize(self._style("article--url"), max(start, line.start) - line.start,
                                  min(end, line.end) - line.start)
        if piece.choices:
            chosen = self.chosen
            for start, end, what, value in piece.choices:
                if end > line.start and start < line.end:
                    cls = "article--choice" if chosen == (what, value) else "article--link"
                    body_text.stylize(self._style(cls), max(start, line.start) - line.start,
                                      min(end, line.end) - line.start)
        match_style = self._style("article--match")
        for start, end in self._matches.get(line.piece, ()):
            if end > line.start and start < line.end:
                body_text.stylize(match_style, max(start, line.start) - line.start, min(end, line.end) - line.start)
        if line.prefix:
            text.append(line.prefix, self._style(line.prefix_cls) if line.prefix_cls else style)
        if line.align == "right":
            room = column - cell_width(line.prefix) - cell_width(body)
            if room > 0:
                text.append(" " * room, style)
        text.append_text(body_text)
        if line.prefix_cls == "article--caption":
            # The caption block is one shaded box, not ragged line ends.
            room = column - text.cell_len
            if room > 0:
                text.append(" " * room, self._style("article--caption"))
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if number >= len(self._layout.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(number)
        if strip is None:
            segments = [Segment(" " * self._margin, base)] if self._margin else []
            line_text = self._line_text(self._layout.lines[number])
            segments.extend(line_text.render(self.app.console))
            strip = Strip(segments).crop_extend(0, width, base)
            self._strips[number] = strip
        return strip.apply_offsets(scroll_x, number)

    # -- the reader scrolling (what makes an article read) ------------------------

    def _scrolled_by_reader(self) -> None:
        self._asked_paragraph = None  # the reader's own place from now on
        self.post_message(self.Scrolled())

    def action_scroll_down(self) -> None:
        super().action_scroll_down()
        self._scrolled_by_reader()

    def action_scroll_up(self) -> None:
        super().action_scroll_up()
        self._scrolled_by_reader()

    def action_page_down(self) -> None:
        super().action_page_down()
        self._scrolled_by_reader()

    def action_page_up(self) -> None:
        super().action_page_up()
        self._scrolled_by_reader()

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        self._scrolled_by_reader()

    def on_mouse_scroll_down(self) -> None:
        self._scrolled_by_reader()

    def on_mouse_scroll_up(self) -> None:
        self._scrolled_by_reader()

    # -- mouse ---------------------------------------------------------------

    def on_click(self, event) -> None:
        number = int(self.scroll_y) + event.y
        if 0 <= number < len(self._layout.lines):
            line = self._layout.lines[number]
            if line.piece >= 0:
                piece = self._layout.pieces[line.piece]
                if piece.kind == "jump" and piece.target:
                    self.post_message(self.JumpClicked(piece.target))
                offset = offset_at(self._layout, line, event.x - self._margin)
                for start, end, what, value in piece.choices:
                    if start <= offset < end:
                        self.post_message(self.OnwardChosen(what, value))
                        break
