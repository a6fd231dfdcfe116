"""``tuireader search QUERY [PATH...] [--json] [--limit N] [--newest]``.

The same engine as the app. The index is brought up to date first (a walk
and a stat per file when nothing changed). ``QUERY`` ``-`` is batch mode: one
query per line of standard input, one JSON object per line out (JSON Lines),
the index opened once.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, BinaryIO

from tuireader.cli import UsageError, argument_text, resolve_library_paths
from tuireader.commands import json_for_terminal

#: Seconds of work a query may take from the command line (the search box allows 0.3).
CLI_BUDGET = 3.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Search a library (Chinese words, fragments, typos, pinyin, filters)."
    parser.add_argument("query", metavar="QUERY",
                        help="one argument; quote several words, put -- before a leading -; "
                             "- reads one query per line from standard input (with --json: JSON Lines)")
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default 20)")
    parser.add_argument("--newest", action="store_true", help="newest first instead of best first")


def run(args: argparse.Namespace) -> int:
    from tuireader.commands.index import bring_index_up_to_date
    from tuireader.search import parse

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    args.query = argument_text(args.query)  # bytes that are not UTF-8 never reach the index or the output
    batch = args.query == "-"
    if batch and not args.json:
        raise UsageError("search - reads queries from standard input and prints JSON Lines: add --json")
    if not batch:
        query = parse(args.query)
        if query.errors:
            raise UsageError(query.errors[0])
        if query.empty:
            raise UsageError("empty query")
    roots = resolve_library_paths(args)
    bring_index_up_to_date(args, roots)
    search = _Search(roots)
    if batch:
        return _run_batch(search, args, sys.stdin.buffer)
    response = search(query, args)
    out = sys.stdout
    if args.json:
        out.write(json_for_terminal(_response_json(args.query, response)))  # C1 controls, bidi escaped
        out.write("\n")
        return 0
    if response.cut:
        print(f"search cut short after {CLI_BUDGET:g} s: these are the results found by then", file=sys.stderr)
    if not response.results:
        print("no results", file=sys.stderr)
        return 0
    from tuireader.text.sanitize import clean_line

    for r in response.results:
        where = " ".join(x for x in (r.paper, r.date, f"第{r.page}版" if r.page else None) if x)
        out.write(f"{r.article_id}  {clean_line(r.headline or r.kicker or '')}  ({clean_line(where)})\n")
        if r.snippet:
            out.write(f"    {clean_line(r.snippet)}\n")
    return 0


class _Search:
    """Searches, and when the index turns out damaged (a reader marks it), rebuilds it and asks again."""

    def __init__(self, roots):
        from tuireader.search import Searcher

        self.roots = roots
        self.searcher = Searcher(roots)

    def __call__(self, query, args: argparse.Namespace):
        from tuireader.commands.index import index_problem
        from tuireader.search import Searcher, ensure_index
        from tuireader.search.index import IndexError_

        try:
            return self.searcher.search(query, limit=args.limit, newest=args.newest, budget=CLI_BUDGET)
        except (ValueError, IndexError_):
            pass  # marked damaged by the searcher: rebuilt now, once
        try:
            ensure_index(self.roots)
            self.searcher = Searcher(self.roots)
            return self.searcher.search(query, limit=args.limit, newest=args.newest, budget=CLI_BUDGET)
        except (OSError, ValueError, IndexError_) as exc:
            raise UsageError(index_problem("the search index could not be repaired", self.roots, exc)) from None


def _response_json(text: str, response) -> dict[str, Any]:
    return {
        "query": _printable(text),
        "took_ms": round(response.took_ms, 2),
        "cut": response.cut,
        "results": [r.to_json() for r in response.results],
        "timeline": response.timeline,
    }


def _printable(text: str) -> str:
    """The query as valid UTF-8: bytes that were not (kept by Python as surrogates) become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _json_line(doc: dict[str, Any]) -> str:
    """``doc`` as one line of JSON, safe to print (``sanitize.json_text``)."""
    from tuireader.text.sanitize import json_text

    return json_text(doc, indent=None)


def _read_lines(stream: BinaryIO, most: int):
    """Lines of ``stream`` as text, each read up to ``most`` bytes (a longer one is cut there
    and flagged): a line with no end is never held whole."""
    while True:
        line = stream.readline(most + 1)
        if not line:
            return
        too_long = len(line) > most and not line.endswith(b"\n")
        if too_long:
            while line and not line.endswith(b"\n"):  # skip the rest of it, a bounded piece at a time
                line = stream.readline(1 << 16)
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        yield text, too_long


def _run_batch(search: _Search, args: argparse.Namespace, stream: BinaryIO) -> int:
    from tuireader.search import parse
    from tuireader.search.query import MAX_QUERY_CHARS

    out = sys.stdout
    bad = 0
    for text, too_long in _read_lines(stream, MAX_QUERY_CHARS * 4):
        query = parse(text)
        error = (f"query too long (at most {MAX_QUERY_CHARS} characters)" if too_long
                 else query.errors[0] if query.errors else "empty query" if query.empty else None)
        if error is not None:
            bad += 1
            out.write(_json_line({"query": _printable(text), "error": error}) + "\n")
            continue
        response = search(query, args)
        out.write(_json_line(_response_json(text, response)) + "\n")
        out.flush()  # a script reading the answers one by one gets each at once
    if bad:
        print(f"tuireader: {bad} {'query' if bad == 1 else 'queries'} could not be run (see \"error\")",
              file=sys.stderr)
        return 2
    return 0
