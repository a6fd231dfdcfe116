"""The library: files grouped into issues and sections, bodies parsed on demand.

``Library.open(paths)`` scans every file once and keeps only ``ArticleRef``
summaries (headline, kind, where the article lies); ``article(id)`` parses
its file again when a body is needed, through a small LRU cache, so memory
follows what is being read rather than the size of the archive.

The look at the files (``walk``, ``scan``) lives in ``tuireader.scan``, the
grouping of their summaries into issues in ``tuireader.build``; this module
holds the ``Library`` itself: opening from the catalogue or its snapshot,
refreshing, and the queries the reader and the commands ask.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePath

from tuireader import archive as A
from tuireader.build import SourceFile, build
from tuireader.catalogue import Catalogue, FileRow, content_digest, row_issue_key
from tuireader.ingest import IngestError, ParsedFile, parse_bytes, parse_file
from tuireader.ingest.decode import readable_name
from tuireader.model import Article, ArticleRef, Issue, Problem, Section
from tuireader.scan import Found, ProgressCallback, rescan, scan, walk
from tuireader.scan import discover as discover  # imported from here by benchmarks/bench_parse.py
from tuireader.snapshot import FileEntry, Head, IssueEntry, pack_issue, unpack_issue

#: Parsed files kept in memory for ``article()``.
PARSE_CACHE_SIZE = 64


class Library:
    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.issues: list[Issue] = []
        self.problems: list[Problem] = []
        self._files: dict[str, SourceFile] = {}  # absolute path -> file
        #: Files known from the snapshot only: absolute path -> (root, rel); a
        #: SourceFile (two Path objects) is made when one is needed.
        self._lazy_files: dict[str, tuple[str, str]] = {}
        #: Every article id in reading order, issue by issue, and the issue of each id:
        #: known without building any issue's sections.
        self._issue_ids: list[tuple[str, ...]] = []
        self._issue_of: dict[str, int] = {}
        #: Per issue: how issues are ordered, and which files' issue it is (``issue_key``).
        self._issue_sort: list[tuple[str, str, str]] = []
        self._issue_keys: list[str] = []
        #: Filled in as issues are built (all at once, or one by one from the snapshot).
        #: Two plain maps rather than one of (issue, section, ref) tuples: a hundred
        #: thousand fewer objects for the garbage collector to walk on each full pass.
        self._ref_of: dict[str, ArticleRef] = {}
        self._section_of: dict[str, Section] = {}
        self._ref_file: dict[str, str] = {}  # article id -> absolute path
        self._merged: dict[str, list[str]] = {}
        #: The snapshot's packed issues (issue number -> blob, digest), kept after
        #: unpacking so that a refresh saves the issues it did not rebuild as they were.
        self._packed: dict[int, tuple[bytes, str]] = {}
        #: Issues unpacked so far: every thread that asks gets the same pages.
        self._unpacked: dict[int, list[Section]] = {}
        self._build_lock = threading.Lock()
        #: The digest of the snapshot this library was read from or saved as.
        self._digest: str | None = None
        #: Ids of issues kept from before, while a refresh builds the changed ones.
        self._taken: set[str] = set()
        #: (catalogue, rows read from the files or None) still to write: ``write_catalogue``.
        self._unwritten: tuple[Catalogue, dict[str, FileRow] | None] | None = None
        self._cache: OrderedDict[str, ParsedFile] = OrderedDict()
        self._paths: list[Path] = list(roots)
        #: True when opened from the catalogue: ``refresh`` has not looked at the files yet.
        self.from_catalogue = False
        #: False for the first part of a library still being read (``open``'s ``first_part``).
        self.complete = True
        self._stats_pending = False

    # ---------------------------------------------------------------- open

    @classmethod
    def open(
        cls, paths: Iterable[Path], progress: ProgressCallback | None = None, use_catalogue: bool = True,
        write_later: bool = False, first_part: tuple[float, Callable[[Library], None]] | None = None,
    ) -> Library:
        """Open a library: from its catalogue when there is one (no parsing, no
        stat of every file: call ``refresh`` afterwards to pick up changes),
        else by scanning every file, which then fills the catalogue. With
        ``write_later`` the catalogue is filled by ``write_catalogue``, so the
        reader sees the library before the rows are written: the writes' many
        short releases of the GIL make the thread doing them wait on a busy UI.

        ``first_part`` (seconds, callback): when every file has to be read and that
        takes longer than so many seconds, the callback gets a library of the files
        read so far (``complete`` False), to be read while the rest is."""
        paths = [Path(p) for p in paths]
        lib = cls([p.resolve() for p in paths])
        lib._paths = paths
        catalogue = Catalogue(lib.roots) if use_catalogue else None
        if catalogue is None:
            rows, _, _, _ = scan(paths, {}, progress)
            lib._from_rows(rows)
            return lib
        # Building 100,000 objects triggers the cyclic GC over and over; none of
        # them are garbage yet, so pause it for the load.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            snapshot = catalogue.load_snapshot()
            if snapshot is not None:
                lib._from_snapshot(*snapshot)
        finally:
            if gc_was_enabled:
                gc.enable()
        if snapshot is not None:
            lib.from_catalogue = True
            return lib
        loaded = catalogue.load()
        if loaded is not None:
            rows = loaded
            lib.from_catalogue = True
        else:
            rows, _, _, _ = scan(paths, {}, progress, lib._first_part(first_part))
        lib._from_rows(rows)
        lib._unwritten = (catalogue, None if lib.from_catalogue else rows)
        if not write_later:
            lib.write_catalogue()
        return lib

    def _first_part(
        self, first_part: tuple[float, Callable[[Library], None]] | None
    ) -> tuple[float, Callable[[dict[str, FileRow]], None]] | None:
        """``scan``'s ``first_part``: the rows read so far, built as a library of their own."""
        if first_part is None:
            return None
        seconds, callback = first_part

        def hand_over(rows: dict[str, FileRow]) -> None:
            part = Library(self.roots)
            part._paths = self._paths
            part.complete = False
            part._from_rows(rows)
            callback(part)

        return seconds, hand_over

    def write_catalogue(self) -> None:
        """Write what ``open(..., write_later=True)`` read from the files (and the
        snapshot) to the catalogue; nothing when there is nothing to write."""
        if self._unwritten is None:
            return
        catalogue, rows = self._unwritten
        self._unwritten = None
        if rows is not None:
            with contextlib.suppress(OSError, sqlite3.Error):
                catalogue.save(rows.values(), replace_all=True)
        self._save_snapshot(catalogue)

    def refresh(self, progress: ProgressCallback | None = None) -> Library | None:
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
            return Library.open(self._paths)  # another reader brought the catalogue up to date
        snapshot = catalogue.load_snapshot() if stats else None
        if snapshot is None:
            return self._rebuilt(catalogue, progress)
        return self._updated(catalogue, snapshot, touched, removed, progress)

    def _rebuilt(self, catalogue: Catalogue, progress: ProgressCallback | None) -> Library | None:
        """The whole library built again from the catalogue's rows and the files."""
        old = catalogue.load() or {}
        rows, to_save, removed, changes = scan(self._paths, old, progress)
        with contextlib.suppress(OSError, sqlite3.Error):
            if to_save or removed or not old:
                catalogue.save(to_save, removed, replace_all=not old)
        if not changes and old:
            return None
        lib = Library(self.roots)
        lib._paths = self._paths
        lib._from_rows(rows)
        lib._save_snapshot(catalogue)
        return lib

    def _updated(
        self, catalogue: Catalogue, snapshot: tuple[Head, list[bytes], str], touched: list[Found],
        removed: list[str], progress: ProgressCallback | None,
    ) -> Library | None:
        """The catalogue's snapshot with the issues of ``touched`` and ``removed`` files built again."""
        head, blobs, snapshot_digest = snapshot
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
        kept = [(entry, blob) for entry, blob in zip(head.issues, blobs, strict=True) if entry.key not in affected]
        # The changed issues, built from their files' rows, with ids that keep clear of the kept issues'.
        part = Library(self.roots)
        part._paths = self._paths
        part._taken = {aid for entry, _blob in kept for aid in entry.ids}
        part._from_rows(rows)
        merged = kept + [part._pack(n) for n in range(len(part.issues))]
        merged.sort(key=lambda packed: packed[0].order)
        changed_names = {readable_name(key) for key in changed}  # problems are kept by the name shown
        problems = [(path, reason) for path, reason in head.problems if path not in changed_names]
        problems += [
            (readable_name(row.path), row.problem) for row in to_save if row.problem is not None and row.path in changed
        ]
        problems.sort()
        lib = Library(self.roots)
        lib._paths = self._paths
        new_head = Head(tuple(entry for entry, _ in merged), tuple(problems))
        new_blobs = [blob for _, blob in merged]
        with contextlib.suppress(OSError, sqlite3.Error, ValueError):
            lib._digest = catalogue.save_snapshot(new_head, new_blobs)
        lib._from_snapshot(new_head, new_blobs, lib._digest)
        if snapshot_digest == self._digest:  # the snapshot this library was read from: keep what it built
            lib._adopt(self)
        return lib

    def _adopt(self, old: Library) -> None:
        """Take over the pages ``old`` had built of the issues this library kept from
        it unchanged, so a refresh does not build again what the reader has open."""
        was = {key: n for n, key in enumerate(old._issue_keys)}
        with self._build_lock:
            for n, key in enumerate(self._issue_keys):
                m = was.get(key)
                if m is None:
                    continue  # a new issue
                sections = old._unpacked.get(m)
                if sections is None or old._packed[m][1] != self._packed[n][1]:
                    continue  # never unpacked, or built again (its blob differs)
                for section in sections:
                    for ref in section.articles:
                        self._ref_of[ref.id] = ref
                        self._section_of[ref.id] = section
                        key_of_file = self._ref_file[ref.id] = old._ref_file[ref.id]
                        self._lazy_files.setdefault(key_of_file, old._lazy_files[key_of_file])
                        if ref.id in old._merged:
                            self._merged[ref.id] = old._merged[ref.id]
                self._unpacked[n] = sections
                self.issues[n].sections = sections

    # ------------------------------------------------------------- snapshot

    def _pack(self, n: int) -> tuple[IssueEntry, bytes]:
        """Issue ``n`` as the snapshot keeps it: its head entry and its blob."""
        packed = self._packed.get(n)
        if packed is not None:  # read from a snapshot: as it was
            blob, digest = packed
        else:
            merged = ((aid, tuple(self._merged[aid])) for aid in self._issue_ids[n] if aid in self._merged)
            blob = pack_issue(self.issues[n].sections, self._file_entry, merged)
            digest = content_digest(blob)
        issue = self.issues[n]
        entry = IssueEntry(issue.paper, issue.date, issue.title, self._issue_ids[n], digest, self._issue_sort[n],
                           self._issue_keys[n])
        return entry, blob

    def _file_entry(self, aid: str) -> FileEntry:
        key = self._ref_file[aid]
        src = self._source(key)
        return FileEntry(key, str(src.root), src.rel)

    def _save_snapshot(self, catalogue: Catalogue) -> None:
        """Save the built library: a head with every issue's ids, and each issue
        packed on its own (sections, article summaries, the files they lie in)."""
        packed = [self._pack(n) for n in range(len(self.issues))]
        head = Head(tuple(entry for entry, _ in packed), tuple((p.path, p.reason) for p in self.problems))
        with contextlib.suppress(OSError, sqlite3.Error, ValueError):
            self._digest = catalogue.save_snapshot(head, [blob for _, blob in packed])

    def _from_snapshot(self, head: Head, blobs: list[bytes], digest: str | None) -> None:
        """The issues and their ids from the snapshot's head; each issue's sections
        are built from its blob when first asked for (``_unpack``)."""
        self.problems = [Problem(path, reason) for path, reason in head.problems]
        self._digest = digest
        issue_of = self._issue_of
        # The issues' loaders hold the library weakly: no cycle keeps an old library
        # alive (the app freezes what the collector would otherwise walk).
        me = weakref.ref(self)
        for n, (entry, blob) in enumerate(zip(head.issues, blobs, strict=True)):
            self.issues.append(
                Issue(entry.paper, entry.date, title=entry.title, loader=partial(_unpack_weakly, me, n), ids=entry.ids)
            )
            self._issue_ids.append(entry.ids)
            self._issue_sort.append(entry.order)
            self._issue_keys.append(entry.key)
            self._packed[n] = (blob, entry.digest)
            for aid in entry.ids:
                issue_of[aid] = n
        self._stats_pending = True

    def _unpack(self, n: int) -> list[Section]:
        """Build issue ``n`` from its packed blob (once, whichever thread asks first)."""
        with self._build_lock:
            done = self._unpacked.get(n)
            if done is not None:
                return done
            blob, _digest = self._packed[n]
            issue = unpack_issue(blob)
            for file in issue.files:
                self._lazy_files.setdefault(file.key, (file.root, file.rel))
            ref_of, section_of, ref_file, file_of = self._ref_of, self._section_of, self._ref_file, issue.file_of
            for section in issue.sections:
                for ref in section.articles:
                    ref_of[ref.id] = ref
                    section_of[ref.id] = section
                    ref_file[ref.id] = file_of[ref.id]
            for aid, copies in issue.merged:
                self._merged[aid] = list(copies)
            self._unpacked[n] = issue.sections
            return issue.sections

    def _from_rows(self, rows: dict[str, FileRow]) -> None:
        """Build every issue of these files' rows (no parsing)."""
        built = build(rows, self.roots, self._taken)
        self.problems = built.problems
        self.issues = built.issues
        self._issue_sort, self._issue_keys, self._issue_ids = built.issue_sort, built.issue_keys, built.issue_ids
        self._issue_of, self._ref_of, self._section_of = built.issue_of, built.ref_of, built.section_of
        self._ref_file, self._files, self._merged = built.ref_file, built.files, built.merged

    # ------------------------------------------------------------- queries

    def refs(self) -> Iterator[tuple[Issue, Section, ArticleRef]]:
        """Every article with its issue and section (builds every issue: not for the UI's hot path)."""
        for issue in self.issues:
            for section in issue.sections:
                for ref in section.articles:
                    yield issue, section, ref

    def __len__(self) -> int:
        return len(self._issue_of)

    @property
    def is_empty(self) -> bool:
        """No article at all: the reader is told so (``empty_notice``), ``check`` fails."""
        return not self._issue_of

    @property
    def empty_notice(self) -> str | None:
        """What the reader sees instead of a blank screen, in the interface's language."""
        from tuireader.i18n import _

        return _("No articles in this library.") if self.is_empty else None

    def why_empty(self) -> str | None:
        """One line saying why there is nothing to read; None when there is."""
        if not self.is_empty:
            return None
        from tuireader.i18n import _, ngettext

        if self.problems:
            n = len(self.problems)
            return ngettext(
                "no articles in this library: its only file could not be read",
                "no articles in this library: none of its {n} files could be read",
                n,
            ).format(n=n)
        return _("no articles in this library: no .txt or .md files in {paths}").format(
            paths=", ".join(str(r) for r in self.roots)
        )

    def __contains__(self, aid: object) -> bool:
        return aid in self._issue_of

    def locate(self, aid: str) -> tuple[Issue, Section, ArticleRef] | None:
        n = self._issue_of.get(aid)
        if n is None:
            return None
        issue = self.issues[n]
        _ = issue.sections  # builds the issue when it is still packed
        ref = self._ref_of.get(aid)
        return None if ref is None else (issue, self._section_of[aid], ref)

    # -- reading order, from the ids alone (no issue is built to walk it) ----

    def ids(self, after: str | None = None, *, wrap: bool = False) -> Iterator[str]:
        """Article ids in reading order; with ``after``, those that follow it
        (then, with ``wrap``, those from the start up to and including it)."""
        n = self._issue_of.get(after) if after is not None else None
        if n is None:
            for ids in self._issue_ids:
                yield from ids
            return
        pos = self._issue_ids[n].index(after) + 1
        yield from self._issue_ids[n][pos:]
        for ids in self._issue_ids[n + 1 :]:
            yield from ids
        if wrap:
            for ids in self._issue_ids[:n]:
                yield from ids
            yield from self._issue_ids[n][:pos]

    def first_id(self) -> str | None:
        return next(self.ids(), None)

    def neighbour(self, aid: str, step: int) -> str | None:
        """The article ``step`` (+1 or -1) away from ``aid`` in reading order, or None."""
        n = self._issue_of.get(aid)
        if n is None:
            return None
        pos = self._issue_ids[n].index(aid) + step
        while 0 <= n < len(self._issue_ids):
            ids = self._issue_ids[n]
            if 0 <= pos < len(ids):
                return ids[pos]
            n += step
            if 0 <= n < len(self._issue_ids):
                pos = 0 if step > 0 else len(self._issue_ids[n]) - 1
        return None

    def section_neighbour(self, aid: str, step: int) -> str | None:
        """The first article of the page ``step`` (+1 or -1) pages away from the
        one ``aid`` is on, across issues, or None."""
        where = self.locate(aid)
        if where is None:
            return None
        issue, section, _ref = where
        n = self._issue_of[aid]
        s = next(i for i, sec in enumerate(issue.sections) if sec is section) + step
        while 0 <= n < len(self.issues):
            sections = self.issues[n].sections
            while 0 <= s < len(sections):
                if sections[s].articles:
                    return sections[s].articles[0].id
                s += step
            n += step
            if 0 <= n < len(self.issues):
                s = 0 if step > 0 else len(self.issues[n].sections) - 1
        return None

    def source_path(self, ref: ArticleRef) -> Path:
        """The file the article lies in: for an archive's member, the archive."""
        self.locate(ref.id)
        key = self._ref_file[ref.id]
        box = A.container(key)
        return Path(box) if box is not None else self._source(key).path

    def _source(self, key: str) -> SourceFile:
        src = self._files.get(key)
        if src is None:
            root, rel = self._lazy_files[key]
            src = self._files[key] = SourceFile(Path(key), Path(root), rel)
        return src

    def fingerprints(self) -> dict[str, tuple[int, int]]:
        """Size and mtime of every file that holds an article (builds every issue)."""
        for issue in self.issues:
            _ = issue.sections  # builds the issue when it is still packed
        if self._stats_pending:  # opened from the snapshot: sizes live in the catalogue
            stats = Catalogue(self.roots).file_stats()
            for key in self._lazy_files:
                f = self._source(key)
                f.size, f.mtime_ns = stats.get(key, (0, 0))
            self._stats_pending = False
        # An archive's members carry its size and mtime: the archive is the file.
        return {A.container(key) or key: (f.size, f.mtime_ns) for key, f in self._files.items()}

    def article(self, aid: str) -> Article:
        """The full article, parsed again from its file (cached)."""
        where = self.locate(aid)
        if where is None:
            raise KeyError(aid)
        issue, section, ref = where
        parsed = self._parsed(self._ref_file[aid])
        if ref.index >= len(parsed.articles):
            raise KeyError(aid)  # the file changed since the scan
        art = replace(parsed.articles[ref.index])
        art.id = ref.id
        art.source = ref.source
        art.paper, art.date = issue.paper, issue.date
        art.page, art.section_name = section.number, section.name
        art.continues_at, art.continued_from = ref.continues_at, ref.continued_from
        art.merged = list(art.merged) + self._merged.get(aid, [])
        return art

    def articles(self) -> Iterator[Article]:
        for _, _, ref in self.refs():
            try:
                yield self.article(ref.id)
            except (KeyError, IngestError, OSError):
                continue

    def _parsed(self, key: str) -> ParsedFile:
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        src = self._source(key)
        if A.container(key) is None:
            parsed = parse_file(src.path, src.root)
        else:  # an archive's member: its bytes were kept when the archive was catalogued
            try:
                data = A.member_bytes(A.BodyStore(self.roots), key)
            except A.ArchiveError as exc:
                raise IngestError(str(exc)) from None
            parsed = parse_bytes(data, PurePath(src.rel))
        self._cache[key] = parsed
        if len(self._cache) > PARSE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return parsed


# ------------------------------------------------------------------ helpers


def _unpack_weakly(library: weakref.ref[Library], n: int) -> list[Section]:
    lib = library()
    return lib._unpack(n) if lib is not None else []
