"""Reading comfort (issue 14's UI points) through Pilot: Esc, help, notices, links, an empty
library, typography, find's count and when an article counts as read."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from tests.conftest import FIXTURES, sync
from tests.search_support import LIB, build_index_once, install_index
from tests.test_app_reader import JUMP, make_app, press, ready, screen_lines, screen_text, until
from tests.test_bookmarks_support import SPRING, ids_by_headline, make_library, open_library
from tuireader.store.config import Config
from tuireader.text.linebreak import break_balanced, break_lines
from tuireader.text.sanitize import link_target
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.help import HelpScreen, KeyTable
from tuireader.ui.screens.reader import ReaderScreen
from tuireader.ui.screens.search import FindScreen, SearchScreen

LINKS = FIXTURES / "links"
FIRST_URL = "https://tv.example.cn/2099/03/01/VIDEaaaa990301.shtml"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    return build_index_once(tmp_path_factory, "comfort-ui-cache")


@pytest.fixture
def indexed(built_index) -> None:
    install_index(built_index)


async def open_first_result(app: ReaderApp, pilot, query: str) -> str:
    await press(pilot, "slash")
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    for ch in query:
        await pilot.press(ch)
    await until(pilot, lambda: bool(screen.session.results) and screen.session.query == query, timeout=20)
    await press(pilot, "enter")
    assert isinstance(app.screen, ReaderScreen)
    return app.reader.current_id


# ------------------------------------------------------------------ 1. Esc goes back one step


@sync
async def test_esc_goes_back_to_the_results_only_while_their_article_is_on_screen(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        opened = await open_first_result(app, pilot, "路口")
        await press(pilot, "escape")  # straight back: the results as they were
        assert isinstance(app.screen, SearchScreen) and app.screen.input.value == "路口"
        await press(pilot, "enter")
        assert app.reader.current_id == opened
        await press(pilot, "right_square_bracket", "left_square_bracket")  # away, and back again
        assert app.reader.current_id == opened
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)  # that search was left: Esc goes nowhere
        await press(pilot, "j")
        assert isinstance(app.screen, ReaderScreen) and app.reader.current_id == opened


# ------------------------------------------------------------------ 2. help scrolls


@sync
async def test_help_scrolls_with_the_reading_keys_and_end_keeps_the_key_column():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(KeyTable)
        last_id = app.key_rows()[-1][3]
        assert last_id not in screen_text(app)  # below the fold at 80x24
        await press(pilot, "j", "j")
        assert table.cursor_row == 2
        await press(pilot, "k")
        assert table.cursor_row == 1
        await press(pilot, "space")
        assert table.cursor_row > 5
        await press(pilot, "G")
        assert last_id in screen_text(app)  # the whole table is reachable
        await press(pilot, "end")
        assert table.scroll_x == 0 and "Keys" in screen_text(app)  # not scrolled sideways
        await press(pilot, "g")
        assert table.cursor_row == 0 and table.scroll_y == 0


# ------------------------------------------------------------------ 3. notices


@sync
async def test_a_notice_is_one_line_in_the_corner_and_not_repeated():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        await press(pilot, "left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert [n.message for n in app._notifications] == ["This is the first article."]  # once
        await press(pilot, "y")  # another notice replaces it
        await pilot.pause(0.2)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1 and len(app._notifications) == 1
        region = toasts[0].region
        assert region.height == 1 and region.width <= 48
        assert region.bottom == 24 and region.right == 80  # the corner, over the footer
        assert not region.overlaps(view.region)  # never over the text being read


@sync
async def test_bookmarks_not_in_this_library_are_marked_on_their_screen_not_announced(tmp_path):
    file = tmp_path / "bookmarks.yaml"
    file.write_text(
        "version: 1\nbookmarks:\n- article_id: gone2345\n  headline: 已经不在的文章\n"
        "  saved: '2026-03-04T08:00:00+08:00'\n", encoding="utf-8")
    app = ReaderApp([make_library(tmp_path / "lib")], bookmarks_path=file, state_path=tmp_path / "s.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.pause(0.2)
        assert not any("library" in str(n.message) for n in app._notifications)
        await press(pilot, "apostrophe")
        text = screen_text(app)
        assert "1 not in this library" in text and "✗ not in this library" in text


# ------------------------------------------------------------------ 4. links


def link_segments(app: ReaderApp, words: str) -> list[tuple[str, str | None]]:
    view = app.reader.article_view
    out = []
    for y in range(view.size.height):
        for segment in view.render_line(y):
            if words[:2] in segment.text or (segment.style and segment.style.link):
                out.append((segment.text, segment.style.link if segment.style else None))
    return out


@sync
async def test_a_link_is_its_words_with_an_osc8_hyperlink_and_a_link_item_is_not_unread(monkeypatch):
    monkeypatch.setattr(ReaderScreen, "READ_AFTER", 0.05)
    app = make_app(LINKS)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        reader = app.reader
        order = list(reader.library.ids())
        kinds = {i: reader.library.locate(i)[2].kind for i in order}
        first = next(i for i in order if reader.library.locate(i)[2].headline == "春耕备耕有序展开")
        reader.open_article(first)
        await pilot.pause()
        text = "\n".join(reader.article_view.rendered_lines())
        assert "查看原文" in text and "](" not in text and "https://" not in text
        linked = [(t, url) for t, url in link_segments(app, "查看原文") if url]
        assert linked and all(url == FIRST_URL for _t, url in linked)
        assert "".join(t for t, _ in linked).strip() == "查看原文"
        # In the contents: a link item has its mark, and no unread dot.
        link_item = next(i for i in order if kinds[i] == "link")
        row = next(line for line in screen_lines(app) if "海上风电" in line)
        assert "↗" in row and "•" not in row
        # Read the rest: u never stops on the link item, and the masthead counts it out.
        for _ in range(len(order)):
            await until(pilot, lambda: app.store.is_read(reader.current_id))
            await press(pilot, "u")
            assert reader.current_id != link_item
            if all(app.store.is_read(i) for i in order if kinds[i] != "link"):
                break
        assert not app.store.is_read(link_item)
        assert "0 unread in this issue" in screen_text(app)


@sync
async def test_hyperlinks_off_shows_each_url_once_dimmed():
    app = make_app(LINKS, config=Config(hyperlinks=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        reader = app.reader
        park = next(i for i in reader.library.ids() if reader.library.locate(i)[2].headline == "城市公园迎来赏花季")
        reader.open_article(park)
        await pilot.pause()
        text = "".join(reader.article_view.rendered_lines())
        assert text.count("https://www.example.cn/parks?id=3") == 1
        assert any("公园开放时间 https://www.example.cn/parks?id=3" in p.text for p in reader.article_view.pieces)
        assert not any(url for _t, url in link_segments(app, "查看原文"))
        view = reader.article_view
        url_piece = next(p for p in view.pieces if p.urls)
        assert url_piece.text[url_piece.urls[0][0]:url_piece.urls[0][1]] == "https://www.example.cn/parks?id=3"


def test_a_link_target_is_safe_to_hand_a_terminal():
    assert link_target("https://例子.cn/新闻?q=法治") == "https://%E4%BE%8B%E5%AD%90.cn/%E6%96%B0%E9%97%BB?q=%E6%B3%95%E6%B2%BB"
    assert link_target(" http://a.cn/x ") == "http://a.cn/x"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://a.cn/\x1b]8;;http://evil\x1b\\",
                "https://a.cn/\x07", "https://a.cn/a b", "https://a.cn/\u202etxt", "no-scheme", "", None,
                "https://a.cn/" + "x" * 3000):
        assert link_target(bad) is None, bad


# ------------------------------------------------------------------ 5. an empty library


@sync
async def test_an_empty_library_says_so_with_the_reason_on_the_first_screen(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    app = ReaderApp([empty])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "No articles in this library." in text
        assert "no .txt or .md files in" in text


# ------------------------------------------------------------------ 7. typography


def test_a_title_never_ends_on_a_line_of_one_character():
    title = "奋力谱写中国式现代化建设的新篇章昂扬奋进"
    assert break_lines(title, 38)[-1] == "进"  # what plain breaking does
    lines = break_balanced(title, 38)
    assert "".join(lines) == title and len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 1
    assert break_balanced("春风吹绿万亩良田", 38) == ["春风吹绿万亩良田"]
    assert break_balanced("中国式现代化建设的新篇章，昂扬奋进。", 24)[-1] != "进。"


@sync
async def test_long_titles_in_the_contents_end_in_an_ellipsis():
    app = make_app(JUMP)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await until(pilot, lambda: any("老街巷里" in line for line in screen_lines(app)))
        nav = app.reader.nav
        assert nav.region.width
        row = next(line.split("▕")[0] for line in screen_lines(app) if "老街巷里" in line)
        assert "乡愁" not in row and row.rstrip(" ▕│").endswith("…")  # cut, and says so


@sync
async def test_a_bookmarks_long_title_goes_on_under_itself(tmp_path):
    root = make_library(tmp_path / "lib")
    spring = ids_by_headline(open_library(root))[SPRING]
    file = tmp_path / "bookmarks.yaml"
    title = "一个很长很长的书签标题，" * 8  # as saved: longer than the row
    file.write_text(f"version: 1\nbookmarks:\n- article_id: {spring}\n  headline: {title}\n", encoding="utf-8")
    app = ReaderApp([root], bookmarks_path=file, state_path=tmp_path / "s.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "apostrophe")
        lines = screen_lines(app)
        first = next(n for n, line in enumerate(lines) if "★" in line and "一个很长" in line)
        start = lines[first].index("一个很长")
        for line in lines[first + 1 : first + 3]:  # the title's next lines start where it did
            assert line[:start].strip() == "" and line[start] != " ", (lines[first], line)


# ------------------------------------------------------------------ 9. find keeps count


@sync
async def test_find_says_which_match_is_on_screen_and_n_updates_it():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "f")
        assert isinstance(app.screen, FindScreen)
        for ch in "茶":
            await pilot.press(ch)
        await pilot.pause()
        total = len(app.reader.article_view._match_lines)
        assert total >= 3
        await press(pilot, "enter")
        masthead = lambda: screen_lines(app)[0]  # noqa: E731
        assert masthead().rstrip().endswith(f"match 1/{total}")
        await press(pilot, "n", "n")
        assert masthead().rstrip().endswith(f"match 3/{total}")
        await press(pilot, "N")
        assert masthead().rstrip().endswith(f"match 2/{total}")
        await press(pilot, "right_square_bracket")
        assert "match" not in masthead()


# ------------------------------------------------------------------ 12. read after a while


@sync
async def test_a_burst_of_100_next_article_keys_marks_nothing_read(tmp_path):
    from tests.test_scale import _generator

    lib = _generator().generate_library(tmp_path / "lib", 120, seed=5)
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.reader.current_id is not None, timeout=30)
        first = app.reader.current_id
        for _ in range(100):
            await pilot.press("right_square_bracket")
        passed = list(app.reader.library.ids())[:101]
        assert app.reader.current_id == passed[100] != first
        assert not any(app.store.is_read(i) for i in passed)


@sync
async def test_an_article_is_read_after_a_while_on_screen_or_once_scrolled(monkeypatch):
    monkeypatch.setattr(ReaderScreen, "READ_AFTER", 1.0)
    app = make_app(JUMP)
    async with app.run_test(size=(40, 14)) as pilot:  # the lead article runs past the screen
        await ready(app, pilot)
        first = app.reader.current_id
        await until(pilot, lambda: app.store.is_read(first))  # on screen a while
        await press(pilot, "right_square_bracket")
        second = app.reader.current_id
        await press(pilot, "right_square_bracket")  # gone before its time: not read
        await pilot.pause(0.2)
        assert not app.store.is_read(second) and app.reader.current_id != second
        app.store.mark_unread(first)
        app.reader.open_article(first)  # the long lead article
        await pilot.pause()
        await press(pilot, "j")  # scrolled: read at once
        assert app.store.is_read(first)


def test_hyperlinks_is_a_config_key_taking_on_or_off(tmp_path):
    from tuireader.store.config import ConfigError, load_config

    config = tmp_path / "config.yaml"
    config.write_text("measure: 60\n")
    assert load_config(config).hyperlinks is True  # on unless said otherwise
    config.write_text("hyperlinks: off\n")
    assert load_config(config).hyperlinks is False
    config.write_text("hyperlinks: sometimes\n")
    with pytest.raises(ConfigError, match="hyperlinks"):
        load_config(config)
