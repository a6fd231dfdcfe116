"""Chinese line breaking: lines filled to the width, kinsoku rules, nothing lost."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, SEEDS, needs_corpus
from tuireader.text.linebreak import CLOSING, OPENING, break_lines, cell_width

WIDTHS = range(20, 101)
# Punctuation a reader must never see at the start / end of a line (the brief's lists).
NO_START = set("，。、；：？！）》」』”’…—,.;:?!)]}")
NO_END = set("（《「『“‘([{")

# Our own paragraphs, in the shapes of the sample and the corpus (invented text).
OWN_PARAGRAPHS = [
    "本报讯 3月12日,全市推进智慧交通建设现场会在江城召开。会议要求,要以更高标准、更实举措,"
    "加快建设“城市大脑+交通”综合平台,努力打造安全、便捷、绿色的出行环境。",
    "记者从市统计局获悉:2025年全市地区生产总值同比增长5.8%,其中第三产业增加值占比达到61.3%,"
    "比上年提高1.2个百分点(见表1)。",
    "“我们村的桃子今年卖到了北京、上海。”果农老周笑着说,“过去是‘愁卖’,现在是‘抢购’!”",
    "——打牢基础。重点是完善标准体系,推动数据共享;——突出重点。聚焦民生领域……"
    "——强化保障。落实资金、人才等要素支撑……",
    "新华社东京5月20日电 （记者林晓）日本政府20日发布的《经济财政白皮书》显示，"
    "受能源价格上涨影响，家庭实际消费支出连续3个月下降。",
    "在5G基站、AI大模型和IPv6规模部署的带动下,数字经济核心产业增加值突破1.2万亿元,"
    "详见https://example.org/report/2025/digital-economy-annual.html。",
    "他说：“要把‘小切口’做成‘大文章’，让群众看得见、摸得着、感受得到。”（完）",
    "Beijing Daily 北京日报 reports: the city will open 15 new metro stations in 2026, "
    "according to the municipal commission of transport.",
    "【关注】“十五五”开局之年，各地区各部门积极行动——“稳”字当头、“进”字为先。",
    "发布会上，有关负责人回答了记者提问。（下转第2版）",
]


def paragraphs_of(text: str) -> list[str]:
    """Blocks of a page file or Markdown body, markup kept: it is text too."""
    return [" ".join(b.split("\n")).strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def sample_paragraphs() -> list[str]:
    return paragraphs_of((SEEDS / "000_ed0fb2fcaee0006d.txt").read_text(encoding="utf-8"))


# --------------------------------------------------------------- the checks

_O = re.escape(OPENING)
_C = re.escape(CLOSING)
# The least that must move with the first character of a line, by the rules as a
# reader knows them: opening marks stay with what follows them, closing marks with
# what precedes them, a Latin word stays whole.  (A Latin word here may be longer
# than the line breaker's, which only makes the fill check more lenient.)
_UNIT_RE = re.compile(rf"(?:[{_O}] *)*(?:[A-Za-z0-9][^\s\u2e80-\uffff]*|.)(?: *[{_C}])*", re.S)


def check_conserved(text: str, lines: list[str]) -> None:
    """Characters read back in order; only spaces at line breaks (and the ends) are dropped."""
    pos = 0
    for i, line in enumerate(lines):
        while pos < len(text) and text[pos] == " ":  # spaces before or between lines
            pos += 1
        assert text.startswith(line, pos), (line, text[pos : pos + len(line)])
        if not line:  # only when the indent leaves no room for the first character
            assert i == 0 and len(lines) > 1
            continue
        assert line[0] != " " and line[-1] != " "
        pos += len(line)
    assert text[pos:].strip(" ") == ""
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def spaces_dropped_after(text: str, lines: list[str]) -> list[int]:
    out, pos = [], len(text) - len(text.lstrip(" "))
    for line in lines:
        pos += len(line)
        n = len(text) - pos - len(text[pos:].lstrip(" "))
        out.append(n)
        pos += n
    return out


def check_lines(text: str, lines: list[str], width: int, indent: int, max_slack: int | None = None):
    check_conserved(text, lines)
    dropped = spaces_dropped_after(text, lines)
    for i, line in enumerate(lines):
        avail = width - indent if i == 0 else width
        assert cell_width(line) <= avail, (width, line)
        if i > 0:
            assert line[0] not in NO_START, (width, lines[i - 1], line)
        if i < len(lines) - 1:
            assert line[-1] not in NO_END, (width, line, lines[i + 1])
            nxt = lines[i + 1]
            unit = _UNIT_RE.match(nxt).group()
            slack = avail - cell_width(line)
            # Greedy fill: what the rules let move up would not have fitted.
            assert slack < dropped[i] + cell_width(unit), (width, line, nxt)
            if max_slack is not None and not re.match(r"[A-Za-z0-9]{2}", unit.lstrip(OPENING)):
                assert slack <= max_slack, (width, slack, line, nxt)


# --------------------------------------------------------------- tests


def test_sample_at_every_width():
    paras = sample_paragraphs()
    assert len(paras) > 20
    for text in paras:
        for width in WIDTHS:
            check_lines(text, break_lines(text, width, indent=4), width, 4, max_slack=4)
            check_lines(text, break_lines(text, width), width, 0, max_slack=4)


def test_own_paragraphs_at_every_width():
    for text in OWN_PARAGRAPHS:
        for width in WIDTHS:
            check_lines(text, break_lines(text, width, indent=4), width, 4, max_slack=5)


def test_cjk_after_a_space_fills_the_line():
    # Stock wrapping moves the run after the space to the next line, leaving a half-empty line.
    text = "本报讯 6月5日,全省深化数字法治改革推进政法智能化建设工作例会在嘉兴召开。"
    lines = break_lines(text, 30)
    assert lines[0] == "本报讯 6月5日,全省深化数字法治"
    assert cell_width(lines[0]) == 30


def test_closing_punctuation_pulls_the_previous_character_down():
    # 10 characters fill 20 cells exactly; the comma may not start line 2, so 作 moves with it.
    text = "一二三四五六七八九作，十"
    assert break_lines(text, 20) == ["一二三四五六七八九", "作，十"]
    text = "一二三四五六七八九作,十"  # half-width comma, as the sample uses
    assert break_lines(text, 20) == ["一二三四五六七八九", "作,十"]


def test_opening_punctuation_moves_to_the_next_line():
    text = "一二三四五六七八九《人民日报》"
    lines = break_lines(text, 20)
    assert lines == ["一二三四五六七八九", "《人民日报》"]


@pytest.mark.parametrize("pair", ["——", "……"])
def test_dash_and_ellipsis_pairs_never_split(pair):
    text = ("二" * 7 + pair + "三") * 6
    for width in range(4, 40):
        lines = break_lines(text, width)
        for a, b in pairwise(lines):
            assert not (a.endswith(pair[0]) and b.startswith(pair[0])), (width, a, b)
            assert b[0] not in NO_START


def test_indent_narrows_only_the_first_line():
    text = "字" * 50
    lines = break_lines(text, 20, indent=4)
    assert [cell_width(x) for x in lines] == [16, 20, 20, 20, 20, 4]


def test_wide_character_leaves_one_cell_when_it_does_not_fit():
    assert [cell_width(x) for x in break_lines("字" * 10, 7)] == [6, 6, 6, 2]


def test_latin_words_stay_whole_and_long_ones_split():
    lines = break_lines("数字 economy 和 platform 建设", 12)
    assert "economy" in "".join(lines) and all("econom" not in x or "economy" in x for x in lines)
    assert all(("platform" in x) or ("plat" not in x) for x in lines)
    long_word = "https://example.org/" + "a" * 60
    lines = break_lines("见" + long_word + "。", 20)
    check_conserved("见" + long_word + "。", lines)
    assert all(cell_width(x) <= 20 for x in lines)
    assert cell_width(lines[0]) == 20  # the long word starts on the line it follows


def test_numbers_stay_whole():
    lines = break_lines("增长" * 6 + "2025年增长3.5%", 14)
    joined = "\n".join(lines)
    assert "2025" in joined.replace("\n", "|") and "3.5%" in joined.replace("\n", "|")
    assert not any(x.startswith("%") or x.startswith(".") for x in lines)


def test_only_break_point_spaces_are_dropped():
    text = "Beijing Daily  reports today"
    lines = break_lines(text, 8)
    assert lines == ["Beijing", "Daily", "reports", "today"]
    # Spaces inside a line are kept, as is every ideographic space.
    assert break_lines("a  b\u3000c", 20) == ["a  b\u3000c"]
    assert "".join(break_lines("字\u3000" * 20, 10)) == "字\u3000" * 20
    assert break_lines("  前后有空格  ", 40) == ["前后有空格"]


def test_degenerate_inputs():
    assert break_lines("", 10) == []
    assert break_lines("   ", 10) == []
    assert break_lines("中文", 1) == ["中", "文"]
    assert break_lines("，，，，，，", 4) == ["，，", "，，", "，，"]  # nothing else it can do
    assert break_lines("字", 0) == ["字"]


# --------------------------------------------------------------- properties

CJK = st.sampled_from(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处"
)
LATIN = st.text("abcdefghijklmnopqrstuvwxyzABC0123456789", min_size=1, max_size=8)
OPEN = st.sampled_from(list(OPENING))
CLOSE = st.sampled_from(list(CLOSING) + ["——", "……"])


@st.composite
def unit(draw):
    core = draw(st.one_of(CJK, CJK, CJK, LATIN, st.just("\u3000")))
    if core[0].isascii() and draw(st.booleans()):
        core = " " + core + " "  # Latin words between CJK usually carry spaces
    before = draw(OPEN) if draw(st.integers(0, 9)) == 0 else ""
    after = "".join(draw(st.lists(CLOSE, max_size=2))) if draw(st.integers(0, 4)) == 0 else ""
    return before + core + after


well_formed = st.lists(unit(), min_size=1, max_size=60).map("".join)


@given(well_formed, st.integers(16, 90), st.integers(0, 4))
@settings(max_examples=200, deadline=None)
def test_property_rules_hold_on_mixed_text(text, width, indent):
    check_lines(text, break_lines(text, width, indent), width, indent)


ANY = st.lists(
    st.one_of(
        st.sampled_from(list(OPENING + CLOSING) + [" ", " ", "\u3000", "😀", "👨\u200d👩", "e\u0301", "a", "1"]),
        CJK,
        st.characters(blacklist_categories=("Cs", "Cc")),
    ),
    max_size=300,
).map("".join)


@given(ANY, st.integers(1, 60), st.integers(0, 8))
@settings(max_examples=200, deadline=None)
def test_property_nothing_lost_and_lines_fit_on_any_text(text, width, indent):
    lines = break_lines(text, width, indent)
    check_conserved(text, lines)
    for i, line in enumerate(lines):
        avail = max(1, width - indent) if i == 0 else width
        if not line:
            assert i == 0 and cell_width(lines[1][:1]) > avail
            continue
        # Only a single character wider than the whole line may overflow it.
        assert cell_width(line) <= avail or len(line.rstrip("\u200d\ufe0f\u0301")) <= 1 or cell_width(line) <= 2


# --------------------------------------------------------------- the corpus


def corpus_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted((CORPUS / "people-daily").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        paras += paragraphs_of(body)
    for path in sorted((CORPUS / "xwlb").glob("*.md")):
        text = re.sub(r"<[^>]+>", "\n\n", path.read_text(encoding="utf-8"))
        paras += paragraphs_of(text)
    return paras


@needs_corpus()
def test_corpus_paragraphs():
    paras = corpus_paragraphs()
    assert len(paras) > 500
    for i, text in enumerate(paras):
        # Every width for the people-daily part would take minutes over xwlb too:
        # each paragraph gets a few widths, all of 20..100 covered across the corpus.
        for width in {20 + (i * 7) % 81, 20 + (i * 31 + 40) % 81, 100}:
            check_lines(text, break_lines(text, width, indent=4), width, 4)
