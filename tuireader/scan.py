"""The look at the files: which text files and archives lie under a library's
paths (``walk``), and what each holds as the catalogue keeps it (``scan``: one
``FileRow`` a file, parsed only when its size, mtime or content changed).
Folders that cannot be listed and files that cannot be read become rows with a
problem rather than being left out.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePath

from tuireader import archive as A
from tuireader.build import SourceFile, entries_from_parsed
from tuireader.catalogue import FileRow, content_digest, row_issue_key
from tuireader.ingest import TEXT_SUFFIXES, IngestError, parse_bytes, rmrb
from tuireader.ingest.decode import read_bytes, readable_name

ProgressCallback = Callable[[int, int], None]


def scan(
    paths: list[Path], old: dict[str, FileRow], progress: ProgressCallback | None = None,
    first_part: tuple[float, Callable[[dict[str, FileRow]], None]] | None = None,
) -> tuple[dict[str, FileRow], list[FileRow], list[str], int]:
    """Every file's row: reused from ``old`` when size and mtime (or, failing
    those, the content hash) are unchanged, else parsed. Returns (all rows,
    the rows to save, the paths that are gone, how many files really changed).
    ``first_part`` (seconds, callback): once the scan has taken that long, the
    callback gets the rows read so far (once)."""
    part_at = time.monotonic() + first_part[0] if first_part is not None else None
    found = list(walk(paths, unlisted=True))
    # Archives newest first (a month an archive, named by it): the contents show the
    # newest issue first, so the month read first is the one a first run shows.
    boxes_at = [n for n, f in enumerate(found) if A.is_archive(f[0])]
    for n, f in zip(boxes_at, sorted((found[n] for n in boxes_at), key=lambda f: f[2], reverse=True), strict=True):
        found[n] = f
    rows: dict[str, FileRow] = {}
    to_save: list[FileRow] = []
    changes = 0
    def unchanged(f: Found, prev: FileRow | None) -> bool:
        return prev is not None and (prev.size, prev.mtime_ns, prev.rel) == (f[3], f[4], f[2])

    archives = [f for f in found if A.is_archive(f[0])]
    boxes = A.members_by_archive(old) if archives else {}
    store = A.BodyStore([Path(p).resolve() for p in paths]) if archives else None
    # The archives to read, in worker processes when there are many; results in walk order.
    to_read = [f for f in archives if not unchanged(f, old.get(f[0]))]
    reads = A.read_many(to_read, _read_archive_job, rmrb.papers())
    # With many archives to read, the first one read (in this process) is shown at once.
    hand_over_after = to_read[0][0] if part_at is not None and len(to_read) >= A.PARALLEL_FROM else None
    for n, (key, root, rel, size, mtime_ns) in enumerate(found, 1):
        prev = old.get(key)
        if prev is not None and (prev.size, prev.mtime_ns, prev.rel) == (size, mtime_ns, rel):
            rows[key] = prev
            for member in boxes.get(key, ()):  # an unchanged archive: its members as they were
                rows[member] = old[member]
        elif store is not None and A.is_archive(key):
            read, packed = next(reads)
            if packed is not None:
                store.put_packed(packed)
            for row in read:
                was = old.get(row.path)
                if was is not None and (was.digest, was.rel, was.problem) == (row.digest, row.rel, row.problem):
                    row.info, row.articles = was.info, was.articles
                else:
                    changes += 1
                rows[row.path] = row
                to_save.append(row)
        else:
            row = _scan_file(SourceFile(Path(key), Path(root), rel, size, mtime_ns))
            if prev is not None and prev.digest == row.digest and prev.rel == row.rel and prev.problem == row.problem:
                row.info, row.articles = prev.info, prev.articles  # touched, not changed
            else:
                changes += 1
            rows[key] = row
            to_save.append(row)
        if progress is not None:
            progress(n, len(found))
        if part_at is not None and n < len(found) and (time.monotonic() >= part_at or key == hand_over_after):
            part_at = None
            first_part[1](dict(rows))  # type: ignore[index]
    removed = [p for p in old if p not in rows]
    return rows, to_save, removed, changes + len(removed)


def rescan(
    touched: list[Found], removed: list[str], in_boxes: list[str], old: dict[str, FileRow], roots: list[Path],
    progress: ProgressCallback | None = None,
) -> tuple[list[FileRow], list[str], set[str], set[str]]:
    """The rows of the ``touched`` files (and of the archives' members) read again and
    compared with ``old``. Returns (the rows to save, the paths that are gone: ``removed``
    and the members no longer in their archive ``in_boxes`` listed, the paths that
    really changed, the issues to build again)."""
    store = A.BodyStore(roots)
    to_save: list[FileRow] = []
    changed: set[str] = set(removed)
    # The issues to build again: those the changed files' articles were in, and are in now.
    affected = set(_issue_keys(map(old.get, removed)))
    for n, found in enumerate(touched, 1):
        for row in _scan_found(found, store):
            prev = old.get(row.path)
            if prev is not None and (prev.digest, prev.rel, prev.problem) == (row.digest, row.rel, row.problem):
                row.info, row.articles = prev.info, prev.articles  # touched, not changed
            else:
                changed.add(row.path)
                affected.update(_issue_keys((row, prev)))
            to_save.append(row)
        if progress is not None:
            progress(n, len(touched))
    gone = set(in_boxes) - {row.path for row in to_save}  # members no longer in their archive
    removed = removed + sorted(gone)
    changed.update(gone)
    affected.update(_issue_keys(map(old.get, gone)))
    return to_save, removed, changed, affected


def _scan_found(found: Found, store: A.BodyStore) -> list[FileRow]:
    """A file's row; for an archive, its own row and one per member."""
    key, root, rel, size, mtime_ns = found
    if A.is_archive(key):
        return A.scan_archive(found, _scan_member, store)
    return [_scan_file(SourceFile(Path(key), Path(root), rel, size, mtime_ns))]


def _read_archive_job(found: Found, papers: dict[str, str]) -> tuple[list[FileRow], A.PackedBodies | None]:
    """One archive read and parsed (in a worker process: ``papers`` is the config's)."""
    rmrb.use_papers(papers)
    return A.read_archive(found, _scan_member)


def _scan_member(key: str, root: str, rel: str, size: int, mtime_ns: int, data: bytes) -> FileRow:
    return _scan_file(SourceFile(Path(key), Path(root), rel, size, mtime_ns), data)


def _scan_file(src: SourceFile, data: bytes | None = None) -> FileRow:
    row = FileRow(str(src.path), str(src.root), src.rel, src.size, src.mtime_ns, "", None, None, [])
    if src.size == UNLISTED:
        row.problem = _listing_problem(src.path)
        return row
    try:
        if data is None:
            data = read_bytes(src.path)
        elif A.too_large(data):
            raise IngestError(A.too_large(data) or "")
        row.digest = content_digest(data)
        parsed = parse_bytes(data, PurePath(src.rel))
    except IngestError as exc:
        row.problem = str(exc)
        return row
    except RecursionError:
        row.problem = "too deeply nested to read"
        return row
    except Exception as exc:  # a parser bug must not take the library down
        row.problem = f"could not be parsed ({type(exc).__name__}: {exc})"
        return row
    if parsed.layout == rmrb.LAYOUT:
        parsed.paper = rmrb.paper_for(str(src.path))
    row.info = (parsed.layout, parsed.paper, parsed.date, parsed.page, parsed.section_name, list(parsed.order))
    for e in entries_from_parsed(src, parsed):
        row.articles.append(
            (e.headline, e.kicker, e.kind, json.dumps(e.jumps), e.body_key, e.dedupe_key, json.dumps(e.richness))
        )
    return row


#: What ``walk`` finds of a file: (absolute path, its root, the path relative to
#: the root in POSIX form, size, mtime). A plain tuple of strings and ints, which
#: the garbage collector stops tracking: a look at 53,000 files then triggers no
#: full collection (~0.1 s with many issues open), as named tuples did.
Found = tuple[str, str, str, int, int]



#: The size ``walk(..., unlisted=True)`` gives a folder it could not look into.
UNLISTED = -1


def _listing_problem(folder: Path) -> str:
    """Why a folder cannot be looked into (asked again: ``walk`` yields plain tuples)."""
    try:
        with os.scandir(folder):
            pass
    except OSError as exc:
        return f"folder cannot be read: {exc.strerror or exc}"
    return "folder could not be read"


def walk(paths: Iterable[Path], unlisted: bool = False) -> Iterator[Found]:
    """Every text file under the given paths, in a stable order, with its size
    and mtime: one ``scandir`` a folder and one stat a file, and no ``Path``
    objects, so looking over 53,000 files costs a fraction of a second.

    A file named directly is always read; folders are scanned for text and
    Markdown files (symbolic links to files followed, to folders not), skipping
    hidden ones; files in a folder come before its subfolders. With ``unlisted``,
    a folder that cannot be looked into (no permission, say) is yielded too, with
    the size ``UNLISTED``, so that it is reported rather than silently left out.
    """
    seen: set[str] = set()
    for given in paths:
        given = Path(given)
        if given.is_file():
            path = given.resolve()
            key = str(path)
            if key in seen:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            seen.add(key)
            yield key, str(path.parent), readable_name(path.name), st.st_size, st.st_mtime_ns
            continue
        root = str(given.resolve())
        # The archive's repository: only its 7z/ folder holds what is read.
        sevenz = A.archive_folder(root)
        folders = [(sevenz, "7z/")] if sevenz is not None else [(root, "")]
        while folders:
            folder, prefix = folders.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except FileNotFoundError:  # gone since its parent was listed
                continue
            except OSError:
                if unlisted and folder not in seen:
                    seen.add(folder)
                    yield folder, root, prefix, UNLISTED, 0
                continue
            subfolders = []
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        if not entry.is_symlink():
                            subfolders.append((entry.path, f"{prefix}{readable_name(name)}/"))
                        continue
                    suffix = os.path.splitext(name)[1].lower()
                    if (suffix not in TEXT_SUFFIXES and suffix not in A.ARCHIVE_SUFFIXES) or not entry.is_file():
                        continue
                    key = entry.path
                    if key in seen:
                        continue
                    st = entry.stat()
                except OSError:  # gone, or unreadable, since the folder was listed
                    continue
                seen.add(key)
                yield key, root, prefix + readable_name(name), st.st_size, st.st_mtime_ns
            folders.extend(reversed(subfolders))


def discover(paths: Iterable[Path]) -> Iterator[SourceFile]:
    """``walk``'s files as ``SourceFile``s."""
    for key, root, rel, size, mtime_ns in walk(paths):
        yield SourceFile(Path(key), Path(root), rel, size, mtime_ns)


def _issue_keys(rows: Iterable[FileRow | None]) -> Iterator[str]:
    """The issues these files' articles are in (no key for a missing row, or a file without articles)."""
    for row in rows:
        key = row_issue_key(row) if row is not None else None
        if key is not None:
            yield key
