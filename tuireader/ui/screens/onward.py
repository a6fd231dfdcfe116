"""Reading onward (``r``): the open article's keywords, each a search, and 相关报道, other
articles of the library that share them, each opened by Enter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList

from tuireader.i18n import _
from tuireader.text.sanitize import clean_line
from tuireader.ui.screens.listing import ListScreen

if TYPE_CHECKING:
    from tuireader.search.engine import Result


def related_label(result: Result) -> Text:
    source = " ".join(x for x in (result.paper, result.date) if x)
    label = Text(f"  {clean_line(result.headline)}")
    if source:
        label.append(f"  {clean_line(source)}", style="dim")
    return label


class OnwardScreen(ListScreen):
    """Dismisses with ("search", keyword), ("open", article id) or None."""

    def __init__(self, headline: str, keywords: list[str], related: list[Result]) -> None:
        items: list[tuple[Text, object]] = [(Text(_("Keywords"), style="bold"), None)]
        items += [(Text(f"  {clean_line(word)}"), ("search", word)) for word in keywords]
        if not keywords:
            items.append((Text(_("  (none)"), style="dim"), None))
        items.append((Text(_("Related articles"), style="bold"), None))
        items += [(related_label(r), ("open", r.article_id)) for r in related]
        if not related:
            items.append((Text(_("  (none)"), style="dim"), None))
        super().__init__(clean_line(headline), items, _("Enter: search the keyword or open the article · Esc: close"))

    def on_mount(self) -> None:
        # Textual runs ListScreen's on_mount too (it puts the cursor on row 0): move it after
        self.call_after_refresh(self._only_choices)

    def _only_choices(self) -> None:
        option_list = self.query_one(OptionList)
        for i, (_label, value) in enumerate(self.items):
            if value is None:  # headings and "(none)": not choices
                option_list.disable_option(str(i))
        choices = [i for i, (_label, value) in enumerate(self.items) if value is not None]
        option_list.highlighted = choices[0] if choices else None
