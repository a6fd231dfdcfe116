"""A dropped connection (SIGHUP) saves the reading state and ends the reader promptly.

The real program runs in a pseudo-terminal of its own (no tmux needed).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import yaml

from tests.conftest import FIXTURES, REPO

ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            seen.extend(chunk)
            if wanted in ESCAPES.sub(b"", bytes(seen)):
                return True
    return False


def test_sighup_saves_state_and_exits(isolated_dirs):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("COLORTERM", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tuireader", str(FIXTURES / "jump")],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    os.close(slave)
    seen = bytearray()
    try:
        # The first article's kicker, then the photo item's caption after "]".
        assert read_until(master, "春风又绿江南岸".encode(), seen, 60), "the reader did not draw its first screen"
        read_until(master, b"\x00never", seen, 2.5)  # on screen a while: read (not when ] passes)
        os.write(master, b"]")
        assert read_until(master, "城南湿地公园".encode(), seen, 30), "] did not open the next article"
        read_until(master, b"\x00never", seen, 2.5)
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while process.poll() is None and time.monotonic() < deadline:
            read_until(master, b"\x00never", seen, 0.2)  # keep draining the terminal
        assert process.poll() is not None, "the reader did not end after SIGHUP"
        assert process.returncode == 129
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    state = yaml.safe_load((isolated_dirs / "state" / "tuireader" / "state.yaml").read_text(encoding="utf-8"))
    read = state["read"].split()
    assert len(read) == 2
    assert state["last"]["article"] in read
    assert b"Traceback" not in bytes(seen)
