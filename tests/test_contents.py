"""The contents of a long archive, library side (``tuireader.contents``): years,
months and issues in the order shown, and where a ``:`` date leads."""

from __future__ import annotations

import pytest

from tuireader.contents import date_jump, group_issues, issue_order, parse_date_prefix, spans_years
from tuireader.model import Issue
from tuireader.store.config import ConfigError, load_config

# Library order (oldest first), two papers on one day, one undated folder.
ISSUES = [
    Issue("人民日报", "1946-05-16"),
    Issue("人民日报", "1946-05-17"),
    Issue("晋察冀日报", "1946-05-17"),
    Issue("人民日报", "1946-06-01"),
    Issue("人民日报", "1947-01-02"),
    Issue(None, None, title="散页"),
]


def test_newest_first_by_default_with_one_days_papers_and_undated_in_library_order():
    assert issue_order(ISSUES) == [4, 3, 1, 2, 0, 5]
    assert issue_order(ISSUES, newest_first=False) == [0, 1, 2, 3, 4, 5]


def test_groups_by_year_then_month():
    groups = group_issues(ISSUES)
    assert [(g.label, g.issue_count) for g in groups] == [("1947年", 1), ("1946年", 4), ("(undated)", 1)]
    assert [(m.label, m.issues) for m in groups[1].months] == [("1946年6月", [3]), ("1946年5月", [1, 2, 0])]
    assert groups[2].undated == [5]
    oldest = group_issues(ISSUES, newest_first=False)
    assert [m.label for g in oldest for m in g.months] == ["1946年5月", "1946年6月", "1947年1月"]


def test_spans_years():
    assert spans_years(ISSUES)
    assert not spans_years(ISSUES[:4])


@pytest.mark.parametrize(
    ("text", "prefix"),
    [("1946", "1946"), ("1946-05", "1946-05"), ("1946-5-16", "1946-05-16"), ("1946年5月", "1946-05"),
     ("1946年5月16日", "1946-05-16"), ("194605", "1946-05"), ("19460516", "1946-05-16"), ("1946.05.16", "1946-05-16"),
     ("1946-13", None), ("五月", None), ("", None)],
)
def test_date_prefixes(text, prefix):
    assert parse_date_prefix(text) == prefix


def test_date_jumps_take_a_year_a_month_or_a_day():
    assert date_jump(ISSUES, "1946") == 3  # the first shown of 1946, newest first
    assert date_jump(ISSUES, "1946", newest_first=False) == 0
    assert date_jump(ISSUES, "1946-05") == 1
    assert date_jump(ISSUES, "1946-05-17") == 1
    assert date_jump(ISSUES, "1946-05-20") == 1  # no issue that day: the nearest
    assert date_jump(ISSUES, "1950") == 4
    assert date_jump(ISSUES, "not a date") is None


def test_config_order(tmp_path):
    config = tmp_path / "config.yaml"
    assert load_config(config if config.exists() else None).newest_first is True
    config.write_text("order: oldest-first\n", encoding="utf-8")
    assert load_config(config).newest_first is False
    config.write_text("order: sideways\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="order"):
        load_config(config)
