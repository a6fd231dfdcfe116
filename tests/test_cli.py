"""The command line: grammar, dump, check, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, REPO, SEEDS
from tuireader.cli import find_subcommand


def run(*args: str, cwd=REPO, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tuireader", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_dump_json_shape_for_the_sample():
    out = run("dump", "seeds", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    (issue,) = data["issues"]
    assert issue["paper"] is None and issue["date"] is None
    (section,) = issue["sections"]
    assert section["number"] == 1
    arts = section["articles"]
    assert [a["kind"] for a in arts] == ["article", "article", "photo"]
    first = arts[0]
    for key in ("id", "kind", "kicker", "headline", "subheadlines", "bylines", "dateline", "blocks",
                "continues_at", "continued_from", "source"):
        assert key in first
    assert first["source"] == "000_ed0fb2fcaee0006d.txt"
    assert first["blocks"][-1] == {"type": "jump", "text": "(下转2版)", "direction": "next", "page": 2}
    assert arts[2]["blocks"][0]["credit"] == "于江 摄"
    assert "\\u" not in out.stdout  # Chinese stays Chinese


def test_options_before_or_after_the_subcommand_and_paths():
    a = run("--json", "dump", "seeds")
    b = run("dump", "seeds", "--json")
    assert a.returncode == b.returncode == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_double_dash_ends_options(tmp_path):
    folder = tmp_path / "--json"
    folder.mkdir()
    (folder / "p.txt").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    out = run("dump", "--", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "标题" in out.stdout and not out.stdout.lstrip().startswith("{")


def test_a_path_named_like_a_subcommand_is_a_path():
    assert find_subcommand(["./search"]) is None
    assert find_subcommand(["search", "q"]) == "search"
    assert find_subcommand(["--config", "dump", "seeds"]) is None  # 'dump' is the option's value
    assert find_subcommand(["--reader", "ann", "dump"]) == "dump"
    assert find_subcommand(["--", "dump"]) is None


@pytest.mark.parametrize(
    "args, message",
    [(("dump", "/no/such/folder"), "no such file or folder"), (("dump", "--bogus"), "unrecognized arguments"),
     (("/no/such/folder",), "no such file or folder"), (("--reader", "../etc", "dump"), "invalid reader name"),
     (("--config", "/no/such.yaml", "dump"), "config file not found")],
)
def test_bad_input_gives_one_line_and_exit_2(args, message):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in out.stderr


def test_invalid_config_names_file_and_key(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("measure: wide\n", encoding="utf-8")
    out = run("--config", str(cfg), "dump")
    assert out.returncode == 2
    assert str(cfg) in out.stderr and "measure" in out.stderr and "Traceback" not in out.stderr


def test_configured_library_is_the_default(tmp_path):
    cfg_home = tmp_path / "cfg"
    (cfg_home / "tuireader").mkdir(parents=True)
    (cfg_home / "tuireader" / "config.yaml").write_text(f"library: [{FIXTURES / 'broadcast'}]\n", encoding="utf-8")
    out = run("dump", env={"XDG_CONFIG_HOME": str(cfg_home)})
    assert out.returncode == 0 and "晚间新闻" in out.stdout


def test_default_library_is_the_bundled_sample(tmp_path):
    out = run("dump", cwd=tmp_path)
    assert out.returncode == 0 and "全省深化数字法治改革" in out.stdout


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("tuireader ")


def test_check_lists_problems_and_exits_1(tmp_path):
    (tmp_path / "good.txt").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.md").write_bytes(b"\x00\x01\x02binary")
    out = run("check", str(tmp_path))
    assert out.returncode == 1
    assert "empty.txt: empty file" in out.stdout and "blob.md: binary" in out.stdout


def test_check_clean_library_exits_0():
    out = run("check", str(SEEDS))
    assert out.returncode == 0 and "3 articles" in out.stdout


def test_cli_subcommands_do_not_import_textual():
    code = (
        "import sys\n"
        "from tuireader.cli import main\n"
        "rc = main(['dump', 'seeds'])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "assert 'jieba' not in sys.modules, 'jieba imported'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr


def test_article_text_in_cli_output_is_not_terminal_control(tmp_path):
    (tmp_path / "evil.txt").write_text("# 标题\x1b]0;pwned\x07\x1b[2J\n\n正文。\n", encoding="utf-8")
    out = run("dump", str(tmp_path))
    assert out.returncode == 0
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
