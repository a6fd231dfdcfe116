"""The files the library skipped while loading, with the reasons."""

from __future__ import annotations

import os

from rich.text import Text

from tuireader.i18n import _
from tuireader.model import Problem, reason_text
from tuireader.text.sanitize import clean
from tuireader.ui.screens.listing import ListScreen


class ProblemsScreen(ListScreen):
    def __init__(self, problems: list[Problem], extra: list[str] | None = None) -> None:
        items: list[tuple[Text, object]] = [(_label(problem), None) for problem in problems]
        for line in extra or []:
            items.append((Text(clean(line)), None))
        if not items:
            items.append((Text(_("No problems.")), None))
        super().__init__(_("Problems ({n})").format(n=len(problems) + len(extra or [])), items, _("Esc: close"))


def _label(problem: Problem) -> Text:
    """The file's name first, then its folder, then why it was skipped: a long folder wraps
    after the name (at the space between them), never through it."""
    folder, name = os.path.split(problem.path)
    label = Text(clean(name or problem.path), style="bold")
    if folder and name:
        label.append("  ")
        label.append(clean(folder), style="dim")
    label.append("\n  ")
    label.append(clean(reason_text(problem.reason)), style="italic")
    return label
