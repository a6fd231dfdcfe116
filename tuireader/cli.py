"""Command line: ``tuireader [OPTIONS] [PATH...]`` opens the reader; a first
argument that names a subcommand runs it instead.

Textual is imported only when the reader opens, so ``dump``, ``check``,
``search`` and friends start fast and work without a terminal.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from tuireader import __version__, paths

#: Subcommand name -> module with ``configure(parser)`` and ``run(args) -> int``.
SUBCOMMANDS: dict[str, str] = {
    "dump": "tuireader.commands.dump",
    "check": "tuireader.commands.check",
    "search": "tuireader.commands.search",
    "index": "tuireader.commands.index",
    "bookmarks": "tuireader.commands.bookmarks",
}

#: Global options that take a value (so the dispatcher can skip the value).
_VALUE_OPTIONS = {"--config", "--bookmarks", "--reader", "--theme", "--limit", "--format", "-o", "--output", "--note", "--tag"}


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one clear line, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def argument_text(value: str) -> str:
    """An argument meant as text (a query, a note, a tag), valid Unicode.

    Bytes that are not UTF-8 reach Python as lone surrogates; left so they break
    SQLite and JSON output. Decoded as the library's files are: GB18030 (a terminal set
    to GBK sends 法治 that way), else the undecodable bytes become U+FFFD.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


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


def apply_common(args: argparse.Namespace) -> None:
    """Act on the global options every command shares."""
    if getattr(args, "reader", None) is not None:
        try:
            paths.set_reader(args.reader)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    config_path = getattr(args, "config", None)
    if config_path is not None and not Path(config_path).is_file():
        raise UsageError(f"config file not found: {config_path}")


def resolve_library_paths(args: argparse.Namespace) -> list[Path]:
    """PATHs as given, else the configured library, else the bundled seeds."""
    given = [Path(p) for p in (getattr(args, "paths", None) or [])]
    for p in given:
        if not p.exists():
            raise UsageError(f"no such file or folder: {p}")
    if given:
        return given
    from tuireader.store.config import load_config

    config = load_config(getattr(args, "config", None))
    if config.library:
        missing = [p for p in config.library if not p.exists()]
        if missing:
            raise UsageError(f"configured library path not found: {missing[0]}")
        return list(config.library)
    return [paths.bundled_seeds()]


def _run_app(argv: list[str]) -> int:
    parser = make_parser("tuireader", "Read newspapers in the terminal.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders of issues")
    args = parse_command_line(parser, argv)
    apply_common(args)
    library_paths = resolve_library_paths(args)
    from tuireader.ui.app import run_app  # Textual only from here on

    return run_app(library_paths, args)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from tuireader import restricted
    from tuireader.store.config import ConfigError
    from tuireader.text.sanitize import error_line

    try:
        if restricted.is_restricted(argv):
            # A forced SSH command: the client's own command runs only if whitelisted.
            requested = restricted.original_command()
            if requested is not None:
                argv = restricted.command_argv(argv, requested)
            elif _subcommand_position(argv) is None:
                restricted.require_terminal()
        position = _subcommand_position(argv)
        if position is None:
            return _run_app(argv)
        name = argv[position]
        rest = argv[:position] + argv[position + 1 :]
        module = importlib.import_module(SUBCOMMANDS[name])
        parser = make_parser(f"tuireader {name}")
        module.configure(parser)
        args = module.parse(parser, rest) if hasattr(module, "parse") else parse_command_line(parser, rest)
        apply_common(args)
        return int(module.run(args) or 0)
    except (UsageError, ConfigError) as exc:  # what they quote is the reader's input: shown, never acted on
        print(f"tuireader: {error_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except restricted.Refused as exc:
        print(f"tuireader: {error_line(exc)}", file=sys.stderr)
        return restricted.REFUSED_STATUS
    except Exception as exc:  # a bug: an apology on screen, the traceback in the log folder
        log = restricted.log_crash(exc)
        print(restricted.apology(log, restricted=restricted.is_restricted(argv)), file=sys.stderr)
        return 70
