"""Saving the reading state while the reader reads, and when they leave.

The reading screen holds one ``StateSaver``. Every ``SAVE_INTERVAL`` seconds it
notes the paragraph in view and, if anything changed, writes the state file in
a worker thread: with 100,000 articles read the file takes a noticeable moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.css.query import NoMatches
from textual.widget import Widget

from tuireader.i18n import _
from tuireader.store.state import StateStore
from tuireader.text.sanitize import clean

#: Seconds between checks that save the reading state when it changed.
SAVE_INTERVAL = 2.0

#: The open article and the paragraph in view, or None when no article is open.
Position = Callable[[], "tuple[str, int] | None"]


class StateSaver:
    def __init__(self, host: Widget, store: StateStore, position: Position) -> None:
        self.host = host
        self.store = store
        self.position = position

    def start(self) -> None:
        self.host.set_interval(SAVE_INTERVAL, self.remember_position)

    def remember_position(self) -> None:
        """What the timer does: the paragraph in view noted, the state saved if it changed."""
        try:
            where = self.position()
        except NoMatches:  # the timer fired while the app was closing
            return
        if where is not None:
            self.store.set_position(*where)
        self.save()

    def save(self) -> None:
        """Save the reading state if it changed, in a worker thread."""
        snapshot = self.store.snapshot()
        if snapshot is not None:
            self.host.run_worker(partial(self._write, snapshot), thread=True, group="state", name="save state")

    def _write(self, snapshot: Any) -> None:
        try:
            self.store.write(snapshot)
        except OSError as exc:
            self.store.dirty = True  # try again at the next save
            with contextlib.suppress(RuntimeError):
                self.host.app.call_from_thread(
                    self.host.notify, clean(_("Could not save the reading state: {error}").format(
                        error=exc)), severity="error", markup=False
                )

    def final_save(self) -> None:
        """The place in the open article, and the reading state, saved now (leaving)."""
        with contextlib.suppress(Exception):
            where = self.position()
            if where is not None:
                self.store.set_position(*where)
        with contextlib.suppress(OSError):
            self.store.save()
