"""Decades in the contents, through Pilot: a library that spans more than a year folds
by year, then month, then issue, then page; the newest issue comes first unless the
config says ``order: oldest-first``; ``:`` takes a year, a month or a day.

The library is ours: People's Daily-layout articles of seven issues over three
years, packed at test time with py7zr into monthly 7z archives in ``tmp_path``
(as the real archive ships: ``7z/YYYY年MM月.7z``).
"""

from __future__ import annotations

from pathlib import Path

import py7zr
import pytest

from tests.conftest import sync
from tests.test_app_reader import press, screen_text
from tests.test_app_reader import ready as article_ready
from tuireader.library import Library
from tuireader.ui.app import ReaderApp
from tuireader.ui.widgets import library_list
from tuireader.ui.widgets.date_prompt import DatePrompt
from tuireader.ui.widgets.library_list import ISSUE, MONTH, YEAR

pytestmark = pytest.mark.timeout(120)

#: Issue date -> page -> headlines.
ISSUES = {
    "1946-05-15": {1: ["边区召开春耕大会", "各地修渠引水"], 2: ["读者来信"]},
    "1946-05-16": {1: ["农民互助组订立计划"]},
    "1946-06-01": {1: ["麦收开始"], 2: ["儿童节献词"]},
    "1947-01-02": {1: ["新年献词"]},
    "1966-05-16": {1: ["春播进度加快"]},
    "1966-05-18": {1: ["小麦长势良好"], 3: ["山区通了公路"]},
    "1966-12-31": {1: ["一年工作回顾", "冬季积肥忙"]},
}


async def ready(app: ReaderApp, pilot) -> None:
    """The first article on screen, and read (as after two seconds on it: the counts below count it)."""
    await article_ready(app, pilot)
    app.reader.read_marker.now()
    await pilot.pause()


def member(date: str, page: int, headline: str) -> str:
    """One article in the archive's layout (a header of three lines, the page, the echo, the body)."""
    return (
        f"### {headline}\r\n\r\n{date}\r\n第{page}版()\n专栏：\n\n　　{headline}\n"
        f"    【本报讯】{headline}，记者从有关方面获悉，这是{date}的消息。\r\n"
    )


def write_archive(root: Path) -> Path:
    """``root/7z/YYYY年MM月.7z``, one solid archive a month, as the repository ships them."""
    months: dict[str, list[tuple[str, str]]] = {}
    for date, pages in ISSUES.items():
        folder = f"{date[:4]}年{date[5:7]}月"
        for page, headlines in pages.items():
            for headline in headlines:
                months.setdefault(folder, []).append((f"{folder}/{date}_{headline}.md", member(date, page, headline)))
    (root / "7z").mkdir(parents=True)
    for folder, files in months.items():
        with py7zr.SevenZipFile(root / "7z" / f"{folder}.7z", "w") as archive:
            for name, text in files:
                archive.writestr(text.encode("utf-8"), name)
    return root


@pytest.fixture
def decades(tmp_path, monkeypatch) -> Path:
    """The archive, catalogued once (as after a first visit): the app opens it whole at once."""
    root = write_archive(tmp_path / "rmrb")
    assert len(Library.open([root])) == 12
    # As an archive of more than EXPAND_ALL_LIMIT articles: it opens folded.
    monkeypatch.setattr(library_list, "EXPAND_ALL_LIMIT", 5)
    return root


def reader_app(library: Path, config: Path | None = None) -> ReaderApp:
    from tuireader.store.config import load_config

    return ReaderApp([library], config=load_config(config) if config else None)


def rows(nav) -> list[str]:
    return [nav.row_text(n) for n in range(nav.row_count)]


def kind(nav) -> int:
    return nav.cursor_row[1]


@sync
async def test_newest_first_with_the_way_to_the_open_article_unfolded(decades):
    app = reader_app(decades)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        reader, nav = app.reader, app.reader.nav
        assert nav.grouped
        # The first article of the newest issue is open, and marked read.
        assert reader.current_article.headline == "一年工作回顾"
        assert "1966-12-31" in reader.masthead_text
        shown = rows(nav)
        years = [row for row in shown if not row.startswith(" ")]
        assert [row.split()[1] for row in years] == ["1966", "1947", "1946"]
        # Counts: issues, and articles not read yet (the open one is read).
        assert years[0].endswith("1966  3 issues, 4 unread")
        assert years[2].endswith("1946  3 issues, 6 unread")
        # The newest year, its newest month and issue and page are unfolded; the rest folded.
        assert shown[:6] == [
            "▾ 1966  3 issues, 4 unread",
            "  ▾ 1966-12  1 issue, 1 unread",
            "    ▾ 人民日报 1966-12-31  1",
            "      ▾ 第1版  1",
            "          一年工作回顾",  # read: no mark
            "        • 冬季积肥忙",
        ]
        assert shown[6] == "  ▸ 1966-05  2 issues, 3 unread"
        assert shown[7:] == ["▸ 1947  1 issue, 1 unread", "▸ 1946  3 issues, 6 unread"]
        text = screen_text(app)
        assert "▸ 1946  3 issues, 6 unread" in text  # drawn on screen, beside the article
        assert "一年工作回顾" in text


@sync
async def test_a_small_library_over_several_years_opens_unfolded(tmp_path):
    root = write_archive(tmp_path / "rmrb")
    Library.open([root])  # catalogued: opened whole, not in parts
    app = reader_app(root)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        nav = app.reader.nav
        # 3 years, 5 months, 7 issues, 10 pages, 12 articles: every group open.
        assert nav.row_count == 3 + 5 + 7 + 10 + 12
        assert all(row.lstrip()[0] in "▾•" or row.startswith(" " * 10) for row in rows(nav))


@sync
async def test_order_oldest_first_from_the_config(decades, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("order: oldest-first\n", encoding="utf-8")
    app = reader_app(decades, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        nav = app.reader.nav
        assert app.reader.current_article.headline == "各地修渠引水"  # the oldest issue's first article
        shown = rows(nav)
        assert [row.split()[1] for row in shown if not row.startswith(" ")] == ["1946", "1947", "1966"]
        assert shown[1] == "  ▾ 1946-05  2 issues, 3 unread"  # one read: the open one
        assert shown[2] == "    ▾ 人民日报 1946-05-15  2"
        # Within a month too: the 15th before the 16th.
        issue_rows = [row.strip() for row in shown if "人民日报" in row]
        assert issue_rows == ["▾ 人民日报 1946-05-15  2", "▸ 人民日报 1946-05-16  1"]


@sync
async def test_years_and_months_fold_and_unfold_with_the_keys_of_issues_and_pages(decades):
    app = reader_app(decades)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        nav = app.reader.nav
        nav.focus()
        await press(pilot, "g", "h")  # fold the year 1966
        assert rows(nav) == [
            "▸ 1966  3 issues, 4 unread",
            "▸ 1947  1 issue, 1 unread",
            "▸ 1946  3 issues, 6 unread",
        ]
        await press(pilot, "G", "l")  # unfold 1946: its months, newest first, folded
        assert rows(nav)[2:] == [
            "▾ 1946  3 issues, 6 unread",
            "  ▸ 1946-06  1 issue, 2 unread",
            "  ▸ 1946-05  2 issues, 4 unread",
        ]
        await press(pilot, "G", "enter")  # Enter unfolds a month: its issues
        assert rows(nav)[5:] == ["    ▸ 人民日报 1946-05-16  1", "    ▸ 人民日报 1946-05-15  3"]
        await press(pilot, "G", "right")  # and an issue: its pages
        assert rows(nav)[7:] == ["      ▸ 第1版  2", "      ▸ 第2版  1"]
        await press(pilot, "j", "l", "j")  # a page: its articles; down to the first
        assert nav.row_text(nav.cursor_line) == "        • 各地修渠引水"
        await press(pilot, "enter")  # Enter on an article opens it
        assert app.reader.current_article.headline == "各地修渠引水"
        app.reader.read_marker.now()  # read, as after two seconds on it
        nav.focus()
        await pilot.pause()
        assert nav.row_text(6) == "    ▾ 人民日报 1946-05-15  2"  # one read: the counts follow
        assert nav.row_text(2) == "▾ 1946  3 issues, 5 unread"
        # h climbs: article -> page -> (folded page) issue -> (folded issue) month -> year.
        await press(pilot, "h")
        assert kind(nav) == 0
        await press(pilot, "h", "h")
        assert kind(nav) == ISSUE
        await press(pilot, "h", "h")
        assert kind(nav) == MONTH and nav.row_text(nav.cursor_line) == "  ▾ 1946-05  2 issues, 3 unread"
        await press(pilot, "enter")  # Enter folds the month
        assert rows(nav)[4] == "  ▸ 1946-05  2 issues, 3 unread" and nav.row_count == 5
        await press(pilot, "h")  # a folded month: up to its year
        assert kind(nav) == YEAR and nav.cursor_line == 2
        await press(pilot, "enter")
        assert nav.row_count == 3


@sync
async def test_colon_takes_a_year_a_month_or_a_day_and_unfolds_what_leads_there(decades):
    app = reader_app(decades)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        nav = app.reader.nav

        async def jump(text: str) -> str:
            await press(pilot, "colon")
            assert isinstance(app.screen, DatePrompt)
            await press(pilot, *text)
            assert f"Jump to date: {text}" in screen_text(app)  # what is typed shows on the prompt's line
            await press(pilot, "enter")
            assert not isinstance(app.screen, DatePrompt) and nav.has_focus
            top = int(nav.scroll_y)
            assert top <= nav.cursor_line < top + nav.scrollable_content_region.height
            return nav.row_text(nav.cursor_line)

        assert await jump("1947") == "▾ 1947  1 issue, 1 unread"
        assert nav.row_text(nav.cursor_line + 1) == "  ▸ 1947-01  1 issue, 1 unread"  # the year is unfolded
        assert await jump("1946-05") == "  ▾ 1946-05  2 issues, 4 unread"
        assert nav.row_text(nav.cursor_line + 1) == "    ▸ 人民日报 1946-05-16  1"  # the month is unfolded
        assert await jump("1946-05-15") == "    ▾ 人民日报 1946-05-15  3"
        assert nav.row_text(nav.cursor_line + 1) == "      ▸ 第1版  2"  # the issue is unfolded
        assert await jump("1946年6月") == "  ▾ 1946-06  1 issue, 2 unread"
        assert await jump("19660518") == "    ▾ 人民日报 1966-05-18  2"
        app.clear_notifications()
        # A date without an issue: the nearest issue, and a notice that says so.
        assert await jump("1950") == "    ▾ 人民日报 1947-01-02  1"
        notices = [str(n.message) for n in app._notifications]
        assert notices == ["No issue for 1950: the nearest is 人民日报 1947-01-02."]
        assert await jump("1966-05-17") in ("    ▾ 人民日报 1966-05-16  1", "    ▾ 人民日报 1966-05-18  2")
        # Not a date: a notice, and the cursor stays where it was.
        line = nav.cursor_line
        await press(pilot, "colon", *"May", "enter")
        assert nav.cursor_line == line
        assert any("Not a date: 'May'" in str(n.message) for n in app._notifications)


@sync
async def test_colon_at_80x24_brings_up_the_contents_on_the_day(decades):
    app = reader_app(decades)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        nav = app.reader.nav
        assert not nav.display or not app.reader.contents_shown  # narrow: the article has the screen
        await press(pilot, "colon", *"1946-05-16", "enter")
        assert app.reader.contents_shown and nav.has_focus
        text = screen_text(app)
        assert "▾ 人民日报 1946-05-16  1" in text and "▾ 1946  3 issues, 6 unread" in text
        await press(pilot, "l", "j", "l", "j", "enter")  # its page, its article: opened
        assert app.reader.current_article.headline == "农民互助组订立计划"
