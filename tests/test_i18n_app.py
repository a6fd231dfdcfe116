"""The interface in the reader's language: the app, its keys, help, palette and masthead
in Chinese or English, chosen before it starts (config, else the locale); a translation
that is missing shows English; skipped files' reasons, config and restricted-mode
messages and the command line's counts through the same catalogue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, sync
from tests.e2e import Tmux, isolated_env, tuireader_command
from tests.test_app_reader import press, ready, screen_text
from tuireader import cli, i18n
from tuireader.model import reason_text
from tuireader.store.config import Config
from tuireader.ui.app import ReaderApp

REPO = Path(__file__).resolve().parent.parent


def footer_text(app: ReaderApp) -> str:
    return screen_text(app).splitlines()[-1]


def palette_titles(app: ReaderApp) -> set[str]:
    return {str(command.title) for command in app.get_system_commands(app.screen)}


@sync
async def test_the_app_in_chinese_has_chinese_keys_help_palette_and_masthead():
    app = ReaderApp([SEEDS], config=Config(language="zh"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        text = screen_text(app)
        assert "本期未读" in text.splitlines()[0]
        footer = footer_text(app)
        assert "退出" in footer and "帮助" in footer and "下一篇" in footer and "转版" in footer
        assert "Quit" not in footer and "Help" not in footer
        assert {"下一篇", "搜索", "主题"} <= palette_titles(app)
        await press(pilot, "question_mark")
        help_text = screen_text(app)
        assert "按键" in help_text and "下一篇" in help_text and "全局" in help_text
        assert "Next article" not in help_text
        await press(pilot, "escape", "ctrl+p")
        assert "搜索命令" in screen_text(app)
        await press(pilot, "escape")
        app.search_themes()  # the palette's "主题" entry
        await pilot.pause()
        assert "搜索主题" in screen_text(app)


@sync
async def test_search_and_bookmarks_screens_in_chinese():
    app = ReaderApp([SEEDS], config=Config(language="zh"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await press(pilot, "slash")
        text = screen_text(app)
        assert "搜索：词语、拼音" in text and "最新在前" in footer_text(app)
        await press(pilot, "escape", "apostrophe")
        text = screen_text(app)
        assert "还没有收藏" in text and "收藏：0" in text
        assert "筛选" in footer_text(app) and "Filter" not in footer_text(app)


@sync
async def test_the_app_in_english_has_english_keys_help_palette_and_masthead(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the config's language wins over the locale
    app = ReaderApp([SEEDS], config=Config(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        masthead = screen_text(app).splitlines()[0]
        assert "unread in this issue" in masthead and "本期未读" not in masthead
        footer = footer_text(app)
        assert "Quit" in footer and "Help" in footer and "Next article" in footer
        assert "退出" not in footer
        assert {"Next article", "Search", "Theme"} <= palette_titles(app)
        await press(pilot, "question_mark")
        help_text = screen_text(app)
        assert "Keys" in help_text and "Next article" in help_text and "anywhere" in help_text


@sync
async def test_without_a_configured_language_the_locale_decides(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    app = ReaderApp([SEEDS], config=Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "退出" in footer_text(app) and "本期未读" in screen_text(app)


def test_the_command_line_opens_the_app_in_the_configured_language(monkeypatch, tmp_path):
    """``tuireader`` (no subcommand) reads ``language:`` before the app is made."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    config = tmp_path / "config.yaml"
    config.write_text("language: zh\n", encoding="utf-8")
    seen: dict[str, str] = {}

    def fake_run(app: ReaderApp, **kwargs) -> int:
        seen["language"] = i18n.current_language()
        seen["footer"] = i18n._("Quit")
        return 0

    monkeypatch.setattr(ReaderApp, "run", fake_run)
    assert cli.main(["--config", str(config), str(SEEDS)]) == 0
    assert seen == {"language": "zh", "footer": "退出"}


@sync
async def test_a_missing_translation_shows_english_and_never_crashes(monkeypatch, tmp_path):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "tuireader.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Quit"\nmsgstr "退出"\n\nmsgid "Help"\nmsgstr ""\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogue", None)
    app = ReaderApp([SEEDS], config=Config(language="zh"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        footer = footer_text(app)
        assert "退出" in footer and "Help" in footer and "Next article" in footer
        assert "unread in this issue" in screen_text(app)
        await press(pilot, "question_mark")
        assert "Keys" in screen_text(app)


# ------------------------------------------------------------ skipped files' reasons


def _problem_library(folder: Path) -> Path:
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "titles.txt").write_text("2025-06-01 一个标题\n2025-06-02 另一个标题\n", encoding="utf-8")
    (folder / "ok.txt").write_text("# 标题\n\n正文一段。\n", encoding="utf-8")
    return folder


def test_every_reason_the_parsers_give_is_shown_in_chinese(tmp_path):
    from tuireader.library import Library

    library = Library.open([_problem_library(tmp_path / "lib")])
    reasons = sorted(p.reason for p in library.problems)
    assert len(reasons) == 3
    i18n.set_language("zh")
    shown = [reason_text(r) for r in reasons]
    untranslated = [r for r, s in zip(reasons, shown, strict=True) if s == r or not re.search("[\u4e00-\u9fff]", s)]
    assert not untranslated  # each reason a parser gives has its template in REASONS
    i18n.set_language("en")
    assert [reason_text(r) for r in reasons] == reasons


@pytest.mark.parametrize(
    "stored, zh",
    [("empty file", "空文件"),
     ("cannot read: Permission denied", "无法读取：Permission denied"),
     ("archive: encrypted: it needs a password", "压缩包：已加密：需要密码"),
     ("too large (70 MiB; the limit is 64 MiB)", "文件过大（70 MiB，上限 64 MiB）"),
     ("a reason nobody wrote down", "a reason nobody wrote down")],
)
def test_a_stored_reason_is_translated_when_shown(stored, zh):
    i18n.set_language("zh")
    assert reason_text(stored) == zh


def test_check_lists_reasons_and_counts_in_the_locales_language(monkeypatch, tmp_path, capsys):
    folder = _problem_library(tmp_path / "lib")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "空文件" in out and "二进制文件（含 NUL 字节）" in out and "3 个文件有问题" in out
    assert "empty file" not in out


# ------------------------------------------------------------ config, restricted mode, counts


def test_a_config_error_in_chinese(monkeypatch, tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("colour: red\n", encoding="utf-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["--config", str(config), "check", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert "键“colour”：未知的键" in err and err.count("\n") == 1


def _forced(requested: str | None, home: Path, lang: str) -> subprocess.CompletedProcess[bytes]:
    """``tuireader --restricted`` as sshd runs it: the client's LANG passed through (AcceptEnv)."""
    env = isolated_env(home, LANG=lang, SSH_CONNECTION="10.0.0.1 50000 10.0.0.2 22", PYTHONPATH=str(REPO))
    if requested is not None:
        env["SSH_ORIGINAL_COMMAND"] = requested
    return subprocess.run(
        [sys.executable, "-m", "tuireader", "--restricted", "--reader", "alice", str(SEEDS)],
        capture_output=True, env=env, cwd=REPO, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("lang, said", [("zh_CN.UTF-8", "这里不允许"), ("en_GB.UTF-8", "not allowed here")])
def test_a_refusal_in_restricted_mode_speaks_the_clients_language(tmp_path, lang, said):
    done = _forced("rm -rf /", tmp_path / "home", lang)
    assert done.returncode != 0
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and said in lines[0]


def test_a_restricted_login_without_a_terminal_is_told_in_chinese(tmp_path):
    done = _forced(None, tmp_path / "home", "zh_CN.UTF-8")
    assert "阅读器需要终端" in done.stderr.decode()


def test_the_restricted_reader_opens_in_the_clients_language(tmp_path):
    """Over SSH the reader's LANG arrives with the login: the app is in that language."""
    env = isolated_env(tmp_path / "home", LANG="zh_CN.UTF-8", SSH_CONNECTION="10.0.0.1 50000 10.0.0.2 22")
    command = tuireader_command("--restricted", "--reader", "alice", str(SEEDS))
    with Tmux(command, width=80, height=24, env=env) as term:
        screen = term.wait_for(lambda s: "本期未读" in s and "退出" in s, timeout=30, what="the Chinese reader")
        assert "帮助" in screen and "Quit" not in screen
        term.send("q")
        term.wait_exit()


def test_import_counts_its_bookmarks_with_a_plural(monkeypatch, tmp_path, capsys):
    import yaml

    from tests.test_restricted import first_seed_id

    source = tmp_path / "in.yaml"
    source.write_text(yaml.safe_dump({"version": 1, "bookmarks": [{"article_id": first_seed_id(), "headline": "一"}]},
                                     allow_unicode=True), encoding="utf-8")
    assert cli.main(["bookmarks", "import", str(source)]) == 0
    assert "imported 1 bookmark into" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["bookmarks", "import", str(source)]) == 0
    assert "已把 1 条收藏导入" in capsys.readouterr().out


def test_index_counts_articles_and_files_with_plurals(monkeypatch, tmp_path, capsys):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("# 一个标题\n\n正文一段。\n", encoding="utf-8")
    assert cli.main(["index", str(folder)]) == 0
    assert "indexed 1 article from 1 file (1 new," in capsys.readouterr().out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["index", "--rebuild", str(folder)]) == 0
    assert "已索引 1 篇文章，来自 1 个文件（" in capsys.readouterr().out


def test_query_and_theme_file_errors_in_chinese(tmp_path):
    from tuireader.search.query import parse
    from tuireader.ui.themes import ThemeError, load_theme_file

    i18n.set_language("zh")
    assert parse("kind:xyz 法治").errors[0].startswith("kind:xyz：请用以下之一：")
    theme = tmp_path / "bad.yaml"
    theme.write_text("name: bad\nprimary: '#336699'\nbackground_colour: red\n", encoding="utf-8")
    with pytest.raises(ThemeError, match="键“background_colour”：未知的键"):
        load_theme_file(theme)
