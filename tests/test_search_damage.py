"""A damaged search index or an unwritable cache (issue 15): never a silent wrong answer,
never a crash. A damaged index is rebuilt (by the next search, or by ``index``); a cache
that cannot be written is one line and exit 2."""

from __future__ import annotations

import json
import shutil
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
    return index_path([lib])


def index_files(path: Path, suffix: str) -> list[Path]:
    return [f for f in (path / "tantivy").iterdir() if f.suffix == suffix]


def remove_files(path: Path, suffix: str) -> None:
    """What a table missing from the old SQLite index is to this one: a part of it gone."""
    for f in index_files(path, suffix):
        f.unlink()


def garble(path: Path, suffix: str) -> None:
    """Bytes of a part of the index overwritten (the malformed page of the old index)."""
    for f in index_files(path, suffix):
        data = bytearray(f.read_bytes())
        data[: len(data)] = b"\xde\xad" * (len(data) // 2) + b"\x00" * (len(data) % 2)
        f.write_bytes(bytes(data))


@pytest.mark.parametrize("suffix", [".idx", ".store", ".term", ".fast"])
def test_an_index_missing_a_part_is_rebuilt_not_read_as_empty(capsys, lib_copy, suffix):
    path = indexed(capsys, lib_copy)
    remove_files(path, suffix)
    if suffix in (".idx", ".store"):
        assert not index_is_current([lib_copy])  # seen without opening it
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS


@pytest.mark.parametrize("suffix", [".idx", ".store"])
def test_index_repairs_an_index_missing_a_part(capsys, lib_copy, suffix):
    path = indexed(capsys, lib_copy)
    remove_files(path, suffix)
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "indexed 6 articles" in out and "from scratch" in out  # not "unchanged"


@pytest.mark.parametrize("suffix", [".store", ".term", ".idx"])
def test_a_garbled_part_found_by_a_search_is_repaired(capsys, lib_copy, suffix):
    path = indexed(capsys, lib_copy)
    garble(path, suffix)
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS
    assert not ix.damaged_marker(path).exists()


def test_a_reader_that_meets_damage_marks_it_for_the_next_update(capsys, lib_copy):
    path = indexed(capsys, lib_copy)
    garble(path, ".store")
    with pytest.raises((ValueError, ix.IndexError_)):
        Searcher([lib_copy]).search("雨污分流", budget=None)
    assert ix.damaged_marker(path).exists() and not index_is_current([lib_copy])
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "from scratch" in out
    assert Searcher([lib_copy]).search("雨污分流").results[0].headline == DRAINS


@pytest.mark.parametrize("repair", ["search", "index"])
@pytest.mark.parametrize("dictionary", [None, b"", b"t" + b"\0" * 64, "another"])
def test_an_index_whose_dictionary_is_gone_or_not_its_own_is_rebuilt(capsys, lib_copy, tmp_path, monkeypatch,
                                                                      dictionary, repair):
    """The stored values are read with the dictionary kept beside the index: without it, or
    with another (another library's index's, an unreadable file), the index is made anew,
    never read as something else."""
    path = indexed(capsys, lib_copy)
    if dictionary == "another":
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-cache"))
        other = tmp_path / "other"
        shutil.copytree(lib_copy, other)
        (other / "extra.txt").write_text("又一篇报道\n\n" + "本报讯 水利建设稳步推进。" * 30, encoding="utf-8")
        dictionary = ix.dictionary_file(indexed(capsys, other)).read_bytes()
        monkeypatch.undo()
        assert dictionary != ix.dictionary_file(path).read_bytes()
    if dictionary is None:
        ix.dictionary_file(path).unlink()
        assert not index_is_current([lib_copy])  # seen without opening it
    else:
        ix.dictionary_file(path).write_bytes(dictionary)
    if repair == "index":
        code, out, _ = run_cli(capsys, "index", str(lib_copy))
        assert code == 0 and "from scratch" in out
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "unchanged" in out  # repaired by the search (or index): the repair holds


def test_a_new_index_has_a_dictionary_from_its_library(capsys, lib_copy):
    """Trained on the library's own articles (or their text itself, a library this small):
    values smaller than without it."""
    from tuireader.search.stored import Codec

    path = indexed(capsys, lib_copy)
    dictionary = ix.dictionary_file(path).read_bytes()
    assert dictionary[:1] in (b"t", b"r") and "雨污分流".encode("utf-16-le") in dictionary
    searcher = Searcher([lib_copy])
    assert searcher.search("雨污分流").results
    blob = searcher.read(lambda view: view.searcher.doc(view.searcher.search(
        view.builder.t.Query.all_query(), 1).hits[0][1]).get_first("stored"))
    doc = Codec(dictionary).unpack(blob)
    again = Codec(b"").pack(doc.aid, doc.headline, doc.kicker, doc.subheads or "", doc.bylines or "", doc.paper,
                            doc.date, doc.section, doc.kind, doc.page, doc.written(), doc.folded, doc.keywords)
    assert len(blob) < len(again)


def test_index_finds_and_repairs_a_garbled_store(capsys, lib_copy):
    path = indexed(capsys, lib_copy)
    garble(path, ".store")  # stored text: not read by the walk and stat of an ordinary update
    code, out, _ = run_cli(capsys, "index", str(lib_copy))
    assert code == 0 and "from scratch" in out


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
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ix, "create_index", full)
    code, out, err = run_cli(capsys, command[0], *command[1:2], str(lib_copy), *command[2:])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "No space left on device" in err
