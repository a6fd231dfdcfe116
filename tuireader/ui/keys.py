"""Every key binding the reader has, where it applies, and its longer help.

The app holds the keys that work on any screen (quit, help, the next theme); the
reading screen holds those and the rest (``READER_BINDINGS``). ``binding_groups`` lists
them all for the help screen, the palette and the keymap check, under the name
of the place they work in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape as escape_markup

from tuireader.i18n import N_, _
from tuireader.ui.screens.bookmarks import BookmarksScreen
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.library_list import LibraryList

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", N_("Quit"), id="quit"),
    Binding("question_mark", "help", N_("Help"), id="help"),
    Binding("t", "next_theme", N_("Next theme"), id="next_theme", show=False),
]

#: The reading screen's keys, with the app's three among them where help and the footer
#: list them (the footer shows the focused widget's keys, then the screen's, then the app's).
READER_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", N_("Quit"), id="quit"),
    Binding("question_mark", "app.help", N_("Help"), id="help"),
    Binding("backslash", "toggle_nav", N_("Contents"), id="toggle_nav"),
    Binding("slash", "search", N_("Search"), id="search"),
    Binding("f", "find", N_("Find in article"), id="find", show=False),
    Binding("n", "next_match", N_("Next match"), id="next_match", show=False),
    Binding("N", "prev_match", N_("Previous match"), id="prev_match", show=False),
    Binding("escape", "search_results", N_("Back to search results"), id="search_results", show=False),
    Binding("left_square_bracket", "prev_article", N_("Previous article"), id="prev_article", show=False),
    Binding("right_square_bracket", "next_article", N_("Next article"), id="next_article"),
    Binding("left_curly_bracket", "prev_section", N_("Previous section"), id="prev_section", show=False),
    Binding("right_curly_bracket", "next_section", N_("Next section"), id="next_section", show=False),
    Binding("J", "follow_jump", N_("Follow jump"), id="follow_jump"),
    Binding("backspace", "back", N_("Back"), id="back", show=False),
    Binding("u", "next_unread", N_("Next unread"), id="next_unread", show=False),
    Binding("x", "toggle_read", N_("Mark unread / read"), id="toggle_read", show=False),
    Binding("A", "mark_all_read", N_("Mark issue read"), id="mark_all_read", show=False),
    Binding("o", "outline", N_("Outline"), id="outline", show=False),
    Binding("r", "onward", N_("Reading onward"), id="onward", show=False),
    Binding("y", "copy", N_("Copy headline and source"), id="copy", show=False),
    Binding("t", "app.next_theme", N_("Next theme"), id="next_theme", show=False),
    Binding("m", "toggle_bookmark", N_("Bookmark"), id="toggle_bookmark", show=False),
    Binding("apostrophe", "bookmarks", N_("Bookmarks"), id="bookmarks", show=False),
    Binding("exclamation_mark", "problems", N_("Problems"), id="problems", show=False),
    Binding("colon", "jump_date", N_("Jump to date"), id="jump_date", show=False),
    Binding("R", "reload_library", N_("Look for new files"), id="reload_library", show=False),
]

#: Longer help for the palette, by action.
ACTION_HELP = {
    "quit": N_("Leave the reader (reading state is saved)"),
    "help": N_("Every key, with the binding id to remap it in config.yaml"),
    "toggle_nav": N_("Show or hide the list of issues, sections and articles"),
    "search": N_("Search every article"),
    "find": N_("Find in the open article"),
    "next_match": N_("Scroll to the next highlighted match in the article"),
    "prev_match": N_("Scroll to the previous highlighted match in the article"),
    "search_results": N_("Go back to the search results the article was opened from"),
    "prev_article": N_("Open the previous article in reading order"),
    "next_article": N_("Open the next article in reading order"),
    "prev_section": N_("Open the first article of the previous page (版面)"),
    "next_section": N_("Open the first article of the next page (版面)"),
    "follow_jump": N_("Follow 下转/上接 to the continuation on another page"),
    "back": N_("Go back to the article you came from"),
    "next_unread": N_("Open the next article not read yet"),
    "toggle_read": N_("Mark the open article unread (or read again)"),
    "mark_all_read": N_("Mark every article of this issue read"),
    "outline": N_("List the in-text subheads of the article to jump between"),
    "onward": N_("The article's keywords, each a search, and related articles (相关报道)"),
    "copy": N_("Copy the headline and source to the clipboard (OSC 52)"),
    "next_theme": N_("Switch to the next of the reader's themes"),
    "toggle_bookmark": N_("Bookmark the open article"),
    "bookmarks": N_("List your bookmarks"),
    "problems": N_("Files that could not be read while loading the library"),
    "jump_date": N_("Go to a year, a month or a day in the contents (1966, 1966-05, 1966-05-16)"),
    "reload_library": N_("Look for files added, changed or removed in the library now"),
    "page_down": N_("Scroll the article down a page"),
    "page_up": N_("Scroll the article up a page"),
    "next_choice": N_("At the article's end: the next keyword or related article (Enter follows it)"),
    "prev_choice": N_("At the article's end: the previous keyword or related article"),
    "follow_choice": N_("Search the chosen keyword, or open the chosen related article"),
}


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(where, bindings) for every place with keys of its own, in the order help lists them."""
    groups: list[tuple[str, list[BindingType]]] = [
        ("app", READER_BINDINGS),
        ("article", ArticleView.BINDINGS),
        ("contents", LibraryList.BINDINGS),
        ("bookmarks", BookmarksScreen.BINDINGS),
    ]
    return [(where, [b for b in bindings if isinstance(b, Binding)]) for where, bindings in groups]


#: (where, keys as typed, description, binding id): a row of the help screen.
KeyRow = tuple[str, str, str, str]


def key_rows(key_display: Callable[[Binding], str], overrides: dict[str, str]) -> list[KeyRow]:
    """Every key, as the help screen lists it (in the interface's language), with the keymap's ``overrides`` applied."""
    rows = []
    for where, bindings in binding_groups():
        for binding in bindings:
            keys = overrides.get(binding.id or "", binding.key)
            shown = ", ".join(key_display(Binding(k.strip(), "")) for k in keys.split(","))
            rows.append((where, shown, _(binding.description), binding.id or ""))
    return rows


def reading_commands(
    rows: list[KeyRow],
    article_action: Callable[[str], None],
    reader_action: Callable[[str], Awaitable[Any]],
) -> Iterable[SystemCommand]:
    """The palette's entries for the reader's keys: an article view action runs through
    ``article_action``, any other through ``reader_action`` (on the reading screen)."""
    keys = {row[3]: row[1] for row in rows}
    for where, bindings in binding_groups():
        if where in ("contents", "bookmarks"):
            continue
        for binding in bindings:
            action = binding.action.removeprefix("app.")
            if action in ("quit", "scroll_down", "scroll_up", "cursor_down", "cursor_up", "select_cursor"):
                continue
            help_text = _(ACTION_HELP.get(action, binding.description))
            if where == "article":
                callback: Callable[[], Any] = partial(article_action, action)
            else:
                callback = partial(reader_action, binding.action)
            # The palette reads help as markup: escape the key ("[" and "]" are keys here).
            key = keys.get(binding.id or "", "")
            yield SystemCommand(_(binding.description), escape_markup(_("{help} (key: {key})").format(
                help=help_text, key=key)), callback)
