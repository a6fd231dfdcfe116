"""The reader: a keyboard-first Textual app that lays out an issue the way the paper does.

``run_app(library_paths, args)`` is what ``tuireader [PATH...]`` calls. The app
only starts the reader: it reads the config, the themes and the keymap, opens
the reading state, and shows the reading screen (``screens/reader.py``), which
owns everything the reader does. The library is opened in a worker thread after
the first paint; nothing slow (and never jieba) sits on the way to the first screen.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tuireader.i18n import N_, _, ngettext, set_language
from tuireader.store.bookmarks import BookmarkStore
from tuireader.store.config import Config, load_config
from tuireader.store.state import StateStore
from tuireader.text.sanitize import clean
from tuireader.ui.app_base import ReaderAppBase
from tuireader.ui.keys import APP_BINDINGS, KeyRow, binding_groups, key_rows, reading_commands
from tuireader.ui.screens.reader import ReaderScreen
from tuireader.ui.startup import animations_off, install_themes

if TYPE_CHECKING:
    from tuireader.library import Library

#: Textual's own words on our screens (the palette's system commands, the footer's
#: "palette"), English in Textual: translated where the app shows them.
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Theme"), N_("Change the current theme"),
    N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)


class ReaderApp(ReaderAppBase):
    """Starts the reader (config, themes, keymap, reading state; then ``self.reader``), and keeps
    what works on any screen: quit, help, the next theme, the palette, the restricted mode."""

    CSS_PATH = "app.tcss"
    TITLE = "tuireader"
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        library_paths: list[Path],
        *,
        config: Config | None = None,
        theme: str | None = None,
        restricted: bool = False,
        state_path: Path | None = None,
        library: Library | None = None,
        bookmarks_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.library_paths = [Path(p) for p in library_paths]
        self.config = config or Config()
        # The interface's language (config, else LC_ALL / LC_MESSAGES / LANG), before any screen exists.
        set_language(self.config.language)
        self.restricted = restricted
        self.store = StateStore(state_path).load()
        #: Notices raised before the screen exists, shown once it does.
        self._pending_notices: list[tuple[str, SeverityLevel]] = []
        self.extra_problems: list[str] = []
        themes = install_themes(self, theme, self.store.state.theme, self.config.theme)
        self._our_themes = themes.names
        self.extra_problems.extend(themes.problems)
        for warning in themes.warnings:
            self._notice_later(warning, severity="warning")
        #: The config's keymap as applied (binding id -> keys), for help and the palette.
        self.key_overrides: dict[str, str] = {}
        self._apply_keymap()
        if animations_off(self.config.animations):
            self.animation_level = "none"
        if self.store.problem:
            self._notice_later(_("Reading state not used (file left as it is): {problem}").format(
                problem=self.store.problem))
        #: The reading screen, which owns reading. The bookmarks (--bookmarks FILE, else the
        #: config's, else <data dir>/bookmarks.yaml) are read after the first paint.
        self.reader = ReaderScreen(
            self.library_paths,
            store=self.store,
            bookmarks=BookmarkStore.for_options(bookmarks_path, self.config.bookmarks),
            measure=self.config.measure,
            hyperlinks=self.config.hyperlinks,
            library=library,
            extra_problems=self.extra_problems,
            newest_first=self.config.newest_first,
        )

    # -- set-up ---------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return self.reader

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Solid colours fitted to the theme (Textual's own themes lack our variables).
        from tuireader.ui.themes import theme_variable_defaults

        return theme_variable_defaults(self.current_theme)

    def _apply_keymap(self) -> None:
        keymap = dict(self.config.keymap)
        known = {b.id for _where, bindings in binding_groups() for b in bindings if b.id}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self._notice_later(ngettext(
                "keymap: unknown binding id: {ids} (see '?')", "keymap: unknown binding ids: {ids} (see '?')",
                len(unknown)).format(
                ids=", ".join(unknown)), severity="warning")
        self.key_overrides = {k: v for k, v in keymap.items() if k in known}
        self.set_keymap(self.key_overrides)

    def _notice_later(self, message: str, severity: SeverityLevel = "information") -> None:
        self._pending_notices.append((message, severity))

    def on_mount(self) -> None:
        for message, severity in self._pending_notices:
            self.notify(clean(message), severity=severity, markup=False, timeout=8)
        self._pending_notices = []
        self.theme_changed_signal.subscribe(self, lambda theme: self.store.set_theme(theme.name))

    def action_next_theme(self) -> None:
        names = self._our_themes or sorted(self.available_themes)
        index = names.index(self.theme) + 1 if self.theme in names else 0
        self.theme = names[index % len(names)]
        self.notify(_("Theme: {name}").format(name=self.theme), timeout=2, markup=False)

    # -- keys: help rows, palette ------------------------------------------------

    def action_help(self) -> None:
        from tuireader.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.key_rows()))

    def key_rows(self) -> list[KeyRow]:
        """(where, keys as typed, description, id), with keymap overrides applied."""
        return key_rows(self.get_key_display, self.key_overrides)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if self.restricted and command.title == "Screenshot":
                continue  # writes a file: not for a restricted reader
            yield SystemCommand(_(command.title), _(command.help), command.callback, command.discover)
        yield from reading_commands(self.key_rows(), self.reader.article_action,
                                    lambda action: self.run_action(action, self.reader))

    # -- leaving ----------------------------------------------------------------------

    async def action_quit(self) -> None:
        from tuireader.ui.indexing import stop_all

        stop_all()  # an index being built would keep the reader waiting at exit
        self.final_save()
        self.exit(0)

    def final_save(self) -> None:
        """The reading state saved now, with the place in the open article."""
        self.reader.saver.final_save()

    def on_unmount(self) -> None:
        from tuireader.ui.indexing import stop_all

        stop_all()  # however the app ends (ctrl+c, a hang-up): no build keeps it waiting
        with contextlib.suppress(OSError):
            self.store.save()


def run_app(library_paths: list[Path], args: Any) -> int:
    """Open the reader on ``library_paths``; returns the exit status."""
    config = load_config(getattr(args, "config", None))  # ConfigError propagates to the CLI
    if config.index_dir is not None:  # search indexes shared between accounts
        from tuireader.search.index import set_index_root

        set_index_root(config.index_dir)
    app = ReaderApp(
        library_paths,
        config=config,
        theme=getattr(args, "theme", None),
        restricted=bool(getattr(args, "restricted", False)),
        bookmarks_path=getattr(args, "bookmarks", None),
    )
    mouse = config.mouse and not getattr(args, "no_mouse", False)
    previous = _install_hangup_handler(app)
    try:
        result = app.run(mouse=mouse)
    finally:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGHUP, previous)
    app.final_save()
    return int(result if result is not None else (app.return_code or 0))


def _install_hangup_handler(app: ReaderApp) -> Any:
    """A dropped connection (SIGHUP) saves the reading state and exits promptly."""

    def on_hangup(signum: int, frame: Any) -> None:
        app.final_save()
        # The terminal is gone: if the app cannot wind down by itself, leave anyway.
        threading.Timer(2.0, os._exit, (129,)).start()
        app.exit(129)

    try:
        return signal.signal(signal.SIGHUP, on_hangup)
    except ValueError:  # not the main thread (embedded use)
        return signal.SIG_DFL
