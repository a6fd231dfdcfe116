"""Search as you type (``/``), and find within the open article (``f``).

The engine is ``tuireader.search``: queries run in a thread worker
(``exclusive``: a newer keystroke cancels a stale query), the index is built
or updated in a worker of the reading screen (segmenting in separate
processes) so it carries on when the search screen closes, and results cover whatever is indexed so
far while it runs. Article text is data: every row is built from
``rich.text.Text`` pieces of cleaned text, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tuireader.i18n import N_, _, ngettext
from tuireader.text.sanitize import clean, clean_line
from tuireader.ui.messages import OpenRequest
from tuireader.ui.textual_compat import ReaderFooter
from tuireader.ui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from tuireader.search import Result, Searcher

#: Results asked of the engine per keystroke.
RESULT_LIMIT = 50
#: Seconds between looks at the index while it is being built.
POLL_INTERVAL = 0.3


# ------------------------------------------------------------------ the search a reader left


@dataclass
class SearchSession:
    """What search keeps between visits to the screen: the engine, the indexing job,
    the last query, its results and the cursor. The reading screen holds one (``host``),
    and the index is built in a worker of that screen, so it carries on when search closes."""

    roots: list[Path]
    host: DOMNode
    searcher: Searcher | None = None
    building: bool = False
    progress: tuple[int, int] = (0, 0)
    #: Why results may be partial or missing (shown under the query).
    note: str = ""
    generation: int = 0  # bumped whenever the index changed under us
    query: str = ""
    results: list[Result] = field(default_factory=list)
    #: Matches per year or month of the last query (``Response.timeline``).
    timeline: dict[str, int] = field(default_factory=dict)
    highlighted: int | None = None
    status: str = ""
    newest: bool = False

    def engine(self) -> Searcher:
        if self.searcher is None:
            from tuireader.search import Searcher

            self.searcher = Searcher(self.roots)
        return self.searcher

    def start_indexing(self) -> None:
        """Bring the index up to date in the background (once at a time)."""
        if self.building:
            return
        self.building = True
        self.note = _("checking the index…")
        self.host.run_worker(self._index_job, thread=True, exclusive=True, group="search-index",
                             name="search index")

    def _index_job(self) -> None:
        from tuireader.ui.indexing import build_index

        def progress(done: int, total: int) -> None:
            self.progress = (done, total)
            self.note = indexing_note(done, total)

        changed = False
        try:
            # In a process of its own, which quitting stops (tuireader/ui/indexing.py);
            # jieba never loads in the UI process.
            outcome, value = build_index(self.roots, progress)
        except Exception as exc:  # never a traceback: say so and search what there is
            self.note = clean_line(_("indexing failed: {error}").format(error=f"{type(exc).__name__}: {exc}"))
        else:
            changed = outcome == "done" and bool(value)
            if outcome == "failed":
                self.note = clean_line(_("indexing failed: {error}").format(error=value))
            elif outcome == "done" and not value and not self._index_ready():
                self.note = _("another tuireader is indexing this library — results cover what is ready")
            else:
                self.note = ""
        finally:
            self.building = False
            if changed:  # the index changed: screens ask again
                self.generation += 1
                if self.searcher is not None:
                    self.searcher.reset()  # a rebuilt file is a new database

    def _index_ready(self) -> bool:
        complete, _ = self.engine().status()
        return complete


def indexing_note(done: int, total: int) -> str:
    """How far the index is built, in a reader's terms: a share, not a count of files."""
    if total <= 0:
        return _("preparing the index…")
    return _("indexing… {percent}% (results so far cover what is indexed)").format(percent=done * 100 // total)


# ------------------------------------------------------------------ rows


def highlighted_text(text: str, spans: list[tuple[int, int]], style: str, base: str = "") -> Text:
    """``text`` with ``spans`` styled; each piece cleaned on its own so spans stay true."""
    out = Text(style=base, no_wrap=True, overflow="ellipsis")
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end <= start:
            continue
        out.append(clean(text[pos:start]))
        out.append(clean(text[start:end]), style=style)
        pos = end
    out.append(clean(text[pos:]))
    return out


def result_row(result: Result, width: int = 78) -> Text:
    """Two lines cut to ``width`` cells: the headline with its matches and where it
    ran (always shown); the snippet with its match."""
    headline = result.headline or result.kicker or _("(untitled)")
    spans = result.headline_spans if result.headline else []
    where = " ".join(x for x in (result.paper, result.date, f"第{result.page}版" if result.page else None) if x)
    where = clean_line(where)
    marker = _("[photo] ") if result.kind == "photo" else ""
    head = highlighted_text(headline, spans, "bold reverse", base="bold")
    room = width - cell_len(marker) - (cell_len(where) + 2 if where else 0)
    head.truncate(max(room, 10), overflow="ellipsis")
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(marker, style="dim")
    row.append_text(head)
    if where:
        row.append("  " + where, style="dim")
    snippet = " ".join(result.snippet.split()) if result.snippet else ""
    line2 = Text("  ", no_wrap=True)
    line2.append_text(highlighted_text(snippet, result.snippet_spans if snippet == result.snippet else [],
                                       "reverse", base="dim"))
    line2.truncate(width, overflow="ellipsis")
    row.append("\n")
    row.append_text(line2)
    return row


# ------------------------------------------------------------------ the screen


class SearchScreen(Screen[OpenRequest | None]):
    """Type to search every article; Enter opens the highlighted one, Esc goes back."""

    CSS_PATH = "../search.tcss"
    AUTO_FOCUS = "#search-input"

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="search_close"),
        Binding("down", "cursor(1)", N_("Next result"), id="search_next", show=False),
        Binding("up", "cursor(-1)", N_("Previous result"), id="search_prev", show=False),
        Binding("pagedown", "cursor(10)", N_("Results page down"), id="search_page_down", show=False),
        Binding("pageup", "cursor(-10)", N_("Results page up"), id="search_page_up", show=False),
        Binding("ctrl+o", "toggle_newest", N_("Newest first"), id="search_newest"),
    ]

    def __init__(self, session: SearchSession, restore: bool = False, query: str | None = None) -> None:
        super().__init__()
        self.session = session
        self._restore = restore
        self._query = query  # searched at once (a keyword chosen in reading onward)
        self._shown_query: str | None = None
        self._seen_generation = session.generation
        self._indexed = -1

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder=_("Search: 词语, 拼音 (gaozong, szfz), by:陈卓 page:1 date:2025-06 kind:photo …"),
            id="search-input", select_on_focus=False, max_length=256,  # query.MAX_QUERY_CHARS
        )
        yield Static(id="search-status")
        yield ProgressBar(id="search-progress", show_eta=False)
        yield Timeline(id="search-timeline")
        yield OptionList(id="search-results")
        yield ReaderFooter()

    def on_mount(self) -> None:
        session = self.session
        self.query_one("#search-progress", ProgressBar).display = False
        if self._restore and session.query:
            self._shown_query = session.query
            self.input.value = session.query
            self.input.cursor_position = len(session.query)
            self._show(session.results, session.status, keep=session.highlighted)
            self.timeline.show(session.timeline)
        elif self._query:
            self.input.value = self._query
            self.input.cursor_position = len(self._query)
        session.start_indexing()
        self._poll()
        self.set_interval(POLL_INTERVAL, self._poll)

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#search-timeline", Timeline)

    @property
    def results_list(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    # -- typing -------------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        if event.value == self._shown_query:
            return  # restored as it was: keep the results and the cursor
        self.run_query(event.value)

    @work(thread=True, exclusive=True, group="search-query")
    def run_query(self, text: str) -> None:
        worker = get_current_worker()
        session = self.session
        if not text.strip():
            self.app.call_from_thread(self._show_query_results, text, [], "")
            return
        from tuireader.search import parse

        query = parse(text)
        if query.errors:
            self.app.call_from_thread(self._show_query_results, text, None, clean_line(query.errors[0]))
            return
        try:
            # the timeline is counted after the rows are shown: it never costs the keystroke
            response = session.engine().search(query, limit=RESULT_LIMIT, newest=session.newest, timeline=False)
        except Exception as exc:  # a damaged index: rebuild it, meanwhile say so
            session.note = clean_line(_("the index could not be read ({error}); rebuilding it").format(
                error=type(exc).__name__))
            session.engine().reset()
            self.app.call_from_thread(session.start_indexing)
            self.app.call_from_thread(self._show_query_results, text, [], "")
            return
        if worker.is_cancelled:
            return  # a newer keystroke already asked again
        count = len(response.results)
        shown = ngettext("{n} result", "{n} results", count).format(n=f"{count}{'+' if count >= RESULT_LIMIT else ''}")
        status = f"{shown} · {response.took_ms:.0f} ms"
        if session.newest:
            status += " · " + _("newest first")
        if response.cut:  # past the box's time budget: what was found by then
            status += " · " + _("cut short: the results found in time")
        if not count and not response.complete:
            # none yet, while the index is built: no "0 results", the note says how far it is
            status = "" if session.note else _("no results yet: the index is not complete")
        self.app.call_from_thread(self._show_query_results, text, response.results, status)
        if worker.is_cancelled or not response.results:
            return
        try:
            counts = session.engine().timeline(response)
        except Exception:  # a damaged index: the next keystroke's search says so and rebuilds
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_timeline, text, counts)

    def _show_timeline(self, text: str, counts: dict[str, int]) -> None:
        if text != self.input.value:
            return  # stale: the reader typed on
        self.session.timeline = counts
        self.timeline.show(counts)

    def _show_query_results(self, text: str, results: list[Result] | None, status: str) -> None:
        if text != self.input.value:
            return  # stale: the reader typed on
        if results is None:  # a message about the query itself, results kept
            self._set_status(status)
            return
        same = text == self.session.query  # the index grew under the same query: keep the cursor
        self.session.query = text
        if not results:  # nothing to count (the counts of the query before would mislead)
            self._show_timeline(text, {})
        self._show(results, status, keep=self.session.highlighted if same else None)

    def _show(self, results: list[Result], status: str, keep: int | None = None) -> None:
        session = self.session
        session.results = list(results)
        session.status = status
        option_list = self.results_list
        option_list.clear_options()
        width = self._row_width()
        option_list.add_options([Option(result_row(r, width), id=f"r{i}") for i, r in enumerate(results)])
        if results:
            option_list.highlighted = keep if keep is not None and 0 <= keep < len(results) else 0
        session.highlighted = option_list.highlighted
        self._set_status(status)

    def _row_width(self) -> int:
        """Cells a result row may take: the list's width less its padding and a scrollbar
        (counted before it appears, so a row that makes it appear never wraps)."""
        option_list = self.results_list
        inner = option_list.region.shrink(option_list.styles.gutter).width or (self.size.width or 80) - 2
        return max(inner - option_list.styles.scrollbar_size_vertical - 1, 20)

    def on_resize(self) -> None:
        """Rows are cut to the width: cut them again to the new one."""
        if self.session.results and self.is_mounted:
            self.call_after_refresh(self._redraw_rows)

    def _redraw_rows(self) -> None:
        session = self.session
        self._show(session.results, session.status, keep=session.highlighted)

    def _set_status(self, status: str) -> None:
        note = self.session.note
        if not self.input.value.strip() and not note:
            status = _("Type to search every article. Enter opens, Esc goes back, Ctrl+O newest first.")
        line = " · ".join(x for x in (status, note) if x)
        self.query_one("#search-status", Static).update(Text(clean_line(line)))

    # -- the index being built --------------------------------------------------

    def _poll(self) -> None:
        session = self.session
        bar = self.query_one("#search-progress", ProgressBar)
        if session.building:
            done, total = session.progress
            bar.display = total > 0
            if total:
                bar.update(total=total, progress=done)
        else:
            bar.display = False
        # new articles indexed (or a rebuild finished): ask again, keeping the cursor
        changed = session.generation != self._seen_generation
        if session.building or changed:
            _, count = session.engine().status()
            if (count != self._indexed or changed) and self.input.value.strip():
                self.run_query(self.input.value)
            self._indexed = count
            self._seen_generation = session.generation
        self._set_status(session.status)

    # -- moving and choosing ------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        option_list = self.results_list
        if not option_list.option_count:
            return
        current = option_list.highlighted if option_list.highlighted is not None else -1
        option_list.highlighted = max(0, min(option_list.option_count - 1, current + step))
        self.session.highlighted = option_list.highlighted

    @on(OptionList.OptionHighlighted, "#search-results")
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        self.session.highlighted = event.option_index

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        self._open(self.results_list.highlighted)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int | None) -> None:
        results = self.session.results
        if index is None or not 0 <= index < len(results):
            self.app.bell()
            return
        self.session.highlighted = index
        result = results[index]
        self.dismiss(OpenRequest(result.article_id, terms=list(result.terms)))

    @on(Timeline.Chosen, "#search-timeline")
    def _period_chosen(self, event: Timeline.Chosen) -> None:
        """Enter on a bar: that period becomes the query's ``date:`` filter (the results narrow)."""
        from tuireader.search.query import with_date

        text = with_date(self.input.value, event.period)
        self.input.value = text
        self.input.cursor_position = len(text)

    def action_toggle_newest(self) -> None:
        self.session.newest = not self.session.newest
        self.notify(_("Newest first") if self.session.newest else _("Best first"), timeout=2)
        if self.input.value.strip():
            self.run_query(self.input.value)

    def action_close(self) -> None:
        self.dismiss(None)


# ------------------------------------------------------------------ find in the article


def find_terms(article: Any, text: str) -> list[str]:
    """The stretches of the article that match ``text`` once both are folded
    (full-/half-width, case, traditional -> simplified), as the article writes them."""
    from tuireader.search.fold import fold

    needle = fold(text.strip())
    if not needle:
        return []
    pieces = [article.kicker, article.headline, *article.subheadlines, *article.bylines, article.dateline]
    for block in article.blocks:
        pieces.extend([block.text, block.credit])
    found: dict[str, None] = {}
    for piece in pieces:
        if not piece:
            continue
        folded = fold(piece)  # same length as piece
        start = folded.find(needle)
        while start >= 0:
            found[piece[start : start + len(needle)]] = None
            start = folded.find(needle, start + len(needle))
    return list(found)


class FindScreen(ModalScreen[None]):
    """A one-line prompt at the bottom; matches light up in the article as you type."""

    CSS_PATH = "../search.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Clear and close"), id="find_cancel"),
        Binding("down,ctrl+n", "step(1)", N_("Next match"), id="find_next", show=False),
        Binding("up,ctrl+p", "step(-1)", N_("Previous match"), id="find_prev", show=False),
    ]

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static(id="find-status")
        yield Input(placeholder=_("Find in this article (Enter keeps the marks, n/N step, Esc clears)"),
                    id="find-input")

    def on_mount(self) -> None:
        self.query_one("#find-input", Input).focus()

    @on(Input.Changed, "#find-input")
    def _typed(self, event: Input.Changed) -> None:
        article = self.view.article
        terms = find_terms(article, event.value) if article is not None else []
        self.view.highlight(terms)
        count = self.view.match_count
        found = ngettext("{n} match", "{n} matches", count).format(n=count) if count else _("no match")
        status = found if event.value.strip() else ""
        self.query_one("#find-status", Static).update(Text(status))

    @on(Input.Submitted, "#find-input")
    def _done(self) -> None:
        self.dismiss(None)

    def action_step(self, step: int) -> None:
        if step > 0:
            self.view.next_match()
        else:
            self.view.prev_match()

    def action_cancel(self) -> None:
        self.view.highlight([])
        self.dismiss(None)
