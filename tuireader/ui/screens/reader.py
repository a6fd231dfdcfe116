"""The reading screen: the masthead, the contents and the article, and everything a
reader does with them.

It owns the library (opened and looked at again by its ``LibraryLoader``), the open
article and the way back, the reading state, and what the search and bookmarks
screens pick. Its UI state is reactive (``contents_shown``, ``current_id``,
``masthead_text``, ``library_progress``): set the attribute, its ``watch_`` method
updates the screen. The app only starts it (``tuireader/ui/app.py``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Static

from tuireader.i18n import _, ngettext
from tuireader.model import Article
from tuireader.store.bookmarks import BookmarkStore
from tuireader.store.state import StateStore
from tuireader.text.sanitize import clean
from tuireader.ui.bookmarking import BookmarkKeeper, Notice
from tuireader.ui.keys import READER_BINDINGS
from tuireader.ui.loading import Callbacks, LibraryLoader
from tuireader.ui.masthead import fitted_masthead, headline_and_source, masthead_line
from tuireader.ui.messages import ArticleChosen, OpenRequest
from tuireader.ui.read_marking import ReadMarker
from tuireader.ui.saving import StateSaver
from tuireader.ui.screens.reader_search import SearchActions
from tuireader.ui.textual_compat import ReaderFooter
from tuireader.ui.widgets.article_view import ArticleView
from tuireader.ui.widgets.library_list import LibraryList

if TYPE_CHECKING:
    from textual.theme import Theme

    from tuireader.library import Library
    from tuireader.ui.screens.search import SearchSession  # noqa: F401

#: Below this many columns the contents fold away.
NARROW_WIDTH = 100


class ReaderScreen(SearchActions):
    """The main screen: masthead, contents, article view, footer."""

    BINDINGS = READER_BINDINGS

    #: Seconds an article stays on screen before it counts as read (scrolling it counts at once).
    READ_AFTER = 2.0

    contents_shown: var[bool] = var(True, init=False, always_update=True)
    """The contents (issues, pages, articles) are shown; False when folded away.
    Narrow terminals show either the contents or the article."""

    current_id: var[str | None] = var(None, init=False)
    """The id of the open article (None until one is open)."""

    masthead_text: var[str] = var("", init=False)
    """Where the open article stands: paper, date, page, place on the page, unread in the issue."""

    library_progress: var[str | None] = var(None, init=False)
    """How far a worker reading the library has got, beside the masthead (None: none running)."""

    def __init__(
        self,
        library_paths: list[Path],
        *,
        store: StateStore,
        bookmarks: BookmarkStore | None,
        measure: int,
        hyperlinks: bool = True,
        library: Library | None = None,
        extra_problems: list[str] | None = None,
        newest_first: bool = True,
    ) -> None:
        super().__init__()
        self.library_paths = library_paths
        self.store = store
        #: The reader's bookmarks (read when first needed, after the first paint).
        self.bookmarks = BookmarkKeeper(bookmarks) if bookmarks is not None else None
        self.measure = measure
        self.hyperlinks = hyperlinks
        #: The contents list the newest issue first (``order: oldest-first`` in the config: the oldest).
        self.newest_first = newest_first
        self.library: Library | None = library
        #: Problems found outside the library (themes), listed with its own by ``!``.
        self.extra_problems = extra_problems if extra_problems is not None else []
        #: The way back (``backspace``): (article id, paragraph in view), newest last.
        self.history: list[tuple[str, int]] = []
        #: The search a reader left, to come back to (query, results, cursor): made on the first ``/``.
        self.search_session: SearchSession | None = None
        self.read_marker = ReadMarker(self, lambda: self.READ_AFTER, self._mark_read)
        self._layout_known = False
        self.saver = StateSaver(self, store, self._position)
        self.loader = LibraryLoader(
            self,
            library_paths,
            lambda: self.library,
            Callbacks(
                ready=self.show_library,
                failed=self.library_failed,
                reading=self.show_reading_progress,
                looking=self.show_refresh_progress,
                looked=self.refresh_done,
            ),
        )

    def compose(self) -> ComposeResult:
        yield Static(Text("tuireader"), id="masthead")
        with Horizontal(id="main"):
            yield LibraryList(id="nav")
            yield ArticleView(measure=self.measure, hyperlinks=self.hyperlinks, id="article")
        yield ReaderFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._update_narrow(self.app.size.width)
        self.article_view.show_placeholder(_("Opening the library…"))
        self.saver.start()
        if self.library is not None:
            self.show_library(self.library)
        else:
            self.loader.load()

    def on_resize(self, event: events.Resize) -> None:
        self._update_narrow(event.size.width)

    # -- handles --------------------------------------------------------------

    @property
    def nav(self) -> LibraryList:
        return self.query_one(LibraryList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def current_article(self) -> Article | None:
        return self.article_view.article

    def _marks(self, article_id: str) -> tuple[bool, bool]:
        bookmarked = False
        if self.bookmarks is not None:
            with contextlib.suppress(Exception):
                bookmarked = bool(self.bookmarks.store.is_bookmarked(article_id))
        return self.store.is_read(article_id), bookmarked

    def refresh_marks(self, article_ids: Iterable[str] | None = None) -> None:
        """Redraw the read/bookmarked marks in the contents (after a bookmark changed, say)."""
        self.nav.refresh_marks(article_ids)

    def _theme_changed(self, theme: Theme) -> None:
        self.nav.refresh_marks()

    # -- the library --------------------------------------------------------------

    def show_reading_progress(self, done: int, total: int) -> None:
        if self.library is None:
            self.article_view.show_placeholder(_("Reading the library… {done}/{total} files").format(
                done=f"{done:,}", total=f"{total:,}"))
        else:  # the first part is being read: the count goes to the masthead
            # A share, not two counts: it fits beside a long masthead at 80 columns.
            self.library_progress = _("reading {percent}%").format(
                percent=done * 100 // total) if done < total else None

    def show_refresh_progress(self, done: int, total: int) -> None:
        if not total:
            self.library_progress = _("looking for new files…")
        else:
            self.library_progress = _("files {done}/{total}").format(
                done=f"{done:,}", total=f"{total:,}") if done < total else None

    def action_reload_library(self) -> None:
        if self.library is None or not self.library.complete:
            return
        self.notify(_("Looking for new, changed and removed files…"), timeout=2)
        self.loader.look()

    def refresh_done(self, old: Library, fresh: Library | None, problem: str | None) -> None:
        self.library_progress = None
        if problem is not None:
            self.notify(_("Could not look for new files: {problem}").format(
                problem=clean(problem)), severity="warning", markup=False)
            return
        if fresh is None or self.library is not old:
            return
        before = len(old)
        self.show_library(fresh, reopen=False)
        change = len(fresh) - before
        self.notify(
            ngettext("Library updated: {n} article", "Library updated: {n} articles", len(fresh)).format(
                n=f"{len(fresh):,}") + (f" ({change:+,})" if change else ""),
            timeout=4,
        )

    def library_failed(self, message: str) -> None:
        self.article_view.show_placeholder(_("The library could not be opened."))
        self.notify(_("Could not open the library: {problem}").format(
            problem=clean(message)), severity="error", markup=False, timeout=15)

    def show_library(self, library: Library, reopen: bool = True) -> None:
        """Show a library: the first one, or (``reopen=False``) a refreshed one,
        keeping the open article and the place in the lists."""
        # Nothing here walks the articles: a library from the catalogue builds an
        # issue's pages only when they are shown (the first screen of 100,000 articles
        # costs what the sample's does).
        # The whole library after its first part (a first run): shown as a refresh is.
        after_part = self.library is not None and not self.library.complete
        self.library = library
        nav = self.nav
        nav.load(library.issues, self._marks, locate=library.locate, newest_first=self.newest_first,
                 read_ids=lambda: self.store.state.read,
                 read_in_issue=lambda n: library.read_in_issue(n, self.store.state.read))
        # A library read whole from its files is hundreds of thousands of long-lived objects:
        # keep them out of the collector's full passes (~0.5 s each at 100,000 articles).
        gc.freeze()
        if library.complete:
            self._library_complete(library, reopen)
        elif not len(library):
            return  # a first part of nothing but problems: the placeholder counts on
        if not len(library):
            # The notice and its reason where the article would be, on a narrow screen too
            # (the empty contents would take the whole width: a blank screen).
            self.article_view.show_placeholder("\n".join(filter(None, (library.empty_notice, library.why_empty()))))
            self.contents_shown = not self.narrow
            return
        if (not reopen or after_part) and self.current_id is not None:
            # A refreshed library: the article stays on screen where the reader left it.
            if self.current_id not in library:
                self.notify(_("The open article is no longer in the library."), severity="warning", timeout=6)
            elif self.current_article is not None:
                self._update_masthead(self.current_article)
            return
        last = self.store.state.last_article
        if last is not None and last in library:
            self.open_article(last, paragraph=self.store.state.last_paragraph, remember=False)
        else:
            # The first issue the contents show (the newest, unless the config says otherwise).
            self.open_article(self.nav.first_shown_article() or library.first_id() or "", remember=False)

    def _library_complete(self, library: Library, first: bool) -> None:
        """What only a whole library gets (not a first run's first part): bookmarks
        reconciled, skipped files reported and, the ``first`` time, the look at the files."""
        self.library_progress = None
        self._reconcile_bookmarks(library)
        if library.problems and first:
            count = len(library.problems)
            # One line: the files and reasons are what ! lists.
            skipped = ngettext("{n} file skipped: ! says why", "{n} files skipped: ! says why", count)
            self.notify(skipped.format(n=count), severity="warning", markup=False, timeout=10)
        if first:
            self.loader.watch(library)

    # -- opening articles ------------------------------------------------------

    def open_article(
        self,
        article_id: str,
        *,
        paragraph: int | None = None,
        terms: list[str] | None = None,
        remember: bool = True,
    ) -> bool:
        """Show an article; ``remember`` puts the one left behind on the way back."""
        if self.library is None:
            return False
        try:
            article = self.library.article(article_id)
        except KeyError:
            self.notify(_("That article is not in this library."), severity="warning")
            return False
        except Exception as exc:  # a file that changed or vanished since the scan
            self.notify(_("Could not open the article: {problem}").format(
                problem=clean(str(exc))), severity="error", markup=False)
            return False
        view = self.article_view
        if remember and self.current_id and self.current_id != article_id:
            self.history.append((self.current_id, view.paragraph_in_view()))
        self._from_search = None
        view.show(article, paragraph)
        self.current_id = article_id
        self.fetch_onward_soon(article_id)
        if terms:
            view.highlight(terms)
        self._show_match_position()
        # Read once it has stayed on screen a moment or is scrolled: not as ']' passes over it.
        if not self.store.is_read(article_id):
            self.read_marker.opened(article_id)
        else:
            self.read_marker.cancel()
        self.store.set_position(article_id, paragraph or 0)
        self.nav.select_article(article_id)
        self._update_masthead(article)
        if self.narrow:
            self.contents_shown = False
        view.focus()
        return True

    def open_request(self, request: OpenRequest | None) -> None:
        """Open what a picking screen dismissed with (None: it was cancelled)."""
        if request is not None:
            self.open_article(request.article_id, paragraph=request.paragraph, terms=request.terms)

    def on_open_request(self, message: OpenRequest) -> None:
        message.stop()
        self.open_request(message)

    def on_article_chosen(self, message: ArticleChosen) -> None:
        self.open_article(message.article_id)

    def on_article_view_jump_clicked(self, message: ArticleView.JumpClicked) -> None:
        self.open_article(message.target)

    def on_article_view_scrolled(self, message: ArticleView.Scrolled) -> None:
        self.read_marker.now()

    def _mark_read(self, article_id: str) -> None:
        """What the read marker does: the article read, its marks and the masthead's count redrawn."""
        self.store.mark_read(article_id)
        self.nav.refresh_marks([article_id])
        if self.current_article is not None and self.current_article.id == article_id:
            self._update_masthead(self.current_article)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer offers J only on an article with a jump marker (which J follows,
        # or says the other page is not in the library).
        if action == "follow_jump":
            views = self.query(ArticleView)  # none yet while the screen is composed
            return views.first().has_jump if views else True
        return True

    def watch_current_id(self) -> None:
        self.refresh_bindings()  # the footer's J follows the open article's jump markers

    # -- the masthead -------------------------------------------------------------

    def _update_masthead(self, article: Article) -> None:
        where = self.library.locate(article.id) if self.library is not None else None
        self.masthead_text = masthead_line(article, where, self.store.is_read)

    def watch_masthead_text(self) -> None:
        self._draw_masthead()

    def watch_library_progress(self) -> None:
        self._draw_masthead()

    def watch_match_status(self) -> None:
        self._draw_masthead()

    def _draw_masthead(self) -> None:
        progress = f"⟳ {self.library_progress}" if self.library_progress else ""
        # Whatever is on top of this screen (help, search, the palette); gone while closing.
        for masthead in self.query("#masthead").results(Static):
            width = masthead.content_region.width or self.app.size.width - 2
            masthead.update(fitted_masthead(self.masthead_text or "tuireader", progress,
                                            self.match_status or "", width=width))

    # -- layout: folding the contents ----------------------------------------------

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def _update_narrow(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        was_narrow = self.narrow
        self.set_class(narrow, "-narrow")
        if not self._layout_known or narrow != was_narrow:
            # Wide: the contents are there; narrow: the article takes the screen.
            self._layout_known = True
            self.contents_shown = not narrow

    def watch_contents_shown(self, shown: bool) -> None:
        self.set_class(not shown, "-nav-hidden")
        self.set_class(shown, "-nav-shown")
        if shown and self.narrow:
            self.nav.focus()
        elif not shown and self.nav.has_focus:
            self.article_view.focus()

    def action_toggle_nav(self) -> None:
        self.contents_shown = not self.contents_shown
        if self.contents_shown:
            self.nav.focus()
            if self.current_id:
                self.nav.select_article(self.current_id)
        else:
            self.article_view.focus()

    def action_leave_nav(self) -> None:
        """Esc in the contents: back to the article (folding the contents when narrow)."""
        if self.current_id is None:
            return
        if self.narrow:
            self.contents_shown = False
        self.article_view.focus()

    def action_jump_date(self) -> None:
        if self.library is None:
            return
        if not self.contents_shown:
            self.contents_shown = True
        self.nav.focus()
        self.nav.prompt_date()

    # -- moving through the paper ------------------------------------------------

    def _go(self, step: int, pages: bool) -> None:
        """Open the article ``step`` away in reading order, or the first of the page
        ``step`` pages away (``pages``); the first article when none is open."""
        library = self.library
        if library is None or not len(library):
            return
        if self.current_id is not None and self.current_id in library:
            find = library.section_neighbour if pages else library.neighbour
            target = find(self.current_id, step)
        else:
            target = library.first_id()
        if target is not None:
            self.open_article(target)
        elif pages:
            self.notify(_("No more pages.") if step > 0 else _("This is the first page."), timeout=2)
        else:
            self.notify(_("No more articles.") if step > 0 else _("This is the first article."), timeout=2)

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
            self.notify(_("This article has no jump to another page."), timeout=3)
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
        self.notify(_("The continuation is not available in this library."), severity="warning", timeout=4)

    def action_back(self) -> None:
        while self.history:
            article_id, paragraph = self.history.pop()
            if self.library is not None and article_id in self.library:
                self.open_article(article_id, paragraph=paragraph, remember=False)
                return
        self.notify(_("Nothing to go back to."), timeout=2)

    def action_next_unread(self) -> None:
        if self.library is None:
            return
        # The ids alone, in reading order from the open article round to it again.
        read = self.store.state.read  # issues not built yet and read through are passed over unbuilt
        for article_id in self.library.ids(after=self.current_id, wrap=True, skip_read=read):
            if not self.store.is_read(article_id) and self._counts_as_unread(article_id):
                self.open_article(article_id)
                return
        self.notify(_("Every article has been read."), timeout=3)

    def _counts_as_unread(self, article_id: str) -> bool:
        """Not a link item (asked only of unread ids: builds no more issues than ``u`` opens)."""
        where = self.library.locate(article_id) if self.library is not None else None
        return where is None or where[2].counts_as_unread

    # -- read state ----------------------------------------------------------------

    def action_toggle_read(self) -> None:
        if not self.current_id:
            return
        if self.read_marker.pending == self.current_id:
            # Not marked yet: x keeps it unread, and the timer does not overrule that.
            self.read_marker.cancel()
            self.notify("Marked unread.", timeout=2)
            return
        if self.store.is_read(self.current_id):
            self.store.mark_unread(self.current_id)
            self.notify(_("Marked unread."), timeout=2)
        else:
            self.store.mark_read(self.current_id)
            self.notify(_("Marked read."), timeout=2)
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
        self.notify(ngettext(
            "Marked {n} article of {issue} read.", "Marked {n} articles of {issue} read.", count).format(
            n=count, issue=clean(issue.label)), markup=False, timeout=3)

    def _position(self) -> tuple[str, int] | None:
        if self.current_id and self.library is not None:
            return self.current_id, self.article_view.paragraph_in_view()
        return None

    # -- reading comfort ---------------------------------------------------------

    def action_outline(self) -> None:
        from tuireader.ui.screens.outline import OutlineScreen

        view = self.article_view
        article = view.article
        subheads = view.subheads()
        if article is None or not subheads:
            self.notify(_("This article has no subheads to outline."), timeout=3)
            return
        self.app.push_screen(OutlineScreen(clean(article.headline), subheads), self._outline_chosen)

    def _outline_chosen(self, block: object) -> None:
        if isinstance(block, int):
            self.article_view.scroll_to_paragraph(block)
            self.article_view.focus()

    def action_copy(self) -> None:
        if self.current_article is not None:
            self.app.copy_to_clipboard(headline_and_source(self.current_article))
            self.notify(_("Copied the headline and source."), timeout=2)

    def article_action(self, action: str) -> None:
        """Run one of the article view's own actions (from the palette)."""
        self.article_view.focus()
        self.call_later(self.article_view.run_action, action)

    def action_problems(self) -> None:
        from tuireader.ui.screens.problems import ProblemsScreen

        problems = list(self.library.problems) if self.library is not None else []
        state = [_("reading state: {problem}").format(problem=self.store.problem)] if self.store.problem else []
        self.app.push_screen(ProblemsScreen(problems, self.extra_problems + state))

    # -- bookmarks (tuireader/ui/screens/bookmarks.py) --------------------------------

    def action_toggle_bookmark(self) -> None:
        """``m``: bookmark the open article at the paragraph in view, or remove its bookmark."""
        article = self.current_article
        if self.bookmarks is None or article is None or not article.id:
            self.notify(_("Open an article to bookmark it."), timeout=3)
            return
        self._show_notice(self.bookmarks.toggle(article, self.article_view.paragraph_in_view()))
        self.refresh_marks([article.id])

    def action_bookmarks(self) -> None:
        """``'``: the bookmarks screen; what it picks is opened here."""
        from tuireader.ui.screens.bookmarks import BookmarksScreen

        if self.bookmarks is None:
            self.notify(_("Bookmarks are not available."), timeout=3)
            return
        self.app.push_screen(BookmarksScreen(self.bookmarks.store, self.library), self._bookmark_picked)

    def _bookmark_picked(self, request: OpenRequest | None) -> None:
        self.refresh_marks()  # notes, tags and deletions made on that screen
        self.open_request(request)

    def _show_notice(self, notice: Notice | None) -> None:
        if notice is not None:
            self.notify(clean(notice.text), severity=notice.severity, markup=False, timeout=notice.timeout)

    def _reconcile_bookmarks(self, library: Library) -> None:
        if self.bookmarks is not None:
            changed, notices = self.bookmarks.reconcile(library)
            if changed:
                self.refresh_marks(changed)
            for notice in notices:
                self._show_notice(notice)
