"""Snapshots of the main screen on the sample: 80x24 (navigation folded) and 120x40
(navigation beside the article), in the light and the dark newsprint themes; the
interface in English, and in Chinese at 80x24. Each test sets the language in the
config, so the machine's LANG does not matter.

Regenerate after a deliberate change of the look, then look at the SVGs:
``pytest tests/test_snapshots.py --snapshot-update``. Nothing time- or
machine-dependent is on screen: the state folder is a fresh one per test (conftest),
and the library is the bundled ``seeds/``.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import SEEDS
from tuireader.store.config import Config
from tuireader.ui.app import ReaderApp

pytestmark = pytest.mark.timeout(120)


def reader(theme: str, language: str = "en") -> ReaderApp:
    return ReaderApp([SEEDS], theme=theme, config=Config(language=language))


async def onward_set(app: ReaderApp, deadline: float) -> None:
    """Reading onward is set under an article a moment after it is opened: wait for it."""
    view = app.reader.article_view
    while view.onward is None or view.onward.article_id != app.reader.current_id:
        assert time.monotonic() < deadline, "reading onward did not come within 30 s"
        await asyncio.sleep(0.02)


def after_open(*keys: str):
    """Wait until the library is loaded and the first article shown (reading onward set under
    it), then press ``keys``."""

    async def run_before(pilot) -> None:
        app: ReaderApp = pilot.app
        deadline = time.monotonic() + 30
        while app.reader.current_id is None:  # the library loads in a worker after the first paint
            assert time.monotonic() < deadline, "the sample did not open within 30 s"
            await asyncio.sleep(0.02)
        await onward_set(app, deadline)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            await onward_set(app, deadline)
        app.clear_notifications()  # toasts time out; keep the snapshot still
        app.reader.read_marker.now()  # the open article read, as after two seconds on it: not on a slow machine only

    return run_before


@pytest.mark.parametrize("theme", ["newsprint", "newsprint-dark"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_first_article(snap_compare, theme, size):
    """The sample's first article: kicker-less headline, subheadline, byline, indented paragraphs."""
    assert snap_compare(reader(theme), terminal_size=size, run_before=after_open())


@pytest.mark.parametrize("theme", ["newsprint", "newsprint-dark"])
def test_photo_item_with_caption_and_credit(snap_compare, theme):
    """The photo item "高粽": a framed caption with its credit set to the right."""
    assert snap_compare(reader(theme), terminal_size=(120, 40), run_before=after_open("]", "]"))


def test_end_of_article_with_unavailable_jump(snap_compare):
    """The end of the first article at 80x24: the 下转 marker says page 2 is not in the library."""
    assert snap_compare(reader("newsprint-dark"), terminal_size=(80, 24), run_before=after_open("G"))


@pytest.mark.parametrize("theme", ["newsprint", "newsprint-dark"])
def test_first_article_in_chinese(snap_compare, theme):
    """The Chinese interface at 80x24: masthead (本期未读) and footer keys in Chinese."""
    assert snap_compare(reader(theme, "zh"), terminal_size=(80, 24), run_before=after_open())


def test_end_of_article_with_unavailable_jump_in_chinese(snap_compare):
    """The 下转 marker's note in Chinese, with full-width brackets: （续篇不在本库中）."""
    assert snap_compare(reader("newsprint-dark", "zh"), terminal_size=(80, 24), run_before=after_open("G"))
