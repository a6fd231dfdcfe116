"""The command line's grammar: subcommand names, the shared options, and a parser
whose errors are one line, in the interface's language. ``cli`` runs commands with
it; ``restricted`` reads a forced SSH command with it (and so imports this, not ``cli``).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from typing import Any

from tuireader import __version__
from tuireader.i18n import _

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


#: One line for each subcommand in ``tuireader --help`` (and its own ``--help``).
SUMMARIES: dict[str, str] = {
    "dump": "print the parsed library (--json for JSON)",
    "check": "list the files that could not be read; exit 1 if any",
    "search": "search a library: tuireader search QUERY [PATH...]",
    "index": "build or update the search index",
    "bookmarks": "the bookmarks from the shell: list, add, remove, export, import",
}


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, with its ``usage:`` in the interface's language."""

    def add_usage(
        self, usage: str | None, actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one clear line, not a usage dump,
    and whose help is in the interface's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help and exit"))

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(self._translate(self._only_required(message)))

    def parse_known_intermixed_args(  # type: ignore[override]  # one signature for argparse's three overloads
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None,
    ) -> tuple[argparse.Namespace, list[str]]:
        # Python 3.11 keeps the usage for its errors as format_usage()[7:], which
        # assumes the seven characters of 'usage: '; another language's prefix is cut wrong.
        if self.usage is not None:
            return super().parse_known_intermixed_args(args, namespace)
        prefix = _("usage: ")
        self.usage = self.format_usage()[len(prefix) :].rstrip("\n").replace("%", "%%")
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self.usage = None

    def format_help(self) -> str:
        localise_help(self)  # texts a command module added in English after make_parser
        # argparse ends each section title with a half-width ':'; Chinese takes '：'.
        return re.sub(r"(?m)^([^\x00-\x7f][^\n]*):$", "\\1：", super().format_help())

    def _only_required(self, message: str) -> str:
        """argparse (3.11, intermixed) names a ``PATH...`` among the missing
        arguments; only the ones that must be given are."""
        prefix = "the following arguments are required: "
        if not message.startswith(prefix):
            return message
        optional = {a.metavar or a.dest for a in self._actions if not a.option_strings and a.nargs in ("*", "?")}
        names = [n for n in message[len(prefix) :].split(", ") if n not in optional]
        return prefix + ", ".join(names or message[len(prefix) :].split(", "))

    @staticmethod
    def _translate(message: str) -> str:
        for pattern, template in _ARGPARSE_MESSAGES:
            m = pattern.fullmatch(message)
            if m:
                return _(template).format(**m.groupdict())
        return message


#: argparse's own error messages (it reads gettext's catalogue, not ours), as
#: patterns and the templates of our catalogue they are said with.
_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"),
     "the following arguments are required: {names}"),
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), "unrecognized arguments: {args}"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "argument {arg}: expected one argument"),
    (re.compile(r"argument (?P<arg>\S+): invalid (?P<type>\w+) value: (?P<value>.*)"),
     "argument {arg}: invalid {type} value: {value}"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)"),
     "argument {arg}: invalid choice: {value} (choose from {choices})"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
     "ambiguous option: {option} could match {matches}"),
]


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
    parser.add_argument("--version", action="version", version=f"tuireader {__version__}",
                        help=_("print the version and exit"))
    parser.add_argument("--config", metavar="FILE", help=_("use this config file"))
    parser.add_argument("--bookmarks", metavar="FILE", help=_("use this bookmarks file"))
    parser.add_argument("--reader", metavar="NAME", help=_("keep this reader's data apart (shared accounts)"))
    parser.add_argument("--restricted", action="store_true", help=_("read-only, no escapes (forced SSH command)"))
    parser.add_argument("--no-mouse", action="store_true", help=_("do not turn on mouse tracking"))
    parser.add_argument("--theme", metavar="NAME", help=_("start with this theme"))


def make_parser(prog: str, description: str | None = None) -> Parser:
    parser = Parser(prog=prog, description=description)
    add_common_options(parser)
    return parser


def localise_help(parser: argparse.ArgumentParser) -> None:
    """Translate the help a command module wrote in English (its texts are msgids;
    a text already translated, or without a translation, stays as it is)."""
    if parser.description:
        parser.description = _(parser.description)
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            action.help = _(action.help)


def _subcommand_list() -> str:
    lines = [_("commands:")]
    lines += [f"  {name:<11} {_(SUMMARIES[name])}" for name in SUBCOMMANDS]
    lines += ["", _("'tuireader COMMAND --help' shows a command's options.")]
    return "\n".join(lines)


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
    for a, nargs, _required in saved:
        current = getattr(ns, a.dest, None)
        if nargs is None:
            if current is None and tail:
                setattr(ns, a.dest, tail.pop(0))
            elif current is None:
                raise UsageError(_("the following arguments are required: {names}").format(names=a.metavar or a.dest))
        elif nargs in ("*", "+"):
            setattr(ns, a.dest, list(current or []) + tail)
            tail = []
    if tail:
        raise UsageError(_("unrecognized arguments: {args}").format(args=" ".join(tail)))
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
