"""``tuireader check [PATH...]``: every file that could not be read or yielded nothing."""

from __future__ import annotations

import argparse
import sys

from tuireader.cli import resolve_library_paths
from tuireader.i18n import _, ngettext
from tuireader.library import Library
from tuireader.model import reason_text
from tuireader.text.sanitize import clean_line


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = _("List the files that could not be read; exit 1 if any, or if there is no article at all.")
    parser.add_argument(
        "paths", nargs="*", metavar="PATH",
        help=_("files or folders (default: the configured library, else the sample)"),
    )


def summary(lib: Library) -> str:
    """``3 articles in 1 issue; 1 file with problems``, each count with its own plural."""
    articles, issues, problems = len(lib), len(lib.issues), len(lib.problems)
    return _("{articles} in {issues}; {problems}").format(
        articles=ngettext("{n} article", "{n} articles", articles).format(n=articles),
        issues=ngettext("{n} issue", "{n} issues", issues).format(n=issues),
        problems=ngettext("{n} file with problems", "{n} files with problems", problems).format(n=problems),
    )


def run(args: argparse.Namespace) -> int:
    lib = Library.open(resolve_library_paths(args))
    if lib.from_catalogue:  # the catalogue may be older than the files: look at them
        lib = lib.refresh() or lib
    for p in lib.problems:
        print(f"{clean_line(p.path)}: {clean_line(reason_text(p.reason))}")
    why_empty = lib.why_empty()
    if why_empty is not None:
        print(f"tuireader: {clean_line(why_empty)}", file=sys.stderr)
        return 1
    print(summary(lib))
    return 1 if lib.problems else 0
