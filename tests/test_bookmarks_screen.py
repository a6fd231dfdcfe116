"""Bookmarks in the reader, through Pilot: m, the bookmarks screen, read-only mode."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import sync
from tests.test_bookmarks_store import BROKEN
from tests.test_bookmarks_support import (
    LANTERN,
    LANTERN_PARAGRAPHS,
    SPRING,
    STREET,
    ids_by_headline,
    make_library,
    open_library,
)
from tuireader.store.bookmarks import BookmarkStore
from tuireader.store.config import Config
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.bookmarks import BookmarksScreen, TextPrompt
from tuireader.ui.widgets.nav import BOOKMARK_MARK


def screen_text(app: ReaderApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def ready(app: ReaderApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await press(pilot, *text)


def make_app(tmp_path: Path, bookmarks: Path, **kwargs) -> tuple[ReaderApp, dict[str, str]]:
    root = make_library(tmp_path / "lib")
    ids = ids_by_headline(open_library(root))
    app = ReaderApp([root], bookmarks_path=bookmarks, state_path=tmp_path / "state.yaml", **kwargs)
    return app, ids


def on_disk(path: Path) -> dict[str, dict]:
    return {b["article_id"]: b for b in yaml.safe_load(path.read_text(encoding="utf-8"))["bookmarks"]}


def nav_label(app: ReaderApp, headline: str) -> str:
    """The contents' row for an article (its section is open: the article was opened)."""
    nav = app.reader.nav
    if hasattr(nav, "row_text"):  # the virtual list
        rows = [nav.row_text(n) for n in range(nav.row_count)]
    else:  # a Tree
        rows = [str(node.label) for node in nav._tree_nodes.values()]
    found = [row for row in rows if headline[:6] in row]
    assert found, f"{headline} not in the contents: {rows}"
    return found[0]


@sync
async def test_bookmark_filter_open_at_paragraph_note_tags_delete_undo(tmp_path):
    file = tmp_path / "bookmarks.yaml"
    app, ids = make_app(tmp_path, file)
    lantern_21 = None
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)

        # m on the long article, read down to its 21st paragraph.
        app.reader.open_article(ids[LANTERN])
        await pilot.pause()
        article = app.reader.current_article
        lantern_21 = next(i for i, b in enumerate(article.blocks) if b.text == LANTERN_PARAGRAPHS[20])
        app.reader.article_view.scroll_to_paragraph(lantern_21)
        await pilot.pause()
        await press(pilot, "m")
        saved = on_disk(file)[ids[LANTERN]]
        assert saved["paragraph"] == lantern_21 and LANTERN_PARAGRAPHS[20].startswith(saved["anchor"])
        assert saved["headline"] == LANTERN and saved["page"] == 3 and saved["section"] == "文化"
        assert BOOKMARK_MARK in nav_label(app, LANTERN)

        # Two more; m twice toggles the last one off again.
        for headline in (SPRING, STREET):
            app.reader.open_article(ids[headline])
            await pilot.pause()
            await press(pilot, "m")
        await press(pilot, "m")
        assert set(on_disk(file)) == {ids[LANTERN], ids[SPRING]}
        assert BOOKMARK_MARK in nav_label(app, SPRING)
        assert BOOKMARK_MARK not in nav_label(app, STREET)

        # The screen: newest first, with paper, date, page and saved time.
        app.reader.open_article(ids[STREET])
        await pilot.pause()
        await press(pilot, "apostrophe")
        assert isinstance(app.screen, BookmarksScreen)
        screen = app.screen
        assert [b.article_id for b in screen.shown] == [ids[SPRING], ids[LANTERN]]
        text = screen_text(app)
        assert SPRING in text and LANTERN in text and "晨光日报 · 2026-03-05 · 第3版 · 文化 · saved" in text

        # / filters (Esc in the filter clears it, the screen stays); Enter opens at the saved paragraph.
        await press(pilot, "slash")
        await type_text(pilot, "春耕")
        assert [b.article_id for b in screen.shown] == [ids[SPRING]]
        await press(pilot, "escape")
        assert app.screen is screen and len(screen.shown) == 2
        await press(pilot, "slash")
        await type_text(pilot, "灯会")
        assert [b.article_id for b in screen.shown] == [ids[LANTERN]]
        await press(pilot, "enter", "enter")
        assert not isinstance(app.screen, BookmarksScreen)
        assert app.reader.current_id == ids[LANTERN]
        assert app.reader.article_view.paragraph_in_view() == lantern_21
        assert LANTERN_PARAGRAPHS[20][:12] in screen_text(app)

        # e: a note; t: tags (on the highlighted bookmark, the newest: spring).
        await press(pilot, "apostrophe")
        screen = app.screen
        assert screen.highlighted.article_id == ids[SPRING]
        await press(pilot, "e")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "周末细读")
        await press(pilot, "enter")
        assert on_disk(file)[ids[SPRING]]["note"] == "周末细读"
        await press(pilot, "t")
        await type_text(pilot, "春耕, 待读")
        await press(pilot, "enter")
        assert on_disk(file)[ids[SPRING]]["tags"] == ["春耕", "待读"]
        text = screen_text(app)
        assert "周末细读" in text and "#春耕 #待读" in text

        # d deletes, u brings it back with its note and tags.
        await press(pilot, "d")
        assert set(on_disk(file)) == {ids[LANTERN]}
        assert [b.article_id for b in screen.shown] == [ids[LANTERN]]
        await press(pilot, "u")
        restored = on_disk(file)[ids[SPRING]]
        assert restored["note"] == "周末细读" and restored["tags"] == ["春耕", "待读"]
        assert [b.article_id for b in screen.shown] == [ids[SPRING], ids[LANTERN]]

        await press(pilot, "escape")
        assert not isinstance(app.screen, BookmarksScreen)
        assert BOOKMARK_MARK in nav_label(app, SPRING)


@sync
async def test_a_missing_article_is_listed_and_marked_and_not_dropped(tmp_path):
    file = tmp_path / "bookmarks.yaml"
    file.write_text(
        "version: 1\nbookmarks:\n- article_id: gone2345\n  headline: 已经不在的文章\n  paper: 晨光日报\n"
        "  date: '2026-03-04'\n  page: 1\n  saved: '2026-03-04T08:00:00+08:00'\n  note: 留着\n",
        encoding="utf-8",
    )
    app, _ids = make_app(tmp_path, file)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await press(pilot, "apostrophe")
        text = screen_text(app)
        assert "not in this library" in text and "已经不在的文章" in text and "留着" in text
        await press(pilot, "enter")
        assert isinstance(app.screen, BookmarksScreen)  # nothing to open; the bookmark stays
    assert BookmarkStore(file).is_bookmarked("gone2345")


@sync
async def test_text_from_the_file_is_shown_as_data_never_markup_or_terminal_control(tmp_path):
    file = tmp_path / "bookmarks.yaml"
    file.write_text(
        'version: 1\nbookmarks:\n- article_id: evil2345\n  headline: "[@click=app.quit]标题\\e]0;pwned\\a\\u202e尾"\n'
        '  note: "[bold red]红字[/] \\e[2J"\n  tags: ["[link=http://x]链接"]\n',
        encoding="utf-8",
    )
    app, _ids = make_app(tmp_path, file)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await press(pilot, "apostrophe")
        text = screen_text(app)
        assert "[@click=app.quit]标题" in text and "[bold red]红字[/]" in text and "#[link=http://x]链接" in text
        assert not any(ch in text for ch in "\x1b\x07\u202e")
        await press(pilot, "enter")  # clicking through markup must not quit the app
        assert app.is_running


@sync
async def test_a_broken_file_makes_bookmarks_read_only_and_is_never_touched(tmp_path):
    for name in ("bad_yaml", "tags_not_a_list", "binary"):
        raw, line = BROKEN[name]
        file = tmp_path / name / "bookmarks.yaml"
        file.parent.mkdir()
        file.write_bytes(raw)
        app, ids = make_app(tmp_path / name, file)
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(app, pilot)
            shown = [n.message for n in app._notifications]
            assert any(str(file) in n and f"line {line}" in n for n in shown), shown
            app.reader.open_article(ids[SPRING])
            await pilot.pause()
            await press(pilot, "m", "apostrophe")
            app.clear_notifications()
            await pilot.pause()
            # Wrapped over lines: compare without the white space.
            expected = f"Read-only until the file is fixed: {file}: line {line}:"
            assert "".join(expected.split()) in "".join(screen_text(app).split())
            await press(pilot, "e", "t", "d", "u", "escape")
        assert file.read_bytes() == raw, name


@sync
async def test_the_keys_can_be_rebound(tmp_path):
    file = tmp_path / "bookmarks.yaml"
    config = Config(keymap={"toggle_bookmark": "b", "bookmarks": "B", "bookmarks_delete": "x"})
    app, ids = make_app(tmp_path, file, config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.reader.open_article(ids[SPRING])
        await pilot.pause()
        await press(pilot, "b")
        assert set(on_disk(file)) == {ids[SPRING]}
        await press(pilot, "B")
        assert isinstance(app.screen, BookmarksScreen)
        await press(pilot, "x")
        assert on_disk(file) == {}
        # The palette offers the bookmarks screen too.
        assert "Bookmarks" in [command.title for command in app.get_system_commands(app.screen)]


def test_the_filter_needs_every_word_and_finds_tags_by_hash():
    from tuireader.store.bookmarks import Bookmark
    from tuireader.ui.screens.bookmarks import matches

    b = Bookmark("k3vq8zta", headline=SPRING, paper="晨光日报", date="2026-03-05", note="周末细读", tags=["待读"])
    assert matches(b, "春雨 周末") and matches(b, "#待读") and matches(b, "2026-03") and matches(b, "")
    assert not matches(b, "春雨 灯会") and not matches(b, "#周末")
