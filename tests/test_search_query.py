"""The query language, parsed directly: each field, ranges, phrases and negation, the
forms met while a query is still being typed, and malformed or hostile ones."""

from __future__ import annotations

import pytest

from tuireader.search.query import MAX_PAGE, MAX_QUERY_CHARS, normalise_date, parse, parse_date_range


def test_free_words_and_pinyin_runs():
    q = parse("数字法治 shuzi fazhi 改革")
    assert q.terms == ["数字法治", "shuzi fazhi", "改革"]
    assert not q.has_filters and not q.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [("by:陈卓", ["陈卓"]), ("by:陈 卓", ["陈"]), ("BY:陈卓 by:林晓峰", ["陈卓", "林晓峰"]), ("by:陳卓", ["陈卓"])],
)
def test_by(text, expected):
    q = parse(text)
    assert q.by == expected and not q.errors


def test_paper_is_folded_and_repeats_are_alternatives():
    q = parse("paper:人民日报 paper:ＮＹＴ paper:人民日报")
    assert q.paper == ["人民日报", "nyt"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("page:1", [1]), ("page:02", [2]), ("page:第2版", [2]), ("page:第12版 page:3", [12, 3]), ("page:２", [2])],
)
def test_page(text, expected):
    q = parse(text)
    assert q.page == expected and not q.errors


@pytest.mark.parametrize(
    "value", ["x", "0", "-1", "1.5", "第版", "999999999999999999999", str(MAX_PAGE + 1), "1" * 5000]
)
def test_a_page_that_is_no_page_number_is_an_error_not_a_crash(value):
    q = parse(f"page:{value}"[:MAX_QUERY_CHARS])
    assert q.page == [] and len(q.errors) == 1 and q.errors[0].startswith("page:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date:2025", ("2025", "2025")),
        ("date:2025-06", ("2025-06", "2025-06")),
        ("date:2025-6", ("2025-06", "2025-06")),  # padded
        ("date:2025/6/1", ("2025-06-01", "2025-06-01")),
        ("date:2025.06.01", ("2025-06-01", "2025-06-01")),
        ("date:2025-06-01..2025-07-15", ("2025-06-01", "2025-07-15")),
        ("date:2025-6-1..2025-7", ("2025-06-01", "2025-07")),
        ("date:1966..", ("1966", "9999")),
        ("date:..1976", ("0000", "1976")),
        ("date:2025..2024", ("2024", "2025")),  # written backwards: the same span
    ],
)
def test_date_prefix_and_range(text, expected):
    q = parse(text)
    assert q.dates == [expected] and not q.errors


@pytest.mark.parametrize("value", ["2025-13", "2025-00", "2025-06-32", "25", "2025-06-01x", "june", "2025..x"])
def test_a_date_that_is_not_one_is_an_error(value):
    q = parse(f"date:{value} ")
    assert q.dates == [] and len(q.errors) == 1 and q.errors[0].startswith("date:")


def test_date_helpers():
    assert normalise_date("2025-6-1") == "2025-06-01"
    assert normalise_date("2025-6-") is None
    assert parse_date_range("2025-", typing=True) == ("2025", "2025")
    assert parse_date_range("2025-", typing=False) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("kind:photo", ["photo"]), ("kind:brief kind:article", ["brief", "article"])]
)
def test_kind(text, expected):
    assert parse(text).kind == expected


def test_an_unknown_kind_is_an_error_once_typed():
    assert parse("kind:video ").errors == ["kind:video: use one of article, photo, brief, link"]
    assert parse("kind:ph").errors == []  # still being typed


def test_phrases_and_their_exclusion():
    q = parse('"香粽 龙舟" -"端午  节" “民俗文化” -龙舟 香粽')
    assert q.phrases == ["香粽 龙舟", "民俗文化"]
    assert q.excludes == ["端午 节", "龙舟"]  # -"phrase" excludes, it is not required
    assert q.terms == ["香粽"]


def test_an_unclosed_phrase_is_the_phrase_so_far():
    assert parse('数字 "法治改').phrases == ["法治改"]
    q = parse('数字 "')
    assert q.terms == ["数字"] and q.phrases == [] and not q.errors


def test_a_filter_cannot_be_negated():
    q = parse("数字 -date:2025")
    assert q.dates == [] and q.errors and q.errors[0].startswith("-date")


@pytest.mark.parametrize("text", ["数字 pa", "数字 pap", "数字 d", "数字 dat", "数字 k", "数字 by"])
def test_a_half_typed_field_name_at_the_end_is_left_out(text):
    q = parse(text)
    assert q.terms == ["数字"] and not q.errors


def test_a_finished_word_that_looks_like_a_field_name_is_kept():
    assert parse("数字 pa ").terms == ["数字", "pa"]  # typed on: it was a word
    assert parse("pa").terms == ["pa"]  # the whole query: pinyin
    assert parse("paper pa 数字").terms == ["paper pa", "数字"]  # not at the end


@pytest.mark.parametrize("text", ["数字 date:", "数字 paper:", "数字 -", "数字 page:", "数字 kind:", "数字 by:"])
def test_an_empty_field_or_a_lone_minus_is_nothing_yet(text):
    q = parse(text)
    assert q.terms == ["数字"] and not q.has_filters and not q.excludes and not q.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [("date:2025-", ("2025", "2025")), ("date:2025-06-01.", ("2025-06-01",) * 2),
     ("date:2025-06..2025-", ("2025-06", "2025"))],
)
def test_a_date_being_typed_is_read_as_far_as_it_goes(text, expected):
    q = parse(text)
    assert q.dates == [expected] and not q.errors


def test_a_separator_left_at_the_end_of_a_finished_query_is_an_error():
    assert parse("date:2025- ").errors


def test_filters_words_and_exclusions_combine():
    q = parse('数字法治 by:陈卓 paper:人民日报 page:1 date:2025-06 kind:photo "exact phrase" -word')
    assert (q.terms, q.by, q.paper, q.page, q.dates, q.kind, q.phrases, q.excludes) == (
        ["数字法治"], ["陈卓"], ["人民日报"], [1], [("2025-06", "2025-06")], ["photo"], ["exact phrase"], ["word"])


def test_folding_traditional_full_width_and_quotes():
    q = parse("數字鄉村 ＡＢＣ １９６６")
    assert q.terms == ["数字乡村", "abc", "1966"]


def test_a_word_with_a_colon_that_is_no_field_is_a_word():
    assert parse("10:30 http://x").terms == ["10:30", "http://x"]


def test_empty_and_blank_queries():
    for text in ("", "   ", "-", '""'):
        assert parse(text).empty


def test_a_query_over_the_cap_is_one_error_and_parsed_no_further():
    q = parse("date:2025 " * 1000)
    assert q.errors == [f"query too long (10000 characters; at most {MAX_QUERY_CHARS})"]
    assert q.dates == [] and q.empty
    assert not parse("字" * MAX_QUERY_CHARS).errors


def test_a_filter_repeated_within_the_cap_counts_once():
    q = parse("date:2025 " * 25)
    assert q.dates == [("2025", "2025")] and not q.errors
