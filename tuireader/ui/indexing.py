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
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from tuireader.subprocesses import stderr_to_devnull

#: Seconds between looks at a build's queue (and at whether it was stopped).
POLL = 0.2

_running: set[BaseProcess] = set()


def _build(roots: list[Path], messages: Connection) -> None:
    """In the spawned process: bring the index up to date, telling the reader how far it got."""
    os.setpgid(0, 0)  # a group of its own: the pool it starts is stopped with it
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing may write over the reader's screen
    os.dup2(devnull, 2)
    # A resource tracker of its own, in its group, rather than the reader's (whose
    # descriptor spawn handed on): the semaphores of the pool killed on quit die with it,
    # instead of the reader's tracker reporting them as leaked on the terminal at exit.
    from multiprocessing import resource_tracker

    tracker = resource_tracker._resource_tracker
    inherited = getattr(tracker, "_fd", None)  # private, unchanged from 3.8 to 3.13
    if inherited is not None:
        os.close(inherited)
        tracker._fd = None  # type: ignore[attr-defined]
    from tuireader.search import ensure_index

    try:
        stats = ensure_index(roots, progress=lambda done, total: messages.send(("progress", done, total)),
                             workers=2, inline_bytes=0, wait=False,
                             separate_process=False)  # this process is the build's: quitting kills its group
    except Exception as exc:  # told to the reader as a note, never a traceback
        messages.send(("failed", f"{type(exc).__name__}: {exc}"))
    else:
        messages.send(("done", stats is not None))


def build_index(roots: list[Path], progress: Callable[[int, int], None]) -> tuple[str, Any]:
    """Run a build to its end (in a worker thread): ``("done", changed)``, ``("failed",
    message)``, or ``("stopped", None)`` when the reader quit meanwhile."""
    context = mp.get_context("spawn")  # no fork of a threaded (UI) process
    # A pipe, not a queue: a queue's semaphores would make multiprocessing's resource
    # tracker warn on the terminal, after the reader left, about the killed build's.
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_build, args=(list(roots), sending), name="tuireader index")
    with stderr_to_devnull():
        process.start()
    sending.close()  # the child's copy is the one that writes
    _running.add(process)
    try:
        while True:
            if not receiving.poll(POLL):
                if not process.is_alive():
                    return ("stopped", None)
                continue
            try:
                message = receiving.recv()
            except (EOFError, OSError):  # the build was stopped (quitting) or died
                return ("stopped", None)
            if message[0] == "progress":
                progress(message[1], message[2])
            else:
                return message[0], message[1]
    finally:
        _running.discard(process)
        process.join(timeout=1)
        receiving.close()


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
