"""The reader through Pilot: what a reader sees at 80x24 and on wide screens, and the keys."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.conftest import CORPUS, FIXTURES, SEEDS, sync
from tuireader.store.config import load_config
from tuireader.text.linebreak import CLOSING
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.reader import ReaderScreen
from tuireader.ui.widgets.article_view import ArticleView, layout_article

JUMP = FIXTURES / "jump"
SEED_HEADLINE = "全省深化数字法治改革推进政法智能化建设工作例会"
LEAD = "老街巷里的新茶馆 留住了街坊的乡愁"




def screen_lines(app: ReaderApp) -> list[str]:
    """The text of every row of the screen as the terminal would show it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: ReaderApp) -> str:
    return "\n".join(screen_lines(app))


def make_app(*paths: Path, **kwargs) -> ReaderApp:
    return ReaderApp(list(paths) or [SEEDS], **kwargs)


async def ready(app: ReaderApp, pilot) -> None:
    """Wait for the library to load and the first article to be laid out."""
    await app.workers.wait_for_complete()
    reader = app.reader
    await until(pilot, lambda: reader.library is not None
                and (not len(reader.library) or bool(reader.article_view.lines)))
    await pilot.pause()


async def until(pilot, predicate, timeout: float = 10.0) -> None:
    """Let the app run until ``predicate()`` holds (a hang guard, not a timing test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "the app did not get there"
        await pilot.pause(0.05)
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


@sync
async def test_first_screen_at_80x24_shows_the_first_headline_with_nothing_cut_off():
    app = make_app(SEEDS)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        lines = screen_lines(app)
        assert len(lines) == 24
        text = "\n".join(lines)
        assert SEED_HEADLINE[:20] in text
        assert "本报记者 陈卓" in text
        assert "　　本报讯 6月5日," in text  # dateline opens the first paragraph, indented
        # Narrow: the navigation pane is folded away, the article takes the width.
        assert not app.reader.nav.display or not app.reader.nav.region.width
        assert app.reader.article_view.region.width == 80
        for line in lines:
            assert cell_len(line) <= 80
        # Every laid-out line fits the column: nothing runs past the right edge.
        view = app.reader.article_view
        for line in view.rendered_lines():
            assert cell_len(line) <= view.column_width
        assert "Quit" in lines[-1]  # footer


@sync
async def test_nav_folds_below_100_columns_and_a_key_toggles_it():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert not app.reader.contents_shown
        await press(pilot, "backslash")
        assert app.reader.contents_shown and app.reader.nav.has_focus
        assert app.reader.nav.region.width == 80  # the pane takes the screen, the article steps aside
        assert app.reader.article_view.region.width == 0
        text = screen_text(app)
        assert "第1版 要闻" in text and "第2版 城事" in text
        assert "▣ 早春" in text  # photo items are marked
        # Down to the photo item and open it: the pane folds away again.
        await press(pilot, "j")
        assert app.reader.nav.cursor_article == list(app.reader.library.ids())[1]
        await press(pilot, "enter")
        await until(pilot, lambda: app.reader.current_id == list(app.reader.library.ids())[1])
        assert not app.reader.contents_shown
        assert "早春" in screen_text(app)
        await press(pilot, "backslash", "backslash")
        assert not app.reader.contents_shown and app.reader.article_view.has_focus
        await press(pilot, "backslash", "escape")  # Esc leaves the contents too
        assert not app.reader.contents_shown and app.reader.article_view.has_focus
        assert "早春" in screen_text(app)


@sync
async def test_wide_screen_shows_nav_and_article_side_by_side_at_a_comfortable_measure():
    app = make_app(JUMP)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(app, pilot)
        assert app.reader.contents_shown
        nav, view = app.reader.nav.region, app.reader.article_view.region
        assert nav.width >= 34 and view.width > 80
        assert nav.right <= view.x  # side by side, no overlap
        assert app.reader.article_view.column_width == 80  # stops at config.measure, not the full width
        row = next(
            line for line in screen_lines(app)
            if LEAD[:6] in line and cell_len(line[: line.rfind(LEAD[:6])]) > nav.width
        )
        # The column is centred in the article pane: as much air left as right.
        left = cell_len(row[: row.rfind(LEAD[:6])]) - view.x
        assert left >= (view.width - 80) // 2 - 2
        await app.reader.run_action("toggle_nav")
        await pilot.pause()
        assert not app.reader.contents_shown and app.reader.article_view.region.width == 160


@sync
async def test_article_hierarchy_kicker_headline_subheadline_byline_subheads():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 30)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        lines = view.rendered_lines()
        kicker = lines.index("春风又绿江南岸")
        headline = next(i for i, line in enumerate(lines) if line.startswith("老街巷里的新茶馆"))
        sub = lines.index("社区改造一年间 茶香飘进百姓家")
        byline = lines.index("本报记者 林晓雨 通讯员 周安")
        first = next(i for i, line in enumerate(lines) if "3月7日" in line)
        assert kicker < headline < sub < byline < first
        assert lines[first].startswith("　　本报讯 3月7日,")
        subhead = lines.index("一壶清茶连着邻里情")  # in-text subhead, no indent
        assert lines[subhead - 1] == "" and lines[subhead + 1].startswith("　　茶馆的老板")
        # The reflowed paragraph is one paragraph ("…也旧了," + "街道和居民…").
        assert "桌椅也旧了,街道和居民" in "".join(lines)

        def style_of(number: int):
            strip = view.render_line(number - int(view.scroll_y))
            return [seg.style for seg in strip if seg.text.strip()][0]

        headline_style = style_of(headline)
        assert headline_style.bold
        assert style_of(kicker) != headline_style
        assert style_of(byline) != headline_style
        assert style_of(first) != headline_style
        # The dateline opening the paragraph is set like the byline, the text after it is not.
        strip = view.render_line(first - int(view.scroll_y))
        by_text = {seg.text.strip(): seg.style for seg in strip if seg.text.strip()}
        assert by_text["本报讯"].color == style_of(byline).color
        body = next(style for text, style in by_text.items() if text.startswith("3月7日"))
        assert body.color != style_of(byline).color


@sync
async def test_photo_caption_is_framed_with_marker_and_right_aligned_credit():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "right_square_bracket")
        lines = app.reader.article_view.rendered_lines()
        top = next(i for i, line in enumerate(lines) if line.startswith("▣ 图 ─"))
        assert lines[top + 1].startswith("│ 城南湿地公园的玉兰花开了")
        credit = next(i for i, line in enumerate(lines) if line.endswith("陈墨 摄"))
        assert lines[credit].startswith("│    ")  # pushed to the right edge
        assert cell_len(lines[credit]) == app.reader.article_view.column_width
        assert set(lines[credit + 1]) == {"─"}
        assert "陈墨 摄" in screen_text(app)


@sync
async def test_follow_a_jump_to_its_continuation_and_back():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        first = app.reader.current_id
        assert any(line.strip() == "下转第2版 →" for line in app.reader.article_view.rendered_lines())
        assert "J Follow jump" in screen_lines(app)[-1]  # the footer offers the key
        await press(pilot, "J")
        assert app.reader.current_id != first
        article = app.reader.current_article
        assert article.page == 2 and article.continued_from == first
        text = screen_text(app)
        assert "← 上接第1版" in text
        assert "第2版 城事" in text  # the masthead says where we are
        assert "说起今后的打算" in text
        await press(pilot, "backspace")
        assert app.reader.current_id == first
        await press(pilot, "right_square_bracket")  # the photo item: nowhere to jump
        assert "Follow jump" not in screen_lines(app)[-1]
        await press(pilot, "left_square_bracket")
        # And from the continuation back the other way with J.
        await press(pilot, "J", "J")
        assert app.reader.current_id == first


@sync
async def test_jump_to_a_page_not_in_the_library_says_so():
    app = make_app(SEEDS)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        first = app.reader.current_id
        lines = app.reader.article_view.rendered_lines()
        assert any(line.strip() == "下转第2版 (continuation not in this library)" for line in lines)
        await press(pilot, "G")
        assert "下转第2版 (continuation not in this library)" in screen_text(app)
        await press(pilot, "J")
        assert app.reader.current_id == first
        assert any("not available" in str(n.message) for n in app._notifications)


@sync
async def test_article_and_section_keys_move_in_reading_order():
    app = make_app(JUMP)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        order = list(app.reader.library.ids())
        assert app.reader.current_id == order[0]
        await press(pilot, "right_square_bracket")
        assert app.reader.current_id == order[1]
        await press(pilot, "right_curly_bracket")
        assert app.reader.current_article.page == 2 and app.reader.current_id == order[2]
        await press(pilot, "right_square_bracket")
        assert app.reader.current_id == order[3]
        await press(pilot, "left_curly_bracket")
        assert app.reader.current_id == order[0]
        await press(pilot, "left_square_bracket")
        assert app.reader.current_id == order[0]  # nothing before the first
        # The pane follows: its cursor sits on the open article.
        await pilot.pause()
        assert app.reader.nav.cursor_article == order[0]


@sync
async def test_paging_and_top_bottom_in_the_article():
    app = make_app(SEEDS)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        assert view.scroll_y == 0
        await press(pilot, "space")
        page = view.scroll_y
        assert page >= 15
        await press(pilot, "j")
        assert view.scroll_y == page + 1
        await press(pilot, "b")
        assert view.scroll_y < page
        await press(pilot, "G")
        assert view.scroll_y == view.max_scroll_y > 0
        await press(pilot, "g")
        assert view.scroll_y == 0


@sync
async def test_theme_switch_by_key_restyles_and_is_remembered():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.theme == "newsprint-dark"
        view = app.reader.article_view
        before = view.get_component_rich_style("article--headline")
        await press(pilot, "t")
        assert app.theme != "newsprint-dark"
        chosen = app.theme
        await pilot.pause()
        assert view.get_component_rich_style("article--headline") != before
        await app.run_action("quit")
    again = make_app(JUMP)
    async with again.run_test(size=(80, 24)) as pilot:
        await ready(again, pilot)
        assert again.theme == chosen


@sync
async def test_theme_option_and_unknown_theme():
    app = make_app(JUMP, theme="high-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.theme == "high-contrast"
    app = make_app(JUMP, theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.theme == "newsprint-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)


@sync
async def test_keymap_from_config_file_remaps_keys(tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text("keymap:\n  next_article: n\n  down: ctrl+n\n  follow_jump: ctrl+j\n", encoding="utf-8")
    app = make_app(JUMP, config=load_config(config_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        first = app.reader.current_id
        await press(pilot, "right_square_bracket")
        assert app.reader.current_id == first  # the old key no longer does it
        await press(pilot, "n")
        assert app.reader.current_id == list(app.reader.library.ids())[1]
        # The help screen shows the new key against the id.
        await press(pilot, "question_mark")
        await until(pilot, lambda: "next_article" in screen_text(app))
        rows = {row[3]: row[1] for row in app.key_rows()}
        assert rows["next_article"] == "n"
        assert "next_article" in screen_text(app)


@sync
async def test_unknown_keymap_id_is_a_notice_not_a_crash(tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text("keymap:\n  no_such_action: z\n", encoding="utf-8")
    app = make_app(JUMP, config=load_config(config_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert any("no_such_action" in str(n.message) for n in app._notifications)


@sync
async def test_read_marks_next_unread_mark_unread_and_mark_all_read(monkeypatch):
    monkeypatch.setattr(ReaderScreen, "READ_AFTER", 0.05)  # read once on screen a moment
    app = make_app(JUMP)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        order = list(app.reader.library.ids())
        nav_text = lambda: screen_text(app)  # noqa: E731
        await until(pilot, lambda: app.store.is_read(order[0]))
        assert "• 公交新线路下周开通" in nav_text()
        await press(pilot, "u")
        assert app.reader.current_id == order[1]
        await until(pilot, lambda: app.store.is_read(order[1]))
        await press(pilot, "x")  # mark unread
        assert not app.store.is_read(order[1])
        assert "• ▣ 早春" in nav_text()
        await press(pilot, "u")
        assert app.reader.current_id == order[2]
        await press(pilot, "A")
        assert all(app.store.is_read(i) for i in order)
        assert "• " not in nav_text()


@sync
async def test_outline_lists_subheads_and_jumps_to_one():
    app = make_app(JUMP)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        await press(pilot, "o")
        await until(pilot, lambda: "老手艺遇上新办法" in screen_text(app))
        text = screen_text(app)
        assert "一壶清茶连着邻里情" in text and "老手艺遇上新办法" in text
        await press(pilot, "j", "j", "enter")
        view = app.reader.article_view
        target = view.rendered_lines().index("老手艺遇上新办法")
        assert target > 10  # below the first screen: the outline had to move the view
        assert view.scroll_y == min(target, view.max_scroll_y)
        assert any("老手艺遇上新办法" in line for line in screen_lines(app))


@sync
async def test_copy_headline_and_source():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "y")
        assert app.clipboard == f"{LEAD} — 山城晚报 2025-03-08 第1版 要闻"


@sync
async def test_problems_show_as_one_notice_and_a_screen(tmp_path):
    # a folder wider than the screen: each skipped file's name must still be read whole
    library = tmp_path / ("a-library-folder-with-a-long-name-" * 3) / "lib"
    library.mkdir(parents=True)
    (library / "01.txt").write_text((JUMP / "01.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (library / "empty.txt").write_bytes(b"")
    (library / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    app = make_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        problem_notices = [n for n in app._notifications if "skipped" in str(n.message)]
        assert len(problem_notices) == 1
        assert "2 files skipped: ! says why" == str(problem_notices[0].message)  # one line; ! lists them
        await press(pilot, "exclamation_mark")
        await until(pilot, lambda: "Problems (2)" in screen_text(app))
        lines = screen_text(app).splitlines()
        for name, why in (("binary.txt", "binary file"), ("empty.txt", "empty file")):
            # the name first, whole (the folder follows it), then why, below it
            at = next(i for i, line in enumerate(lines) if re.search(rf"│\s+{re.escape(name)}", line))
            assert any(why in line for line in lines[at + 1 :]), (name, lines)


@sync
async def test_article_text_is_data_not_markup(tmp_path):
    page = tmp_path / "01.txt"
    page.write_text(
        "# 标题[bold red]不是标记[/]\n\n正文[@click=app.quit]点我[/]和\x1b]0;pwned\x07结尾。\n", encoding="utf-8"
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "[bold red]不是标记[/]" in text
        assert "[@click=app.quit]点我[/]" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.click(ArticleView, offset=(10, 3))
        assert app.is_running


@sync
async def test_palette_has_the_reader_actions():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in ("Next article", "Follow jump", "Back", "Next unread", "Outline", "Problems", "Help", "Theme"):
            assert title in titles
        await press(pilot, "ctrl+p")
        for key in "follow":
            await pilot.press(key)
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await pilot.pause()
        assert app.reader.current_article.page == 2


def test_rendered_lines_never_start_with_closing_punctuation_and_lose_nothing():
    from tuireader.library import Library

    roots = [SEEDS, JUMP] + ([CORPUS / "people-daily"] if (CORPUS / "people-daily").is_dir() else [])
    library = Library.open(roots)
    for _issue, _section, ref in library.refs():
        article = library.article(ref.id)
        for width in range(20, 101, 7):
            layout = layout_article(article, width)
            by_piece: dict[int, str] = {}
            for line in layout.lines:
                if line.piece < 0:
                    continue
                text = layout.pieces[line.piece].text[line.start : line.end]
                assert cell_len(line.prefix) + cell_len(text) <= width
                if text:
                    assert text[0] not in CLOSING or line.start == 0, (width, text)
                by_piece[line.piece] = by_piece.get(line.piece, "") + text
            for number, piece in enumerate(layout.pieces):
                assert by_piece.get(number, "").replace(" ", "") == piece.text.replace(" ", "")


@pytest.mark.parametrize("ssh", [True, False])
@sync
async def test_animations_off_over_ssh(monkeypatch, ssh):
    if ssh:
        monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert (app.animation_level == "none") is ssh


@sync
async def test_no_color_is_respected(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.no_color
        strips = app.screen._compositor.render_strips()
        colours = set()
        for strip in strips:
            for segment in strip.apply_filter(app._filters[-1], app.screen.styles.background):
                if segment.style and segment.style.color and segment.style.color.triplet:
                    r, g, b = segment.style.color.triplet
                    colours.add(r == g == b)
        assert colours <= {True}  # only greys once NO_COLOR is set


@sync
async def test_nav_lists_issues_sections_and_articles_with_marks(monkeypatch):
    monkeypatch.setattr(ReaderScreen, "READ_AFTER", 0.05)
    app = make_app(JUMP)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await until(pilot, lambda: "•" not in next(r for r in screen_lines(app) if "老街巷里的新茶馆" in r)[:40])
        await until(pilot, lambda: "第2版 城事" in screen_text(app))
        rows = [line[: app.reader.nav.region.right] for line in screen_lines(app)]
        text = "\n".join(rows)
        assert "山城晚报 2025-03-08" in text
        assert "第1版 要闻" in text and "第2版 城事" in text
        photo = next(row for row in rows if "早春" in row)
        assert "▣" in photo and "•" in photo  # a picture item, not read yet
        lead = next(row for row in rows if "老街巷里的新茶馆" in row)
        assert "•" not in lead  # open, so read
        assert "公交新线路下周开通" in text


@sync
async def test_highlight_marks_every_match_and_steps_between_them():
    app = make_app(JUMP)
    async with app.run_test(size=(40, 14)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        view.highlight(["茶馆"])
        await pilot.pause()
        assert view.match_count == 5  # one in the headline, four in the body
        match_style = view.get_component_rich_style("article--match")
        first_line = view._match_lines[0]
        strip = view.render_line(first_line - int(view.scroll_y))
        assert any("茶馆" in seg.text and seg.style.bgcolor == match_style.bgcolor for seg in strip)
        seen = []
        for _ in range(view.match_count + 1):
            assert view.next_match()
            await pilot.pause()
            line = view._match_lines[view._match_cursor]
            assert view.scroll_y <= line < view.scroll_y + view.scrollable_content_region.height
            seen.append(line)
        assert seen[-1] == seen[0]  # wraps round
        assert view.prev_match()


@sync
async def test_paragraph_in_view_and_scroll_to_paragraph_agree():
    app = make_app(JUMP)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        assert view.paragraph_in_view() == 0
        view.scroll_to_paragraph(2)
        await pilot.pause()
        assert view.paragraph_in_view() == 2
        assert view.line_text(int(view.scroll_y)).startswith("　　茶馆的老板")


@sync
async def test_resize_resets_the_lines_and_keeps_the_place():
    app = make_app(SEEDS)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        view.scroll_to_paragraph(3)
        await pilot.pause()
        narrow_lines = len(view.rendered_lines())
        await pilot.resize_terminal(60, 24)
        await until(pilot, lambda: view.column_width == 60 - 1 - 2 and view._scroll_anchor is None)
        assert len(view.rendered_lines()) > narrow_lines
        assert all(cell_len(line) <= view.column_width for line in view.rendered_lines())
        assert view.column_width == 60 - 1 - 2  # scrollbar, one cell of air each side
        assert view.paragraph_in_view() == 3, (view.scroll_y, view.line_of_block(3), view.max_scroll_y)
        await pilot.resize_terminal(160, 40)
        await until(
            pilot,
            lambda: app.reader.nav.region.width > 0
            and view._layout_width == view.scrollable_content_region.width
            and view._scroll_anchor is None,
        )
        assert app.reader.contents_shown  # wide again: the contents come back
        assert view.column_width == 80
        line = view.line_of_block(3)
        assert view.scroll_y == min(line, view.max_scroll_y)  # at the top, or as far as it goes


@sync
async def test_measure_from_config_sets_the_column(tmp_path):
    config_file = tmp_path / "config.yaml"
    config_file.write_text("measure: 60\n", encoding="utf-8")
    app = make_app(JUMP, config=load_config(config_file))
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        assert view.column_width == 60
        assert max(cell_len(line) for line in view.rendered_lines()) <= 60
        assert max(cell_len(line) for line in view.rendered_lines()) >= 56  # and filled to it


@sync
async def test_open_request_from_a_screen_opens_highlights_and_scrolls():
    from tuireader.ui.messages import OpenRequest

    app = make_app(JUMP)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        target = list(app.reader.library.ids())[2]  # the continuation on page 2
        app.reader.open_request(OpenRequest(target, terms=["读书角"]))
        await until(pilot, lambda: app.reader.current_id == target)
        view = app.reader.article_view
        assert view.match_count == 1
        await until(pilot, lambda: any("读书角" in line for line in screen_lines(app)))
        app.reader.post_message(OpenRequest(list(app.reader.library.ids())[0], paragraph=2))
        await until(pilot, lambda: app.reader.current_id == list(app.reader.library.ids())[0])
        await until(pilot, lambda: view.paragraph_in_view() == 2)
        app.reader.open_request(None)  # a cancelled screen changes nothing
        await pilot.pause()
        assert app.reader.current_id == list(app.reader.library.ids())[0]
        await press(pilot, "backspace")
        assert app.reader.current_id == target  # the back stack remembers where we came from


@sync
async def test_a_very_long_article_is_set_off_the_ui_thread(tmp_path, monkeypatch):
    import threading

    from tuireader.ui.widgets import article_view

    body = ("长文测试，一段很长的正文。" * 40 + "\n\n") * 800  # ~400,000 characters
    (tmp_path / "01.txt").write_text("# 很长的文章\n\n" + body, encoding="utf-8")
    threads = []
    layout = article_view.layout_article

    def spy(article, column, hyperlinks=True):
        threads.append(threading.current_thread() is threading.main_thread())
        return layout(article, column, hyperlinks)

    monkeypatch.setattr(article_view, "layout_article", spy)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.reader.current_id is not None, timeout=60)
        view = app.reader.article_view
        await until(pilot, lambda: not view._layout_pending and len(view.lines) > 1, timeout=120)
        assert threads and not any(threads)  # set in a worker, never on the UI thread
        lines = view.rendered_lines()
        assert "很长的文章" in lines[1]
        assert len(lines) > 5000
        await press(pilot, "G")
        assert view.scroll_y == view.max_scroll_y > 5000
        assert "。" in screen_text(app)
