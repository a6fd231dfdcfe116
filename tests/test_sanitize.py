"""The sanitiser: article text comes out as visible data, never terminal control."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.text.sanitize import ESCAPE_SYMBOL, clean, clean_line

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_safe(out: str) -> None:
    for ch in out:
        assert unicodedata.category(ch) != "Cc", repr(out)
        assert ch not in BIDI, repr(out)
    assert "\x1b" not in out


# ------------------------------------------------------------ hostile examples


def test_clear_screen_is_removed_whole():
    assert clean("会议\x1b[2J召开") == f"会议{ESCAPE_SYMBOL}召开"


def test_title_setting_osc_leaves_no_payload():
    out = clean("标题\x1b]0;pwned\x07正文")
    assert out == f"标题{ESCAPE_SYMBOL}正文"
    assert "pwned" not in out


def test_osc_terminated_by_st():
    assert clean("a\x1b]0;pwned\x1b\\b") == f"a{ESCAPE_SYMBOL}b"


def test_osc52_clipboard_write_is_removed():
    out = clean("前\x1b]52;c;cm0gLXJmIH4=\x07后")
    assert out == f"前{ESCAPE_SYMBOL}后"
    assert "cm0g" not in out


def test_dcs_apc_pm_sos_strings_are_removed():
    for intro in ("\x1bP", "\x1b_", "\x1b^", "\x1bX"):
        out = clean(f"甲{intro}secret payload\x1b\\乙")
        assert out == f"甲{ESCAPE_SYMBOL}乙", intro


def test_eight_bit_csi_and_osc():
    assert clean("x\x9b2Jy") == f"x{ESCAPE_SYMBOL}y"
    assert clean("x\x9d0;pwned\x9cy") == f"x{ESCAPE_SYMBOL}y"


def test_unterminated_string_stops_at_line_end():
    out = clean("正文\x1b]0;pwned\n下一行")
    assert out == f"正文{ESCAPE_SYMBOL} 下一行"


def test_adjacent_sequences_leave_one_symbol():
    assert clean("a\x1b[1m\x1b[31m\x1b[2Jb") == f"a{ESCAPE_SYMBOL}b"


def test_lone_escape_at_end():
    assert clean("末尾\x1b") == f"末尾{ESCAPE_SYMBOL}"


def test_whitespace_controls_become_spaces():
    assert clean("a\tb\nc\r\nd\re\x0bf\x0cg\x85h\u2028i\u2029j") == "a b c d e f g h i j"


def test_other_controls_become_visible_pictures():
    assert clean("a\x00b\x07c\x7fd") == "a\u2400b\u2407c\u2421d"
    assert clean("a\x80b\x81c") == "a\ufffdb\ufffdc"


def test_bidi_overrides_are_removed():
    assert clean("用户\u202e名称\u202c结束") == "用户名称结束"
    assert clean("\u2066a\u2069\u200e\u200f\u061c") == "a"


def test_invisible_characters_that_hide_text_are_removed():
    assert clean("秘\u200b密\ufeff\u2060文\u00ad字") == "秘密文字"
    assert clean("用户" + HIDING_NOT_CF + "名") == "用户名"
    # Tag characters can smuggle ASCII invisibly.
    assert clean("ok\U000e0068\U000e0069") == "ok"


def test_kept_characters():
    text = "中\u3000文 👨\u200d👩\u200d👧 e\u0301 ❤\ufe0f"
    assert clean(text) == text


def test_markup_is_left_alone():
    text = "[bold red]警告[/] [@click=app.quit]点我[/] [link=https://x]链接[/link]"
    assert clean(text) == text


def test_clean_line_collapses_white_space():
    assert clean_line("  全省会议\t\u3000暨\n\n部署会 召开  ") == "全省会议 暨 部署会 召开"
    assert clean_line("a\x1b]0;t\x07\nb") == f"a{ESCAPE_SYMBOL} b"


def test_large_hostile_input_is_handled():
    # Dense controls take the whole-string translate path: same result as the per-run path.
    dense = "字\x01" * 5000
    assert clean(dense) == "字\u2401" * 5000
    many = "\x9d" * 100_000 + "\n文"  # unterminated strings: they end at the line end
    assert clean(many) == ESCAPE_SYMBOL + " 文"


# ------------------------------------------------------------ properties

hostile_chars = st.sampled_from(
    list("\x1b\x07\x9b\x9c\x9d\x90\x9e\x9f\x98\t\n\r\x00\x7f[]];\\0123PX^_c")
    + sorted(BIDI)
    + ["\u200b", "\ufeff", "\u3000", "中", "文", "，", "。", "a"]
)
any_text = st.one_of(
    st.text(),
    st.text(hostile_chars),
    st.lists(st.one_of(st.text(max_size=4), st.text(hostile_chars, max_size=6))).map("".join),
)


@given(any_text)
@settings(max_examples=300)
def test_output_has_no_controls_and_is_idempotent(s):
    out = clean(s)
    assert_safe(out)
    assert clean(out) == out
    line = clean_line(s)
    assert_safe(line)
    assert "\n" not in line and "  " not in line
    assert clean_line(line) == line


# Invisible characters the sanitiser removes although they are not in category Cf
# (Hangul fillers, the combining grapheme joiner, the tag block): they hide text.
HIDING_NOT_CF = "\u034f\u115f\u1160\u3164\uffa0"
visible = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"),
        blacklist_characters=HIDING_NOT_CF,
    ).filter(lambda c: not 0xE0000 <= ord(c) <= 0xE007F),
    max_size=200,
)


@given(visible)
@settings(max_examples=300)
def test_text_without_controls_is_unchanged(s):
    assert clean(s) == s


CONTROL_SHOWN_AS = {
    "\x1b[2J": ESCAPE_SYMBOL,
    "\x1b]0;pwned\x07": ESCAPE_SYMBOL,
    "\x1b]52;c;QUJD\x07": ESCAPE_SYMBOL,
    "\u202e": "",
    "\x00": "\u2400",
}


@given(st.lists(st.tuples(visible.filter(bool), st.sampled_from(sorted(CONTROL_SHOWN_AS)))))
@settings(max_examples=200)
def test_visible_text_around_controls_survives_in_order(pairs):
    s = "".join(v + c for v, c in pairs)
    assert clean(s) == "".join(v + CONTROL_SHOWN_AS[c] for v, c in pairs)


# ------------------------------------------------------------ the other sides of the boundary


def test_lone_surrogates_become_the_replacement_character():
    # What Python makes of bytes that are not UTF-8 (an argument, a file name).
    out = clean("法治\udcff\udcfe报")
    assert out == "法治\ufffd\ufffd报"
    out.encode("utf-8")


def test_error_line_is_one_printable_line():
    from tuireader.text.sanitize import error_line

    line = error_line(ValueError("no bookmark for\n id\x1b]0;PWNED\x07 \x9b31m\u202e"))
    assert "\n" not in line and line == "no bookmark for id␛ ␛"
    assert_safe(line)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20))
def test_json_text_is_the_same_data_valid_utf8_and_safe_to_print(data):
    import json

    from tuireader.text.sanitize import TERMINAL_UNSAFE_RE, json_text

    text = json_text(data)
    assert json.loads(text) == data  # the same data: escapes, nothing dropped
    text.encode("utf-8")  # lone surrogates are escaped too
    assert not TERMINAL_UNSAFE_RE.search(text)
    assert all(ch in "\n" or ch >= " " for ch in text)  # JSON escapes C0 itself
