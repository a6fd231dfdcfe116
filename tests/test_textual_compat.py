"""The work-arounds in tuireader/ui/textual_compat.py, pinned: each test fails if
Textual changes what it works around (then the work-around can go, or must change)."""

from __future__ import annotations

import gc

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from tests.conftest import sync
from tuireader.ui.textual_compat import ApologeticApp, Apology, OneNoticeApp, ReaderFooter


class FooterHost(App[None]):
    BINDINGS = [Binding("a", "bell", "Ring"), Binding("b", "bell", "Ring again")]

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer_class = footer

    def compose(self) -> ComposeResult:
        yield Static("x")
        yield self.footer_class()


async def _footer_keys_after_many_refreshes(footer: type[Footer]) -> int:
    """How many FooterKey widgets are alive after the footer was rebuilt 60 times."""
    app = FooterHost(footer)
    async with app.run_test(size=(60, 10)) as pilot:
        for _ in range(60):
            app.screen.refresh_bindings()  # the footer rebuilds itself, as on each article opened
            await pilot.pause()
        gc.collect()
        alive = sum(type(o).__name__ == "FooterKey" for o in gc.get_objects())
    return alive


@sync
async def test_textual_footer_keeps_the_keys_it_removed_and_ours_does_not():
    # Two keys shown: Textual's footer holds on to about one more per rebuild; ours to those shown.
    assert await _footer_keys_after_many_refreshes(Footer) >= 40
    assert await _footer_keys_after_many_refreshes(ReaderFooter) <= 10


class Crashing(ApologeticApp):
    BINDINGS = [Binding("x", "crash", "Crash")]

    def __init__(self) -> None:
        super().__init__()
        self.apologised: list[BaseException] = []

    def compose(self) -> ComposeResult:
        yield Static("x")

    def action_crash(self) -> None:
        raise RuntimeError("deliberate")

    def apologise(self, error: BaseException) -> str:
        self.apologised.append(error)
        return "sorry"


@sync
async def test_a_crash_is_apologised_for_and_ends_the_app_with_status_1():
    app = Crashing()
    with pytest.raises(Apology) as raised:  # Pilot re-raises what the app was given
        async with app.run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()
    assert str(raised.value) == "sorry" and isinstance(raised.value.error, RuntimeError)
    assert [type(e) for e in app.apologised] == [RuntimeError]
    assert app.return_code == 1 and not app.is_running


class Noticed(OneNoticeApp):
    def compose(self) -> ComposeResult:
        yield Static("x")


@sync
async def test_textual_stacks_notices_and_one_notice_app_keeps_one_at_a_time():
    """Textual shows every notice at once; ours the newest, never a repeat, a warning kept."""
    plain = App[None]()
    async with plain.run_test(size=(60, 10)) as pilot:
        plain.notify("one")
        plain.notify("two")
        await pilot.pause()
        assert [n.message for n in plain._notifications] == ["one", "two"]  # what is worked around
    app = Noticed()
    async with app.run_test(size=(60, 10)) as pilot:
        app.notify("one")
        app.notify("two")
        app.notify("two")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["two"]
        app.notify("careful", severity="warning")
        app.notify("news")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["careful", "news"]
