"""What the reader's App does whatever screen is shown, beside starting the reader
(``ui/app.py``): Textual's palettes in the interface's language, and what a restricted
reader (a forced SSH command, see ``tuireader/restricted.py`` and docs/ssh.md) is refused.
"""

from __future__ import annotations

from typing import Any

from tuireader.i18n import _
from tuireader.ui.textual_compat import OneNoticeApp


class ReaderAppBase(OneNoticeApp):
    #: A forced SSH command's reader: no files written, no way out to a shell.
    restricted: bool = False

    # Textual's palettes, with their placeholders in the interface's language.

    def search_themes(self) -> None:
        """The theme picker, with theme names shown as text (Textual's reads them as markup)."""
        from textual.command import CommandPalette

        from tuireader.ui.themes import LiteralThemeProvider

        self.push_screen(CommandPalette(providers=[LiteralThemeProvider], placeholder=_("Search for themes…")))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int]
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    # -- restricted mode and crashes (see tuireader/restricted.py, docs/ssh.md) ----------

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        if not self.restricted:  # it writes a file on the server
            super().action_screenshot(filename, path)

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> Any:
        return None if self.restricted else super().deliver_screenshot(*args, **kwargs)

    def action_suspend_process(self) -> None:
        if not self.restricted:  # never leave the reader for whatever started it
            super().action_suspend_process()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        if self.restricted:
            # On a server, webbrowser may start a console browser (lynx, w3m) with shell escapes.
            self.notify(_("Links do not open here."), timeout=3)
            return
        super().open_url(url, new_tab=new_tab)

    def apologise(self, error: BaseException) -> str:
        """A crash: an apology on the screen, the traceback in the log folder."""
        from tuireader.restricted import apology, log_crash

        return apology(log_crash(error), restricted=self.restricted)
