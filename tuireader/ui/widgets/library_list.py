"""The contents pane for archives of any size: issues -> sections -> articles.

Built on Textual's line API (``ScrollView.render_line``, as Textualize/toolong's
``LogLines`` does) so that only the rows on screen are ever rendered.

The visible rows are a flat, sorted list of ``(issue, section, article)``
index triples (``-1`` for a group row). Because the list is sorted, the row
of any issue, section or article is found by bisection, and expanding or
collapsing a group splices just that group's rows in or out: no key press
ever walks the whole archive. Unread counts are kept per section and worked
out only for groups that are drawn.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.i18n import N_, _
from tuireader.model import ArticleRef, Issue, Section
from tuireader.text.sanitize import clean
from tuireader.ui.widgets.date_prompt import DatePrompt
from tuireader.ui.widgets.nav import EXPAND_ALL_LIMIT, ArticleChosen, MarkFunction, article_label

#: (issue index, section index, article index); -1 where the row is a group.
Row = tuple[int, int, int]
#: ``Library.locate``: article id -> (issue, section, ref), or None.
Locate = Callable[[str], "tuple[Issue, Section, ArticleRef] | None"]

OPEN_MARK = "▾"
CLOSED_MARK = "▸"
#: Rendered rows kept between frames (a few screens' worth).
STRIP_CACHE_SIZE = 512

_DATE_RE = re.compile(r"^\s*(\d{4})(?:[-/.年]?(\d{1,2})(?:[-/.月]?(\d{1,2})日?)?月?)?\s*$")


def parse_date_prefix(text: str) -> str | None:
    """``2025``, ``2025-06``, ``2025-06-01`` (or ``20250601``, ``2025/6/1``,
    ``2025年6月1日``) as an ISO prefix to compare issue dates with; None if not a date."""
    match = _DATE_RE.match(text)
    if match is None:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    if not 1 <= int(day) <= 31:
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


class LibraryList(ScrollView, can_focus=True):
    """Issues, sections and articles of a library of any size, drawn row by row."""

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
        self._marks: MarkFunction = lambda _id: (False, False)
        self._rows: list[Row] = []
        self._open_issues: set[int] = set()
        self._open_sections: set[tuple[int, int]] = set()
        #: The library's article id -> (issue, section, ref), when the app gives it.
        self._locate: Locate | None = None
        #: id(issue) -> its index (with ``_locate``), else article id -> its row.
        self._issue_index: dict[int, int] = {}
        self._index: dict[str, Row] = {}
        self._unread: dict[tuple[int, int], int] = {}
        self._strips: dict[tuple[Row, bool], Strip] = {}
        self._cursor = 0
        self._width = 0
        #: Styles by component class ("" for the widget's own), worked out once per style change.
        self._styles: dict[str, Style] = {}

    # -- public interface (what the reading screen uses) -----------------------

    def load(self, issues: Iterable[Issue], marks: MarkFunction, locate: Locate | None = None) -> None:
        """Show the library's issues. Loading again (a refreshed library) keeps
        the groups that were open and the row under the cursor.

        ``locate`` (``Library.locate``) finds an article without an index of
        every id being built here: 0.1 s and 16 MB fewer at 100,000 articles."""
        previous = self._snapshot() if self._issues else None
        target: Row | None = None
        self._issues = list(issues)
        self._marks = marks
        self._unread.clear()
        self._strips.clear()
        self._locate = locate
        if locate is not None:
            self._issue_index = {id(issue): i for i, issue in enumerate(self._issues)}
            self._index = {}
        else:
            self._index = {
                ref.id: (i, s, a)
                for i, issue in enumerate(self._issues)
                for s, section in enumerate(issue.sections)
                for a, ref in enumerate(section.articles)
            }
        if previous is not None:
            target = self._restore(previous)
        else:
            # Counted without building a lazy issue's pages.
            total = sum(issue.article_count for issue in self._issues)
            expand_all = total <= EXPAND_ALL_LIMIT
            self._open_issues = set(range(len(self._issues))) if expand_all or len(self._issues) == 1 else set()
            self._open_sections = (
                {(i, s) for i, issue in enumerate(self._issues) for s in range(len(issue.sections))}
                if expand_all
                else set()
            )
            self._cursor = 0
        self._rebuild_rows()
        if previous is not None and target is not None:
            self._cursor = self._find_row(target)
            self.scroll_to(y=previous[3], animate=False, immediate=True, force=True)
            self._scroll_to_cursor()

    def select_article(self, article_id: str) -> None:
        """Move the cursor to the article, opening its issue and section."""
        where = self._position(article_id)
        if where is None:
            return
        i, s, _a = where
        self._expand_issue(i)
        self._expand_section(i, s)
        self._move(bisect_left(self._rows, where), centre=True)

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
                i, s, _a = where
                self._unread.pop((i, s), None)
                self._unread.pop((i, -1), None)
                for row in ((i, -1, -1), (i, s, -1), where):
                    self._strips.pop((row, False), None)
                    self._strips.pop((row, True), None)
        self.refresh()

    @property
    def cursor_article(self) -> str | None:
        row = self.cursor_row
        if row is None or row[2] < 0:
            return None
        i, s, a = row
        return self._issues[i].sections[s].articles[a].id

    # -- more for the app and tests -------------------------------------------

    @property
    def cursor_row(self) -> Row | None:
        return self._rows[self._cursor] if self._rows else None

    @property
    def cursor_line(self) -> int:
        return self._cursor

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def row_text(self, number: int) -> str:
        """What row ``number`` shows (for tests)."""
        return self._row_text(self._rows[number]).plain

    def unread_count(self, issue: int, section: int | None = None) -> int:
        """Unread articles of an issue, or of one of its sections (no parsing: ids and the read set)."""
        if section is not None:
            return self._section_unread(issue, section)
        item = self._issues[issue]
        if not item.loaded:  # a folded issue of a large library: its ids, its pages left packed
            count = self._unread.get((issue, -1))
            if count is None:
                marks = self._marks
                count = self._unread[(issue, -1)] = sum(1 for aid in item.article_ids if not marks(aid)[0])
            return count
        return sum(self._section_unread(issue, s) for s in range(len(item.sections)))

    def jump_to_date(self, text: str) -> bool:
        """Put the cursor on the first issue dated on or after ``text`` (``2025-06``, ``2025-06-01``)."""
        prefix = parse_date_prefix(text)
        if prefix is None:
            self.notify(_("Not a date: {text} (try 2025-06 or 2025-06-01)").format(
                text=repr(clean(text))), severity="warning", markup=False)
            return False
        # Issues are sorted by date, undated ones last.
        dates = [issue.date or "\uffff" for issue in self._issues]
        target = bisect_left(dates, prefix)
        if target >= len(self._issues) or self._issues[target].date is None:
            self.notify(_("No issue on or after {date}.").format(date=prefix), severity="warning", markup=False)
            return False
        self._expand_issue(target)
        self._move(bisect_left(self._rows, (target, -1, -1)), top=True)
        return True

    def prompt_date(self) -> None:
        """Ask for a date and jump to it."""

        def chosen(value: str | None) -> None:
            self.focus()
            if value and value.strip():
                self.jump_to_date(value)

        self.app.push_screen(DatePrompt(), chosen)

    def _position(self, article_id: str) -> Row | None:
        """The (issue, section, article) indexes of an article, None if it is not here."""
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
        return None if s is None or a is None else (i, s, a)

    # -- rows ------------------------------------------------------------------

    def _issue_rows(self, i: int) -> list[Row]:
        rows: list[Row] = []
        for s, section in enumerate(self._issues[i].sections):
            rows.append((i, s, -1))
            if (i, s) in self._open_sections:
                rows.extend((i, s, a) for a in range(len(section.articles)))
        return rows

    def _rebuild_rows(self) -> None:
        rows: list[Row] = []
        for i in range(len(self._issues)):
            rows.append((i, -1, -1))
            if i in self._open_issues:
                rows.extend(self._issue_rows(i))
        self._rows = rows
        self._cursor = min(self._cursor, max(0, len(rows) - 1))
        self._strips.clear()
        self._update_virtual_size()
        self.refresh()

    def _splice(self, start: int, end: int, new: list[Row]) -> None:
        """Replace rows[start:end] with ``new``, keeping the cursor on its row."""
        self._rows[start:end] = new
        if self._cursor >= end:
            self._cursor += len(new) - (end - start)
        elif self._cursor >= start:
            self._cursor = max(0, start - 1)
        self._update_virtual_size()
        self.refresh()

    def _expand_issue(self, i: int) -> None:
        if i in self._open_issues:
            return
        self._open_issues.add(i)
        start = bisect_left(self._rows, (i, -1, -1)) + 1
        self._splice(start, start, self._issue_rows(i))
        self._strips.pop(((i, -1, -1), True), None)
        self._strips.pop(((i, -1, -1), False), None)

    def _collapse_issue(self, i: int) -> None:
        if i not in self._open_issues:
            return
        self._open_issues.discard(i)
        start = bisect_left(self._rows, (i, -1, -1)) + 1
        self._splice(start, bisect_left(self._rows, (i + 1, -1, -1)), [])
        self._strips.pop(((i, -1, -1), True), None)
        self._strips.pop(((i, -1, -1), False), None)

    def _expand_section(self, i: int, s: int) -> None:
        if (i, s) in self._open_sections:
            return
        self._open_sections.add((i, s))
        if i in self._open_issues:
            start = bisect_left(self._rows, (i, s, -1)) + 1
            count = len(self._issues[i].sections[s].articles)
            self._splice(start, start, [(i, s, a) for a in range(count)])
        self._strips.pop(((i, s, -1), True), None)
        self._strips.pop(((i, s, -1), False), None)

    def _collapse_section(self, i: int, s: int) -> None:
        if (i, s) not in self._open_sections:
            return
        self._open_sections.discard((i, s))
        if i in self._open_issues:
            start = bisect_left(self._rows, (i, s, -1)) + 1
            self._splice(start, bisect_left(self._rows, (i, s + 1, -1)), [])
        self._strips.pop(((i, s, -1), True), None)
        self._strips.pop(((i, s, -1), False), None)

    def _find_row(self, row: Row) -> int:
        """The line of ``row``, or of the closest group above it that is shown."""
        i, s, _a = row
        for candidate in (row, (i, s, -1), (i, -1, -1)):
            line = bisect_left(self._rows, candidate)
            if line < len(self._rows) and self._rows[line] == candidate:
                return line
        return min(bisect_left(self._rows, row), max(0, len(self._rows) - 1))

    # -- keeping open groups and the cursor across a reload -----------------------

    def _snapshot(self) -> tuple[set, set, object, float, tuple | None]:
        keys = [issue.key for issue in self._issues]
        open_issues = {keys[i] for i in self._open_issues}
        open_sections = {(keys[i], self._issues[i].sections[s].number) for i, s in self._open_sections}
        row = self.cursor_row
        cursor: object = None
        cursor_issue = None
        if row is not None:
            i, s, a = row
            cursor_issue = (keys[i], i)  # where to go when the row itself is gone
            if a >= 0:
                cursor = self._issues[i].sections[s].articles[a].id
            else:
                cursor = (keys[i], self._issues[i].sections[s].number if s >= 0 else None)
        return open_issues, open_sections, cursor, self.scroll_y, cursor_issue

    def _restore(self, previous: tuple[set, set, object, float, tuple | None]) -> Row:
        open_issues, open_sections, cursor, _scroll, cursor_issue = previous
        self._open_issues = {i for i, issue in enumerate(self._issues) if issue.key in open_issues}
        with_open_sections = {key for key, _number in open_sections}
        self._open_sections = {
            (i, s)
            for i, issue in enumerate(self._issues)
            if issue.key in with_open_sections  # only those issues' pages are looked at
            for s, section in enumerate(issue.sections)
            if (issue.key, section.number) in open_sections
        }
        if isinstance(cursor, str) and self._position(cursor) is not None:
            return self._position(cursor)  # type: ignore[return-value]
        if cursor_issue is None:
            return (0, -1, -1)
        # The row's issue, else (it is gone) the one that now stands where it stood.
        key, index = cursor_issue
        i = next((n for n, issue in enumerate(self._issues) if issue.key == key), None)
        if i is None:
            return (max(0, min(index, len(self._issues) - 1)), -1, -1)
        number = cursor[1] if isinstance(cursor, tuple) else None
        s = next((n for n, sec in enumerate(self._issues[i].sections) if sec.number == number), -1)
        return (i, s, -1)

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
        row = self.cursor_row
        if row is None:
            return
        i, s, a = row
        if a >= 0:
            self.post_message(ArticleChosen(self._issues[i].sections[s].articles[a].id))
        elif s >= 0:
            if (i, s) in self._open_sections:
                self._collapse_section(i, s)
            else:
                self._expand_section(i, s)
        elif i in self._open_issues:
            self._collapse_issue(i)
        else:
            self._expand_issue(i)

    def action_expand(self) -> None:
        row = self.cursor_row
        if row is None:
            return
        i, s, a = row
        if a >= 0:
            return
        if s >= 0:
            self._expand_section(i, s)
        else:
            self._expand_issue(i)

    def action_collapse(self) -> None:
        """Fold the group under the cursor, or go up to the group an article sits in."""
        row = self.cursor_row
        if row is None:
            return
        i, s, a = row
        if a >= 0:
            self._move(bisect_left(self._rows, (i, s, -1)))
        elif s >= 0 and (i, s) in self._open_sections:
            self._collapse_section(i, s)
        elif s >= 0:
            self._move(bisect_left(self._rows, (i, -1, -1)))
        else:
            self._collapse_issue(i)

    def on_click(self, event: Click) -> None:
        line = int(self.scroll_y) + event.y
        if 0 <= line < len(self._rows):
            self._move(line)
            self.action_select_cursor()

    # -- drawing -------------------------------------------------------------------

    def _section_unread(self, i: int, s: int) -> int:
        count = self._unread.get((i, s))
        if count is None:
            marks = self._marks
            count = sum(1 for ref in self._issues[i].sections[s].articles if not marks(ref.id)[0])
            self._unread[(i, s)] = count
        return count

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
        i, s, a = row
        issue = self._issues[i]
        if a >= 0:
            ref = issue.sections[s].articles[a]
            read, bookmarked = self._marks(ref.id)
            text = Text("    ", end="", no_wrap=True)
            text.append_text(article_label(ref, read, bookmarked, self._style("nav--read")))
            return text
        if s >= 0:
            mark = OPEN_MARK if (i, s) in self._open_sections else CLOSED_MARK
            text = Text(f"  {mark} ", end="", no_wrap=True)
            text.append(clean(issue.sections[s].label), self._style("nav--section"))
            unread = self._section_unread(i, s)
        else:
            mark = OPEN_MARK if i in self._open_issues else CLOSED_MARK
            text = Text(f"{mark} ", end="", no_wrap=True)
            text.append(clean(issue.label), self._style("nav--issue"))
            unread = self.unread_count(i)
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
            segments = list(self._row_text(row).render(self.app.console))
            strip = Strip(segments).crop_extend(0, width, base)
            strip = Strip(Segment.apply_style(strip, base))
            if is_cursor:
                strip = Strip(Segment.apply_style(strip, post_style=self._style("nav--cursor")))
            if len(self._strips) >= STRIP_CACHE_SIZE:
                self._strips.clear()
            self._strips[key] = strip
        return strip
