"""What the contents pane of a long archive needs, without Textual: issues folded
by year and month, newest first unless the config says otherwise, and the
issue a date typed after ``:`` leads to (a year, a month or a day).

Everything works from ``Issue.date`` alone, so 57 years of issues are grouped
without building any issue's pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tuireader.model import Issue


@dataclass(slots=True)
class MonthGroup:
    year: str
    month: str  # "01".."12"
    #: Indexes into the library's issues, in the order shown.
    issues: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year}年{int(self.month)}月"


@dataclass(slots=True)
class YearGroup:
    year: str  # "" for undated issues
    months: list[MonthGroup] = field(default_factory=list)
    #: Undated issues (year ""), in the order shown.
    undated: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year}年" if self.year else "(undated)"

    @property
    def issue_count(self) -> int:
        return sum(len(m.issues) for m in self.months) + len(self.undated)


def issue_order(issues: Sequence[Issue], newest_first: bool = True) -> list[int]:
    """Issue indexes as shown: by date, newest first (or oldest first); one day's
    papers in library order, undated issues last, either way."""
    dated = [n for n, issue in enumerate(issues) if issue.date]
    undated = [n for n, issue in enumerate(issues) if not issue.date]
    # A stable sort, reversed or not, keeps one day's papers in library order.
    dated.sort(key=lambda n: issues[n].date or "", reverse=newest_first)
    return dated + undated


def spans_years(issues: Sequence[Issue]) -> bool:
    """True when the dated issues cover more than one year: the contents fold by year."""
    years = {issue.date[:4] for issue in issues if issue.date}
    return len(years) > 1


def group_issues(issues: Sequence[Issue], newest_first: bool = True) -> list[YearGroup]:
    """Year -> month -> issue, in the order shown (``issue_order``)."""
    groups: list[YearGroup] = []
    for n in issue_order(issues, newest_first):
        date = issues[n].date
        if not date:
            if not groups or groups[-1].year:
                groups.append(YearGroup(""))
            groups[-1].undated.append(n)
            continue
        year, month = date[:4], date[5:7]
        if not groups or groups[-1].year != year:
            groups.append(YearGroup(year))
        months = groups[-1].months
        if not months or months[-1].month != month:
            months.append(MonthGroup(year, month))
        months[-1].issues.append(n)
    return groups


_JUMP_RES = (
    re.compile(r"^(\d{4})(?:[-./年](\d{1,2})(?:[-./月](\d{1,2})日?)?月?)?年?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
)


def parse_date_prefix(text: str) -> str | None:
    """``1946``, ``1946-05``, ``1946-5-16``, ``1946年5月``, ``1946年5月16日``,
    ``194605``, ``19460516`` -> ``1946``, ``1946-05``, ``1946-05-16``; None if not a date."""
    text = text.strip().replace(" ", "")
    for rx in _JUMP_RES:
        m = rx.match(text)
        if not m:
            continue
        year, month, day = m.group(1), m.group(2), m.group(3)
        if month is None:
            return year
        if not 1 <= int(month) <= 12:
            return None
        if day is None:
            return f"{year}-{int(month):02d}"
        if not 1 <= int(day) <= 31:
            return None
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def date_jump(issues: Sequence[Issue], text: str, newest_first: bool = True) -> int | None:
    """The issue ``:`` + ``text`` leads to: the first issue shown within that year,
    month or day; failing one, the nearest dated issue. None when ``text`` is not
    a date or no issue is dated."""
    prefix = parse_date_prefix(text)
    if prefix is None:
        return None
    order = [n for n in issue_order(issues, newest_first) if issues[n].date]
    if not order:
        return None
    for n in order:
        if (issues[n].date or "").startswith(prefix):
            return n
    # Nothing that day, month or year: the issue closest to it.
    target = {4: f"{prefix}-01-01", 7: f"{prefix}-01"}.get(len(prefix), prefix)
    return min(order, key=lambda n: (_day_distance(issues[n].date or "", target), issues[n].date or ""))


def _day_distance(a: str, b: str) -> int:
    import datetime as dt

    try:
        return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)
    except ValueError:
        return 1 << 30
