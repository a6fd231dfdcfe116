"""Reading onward (issue 14): an article's keywords, stored when it is indexed, and 相关报道,
other articles sharing them, in the index, in ``dump --json``, set at the end of the article
(Tab steps to them, Enter follows) and listed by ``r``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS, sync
from tests.search_support import LIB, build_index_once, install_index
from tests.test_search_screen import ready, until
from tuireader import cli
from tuireader.library import Library
from tuireader.search import Searcher, ensure_index
from tuireader.search.onward import keywords, onward
from tuireader.search.segment import keywords as keywords_of_tokens
from tuireader.text.linebreak import cell_width
from tuireader.ui.app import ReaderApp
from tuireader.ui.screens.onward import OnwardScreen
from tuireader.ui.screens.search import SearchScreen
from tuireader.ui.widgets.article_layout import Layout, Onward, append_onward
from tuireader.ui.widgets.article_view import ArticleView

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


# -- at the end of the article -----------------------------------------------------------

def onward_lines(onward: Onward, column: int) -> list[str]:
    layout = Layout(column=column)
    append_onward(layout, onward)
    return [line.prefix + (layout.pieces[line.piece].text[line.start:line.end] if line.piece >= 0 else "")
            for line in layout.lines]


def test_the_block_at_the_end_lists_keywords_then_related_with_their_source():
    block = Onward("a", ("端午", "龙舟"), (("b", ZONGZI, "晨江日报 2025-06-01"),))
    lines = onward_lines(block, 40)
    assert lines[1] == "─" * 40  # a rule between the article and what follows it
    assert lines[2:] == ["Reading onward", "Keywords: 端午\u3000龙舟", "Related articles",
                         f"· {ZONGZI}  晨江日报 2025-06-01"]


def test_keywords_wrap_between_words_never_inside_one():
    words = tuple(f"关键词语{n}号" for n in range(12))
    lines = onward_lines(Onward("a", words), 30)
    keyword_text = "".join(lines[3:]).replace("\u3000", "")
    assert len(lines) > 4  # it took several lines
    for word in words:
        assert any(word in line for line in lines), word  # each whole on one line
    assert keyword_text == "Keywords: " + "".join(words)  # nothing lost, nothing doubled


def test_the_block_is_data_not_markup_or_control():
    block = Onward("a", ("[b]粗[/b]", "\x1b[31m红"), (("b", "标题\x1b]8;;evil\x07", "[i]报[/i]"),))
    text = "\n".join(onward_lines(block, 60))
    assert "\x1b" not in text and "\x07" not in text
    assert "[b]粗[/b]" in text and "[i]报[/i]" in text  # shown as typed, not taken as markup


def test_without_an_index_the_block_says_when_it_comes():
    lines = onward_lines(Onward("a", note="Keywords and related articles are shown here once indexed."), 80)
    assert lines[2:] == ["Reading onward", "Keywords and related articles are shown here once indexed."]


async def open_with_onward(app: ReaderApp, pilot, headline: str) -> tuple[dict[str, str], ArticleView]:
    """Open the article ``headline`` and wait for reading onward to be set under it."""
    await ready(app, pilot)
    ids = ids_by_headline([LIB])
    app.reader.open_article(ids[headline])
    view = app.reader.article_view
    await until(pilot, lambda: view.onward is not None and view.onward.article_id == ids[headline])
    return ids, view


@sync
async def test_keywords_and_related_are_set_at_the_end_of_the_article_and_tab_enter_follow_them(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(100, 30)) as pilot:
        ids, view = await open_with_onward(app, pilot, DRAGON_BOAT)
        text = view.rendered_lines()
        end = text.index("Reading onward")
        assert any(line.startswith("Keywords: ") and "端午" in line for line in text[end:])
        assert f"· {ZONGZI}" in " ".join(text[end:])  # 相关报道, with its paper and date after it
        assert DRAGON_BOAT not in " ".join(text[end:])  # never the article itself
        assert view.match_count == 0

        await pilot.press("tab")  # from the top: the first keyword, scrolled into view
        assert view.chosen == ("search", view.onward.keywords[0])
        assert view.scroll_y > 0 or view.max_scroll_y == 0
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        assert app.screen.input.value == view.onward.keywords[0]
        await until(pilot, lambda: app.screen.results_list.option_count > 0)
        assert DRAGON_BOAT in app.screen.results_list.get_option_at_index(0).prompt.plain

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SearchScreen))
        await pilot.press("shift+tab")  # from the first keyword back round to the last choice: the related article
        assert view.chosen == ("open", ids[ZONGZI])
        await pilot.press("enter")
        await until(pilot, lambda: app.reader.current_id == ids[ZONGZI])
        await until(pilot, lambda: view.onward is not None and view.onward.article_id == ids[ZONGZI])
        assert view.chosen is None  # a new article: nothing chosen yet


@sync
async def test_a_click_on_a_keyword_searches_that_keyword(indexed):
    app = ReaderApp([LIB])
    async with app.run_test(size=(100, 30)) as pilot:
        _ids, view = await open_with_onward(app, pilot, DRAGON_BOAT)
        assert len(view.onward.keywords) >= 2
        await pilot.press("G")
        await pilot.pause()
        second = view.onward.keywords[1]
        number = next(n for n, line in enumerate(view.lines)
                      if line.piece >= 0 and view.pieces[line.piece].choices
                      and second in view.pieces[line.piece].text[line.start:line.end])
        y = number - int(view.scroll_y)
        drawn = view.render_line(y).text  # what the screen shows on that row
        x = cell_width(drawn[: drawn.index(second)]) + 1  # on the keyword's second cell
        await pilot.click(ArticleView, offset=(x, y))
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        assert app.screen.input.value == second


@sync
async def test_without_an_index_the_end_says_so_and_tab_moves_on_as_before():
    app = ReaderApp([LIB])
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        await until(pilot, lambda: view.onward is not None)
        assert not view.onward.keywords and "indexed" in view.onward.note
        assert "once indexed" in " ".join(view.rendered_lines())
        view.focus()
        await pilot.press("tab")  # nothing to step to: the focus moves, as Tab does elsewhere
        assert app.focused is not view


@sync
async def test_at_the_end_before_the_block_comes_the_reader_stays_at_the_end(monkeypatch):
    from tuireader.ui.screens import reader_search

    monkeypatch.setattr(reader_search, "ONWARD_AFTER", 3.0)  # G certainly comes first
    app = ReaderApp([SEEDS])  # its articles are longer than the screen
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        view = app.reader.article_view
        await pilot.press("right_square_bracket", "G")  # the next article, and at once its end
        await pilot.pause()
        assert view.onward is None and view.scroll_y == view.max_scroll_y > 0
        await until(pilot, lambda: view.onward is not None)
        await until(pilot, lambda: view.scroll_y == view.max_scroll_y)
        assert "once indexed" in " ".join(view.rendered_lines()[int(view.scroll_y):])  # the block, on screen
