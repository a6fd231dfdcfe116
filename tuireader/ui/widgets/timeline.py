"""The search screen's timeline: how many matches fall in each year (or month), as one
row of bars with labelled ends, ``1946 ▁▂▅█▃▁ 2003  1966: 1,234 matches``.

The engine counts (``Response.timeline``: ``{"1966": 1234}`` or ``{"1966-05": 12}``);
this widget lays the counts out over the room it has (a bar covers several years, or
months, when there are more periods than cells), draws them, and lets the reader move
along them (``←``/``→``, ``h``/``l``, ``Home``/``End``). ``Enter`` posts ``Timeline.Chosen``
with the bar's period as a ``date:`` value (``1966``, ``1966-05``, ``1946..1950``).
The layout is a pure function (``layout``), tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from tuireader.i18n import ngettext

#: Eighths of a cell, lowest to highest; a period with no match is a blank.
LEVELS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Bar:
    """One bar: the periods ``first`` to ``last`` (``YYYY`` or ``YYYY-MM``), and their matches."""

    first: str
    last: str
    count: int

    @property
    def period(self) -> str:
        """As a ``date:`` value: ``1966``, ``1966-05`` or ``1946..1950``."""
        return self.first if self.first == self.last else f"{self.first}..{self.last}"

    @property
    def label(self) -> str:
        return self.first if self.first == self.last else f"{self.first}–{self.last}"

    def contains(self, period: str) -> bool:
        return self.first <= period <= self.last


def _index(period: str) -> int:
    """A period as a number that counts up by one: years as they are, months from year 0."""
    if len(period) == 4:
        return int(period)
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _period(index: int, months: bool) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}" if months else f"{index:04d}"


def _steps(months: bool):
    """Periods a bar may cover, smallest first: runs a reader can name (five years, a quarter)."""
    yield from (1, 2, 3, 4, 6, 12) if months else (1, 2, 5, 10)
    step = 24 if months else 20
    while True:
        yield step
        yield step * 5 // 2
        yield step * 5
        step *= 10


def layout(timeline: dict[str, int], room: int) -> list[Bar]:
    """The bars of ``timeline`` in at most ``room`` cells: one per period from the first to
    the last (the ones without matches too), or, when there are more periods than cells, one
    per run of k periods (k of 2, 5, 10, 20, 50… years or 2, 3, 4, 6, 12… months; runs
    start at multiples of k: 1945–1949, quarters), the first and last runs cut to the
    periods that have matches."""
    counts = {p: n for p, n in timeline.items() if n > 0 and len(p) in (4, 7)}
    if not counts:
        return []
    months = all(len(p) == 7 for p in counts)
    if not months:  # a mixed answer is read by years
        years: dict[str, int] = {}
        for p, n in counts.items():
            years[p[:4]] = years.get(p[:4], 0) + n
        counts = years
    by_index = {_index(p): n for p, n in counts.items()}
    first, last = min(by_index), max(by_index)
    room = max(room, 1)
    step = next(k for k in _steps(months) if -(-(last - first + first % k + 1) // k) <= room)
    bars = []
    start = first - first % step
    while start <= last:
        lo, hi = max(start, first), min(start + step - 1, last)
        count = sum(by_index.get(i, 0) for i in range(lo, hi + 1))
        bars.append(Bar(_period(lo, months), _period(hi, months), count))
        start += step
    return bars


def bar_glyph(count: int, most: int) -> str:
    if count <= 0 or most <= 0:
        return " "
    return LEVELS[max(1, -(-count * len(LEVELS) // most)) - 1]


def bar_info(bar: Bar) -> str:
    """What the row says of one bar: ``1966: 1,234 matches``."""
    text = ngettext("{period}: {n} match", "{period}: {n} matches", bar.count)
    return text.format(period=bar.label, n=f"{bar.count:,}")


class Timeline(Widget, can_focus=True):
    """One row of bars; ``show(counts)`` draws a search's timeline (``{}``: an empty row)."""

    BINDINGS = [
        Binding("left,h", "move(-1)", "Earlier dates", id="timeline_earlier", show=False),
        Binding("right,l", "move(1)", "Later dates", id="timeline_later", show=False),
        Binding("home", "move(-1000000)", "Earliest dates", id="timeline_first", show=False),
        Binding("end", "move(1000000)", "Latest dates", id="timeline_last", show=False),
        Binding("enter", "choose", "Only these dates", id="timeline_choose"),
    ]

    COMPONENT_CLASSES = {"timeline--label", "timeline--bar", "timeline--cursor", "timeline--info"}

    class Chosen(Message):
        """Enter on a bar: its period, as a ``date:`` value."""

        def __init__(self, timeline: Timeline, period: str) -> None:
            super().__init__()
            self.timeline = timeline
            self.period = period

        @property
        def control(self) -> Timeline:
            return self.timeline

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: dict[str, int] = {}
        #: The period the cursor is on; it keeps its place when a resize regroups the bars.
        self._cursor: str | None = None

    def show(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)
        self._cursor = None  # a new search: the cursor starts on its highest bar
        self.refresh()

    def allow_focus(self) -> bool:
        return bool(self.bars())  # Tab passes over an empty row

    # -- layout --------------------------------------------------------------

    def _ends(self) -> tuple[str, str]:
        bars = layout(self.counts, 1_000_000)
        return (bars[0].first, bars[-1].last) if bars else ("", "")

    def bars(self) -> list[Bar]:
        if not self.counts:
            return []
        left, right = self._ends()
        widest_info = cell_len(bar_info(Bar(left, right, sum(self.counts.values()))))
        room = self.content_size.width - cell_len(left) - cell_len(right) - 2 - 2 - widest_info
        return layout(self.counts, room)

    def cursor_index(self, bars: list[Bar]) -> int:
        if self._cursor is not None:
            for i, bar in enumerate(bars):
                if bar.contains(self._cursor):
                    return i
        return max(range(len(bars)), key=lambda i: bars[i].count)  # the first highest

    def cursor_bar(self) -> Bar | None:
        bars = self.bars()
        return bars[self.cursor_index(bars)] if bars else None

    # -- drawing -------------------------------------------------------------

    def render(self) -> Text:
        bars = self.bars()
        row = Text(no_wrap=True, overflow="ellipsis", end="")
        if not bars:
            return row
        label = self.get_component_rich_style("timeline--label", partial=True)
        bar_style = self.get_component_rich_style("timeline--bar", partial=True)
        cursor_style = self.get_component_rich_style("timeline--cursor", partial=True)
        info_style = self.get_component_rich_style("timeline--info", partial=True)
        cursor = self.cursor_index(bars)
        most = max(bar.count for bar in bars)
        row.append(bars[0].first, label)
        row.append(" ")
        for i, bar in enumerate(bars):
            focused_here = self.has_focus and i == cursor
            row.append(bar_glyph(bar.count, most), cursor_style if focused_here else bar_style)
        if len(bars) > 1:  # one bar: its period is named once, by the info after it
            row.append(" ")
            row.append(bars[-1].last, label)
        shown = bars[cursor]
        row.append("  " + bar_info(shown), info_style)
        return row

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- keys ----------------------------------------------------------------

    def action_move(self, step: int) -> None:
        bars = self.bars()
        if not bars:
            return
        index = max(0, min(len(bars) - 1, self.cursor_index(bars) + step))
        self._cursor = bars[index].first
        self.refresh()

    def action_choose(self) -> None:
        bar = self.cursor_bar()
        if bar is not None:
            self.post_message(self.Chosen(self, bar.period))
