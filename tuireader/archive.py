"""Monthly 7z archives read in place: members as sources, never unpacked to disk.

The People's Daily 1946–2003 archive ships one solid 7z a month
(``7z/YYYY年MM月.7z``). Reading one member of a solid archive means
decompressing the stream up to it, so a month is decompressed once, when it
is catalogued: its members are parsed then, and their bytes kept in a body
store beside the catalogue (zlib chunks of a few dozen members), from which
an article is opened later without touching the archive.

A member is named by its archive's path and its name inside:
``/…/7z/1946年05月.7z/1946年05月/1946-05-16_….md`` (``member_key``). Its
catalogue row carries the archive's size and mtime, so the archive as a whole
is what changes or not; the archive has a row of its own too (no articles, or
the reason it cannot be read).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import lzma
import os
import posixpath
import sqlite3
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tuireader import paths
from tuireader.catalogue import FileRow
from tuireader.ingest import TEXT_SUFFIXES
from tuireader.ingest.decode import MAX_FILE_BYTES
from tuireader.subprocesses import stderr_with_fd

ARCHIVE_SUFFIXES = (".7z",)
#: A month is ~12 MB of text; more than this unpacked is not a month of a newspaper.
MAX_ARCHIVE_BYTES = 1 << 30
#: Members a body chunk holds: small enough that opening one article costs a millisecond.
CHUNK_MEMBERS = 64
#: Keys asked for in one SQL statement (SQLite allows at least 999 parameters).
_SQL_PARAMS = 900


class ArchiveError(Exception):
    """An archive that cannot be read; the message is the reason."""


def is_archive(key: str) -> bool:
    return key.lower().endswith(ARCHIVE_SUFFIXES)


def member_key(archive: str, name: str) -> str:
    return f"{archive}/{name}"


def container(key: str) -> str | None:
    """The archive a member key lies in, or None for a plain file."""
    lower = key.lower()
    for suffix in ARCHIVE_SUFFIXES:
        at = lower.find(suffix + "/")
        if at >= 0:
            return key[: at + len(suffix)]
    return None


def archive_folder(folder: str) -> str | None:
    """A checkout of the archive's repository (``7z/``, ``dir/``, ``example/``):
    the ``7z`` folder, the only one read there (``example/`` repeats part of
    1946-05, ``dir/`` holds title lists)."""
    sevenz = os.path.join(folder, "7z")
    if not os.path.isdir(sevenz):
        return None
    try:
        with os.scandir(sevenz) as it:
            if any(is_archive(e.name) for e in it):
                return sevenz
    except OSError:
        return None
    return None


def _patch_py7zr() -> None:
    # py7zr asks psutil for the free memory once per member: 0.3 s a month of
    # 3,400 members, for a figure that does not change while a month is read.
    import py7zr.py7zr as core

    limit = getattr(core, "get_memory_limit", None)
    if limit is not None and not isinstance(limit, functools._lru_cache_wrapper):
        core.get_memory_limit = functools.lru_cache(maxsize=1)(limit)


def read_members(path: str) -> list[tuple[str, bytes]]:
    """Every file in the archive, in member-name order, decompressed in memory."""
    try:
        import py7zr
        from py7zr.exceptions import ArchiveError as Py7zrError
        from py7zr.exceptions import PasswordRequired
        from py7zr.io import BytesIOFactory
    except ImportError:  # pragma: no cover - a dependency
        raise ArchiveError("7z archives need py7zr (pip install py7zr)") from None
    _patch_py7zr()
    try:
        with py7zr.SevenZipFile(path, mode="r") as archive:
            if archive.needs_password():
                raise ArchiveError("encrypted: it needs a password")
            infos = [f for f in archive.list() if f.is_file and not f.is_directory]
            total = sum(f.uncompressed or 0 for f in infos)
            if total > MAX_ARCHIVE_BYTES:
                raise ArchiveError(f"too large unpacked ({total // (1 << 20)} MiB)")
            factory = BytesIOFactory(MAX_ARCHIVE_BYTES)
            archive.extractall(factory=factory)
    except ArchiveError:
        raise
    except PasswordRequired:
        raise ArchiveError("encrypted: it needs a password") from None
    except py7zr.Bad7zFile as exc:
        if _has_signature(path):
            raise ArchiveError(f"truncated or damaged ({exc})") from None
        raise ArchiveError("not a 7z archive") from None
    except Py7zrError as exc:
        raise ArchiveError(f"damaged ({type(exc).__name__}: {exc})") from None
    except (EOFError, lzma.LZMAError, zlib.error) as exc:
        raise ArchiveError(f"truncated or damaged ({exc or type(exc).__name__})") from None
    except OSError as exc:
        raise ArchiveError(f"cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # py7zr raises many kinds on a damaged header
        raise ArchiveError(f"cannot be read ({type(exc).__name__}: {exc})") from None
    out = []
    for info in infos:
        product = factory.products.get(info.filename)
        # Names as a path prints them (a key must read back the same through Path);
        # none that climbs out of the archive.
        name = posixpath.normpath(info.filename.replace("\\", "/")).lstrip("/")
        if product is None or name in ("", ".") or name.split("/")[0] == "..":
            continue
        product.seek(0)
        out.append((name, product.read()))
    out.sort(key=lambda member: member[0])
    return out


_SIGNATURE = b"7z\xbc\xaf\x27\x1c"


def _has_signature(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(_SIGNATURE)) == _SIGNATURE
    except OSError:
        return False


def too_large(data: bytes) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        return f"too large ({len(data) // (1 << 20)} MiB; the limit is {MAX_FILE_BYTES // (1 << 20)} MiB)"
    return None


# ------------------------------------------------------------- body store


def store_path(roots: Iterable[Path]) -> Path:
    key = "\n".join(sorted(str(Path(r).resolve()) for r in roots))
    name = hashlib.blake2b(os.fsencode(key), digest_size=10).hexdigest()  # a GBK-named root too
    return paths.cache_dir() / "catalogue" / f"{name}-bodies.sqlite"


#: (archive, its chunks as (archive, n, zlib data), its members as (key, archive, n, start, end)).
PackedBodies = tuple[str, list[tuple[str, int, bytes]], list[tuple[str, str, int, int, int]]]


def pack_bodies(archive: str, members: list[tuple[str, bytes]]) -> PackedBodies:
    """The members' bytes in zlib chunks of ``CHUNK_MEMBERS``, as the body store keeps them."""
    chunks, index = [], []
    for n in range(0, len(members), CHUNK_MEMBERS):
        part, offset = [], 0
        for key, data in members[n : n + CHUNK_MEMBERS]:
            index.append((key, archive, n // CHUNK_MEMBERS, offset, offset + len(data)))
            part.append(data)
            offset += len(data)
        # Level 1: a month's chunks compress in a third of the time level 6 takes.
        chunks.append((archive, n // CHUNK_MEMBERS, zlib.compress(b"".join(part), 1)))
    return archive, chunks, index


class BodyStore:
    """The members' bytes, kept when their archive is catalogued, so opening an
    article never decompresses its month again. One SQLite file per library,
    beside the catalogue; a damaged one is thrown away (the archive is read
    again when a body is missing)."""

    def __init__(self, roots: Iterable[Path]) -> None:
        self.path = store_path(roots)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS chunks (archive TEXT, n INTEGER, data BLOB, PRIMARY KEY (archive, n))"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS members"
            " (key TEXT PRIMARY KEY, archive TEXT, n INTEGER, start INTEGER, end INTEGER)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS members_by_archive ON members (archive)")
        return db

    def put(self, archive: str, members: list[tuple[str, bytes]]) -> None:
        """Keep ``archive``'s members (key, bytes), replacing what it held before."""
        self.put_packed(pack_bodies(archive, members))

    def put_packed(self, packed: PackedBodies) -> None:
        """Keep what ``pack_bodies`` made (in a worker process, perhaps)."""
        archive, chunks, index = packed
        try:
            with contextlib.closing(self._connect()) as db, db:
                db.execute("DELETE FROM chunks WHERE archive = ?", (archive,))
                db.execute("DELETE FROM members WHERE archive = ?", (archive,))
                db.executemany("INSERT INTO chunks (archive, n, data) VALUES (?, ?, ?)", chunks)
                db.executemany(
                    "INSERT OR REPLACE INTO members (key, archive, n, start, end) VALUES (?, ?, ?, ?, ?)", index
                )
        except sqlite3.DatabaseError:
            self.discard()
        except (sqlite3.Error, OSError):
            pass  # bodies are read from the archive again when missing

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The bytes of the members ``keys`` the store holds, read on one connection with
        each chunk decompressed once (``get`` decompresses a chunk of ``CHUNK_MEMBERS`` for
        one member: reading a month's 2,000 that way decompressed every chunk 64 times)."""
        keys = list(dict.fromkeys(keys))
        if not keys or not self.path.exists():
            return {}
        out: dict[str, bytes] = {}
        try:
            with contextlib.closing(self._connect()) as db:
                places: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
                for at in range(0, len(keys), _SQL_PARAMS):
                    part = keys[at : at + _SQL_PARAMS]
                    marks = ",".join("?" * len(part))
                    for key, archive, n, start, end in db.execute(
                            f"SELECT key, archive, n, start, end FROM members WHERE key IN ({marks})", part):
                        places.setdefault((archive, n), []).append((key, start, end))
                for (archive, n), members in places.items():
                    chunk = db.execute("SELECT data FROM chunks WHERE archive = ? AND n = ?", (archive, n)).fetchone()
                    if chunk is None:
                        continue
                    data = zlib.decompress(chunk[0])
                    for key, start, end in members:
                        out[key] = data[start:end]
        except (sqlite3.DatabaseError, zlib.error):
            self.discard()
            return {}
        except (sqlite3.Error, OSError):
            return {}
        return out

    def discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)


# ------------------------------------------------------------- cataloguing

#: What ``scan.walk`` finds: (absolute path, root, rel, size, mtime_ns).
Found = tuple[str, str, str, int, int]


def scan_archive(found: Found, scan_member: Callable[..., FileRow], store: BodyStore) -> list[FileRow]:
    """The archive's own row, then a row per member (parsed with ``scan_member(key,
    root, rel, size, mtime_ns, data)``); the members' bytes go to ``store``. An
    archive that cannot be read gets a row with the reason, and no members."""
    rows, packed = read_archive(found, scan_member)
    if packed is not None:
        store.put_packed(packed)
    return rows


def read_archive(found: Found, scan_member: Callable[..., FileRow]) -> tuple[list[FileRow], PackedBodies | None]:
    """``scan_archive``'s rows and the bodies to keep, without writing anything:
    what a worker process does."""
    key, root, rel, size, mtime_ns = found
    head = FileRow(key, root, rel, size, mtime_ns, "", None, None, [])
    try:
        members = read_members(key)
    except ArchiveError as exc:
        head.problem = f"archive: {exc}"
        return [head], None
    members = [(name, data) for name, data in members if _is_text_name(name)]
    if not members:
        head.problem = "archive: holds no text or Markdown files"
        return [head], None
    keyed = [(member_key(key, name), data) for name, data in members]
    rows = [head]
    for (mkey, data), (name, _data) in zip(keyed, members, strict=True):
        rows.append(scan_member(mkey, root, f"{rel}/{name}", size, mtime_ns, data))
    return rows, pack_bodies(key, keyed)


#: Archives to read before worker processes are worth starting (each imports the parsers).
PARALLEL_FROM = 3


def read_many(
    archives: list[Found], job: Callable[..., tuple[list[FileRow], PackedBodies | None]], *args: object
) -> Iterator[tuple[list[FileRow], PackedBodies | None]]:
    """``job(found, *args)`` for each archive, results in order. Many archives are
    read by worker processes (a month each: decompressing and parsing are CPU work
    that would otherwise hold the reader's process); few, in this one."""
    workers = min(2, os.cpu_count() or 1)
    if len(archives) < PARALLEL_FROM or workers < 2:
        for found in archives:
            yield job(found, *args)
        return
    import concurrent.futures as cf
    import multiprocessing as mp

    # The first month here, before any worker starts: the reader sees it as soon as it
    # would without them (starting them competes for the cores in the meantime).
    queue = iter(archives)
    yield job(next(queue), *args)
    with stderr_with_fd():  # spawn: no fork of a threaded (UI) process
        pool = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
    with pool:
        pending: deque = deque()
        for found in queue:
            with stderr_with_fd():  # the first submit starts the processes
                pending.append(pool.submit(job, found, *args))
            if len(pending) >= workers * 2:
                break
        while pending:
            result = pending.popleft().result()
            for found in queue:  # keep the workers busy while this one is handed on
                pending.append(pool.submit(job, found, *args))
                break
            yield result


def _is_text_name(name: str) -> bool:
    """Members read as a folder's files are: text and Markdown, not hidden."""
    base = name.rsplit("/", 1)[-1]
    return not base.startswith(".") and os.path.splitext(base)[1].lower() in TEXT_SUFFIXES


def members_by_archive(keys: Iterable[str]) -> dict[str, list[str]]:
    """Catalogue keys grouped by the archive they lie in (plain files left out)."""
    out: dict[str, list[str]] = {}
    for key in keys:
        box = container(key)
        if box is not None:
            out.setdefault(box, []).append(key)
    return out


def member_bytes(store: BodyStore, key: str) -> bytes:
    """A member's bytes: from the body store, else by reading its archive once more
    (and keeping every member it holds). ``ArchiveError`` says why not."""
    data = store.get(key)
    if data is not None:
        return data
    box = container(key)
    if box is None:
        raise ArchiveError("not in an archive")
    keyed = [(member_key(box, name), data) for name, data in read_members(box) if _is_text_name(name)]
    store.put(box, keyed)
    for mkey, data in keyed:
        if mkey == key:
            return data
    raise ArchiveError("no longer in its archive")
