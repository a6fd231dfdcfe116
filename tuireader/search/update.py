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

    def parser(path: str, job: tuple):
        # what a worker does, here: no reference to the library, which can then be let go
        def parse() -> list[IndexDoc]:
            from tuireader.search.worker import load_docs

            return load_docs(path, job)

        return parse

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

    sources = []
    for path, (size, mtime) in sorted(lib.fingerprints().items()):
        file_job = job(path)
        docs = parser(path, file_job) if file_job is not None else loader(by_file.get(path, []))
        sources.append(SourceFile(path, size, mtime, docs, file_job))
    return sources


def update_index(roots: Iterable[Path], lib=None, rebuild: bool = False, progress=None, workers: int = 2,
                 wait: bool = True, inline_bytes: int = 256 * 1024, check: bool = False) -> UpdateStats | None:
    """Bring the index of the library at ``roots`` up to date; None if another process is at it.
    ``check``: read the whole index first and rebuild it if it is damaged.

    ``lib``: the library, when the caller has it open (it is then held for the whole update).
    Without it, the library is opened here and let go once its files are listed: every issue
    of an archive is built to list them (1.4 GB at a million articles), and only the files
    inside archives need it afterwards (their members are read through it)."""
    roots = list(roots)
    indexer = Indexer(roots, workers=workers, inline_bytes=inline_bytes)
    sources = library_sources(lib if lib is not None else open_current_library(roots))
    return indexer.update(sources, rebuild=rebuild, progress=progress, wait=wait, check=check)


def open_current_library(roots: Iterable[Path]):
    """The library as the files are now (a catalogue may be older than the files)."""
    from tuireader.library import Library

    lib = Library.open(list(roots))
    if getattr(lib, "from_catalogue", False):
        lib = lib.refresh() or lib
    return lib
