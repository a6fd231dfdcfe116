"""When an opened article counts as read: after a moment on screen, or once scrolled.

A burst of ``]`` passes over articles nobody read; marking each as it flashes by
would empty the unread counts (newsboat and mutt mark on opening, but they open
on ``Enter``, not on stepping past). So the reading screen's ``ReadMarker`` starts
a timer when an article is opened and marks it when the timer fires with the
article still on screen, or at once when the reader scrolls it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget


class ReadMarker:
    def __init__(self, host: Widget, delay: Callable[[], float], mark: Callable[[str], None]) -> None:
        self.host = host
        #: Seconds on screen that make an article read (asked each time: tests shorten it).
        self.delay = delay
        self.mark = mark
        self.pending: str | None = None
        self._timer: Timer | None = None

    def opened(self, article_id: str) -> None:
        """A new article is on screen: it is read if it stays there."""
        self.cancel()
        self.pending = article_id
        self._timer = self.host.set_timer(self.delay(), self.now, name="read after a while")

    def now(self) -> None:
        """The open article is read (it stayed on screen, or the reader scrolled it)."""
        article_id = self.pending
        self.cancel()
        if article_id is not None:
            self.mark(article_id)

    def cancel(self) -> None:
        """Nothing pending: another article replaces it, or the reader marked it themselves."""
        self.pending = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
