"""Bookmarks, the store: the reader's bookmarks file, read and changed under its lock. No Textual.

The file (``<data dir>/bookmarks.yaml``, the ``bookmarks:`` path in the config,
or ``--bookmarks FILE``) is the only truth. Every change is made under a lock
on ``<file>.lock``: the file is read again, just this change (add, remove,
edit) is applied to what is there now, and the result is written atomically.
So two sessions of one reader never lose each other's changes, and a crash
leaves the old file or the new one, whole.

A file that does not parse, or holds an entry of the wrong shape, is never
written: every method that would write raises :class:`BookmarkFileError`,
whose one-line message names the file and the line, and the store stays
read-only until the file is fixed. Keys this version does not know (written
by a newer version, or by hand) are kept on rewrite. Comments are not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from tuireader import paths
from tuireader.model import normalise_headline
from tuireader.store.atomic import NotARegularFile, atomic_write_text, file_lock, read_regular_file, write_target
from tuireader.store.bookmarks.codec import MAX_FILE_BYTES, dump_document, parse_document, read_text
from tuireader.store.bookmarks.model import (
    Bookmark,
    BookmarkFileError,
    BookmarkSaveError,
    Document,
    UnknownBookmark,
    merge_into,
    now_iso,
    unique_tags,
)

FILE_NAME = "bookmarks.yaml"
#: How long a change waits for another session's lock: the app (a key press) gives up
#: sooner than the command line (an import of many bookmarks), which may wait.
LOCK_TIMEOUT = 10.0

T = TypeVar("T")


def default_path() -> Path:
    return paths.data_dir() / FILE_NAME


def resolve_path(option: str | Path | None = None, configured: Path | None = None) -> Path:
    """``--bookmarks FILE``, else the config's ``bookmarks:``, else the data dir's file."""
    if option:
        return Path(option).expanduser()
    if configured:
        return Path(configured)
    return default_path()


def read_raw(path: Path) -> bytes | None:
    """The file's bytes (at most one past the size limit), or None when there is no file yet."""
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except NotARegularFile as exc:
        raise BookmarkFileError(path, None, f"is {exc.what}, not a bookmarks file") from None
    except OSError as exc:
        raise BookmarkFileError(path, None, exc.strerror or str(exc)) from None


def read_document(path: Path) -> Document:
    """The file's document; an absent file is an empty one."""
    raw = read_raw(path)
    return Document() if raw is None else parse_document(read_text(path, raw), path)


def read_bookmarks_file(path: Path | str, raw: bytes) -> list[Bookmark]:
    """Bookmarks from another file (``import``): the file format or a JSON export list."""
    return parse_document(read_text(Path(path), raw), path, allow_list=True).bookmarks


# ------------------------------------------------------------------ the store


class BookmarkStore:
    """The reader's bookmarks file and a snapshot of it.

    The file is read when first needed (so opening the app costs nothing before
    its first paint). Reads never fail: a broken file sets ``error`` (and
    ``read_only``) and an empty snapshot. Every change re-reads the file under
    the lock, so it raises ``BookmarkFileError`` (and writes nothing) while the
    file is broken.
    """

    def __init__(self, path: Path | str, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        #: Article ids of bookmarks whose article is not in the library (see ``reconcile``).
        self.missing: set[str] = set()
        self._error: BookmarkFileError | None = None
        self._loaded = False
        self._doc = Document()
        self._raw: bytes | None = None
        self._ids: set[str] = set()
        self._stamp: tuple[int, int, int] | None = None

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    @property
    def error(self) -> BookmarkFileError | None:
        """Why the file cannot be used (one line naming file and line), or None."""
        self._ensure_loaded()
        return self._error

    @classmethod
    def for_options(
        cls, option: str | Path | None = None, configured: Path | None = None, *, lock_timeout: float = LOCK_TIMEOUT
    ) -> BookmarkStore:
        return cls(resolve_path(option, configured), lock_timeout=lock_timeout)

    # -- reading

    @property
    def read_only(self) -> bool:
        return self.error is not None

    @property
    def bookmarks(self) -> list[Bookmark]:
        """In file order."""
        self._ensure_loaded()
        return list(self._doc.bookmarks)

    def dump(self) -> str:
        """The file as tuireader writes it (what ``export --format yaml`` prints)."""
        self._ensure_loaded()
        return dump_document(self._doc)

    def newest_first(self) -> list[Bookmark]:
        self._ensure_loaded()
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        # Saved in the same second: the one added later (lower in the file) first.
        order = sorted(enumerate(self._doc.bookmarks), key=lambda p: (p[1].saved_at or epoch, p[0]), reverse=True)
        return [b for _i, b in order]

    def is_bookmarked(self, article_id: str) -> bool:
        self._ensure_loaded()
        return article_id in self._ids

    def get(self, article_id: str) -> Bookmark | None:
        self._ensure_loaded()
        i = self._doc.find(article_id)
        return None if i is None else self._doc.bookmarks[i]

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def reload(self) -> None:
        stamp = self._file_stamp()
        try:
            raw = read_raw(self.path)
            self._set(self._parse(raw), raw)
        except BookmarkFileError as exc:
            self._error = exc
            self._set(Document(), None)
        else:
            self._error = None
        self._loaded = True
        self._stamp = stamp

    def refresh(self) -> bool:
        """Re-read the file if it changed on disk (another session, a hand edit). True if re-read."""
        if self._loaded and self._file_stamp() == self._stamp:
            return False
        self.reload()
        return True

    def _parse(self, raw: bytes | None) -> Document:
        if raw is None:
            return Document()
        if raw == self._raw and self._loaded and self._error is None:
            # What we last read or wrote: no need to parse it again.
            doc = self._doc
            return replace(doc, bookmarks=list(doc.bookmarks), extra=dict(doc.extra), key_order=list(doc.key_order))
        return parse_document(read_text(self.path, raw), self.path)

    def _set(self, doc: Document, raw: bytes | None) -> None:
        self._doc = doc
        self._raw = raw
        self._ids = {b.article_id for b in doc.bookmarks}

    # -- changing

    def _change(self, apply: Callable[[Document], tuple[T, bool]]) -> T:
        """Under the lock: read the file as it is now, apply one change, write it if changed.

        A file that cannot be parsed raises ``BookmarkFileError``; one that cannot be
        locked or written (the folder, the disk, the lock held too long) raises
        ``BookmarkSaveError``. Either way nothing is written and the old file stays whole.
        """
        try:
            return self._change_locked(apply)
        except BookmarkSaveError:
            raise
        except TimeoutError:
            reason = f"another session holds its lock (waited {self.lock_timeout:g} s); nothing was changed"
            raise BookmarkSaveError(self.path, reason) from None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if exc.filename and str(exc.filename) != str(self.path):
                reason += f" ({exc.filename})"
            raise BookmarkSaveError(self.path, reason) from None

    def _change_locked(self, apply: Callable[[Document], tuple[T, bool]]) -> T:
        with file_lock(self.path, timeout=self.lock_timeout):
            try:
                raw = read_raw(self.path)
                doc = self._parse(raw)
            except BookmarkFileError as exc:
                self._error = exc
                raise
            result, changed = apply(doc)
            if changed:
                text = dump_document(doc)
                self._remove_stale_temporaries()
                atomic_write_text(self.path, text)
                raw = text.encode("utf-8")
            self._error = None
            self._loaded = True
            self._set(doc, raw)
            self._stamp = self._file_stamp()
        return result

    def _remove_stale_temporaries(self) -> None:
        # Every writer writes under the lock we hold: a temporary file there now was
        # left by a writer that was killed mid-write.
        target = write_target(self.path)
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def add(self, bookmark: Bookmark) -> tuple[Bookmark, bool]:
        """Add a bookmark; if the article is already bookmarked, update its place
        (and note and tags, where given) instead. Returns (stored bookmark, was new)."""

        def apply(doc: Document) -> tuple[tuple[Bookmark, bool], bool]:
            i = doc.find(bookmark.article_id)
            if i is None:
                doc.bookmarks.append(bookmark)
                return (bookmark, True), True
            old = doc.bookmarks[i]
            new = replace(
                old,
                paragraph=bookmark.paragraph,
                anchor=bookmark.anchor or old.anchor,
                note=bookmark.note or old.note,
                tags=unique_tags([*old.tags, *bookmark.tags]),
            )
            if new.note != old.note or new.tags != old.tags:
                new.updated = now_iso()
            doc.bookmarks[i] = new
            return (new, False), new != old

        return self._change(apply)

    def remove(self, article_id: str) -> list[tuple[int, Bookmark]]:
        """Remove every bookmark of this article; returns them with their places (for undo).
        Raises ``UnknownBookmark`` if there is none."""

        def apply(doc: Document) -> tuple[list[tuple[int, Bookmark]], bool]:
            removed = [(i, b) for i, b in enumerate(doc.bookmarks) if b.article_id == article_id]
            if not removed:
                raise UnknownBookmark(article_id)
            doc.bookmarks = [b for b in doc.bookmarks if b.article_id != article_id]
            return removed, True

        return self._change(apply)

    def restore(self, removed: list[tuple[int, Bookmark]]) -> None:
        """Undo a ``remove``: put the bookmarks back where they were, unless the article
        was bookmarked again meanwhile."""

        def apply(doc: Document) -> tuple[None, bool]:
            changed = False
            for i, b in removed:
                if doc.find(b.article_id) is None:
                    doc.bookmarks.insert(min(i, len(doc.bookmarks)), b)
                    changed = True
            return None, changed

        self._change(apply)

    def edit(
        self, article_id: str, *, note: str | None = None, tags: Iterable[str] | None = None
    ) -> Bookmark:
        """Set the note and/or the tags of a bookmark. Raises ``UnknownBookmark``."""

        def apply(doc: Document) -> tuple[Bookmark, bool]:
            i = doc.find(article_id)
            if i is None:
                raise UnknownBookmark(article_id)
            old = doc.bookmarks[i]
            new = replace(
                old,
                note=old.note if note is None else note,
                tags=old.tags if tags is None else unique_tags(tags),
            )
            if new == old:
                return old, False
            new.updated = now_iso()
            doc.bookmarks[i] = new
            return new, True

        return self._change(apply)

    def merge(self, incoming: Iterable[Bookmark]) -> tuple[int, int]:
        """Merge bookmarks from another file (see ``merge_into``). Returns (added, updated)."""
        incoming = list(incoming)

        def apply(doc: Document) -> tuple[tuple[int, int], bool]:
            counts = merge_into(doc, incoming)
            return counts, any(counts)

        return self._change(apply)

    # -- the library

    def _reattach_in_memory(self, reattach: Callable[[Document], Any]) -> None:
        # Shown re-attached, not written: the snapshot no longer matches the file's bytes.
        doc = replace(self._doc, bookmarks=list(self._doc.bookmarks))
        reattach(doc)
        self._set(doc, None)

    def reconcile(self, library: Any, *, persist: bool = True) -> set[str]:
        """Mark bookmarks whose article is not in ``library`` as missing, and re-attach
        those whose article turned up again under another id (same paper, date and
        headline). Re-attachments are written to the file when ``persist`` and the file
        is writable; nothing is ever dropped. Returns the missing article ids."""
        self._ensure_loaded()
        absent = [b for b in self._doc.bookmarks if library.locate(b.article_id) is None]
        found: dict[str, tuple[Any, Any, Any]] = {}
        if any(b.identity for b in absent):
            wanted = {b.identity for b in absent if b.identity}
            # Only the issues of the same paper and date can hold them: a large library
            # builds a few issues' pages here, not all of them.
            issues = {(paper, date) for paper, date, _headline in wanted}
            candidates = (
                (issue, section, ref)
                for issue in library.issues
                if (issue.paper or "", issue.date or "") in issues
                for section in issue.sections
                for ref in section.articles
            )
            for issue, section, ref in candidates:
                key = (issue.paper or "", issue.date or "", normalise_headline(ref.title))
                if key in wanted:
                    for b in absent:
                        if b.identity == key and b.article_id not in found:
                            found[b.article_id] = (issue, section, ref)

        def reattach(doc: Document) -> tuple[None, bool]:
            changed = False
            for i, b in enumerate(doc.bookmarks):
                hit = found.get(b.article_id)
                if hit is not None:
                    issue, section, ref = hit
                    doc.bookmarks[i] = replace(
                        b, article_id=ref.id, page=section.number, section=section.name, source=ref.source or b.source
                    )
                    changed = True
            return None, changed

        if found:
            if persist and not self.read_only:
                try:
                    self._change(reattach)
                except (BookmarkFileError, OSError):  # shown re-attached all the same
                    self._reattach_in_memory(reattach)
            else:
                self._reattach_in_memory(reattach)
        self.missing = {b.article_id for b in self._doc.bookmarks if library.locate(b.article_id) is None}
        return set(self.missing)
