"""The bookmarks screen (``'``), and the prompt it edits notes and tags in.

The store (``tuireader.store.bookmarks``) does the work; this module shows it.
What the reading screen does with bookmarks (``m``) is ``tuireader/ui/bookmarking.py``.
Every text that came from an article, or from the bookmarks file (which a
person or another machine may have written), goes through ``clean`` and into
``rich.text.Text`` objects, never into markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tuireader.i18n import N_, _, ngettext
from tuireader.store.bookmarks import (
    Bookmark,
    BookmarkFileError,
    BookmarkStore,
    UnknownBookmark,
    resolve_paragraph,
    split_tags,
)
from tuireader.text.linebreak import break_lines, cell_width
from tuireader.text.sanitize import clean
from tuireader.ui.bookmarking import error_notice
from tuireader.ui.messages import OpenRequest
from tuireader.ui.textual_compat import ReaderFooter
from tuireader.ui.widgets.nav import BOOKMARK_MARK

MISSING_MARK = "✗"


def _notify_error(app: Any, exc: Exception) -> None:
    app.notify(clean(error_notice(exc)), severity="error", markup=False, timeout=10)


# ------------------------------------------------------------------ screens


def bookmark_label(bookmark: Bookmark, missing: bool, width: int = 0) -> Text:
    """Headline; paper, date, page, saved; note; tags: as plain text, never markup.
    A headline longer than ``width`` cells goes on under itself, not under its mark."""
    label = Text()
    mark = f"{MISSING_MARK} " + _("not in this library") + "  " if missing else f"{BOOKMARK_MARK} "
    label.append(mark, style="bold red" if missing else "bold")
    title = clean(bookmark.title or bookmark.article_id)  # the id is stored text too
    indent = cell_width(mark)
    if width > indent + 8:
        title = ("\n" + " " * indent).join(break_lines(title, width - indent)) or title
    label.append(title, style="bold")
    where = [bookmark.paper, bookmark.date, f"第{bookmark.page}版" if bookmark.page is not None else None]
    where.append(bookmark.section)
    saved = bookmark.saved_at
    where.append(_("saved {when}").format(when=saved.strftime('%Y-%m-%d %H:%M')) if saved else None)
    label.append("\n  " + clean(" · ".join(p for p in where if p)), style="dim")
    if bookmark.note:
        label.append("\n  ✎ " + clean(bookmark.note))
    if bookmark.tags:
        label.append("\n  " + clean(" ".join(f"#{t}" for t in bookmark.tags)), style="italic")
    return label


def matches(bookmark: Bookmark, query: str) -> bool:
    """Every word of the filter appears in the bookmark's headline, kicker, note, tags or place."""
    haystack = " ".join(
        str(p)
        for p in (
            bookmark.headline,
            bookmark.kicker,
            bookmark.note,
            " ".join(f"#{tag}" for tag in bookmark.tags),  # so "#待读" finds the tag
            bookmark.paper,
            bookmark.date,
            bookmark.section,
            bookmark.article_id,
        )
        if p
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class TextPrompt(ModalScreen[str | None]):
    """One line of text: Enter saves, Esc cancels."""

    CSS_PATH = "bookmarks.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="prompt_cancel")]

    def __init__(self, title: str, value: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(Text(self.title_text), id="prompt-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(Text(_("Enter: save · Esc: cancel")), id="prompt-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BookmarksScreen(Screen[OpenRequest | None]):
    """Bookmarks newest first. Enter opens at the saved paragraph; e note; t tags;
    d delete, u undo (while the screen is open); / filter; Esc closes.

    Dismissed with the article to open (or None); the reading screen redraws its
    bookmark marks then."""

    CSS_PATH = "bookmarks.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="bookmarks_close"),
        Binding("slash", "filter", N_("Filter"), id="bookmarks_filter"),
        Binding("e", "edit_note", N_("Note"), id="bookmarks_note"),
        Binding("t", "edit_tags", N_("Tags"), id="bookmarks_tags"),
        Binding("d", "delete", N_("Delete"), id="bookmarks_delete"),
        Binding("u", "undo", N_("Undo"), id="bookmarks_undo"),
        Binding("j", "cursor_down", N_("Down"), id="bookmarks_down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="bookmarks_up", show=False),
    ]

    def __init__(self, store: BookmarkStore, library: Any = None) -> None:
        super().__init__()
        self.store = store
        self.library = library
        self.shown: list[Bookmark] = []
        self.query_text = ""
        #: Deletions made while the screen is open, newest last (for ``u``).
        self.undo_stack: list[list[tuple[int, Bookmark]]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="bookmarks-title")
        yield Static(id="bookmarks-problem")
        yield Input(placeholder=_("Filter: words in headline, note, tags, paper, date…"), id="bookmarks-filter")
        yield OptionList(id="bookmarks-list")
        yield ReaderFooter()

    def on_mount(self) -> None:
        self.query_one("#bookmarks-filter", Input).display = False
        self.store.refresh()
        if self.library is not None:
            self.store.reconcile(self.library)
        self.reload()
        self.query_one(OptionList).focus()

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#bookmarks-list", OptionList)

    @property
    def highlighted(self) -> Bookmark | None:
        index = self.option_list.highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    def on_resize(self) -> None:
        self.reload()  # headlines broken again to the new width

    def reload(self, keep: str | None = None) -> None:
        """Rebuild the list from the store, keeping the cursor on ``keep`` (an article id)."""
        keep = keep or (self.highlighted.article_id if self.highlighted else None)
        everything = self.store.newest_first()
        self.shown = [b for b in everything if matches(b, self.query_text)]
        options = self.option_list
        width = (options.scrollable_content_region.width or self.app.size.width - 4) - 1
        options.clear_options()
        options.add_options(
            [Option(bookmark_label(b, b.article_id in self.store.missing, width)) for b in self.shown]
        )
        if self.shown:
            ids = [b.article_id for b in self.shown]
            options.highlighted = ids.index(keep) if keep in ids else 0
        title = Text(_("Bookmarks: {n}").format(n=len(everything)), style="bold")
        missing = sum(1 for b in everything if b.article_id in self.store.missing)
        if missing:
            title.append(" · " + _("{n} not in this library").format(n=missing), style="bold red")
        if self.query_text:
            found = ngettext("{n} match “{query}”", "{n} matches “{query}”", len(self.shown))
            title.append(" · " + found.format(n=len(self.shown), query=clean(self.query_text)))
        restricted = bool(getattr(self.app, "restricted", False))  # not the server's paths to an SSH reader
        if not restricted:
            title.append(f" · {clean(str(self.store.path))}", style="dim")
        self.query_one("#bookmarks-title", Static).update(title)
        problem = self.query_one("#bookmarks-problem", Static)
        problem.display = self.store.error is not None
        if self.store.error is not None:
            error = str(self.store.error)
            if restricted:
                error = error.replace(str(self.store.path), _("your bookmarks file"), 1)
            problem.update(Text(clean(_("Read-only until the file is fixed: {error}").format(error=error))))
        if not everything and self.store.error is None:
            empty = _("No bookmarks yet: press m on an article to bookmark it.")
            options.add_option(Option(Text(empty), disabled=True))

    # -- choosing

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        bookmark = self.highlighted
        if bookmark is None:
            return
        if bookmark.article_id in self.store.missing or self.library is None:
            self.notify(_("That article is not in this library (the bookmark is kept)."), severity="warning", timeout=4)
            return
        paragraph = bookmark.paragraph
        try:
            paragraph = resolve_paragraph(bookmark, self.library.article(bookmark.article_id))
        except Exception:  # the article view copes with a stale index; the app reports a vanished file
            pass
        self.dismiss(OpenRequest(bookmark.article_id, terms=[], paragraph=paragraph))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.option_list.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.option_list.action_cursor_up()

    # -- filter

    def action_filter(self) -> None:
        field = self.query_one("#bookmarks-filter", Input)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "bookmarks-filter":
            self.query_text = event.value
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "bookmarks-filter":
            event.stop()
            self.option_list.focus()

    def on_key(self, event: Any) -> None:
        # Esc in the filter clears it and goes back to the list, rather than closing.
        field = self.query_one("#bookmarks-filter", Input)
        if event.key == "escape" and field.has_focus:
            event.stop()
            event.prevent_default()
            field.value = ""
            field.display = False
            self.option_list.focus()

    # -- changing

    def _writable(self) -> bool:
        if self.store.error is not None:
            _notify_error(self.app, self.store.error)
            return False
        return True

    def action_edit_note(self) -> None:
        bookmark = self.highlighted
        if bookmark is None or not self._writable():
            return

        def save(note: str | None) -> None:
            if note is None:
                return
            try:
                self.store.edit(bookmark.article_id, note=note.strip())
            except (BookmarkFileError, OSError) as exc:
                _notify_error(self.app, exc)
            except UnknownBookmark:
                self.notify(_("That bookmark was removed meanwhile."), severity="warning")
            self.reload(bookmark.article_id)

        title = clean(_("Note for {title}").format(title=bookmark.title))
        self.app.push_screen(TextPrompt(title, bookmark.note.replace("\n", " "), _("a note for later")), save)

    def action_edit_tags(self) -> None:
        bookmark = self.highlighted
        if bookmark is None or not self._writable():
            return

        def save(text: str | None) -> None:
            if text is None:
                return
            try:
                self.store.edit(bookmark.article_id, tags=split_tags(text))
            except (BookmarkFileError, OSError) as exc:
                _notify_error(self.app, exc)
            except UnknownBookmark:
                self.notify(_("That bookmark was removed meanwhile."), severity="warning")
            self.reload(bookmark.article_id)

        title = clean(_("Tags for {title} (separate with spaces or commas)").format(title=bookmark.title))
        self.app.push_screen(TextPrompt(title, ", ".join(bookmark.tags), "待读, 法治"), save)

    def action_delete(self) -> None:
        bookmark = self.highlighted
        if bookmark is None or not self._writable():
            return
        index = self.option_list.highlighted or 0
        try:
            removed = self.store.remove(bookmark.article_id)
        except (BookmarkFileError, OSError) as exc:
            _notify_error(self.app, exc)
            return
        except UnknownBookmark:
            removed = []
        if removed:
            self.undo_stack.append(removed)
            self.notify(clean(_("Deleted: {title} · u to undo").format(title=bookmark.title)), markup=False, timeout=4)
        following = self.shown[index + 1].article_id if index + 1 < len(self.shown) else None
        self.reload(following)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify(_("Nothing to undo."), timeout=2)
            return
        if not self._writable():
            return
        removed = self.undo_stack.pop()
        try:
            self.store.restore(removed)
        except (BookmarkFileError, OSError) as exc:
            self.undo_stack.append(removed)
            _notify_error(self.app, exc)
            return
        article_id = removed[0][1].article_id
        self.notify(clean(_("Restored: {title}").format(title=removed[0][1].title)), markup=False, timeout=3)
        self.reload(article_id)
