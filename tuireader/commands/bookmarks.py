"""``tuireader bookmarks list|add|remove|export|import``: the bookmarks file from the shell.

The file is the one the app uses (``--bookmarks FILE``, the config's
``bookmarks:``, else ``<data dir>/bookmarks.yaml``). A broken file is never
written: the command prints the same one-line message as the app (file and
line) and exits 1. An unknown article id, or a bookmark that is not there,
is a usage error: exit 2. A file that cannot be saved (a folder that is not
writable, a full disk, a lock held by another session for longer than
``LOCK_TIMEOUT``) is one line and exit 2, with the old file left whole.

Every stored string is printed through ``tuireader.text.sanitize``: ``clean``
for the list and the Markdown reading list, ``json_text`` for JSON; the YAML
export is the codec's, which escapes the same characters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tuireader import cli
from tuireader.i18n import ngettext
from tuireader.store.bookmarks import (
    MAX_FILE_BYTES,
    Bookmark,
    BookmarkFileError,
    BookmarkSaveError,
    BookmarkStore,
    UnknownBookmark,
    read_bookmarks_file,
)
from tuireader.text.sanitize import error_line, json_text

ACTIONS = ("list", "add", "remove", "export", "import")
#: Options of the actions that take a value (so finding the action can skip it).
_ACTION_VALUE_OPTIONS = {"--note", "--tag", "--format", "-o", "--output"}
FORMATS = ("md", "yaml", "json")
#: Seconds a change waits for another session's lock (an import of many bookmarks
#: holds it for a few seconds); then one line and exit 2, nothing written.
LOCK_TIMEOUT = 120.0

USAGE = """\
usage: tuireader bookmarks ACTION ...

  list [PATH...] [--json]                          bookmarks, newest first (missing articles marked)
  add ARTICLE_ID [PATH...] [--note TEXT] [--tag TAG]...
  remove ARTICLE_ID [PATH...]
  export --format md|yaml|json [-o FILE] [PATH...]  a reading list, or the bookmarks to carry
  import FILE|-                                    merge another bookmarks file (YAML or JSON export)

The file: --bookmarks FILE, else 'bookmarks:' in the config, else <data dir>/bookmarks.yaml.
'tuireader bookmarks ACTION --help' shows an action's options."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do with the bookmarks")


def _action_parser(action: str) -> argparse.ArgumentParser:
    parser = cli.make_parser(f"tuireader bookmarks {action}")
    if action in ("add", "remove"):
        parser.add_argument("article_id", metavar="ARTICLE_ID")
    if action in ("list", "add", "remove", "export"):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="the library (default: configured, else seeds)")
    if action == "list":
        parser.add_argument("--json", action="store_true", help="print a JSON list")
    elif action == "add":
        parser.add_argument("--note", default="", metavar="TEXT")
        parser.add_argument("--tag", action="append", default=[], metavar="TAG", dest="tags")
    elif action == "export":
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    elif action == "import":
        parser.add_argument("source", metavar="FILE|-", help="a bookmarks file (YAML or JSON export), or - for stdin")
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """The action is the first word that is not an option (or an option's value)."""
    i = cli.first_word(argv, cli._VALUE_OPTIONS | _ACTION_VALUE_OPTIONS)
    if i is not None:
        arg = argv[i]
        if arg not in ACTIONS:
            raise cli.UsageError(f"bookmarks: unknown action {arg!r} (choose from {', '.join(ACTIONS)})")
        args = _action_parser(arg).parse_intermixed_args(argv[:i] + argv[i + 1 :])
        args.action = arg
        return args
    if "-h" in argv or "--help" in argv:
        print(USAGE)
        raise SystemExit(0)
    raise cli.UsageError(f"bookmarks: name an action: {', '.join(ACTIONS)}")


def open_store(args: argparse.Namespace) -> BookmarkStore:
    """The store the app would use, for these options."""
    configured = None
    if not getattr(args, "bookmarks", None):
        from tuireader.store.config import load_config

        configured = load_config(getattr(args, "config", None)).bookmarks
    return BookmarkStore.for_options(getattr(args, "bookmarks", None), configured, lock_timeout=LOCK_TIMEOUT)


def run(args: argparse.Namespace) -> int:
    try:
        return _ACTION_RUNNERS[args.action](args)
    except BookmarkFileError as exc:
        print(f"tuireader: {_error_line(exc, args)}", file=sys.stderr)
        return 1
    except BookmarkSaveError as exc:
        print(f"tuireader: {_error_line(exc, args)}", file=sys.stderr)
        return 2


def _error_line(exc: BookmarkFileError | BookmarkSaveError, args: argparse.Namespace) -> str:
    """The error as one printable line; in restricted mode without the server's own path."""
    text = str(exc)
    if getattr(args, "restricted", False) and Path(exc.path).is_absolute():
        text = text.replace(exc.path, "your bookmarks file", 1)
    return error_line(text)


def _shown_path(store: BookmarkStore, args: argparse.Namespace) -> str:
    """Where the bookmarks are, for a message: not the server's path to a restricted reader."""
    return "your bookmarks" if getattr(args, "restricted", False) else _clean(store.path)


def _need_store(args: argparse.Namespace) -> BookmarkStore:
    store = open_store(args)
    if store.error is not None:
        raise store.error
    return store


def open_library(paths: list[Path]) -> Any:
    """The library as the files are now (a catalogue is checked against them)."""
    from tuireader.library import Library

    library = Library.open(paths)
    if getattr(library, "from_catalogue", False):
        library = library.refresh() or library
    return library


def _open_library(args: argparse.Namespace) -> Any:
    return open_library(cli.resolve_library_paths(args))


def _clean(text: Any) -> str:
    from tuireader.text.sanitize import clean

    return clean("" if text is None else str(text))


def _json(data: Any) -> str:
    return json_text(data)


def _where(b: Bookmark) -> str:
    page = f"第{b.page}版" if b.page is not None else ""
    return " ".join(p for p in (b.paper, b.date, page, b.section) if p)


def _run_list(args: argparse.Namespace) -> int:
    store = _need_store(args)
    library = _open_library(args)
    missing = store.reconcile(library, persist=False)
    bookmarks = store.newest_first()
    if args.json:
        print(_json([{**b.to_dict(), "missing": b.article_id in missing} for b in bookmarks]))
        return 0
    for b in bookmarks:
        flag = "  [missing]" if b.article_id in missing else ""
        print(_clean(f"{b.article_id}  {b.title}{flag}"))
        print(_clean(f"    {_where(b)}  saved {b.saved}"))
        if b.note:
            print("    note: " + _clean(b.note))
        if b.tags:
            print("    tags: " + _clean(", ".join(b.tags)))
    if not bookmarks:
        print(f"no bookmarks in {_shown_path(store, args)}", file=sys.stderr)
    return 0


def _first_paragraph(article: Any) -> str:
    for block in article.blocks:
        if block.type == "paragraph" and block.text.strip():
            return block.text
    return ""


def _anchor_at(article: Any, index: int) -> str | None:
    if 0 <= index < len(article.blocks):
        return article.blocks[index].text or None
    return None


def _run_add(args: argparse.Namespace) -> int:
    store = _need_store(args)
    library = _open_library(args)
    try:
        article = library.article(args.article_id)
    except KeyError:
        raise cli.UsageError(
            f"unknown article id: {args.article_id} (see 'tuireader dump' or 'tuireader search')"
        ) from None
    first = next((i for i, b in enumerate(article.blocks) if b.type == "paragraph"), 0)
    note, tags = cli.argument_text(args.note), [cli.argument_text(tag) for tag in args.tags]
    bookmark = Bookmark.from_article(article, paragraph=first, anchor=_anchor_at(article, first), note=note, tags=tags)
    stored, new = store.add(bookmark)
    verb = "bookmarked" if new else "already bookmarked, updated"
    print(_clean(f"{verb} {stored.article_id}: {stored.title}"))
    return 0


def _run_remove(args: argparse.Namespace) -> int:
    cli.resolve_library_paths(args)  # a PATH that does not exist is still a usage error
    store = _need_store(args)
    try:
        removed = store.remove(args.article_id)
    except UnknownBookmark:
        raise cli.UsageError(
            f"no bookmark for article id: {args.article_id} (see 'tuireader bookmarks list')"
        ) from None
    for _, b in removed:
        print(_clean(f"removed {b.article_id}: {b.title}"))
    return 0


def export_markdown(bookmarks: list[Bookmark], library: Any) -> str:
    """A reading list: headline, paper, date, page, note and the article's first paragraph."""
    lines = ["# Reading list", ""]
    for b in bookmarks:
        lines.append(f"## {_clean(b.title or b.article_id)}")
        lines.append("")
        if b.kicker and b.headline:
            lines += [f"*{_clean(b.kicker)}*", ""]
        lines += [f"{_clean(_where(b))} · id `{_clean(b.article_id)}` · saved {_clean(b.saved)}", ""]
        if b.note:
            lines += [f"> {_clean(line)}" for line in b.note.splitlines()] + [""]
        if b.tags:
            lines += ["Tags: " + _clean(", ".join(b.tags)), ""]
        try:
            first = _first_paragraph(library.article(b.article_id)) if library is not None else ""
        except KeyError:
            lines += ["(The article is not in the library.)", ""]
        else:
            if first:
                lines += [_clean(first), ""]
    return "\n".join(lines)


def _run_export(args: argparse.Namespace) -> int:
    if args.output and getattr(args, "restricted", False):
        raise cli.UsageError("export -o is not available in restricted mode; export to standard output")
    store = _need_store(args)
    bookmarks = store.newest_first()
    if args.format == "yaml":
        text = store.dump()
    elif args.format == "json":
        text = _json([b.to_dict() for b in bookmarks]) + "\n"
    else:
        library = _open_library(args)
        store.reconcile(library, persist=False)
        text = export_markdown(store.newest_first(), library)
    if args.output:
        _write_output(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _write_output(path: Path, text: str) -> None:
    """``-o FILE``: a file is replaced atomically; a pipe or a device (``/dev/stdout``)
    is written to, never replaced; anything else is one line and exit 2."""
    from tuireader.store.atomic import NotARegularFile, atomic_write_text

    try:
        try:
            atomic_write_text(path, text)
        except NotARegularFile as exc:
            if exc.what == "a folder":
                raise
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
    except OSError as exc:
        raise cli.UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _run_import(args: argparse.Namespace) -> int:
    if args.source != "-" and getattr(args, "restricted", False):
        raise cli.UsageError("import reads only standard input (-) in restricted mode")
    if args.source == "-":
        # One byte past the limit is enough to refuse: a huge stream (over SSH) is never all read.
        name, raw = "<stdin>", sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        source = Path(args.source)
        try:
            # A pipe (``<(...)``) is fine; nothing is read past the limit (``/dev/zero``).
            with open(source, "rb") as stream:
                name, raw = str(source), stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise cli.UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    incoming = read_bookmarks_file(name, raw)
    store = _need_store(args)
    added, updated = store.merge(incoming)
    imported = ngettext("imported {n} bookmark into {path}: {added} added, {updated} updated",
                        "imported {n} bookmarks into {path}: {added} added, {updated} updated", len(incoming))
    print(imported.format(n=len(incoming), path=_shown_path(store, args), added=added, updated=updated))
    return 0


_ACTION_RUNNERS = {
    "list": _run_list,
    "add": _run_add,
    "remove": _run_remove,
    "export": _run_export,
    "import": _run_import,
}
