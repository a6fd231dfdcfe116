"""A damaged search index or an unwritable cache (issue 15): never a silent wrong answer,
never a crash. A damaged index is rebuilt (by the next search, or by ``index``); a cache
that cannot be written is one line and exit 2."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.search_support import LIB
from tuireader import cli
from tuireader.search import Searcher, index_is_current, index_path
from tuireader.search import index as ix

DRAINS = "老城区雨污分流改造完工"


@pytest.fixture
def lib_copy(tmp_path) -> Path:
    dest = tmp_path / "lib"
    shutil.copytree(LIB, dest)
    return dest


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def indexed(capsys, lib: Path) -> Path:
    code, _, err = run_cli(capsys, "index", str(lib))
    assert code == 0, err
    path = index_path([lib])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()
    return path


def drop_table(path: Path, table: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def garble_page_of(path: Path, table: str) -> None:
    """Overwrite the first page of ``table`` with bytes that are no b-tree page."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek(page_size * (root - 1))
        f.write(b"\xde\xad" * (page_size // 2))


@pytest.mark.parametrize("table", ["fts", "docs", "bodies", "files", "vocab"])
def test_an_index_missing_a_table_is_rebuilt_not_read_as_empty(capsys, lib_copy, table):
    path = indexed(capsys, lib_copy)
    drop_table(path, table)
    assert not index_is_current([lib_copy])
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS


@pytest.mark.parametrize("table", ["fts", "docs"])
def test_index_repairs_an_index_missing_a_table(capsys, lib_copy, table):
    path = indexed(capsys, lib_copy)
    drop_table(path, table)
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "indexed 6 articles" in out and "from scratch" in out  # not "unchanged"


def test_a_malformed_page_found_by_a_search_is_repaired_by_the_next(capsys, lib_copy):
    path = indexed(capsys, lib_copy)
    garble_page_of(path, "docs")
    with pytest.raises(sqlite3.DatabaseError):
        Searcher([lib_copy]).search("雨污分流", budget=None)
    assert ix.damaged_marker(path).exists() and not index_is_current([lib_copy])
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS
    assert not ix.damaged_marker(path).exists()


def test_the_cli_search_repairs_a_malformed_page_itself(capsys, lib_copy):
    path = indexed(capsys, lib_copy)
    garble_page_of(path, "bodies")  # the walk and stat find nothing wrong; the search does
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS


def test_index_finds_and_repairs_a_malformed_page(capsys, lib_copy):
    path = indexed(capsys, lib_copy)
    garble_page_of(path, "chars")  # a table no ordinary search reads first
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "from scratch" in out
    assert sqlite3.connect(path).execute("PRAGMA quick_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("command", [["search", "雨污分流", "--json"], ["index"]])
def test_a_cache_that_cannot_be_written_is_one_line_and_exit_2(capsys, lib_copy, tmp_path, monkeypatch, command):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder / "cache"))
    code, out, err = run_cli(capsys, command[0], *command[1:2], str(lib_copy), *command[2:])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "search index" in err and "Not a directory" in err


@pytest.mark.parametrize("command", [["search", "雨污分流", "--json"], ["index"]])
def test_a_full_cache_is_one_line_and_exit_2(capsys, lib_copy, monkeypatch, command):
    def full(*_args, **_kw):
        raise sqlite3.OperationalError("database or disk is full")  # what SQLite says on a full disk

    monkeypatch.setattr(ix, "create_db", full)
    code, out, err = run_cli(capsys, command[0], *command[1:2], str(lib_copy), *command[2:])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "database or disk is full" in err
