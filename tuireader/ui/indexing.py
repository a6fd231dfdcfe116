"""The search index built in a process of its own, which quitting stops at once.

Building the index of a large library takes minutes (segmenting in a pool of
processes). Built in a thread of the reader's process, it held up quitting: Python
joins that thread (asyncio's executor) and the pool at exit, so the screen stayed
blank until the index was done. So the reading screen's worker starts one process
per build (spawned, in a process group of its own with the pool it starts), reads
its progress from a queue, and quitting kills the group (``stop_all``). The index is
left as far as its committed transactions got, under a lock the kernel releases
with the process; the next build goes on from there.

No Textual here: the spawned process imports this module.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

#: Seconds between looks at a build's queue (and at whether it was stopped).
POLL = 0.2

_running: set[BaseProcess] = set()


def _build(roots: list[Path], messages: Any) -> None:
    """In the spawned process: bring the index up to date, telling the reader how far it got."""
    os.setpgid(0, 0)  # a group of its own: the pool it starts is stopped with it
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing may write over the reader's screen
    os.dup2(devnull, 2)
    from tuireader.search import ensure_index

    try:
        stats = ensure_index(roots, progress=lambda done, total: messages.put(("progress", done, total)),
                             workers=2, inline_bytes=0, wait=False)
    except Exception as exc:  # told to the reader as a note, never a traceback
        messages.put(("failed", f"{type(exc).__name__}: {exc}"))
    else:
        messages.put(("done", stats is not None))


@contextlib.contextmanager
def _stderr_with_fd() -> Iterator[None]:
    """Starting a process hands on ``sys.stderr``'s descriptor; under Textual that is a
    capture object without one, so lend it /dev/null meanwhile."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def build_index(roots: list[Path], progress: Callable[[int, int], None]) -> tuple[str, Any]:
    """Run a build to its end (in a worker thread): ``("done", changed)``, ``("failed",
    message)``, or ``("stopped", None)`` when the reader quit meanwhile."""
    context = mp.get_context("spawn")  # no fork of a threaded (UI) process
    with _stderr_with_fd():  # the queue's lock starts multiprocessing's resource tracker
        messages = context.Queue()
        process = context.Process(target=_build, args=(list(roots), messages), name="tuireader index")
        process.start()
    _running.add(process)
    try:
        while True:
            try:
                message = messages.get(timeout=POLL)
            except queue.Empty:
                if not process.is_alive():
                    return ("stopped", None)
                continue
            if message[0] == "progress":
                progress(message[1], message[2])
            else:
                return message[0], message[1]
    finally:
        _running.discard(process)
        process.join(timeout=1)
        messages.close()
        messages.cancel_join_thread()  # never wait at exit for a queue nobody reads


def stop_all() -> None:
    """Quitting: every build stopped now, with the processes it started."""
    for process in list(_running):
        if process.pid is None:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its group: the process and its pool
        with contextlib.suppress(ProcessLookupError):
            process.kill()  # before it made its group


def running() -> int:
    """How many builds are under way (for tests)."""
    return len(_running)
