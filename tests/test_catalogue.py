"""The catalogue: a library opens without parsing, and notices every change to its files."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

import tuireader.library as library_module
import tuireader.scan as scan_module
from tests.conftest import FIXTURES
from tuireader.catalogue import Catalogue, catalogue_path
from tuireader.library import Library


@pytest.fixture
def lib_dir(tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(FIXTURES / "archive", root)
    return root


def _headlines(lib):
    return sorted(r.headline for _, _, r in lib.refs())


def _summary(lib):
    """What a reader sees of a library: issues, pages, articles with ids and links, problems."""
    return ([(i.label, s.label, r.id, r.title, r.kind, r.source, r.continues_at, r.continued_from)
             for i, s, r in lib.refs()], sorted((p.path, p.reason) for p in lib.problems))


def _as_on_disk(lib, root):
    """``lib`` is what reading every file again gives."""
    assert _summary(lib) == _summary(Library.open([root], use_catalogue=False))


def test_second_open_reads_the_catalogue_and_parses_nothing(lib_dir, monkeypatch):
    first = Library.open([lib_dir])
    assert not first.from_catalogue
    assert catalogue_path([lib_dir]).exists()

    def refuse(*args, **kwargs):
        raise AssertionError("parsed a file although the catalogue was warm")

    for module in (scan_module, library_module):  # where a look at the files parses, where a body is
        monkeypatch.setattr(module, "parse_bytes", refuse)
    second = Library.open([lib_dir])
    assert second.from_catalogue
    assert [(i.paper, i.date) for i in second.issues] == [(i.paper, i.date) for i in first.issues]
    assert [r.id for _, _, r in second.refs()] == [r.id for _, _, r in first.refs()]
    assert second.refresh() is None  # nothing changed on disk


def test_added_changed_removed_and_renamed_files_are_picked_up(lib_dir):
    lib = Library.open([lib_dir])
    page2 = lib_dir / "2025/03/2025-03-08/02-经济"
    # added
    (page2 / "新增报道.md").write_text(
        '---\ntitle: "港口吞吐量创新高"\ndate: 2025-03-08\nsection: "第02版"\n---\n\n# 港口吞吐量创新高\n\n正文。\n',
        encoding="utf-8",
    )
    lib = lib.refresh()
    assert lib is not None and "港口吞吐量创新高" in _headlines(lib)
    _as_on_disk(lib, lib_dir)
    # changed (same size is not enough to hide it: the mtime moves)
    f = page2 / "新能源汽车产销两旺.md"
    f.write_text(f.read_text(encoding="utf-8").replace("# 新能源汽车产销两旺", "# 新能源汽车销量大增"),
                 encoding="utf-8")
    lib = lib.refresh()
    assert "新能源汽车销量大增" in _headlines(lib) and "新能源汽车产销两旺" not in _headlines(lib)
    _as_on_disk(lib, lib_dir)
    # renamed: same article, same id, new source
    old_id = next(r.id for _, _, r in lib.refs() if r.headline == "港口吞吐量创新高")
    os.rename(page2 / "新增报道.md", page2 / "改名.md")
    lib = lib.refresh()
    ref = next(r for _, _, r in lib.refs() if r.headline == "港口吞吐量创新高")
    assert ref.id == old_id and ref.source.endswith("改名.md")
    assert lib.article(ref.id).headline == "港口吞吐量创新高"
    _as_on_disk(lib, lib_dir)
    # removed, and a file that cannot be read
    (page2 / "改名.md").unlink()
    (page2 / "空白.md").write_bytes(b"")
    lib = lib.refresh()
    assert "港口吞吐量创新高" not in _headlines(lib)
    assert [p.reason for p in lib.problems] == ["empty file"]
    _as_on_disk(lib, lib_dir)
    # a whole issue removed
    shutil.rmtree(lib_dir / "2025/03/2025-03-08")
    lib = lib.refresh()
    assert len(lib) == 0
    _as_on_disk(lib, lib_dir)
    # and a fresh open from the catalogue agrees with what is on disk
    assert _headlines(Library.open([lib_dir])) == _headlines(Library.open([lib_dir], use_catalogue=False))


def test_touched_file_is_not_a_change(lib_dir, monkeypatch):
    Library.open([lib_dir])
    f = next(lib_dir.rglob("*.md"))
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    lib = Library.open([lib_dir])
    assert lib.refresh() is None
    # ...and the next start still opens from the snapshot, parsing nothing.
    for module in (scan_module, library_module):
        monkeypatch.setattr(module, "parse_bytes", lambda *a, **k: pytest.fail("parsed a file"))
    again = Library.open([lib_dir])
    assert again.from_catalogue and not any(i.loaded for i in again.issues)
    assert again.refresh() is None


def test_problems_survive_the_catalogue(lib_dir):
    (lib_dir / "empty.md").write_bytes(b"")
    Library.open([lib_dir])
    again = Library.open([lib_dir])
    assert again.from_catalogue and [p.reason for p in again.problems] == ["empty file"]


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, b""], ids=["garbage", "empty"])
def test_corrupt_catalogue_is_rebuilt(lib_dir, garbage):
    expected = _headlines(Library.open([lib_dir]))
    catalogue_path([lib_dir]).write_bytes(garbage)
    lib = Library.open([lib_dir])
    assert not lib.from_catalogue and _headlines(lib) == expected
    assert Library.open([lib_dir]).from_catalogue  # and written again


def test_foreign_sqlite_file_is_not_trusted(lib_dir):
    path = catalogue_path([lib_dir])
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('magic', 'something else')")
    lib = Library.open([lib_dir])
    assert not lib.from_catalogue and len(lib) == 3


# -- a warm start builds only what is shown ------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A few dozen issues of both layouts (the benchmarks' generator), catalogued once."""
    from tests.test_library_list import _generator

    root = _generator().generate_library(tmp_path_factory.mktemp("gen") / "lib", 400, seed=5)
    return root


def _cold_and_warm(root):
    cold = Library.open([root], use_catalogue=False)
    Library.open([root])  # writes the catalogue
    warm = Library.open([root])
    assert warm.from_catalogue and len(cold.issues) > 3
    return cold, warm


def test_a_warm_open_builds_an_issue_only_when_it_is_asked_for(generated):
    cold, warm = _cold_and_warm(generated)
    assert not any(issue.loaded for issue in warm.issues)
    # Counts come from the snapshot's head, which holds no article ids.
    assert len(warm) == len(cold)
    assert [i.article_count for i in warm.issues] == [i.article_count for i in cold.issues]
    assert not any(issue.loaded for issue in warm.issues)
    # Finding one article builds its issue and no other (its issue is looked up by id).
    last = cold.issues[-1].sections[-1].articles[-1]
    assert last.id in warm and "no-such-id" not in warm
    assert not any(issue.loaded for issue in warm.issues)
    issue, section, ref = warm.locate(last.id)
    assert [i.loaded for i in warm.issues].count(True) == 1 and warm.issues[-1].loaded
    assert (ref.headline, ref.source, section.number) == (last.headline, last.source, cold.locate(last.id)[1].number)
    assert warm.article(last.id).blocks == cold.article(last.id).blocks
    # The reading order walks the issues, building each as it goes.
    assert list(warm.ids()) == [r.id for _, _, r in cold.refs()]
    # Every issue, once built, is the one the files give.
    def summary(lib: Library) -> list[tuple]:
        return [(i.label, s.label, r.id, r.title, r.kind, r.source, r.continues_at, r.continued_from)
                for i, s, r in lib.refs()]

    assert summary(warm) == summary(cold)


def test_read_articles_are_counted_in_issues_not_built_yet(generated):
    """A folded issue's unread count is its count less the read ids in it, which the
    catalogue's id table places without building the issue; ``u`` passes over issues
    read through without building them either."""
    cold, warm = _cold_and_warm(generated)
    read = {ids[0] for ids in (issue.article_ids for issue in cold.issues[::2])} | {"notinthislibrary"}
    read |= set(cold.issues[1].article_ids)  # the second issue read through
    expected = [len(read & set(issue.article_ids)) for issue in cold.issues]
    assert [warm.read_in_issue(n, read) for n in range(len(warm.issues))] == expected
    assert not any(issue.loaded for issue in warm.issues)
    after = cold.issues[0].article_ids[-1]
    following = warm.ids(after=after, wrap=True, skip_read=read)
    assert next(following) == cold.issues[2].article_ids[0]
    assert not warm.issues[1].loaded
    # Read more: counted again.
    read.add(cold.issues[3].article_ids[-1])
    assert warm.read_in_issue(3, read) == expected[3] + 1


def test_moving_through_articles_and_pages_crosses_issues_in_reading_order(generated):
    cold, warm = _cold_and_warm(generated)
    order = [r.id for _, _, r in cold.refs()]
    # Next and previous article, from a library whose issues are still packed.
    assert [warm.neighbour(a, +1) for a in order] == order[1:] + [None]
    assert [warm.neighbour(a, -1) for a in order] == [None] + order[:-1]
    # Next and previous page: the first article of the adjacent page, the issue's edge crossed.
    pages = [s.articles[0].id for i in cold.issues for s in i.sections]
    page_of = {r.id: n for n, s in enumerate(s for i in cold.issues for s in i.sections) for r in s.articles}
    for aid in order[::7]:
        here = page_of[aid]
        assert warm.section_neighbour(aid, +1) == (pages[here + 1] if here + 1 < len(pages) else None)
        assert warm.section_neighbour(aid, -1) == (pages[here - 1] if here > 0 else None)
    # Round from any article to itself, for "next unread".
    middle = order[len(order) // 2]
    assert list(warm.ids(after=middle, wrap=True)) == order[len(order) // 2 + 1 :] + order[: len(order) // 2 + 1]
    assert list(warm.ids(after=order[-1])) == []


def test_a_damaged_issue_in_the_catalogue_is_built_again_from_its_files_rows(lib_dir):
    expected = _headlines(Library.open([lib_dir]))
    with sqlite3.connect(catalogue_path([lib_dir])) as db:
        digest, blob = db.execute("SELECT digest, data FROM snapshot_blobs").fetchone()
        db.execute("UPDATE snapshot_blobs SET data = ? WHERE digest = ?", (bytes(len(blob)), digest))
    # An issue's copy is checked when it is first shown: a damaged one is never unpacked
    # (nor shown short); that issue is built from its files' rows in the catalogue.
    lib = Library.open([lib_dir])
    assert lib.from_catalogue
    assert _headlines(lib) == expected and lib.problems == []
    # The snapshot is not trusted again: the next start builds it from the rows anew.
    assert Catalogue([lib_dir]).load_snapshot() is None
    assert _headlines(Library.open([lib_dir])) == expected
    third = Library.open([lib_dir])
    assert third.from_catalogue and _headlines(third) == expected


def test_an_issue_whose_copy_and_rows_are_both_gone_is_read_from_its_files(lib_dir):
    expected = _headlines(Library.open([lib_dir]))
    lib = Library.open([lib_dir])
    assert lib.from_catalogue
    with sqlite3.connect(catalogue_path([lib_dir])) as db:
        db.execute("DELETE FROM snapshot_blobs")
        db.execute("DELETE FROM files")
        db.execute("DELETE FROM articles")
    assert _headlines(lib) == expected


def test_what_a_look_at_the_folders_finds(tmp_path):
    """Text and Markdown files, hidden ones and other files left out, links to files
    followed and to folders not (a loop of links must not walk forever), each once."""
    from tuireader.library import walk

    root = tmp_path / "lib"
    (root / "2025-06-01").mkdir(parents=True)
    (root / "2025-06-01" / "01.txt").write_text("# 头版\n\n正文。\n", encoding="utf-8")
    (root / "2025-06-01" / "02.MD").write_text("# 二版\n\n正文。\n", encoding="utf-8")
    (root / "2025-06-01" / "photo.jpg").write_bytes(b"\xff\xd8")
    (root / "2025-06-01" / ".draft.txt").write_text("# 草稿\n", encoding="utf-8")
    (root / ".trash").mkdir()
    (root / ".trash" / "old.txt").write_text("# 旧稿\n", encoding="utf-8")
    (root / "a.txt").write_text("# 顶层\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("# 链接\n", encoding="utf-8")
    (root / "linked.txt").symlink_to(elsewhere)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "broken.txt").symlink_to(tmp_path / "nothing.txt")

    found = list(walk([root, root / "a.txt"]))
    assert [rel for _path, _root, rel, _size, _mtime in found] == [
        "a.txt", "linked.txt", "2025-06-01/01.txt", "2025-06-01/02.MD",
    ]
    path, top, rel, size, mtime_ns = found[2]
    assert path == str(root / rel) and top == str(root)
    assert (size, mtime_ns) == (os.stat(path).st_size, os.stat(path).st_mtime_ns)
    # A file named by itself is read even when hidden or of another suffix.
    assert [rel for _p, _r, rel, _s, _m in walk([root / "2025-06-01" / ".draft.txt"])] == [".draft.txt"]


def test_a_new_issue_dropped_in_builds_only_that_issue(generated, tmp_path, monkeypatch):
    root = tmp_path / "lib"
    shutil.copytree(generated, root)
    Library.open([root])  # the first start writes the catalogue
    before = Library.open([root])
    assert before.from_catalogue
    day = root / "晚报" / "2031" / "01" / "2031-01-01"
    day.mkdir(parents=True)
    (day / "01-要闻.txt").write_text(
        "# 新年第一天\n\n本报讯 全城迎来新年。\n\n# 地铁延长运营\n\n本报讯 跨年夜地铁延长运营。\n", encoding="utf-8"
    )
    # Neither every row of the catalogue nor any file but the new one is read.
    monkeypatch.setattr(library_module.Catalogue, "load", lambda self: pytest.fail("read every row"))
    parsed = []
    real_parse = scan_module.parse_bytes
    for module in (scan_module, library_module):
        monkeypatch.setattr(module, "parse_bytes", lambda data, path: parsed.append(path) or real_parse(data, path))
    fresh = before.refresh()
    assert fresh is not None and [p.name for p in parsed] == ["01-要闻.txt"]
    assert len(fresh) == len(before) + 2
    assert [i.loaded for i in fresh.issues].count(True) == 0  # the others are still packed
    assert fresh.issues[-1].label == "晚报 2031-01-01"  # the newest issue, last
    assert [s.label for s in fresh.issues[-1].sections] == ["第1版 要闻"]
    monkeypatch.undo()
    _as_on_disk(fresh, root)
    assert list(Library.open([root]).ids()) == list(fresh.ids())


def test_a_second_reader_sees_what_the_first_reader_picked_up(lib_dir):
    """Two readers of one library share its catalogue: when one has looked at the
    files, the other's look finds the change in the catalogue, not on disk."""
    first = Library.open([lib_dir])
    second = Library.open([lib_dir])
    (lib_dir / "2025/03/2025-03-08/02-经济/新增报道.md").write_text(
        '---\ntitle: "港口吞吐量创新高"\ndate: 2025-03-08\nsection: "第02版"\n---\n\n# 港口吞吐量创新高\n\n正文。\n',
        encoding="utf-8",
    )
    mine = first.refresh()
    assert mine is not None and "港口吞吐量创新高" in _headlines(mine)
    theirs = second.refresh()
    assert theirs is not None and _summary(theirs) == _summary(mine)
    assert theirs.refresh() is None and mine.refresh() is None


def test_ids_stay_unique_when_one_of_two_look_alike_issues_is_built_again(tmp_path):
    """Two undated issues of one paper (in two folders) with the same page and headline:
    the second article's id takes a suffix, and rebuilding either issue alone keeps
    the two ids apart."""
    root = tmp_path / "lib"
    for folder in ("甲", "乙"):
        (root / folder).mkdir(parents=True)
        (root / folder / "01.txt").write_text("---\npaper: 晚报\n---\n\n# 通知\n\n本报讯 明日停水。\n",
                                              encoding="utf-8")
    Library.open([root])
    lib = Library.open([root])
    ids = list(lib.ids())
    assert len(lib.issues) == 2 and len(set(ids)) == 2 and ids[1] == ids[0] + "-2"
    for folder in ("乙", "甲"):
        (root / folder / "01.txt").write_text(f"---\npaper: 晚报\n---\n\n# 通知\n\n本报讯 {folder}区明日停电。\n",
                                              encoding="utf-8")
        lib = lib.refresh()
        assert lib is not None and list(lib.ids()) == ids
        _as_on_disk(lib, root)


def test_an_old_library_is_freed_as_soon_as_it_is_dropped(lib_dir):
    """Nothing but the reader holds a library: no reference cycle through the issues'
    loaders keeps an old one (the app freezes what the collector would have to find)."""
    import gc
    import weakref

    Library.open([lib_dir])
    gc.disable()
    try:
        lib = Library.open([lib_dir])
        lib.locate(next(lib.ids()))
        gone = weakref.ref(lib)
        del lib
        assert gone() is None
    finally:
        gc.enable()


def test_a_refresh_keeps_the_pages_already_built_of_the_issues_it_did_not_change(generated, tmp_path):
    root = tmp_path / "lib"
    shutil.copytree(generated, root)
    Library.open([root])
    lib = Library.open([root])
    first, last = lib.issues[0], lib.issues[-1]
    kept_ref = lib.locate(first.sections[0].articles[0].id)[2]
    changed = lib.source_path(last.sections[0].articles[0])
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "！", 1), encoding="utf-8")
    fresh = lib.refresh()
    assert fresh is not None
    # The first issue's pages are the ones already built; the others still packed.
    assert fresh.issues[0].loaded and fresh.locate(kept_ref.id)[2] is kept_ref
    assert [i.loaded for i in fresh.issues[1:-1]].count(True) == 0
    _as_on_disk(fresh, root)


def test_a_first_run_can_show_the_library_before_writing_its_catalogue(lib_dir):
    """The reader's first run hands the library to the screen, then writes the catalogue."""
    lib = Library.open([lib_dir], write_later=True)
    assert len(lib) == 3 and not catalogue_path([lib_dir]).exists()
    lib.write_catalogue()
    lib.write_catalogue()  # once is enough; a second call writes nothing
    again = Library.open([lib_dir])
    assert again.from_catalogue and _summary(again) == _summary(lib)


@pytest.mark.parametrize("name", ["pages", "archive", "rmrb"])
def test_walking_the_files_gives_what_refs_and_fingerprints_give(tmp_path, name):
    """The search index lists a library by walking it issue by issue (an issue still packed
    in the snapshot is unpacked and let go): the same articles, files and sizes as building
    every issue, whether the library is read from its files, catalogued, or from the snapshot."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)

    def opened(how: str) -> Library:
        return Library.open([root], use_catalogue=False) if how == "files" else Library.open([root])

    for how in ("files", "first open, catalogued", "from the snapshot"):
        walked = [(ref.id, issue.date, section.number, path, stat)
                  for issue, section, ref, path, stat, _member in opened(how).walk_files()]
        lib = opened(how)
        built = [(ref.id, issue.date, section.number, str(lib.source_path(ref))) for issue, section, ref in lib.refs()]
        assert [w[:4] for w in walked] == built != [], how
        assert {w[3]: w[4] for w in walked} == lib.fingerprints(), how
    assert opened("snapshot").from_catalogue
