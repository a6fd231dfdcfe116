"""What the app reads before the first screen, besides the config: themes and animations."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from textual.app import App

from tuireader.i18n import N_, _, ngettext

#: Theme used when neither --theme, the state nor the config names one that exists.
FALLBACK_THEME = "textual-dark"


@dataclass
class ThemeSetup:
    """What installing the themes found: the reader's own theme names, in order, the
    problems with theme files (listed by ``!``) and the warnings to show at start."""

    names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def install_themes(app: App[Any], requested: str | None, state: str | None, config: str | None) -> ThemeSetup:
    """Register the reader's themes with ``app`` and use the first that exists of
    ``requested`` (--theme), the ``state``'s, the ``config``'s, the default and the fallback."""
    from tuireader.ui.themes import DEFAULT_THEME, load_themes

    setup = ThemeSetup()
    try:
        themes, setup.problems = load_themes()
    except Exception as exc:  # a broken theme folder must not stop the reader
        themes, setup.problems = [], [_("themes: {error}").format(error=exc)]
    for theme in themes:
        app.register_theme(theme)
        setup.names.append(theme.name)
    if setup.problems:
        setup.warnings.append(ngettext(
            "{n} theme problem: {first}", "{n} theme problems: {first}", len(setup.problems)).format(
            n=len(setup.problems), first=setup.problems[0]))
    wanted = [("--theme", requested), ("state", state), (N_("config"), config),
              ("default", DEFAULT_THEME), ("fallback", FALLBACK_THEME)]
    for source, name in wanted:
        if not name:
            continue
        if name in app.available_themes:
            app.theme = name
            break
        if source in ("--theme", "config"):
            setup.warnings.append(_("Unknown theme {name} ({source}); using the default").format(
                name=repr(name), source=_(source)))
    return setup


def animations_off(configured: bool | None) -> bool:
    """No animated scrolling: the config says so, or (unless it says otherwise) over SSH,
    where smooth scrolling costs ~15x the bytes per page over the wire."""
    if configured is None:
        return bool(os.environ.get("SSH_CONNECTION"))
    return configured is False
