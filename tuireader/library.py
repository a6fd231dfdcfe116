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
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePath

from tuireader import archive as A
from tuireader.build import SourceFile, build
from tuireader.catalogue import Catalogue, FileRow, content_digest
from tuireader.ingest import IngestError, ParsedFile, parse_bytes, parse_file
from tuireader.model import Article, ArticleRef, Issue, Problem, Section
from tuireader.refresh import Refreshing
from tuireader.scan import ProgressCallback, scan
from tuireader.scan import discover as discover  # imported from here by benchmarks/bench_parse.py
from tuireader.scan import walk as walk  # imported from here by the search index and tests
from tuireader.snapshot import FileEntry, Head, IssueEntry, UnpackedIssue, pack_issue, unpack_issue

#: Parsed files kept in memory for ``article()``.
PARSE_CACHE_SIZE = 64


class Library(Refreshing):
    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.issues: list[Issue] = []
        self.problems: list[Problem] = []
        self._files: dict[str, SourceFile] = {}  # absolute path -> file
        #: Files known from the snapshot only: absolute path -> (root, rel); a
        #: SourceFile (two Path objects) is made when one is needed.
        self._lazy_files: dict[str, tuple[str, str]] = {}
        #: Each issue's article ids in reading order (None: in its blob, not read yet),
        #: how many it holds, and the issue of each id known: every id of a library
        #: built from its files; of one from the snapshot, the ids of the issues built
        #: so far and those looked up in the catalogue (``_issue_number``).
        self._issue_ids: list[tuple[str, ...] | None] = []
        self._counts: list[int] = []
        self._total = 0
        self._issue_of: dict[str, int] = {}
        #: Ids looked up in the catalogue and not found there.
        self._absent: set[str] = set()
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
        #: The digest of each issue's blob in the snapshot (issue number -> digest): a
        #: refresh saves the issues it did not rebuild as they were.
        self._packed: dict[int, str] = {}
        #: Blobs of issues built by a refresh (digest -> blob), whether or not the catalogue took them.
        self._local_blobs: dict[str, bytes] = {}
        #: The catalogue the snapshot came from: its blobs and which issue an id is in.
        self._catalogue: Catalogue | None = None
        self._key_number: dict[str, int] | None = None
        #: (the read set's identity and size, read articles per issue): ``read_in_issue``.
        self._read_counts: tuple[tuple[int, int], dict[int, int]] | None = None
        #: The library read from its files, when the catalogue could not give an issue.
        self._whole: Library | None = None
        #: Issues unpacked so far: every thread that asks gets the same pages.
        self._unpacked: dict[int, list[Section]] = {}
        self._build_lock = threading.Lock()
        #: The digest of the snapshot this library was read from or saved as.
        self._digest: str | None = None
        #: Ids of issues kept from before, while a refresh builds the changed ones.
        self._taken: Container[str] = frozenset()
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
                lib._from_snapshot(*snapshot, catalogue)
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

    # ------------------------------------------------------------- snapshot

    def _pack(self, n: int) -> tuple[IssueEntry, bytes | None]:
        """Issue ``n`` as the snapshot keeps it: its head entry and its blob (None:
        read from the snapshot, whose blob is kept as it was)."""
        blob: bytes | None = None
        digest = self._packed.get(n)
        if digest is None:
            merged = ((aid, tuple(self._merged[aid])) for aid in self._ids_of(n) if aid in self._merged)
            blob = pack_issue(self.issues[n].sections, self._file_entry, merged)
            digest = content_digest(blob)
        issue = self.issues[n]
        entry = IssueEntry(issue.paper, issue.date, issue.title, self._counts[n], digest, self._issue_sort[n],
                           self._issue_keys[n])
        return entry, blob

    def _file_entry(self, aid: str) -> FileEntry:
        key = self._ref_file[aid]
        src = self._source(key)
        return FileEntry(key, str(src.root), src.rel)

    def _save_snapshot(self, catalogue: Catalogue) -> None:
        """Save the built library: a head with every issue's count, each issue packed
        on its own (sections, article summaries, the files they lie in), and the issue
        of every article id."""
        packed = [self._pack(n) for n in range(len(self.issues))]
        head = Head.of((entry for entry, _ in packed), ((p.path, p.reason) for p in self.problems))
        blobs = {entry.digest: blob for entry, blob in packed if blob is not None}
        ids = ((aid, self._issue_keys[n]) for n in range(len(self.issues)) for aid in self._ids_of(n))
        with contextlib.suppress(OSError, sqlite3.Error, ValueError):
            self._digest = catalogue.save_snapshot(head, blobs, ids)

    def _from_snapshot(self, head: Head, digest: str | None, catalogue: Catalogue) -> None:
        """The issues from the snapshot's head: nothing per article. Each issue's
        sections and ids are built from its blob when first asked for (``_unpack``)."""
        self.problems = [Problem(path, reason) for path, reason in head.problems]
        self._digest = digest
        self._catalogue = catalogue
        # The issues' loaders hold the library weakly: no cycle keeps an old library
        # alive (the app freezes what the collector would otherwise walk).
        me = weakref.ref(self)
        papers, dates, titles, counts, digests, orders, keys = head.columns
        self.issues = [
            Issue(paper, date, title=title, loader=partial(_unpack_weakly, me, n), count=count)
            for n, (paper, date, title, count) in enumerate(zip(papers, dates, titles, counts, strict=True))
        ]
        self._counts = list(counts)
        self._total = sum(counts)
        self._issue_ids = [None] * len(counts)
        self._issue_sort = list(orders)
        self._issue_keys = list(keys)
        self._packed = dict(enumerate(digests))
        self._stats_pending = True

    def _unpack(self, n: int) -> list[Section]:
        """Build issue ``n`` from its packed blob (once, whichever thread asks first)."""
        with self._build_lock:
            done = self._unpacked.get(n)
            if done is not None:
                return done
            blob = self._blob(n)
            if blob is None:  # gone (another reader's refresh) or damaged: from its files' rows
                sections = self._rebuild_issue(n)
            else:
                sections = self._register(unpack_issue(blob))
            ids = tuple(ref.id for section in sections for ref in section.articles)
            self._issue_ids[n] = ids
            self._total += len(ids) - self._counts[n]
            self._counts[n] = len(ids)
            issue_of = self._issue_of
            for aid in ids:
                issue_of[aid] = n
            self._unpacked[n] = sections
            return sections

    def _blob(self, n: int) -> bytes | None:
        digest = self._packed.get(n)
        blob = self._local_blobs.get(digest) if digest is not None else None
        if blob is None and digest is not None and self._catalogue is not None:
            blob = self._catalogue.snapshot_blob(digest)
        return blob

    def _register(self, issue: UnpackedIssue) -> list[Section]:
        """Take an unpacked issue's articles into the maps ``locate`` and ``article`` read."""
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
        return issue.sections

    def _rebuild_issue(self, n: int) -> list[Section]:
        """Issue ``n`` built from its files' catalogue rows when its blob cannot be read
        (gone, or damaged), or from the files themselves when the rows cannot be either."""
        key = self._issue_keys[n]
        rows = self._catalogue.rows_of_issues([key]) if self._catalogue is not None else None
        built = build(rows or {}, self.roots)
        if len(built.issues) == 1:
            self._files.update(built.files)
            self._ref_of.update(built.ref_of)
            self._section_of.update(built.section_of)
            self._ref_file.update(built.ref_file)
            self._merged.update(built.merged)
            return built.issues[0].sections
        if self._whole is None:  # the catalogue is no help: every file read, once
            self._whole = Library.open(self._paths, use_catalogue=False)
        whole = self._whole
        m = whole._number_of_key(key)
        if m is None:
            return []
        sections = whole.issues[m].sections
        for aid in whole._ids_of(m):
            self._ref_of[aid] = whole._ref_of[aid]
            self._section_of[aid] = whole._section_of[aid]
            file_key = self._ref_file[aid] = whole._ref_file[aid]
            self._files[file_key] = whole._files[file_key]
            if aid in whole._merged:
                self._merged[aid] = whole._merged[aid]
        return sections

    def _number_of_key(self, key: str) -> int | None:
        if self._key_number is None:
            self._key_number = {key: n for n, key in enumerate(self._issue_keys)}
        return self._key_number.get(key)

    def _ids_of(self, n: int) -> tuple[str, ...]:
        """Issue ``n``'s article ids in reading order (built from its blob the first time)."""
        ids = self._issue_ids[n]
        if ids is None:
            _ = self.issues[n].sections  # unpacks it, which records its ids
            ids = self._issue_ids[n] or ()
        return ids

    def _issue_number(self, aid: str) -> int | None:
        """The issue ``aid`` is in: known, or looked up in the catalogue (no issue is built)."""
        n = self._issue_of.get(aid)
        if n is None and self._catalogue is not None and aid not in self._absent:
            self._look_up([aid])
            n = self._issue_of.get(aid)
        return n

    def _look_up(self, ids: list[str]) -> None:
        """Find the issues of these ids (not known yet) in the catalogue's table of ids."""
        if self._catalogue is None:
            return
        found = self._catalogue.issues_of_ids(ids)
        number = self._number_of_key
        for aid in ids:
            key = found.get(aid)
            n = number(key) if key is not None else None
            if n is None:
                self._absent.add(aid)
            else:
                self._issue_of[aid] = n

    def _from_rows(self, rows: dict[str, FileRow]) -> None:
        """Build every issue of these files' rows (no parsing)."""
        built = build(rows, self.roots, self._taken)
        self.problems = built.problems
        self.issues = built.issues
        self._issue_sort, self._issue_keys = built.issue_sort, built.issue_keys
        self._issue_ids = list(built.issue_ids)
        self._counts = [len(ids) for ids in built.issue_ids]
        self._total = sum(self._counts)
        self._issue_of, self._ref_of, self._section_of = built.issue_of, built.ref_of, built.section_of
        self._ref_file, self._files, self._merged = built.ref_file, built.files, built.merged

    @property
    def catalogued(self) -> bool:
        """True once this library's snapshot is in the catalogue (written or read)."""
        return self._digest is not None

    # ------------------------------------------------------------- queries

    def refs(self) -> Iterator[tuple[Issue, Section, ArticleRef]]:
        """Every article with its issue and section (builds every issue: not for the UI's hot path)."""
        for issue in self.issues:
            for section in issue.sections:
                for ref in section.articles:
                    yield issue, section, ref

    def walk_files(self) -> Iterator[tuple[Issue, Section, ArticleRef, str, tuple[int, int], tuple[str, str] | None]]:
        """Every article with its issue, section, file (an archive's member: the archive),
        that file's size and mtime, and for an archive's member its key and path within the
        root (what reading it needs: ``archive.BodyStore``, ``parse_bytes``), for going
        through the library once (the search index's listing). An issue still packed in the
        snapshot is unpacked for the walk and let go, not kept as ``refs`` and
        ``fingerprints`` keep it (a million articles: 1.4 GB)."""
        # an archive's members carry its size and mtime: its own row says them (a million
        # members' rows took 500 MB to say the same)
        stats = Catalogue(self.roots).outer_file_stats() if self._stats_pending else {}
        for n, issue in enumerate(self.issues):
            sections, file_of = self._unpacked.get(n), self._ref_file
            # unpacked for the walk only while the stats come from the catalogue: an issue
            # unpacked so is never registered, so its files have no SourceFile to read
            blob = self._blob(n) if sections is None and self._stats_pending else None
            rels: dict[str, str] | None = None
            if blob is not None:
                unpacked = unpack_issue(blob)
                sections, file_of = unpacked.sections, unpacked.file_of
                rels = {f.key: f.rel for f in unpacked.files}
            for section in sections if sections is not None else issue.sections:
                for ref in section.articles:
                    key = file_of[ref.id]
                    box = A.container(key)
                    if self._stats_pending and (key in self._lazy_files or key not in self._files):
                        st = stats.get(box or key, (0, 0))  # as ``fingerprints`` has it: from the catalogue
                    else:
                        src = self._source(key)
                        st = (src.size, src.mtime_ns)
                    member = None if box is None else (key, rels[key] if rels is not None else self._source(key).rel)
                    yield issue, section, ref, box or key, st, member

    def __len__(self) -> int:
        return self._total

    @property
    def is_empty(self) -> bool:
        """No article at all: the reader is told so (``empty_notice``), ``check`` fails."""
        return not self._total

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
        return isinstance(aid, str) and self._issue_number(aid) is not None

    def locate(self, aid: str) -> tuple[Issue, Section, ArticleRef] | None:
        n = self._issue_number(aid)
        if n is None:
            return None
        issue = self.issues[n]
        _ = issue.sections  # builds the issue when it is still packed
        ref = self._ref_of.get(aid)
        return None if ref is None else (issue, self._section_of[aid], ref)

    # -- reading order, issue by issue (an issue is built when its ids are walked) ----

    def ids(self, after: str | None = None, *, wrap: bool = False,
            skip_read: Collection[str] | None = None) -> Iterator[str]:
        """Article ids in reading order; with ``after``, those that follow it
        (then, with ``wrap``, those from the start up to and including it). With
        ``skip_read`` (the read ids), issues not built yet whose every article is read
        are passed over unbuilt."""
        n = self._issue_number(after) if after is not None else None
        pos = 0
        if n is not None:
            pos = self._ids_of(n).index(after) + 1 if after in self._ids_of(n) else 0
        everything = range(len(self.issues))
        order = everything if n is None else [n, *range(n + 1, len(self.issues)), *(range(n) if wrap else ())]
        read = self._read_per_issue(skip_read) if skip_read is not None else None
        for k, m in enumerate(order):
            if read is not None and self._issue_ids[m] is None and read.get(m, 0) >= self._counts[m]:
                continue
            ids = self._ids_of(m)
            yield from ids[pos:] if k == 0 and n is not None else ids
        if n is not None and wrap:
            yield from self._ids_of(n)[:pos]

    def first_id(self) -> str | None:
        return next(self.ids(), None)

    def neighbour(self, aid: str, step: int) -> str | None:
        """The article ``step`` (+1 or -1) away from ``aid`` in reading order, or None."""
        n = self._issue_number(aid)
        if n is None or aid not in self._ids_of(n):
            return None
        pos = self._ids_of(n).index(aid) + step
        while 0 <= n < len(self.issues):
            ids = self._ids_of(n)
            if 0 <= pos < len(ids):
                return ids[pos]
            n += step
            if 0 <= n < len(self.issues):
                pos = 0 if step > 0 else self._counts[n] - 1
        return None

    def read_in_issue(self, n: int, read: Collection[str]) -> int:
        """How many of the ``read`` ids are in issue ``n``, without building it: with its
        article count, a folded issue's unread count."""
        return self._read_per_issue(read).get(n, 0)

    def _read_per_issue(self, read: Collection[str]) -> dict[int, int]:
        """Issue number -> read ids in it, counted again when the read set has changed size."""
        stamp = (id(read), len(read))
        if self._read_counts is not None and self._read_counts[0] == stamp:
            return self._read_counts[1]
        issue_of, absent = self._issue_of, self._absent
        unknown = [aid for aid in read if aid not in issue_of and aid not in absent]
        if unknown:
            self._look_up(unknown)
        counts: dict[int, int] = {}
        for aid in read:
            n = issue_of.get(aid)
            if n is not None:
                counts[n] = counts.get(n, 0) + 1
        self._read_counts = (stamp, counts)
        return counts

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

    def article(self, aid: str, bodies: Mapping[str, bytes] | None = None) -> Article:
        """The full article, parsed again from its file (cached). ``bodies``: archive
        members' bytes read already (``member_bodies``)."""
        where = self.locate(aid)
        if where is None:
            raise KeyError(aid)
        issue, section, ref = where
        parsed = self._parsed(self._ref_file[aid], bodies)
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

    def member_bodies(self, aids: Iterable[str]) -> dict[str, bytes]:
        """The bytes of the archive members that hold ``aids`` (by their keys), read from
        the body store at once, each of its chunks decompressed once: what ``article``
        takes as ``bodies`` when many articles of a month are read (``dump``). Reading them
        one by one decompressed each chunk once per member in it."""
        members: dict[str, None] = {}
        for aid in aids:
            if self.locate(aid) is not None:
                key = self._ref_file[aid]
                if A.container(key) is not None and key not in self._cache:
                    members[key] = None
        return A.BodyStore(self.roots).get_many(members) if members else {}

    def articles(self) -> Iterator[Article]:
        for _, _, ref in self.refs():
            try:
                yield self.article(ref.id)
            except (KeyError, IngestError, OSError):
                continue

    def _parsed(self, key: str, bodies: Mapping[str, bytes] | None = None) -> ParsedFile:
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        src = self._source(key)
        if A.container(key) is None:
            parsed = parse_file(src.path, src.root)
        else:  # an archive's member: its bytes were kept when the archive was catalogued
            try:
                data = bodies.get(key) if bodies else None
                if data is None:
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
