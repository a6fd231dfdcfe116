"""A library's look at its files again (``Library.refresh``): what changed since the
catalogue was written, and a new library with only the changed issues built again.
``Library``'s base, kept apart for the length of its module: what it uses of the
library is declared here, and the library defines it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Container, Iterable
from pathlib import Path
from typing import Self

from tuireader import archive as A
from tuireader.build import SourceFile
from tuireader.catalogue import Catalogue, FileRow, IdLookup, row_issue_key
from tuireader.ingest.decode import readable_name
from tuireader.model import ArticleRef, Issue, Section
from tuireader.scan import Found, ProgressCallback, rescan, scan, walk
from tuireader.snapshot import Head, IssueEntry


class Refreshing:
    """``Library.refresh`` and what it takes."""

    roots: list[Path]
    issues: list[Issue]
    _paths: list[Path]
    _digest: str | None
    _issue_keys: list[str]
    _issue_ids: list[tuple[str, ...] | None]
    _issue_of: dict[str, int]
    _packed: dict[int, str]
    _local_blobs: dict[str, bytes]
    _unpacked: dict[int, list[Section]]
    _ref_of: dict[str, ArticleRef]
    _section_of: dict[str, Section]
    _ref_file: dict[str, str]
    _lazy_files: dict[str, tuple[str, str]]
    _files: dict[str, SourceFile]
    _merged: dict[str, list[str]]
    _taken: Container[str]
    _build_lock: threading.Lock

    def __init__(self, roots: list[Path]) -> None:
        raise NotImplementedError

    @classmethod
    def open(cls, paths: Iterable[Path]) -> Self:
        raise NotImplementedError

    def _from_rows(self, rows: dict[str, FileRow]) -> None:
        raise NotImplementedError

    def _from_snapshot(self, head: Head, digest: str | None, catalogue: Catalogue) -> None:
        raise NotImplementedError

    def _pack(self, n: int) -> tuple[IssueEntry, bytes | None]:
        raise NotImplementedError

    def _save_snapshot(self, catalogue: Catalogue) -> None:
        raise NotImplementedError

    def _ids_of(self, n: int) -> tuple[str, ...]:
        raise NotImplementedError

    def _number_of_key(self, key: str) -> int | None:
        raise NotImplementedError

    def refresh(self, progress: ProgressCallback | None = None) -> Self | None:
        """Look for added, changed, removed and renamed files; return a new
        Library when anything changed (the catalogue is updated), else None.

        Only the issues whose files changed are built again: a new issue dropped
        into a 100,000-article archive costs its own files, and every other issue
        keeps its packed copy. What is compared is the catalogue, not this
        library, so a change another reader's refresh already put there is
        picked up too."""
        catalogue = Catalogue(self.roots)
        # The common case, nothing changed, needs only sizes and mtimes: reading
        # every catalogue row of a large library costs seconds and hundreds of MB.
        stats = catalogue.outer_file_stats()  # files and archives; an archive's members go with it
        found = []
        for n, entry in enumerate(walk(self._paths, unlisted=True), 1):
            found.append(entry)
            if progress is not None and n % 256 == 0:
                progress(n, max(n, len(stats)))
        if progress is not None:
            progress(len(found), len(found))
        touched = [f for f in found if stats.get(f[0]) != f[3:]]  # (path, root, rel, size, mtime_ns)
        on_disk = {f[0] for f in found}
        removed = [key for key in stats if key not in on_disk]
        removed += [key for box in removed if A.is_archive(box) for key in catalogue.paths_under(box)]
        if stats and not touched and not removed:
            current = catalogue.snapshot_digest()
            if current is None or current == self._digest:
                return None
            return type(self).open(self._paths)  # another reader brought the catalogue up to date
        snapshot = catalogue.load_snapshot() if stats else None
        if snapshot is None:
            return self._rebuilt(catalogue, progress)
        return self._updated(catalogue, snapshot, touched, removed, progress)

    def _rebuilt(self, catalogue: Catalogue, progress: ProgressCallback | None) -> Self | None:
        """The whole library built again from the catalogue's rows and the files."""
        old = catalogue.load() or {}
        rows, to_save, removed, changes = scan(self._paths, old, progress)
        with contextlib.suppress(OSError, sqlite3.Error):
            if to_save or removed or not old:
                catalogue.save(to_save, removed, replace_all=not old)
        if not changes and old:
            return None
        lib = type(self)(self.roots)
        lib._paths = self._paths
        lib._from_rows(rows)
        lib._save_snapshot(catalogue)
        return lib

    def _updated(
        self, catalogue: Catalogue, snapshot: tuple[Head, str], touched: list[Found],
        removed: list[str], progress: ProgressCallback | None,
    ) -> Self | None:
        """The catalogue's snapshot with the issues of ``touched`` and ``removed`` files built again."""
        head, snapshot_digest = snapshot
        boxes = {path for path, *_ in touched if A.is_archive(path)}
        in_boxes = [key for box in sorted(boxes) for key in catalogue.paths_under(box)]
        old = catalogue.rows([path for path, *_ in touched] + removed + in_boxes)
        if old is None:
            return self._rebuilt(catalogue, progress)
        # The touched files read again: what really changed, and the issues to build again.
        to_save, removed, changed, affected = rescan(touched, removed, in_boxes, old, self.roots, progress)
        with contextlib.suppress(OSError, sqlite3.Error):
            catalogue.save(to_save, removed, snapshot_stale=bool(changed))
        if not changed:
            return None
        rows = catalogue.rows_of_issues(affected)
        if rows is None:
            return self._rebuilt(catalogue, progress)
        # What the files hold now, whether or not the catalogue could take it (a full or read-only cache).
        for key in removed:
            rows.pop(key, None)
        rows.update((row.path, row) for row in to_save if row_issue_key(row) in affected)
        kept: list[tuple[IssueEntry, bytes | None]] = [(entry, None) for entry in head.issues
                                                       if entry.key not in affected]
        # The changed issues, built from their files' rows, with ids that keep clear of the kept issues'.
        part = type(self)(self.roots)
        part._paths = self._paths
        with contextlib.closing(IdLookup(catalogue)) as lookup:
            part._taken = _Taken(lookup, affected)
            part._from_rows(rows)
        merged = kept + [part._pack(n) for n in range(len(part.issues))]
        merged.sort(key=lambda packed: packed[0].order)
        changed_names = {readable_name(key) for key in changed}  # problems are kept by the name shown
        problems = [(path, reason) for path, reason in head.problems if path not in changed_names]
        problems += [
            (readable_name(row.path), row.problem) for row in to_save if row.problem is not None and row.path in changed
        ]
        problems.sort()
        lib = type(self)(self.roots)
        lib._paths = self._paths
        new_head = Head.of((entry for entry, _ in merged), problems)
        new_blobs = {entry.digest: blob for entry, blob in merged if blob is not None}
        new_ids = [(aid, part._issue_keys[n]) for n, ids in enumerate(part._issue_ids) for aid in ids or ()]
        with contextlib.suppress(OSError, sqlite3.Error, ValueError):
            lib._digest = catalogue.save_snapshot(new_head, new_blobs, new_ids, replaced=affected)
        lib._from_snapshot(new_head, lib._digest, catalogue)
        # The issues built now are known here whether or not the catalogue could take them.
        lib._local_blobs = new_blobs
        number = lib._number_of_key
        lib._issue_of.update((aid, n) for aid, key in new_ids if (n := number(key)) is not None)
        if snapshot_digest == self._digest:  # the snapshot this library was read from: keep what it built
            lib._adopt(self)
        return lib


    def _adopt(self, old: Self) -> None:
        """Take over the pages ``old`` had built of the issues this library kept from
        it unchanged, so a refresh does not build again what the reader has open."""
        number_was = {key: n for n, key in enumerate(old._issue_keys)}
        with self._build_lock:
            for n, key in enumerate(self._issue_keys):
                m = number_was.get(key)
                if m is None:
                    continue  # a new issue
                sections = old._unpacked.get(m)
                if sections is None or old._packed.get(m) != self._packed[n]:
                    continue  # never unpacked, or built again (its blob differs)
                for section in sections:
                    for ref in section.articles:
                        self._ref_of[ref.id] = ref
                        self._section_of[ref.id] = section
                        key_of_file = self._ref_file[ref.id] = old._ref_file[ref.id]
                        if key_of_file in old._lazy_files:
                            self._lazy_files.setdefault(key_of_file, old._lazy_files[key_of_file])
                        else:  # an issue built from its rows (its blob was gone)
                            self._files.setdefault(key_of_file, old._files[key_of_file])
                        if ref.id in old._merged:
                            self._merged[ref.id] = old._merged[ref.id]
                self._unpacked[n] = sections
                self._issue_ids[n] = old._ids_of(m)
                self._issue_of.update((aid, n) for aid in self._issue_ids[n] or ())
                self.issues[n].sections = sections


class _Taken:
    """The ids a refresh's new issues keep clear of: those of the issues it keeps."""

    def __init__(self, lookup: IdLookup, rebuilt: set[str]) -> None:
        self.lookup, self.rebuilt = lookup, rebuilt

    def __contains__(self, aid: object) -> bool:
        key = self.lookup(aid) if isinstance(aid, str) else None
        return key is not None and key not in self.rebuilt
