"""Opening the library, and looking at its files again, in worker threads.

The reading screen holds one ``LibraryLoader``; the workers run on that screen
and hand what they found back to it on the UI thread through the callbacks it
gave (``Callbacks``). A first run shows the files read so far after
``FIRST_PART_AFTER`` seconds; a library from the catalogue is looked at once
after the first paint, then every ``REFRESH_INTERVAL`` seconds.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.timer import Timer
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from tuireader.library import Library

#: Seconds between looks for added, changed and removed library files.
REFRESH_INTERVAL = 30.0
#: Seconds between progress updates from a worker that reads the library.
PROGRESS_INTERVAL = 0.1
#: Seconds into a first reading of every file after which the files read so far are
#: shown, to be read while the rest is (a first run on a large archive).
FIRST_PART_AFTER = 1.0

#: Articles from which a library read from its files is swapped, once catalogued, for
#: the same library opened from the catalogue (which builds issues only when shown).
SLIM_FROM = 20_000

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    """Progress nobody is shown (the periodic look at the files)."""


class _ReaderLeft(Exception):
    """Raised in a worker's progress callback to stop reading the library (the app closed)."""


@dataclass(frozen=True)
class Callbacks:
    """What the loader calls on the UI thread."""

    #: A library to show: the first (``reopen`` True) or a refreshed one.
    ready: Callable[[Library, bool], None]
    #: The library could not be opened (one line why).
    failed: Callable[[str], None]
    #: Files read so far of a first reading of the library.
    reading: Progress
    #: Files looked at so far of a refresh (0, 0: the look has begun).
    looking: Progress
    #: A look at the files ended: the library looked at, the new one (None: unchanged), or why it failed.
    looked: Callable[[Library, Library | None, str | None], None]


class LibraryLoader:
    """Reads the library at ``paths`` in workers of ``host`` (the reading screen)."""

    def __init__(self, host: DOMNode, paths: list[Path], current: Callable[[], Library | None],
                 callbacks: Callbacks) -> None:
        self.host = host
        self.paths = paths
        #: The library shown now (what a look at the files compares the disk with).
        self.current = current
        self.callbacks = callbacks
        self._timer: Timer | None = None
        self._cost = 0.0  # seconds the last look at the files took
        self._ended = 0.0

    def _call(self, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback`` on the UI thread (raises RuntimeError once the app has closed)."""
        self.host.app.call_from_thread(callback, *args)

    # -- the first reading --------------------------------------------------------

    def load(self) -> None:
        """Open the library in a worker; ``callbacks.ready`` gets it (perhaps a first part first)."""
        self.host.run_worker(self._load, thread=True, exclusive=True, group="library", name="open library")

    def _load(self) -> None:
        from tuireader.library import Library

        try:
            progress = self._reporter(self.callbacks.reading)
            library = Library.open(self.paths, progress=progress, write_later=True,
                                   first_part=(FIRST_PART_AFTER, self._first_part))
        except _ReaderLeft:
            return
        except Exception as exc:  # any failure becomes a notice, never a traceback
            with contextlib.suppress(RuntimeError):  # the app may have closed meanwhile
                self._call(self.callbacks.failed, f"{type(exc).__name__}: {exc}")
            return
        with contextlib.suppress(RuntimeError):
            self._call(self.callbacks.ready, library, True)
        library.write_catalogue()  # a first run: after the reader sees the library
        if library.from_catalogue or not library.catalogued or len(library) < SLIM_FROM:
            return
        # A large library read from its files holds every article's summary; the same
        # library from the snapshot just written holds only the issues shown.
        with contextlib.suppress(Exception):
            slim = Library.open(self.paths)
            if slim.from_catalogue and len(slim) == len(library):
                with contextlib.suppress(RuntimeError):
                    self._call(self.callbacks.ready, slim, False)

    def _first_part(self, part: Library) -> None:
        """From the worker reading every file: what it has read so far, to read meanwhile."""
        with contextlib.suppress(RuntimeError, NoMatches):  # the app is closing: the worker stops at its next count
            self._call(self.callbacks.ready, part, True)

    def _reporter(self, show: Progress) -> Progress:
        """A progress callback for a worker thread: at most one update per PROGRESS_INTERVAL,
        and it stops the work (``_ReaderLeft``) once the worker is cancelled or the app closed."""
        worker = get_current_worker()
        last = 0.0

        def report(done: int, total: int) -> None:
            nonlocal last
            if worker.is_cancelled:
                raise _ReaderLeft
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL or done == total:
                last = now
                try:
                    self._call(show, done, total)
                except (RuntimeError, NoMatches):  # the app closed, or its screen is going
                    raise _ReaderLeft from None

        return report

    # -- looking at the files again -------------------------------------------------

    def watch(self, library: Library) -> None:
        """Pick up changes in the background: now, when the library came from its
        catalogue (the files were not looked at), and every REFRESH_INTERVAL."""
        if library.from_catalogue:
            self.host.call_after_refresh(self.look)  # after the first paint
        if self._timer is None:
            self._timer = self.host.set_interval(REFRESH_INTERVAL, self._periodic)

    def _periodic(self) -> None:
        # On a huge library a look costs seconds of CPU: look less often, at most ~5% of the time.
        if time.monotonic() - self._ended >= 20 * self._cost:
            self.look(quiet=True)

    def look(self, quiet: bool = False) -> None:
        """Look at the library's files in a worker (``quiet``: no progress shown)."""
        library = self.current()
        if library is None or not library.complete:
            return  # a first run is still reading every file
        self.host.run_worker(partial(self._look, library, quiet), thread=True, exclusive=True,
                             group="refresh", name="look at the files")

    def _look(self, library: Library, quiet: bool) -> None:
        # Quiet or not, the reporter is what stops the look when the reader quits.
        progress = self._reporter(_no_progress if quiet else self.callbacks.looking)
        started = time.monotonic()
        try:
            if not quiet:
                progress(0, 0)  # reading the catalogue and listing the folders come first
            fresh = library.refresh(progress=progress)
        except _ReaderLeft:
            return
        except Exception as exc:  # a failed look leaves the library as it was
            with contextlib.suppress(RuntimeError):
                self._call(self.callbacks.looked, library, None, f"{type(exc).__name__}: {exc}")
            return
        finally:
            self._cost = time.monotonic() - started
            self._ended = time.monotonic()
        with contextlib.suppress(RuntimeError):
            self._call(self.callbacks.looked, library, fresh, None)

