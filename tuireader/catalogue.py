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
SCHEMA = "7"
#: The shape of the snapshot's head (see ``Library._save_snapshot``).
SNAPSHOT_VERSION = 2


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


class Catalogue:
    def __init__(self, roots: list[Path], path: Path | None = None) -> None:
        self.roots = [str(Path(r).resolve()) for r in roots]
        self.path = path or catalogue_path(roots)

    # -------------------------------------------------------------- reading

    def load(self) -> dict[str, FileRow] | None:
        """Every file's row, or None when there is no usable catalogue."""
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(self._connect()) as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
                if meta.get("magic") != MAGIC or meta.get("schema") != SCHEMA or json.loads(meta.get("roots", "null")) != self.roots:
                    raise sqlite3.DatabaseError("foreign or outdated catalogue")
                rows: dict[str, FileRow] = {}
                for path, root, rel, size, mtime_ns, digest, problem, info in db.execute(
                    "SELECT path, root, rel, size, mtime_ns, digest, problem, info FROM files"
                ):
                    rows[path] = FileRow(
                        path, root, rel, size, mtime_ns, digest, problem, tuple(json.loads(info)) if info else None, []
                    )
                for path, headline, kicker, kind, jumps, body_key, dedupe_key, richness in db.execute(
                    "SELECT path, headline, kicker, kind, jumps, body_key, dedupe_key, richness FROM articles ORDER BY path, idx"
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

    def save(self, rows: Iterable[FileRow], removed: Iterable[str] = (), replace_all: bool = False) -> None:
        """Write these files' rows (and forget removed ones) in one transaction."""
        try:
            self._save(rows, removed, replace_all)
        except sqlite3.DatabaseError:
            # A corrupt file: start again from nothing rather than trust it.
            self.discard()
            self._save(rows, removed, True)

    def _save(self, rows: Iterable[FileRow], removed: Iterable[str], replace_all: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                db.execute("DELETE FROM meta WHERE key = 'snapshot'")  # stale until saved again
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
                        "INSERT OR REPLACE INTO files (path, root, rel, size, mtime_ns, digest, problem, info)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (row.path, row.root, row.rel, row.size, row.mtime_ns, row.digest, row.problem,
                         json.dumps(list(row.info), ensure_ascii=False) if row.info else None),
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

    def save_snapshot(self, head: tuple, issues: list[bytes]) -> None:
        """Store the head (marshalled, with its checksum) and the issues' blobs."""
        data = marshal.dumps(head)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(self._connect()) as db:
            with db:
                self._ensure_schema(db)
                db.execute("DELETE FROM snapshot")
                db.execute("DELETE FROM snapshot_issues")
                db.execute("INSERT INTO snapshot (data, digest) VALUES (?, ?)", (data, content_digest(data)))
                db.executemany("INSERT INTO snapshot_issues (n, data) VALUES (?, ?)", enumerate(issues))
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('snapshot', '1')")

    def load_snapshot(self) -> tuple[tuple, list[bytes]] | None:
        """(head, the issues' blobs) as saved, or None (the caller rebuilds them).
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
            return head, blobs
        except (sqlite3.Error, ValueError, TypeError, EOFError, OSError):
            self.discard()
            return None

    def file_stats(self) -> dict[str, tuple[int, int]]:
        try:
            with contextlib.closing(self._connect()) as db:
                return {p: (size, mtime) for p, size, mtime in db.execute("SELECT path, size, mtime_ns FROM files")}
        except sqlite3.Error:
            return {}

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
            " mtime_ns INTEGER, digest TEXT, problem TEXT, info TEXT)"
        )
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
