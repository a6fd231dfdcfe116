"""Bringing a library's index up to date in this process (``build.py`` runs it in another)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tuireader.search.index import IndexDoc, Indexer, SourceFile, UpdateStats


def library_sources(lib) -> list[SourceFile]:
    """The library's files, each with a way to get its articles as index documents: a
    plain file is parsed by the indexing workers (``job``), an archive's member here."""
    from tuireader.archive import is_archive

    by_file: dict[str, list[str]] = {}
    refs: dict[str, list[tuple]] = {}
    for issue, section, ref in lib.refs():
        path = str(lib.source_path(ref))
        by_file.setdefault(path, []).append(ref.id)
        refs.setdefault(path, []).append((ref.index, ref.id, issue.paper, issue.date, section.number, section.name))
    roots = [str(r) for r in lib.roots]

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

    def job(path: str) -> tuple | None:
        root = max((r for r in roots if path.startswith(r.rstrip("/") + "/")), key=len, default=None)
        if root is None or is_archive(path) or path not in refs:
            return None
        return ("parse", root, refs[path])

    return [
        SourceFile(path, size, mtime, loader(by_file.get(path, [])), job(path))
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
