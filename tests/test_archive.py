"""Monthly 7z archives read in place (``tuireader.archive``): the same articles and ids
as the unpacked folder, a month decompressed once, unreadable archives reported.

Archives are packed at test time with py7zr into ``tmp_path``, from our fixtures
(``tests/fixtures/rmrb``) and from ``../shared/corpus/rmrb``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import py7zr
import pytest

from tests.conftest import CORPUS, FIXTURES, needs_corpus, sync
from tuireader import archive
from tuireader.cli import main
from tuireader.library import Library

MONTH = "1946年05月"


def pack(folder: Path, dest: Path, names: list[str] | None = None) -> Path:
    """``folder``'s Markdown files as ``dest`` (a solid 7z), under ``1946年05月/``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with py7zr.SevenZipFile(dest, "w") as z:
        for path in sorted(folder.glob("*.md")):
            if names is None or path.name in names:
                z.writestr(path.read_bytes(), f"{MONTH}/{path.name}")
    return dest


def articles(lib: Library) -> list[dict]:
    out = []
    for art in lib.articles():
        d = art.to_dict()
        d.pop("source")
        out.append({**d, "paper": art.paper, "date": art.date, "page": art.page, "section": art.section_name})
    return out


def dumped_ids(dumped: dict) -> list[str]:
    return [a["id"] for i in dumped["issues"] for s in i["sections"] for a in s["articles"]]


class CountingReads:
    """Counts how often a month is decompressed."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        real = archive.read_members

        def counting(path: str):
            self.calls.append(path)
            return real(path)

        monkeypatch.setattr(archive, "read_members", counting)


@pytest.fixture
def fixture_month() -> Path:
    return FIXTURES / "rmrb" / MONTH


def test_fixture_archive_gives_the_same_articles_and_ids_as_the_folder(tmp_path, fixture_month):
    box = pack(fixture_month, tmp_path / "7z" / f"{MONTH}.7z")
    from_folder = articles(Library.open([fixture_month], use_catalogue=False))
    from_archive = articles(Library.open([box]))
    assert len(from_folder) == 7
    assert from_archive == from_folder
    # Two 图片 on page 4 of 1946-05-18: numbered in member-name order.
    pictures = [a for a in from_archive if a["headline"] == "图片"]
    assert [a["id"] for a in pictures][1] == pictures[0]["id"] + "-2"
    assert pictures[0]["blocks"][0]["text"] == "修堤民夫在北岸工地上休息。"
    # The archive's folder, and the repository root, give the same again.
    assert articles(Library.open([box.parent])) == from_folder


@needs_corpus()
def test_corpus_archive_gives_the_same_articles_and_ids_as_the_folder(tmp_path):
    month = CORPUS / "rmrb" / MONTH
    box = pack(month, tmp_path / f"{MONTH}.7z")
    from_folder = articles(Library.open([month], use_catalogue=False))
    assert len(from_folder) == 43
    assert articles(Library.open([box])) == from_folder


def test_repository_root_reads_only_7z(tmp_path, fixture_month):
    repo = tmp_path / "rmrb"
    pack(fixture_month, repo / "7z" / f"{MONTH}.7z")
    shutil.copytree(fixture_month, repo / "example" / MONTH)  # repeats part of the month
    (repo / "dir").mkdir()
    titles = "1946-05-18 河滩村民合力修堤\n1946-05-19 边区银行发放春耕贷款\n"
    (repo / "dir" / f"{MONTH}.md").write_text(titles, encoding="utf-8")
    lib = Library.open([repo])
    assert len(lib) == 7 and not lib.problems
    assert {ref.source.split("/")[0] for _, _, ref in lib.refs()} == {"7z"}
    # The title lists, read on their own, are not articles.
    lists = Library.open([repo / "dir"])
    assert len(lists) == 0
    assert [p.reason for p in lists.problems] == ["a list of titles (YYYY-MM-DD title), not articles"]


def test_a_month_is_decompressed_once_and_bodies_open_without_it(tmp_path, monkeypatch, fixture_month):
    box = pack(fixture_month, tmp_path / "7z" / f"{MONTH}.7z")
    reads = CountingReads(monkeypatch)
    lib = Library.open([box.parent])
    assert reads.calls == [str(box)]
    for aid in list(lib.ids()):
        assert lib.article(aid).blocks
    warm = Library.open([box.parent])
    assert warm.from_catalogue
    assert warm.refresh() is None  # unchanged: never read again
    assert [a.headline for a in warm.articles()] == [a.headline for a in lib.articles()]
    assert reads.calls == [str(box)]


def test_a_months_members_read_together_give_the_articles_read_one_by_one_each_chunk_decompressed_once(
    tmp_path, monkeypatch, fixture_month
):
    """What a dump reads of a month (``member_bodies``, then ``article``): every article as
    it is read alone, with the body store's chunks decompressed once each, not once an article."""
    import zlib

    monkeypatch.setattr(archive, "CHUNK_MEMBERS", 2)  # the 7 members in 4 chunks
    box = pack(fixture_month, tmp_path / "7z" / f"{MONTH}.7z")
    lib = Library.open([box.parent])
    ids = list(lib.ids())
    one_by_one = [lib.article(aid).to_dict() for aid in ids]
    warm = Library.open([box.parent])  # nothing parsed yet: every body comes from the store
    for aid in ids:
        warm.locate(aid)  # the issues built first: what is counted below is the bodies' reading
    decompressed: list[int] = []
    real = zlib.decompress

    def counting(data, *args):
        decompressed.append(len(data))
        return real(data, *args)

    monkeypatch.setattr(zlib, "decompress", counting)
    bodies = warm.member_bodies([*ids, "no-such-id"])
    assert len(decompressed) == 4
    assert [warm.article(aid, bodies).to_dict() for aid in ids] == one_by_one
    assert len(decompressed) == 4


def test_the_index_reads_a_month_from_the_body_store_and_from_the_archive_when_the_store_lost_it(
    tmp_path, capsys, fixture_month
):
    """An archive's articles are indexed by the workers from the body store; with the store
    gone they are read from the archive again, and every article is found all the same."""
    from tuireader.search import index_path, update_index
    from tuireader.search.update import library_sources, open_current_library

    box = pack(fixture_month, tmp_path / "7z" / f"{MONTH}.7z")
    lib = Library.open([tmp_path])
    warm = Library.open([tmp_path])
    assert warm.from_catalogue
    for opened in (warm, lib):  # the archive's size and mtime, from the catalogue or the files
        assert {path: stat for *_, path, stat, _m in opened.walk_files()} == opened.fingerprints() != {}
    walked = [member for *_, member in lib.walk_files()]
    assert walked and all(m is not None and m[0] == f"{box}/{MONTH}/{Path(m[1]).name}" for m in walked)
    assert all(m[1].startswith(f"7z/{MONTH}.7z/{MONTH}/") for m in walked if m is not None)
    jobs = {src.job[0] for src in library_sources(open_current_library([tmp_path]))}
    assert jobs == {"members"}
    headlines = sorted(lib.article(aid).headline for aid in lib.ids())

    def indexed() -> list[str]:
        assert main(["search", "--json", "--limit", "50", "村", str(tmp_path)]) == 0
        return sorted(r["headline"] for r in json.loads(capsys.readouterr().out)["results"])

    update_index([tmp_path], workers=2, inline_bytes=0)
    found = indexed()
    assert found and set(found) <= set(headlines)
    archive.BodyStore([tmp_path]).discard()
    shutil.rmtree(index_path([tmp_path]))
    update_index([tmp_path], workers=0)
    assert indexed() == found
    assert archive.BodyStore([tmp_path]).get_many(k for k, _ in (m for m in walked if m)) != {}  # kept again


def test_the_body_store_reads_many_members_as_it_reads_one(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "CHUNK_MEMBERS", 3)
    store = archive.BodyStore([tmp_path])
    members = [(f"k{n}", f"第{n}篇".encode() * (n + 1)) for n in range(8)]
    store.put("a.7z", members)
    store.put("b.7z", [("b0", b"other month")])
    wanted = ["k7", "b0", "k0", "k4", "gone", "k4"]
    kept = dict(members) | {"b0": b"other month"}
    assert store.get_many(wanted) == {k: kept[k] for k in wanted if k in kept}
    assert store.get_many(wanted) == {k: store.get(k) for k in wanted if store.get(k) is not None}
    assert store.get_many(wanted)["k4"] == "第4篇".encode() * 5
    store.path.write_bytes(b"not a database at all" * 100)  # damaged: thrown away, read again later
    assert store.get_many(wanted) == {}
    assert not store.path.exists()


def test_a_changed_archive_is_read_again(tmp_path, monkeypatch, fixture_month):
    box = pack(fixture_month, tmp_path / "7z" / f"{MONTH}.7z")
    other = pack(fixture_month, tmp_path / "7z" / "1946年06月.7z", names=["1946-05-19_边区银行发放春耕贷款.md"])
    lib = Library.open([box.parent])
    before = {ref.headline for _, _, ref in lib.refs()}
    assert "纺车转起来了" in before
    keep = [p.name for p in fixture_month.glob("*.md") if not p.name.startswith("1946-05-18_纺车")]
    pack(fixture_month, box, names=keep)
    os.utime(box, ns=(1, 1_000_000_000))
    reads = CountingReads(monkeypatch)
    fresh = lib.refresh()
    assert fresh is not None
    assert reads.calls == [str(box)]  # the other archive is not opened
    assert {ref.headline for _, _, ref in fresh.refs()} == before - {"纺车转起来了"}
    assert len(fresh) == len(lib) - 1
    # An archive taken away takes its articles with it.
    other.unlink()
    after = fresh.refresh()
    assert after is not None
    assert {ref.headline for _, _, ref in after.refs()} == before - {"纺车转起来了"}
    assert len(after) == len(fresh) - 1  # its one article, a copy of one still in the other archive
    assert reads.calls == [str(box)]
    assert Library.open([box.parent]).refresh() is None


def test_check_reports_unreadable_archives_and_goes_on(tmp_path, capsys, fixture_month):
    good = pack(fixture_month, tmp_path / f"{MONTH}.7z")
    (tmp_path / "not-7z.7z").write_bytes(b"this is not an archive at all")
    (tmp_path / "truncated.7z").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with py7zr.SevenZipFile(tmp_path / "locked.7z", "w", password="secret") as z:
        z.writestr((fixture_month / "1946-05-18_纺车转起来了.md").read_bytes(), f"{MONTH}/a.md")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{tmp_path / 'not-7z.7z'}: archive: not a 7z archive" in out
    assert any(line.startswith(f"{tmp_path / 'truncated.7z'}: archive: truncated or damaged") for line in out)
    assert f"{tmp_path / 'locked.7z'}: archive: encrypted: it needs a password" in out
    assert out[-1] == "7 articles in 2 issues; 3 files with problems"


def test_dump_search_and_bookmarks_on_an_archive(tmp_path, capsys, fixture_month):
    box = pack(fixture_month, tmp_path / f"{MONTH}.7z")
    assert main(["dump", "--json", str(fixture_month)]) == 0
    folder_ids = dumped_ids(json.loads(capsys.readouterr().out))
    assert main(["dump", "--json", str(box)]) == 0
    assert dumped_ids(json.loads(capsys.readouterr().out)) == folder_ids
    assert main(["search", "--json", "修堤", str(box)]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert {r["headline"] for r in results} >= {"河滩村民合力修堤"}
    dike = next(r["article_id"] for r in results if r["headline"] == "河滩村民合力修堤")
    assert main(["bookmarks", "add", dike, str(box)]) == 0
    capsys.readouterr()
    assert main(["bookmarks", "list", "--json", str(fixture_month)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(b["article_id"], b["missing"]) for b in listed] == [(dike, False)]  # found in the folder too


def test_only_text_members_are_read(tmp_path, fixture_month):
    box = tmp_path / "mixed.7z"
    with py7zr.SevenZipFile(box, "w") as z:
        z.writestr((fixture_month / "1946-05-18_纺车转起来了.md").read_bytes(), f"{MONTH}/1946-05-18_纺车转起来了.md")
        z.writestr(b"\x89PNG\r\n\x1a\n\x00\x00", f"{MONTH}/scan.png")
        z.writestr(b"ignored", f"{MONTH}/.hidden.md")
    with py7zr.SevenZipFile(tmp_path / "pictures.7z", "w") as z:
        z.writestr(b"\x89PNG\r\n\x1a\n\x00\x00", "scan.png")
    lib = Library.open([tmp_path])
    assert [ref.headline for _, _, ref in lib.refs()] == ["纺车转起来了"]
    assert [(Path(p.path).name, p.reason) for p in lib.problems] == [
        ("pictures.7z", "archive: holds no text or Markdown files")
    ]


def test_many_archives_are_read_by_worker_processes_with_the_same_result(tmp_path, monkeypatch, fixture_month):
    names = sorted(p.name for p in fixture_month.glob("*.md"))
    for n, month in enumerate(("05", "06", "07", "08")):
        pack(fixture_month, tmp_path / "7z" / f"1946年{month}月.7z", names=names[n::4])
    (tmp_path / "7z" / "1946年09月.7z").write_bytes(b"not an archive")
    monkeypatch.setattr(archive, "PARALLEL_FROM", 3)
    parallel = Library.open([tmp_path], use_catalogue=False)
    monkeypatch.setattr(archive, "PARALLEL_FROM", 1000)
    one_by_one = Library.open([tmp_path], use_catalogue=False)
    assert len(parallel) == 7
    assert articles(parallel) == articles(one_by_one)
    problems = [(Path(p.path).name, p.reason) for p in parallel.problems]
    assert problems == [("1946年09月.7z", "archive: not a 7z archive")]


@sync
async def test_the_reader_opens_a_single_archive(tmp_path, fixture_month):
    from tests.test_scale import settle
    from tuireader.ui.app import ReaderApp

    box = pack(fixture_month, tmp_path / f"{MONTH}.7z")
    app = ReaderApp([box])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot, lambda: app.reader.current_id is not None)
        assert len(app.reader.library) == 7 and not app.reader.library.problems
        library = app.reader.library
        dike = next(i for i in library.ids() if library.locate(i)[2].headline == "河滩村民合力修堤")
        assert app.reader.open_article(dike)
        await pilot.pause()
        shown = app.reader.article_view.article
        assert shown is not None and shown.headline == "河滩村民合力修堤"
        assert [b.type for b in shown.blocks][-1] == "signature"


def test_a_first_reading_of_many_archives_shows_the_newest_month_as_soon_as_it_is_read(
    tmp_path, monkeypatch, fixture_month
):
    """The contents show the newest issue first: that month is read first (in the
    reader's process), and handed over at once, without waiting for the others."""
    names = sorted(p.name for p in fixture_month.glob("*.md"))
    for n, month in enumerate(("05", "06", "07", "08")):
        pack(fixture_month, tmp_path / "7z" / f"1946年{month}月.7z", names=names[n::4])
    monkeypatch.setattr(archive, "PARALLEL_FROM", 3)
    parts: list[Library] = []
    whole = Library.open([tmp_path], first_part=(3600.0, parts.append))  # not by the clock: by the month
    assert len(parts) == 1 and not parts[0].complete and whole.complete

    def months(lib: Library) -> set[str]:
        return {ref.source.split("/")[1] for _, _, ref in lib.refs()}

    assert months(parts[0]) == {"1946年08月.7z"}
    assert months(whole) == {f"1946年{m}月.7z" for m in ("05", "06", "07", "08")}
