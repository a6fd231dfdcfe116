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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tuireader import paths

MAGIC = "tuireader-catalogue"
#: Bump when the parsers change what they produce, so old catalogues are rebuilt.
SCHEMA = "8"
#: The shape of the snapshot's head (see ``Library._save_snapshot``).
SNAPSHOT_VERSION = 3


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


def catalogue_path(roots: Iterable[Path]) -> Path:
    key = "\n".join(sorted(str(Path(r).resolve()) for r in roots))
    name = hashlib.blake2b(key.encode("utf-8"), digest_size=10).hexdigest()
    return paths.cache_dir() / "catalogue" / f"{name}.sqlite"


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def issue_key(path: str, paper: str | None, date: str | None) -> str:
    """The issue a file's articles belong to: its paper and date, or for an
    undated file its folder. The library groups by it; a refresh rebuilds
    only the issues whose files changed."""
    return "\x1f".join((paper or "", date or "", "" if date else os.path.dirname(path)))


def row_issue_key(row: FileRow) -> str | None:
    """The ``issue_key`` of a file's row (None for a file that yielded no articles)."""
    return issue_key(row.path, row.info[1], row.info[2]) if row.info else None


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
        return self._rows_in("path", list(paths))

    def rows_of_issues(self, keys: Iterable[str]) -> dict[str, FileRow] | None:
        """The rows of every file whose articles belong to these issues (``issue_key``)."""
        return self._rows_in("issue", list(keys))

    def _rows_in(self, column: str, values: list[str]) -> dict[str, FileRow] | None:
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

    def _rows(self, where: str, params: Iterable[str]) -> dict[str, FileRow] | None:
        if not self.path.exists():
            return None
        params = tuple(params)
        try:
            with contextlib.closing(self._connect()) as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
                if meta.get("magic") != MAGIC or meta.get("schema") != SCHEMA or json.loads(meta.get("roots", "null")) != self.roots:
                    raise sqlite3.DatabaseError("foreign or outdated catalogue")
                rows: dict[str, FileRow] = {}
                for path, root, rel, size, mtime_ns, digest, problem, info in db.execute(
                    f"SELECT path, root, rel, size, mtime_ns, digest, problem, info FROM files {where}", params
                ):
                    rows[path] = FileRow(
                        path, root, rel, size, mtime_ns, digest, problem, tuple(json.loads(info)) if info else None, []
                    )
                articles = "SELECT path, headline, kicker, kind, jumps, body_key, dedupe_key, richness FROM articles"
                if where:
                    articles += f" WHERE path IN (SELECT path FROM files {where})"
                for path, headline, kicker, kind, jumps, body_key, dedupe_key, richness in db.execute(
                    articles + " ORDER BY path, idx", params
                ):
                    row = rows.get(path)
                    if row is None:
                        raise sqlite3.DatabaseError("article row without a file")
                    row.articles.append((headline, kicker, kind, jumps, body_key, dedupe_key, richness))
                return rows
        except (sqlite3.Error, ValueError, TypeError, OSError):
            self.discard()
            return None

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
        except sqlite3.DatabaseError:
            # A corrupt file: start again from nothing rather than trust it.
            self.discard()
            self._save(rows, removed, True, True)

    def _save(self, rows: list[FileRow], removed: Iterable[str], replace_all: bool, snapshot_stale: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                if snapshot_stale:
                    db.execute("DELETE FROM meta WHERE key = 'snapshot'")
                    db.execute("DELETE FROM snapshot_issues")
                if replace_all:
                    db.execute("DELETE FROM files")
                    db.execute("DELETE FROM articles")
                for path in removed:
                    db.execute("DELETE FROM files WHERE path = ?", (path,))
                    db.execute("DELETE FROM articles WHERE path = ?", (path,))
                for row in rows:
                    db.execute("DELETE FROM articles WHERE path = ?", (row.path,))
                    db.execute(
                        "INSERT OR REPLACE INTO files (path, root, rel, size, mtime_ns, digest, problem, info, issue)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (row.path, row.root, row.rel, row.size, row.mtime_ns, row.digest, row.problem,
                         json.dumps(list(row.info), ensure_ascii=False) if row.info else None, row_issue_key(row)),
                    )
                    db.executemany(
                        "INSERT INTO articles (path, idx, headline, kicker, kind, jumps, body_key, dedupe_key, richness)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(row.path, i, *a) for i, a in enumerate(row.articles)],
                    )

    # ------------------------------------------------------------- snapshot
    # The built library, so a warm start reads rows instead of rebuilding 100,000
    # entries: a small head (the issues, their article ids, a digest of each issue)
    # and one compressed blob per issue, read whole but unpacked only when the
    # issue is first shown. All of it is read in one transaction, so a refresh by
    # another process cannot hand a reader one issue of another snapshot.

    def save_snapshot(self, head: tuple, issues: list[bytes]) -> str:
        """Store the head (marshalled, with its checksum) and the issues' blobs;
        returns the head's digest, which names this snapshot."""
        data = marshal.dumps(head)
        digest = content_digest(data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                db.execute("DELETE FROM snapshot")
                db.execute("DELETE FROM snapshot_issues")
                db.execute("INSERT INTO snapshot (data, digest) VALUES (?, ?)", (data, digest))
                db.executemany("INSERT INTO snapshot_issues (n, data) VALUES (?, ?)", enumerate(issues))
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

    def load_snapshot(self) -> tuple[tuple, list[bytes], str] | None:
        """(head, the issues' blobs, the head's digest) as saved, or None (the caller rebuilds them).
        The blobs are checked against the head's digests by whoever unpacks them."""
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(self._connect()) as db:
                db.execute("BEGIN")  # one read transaction: the head and the blobs of one snapshot
                meta = dict(db.execute("SELECT key, value FROM meta"))
                if (
                    meta.get("magic") != MAGIC
                    or meta.get("schema") != SCHEMA
                    or json.loads(meta.get("roots", "null")) != self.roots
                ):
                    raise sqlite3.DatabaseError("foreign or outdated catalogue")
                if "snapshot" not in meta:
                    return None
                row = db.execute("SELECT data, digest FROM snapshot").fetchone()
                blobs = [data for (data,) in db.execute("SELECT data FROM snapshot_issues ORDER BY n")]
            # marshal is fast but trusts its input: check the head is the one we wrote.
            if row is None or content_digest(row[0]) != row[1]:
                raise ValueError("snapshot checksum mismatch")
            head = marshal.loads(row[0])
            if not isinstance(head, tuple) or len(head) != 3 or head[0] != SNAPSHOT_VERSION:
                raise ValueError("snapshot of the wrong shape")
            if not isinstance(head[1], tuple) or len(head[1]) != len(blobs):
                raise ValueError("snapshot issues missing")
            if not all(isinstance(entry, tuple) and len(entry) == 7 for entry in head[1]):
                raise ValueError("snapshot issue of the wrong shape")
            return head, blobs, row[1]
        except (sqlite3.Error, ValueError, TypeError, EOFError, OSError):
            self.discard()
            return None

    def file_stats(self) -> dict[str, tuple[int, int]]:
        if not self.path.exists():
            return {}
        try:
            with contextlib.closing(self._connect()) as db:
                return {p: (size, mtime) for p, size, mtime in db.execute("SELECT path, size, mtime_ns FROM files")}
        except sqlite3.Error:
            return {}

    def outer_file_stats(self) -> dict[str, tuple[int, int]]:
        """``file_stats`` without the members of archives (``<archive>.7z/<name>``): what
        ``walk`` finds, so a look at an archive of a million articles reads its rows only."""
        if not self.path.exists():
            return {}
        try:
            with contextlib.closing(self._connect()) as db:
                return {p: (size, mtime) for p, size, mtime in db.execute(
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
                return [p for (p,) in db.execute(
                    "SELECT path FROM files WHERE path > ? AND path < ?", (folder + "/", folder + "0"))]
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
            " mtime_ns INTEGER, digest TEXT, problem TEXT, info TEXT, issue TEXT)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS files_by_issue ON files (issue)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS articles (path TEXT, idx INTEGER, headline TEXT, kicker TEXT, kind TEXT,"
            " jumps TEXT, body_key TEXT, dedupe_key TEXT, richness TEXT, PRIMARY KEY (path, idx))"
        )
        db.execute("CREATE TABLE IF NOT EXISTS snapshot (data BLOB, digest TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS snapshot_issues (n INTEGER PRIMARY KEY, data BLOB)")
        db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("magic", MAGIC), ("schema", SCHEMA), ("roots", json.dumps(self.roots, ensure_ascii=False))],
        )
