"""``tuireader check [PATH...]``: every file that could not be read or yielded nothing."""

from __future__ import annotations

import argparse

from tuireader.cli import resolve_library_paths
from tuireader.library import Library
from tuireader.text.sanitize import clean_line


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "List files that could not be read; exit 1 if any."
    parser.add_argument("paths", nargs="*", metavar="PATH")


def run(args: argparse.Namespace) -> int:
    lib = Library.open(resolve_library_paths(args))
    if lib.from_catalogue:  # the catalogue may be older than the files: look at them
        lib = lib.refresh() or lib
    for p in lib.problems:
        print(f"{clean_line(p.path)}: {clean_line(p.reason)}")
    n_articles = len(lib)
    summary = f"{n_articles} articles in {len(lib.issues)} issues; {len(lib.problems)} files with problems"
    print(summary)
    return 1 if lib.problems else 0
