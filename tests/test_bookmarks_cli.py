"""``tuireader bookmarks list|add|remove|export|import`` as a user runs them."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.test_bookmarks_store import BROKEN, billion_laughs
from tests.test_bookmarks_support import (
    DATE,
    LANTERN,
    PAPER,
    SPRING,
    STREET,
    ids_by_headline,
    make_library,
    open_library,
    run_cli,
)
from tuireader.cli import main
from tuireader.store.bookmarks import BookmarkStore, default_path


@pytest.fixture
def lib(tmp_path):
    root = make_library(tmp_path / "lib")
    return root, ids_by_headline(open_library(root))


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_remove_with_options_before_or_after_paths(tmp_path, lib, capsys):
    root, ids = lib
    file = str(tmp_path / "b.yaml")
    code, out, _ = cli(capsys, "bookmarks", "add", ids[SPRING], str(root), "--bookmarks", file,
                       "--note", "播种机那段", "--tag", "春耕", "--tag", "待读")
    assert code == 0 and SPRING in out
    code, out, _ = cli(capsys, "--bookmarks", file, "bookmarks", "--tag", "文化",
                       "add", "--note", "很长", ids[LANTERN], str(root))
    assert code == 0 and LANTERN in out

    code, out, _ = cli(capsys, "bookmarks", "list", str(root), "--bookmarks", file, "--json")
    assert code == 0
    listed = json.loads(out)
    assert [b["article_id"] for b in listed] == [ids[LANTERN], ids[SPRING]]  # newest first
    spring = listed[1]
    assert spring["headline"] == SPRING and spring["kicker"] == "春耕时节"
    assert (spring["paper"], spring["date"], spring["page"], spring["section"]) == (PAPER, DATE, 2, "要闻")
    assert spring["note"] == "播种机那段" and spring["tags"] == ["春耕", "待读"]
    assert spring["source"] == "p2.txt" and spring["saved"] and spring["missing"] is False

    code, out, _ = cli(capsys, "bookmarks", "--bookmarks", file, "list", str(root))
    assert code == 0 and SPRING in out and "播种机那段" in out and "春耕, 待读" in out

    code, out, _ = cli(capsys, "bookmarks", "remove", "--bookmarks", file, ids[SPRING], str(root))
    assert code == 0 and SPRING in out
    assert [b.article_id for b in BookmarkStore(tmp_path / "b.yaml").bookmarks] == [ids[LANTERN]]


def test_unknown_ids_are_a_clear_error_with_exit_2(tmp_path, lib, capsys):
    root, ids = lib
    file = str(tmp_path / "b.yaml")
    code, out, err = cli(capsys, "bookmarks", "add", "zzzzzzzz", str(root), "--bookmarks", file)
    assert code == 2 and "zzzzzzzz" in err and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = cli(capsys, "bookmarks", "remove", ids[SPRING], "--bookmarks", file)
    assert code == 2 and ids[SPRING] in err
    code, _, err = cli(capsys, "bookmarks", "add", ids[SPRING], str(tmp_path / "nowhere"), "--bookmarks", file)
    assert code == 2 and "nowhere" in err
    code, _, err = cli(capsys, "bookmarks", "frobnicate")
    assert code == 2 and "frobnicate" in err
    assert not (tmp_path / "b.yaml").exists()


def test_default_file_config_file_and_reader(tmp_path, lib, capsys, isolated_dirs):
    root, ids = lib
    assert cli(capsys, "bookmarks", "add", ids[SPRING], str(root))[0] == 0
    assert BookmarkStore(default_path()).is_bookmarked(ids[SPRING])

    assert cli(capsys, "--reader", "alice", "bookmarks", "add", ids[STREET], str(root))[0] == 0
    code, out, _ = cli(capsys, "bookmarks", "list", str(root), "--json", "--reader", "alice")
    assert [b["article_id"] for b in json.loads(out)] == [ids[STREET]]
    from tuireader import paths

    paths.set_reader(None)
    code, out, _ = cli(capsys, "bookmarks", "list", str(root), "--json")
    assert [b["article_id"] for b in json.loads(out)] == [ids[SPRING]]

    config = tmp_path / "config.yaml"
    config.write_text("bookmarks: mine.yaml\n", encoding="utf-8")
    assert cli(capsys, "bookmarks", "add", ids[LANTERN], str(root), "--config", str(config))[0] == 0
    assert BookmarkStore(tmp_path / "mine.yaml").is_bookmarked(ids[LANTERN])


def test_export_markdown_is_a_reading_list(tmp_path, lib, capsys):
    root, ids = lib
    file = str(tmp_path / "b.yaml")
    cli(capsys, "bookmarks", "add", ids[SPRING], str(root), "--bookmarks", file, "--note", "周末细读")
    code, out, _ = cli(capsys, "bookmarks", "export", "--format", "md", str(root), "--bookmarks", file)
    assert code == 0
    assert f"## {SPRING}" in out
    assert PAPER in out and DATE in out and "第2版" in out and "周末细读" in out
    assert "春分过后，各地农户抓住晴好天气整地播种" in out  # the first paragraph

    target = tmp_path / "out" / "list.md"
    target.parent.mkdir()
    code, out, _ = cli(capsys, "bookmarks", "export", "--format", "md", "-o", str(target), str(root),
                       "--bookmarks", file)
    assert code == 0 and out == "" and f"## {SPRING}" in target.read_text(encoding="utf-8")


def test_export_and_import_move_bookmarks_between_machines(tmp_path, lib, capsys):
    root, ids = lib
    home, away = str(tmp_path / "home.yaml"), str(tmp_path / "away.yaml")
    cli(capsys, "bookmarks", "add", ids[SPRING], str(root), "--bookmarks", home, "--note", "家里写的", "--tag", "家")
    cli(capsys, "bookmarks", "add", ids[STREET], str(root), "--bookmarks", home)
    cli(capsys, "bookmarks", "add", ids[SPRING], str(root), "--bookmarks", away, "--tag", "外")

    for fmt in ("yaml", "json"):
        code, out, _ = cli(capsys, "bookmarks", "export", "--format", fmt, "--bookmarks", home)
        assert code == 0
        exported = tmp_path / f"export.{fmt}"
        exported.write_text(out, encoding="utf-8")
        if fmt == "json":
            assert {b["article_id"] for b in json.loads(out)} == {ids[SPRING], ids[STREET]}
        else:
            assert yaml.safe_load(out)["version"] == 1
        code, out, _ = cli(capsys, "bookmarks", "import", str(exported), "--bookmarks", away)
        assert code == 0
    merged = BookmarkStore(tmp_path / "away.yaml")
    assert {b.article_id for b in merged.bookmarks} == {ids[SPRING], ids[STREET]}
    spring = merged.get(ids[SPRING])
    assert spring.note == "家里写的" and set(spring.tags) == {"家", "外"}


def test_import_from_standard_input(tmp_path, lib):
    root, ids = lib
    incoming = "version: 1\nbookmarks:\n- article_id: abcd2345\n  headline: 别处的文章\n  note: 从标准输入来\n"
    result = run_cli("bookmarks", "import", "-", "--bookmarks", str(tmp_path / "b.yaml"), stdin=incoming.encode())
    assert result.returncode == 0, result.stderr
    assert BookmarkStore(tmp_path / "b.yaml").get("abcd2345").note == "从标准输入来"
    # A missing article is listed, marked, not dropped.
    listed = run_cli("bookmarks", "list", str(root), "--json", "--bookmarks", str(tmp_path / "b.yaml"))
    assert json.loads(listed.stdout) == [
        {**json.loads(listed.stdout)[0], "article_id": "abcd2345", "headline": "别处的文章", "missing": True}
    ]
    listed = run_cli("bookmarks", "list", str(root), "--bookmarks", str(tmp_path / "b.yaml"))
    assert "[missing]" in listed.stdout.decode()


def test_restricted_mode_only_uses_standard_input_and_output(tmp_path, capsys):
    file = str(tmp_path / "b.yaml")
    code, _, err = cli(capsys, "--restricted", "bookmarks", "export", "--format", "md", "-o", str(tmp_path / "x.md"),
                       "--bookmarks", file)
    assert code == 2 and "restricted" in err and not (tmp_path / "x.md").exists()
    code, _, err = cli(capsys, "--restricted", "bookmarks", "import", "/etc/passwd", "--bookmarks", file)
    assert code == 2 and "restricted" in err


def test_output_shows_article_text_as_data_never_terminal_control(tmp_path, lib, capsys):
    root, _ids = lib
    file = tmp_path / "b.yaml"
    file.write_text(
        'version: 1\nbookmarks:\n- article_id: evil1234\n  headline: "\\e]0;pwned\\a标题\\u202e[bold red]x"\n'
        '  note: "\\e[2J笔记\\x9b31m"\n  tags: ["\\e[31m红"]\n',
        encoding="utf-8",
    )
    for argv in (["list"], ["list", "--json"], ["export", "--format", "md"], ["export", "--format", "json"],
                 ["export", "--format", "yaml"]):
        code, out, _ = cli(capsys, "bookmarks", *argv, str(root), "--bookmarks", str(file))
        assert code == 0, argv
        for bad in ("\x1b", "\x9b", "\u202e", "\x07"):
            assert bad not in out, (argv, bad)
        assert "[bold red]" in out  # markup shown literally
    # The JSON still carries the data exactly (escaped, not lost).
    code, out, _ = cli(capsys, "bookmarks", "list", "--json", str(root), "--bookmarks", str(file))
    assert json.loads(out)[0]["headline"] == "\x1b]0;pwned\x07标题\u202e[bold red]x"


def _broken_cases():
    cases = dict(BROKEN)
    cases["yaml_bomb"] = (billion_laughs(), 2)
    return sorted(cases.items())


@pytest.mark.parametrize("name,case", _broken_cases(), ids=[n for n, _ in _broken_cases()])
def test_every_command_leaves_a_broken_file_byte_for_byte_and_names_the_line(tmp_path, lib, capsys, name, case):
    root, ids = lib
    raw, line = case
    file = tmp_path / "bookmarks.yaml"
    file.write_bytes(raw)
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\nbookmarks:\n- article_id: abcd2345\n", encoding="utf-8")
    for argv in (
        ["list", str(root)],
        ["list", str(root), "--json"],
        ["add", ids[SPRING], str(root), "--note", "x"],
        ["remove", "a1", str(root)],
        ["export", "--format", "md", str(root)],
        ["export", "--format", "yaml"],
        ["export", "--format", "json"],
        ["import", str(other)],
    ):
        code, out, err = cli(capsys, "bookmarks", *argv, "--bookmarks", str(file))
        assert code == 1, (argv, err)
        assert err == f"tuireader: {file}: line {line}: {err.split(': line ', 1)[1].split(': ', 1)[1]}"
        assert err.count("\n") == 1 and "Traceback" not in err
        assert file.read_bytes() == raw, argv


def test_a_broken_import_file_is_refused_and_nothing_is_written(tmp_path, capsys):
    file = tmp_path / "b.yaml"
    file.write_text("version: 1\nbookmarks:\n- article_id: keepme\n", encoding="utf-8")
    before = file.read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"version: 1\nbookmarks:\n- article_id: x\n  tags: 5\n")
    code, _, err = cli(capsys, "bookmarks", "import", str(bad), "--bookmarks", str(file))
    assert code == 1 and f"{bad}: line 4:" in err
    assert file.read_bytes() == before
