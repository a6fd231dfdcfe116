"""``tuireader search QUERY [PATH...] [--json] [--limit N] [--newest]``.

The same engine as the app. The index is brought up to date first (a walk
and a stat per file when nothing changed).
"""

from __future__ import annotations

import argparse
import sys

from tuireader.cli import UsageError, argument_text, resolve_library_paths
from tuireader.commands import json_for_terminal


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Search a library (Chinese words, fragments, typos, pinyin, filters)."
    parser.add_argument("query", metavar="QUERY", help="one argument; quote several words, put -- before a leading -")
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default 20)")
    parser.add_argument("--newest", action="store_true", help="newest first instead of best first")


def run(args: argparse.Namespace) -> int:
    from tuireader.commands.index import ProgressReporter
    from tuireader.search import Searcher, ensure_index, parse
    from tuireader.text.sanitize import clean_line

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    args.query = argument_text(args.query)  # bytes that are not UTF-8 never reach the index or the output
    query = parse(args.query)
    if query.errors:
        raise UsageError(query.errors[0])
    if query.empty:
        raise UsageError("empty query")
    roots = resolve_library_paths(args)
    ensure_index(roots, progress=ProgressReporter("indexing"))
    response = Searcher(roots).search(query, limit=args.limit, newest=args.newest)
    out = sys.stdout
    if args.json:
        doc = {
            "query": args.query,
            "took_ms": round(response.took_ms, 2),
            "results": [r.to_json() for r in response.results],
        }
        out.write(json_for_terminal(doc))  # C1 controls and bidi overrides escaped
        out.write("\n")
        return 0
    if not response.results:
        print("no results", file=sys.stderr)
        return 0
    for r in response.results:
        where = " ".join(x for x in (r.paper, r.date, f"第{r.page}版" if r.page else None) if x)
        out.write(f"{r.article_id}  {clean_line(r.headline or r.kicker or '')}  ({clean_line(where)})\n")
        if r.snippet:
            out.write(f"    {clean_line(r.snippet)}\n")
    return 0
