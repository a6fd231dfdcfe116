"""``tuireader.store.yamlsafe``: YAML read without surprises (the config, themes, state
and bookmarks readers all use it)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tuireader.store import yamlsafe
from tuireader.store.yamlsafe import Refused, load

ORDINARY = """\
theme: newsprint
measure: 72
mouse: false
when: 2026-01-02 08:30:00
day: 2026-01-02
ratio: 0.5
empty:
library:
  - ~/papers
  - "/srv/报纸"
keymap: {next_article: "j,down", 'quit': q}
block: |
  两行
  文字
"""


def test_an_ordinary_file_reads_as_yaml_safe_load_reads_it():
    assert load(ORDINARY) == yaml.safe_load(ORDINARY)
    assert load("") is None and load("# only a comment\n") is None
    assert load("- 1\n- '1'\n- yes\n") == [1, "1", True]


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: 1\nb: 2\na: 3\n", 3),
        ("outer:\n  inner:\n    k: 1\n    k: 2\n", 4),
        ("- {x: 1, x: 2}\n", 1),
        ("version: 1\nbookmarks: []\nversion: 1\nbookmarks: []\n", 3),
    ],
)
def test_a_key_written_twice_in_one_mapping_is_refused_with_its_line(text, line):
    with pytest.raises(Refused) as caught:
        load(text)
    assert "twice" in str(caught.value.problem)
    assert caught.value.problem_mark.line + 1 == line


def test_equal_keys_in_different_mappings_and_keys_of_different_types_are_fine():
    assert load("a: {k: 1}\nb: {k: 2}\n") == {"a": {"k": 1}, "b": {"k": 2}}
    assert load("1: int\n'1': str\n") == {1: "int", "1": "str"}


def test_nesting_deeper_than_the_limit_is_refused_before_it_costs_anything():
    assert load("[" * 64 + "]" * 64) is not None
    for text in ("[" * 65 + "]" * 65, "".join("  " * i + "k:\n" for i in range(500)), "[" * 100_000):
        with pytest.raises(yaml.YAMLError):
            load(text)


@pytest.mark.parametrize("text", ["n: " + "1" * 5000, "t: 2026-13-45 25:00:00", "t: 2026-02-30"])
def test_numbers_too_long_and_impossible_dates_are_refused_with_their_line(text):
    with pytest.raises(Refused) as caught:
        load("ok: 1\n" + text + "\n")
    assert caught.value.problem_mark.line + 1 == 2


def test_aliases_are_refused_unless_allowed_and_then_shared_not_copied():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
    )
    with pytest.raises(Refused, match="aliases"):
        load(bomb)
    data = load(bomb, allow_aliases=True)  # 10**9 leaves if copied; shared, it costs its text
    assert data["i"][0] is data["i"][1] and data["b"][0] is data["a"]
    with pytest.raises(Refused, match="anchor"):
        load("a: &a [1, *a]\n", allow_aliases=True)  # a structure that holds itself
    with pytest.raises(Refused, match="anchor"):
        load("a: *nowhere\n", allow_aliases=True)


def test_a_second_document_is_refused():
    with pytest.raises(Refused, match="document"):
        load("a: 1\n---\nb: 2\n")


def test_describe_gives_the_line_and_the_problem():
    with pytest.raises(yaml.YAMLError) as caught:
        load("a: 1\nb: [\n")
    line, problem = yamlsafe.describe(caught.value)
    assert line is not None and line >= 2 and problem


def test_the_constructor_still_builds_dates():
    assert load("d: 2026-01-02 08:30:00")["d"] == dt.datetime(2026, 1, 2, 8, 30)
