"""Reading state across two runs of the app: last article and position, read marks, a broken file."""

from __future__ import annotations

from tests.test_app_reader import JUMP, make_app, press, ready, screen_text, sync, until
from tuireader.store.state import default_state_path


@sync
async def test_last_article_position_and_read_marks_restored_on_next_start():
    first = make_app(JUMP)
    async with first.run_test(size=(40, 14)) as pilot:
        await ready(first, pilot)
        order = list(first.reader.library.ids())
        await press(pilot, "space")  # read on into the lead article
        paragraph = first.reader.article_view.paragraph_in_view()
        assert paragraph > 0
        # Page 2 opens on the continuation, read on (scrolled: read); J leads back.
        await press(pilot, "right_curly_bracket", "j", "J")
        assert first.reader.current_id == order[0]
        await press(pilot, "space")
        paragraph = first.reader.article_view.paragraph_in_view()
        await first.run_action("quit")
    state = default_state_path().read_text(encoding="utf-8")
    assert order[0] in state and order[2] in state

    second = make_app(JUMP)
    async with second.run_test(size=(40, 14)) as pilot:
        await ready(second, pilot)
        assert second.reader.current_id == order[0]
        view = second.reader.article_view
        await until(pilot, lambda: view.onward is not None)  # the article laid out whole, reading onward under it
        assert view.paragraph_in_view() == paragraph
        assert view.scroll_y > 0
        assert second.store.is_read(order[2]) and not second.store.is_read(order[3])


@sync
async def test_position_saved_without_quitting_the_app():
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "right_square_bracket")
        app.reader.saver.remember_position()  # what the save timer does every couple of seconds
        await app.workers.wait_for_complete()
        saved = default_state_path().read_text(encoding="utf-8")
        assert list(app.reader.library.ids())[1] in saved.split("last:")[1].splitlines()[1]


@sync
async def test_unreadable_state_file_is_not_overwritten_and_a_notice_says_so():
    path = default_state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    broken = b"read: [never closed\nlast: {article: \n"
    path.write_bytes(broken)
    app = make_app(JUMP)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert any("Reading state not used" in str(n.message) for n in app._notifications)
        assert app.reader.current_id == list(app.reader.library.ids())[0]  # fresh state in memory
        await press(pilot, "right_square_bracket", "x", "exclamation_mark")
        await until(pilot, lambda: "reading state" in screen_text(app))
        await app.run_action("quit")
    assert path.read_bytes() == broken
