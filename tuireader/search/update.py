"""Bringing a library's index up to date in this process (``build.py`` runs it in another)."""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tuireader.search.index import IndexDoc, Indexer, SourceFile, UpdateStats


class Listing:
    """A library's files as the index update needs them, made while the library is open and
    held compactly: compressed ``marshal`` values of a few thousand files each for the
    files outside archives (their articles' places), which the workers parse themselves,
    and a loader for each archive, whose members only the library can read (those loaders
    hold on to it).

    Going through the listing makes each file's object (``SourceFile``) as it is reached,
    once the caller has let the library go, and keeps none; it can be gone through again
    (an update does it twice: what to do, then doing it). Made while the library was open,
    a million articles' small objects would be scattered through its memory and keep most
    of it from being freed; made all at once they took 450 MB for the whole update."""

    #: Files per ``marshal`` value: one made into objects at a time.
    CHUNK = 4096

    def __init__(self, lib) -> None:
        from tuireader.archive import is_archive

        refs: dict[str, list[tuple]] = {}
        stats: dict[str, tuple[int, int]] = {}
        for issue, section, ref, path, stat in lib.walk_files():  # issue by issue, none kept
            refs.setdefault(path, []).append((ref.index, ref.id, issue.paper, issue.date, section.number,
                                              section.name))
            stats[path] = stat
        roots = [str(r) for r in lib.roots]
        self._loaders: dict[str, Callable[[], list[IndexDoc]]] = {}
        self._chunks: list[bytes] = []
        chunk: list[tuple] = []
        for path, (size, mtime) in sorted(stats.items()):
            root = max((r for r in roots if path.startswith(r.rstrip("/") + "/")), key=len, default=None)
            if root is None or is_archive(path) or path not in refs:
                self._loaders[path] = _loader(lib, [r[1] for r in refs.get(path, [])])  # by id
                chunk.append((path, size, mtime, None, 0, None))
            else:
                chunk.append((path, size, mtime, root, len(refs[path]), marshal.dumps(refs.pop(path))))
            if len(chunk) >= self.CHUNK:
                self._chunks.append(_pack(chunk))
                chunk = []
        if chunk:
            self._chunks.append(_pack(chunk))
        self._count = len(stats)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[SourceFile]:
        roots: dict[str, str] = {}  # the root one string for all: a million files' copies add up
        for packed in self._chunks:
            for path, size, mtime, root, count, refs in marshal.loads(zlib.decompress(packed)):
                if root is None:
                    yield SourceFile(path, size, mtime, self._loaders[path])
                else:  # read by a worker
                    yield SourceFile(path, size, mtime, None, ("parse", roots.setdefault(root, root), count, refs))


def _pack(files: list[tuple]) -> bytes:
    # paths share long beginnings (root, paper, year, month, day): at a million articles the
    # process held 94 MB with the listing where plain chunks took 186, for 1.1 s a pass
    return zlib.compress(marshal.dumps(files), 1)


def _loader(lib, ids: list[str]) -> Callable[[], list[IndexDoc]]:
    def load() -> list[IndexDoc]:
        # an archive's articles: its members read from the body store in one pass
        return [IndexDoc.from_article(art) for art in lib.articles_by_id(ids)]

    return load


def library_sources(lib) -> Listing:
    """The library's files, each with a way to get its articles as index documents: a
    plain file is parsed by the indexing workers (``job``), an archive's member here."""
    return Listing(lib)


def update_index(roots: Iterable[Path], lib=None, rebuild: bool = False, progress=None, workers: int = 2,
                 wait: bool = True, inline_bytes: int = 256 * 1024, check: bool = False) -> UpdateStats | None:
    """Bring the index of the library at ``roots`` up to date; None if another process is at it.
    ``check``: read the whole index first and rebuild it if it is damaged.

    ``lib``: the library, when the caller has it open (it is then held for the whole update).
    Without it, the library is opened here and let go once its files are listed (``Listing``):
    only the files inside archives need it afterwards (their members are read through it)."""
    roots = list(roots)
    indexer = Indexer(roots, workers=workers, inline_bytes=inline_bytes)
    listing = Listing(lib if lib is not None else open_current_library(roots))
    return indexer.update(listing, rebuild=rebuild, progress=progress, wait=wait, check=check)


def open_current_library(roots: Iterable[Path]):
    """The library as the files are now (a catalogue may be older than the files)."""
    from tuireader.library import Library

    lib = Library.open(list(roots))
    if getattr(lib, "from_catalogue", False):
        lib = lib.refresh() or lib
    return lib
