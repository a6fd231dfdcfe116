"""What a new reader trips on at the command line (issue 14, points 5 and 8), in English and Chinese."""

from __future__ import annotations

import pytest

from tests.conftest import SEEDS
from tests.test_cli import run
from tuireader.cli import SUBCOMMANDS

EN = {"LANG": "en_US.UTF-8"}
ZH = {"LANG": "zh_CN.UTF-8"}


def _one_line(out) -> str:
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    return lines[0]


# ------------------------------------------------------------------ --help


def test_help_lists_every_subcommand_with_a_line_each():
    out = run("--help", env=EN)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    for name in SUBCOMMANDS:
        (line,) = [x for x in lines if x.strip().startswith(name + " ")]
        assert len(line.split()) > 2, line  # a name and what it does
    assert "tuireader COMMAND --help" in out.stdout


def test_help_in_chinese():
    out = run("--help", env=ZH)
    assert out.returncode == 0
    assert out.stdout.startswith("用法：tuireader ")  # the prefix does not eat the program name
    assert "选项：" in out.stdout and "位置参数：" in out.stdout
    assert "显示本帮助并退出" in out.stdout and "在终端里读报。" in out.stdout
    assert "命令：" in out.stdout and "打印解析后的库（--json 输出 JSON）" in out.stdout
    assert "show this help" not in out.stdout and "options:" not in out.stdout


def test_a_subcommands_help_in_chinese():
    out = run("check", "--help", env=ZH)
    assert out.returncode == 0
    assert out.stdout.startswith("用法：tuireader check ")
    assert "列出无法读取的文件" in out.stdout and "使用这个配置文件" in out.stdout


def test_language_from_the_config_wins_over_the_locale(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("language: en\n", encoding="utf-8")
    out = run("--config", str(cfg), "--help", env=ZH)
    assert "show this help and exit" in out.stdout
    cfg.write_text("language: zh\n", encoding="utf-8")
    out = run("--config", str(cfg), "--help", env=EN)
    assert "显示本帮助并退出" in out.stdout


def test_language_from_the_default_config(tmp_path):
    cfg_home = tmp_path / "cfg"
    (cfg_home / "tuireader").mkdir(parents=True)
    (cfg_home / "tuireader" / "config.yaml").write_text("language: zh\n", encoding="utf-8")
    out = run("check", str(SEEDS), env={**EN, "XDG_CONFIG_HOME": str(cfg_home)})
    assert out.returncode == 0 and out.stdout.strip() == "3 篇文章，1 期；0 个文件有问题"


# --------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    "typo, command", [("serach", "search"), ("dupm", "dump"), ("chek", "check"), ("bookmark", "bookmarks")]
)
def test_a_mistyped_subcommand_gets_a_suggestion(tmp_path, typo, command):
    out = run(typo, "foo", cwd=tmp_path, env=EN)
    assert out.returncode == 2
    line = _one_line(out)
    assert f"no such file or folder: {typo}" in line and f"did you mean '{command}'?" in line


def test_the_suggestion_in_chinese(tmp_path):
    out = run("serach", "foo", cwd=tmp_path, env=ZH)
    assert out.returncode == 2
    assert _one_line(out) == "tuireader: 没有这个文件或文件夹：serach（是不是想用“search”？）"


def test_no_suggestion_for_a_word_unlike_any_subcommand(tmp_path):
    out = run("newspapers", cwd=tmp_path, env=EN)
    assert out.returncode == 2
    assert "did you mean" not in _one_line(out)


def test_a_folder_named_like_a_typo_is_opened_not_questioned(tmp_path):
    folder = tmp_path / "serach"
    folder.mkdir()
    (folder / "p.txt").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    out = run("dump", "serach", cwd=tmp_path, env=EN)  # as a PATH of a command: no suggestion
    assert out.returncode == 0 and "标题" in out.stdout
    missing = run("dump", "serach-no", cwd=tmp_path, env=EN)
    assert "did you mean" not in missing.stderr


# ------------------------------------------------------------- required


def test_search_alone_names_only_the_query_as_missing():
    out = run("search", env=EN)
    assert out.returncode == 2
    line = _one_line(out)
    assert line == "tuireader: the following arguments are required: QUERY"


def test_bookmarks_add_alone_names_only_the_id_as_missing():
    out = run("bookmarks", "add", env=EN)
    assert out.returncode == 2
    assert _one_line(out) == "tuireader: the following arguments are required: ARTICLE_ID"


def test_search_with_only_a_double_dash_names_the_query_as_missing():
    out = run("search", "--", env=EN)
    assert out.returncode == 2
    assert _one_line(out) == "tuireader: the following arguments are required: QUERY"


def test_search_alone_in_chinese():
    out = run("search", env=ZH)
    assert out.returncode == 2
    assert _one_line(out) == "tuireader: 缺少参数：QUERY"


def test_argparse_errors_in_chinese():
    out = run("search", "q", "--limit", "x", env=ZH)
    assert out.returncode == 2
    assert _one_line(out) == "tuireader: 参数 --limit 的值无效（应为 int）：'x'"
    out = run("dump", "--bogus", env=ZH)
    assert _one_line(out) == "tuireader: 无法识别的参数：--bogus"


# --------------------------------------------------------------- plurals


def _library(tmp_path, good: int, bad: int):
    for i in range(good):
        (tmp_path / f"good{i}.txt").write_text(f"# 标题{i}\n\n正文。\n", encoding="utf-8")
    for i in range(bad):
        (tmp_path / f"empty{i}.txt").write_bytes(b"")
    return tmp_path


def test_check_counts_in_the_singular(tmp_path):
    out = run("check", str(_library(tmp_path, 1, 1)), env=EN)
    assert out.returncode == 1
    assert out.stdout.splitlines()[-1] == "1 article in 1 issue; 1 file with problems"


def test_check_counts_in_the_plural(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _library(tmp_path / "a", 1, 2)
    _library(tmp_path / "b", 1, 0)
    out = run("check", str(tmp_path / "a"), str(tmp_path / "b"), env=EN)
    assert out.stdout.splitlines()[-1] == "2 articles in 2 issues; 2 files with problems"


def test_check_counts_in_chinese(tmp_path):
    out = run("check", str(_library(tmp_path, 1, 1)), env=ZH)
    assert out.stdout.splitlines()[-1] == "1 篇文章，1 期；1 个文件有问题"


# ---------------------------------------------------------- empty library


def test_check_on_a_folder_without_text_files_fails_with_a_reason(tmp_path):
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    out = run("check", str(tmp_path), env=EN)
    assert out.returncode == 1
    assert _one_line(out) == f"tuireader: no articles in this library: no .txt or .md files in {tmp_path}"
    assert out.stdout == ""


def test_check_on_a_library_of_unreadable_files_fails_with_a_reason(tmp_path):
    out = run("check", str(_library(tmp_path, 0, 2)), env=EN)
    assert out.returncode == 1
    assert _one_line(out) == "tuireader: no articles in this library: none of its 2 files could be read"
    assert "empty0.txt: empty file" in out.stdout  # which files, as for any problem


def test_check_on_an_empty_library_in_chinese(tmp_path):
    out = run("check", str(_library(tmp_path, 0, 1)), env=ZH)
    assert out.returncode == 1
    assert _one_line(out) == "tuireader: 这个库里没有文章：1 个文件无法读取"


def test_library_says_what_the_ui_shows_when_empty(tmp_path):
    from tuireader import i18n
    from tuireader.library import Library

    empty = Library.open([tmp_path])
    assert empty.is_empty and len(empty) == 0
    assert empty.empty_notice == "No articles in this library."
    i18n.set_language("zh")
    assert empty.empty_notice == "这个库里没有文章。"
    full = Library.open([SEEDS])
    assert not full.is_empty and full.empty_notice is None and full.why_empty() is None


# ------------------------------------------------------------------ dump


def test_dump_labels_in_both_languages():
    en = run("dump", str(SEEDS), env=EN)
    zh = run("dump", str(SEEDS), env=ZH)
    assert "[photo] " in en.stdout and "subheadline: " in en.stdout and "by: " in en.stdout
    assert "[图] " in zh.stdout and "副题：" in zh.stdout and "作者：" in zh.stdout


def test_help_added_by_a_command_module_is_translated():
    from tuireader import cli, i18n

    i18n.set_language("zh")
    parser = cli.make_parser("tuireader x")
    parser.add_argument("--json", action="store_true", help="print JSON")  # an English msgid, as a module writes it
    parser.add_argument("--odd", help="no translation for this")
    text = parser.format_help()
    assert "输出 JSON" in text and "no translation for this" in text


def test_a_fixed_usage_message_of_a_command_module_is_translated(monkeypatch, capsys):
    from tuireader import cli, i18n

    def refuse(argv):
        raise cli.UsageError("empty query")

    monkeypatch.setattr(cli, "_run_app", refuse)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main([]) == 2
    assert i18n.current_language() == "zh"
    assert capsys.readouterr().err == "tuireader: 查询为空\n"
