"""A link reaches the terminal as an OSC 8 hyperlink on its words, which the reader's own
terminal opens (over SSH too); ``hyperlinks: off`` sends the URL as text instead.

The real program runs in a pseudo-terminal of its own, and the bytes it writes are read:
only there does a hyperlink exist (tmux 3.3 drops them from its captures).
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import FIXTURES, REPO
from tests.test_app_hangup import read_until

URL = b"https://tv.example.cn/2099/03/01/VIDEaaaa990301.shtml"


def terminal_output(config: Path | None, tries: int = 5) -> bytes:
    """What the reader writes while ``]`` steps to the article with the link."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    args = [sys.executable, "-m", "tuireader", str(FIXTURES / "links")]
    if config is not None:
        args[3:3] = ["--config", str(config)]
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO,
                               start_new_session=True)
    os.close(slave)
    seen = bytearray()
    try:
        assert read_until(master, "晚间新闻".encode(), seen, 60), "the reader did not draw its first screen"
        for _ in range(tries):
            if read_until(master, "查看原文".encode(), seen, 2):
                break
            os.write(master, b"]")
        read_until(master, b"\x00never", seen, 1)  # the rest of the frame
        return bytes(seen)
    finally:
        process.send_signal(signal.SIGHUP)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        os.close(master)


def test_a_link_is_sent_as_an_osc8_hyperlink_on_its_words(isolated_dirs):
    output = terminal_output(None)
    start = output.find(b"\x1b]8;id=")
    assert start >= 0, "no OSC 8 hyperlink was written"
    opening = output[start : output.find(b"\x1b\\", start) + 2]
    assert opening.endswith(b";" + URL + b"\x1b\\")
    words = output[start + len(opening) : output.find(b"\x1b]8;;\x1b\\", start)]
    assert "查看".encode() in words  # the hyperlink is on the link's words
    assert b"(" + URL not in output  # no raw Markdown


def test_hyperlinks_off_sends_no_hyperlink_but_the_url_as_text(isolated_dirs, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("hyperlinks: off\n", encoding="utf-8")
    output = terminal_output(config)
    assert b"\x1b]8;id=" not in output
    assert URL in output
