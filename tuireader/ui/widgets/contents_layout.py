"""Where each issue stands in the contents: the order shown (newest first unless the
config says otherwise) and, for a library that spans more than a year, the year and
month groups around it (``tuireader.contents``).

The contents pane (``library_list.LibraryList``) keys its rows by an issue's
*position* in the order shown, so that its sorted list of rows still sorts as the
reader sees it. A year's and a month's rows carry the position of their first
issue, with a kind below every page number (``YEAR`` < ``MONTH`` < ``ISSUE`` < 0 <=
page), so they sort just before it.

Nothing here builds an issue's pages: only ``Issue.date`` is read.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.contents import group_issues, issue_order, spans_years
from tuireader.i18n import _, ngettext
from tuireader.model import Issue

#: The second index of a group's row: years and months sort before their first issue's row.
YEAR = -3
MONTH = -2
ISSUE = -1


@dataclass(slots=True)
class Span:
    """A year or a month of issues: positions ``start`` to ``end`` (exclusive) in the order shown."""

    start: int
    end: int
    year: str  # "" for the undated issues' group
    month: str = ""  # "01".."12" for a month, "" for a year

    @property
    def key(self) -> str:
        """What the group is called across a reload: ``1966``, ``1966-05``, "" (undated)."""
        return f"{self.year}-{self.month}" if self.month else self.year

    def label(self) -> str:
        if not self.year:
            return _("Undated")
        if self.month:
            return _("{year}-{month:02d}").format(year=self.year, month=int(self.month))
        return _("{year}").format(year=self.year)


def group_counts(issues: int, unread: int) -> str:
    """What a year's or a month's row says after its name: issues, and unread articles."""
    text = ngettext("{n} issue", "{n} issues", issues).format(n=f"{issues:,}")
    if unread:
        text += _(", {n} unread").format(n=f"{unread:,}")
    return text


class ContentsLayout:
    """The order issues are shown in and, when they span years, their years and months."""

    def __init__(self, issues: Sequence[Issue], newest_first: bool = True) -> None:
        self.years: list[Span] = []
        self.months: list[Span] = []
        if not spans_years(issues):
            #: Position -> index into the library's issues.
            self.order = issue_order(issues, newest_first)
        else:
            self.order = []
            for group in group_issues(issues, newest_first):
                year = Span(len(self.order), len(self.order), group.year)
                for month in group.months:
                    start = len(self.order)
                    self.order.extend(month.issues)
                    self.months.append(Span(start, len(self.order), group.year, month.month))
                self.order.extend(group.undated)
                year.end = len(self.order)
                self.years.append(year)
        #: Index into the library's issues -> position.
        self.position = [0] * len(self.order)
        for p, n in enumerate(self.order):
            self.position[n] = p
        self._year_starts = [y.start for y in self.years]
        self._month_starts = [m.start for m in self.months]

    @property
    def grouped(self) -> bool:
        """True when the issues fold by year and month (they span more than a year)."""
        return bool(self.years)

    def __len__(self) -> int:
        return len(self.order)

    def year_of(self, p: int) -> int | None:
        """The index of the year the issue at position ``p`` is in (None when not grouped)."""
        y = bisect_right(self._year_starts, p) - 1
        return y if y >= 0 and p < self.years[y].end else None

    def month_of(self, p: int) -> int | None:
        """The index of the month the issue at position ``p`` is in (None: undated, or not grouped)."""
        m = bisect_right(self._month_starts, p) - 1
        return m if m >= 0 and p < self.months[m].end else None

    def year_at(self, start: int) -> int:
        """The index of the year whose first issue is at position ``start``."""
        return bisect_right(self._year_starts, start) - 1

    def month_at(self, start: int) -> int:
        return bisect_right(self._month_starts, start) - 1

    def months_of(self, y: int) -> range:
        """The indexes of year ``y``'s months."""
        year = self.years[y]
        first = bisect_right(self._month_starts, year.start - 1)
        last = bisect_right(self._month_starts, year.end - 1)
        return range(first, last)
