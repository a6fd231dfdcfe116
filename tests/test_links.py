"""Markdown links become link data (issue 14, point 4): a paragraph that is only a link is a
``link`` block, a link in other text a span, an item that is only a link is of kind ``link``."""

from __future__ import annotations

import json
from pathlib import PurePath

import pytest

from tests.conftest import FIXTURES
from tests.test_cli import run
from tuireader.ingest import parse_text
from tuireader.ingest.links import has_link, only_link, unlink
from tuireader.library import Library
from tuireader.model import Block, Link

BROADCAST = FIXTURES / "links" / "20990301.md"


def _articles():
    parsed = parse_text(BROADCAST.read_text(encoding="utf-8"), PurePath(BROADCAST.name))
    return {a.headline: a for a in parsed.articles}


# ------------------------------------------------------------ the parser


def test_a_link_paragraph_after_the_text_is_a_link_block():
    art = _articles()["春耕备耕有序展开"]
    assert art.kind == "article"
    assert art.blocks[-1] == Block("link", "查看原文", url="https://tv.example.cn/2099/03/01/VIDEaaaa990301.shtml")
    assert all("](" not in b.text and "[" not in b.text for b in art.blocks)


def test_a_link_broken_across_lines_is_one_link():
    art = _articles()["城市公园迎来赏花季"]
    assert art.blocks[-1] == Block("link", "查看原文", url="https://tv.example.cn/2099/03/01/VIDEbbbb990301.shtml")


def test_a_link_inside_text_keeps_its_words_and_points_with_a_span():
    art = _articles()["城市公园迎来赏花季"]
    para = art.blocks[0]
    assert para.type == "paragraph"
    assert para.text == "气温回升，多座城市公园的玉兰、樱花陆续开放，详见公园开放时间。"
    (link,) = para.links
    assert para.text[link.start : link.end] == "公园开放时间"
    assert link.url == "https://www.example.cn/parks?id=3"


def test_an_item_that_is_only_a_link_is_a_link_item():
    art = _articles()["海上风电项目并网发电"]
    assert art.kind == "link"
    assert art.blocks == [Block("link", "查看原文", url="https://tv.example.cn/2099/03/01/VIDEcccc990301.shtml")]


def test_brackets_that_are_not_a_link_stay_text():
    art = _articles()["注释不是链接"]
    assert art.blocks[0].text == "本条消息的说明[注] (见下文)保持原样。"
    assert not art.blocks[0].links and art.kind != "link"


def test_links_in_a_page_file():
    parsed = parse_text("# 标题\n\n正文第一段。\n\n[原文链接](http://example.cn/a.html)\n", PurePath("p.txt"))
    (art,) = parsed.articles
    assert art.blocks[-1] == Block("link", "原文链接", url="http://example.cn/a.html")


def test_a_lone_link_does_not_become_a_headline():
    parsed = parse_text("[查看原文](https://example.cn/x)\n", PurePath("p.txt"))
    (art,) = parsed.articles
    assert art.headline == "" and art.kind == "link"


@pytest.mark.parametrize(
    "text, expected",
    [("[查看原文](https://a.cn/b)", ("查看原文", "https://a.cn/b")),
     ("  [查看原文]\n(https://a.cn/b)  ", ("查看原文", "https://a.cn/b")),
     ("[ 查看 原文 ]( https://a.cn/b )", ("查看 原文", "https://a.cn/b")),
     ("[维基](https://zh.wikipedia.org/wiki/A_(B))", ("维基", "https://zh.wikipedia.org/wiki/A_(B)")),
     ("[本页](#top)", ("本页", "#top")), ("[下一篇](./b.md)", ("下一篇", "./b.md")),
     ("[查看原文](https://a.cn/b)。", None), ("![图](https://a.cn/p.jpg)", None), ("[注](见下文)", None),
     ("[注]\n\n(https://a.cn)", None), ("[a](https://a.cn \"title\")", None)],
)
def test_only_link(text, expected):
    assert only_link(text) == expected


def test_unlink_offsets_for_several_links():
    text, spans = unlink("先看[甲](http://a.cn)，再看[乙乙](http://b.cn/x)。")
    assert text == "先看甲，再看乙乙。"
    assert spans == (Link(2, 3, "http://a.cn"), Link(6, 8, "http://b.cn/x"))
    assert [text[s.start : s.end] for s in spans] == ["甲", "乙乙"]


def test_has_link_is_false_for_plain_brackets():
    assert not has_link("【央视快评】用勤劳和智慧创造更加美好生活")
    assert not has_link("[注] 正文")
    assert has_link("见[这里](https://a.cn)")


# ------------------------------------------------------- what users see


def test_dump_json_shows_link_blocks_spans_and_link_items():
    out = run("dump", "--json", str(BROADCAST.parent))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    arts = {a["headline"]: a for a in data["issues"][0]["sections"][0]["articles"]}
    assert arts["春耕备耕有序展开"]["blocks"][-1] == {
        "type": "link", "text": "查看原文", "url": "https://tv.example.cn/2099/03/01/VIDEaaaa990301.shtml"}
    assert arts["城市公园迎来赏花季"]["blocks"][0]["links"] == [
        {"start": 24, "end": 30, "url": "https://www.example.cn/parks?id=3"}]
    assert arts["海上风电项目并网发电"]["kind"] == "link"
    assert "](" not in out.stdout


def test_a_link_item_is_not_counted_as_unread_text():
    lib = Library.open([BROADCAST.parent])
    kinds = {ref.headline: ref for _issue, _section, ref in lib.refs()}
    assert kinds["海上风电项目并网发电"].kind == "link"
    assert not kinds["海上风电项目并网发电"].counts_as_unread
    assert kinds["春耕备耕有序展开"].counts_as_unread


def test_search_text_holds_no_raw_markdown():
    from tuireader.search.index import IndexDoc

    for art in _articles().values():
        body = IndexDoc.from_article(art).body
        assert "](" not in body and "https://" not in body


def test_items_alike_but_for_their_link_are_not_merged(tmp_path):
    text = "这是一段足够长的相同正文，用来检查两条只是链接不同的消息不会被当成同一篇文章合并掉。"
    (tmp_path / "20990302.md").write_text(
        "# 《晚间新闻》 (20990302)\n\n"
        f"### 第一条\n\n<p>{text}</p>\n\n[查看原文](https://tv.example.cn/a.shtml)\n\n"
        f"### 第二条\n\n<p>{text}</p>\n\n[查看原文](https://tv.example.cn/b.shtml)\n",
        encoding="utf-8",
    )
    lib = Library.open([tmp_path])
    urls = [lib.article(ref.id).blocks[-1].url for _issue, _section, ref in lib.refs()]
    assert urls == ["https://tv.example.cn/a.shtml", "https://tv.example.cn/b.shtml"]
