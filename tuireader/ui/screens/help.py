"""Every key the reader has, with its binding id (for ``keymap:`` in config.yaml)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from tuireader.i18n import N_, _

#: The places of the help's "Where" column, as the reader reads them.
PLACES = {"app": N_("anywhere"), "article": N_("article"), "contents": N_("contents"), "bookmarks": N_("bookmarks")}


class KeyTable(DataTable[Text]):
    """The key table, moved through with the reader's keys (as less and the article view):
    j/k a row, space/b a page, g/G the first and last row. Home and End go up and down
    too: a table scrolled sideways hides the key column it is read by."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("space", "page_down", "Page down", show=False),
        Binding("b", "page_up", "Page up", show=False),
        Binding("g,home", "scroll_top", "Top", show=False),
        Binding("G,end", "scroll_bottom", "Bottom", show=False),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", N_("Close"), id="close")]

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        """``rows``: (where, keys, description, binding id)."""
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(_("Keys")), id="title")
            yield KeyTable(cursor_type="row", zebra_stripes=True)
            yield Label(
                Text(_("Remap: keymap: {id: keys} in config.yaml · Esc: close")), id="hint"
            )

    def on_mount(self) -> None:
        table = self.query_one(KeyTable)
        table.add_columns(_("Keys"), _("Action"), _("Id"), _("Where"))
        for where, keys, description, binding_id in self.rows:
            place = _(PLACES.get(where, where))
            table.add_row(Text(keys, style="bold"), Text(description), Text(binding_id), Text(place))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
