"""The search index: one SQLite database per library in the cache dir.

Built and updated incrementally by one process under a lock (segmenting in
worker processes); any number of processes read it meanwhile (WAL mode), so a
search can run on what is already indexed. A file that is not our database,
or one of another schema version or library, is never trusted: it is removed
and rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tuireader import paths
from tuireader.search.fold import fold

MAGIC = "tuireader-search-index"
SCHEMA_VERSION = "8"
_SQLITE_HEADER = b"SQLite format 3\x00"
#: Documents handed to a worker per call.
BATCH = 48

Progress = Callable[[int, int], None]


class IndexError_(Exception):
    """The index file is unusable (corrupt, foreign, wrong version)."""


#: The tables an index of this schema has: one missing is a damaged index, never an empty one.
TABLES = frozenset({"meta", "files", "docs", "bodies", "vocab", "chars", "sounds", "fts"})


def damaged_marker(path: Path) -> Path:
    """``<index>.damaged``: left by a reader that met an error in the index, so the next
    update rebuilds it (the file itself may not be writable, being damaged)."""
    return Path(str(path) + ".damaged")


def mark_damaged(path: Path) -> None:
    with contextlib.suppress(OSError):
        damaged_marker(path).touch()


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error says the file is damaged (not busy, full or read-only)."""
    if isinstance(exc, IndexError_):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_SCHEMA"))
            or any(w in text for w in ("malformed", "no such table", "no such column", "not a database",
                                      "corrupt")))


_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE files(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, hash TEXT) WITHOUT ROWID;
CREATE TABLE docs(
    id INTEGER PRIMARY KEY,
    article_id TEXT UNIQUE NOT NULL,
    file TEXT NOT NULL,
    headline TEXT, kicker TEXT, subheads TEXT, bylines TEXT, by_key TEXT,
    paper TEXT, date TEXT, page INTEGER, section TEXT, kind TEXT,
    fhead TEXT,
    seg TEXT  -- the head and byline text as segmented (with body, what a delete re-segments)
);
-- bodies apart: a filter reads docs for every match, and narrow rows keep that in few pages
CREATE TABLE bodies(id INTEGER PRIMARY KEY, body BLOB, fbody BLOB);
CREATE INDEX docs_file ON docs(file);
CREATE INDEX docs_date ON docs(date);
CREATE TABLE vocab(term TEXT PRIMARY KEY, py TEXT) WITHOUT ROWID;
CREATE TABLE chars(ch TEXT PRIMARY KEY, py TEXT) WITHOUT ROWID;
CREATE TABLE sounds(key TEXT PRIMARY KEY, chars TEXT) WITHOUT ROWID;
-- contentless (the text is in docs), with positions: FTS5's bm25() scores nothing
-- on a contentless table without them (detail=column gives every row 0). Deleting a row
-- needs the values it indexed: they are segmented again from docs (see _delete_docs).
CREATE VIRTUAL TABLE fts USING fts5(
    head, byline, body, pyhead, pybody, inihead,
    content='', tokenize='unicode61 remove_diacritics 0'
);
"""


@dataclass(slots=True)
class IndexDoc:
    """What the index keeps of one article (everything a result row needs)."""

    article_id: str
    headline: str
    kicker: str | None = None
    subheadlines: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    dateline: str | None = None
    body: str = ""
    paper: str | None = None
    date: str | None = None
    page: int | None = None
    section: str | None = None
    kind: str = "article"

    @classmethod
    def from_article(cls, art) -> IndexDoc:
        parts = []
        for b in art.blocks:
            if b.type == "jump":
                continue
            text = b.text or ""
            if b.type == "caption" and b.credit:
                text = f"{text} {b.credit}".strip()
            if text:
                parts.append(text)
        return cls(
            article_id=art.id,
            headline=art.headline or "",
            kicker=art.kicker,
            subheadlines=list(art.subheadlines),
            bylines=list(art.bylines),
            dateline=art.dateline,
            body="\n".join(parts),
            paper=art.paper,
            date=art.date,
            page=art.page,
            section=art.section_name,
            kind=art.kind,
        )

    def segment_input(self) -> tuple[str, str, str]:
        head = "\n".join(x for x in [self.kicker, self.headline, *self.subheadlines] if x)
        byline = "\n".join(x for x in [*self.bylines, self.dateline] if x)
        return head, byline, self.body


@dataclass(slots=True)
class SourceFile:
    """A source file of the library and a way to get its articles."""

    path: str  # absolute
    size: int
    mtime_ns: int
    docs: Callable[[], list[IndexDoc]]


def library_key(roots: Iterable[Path]) -> str:
    text = "\n".join(sorted(str(Path(r).resolve()) for r in roots))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


def index_path(roots: Iterable[Path]) -> Path:
    return paths.cache_dir() / "search" / f"{library_key(roots)}.sqlite"


def file_hash(path: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def try_lock(db_path: Path, blocking: bool) -> Iterator[bool]:
    """flock on ``<db>.lock`` (the same file ``store.atomic.file_lock`` uses); yields whether held."""
    lock_path = Path(str(db_path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(path) + suffix)


def check_db(path: Path, roots_key: str) -> sqlite3.Connection:
    """Open an existing index and prove it is ours; raise IndexError_ if not."""
    try:
        with open(path, "rb") as f:
            header = f.read(16)
    except OSError as exc:
        raise IndexError_(f"cannot read index: {exc}") from None
    if header != _SQLITE_HEADER:
        raise IndexError_("not an SQLite database")
    try:
        conn = connect(path)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise IndexError_(f"unreadable index: {exc}") from None
    if meta.get("magic") != MAGIC or meta.get("schema") != SCHEMA_VERSION or meta.get("library") != roots_key:
        conn.close()
        raise IndexError_("index of another program, version or library")
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise IndexError_(f"unreadable index: {exc}") from None
    if not TABLES <= tables:
        conn.close()
        raise IndexError_(f"damaged index: no table {', '.join(sorted(TABLES - tables))}")
    return conn


def segmenter_version() -> str:
    """jieba's, rjieba's and pypinyin's versions: a row is deleted by segmenting its text again,
    which must give the tokens it was indexed with, so another version means a rebuild."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("jieba", "rjieba", "pypinyin"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} ?")
    return ", ".join(out)


def create_db(path: Path, roots_key: str, in_worker: bool = False) -> sqlite3.Connection:
    from tuireader.search.segment import char_reading_table, char_table_cache, silence_stdio

    if in_worker and not char_table_cache().exists():
        # pypinyin takes a second to import, holding the GIL: not in the reader's process
        import concurrent.futures as cf
        import multiprocessing as mp

        with _stderr_with_fd():
            pool = cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"), initializer=silence_stdio)
        with pool:
            with _stderr_with_fd():
                pool.submit(char_reading_table).result()
    remove_db(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    remove_db(tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    # pages an update frees (FTS segments merged away) are handed back after it
    conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    conn.executescript(_SCHEMA)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("magic", MAGIC), ("schema", SCHEMA_VERSION), ("library", roots_key), ("complete", "0"),
         ("created", str(time.time())), ("segmenter", segmenter_version())],
    )
    table = char_reading_table()
    conn.executemany("INSERT INTO chars VALUES (?, ?)", table)
    # syllable -> every character read so; "^s" -> every character whose reading starts with s
    sounds: dict[str, dict[str, None]] = {}
    for ch, py in table:
        for r in py.split(","):
            sounds.setdefault(r, {})[ch] = None
            sounds.setdefault("^" + r[:1], {})[ch] = None
    conn.executemany("INSERT INTO sounds VALUES (?, ?)", [(k, "".join(v)) for k, v in sounds.items()])
    conn.execute("COMMIT")
    conn.close()
    os.replace(tmp, path)  # readers never see a half-made schema
    return connect(path)


@contextlib.contextmanager
def _stderr_with_fd() -> Iterator[None]:
    """multiprocessing hands ``sys.stderr``'s descriptor to the processes it starts;
    under Textual that is a capture object without one, so lend it /dev/null."""
    try:
        ok = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        ok = False
    if ok:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(blob: bytes | None) -> str:
    return zlib.decompress(blob).decode("utf-8") if blob else ""


@dataclass
class UpdateStats:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    docs: int = 0
    seconds: float = 0.0
    rebuilt: bool = False


class Indexer:
    """Builds and updates one library's index. Only one process does it at a time."""

    def __init__(self, roots: Iterable[Path], workers: int = 2, inline_bytes: int = 256 * 1024):
        self.roots = [Path(r) for r in roots]
        self.key = library_key(self.roots)
        self.path = index_path(self.roots)
        self.workers = workers
        #: Below this much new text, segmenting here beats starting worker processes.
        self.inline_bytes = inline_bytes

    def update(
        self,
        sources: Iterable[SourceFile],
        rebuild: bool = False,
        progress: Progress | None = None,
        wait: bool = True,
        check: bool = False,
    ) -> UpdateStats | None:
        """Bring the index up to date with ``sources``. None if another process holds the lock.

        ``check`` reads the whole file first (SQLite's quick_check): a damaged index is
        rebuilt. Without it, damage met while updating also makes it rebuild."""
        sources = list(sources)
        with try_lock(self.path, blocking=wait) as held:
            if not held:
                return None
            try:
                return self._update_locked(sources, rebuild, progress, check)
            except sqlite3.DatabaseError as exc:
                if rebuild or not is_damage(exc):
                    raise  # full, read-only: the caller says so
                return self._update_locked(sources, True, progress, False)

    # ------------------------------------------------------------------ internals

    def _open(self, rebuild: bool, check: bool = False) -> tuple[sqlite3.Connection, bool]:
        marker = damaged_marker(self.path)
        if not rebuild and self.path.exists() and not marker.exists():
            try:
                conn = check_db(self.path, self.key)
                row = conn.execute("SELECT value FROM meta WHERE key='segmenter'").fetchone()
                healthy = not check or conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                if row and row[0] == segmenter_version() and healthy:
                    return conn, False
                conn.close()  # another jieba could not delete its rows, or damaged: made anew
            except (IndexError_, sqlite3.DatabaseError):
                pass  # foreign or corrupt: never trusted, made anew
        conn = create_db(self.path, self.key, in_worker=self.workers > 0 and self.inline_bytes == 0)
        marker.unlink(missing_ok=True)
        return conn, True

    def _update_locked(self, sources: list[SourceFile], rebuild: bool, progress: Progress | None,
                       check: bool = False) -> UpdateStats:
        start = time.perf_counter()
        conn, fresh = self._open(rebuild, check)
        stats = UpdateStats(rebuilt=fresh)
        # a cache rebuilt when found corrupt: no fsync per batch while building
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-32768")  # 32 MB
        try:
            known = {p: (s, m, h) for p, s, m, h in conn.execute("SELECT path, size, mtime_ns, hash FROM files")}
            todo: list[tuple[SourceFile, str]] = []
            touched: list[tuple[str, int, int]] = []
            for src in sources:
                old = known.pop(src.path, None)
                if old is not None and (old[0], old[1]) == (src.size, src.mtime_ns):
                    stats.unchanged += 1
                    continue
                digest = file_hash(src.path)
                if old is not None and old[2] == digest:
                    touched.append((src.path, src.size, src.mtime_ns))  # touched, same bytes
                    stats.unchanged += 1
                    continue
                todo.append((src, digest))
                if old is None:
                    stats.added += 1
                else:
                    stats.changed += 1
            gone = list(known)
            stats.removed = len(gone)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE meta SET value='0' WHERE key='complete'")
            conn.executemany("UPDATE files SET size=?, mtime_ns=? WHERE path=?", [(s, m, p) for p, s, m in touched])
            old_files = gone + ([src.path for src, _ in todo] if not fresh else [])
            for k in range(0, len(old_files), 500):
                chunk = old_files[k : k + 500]
                rows = conn.execute("SELECT d.id, d.seg, b.body FROM docs d LEFT JOIN bodies b ON b.id = d.id"
                                    f" WHERE d.file IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                self._delete_docs(conn, rows)
            conn.executemany("DELETE FROM files WHERE path=?", [(p,) for p in gone])
            conn.execute("COMMIT")
            stats.docs = self._index_files(conn, todo, progress)
            if fresh and stats.docs:
                # one b-tree per column instead of many segments: smaller, and faster to query
                # (an update leaves merging to FTS5's automerge: optimize rewrites the whole index)
                conn.execute("INSERT INTO fts(fts) VALUES('optimize')")
            conn.execute("UPDATE meta SET value='1' WHERE key='complete'")
            conn.executescript("PRAGMA incremental_vacuum;")  # executescript steps it to the end
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        stats.seconds = time.perf_counter() - start
        return stats

    @staticmethod
    def _delete_docs(conn: sqlite3.Connection, rows: list[tuple[int, str, bytes]]) -> None:
        """Forget rows (id, seg, body): a contentless FTS5 table forgets a row when told the
        values it indexed, and segmenting is deterministic for one segmenter version."""
        if not rows:
            return
        from tuireader.search import segment

        results = segment.segment_batch([(*json.loads(seg), unpack(body)) for _, seg, body in rows])
        conn.executemany(
            "INSERT INTO fts(fts, rowid, head, byline, body, pyhead, pybody, inihead) VALUES('delete', ?, ?, ?, ?, ?, ?, ?)",
            [(rowid, *cols) for (rowid, _, _), (cols, _) in zip(rows, results)],
        )
        conn.executemany("DELETE FROM docs WHERE id=?", [(r[0],) for r in rows])
        conn.executemany("DELETE FROM bodies WHERE id=?", [(r[0],) for r in rows])

    def _batches(self, todo: list[tuple[SourceFile, str]]) -> Iterator[tuple[list[tuple[SourceFile, str]], list[tuple[str, IndexDoc]]]]:
        files: list[tuple[SourceFile, str]] = []
        docs: list[tuple[str, IndexDoc]] = []
        for item in todo:
            try:
                file_docs = item[0].docs()
            except Exception:  # a file that no longer parses is indexed as empty, not a crash
                file_docs = []
            files.append(item)
            docs.extend((item[0].path, d) for d in file_docs)
            if len(docs) >= BATCH:
                yield files, docs
                files, docs = [], []
        if files:
            yield files, docs

    def _index_files(self, conn: sqlite3.Connection, todo: list[tuple[SourceFile, str]], progress: Progress | None) -> int:
        total_files = len(todo)
        vocab_known: set[str] = set()
        done_files = 0
        n_docs = 0
        if progress:
            progress(0, total_files)
        batches = self._batches(todo)

        build = os.urandom(8).hex()  # workers hand over each term's reading once per build
        next_id = (conn.execute("SELECT max(id) FROM docs").fetchone()[0] or 0) + 1
        last_commit = time.monotonic()
        conn.execute("BEGIN IMMEDIATE")

        def store(files, docs, results) -> None:
            nonlocal done_files, n_docs, next_id, last_commit
            next_id = self._insert_docs(conn, docs, results, next_id)
            new_terms = [(t, p) for _, vocab in results for t, p in vocab if t not in vocab_known]
            if new_terms:
                conn.executemany("INSERT OR IGNORE INTO vocab VALUES (?, ?)", new_terms)
                vocab_known.update(t for t, _ in new_terms)
            conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                             [(s.path, s.size, s.mtime_ns, h) for s, h in files])
            done_files += len(files)
            n_docs += len(docs)
            if time.monotonic() - last_commit > 1.0:
                # a reader sees what is stored within a second; fewer, larger transactions
                # leave fewer FTS segments to merge
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                last_commit = time.monotonic()
            if progress:
                progress(done_files, total_files)

        try:
            self._run_batches(batches, store, build, total_files, todo)
        except BaseException:
            conn.execute("ROLLBACK")  # the files of an unstored batch stay unindexed, to be done again
            raise
        conn.execute("COMMIT")
        return n_docs

    def _run_batches(self, batches, store, build: str, total_files: int, todo) -> None:
        from tuireader.search import segment

        if self.workers <= 0 or total_files == 0 or sum(s.size for s, _ in todo) < self.inline_bytes:
            for files, docs in batches:
                store(files, docs, segment.segment_batch([d.segment_input() for _, d in docs], build))
            return
        import concurrent.futures as cf
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # no fork of a threaded (UI) process
        with _stderr_with_fd():  # making the pool starts multiprocessing's resource tracker
            pool = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=segment.worker_init,
                                          initargs=(os.environ.get("XDG_CACHE_HOME"),))
        with pool:
            pending: deque = deque()
            for files, docs in batches:
                with _stderr_with_fd():  # the first submit starts the processes
                    future = pool.submit(segment.segment_batch, [d.segment_input() for _, d in docs], build)
                pending.append((files, docs, future))
                while len(pending) > self.workers * 3:
                    f, d, fut = pending.popleft()
                    store(f, d, fut.result())
            while pending:
                f, d, fut = pending.popleft()
                store(f, d, fut.result())

    def _insert_docs(self, conn: sqlite3.Connection, docs: list[tuple[str, IndexDoc]], results, next_id: int) -> int:
        """Store a batch of segmented documents (ids from ``next_id`` on); the next free id."""
        last = {doc.article_id: i for i, (_, doc) in enumerate(docs)}  # one id twice: the last stays
        ids = list(last)
        moved = conn.execute(  # articles that moved here from another file
            "SELECT d.id, d.seg, b.body FROM docs d LEFT JOIN bodies b ON b.id = d.id"
            f" WHERE d.article_id IN ({','.join('?' * len(ids))})", ids).fetchall()
        self._delete_docs(conn, moved)
        doc_rows, body_rows, fts_rows = [], [], []
        for i, ((file, doc), (cols, _)) in enumerate(zip(docs, results)):
            if last[doc.article_id] != i:
                continue
            rowid, next_id = next_id, next_id + 1
            by_key = "".join(fold(" ".join(doc.bylines + ([doc.dateline] if doc.dateline else []))).split())
            doc_rows.append((
                rowid, doc.article_id, file, doc.headline, doc.kicker, "\n".join(doc.subheadlines),
                "\n".join(doc.bylines), by_key, doc.paper, doc.date, doc.page, doc.section, doc.kind,
                # folded copies: the query side compares folded text and must not fold bodies per keystroke
                fold("\n".join(x for x in (doc.kicker, doc.headline, *doc.subheadlines) if x)),
                json.dumps(doc.segment_input()[:2], ensure_ascii=False),
            ))
            body_rows.append((rowid, _pack(doc.body), _pack(fold(doc.body))))
            fts_rows.append((rowid, *cols))
        conn.executemany(
            "INSERT INTO docs(id, article_id, file, headline, kicker, subheads, bylines, by_key, paper, date,"
            " page, section, kind, fhead, seg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            doc_rows,
        )
        conn.executemany("INSERT INTO bodies(id, body, fbody) VALUES (?, ?, ?)", body_rows)
        conn.executemany(
            "INSERT INTO fts(rowid, head, byline, body, pyhead, pybody, inihead) VALUES (?, ?, ?, ?, ?, ?, ?)",
            fts_rows,
        )
        return next_id
