"""The one-line prompt for a date that the contents jump to (``:``)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tuireader.i18n import N_, _


class DatePrompt(ModalScreen[str | None]):
    """One line asking for a date (``:`` in the reader)."""

    DEFAULT_CSS = """
    DatePrompt {
        align: center bottom;
        background: $background 40%;
    }
    DatePrompt > #date-box {
        width: 100%;
        height: 3;
        background: $surface;
        border-top: solid $primary;
        layout: horizontal;
    }
    DatePrompt Label {
        width: auto;
        padding: 0 1;
        height: 1;
        margin-top: 1;
    }
    DatePrompt Input {
        width: 1fr;
        border: none;
        height: 1;
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False)]

    def compose(self) -> ComposeResult:
        with Horizontal(id="date-box"):
            yield Label(Text(_("Jump to date:")))
            yield Input(placeholder=_("1966, 1966-05 or 1966-05-16"), id="date-input", compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
