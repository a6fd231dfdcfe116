"""The files the library skipped while loading, with the reasons."""

from __future__ import annotations

from rich.text import Text

from tuireader.i18n import _
from tuireader.model import Problem, reason_text
from tuireader.text.sanitize import clean
from tuireader.ui.screens.listing import ListScreen


class ProblemsScreen(ListScreen):
    def __init__(self, problems: list[Problem], extra: list[str] | None = None) -> None:
        items: list[tuple[Text, object]] = []
        for problem in problems:
            label = Text(clean(problem.path), style="bold")
            label.append("\n  ")
            label.append(clean(reason_text(problem.reason)), style="italic")
            items.append((label, None))
        for line in extra or []:
            items.append((Text(clean(line)), None))
        if not items:
            items.append((Text(_("No problems.")), None))
        super().__init__(_("Problems ({n})").format(n=len(problems) + len(extra or [])), items, _("Esc: close"))
