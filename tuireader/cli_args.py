"""The command line's grammar: subcommand names, the shared options, and a parser
whose errors are one line. ``cli`` runs commands with it; ``restricted`` reads a
forced SSH command with it (and so imports this, not ``cli``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from tuireader import __version__

#: Subcommand name -> module with ``configure(parser)`` and ``run(args) -> int``.
SUBCOMMANDS: dict[str, str] = {
    "dump": "tuireader.commands.dump",
    "check": "tuireader.commands.check",
    "search": "tuireader.commands.search",
    "index": "tuireader.commands.index",
    "bookmarks": "tuireader.commands.bookmarks",
}

#: Global options that take a value (so the dispatcher can skip the value).
_VALUE_OPTIONS = {
    "--config", "--bookmarks", "--reader", "--theme", "--limit", "--format", "-o", "--output", "--note", "--tag",
}


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one clear line, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"tuireader {__version__}")
    parser.add_argument("--config", metavar="FILE", help="use this config file")
    parser.add_argument("--bookmarks", metavar="FILE", help="use this bookmarks file")
    parser.add_argument("--reader", metavar="NAME", help="keep this reader's data apart (shared accounts)")
    parser.add_argument("--restricted", action="store_true", help="read-only, no escapes (forced SSH command)")
    parser.add_argument("--no-mouse", action="store_true", help="do not turn on mouse tracking")
    parser.add_argument("--theme", metavar="NAME", help="start with this theme")


def make_parser(prog: str, description: str | None = None) -> Parser:
    parser = Parser(prog=prog, description=description)
    add_common_options(parser)
    return parser


def parse_command_line(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Options anywhere among the arguments; ``--`` ends options.

    ``parse_intermixed_args`` mishandles ``--`` in Python 3.11, so what
    follows it is handed to the positional arguments here, in order.
    """
    argv = list(argv)
    if "--" not in argv:
        return parser.parse_intermixed_args(argv)
    cut = argv.index("--")
    head, tail = argv[:cut], argv[cut + 1 :]
    positionals = [a for a in parser._actions if not a.option_strings]
    saved = [(a, a.nargs, a.required) for a in positionals]
    for a in positionals:
        if a.nargs is None:
            a.nargs = "?"
        a.required = False
    try:
        ns = parser.parse_intermixed_args(head)
    finally:
        for a, nargs, required in saved:
            a.nargs, a.required = nargs, required
    for a, nargs, _ in saved:
        current = getattr(ns, a.dest, None)
        if nargs is None:
            if current is None and tail:
                setattr(ns, a.dest, tail.pop(0))
            elif current is None:
                raise UsageError(f"the following arguments are required: {a.metavar or a.dest}")
        elif nargs in ("*", "+"):
            setattr(ns, a.dest, list(current or []) + tail)
            tail = []
    if tail:
        raise UsageError(f"unrecognized arguments: {' '.join(tail)}")
    return ns


def find_subcommand(argv: Sequence[str]) -> str | None:
    """The subcommand named by the first non-option argument, if any."""
    found = _subcommand_position(argv)
    return argv[found] if found is not None else None


def _subcommand_position(argv: Sequence[str]) -> int | None:
    found = first_word(argv, _VALUE_OPTIONS)
    return found if found is not None and argv[found] in SUBCOMMANDS else None


def first_word(argv: Sequence[str], value_options: set[str]) -> int | None:
    """Index of the first argument that is neither an option nor an option's
    value (``-`` alone is a word: standard input); None if ``--`` comes first."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            return None
        if arg.startswith("-") and arg != "-":
            skip = arg in value_options
            continue
        return i
    return None
