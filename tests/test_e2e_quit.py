"""Quitting while the search index is being built for a large library, in a real terminal
(issue 14, point 11): the shell comes back, and no process of the reader lives on."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from tests.e2e import Tmux, isolated_env, tuireader_command
from tests.test_library_list import _generator


def processes_with(token: str) -> list[str]:
    """Python processes whose environment holds ``token`` (the reader and what it started)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if token.encode() in environ and "python" in cmdline:
            found.append(f"{pid}: {cmdline[:120]}")
    return found


def test_q_while_the_index_is_built_leaves_at_once_and_stops_the_indexing(tmp_path):
    library = _generator().generate_library(tmp_path / "lib", 3000, seed=11)
    token = f"tuireader-quit-{uuid.uuid4().hex}"
    env = isolated_env(tmp_path / "home", TUIREADER_E2E_TOKEN=token)
    with Tmux(tuireader_command(str(library)), width=80, height=24, env=env, shell=True) as term:
        term.wait_for("unread in this issue", timeout=60, what="the first article")
        term.send("/")
        term.wait_for("indexing", timeout=30, what="the index being built")
        assert len(processes_with(token)) > 1  # the reader, and the build it started
        term.send("Escape")
        term.wait_until_gone("indexing", timeout=10)  # back on the article (Esc then q apart, not alt+q)
        term.send("q")
        # A hang guard, not a timing: the build of 3,000 articles takes far longer than this.
        term.wait_for(term.at_prompt, timeout=5, what="the shell prompt right after q")
        deadline = time.monotonic() + 5
        while processes_with(token) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(token) == []  # nothing left indexing behind the reader's back
        screen = term.screen()
        assert term.at_prompt(screen), screen  # and nothing written on the shell's screen after it
        assert "Warning" not in screen and "Traceback" not in screen
