"""Building the index in a process of its own, for the app.

``run_in_child`` starts ``python -m tuireader.search.build ROOT...`` in a new session and
relays its progress. The reader may quit at any time: once its main thread has ended,
the relay stops waiting and returns, and the builder goes on to finish (a half-built index
is never lost: each commit is complete, and the next update carries on from it).

The child prints one line per event on standard output: ``progress DONE TOTAL``,
``done {stats as JSON}``, ``busy`` (another process holds the lock) or ``error MESSAGE``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from tuireader.search.index import UpdateStats, index_root


def run_in_child(roots: list[Path], rebuild: bool = False, progress: Callable[[int, int], None] | None = None,
                 workers: int = 2) -> UpdateStats | None:
    """Update the index in a child process; its stats, or None if another process is at it
    or this process is ending (the child finishes on its own)."""
    cmd = [sys.executable, "-m", "tuireader.search.build", "--workers", str(workers), *map(str, roots)]
    if rebuild:
        cmd.append("--rebuild")
    if index_root() is not None:
        cmd += ["--index-dir", str(index_root())]
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(x for x in (package_root, env.get("PYTHONPATH")) if x)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)  # not killed with the reader's terminal
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    try:
        while True:
            if _ending():
                return None  # the reader is quitting: never wait for the build
            if not selector.select(timeout=0.2):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                result = _event(line.decode("utf-8", "replace"), progress)
                if result is not None:
                    return result if isinstance(result, UpdateStats) else None
    finally:
        selector.close()
        proc.stdout.close()
    proc.wait()
    raise OSError(f"the index builder stopped (exit status {proc.returncode})")


def _ending() -> bool:
    """Whether this process is ending: its main thread done, or the interpreter's shutdown
    begun (which, before it marks the main thread stopped, joins the thread pool this may
    run in: ``threading._SHUTTING_DOWN`` is set first)."""
    return not threading.main_thread().is_alive() or bool(getattr(threading, "_SHUTTING_DOWN", False))


def _event(line: str, progress: Callable[[int, int], None] | None) -> UpdateStats | bool | None:
    kind, _, rest = line.partition(" ")
    if kind == "progress" and progress is not None:
        done, total = (int(x) for x in rest.split())
        progress(done, total)
    elif kind == "done":
        return UpdateStats(**json.loads(rest))
    elif kind == "busy":
        return False
    elif kind == "error":
        raise OSError(rest)
    return None


def _say(text: str) -> None:
    """One line to the parent; if the parent is gone, the build goes on in silence."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tuireader.search.build")
    ap.add_argument("roots", nargs="+", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--index-dir", type=Path)
    args = ap.parse_args(argv)
    from tuireader.search.index import set_index_root
    from tuireader.search.update import update_index

    set_index_root(args.index_dir)
    try:
        # the library opened by update_index, and let go once listed; a few new files are
        # segmented here (no worker processes to start): searchable sooner
        stats = update_index(args.roots, rebuild=args.rebuild, workers=args.workers, wait=False,
                             progress=lambda done, total: _say(f"progress {done} {total}"))
    except Exception as exc:  # told to the parent as one line; nothing on a terminal
        _say(f"error {type(exc).__name__}: {exc}".replace("\n", " "))
        return 1
    if stats is None:
        _say("busy")
        return 0
    _say("done " + json.dumps(stats.__dict__))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
