"""The contents pane for archives of any size: (years -> months ->) issues -> pages -> articles.

Built on Textual's line API (``ScrollView.render_line``, as Textualize/toolong's
``LogLines`` does) so that only the rows on screen are ever rendered.

The visible rows are a flat, sorted list of ``(position, page, article)``
triples: ``position`` is the issue's place in the order shown (newest first
unless the config says otherwise), ``page`` is ``YEAR``, ``MONTH`` or ``ISSUE``
on a group's row (see ``contents_layout``), ``article`` is -1 on any group's
row. Because the list is sorted, the row of any year, month, issue, page or
article is found by bisection, and folding or unfolding a group splices just
that group's rows in or out: no key press ever walks the whole archive. Unread
counts are worked out only for groups that are drawn, from the issues' ids
(no issue's pages are built to count them).

A library within one year shows no year or month rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Container, Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.contents import date_jump, parse_date_prefix
from tuireader.i18n import N_, _
from tuireader.model import ArticleRef, Issue, Section
from tuireader.text.sanitize import clean
from tuireader.ui.widgets.contents_layout import ISSUE, MONTH, YEAR, ContentsLayout, group_counts
from tuireader.ui.widgets.contents_rows import ContentsRows, Row
from tuireader.ui.widgets.date_prompt import DatePrompt
from tuireader.ui.widgets.nav import EXPAND_ALL_LIMIT, ArticleChosen, MarkFunction, article_label

__all__ = ["ISSUE", "MONTH", "YEAR", "DatePrompt", "LibraryList"]

#: ``Library.locate``: article id -> (issue, section, ref), or None.
Locate = Callable[[str], "tuple[Issue, Section, ArticleRef] | None"]

OPEN_MARK = "▾"
CLOSED_MARK = "▸"
#: Rendered rows kept between frames (a few screens' worth).
STRIP_CACHE_SIZE = 512


class LibraryList(ContentsRows, ScrollView, can_focus=True):
    """Years, months, issues, pages and articles of a library of any size, drawn row by row."""

    BINDINGS = [
        Binding("j,down", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k,up", "cursor_up", N_("Up"), id="up", show=False),
        Binding("pagedown", "page_down", N_("Page down"), id="page_down", show=False),
        Binding("pageup", "page_up", N_("Page up"), id="page_up", show=False),
        Binding("enter", "select_cursor", N_("Open"), id="open"),
        Binding("l,right", "expand", N_("Expand"), id="expand", show=False),
        Binding("h,left", "collapse", N_("Collapse"), id="collapse", show=False),
        Binding("g,home", "cursor_top", N_("Top"), id="top", show=False),
        Binding("G,end", "cursor_bottom", N_("Bottom"), id="bottom", show=False),
        Binding("escape", "screen.leave_nav", N_("Back to the article"), id="leave_nav", show=False),
    ]

    ArticleChosen = ArticleChosen

    #: nav--read and nav--section are styled by the theme in app.tcss ($read-color, $section-color).
    COMPONENT_CLASSES = {"nav--read", "nav--section", "nav--issue", "nav--count", "nav--cursor"}

    DEFAULT_CSS = """
    LibraryList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    LibraryList > .nav--issue {
        text-style: bold;
    }
    LibraryList > .nav--count {
        color: $text-muted;
    }
    LibraryList > .nav--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    LibraryList:focus > .nav--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._issues: list[Issue] = []
        self._layout = ContentsLayout([])
        self._newest_first = True
        self._marks: MarkFunction = lambda _id: (False, False)
        self._is_read: Callable[[], Callable[[str], bool]] = lambda: lambda _id: False
        self._read_in: Callable[[int], int] | None = None
        self._rows: list[Row] = []
        #: Open groups: years and months by index into the layout's, issues by position.
        self._open_years: set[int] = set()
        self._open_months: set[int] = set()
        self._open_issues: set[int] = set()
        self._open_sections: set[tuple[int, int]] = set()
        #: The library's article id -> (issue, section, ref), when the app gives it.
        self._locate: Locate | None = None
        #: id(issue) -> its index (with ``_locate``), else article id -> its row.
        self._issue_index: dict[int, int] = {}
        self._index: dict[str, Row] = {}
        #: Unread counts: (position, page or ISSUE) and (YEAR or MONTH, index).
        self._unread: dict[tuple[int, int], int] = {}
        self._strips: dict[tuple[Row, bool], Strip] = {}
        self._cursor = 0
        self._width = 0
        #: Styles by component class ("" for the widget's own), worked out once per style change.
        self._styles: dict[str, Style] = {}

    # -- public interface (what the reading screen uses) -----------------------

    def load(
        self,
        issues: Iterable[Issue],
        marks: MarkFunction,
        locate: Locate | None = None,
        *,
        newest_first: bool = True,
        read_ids: Callable[[], Container[str]] | None = None,
        read_in_issue: Callable[[int], int] | None = None,
    ) -> None:
        """Show the library's issues, newest first unless ``newest_first`` is False.
        Loading again (a refreshed library) keeps the groups that were open and the
        row under the cursor.

        ``locate`` (``Library.locate``) finds an article without an index of
        every id being built here: 0.1 s and 16 MB fewer at 100,000 articles.
        ``read_ids`` (the read articles' ids as they are now: the reading state's set)
        counts unread articles without a Python call per id (1.4 million ids in 0.15 s
        rather than 0.35 s); without it, ``marks`` does. ``read_in_issue`` (an issue's
        index in the library -> its read articles) counts an issue whose ids are not
        known yet without building it."""
        kept = self._snapshot() if self._issues else None
        scroll_y = self.scroll_y
        self._issues = list(issues)
        self._newest_first = newest_first
        self._layout = ContentsLayout(self._issues, newest_first)
        self._marks = marks
        if read_ids is not None:
            self._is_read = lambda: read_ids().__contains__
        else:
            self._is_read = lambda: lambda aid: marks(aid)[0]
        self._read_in = read_in_issue
        self._unread.clear()
        self._strips.clear()
        self._locate = locate
        position = self._layout.position
        if locate is not None:
            self._issue_index = {id(issue): i for i, issue in enumerate(self._issues)}
            self._index = {}
        else:
            self._index = {
                ref.id: (position[i], s, a)
                for i, issue in enumerate(self._issues)
                for s, section in enumerate(issue.sections)
                for a, ref in enumerate(section.articles)
            }
        target: Row | None = None
        if kept is not None:
            target = self._restore(kept)
        else:
            # Counted without building a lazy issue's pages.
            total = sum(issue.article_count for issue in self._issues)
            expand_all = total <= EXPAND_ALL_LIMIT
            layout = self._layout
            self._open_years = set(range(len(layout.years))) if expand_all else set()
            self._open_months = set(range(len(layout.months))) if expand_all else set()
            self._open_issues = set(range(len(self._issues))) if expand_all or len(self._issues) == 1 else set()
            self._open_sections = (
                {(position[i], s) for i, issue in enumerate(self._issues) for s in range(len(issue.sections))}
                if expand_all
                else set()
            )
            self._cursor = 0
        self._rebuild_rows()
        if kept is not None and target is not None:
            self._cursor = self._find_row(target)
            self.scroll_to(y=scroll_y, animate=False, immediate=True, force=True)
            self._scroll_to_cursor()

    def select_article(self, article_id: str) -> None:
        """Move the cursor to the article, opening its year, month, issue and page."""
        where = self._position(article_id)
        if where is None:
            return
        p, s, _a = where
        self._reveal(p)
        self._expand_issue(p)
        self._expand_section(p, s)
        self._move(bisect_left(self._rows, where), centre=True)

    def first_shown_article(self) -> str | None:
        """The first article of the first issue shown (the newest, unless the config says otherwise)."""
        for n in self._layout.order:
            ids = self._issues[n].article_ids
            if ids:
                return ids[0]
        return None

    def refresh_marks(self, article_ids: Iterable[str] | None = None) -> None:
        """Redraw read/bookmark marks and unread counts (of the given articles, or of all)."""
        if article_ids is None:  # everything: after a theme change, say
            self._unread.clear()
            self._strips.clear()
        else:
            for article_id in article_ids:
                where = self._position(article_id)
                if where is None:
                    continue
                p, s, _a = where
                self._unread.pop((p, s), None)
                self._unread.pop((p, ISSUE), None)
                rows = [(p, ISSUE, -1), (p, s, -1), where]
                y, m = self._layout.year_of(p), self._layout.month_of(p)
                if y is not None:
                    self._unread.pop((YEAR, y), None)
                    rows.append((self._layout.years[y].start, YEAR, -1))
                if m is not None:
                    self._unread.pop((MONTH, m), None)
                    rows.append((self._layout.months[m].start, MONTH, -1))
                for row in rows:
                    self._forget_row(row)
        self.refresh()

    @property
    def cursor_article(self) -> str | None:
        row = self.cursor_row
        if row is None or row[2] < 0:
            return None
        p, s, a = row
        return self._issue(p).sections[s].articles[a].id

    # -- more for the app, benchmarks and tests ----------------------------------

    @property
    def cursor_row(self) -> Row | None:
        """The row under the cursor: (issue position in the order shown, page or YEAR/MONTH/ISSUE, article)."""
        return self._rows[self._cursor] if self._rows else None

    @property
    def cursor_issue(self) -> Issue | None:
        """The issue the cursor is in (on a year's or a month's row: its first issue shown)."""
        row = self.cursor_row
        return None if row is None else self._issue(row[0])

    @property
    def cursor_line(self) -> int:
        return self._cursor

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def grouped(self) -> bool:
        """True when the contents fold by year and month (the library spans more than a year)."""
        return self._layout.grouped

    def row_text(self, number: int) -> str:
        """What row ``number`` shows (for tests)."""
        return self._row_text(self._rows[number]).plain

    def expand_issue(self, issue: int, sections: bool = False) -> None:
        """Unfold an issue (by its index in the library), its year and month, and (``sections``) its pages."""
        p = self._layout.position[issue]
        self._reveal(p)
        self._expand_issue(p)
        if sections:
            for s in range(len(self._issues[issue].sections)):
                self._expand_section(p, s)

    def collapse_issue(self, issue: int) -> None:
        self._collapse_issue(self._layout.position[issue])

    def unread_count(self, issue: int, section: int | None = None) -> int:
        """Unread articles of an issue (by its index in the library), or of one of its pages."""
        p = self._layout.position[issue]
        return self._issue_unread(p) if section is None else self._section_unread(p, section)

    def jump_to_date(self, text: str) -> bool:
        """Put the cursor on the year (``1966``), month (``1966-05``) or issue
        (``1966-05-16``) typed, unfolding what leads to it; a date without an issue
        leads to the nearest issue, with a notice."""
        prefix = parse_date_prefix(text)
        if prefix is None:
            self.notify(
                _("Not a date: {text} (try 1966, 1966-05 or 1966-05-16)").format(text=repr(clean(text))),
                severity="warning",
                markup=False,
            )
            return False
        n = date_jump(self._issues, prefix, self._newest_first)
        if n is None:
            self.notify(_("No issue in this library has a date."), severity="warning", markup=False)
            return False
        issue = self._issues[n]
        p = self._layout.position[n]
        layout = self._layout
        exact = (issue.date or "").startswith(prefix)
        y, m = layout.year_of(p), layout.month_of(p)
        self._reveal(p, month=len(prefix) != 4 or not exact)
        if exact and y is not None and len(prefix) == 4:
            self._expand_year(y)
            target = (layout.years[y].start, YEAR, -1)
        elif exact and m is not None and len(prefix) == 7:
            target = (layout.months[m].start, MONTH, -1)
        else:
            self._expand_issue(p)
            target = (p, ISSUE, -1)
        self._move(bisect_left(self._rows, target), top=True)
        if not exact:
            self.notify(
                _("No issue for {date}: the nearest is {issue}.").format(date=prefix, issue=clean(issue.label)),
                markup=False,
                timeout=5,
            )
        return True

    def prompt_date(self) -> None:
        """Ask for a date and jump to it."""

        def chosen(value: str | None) -> None:
            self.focus()
            if value and value.strip():
                self.jump_to_date(value)

        self.app.push_screen(DatePrompt(), chosen)

    def _position(self, article_id: str) -> Row | None:
        """The (position, page, article) of an article, None if it is not here."""
        if self._locate is None:
            return self._index.get(article_id)
        where = self._locate(article_id)
        if where is None:
            return None
        issue, section, ref = where
        i = self._issue_index.get(id(issue))
        if i is None or self._issues[i] is not issue:
            return None
        # A page holds a dozen articles and an issue a dozen pages: short walks, by identity.
        s = next((n for n, sec in enumerate(issue.sections) if sec is section), None)
        a = next((n for n, r in enumerate(section.articles) if r is ref), None)
        return None if s is None or a is None else (self._layout.position[i], s, a)

    # -- cursor ------------------------------------------------------------------

    def _move(self, line: int, *, centre: bool = False, top: bool = False) -> None:
        if not self._rows:
            return
        line = max(0, min(line, len(self._rows) - 1))
        old = self._cursor
        self._cursor = line
        for number in (old, line):
            if 0 <= number < len(self._rows):
                self._strips.pop((self._rows[number], True), None)
        self._scroll_to_cursor(centre=centre, top=top)
        self.refresh()

    def _scroll_to_cursor(self, *, centre: bool = False, top: bool = False) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        y = int(self.scroll_y)
        if top:
            y = self._cursor
        elif centre and not (y <= self._cursor < y + height):
            y = self._cursor - height // 2
        elif self._cursor < y:
            y = self._cursor
        elif self._cursor >= y + height:
            y = self._cursor - height + 1
        y = max(0, min(y, len(self._rows) - height))
        if y != int(self.scroll_y):
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _rows_changed(self) -> None:
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._width or self.size.width, len(self._rows))

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._strips.clear()
        self._update_virtual_size()
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self._forget_styles()

    def on_blur(self) -> None:
        self._forget_styles()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_styles()

    def _forget_styles(self) -> None:
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    def action_cursor_down(self) -> None:
        self._move(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self._cursor - 1)

    def action_page_down(self) -> None:
        self._move(self._cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._move(self._cursor - max(1, self.scrollable_content_region.height - 1))

    def action_cursor_top(self) -> None:
        self._move(0)

    def action_cursor_bottom(self) -> None:
        self._move(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        """Enter: open the article, or fold / unfold the group under the cursor."""
        row = self.cursor_row
        if row is None:
            return
        p, s, a = row
        if a >= 0:
            self.post_message(ArticleChosen(self._issue(p).sections[s].articles[a].id))
        elif self._is_open(row):
            self.action_collapse()
        else:
            self.action_expand()

    def action_expand(self) -> None:
        row = self.cursor_row
        if row is None:
            return
        p, s, a = row
        if a >= 0:
            return
        if s == YEAR:
            self._expand_year(self._layout.year_at(p))
        elif s == MONTH:
            self._expand_month(self._layout.month_at(p))
        elif s == ISSUE:
            self._expand_issue(p)
        else:
            self._expand_section(p, s)

    def action_collapse(self) -> None:
        """Fold the group under the cursor, or go up to the group its row is in."""
        row = self.cursor_row
        if row is None:
            return
        p, s, a = row
        if a < 0 and self._is_open(row):
            if s == YEAR:
                self._collapse_year(self._layout.year_at(p))
            elif s == MONTH:
                self._collapse_month(self._layout.month_at(p))
            elif s == ISSUE:
                self._collapse_issue(p)
            else:
                self._collapse_section(p, s)
            return
        parent = self._parent_row(row)
        if parent is not None:
            self._move(bisect_left(self._rows, parent))

    def on_click(self, event: Click) -> None:
        line = int(self.scroll_y) + event.y
        if 0 <= line < len(self._rows):
            self._move(line)
            self.action_select_cursor()

    # -- drawing -------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        """A component class's style, or the widget's own for "" (cached: Textual works them out slowly)."""
        style = self._styles.get(name)
        if style is None:
            if not self.is_mounted:
                return Style()
            style = self.get_component_rich_style(name, partial=True) if name else self.rich_style
            self._styles[name] = style
        return style

    def _row_text(self, row: Row) -> Text:
        p, s, a = row
        issue = self._issue(p)
        layout = self._layout
        # Issues sit under their month (or, undated, their year) when the contents fold by year.
        depth = 0 if not layout.grouped else 1 if layout.month_of(p) is None else 2
        if a >= 0:
            ref = issue.sections[s].articles[a]
            read, bookmarked = self._marks(ref.id)
            text = Text("  " * depth + "    ", end="", no_wrap=True)
            text.append_text(article_label(ref, read, bookmarked, self._style("nav--read")))
            return text
        mark = OPEN_MARK if self._is_open(row) else CLOSED_MARK
        if s in (YEAR, MONTH):
            index = layout.year_at(p) if s == YEAR else layout.month_at(p)
            span = (layout.years if s == YEAR else layout.months)[index]
            text = Text(f"{'  ' if s == MONTH else ''}{mark} ", end="", no_wrap=True)
            text.append(span.label(), self._style("nav--issue"))
            counts = group_counts(span.end - span.start, self._group_unread(s, index))
            text.append(f"  {counts}", self._style("nav--count"))
            return text
        if s >= 0:
            text = Text("  " * depth + f"  {mark} ", end="", no_wrap=True)
            text.append(clean(issue.sections[s].label), self._style("nav--section"))
            unread = self._section_unread(p, s)
        else:
            text = Text("  " * depth + f"{mark} ", end="", no_wrap=True)
            text.append(clean(issue.label), self._style("nav--issue"))
            unread = self._issue_unread(p)
        if unread:
            text.append(f"  {unread}", self._style("nav--count"))
        return text

    def render_line(self, y: int) -> Strip:
        number = int(self.scroll_y) + y
        width = self._width or self.scrollable_content_region.width or self.size.width
        base = self._style("")
        if number >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[number]
        is_cursor = number == self._cursor
        key = (row, is_cursor)
        strip = self._strips.get(key)
        if strip is None:
            text = self._row_text(row)
            text.truncate(width, overflow="ellipsis")  # a title cut short says so
            segments = list(text.render(self.app.console))
            strip = Strip(segments).crop_extend(0, width, base)
            strip = Strip(Segment.apply_style(strip, base))
            if is_cursor:
                strip = Strip(Segment.apply_style(strip, post_style=self._style("nav--cursor")))
            if len(self._strips) >= STRIP_CACHE_SIZE:
                self._strips.clear()
            self._strips[key] = strip
        return strip
