"""Search (``/``), the way back to its results (Esc) and find in the article (``f``, ``n``/``N``):
the reading screen's keys for them, kept here so that screen stays readable."""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.reactive import var
from textual.screen import Screen

from tuireader.i18n import _
from tuireader.ui.messages import OpenRequest
from tuireader.ui.widgets.article_layout import Onward
from tuireader.ui.widgets.article_view import ArticleView

#: Seconds on an article before its keywords and related articles are asked of the index.
ONWARD_AFTER = 0.25

if TYPE_CHECKING:
    from textual.timer import Timer

    from tuireader.model import Article
    from tuireader.search.engine import Result
    from tuireader.ui.screens.search import SearchSession


class SearchActions(Screen[None]):
    """The reading screen's search and find (``ReaderScreen`` is one)."""

    match_status: var[str | None] = var(None)
    """Which highlighted match is on screen (``3/19``), at the masthead's end (None: no matches)."""

    library_paths: list[Path]
    search_session: SearchSession | None
    #: The article opened from the search results, while it is on screen: Esc goes back to them.
    _from_search: str | None = None
    _onward_timer: Timer | None = None

    if TYPE_CHECKING:
        current_id: str | None

        @property
        def article_view(self) -> ArticleView: ...

        @property
        def current_article(self) -> Article | None: ...

        def open_request(self, request: OpenRequest | None) -> None: ...

    # -- search and find (tuireader/ui/screens/search.py) ----------------------------

    def action_search(self, restore: bool = False, query: str | None = None) -> None:
        """``/``: the search screen, on the search the reader left (or on ``query``); what it
        picks is opened here."""
        from tuireader.ui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self._session(), restore=restore, query=query), self._search_picked)

    def _session(self) -> SearchSession:
        from tuireader.ui.screens.search import SearchSession

        if self.search_session is None:
            self.search_session = SearchSession(self.library_paths, host=self)
        return self.search_session

    def _search_picked(self, request: OpenRequest | None) -> None:
        if request is not None and self.search_session is not None:
            self.open_request(request)
            if self.current_id == request.article_id:
                self._from_search = request.article_id

    def action_search_results(self) -> None:
        """Esc in the article opened from the search results (still on screen): the results as
        they were. Any other move (another article, a jump, the bookmarks) ends that way back,
        so Esc never lands in a search left several moves ago."""
        if self._from_search is not None and self._from_search == self.current_id:
            self.action_search(restore=True)

    # -- reading onward (tuireader/ui/screens/onward.py) ---------------------------

    def action_onward(self) -> None:
        """``r``: the article's keywords and related articles, read from the index in a worker."""
        article = self.current_article
        if article is None:
            self.notify(_("Open an article first."), timeout=3)
            return
        session = self._session()
        self.run_worker(lambda: self._onward_job(session, article.id, article.headline or ""), thread=True,
                        exclusive=True, group="onward", name="reading onward")

    @staticmethod
    def _ask_onward(session: SearchSession, article_id: str) -> tuple[list[str], list[Result]] | None:
        """The article's keywords and related articles from the index (None: not there, or damaged:
        marked so the next indexing rebuilds it; never a traceback). Run in a worker."""
        from tuireader.search.onward import onward

        try:
            return onward(session.engine(), article_id)
        except Exception:
            return None

    def _onward_job(self, session: SearchSession, article_id: str, headline: str) -> None:
        found = self._ask_onward(session, article_id)
        self.app.call_from_thread(self._show_onward, session, article_id, headline, found)

    def _show_onward(self, session: SearchSession, article_id: str, headline: str,
                     found: tuple[list[str], list[Result]] | None) -> None:
        from tuireader.ui.screens.onward import OnwardScreen

        if article_id != self.current_id:
            return  # the reader moved on meanwhile
        if found is None:
            session.start_indexing()
            self.notify(_("Not indexed yet: try again once indexing is done."), timeout=3)
            return
        keywords, related = found
        self.app.push_screen(OnwardScreen(headline, keywords, related), self._onward_picked)

    def fetch_onward_soon(self, article_id: str) -> None:
        """Reading onward for the article just opened, once the reader stays on it a moment:
        the article and its masthead are drawn first, and a burst of ] asks the index nothing."""
        if self._onward_timer is not None:
            self._onward_timer.stop()
        self._onward_timer = self.set_timer(ONWARD_AFTER, partial(self.fetch_onward, article_id))

    def fetch_onward(self, article_id: str) -> None:
        """Reading onward at the article's end: keywords and 相关报道 read from the index in a
        worker (the index, and jieba, stay out of the UI thread), set under the article."""
        if article_id != self.current_id:
            return  # already left (a burst of ])
        session = self._session()
        self.run_worker(partial(self._onward_end_job, session, article_id), thread=True, exclusive=True,
                        group="onward-end", name="reading onward at the article's end")

    def _onward_end_job(self, session: SearchSession, article_id: str) -> None:
        found = self._ask_onward(session, article_id)
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            self.app.call_from_thread(self._place_onward, session, article_id, found)

    def _place_onward(self, session: SearchSession, article_id: str,
                      found: tuple[list[str], list[Result]] | None) -> None:
        if article_id != self.current_id:
            return  # the reader moved on meanwhile
        if found is None:
            note = _("Being indexed: keywords and related articles will be shown here.") if session.building \
                else _("Keywords and related articles appear here once indexed: / starts it.")
            block = Onward(article_id, note=note)
        else:
            words, related = found
            block = Onward(article_id, tuple(words), tuple(
                (r.article_id, r.headline, " ".join(x for x in (r.paper, r.date) if x)) for r in related))
        self.article_view.show_onward(block)

    def on_article_view_onward_chosen(self, message: ArticleView.OnwardChosen) -> None:
        self._onward_picked((message.what, message.value))

    def _onward_picked(self, choice: object) -> None:
        if not isinstance(choice, tuple):
            return
        kind, value = choice
        if kind == "search":
            self.action_search(query=value)
        else:
            self.open_request(OpenRequest(value))

    def action_find(self) -> None:
        from tuireader.ui.screens.search import FindScreen

        if self.current_article is None:
            self.notify(_("Open an article to find in it."), timeout=3)
            return
        self.app.push_screen(FindScreen(self.article_view), lambda _none: self._show_match_position())

    def action_next_match(self) -> None:
        self._step_match(+1)

    def action_prev_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        """``n`` / ``N``: the next or previous highlighted match in the article."""
        view = self.article_view
        moved = view.next_match() if step > 0 else view.prev_match()
        if not moved:
            self.notify(_("No matches to step through: search with / or find with f."), timeout=3)
        self._show_match_position()

    def _show_match_position(self) -> None:
        """The masthead says which match is on screen (``3/19``), as less does after a search."""
        position = self.article_view.match_position
        self.match_status = _("match {current}/{total}").format(current=position[0], total=position[1]) \
            if position else None
