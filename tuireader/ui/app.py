"""The reader: a keyboard-first Textual app that lays out an issue the way the paper does.

``run_app(library_paths, args)`` is what ``tuireader [PATH...]`` calls. The
library is opened in a worker thread after the first paint; nothing slow
(and never jieba) sits on the way to the first screen.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.css.query import NoMatches
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape as escape_markup
from textual.screen import Screen
from textual.widgets import Footer, Static

from tuireader.model import Article
from tuireader.store.bookmarks import BookmarkStore
from tuireader.store.config import Config, load_config
from tuireader.store.state import StateStore
from tuireader.text.sanitize import clean
from tuireader.ui.messages import OpenRequest
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.library_list import LibraryList
from tuireader.ui.widgets.nav import ArticleChosen

if TYPE_CHECKING:
    from tuireader.library import Library

#: Below this many columns the navigation pane folds away.
NARROW_WIDTH = 100
#: Seconds between checks that save the reading state when it changed.
SAVE_INTERVAL = 2.0
#: Seconds between looks for added, changed and removed library files.
REFRESH_INTERVAL = 30.0
#: Seconds between progress updates from a worker that reads the library.
PROGRESS_INTERVAL = 0.1
#: Seconds into a first reading of every file after which the files read so far are
#: shown, to be read while the rest is (a first run on a large archive).
FIRST_PART_AFTER = 1.0
#: Theme used when neither --theme, the state nor the config names one that exists.
FALLBACK_THEME = "textual-dark"

APP_BINDINGS = [
    Binding("q", "quit", "Quit", id="quit"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("backslash", "toggle_nav", "Contents", id="toggle_nav"),
    Binding("slash", "search", "Search", id="search"),
    Binding("f", "find", "Find in article", id="find", show=False),
    Binding("n", "next_match", "Next match", id="next_match", show=False),
    Binding("N", "prev_match", "Previous match", id="prev_match", show=False),
    Binding("escape", "search_results", "Back to search results", id="search_results", show=False),
    Binding("left_square_bracket", "prev_article", "Previous article", id="prev_article", show=False),
    Binding("right_square_bracket", "next_article", "Next article", id="next_article"),
    Binding("left_curly_bracket", "prev_section", "Previous section", id="prev_section", show=False),
    Binding("right_curly_bracket", "next_section", "Next section", id="next_section", show=False),
    Binding("J", "follow_jump", "Follow jump", id="follow_jump"),
    Binding("backspace", "back", "Back", id="back", show=False),
    Binding("u", "next_unread", "Next unread", id="next_unread", show=False),
    Binding("x", "toggle_read", "Mark unread / read", id="toggle_read", show=False),
    Binding("A", "mark_all_read", "Mark issue read", id="mark_all_read", show=False),
    Binding("o", "outline", "Outline", id="outline", show=False),
    Binding("y", "copy", "Copy headline and source", id="copy", show=False),
    Binding("t", "next_theme", "Next theme", id="next_theme", show=False),
    Binding("m", "toggle_bookmark", "Bookmark", id="toggle_bookmark", show=False),
    Binding("apostrophe", "bookmarks", "Bookmarks", id="bookmarks", show=False),
    Binding("exclamation_mark", "problems", "Problems", id="problems", show=False),
    Binding("colon", "jump_date", "Jump to date", id="jump_date", show=False),
    Binding("R", "reload_library", "Look for new files", id="reload_library", show=False),
]

#: Longer help for the palette, by action.
ACTION_HELP = {
    "quit": "Leave the reader (reading state is saved)",
    "help": "Every key, with the binding id to remap it in config.yaml",
    "toggle_nav": "Show or hide the list of issues, sections and articles",
    "search": "Search every article",
    "find": "Find in the open article",
    "next_match": "Scroll to the next highlighted match in the article",
    "prev_match": "Scroll to the previous highlighted match in the article",
    "search_results": "Go back to the search results the article was opened from",
    "prev_article": "Open the previous article in reading order",
    "next_article": "Open the next article in reading order",
    "prev_section": "Open the first article of the previous page (版面)",
    "next_section": "Open the first article of the next page (版面)",
    "follow_jump": "Follow 下转/上接 to the continuation on another page",
    "back": "Go back to the article you came from",
    "next_unread": "Open the next article not read yet",
    "toggle_read": "Mark the open article unread (or read again)",
    "mark_all_read": "Mark every article of this issue read",
    "outline": "List the in-text subheads of the article to jump between",
    "copy": "Copy the headline and source to the clipboard (OSC 52)",
    "next_theme": "Switch to the next of the reader's themes",
    "toggle_bookmark": "Bookmark the open article",
    "bookmarks": "List your bookmarks",
    "problems": "Files that could not be read while loading the library",
    "jump_date": "Go to the first issue on or after a date (2025-06, 2025-06-01)",
    "reload_library": "Look for files added, changed or removed in the library now",
    "page_down": "Scroll the article down a page",
    "page_up": "Scroll the article up a page",
}


def _no_progress(done: int, total: int) -> None:
    """Progress nobody is shown (the periodic look at the files)."""


class _ReaderLeft(Exception):
    """Raised in a worker's progress callback to stop reading the library (the app closed)."""


class ReaderFooter(Footer):
    """Textual's Footer without its leak: each recompose (every binding refresh, e.g. on
    each article opened) binds the new keys to ``compact`` with ``data_bind``, and the
    watchers of the keys it removed are only dropped when ``compact`` changes, which it
    never does: ~5 dead FooterKeys per article, 70 MB after browsing 1,000 articles."""

    async def recompose(self) -> None:
        await super().recompose()
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]


class ReaderScreen(Screen[None]):
    """The main screen: masthead, navigation pane, article view, footer."""

    def __init__(self, measure: int) -> None:
        super().__init__()
        self.measure = measure

    def compose(self) -> ComposeResult:
        yield Static(Text("tuireader"), id="masthead")
        with Horizontal(id="main"):
            yield LibraryList(id="nav")
            yield ArticleView(measure=self.measure, id="article")
        yield ReaderFooter()

    def on_mount(self) -> None:
        self.app._main_screen_ready()  # type: ignore[attr-defined]

    def on_resize(self, event: Any) -> None:
        self.app._update_narrow(event.size.width)  # type: ignore[attr-defined]


class ReaderApp(App[int]):
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
        self.restricted = restricted
        self.library: Library | None = library
        #: The reader's bookmarks: --bookmarks FILE, else the config's, else <data dir>/bookmarks.yaml.
        #: Read when first needed, after the first paint (a broken file is reported then).
        self.bookmarks: BookmarkStore | None = BookmarkStore.for_options(bookmarks_path, self.config.bookmarks)
        self.store = StateStore(state_path).load()
        #: Notices raised before the screen exists, shown once it does.
        self._pending_notices: list[tuple[str, str]] = []
        self.extra_problems: list[str] = []
        self.current_id: str | None = None
        self.history: list[tuple[str, int]] = []
        self._our_themes: list[str] = []
        self._nav_visible: bool | None = None
        self._masthead_text = ""
        #: What a background look at the library's files has done so far (masthead).
        self._library_progress: str | None = None
        self._refresh_timer: Any = None
        self._refresh_cost = 0.0  # seconds the last look at the files took
        self._refresh_ended = 0.0
        self._setup_themes(theme)
        self._apply_keymap()
        if os.environ.get("SSH_CONNECTION") and self.config.animations is None:
            # Smooth scrolling costs ~15x the bytes per page over the wire.
            self.animation_level = "none"
        elif self.config.animations is False:
            self.animation_level = "none"
        if self.store.problem:
            self._notice_later(f"Reading state not used (file left as it is): {self.store.problem}")

    # -- set-up ---------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Solid colours fitted to the theme (Textual's own themes lack our variables).
        from tuireader.ui.themes import theme_variable_defaults

        return theme_variable_defaults(self.current_theme)

    def _setup_themes(self, requested: str | None) -> None:
        from tuireader.ui.themes import DEFAULT_THEME, load_themes

        try:
            themes, problems = load_themes()
        except Exception as exc:  # a broken theme folder must not stop the reader
            themes, problems = [], [f"themes: {exc}"]
        for theme in themes:
            self.register_theme(theme)
            self._our_themes.append(theme.name)
        for problem in problems:
            self.extra_problems.append(problem)
        if problems:
            self._notice_later(f"{len(problems)} theme problem(s): {problems[0]}", severity="warning")
        wanted = [
            ("--theme", requested),
            ("state", self.store.state.theme),
            ("config", self.config.theme),
            ("default", DEFAULT_THEME),
            ("fallback", FALLBACK_THEME),
        ]
        for source, name in wanted:
            if not name:
                continue
            if name in self.available_themes:
                self.theme = name
                break
            if source in ("--theme", "config"):
                self._notice_later(f"Unknown theme {name!r} ({source}); using the default", severity="warning")

    def _apply_keymap(self) -> None:
        keymap = dict(self.config.keymap)
        known = {b.id for b in self._all_bindings_flat() if b.id}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self._notice_later(f"keymap: unknown binding id(s): {', '.join(unknown)} (see '?')", severity="warning")
        self.set_keymap({k: v for k, v in keymap.items() if k in known})

    def _notice_later(self, message: str, severity: str = "information") -> None:
        self._pending_notices.append((message, severity))

    def get_default_screen(self) -> Screen:
        return ReaderScreen(self.config.measure)

    def on_mount(self) -> None:
        for message, severity in self._pending_notices:
            self.notify(clean(message), severity=severity, markup=False, timeout=8)  # type: ignore[arg-type]
        self._pending_notices = []
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _main_screen_ready(self) -> None:
        self._update_narrow(self.size.width)
        self.article_view.show_placeholder("Opening the library…")
        self.set_interval(SAVE_INTERVAL, self._remember_position)
        if self.library is not None:
            self._library_ready(self.library)
        else:
            self._load_library()

    @work(thread=True, exclusive=True, group="library")
    def _load_library(self) -> None:
        from tuireader.library import Library

        try:
            progress = self._progress_reporter(self._show_reading_progress)
            library = Library.open(self.library_paths, progress=progress, write_later=True,
                                   first_part=(FIRST_PART_AFTER, self._show_first_part))
        except _ReaderLeft:
            return
        except Exception as exc:  # any failure becomes a notice, never a traceback
            with contextlib.suppress(RuntimeError):  # the app may have closed meanwhile
                self.call_from_thread(self._library_failed, f"{type(exc).__name__}: {exc}")
            return
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._library_ready, library)
        library.write_catalogue()  # a first run: after the reader sees the library

    def _progress_reporter(self, show: Callable[[int, int], None]) -> Callable[[int, int], None]:
        """A progress callback for a worker thread: at most one update per PROGRESS_INTERVAL,
        and it stops the work (``_ReaderLeft``) once the worker is cancelled or the app closed."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        last = 0.0

        def report(done: int, total: int) -> None:
            nonlocal last
            if worker.is_cancelled:
                raise _ReaderLeft
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                try:
                    self.call_from_thread(show, done, total)
                except (RuntimeError, NoMatches):  # the app closed, or its screen is going
                    raise _ReaderLeft from None

        return report

    def _show_first_part(self, part: Library) -> None:
        """From the worker reading every file: what it has read so far, to read meanwhile."""
        with contextlib.suppress(RuntimeError, NoMatches):  # the app is closing: the worker stops at its next count
            self.call_from_thread(self._library_ready, part)

    def _show_reading_progress(self, done: int, total: int) -> None:
        if self.library is None:
            self.article_view.show_placeholder(f"Reading the library… {done:,}/{total:,} files")
        else:  # the first part is being read: the count goes to the masthead
            # A share, not two counts: it fits beside a long masthead at 80 columns.
            self._library_progress = f"reading {done * 100 // total}%" if done < total else None
            self._show_masthead()

    # -- picking up added, changed and removed files while the app runs ----------

    def action_reload_library(self) -> None:
        if self.library is None or not self.library.complete:
            return
        self.notify("Looking for new, changed and removed files…", timeout=2)
        self._refresh_library()

    @work(thread=True, exclusive=True, group="refresh")
    def _refresh_library(self, quiet: bool = False) -> None:
        """Look at the files (``quiet``: the periodic look, no progress in the masthead)."""
        library = self.library
        if library is None or not library.complete:
            return  # a first run is still reading every file
        # Quiet or not, the reporter is what stops the look when the reader quits.
        progress = self._progress_reporter(_no_progress if quiet else self._show_refresh_progress)
        started = time.monotonic()
        try:
            if not quiet:
                progress(0, 0)  # reading the catalogue and listing the folders come first
            fresh = library.refresh(progress=progress)
        except _ReaderLeft:
            return
        except Exception as exc:  # a failed look leaves the library as it was
            with contextlib.suppress(RuntimeError):
                self.call_from_thread(self._refresh_done, library, None, f"{type(exc).__name__}: {exc}")
            return
        finally:
            self._refresh_cost = time.monotonic() - started
            self._refresh_ended = time.monotonic()
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._refresh_done, library, fresh, None)

    def _show_refresh_progress(self, done: int, total: int) -> None:
        if not total:
            self._library_progress = "looking for new files…"
        else:
            self._library_progress = f"files {done:,}/{total:,}" if done < total else None
        self._show_masthead()

    def _refresh_done(self, old: Library, fresh: Library | None, problem: str | None) -> None:
        self._library_progress = None
        self._show_masthead()
        if problem is not None:
            self.notify(f"Could not look for new files: {clean(problem)}", severity="warning", markup=False)
            return
        if fresh is None or self.library is not old:
            return
        before = len(old)
        self._library_ready(fresh, reopen=False)
        change = len(fresh) - before
        self.notify(
            f"Library updated: {len(fresh):,} articles" + (f" ({change:+,})" if change else ""),
            timeout=4,
        )

    def _library_failed(self, message: str) -> None:
        self.article_view.show_placeholder("The library could not be opened.")
        self.notify(f"Could not open the library: {clean(message)}", severity="error", markup=False, timeout=15)

    def _library_ready(self, library: Library, reopen: bool = True) -> None:
        """Show a library: the first one, or (``reopen=False``) a refreshed one,
        keeping the open article and the place in the lists."""
        # Nothing here walks the articles: a library from the catalogue builds an
        # issue's pages only when they are shown (the first screen of 100,000 articles
        # costs what the sample's does).
        # The whole library after its first part (a first run): shown as a refresh is.
        after_part = self.library is not None and not self.library.complete
        self.library = library
        self.nav.load(library.issues, self._marks, locate=library.locate)
        # A library read whole from its files is hundreds of thousands of long-lived objects:
        # keep them out of the collector's full passes (~0.5 s each at 100,000 articles).
        gc.freeze()
        if library.complete:
            self._library_complete(library, reopen)
        elif not len(library):
            return  # a first part of nothing but problems: the placeholder counts on
        if not len(library):
            self.article_view.show_placeholder("No articles in this library.")
            self._set_nav_visible(True)
            return
        if (not reopen or after_part) and self.current_id is not None:
            # A refreshed library: the article stays on screen where the reader left it.
            if self.current_id not in library:
                self.notify("The open article is no longer in the library.", severity="warning", timeout=6)
            elif self.current_article is not None:
                self._update_masthead(self.current_article)
            return
        last = self.store.state.last_article
        if last in library:
            self.open_article(last, paragraph=self.store.state.last_paragraph, remember=False)
        else:
            self.open_article(library.first_id() or "", remember=False)

    def _library_complete(self, library: Library, first: bool) -> None:
        """What only a whole library gets (not a first run's first part): bookmarks
        reconciled, skipped files reported and, the ``first`` time, the look at the files."""
        from tuireader.ui.screens.bookmarks import bookmarks_library_ready

        self._library_progress = None
        bookmarks_library_ready(self)
        if library.problems and first:
            count = len(library.problems)
            head = library.problems[0]
            self.notify(
                f"{count} file(s) skipped: {clean(head.path)}: {clean(head.reason)}"
                + (" … press ! to list them" if count > 1 else ""),
                title="Problems",
                severity="warning",
                markup=False,
                timeout=10,
            )
        if first:
            self._watch_library(library)

    def _watch_library(self, library: Library) -> None:
        """Pick up changes in the background: now, when the library came from its
        catalogue (the files were not looked at), and every REFRESH_INTERVAL."""
        if library.from_catalogue:
            self.call_after_refresh(self._refresh_library)  # after the first paint
        if self._refresh_timer is None:
            self._refresh_timer = self.set_interval(REFRESH_INTERVAL, self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        # On a huge library a look costs seconds of CPU: look less often, at most ~5% of the time.
        if time.monotonic() - self._refresh_ended >= 20 * self._refresh_cost:
            self._refresh_library(quiet=True)

    # -- handles --------------------------------------------------------------

    @property
    def nav(self) -> LibraryList:
        return self.screen_stack[0].query_one(LibraryList)

    @property
    def article_view(self) -> ArticleView:
        return self.screen_stack[0].query_one(ArticleView)

    @property
    def current_article(self) -> Article | None:
        return self.article_view.article

    def _marks(self, article_id: str) -> tuple[bool, bool]:
        bookmarked = False
        if self.bookmarks is not None:
            with contextlib.suppress(Exception):
                bookmarked = bool(self.bookmarks.is_bookmarked(article_id))
        return self.store.is_read(article_id), bookmarked

    def refresh_marks(self, article_ids: Iterable[str] | None = None) -> None:
        """Redraw the read/bookmarked marks in the lists (after a bookmark changed, say)."""
        self.nav.refresh_marks(article_ids)

    # -- opening articles ------------------------------------------------------

    def open_article(
        self,
        article_id: str,
        *,
        paragraph: int | None = None,
        terms: list[str] | None = None,
        remember: bool = True,
    ) -> bool:
        """Show an article; ``remember`` puts the one left behind on the back stack."""
        if self.library is None:
            return False
        try:
            article = self.library.article(article_id)
        except KeyError:
            self.notify("That article is not in this library.", severity="warning")
            return False
        except Exception as exc:  # a file that changed or vanished since the scan
            self.notify(f"Could not open the article: {clean(str(exc))}", severity="error", markup=False)
            return False
        view = self.article_view
        if remember and self.current_id and self.current_id != article_id:
            self.history.append((self.current_id, view.paragraph_in_view()))
        self.current_id = article_id
        view.show(article, paragraph)
        if terms:
            view.highlight(terms)
        self.store.mark_read(article_id)
        self.store.set_position(article_id, paragraph or 0)
        self.nav.refresh_marks([article_id])
        self.nav.select_article(article_id)
        self._update_masthead(article)
        self.refresh_bindings()
        if self._narrow:
            self._set_nav_visible(False)
        view.focus()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer offers J only on an article with a jump marker (which J follows,
        # or says the other page is not in the library).
        if action == "follow_jump" and self.screen_stack and self.screen is self.screen_stack[0]:
            views = self.screen.query(ArticleView)  # none yet while the screen is composed
            return views.first().has_jump if views else True
        return True

    def on_open_request(self, message: OpenRequest) -> None:
        message.stop()
        self.open_request(message)

    def open_request(self, request: OpenRequest | None) -> None:
        """Open what a picking screen dismissed with (None: it was cancelled)."""
        if request is not None:
            self.open_article(request.article_id, paragraph=request.paragraph, terms=request.terms)

    def on_article_chosen(self, message: ArticleChosen) -> None:
        self.open_article(message.article_id)

    def on_article_view_jump_clicked(self, message: ArticleView.JumpClicked) -> None:
        self.open_article(message.target)

    def _update_masthead(self, article: Article) -> None:
        parts = [p for p in (article.paper, article.date) if p]
        if article.page is not None:
            parts.append(f"第{article.page}版" + (f" {article.section_name}" if article.section_name else ""))
        where = self.library.locate(article.id) if self.library is not None else None
        if where is not None:
            issue, section, ref = where
            position = next(n for n, r in enumerate(section.articles, 1) if r is ref)
            parts.append(f"{position}/{len(section.articles)}")
            # This issue's unread articles: a walk of one issue, whatever the archive's size.
            unread = sum(1 for s in issue.sections for r in s.articles if not self.store.is_read(r.id))
            parts.append(f"本期未读 {unread}")
        self._masthead_text = clean(" · ".join(parts))
        self._show_masthead()

    def _show_masthead(self) -> None:
        text = self._masthead_text
        if self._library_progress:
            text += f"  ⟳ {self._library_progress}"
        # The reader's screen, whatever is on top of it (help, search, the palette).
        masthead = self.screen_stack[0].query("#masthead") if self.screen_stack else None
        if masthead:
            masthead.first(Static).update(Text(text or "tuireader"))

    # -- layout: folding the navigation pane ----------------------------------

    @property
    def _narrow(self) -> bool:
        return self.size.width < NARROW_WIDTH

    def _update_narrow(self, width: int) -> None:
        screen = self.screen_stack[0] if self.screen_stack else None
        if screen is None:
            return
        narrow = width < NARROW_WIDTH
        was_narrow = screen.has_class("-narrow")
        screen.set_class(narrow, "-narrow")
        if self._nav_visible is None or narrow != was_narrow:
            # Wide: the pane is there; narrow: the article takes the screen.
            self._set_nav_visible(not narrow)

    def _set_nav_visible(self, visible: bool) -> None:
        screen = self.screen_stack[0]
        self._nav_visible = visible
        screen.set_class(not visible, "-nav-hidden")
        screen.set_class(visible, "-nav-shown")
        if visible and self._narrow:
            self.nav.focus()
        elif not visible and self.nav.has_focus:
            self.article_view.focus()

    @property
    def nav_visible(self) -> bool:
        return bool(self._nav_visible)

    def action_toggle_nav(self) -> None:
        visible = not self._nav_visible
        self._set_nav_visible(visible)
        if visible:
            self.nav.focus()
            if self.current_id:
                self.nav.select_article(self.current_id)
        else:
            self.article_view.focus()

    def action_leave_nav(self) -> None:
        """Esc in the contents: back to the article (folding the contents when narrow)."""
        if self.current_id is None:
            return
        if self._narrow:
            self._set_nav_visible(False)
        self.article_view.focus()

    # -- moving through the paper ------------------------------------------------

    def _go(self, step: int, pages: bool) -> None:
        """Open the article ``step`` away in reading order, or the first of the page
        ``step`` pages away (``pages``); the first article when none is open."""
        library = self.library
        if library is None or not len(library):
            return
        if self.current_id in library:
            find = library.section_neighbour if pages else library.neighbour
            target = find(self.current_id, step)
        else:
            target = library.first_id()
        if target is not None:
            self.open_article(target)
        elif pages:
            self.notify("No more pages." if step > 0 else "This is the first page.", timeout=2)
        else:
            self.notify("No more articles." if step > 0 else "This is the first article.", timeout=2)

    def action_next_article(self) -> None:
        self._go(+1, pages=False)

    def action_prev_article(self) -> None:
        self._go(-1, pages=False)

    def action_next_section(self) -> None:
        self._go(+1, pages=True)

    def action_prev_section(self) -> None:
        self._go(-1, pages=True)

    def action_follow_jump(self) -> None:
        view = self.article_view
        jumps = view.jump_targets()
        if not jumps:
            self.notify("This article has no jump to another page.", timeout=3)
            return
        top = int(view.scroll_y)
        height = view.scrollable_content_region.height
        in_view = [j for j in jumps if top <= j[0] < top + height]
        # The marker in view wins; else the continuation (下转) before the earlier part (上接).
        candidates = in_view or sorted(jumps, key=lambda j: j[1].align != "right")
        for _line, piece in candidates:
            if piece.target:
                self.open_article(piece.target)
                return
        self.notify("The continuation is not available in this library.", severity="warning", timeout=4)

    def action_back(self) -> None:
        while self.history:
            article_id, paragraph = self.history.pop()
            if self.library is not None and article_id in self.library:
                self.open_article(article_id, paragraph=paragraph, remember=False)
                return
        self.notify("Nothing to go back to.", timeout=2)

    def action_next_unread(self) -> None:
        if self.library is None:
            return
        # The ids alone, in reading order from the open article round to it again.
        for article_id in self.library.ids(after=self.current_id, wrap=True):
            if not self.store.is_read(article_id):
                self.open_article(article_id)
                return
        self.notify("Every article has been read.", timeout=3)

    def action_toggle_read(self) -> None:
        if not self.current_id:
            return
        if self.store.is_read(self.current_id):
            self.store.mark_unread(self.current_id)
            self.notify("Marked unread.", timeout=2)
        else:
            self.store.mark_read(self.current_id)
            self.notify("Marked read.", timeout=2)
        self.nav.refresh_marks([self.current_id])
        if self.current_article:
            self._update_masthead(self.current_article)

    def action_mark_all_read(self) -> None:
        where = self.library.locate(self.current_id or "") if self.library is not None else None
        if where is None:
            return
        issue = where[0]
        ids = [ref.id for section in issue.sections for ref in section.articles]
        count = self.store.mark_all_read(ids)
        self.nav.refresh_marks(ids)
        if self.current_article:
            self._update_masthead(self.current_article)
        self.notify(f"Marked {count} article(s) of {clean(issue.label)} read.", markup=False, timeout=3)

    # -- reading comfort ---------------------------------------------------------

    def action_outline(self) -> None:
        from tuireader.ui.screens.outline import OutlineScreen

        view = self.article_view
        article = view.article
        subheads = view.subheads()
        if article is None or not subheads:
            self.notify("This article has no subheads to outline.", timeout=3)
            return
        self.push_screen(OutlineScreen(clean(article.headline), subheads), self._outline_chosen)

    def _outline_chosen(self, block: object) -> None:
        if isinstance(block, int):
            self.article_view.scroll_to_paragraph(block)
            self.article_view.focus()

    def action_copy(self) -> None:
        article = self.current_article
        if article is None:
            return
        source = " ".join(
            p
            for p in (
                article.paper,
                article.date,
                f"第{article.page}版" if article.page is not None else None,
                article.section_name,
            )
            if p
        )
        text = clean(article.headline or article.kicker or "")
        if source:
            text += f" — {clean(source)}"
        self.copy_to_clipboard(text)
        self.notify("Copied the headline and source.", timeout=2)

    def action_next_theme(self) -> None:
        names = self._our_themes or sorted(self.available_themes)
        index = names.index(self.theme) + 1 if self.theme in names else 0
        self.theme = names[index % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2, markup=False)

    def _on_theme_changed(self, theme: Any) -> None:
        self.store.set_theme(theme.name)
        self.nav.refresh_marks()

    # -- other screens -------------------------------------------------------------

    def action_help(self) -> None:
        from tuireader.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.key_rows()))

    def action_jump_date(self) -> None:
        if self.library is None:
            return
        if not self._nav_visible:
            self._set_nav_visible(True)
        self.nav.focus()
        self.nav.prompt_date()

    def action_problems(self) -> None:
        from tuireader.ui.screens.problems import ProblemsScreen

        problems = list(self.library.problems) if self.library is not None else []
        self.push_screen(ProblemsScreen(problems, self.extra_problems + self._state_problem()))

    def _state_problem(self) -> list[str]:
        return [f"reading state: {self.store.problem}"] if self.store.problem else []

    def action_search(self) -> None:
        from tuireader.ui.screens.search import open_search

        open_search(self)

    def action_find(self) -> None:
        from tuireader.ui.screens.search import open_find

        open_find(self)

    def action_next_match(self) -> None:
        from tuireader.ui.screens.search import step_match

        step_match(self, +1)

    def action_prev_match(self) -> None:
        from tuireader.ui.screens.search import step_match

        step_match(self, -1)

    def action_search_results(self) -> None:
        from tuireader.ui.screens.search import back_to_results

        back_to_results(self)

    def action_toggle_bookmark(self) -> None:
        from tuireader.ui.screens.bookmarks import toggle_bookmark

        toggle_bookmark(self)

    def action_bookmarks(self) -> None:
        from tuireader.ui.screens.bookmarks import open_bookmarks

        open_bookmarks(self)

    # -- keys: help rows, palette ------------------------------------------------

    def _all_bindings(self) -> list[tuple[str, Binding]]:
        """(where, binding) for every binding with an id, app first."""
        from tuireader.ui.screens.bookmarks import BookmarksScreen

        out: list[tuple[str, Binding]] = []
        for where, bindings in (
            ("app", APP_BINDINGS),
            ("article", ArticleView.BINDINGS),
            ("contents", LibraryList.BINDINGS),
            ("bookmarks", BookmarksScreen.BINDINGS),
        ):
            out.extend((where, b) for b in bindings if isinstance(b, Binding))
        return out

    def _all_bindings_flat(self) -> list[Binding]:
        return [b for _where, b in self._all_bindings()]

    def key_rows(self) -> list[tuple[str, str, str, str]]:
        """(where, keys as typed, description, id), with keymap overrides applied."""
        keymap = getattr(self, "_keymap", {})
        rows = []
        for where, binding in self._all_bindings():
            keys = keymap.get(binding.id or "", binding.key)
            shown = ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
            rows.append((where, shown, binding.description, binding.id or ""))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if self.restricted and command.title == "Screenshot":
                continue  # writes a file: not for a restricted reader
            yield command
        keys = {row[3]: row[1] for row in self.key_rows()}
        for where, binding in self._all_bindings():
            if binding.action in ("quit", "scroll_down", "scroll_up", "cursor_down", "cursor_up", "select_cursor"):
                continue
            help_text = ACTION_HELP.get(binding.action, binding.description)
            key = keys.get(binding.id or "", "")
            if binding in ArticleView.BINDINGS:
                callback: Callable[[], Any] = partial(self._article_action, binding.action)
            elif where in ("contents", "bookmarks"):
                continue
            else:
                callback = partial(self.run_action, binding.action)
            # The palette reads help as markup: escape the key ("[" and "]" are keys here).
            yield SystemCommand(binding.description, escape_markup(f"{help_text} (key: {key})"), callback)

    # -- restricted mode and crashes (see tuireader/restricted.py, docs/ssh.md) ----------

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        if self.restricted:
            return  # writes a file on the server
        super().action_screenshot(filename, path)

    def deliver_screenshot(self, *args: Any, **kwargs: Any) -> Any:
        if self.restricted:
            return None
        return super().deliver_screenshot(*args, **kwargs)

    def action_suspend_process(self) -> None:
        if self.restricted:
            return  # never leave the reader for whatever started it
        super().action_suspend_process()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        if self.restricted:
            # On a server, webbrowser may start a console browser (lynx, w3m) with shell escapes.
            self.notify("Links do not open here.", timeout=3)
            return
        super().open_url(url, new_tab=new_tab)

    def _handle_exception(self, error: Exception) -> None:
        """A crash: an apology on the screen, the traceback in the log folder."""
        from tuireader.restricted import apology, log_crash

        self._return_code = 1
        if self._exception is None:  # Pilot re-raises it in tests
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(Text(apology(log_crash(error), restricted=self.restricted)))
        self._close_messages_no_wait()

    def _article_action(self, action: str) -> None:
        self.article_view.focus()
        self.call_later(self.article_view.run_action, action)

    # -- reading state ----------------------------------------------------------------

    def _remember_position(self) -> None:
        if self.current_id and self.library is not None:
            try:
                paragraph = self.article_view.paragraph_in_view()
            except NoMatches:  # the timer fired while the app was closing
                return
            self.store.set_position(self.current_id, paragraph)
        self.save_state()

    def save_state(self) -> None:
        """Save the reading state if it changed, writing in a worker thread: with
        100,000 articles read the file takes a noticeable moment to write."""
        snapshot = self.store.snapshot()
        if snapshot is not None:
            self._write_state(snapshot)

    @work(thread=True, group="state")
    def _write_state(self, snapshot: Any) -> None:
        try:
            self.store.write(snapshot)
        except OSError as exc:
            self.store.dirty = True  # try again at the next save
            with contextlib.suppress(RuntimeError):
                self.call_from_thread(
                    self.notify, f"Could not save the reading state: {exc}", severity="error", markup=False
                )

    async def action_quit(self) -> None:
        self._final_save()
        self.exit(0)

    def _final_save(self) -> None:
        with contextlib.suppress(Exception):
            if self.current_id and self.library is not None:
                self.store.set_position(self.current_id, self.article_view.paragraph_in_view())
        with contextlib.suppress(OSError):
            self.store.save()

    def on_unmount(self) -> None:
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
    app._final_save()
    return int(result if result is not None else (app.return_code or 0))


def _install_hangup_handler(app: ReaderApp) -> Any:
    """A dropped connection (SIGHUP) saves the reading state and exits promptly."""

    def on_hangup(signum: int, frame: Any) -> None:
        app._final_save()
        # The terminal is gone: if the app cannot wind down by itself, leave anyway.
        threading.Timer(2.0, os._exit, (129,)).start()
        app.exit(129)

    try:
        return signal.signal(signal.SIGHUP, on_hangup)
    except ValueError:  # not the main thread (embedded use)
        return signal.SIG_DFL
