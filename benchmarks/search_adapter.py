"""The search engine as the benchmarks reach it: through the calls the app and the CLI make.

Every search benchmark goes through these few functions and nothing else of
``tuireader.search``, so they keep measuring the same thing when the engine
behind those calls changes:

- ``build_index``: what the search screen's indexing job runs (``ensure_index``,
  segmenting in 2 worker processes, jieba never in the calling process);
- ``open_engine``: what ``SearchSession.engine()`` opens;
- ``screen_search``: what ``SearchScreen.run_query`` does on each keystroke
  (``parse``, then ``search(query, limit=RESULT_LIMIT, newest=False)``), then
  what the screen reads of the answer: snippets, highlight spans and the
  timeline when the engine gives one;
- ``cli_search``: ``tuireader search QUERY PATH --json --limit N``, in process;
- ``render_rows``: the screen's rows (``result_row``) put into an ``OptionList``
  and drawn by it, as ``SearchScreen._show`` does.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def result_limit() -> int:
    """The number of results the search screen asks for on each keystroke."""
    from tuireader.ui.screens.search import RESULT_LIMIT  # imports Textual: only where rows are drawn anyway

    return RESULT_LIMIT


def build_index(roots: list[Path], workers: int = 2, progress=None) -> Any:
    """Build or update the index of the library at ``roots`` as the app's indexing job does."""
    from tuireader.search import ensure_index

    return ensure_index(roots, progress=progress, workers=workers, inline_bytes=0)


def open_engine(roots: list[Path]) -> Any:
    from tuireader.search import Searcher

    return Searcher(roots)


@dataclass
class Answer:
    results: list[Any] = field(default_factory=list)
    #: Matches per year or month when the engine returns a timeline, else None.
    timeline: dict[str, int] | None = None
    error: str | None = None
    #: Milliseconds spent counting the timeline after the rows were ready (the screen shows
    #: the rows first, then the timeline), or None when the engine counts it with the rows.
    timeline_ms: float | None = None


def screen_search(engine: Any, text: str, limit: int, newest: bool = False) -> Answer:
    """One keystroke of the search screen: what ``run_query`` asks and what the rows read."""
    if not text.strip():
        return Answer()
    from tuireader.search import parse

    query = parse(text)
    if query.errors:
        return Answer(error=query.errors[0])
    counts_after = callable(getattr(engine, "timeline", None))
    if counts_after:  # as the screen asks: the rows first, the timeline counted after them
        response = engine.search(query, limit=limit, newest=newest, timeline=False)
    else:
        response = engine.search(query, limit=limit, newest=newest)
    for r in response.results:  # what result_row and the article's highlights read
        _ = (r.snippet, r.snippet_spans, r.headline_spans, r.terms)
    if counts_after:
        start = time.perf_counter()
        counts = engine.timeline(response)
        return Answer(list(response.results), dict(counts), timeline_ms=(time.perf_counter() - start) * 1000)
    timeline = getattr(response, "timeline", None)
    if callable(timeline):  # an engine may count the timeline on demand
        timeline = timeline()
    return Answer(list(response.results), dict(timeline) if timeline is not None else None)


def cli_search(text: str, roots: list[Path], limit: int) -> tuple[int, dict | str]:
    """``tuireader search TEXT ROOT... --json --limit N`` in this process: (exit code, JSON or stderr)."""
    from tuireader.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["search", text, *map(str, roots), "--json", "--limit", str(limit)])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    if code == 0 and out.getvalue().strip():
        doc, _ = json.JSONDecoder().raw_decode(out.getvalue().strip())  # the first object, indented or not
        return code, doc
    return code, err.getvalue().strip()


class RowRenderer:
    """The screen's rows in an ``OptionList`` of a headless app, drawn through the widget's own path."""

    def __init__(self, width: int = 100, height: int = 30) -> None:
        self.size = (width, height)

    async def measure(self, answers: list[list[Any]], timings: list[float], cpu: list[float] | None = None) -> None:
        """For each list of results: build the rows and draw the visible lines; ms into ``timings``
        (wall) and ``cpu`` (this process's CPU time)."""
        import time

        from textual.app import App, ComposeResult
        from textual.geometry import Region
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        from tuireader.ui.screens.search import result_row

        class Rows(App[None]):
            def compose(self) -> ComposeResult:
                yield OptionList(id="search-results")

        app = Rows()
        async with app.run_test(size=self.size) as pilot:
            rows = app.query_one(OptionList)
            await pilot.pause()
            for results in answers:
                t, c = time.perf_counter(), time.process_time()
                width = (rows.scrollable_content_region.width or self.size[0]) - 1  # as SearchScreen._show
                rows.clear_options()
                rows.add_options([Option(result_row(r, width), id=f"r{i}") for i, r in enumerate(results)])
                if results:
                    rows.highlighted = 0
                region = rows.scrollable_content_region
                rows.render_lines(Region(0, 0, region.width, region.height))
                timings.append((time.perf_counter() - t) * 1000)
                if cpu is not None:
                    cpu.append((time.process_time() - c) * 1000)
                await pilot.pause()


def rss_anon_mb() -> float:
    """This process's private memory now (RssAnon), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: shared pages included), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
