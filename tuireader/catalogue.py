"""The library's catalogue: what every file holds, kept in SQLite in the cache dir.

Opening a library reads the catalogue instead of parsing every file, so a
100,000-article archive opens as fast as the sample. Files are keyed by
path with their size, mtime and content hash; a refresh re-parses only what
changed. A corrupt or foreign catalogue is deleted and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tuireader import paths
from tuireader.ingest.decode import path_from_db, path_to_db
from tuireader.snapshot import Head, IssueEntry, pack_head, unpack_head

MAGIC = "tuireader-catalogue"
#: Bump when the parsers change what they produce, so old catalogues are rebuilt.
SCHEMA = "11"


@dataclass(slots=True)
class FileRow:
    path: str
    root: str
    rel: str
    size: int
    mtime_ns: int
    digest: str
    problem: str | None
    info: tuple | None  # (layout, paper, date, page, section_name, order)
    articles: list[tuple]  # (headline, kicker, kind, jumps, body_key, dedupe_key, richness)


class Unusable(ValueError):
    """What the catalogue holds is not what was written: damaged, foreign or outdated."""


def catalogue_path(roots: Iterable[Path]) -> Path:
    key = "\n".join(sorted(str(Path(r).resolve()) for r in roots))
    name = hashlib.blake2b(os.fsencode(key), digest_size=10).hexdigest()
    return paths.cache_dir() / "catalogue" / f"{name}.sqlite"


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def issue_key(path: str, paper: str | None, date: str | None) -> str:
    """The issue a file's articles belong to: its paper and date, or for an
    undated file its folder. The library groups by it; a refresh rebuilds
    only the issues whose files changed."""
    return "\x1f".join((paper or "", date or "", "" if date else os.path.dirname(path)))


#: SQLite's errors that say nothing about the file's content (``sqlite_errorname`` prefixes).
_PASSING = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR",
            "SQLITE_NOMEM", "SQLITE_PERM", "SQLITE_INTERRUPT")


def _passing_trouble(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", None) if isinstance(exc, sqlite3.Error) else None
    return isinstance(name, str) and name.startswith(_PASSING)


def _row_checksum(values: tuple, articles: list[tuple]) -> str:
    """A file's row as written (its values as SQLite keeps them, and its articles):
    SQLite checks its pages' structure, not what they hold."""
    return content_digest(repr((values, articles)).encode("utf-8", "surrogatepass"))


def row_issue_key(row: FileRow) -> str | None:
    """The ``issue_key`` of a file's row (None for a file that yielded no articles)."""
    return issue_key(row.path, row.info[1], row.info[2]) if row.info else None


class IdLookup:
    """Which issue one article id is in, asked many times over one connection
    (a refresh's new ids checked against the kept issues'); close it after."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._db: sqlite3.Connection | None = None
        if catalogue.path.exists():
            with contextlib.suppress(sqlite3.Error):
                self._db = catalogue._connect()

    def __call__(self, aid: str) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT issue FROM snapshot_ids WHERE id = ?", (aid,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else path_from_db(row[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


class Catalogue:
    def __init__(self, roots: list[Path], path: Path | None = None) -> None:
        self.roots = [str(Path(r).resolve()) for r in roots]
        self.path = path or catalogue_path(roots)

    # -------------------------------------------------------------- reading

    def load(self) -> dict[str, FileRow] | None:
        """Every file's row, or None when there is no usable catalogue."""
        return self._rows("", ())

    def rows(self, paths: Iterable[str]) -> dict[str, FileRow] | None:
        """The rows of these files (those the catalogue has), or None when it is unusable."""
        return self._rows_in("path", [path_to_db(p) for p in paths])

    def rows_of_issues(self, keys: Iterable[str]) -> dict[str, FileRow] | None:
        """The rows of every file whose articles belong to these issues (``issue_key``)."""
        return self._rows_in("issue", [path_to_db(k) for k in keys])

    def _rows_in(self, column: str, values: list[str | bytes]) -> dict[str, FileRow] | None:
        out: dict[str, FileRow] = {}
        for k in range(0, max(len(values), 1), 500):  # SQLite's limit on parameters
            chunk = values[k : k + 500]
            if not chunk:
                break
            rows = self._rows(f"WHERE {column} IN ({','.join('?' * len(chunk))})", chunk)
            if rows is None:
                return None
            out.update(rows)
        return out

    def _rows(self, where: str, params: Iterable[str | bytes]) -> dict[str, FileRow] | None:
        if not self.path.exists():
            return None
        params = tuple(params)
        try:
            with contextlib.closing(self._connect()) as db:
                db.execute("BEGIN")  # one read transaction: the counts and the rows agree
                meta = self._checked_meta(db)
                stored: dict[str | bytes, tuple] = {}
                for values in db.execute(
                    "SELECT path, root, rel, size, mtime_ns, digest, problem, info, issue, checksum"
                    f" FROM files {where}", params
                ):
                    stored[values[0]] = (values[:-1], [], values[-1])
                articles = "SELECT path, headline, kicker, kind, jumps, body_key, dedupe_key, richness FROM articles"
                if where:
                    articles += f" WHERE path IN (SELECT path FROM files {where})"
                for path, *article in db.execute(articles + " ORDER BY path, idx", params):
                    if path not in stored:
                        raise Unusable("an article row without a file")
                    stored[path][1].append(tuple(article))
            if not where and json.loads(meta.get("counts", "null")) != [
                len(stored), sum(len(articles) for _, articles, _ in stored.values())
            ]:
                raise Unusable("rows missing")  # a short read: fewer rows than were written
            return dict(self._row(values, articles, checksum) for values, articles, checksum in stored.values())
        except (sqlite3.Error, ValueError, TypeError, OSError) as exc:
            self._forget_if_damaged(exc)
            return None

    @staticmethod
    def _row(values: tuple, articles: list[tuple], checksum: str | None) -> tuple[str, FileRow]:
        """A file's row as read, once its checksum says it is the row that was written."""
        if checksum != _row_checksum(values, articles):
            raise Unusable("a row that is not as it was written")
        path, root, rel, size, mtime_ns, digest, problem, info, _issue = values
        path = path_from_db(path)
        row = FileRow(path, path_from_db(root), path_from_db(rel), size, mtime_ns, digest, problem,
                      tuple(json.loads(info)) if info else None, articles)
        return path, row

    def _checked_meta(self, db: sqlite3.Connection) -> dict[str, str]:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if (
            meta.get("magic") != MAGIC
            or meta.get("schema") != SCHEMA
            or json.loads(meta.get("roots", "null")) != self.roots
        ):
            raise Unusable("a foreign or outdated catalogue")
        return meta

    # -------------------------------------------------------------- writing

    def save(
        self, rows: Iterable[FileRow], removed: Iterable[str] = (), replace_all: bool = False,
        snapshot_stale: bool = True,
    ) -> None:
        """Write these files' rows (and forget removed ones) in one transaction.
        The snapshot is dropped unless ``snapshot_stale`` is False (files touched,
        not changed): a new one is saved by whoever changed the library."""
        rows = list(rows)
        try:
            self._save(rows, removed, replace_all, snapshot_stale)
        except sqlite3.DatabaseError as exc:
            # A damaged file: start again from nothing rather than trust it. Anything
            # else (a full disk, a read-only folder) is the caller's to let pass.
            if not self._forget_if_damaged(exc):
                raise
            self._save(rows, removed, True, True)

    def _save(self, rows: list[FileRow], removed: Iterable[str], replace_all: bool, snapshot_stale: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                if snapshot_stale:
                    # The head goes; its blobs and ids stay for the refresh that saves the next one.
                    db.execute("DELETE FROM meta WHERE key = 'snapshot'")
                if replace_all:
                    db.execute("DELETE FROM files")
                    db.execute("DELETE FROM articles")
                for gone in removed:
                    db.execute("DELETE FROM files WHERE path = ?", (path_to_db(gone),))
                    db.execute("DELETE FROM articles WHERE path = ?", (path_to_db(gone),))
                for row in rows:
                    path = path_to_db(row.path)
                    issue = row_issue_key(row)
                    values = (path, path_to_db(row.root), path_to_db(row.rel), row.size, row.mtime_ns, row.digest,
                              row.problem, json.dumps(list(row.info), ensure_ascii=False) if row.info else None,
                              None if issue is None else path_to_db(issue))
                    articles = [tuple(a) for a in row.articles]
                    db.execute("DELETE FROM articles WHERE path = ?", (path,))
                    db.execute(
                        "INSERT OR REPLACE INTO files (path, root, rel, size, mtime_ns, digest, problem, info, issue,"
                        " checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*values, _row_checksum(values, articles)),
                    )
                    db.executemany(
                        "INSERT INTO articles (path, idx, headline, kicker, kind, jumps, body_key, dedupe_key,"
                        " richness) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(path, i, *a) for i, a in enumerate(articles)],
                    )
                # How many rows there are, so that a read which comes back short is seen to.
                counts = [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("files", "articles")]
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('counts', ?)", (json.dumps(counts),))

    # ------------------------------------------------------------- snapshot
    # The built library, so a warm start reads a head instead of rebuilding 100,000
    # entries: a small head (the issues, their article counts, a digest of each
    # issue's blob), one compressed blob per issue, read and unpacked only when the
    # issue is first shown, and which issue each article id is in, asked only for an
    # id whose issue is not open (a bookmark, a read id, a search result). A blob is
    # named by its digest, so a refresh writes only the issues it built again, and a
    # reader still holding an older head finds the blobs it names or is told they
    # are gone (``snapshot_blob`` returns None).

    def save_snapshot(
        self, head: Head, blobs: Mapping[str, bytes], ids: Iterable[tuple[str, str]],
        replaced: Iterable[str] | None = None,
    ) -> str:
        """Store the head (marshalled, with its checksum), the blobs it does not find
        stored already (digest -> blob) and (article id, issue key) of the issues built;
        ``replaced``: the keys of the issues built again (the others' ids are kept), or
        None when everything is new. Returns the head's digest, which names this snapshot."""
        data = marshal.dumps(pack_head(head))
        digest = content_digest(data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                db.execute("DELETE FROM snapshot")
                if replaced is None:
                    db.execute("DELETE FROM snapshot_blobs")
                    db.execute("DELETE FROM snapshot_ids")
                else:
                    gone = [path_to_db(key) for key in replaced]
                    for k in range(0, len(gone), 500):
                        chunk = gone[k : k + 500]
                        db.execute(f"DELETE FROM snapshot_ids WHERE issue IN ({','.join('?' * len(chunk))})", chunk)
                    named = json.dumps(sorted(set(head.columns[IssueEntry._fields.index("digest")])))
                    db.execute("DELETE FROM snapshot_blobs WHERE digest NOT IN (SELECT value FROM json_each(?))",
                               (named,))
                db.executemany("INSERT OR IGNORE INTO snapshot_blobs (digest, data) VALUES (?, ?)",
                               sorted(blobs.items()))
                # In the primary key's order: SQLite appends rather than splits pages.
                db.executemany("INSERT OR REPLACE INTO snapshot_ids (id, issue) VALUES (?, ?)",
                               sorted((aid, path_to_db(key)) for aid, key in ids))
                db.execute("INSERT INTO snapshot (data, digest) VALUES (?, ?)", (data, digest))
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('snapshot', '1')")
        return digest

    def snapshot_digest(self) -> str | None:
        """The digest of the snapshot saved now (another reader's refresh changes it)."""
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(self._connect()) as db:
                if db.execute("SELECT value FROM meta WHERE key = 'snapshot'").fetchone() is None:
                    return None
                row = db.execute("SELECT digest FROM snapshot").fetchone()
            return row[0] if row else None
        except sqlite3.Error:
            return None

    def load_snapshot(self) -> tuple[Head, str] | None:
        """(head, the head's digest) as saved, or None (the caller rebuilds it). The
        blobs are read one by one, when their issue is shown (``snapshot_blob``)."""
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(self._connect()) as db:
                db.execute("BEGIN")  # one read transaction: the meta and the head agree
                meta = self._checked_meta(db)
                if "snapshot" not in meta:
                    return None
                row = db.execute("SELECT data, digest FROM snapshot").fetchone()
            # marshal is fast but trusts its input: check the head is the one we wrote.
            if row is None or content_digest(row[0]) != row[1]:
                raise Unusable("snapshot checksum mismatch")
            return unpack_head(marshal.loads(row[0])), row[1]
        except (sqlite3.Error, ValueError, TypeError, EOFError, OSError) as exc:
            self._forget_if_damaged(exc)
            return None

    def snapshot_blob(self, digest: str) -> bytes | None:
        """The issue's blob of this digest, checked against it; None when it is not
        there (another reader's refresh replaced it) or not as it was written."""
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(self._connect()) as db:
                row = db.execute("SELECT data FROM snapshot_blobs WHERE digest = ?", (digest,)).fetchone()
                if row is not None and (not isinstance(row[0], bytes) or content_digest(row[0]) != digest):
                    # Damaged: the next start builds the snapshot again rather than meet it.
                    with db:
                        db.execute("DELETE FROM meta WHERE key = 'snapshot'")
                    return None
        except sqlite3.Error as exc:
            self._forget_if_damaged(exc)
            return None
        return None if row is None else row[0]

    def issues_of_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """Article id -> the key of its issue in the snapshot, for those of ``ids`` it holds."""
        wanted = list(ids)
        out: dict[str, str] = {}
        if not wanted or not self.path.exists():
            return out
        try:
            with contextlib.closing(self._connect()) as db:
                for k in range(0, len(wanted), 20_000):
                    rows = db.execute("SELECT id, issue FROM snapshot_ids WHERE id IN (SELECT value FROM json_each(?))",
                                      (json.dumps(wanted[k : k + 20_000]),))
                    out.update((aid, path_from_db(issue)) for aid, issue in rows)
        except (sqlite3.Error, ValueError):
            return {}
        return out

    def file_stats(self) -> dict[str, tuple[int, int]]:
        if not self.path.exists():
            return {}
        try:
            with contextlib.closing(self._connect()) as db:
                rows = db.execute("SELECT path, size, mtime_ns FROM files")
                return {path_from_db(p): (size, mtime) for p, size, mtime in rows}
        except sqlite3.Error:
            return {}

    def _forget_if_damaged(self, exc: BaseException) -> bool:
        """Something read or written went wrong: True (and the catalogue deleted, so
        the caller answers from the files, which rebuild it) when it is damage. What
        our own checks refuse (a digest, a count, a shape, text that is not UTF-8) is,
        and so is any other SQLite error, except passing trouble (a lock, a full disk,
        a read-only folder) on a file that SQLite's ``quick_check`` finds sound: that
        file stays as it is."""
        if _passing_trouble(exc) and self._looks_sound():
            return False
        self.discard()
        return True

    def _looks_sound(self) -> bool:
        """SQLite's ``PRAGMA quick_check`` over the file's structure (a fraction of a
        second for a large catalogue; run only once something went wrong)."""
        try:
            read_only = f"{self.path.absolute().as_uri()}?mode=ro"
            with contextlib.closing(sqlite3.connect(read_only, uri=True, timeout=5)) as db:
                return db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        except sqlite3.OperationalError:
            return True  # cannot look (locked, cannot be opened): no sign of damage
        except sqlite3.Error:
            return False  # not a database, or malformed

    def outer_file_stats(self) -> dict[str, tuple[int, int]]:
        """``file_stats`` without the members of archives (``<archive>.7z/<name>``): what
        ``walk`` finds, so a look at an archive of a million articles reads its rows only."""
        if not self.path.exists():
            return {}
        try:
            with contextlib.closing(self._connect()) as db:
                return {path_from_db(p): (size, mtime) for p, size, mtime in db.execute(
                    "SELECT path, size, mtime_ns FROM files WHERE path NOT GLOB '*.[7][zZ]/*'")}
        except sqlite3.Error:
            return {}

    def paths_under(self, folder: str) -> list[str]:
        """The catalogued paths below ``folder`` (an archive's members), by the primary key's order."""
        if not self.path.exists():
            return []
        try:
            with contextlib.closing(self._connect()) as db:
                # Everything that starts with "folder/": from "folder/" up to "folder0" ("0" follows "/").
                # A path that is not UTF-8 is kept as bytes (a BLOB): its bounds are bytes too.
                bounds = (path_to_db(folder + "/"), path_to_db(folder + "0"))
                rows = db.execute("SELECT path FROM files WHERE path > ? AND path < ?", bounds)
                return [path_from_db(p) for (p,) in rows]
        except sqlite3.Error:
            return []

    def discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, root TEXT, rel TEXT, size INTEGER,"
            " mtime_ns INTEGER, digest TEXT, problem TEXT, info TEXT, issue TEXT, checksum TEXT)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS files_by_issue ON files (issue)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS articles (path TEXT, idx INTEGER, headline TEXT, kicker TEXT, kind TEXT,"
            " jumps TEXT, body_key TEXT, dedupe_key TEXT, richness TEXT, PRIMARY KEY (path, idx))"
        )
        db.execute("CREATE TABLE IF NOT EXISTS snapshot (data BLOB, digest TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS snapshot_blobs (digest TEXT PRIMARY KEY, data BLOB) WITHOUT ROWID")
        db.execute("CREATE TABLE IF NOT EXISTS snapshot_ids (id TEXT PRIMARY KEY, issue TEXT) WITHOUT ROWID")
        db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            # ASCII JSON keeps a root whose name is not UTF-8 (its odd bytes are escaped surrogates).
            [("magic", MAGIC), ("schema", SCHEMA), ("roots", json.dumps(self.roots))],
        )
