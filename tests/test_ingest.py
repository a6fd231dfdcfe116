"""The parsers read real pages faithfully: structure, reflow, captions, jumps, encodings."""

from __future__ import annotations

import codecs
import os
from pathlib import Path, PurePath

import pytest

from tests.conftest import CORPUS, FIXTURES, SEEDS, needs_corpus
from tuireader.ingest import IngestError, parse_bytes, parse_text
from tuireader.library import Library

SAMPLE = SEEDS / "000_ed0fb2fcaee0006d.txt"


def paragraphs(article):
    return [b.text for b in article.blocks if b.type == "paragraph"]


# ------------------------------------------------------------ the sample


def test_sample_gives_three_items_in_order():
    lib = Library.open([SEEDS])
    assert len(lib.issues) == 1 and len(lib.issues[0].sections) == 1
    section = lib.issues[0].sections[0]
    assert section.number == 1
    first, second, photo = (lib.article(r.id) for r in section.articles)

    assert first.headline == "全省深化数字法治改革推进政法智能化建设工作例会 暨政法工作数字化平台规范化建设部署会召开"
    assert first.subheadlines == ["王成国讲话 杨青玖主持 李占国林贻影出席"]
    assert first.bylines == ["本报记者 陈卓"]
    assert first.dateline == "本报讯"
    assert len(paragraphs(first)) == 8
    assert first.blocks[-1].type == "jump"
    assert (first.blocks[-1].direction, first.blocks[-1].page) == ("next", 2)

    assert second.headline == "全省法治公安建设工作会议暨执法办案管理中心提质增效现场推进会议举行"
    assert second.subheadlines == ["持续在法治轨道上推进浙江公安工作现代化先行领跑"]
    assert "桑新美" in " ".join(second.bylines) and "陈佳妮" in " ".join(second.bylines)
    assert len(paragraphs(second)) == 5

    assert photo.kind == "photo" and photo.headline == "“高粽”"
    (caption,) = photo.blocks
    assert caption.type == "caption"
    assert caption.text.endswith("考入心中理想的大学。")
    assert caption.credit == "于江 摄"


def test_sample_column_breaks_are_rejoined():
    lib = Library.open([SEEDS])
    text = "\n".join(p for _, _, r in lib.refs() for p in paragraphs(lib.article(r.id)))
    for joined in (
        "压茬推进,办案平台达到了",
        "数字化平台是党管政法",
        "重点是聚焦建设",
        "大力推进新时代法治公安建设",
        "深化中心集约化办案",
        "“法治监督+数智赋能”",
    ):
        assert joined in text, joined


# --------------------------------------------------------- page fixtures


def test_page_file_kicker_subheadline_bylines_and_reflow():
    lib = Library.open([FIXTURES / "pages"])
    sec1 = lib.issues[0].section(1)
    assert sec1.name == "要闻"
    lead = lib.article(sec1.articles[0].id)
    assert lead.kicker == "春耕时节看田间"
    assert lead.subheadlines == ["李明讲话 王芳主持"]
    assert lead.bylines == ["本报记者 周立"]
    assert [b.type for b in lead.blocks] == ["paragraph", "paragraph", "subhead", "paragraph", "paragraph", "jump"]
    assert lead.blocks[0].text.startswith("3月7日,") and "要把握农时、抓好春耕" in lead.blocks[0].text
    assert "“数字田野”" in lead.blocks[1].text
    second = lib.article(sec1.articles[1].id)
    assert second.bylines == ["实习生 韩雪 通讯员 郑凯 本报记者 周立"]
    assert paragraphs(second) == [
        "为深化农村改革,3月6日,青河县启动农村集体产权制度改革试点工作。试点将在全县12个乡镇展开,为期一年。"
    ]
    photo = lib.article(sec1.articles[2].id)
    assert photo.kind == "photo" and photo.blocks[0].credit == "陈海 摄"
    assert photo.blocks[0].text.endswith("为春季育苗做准备。")


@pytest.mark.parametrize(
    "end, joined",
    [("是", True), ("，", True), (",", True), ("、", True), ("“数字", True), ("（", True), ("abc", True),
     ("。", False), ("！", False), ("？", False), ("…", False), ("；", False), ("：", False), ("——", False),
     ("”", False), ("）", False), ("》", False)],
)
def test_reflow_joins_only_open_paragraphs(end, joined):
    pf = parse_text(f"# 标题\n\n第一栏的末尾{end}\n\n第二栏的开头。\n", PurePath("p.txt"))
    assert len(paragraphs(pf.articles[0])) == (1 if joined else 2)


def test_reflow_never_joins_into_credit_caption_or_subhead():
    text = "# 标题\n\n第一段未完\n\n**小标题**\n\n图片说明文字\n\n张三 摄\n"
    art = parse_text(text, PurePath("p.txt")).articles[0]
    assert [b.type for b in art.blocks] == ["paragraph", "subhead", "caption"]


def test_per_article_files_keep_paragraphs_as_written(tmp_path):
    body = '---\ntitle: "题"\ndate: 2024-01-01\n---\n\n# 题\n\n第一段没有标点\n\n第二段。\n'
    art = parse_text(body, PurePath("2024-01-01/01-要闻/题.md")).articles[0]
    assert paragraphs(art) == ["第一段没有标点", "第二段。"]


def test_jump_links_continuation_both_ways():
    lib = Library.open([FIXTURES / "pages"])
    lead_ref = lib.issues[0].section(1).articles[0]
    cont_ref = lib.issues[0].section(2).articles[0]
    assert lead_ref.continues_at == cont_ref.id
    assert cont_ref.continued_from == lead_ref.id
    cont = lib.article(cont_ref.id)
    assert cont.blocks[0].type == "jump" and cont.blocks[0].direction == "prev" and cont.blocks[0].page == 1
    assert lib.article(lead_ref.id).continues_at == cont_ref.id


def test_jump_without_target_page_is_unlinked():
    lib = Library.open([SEEDS])
    first = lib.article(lib.issues[0].sections[0].articles[0].id)
    assert first.jumps and first.continues_at is None


@pytest.mark.parametrize(
    "marker, direction, page",
    [("(下转2版)", "next", 2), ("（下转第二版）", "next", 2), ("(上接1版)", "prev", 1), ("（上接第1版）", "prev", 1),
     ("（下转第十二版）", "next", 12), ("（转第３版）", "next", 3)],
)
def test_jump_marker_variants(marker, direction, page):
    pf = parse_text(f"# 标题\n\n正文第一段。{marker}\n", PurePath("p.txt"))
    jump = pf.articles[0].blocks[-1]
    assert (jump.type, jump.direction, jump.page, jump.text) == ("jump", direction, page, marker)


# --------------------------------------------------- per-article archive


def test_per_article_archive_fields_and_duplicates():
    lib = Library.open([FIXTURES / "archive"])
    (issue,) = lib.issues
    assert (issue.paper, issue.date) == ("晨光日报", "2025-03-08")
    assert [(s.number, s.name) for s in issue.sections] == [(1, "要闻"), (2, "经济")]
    sec1 = issue.sections[0]
    # Two files share one source URL: shown once, the copy with the kicker kept.
    assert len(sec1.articles) == 2
    # The paper's own order (by the number in the source URL) decides the order.
    photo, story = (lib.article(r.id) for r in sec1.articles)
    assert story.kicker == "各地抢抓农时推进春耕生产"
    assert story.headline == "春风吹绿万亩良田"
    assert story.subheadlines == ["——来自田间地头的春耕报道"]
    assert story.bylines[0] == "本报记者 王小明 李强"  # padded names: two people
    assert story.edition == "《晨光日报》（2025年03月08日第 01 版）"
    assert all("《" not in b for b in story.bylines)
    assert story.dateline == "本报北京3月7日电"
    assert "记者王小明" in story.bylines
    assert [b.text for b in story.blocks if b.type == "subhead"] == ["良种良法齐上阵", "科技赋能添底气"]
    assert any("duplicate" in m for m in story.merged)
    # A caption the crawler wrote twice shows once, with its credit.
    assert photo.kind == "photo"
    assert len(photo.blocks) == 1 and photo.blocks[0].credit == "新华社记者  林晓摄"
    assert photo.merged
    sec2 = lib.article(issue.sections[1].articles[0].id)
    assert sec2.bylines == ["本报记者"] and sec2.dateline == "新华社上海3月7日电"
    assert sec2.meta["source_url"].endswith("content_1010.html")


def test_front_matter_author_gives_byline_when_text_names_none(tmp_path):
    (tmp_path / "a.md").write_text(
        '---\ntitle: "标题"\ndate: 2024-05-01\nauthor: "张  三"\n---\n\n# 标题\n\n正文。\n', encoding="utf-8"
    )
    art = Library.open([tmp_path]).articles().__next__()
    assert art.bylines == ["张三"]
    assert art.date == "2024-05-01"


# ------------------------------------------------------- generic text


def test_broadcast_transcript_with_html_becomes_articles():
    lib = Library.open([FIXTURES / "broadcast"])
    (issue,) = lib.issues
    assert (issue.paper, issue.date) == ("晚间新闻", "2024-01-05")
    arts = [lib.article(r.id) for _, _, r in lib.refs()]
    assert [a.headline for a in arts] == ["新闻摘要", "各地做好冬季供暖保障", "冰雪旅游持续升温"]
    body = paragraphs(arts[1]) + paragraphs(arts[2])
    assert body[0] == "央视网消息（晚间新闻）：入冬以来，各地多措并举保障群众温暖过冬。"
    assert "<" not in "".join(body[:2]) and "&nbsp;" not in "".join(body)
    assert "游客量<同比>明显增长。" in body[2]
    assert len(paragraphs(arts[2])) == 2  # <br> splits


def test_plain_text_without_headings_is_read(tmp_path):
    (tmp_path / "note.txt").write_text("短标题\n\n第一段内容。\n\n第二段内容。\n", encoding="utf-8")
    lib = Library.open([tmp_path])
    (art,) = list(lib.articles())
    assert art.headline == "短标题" and paragraphs(art) == ["第一段内容。", "第二段内容。"]


# ------------------------------------------------------------ encodings

TEXT = "# 测试标题\n\n本报记者 张三\n\n这是正文，包含中文标点。\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16", "utf16be", "crlf", "cr"],
)
def test_encodings_and_line_ends(data):
    pf = parse_bytes(data, PurePath("x.txt"))
    (art,) = pf.articles
    assert art.headline == "测试标题" and art.bylines == ["本报记者 张三"]
    assert paragraphs(art) == ["这是正文，包含中文标点。"]


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty"), (b"   \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
     (bytes(range(256)) * 4, "binary")],
)
def test_unreadable_files_are_reported_not_raised(tmp_path, data, reason):
    (tmp_path / "bad.txt").write_bytes(data)
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    lib = Library.open([tmp_path])
    assert len(lib) == 1
    assert [Path(p.path).name for p in lib.problems] == ["bad.txt"]
    assert reason in lib.problems[0].reason


def test_oversized_file_is_refused_quickly(tmp_path, monkeypatch):
    from tuireader.ingest import decode

    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 1000)
    (tmp_path / "huge.txt").write_text("很长" * 2000, encoding="utf-8")
    lib = Library.open([tmp_path])
    assert "too large" in lib.problems[0].reason


def test_decode_errors_are_ingest_errors():
    with pytest.raises(IngestError):
        parse_bytes(b"\xff\xfe", PurePath("x.txt"))  # BOM and nothing else


# ------------------------------------------------------------ identity


def test_ids_survive_rename_move_and_reorder(tmp_path):
    src = (FIXTURES / "archive").resolve()
    a = Library.open([src])
    ids_a = {r.headline: r.id for _, _, r in a.refs()}
    moved = tmp_path / "elsewhere" / "2025" / "2025-03-08"
    for f in src.rglob("*.md"):
        dest = moved / f.parent.name / ("renamed-" + f.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(f.read_bytes())
    b = Library.open([tmp_path / "elsewhere"])
    ids_b = {r.headline: r.id for _, _, r in b.refs()}
    assert ids_a == ids_b
    assert all(i.isascii() and len(i) >= 8 for i in ids_a.values())


def test_colliding_ids_get_deterministic_suffixes(tmp_path):
    (tmp_path / "01.txt").write_text("# 图片新闻\n\n甲。\n\n# 图片新闻\n\n乙。\n", encoding="utf-8")
    ids = [r.id for _, _, r in Library.open([tmp_path]).refs()]
    assert len(set(ids)) == 2 and ids[1] == ids[0] + "-2"
    assert ids == [r.id for _, _, r in Library.open([tmp_path]).refs()]


def test_pages_from_path_and_file_order(tmp_path):
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"# {name}\n\n正文。\n", encoding="utf-8")
    lib = Library.open([tmp_path])
    assert [(s.number, s.sources) for s in lib.issues[0].sections] == [(1, ["a.txt"]), (2, ["b.txt"])]


def test_bodies_are_parsed_on_demand(monkeypatch):
    import tuireader.library as library_module

    lib = Library.open([FIXTURES / "archive"])
    calls = []
    real = library_module.parse_file
    monkeypatch.setattr(library_module, "parse_file", lambda *a: calls.append(a) or real(*a))
    ref = next(r for _, _, r in lib.refs())
    lib.article(ref.id)
    lib.article(ref.id)
    assert len(calls) == 1  # one file parsed, once; nothing else touched


# ---------------------------------------------------------------- corpus


@needs_corpus()
def test_people_daily_sample_issue():
    lib = Library.open([CORPUS / "people-daily"])
    (issue,) = lib.issues
    assert (issue.paper, issue.date) == ("人民日报", "2026-01-02")
    assert [(s.number, s.name, len(s.articles)) for s in issue.sections] == [(1, "要闻", 6), (2, "要闻", 6)]
    arts = [lib.article(r.id) for _, _, r in lib.refs()]
    kickers = [a.kicker for a in arts if a.kicker]
    assert kickers == ["习近平致信祝贺科技日报创刊40周年强调"]
    assert sum(1 for a in arts if "科技日报创刊40周年" in (a.kicker or a.headline)) == 1
    assert any(a.subheadlines for a in arts)
    for a in arts:
        for byline in a.bylines:
            assert "人民日报" not in byline and "版）" not in byline
    by_headline = {a.headline: a for a in arts}
    assert by_headline["“小家”热气腾腾，“大家”蒸蒸日上"].bylines == ["本报记者 李昌禹 杨昊"]
    photo = by_headline["欢度新年"]
    assert photo.kind == "photo"
    assert [b.credit for b in photo.blocks] == ["新华社记者  马金瑞摄", "方东旭摄（新华社发）"]
    for a in arts:
        captions = [b.text for b in a.blocks if b.type == "caption"]
        assert len(captions) == len(set(captions))
        assert all(b.credit for b in a.blocks if b.type == "caption")


@needs_corpus()
def test_broadcast_corpus_opens_without_problems():
    lib = Library.open([CORPUS / "xwlb"])
    assert not lib.problems
    assert len(lib.issues) == len(list((CORPUS / "xwlb").glob("*.md")))
    for art in lib.articles():
        for b in art.blocks:
            assert "<p>" not in b.text and "&nbsp;" not in b.text


# --------------------------------------------------- fast front matter

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.sampled_from(["title", "date", "section", "author", "keywords", "word_count", "x-y", "url"])
_VALUES = st.one_of(
    st.text(max_size=12),
    st.text(max_size=12).map(lambda t: f'"{t}"'),
    st.text(max_size=12).map(lambda t: f"'{t}'"),
    st.lists(st.text(alphabet="ab中文12 %", max_size=4), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.sampled_from(["2026-01-02", "0012", "12", "-3", "true", "no", "null", "~", "1.5", ".inf", "a: b", "x #c"]),
)


@settings(max_examples=int(os.environ.get("TUIREADER_FM_EXAMPLES", "200")), deadline=None)
@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=6))
def test_fast_front_matter_agrees_with_yaml(pairs):
    """The fast path answers only where it reads exactly what YAML reads."""
    import yaml

    from tuireader.ingest import _plain, _simple_front_matter

    raw = "".join(f"{k}: {v}\n" for k, v in pairs)
    fast = _simple_front_matter(raw)
    if fast is None:
        return
    try:
        slow = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise AssertionError(f"fast path accepted what YAML rejects: {raw!r}") from None
    assert fast == {k: _plain(v) for k, v in (slow or {}).items()}
