"""The places where Textual 8.2 lacks what the reader needs, worked around here only.

Everything else in ``tuireader/ui`` uses Textual's public API. Each work-around
says what it works around; ``tests/test_textual_compat.py`` pins each, so a Textual
upgrade that changes them fails there first.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.notifications import Notify
from textual.widgets import Footer

from tuireader.i18n import _


class ReaderFooter(Footer):
    """Textual's Footer without its leak.

    Each recompose (every binding refresh, e.g. on each article opened) binds the new
    keys to ``compact`` with ``data_bind``; the watchers of the keys it removed are
    only dropped when ``compact`` changes, which it never does here: ~5 dead
    FooterKeys per article, 70 MB after browsing 1,000 articles. ``mutate_reactive``
    runs the watchers as a change would, which drops those of removed keys.

    Its key descriptions are in the interface's language: bindings are class
    attributes, made before the language is known, so they hold the English msgid
    (``N_``) and the footer translates each when it shows it.
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            description = getattr(widget, "description", None)  # a FooterKey's
            if isinstance(description, str) and description:
                widget.description = _(description)  # type: ignore[attr-defined]
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)


class Apology(Exception):
    """An unhandled error, shown to the reader as one line (``text``) instead of a traceback.

    Textual renders any exception that has ``__rich__`` through the public ``panic``.
    """

    def __init__(self, text: str, error: BaseException) -> None:
        super().__init__(text)
        self.text = text
        self.error = error
        self.__cause__ = error

    def __rich__(self) -> Text:
        return Text(self.text)


class ApologeticApp(App[int]):
    """An App whose crash leaves a sentence on the screen, not a traceback.

    Textual has no public hook for an unhandled exception: ``App._handle_exception``
    (the one private name used, here only) is where it is caught. We hand Textual an
    ``Apology`` for it, so Textual's own path sets the exit status and exits.
    Subclasses say what the sentence is with ``apologise``.
    """

    def apologise(self, error: BaseException) -> str | None:
        """One line for the reader about ``error`` (None: Textual's own traceback)."""
        return None

    def _handle_exception(self, error: Exception) -> None:
        text = None if isinstance(error, Apology) else self.apologise(error)
        super()._handle_exception(error if text is None else Apology(text, error))


class OneNoticeApp(ApologeticApp):
    """Notices as mutt's and less's message line: one at a time, the newest replacing the
    one on screen, and a notice saying what is already on screen not shown again; a
    warning or an error outlives the lesser news that follows it.

    Textual stacks every notification and has no public way to take one down:
    ``App._notifications`` (a mapping of what is shown) is read and trimmed here only,
    when Textual's own ``Notify`` handler is about to add the new one.
    """

    _RANK = {"information": 0, "warning": 1, "error": 2}

    def _on_notify(self, event: Notify) -> None:
        new = event.notification
        if any(shown.message == new.message for shown in self._notifications):
            event.prevent_default()  # Textual's own handler would add it again
            return
        for shown in list(self._notifications):
            if self._RANK[shown.severity] <= self._RANK[new.severity]:
                del self._notifications[shown]
