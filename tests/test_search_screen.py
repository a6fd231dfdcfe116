"""The search screen and find-in-article through Pilot: type, results, open, n/N, Esc."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.conftest import sync
from tests.search_support import LIB, build_index_once, install_index
from tuireader.search import ensure_index, index_path
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.search import FindScreen, SearchScreen

TRAFFIC = "全市推进智慧交通管理平台建设"
DRAINS = "老城区雨污分流改造完工"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    """The fixture library indexed once for the module (each test gets a copy)."""
    return build_index_once(tmp_path_factory, "search-screen-cache")


@pytest.fixture
def indexed(built_index) -> None:
    install_index(built_index)


async def until(pilot, predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "the app did not get there"
        await pilot.pause(0.05)
    await pilot.pause()


async def ready(app: ReaderApp, pilot) -> None:
    await until(pilot, lambda: app.reader.library is not None and bool(app.reader.article_view.lines))


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


def rows(screen: SearchScreen) -> list[str]:
    option_list = screen.results_list
    return [option_list.get_option_at_index(i).prompt.plain for i in range(option_list.option_count)]


@sync
async def test_type_open_step_through_matches_and_come_back(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        screen = app.screen
        await type_text(pilot, "路口")
        await until(pilot, lambda: rows(screen) and rows(screen)[0].startswith(TRAFFIC))
        first = rows(screen)[0]
        assert "晨江日报 2025-06-05 第1版" in first
        assert "路口" in first.split("\n")[1]  # the snippet shows the match
        # the headline's own match is styled, not the whole row
        prompt = screen.results_list.get_option_at_index(0).prompt
        assert any(first[span.start : span.end] == "路口" for span in prompt.spans)
        status = str(screen.query_one("#search-status").render())
        assert "result" in status

        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen) and app.reader.current_id is not None)
        view = app.reader.article_view
        assert view.article.headline == TRAFFIC
        assert view.match_count == 2  # every match highlighted
        assert view._match_cursor == 0  # scrolled to the first
        await pilot.press("n")
        assert view._match_cursor == 1
        await pilot.press("N")
        assert view._match_cursor == 0

        # Esc: the results as they were
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        again = app.screen
        assert again.input.value == "路口"
        assert rows(again)[0] == first
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen))
        assert view.article.headline == TRAFFIC


@sync
async def test_the_last_search_is_the_reading_screens_and_no_other_readers(indexed):
    """Closing search keeps the query and results for the next "/" of the same reader;
    another reader (another app in the same process) starts with nothing."""
    first, second = ReaderApp([LIB]), ReaderApp([LIB])
    async with first.run_test(size=(80, 24)) as pilot:
        await ready(first, pilot)
        await pilot.press("slash")
        await type_text(pilot, "路口")
        await until(pilot, lambda: bool(rows(first.screen)))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(first.screen, SearchScreen))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(first.screen, SearchScreen))
        session = first.reader.search_session
        assert session is not None and first.screen.session is session
        assert session.query == "路口" and session.results
    async with second.run_test(size=(80, 24)) as pilot:
        await ready(second, pilot)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(second.screen, SearchScreen))
        assert second.reader.search_session is not session and second.reader.search_session.query == ""


@sync
async def test_moving_down_the_results_and_back_to_the_same_one(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        screen = app.screen
        await type_text(pilot, "本报")  # in most bylines: a list to move in
        await until(pilot, lambda: len(rows(screen)) >= 4)
        await pilot.press("down", "down")
        assert screen.results_list.highlighted == 2
        chosen = rows(screen)[2].split("  ")[0]
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen))
        assert app.reader.article_view.article.headline.startswith(chosen.replace("[图] ", ""))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        assert app.screen.results_list.highlighted == 2


@sync
async def test_article_text_in_results_is_never_markup(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    text = "# 标题[bold red]测试[/] \x1b]0;pwned\x07\n\n正文[@click=app.quit]点我[/]，测试内容。\n"
    (lib / "01.txt").write_text(text, encoding="utf-8")
    ensure_index([lib])
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        screen = app.screen
        await type_text(pilot, "测试")
        await until(pilot, lambda: bool(rows(screen)))
        row = rows(screen)[0]
        assert "[bold red]" in row and "[@click=app.quit]" in row
        assert "\x1b" not in row and "\x07" not in row


@sync
async def test_first_keystrokes_work_while_the_index_is_built(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(LIB, lib)
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        screen = app.screen
        await type_text(pilot, "ywfl")
        # no index yet: the screen says it is indexing, and the results arrive when ready
        await until(pilot, lambda: rows(screen) and rows(screen)[0].startswith(DRAINS), timeout=120)
        await until(pilot, lambda: not screen.session.building, timeout=60)
    assert index_path([lib]).exists()


@sync
async def test_find_in_the_open_article(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("f")
        assert isinstance(app.screen, FindScreen)
        await type_text(pilot, "ＬＥＤ")  # full-width letters find nothing here...
        view = app.reader.article_view
        assert view.match_count == 0
        for _ in range(3):
            await pilot.press("backspace")
        await type_text(pilot, "本報")  # ...traditional characters find the simplified text
        await pilot.pause()
        assert view.match_count >= 1
        await pilot.press("enter")
        assert not isinstance(app.screen, FindScreen)
        assert view.match_count >= 1  # Enter keeps the marks
        await pilot.press("f")
        await pilot.press("escape")
        assert view.match_count == 0  # Esc clears them


@sync
async def test_a_search_cut_short_says_so_on_the_screen(indexed, monkeypatch):
    """Past its time budget a search shows what it found and says it was cut (no hang)."""
    from tuireader.search.engine import Searcher

    search = Searcher.search

    def out_of_time(self, text, limit=20, newest=False, budget=None, timeline=True):  # type: ignore[no-untyped-def]
        return search(self, text, limit=limit, newest=newest, budget=0.0, timeline=timeline)

    monkeypatch.setattr(Searcher, "search", out_of_time)
    app = ReaderApp([LIB])
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await type_text(pilot, "智慧交通")
        await until(pilot, lambda: "cut short" in str(screen.query_one("#search-status").render()))
