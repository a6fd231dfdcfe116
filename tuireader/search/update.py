"""Bringing a library's index up to date in this process (``build.py`` runs it in another)."""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tuireader.search.index import Indexer, SourceFile, UpdateStats


class Listing:
    """A library's files as the index update needs them, made while the library is open and
    held compactly, without the library: compressed ``marshal`` values of a few thousand
    files each, with their articles' places. The workers read the files themselves: a
    plain file parsed from its path, an archive's month from the body store the catalogue
    filled (``worker.load_docs``).

    Going through the listing makes each file's object (``SourceFile``) as it is reached,
    once the caller has let the library go, and keeps none; it can be gone through again
    (an update does it twice: what to do, then doing it). Made while the library was open,
    a million articles' small objects would be scattered through its memory and keep most
    of it from being freed; made all at once they took 450 MB for the whole update."""

    #: Files per ``marshal`` value: one made into objects at a time.
    CHUNK = 4096

    def __init__(self, lib) -> None:
        refs: dict[str, list[tuple]] = {}
        stats: dict[str, tuple[int, int]] = {}
        #: an archive's path under its root, with the "/" before its members' names
        archives: dict[str, str] = {}
        for issue, section, ref, path, stat, member in lib.walk_files():  # issue by issue, none kept
            place: tuple = (ref.index, ref.id, issue.paper, issue.date, section.number, section.name)
            if member is not None:  # its name in the archive first (key and path: the archive's, then it)
                key, rel = member
                name = key[len(path) + 1 :]
                archives.setdefault(path, rel[: len(rel) - len(name)])
                place = (name, *place)
            refs.setdefault(path, []).append(place)
            stats[path] = stat
        roots = [str(r) for r in lib.roots]
        #: Where the workers find the body store (``archive.store_path`` of the library's roots).
        self._store_roots = tuple(roots)
        self._chunks: list[bytes] = []
        chunk: list[tuple] = []
        for path, (size, mtime) in sorted(stats.items()):
            places = refs.pop(path, [])
            if path in archives:
                kind, root = "members", archives[path]
            else:  # a file under a root (or the root itself, a single file)
                kind = "parse"
                root = max((r for r in roots if path.startswith(r.rstrip("/") + "/")), key=len,
                           default=os.path.dirname(path))
            chunk.append((path, size, mtime, kind, root, len(places), marshal.dumps(places)))
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
            for path, size, mtime, kind, root, count, places in marshal.loads(zlib.decompress(packed)):
                if kind == "members":
                    job: tuple = ("members", self._store_roots, count, places, root)
                else:
                    job = ("parse", roots.setdefault(root, root), count, places)
                yield SourceFile(path, size, mtime, None, job)


def _pack(files: list[tuple]) -> bytes:
    # paths share long beginnings (root, paper, year, month, day): at a million articles the
    # process held 94 MB with the listing where plain chunks took 186, for 1.1 s a pass
    return zlib.compress(marshal.dumps(files), 1)


def library_sources(lib) -> Listing:
    """The library's files, each with what an indexing worker needs to read its articles
    (``SourceFile.job``)."""
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
