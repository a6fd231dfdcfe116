"""The People's Daily 1946–2003 archive layout (``tuireader.ingest.rmrb``).

Checked over every file of ``../shared/corpus/rmrb`` against what the raw lines
say (read here with plain string handling, not the parser), and over our own
fixtures in ``tests/fixtures/rmrb`` for the cases the corpus lacks (a cut title,
a named page, a column, section headings with oddities).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

import pytest

from tests.conftest import CORPUS, FIXTURES, needs_corpus
from tuireader.ingest import IngestError, parse_bytes, parse_file, parse_text
from tuireader.model import Article

RMRB_CORPUS = CORPUS / "rmrb"
RMRB_FIXTURES = FIXTURES / "rmrb"


def corpus_files() -> list[Path]:
    return sorted((RMRB_CORPUS / "1946年05月").glob("*.md"))


def fixture(name_start: str) -> Path:
    (path,) = [p for p in (RMRB_FIXTURES / "1946年05月").glob("*.md") if p.name.startswith(name_start)]
    return path


def printed_lines(art: Article) -> list[str]:
    """The body as printed, one line a block: a dateline runs into its paragraph."""
    out: list[str] = []
    pending = ""
    for b in art.blocks:
        if b.type == "dateline":
            pending = b.text
            continue
        out.append(pending + b.text)
        pending = ""
    if pending:
        out.append(pending)
    return out


class corpus_articles(dict):
    """The corpus's articles, looked up by the start of their file name."""

    def __init__(self) -> None:
        super().__init__((p.name, parse_file(p, RMRB_CORPUS).articles[0]) for p in corpus_files())

    def __getitem__(self, start: str) -> Article:
        (found,) = [art for name, art in self.items() if name.startswith(start)]
        return found


def raw_lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n")


# ------------------------------------------------------------ the corpus


@needs_corpus()
def test_every_corpus_file_is_read_as_this_layout_with_its_head_right():
    files = corpus_files()
    assert len(files) == 43
    for path in files:
        raw = raw_lines(path)
        parts = raw[0][4:].split("  ")
        parsed = parse_file(path, RMRB_CORPUS)
        (art,) = parsed.articles
        assert parsed.layout == "rmrb", path.name
        assert parsed.paper == "人民日报"
        assert parsed.date == raw[2] == path.name[:10]
        assert parsed.page == int(re.match(r"第(\d+)版", raw[3]).group(1))
        assert parsed.section_name is None  # the brackets are empty throughout May 1946
        # No title of the corpus is cut: the echo holds line 1's parts.
        assert art.headline == parts[0], path.name
        assert art.subheadlines == parts[1:], path.name
        assert art.bylines == ([raw[1]] if raw[1] else [])


@needs_corpus()
def test_every_corpus_body_line_is_one_paragraph_and_the_echo_is_not_repeated():
    for path in corpus_files():
        raw = raw_lines(path)
        parts = raw[0][4:].split("  ")
        author = raw[1]
        body = [line.strip() for line in raw[6 + len(parts):] if line.strip()]
        if author and body and body[0] == author:
            body = body[1:]  # the author echoed under the headline
        art = parse_file(path, RMRB_CORPUS).articles[0]
        assert printed_lines(art) == body, path.name
        # A block's text never carries the indent or the line end.
        assert all(b.text == b.text.strip() and "\r" not in b.text for b in art.blocks)
        assert art.headline not in [b.text for b in art.blocks]


@needs_corpus()
def test_datelines_open_dispatches_as_printed():
    by_name = corpus_articles()
    art = by_name["1946-05-16_解放区新闻记者"]
    assert [b.type for b in art.blocks] == [
        "dateline", "paragraph", "paragraph", "paragraph", "paragraph", "signature", "dateline", "paragraph"
    ]
    assert [b.text for b in art.blocks if b.type == "dateline"] == ["【新华社延安十二日电】", "【新华社邯郸十二日电】"]
    assert art.blocks[1].text.startswith("解放区新闻记者联合会为抗议")
    mail = by_name["1946-05-16_边区邮务发展_邮务职工"]
    assert [b.text for b in mail.blocks if b.type == "dateline"] == ["【新华社晋冀鲁豫总分社讯】", "【又讯】"]
    # 又讯： without brackets is text, not a dateline.
    memorial = by_name["1946-05-16_纪念先烈勋功伟绩_邯郸"]
    assert [b.type for b in memorial.blocks] == ["dateline", "paragraph", "paragraph"]
    assert memorial.blocks[0].text == "【本市讯】"


@needs_corpus()
def test_section_headings_and_signatures_in_the_corpus():
    by_name = corpus_articles()
    loans = by_name["1946-05-17_邯郸的贫民贷款"]
    subheads = [b.text for b in loans.blocks if b.type == "subhead"]
    assert subheads == ["一根木梁", "新的问题", "民主评议和小组长", "再进一步"]
    assert loans.bylines == ["吴象"]
    assert loans.merged == ["byline echoed in the body: 吴象"]
    greetings = by_name["1946-05-16_致本报贺电一束"]
    signatures = [b.text for b in greetings.blocks if b.type == "signature"]
    assert signatures == ["冀南区党委  五月九日", "中共冀鲁豫区党委敬贺"]
    culture = by_name["1946-05-17_文化界的祝贺"]
    assert culture.meta == {"column": "文化界的祝贺"}
    assert [b.type for b in culture.blocks] == ["paragraph", "paragraph", "signature", "paragraph", "paragraph"]


# ------------------------------------------------------------ our fixtures


def test_fixture_dispatches_signature_and_mixed_line_ends():
    path = fixture("1946-05-18_河滩")
    assert b"\r\n" in path.read_bytes() and b"\n    " in path.read_bytes()
    parsed = parse_file(path, RMRB_FIXTURES)
    (art,) = parsed.articles
    assert (parsed.paper, parsed.date, parsed.page, parsed.section_name) == ("人民日报", "1946-05-18", 1, None)
    assert art.headline == "河滩村民合力修堤"
    assert art.subheadlines == ["赶在汛期以前完工"]
    assert art.bylines == []
    assert [(b.type, b.text[:8]) for b in art.blocks] == [
        ("dateline", "【新华社河滩十六"),
        ("paragraph", "河滩一带村民三千"),
        ("paragraph", "堤上每日有民夫轮"),
        ("dateline", "【又讯】"),
        ("paragraph", "下游各村亦已组织"),
        ("dateline", "【本市讯】"),
        ("paragraph", "本市各界昨日集会"),
        ("signature", "河滩县修堤委员会"),
    ]
    assert art.blocks[-1].text == "河滩县修堤委员会  五月十五日"


def test_fixture_feature_subheads_author_echo_and_period_oddities():
    art = parse_file(fixture("1946-05-18_纺车"), RMRB_FIXTURES).articles[0]
    assert art.headline == "纺车转起来了" and art.subheadlines == []
    assert art.bylines == ["林石"]
    assert [b.type for b in art.blocks] == ["subhead", "paragraph", "paragraph", "subhead", "paragraph", "paragraph"]
    texts = "".join(b.text for b in art.blocks)
    assert "１２两" in texts and "××年" in texts and "二百○五斤" in texts
    assert "林石" not in texts


def test_fixture_cut_title_takes_the_echo_up_to_the_first_sentence():
    art = parse_file(fixture("1946-05-18_某县"), RMRB_FIXTURES).articles[0]
    assert art.headline == "某县举行春耕动员大会"
    assert art.subheadlines == ["各村互助组订立生产计划并展开竞赛", "——记者在田间所见"]
    assert art.blocks[0].type == "dateline"
    assert printed_lines(art)[0].startswith("【新华社某县十五日电】某县昨日")


def test_cut_title_echo_ends_at_sentence_punctuation():
    text = (
        "### 很长的头题\r\n\r\n1950-01-02\r\n第3版()\n专栏：\n\n"
        "\u3000\u3000很长的头题被截断了\n    副题一行\n    这一行是正文。说完了。\n    又一段正文\r\n"
    )
    art = parse_text(text, PurePath("1950年01月/1950-01-02_很长的头题.md")).articles[0]
    assert art.headline == "很长的头题被截断了"
    assert art.subheadlines == ["副题一行"]
    assert printed_lines(art) == ["这一行是正文。说完了。", "又一段正文"]


def test_fixture_named_page_and_column():
    parsed = parse_file(fixture("1946-05-18_读者来信"), RMRB_FIXTURES)
    (art,) = parsed.articles
    assert (parsed.page, parsed.section_name) == (4, "副刊")
    assert art.meta == {"column": "读者之声"}
    assert [b.type for b in art.blocks] == ["paragraph", "signature"]


def test_a_title_line_with_no_echo_keeps_its_parts():
    text = "### 头题  副题\n作者\n1960-03-04\n第1版()\n专栏：\n\n    正文第一段。\n    正文第二段。\n"
    art = parse_text(text, PurePath("a.md")).articles[0]
    assert (art.headline, art.subheadlines, art.bylines) == ("头题", ["副题"], ["作者"])
    assert printed_lines(art) == ["正文第一段。", "正文第二段。"]


def test_title_lists_are_recognised_and_not_read_as_articles():
    data = "1946-05-15 人民日报创刊词\n1946-05-15 本报启事\n1946-05-16 致本报贺电一束\n".encode()
    with pytest.raises(IngestError, match="list of titles"):
        parse_bytes(data, PurePath("dir/1946年05月.md"))


def test_a_head_without_title_or_text_is_not_an_article():
    with pytest.raises(IngestError, match="no articles"):
        parse_text("### \n\n1946-05-16\n第1版()\n专栏：\n\n", PurePath("a.md"))


def test_other_markdown_is_not_taken_for_this_layout():
    text = "### 小标题\n\n1946-05-16\n\n正文。\n"
    assert parse_text(text, PurePath("a.md")).layout != "rmrb"


# ------------------------------------------------------------ paper, and how it is shown


def test_paper_is_the_configured_one_for_that_library_path(tmp_path, capsys):
    import json
    import shutil

    from tuireader.cli import main

    named, plain = tmp_path / "named", tmp_path / "plain"
    for folder in (named, plain):
        shutil.copytree(RMRB_FIXTURES, folder)
    config = tmp_path / "config.yaml"
    config.write_text("papers:\n  named: 晋察冀日报\n", encoding="utf-8")
    try:
        assert main(["dump", "--json", "--config", str(config), str(named), str(plain)]) == 0
    finally:
        from tuireader.ingest import rmrb

        rmrb.set_papers({})
    out = json.loads(capsys.readouterr().out)
    papers = {(s["sources"][0].split("/")[0], i["paper"]) for i in out["issues"] for s in i["sections"]}
    assert papers == {("1946年05月", "晋察冀日报"), ("1946年05月", "人民日报")}
    by_paper = {i["paper"] for i in out["issues"]}
    assert by_paper == {"晋察冀日报", "人民日报"}


def test_the_article_view_sets_datelines_as_leads_and_signatures_on_the_right():
    from tuireader.ui.widgets.article_view import layout_article

    art = parse_file(fixture("1946-05-18_河滩"), RMRB_FIXTURES).articles[0]
    layout = layout_article(art, 40)
    leads = [p for p in layout.pieces if p.lead]
    assert [p.text[: p.lead] for p in leads] == ["【新华社河滩十六日电】", "【又讯】", "【本市讯】"]
    assert leads[1].text == "【又讯】下游各村亦已组织护堤队，共计四十余队。"
    (signature,) = [p for p in layout.pieces if p.text == "河滩县修堤委员会  五月十五日"]
    assert signature.align == "right"
    assert any(line.align == "right" and layout.pieces[line.piece] is signature for line in layout.lines)
