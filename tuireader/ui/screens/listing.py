"""A modal list of choices, shared by the outline and problems screens."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tuireader.i18n import N_, _


class ListScreen(ModalScreen[object]):
    """Shows ``items`` (label, value); Enter dismisses with the value, Esc with None."""

    BINDINGS = [
        Binding("escape,q", "close", N_("Close"), id="close"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
    ]

    def __init__(self, title: str, items: list[tuple[Text, object]], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.items = items
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(self.title_text), id="title")
            yield OptionList(*[Option(label, id=str(i)) for i, (label, _value) in enumerate(self.items)])
            yield Label(Text(self.hint or _("Enter: choose · Esc: close")), id="hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = 0
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.items[int(event.option.id or 0)][1])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()
