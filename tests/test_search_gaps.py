"""Issue 14 point 10: search's small gaps. A photographer's credit is a byline; typed pinyin
is read with an input method's 模糊音 (below exact matches); a link's words are not body
text; ``kind:link`` is a kind."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES, sync
from tuireader.search import Searcher, ensure_index
from tuireader.search.docs import IndexDoc
from tuireader.search.pinyin import fuzzy_syllables
from tuireader.search.query import parse


def write(lib: Path, name: str, date: str, body: str) -> None:
    lib.mkdir(parents=True, exist_ok=True)
    (lib / name).write_text(f"---\npaper: 人民日报\ndate: {date}\npage: 1\n---\n\n{body}", encoding="utf-8")


def headlines(searcher: Searcher, query: str) -> list[str]:
    return [r.headline for r in searcher.search(query, limit=20, budget=None).results]


def test_fuzzy_syllables_are_the_input_methods_confusions():
    assert fuzzy_syllables("zi") == ("zi", "zhi")
    assert fuzzy_syllables("shu") == ("shu", "su")
    assert fuzzy_syllables("chen") == ("chen", "cheng", "cen", "ceng")
    assert fuzzy_syllables("lan") == ("lan", "lang", "nan", "nang")
    assert fuzzy_syllables("ning") == ("ning", "nin", "ling", "lin")
    assert fuzzy_syllables("fa") == ("fa",)  # nothing to confuse
    assert "on" not in fuzzy_syllables("long")  # only real syllables


def test_a_caption_credit_is_indexed_as_a_byline(tmp_path):
    lib = tmp_path / "lib"
    write(lib, "01.txt", "2026-01-02",
          "# 天安门广场举行升旗仪式\n\n图为国旗护卫队迈着整齐的步伐走向升旗台。\n\n本报记者  张武军摄\n\n"
          "# 冬日里的坚守\n\n本报记者 李四\n\n张武军同志的事迹在本地流传。\n")
    ensure_index([lib])
    searcher = Searcher([lib])
    assert headlines(searcher, "by:张武军") == ["天安门广场举行升旗仪式"]
    assert headlines(searcher, "by:李四") == ["冬日里的坚守"]


def test_the_credit_goes_into_the_byline_field_of_the_index_document(tmp_path):
    from tuireader.library import Library

    lib = tmp_path / "lib"
    write(lib, "01.txt", "2026-01-02", "# 升旗\n\n图为升旗仪式。\n\n本报记者  张武军摄\n")
    library = Library.open([lib])
    (_, _, ref), = library.refs()
    doc = IndexDoc.from_article(library.article(ref.id))
    assert doc.bylines == ["本报记者  张武军摄"]
    assert "张武军" in doc.segment_input()[1]


def test_pinyin_with_a_fuzzy_sound_finds_the_words_below_exact_matches(tmp_path):
    lib = tmp_path / "lib"
    write(lib, "01.txt", "2025-06-05",
          "# 数字法治建设取得新进展\n\n全省推进数字法治建设。\n\n"
          "# 蓝天保卫战成效明显\n\n今年蓝天天数增加。\n\n"
          "# 南田村修通公路\n\n南田村的路通了。\n")
    ensure_index([lib])
    searcher = Searcher([lib])
    assert headlines(searcher, "shuzi fazi") == ["数字法治建设取得新进展"]  # zi for zhi
    assert headlines(searcher, "suzi fazhi") == ["数字法治建设取得新进展"]  # s for sh
    # lantian is 蓝天 as typed; 南田 (nantian) only with n/l forgiven: after it
    assert headlines(searcher, "lantian")[:2] == ["蓝天保卫战成效明显", "南田村修通公路"]
    assert headlines(searcher, "nantian")[0] == "南田村修通公路"
    # what is found is highlighted as written
    hit = searcher.search("shuzi fazi").results[0]
    assert "数字法治" in hit.terms


def test_a_links_words_are_not_body_text_and_kind_link_finds_link_items(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(FIXTURES / "links" / "20990301.md", lib / "20990301.md")
    ensure_index([lib])
    searcher = Searcher([lib])
    assert headlines(searcher, "查看原文") == []
    assert headlines(searcher, "检修机具") == ["春耕备耕有序展开"]  # the same item's own words are
    assert headlines(searcher, "kind:link") == ["海上风电项目并网发电"]
    assert parse("kind:link").kind == ["link"] and not parse("kind:link").errors
    assert parse("kind:li").errors == []  # still being typed


# ------------------------------------------------------------------ the first search on a new library


def test_the_indexing_note_is_a_share_in_the_readers_language():
    from tuireader import i18n
    from tuireader.ui.screens.search import indexing_note

    assert indexing_note(2, 5) == "indexing… 40% (results so far cover what is indexed)"
    assert indexing_note(0, 0) == "preparing the index…"
    i18n.set_language("zh")
    assert indexing_note(1, 4) == "正在建立索引……25%（结果只涵盖已索引的部分）"


@sync
async def test_the_first_search_on_a_new_library_never_says_0_results_while_indexing(tmp_path):
    import asyncio

    from tests.search_support import LIB
    from tuireader.ui.app import ReaderApp

    lib = tmp_path / "lib"
    shutil.copytree(LIB, lib)
    app = ReaderApp([lib])
    async with app.run_test(size=(80, 24)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while app.reader.library is None or not app.reader.article_view.lines:
            assert loop.time() < deadline
            await pilot.pause(0.05)
        await pilot.press("slash")
        screen = app.screen
        for ch in "ywfl":
            await pilot.press(ch)
        seen: list[str] = []
        deadline = loop.time() + 120
        while not screen.session.results:
            assert loop.time() < deadline, seen[-3:]
            seen.append(str(screen.query_one("#search-status").render()))
            await pilot.pause(0.05)
        assert not any("0 results" in line for line in seen), [x for x in seen if "0 results" in x][:1]
        assert any("index" in line for line in seen)  # it said what it was doing
        assert screen.session.results[0].headline == "老城区雨污分流改造完工"


def test_by_finds_a_name_and_not_its_pieces_apart(tmp_path):
    """``by:`` looks up the adjacent pairs of the name typed, then the bylines themselves
    decide: an article whose bylines hold every pair but not the name is not a match."""
    from tuireader.search.worker import by_pieces

    assert by_pieces("张三丰") == "张 三 丰 张三 三丰"
    assert by_pieces("lili") == "l i li il"  # each piece once
    lib = tmp_path / "lib"
    write(lib, "01.txt", "2026-01-02",
          "# 太极拳的传人\n\n本报记者 张三丰\n\n武当山下。\n\n"
          "# 两位记者的合作\n\n本报记者 张三 三丰\n\n合作的报道。\n")
    ensure_index([lib])
    searcher = Searcher([lib])
    assert headlines(searcher, "by:张三丰") == ["太极拳的传人"]
    assert sorted(headlines(searcher, "by:张三")) == ["两位记者的合作", "太极拳的传人"]
    assert sorted(headlines(searcher, "by:丰")) == ["两位记者的合作", "太极拳的传人"]
    assert headlines(searcher, "by:张三丰 武当") == ["太极拳的传人"]


def test_what_holds_the_text_as_typed_comes_before_what_is_only_near_it(tmp_path):
    """A fragment found as typed in a body ranks above headlines that only come near it
    (交通 without 工) or only sound like it (教通工), however strongly the index scores them."""
    lib = tmp_path / "lib"
    filler = "这是一段与查询无关的长文字，" * 40
    write(lib, "01.txt", "2026-01-02",
          "# 交通交通交通行业开局\n\n交通交通交通。\n\n"
          "# 教通工会议\n\n会议。\n\n"
          f"# 雄安新区的未来\n\n{filler}无人驾驶的交通工具将让人们智慧出行。{filler}\n")
    ensure_index([lib])
    searcher = Searcher([lib])
    assert headlines(searcher, "交通工")[0] == "雄安新区的未来"
    # the same for a word left out with -: what holds the word as typed comes first
    assert headlines(searcher, "交通工 -会议")[0] == "雄安新区的未来"
