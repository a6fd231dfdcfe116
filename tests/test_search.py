"""Search: the engine over fixtures of our own, the filters, the commands, the index's life."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS
from tests.search_support import LIB, build_index_once, install_index  # noqa: E402
from tuireader import cli
from tuireader.search import Indexer, Searcher, index_path, library_sources, open_current_library, parse
from tuireader.search import index as ix
from tuireader.search.indexed_files import path_key

TRAFFIC = "全市推进智慧交通管理平台建设"
FESTIVAL = "滨江公园举办端午民俗文化节"
PHOTO = "“粽叶飘香”"
LIBRARY_NEWS = "社区图书馆延长开放时间"
VILLAGE = "数字乡村建设助力农民增收"
DRAINS = "老城区雨污分流改造完工"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    """The fixture library indexed once for the module (each test gets a copy)."""
    return build_index_once(tmp_path_factory, "search-cache")


@pytest.fixture
def searcher(built_index) -> Searcher:
    install_index(built_index)
    return Searcher([LIB])


def headlines(searcher: Searcher, query: str, **kw) -> list[str]:
    return [r.headline for r in searcher.search(query, **kw).results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # words and phrases
        ("智慧交通", TRAFFIC),
        ("雨污分流", DRAINS),
        ("图书馆", LIBRARY_NEWS),
        ("高山茶叶", VILLAGE),  # a body-only phrase
        # fragments: a word still being typed, part of a compound
        ("智慧交", TRAFFIC),
        ("污分", DRAINS),
        # typos: same sound, swapped pair, dropped character
        ("智慧交同", TRAFFIC),
        ("粽叶飘乡", PHOTO),
        ("雨分污流", DRAINS),
        ("雨污流", DRAINS),
        # pinyin: full, spaced, initials
        ("zhihuijiaotong", TRAFFIC),
        ("yuwu fenliu", DRAINS),
        ("shuzi xiangcun", VILLAGE),
        ("zhjt", TRAFFIC),
        ("ywfl", DRAINS),
        # pinyin and initials still being typed: the last syllable is a prefix
        ("zhihuijiaot", TRAFFIC),
        ("yuwu fenl", DRAINS),
        ("ywf", DRAINS),
        # traditional characters, full-width letters and punctuation fold
        ("數字鄉村", VILLAGE),
        ('"6月4日，全市"', TRAFFIC),
    ],
)
def test_each_kind_of_query_finds_its_article_first(searcher, query, expected):
    found = headlines(searcher, query)
    assert found, f"nothing found for {query!r}"
    assert found[0] == expected


def test_a_query_with_nothing_in_common_finds_nothing(searcher):
    assert headlines(searcher, "量子计算机") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("by:林晓峰", {TRAFFIC, DRAINS}),
        ("by:赵一鸣", {FESTIVAL}),
        ("by:孙悦", {DRAINS}),
        ("paper:南湖晚报", {DRAINS}),
        ("page:2", {LIBRARY_NEWS}),
        ("page:1 paper:晨江日报", {TRAFFIC, FESTIVAL, PHOTO, VILLAGE}),
        ("date:2025-06", {TRAFFIC, FESTIVAL, PHOTO, LIBRARY_NEWS}),
        ("date:2025-07-01..2025-07-31", {VILLAGE}),
        ("date:2024-01-01..2025-06-05", {DRAINS, TRAFFIC, FESTIVAL, PHOTO, LIBRARY_NEWS}),
        ("kind:photo", {PHOTO}),
        ('"香粽"', {FESTIVAL, PHOTO}),
        ("香粽 -龙舟", {PHOTO}),
        ("林晓峰 date:2025", {TRAFFIC}),
        ("图书馆 paper:晨江日报 page:2", {LIBRARY_NEWS}),
        ("图书馆 page:1", set()),
    ],
)
def test_filters_select_exactly_their_articles(searcher, query, expected):
    assert set(headlines(searcher, query)) == expected


def test_bad_filter_values_are_reported():
    q = parse("page:x date:2025-13-99x kind:video")
    assert len(q.errors) == 3


def test_newest_first_orders_by_issue_date(searcher):
    best = searcher.search("林晓峰").results
    newest = searcher.search("林晓峰", newest=True).results
    assert {r.headline for r in best} == {TRAFFIC, DRAINS}
    assert [r.date for r in newest] == ["2025-06-05", "2024-12-01"]


def test_results_are_deterministic(searcher):
    first = [(r.article_id, r.score) for r in searcher.search("本报讯").results]
    again = [(r.article_id, r.score) for r in Searcher([LIB]).search("本报讯").results]
    assert first == again and len(first) >= 5


def test_snippet_and_highlights_point_at_the_match(searcher):
    result = searcher.search("智慧交同").results[0]
    # the same-sound typo highlights what the article really says
    assert "智慧交通" in result.terms
    start, end = result.headline_spans[0]
    assert result.headline[start:end] == "智慧交通"
    assert "\n" not in result.snippet
    s, e = result.snippet_spans[0]
    assert result.snippet[s:e] == "智慧交通"


def test_pinyin_highlights_the_chinese_it_matched(searcher):
    result = searcher.search("yuwu fenliu").results[0]
    assert "雨污分流" in result.terms


# ---------------------------------------------------------------- commands


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_has_the_documented_keys(capsys):
    code, out, _ = run_cli(capsys, "search", "雨污分流", str(LIB), "--json", "--limit", "3")
    assert code == 0
    doc = json.loads(out)
    assert doc["query"] == "雨污分流"
    assert isinstance(doc["took_ms"], (int, float))
    first = doc["results"][0]
    assert set(first) == {"article_id", "headline", "kicker", "paper", "date", "page", "section", "score", "snippet"}
    assert (first["headline"], first["paper"], first["date"], first["page"], first["section"]) == (
        DRAINS, "南湖晚报", "2024-12-01", 3, "民生")
    assert "雨污分流" in first["snippet"]
    # the id is the one dump prints
    code, out, _ = run_cli(capsys, "dump", str(LIB), "--json")
    ids = {a["headline"]: a["id"] for i in json.loads(out)["issues"] for s in i["sections"] for a in s["articles"]}
    assert first["article_id"] == ids[DRAINS]


def test_search_limit_and_newest_options(capsys):
    code, out, _ = run_cli(capsys, "search", "本报讯", str(LIB), "--json", "--limit", "2", "--newest")
    results = json.loads(out)["results"]
    assert code == 0 and len(results) == 2
    assert results[0]["date"] == "2025-07-20"


@pytest.mark.parametrize(
    ("query", "headline"),
    [("高粽", "“高粽”"), ("gaozong", "“高粽”"), ("数字法制", "全省深化数字法治改革推进政法智能化建设工作例会")],
)
def test_search_on_the_sample_finds_its_item_first(capsys, query, headline):
    code, out, _ = run_cli(capsys, "search", query, str(SEEDS), "--json")
    assert code == 0
    assert json.loads(out)["results"][0]["headline"].startswith(headline)


def test_search_text_output_and_a_query_after_double_dash(capsys):
    # after --, a query may start with "-": everything but what mentions 龙舟
    code, out, _ = run_cli(capsys, "search", "--", "-龙舟", str(LIB))
    assert code == 0
    assert FESTIVAL not in out and TRAFFIC in out and DRAINS in out
    code, out, err = run_cli(capsys, "search", "滨江", str(LIB))
    assert code == 0 and FESTIVAL in out


@pytest.mark.parametrize("argv", [["search", "page:x"], ["search", "雨污", "--limit", "0"], ["search", "  "]])
def test_search_usage_errors_are_one_line(capsys, argv):
    code, out, err = run_cli(capsys, *argv[:2], str(LIB), *argv[2:])
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("tuireader: ")


def test_index_command_prints_plain_progress_and_rebuilds(capsys):
    code, out, err = run_cli(capsys, "index", str(LIB))
    assert code == 0 and "indexed 6 articles from 4 files" in out
    assert "indexing: 4/4 files" in err and "\r" not in err
    code, out, _ = run_cli(capsys, "index", str(LIB))
    assert "indexed 0 articles" in out and "4 unchanged" in out
    code, out, _ = run_cli(capsys, "index", str(LIB), "--rebuild")
    assert "indexed 6 articles" in out and "from scratch" in out


# ---------------------------------------------------------------- the index's life


@pytest.fixture
def lib_copy(tmp_path) -> Path:
    dest = tmp_path / "lib"
    shutil.copytree(LIB, dest)
    return dest


def _update(root: Path, progress=None):
    return Indexer([root], workers=0).update(library_sources(open_current_library([root])), progress=progress)


def test_incremental_updates_add_change_and_delete_files(lib_copy):
    first = _update(lib_copy)
    assert (first.added, first.docs) == (4, 6)
    s = Searcher([lib_copy])
    assert headlines(s, "图书馆") == [LIBRARY_NEWS]

    # add
    new = lib_copy / "2025-07-20" / "02.txt"
    new.write_text("---\npaper: 晨江日报\ndate: 2025-07-20\npage: 2\n---\n\n# 夜市烟火点亮老街\n\n本报记者 郑好\n\n"
                   "本报讯 入夏以来,老街夜市每晚人头攒动,小吃摊前排起长队。\n", encoding="utf-8")
    stats = _update(lib_copy)
    assert (stats.added, stats.changed, stats.removed, stats.docs) == (1, 0, 0, 1)
    assert headlines(s, "夜市") == ["夜市烟火点亮老街"]

    # change: the old words go, the new ones come
    page2 = lib_copy / "2025-06-05" / "02.txt"
    page2.write_text(page2.read_text(encoding="utf-8").replace("社区图书馆", "街道书房"), encoding="utf-8")
    stats = _update(lib_copy)
    assert (stats.added, stats.changed, stats.removed) == (0, 1, 0)
    assert headlines(s, "社区图书馆") == []
    assert headlines(s, "街道书房") == ["街道书房延长开放时间"]

    # touched with the same bytes: nothing re-indexed, and the progress still reaches its end
    os.utime(page2, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    seen: list[tuple[int, int]] = []
    stats = _update(lib_copy, progress=lambda done, total: seen.append((done, total)))
    assert (stats.changed, stats.docs) == (0, 0)
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)

    # delete
    (lib_copy / "2024-12-01" / "03.txt").unlink()
    stats = _update(lib_copy)
    assert stats.removed == 1
    assert headlines(s, "雨污分流") == []
    assert headlines(s, "yuwu fenliu") == []
    # the index holds exactly what the library holds: no token of a deleted or changed
    # article is left behind
    searcher = _tantivy_searcher(lib_copy)
    assert searcher.num_docs == 6
    assert len(ix.read_state(index_path([lib_copy]))["files"]) == 4
    import tantivy

    for field, gone_token in (("pybody", "yu1wu"), ("pybody", "gong1dui"), ("body", "积水"), ("head", "社区")):
        query = tantivy.Query.term_query(searcher_schema(lib_copy), field, gone_token, index_option="freq")
        assert searcher.search(query, 10).count == 0, gone_token


def test_an_article_met_in_two_files_of_one_build_is_indexed_once_as_the_later(tmp_path, monkeypatch):
    from tuireader.search.docs import IndexDoc, SourceFile

    monkeypatch.setattr(ix, "BATCH", 1)  # each file a batch of its own: the second meets the first's
    root = tmp_path / "lib"
    root.mkdir()

    def source(name: str, headline: str) -> SourceFile:
        path = root / name
        path.write_text(headline, encoding="utf-8")
        st = path.stat()
        return SourceFile(str(path), st.st_size, st.st_mtime_ns,
                          lambda: [IndexDoc("paper/2025-06-01/1/1", headline, body=f"{headline}。社区书房开放。")])

    stats = Indexer([root], workers=0).update([source("a.txt", "旧的标题"), source("b.txt", "新的标题")])
    assert stats.docs == 2  # both were added, the second in place of the first
    assert headlines(Searcher([root]), "社区书房") == ["新的标题"]


def test_a_file_gone_after_the_library_was_listed_is_left_out_not_a_failed_update(lib_copy):
    first = _update(lib_copy)
    assert first.docs == 6
    page = lib_copy / "2024-12-01" / "03.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n补记。\n", encoding="utf-8")  # changed: to index
    sources = library_sources(open_current_library([lib_copy]))
    page.unlink()  # gone while the update was on its way to it
    stats = Indexer([lib_copy], workers=0).update(sources)
    assert stats.removed == 1 and stats.changed == 0
    assert headlines(Searcher([lib_copy]), "雨污分流") == []
    assert path_key(str(page)) not in ix.read_state(index_path([lib_copy]))["files"]


def searcher_schema(root: Path):
    return ix.open_index(index_path([root]), ix.library_key([root])).schema


def _tantivy_searcher(root: Path):
    index = ix.open_index(index_path([root]), ix.library_key([root]))
    index.reload()
    return index.searcher()


def _rewrite_marker(root: Path, **changes) -> None:
    marker_file = index_path([root]) / "marker.json"
    marker = json.loads(marker_file.read_text())
    marker.update(changes)
    marker_file.write_text(json.dumps(marker))


def test_an_index_made_by_another_segmenter_version_is_rebuilt(lib_copy):
    _update(lib_copy)
    _rewrite_marker(lib_copy, segmenter="jieba 0.1, pypinyin 0.1")
    stats = _update(lib_copy)
    assert stats.rebuilt and stats.docs == 6
    assert headlines(Searcher([lib_copy]), "图书馆") == [LIBRARY_NEWS]


def _garble(path: Path) -> None:
    for file in (path / "tantivy").iterdir():
        if file.suffix in (".idx", ".store", ".term"):
            file.write_bytes(b"\x00garbage" * 100)


@pytest.mark.parametrize(
    "damage",
    [
        _garble,
        lambda p: (p / "tantivy" / "meta.json").write_text("{not json"),
        lambda p: [f.unlink() for f in (p / "tantivy").iterdir() if f.suffix == ".store"],  # files missing
        lambda p: (p / "marker.json").unlink(),  # no marker: not known to be ours
        lambda p: (p / "state.marshal").write_bytes(b"\xff" * 10),
        lambda p: (shutil.rmtree(p), p.mkdir(), (p / "marker.json").write_text('{"magic": "other"}')),
    ],
    ids=["garbage", "bad-meta", "missing-files", "no-marker", "bad-state", "foreign"],
)
def test_a_corrupt_or_foreign_index_is_rebuilt_not_trusted(capsys, lib_copy, damage):
    _update(lib_copy)
    path = index_path([lib_copy])
    damage(path)
    code, out, err = run_cli(capsys, "search", "雨污分流", str(lib_copy), "--json")
    assert code == 0, err
    assert json.loads(out)["results"][0]["headline"] == DRAINS
    assert _tantivy_searcher(lib_copy).num_docs == 6  # ours again


def test_searching_a_library_never_indexed_gives_nothing_not_an_error(lib_copy):
    response = Searcher([lib_copy]).search("雨污分流")
    assert response.results == [] and not response.complete


def test_a_reader_is_told_while_an_update_is_unfinished_and_when_it_has_finished(lib_copy):
    _update(lib_copy)
    s = Searcher([lib_copy])
    assert s.search("雨污分流").complete
    path = index_path([lib_copy])
    files = ix.read_state(path)["files"]
    ix.write_state(path, False, files)  # what a writer says as it starts an update
    assert not s.search("雨污分流").complete
    ix.write_state(path, True, files)
    assert s.search("雨污分流").complete


@pytest.mark.parametrize("replaced", [False, True], ids=["same-workers", "a-fresh-worker-each-batch"])
def test_worker_processes_build_the_same_index(lib_copy, monkeypatch, replaced):
    if replaced:  # a worker replaced after each batch (one file each): what a long build does
        monkeypatch.setattr(ix, "WORKER_BATCHES", 1)
        monkeypatch.setattr(ix, "BATCH", 1)
    stats = Indexer([lib_copy], workers=2, inline_bytes=0).update(library_sources(open_current_library([lib_copy])))
    assert stats.docs == 6
    s = Searcher([lib_copy])
    assert headlines(s, "智慧交同")[0] == TRAFFIC
    assert headlines(s, "ywfl")[0] == DRAINS
    # the words read otherwise (银行 yin hang) handed over by the workers: as one process finds them
    words = ix.read_readings(index_path([lib_copy]))["words"]
    Indexer([lib_copy], workers=0).update(library_sources(open_current_library([lib_copy])), rebuild=True)
    assert words == ix.read_readings(index_path([lib_copy]))["words"] != {}


def test_one_process_builds_while_others_read(lib_copy):
    _update(lib_copy)
    path = index_path([lib_copy])
    with ix.try_lock(path, blocking=True) as held:
        assert held
        # another tuireader finds the lock taken: it does not build, and it can still search
        other = Indexer([lib_copy], workers=0).update(library_sources(open_current_library([lib_copy])), wait=False)
        assert other is None
        assert headlines(Searcher([lib_copy]), "雨污分流") == [DRAINS]


def test_the_query_path_loads_neither_jieba_nor_pypinyin(lib_copy):
    _update(lib_copy)
    code = (
        "import sys; from pathlib import Path; from tuireader.search import Searcher;"
        f"s = Searcher([Path({str(lib_copy)!r})]);"
        "r = [s.search(q).results for q in ('智慧交同', 'yuwu fenliu', 'zhjt', '數字', 'by:林晓峰')];"
        "assert all(r), r;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jieba', 'pypinyin', 'textual')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=os.environ,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_jieba_cache_lives_in_our_cache_dir(tmp_path):
    cache_home = tmp_path / "cache"
    code = "from tuireader.search import segment; print(segment.tokenizer().tmp_dir)"
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(cache_home / "tuireader" / "jieba")
    assert (cache_home / "tuireader" / "jieba" / "jieba.cache").stat().st_size > 1_000_000
