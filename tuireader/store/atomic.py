"""Crash-safe writes, bounded reads and cross-process locks for files that hold a
reader's data (bookmarks, state) or settings (config, themes).

* Writes go through a symlink to the regular file it names (the link stays a
  link; its target is replaced atomically) and refuse anything that is not a
  regular file: ``--bookmarks /dev/null`` must never replace ``/dev/null``.
* Reads refuse devices, FIFOs and sockets (without blocking on a FIFO) and stop
  one byte past the caller's size limit: a theme linked to ``/dev/zero`` is
  refused at once, never read without end.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class NotARegularFile(OSError):
    """A path that names a device, a FIFO, a socket or a folder where a file should be."""

    def __init__(self, path: Path | str, what: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({what})", str(path))
        #: "a device", "a pipe", "a socket" or "a folder".
        self.what = what


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit + 1`` of them (more than ``limit``
    means too large: the caller says so). ``FileNotFoundError`` when there is no file;
    ``NotARegularFile`` (an ``OSError``) for a device, FIFO, socket or folder."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block the open
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(path, _kind(mode))
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_target(path: Path | str) -> Path:
    """The file a write to ``path`` replaces: through symlinks to what they name, which
    must be a regular file or not exist yet (``NotARegularFile`` otherwise)."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except NotADirectoryError:
        return target  # the write itself reports it
    if not stat.S_ISREG(mode):
        raise NotARegularFile(path, _kind(mode))
    return target


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old or the new file, whole.

    A temporary file in the same folder is written, flushed and fsynced, then
    renamed over the old one; the folder is fsynced so the rename survives too.
    A symlink is followed (see ``write_target``); a special file is refused.
    """
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o600 if not path.exists() else path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``<path>.lock``; other processes wait.

    A process that holds it for longer than ``timeout`` seconds (stopped, or
    stuck) makes this raise ``TimeoutError`` (an ``OSError``) instead of
    freezing the caller. For a symlink, the lock is beside the file it names,
    so every name of one file shares one lock. A lock path that is a folder or
    a device raises ``NotARegularFile``.
    """
    lock_path = Path(str(write_target(path)) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotARegularFile(lock_path, _kind(mode))
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{path} is locked by another process (waited {timeout:g} s)") from None
                time.sleep(0.01)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
