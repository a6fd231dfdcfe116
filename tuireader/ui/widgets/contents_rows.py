"""The rows of the contents pane and what folds them: years, months, issues, pages
(``LibraryList``'s half that needs no Textual; see ``library_list`` for the rows' shape).

Open groups are kept as years' and months' indexes into the ``ContentsLayout`` and
issues' positions in the order shown; folding and unfolding splice a group's rows
in or out of the sorted list by bisection. Unread counts are worked out for a row
when it is drawn, from the issues' ids (no issue's pages are built to count them).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tuireader.model import Issue
from tuireader.ui.widgets.contents_layout import ISSUE, MONTH, YEAR, ContentsLayout

if TYPE_CHECKING:
    from textual.strip import Strip

#: (issue position, page index or YEAR/MONTH/ISSUE, article index or -1).
Row = tuple[int, int, int]


@dataclass(slots=True)
class _Kept:
    """What a reload keeps: the open groups, by name, and the row under the cursor."""

    years: set[str] = field(default_factory=set)
    months: set[str] = field(default_factory=set)
    issues: set[tuple[str, str]] = field(default_factory=set)
    sections: set[tuple[tuple[str, str], int]] = field(default_factory=set)
    #: An article id, ("year"|"month", key), or (issue key, page number or None).
    cursor: object = None
    #: The contents folded by year before (else no year or month was open to keep).
    grouped: bool = False
    #: The cursor's issue (key, position): where to go when its row is gone.
    cursor_issue: tuple[tuple[str, str], int] | None = None


class ContentsRows:
    """The rows, the open groups and the unread counts; the widget draws them."""

    _issues: list[Issue]
    _layout: ContentsLayout
    #: Gives the test of whether an article id is read, as the reading state is now.
    _is_read: Callable[[], Callable[[str], bool]]
    #: Read articles in an issue (by its index in the library) not built yet, when the
    #: library counts them without the issue's ids (``Library.read_in_issue``).
    _read_in: Callable[[int], int] | None
    _rows: list[Row]
    _open_years: set[int]
    _open_months: set[int]
    _open_issues: set[int]
    _open_sections: set[tuple[int, int]]
    #: Unread counts: (position, page or ISSUE) and (YEAR or MONTH, index).
    _unread: dict[tuple[int, int], int]
    #: Drawn rows by (row, under the cursor).
    _strips: dict[tuple[Row, bool], Strip]
    _cursor: int

    def _rows_changed(self) -> None:
        """The list of rows grew or shrank: the widget's size and drawing follow."""
        raise NotImplementedError

    def _position(self, article_id: str) -> Row | None:
        """The (position, page, article) of an article, None if it is not here."""
        raise NotImplementedError

    def _issue(self, p: int) -> Issue:
        return self._issues[self._layout.order[p]]

    # -- rows ------------------------------------------------------------------

    def _section_rows(self, p: int) -> list[Row]:
        rows: list[Row] = []
        for s, section in enumerate(self._issue(p).sections):
            rows.append((p, s, -1))
            if (p, s) in self._open_sections:
                rows.extend((p, s, a) for a in range(len(section.articles)))
        return rows

    def _issue_rows(self, start: int, end: int) -> list[Row]:
        rows: list[Row] = []
        for p in range(start, end):
            rows.append((p, ISSUE, -1))
            if p in self._open_issues:
                rows.extend(self._section_rows(p))
        return rows

    def _month_children(self, m: int) -> list[Row]:
        month = self._layout.months[m]
        return self._issue_rows(month.start, month.end)

    def _year_children(self, y: int) -> list[Row]:
        layout = self._layout
        year = layout.years[y]
        if not year.year:  # the undated issues: no months
            return self._issue_rows(year.start, year.end)
        rows: list[Row] = []
        for m in layout.months_of(y):
            rows.append((layout.months[m].start, MONTH, -1))
            if m in self._open_months:
                rows.extend(self._month_children(m))
        return rows

    def _rebuild_rows(self) -> None:
        layout = self._layout
        if layout.grouped:
            rows: list[Row] = []
            for y, year in enumerate(layout.years):
                rows.append((year.start, YEAR, -1))
                if y in self._open_years:
                    rows.extend(self._year_children(y))
        else:
            rows = self._issue_rows(0, len(layout))
        self._rows = rows
        self._cursor = min(self._cursor, max(0, len(rows) - 1))
        self._strips.clear()
        self._rows_changed()

    def _splice(self, start: int, end: int, new: list[Row]) -> None:
        """Replace rows[start:end] with ``new``, keeping the cursor on its row."""
        self._rows[start:end] = new
        if self._cursor >= end:
            self._cursor += len(new) - (end - start)
        elif self._cursor >= start:
            self._cursor = max(0, start - 1)
        self._rows_changed()

    def _forget_row(self, row: Row) -> None:
        self._strips.pop((row, True), None)
        self._strips.pop((row, False), None)

    def _unfold(self, row: Row, children: list[Row]) -> None:
        """Put a group's rows under its row (when its row is in the list)."""
        line = bisect_left(self._rows, row)
        if line < len(self._rows) and self._rows[line] == row:
            self._splice(line + 1, line + 1, children)
        self._forget_row(row)

    def _fold(self, row: Row, end: Row) -> None:
        """Take out the rows between a group's row and ``end`` (the first row after the group)."""
        line = bisect_left(self._rows, row)
        if line < len(self._rows) and self._rows[line] == row:
            self._splice(line + 1, bisect_left(self._rows, end), [])
        self._forget_row(row)

    def _reveal(self, p: int, month: bool = True) -> None:
        """Unfold the year (and, with ``month``, the month) the issue at position ``p`` is in."""
        y, m = self._layout.year_of(p), self._layout.month_of(p)
        if y is not None:
            self._expand_year(y)
        if month and m is not None:
            self._expand_month(m)

    def _expand_year(self, y: int) -> None:
        if y not in self._open_years:
            self._open_years.add(y)
            self._unfold((self._layout.years[y].start, YEAR, -1), self._year_children(y))

    def _collapse_year(self, y: int) -> None:
        if y in self._open_years:
            self._open_years.discard(y)
            year = self._layout.years[y]
            self._fold((year.start, YEAR, -1), (year.end, YEAR, -1))

    def _expand_month(self, m: int) -> None:
        if m not in self._open_months:
            self._open_months.add(m)
            self._unfold((self._layout.months[m].start, MONTH, -1), self._month_children(m))

    def _collapse_month(self, m: int) -> None:
        if m in self._open_months:
            self._open_months.discard(m)
            month = self._layout.months[m]
            self._fold((month.start, MONTH, -1), (month.end, YEAR, -1))

    def _expand_issue(self, p: int) -> None:
        if p not in self._open_issues:
            self._open_issues.add(p)
            self._unfold((p, ISSUE, -1), self._section_rows(p))

    def _collapse_issue(self, p: int) -> None:
        if p in self._open_issues:
            self._open_issues.discard(p)
            self._fold((p, ISSUE, -1), (p + 1, YEAR, -1))

    def _expand_section(self, p: int, s: int) -> None:
        if (p, s) not in self._open_sections:
            self._open_sections.add((p, s))
            count = len(self._issue(p).sections[s].articles)
            self._unfold((p, s, -1), [(p, s, a) for a in range(count)])

    def _collapse_section(self, p: int, s: int) -> None:
        if (p, s) in self._open_sections:
            self._open_sections.discard((p, s))
            self._fold((p, s, -1), (p, s + 1, -1))

    def _parent_row(self, row: Row) -> Row | None:
        """The row of the group a row is in (None for a top-level row)."""
        p, s, a = row
        layout = self._layout
        if a >= 0:
            return (p, s, -1)
        if s >= 0:
            return (p, ISSUE, -1)
        y = layout.year_of(p)
        if y is None or s == YEAR:
            return None
        m = layout.month_of(p)
        if s == ISSUE and m is not None:
            return (layout.months[m].start, MONTH, -1)
        return (layout.years[y].start, YEAR, -1)

    def _find_row(self, row: Row) -> int:
        """The line of ``row``, or of the closest group above it that is shown."""
        candidate: Row | None = row
        while candidate is not None:
            line = bisect_left(self._rows, candidate)
            if line < len(self._rows) and self._rows[line] == candidate:
                return line
            candidate = self._parent_row(candidate)
        return min(bisect_left(self._rows, row), max(0, len(self._rows) - 1))

    # -- keeping open groups and the cursor across a reload -----------------------

    def _snapshot(self) -> _Kept:
        layout = self._layout
        key = lambda p: self._issue(p).key  # noqa: E731 - a short local alias
        kept = _Kept(
            grouped=layout.grouped,
            years={layout.years[y].key for y in self._open_years},
            months={layout.months[m].key for m in self._open_months},
            issues={key(p) for p in self._open_issues},
            sections={(key(p), self._issue(p).sections[s].number) for p, s in self._open_sections},
        )
        if self._rows:
            p, s, a = self._rows[self._cursor]
            kept.cursor_issue = (key(p), p)
            if a >= 0:
                kept.cursor = self._issue(p).sections[s].articles[a].id
            elif s == YEAR:
                kept.cursor = ("year", layout.years[layout.year_at(p)].key)
            elif s == MONTH:
                kept.cursor = ("month", layout.months[layout.month_at(p)].key)
            else:
                kept.cursor = (key(p), self._issue(p).sections[s].number if s >= 0 else None)
        return kept

    def _restore(self, kept: _Kept) -> Row:
        """Open what was open, and the way to the row the cursor was on; that row (or the nearest left)."""
        target = self._restored_groups(kept)
        self._open_path(target[0])
        return target

    def _open_path(self, p: int) -> None:
        """Mark the year and month of the issue at position ``p`` open (the rows are built after)."""
        y, m = self._layout.year_of(p), self._layout.month_of(p)
        if y is not None:
            self._open_years.add(y)
        if m is not None:
            self._open_months.add(m)

    def _restored_groups(self, kept: _Kept) -> Row:
        layout = self._layout
        self._open_years = {y for y, year in enumerate(layout.years) if year.key in kept.years}
        self._open_months = {m for m, month in enumerate(layout.months) if month.key in kept.months}
        self._open_issues = {p for p in range(len(layout)) if self._issue(p).key in kept.issues}
        with_open_sections = {key for key, _number in kept.sections}
        self._open_sections = {
            (p, s)
            for p in range(len(layout))
            if self._issue(p).key in with_open_sections  # only those issues' pages are looked at
            for s, section in enumerate(self._issue(p).sections)
            if (self._issue(p).key, section.number) in kept.sections
        }
        if not kept.grouped:  # the library now spans years (a first run's first part was one year)
            for p in self._open_issues:
                self._open_path(p)
        cursor = kept.cursor
        if isinstance(cursor, str) and (where := self._position(cursor)) is not None:
            return where
        if isinstance(cursor, tuple) and cursor[0] in ("year", "month"):
            spans = layout.years if cursor[0] == "year" else layout.months
            for span in spans:
                if span.key == cursor[1]:
                    return (span.start, YEAR if cursor[0] == "year" else MONTH, -1)
        if kept.cursor_issue is None or not len(layout):
            return (0, ISSUE, -1)
        # The row's issue, else (it is gone) the one that now stands where it stood.
        key, old = kept.cursor_issue
        found = next((n for n in range(len(layout)) if self._issue(n).key == key), None)
        if found is None:
            return (max(0, min(old, len(layout) - 1)), ISSUE, -1)
        number = cursor[1] if isinstance(cursor, tuple) and cursor[0] == key else None
        s = next((n for n, sec in enumerate(self._issue(found).sections) if sec.number == number), ISSUE)
        return (found, s, -1)

    def _is_open(self, row: Row) -> bool:
        p, s, _a = row
        layout = self._layout
        if s == YEAR:
            return layout.year_at(p) in self._open_years
        if s == MONTH:
            return layout.month_at(p) in self._open_months
        if s == ISSUE:
            return p in self._open_issues
        return (p, s) in self._open_sections

    def _section_unread(self, p: int, s: int) -> int:
        count = self._unread.get((p, s))
        if count is None:
            is_read = self._is_read()
            articles = self._issue(p).sections[s].articles
            count = sum(1 for ref in articles if ref.counts_as_unread and not is_read(ref.id))
            self._unread[(p, s)] = count
        return count

    def _issue_unread(self, p: int) -> int:
        item = self._issue(p)
        if item.loaded:
            return sum(self._section_unread(p, s) for s in range(len(item.sections)))
        # A folded issue of a large library: its ids, or its count less the read ids
        # in it, its pages left packed.
        count = self._unread.get((p, ISSUE))
        if count is None and not item.ids_known and self._read_in is not None:
            count = self._unread[(p, ISSUE)] = item.article_count - self._read_in(self._layout.order[p])
        if count is None:
            is_read = self._is_read()
            ids = item.article_ids
            # map() over the ids: no Python frame per id when is_read is a set's __contains__.
            count = self._unread[(p, ISSUE)] = len(ids) - sum(map(is_read, ids))
        return count

    def _group_unread(self, kind: int, index: int) -> int:
        count = self._unread.get((kind, index))
        if count is None:
            span = (self._layout.years if kind == YEAR else self._layout.months)[index]
            count = 0
            # A folded year of a large archive is hundreds of issues, each folded and not
            # built: counted inline (the first screen counts every year's).
            unread, order, issues, read_in = self._unread, self._layout.order, self._issues, self._read_in
            for p in range(span.start, span.end):
                here = unread.get((p, ISSUE))
                if here is None:
                    item = issues[order[p]]
                    if read_in is not None and not item.ids_known:
                        here = item.article_count - read_in(order[p])
                    else:
                        here = self._issue_unread(p)
                count += here
            unread[(kind, index)] = count
        return count
