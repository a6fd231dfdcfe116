"""Restricted mode: what a reader who logs in over SSH may run, and crash reports.

No Textual here. The recipe in ``docs/ssh.md`` makes ``tuireader --restricted
--reader NAME LIBRARY`` the forced command of an OpenSSH account. sshd then puts
whatever the client asked for in ``SSH_ORIGINAL_COMMAND``; this module turns a
short whitelist of such commands into the argv tuireader runs, and refuses the
rest. The reader's own words never choose the reader name, the library, the
bookmarks file or the config: those come from the forced command alone.

Whitelist (each reads standard input or writes standard output, nothing else)::

    bookmarks export --format md|yaml|json
    bookmarks import -
    search QUERY --json [--limit N] [--newest]
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from tuireader import paths
from tuireader.i18n import _

ENV_VAR = "SSH_ORIGINAL_COMMAND"
#: Longer than any whitelisted command needs; anything longer is refused unparsed.
MAX_COMMAND_CHARS = 2048
MAX_LIMIT = 1000
EXPORT_FORMATS = ("md", "yaml", "json")
ALLOWED = "bookmarks export --format md|yaml|json, bookmarks import -, search QUERY --json"
#: Exit status of a refused command (as a shell's "cannot execute").
REFUSED_STATUS = 126


class Refused(Exception):
    """A command the restricted mode does not run; ``str()`` is the one line to print."""


def is_restricted(argv: Sequence[str]) -> bool:
    """``--restricted`` among the options (before any ``--``)."""
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--restricted":
            return True
    return False


def original_command(env: Mapping[str, str] | None = None) -> str | None:
    """What the SSH client asked to run, or None for an interactive login."""
    value = (os.environ if env is None else env).get(ENV_VAR)
    if value is None or not value.strip():
        return None
    return value


def command_argv(forced_argv: Sequence[str], requested: str) -> list[str]:
    """The argv to run for ``requested`` (an SSH_ORIGINAL_COMMAND) under the
    forced command ``forced_argv``; raises :class:`Refused` for anything off the list."""
    from tuireader import cli_args as cli

    if cli.find_subcommand(forced_argv) is not None:
        raise Refused(_("this account runs a fixed command; it takes no command of yours"))
    parser = cli.make_parser("tuireader")
    parser.add_argument("paths", nargs="*")
    try:
        forced = cli.parse_command_line(parser, forced_argv)
    except cli.UsageError as exc:
        raise Refused(_("the forced command is wrong: {error}").format(error=exc)) from None
    # From the forced command only: who the reader is, where their data and library are.
    common = ["--restricted"]
    for option, value in (("--reader", forced.reader), ("--config", forced.config), ("--bookmarks", forced.bookmarks)):
        if value is not None:
            common += [option, value]
    library = list(forced.paths or [])
    words = _split(requested)
    if words[:2] == ["bookmarks", "export"]:
        fmt = _export_format(words[2:])
        if fmt is not None:
            return ["bookmarks", "export", "--format", fmt, *common, *library]
    elif words == ["bookmarks", "import", "-"]:
        return ["bookmarks", "import", *common, "-"]
    elif words[:1] == ["search"]:
        search = _search_options(words[1:])
        if search is not None:
            query, options = search
            return ["search", *options, *common, "--", query, *library]
    raise Refused(_("not allowed here: {command} (allowed: {allowed})").format(
        command=_shown(requested), allowed=ALLOWED))


def _split(requested: str) -> list[str]:
    if len(requested) > MAX_COMMAND_CHARS:
        raise Refused(_("command too long (over {n} characters); allowed: {allowed}").format(
            n=MAX_COMMAND_CHARS, allowed=ALLOWED))
    try:
        return shlex.split(requested)
    except ValueError as exc:  # an unclosed quote
        raise Refused(_("cannot parse the command ({error}); allowed: {allowed}").format(
            error=exc, allowed=ALLOWED)) from None


def _export_format(words: list[str]) -> str | None:
    if len(words) == 2 and words[0] == "--format" and words[1] in EXPORT_FORMATS:
        return words[1]
    if len(words) == 1 and words[0].startswith("--format=") and words[0].split("=", 1)[1] in EXPORT_FORMATS:
        return words[0].split("=", 1)[1]
    return None


def _search_options(words: list[str]) -> tuple[str, list[str]] | None:
    """(QUERY, options) for ``QUERY --json [--limit N] [--newest]`` in any order, else None."""
    query: str | None = None
    options: list[str] = []
    json_seen = False
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":  # the query follows, even one starting with '-'
            if query is not None or i + 2 != len(words):
                return None
            query = words[i + 1]
            i += 2
            continue
        if word == "--json" and not json_seen:
            json_seen = True
        elif word == "--newest" and "--newest" not in options:
            options.append(word)
        elif word == "--limit" and "--limit" not in options and i + 1 < len(words) and _small_number(words[i + 1]):
            options += [word, words[i + 1]]
            i += 1
        elif not word.startswith("-") and query is None:
            query = word
        else:
            return None
        i += 1
    if query is None or not query.strip() or not json_seen:
        return None
    return query, ["--json", *options]


def _small_number(word: str) -> bool:
    return word.isascii() and word.isdigit() and 0 < int(word) <= MAX_LIMIT


def _shown(requested: str) -> str:
    from tuireader.text.sanitize import clean_line

    text = clean_line(requested)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def require_terminal() -> None:
    """The reader needs a terminal; a login without one learns what it can run instead."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise Refused(_("the reader needs a terminal (ssh -t); without one, run one of: {allowed}").format(
            allowed=ALLOWED))


# -- crashes ---------------------------------------------------------------------


def log_crash(error: BaseException) -> Path | None:
    """Write the traceback to a new file in the log folder; None if that fails too."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        with open(path, "x", encoding="utf-8") as f:
            f.write(f"tuireader crash at {dt.datetime.now().astimezone().isoformat()}\n")
            f.write(f"argv: {sys.argv!r}\n\n{text}")
        return path
    except OSError:
        return None


def apology(log: Path | None, *, restricted: bool) -> str:
    """One line for the reader: sorry, and where the details went (not the traceback)."""
    if log is None:
        where = _("The details could not be logged.")
    elif restricted:
        where = _("The details were logged for the administrator.")
    else:
        where = _("The details are in {log}").format(log=log)
    return "tuireader: " + _("sorry, something went wrong. {where}").format(where=where)
