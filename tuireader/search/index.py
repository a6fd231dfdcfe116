"""The search index: one Tantivy index per library, in a folder of the cache dir.

Tantivy (a Lucene-class engine in Rust) keeps the postings, the stored text and the
fast fields; this module keeps what it needs beside them, in the same folder:

- ``marker.json``: magic, schema version, library key, segmenter versions and a build
  id. An index without it, or with another's, is never trusted: it is rebuilt;
- ``state.marshal``: the source files indexed (``indexed_files``: by a hash of the path,
  size, mtime and digest) and whether the last update finished; written after each
  commit, so it never lists a file whose articles are not committed; ``status.json``
  says only whether it finished (for readers);
- ``readings.marshal``: the readings of every character (from pypinyin, which the
  query side never imports) and the words read otherwise (银行 yin hang);
- ``stored.dict``: the dictionary the stored values are compressed with (``stored.Codec``),
  trained on some of the library's articles when the index is made, and kept for its life.

One process writes at a time, under ``<folder>.lock`` (segmenting in worker processes);
any number read meanwhile and pick up each commit. A reader that meets damage leaves
``damaged`` in the folder, and the next update rebuilds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import marshal
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuireader import paths
from tuireader.search import indexed_files as listed
from tuireader.search.docs import IndexDoc, SourceFile  # noqa: F401  (IndexDoc: re-exported)
from tuireader.search.fields import (  # noqa: F401  (re-exported: the query side reads them here)
    INDEX_OPTIONS,
    INI_FIELD,
    PY_FIELDS,
    TOKEN_FIELDS,
    WORD_FIELDS,
    day_number,
)
from tuireader.subprocesses import stderr_with_fd

MAGIC = "tuireader-search-index"
SCHEMA_VERSION = "19"
#: Documents handed to a worker per call.
BATCH = 48
#: Seconds between commits while building: what a reader sees grows this often (a commit
#: writes and syncs a segment: about a second, so not much more often).
COMMIT_EVERY = 10.0
#: A commit also rewrites the list of files indexed, which grows with the archive (0.4 s at
#: a million articles): commits are spaced at least this many times their own duration,
#: so that they cost a few per cent of the build whatever its size.
COMMIT_SPACING = 20
#: Seconds before the first commit: a reader searching a new library sees results this soon.
FIRST_COMMIT_AFTER = 1.0
#: Batches a worker process does before a fresh one takes over: its caches are bounded, but
#: an archive's millions of passing objects leave its memory fragmented (a worker grew to
#: 840 MB over a million articles); a new one costs about a second, every few minutes.
WORKER_BATCHES = 1000
#: Memory for the writer's in-memory segment, in bytes: the more, the fewer segments to merge.
WRITER_HEAP = 128_000_000

Progress = Callable[[int, int], None]



class IndexError_(Exception):
    """The index is unusable (corrupt, foreign, wrong version)."""


class IndexDamaged(IndexError_):
    """The index is ours (its marker says so) but cannot be read: a reader marks it damaged."""


#: ``index_dir:`` of the config (see ``set_index_root``), else None: the cache folder.
_index_root: list[Path | None] = [None]


def index_root() -> Path | None:
    """The folder set by ``set_index_root`` (None: indexes live in the cache folder)."""
    return _index_root[0]


def set_index_root(folder: Path | None) -> None:
    """Keep indexes under ``folder`` (config ``index_dir:``), so readers under several
    accounts share one index of one library instead of each building their own."""
    _index_root[0] = Path(folder) if folder is not None else None


def library_key(roots: Iterable[Path]) -> str:
    """The library's roots as a name: their bytes, so a root named in GBK has a key too
    (for UTF-8 names, the same key as their text)."""
    data = b"\n".join(sorted(os.fsencode(Path(r).resolve()) for r in roots))
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def index_path(roots: Iterable[Path]) -> Path:
    """The folder of the library's index."""
    base = _index_root[0] or paths.cache_dir() / "search"
    return base / library_key(roots)


def tantivy_dir(path: Path) -> Path:
    return path / "tantivy"


def damaged_marker(path: Path) -> Path:
    return path / "damaged"


def mark_damaged(path: Path) -> None:
    with contextlib.suppress(OSError):
        damaged_marker(path).touch()


def is_damage(exc: BaseException) -> bool:
    """Whether an error from the index says it is damaged (not full, not read-only)."""
    if isinstance(exc, IndexError_):
        return True
    if isinstance(exc, OSError):
        return False
    return isinstance(exc, (ValueError, EOFError, TypeError, KeyError))


@contextlib.contextmanager
def try_lock(path: Path, blocking: bool) -> Iterator[bool]:
    """flock on ``<index folder>.lock``; yields whether held."""
    lock_path = Path(str(path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
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


def segmenter_version() -> str:
    """The segmenters' versions: another version cuts other tokens, so a rebuild."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("jieba", "rjieba", "pypinyin", "tantivy"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} ?")
    return ", ".join(out)


def make_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    # ids and files: looked up whole (an article moved or replaced, a file's articles removed)
    sb.add_text_field("aid", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("file", tokenizer_name="raw", index_option="basic")
    # tokens as segmented (jieba words, pinyin bigrams, initials), cut at spaces; no
    # positions: a phrase is checked on the text of the few candidates
    for name in TOKEN_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option=INDEX_OPTIONS.get(name, "freq"))
    # filters: by: the characters of the bylines and each two adjacent (worker.by_pieces);
    # paper: a part of the folded name (a regex over the few papers' names)
    sb.add_text_field("bypiece", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("paperkey", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("page", indexed=True, fast=True)
    sb.add_unsigned_field("day", indexed=True, fast=True)  # 20250601; 0 without a date
    sb.add_unsigned_field("month", fast=True)  # 202506: the timeline
    # everything shown or re-ranked on, compressed in one value (see stored.py): never indexed
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


# ------------------------------------------------------------------ the files beside the index


def read_marker(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / "marker.json").read_bytes()[:65536])
    except (OSError, ValueError) as exc:
        raise IndexError_(f"no usable marker: {exc}") from None
    if not isinstance(data, dict):
        raise IndexError_("no usable marker")
    return data


def check_marker(path: Path, key: str) -> dict[str, Any]:
    """The marker of an index that is ours (this program, schema and library); else IndexError_."""
    marker = read_marker(path)
    if marker.get("magic") != MAGIC or marker.get("schema") != SCHEMA_VERSION or marker.get("library") != key:
        raise IndexError_("index of another program, version or library")
    if damaged_marker(path).exists():
        raise IndexError_("marked damaged by a reader")
    return marker


def _write_atomic(file: Path, data: bytes) -> None:
    from tuireader.store.atomic import atomic_write_bytes

    atomic_write_bytes(file, data)


def read_state(path: Path) -> dict[str, Any]:
    """{"complete": bool, "files": {path_key: entry}} (see ``indexed_files``); IndexError_ if unreadable."""
    try:
        state = marshal.loads((path / "state.marshal").read_bytes())
    except (OSError, ValueError, EOFError, TypeError) as exc:
        raise IndexError_(f"no usable state: {exc}") from None
    if not isinstance(state, dict) or not listed.valid_files(state.get("files")):
        raise IndexError_("no usable state")
    return state


def write_state(path: Path, complete: bool, files: dict[int, bytes]) -> None:
    # ``status.json`` says the same "complete" in a few bytes, for readers: the state of an
    # archive lists every file (29 MB at a million articles), too much to read on a search.
    # Incomplete is said there first and complete last, so it never claims more than the state.
    if not complete:
        _write_atomic(path / "status.json", b'{"complete": false}')
    _write_atomic(path / "state.marshal", marshal.dumps({"complete": complete, "files": files}))
    if complete:
        _write_atomic(path / "status.json", b'{"complete": true}')


def read_complete(path: Path) -> bool:
    """Whether the last update of the index finished (``status.json``; the state itself
    for an index written before that file was)."""
    try:
        data = json.loads((path / "status.json").read_bytes()[:4096])
    except FileNotFoundError:
        return bool(read_state(path).get("complete"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("complete") is True


def read_readings(path: Path) -> dict[str, Any]:
    """{"chars": {ch: "yin,xing"}, "words": {term: "yin hang"}}."""
    try:
        data = marshal.loads((path / "readings.marshal").read_bytes())
    except (OSError, ValueError, EOFError, TypeError) as exc:
        raise IndexError_(f"no usable readings: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("chars"), dict):
        raise IndexError_("no usable readings")
    return data


def dictionary_file(path: Path) -> Path:
    return path / "stored.dict"


def read_dictionary(path: Path) -> bytes:
    """The stored values' dictionary (``stored.train_dictionary``); IndexDamaged when it is gone."""
    try:
        return dictionary_file(path).read_bytes()
    except OSError as exc:
        raise IndexDamaged(f"no usable dictionary: {exc}") from None


def codec(path: Path):
    """The ``stored.Codec`` of the index in ``path``; IndexDamaged when its dictionary is unusable."""
    from tuireader.search.stored import Codec

    try:
        return Codec(read_dictionary(path))
    except ValueError as exc:
        raise IndexDamaged(str(exc)) from None


def open_index(path: Path, key: str):
    """The tantivy index of an index folder that proves to be ours; IndexError_ if not."""
    import tantivy

    check_marker(path, key)
    if not segment_files_present(path):
        raise IndexDamaged("files of the index are missing")
    try:
        return tantivy.Index.open(str(tantivy_dir(path)))
    except (ValueError, OSError) as exc:
        raise IndexDamaged(f"unreadable index: {exc}") from None


def segment_files_present(path: Path) -> bool:
    """Every file tantivy's meta.json names is there (a cheap check for a damaged index)."""
    folder = tantivy_dir(path)
    try:
        meta = json.loads((folder / "meta.json").read_bytes())
        names = {p.name for p in folder.iterdir()}
    except (OSError, ValueError):
        return False
    for seg in meta.get("segments", []):
        seg_id = seg.get("segment_id", "").replace("-", "")
        if not any(n.startswith(seg_id) and n.endswith(".idx") for n in names):
            return False
        if not any(n.startswith(seg_id) and n.endswith(".store") for n in names):
            return False
    return True


def create_index(path: Path, key: str, in_worker: bool = False, dictionary: bytes = b""):
    """A new, empty index in ``path`` (anything there before is removed), its stored values
    to be compressed with ``dictionary`` (``stored.train_dictionary``)."""
    import tantivy

    from tuireader.search.segment import char_reading_table, pinyin_table_cache, silence_stdio

    if in_worker and not pinyin_table_cache().exists():
        # pypinyin takes a second to import, holding the GIL, and 56 MB it would keep for
        # the whole update: not in this process (the reader's, or the one holding the writer)
        import concurrent.futures as cf
        import multiprocessing as mp

        with stderr_with_fd():
            pool = cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"), initializer=silence_stdio)
        with pool:
            with stderr_with_fd():
                pool.submit(char_reading_table).result()
    # the marker goes first: a reader never trusts a folder being remade
    with contextlib.suppress(FileNotFoundError):
        (path / "marker.json").unlink()
    if path.exists():
        # moved aside first: a reader (or a thread of this process) may still have files of
        # the old index open, and removing a folder that is being written to can fail
        path.rename(path.with_name(f".{path.name}.old-{os.urandom(4).hex()}"))
    for trash in path.parent.glob(f".{path.name}.old-*"):  # this one, and any left before
        shutil.rmtree(trash, ignore_errors=True)
    tantivy_dir(path).mkdir(parents=True)
    index = tantivy.Index(make_schema(), path=str(tantivy_dir(path)))
    _write_atomic(path / "readings.marshal", marshal.dumps({"chars": dict(char_reading_table()), "words": {}}))
    write_state(path, False, {})
    _write_atomic(dictionary_file(path), dictionary)
    marker = {"magic": MAGIC, "schema": SCHEMA_VERSION, "library": key, "segmenter": segmenter_version(),
              "build": os.urandom(8).hex(), "created": time.time()}
    _write_atomic(path / "marker.json", json.dumps(marker).encode())
    return index


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

        ``check`` looks harder for damage first (every segment file present, every
        stored document readable): a damaged index is rebuilt."""
        if not isinstance(sources, Sized):
            sources = list(sources)  # gone through twice (and again if the index proves damaged)
        with try_lock(self.path, blocking=wait) as held:
            if not held:
                return None
            try:
                return self._update_locked(sources, rebuild, progress, check)
            except (ValueError, IndexError_) as exc:
                if rebuild or not is_damage(exc):
                    raise
                return self._update_locked(sources, True, progress, False)  # damage met on the way

    # ------------------------------------------------------------------ internals

    def _open(self, rebuild: bool, check: bool, sources: Iterable[SourceFile]) -> tuple[Any, dict, dict, bool]:
        """(tantivy index, state, readings, fresh)."""
        if not rebuild and self.path.exists():
            try:
                marker = read_marker(self.path)
                state = read_state(self.path)
                readings = read_readings(self.path)
                codec(self.path)
                index = open_index(self.path, self.key)
                if marker.get("segmenter") == segmenter_version() and (not check or self._healthy(index)):
                    return index, state, readings, False
                del index  # its threads let go of the old files before they are removed
            except IndexError_:
                pass  # foreign, old or damaged: never trusted, made anew
        index = create_index(self.path, self.key, in_worker=self.workers > 0, dictionary=self._train(sources))
        return index, read_state(self.path), read_readings(self.path), True

    @staticmethod
    def _train(sources: Iterable[SourceFile]) -> bytes:
        """The stored values' dictionary, trained on a few hundred articles from files spread
        through the library (read here: well under a second), not its first files alone: an
        archive's language moves over its decades."""
        from tuireader.search.stored import DICTIONARY_SAMPLE_BYTES, DICTIONARY_SAMPLES, train_dictionary
        from tuireader.search.worker import sample_docs, sample_texts

        listed_sources = sources if isinstance(sources, Sized) else list(sources)
        files = len(listed_sources)
        picks = min(files, 64)
        wanted = {i * files // picks for i in range(picks)}
        per_file = max(1, DICTIONARY_SAMPLES // max(picks, 1))
        texts: list[str] = []
        size = 0
        for n, src in enumerate(listed_sources):
            if n not in wanted:
                continue
            try:
                docs = src.docs() if src.job is None and src.docs is not None else (
                    sample_docs(src.path, src.job, per_file) if src.job is not None else [])
            except Exception:  # a file that no longer parses: the next one
                continue
            for doc in docs[:per_file]:
                for text in sample_texts(doc):
                    texts.append(text)
                    size += 2 * len(text)
            if size >= DICTIONARY_SAMPLE_BYTES:
                break
        return train_dictionary(texts)

    def _healthy(self, index) -> bool:
        if not segment_files_present(self.path):
            return False
        try:
            import tantivy

            searcher = index.searcher()
            values = codec(self.path)
            # a sample of stored documents from every part (the search path marks what it meets)
            hits = searcher.search(tantivy.Query.all_query(), min(searcher.num_docs, 200_000), count=False).hits
            for _, addr in hits[:: max(1, len(hits) // 2000)]:
                # a stored block that cannot be read raises, and so does a value that the
                # dictionary beside the index cannot read
                _ = values.read(searcher, addr).folded
        except (ValueError, OSError, IndexError_):
            return False
        return True

    def _update_locked(self, sources: Iterable[SourceFile], rebuild: bool, progress: Progress | None,
                       check: bool) -> UpdateStats:
        start = time.perf_counter()
        index, state, readings, fresh = self._open(rebuild, check, sources)
        stats = UpdateStats(rebuilt=fresh)
        known: dict[int, bytes] = dict(state["files"])
        files = dict(known)
        # a first look says how much there may be to do (for the progress, and whether
        # workers are worth starting); nothing of it is kept
        todo_files = todo_bytes = 0
        for src in sources:
            old = known.get(listed.path_key(src.path))
            if old is None or not listed.same_stat(old, src.size, src.mtime_ns):
                todo_files += 1
                todo_bytes += src.size
        write_state(self.path, False, files)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            todo = self._todo(sources, known, files, stats, writer)
            stats.docs = self._index_files(index, writer, todo, todo_files, todo_bytes, files, readings, fresh,
                                           progress)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            with contextlib.suppress(ValueError):
                writer.rollback()
            raise
        write_state(self.path, True, files)
        with contextlib.suppress(FileNotFoundError):
            damaged_marker(self.path).unlink()
        stats.seconds = time.perf_counter() - start
        return stats

    @staticmethod
    def _todo(sources: Iterable[SourceFile], known: dict, files: dict, stats: UpdateStats, writer
              ) -> Iterator[tuple[SourceFile, int, bytes] | None]:
        """The files to index, each with its key and digest, as they are gone through (None
        for one found unchanged after all, for the progress); what the index held of a
        changed file is deleted as it is met, and of a file gone, at the end (left in ``known``)."""
        for src in sources:
            key = listed.path_key(src.path)
            old = known.pop(key, None)
            if old is not None and listed.same_stat(old, src.size, src.mtime_ns):
                stats.unchanged += 1
                continue
            try:
                digest = listed.file_digest(src.path)
            except OSError:  # gone since the library was listed (a long build is a wide window)
                if old is not None:
                    known[key] = old  # deleted with the others gone, at the end
                continue
            if old is not None and listed.entry_digest(old) == digest:
                files[key] = listed.entry(src.size, src.mtime_ns, digest)  # touched, same bytes
                stats.unchanged += 1
                yield None
                continue
            if old is None:
                stats.added += 1
            else:
                stats.changed += 1
                # before its new articles are added: a delete reaches only what came before it
                writer.delete_documents_by_term("file", listed.key_term(key))
                files.pop(key, None)
            yield src, key, digest
        stats.removed = len(known)
        for key in known:
            writer.delete_documents_by_term("file", listed.key_term(key))
            files.pop(key, None)

    def _batches(self, todo: Iterable[tuple[SourceFile, int, bytes] | None], skipped: list[int]):
        """(files, [(path, job)]) of about ``BATCH`` articles: a file the workers parse
        (its ``job``), or its articles read here. ``skipped`` counts the files found
        unchanged on the way."""
        batch_files: list[tuple[SourceFile, int, bytes]] = []
        items: list[tuple[str, tuple]] = []
        articles = 0
        for item in todo:
            if item is None:
                skipped[0] += 1
                continue
            src = item[0]
            if src.job is not None:
                job = src.job
                articles += job[2]
            else:
                try:
                    file_docs = src.docs() if src.docs is not None else []
                except Exception:  # a file that no longer parses is indexed as empty, not a crash
                    file_docs = []
                job = ("docs", file_docs)
                articles += len(file_docs)
            batch_files.append(item)
            items.append((src.path, job))
            if articles >= BATCH:
                yield batch_files, items
                batch_files, items, articles = [], [], 0
        if batch_files:
            yield batch_files, items

    def _index_files(self, index, writer, todo: Iterator[tuple[SourceFile, int, bytes] | None], total_files: int,
                     total_bytes: int, files: dict, readings: dict, fresh: bool, progress: Progress | None) -> int:
        done_files = 0
        skipped = [0]
        n_docs = 0
        words = readings["words"]
        words_before = len(words)
        if progress:
            progress(0, total_files)
        build = os.urandom(8).hex()  # workers hand over each word's reading once per build
        last_commit = time.monotonic()
        seen_ids = listed.SeenIds() if fresh else None
        pending_files: list[tuple[SourceFile, int, bytes]] = []
        committed = False

        spacing = COMMIT_EVERY

        def commit() -> None:
            nonlocal last_commit, words_before, committed, spacing
            started = time.monotonic()
            writer.commit()
            committed = True
            for src, key, digest in pending_files:
                files[key] = listed.entry(src.size, src.mtime_ns, digest)
            pending_files.clear()
            if len(words) != words_before:
                _write_atomic(self.path / "readings.marshal", marshal.dumps(readings))
                words_before = len(words)
            # listed only once committed: a crash before this re-indexes the file, never loses it
            write_state(self.path, False, files)
            last_commit = time.monotonic()
            spacing = max(COMMIT_EVERY, COMMIT_SPACING * (last_commit - started))

        def store(batch_files, items, result) -> None:
            nonlocal done_files, n_docs
            rows, vocab = result
            n_docs += self._add_docs(writer, [(listed.key_term(key), row)
                                              for (_, key, _), file_rows in zip(batch_files, rows, strict=True)
                                              for row in file_rows], seen_ids)
            words.update(vocab)
            pending_files.extend(batch_files)
            done_files += len(batch_files)
            if time.monotonic() - last_commit > (spacing if committed else FIRST_COMMIT_AFTER):
                commit()
            if progress:
                progress(min(done_files + skipped[0], total_files), total_files)

        self._run_batches(self._batches(todo, skipped), store, build, total_files, total_bytes)
        if progress and total_files:
            progress(total_files, total_files)  # the last files may have been unchanged after all
        commit()
        return n_docs

    def _run_batches(self, batches, store, build: str, total_files: int, total_bytes: int) -> None:
        from tuireader.search import segment, worker

        dictionary = str(dictionary_file(self.path))
        if self.workers <= 0 or total_files == 0 or total_bytes < self.inline_bytes:
            for batch_files, items in batches:
                store(batch_files, items, worker.index_batch(items, dictionary, build))
            return
        import concurrent.futures as cf
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # no fork of a threaded (UI) process
        with stderr_with_fd():  # making the pool starts multiprocessing's resource tracker
            pool = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=segment.worker_init,
                                          initargs=(os.environ.get("XDG_CACHE_HOME"),),
                                          max_tasks_per_child=WORKER_BATCHES)
        with pool:
            pending: deque = deque()
            for batch_files, items in batches:
                with stderr_with_fd():  # the first submit starts the processes
                    future = pool.submit(worker.index_batch, items, dictionary, build)
                pending.append((batch_files, items, future))
                while len(pending) > self.workers * 3:
                    f, d, fut = pending.popleft()
                    store(f, d, fut.result())
            while pending:
                f, d, fut = pending.popleft()
                store(f, d, fut.result())

    @staticmethod
    def _add_docs(writer, rows: list[tuple[str, tuple]], seen_ids: listed.SeenIds | None) -> int:
        """Add a batch of articles (``worker.Row``, after its file's term); an article id met
        again replaces the earlier one. ``seen_ids``: a fresh build's ids so far (None in an
        update, whose every id may be in the index already)."""
        import tantivy

        last = {row[0]: i for i, (_, row) in enumerate(rows)}  # one id twice: the last stays
        fields = TOKEN_FIELDS
        added = 0
        for i, (file_term, (aid, cols, by_pieces, paper_key, kind, page, day, blob)) in enumerate(rows):
            if last[aid] != i:
                continue
            if seen_ids is None or seen_ids.add(aid):
                writer.delete_documents_by_term("aid", aid)  # moved here from another file, or met before
            d = tantivy.Document()
            d.add_text("aid", aid)
            d.add_text("file", file_term)
            for name, value in zip(fields, cols, strict=True):
                if value:
                    d.add_text(name, value)
            if by_pieces:
                d.add_text("bypiece", by_pieces)
            d.add_text("paperkey", paper_key)
            d.add_text("kind", kind)
            d.add_unsigned("page", page)
            d.add_unsigned("day", day)
            d.add_unsigned("month", day // 100)
            d.add_bytes("stored", blob)
            writer.add_document(d)
            added += 1
        return added
