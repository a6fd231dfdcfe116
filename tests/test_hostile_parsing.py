"""Hostile shapes of text that cost the parser time (issue 15, item 6).

Joining the lines of a paragraph, and the paragraphs a column end split, used to
copy the paragraph once a line: a million one-character lines took 74 s. The
timeouts below are hang guards far above what linear work needs (well under a
second here), and far below what the quadratic join took; the timings
themselves are in ``benchmarks/bench_lines.py``.
"""

from __future__ import annotations

from functools import reduce
from pathlib import PurePath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuireader.ingest import parse_text
from tuireader.ingest import patterns as P

MILLION = 1_000_000


@pytest.mark.timeout(20)
def test_a_paragraph_of_a_million_one_character_lines_is_one_paragraph():
    text = "\n".join("字" for _ in range(MILLION)) + "\n"  # 2 MB, no blank line
    parsed = parse_text(text, PurePath("long.txt"))
    (article,) = parsed.articles
    (block,) = article.blocks
    assert block.text == "字" * MILLION


@pytest.mark.timeout(20)
def test_a_run_of_a_million_ascii_lines_keeps_a_space_between_words():
    text = "\n".join("ab" for _ in range(MILLION)) + "\n"
    (article,) = parse_text(text, PurePath("long.txt")).articles
    (block,) = article.blocks
    assert block.text == " ".join(["ab"] * MILLION)


@pytest.mark.timeout(30)
def test_a_page_of_200000_column_breaks_is_joined_into_one_paragraph():
    """Page files: paragraphs that end mid-sentence run on into the next (column-end joining)."""
    piece = "数字法治改革推进政法智能化建设工作例会"
    text = "# 标题\n\n" + "\n\n".join(piece for _ in range(200_000)) + "\n"  # 12 MB
    parsed = parse_text(text, PurePath("01-要闻.txt"))
    assert parsed.layout == "page"
    (article,) = parsed.articles
    assert [b.text for b in article.blocks] == [piece * 200_000]


@pytest.mark.timeout(30)
def test_half_a_million_byline_lines_in_a_header_are_read_once_each():
    """The header's bylines were taken off the front of the body one at a time (a copy of the rest each)."""
    text = "# 标题\n\n" + "\n\n".join("> 本报记者 林晓" for _ in range(500_000)) + "\n\n正文。\n"
    (article,) = parse_text(text, PurePath("01-要闻.txt")).articles
    assert len(article.bylines) == 500_000
    assert [b.text for b in article.blocks] == ["正文。"]


def test_a_jump_marker_at_the_end_of_a_joined_paragraph_stops_the_join():
    """Only the end of the growing paragraph is looked at: a marker split over pieces still counts."""
    text = "# 头条\n\n本报讯 改革推进\n\n到第二阶段（下转\n\n第二版）\n\n后面的段落\n"
    (article,) = parse_text(text, PurePath("01-要闻.txt")).articles
    paragraphs = [b.text for b in article.blocks if b.type == "paragraph"]
    assert "后面的段落" in paragraphs
    assert not any(p.endswith("后面的段落") and len(p) > len("后面的段落") for p in paragraphs)


def test_column_end_joining_still_joins_and_keeps_apart():
    text = "# 头条\n\n本报讯 数字法治改革\n\n持续推进。\n\n第二段落开始，\n\n继续写下去。\n\nThe word\n\nsplit here.\n"
    (article,) = parse_text(text, PurePath("01-要闻.txt")).articles
    assert [b.text for b in article.blocks] == [
        "数字法治改革持续推进。",
        "第二段落开始，继续写下去。",
        "The word split here.",
    ]


_LINE = st.text(alphabet=st.sampled_from("ab1 字，。\xa0-"), min_size=0, max_size=6)


@given(st.lists(_LINE, min_size=1, max_size=30))
def test_join_lines_is_join_text_folded_over_the_lines(lines):
    folded = reduce(lambda left, right: P.join_text(left, right) if left else right, lines)
    assert P.join_lines(lines) == folded
