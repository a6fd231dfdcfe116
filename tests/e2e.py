"""A small tmux driver for end-to-end tests: run a real program in a terminal of a
given size, type keys, and read the screen as a person would see it.

    with Tmux(["tuireader", "seeds"], env=env) as term:
        term.wait_for("全省深化")
        term.send("j", "Enter")
        screen = term.screen()

Each ``Tmux`` has its own tmux server (``-L`` socket, no user config), so tests never
touch the developer's tmux and run in parallel. Waiting polls the screen until a
condition holds or a generous timeout passes (a hang guard, not a speed test).

CJK characters take two cells; ``capture-pane`` prints them once, and layout spaces
fall between them, and frames or a scroll bar may sit at a line's ends, so tests
compare ``flat(text)``: the characters a person reads, without layout.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# White space, box drawing (frames, rules) and block elements (scroll bars).
SHELL_PROMPT = "e2e$"
_LAYOUT = re.compile(r"[\s\u2500-\u259f]+")


def flat(text: str) -> str:
    """The characters a person reads, in order: ``text`` without white space (layout,
    wrapping, CJK cell padding), frames, rules and scroll bars."""
    return _LAYOUT.sub("", text)


def tuireader_command(*args: str) -> list[str]:
    """Run the code under test: this interpreter, ``-m tuireader``."""
    return [sys.executable, "-m", "tuireader", *args]


def require_tmux() -> str:
    """The tmux executable; skips the test when missing, unless ``CI=true`` (then fails)."""
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is not installed, and CI=true requires the end-to-end tests to run")
        pytest.skip("tmux is not installed (CI installs it; see .ci/run)")
    return path


class TmuxError(AssertionError):
    """tmux could not start or do what was asked."""


class Tmux:
    """One program in a detached tmux pane of ``width`` x ``height`` cells."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        width: int = 80,
        height: int = 24,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        shell: bool = False,
    ) -> None:
        """``shell=True`` starts ``sh`` with a plain prompt and types ``command`` into
        it, so a test can see what the shell looks like after the program leaves."""
        self.tmux = require_tmux()
        self.command = list(command)
        self.width, self.height = width, height
        self.env = dict(os.environ if env is None else env)
        self.cwd = str(cwd or REPO)
        self.shell = shell
        self.name = f"e2e-{uuid.uuid4().hex[:10]}"
        self._tmp = tempfile.TemporaryDirectory(prefix="tuireader-tmux-")
        self.socket = str(Path(self._tmp.name) / "sock")

    # -- life cycle --------------------------------------------------------------

    def __enter__(self) -> Tmux:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        conf = Path(self._tmp.name) / "tmux.conf"
        conf.write_text(
            "set -g status off\n"  # all rows for the program
            "set -g remain-on-exit on\n"  # keep the pane to read its exit status
            "set -sg escape-time 0\n"
            'set -g default-terminal "xterm-256color"\n'
            "set -g history-limit 1000\n"
        )
        env = {k: v for k, v in self.env.items() if not k.startswith("TMUX")}
        env.setdefault("LANG", "C.UTF-8")
        if self.shell:
            env["ENV"] = ""  # no rc file for sh
            program = "sh"
        else:
            program = " ".join(shlex.quote(a) for a in self.command)
        try:
            self._tmux(
                "-f", str(conf), "new-session", "-d", "-x", str(self.width), "-y", str(self.height),
                "-s", self.name, "-c", self.cwd, program, env=env,
            )
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise TmuxError(f"tmux could not start a session: {exc}") from exc
        if self.shell:
            self.wait_for(lambda s: bool(s.strip()), timeout=10, what="a shell prompt")
            # sh may ignore PS1 from the environment (root gets "# "): set a known one.
            self.type_text(f"PS1='{SHELL_PROMPT} '")
            self.send("Enter")
            self.wait_for(self.at_prompt, timeout=10, what="the shell prompt")
            self.type_text(" ".join(shlex.quote(a) for a in self.command))
            self.send("Enter")

    @staticmethod
    def at_prompt(screen: str) -> bool:
        """The shell waits for input: its prompt ends the screen."""
        return screen.rstrip().endswith(SHELL_PROMPT)

    def close(self) -> None:
        try:
            self._tmux("kill-server", check=False)
        finally:
            self._tmp.cleanup()

    # -- input ---------------------------------------------------------------------

    def send(self, *keys: str) -> None:
        """Keys as tmux names them: ``"j"``, ``"Enter"``, ``"BSpace"``, ``"C-c"``."""
        self._tmux("send-keys", "-t", self.name, *keys)

    def type_text(self, text: str) -> None:
        """Literal text, no key names."""
        self._tmux("send-keys", "-t", self.name, "-l", text)

    # -- output --------------------------------------------------------------------

    def screen(self) -> str:
        """The visible screen, one line per row, trailing spaces trimmed."""
        out = self._tmux("capture-pane", "-p", "-t", self.name)
        return out.stdout.decode("utf-8", "replace")

    def screen_with_colours(self) -> str:
        """The visible screen with its SGR colour and style sequences (``capture-pane -e``)."""
        out = self._tmux("capture-pane", "-e", "-p", "-t", self.name)
        return out.stdout.decode("utf-8", "replace")

    def info(self, *fields: str) -> dict[str, str]:
        """tmux format fields of the pane, e.g. ``pane_dead``, ``alternate_on``."""
        fmt = "\t".join(f"#{{{f}}}" for f in fields)
        out = self._tmux("display-message", "-p", "-t", self.name, fmt)
        return dict(zip(fields, out.stdout.decode().rstrip("\n").split("\t"), strict=False))

    def exited(self) -> int | None:
        """The program's exit status once it has exited (pane dead), else None."""
        info = self.info("pane_dead", "pane_dead_status")
        if info.get("pane_dead") == "1":
            return int(info.get("pane_dead_status") or 0)
        return None

    def wait_for(
        self,
        condition: str | Callable[[str], bool],
        *,
        timeout: float = 30.0,
        what: str | None = None,
    ) -> str:
        """Poll the screen until ``condition`` holds; returns that screen.

        A string condition is compared with white space removed on both sides.
        """
        if isinstance(condition, str):
            wanted = flat(condition)

            def check(screen: str) -> bool:
                return wanted in flat(screen)

            what = what or repr(condition)
        else:
            check = condition
            what = what or getattr(condition, "__name__", "the condition")
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}; the screen shows:\n{screen}")
            if not self.shell and self.exited() is not None and not check(self.screen()):
                raise AssertionError(f"the program exited ({self.exited()}) while waiting for {what}:\n{screen}")
            time.sleep(0.05)

    def wait_until_gone(self, text: str, *, timeout: float = 10.0) -> str:
        return self.wait_for(lambda s: flat(text) not in flat(s), timeout=timeout, what=f"{text!r} to go")

    def wait_exit(self, *, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while (status := self.exited()) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not exit within {timeout:.0f} s:\n{self.screen()}")
            time.sleep(0.05)
        return status

    # -- plumbing --------------------------------------------------------------------

    def _tmux(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True):
        return subprocess.run(
            [self.tmux, "-S", self.socket, *args],
            capture_output=True, env=dict(env) if env is not None else None, check=check, timeout=15,
        )


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The test's environment with XDG folders under ``home`` and a plain terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "TEXTUAL", "SSH_", "TMUX"))}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.pop("COLORTERM", None)  # what an SSH session usually has: TERM=xterm-256color, no COLORTERM
    # pytest-xdist's workers set COLUMNS=80 and LINES=24, which a program believes over its terminal.
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.pop("NO_COLOR", None)
    env["LANG"] = "C.UTF-8"
    env.update(extra)
    return env
