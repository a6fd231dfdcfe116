"""Hostile or unlucky files and caches (issue 15, items 3, 7, 8 and 11).

* File names that are not UTF-8 (GBK names are common in Chinese archives) once
  locked every reader out: storing one in the catalogue raised. They are shown
  decoded the way file contents are and stored without loss.
* A damaged catalogue once printed a short library with exit 0.
* A cache that cannot be written (read-only, full, a folder where the catalogue
  goes) must leave the reader working from the files.
* A folder that cannot be listed is a problem ``check`` reports, not a silence.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tuireader.ingest.decode import path_from_db, path_to_db, readable_name
from tuireader.library import Library

pytestmark = pytest.mark.timeout(120)

GBK_NAME = "数字法治".encode("gbk") + b".txt"
GBK_FOLDER = "要闻版".encode("gbk")
BROKEN_NAME = b"\xff\xfe\xfd.txt"  # neither UTF-8 nor GB18030


def page(headline: str, paragraph: str) -> bytes:
    return f"# {headline}\n\n本报记者 林晓\n\n{paragraph}\n".encode()


def bytes_library(root: Path) -> Path:
    """A library whose file and folder names are bytes: GBK, undecodable, and UTF-8."""
    root.mkdir()
    raw = os.fsencode(root)
    with open(raw + b"/" + GBK_NAME, "wb") as f:
        f.write(page("数字法治建设取得新进展", "全省各地推进数字法治建设，政法工作数字化平台投入使用。"))
    with open(raw + b"/" + BROKEN_NAME, "wb") as f:
        f.write(page("名字坏了的文件", "文件名既不是UTF-8也不是GB18030，文章照样能读。"))
    os.mkdir(raw + b"/" + GBK_FOLDER)
    with open(raw + b"/" + GBK_FOLDER + b"/" + "坏文件".encode("gbk") + b".txt", "wb") as f:
        f.write(b"\x00\x01\x02 not text")
    (root / "正常.txt").write_bytes(page("正常文件名的文章", "这个文件的名字是UTF-8。"))
    return root


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tuireader", *args], capture_output=True, timeout=110)


# -- item 3: file names as bytes ---------------------------------------------------------------


def test_readable_name_decodes_gbk_then_escapes_and_leaves_utf8_alone():
    gbk = os.fsdecode(b"/lib/\xe8\xa6\x81\xe9\x97\xbb/" + GBK_NAME)  # a UTF-8 folder, a GBK file
    assert readable_name(gbk) == "/lib/要闻/数字法治.txt"
    assert readable_name(os.fsdecode(BROKEN_NAME)) == "\\xff\\xfe\\xfd.txt"
    assert readable_name("正常/文件.txt") == "正常/文件.txt"


def test_a_path_kept_in_sqlite_comes_back_exactly():
    for raw in (b"/lib/" + GBK_NAME, b"/lib/" + BROKEN_NAME, "/lib/正常.txt".encode()):
        path = os.fsdecode(raw)
        assert os.fsencode(path_from_db(path_to_db(path))) == raw
    assert path_to_db("/lib/正常.txt") == "/lib/正常.txt"  # UTF-8 names are stored as text, as before


def _summary(lib: Library) -> list[tuple[str, str, str]]:
    return [(ref.source, ref.headline, lib.article(ref.id).blocks[0].text) for _, _, ref in lib.refs()]


def test_a_library_with_names_that_are_not_utf8_opens_cold_and_warm(tmp_path):
    root = bytes_library(tmp_path / "lib")
    cold = Library.open([root])
    warm = Library.open([root])
    assert not cold.from_catalogue and warm.from_catalogue
    expected = [
        ("\\xff\\xfe\\xfd.txt", "名字坏了的文件", "文件名既不是UTF-8也不是GB18030，文章照样能读。"),
        ("数字法治.txt", "数字法治建设取得新进展", "全省各地推进数字法治建设，政法工作数字化平台投入使用。"),
        ("正常.txt", "正常文件名的文章", "这个文件的名字是UTF-8。"),
    ]
    assert sorted(_summary(cold)) == sorted(expected)
    assert _summary(warm) == _summary(cold)
    # What the library keeps opens the very file (its name's bytes, not the name shown).
    for lib in (cold, warm):
        paths = {os.fsencode(lib.source_path(ref)) for _, _, ref in lib.refs()}
        assert os.fsencode(root) + b"/" + GBK_NAME in paths
        assert os.fsencode(root) + b"/" + BROKEN_NAME in paths
        assert [(p.path, p.reason) for p in lib.problems] == [
            (f"{root}/要闻版/坏文件.txt", "binary file (contains NUL bytes)")
        ]


def test_a_refresh_sees_a_gbk_named_file_change_and_go(tmp_path):
    root = bytes_library(tmp_path / "lib")
    Library.open([root])
    lib = Library.open([root])
    gbk = os.fsencode(root) + b"/" + GBK_NAME
    with open(gbk, "wb") as f:
        f.write(page("改过的标题", "文件改过了。"))
    os.utime(gbk, ns=(1, 1))
    changed = lib.refresh()
    assert changed is not None
    assert "改过的标题" in [ref.headline for _, _, ref in changed.refs()]
    os.unlink(gbk)
    gone = changed.refresh()
    assert gone is not None
    assert [ref.source for _, _, ref in gone.refs()] == ["\\xff\\xfe\\xfd.txt", "正常.txt"]


def test_dump_and_check_read_a_library_with_gbk_names_cold_and_warm(tmp_path):
    root = bytes_library(tmp_path / "lib")
    for run in ("cold", "warm"):
        dump = cli("dump", str(root))
        assert dump.returncode == 0, (run, dump.stderr.decode(errors="replace"))
        out = dump.stdout.decode("utf-8")  # readable: valid UTF-8
        for headline in ("数字法治建设取得新进展", "名字坏了的文件", "正常文件名的文章"):
            assert headline in out, run
        assert "坏文件.txt" in dump.stderr.decode("utf-8")  # the unreadable one, by a readable name
        check = cli("check", str(root))
        assert check.returncode == 1, (run, check.stderr.decode(errors="replace"))
        assert check.stdout.decode("utf-8").splitlines() == [
            f"{root}/要闻版/坏文件.txt: binary file (contains NUL bytes)",
            "3 articles in 1 issue; 1 file with problems",
        ]
    data = json.loads(cli("dump", "--json", str(root)).stdout.decode("utf-8"))
    sources = [s for issue in data["issues"] for section in issue["sections"] for s in section["sources"]]
    assert sorted(sources) == ["\\xff\\xfe\\xfd.txt", "数字法治.txt", "正常.txt"]


def test_search_finds_an_article_in_a_gbk_named_file(tmp_path):
    root = bytes_library(tmp_path / "lib")
    done = cli("search", "数字法治", str(root))
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "数字法治建设取得新进展" in done.stdout.decode("utf-8")


def test_the_index_of_a_gbk_named_root_is_updated_in_place(tmp_path):
    """A root whose name is GBK has an index of its own; a GBK-named file that changes is
    replaced in it (its path is the term it is deleted by), never found twice."""
    from tuireader.search import Searcher, ensure_index
    from tuireader.search.index import library_key, read_state
    from tuireader.search.indexed_files import path_key

    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + "人民日报".encode("gbk")))
    bytes_library(root)
    ensure_index([root])
    assert library_key([root]) != library_key([tmp_path / "人民日报"])
    hits = Searcher([root]).search("数字法治").results
    assert [r.headline for r in hits] == ["数字法治建设取得新进展"]
    gbk = os.fsencode(root) + b"/" + GBK_NAME
    with open(gbk, "wb") as f:
        f.write(page("数字法治建设再上台阶", "数字法治建设，文件改过了。"))
    os.utime(gbk, ns=(1, 1))
    stats = ensure_index([root])
    assert stats is not None and stats.changed == 1
    hits = Searcher([root]).search("数字法治").results
    assert [r.headline for r in hits] == ["数字法治建设再上台阶"]
    from tuireader.search.index import index_path

    files = read_state(index_path([root]))["files"]
    assert path_key(os.fsdecode(gbk)) in files  # known by its bytes


# -- item 7: a damaged catalogue is never trusted -----------------------------------------------

PAPERS = ("浙江日报", "人民日报", "光明日报")


def news_library(root: Path) -> Path:
    """480 articles: 3 papers x 4 days x 5 pages x 8 articles, page files like the sample's."""
    n = 0
    for paper in PAPERS:
        for day in range(1, 5):
            issue = root / paper / f"2025-06-0{day}"
            issue.mkdir(parents=True)
            for number in range(1, 6):
                parts = []
                for _ in range(8):
                    n += 1
                    parts.append(f"# 第{n}号新闻：{paper}报道社区改造\n\n本报记者 林晓\n\n"
                                 f"本报讯 第{n}号新闻的正文。老城区的改造工程进入第{n}个阶段。")
                (issue / f"{number:02d}-要闻{number}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return root


def library_summary(lib: Library) -> list[tuple]:
    """What ``dump`` prints of every article: where it is, its headline, its text."""
    out = []
    for issue, section, ref in lib.refs():
        art = lib.article(ref.id)
        out.append((issue.label, section.label, ref.id, art.headline, tuple(b.text for b in art.blocks)))
    return out


def damage(path: Path, spots: int, seed: int) -> None:
    """Overwrite ``spots`` random bytes past SQLite's header."""
    import random

    rng = random.Random(seed)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        for _ in range(spots):
            f.seek(rng.randrange(100, size))
            f.write(bytes([rng.randrange(256)]))


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> tuple[Path, list[tuple]]:
    root = news_library(tmp_path_factory.mktemp("news") / "lib")
    expected = library_summary(Library.open([root], use_catalogue=False))
    assert len(expected) == 480
    return root, expected


@pytest.mark.parametrize("seed", range(12))
def test_a_catalogue_with_twenty_damaged_spots_gives_the_whole_library(news, seed):
    from tuireader.catalogue import catalogue_path

    root, expected = news
    Library.open([root])  # writes the catalogue
    damage(catalogue_path([root]), 20, seed)
    assert library_summary(Library.open([root])) == expected
    rebuilt = Library.open([root])
    assert library_summary(rebuilt) == expected and rebuilt.problems == []


def _sql(root: Path, *statements: str) -> None:
    import sqlite3

    from tuireader.catalogue import catalogue_path

    with sqlite3.connect(catalogue_path([root])) as db:
        for statement in statements:
            db.execute(statement)


def test_rows_changed_behind_the_catalogues_back_are_not_trusted(news):
    """SQLite's pages can be sound while what they hold is not what was written."""
    root, expected = news
    Library.open([root])
    _sql(root, "DELETE FROM meta WHERE key = 'snapshot'", "UPDATE articles SET headline = '假标题' WHERE idx = 3")
    lib = Library.open([root])
    assert not lib.from_catalogue  # read from the files
    assert library_summary(lib) == expected


def test_a_short_read_of_the_rows_is_seen_to(news):
    root, expected = news
    Library.open([root])
    _sql(root, "DELETE FROM meta WHERE key = 'snapshot'", "DELETE FROM files WHERE rel LIKE '%03-要闻3.txt'",
         "DELETE FROM articles WHERE path NOT IN (SELECT path FROM files)")
    lib = Library.open([root])
    assert not lib.from_catalogue and library_summary(lib) == expected


def test_dump_of_a_damaged_catalogue_prints_what_dump_without_one_does(news, tmp_path):
    from tuireader.catalogue import catalogue_path

    root, _expected = news
    first = cli("dump", str(root))
    damage(catalogue_path([root]), 20, seed=3)
    damaged = cli("dump", str(root))
    assert damaged.returncode == 0 and damaged.stderr == b""
    assert damaged.stdout == first.stdout
    assert first.stdout.decode("utf-8").count("第") >= 480


def test_dump_and_check_see_a_file_added_after_the_catalogue_was_written(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    (root / "a.txt").write_text("# 第一篇\n\n正文一。\n", encoding="utf-8")
    assert cli("check", str(root)).stdout.decode().splitlines() == ["1 article in 1 issue; 0 files with problems"]
    (root / "b.txt").write_text("# 第二篇\n\n正文二。\n", encoding="utf-8")
    assert cli("check", str(root)).stdout.decode().splitlines() == ["2 articles in 1 issue; 0 files with problems"]
    assert "第二篇" in cli("dump", str(root)).stdout.decode("utf-8")


def test_text_that_is_not_utf8_in_a_sound_catalogue_is_damage(news):
    """A damaged byte inside a text value: SQLite's pages are sound, the value is not."""
    root, expected = news
    Library.open([root])
    _sql(root, "DELETE FROM meta WHERE key = 'snapshot'",
         "UPDATE articles SET kind = CAST(X'FF98' AS TEXT) WHERE idx = 2")
    assert library_summary(Library.open([root])) == expected
    assert library_summary(again := Library.open([root])) == expected
    assert again.from_catalogue  # rebuilt, not read from the files at every start


def test_a_locked_catalogue_is_not_thrown_away(news, monkeypatch):
    """An SQLite error that is not damage (quick_check finds the file sound) leaves it be."""
    import sqlite3

    from tuireader.catalogue import Catalogue, catalogue_path

    root, expected = news
    Library.open([root])
    before = catalogue_path([root]).read_bytes()

    def locked(self):
        busy = sqlite3.OperationalError("database is locked")
        busy.sqlite_errorname = "SQLITE_BUSY"  # what SQLite sets on a real one
        raise busy

    with monkeypatch.context() as patch:
        patch.setattr(Catalogue, "_connect", locked)
        lib = Library.open([root])
        assert not lib.from_catalogue and library_summary(lib) == expected  # from the files
    assert catalogue_path([root]).read_bytes() == before
    assert Library.open([root]).from_catalogue


# -- item 8: a cache that cannot be written -------------------------------------------------------


def _read_only_connect(self):
    """What a catalogue on a read-only file system gives: reads, and no writes."""
    import sqlite3

    return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1)


def _full_connect(self):
    """A disk with no room: SQLite's own 'database or disk is full' on the first page it adds."""
    import sqlite3

    db = sqlite3.connect(self.path, timeout=1)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
    return db


@pytest.mark.parametrize("connect", [_read_only_connect, _full_connect], ids=["read-only", "full"])
@pytest.mark.parametrize("existing", [False, True], ids=["no-catalogue", "catalogue"])
def test_a_read_only_or_full_cache_leaves_the_reader_reading_the_files(
    news, tmp_path, monkeypatch, capsys, connect, existing
):
    import shutil

    from tuireader import cli as tuireader_cli
    from tuireader.catalogue import Catalogue, catalogue_path

    root = Path(shutil.copytree(news[0], tmp_path / "lib"))
    expected = library_summary(Library.open([root], use_catalogue=False))
    if existing:
        Library.open([root])
    monkeypatch.setattr(Catalogue, "_connect", connect)
    assert library_summary(Library.open([root])) == expected
    # Changed files, and a catalogue that cannot take the change.
    added = root / PAPERS[0] / "2025-06-01" / "06-新增.txt"
    added.write_text("".join(f"# 新增的第{n}篇\n\n本报讯 第{n}篇{'新的内容。' * 200}\n\n" for n in range(20)),
                     encoding="utf-8")
    expected = library_summary(Library.open([root], use_catalogue=False))
    lib = Library.open([root])
    assert library_summary(lib.refresh() or lib) == expected
    for command in ("dump", "check"):
        assert tuireader_cli.main([command, str(root)]) == 0
        out, err = capsys.readouterr()
        assert "新增的第19篇" in out or "500 articles" in out
        assert len(err.splitlines()) <= 1
    if existing:
        assert catalogue_path([root]).exists()  # a sound catalogue is kept


def test_a_folder_where_the_catalogue_goes_leaves_the_reader_reading_the_files(news, tmp_path):
    from tuireader.catalogue import catalogue_path

    root, _expected = news
    catalogue_path([root]).mkdir(parents=True)
    for _ in range(2):
        dump = cli("dump", str(root))
        assert dump.returncode == 0 and len(dump.stderr.splitlines()) <= 1
        assert dump.stdout.decode("utf-8").count("第480号新闻") == 1
        check = cli("check", str(root))
        assert check.returncode == 0 and check.stdout.decode().splitlines()[-1].startswith("480 articles in 12 issues")


def test_a_cache_folder_that_cannot_be_made_leaves_the_reader_reading_the_files(news, tmp_path, monkeypatch):
    root, _expected = news
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    dump = cli("dump", str(root))
    assert dump.returncode == 0 and len(dump.stderr.splitlines()) <= 1
    assert dump.stdout.decode("utf-8").count("第480号新闻") == 1


# -- item 11: a folder that cannot be looked into -------------------------------------------------


def test_a_folder_that_cannot_be_read_is_a_problem_check_reports(tmp_path, monkeypatch, capsys):
    """Permissions 000 (root reads through them, so the refusal is the kernel's answer,
    put in by hand): the folder is reported with its reason, in the app and in ``check``."""
    from tuireader import cli as tuireader_cli

    root = tmp_path / "lib"
    locked = root / "2025-06-02"
    locked.mkdir(parents=True)
    (root / "2025-06-01.txt").write_text("# 能读的一篇\n\n正文。\n", encoding="utf-8")
    (locked / "01.txt").write_text("# 锁住的一篇\n\n正文。\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    with monkeypatch.context() as patch:
        patch.setattr(os, "scandir", scandir)
        for run in ("cold", "warm"):
            lib = Library.open([root])
            assert lib.from_catalogue == (run == "warm")
            assert [(p.path, p.reason) for p in lib.problems] == [
                (str(locked), "folder cannot be read: Permission denied")
            ]
            assert [ref.headline for _, _, ref in lib.refs()] == ["能读的一篇"]
            assert tuireader_cli.main(["check", str(root)]) == 1
            assert capsys.readouterr().out.splitlines() == [
                f"{locked}: folder cannot be read: Permission denied",
                "1 article in 1 issue; 1 file with problems",
            ]
    # Readable again: the next look at the files finds what it holds, and the problem is gone.
    fresh = Library.open([root]).refresh()
    assert fresh is not None and fresh.problems == []
    assert sorted(ref.headline for _, _, ref in fresh.refs()) == ["能读的一篇", "锁住的一篇"]
