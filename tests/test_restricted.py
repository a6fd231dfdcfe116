"""Restricted mode (the forced SSH command): the SSH_ORIGINAL_COMMAND whitelist, a reader
who cannot step outside their own data, an app with no way out to a shell or a file,
and crashes that apologise on screen and keep the traceback in the log folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SEEDS, sync
from tuireader import cli, paths
from tuireader.restricted import REFUSED_STATUS, Refused, command_argv

REPO = Path(__file__).resolve().parent.parent
FORCED = ["--restricted", "--reader", "alice", "/srv/papers"]




# -- the whitelist, as argv ---------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("bookmarks export --format md",
         ["bookmarks", "export", "--format", "md", "--restricted", "--reader", "alice", "/srv/papers"]),
        ("bookmarks export --format=json",
         ["bookmarks", "export", "--format", "json", "--restricted", "--reader", "alice", "/srv/papers"]),
        ("bookmarks import -", ["bookmarks", "import", "--restricted", "--reader", "alice", "-"]),
        ("search 高粽 --json",
         ["search", "--json", "--restricted", "--reader", "alice", "--", "高粽", "/srv/papers"]),
        ("search '数字 法治' --json --limit 5 --newest",
         ["search", "--json", "--limit", "5", "--newest", "--restricted", "--reader", "alice", "--",
          "数字 法治", "/srv/papers"]),
        ("search --json -- -leading-dash",
         ["search", "--json", "--restricted", "--reader", "alice", "--", "-leading-dash", "/srv/papers"]),
    ],
)
def test_whitelisted_commands_run_with_the_forced_commands_reader_and_library(requested, expected):
    assert command_argv(FORCED, requested) == expected


@pytest.mark.parametrize(
    "requested",
    [
        "sh -c id",
        "/bin/bash",
        "bash -i",
        "tuireader",
        "dump --json",
        "check /etc",
        "bookmarks list",
        "bookmarks add ar46ie4w",
        "bookmarks remove ar46ie4w",
        "bookmarks export --format md -o /tmp/x",  # writes a file on the server
        "bookmarks export --format md --output=/tmp/x",
        "bookmarks export --format html",
        "bookmarks export --format md --reader bob",  # someone else's bookmarks
        "bookmarks export --format md --bookmarks /home/bob/b.yaml",
        "bookmarks export --format md --config /tmp/evil.yaml",
        "bookmarks export --format md /etc",  # a library of the reader's choosing
        "bookmarks import /etc/passwd",
        "bookmarks import - --reader bob",
        "search 高粽",  # --json is part of the whitelisted form
        "search 高粽 --json /etc",
        "search 高粽 --json --reader bob",
        "search 高粽 --json --limit 99999999",
        "search 高粽 --json --limit -1",
        "search --json",
        "search a b --json",
        "search 'unclosed --json",
        "bookmarks export --format md; sh",
        "bookmarks export --format md && id",
        "search $(id) --json; id",
        "x" * 5000,
    ],
)
def test_everything_else_is_refused(requested):
    with pytest.raises(Refused) as refused:
        command_argv(FORCED, requested)
    assert "\n" not in str(refused.value)


def test_shell_metacharacters_stay_inside_the_query():
    # shlex keeps them as text; no shell ever sees the command.
    argv = command_argv(FORCED, "search '$(id);`id`|id' --json")
    assert argv[-2] == "$(id);`id`|id"


def test_a_forced_command_that_runs_a_subcommand_takes_no_client_command():
    with pytest.raises(Refused):
        command_argv(["--restricted", "dump", "/srv/papers"], "bookmarks export --format md")


def test_the_refusal_never_echoes_control_characters():
    with pytest.raises(Refused) as refused:
        command_argv(FORCED, "rm \x1b]0;pwned\x07 \x1b[2J")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in str(refused.value))


# -- the whitelist, run for real --------------------------------------------------------


def run_forced(forced: list[str], requested: str | None, *, stdin: bytes = b"", home: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "XDG_"))}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        env[var] = str(home / sub)
    if requested is not None:
        env["SSH_ORIGINAL_COMMAND"] = requested
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "tuireader", *forced], input=stdin, capture_output=True, env=env, cwd=REPO,
        timeout=120,
    )


def first_seed_id() -> str:
    from tuireader.library import Library

    return next(ref.id for _i, _s, ref in Library.open([SEEDS]).refs())


def test_export_and_import_over_the_forced_command_keep_readers_apart(isolated_dirs):
    home = isolated_dirs
    article_id = first_seed_id()
    forced_alice = ["--restricted", "--reader", "alice", str(SEEDS)]
    forced_bob = ["--restricted", "--reader", "bob", str(SEEDS)]

    imported = yaml.safe_dump(
        {"version": 1, "bookmarks": [{"article_id": article_id, "headline": "带回家的书签", "note": "从另一台机器"}]},
        allow_unicode=True,
    ).encode()
    done = run_forced(forced_alice, "bookmarks import -", stdin=imported, home=home)
    assert done.returncode == 0, done.stderr.decode()

    alice = run_forced(forced_alice, "bookmarks export --format json", home=home)
    assert alice.returncode == 0, alice.stderr.decode()
    assert [b["article_id"] for b in json.loads(alice.stdout)] == [article_id]
    assert json.loads(alice.stdout)[0]["note"] == "从另一台机器"

    bob = run_forced(forced_bob, "bookmarks export --format json", home=home)
    assert bob.returncode == 0, bob.stderr.decode()
    assert json.loads(bob.stdout) == []

    # Bob cannot name Alice, nor a file, from his side of the connection.
    sneaky = run_forced(forced_bob, "bookmarks export --format json --reader alice", home=home)
    assert sneaky.returncode == REFUSED_STATUS and sneaky.stdout == b""
    assert (home / "data" / "tuireader" / "readers" / "alice" / "bookmarks.yaml").is_file()
    assert not (home / "data" / "tuireader" / "readers" / "bob" / "bookmarks.yaml").exists()

    md = run_forced(forced_alice, "bookmarks export --format md", home=home)
    assert md.returncode == 0 and "全省深化数字法治改革" in md.stdout.decode()


def test_a_refused_command_prints_one_line_and_runs_nothing(isolated_dirs, tmp_path):
    marker = tmp_path / "ran"
    done = run_forced(FORCED[:3] + [str(SEEDS)], f"sh -c 'touch {marker}'", home=isolated_dirs)
    assert done.returncode == REFUSED_STATUS
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "not allowed" in lines[0] and "bookmarks export" in lines[0]
    assert not marker.exists()


def test_a_login_without_a_terminal_is_told_what_it_can_run(isolated_dirs):
    done = run_forced(["--restricted", "--reader", "alice", str(SEEDS)], None, home=isolated_dirs)
    assert done.returncode == REFUSED_STATUS
    assert "needs a terminal" in done.stderr.decode() and "Traceback" not in done.stderr.decode()


def test_export_to_a_file_is_refused_in_restricted_mode_even_without_ssh(isolated_dirs, tmp_path):
    target = tmp_path / "out.md"
    code = cli.main(["bookmarks", "export", "--format", "md", "--restricted", "-o", str(target)])
    assert code == 2 and not target.exists()


# -- crashes ----------------------------------------------------------------------------------


def test_a_crash_in_a_command_apologises_and_logs_the_traceback(isolated_dirs, monkeypatch, capsys):
    from tuireader.commands import dump

    def broken(args):
        raise RuntimeError("deliberate failure for the test")

    monkeypatch.setattr(dump, "run", broken)
    code = cli.main(["dump", str(SEEDS), "--restricted", "--reader", "carol"])
    err = capsys.readouterr().err
    assert code == 70
    assert "sorry" in err and "Traceback" not in err and "deliberate" not in err
    logs = list(paths.log_dir().glob("crash-*.log"))
    assert len(logs) == 1 and "readers/carol" in str(logs[0])
    assert "RuntimeError: deliberate failure for the test" in logs[0].read_text()


# -- the app in restricted mode -------------------------------------------------------------


def make_app(**kwargs):
    from tuireader.ui.app import ReaderApp

    return ReaderApp([SEEDS], **kwargs)


@sync
async def test_restricted_palette_has_no_screenshot_and_the_action_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(restricted=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Quit" in titles
        app.action_screenshot(path=str(tmp_path))
        assert app.deliver_screenshot(path=str(tmp_path)) is None
        await pilot.pause()
    assert not list(tmp_path.rglob("*.svg"))

    free = make_app()
    async with free.run_test(size=(80, 24)):
        await free.workers.wait_for_complete()
        assert "Screenshot" in [c.title for c in free.get_system_commands(free.screen)]


@sync
async def test_restricted_app_opens_no_browser_and_never_suspends(monkeypatch):
    import webbrowser

    opened: list[str] = []
    killed: list[int] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url))
    monkeypatch.setattr(os, "kill", lambda pid, sig: killed.append(sig))
    app = make_app(restricted=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        app.open_url("https://example.com/")
        app.action_suspend_process()
        for key in ("ctrl+z", "ctrl+c"):
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running  # Ctrl+C is ignored (a hint to quit), Ctrl+Z does nothing
    assert opened == [] and killed == []


def test_a_crash_in_the_app_shows_an_apology_not_a_traceback(isolated_dirs):
    """In a real terminal (tmux): the reader crashes on a key, the screen says sorry."""
    from tests.e2e import Tmux, isolated_env

    env = isolated_env(isolated_dirs / "tmux")
    script = (
        "import sys; from tuireader import cli; from tuireader.ui.screens.reader import ReaderScreen\n"
        "def boom(self): raise RuntimeError('deliberate crash for the test')\n"
        "ReaderScreen.action_next_article = boom\n"
        f"sys.exit(cli.main(['--restricted', '--reader', 'dan', {str(SEEDS)!r}]))\n"
    )
    # Through sh, which prints the exit status (tmux does not always keep a dead pane's).
    command = ["sh", "-c", f'{sys.executable} -c "$0"; echo "exit status $?"', script]
    with Tmux(command, env={**env, "PYTHONPATH": str(REPO)}) as term:
        term.wait_for("全省深化数字法治改革", timeout=60)
        term.send("]")
        term.wait_for("exit status", timeout=30)
        # With the lines that scrolled up when the reader left the alternate screen.
        screen = term._tmux("capture-pane", "-p", "-S", "-100", "-t", term.name).stdout.decode()
    assert "exit status 1" in screen
    assert "sorry, something went wrong" in " ".join(screen.split())
    assert "Traceback" not in screen and "deliberate" not in screen
    logs = list((Path(env["XDG_STATE_HOME"]) / "tuireader").rglob("crash-*.log"))
    assert len(logs) == 1 and "readers/dan" in str(logs[0])
    assert "RuntimeError: deliberate crash for the test" in logs[0].read_text()


@sync
async def test_no_animated_scrolling_over_ssh(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 50000 192.0.2.1 22")
    app = make_app(restricted=True)
    async with app.run_test(size=(80, 24)):
        await app.workers.wait_for_complete()
        assert app.animation_level == "none"  # every scroll is one jump: a few bytes, not a stream of frames
    monkeypatch.delenv("SSH_CONNECTION")
    local = make_app()
    async with local.run_test(size=(80, 24)):
        await local.workers.wait_for_complete()
        assert local.animation_level != "none"


def test_a_huge_import_on_standard_input_is_refused_without_reading_it_all(isolated_dirs, tmp_path):
    # Over SSH, `bookmarks import -` reads whatever a client sends: 256 MB here, under a
    # 200 MB memory cap, is refused after the first 32 MiB instead of read whole.
    import resource

    stream = tmp_path / "stream"
    with open(stream, "wb") as f:
        f.truncate(256 << 20)  # sparse: costs no disk
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    env["SSH_ORIGINAL_COMMAND"] = "bookmarks import -"
    with open(stream, "rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "tuireader", "--restricted", "--reader", "erin", str(SEEDS)],
            stdin=stdin, capture_output=True, env=env, cwd=REPO, timeout=120,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (200 << 20, 200 << 20)),
        )
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "larger than 32 MiB" in err and "sorry" not in err


@sync
async def test_a_restricted_reader_changes_the_theme_in_their_state_never_the_config(isolated_dirs):
    from tuireader.store.state import StateStore

    paths.set_reader("frank")
    config_dir = paths.config_dir()
    before = sorted(config_dir.rglob("*")) if config_dir.exists() else []
    app = make_app(restricted=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        first = app.theme
        await pilot.press("t")
        await pilot.pause()
        chosen = app.theme
        assert chosen != first
        await pilot.press("q")
    after = sorted(config_dir.rglob("*")) if config_dir.exists() else []
    assert after == before  # nothing written where config, keymap and themes live
    assert StateStore().load().state.theme == chosen  # the reader's own state keeps it
    assert "readers/frank" in str(paths.state_dir())
