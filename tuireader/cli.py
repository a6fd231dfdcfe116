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

from tuireader import i18n, paths
from tuireader.cli_args import (  # noqa: F401 (the names commands and tests use as cli.*)
    _ARGPARSE_MESSAGES,
    _VALUE_OPTIONS,
    SUBCOMMANDS,
    SUMMARIES,
    Parser,
    UsageError,
    _subcommand_list,
    _subcommand_position,
    add_common_options,
    argument_text,
    find_subcommand,
    first_word,
    localise_help,
    make_parser,
    parse_command_line,
)
from tuireader.i18n import _


def apply_common(args: argparse.Namespace) -> None:
    """Act on the global options every command shares."""
    if getattr(args, "reader", None) is not None:
        try:
            paths.set_reader(args.reader)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    config_path = getattr(args, "config", None)
    if config_path is not None and not Path(config_path).is_file():
        raise UsageError(_("config file not found: {path}").format(path=config_path))


def resolve_library_paths(args: argparse.Namespace) -> list[Path]:
    """PATHs as given, else the configured library, else the bundled seeds."""
    given = [Path(p) for p in (getattr(args, "paths", None) or [])]
    for p in given:
        if not p.exists():
            raise UsageError(_("no such file or folder: {path}").format(path=p))
    from tuireader.ingest import rmrb
    from tuireader.store.config import load_config

    config = load_config(getattr(args, "config", None))
    rmrb.set_papers(config.papers)
    if given:
        return given
    if config.library:
        missing = [p for p in config.library if not p.exists()]
        if missing:
            raise UsageError(_("configured library path not found: {path}").format(path=missing[0]))
        return list(config.library)
    return [paths.bundled_seeds()]


def _run_app(argv: list[str]) -> int:
    parser = make_parser("tuireader", _("Read newspapers in the terminal."))
    parser.epilog = _subcommand_list()
    parser.add_argument("paths", nargs="*", metavar="PATH", help=_("files or folders of issues"))
    args = parse_command_line(parser, argv)
    apply_common(args)
    _suggest_subcommand(args.paths)
    library_paths = resolve_library_paths(args)
    from tuireader.ui.app import run_app  # Textual only from here on

    return run_app(library_paths, args)


def _suggest_subcommand(given: Sequence[str]) -> None:
    """``tuireader serach foo``: a first word that is no path but close to a subcommand's name."""
    if not given or Path(given[0]).exists() or "/" in given[0]:
        return
    import difflib

    close = difflib.get_close_matches(given[0], list(SUBCOMMANDS), n=1, cutoff=0.6)
    if close:
        raise UsageError(
            _("no such file or folder: {path} (did you mean '{command}'?)").format(path=given[0], command=close[0])
        )


def _value_of(argv: Sequence[str], option: str) -> str | None:
    """The value of ``option`` on the command line, before any parsing (None if absent)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg[len(option) + 1 :]
    return None


def choose_language(argv: Sequence[str]) -> str:
    """``language:`` of the config this command line uses, else the locale's.

    Chosen before any parser is made, so ``--help`` is in that language too. A
    config that cannot be read leaves the choice to the locale; the command
    reports the config's problem itself.
    """
    from tuireader.store.config import ConfigError, load_config

    try:
        configured = load_config(_value_of(argv, "--config")).language
    except (ConfigError, OSError):
        configured = None
    return i18n.set_language(configured)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from tuireader import restricted
    from tuireader.store.config import ConfigError
    from tuireader.text.sanitize import error_line

    choose_language(argv)
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
        # A command module's fixed English message is a msgid too.
        print(f"tuireader: {error_line(_(str(exc)))}", file=sys.stderr)
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
