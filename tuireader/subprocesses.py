"""What starting worker processes from inside the reader needs, in one place."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stderr_with_fd() -> Iterator[None]:
    """multiprocessing hands ``sys.stderr``'s descriptor to the processes it starts;
    under Textual that is a capture object without one, so lend it /dev/null."""
    try:
        ok = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        ok = False
    if ok:
        yield
        return
    with stderr_to_devnull():
        yield


@contextlib.contextmanager
def stderr_to_devnull() -> Iterator[None]:
    """``sys.stderr`` is /dev/null meanwhile: what a process started now inherits, so it
    cannot write over the reader's screen."""
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved
