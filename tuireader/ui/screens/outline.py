"""The outline of a long article: its in-text subheads, to jump between."""

from __future__ import annotations

from rich.text import Text

from tuireader.i18n import _
from tuireader.ui.screens.listing import ListScreen


class OutlineScreen(ListScreen):
    """Dismisses with the block index of the chosen subhead (or None)."""

    def __init__(self, headline: str, subheads: list[tuple[int, str]]) -> None:
        items: list[tuple[Text, object]] = [(Text(headline, style="bold"), 0)]
        items += [(Text(f"  {text}"), block) for block, text in subheads]
        super().__init__(_("Outline"), items, _("Enter: go to · Esc: close"))
