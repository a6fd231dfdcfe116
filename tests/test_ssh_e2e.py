"""End to end over a real OpenSSH server: the recipe of docs/ssh.md on 127.0.0.1.

One sshd of our own (own host key, config, authorized_keys, a free port) takes two keys
on one account, each forced to ``tuireader --restricted --reader NAME LIBRARY`` as the
recipe says (``restrict,pty,command="..."``). The clients are ``ssh -tt`` in tmux at
80x24. Checked as a reader would notice: the reader appears; one key's bookmark is not
the other's; typing, Ctrl+Z, Ctrl+C and the palette reach no shell and quitting ends
the connection; killing the client leaves the bookmarks file whole and the reader
gone; a resize redraws; only the whitelisted commands run without a terminal, and no
forwarding is allowed.

sshd clears the environment, so each key's command sets the XDG folders (under the
test's tmp) and PYTHONPATH itself, and runs this interpreter with ``-m tuireader``:
the code under test, not an installed copy.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e import Tmux, flat, require_tmux

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIRST_HEADLINE = "全省深化数字法治改革推进政法智能化建设工作例会"
PHOTO_HEADLINE = "“高粽”"
READERS = ("alice", "bob")


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}, and CI=true requires the SSH end-to-end tests to run (see .ci/run)")
    pytest.skip(f"{what} (CI installs it; see .ci/run)")


def _find_sshd() -> str | None:
    for candidate in ("/usr/sbin/sshd", shutil.which("sshd")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recipe_block(first_line: str) -> str:
    """The fenced block of docs/ssh.md that starts with ``first_line``: the test runs the doc."""
    text = (REPO / "docs" / "ssh.md").read_text(encoding="utf-8")
    for block in text.split("```")[1::2]:
        body = block.split("\n", 1)[1] if "\n" in block else ""
        if body.startswith(first_line):
            return body
    raise AssertionError(f"docs/ssh.md has no block starting with {first_line!r}")


class Server:
    """Our sshd, its keys and folders; ``ssh(reader, ...)`` gives a client command line."""

    def __init__(self, root: Path, sshd: str, library: Path, variant: str = "shared") -> None:
        self.variant = variant  # "shared" (docs/ssh.md 2a) or "own" (2b)
        self.root = root
        self.sshd = sshd
        self.library = library
        self.port = _free_port()
        self.user = (
            os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        )
        self.home = root / "home"  # XDG folders of the shared account
        self.log = root / "sshd.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- files -----------------------------------------------------------------------

    def key(self, name: str) -> Path:
        return self.root / f"key-{name}"

    def data_dir(self, reader: str) -> Path:
        return self.home / "data" / "tuireader" / "readers" / reader

    def bookmarks_file(self, reader: str) -> Path:
        return self.data_dir(reader) / "bookmarks.yaml"

    def state_file(self, reader: str) -> Path:
        return self.home / "state" / "tuireader" / "readers" / reader / "state.yaml"

    def tuireader(self) -> str:
        """The recipe's ``/opt/tuireader/bin/tuireader``, here: the code under test, with
        XDG folders under tmp (sshd clears the environment)."""
        xdg = [f"XDG_{var}_HOME={shlex.quote(str(self.home / sub))}"
               for var, sub in (("CONFIG", "config"), ("DATA", "data"), ("STATE", "state"), ("CACHE", "cache"))]
        python = shlex.quote(sys.executable)
        return " ".join(["env", f"PYTHONPATH={shlex.quote(str(REPO))}", *xdg, python, "-m", "tuireader"])

    def from_recipe(self, text: str) -> str:
        """A piece of docs/ssh.md with its paths and names made this test's."""
        for recipe, here in (
            ("/opt/tuireader/bin/tuireader", self.tuireader()),
            ("/srv/papers", shlex.quote(str(self.library))),
            ("/etc/tuireader/authorized_keys", str(self.root / "authorized_keys")),
            ("Match User reader", f"Match User {self.user}"),
            ("Match Group readers", f"Match User {self.user}"),
        ):
            text = text.replace(recipe, here)
        return text

    def write_files(self) -> None:
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        subprocess.run([*keygen, "-f", str(self.root / "host_key")], check=True, timeout=30)
        key_lines = recipe_block('restrict,pty,command="').splitlines()
        lines = []
        for reader in READERS:
            subprocess.run([*keygen, "-C", reader, "-f", str(self.key(reader))], check=True, timeout=30)
            public = self.key(reader).with_suffix(".pub").read_text().strip()
            if self.variant == "shared":  # 2a: the key's own forced command names the reader
                recipe = next(line for line in key_lines if line.endswith(f"AAAA...{reader}"))
                line = self.from_recipe(recipe.replace(f"ssh-ed25519 AAAA...{reader}", public))
                assert f"--reader {reader} " in line
            else:  # 2b: a plain key; the account's ForceCommand does the forcing
                line = public
            lines.append(line)
        (self.root / "authorized_keys").write_text("\n".join(lines) + "\n")
        match = recipe_block("Match User reader" if self.variant == "shared" else "Match Group readers")
        (self.root / "sshd_config").write_text(
            f"Port {self.port}\n"
            "ListenAddress 127.0.0.1\n"
            f"HostKey {self.root / 'host_key'}\n"
            "PidFile none\n"
            "StrictModes no\n"  # tmp folders are not owned as sshd would like
            # 2b's ~/.ssh/authorized_keys, here (2a's Match block names its own file):
            f"AuthorizedKeysFile {self.root / 'authorized_keys'}\n"
            "UsePAM no\n"
            # root may log in here only as the recipe's reader would: forced, by key.
            f"PermitRootLogin {'forced-commands-only' if self.variant == 'shared' else 'prohibit-password'}\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "PrintMotd no\n"
            "PrintLastLog no\n"
            "PermitUserEnvironment no\n"  # the recipe's one global line (section 3)
            # The recipe's Match block, as docs/ssh.md gives it:
            + self.from_recipe(match) + "\n"
        )
        for sub in ("config", "data", "state", "cache"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # privilege separation folder
        self.process = subprocess.Popen(
            [self.sshd, "-D", "-e", "-f", str(self.root / "sshd_config")],
            stdout=subprocess.DEVNULL, stderr=self.log.open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"sshd exited ({self.process.returncode}):\n{self.log.read_text()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError(f"sshd did not listen on port {self.port}:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # -- clients -----------------------------------------------------------------------------

    def ssh(self, reader: str, *args: str, tty: bool = False) -> list[str]:
        return [
            "ssh", "-F", "/dev/null", *(["-tt"] if tty else ["-T"]),
            "-i", str(self.key(reader)), "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "SendEnv=LANG",
            "-p", str(self.port), f"{self.user}@127.0.0.1", *args,
        ]

    def run(self, reader: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.ssh(reader, *args), input=stdin, capture_output=True, timeout=120,
                              env=_client_env())

    def session(self, reader: str) -> Tmux:
        return Tmux(self.ssh(reader, tty=True), width=80, height=24, env=_client_env())

    def reader_processes(self, reader: str) -> list[int]:
        """Pids of this server's tuireader for ``reader`` (read from /proc)."""
        marker = f"--reader\0{reader}\0{self.library}".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if b"tuireader" in cmdline and marker in cmdline:
                    pids.append(int(entry.name))
        return pids


def _client_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "TMUX", "XDG_"))}
    env["LANG"] = "C.UTF-8"
    env.pop("COLORTERM", None)
    return env


def _serve(tmp_path_factory, variant: str):
    require_tmux()
    sshd = _find_sshd()
    if sshd is None:
        _missing("sshd (openssh-server) is not installed")
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        _missing("ssh or ssh-keygen (openssh-client) is not installed")
    root = tmp_path_factory.mktemp(f"sshd-{variant}")
    library = root / "library"
    shutil.copytree(SEEDS, library)
    server = Server(root, sshd, library, variant)
    server.write_files()
    server.start()
    return server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """docs/ssh.md 2a: one shared account, a forced command with --reader per key."""
    server = _serve(tmp_path_factory, "shared")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """docs/ssh.md 2b: an account of one's own, forced by the Match block's ForceCommand."""
    server = _serve(tmp_path_factory, "own")
    yield server
    server.stop()


def wait_gone(server: Server, reader: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while server.reader_processes(reader):
        if time.monotonic() > deadline:
            raise AssertionError(f"tuireader for {reader} still runs {timeout:.0f} s after its client left")
        time.sleep(0.1)


def settle() -> None:
    """Keys sent in one burst arrive over SSH in one read: Escape then q would be Alt+q."""
    time.sleep(0.4)


def library_bytes(server: Server) -> dict[str, bytes]:
    return {str(p.relative_to(server.library)): p.read_bytes() for p in server.library.rglob("*") if p.is_file()}


# -- the reader over ssh ----------------------------------------------------------------------


def test_the_reader_appears_and_a_bookmark_belongs_to_one_key(server):
    before = library_bytes(server)
    with server.session("alice") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        term.send("m")
        term.wait_for("Bookmarked")
        settle()
        term.send("q")
        assert term.wait_exit(timeout=20) == 0
    saved = yaml.safe_load(server.bookmarks_file("alice").read_text())
    assert [b["headline"][:10] for b in saved["bookmarks"]] == [FIRST_HEADLINE[:10]]
    alice_id = saved["bookmarks"][0]["article_id"]

    with server.session("bob") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        term.send("'")
        screen = term.wait_for("No bookmarks yet")
        assert alice_id not in screen
        term.send("Escape")
        settle()
        term.send("q")
        assert term.wait_exit(timeout=20) == 0
    assert not server.bookmarks_file("bob").exists() or alice_id not in server.bookmarks_file("bob").read_text()

    # The same, through the whitelisted export each key can run.
    alice = server.run("alice", "bookmarks", "export", "--format", "json")
    bob = server.run("bob", "bookmarks", "export", "--format", "json")
    assert alice.returncode == 0 and bob.returncode == 0, (alice.stderr, bob.stderr)
    assert [b["article_id"] for b in json.loads(alice.stdout)] == [alice_id]
    assert json.loads(bob.stdout) == []
    assert library_bytes(server) == before  # the library is read-only


def test_no_shell_is_reachable_from_the_reader(server):
    with server.session("alice") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        term.type_text("sh\rexit\rid\r")
        for key in ("C-z", "C-c", "C-\\", "C-d"):
            term.send(key)
            settle()
        term.send("C-p")  # the palette has nothing that leaves the reader
        term.wait_for(lambda s: "🔎" in s or "Search for commands" in s, what="the command palette")
        term.type_text("screenshot")
        screen = term.wait_for("No matches found")
        term.send("Escape")
        settle()
        term.send("Escape")
        settle()
        screen = term.wait_for(FIRST_HEADLINE)
        assert term.exited() is None  # Ctrl+Z, Ctrl+C, Ctrl+D: still the reader
        assert "uid=" not in screen and "$ " not in screen and "# " not in screen
        term.send("q")
        status = term.wait_exit(timeout=20)
        screen = term.screen()
    # Leaving the reader ends the connection: there is nothing else behind it.
    assert status == 0
    assert "uid=" not in screen
    wait_gone(server, "alice")


def test_killing_the_client_leaves_the_bookmarks_file_whole(server):
    with server.session("alice") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        term.send("]")
        term.wait_for("全省法治公安建设工作会议")
        assert server.reader_processes("alice")
        # A bookmark saved, then a burst of toggles and the connection dropped in the
        # middle of them (the first one waited for: on a busy machine the whole burst
        # could otherwise still be unread when the connection goes, and no file is made).
        term.send("m")
        deadline = time.monotonic() + 30
        while not server.bookmarks_file("alice").exists():
            assert time.monotonic() < deadline, "the first bookmark was never saved"
            time.sleep(0.05)
        term.send(*["m"] * 14)
        client = int(term.info("pane_pid")["pane_pid"])
        os.kill(client, signal.SIGKILL)
        wait_gone(server, "alice")  # sshd hangs up; the reader saves and leaves promptly
    text = server.bookmarks_file("alice").read_text()
    data = yaml.safe_load(text)
    assert data["version"] == 1 and isinstance(data["bookmarks"], list)
    assert all(isinstance(b, dict) and b.get("article_id") for b in data["bookmarks"])
    assert not list(server.data_dir("alice").glob(".bookmarks.yaml.*.tmp"))
    state = yaml.safe_load(server.state_file("alice").read_text())
    assert state  # the reading state was saved on the way out
    export = server.run("alice", "bookmarks", "export", "--format", "yaml")
    assert export.returncode == 0, export.stderr


def test_a_resize_over_ssh_redraws_the_layout(server):
    with server.session("bob") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        assert PHOTO_HEADLINE not in flat(term.screen())  # 80 columns: no contents pane
        term._tmux("resize-window", "-t", term.name, "-x", "130", "-y", "32")
        screen = term.wait_for(PHOTO_HEADLINE)  # wide: the contents pane lists every item
        assert FIRST_HEADLINE[:8] in flat(screen)
        assert len(screen.splitlines()) >= 30
        for width, height in ((2, 1), (1, 1), (300, 100)):  # absurd sizes a client may send
            term._tmux("resize-window", "-t", term.name, "-x", str(width), "-y", str(height))
            time.sleep(0.5)
            assert term.exited() is None, f"the reader left at {width}x{height}"
        term._tmux("resize-window", "-t", term.name, "-x", "80", "-y", "24")
        screen = term.wait_for(lambda s: PHOTO_HEADLINE not in flat(s) and FIRST_HEADLINE[:8] in flat(s),
                               what="the article alone again at 80x24")
        assert all(len(line) <= 80 for line in screen.splitlines())
        term.send("q")
        assert term.wait_exit(timeout=20) == 0


# -- without a terminal: the whitelist ---------------------------------------------------------


def test_whitelisted_commands_run_and_everything_else_is_refused(server):
    export = server.run("bob", "bookmarks", "export", "--format", "md")
    assert export.returncode == 0 and export.stdout.decode().startswith("# Reading list")

    mine = yaml.safe_dump({"version": 1, "bookmarks": [{"article_id": "zz-imported", "headline": "带走的书签"}]},
                          allow_unicode=True).encode()
    imported = server.run("bob", "bookmarks", "import", "-", stdin=mine)
    assert imported.returncode == 0, imported.stderr
    exported = json.loads(server.run("bob", "bookmarks", "export", "--format", "json").stdout)
    assert "zz-imported" in [b["article_id"] for b in exported]
    alice_file = server.bookmarks_file("alice")
    assert not alice_file.exists() or "zz-imported" not in alice_file.read_text()

    # (tests/test_restricted.py goes through the whole list; these few prove sshd hands them over.)
    for command in (["sh", "-c", "id"], ["bookmarks", "export", "--format", "md", "-o", "/tmp/x"],
                    ["bookmarks", "export", "--format", "json", "--reader", "alice"]):
        refused = server.run("bob", *command)
        assert refused.returncode != 0, command
        assert b"uid=" not in refused.stdout and b"root:" not in refused.stdout
        assert refused.stdout == b"" and len(refused.stderr.decode().strip().splitlines()) == 1, refused.stderr

    no_tty = server.run("bob")  # a login without a terminal learns what it may run
    assert no_tty.returncode != 0 and b"needs a terminal" in no_tty.stderr

    sftp = subprocess.run(server.ssh("bob", "-s", "sftp"), input=b"", capture_output=True, timeout=60,
                          env=_client_env())
    assert sftp.returncode != 0 and sftp.stdout == b""


def test_no_forwarding_of_any_kind(server):
    stdio = subprocess.run(server.ssh("bob", "-W", f"127.0.0.1:{server.port}"), input=b"", capture_output=True,
                           timeout=60, env=_client_env())
    assert stdio.returncode != 0
    assert b"SSH-2.0" not in stdio.stdout  # sshd's banner would show if forwarding had worked


def test_an_own_account_runs_the_reader_whatever_its_keys_say(own_server):
    # The keys carry no options at all: ForceCommand alone keeps this account to the reader.
    assert "command=" not in (own_server.root / "authorized_keys").read_text()
    with own_server.session("alice") as term:
        term.wait_for(FIRST_HEADLINE, timeout=60)
        term.send("m")
        term.wait_for("Bookmarked")
        settle()
        term.send("q")
        assert term.wait_exit(timeout=20) == 0
    mine = own_server.home / "data" / "tuireader" / "bookmarks.yaml"  # the account's own folders
    assert FIRST_HEADLINE[:10] in mine.read_text(encoding="utf-8")
    refused = own_server.run("bob", "sh", "-c", "id")
    assert refused.returncode != 0 and b"uid=" not in refused.stdout
    export = own_server.run("bob", "bookmarks", "export", "--format", "json")
    assert export.returncode == 0 and len(json.loads(export.stdout)) == 1
    stdio = subprocess.run(own_server.ssh("bob", "-W", f"127.0.0.1:{own_server.port}"), input=b"",
                           capture_output=True, timeout=60, env=_client_env())
    assert stdio.returncode != 0 and b"SSH-2.0" not in stdio.stdout
