"""Full-text search: a Tantivy index per library, queried as the reader types.

No Textual here. ``update_index`` builds or updates the index (jieba in worker
processes); ``Searcher`` answers queries from the index alone, so a library
that was indexed before can be searched at once, without parsing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tuireader.search.engine import Response, Result, Searcher
from tuireader.search.index import IndexDoc, Indexer, SourceFile, UpdateStats, index_path
from tuireader.search.query import Query, parse
from tuireader.search.update import library_sources, open_current_library, update_index

__all__ = [
    "IndexDoc", "Indexer", "Query", "Response", "Result", "Searcher", "SourceFile", "UpdateStats",
    "ensure_index", "index_is_current", "open_current_library", "index_path", "library_sources", "parse",
    "update_index",
]


def index_is_current(roots: Iterable[Path]) -> bool:
    """True when an index exists, is ours and complete, and no source file was added,
    changed or removed.

    Costs a directory walk and a stat per file, no parsing: a library indexed
    before is searchable at once.
    """
    from tuireader.library import walk
    from tuireader.search import index as ix
    from tuireader.search.indexed_files import path_key, same_stat

    roots = list(roots)
    path = index_path(roots)
    try:
        marker = ix.check_marker(path, ix.library_key(roots))
        state = ix.read_state(path)
    except ix.IndexError_:
        return False
    if marker.get("segmenter") != ix.segmenter_version() or not state.get("complete"):
        return False
    if not ix.segment_files_present(path) or not ix.dictionary_file(path).is_file():
        return False
    known = state["files"]
    seen = 0
    for file, _root, _rel, size, mtime_ns in walk(roots):
        entry = known.get(path_key(file))
        if entry is None or not same_stat(entry, size, mtime_ns):
            return False
        seen += 1
    return seen == len(known)


def ensure_index(roots: Iterable[Path], rebuild: bool = False, progress=None, workers: int = 2,
                 wait: bool = True, library=None, inline_bytes: int = 256 * 1024,
                 separate_process: bool | None = None) -> UpdateStats | None:
    """Update the index if the library changed (or rebuild it). None when nothing was done,
    another process is at it, or (``separate_process``) this process is ending.

    ``separate_process`` (by default when not ``wait``ing, as the app does): the build runs
    in a process of its own, which a reader quitting never waits for (see ``build.py``)."""
    roots = list(roots)
    if not rebuild and index_is_current(roots):
        return None
    if separate_process if separate_process is not None else not wait:
        from tuireader.search.build import run_in_child

        return run_in_child(roots, rebuild=rebuild, progress=progress, workers=workers)
    return update_index(roots, library, rebuild=rebuild, progress=progress, workers=workers, wait=wait,
                        inline_bytes=inline_bytes)
