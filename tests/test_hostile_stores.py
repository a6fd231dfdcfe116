"""Hostile or unlucky stores (issue 15): bookmarks, state, config and themes, and what
reaches the terminal from them. Each test is a reproduction, then the behaviour expected.

The library-text side of the sanitiser is in ``tests/test_hostile.py``; the rules of
the sanitiser itself in ``tests/test_sanitize.py``.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests import hostile as H
from tests.conftest import REPO, SEEDS, sync
from tests.e2e import Tmux, isolated_env, tuireader_command
from tuireader.cli import main
from tuireader.store.atomic import file_lock
from tuireader.store.bookmarks import (
    Bookmark,
    BookmarkFileError,
    BookmarkStore,
    Document,
    dump_document,
    merge_into,
)

pytestmark = pytest.mark.timeout(300)

#: The article id of issue 15: a clipboard write (OSC 52), a title, a screen wipe,
#: a C1 CSI and a right-to-left override.
EVIL = "\x1b]52;c;aGk=\x07\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202e"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run(*args: str, stdin: bytes = b"", env: dict | None = None, timeout: float = 120, **kw):
    return subprocess.run(tuireader_command(*args), input=stdin, capture_output=True, timeout=timeout,
                          cwd=REPO, env=env, **kw)


def assert_no_control(text: str, where: str) -> None:
    bad = H.has_terminal_control(text)
    assert bad is None, f"{where} carries the terminal control {bad}"


def assert_one_line_error(code: int, err: str, expected_code: int = 2) -> None:
    assert code == expected_code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tuireader: "), err
    assert "Traceback" not in err and "sorry" not in err, err
    assert_no_control(err, "the error")


def export_of(n: int, prefix: str = "a") -> list[dict]:
    return [{"article_id": f"{prefix}{i}", "headline": f"标题{i}", "saved": "2025-06-06T08:00:00+08:00",
             "tags": ["法治"] if i % 3 == 0 else []} for i in range(n)]


def write_export(path: Path, n: int, prefix: str = "a") -> Path:
    path.write_text(json.dumps(export_of(n, prefix), ensure_ascii=False), encoding="utf-8")
    return path


def hostile_export(tmp_path: Path) -> Path:
    """One bookmark whose every field, its id included, carries the attack; no headline,
    so a list shows the id itself."""
    source = tmp_path / "evil.json"
    source.write_text(json.dumps([{
        "article_id": "k1" + EVIL, "headline": "", "kicker": None, "paper": "报" + EVIL, "date": "2025-06-06",
        "section": "要闻" + EVIL, "source": "p" + EVIL + ".txt", "anchor": "锚" + EVIL,
        "saved": "2025-06-06T08:00:00+08:00", "note": "注" + EVIL + "\x7f", "tags": ["签" + EVIL],
    }]), encoding="utf-8")
    return source


# -- 1. one sanitising boundary -------------------------------------------------------------


def test_a_hostile_article_id_reaches_no_terminal_and_exports_round_trip(tmp_path, capsys):
    file = str(tmp_path / "b.yaml")
    code, out, err = cli(capsys, "bookmarks", "import", str(hostile_export(tmp_path)), "--bookmarks", file)
    assert code == 0, err
    original = BookmarkStore(file).bookmarks
    assert original[0].article_id == "k1" + EVIL  # stored exactly (data, not cleaned away)

    shown = {}
    for what, argv in {
        "export md": ("bookmarks", "export", "--format", "md", str(SEEDS)),
        "list": ("bookmarks", "list", str(SEEDS)),
        "list --json": ("bookmarks", "list", "--json", str(SEEDS)),
        "export json": ("bookmarks", "export", "--format", "json"),
        "export yaml": ("bookmarks", "export", "--format", "yaml"),
    }.items():
        code, out, err = cli(capsys, *argv, "--bookmarks", file)
        assert code == 0, (what, err)
        assert_no_control(out, what)
        assert_no_control(err, what)
        assert "\x7f" not in out, what
        shown[what] = out
    assert "k1␛" in shown["export md"] and "k1␛" in shown["list"]  # the id, its escapes made visible

    # JSON and YAML keep the data exact: each export imports back unchanged.
    for what in ("export json", "export yaml"):
        source = tmp_path / f"again.{what[-4:]}"
        source.write_text(shown[what], encoding="utf-8")
        again = tmp_path / f"again-{what[-4:]}.yaml"
        code, _out, err = cli(capsys, "bookmarks", "import", str(source), "--bookmarks", str(again))
        assert code == 0, err
        assert BookmarkStore(again).bookmarks == original, what


def test_the_bookmarks_screen_draws_no_control_from_a_hostile_bookmark(tmp_path, isolated_dirs):
    @sync
    async def check() -> None:
        from tests.test_hostile import screen_text
        from tuireader.ui.app import ReaderApp
        from tuireader.ui.screens.bookmarks import BookmarksScreen

        file = tmp_path / "b.yaml"
        assert main(["bookmarks", "import", str(hostile_export(tmp_path)), "--bookmarks", str(file)]) == 0
        app = ReaderApp([SEEDS], bookmarks_path=file)
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("apostrophe")
            for _ in range(50):
                await pilot.pause(0.05)
                if isinstance(app.screen, BookmarksScreen) and "k1" in screen_text(app):
                    break
            drawn = screen_text(app)
            assert "k1␛" in drawn, drawn  # the id is shown, as text
            assert_no_control(drawn, "the bookmarks screen")
            for notice in app._notifications:
                assert_no_control(str(notice.message), "a notice")

    check()


def test_error_messages_do_not_echo_control_characters_from_the_input(tmp_path, capsys):
    file = str(tmp_path / "b.yaml")
    write_export(tmp_path / "e.json", 1)
    assert cli(capsys, "bookmarks", "import", str(tmp_path / "e.json"), "--bookmarks", file)[0] == 0
    code, _out, err = cli(capsys, "bookmarks", "remove", "nope" + EVIL, "--bookmarks", file)
    assert_one_line_error(code, err)
    assert "nope␛" in err
    code, _out, err = cli(capsys, "bookmarks", "list", "--bookmarks", str(tmp_path / ("dir" + EVIL)), "--json",
                          str(tmp_path / ("missing" + EVIL)))
    assert_one_line_error(code, err)
    bad = tmp_path / ("b\x1b]0;PWNED\x07.yaml")
    bad.write_text("version: [\n", encoding="utf-8")
    code, _out, err = cli(capsys, "bookmarks", "export", "--format", "json", "--bookmarks", str(bad))
    assert_one_line_error(code, err, expected_code=1)  # a broken bookmarks file: exit 1 (docs/bookmarks.md)
    assert "b␛.yaml" in err


def test_json_output_is_valid_utf8_with_no_raw_del_or_c1_even_from_invalid_utf8_arguments(tmp_path):
    """A tag and a query given as bytes that are not UTF-8 (the shell passes them through)."""
    from tests.test_bookmarks_support import ids_by_headline, make_library, open_library

    root = make_library(tmp_path / "lib")
    article = next(iter(ids_by_headline(open_library(root)).values()))
    file = str(tmp_path / "b.yaml")
    argv = [*tuireader_command("bookmarks", "add", article, str(root), "--bookmarks", file)]
    argv_bytes = [os.fsencode(a) for a in argv] + [b"--tag", b"\xff\xfe\x7f", b"--tag", "法治".encode("gbk"),
                                                   b"--note", b"a\x7fb\xc2\x9bc"]
    done = subprocess.run(argv_bytes, capture_output=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    done.stdout.decode("utf-8")  # strict: what it printed is UTF-8
    for args in (("bookmarks", "list", "--json", str(root)), ("bookmarks", "export", "--format", "json"),
                 ("bookmarks", "export", "--format", "yaml"), ("bookmarks", "export", "--format", "md", str(root)),
                 ("bookmarks", "list", str(root))):
        done = run(*args, "--bookmarks", file)
        assert done.returncode == 0, (args, done.stderr)
        text = done.stdout.decode("utf-8")  # strict: never raw invalid UTF-8
        assert "\x7f" not in text and "\x9b" not in text, args
        assert_no_control(text, str(args))
    listed = json.loads(run("bookmarks", "list", "--json", str(root), "--bookmarks", file).stdout)
    assert listed[0]["note"] == "a\x7fb\x9bc"  # the same data, escaped
    assert listed[0]["tags"] == ["\ufffd\ufffd\x7f", "法治"]  # not UTF-8: as GB18030 if it is that, else U+FFFD

    queries = (b"\xff\xfe", "法治\x7f".encode(), b"\xc2\x9b31m", "法治".encode() + b"\xff", "法治".encode("gbk"))
    for query in queries:
        done = subprocess.run([sys.executable, "-m", "tuireader", "search", query, str(root), b"--json"],
                              capture_output=True, timeout=120, cwd=REPO)
        assert done.returncode == 0, done.stderr
        text = done.stdout.decode("utf-8")  # strict
        assert "\x7f" not in text and "\x9b" not in text
        assert json.loads(text)["query"]
        assert_no_control(done.stderr.decode("utf-8"), "the search progress")
    # The same query over SSH (restricted mode): sshd passes the bytes in SSH_ORIGINAL_COMMAND.
    env = {**os.environ, "SSH_ORIGINAL_COMMAND": os.fsdecode(b"search \xff\xfe\xc2\x9b --json")}
    done = subprocess.run([*tuireader_command("--restricted", "--reader", "dan", str(root))], env=env,
                          capture_output=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout.decode("utf-8"))


def test_a_theme_named_with_markup_is_shown_literally_in_the_theme_picker(isolated_dirs):
    from tuireader import paths

    themes = paths.config_dir() / "themes"
    themes.mkdir(parents=True)
    name = "[bold red]红色[/bold red][@click=app.quit]"
    (themes / "marked.yaml").write_text(yaml.safe_dump({"name": name, "primary": "#336699"}, allow_unicode=True),
                                         encoding="utf-8")

    @sync
    async def check() -> None:
        from textual.command import CommandPalette

        from tests.test_hostile import screen_text
        from tuireader.ui.app import ReaderApp

        app = ReaderApp([SEEDS])
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            assert name in app.available_themes
            app.search_themes()
            for query in ("", "红色"):
                await pilot.pause(0.2)
                assert isinstance(app.screen, CommandPalette)
                if query:
                    await pilot.press(*query)
                for _ in range(40):
                    await pilot.pause(0.05)
                    if "红色" in screen_text(app):
                        break
                drawn = screen_text(app)
                assert name in drawn, drawn  # brackets and all: not read as markup

    check()


# -- 4. import: linear, parsed outside the lock, never loses a concurrent change -----------------


class CountingId(str):
    """An article id that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountingId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_merging_n_bookmarks_into_m_compares_ids_about_n_plus_m_times_not_n_times_m():
    n = 2000
    doc = Document(bookmarks=[Bookmark(article_id=CountingId(f"a{i}")) for i in range(n)])
    incoming = [Bookmark(article_id=CountingId(f"a{i}"), note="新", saved="2025-06-06T08:00:00+08:00")
                for i in range(0, 2 * n, 2)]
    CountingId.compared = 0
    added, updated = merge_into(doc, incoming)
    assert (added, updated) == (n // 2, n // 2)
    assert CountingId.compared < 10 * n, CountingId.compared  # a scan per bookmark would be ~n*n/2


def test_an_import_waiting_for_the_lock_completes_and_concurrent_imports_lose_nothing(tmp_path):
    file = tmp_path / "b.yaml"
    first, second = write_export(tmp_path / "one.json", 3000, "x"), write_export(tmp_path / "two.json", 3000, "y")
    with file_lock(file):  # another session is in the middle of a change
        procs = [subprocess.Popen(tuireader_command("bookmarks", "import", str(src), "--bookmarks", str(file)),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO) for src in (first, second)]
        broken = tmp_path / "broken.json"
        broken.write_text("[{\"article_id\": ", encoding="utf-8")
        # The input is read and checked before the lock is taken: a bad one fails at once.
        refused = run("bookmarks", "import", str(broken), "--bookmarks", str(file), timeout=60)
        assert_one_line_error(refused.returncode, refused.stderr.decode(), expected_code=1)
        time.sleep(1.0)
        assert all(p.poll() is None for p in procs)  # both wait for the lock
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
    ids = {b.article_id for b in BookmarkStore(file).bookmarks}
    assert ids == {f"x{i}" for i in range(3000)} | {f"y{i}" for i in range(3000)}


def test_an_import_that_cannot_get_the_lock_says_so_in_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    from tuireader.commands import bookmarks as command

    file = tmp_path / "b.yaml"
    write_export(tmp_path / "one.json", 1, "old")
    assert cli(capsys, "bookmarks", "import", str(tmp_path / "one.json"), "--bookmarks", str(file))[0] == 0
    before = file.read_bytes()
    monkeypatch.setattr(command, "LOCK_TIMEOUT", 0.3)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with file_lock(file):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(5)
        code, _out, err = cli(capsys, "bookmarks", "import", str(write_export(tmp_path / "two.json", 5, "new")),
                              "--bookmarks", str(file))
    finally:
        release.set()
        holder.join()
    assert_one_line_error(code, err)
    assert "lock" in err and "nothing was changed" in err
    assert file.read_bytes() == before


# -- 5. duplicate keys -------------------------------------------------------------------------


def _bookmarks_text(*ids: str) -> str:
    return dump_document(Document(bookmarks=[Bookmark(article_id=i, headline=f"标题{i}") for i in ids]))


@pytest.mark.parametrize("what", ["two files joined", "a key twice in one bookmark", "a key twice deeper down"])
def test_ambiguous_yaml_makes_the_file_unreadable_and_it_is_never_written(tmp_path, capsys, what):
    file = tmp_path / "b.yaml"
    if what == "two files joined":
        text = _bookmarks_text("a1", "a2") + _bookmarks_text("b1")
    elif what == "a key twice in one bookmark":
        text = _bookmarks_text("a1").replace("  headline: 标题a1\n", "  headline: 标题a1\n  headline: 另一个\n")
    else:
        text = _bookmarks_text("a1") + "extra:\n  nested:\n    k: 1\n    k: 2\n"
    file.write_text(text, encoding="utf-8")
    before = file.read_bytes()
    store = BookmarkStore(file)
    assert store.read_only and "twice" in str(store.error)
    with pytest.raises(BookmarkFileError):
        store.add(Bookmark(article_id="c1"))
    code, _out, err = cli(capsys, "bookmarks", "import", str(write_export(tmp_path / "e.json", 2)),
                          "--bookmarks", str(file))
    assert_one_line_error(code, err, expected_code=1)
    assert "twice" in err and "line" in err
    assert file.read_bytes() == before
    # Imported, such a file is refused too, and the reader's own file is untouched.
    mine = tmp_path / "mine.yaml"
    code, _out, err = cli(capsys, "bookmarks", "import", str(file), "--bookmarks", str(mine))
    assert_one_line_error(code, err, expected_code=1)
    assert not mine.exists()


# -- 8. crashes where one line is due -------------------------------------------------------------

HUGE_INT = "1" * 5000
BAD_TIME = "2026-13-45 25:00:00"


@pytest.mark.parametrize("value", [HUGE_INT, BAD_TIME])
def test_an_impossible_number_or_date_in_a_bookmarks_file_is_one_line(tmp_path, capsys, value):
    file = tmp_path / "b.yaml"
    text = _bookmarks_text("a1")
    if value == HUGE_INT:
        text = text.replace("  page: null", f"  page: {value}")
    else:  # a key this version does not know, kept on rewrite: its value is still read
        text = text.replace("  page: null\n", f"  page: null\n  when: {value}\n")
    file.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if value in row)
    before = file.read_bytes()
    for argv in (("bookmarks", "export", "--format", "json"), ("bookmarks", "list", str(SEEDS))):
        code, _out, err = cli(capsys, *argv, "--bookmarks", str(file))
        assert_one_line_error(code, err, expected_code=1)
        assert f"line {line}:" in err
    source = tmp_path / "in.yaml"
    source.write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    code, _out, err = cli(capsys, "bookmarks", "import", str(source), "--bookmarks", str(tmp_path / "new.yaml"))
    assert_one_line_error(code, err, expected_code=1)
    assert file.read_bytes() == before


@pytest.mark.parametrize(
    "text",
    [f"measure: {HUGE_INT}\n", f"theme: {BAD_TIME}\n", "keymap: " + "[" * 500 + "]" * 500 + "\n",
     "".join("  " * i + "keymap:\n" for i in range(500)), "library: " + "{a: " * 500 + "1" + "}" * 500 + "\n",
     "mouse: true\nmouse: false\n"],
    ids=["huge int", "bad date", "500 deep flow", "500 deep block", "500 deep mapping", "duplicate key"],
)
def test_a_hostile_config_is_one_line_and_exit_2(tmp_path, text):
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    done = run("--config", str(config), "dump")  # no PATH: the config is read for its library
    assert_one_line_error(done.returncode, done.stderr.decode())
    assert str(config) in done.stderr.decode()


@pytest.mark.parametrize(
    "extra", [f"luminosity_spread: {HUGE_INT}\n", f"author: {BAD_TIME}\n", "variables: " + "[" * 500 + "]" * 500,
              "primary: '#000000'\n"], ids=["huge int", "bad date", "500 deep", "duplicate key"],
)
def test_a_hostile_theme_is_one_problem_line(tmp_path, extra):
    from tuireader.ui.themes import load_themes

    (tmp_path / "bad.yaml").write_text("name: bad\nprimary: '#336699'\n" + extra, encoding="utf-8")
    themes, problems = load_themes([tmp_path])
    assert "bad" not in {t.name for t in themes}
    assert len(problems) == 1 and problems[0].startswith(str(tmp_path / "bad.yaml")), problems
    assert "\n" not in problems[0]


@pytest.mark.parametrize("text", [f"read: x\nversion: {HUGE_INT}\n", f"theme: x\nwhen: {BAD_TIME}\n",
                                  "x: " + "[" * 500 + "]" * 500 + "\n"])
def test_a_hostile_state_file_is_left_alone_with_a_problem(tmp_path, text):
    from tuireader.store.state import StateStore

    file = tmp_path / "state.yaml"
    file.write_text(text, encoding="utf-8")
    store = StateStore(file).load()
    assert store.problem and str(file) in store.problem and "\n" not in store.problem
    store.mark_read("a1")
    assert store.save() is False and file.read_text(encoding="utf-8") == text


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    import tempfile

    folder = tmp_path / "locked"
    folder.mkdir()
    file = folder / "b.yaml"
    source = write_export(tmp_path / "e.json", 3)
    (folder / "b.yaml.lock").touch()  # the lock may be taken; the file may not be written
    if os.geteuid() == 0:  # chmod does not stop root: refuse where the write starts
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(folder))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    folder.chmod(0o500)
    try:
        code, _out, err = cli(capsys, "bookmarks", "import", str(source), "--bookmarks", str(file))
    finally:
        folder.chmod(0o700)
    assert_one_line_error(code, err)
    assert "Permission denied" in err and str(file) in err
    assert not file.exists()


def test_a_lock_path_that_is_a_folder_is_one_line_and_exit_2(tmp_path, capsys):
    file = tmp_path / "b.yaml"
    (tmp_path / "b.yaml.lock").mkdir()
    code, _out, err = cli(capsys, "bookmarks", "import", str(write_export(tmp_path / "e.json", 3)),
                          "--bookmarks", str(file))
    assert_one_line_error(code, err)
    assert "b.yaml.lock" in err
    assert not file.exists()


def test_a_full_disk_is_one_line_and_exit_2_and_the_old_file_stays_whole(tmp_path):
    file = tmp_path / "b.yaml"
    file.write_text(_bookmarks_text("old1", "old2"), encoding="utf-8")
    before = file.read_bytes()

    def small_disk() -> None:  # writes past 8 KiB fail with EFBIG, as ENOSPC would
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    done = run("bookmarks", "import", str(write_export(tmp_path / "e.json", 500)), "--bookmarks", str(file),
               preexec_fn=small_disk)
    assert_one_line_error(done.returncode, done.stderr.decode())
    assert "cannot save" in done.stderr.decode()
    assert file.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_app_shows_a_notice_when_a_bookmark_cannot_be_saved(tmp_path, monkeypatch):
    import tempfile

    @sync
    async def check() -> None:
        from tuireader.ui.app import ReaderApp

        app = ReaderApp([SEEDS], bookmarks_path=tmp_path / "b.yaml")
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            monkeypatch.setattr(tempfile, "mkstemp",
                                lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
            await pilot.press("m")
            await pilot.pause()
            messages = [str(n.message) for n in app._notifications]
            assert any("No space left on device" in m for m in messages), messages
            assert app.is_running
        assert not (tmp_path / "b.yaml").exists()

    check()


# -- 9. symlinks, special files, bounded reads -------------------------------------------------------


def test_a_symlinked_bookmarks_file_stays_a_symlink_and_its_target_is_updated(tmp_path, capsys):
    real = tmp_path / "sync" / "bookmarks.yaml"
    real.parent.mkdir()
    real.write_text(_bookmarks_text("old1"), encoding="utf-8")
    link = tmp_path / "b.yaml"
    link.symlink_to(real)
    code, _out, err = cli(capsys, "bookmarks", "import", str(write_export(tmp_path / "e.json", 2)),
                          "--bookmarks", str(link))
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert {b.article_id for b in BookmarkStore(real).bookmarks} == {"old1", "a0", "a1"}
    assert not list(tmp_path.glob(".b.yaml*")) and not list(real.parent.glob("*.tmp"))


def _special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    found = [fifo]
    try:  # a private /dev/null (as root): what --bookmarks /dev/null would replace
        device = tmp_path / "null.yaml"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        found.append(device)
    except (PermissionError, OSError):
        pass
    return found


def test_special_files_are_never_replaced_nor_read_as_bookmarks(tmp_path, capsys):
    source = write_export(tmp_path / "e.json", 2)
    # A FIFO and, where mknod is allowed (root), a private /dev/null: the test must not
    # risk the real one. /dev/null itself is only read (list).
    code, _out, err = cli(capsys, "bookmarks", "list", str(SEEDS), "--bookmarks", "/dev/null")
    assert_one_line_error(code, err, expected_code=1)
    assert "is a device, not a bookmarks file" in err
    for special in _special_files(tmp_path):
        kind = stat.S_IFMT(special.lstat().st_mode)
        for argv in (("bookmarks", "import", str(source)), ("bookmarks", "export", "--format", "yaml")):
            code, _out, err = cli(capsys, *argv, "--bookmarks", str(special))
            assert_one_line_error(code, err, expected_code=1)
            assert "not a bookmarks file" in err
        assert stat.S_IFMT(special.lstat().st_mode) == kind  # still the FIFO, still the device


def test_export_to_a_device_writes_to_it_and_to_a_folder_is_one_line(tmp_path, capsys):
    file = tmp_path / "b.yaml"
    file.write_text(_bookmarks_text("a1"), encoding="utf-8")
    devices = [p for p in _special_files(tmp_path) if stat.S_ISCHR(p.lstat().st_mode)]
    for device in devices:  # a private /dev/null: a regression must not replace the real one
        code, _out, err = cli(capsys, "bookmarks", "export", "--format", "json", "-o", str(device),
                              "--bookmarks", str(file))
        assert code == 0, err
        assert stat.S_ISCHR(device.lstat().st_mode)  # written to, not replaced
    code, _out, err = cli(capsys, "bookmarks", "export", "--format", "json", "-o", str(tmp_path),
                          "--bookmarks", str(file))
    assert_one_line_error(code, err)
    assert "cannot write" in err


def test_writes_refuse_a_special_file_even_when_nothing_was_read(tmp_path):
    from tuireader.store.atomic import NotARegularFile, atomic_write_text

    for special in _special_files(tmp_path):
        link = tmp_path / f"link-to-{special.name}"
        link.symlink_to(special)
        for target in (special, link):
            with pytest.raises(NotARegularFile):
                atomic_write_text(target, "version: 1\n")
        assert not stat.S_ISREG(special.lstat().st_mode)


def test_a_theme_config_or_state_linked_to_dev_zero_or_a_fifo_is_refused_at_once(tmp_path):
    from tuireader.store.config import ConfigError, load_config
    from tuireader.store.state import StateStore
    from tuireader.ui.themes import load_themes

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (Path("/dev/zero"), fifo):
        folder = tmp_path / f"themes-{target.name}"
        folder.mkdir()
        (folder / "zero.yaml").symlink_to(target)
        start = time.monotonic()
        _themes, problems = load_themes([folder])
        assert len(problems) == 1 and "not a regular file" in problems[0], problems
        with pytest.raises(ConfigError, match="not a regular file"):
            load_config(folder / "zero.yaml")
        state = StateStore(folder / "zero.yaml").load()
        assert state.problem and "not a regular file" in state.problem
        assert time.monotonic() - start < 30  # a hang guard: nothing read without end, no FIFO waited on


def test_every_store_read_stops_one_byte_past_its_limit(tmp_path, monkeypatch):
    from tuireader.store import atomic
    from tuireader.store.bookmarks import MAX_FILE_BYTES, read_raw

    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES * 4)  # sparse
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr(atomic.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    raw = read_raw(big)
    assert raw is not None and len(raw) == MAX_FILE_BYTES + 1 and sum(read) == MAX_FILE_BYTES + 1
    with pytest.raises(BookmarkFileError, match="larger than"):
        BookmarkStore(big).add(Bookmark(article_id="x"))


# -- 11. smaller gaps ---------------------------------------------------------------------------------


def test_a_reader_name_with_a_trailing_newline_is_refused(capsys):
    code, _out, err = cli(capsys, "--reader", "alice\n", "bookmarks", "export", "--format", "json")
    assert_one_line_error(code, err)
    assert "invalid reader name" in err


def test_restricted_import_shows_no_server_path(tmp_path, isolated_dirs):
    env = {**isolated_env(isolated_dirs / "ssh"), "SSH_ORIGINAL_COMMAND": "bookmarks import -"}
    home = str(isolated_dirs / "ssh")
    done = run("--restricted", "--reader", "dan", str(SEEDS), stdin=json.dumps(export_of(2)).encode(), env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "imported 2 bookmarks" in out and home not in out and "/" not in out
    # A broken file of the reader's own: the error names it without the server's path.
    data = Path(env["XDG_DATA_HOME"]) / "tuireader" / "readers" / "dan" / "bookmarks.yaml"
    data.write_text("version: [\n", encoding="utf-8")
    done = run("--restricted", "--reader", "dan", str(SEEDS), stdin=json.dumps(export_of(1)).encode(), env=env)
    err = done.stderr.decode()
    assert done.returncode == 1 and "your bookmarks file" in err and home not in err, err


def test_the_restricted_bookmarks_screen_shows_no_server_path(tmp_path, isolated_dirs):
    @sync
    async def check() -> None:
        from tests.test_hostile import screen_text
        from tuireader.ui.app import ReaderApp
        from tuireader.ui.screens.bookmarks import BookmarksScreen

        file = tmp_path / "server" / "b.yaml"
        file.parent.mkdir()
        file.write_text(_bookmarks_text("a1"), encoding="utf-8")
        for restricted in (False, True):
            app = ReaderApp([SEEDS], bookmarks_path=file, restricted=restricted)
            async with app.run_test(size=(160, 30)) as pilot:
                await app.workers.wait_for_complete()
                await pilot.press("apostrophe")
                for _ in range(50):
                    await pilot.pause(0.05)
                    if isinstance(app.screen, BookmarksScreen) and "标题a1" in screen_text(app):
                        break
                drawn = screen_text(app)
                assert "标题a1" in drawn
                assert (str(tmp_path) in drawn.replace("\n", "")) is (not restricted), drawn

    check()


SUSPEND_SCRIPT = """\
import os, sys
from pathlib import Path
from textual.binding import Binding
from tuireader import cli
from tuireader.ui import app as ui
class Suspendable(ui.ReaderApp):
    # Ctrl+Z bound to Textual's suspend action, as a keymap or a later Textual could.
    BINDINGS = [Binding("ctrl+z", "suspend_process", "Suspend", show=False)]
    CSS_PATH = str(Path(ui.__file__).with_name(ui.ReaderApp.CSS_PATH))  # no file of its own to be relative to
ui.ReaderApp = Suspendable
Path(os.environ["PID_FILE"]).write_text(str(os.getpid()))
sys.exit(cli.main(sys.argv[1:]))
"""


def _process_state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize("restricted", [True, False], ids=["restricted: never suspends", "free: suspends"])
def test_ctrl_z_in_a_real_terminal_suspends_only_an_unrestricted_reader(tmp_path, isolated_dirs, restricted):
    """tmux, a real terminal: Ctrl+Z bound to suspend. The free reader is stopped
    (so the test can see a suspension); the restricted one never is, and still reads."""
    pid_file = tmp_path / "pid"
    script = tmp_path / "suspendable.py"
    script.write_text(SUSPEND_SCRIPT, encoding="utf-8")
    env = {**isolated_env(isolated_dirs / "tmux"), "PYTHONPATH": str(REPO), "PID_FILE": str(pid_file)}
    args = ["--restricted", "--reader", "dan"] if restricted else []
    # From an interactive shell, with job control: a reader started by tmux itself would be
    # in an orphaned process group, where the kernel discards SIGTSTP.
    with Tmux([sys.executable, str(script), *args, str(SEEDS)], env=env, shell=True) as term:
        term.wait_for("全省深化数字法治改革", timeout=60)
        pid = int(pid_file.read_text())
        term.send("C-z")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and _process_state(pid) != "T":
            time.sleep(0.05)
        if restricted:
            assert _process_state(pid) != "T", "the restricted reader was suspended"
            assert not term.at_prompt(term.screen())  # still the reader, not the shell
            term.send("q")  # and it still reads keys
            term.wait_for(term.at_prompt, timeout=20, what="the shell prompt after quitting")
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not Path(f"/proc/{pid}").exists()
        else:
            assert _process_state(pid) == "T"  # back at the shell: what the restricted reader must never do
            term.wait_for(term.at_prompt, timeout=10, what="the shell prompt")
            os.kill(pid, signal.SIGKILL)


def test_notices_from_state_themes_and_config_show_no_control(tmp_path, isolated_dirs):
    """A broken theme whose file name carries an escape, a broken state file holding one,
    a config naming a theme with one: each notice shows them as text."""
    from tuireader import paths
    from tuireader.store.config import Config
    from tuireader.store.state import default_state_path

    themes = paths.config_dir() / "themes"
    themes.mkdir(parents=True)
    (themes / ("坏\x1b]0;PWNED\x07主题.yaml")).write_text("name: [\n", encoding="utf-8")
    state = default_state_path()
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"theme": "t\x1b]52;c;aGk=\x07", "read": 5}), encoding="utf-8")

    @sync
    async def check() -> None:
        from tests.test_hostile import screen_text
        from tuireader.ui.app import ReaderApp

        app = ReaderApp([SEEDS], config=Config(theme="c\x1b[2J\x9b31m"))
        # Every notice posted (the screen shows one at a time, the newest), as posted.
        posted: list[str] = []
        notify = app.notify

        def record(message: str, *args: object, **kwargs: object) -> None:
            posted.append(str(message))
            notify(message, *args, **kwargs)  # type: ignore[arg-type]

        app.notify = record  # type: ignore[method-assign]
        async with app.run_test(size=(120, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            messages = posted
            assert any("坏␛主题" in m for m in messages), messages  # the theme problem, escape made visible
            assert any("Reading state not used" in m for m in messages), messages
            assert any("Unknown theme 'c" in m for m in messages), messages
            for message in messages:
                assert_no_control(message, "a notice")
            assert_no_control(screen_text(app), "the screen")
            await pilot.press("exclamation_mark")  # the problems list too
            await pilot.pause(0.2)
            assert_no_control(screen_text(app), "the problems screen")

    check()
