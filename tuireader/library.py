"""The library: files grouped into issues and sections, bodies parsed on demand.

``Library.open(paths)`` scans every file once and keeps only ``ArticleRef``
summaries (headline, kind, where the article lies); ``article(id)`` parses
its file again when a body is needed, through a small LRU cache, so memory
follows what is being read rather than the size of the archive.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePath

from tuireader import archive as A
from tuireader.catalogue import (
    Catalogue,
    FileRow,
    content_digest,
    issue_key,
    row_issue_key,
)
from tuireader.ingest import (
    TEXT_SUFFIXES,
    IngestError,
    ParsedFile,
    parse_bytes,
    parse_file,
    rmrb,
)
from tuireader.ingest.decode import read_bytes, readable_name
from tuireader.model import (
    Article,
    ArticleRef,
    Issue,
    Problem,
    Section,
    article_id,
    normalise_headline,
)
from tuireader.snapshot import FileEntry, Head, IssueEntry, pack_issue, unpack_issue

#: Parsed files kept in memory for ``article()``.
PARSE_CACHE_SIZE = 64


@dataclass(slots=True)
class SourceFile:
    path: Path  # absolute
    root: Path
    rel: str
    size: int = 0
    mtime_ns: int = 0


@dataclass(slots=True)
class FileInfo:
    """What a file says about its issue and page (kept in the catalogue)."""

    layout: str
    paper: str | None
    date: str | None
    page: int | None
    section_name: str | None
    order: tuple = ()


@dataclass(slots=True)
class Entry:
    """An article during the build, before ids and links are settled: its
    summary only, so a build from the catalogue needs no parsing."""

    source: SourceFile
    info: FileInfo
    index: int
    headline: str
    kicker: str | None
    kind: str
    jumps: tuple[tuple[str, int], ...]
    body_key: str
    dedupe_key: str | None
    #: kicker?, subheadlines, bylines, blocks: which copy of a duplicate is richer.
    richness: tuple[int, int, int, int]
    merged: list[str] = field(default_factory=list)


def entries_from_parsed(src: SourceFile, parsed: ParsedFile) -> list[Entry]:
    info = FileInfo(parsed.layout, parsed.paper, parsed.date, parsed.page, parsed.section_name, tuple(parsed.order))
    out = []
    for i, art in enumerate(parsed.articles):
        # A link's URL counts: two items alike but for the video they point at are two items.
        body = "\n".join(b.text if b.url is None else f"{b.text}\n{b.url}" for b in art.blocks)
        body_key = hashlib.blake2b(body.encode("utf-8"), digest_size=12).hexdigest() if len(body) > 40 else ""
        url = art.meta.get("source_url") or art.meta.get("url")
        out.append(
            Entry(
                source=src,
                info=info,
                index=i,
                headline=art.headline,
                kicker=art.kicker,
                kind=art.kind,
                jumps=tuple((b.direction or "", b.page or 0) for b in art.blocks if b.type == "jump"),
                body_key=body_key,
                dedupe_key=str(url) if url else None,
                richness=(int(art.kicker is not None), len(art.subheadlines), len(art.bylines), len(art.blocks)),
            )
        )
    return out


ProgressCallback = Callable[[int, int], None]


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
        store = A.BodyStore(self.roots)
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
        order = {str(r): i for i, r in enumerate(self.roots)}
        entries: list[Entry] = []
        for row in sorted(rows.values(), key=lambda r: (order.get(r.root, len(order)), r.rel)):
            if row.problem is not None:
                self.problems.append(Problem(readable_name(row.path), row.problem))
                continue
            if row.info is None:  # an archive: its members have rows of their own
                continue
            src = SourceFile(Path(row.path), Path(row.root), row.rel, row.size, row.mtime_ns)
            layout, paper, date, page, section_name, order = row.info
            info = FileInfo(layout, paper, date, page, section_name, tuple(order))
            for i, (headline, kicker, kind, jumps, body_key, dedupe_key, richness) in enumerate(row.articles):
                entries.append(
                    Entry(src, info, i, headline, kicker, kind, tuple((d, p) for d, p in json.loads(jumps)),
                          body_key, dedupe_key, tuple(json.loads(richness)))
                )
        self._build(entries)

    def _build(self, entries: list[Entry]) -> None:
        # Issues: by paper and date; undated files by their folder.
        groups: dict[str, list[Entry]] = {}
        for e in entries:
            groups.setdefault(issue_key(str(e.source.path), e.info.paper, e.info.date), []).append(e)

        issues: list[tuple[tuple[str, str, str], str, Issue]] = []
        for key, group in groups.items():
            paper = group[0].info.paper
            date = group[0].info.date
            # Pages unknown from front matter, content or path: file order, from 1.
            used = {e.info.page for e in group if e.info.page}
            assigned: dict[str, int] = {}
            next_page = 1
            for e in sorted(group, key=lambda e: e.source.rel):
                if e.info.page or e.source.rel in assigned:
                    continue
                while next_page in used:
                    next_page += 1
                assigned[e.source.rel] = next_page
                used.add(next_page)
            by_page: dict[int, list[Entry]] = {}
            for e in group:
                page = e.info.page or assigned[e.source.rel]
                by_page.setdefault(page, []).append(e)
            issue = Issue(paper=paper, date=date)
            if not paper and not date:
                issue.title = readable_name(group[0].source.path.parent.name) or None
            for page in sorted(by_page):
                page_entries = sorted(
                    by_page[page],
                    key=lambda e: (e.info.layout == "article", e.info.order or (float("inf"),), e.source.rel, e.index),
                )
                page_entries = _dedupe(page_entries)
                name = next((e.info.section_name for e in page_entries if e.info.section_name), None)
                section = Section(number=page, name=name)
                for e in page_entries:
                    if e.source.rel not in section.sources:
                        section.sources.append(e.source.rel)
                    section.articles.append(self._ref(e, issue, page))
                issue.sections.append(section)
            issues.append((_sort_key(issue.paper, issue.date, issue.sections[0].sources[0]), key, issue))

        issues.sort(key=lambda built: built[0])
        self.issues = [issue for _, _, issue in issues]
        self._issue_sort = [order for order, _, _ in issues]
        self._issue_keys = [key for _, key, _ in issues]
        for n, issue in enumerate(self.issues):
            ids = []
            for section in issue.sections:
                for ref in section.articles:
                    self._ref_of[ref.id] = ref
                    self._section_of[ref.id] = section
                    self._issue_of[ref.id] = n
                    ids.append(ref.id)
            self._issue_ids.append(tuple(ids))
        self._link_jumps()

    def _ref(self, e: Entry, issue: Issue, page: int) -> ArticleRef:
        base = article_id(issue.paper, issue.date, page, e.headline or e.kicker or e.body_key)
        aid, n = base, 1
        while aid in self._ref_file or aid in self._taken:
            n += 1
            aid = f"{base}-{n}"
        key = str(e.source.path)
        self._files[key] = e.source
        self._ref_file[aid] = key
        if e.merged:
            self._merged[aid] = e.merged
        return ArticleRef(
            id=aid,
            headline=e.headline,
            kind=e.kind,
            kicker=e.kicker,
            source=e.source.rel,
            index=e.index,
            jumps=e.jumps,
        )

    def _link_jumps(self) -> None:
        """Link ``下转第N版`` to the article on page N that says ``上接第M版``."""
        for issue in self.issues:
            for section in issue.sections:
                for ref in section.articles:
                    for direction, page in ref.jumps:
                        if direction != "next" or ref.continues_at:
                            continue
                        target = issue.section(page)
                        if target is None:
                            continue
                        candidates = [
                            r
                            for r in target.articles
                            if r.continued_from is None and ("prev", section.number) in r.jumps
                        ]
                        if not candidates:
                            continue
                        best = max(candidates, key=lambda r: _title_overlap(ref, r))
                        ref.continues_at = best.id
                        best.continued_from = ref.id

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
    rows: dict[str, FileRow] = {}
    to_save: list[FileRow] = []
    changes = 0
    def unchanged(f: Found, prev: FileRow | None) -> bool:
        return prev is not None and (prev.size, prev.mtime_ns, prev.rel) == (f[3], f[4], f[2])

    archives = [f for f in found if A.is_archive(f[0])]
    boxes = A.members_by_archive(old) if archives else {}
    store = A.BodyStore([Path(p).resolve() for p in paths]) if archives else None
    # The archives to read, in worker processes when there are many; results in walk order.
    reads = A.read_many([f for f in archives if not unchanged(f, old.get(f[0]))], _read_archive_job, rmrb.papers())
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
        if part_at is not None and n < len(found) and time.monotonic() >= part_at:
            part_at = None
            first_part[1](dict(rows))  # type: ignore[index]
    removed = [p for p in old if p not in rows]
    return rows, to_save, removed, changes + len(removed)


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


def _unpack_weakly(library: weakref.ref[Library], n: int) -> list[Section]:
    lib = library()
    return lib._unpack(n) if lib is not None else []


def _sort_key(paper: str | None, date: str | None, first_source: str) -> tuple[str, str, str]:
    """Issues by date (undated last), then paper, then where their first page lies."""
    return (date or "9999", paper or "", first_source)


def _richness(e: Entry) -> tuple:
    return (*e.richness, len(e.headline))


def _dedupe(entries: list[Entry]) -> list[Entry]:
    """The same article stored twice (same source URL, or the same body) shows once,
    keeping the richer copy (the one with the kicker) at the first copy's place."""
    kept: list[Entry] = []
    by_url: dict[str, int] = {}
    by_body: dict[str, int] = {}
    for e in entries:
        slot = by_url.get(e.dedupe_key) if e.dedupe_key else None
        if slot is not None and kept[slot].source.rel == e.source.rel:
            slot = None  # one file may hold several pieces from one page URL
        if slot is None and e.body_key:
            slot = by_body.get(e.body_key)
        if slot is None:
            if e.dedupe_key:
                by_url.setdefault(e.dedupe_key, len(kept))
            if e.body_key:
                by_body.setdefault(e.body_key, len(kept))
            kept.append(e)
            continue
        twin = kept[slot]
        richer, poorer = (e, twin) if _richness(e) > _richness(twin) else (twin, e)
        richer.merged = twin.merged + e.merged + [f"duplicate of {poorer.source.rel}"]
        kept[slot] = richer
        if richer.body_key:
            by_body.setdefault(richer.body_key, slot)
    return kept


def _title_overlap(a: ArticleRef, b: ArticleRef) -> tuple[int, str]:
    ha, hb = normalise_headline(a.headline), normalise_headline(b.headline)
    return (len(set(ha) & set(hb)), b.id)
