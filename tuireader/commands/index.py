"""``tuireader index [PATH...] [--rebuild]``: build or update the search index."""

from __future__ import annotations

import argparse
import sys
import time

from tuireader.cli import resolve_library_paths
from tuireader.i18n import _, ngettext


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Build or update the search index of a library."
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--rebuild", action="store_true", help="throw the index away and build it anew")


class ProgressReporter:
    """A progress bar on a terminal, a plain line now and then otherwise (both on stderr)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if self.tty:
            if not final and now - self._last < 0.1:
                return
            width = 30
            filled = int(width * done / total) if total else width
            self.stream.write(f"\r{self.label} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} files")
            if final:
                self.stream.write("\n")
        else:
            if not final and now - self._last < 2.0:
                return
            self.stream.write(f"{self.label}: {done}/{total} files\n")
        self.stream.flush()
        self._last = now
        self._shown = True


def use_configured_index_dir(args: argparse.Namespace) -> None:
    """``index_dir:`` of the config, if set: where the search index is kept."""
    from tuireader.search.index import set_index_root
    from tuireader.store.config import load_config

    set_index_root(load_config(getattr(args, "config", None)).index_dir)


def index_problem(what: str, roots, exc: BaseException) -> str:
    """One line on a cache that cannot be written or an index that cannot be read."""
    from tuireader.search import index_path
    from tuireader.text.sanitize import clean_line

    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return clean_line(f"{what} in {index_path(roots).parent}: {reason}")


def bring_index_up_to_date(args: argparse.Namespace, roots) -> None:
    """What ``search`` and ``dump --keywords`` do first: the configured index folder, then the
    index updated (built if need be, with progress on stderr), or one line saying why not."""
    from tuireader.cli import UsageError
    from tuireader.search import ensure_index

    use_configured_index_dir(args)
    try:
        ensure_index(roots, progress=ProgressReporter("indexing"))
    except (OSError, ValueError) as exc:  # a read-only or full cache (tantivy says ValueError)
        raise UsageError(index_problem("cannot update the search index", roots, exc)) from None


def run(args: argparse.Namespace) -> int:
    from tuireader.cli import UsageError
    from tuireader.search import update_index

    roots = resolve_library_paths(args)
    use_configured_index_dir(args)
    start = time.perf_counter()
    try:
        # check: the whole index is read first, and a damaged one is rebuilt (repaired); the
        # library is opened by update_index, which lets it go once its files are listed
        stats = update_index(roots, rebuild=args.rebuild, progress=ProgressReporter("indexing"), check=True)
    except (OSError, ValueError) as exc:  # a read-only or full cache (tantivy says ValueError)
        raise UsageError(index_problem("cannot write the search index", roots, exc)) from None
    if stats is None:  # cannot happen with wait=True; kept for clarity
        print("tuireader: another process is building this index", file=sys.stderr)
        return 1
    took = time.perf_counter() - start
    files = stats.added + stats.changed
    counts = {
        "articles": ngettext("indexed {n} article", "indexed {n} articles", stats.docs).format(n=stats.docs),
        "files": ngettext("from {n} file", "from {n} files", files).format(n=files),
        "added": stats.added, "changed": stats.changed, "removed": stats.removed, "unchanged": stats.unchanged,
        "seconds": f"{took:.1f}",
    }
    if stats.rebuilt:
        line = _("{articles} {files} ({added} new, {changed} changed, {removed} removed, {unchanged} unchanged)"
                 " from scratch in {seconds} s")
    else:
        line = _("{articles} {files} ({added} new, {changed} changed, {removed} removed, {unchanged} unchanged)"
                 " in {seconds} s")
    print(line.format(**counts))
    return 0
