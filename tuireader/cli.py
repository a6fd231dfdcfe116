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

from tuireader import paths
from tuireader.cli_args import (  # noqa: F401 (the names commands and tests use as cli.*)
    _VALUE_OPTIONS,
    SUBCOMMANDS,
    Parser,
    UsageError,
    _subcommand_position,
    add_common_options,
    find_subcommand,
    first_word,
    make_parser,
    parse_command_line,
)


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
    except UsageError as exc:
        print(f"tuireader: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"tuireader: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except restricted.Refused as exc:
        print(f"tuireader: {exc}", file=sys.stderr)
        return restricted.REFUSED_STATUS
    except Exception as exc:  # a bug: an apology on screen, the traceback in the log folder
        log = restricted.log_crash(exc)
        print(restricted.apology(log, restricted=restricted.is_restricted(argv)), file=sys.stderr)
        return 70
