"""Reading onward (issue 14): an article's keywords, stored when it is indexed, and 相关报道,
other articles sharing them, in the index, in ``dump --json`` and at the end of an article (``r``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import sync
from tests.search_support import LIB, build_index_once, install_index
from tests.test_search_screen import ready, until
from tuireader import cli
from tuireader.library import Library
from tuireader.search import Searcher, ensure_index
from tuireader.search.onward import keywords, onward
from tuireader.search.segment import keywords as keywords_of_tokens
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.onward import OnwardScreen
from tuireader.ui.screens.search import SearchScreen

DRAGON_BOAT = "滨江公园举办端午民俗文化节"
ZONGZI = "“粽叶飘香”"


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    return build_index_once(tmp_path_factory, "onward-cache")


@pytest.fixture
def indexed(built_index) -> None:
    install_index(built_index)


def ids_by_headline(roots: list[Path]) -> dict[str, str]:
    lib = Library.open(roots)
    return {lib.article(ref.id).headline: ref.id
            for issue in lib.issues for section in issue.sections for ref in section.articles}


def test_keywords_are_stored_when_an_article_is_indexed(indexed):
    ids = ids_by_headline([LIB])
    words = keywords(Searcher([LIB]), ids[DRAGON_BOAT])
    assert words is not None and 1 <= len(words) <= 8
    assert {"端午", "龙舟", "滨江"} <= set(words)
    assert all(any(ch.isalpha() for ch in w) for w in words)  # no bare numbers
    assert keywords(Searcher([LIB]), "no-such-article") is None


def test_keywords_leave_out_numbers_stop_words_and_parts_met_only_in_longer_words():
    tokens = ["图书", "书馆", "图书馆"] * 3 + ["2025"] * 5 + ["the"] * 5 + ["科技"] * 3 + ["科技日报", "借书"]
    words = keywords_of_tokens(tokens)
    assert words[0] == "图书馆"  # most often, and rarer in jieba's IDF table than 科技
    assert set(words) == {"图书馆", "科技", "科技日报", "借书"}  # 科技 is also met alone
    assert len(keywords_of_tokens([f"词{n}" for n in range(20)])) == 8


def test_related_shares_keywords_and_is_never_the_article_itself(indexed):
    ids = ids_by_headline([LIB])
    found = onward(Searcher([LIB]), ids[DRAGON_BOAT])
    assert found is not None
    _words, related = found
    assert [r.headline for r in related] == [ZONGZI]  # 滨江 and 粽 in both; nothing else is alike


def test_at_most_five_related(tmp_path):
    root = tmp_path / "canal"
    for n in range(8):
        folder = root / f"2025-06-{n + 1:02d}"
        folder.mkdir(parents=True)
        (folder / "01.txt").write_text(
            f"---\npaper: 晨江日报\ndate: 2025-06-{n + 1:02d}\npage: 1\nname: 要闻\n---\n\n# 红旗渠第{n + 1}期\n\n"
            f"本报讯 红旗渠通水，林县群众修渠引水灌溉良田。\n", encoding="utf-8")
    ensure_index([root])
    ids = ids_by_headline([root])
    found = onward(Searcher([root]), ids["红旗渠第1期"])
    assert found is not None
    words, related = found
    assert "红旗渠" in words
    assert len(related) == 5
    assert ids["红旗渠第1期"] not in {r.article_id for r in related}
    assert all(r.headline.startswith("红旗渠第") for r in related)


def test_dump_json_keywords_and_related(capsys):
    code = cli.main(["dump", str(LIB), "--json", "--keywords", "--related"])
    out, _err = capsys.readouterr()
    assert code == 0
    articles = [a for issue in json.loads(out)["issues"] for s in issue["sections"] for a in s["articles"]]
    by_id = {a["id"]: a for a in articles}
    dragon = next(a for a in articles if a["headline"] == DRAGON_BOAT)
    assert "端午" in dragon["keywords"]
    assert [by_id[i]["headline"] for i in dragon["related"]] == [ZONGZI]
    for a in articles:
        assert a["id"] not in a["related"] and len(a["related"]) <= 5
        assert all(i in by_id for i in a["related"])


def test_dump_json_without_the_flags_has_neither(capsys):
    assert cli.main(["dump", str(LIB), "--json"]) == 0
    article = json.loads(capsys.readouterr().out)["issues"][0]["sections"][0]["articles"][0]
    assert "keywords" not in article and "related" not in article


def test_dump_keywords_without_json_is_refused(capsys):
    assert cli.main(["dump", str(LIB), "--keywords"]) == 2
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "--json" in err


def option_texts(screen: OnwardScreen) -> list[str]:
    from textual.widgets import OptionList

    options = screen.query_one(OptionList)
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]


@sync
async def test_reading_onward_shows_keywords_and_related_and_searches_a_keyword(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.reader.open_article(ids_by_headline([LIB])[DRAGON_BOAT])
        await pilot.press("G", "r")
        await until(pilot, lambda: isinstance(app.screen, OnwardScreen))
        texts = option_texts(app.screen)
        assert "  端午" in texts
        assert any(t.strip().startswith(ZONGZI) for t in texts)
        assert texts.index("Related articles") > texts.index("  端午")  # shown under the keywords
        first_keyword = texts[1].strip()
        await until(pilot, lambda: app.screen.query_one("OptionList").highlighted == 1)  # not the heading

        await pilot.press("enter")  # the cursor starts on the first keyword
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        screen = app.screen
        assert screen.input.value == first_keyword
        await until(pilot, lambda: screen.results_list.option_count > 0)
        assert DRAGON_BOAT in screen.results_list.get_option_at_index(0).prompt.plain

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, OnwardScreen))
        related_row = next(i for i, t in enumerate(option_texts(app.screen)) if t.strip().startswith(ZONGZI))
        app.screen.query_one("OptionList").highlighted = related_row
        await pilot.press("enter")
        await until(pilot, lambda: app.reader.current_article is not None
                    and app.reader.current_article.headline == ZONGZI)
