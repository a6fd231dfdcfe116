"""Bringing a library's index up to date in this process (``build.py`` runs it in another)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tuireader.search.index import IndexDoc, Indexer, SourceFile, UpdateStats


def library_sources(lib) -> list[SourceFile]:
    """The library's files, each with a way to get its articles as index documents."""
    by_file: dict[str, list[str]] = {}
    for _, _, ref in lib.refs():
        by_file.setdefault(str(lib.source_path(ref)), []).append(ref.id)

    def loader(ids: list[str]):
        def load() -> list[IndexDoc]:
            out = []
            for aid in ids:
                try:
                    out.append(IndexDoc.from_article(lib.article(aid)))
                except (KeyError, OSError):
                    continue
            return out

        return load

    return [
        SourceFile(path, size, mtime, loader(by_file.get(path, [])))
        for path, (size, mtime) in sorted(lib.fingerprints().items())
    ]


def update_index(roots: Iterable[Path], lib, rebuild: bool = False, progress=None, workers: int = 2,
                 wait: bool = True, inline_bytes: int = 256 * 1024, check: bool = False) -> UpdateStats | None:
    """Bring the index of the library at ``roots`` up to date; None if another process is at it.
    ``check``: read the whole index first and rebuild it if it is damaged."""
    indexer = Indexer(list(roots), workers=workers, inline_bytes=inline_bytes)
    return indexer.update(library_sources(lib), rebuild=rebuild, progress=progress, wait=wait, check=check)


def open_current_library(roots: Iterable[Path]):
    """The library as the files are now (a catalogue may be older than the files)."""
    from tuireader.library import Library

    lib = Library.open(list(roots))
    if getattr(lib, "from_catalogue", False):
        lib = lib.refresh() or lib
    return lib
