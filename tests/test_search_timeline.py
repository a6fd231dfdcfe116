"""The search timeline: the layout of the bars, the date filter a bar adds, the engine's
deferred count, and the row in the search screen through Pilot."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tests.conftest import sync
from tests.test_search_screen import until as until_within
from tuireader.search import Searcher, ensure_index
from tuireader.search.query import parse, with_date
from tuireader.ui.widgets.timeline import LEVELS, Bar, bar_glyph, layout

#: The search screen tests' wait, with room for a build of this module's library.
until = partial(until_within, timeout=30.0)

# ------------------------------------------------------------------ layout


def test_one_bar_a_year_with_the_years_between_as_blanks():
    bars = layout({"1946": 3, "1949": 6, "1950": 1}, 80)
    assert [b.first for b in bars] == ["1946", "1947", "1948", "1949", "1950"]
    assert [b.count for b in bars] == [3, 0, 0, 6, 1]
    assert all(b.first == b.last for b in bars)
    assert bars[0].period == "1946"


def test_one_bar_a_month_across_a_new_year():
    bars = layout({"2024-11": 2, "2025-02": 5}, 80)
    assert [b.first for b in bars] == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert [b.count for b in bars] == [2, 0, 0, 5]
    assert bars[-1].period == "2025-02"


def test_when_the_span_is_wider_than_the_room_a_bar_covers_several_years():
    counts = {str(year): 1 for year in range(1946, 2004)}  # 58 years
    bars = layout(counts, 20)
    assert len(bars) <= 20
    assert bars[0].first == "1946" and bars[-1].last == "2003"  # the ends are the data's
    assert sum(b.count for b in bars) == 58  # every match in exactly one bar
    assert len(bars) == 12  # five years a bar: 1945–1949 (cut to 1946), 1950–1954, …
    assert bars[0].period == "1946..1949" and bars[1].period == "1950..1954" and bars[-1].period == "2000..2003"
    assert [b.count for b in bars[:2]] == [4, 5]
    assert parse(f"date:{bars[1].period}").dates == [("1950", "1954")]
    # the runs follow each other with nothing left out
    for a, b in zip(bars, bars[1:], strict=False):
        assert int(b.first) == int(a.last) + 1


def test_months_grouped_into_quarters_when_narrow():
    counts = {f"2024-{m:02d}": m for m in range(1, 13)}
    bars = layout(counts, 4)
    assert [b.period for b in bars] == ["2024-01..2024-03", "2024-04..2024-06", "2024-07..2024-09",
                                        "2024-10..2024-12"]
    assert [b.count for b in bars] == [6, 15, 24, 33]


def test_nothing_to_draw():
    assert layout({}, 80) == []
    assert layout({"1966": 0}, 80) == []


def test_bar_heights_are_linear_and_a_match_is_never_invisible():
    assert bar_glyph(0, 10) == " "
    assert bar_glyph(10, 10) == LEVELS[-1]
    assert bar_glyph(1, 1000) == LEVELS[0]
    assert bar_glyph(5, 10) == LEVELS[3]


def test_a_bar_knows_the_periods_it_covers():
    bar = Bar("1946", "1950", 3)
    assert bar.contains("1948") and not bar.contains("1951")
    assert bar.label == "1946–1950"


# ------------------------------------------------------------------ the date filter


def test_with_date_replaces_every_date_filter_and_keeps_the_rest():
    assert with_date("秦岭", "1966") == "秦岭 date:1966"
    assert with_date("秦岭 date:1966 by:陈卓", "1966-05") == "秦岭 by:陈卓 date:1966-05"
    assert with_date('"数字 法治" date:2020..2025 -广告', "2021") == '"数字 法治" -广告 date:2021'
    assert with_date("“数字法治” date:2020", "2021") == "“数字法治” date:2021"  # Chinese quotes kept as typed
    assert with_date("", "1950..1954") == "date:1950..1954"
    assert parse(with_date("秦岭 date:1966", "1966-05")).dates == [("1966-05", "1966-05")]


# ------------------------------------------------------------------ the engine


def write_library(root: Path) -> Path:
    """Articles about 水利 in 2001, 2003 (two) and 2010, and one in 2010 about something else."""
    lib = root / "lib"
    for date, headlines in (("2001-03-04", ["水利工程开工"]), ("2003-05-06", ["水利建设提速", "农田水利检查"]),
                            ("2010-07-08", ["水利设施验收", "城市交通改造"])):
        day = lib / date
        day.mkdir(parents=True)
        body = "".join(f"# {h}\n\n本报讯 {h}，各方面积极参与。\n\n" for h in headlines)
        (day / "01.txt").write_text(f"---\npaper: 晨江日报\ndate: {date}\npage: 1\n---\n\n{body}", encoding="utf-8")
    return lib


def test_the_timeline_can_be_counted_after_the_results(tmp_path):
    lib = write_library(tmp_path)
    ensure_index([lib])
    searcher = Searcher([lib])
    whole = searcher.search("水利", limit=50)
    assert whole.timeline == {"2001": 1, "2003": 2, "2010": 1}
    first = searcher.search("水利", limit=50, timeline=False)
    assert first.timeline == {} and [r.article_id for r in first.results] == [r.article_id for r in whole.results]
    assert searcher.timeline(first) == whole.timeline
    # within two years: by month
    assert searcher.search("水利 date:2003").timeline == {"2003-05": 2}


# ------------------------------------------------------------------ the screen


def headlines(screen) -> list[str]:
    option_list = screen.results_list
    return [option_list.get_option_at_index(i).prompt.plain.split("  ")[0] for i in range(option_list.option_count)]


async def search_for(app, pilot, text: str):
    from tuireader.ui.screens.search import SearchScreen

    await until(pilot, lambda: app.reader.library is not None and bool(app.reader.article_view.lines))
    await pilot.press("slash")
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    for ch in text:
        await pilot.press(ch)
    await until(pilot, lambda: len(headlines(screen)) == 4 and bool(screen.timeline.counts))
    return screen


def row_text(screen) -> str:
    return screen.timeline.render().plain


@sync
async def test_the_timeline_is_drawn_above_the_results_with_labelled_ends(tmp_path):
    from tuireader.ui.app import ReaderApp

    lib = write_library(tmp_path)
    ensure_index([lib])
    for size in ((80, 24), (160, 50)):
        app = ReaderApp([lib])
        async with app.run_test(size=size) as pilot:
            screen = await search_for(app, pilot, "水利")
            row = row_text(screen)
            # 2001 to 2010, one bar a year (blank where there is none), the highest year named
            assert row.startswith("2001 " + LEVELS[3] + " " + LEVELS[-1] + "      " + LEVELS[3] + " 2010")
            assert row.endswith("2003: 2 matches")
            timeline_y = screen.timeline.region.y
            assert timeline_y < screen.results_list.region.y  # above the results
            assert screen.timeline.region.height == 1


@sync
async def test_tab_focuses_the_bars_and_enter_narrows_the_results_to_that_period(tmp_path):
    from tuireader.ui.app import ReaderApp

    lib = write_library(tmp_path)
    ensure_index([lib])
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await search_for(app, pilot, "水利")
        await pilot.press("tab")
        assert screen.focused is screen.timeline
        assert screen.timeline.cursor_bar().period == "2003"  # starts on the highest bar
        await pilot.press("right", "l")  # along the years, blanks included
        assert screen.timeline.cursor_bar().period == "2005"
        await pilot.press("end")
        await pilot.press("h")
        await pilot.press("l")
        assert screen.timeline.cursor_bar().period == "2010"
        assert row_text(screen).endswith("2010: 1 match")
        await pilot.press("enter")
        assert screen.input.value == "水利 date:2010"
        await until(pilot, lambda: headlines(screen) == ["水利设施验收"])
        # within one year the bars are months; a month narrows it again, replacing the year
        await until(pilot, lambda: screen.timeline.counts == {"2010-07": 1})
        assert row_text(screen).startswith("2010-07 ")
        await pilot.press("enter")
        assert screen.input.value == "水利 date:2010-07"
        assert screen.focused is screen.timeline
        await pilot.press("shift+tab")
        assert screen.focused is screen.input


@sync
async def test_tab_passes_over_an_empty_timeline(tmp_path):
    from tuireader.ui.app import ReaderApp

    lib = write_library(tmp_path)
    ensure_index([lib])
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await search_for(app, pilot, "水利")
        for _ in range(2):
            await pilot.press("backspace")
        await until(pilot, lambda: not screen.timeline.counts and not headlines(screen))
        assert row_text(screen) == ""
        await pilot.press("tab")
        assert screen.focused is not screen.timeline
