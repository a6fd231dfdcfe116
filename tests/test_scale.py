"""Large archives in the running app: files added and removed while it runs are
picked up in the background, a first run reports its progress, and browsing
keeps only a bounded number of parsed files in memory. (Timings: benchmarks/bench_scale.py.)"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace
from pathlib import Path

from tests.conftest import sync
from tuireader.contents import group_issues
from tuireader.library import PARSE_CACHE_SIZE, Library
from tuireader.ui.app import ReaderApp
from tuireader.ui.widgets.library_list import LibraryList

from .test_library_list import _generator


def page(paper: str, date: str, number: int, name: str, *articles: tuple[str, str]) -> str:
    """A page file with front matter, in the layout of the sample."""
    body = "\n\n".join(f"# {headline}\n\n本报记者 林晓\n\n{text}" for headline, text in articles)
    return f"---\npaper: {paper}\ndate: {date}\npage: {number}\nname: {name}\n---\n\n{body}\n"


def write_library(root: Path) -> Path:
    (root / "2025-05-01").mkdir(parents=True)
    (root / "2025-05-01" / "01.txt").write_text(
        page("河湾日报", "2025-05-01", 1, "要闻",
             ("河湾大桥今日合龙", "本报讯 经过两年施工，连接南北两岸的河湾大桥今天上午顺利合龙。"),
             ("五一假期客流创新高", "本报讯 假期首日，全市各景区接待游客同比增长一成。")),
        encoding="utf-8",
    )
    (root / "2025-05-01" / "02.txt").write_text(
        page("河湾日报", "2025-05-01", 2, "城事",
             ("老城区雨污分流改造启动", "本报讯 老城区十二条街巷将完成雨污分流改造。")),
        encoding="utf-8",
    )
    return root


async def settle(app: ReaderApp, pilot, until=lambda: True, tries: int = 100) -> None:
    """Wait for the workers (the library, a refresh) and for ``until`` (a hang guard, not a timing)."""
    for _ in range(tries):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if until() and not any(w.is_running for w in app.workers):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the app did not settle")


def headlines(app: ReaderApp) -> list[str]:
    return [app.reader.library.locate(i)[2].headline for i in list(app.reader.library.ids())]


def pane_text(app: ReaderApp) -> str:
    nav = app.query_one(LibraryList)
    return "\n".join(nav.row_text(i) for i in range(nav.row_count))


@sync
async def test_files_added_and_removed_while_the_app_runs_are_picked_up(tmp_path):
    lib = write_library(tmp_path / "lib")
    app = ReaderApp([lib])
    shown: list[str | None] = []
    loader = app.reader.loader
    show = loader.callbacks.looking

    def watched(done: int, total: int) -> None:
        show(done, total)
        shown.append(app.reader.library_progress)

    loader.callbacks = replace(loader.callbacks, looking=watched)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot, lambda: app.reader.current_id is not None)
        opened = app.reader.current_id
        assert headlines(app) == ["河湾大桥今日合龙", "五一假期客流创新高", "老城区雨污分流改造启动"]
        await pilot.press("j")  # the reader scrolls a little: the place must survive the refresh
        paragraph = app.reader.article_view.paragraph_in_view()

        # A new issue dropped into the library.
        (lib / "2025-05-02").mkdir()
        (lib / "2025-05-02" / "01.txt").write_text(
            page("河湾日报", "2025-05-02", 1, "要闻", ("城市书房夜间开放", "本报讯 全市二十家城市书房延长开放时间。")),
            encoding="utf-8",
        )
        await pilot.press("R")
        await settle(app, pilot, lambda: "城市书房夜间开放" in headlines(app))
        assert "河湾日报 2025-05-02" in pane_text(app)
        # The look at the files showed in the masthead while it ran, and is gone now.
        assert shown[0] == "looking for new files…" and shown[-1] is None
        assert "⟳" not in str(app.query_one("#masthead").render())
        assert app.reader.current_id == opened and app.reader.article_view.paragraph_in_view() == paragraph

        # A page removed: its article leaves the lists; the open one stays put.
        (lib / "2025-05-01" / "02.txt").unlink()
        await pilot.press("R")
        await settle(app, pilot, lambda: "老城区雨污分流改造启动" not in headlines(app))
        assert "老城区雨污分流改造启动" not in pane_text(app)
        assert app.reader.current_id == opened

        # The open article's own file removed: a notice, and the article stays on screen to finish.
        (lib / "2025-05-01" / "01.txt").unlink()
        await pilot.press("R")
        await settle(app, pilot, lambda: "河湾大桥今日合龙" not in headlines(app))
        assert app.reader.current_article is not None and app.reader.current_article.headline == "河湾大桥今日合龙"
        assert any("no longer in the library" in str(n.message) for n in app._notifications)


@sync
async def test_a_second_start_opens_from_the_catalogue_and_then_finds_new_files(tmp_path):
    lib = write_library(tmp_path / "lib")
    first = ReaderApp([lib])
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(first, pilot, lambda: first.reader.current_id is not None)
    (lib / "2025-05-01" / "03.txt").write_text(
        page("河湾日报", "2025-05-01", 3, "文体", ("龙舟队开始训练", "本报讯 端午将至，河湾龙舟队开始集训。")),
        encoding="utf-8",
    )
    second = ReaderApp([lib])
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(second, pilot, lambda: "龙舟队开始训练" in headlines(second))
        assert "第3版 文体" in pane_text(second)
        assert any("Library updated" in str(n.message) for n in second._notifications)


@sync
async def test_a_first_run_shows_how_far_it_has_read(tmp_path):
    lib = write_library(tmp_path / "lib")
    shown: list[str] = []

    app = ReaderApp([lib])
    loader = app.reader.loader
    show = loader.callbacks.reading

    def watched(done: int, total: int) -> None:
        show(done, total)
        shown.append(app.reader.article_view.placeholder)

    loader.callbacks = replace(loader.callbacks, reading=watched)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, lambda: app.reader.current_id is not None)
    assert shown and shown[-1] == "Reading the library… 2/2 files"


@sync
async def test_browsing_many_articles_keeps_a_bounded_number_in_memory(tmp_path):
    lib = _generator().generate_library(tmp_path / "lib", 600, seed=3)
    app = ReaderApp([lib])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot, lambda: app.reader.current_id is not None)
        opened = set()
        # As the reader's keys do, drawing now and then.
        for n, article_id in enumerate(list(app.reader.library.ids())[::3]):
            assert app.reader.open_article(article_id)
            opened.add(app.reader.current_id)
            if n % 10 == 0:
                await pilot.pause()
        await pilot.pause()
        files = {app.reader.library.source_path(app.reader.library.locate(i)[2]) for i in opened}
        assert len(files) > PARSE_CACHE_SIZE  # more files were read than the cache holds...
        assert len(app.reader.library._cache) <= PARSE_CACHE_SIZE  # ...and only the most recent are kept
        assert all(isinstance(entry[0], str) for entry in app.reader.history)  # the way back holds ids, not articles
        # The footer is rebuilt for each article: the keys it dropped must not live on.
        # (On a busy machine the last rebuilds may still be under way: let them finish.)
        await pilot.pause(0.3)
        gc.collect()
        assert sum(type(o).__name__ == "FooterKey" for o in gc.get_objects()) < 50


@sync
async def test_a_second_start_builds_only_the_open_issue_whatever_the_contents_show(tmp_path):
    """From the catalogue, the reader opens the last article read; the contents pane beside
    it lists every year with its issues and unread articles, from the issues' counts and the
    read ids: no other
    issue's pages are built until the reader opens that issue."""
    lib = _generator().generate_library(tmp_path / "lib", 2500, seed=4)
    first = ReaderApp([lib])
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(first, pilot, lambda: first.reader.current_id is not None)
        last_issue = first.reader.library.issues[-1]
        target = last_issue.sections[0].articles[0].id
        first.reader.open_article(target)
        await pilot.pause()
    second = ReaderApp([lib])
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(second, pilot, lambda: second.reader.current_id == target)
        library = second.reader.library
        assert library.from_catalogue and second.reader.contents_shown
        assert len(library.issues) > 20
        # Every year is listed with its issues and unread articles (the first start read two).
        shown = pane_text(second)
        years = group_issues(library.issues)
        read = second.reader.store.state.read
        assert len(years) > 2 and len(read) <= 2
        cold = Library.open([lib], use_catalogue=False)  # the same issues, built here: ids to count
        for year in years:
            ids = [aid for m in year.months for n in m.issues for aid in cold.issues[n].article_ids]
            unread = len(ids) - len(read.intersection(ids))
            assert f"{year.year}  {year.issue_count} issues, {unread:,} unread" in shown
        open_issue = library.locate(target)[0]
        assert [issue.loaded for issue in library.issues] == [issue is open_issue for issue in library.issues]
        # To the contents, and to the oldest issue by its date: it is opened, its pages built.
        await pilot.press("backslash", "backslash", "colon", *(library.issues[0].date or ""), "enter")
        await pilot.pause()
        assert library.issues[0].loaded


@sync
async def test_a_first_run_on_a_large_library_can_be_read_while_the_rest_is_read(tmp_path, monkeypatch):
    """The files read in the first moments are shown at once; the count of the rest goes
    to the masthead; the whole library then takes their place, the article staying open."""
    import tuireader.ui.loading as loading

    monkeypatch.setattr(loading, "FIRST_PART_AFTER", 0.0)  # after the first file, here
    monkeypatch.setattr(loading, "PROGRESS_INTERVAL", 0.0)  # every count shown
    lib = write_library(tmp_path / "lib")
    (lib / "2025-05-01" / "03.txt").write_text(
        page("河湾日报", "2025-05-01", 3, "文体", ("龙舟队开始训练", "本报讯 端午将至，河湾龙舟队开始集训。")),
        encoding="utf-8",
    )
    app = ReaderApp([lib])
    shown, masthead = [], []
    loader = app.reader.loader
    ready, progress = loader.callbacks.ready, loader.callbacks.reading

    def watched_ready(library, reopen=True):
        shown.append((library.complete, len(library), app.reader.current_id))
        ready(library, reopen)

    def watched_progress(done, total):
        progress(done, total)
        masthead.append(app.reader.library_progress)

    loader.callbacks = replace(loader.callbacks, ready=watched_ready, reading=watched_progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, lambda: app.reader.library is not None and app.reader.library.complete)
        part, whole = shown[0], shown[-1]
        assert part[:2] == (False, 2)  # the first page file: two articles, to read at once
        assert whole[:2] == (True, 4) and whole[2] is not None  # ...which is open when the rest arrives
        assert app.reader.current_id == whole[2] and app.reader.current_article.headline == "河湾大桥今日合龙"
        assert masthead[-2:] == ["reading 66%", None]
        assert "⟳" not in str(app.query_one("#masthead").render())
        assert headlines(app) == ["河湾大桥今日合龙", "五一假期客流创新高", "老城区雨污分流改造启动", "龙舟队开始训练"]
    # ...and the catalogue was written for the next start.
    second = ReaderApp([lib])
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(second, pilot, lambda: second.reader.current_id is not None)
        assert second.reader.current_id == whole[2]


@sync
async def test_a_large_library_read_from_its_files_is_swapped_for_its_catalogue_once_written(
    tmp_path, monkeypatch
):
    """Once a first run has catalogued a large library, the reader holds the same library
    from the catalogue (issues built when shown) instead of every article's summary: the
    article stays open, the counts stay."""
    import tuireader.ui.loading as loading

    monkeypatch.setattr(loading, "SLIM_FROM", 1)
    lib = _generator().generate_library(tmp_path / "lib", 600, seed=5)
    app = ReaderApp([lib])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot, lambda: app.reader.library is not None and app.reader.library.from_catalogue)
        library = app.reader.library
        assert library.complete and len(library) == len(Library.open([lib], use_catalogue=False))
        opened = app.reader.current_id
        assert opened is not None and app.reader.current_article.id == opened
        await pilot.press("right_square_bracket")
        await settle(app, pilot, lambda: app.reader.current_id != opened)
        assert app.reader.current_id == library.neighbour(opened, +1)


@sync
async def test_counts_in_the_masthead_reach_it_under_another_screen_or_not_at_all(tmp_path):
    """A count of files read (a first run's rest, a look at the files) may arrive while
    help is on top, or while the reader closes and its widgets are gone: the masthead
    gets it, or nobody does; nothing fails."""
    lib = write_library(tmp_path / "lib")
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, lambda: app.reader.current_id is not None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is not app.screen_stack[0]
        app.reader.show_refresh_progress(3, 9)
        await pilot.pause()
        assert "⟳ files 3/9" in str(app.screen_stack[0].query_one("#masthead").render())
        await app.screen_stack[0].query_one("#masthead").remove()
        app.reader.show_refresh_progress(4, 9)
        app.reader.show_reading_progress(5, 9)
