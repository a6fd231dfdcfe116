"""End to end: the real ``tuireader`` in tmux (80x24, and 160x50), driven by keys, read off the screen.

What a person would see: the sample's first headline, the photo item's caption and
its credit, a jump followed to its continuation on another page and back (on a
two-page fixture), on the sample the marker saying the continuation is not in the
library, and ``q`` handing back a clean shell.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, needs_corpus
from tests.e2e import Tmux, flat, isolated_env, tuireader_command

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
JUMP = FIXTURES / "jump"  # two pages of one issue: a story continued from page 1 on page 2

FIRST_HEADLINE = "全省深化数字法治改革推进政法智能化建设工作例会 暨政法工作数字化平台规范化建设部署会召开"
PHOTO_CAPTION_END = "考入心中理想的大学。"
PHOTO_CREDIT = "于江 摄"


@pytest.fixture
def env(tmp_path):
    return isolated_env(tmp_path / "home")


def reader(env, *paths: Path, **kw) -> Tmux:
    return Tmux(tuireader_command(*(str(p) for p in paths)), width=80, height=24, env=env, **kw)


def line_with(screen: str, text: str) -> str:
    for line in screen.splitlines():
        if flat(text) in flat(line):
            return line
    raise AssertionError(f"no line shows {text!r}:\n{screen}")


def test_sample_opens_on_its_first_headline(env):
    with reader(env, SEEDS) as term:
        screen = term.wait_for(FIRST_HEADLINE)
        assert "本报记者陈卓" in flat(screen)
        # 80 columns: the article takes the screen; nothing runs past the right edge.
        assert all(len(line) <= 80 for line in screen.splitlines())


def test_photo_item_shows_caption_and_right_aligned_credit(env):
    with reader(env, SEEDS) as term:
        term.wait_for(FIRST_HEADLINE)
        term.send("]")
        term.wait_for("全省法治公安建设工作会议")
        term.send("]")
        screen = term.wait_for(PHOTO_CREDIT)
        text = flat(screen)
        assert "“高粽”" in text
        assert PHOTO_CAPTION_END in text
        assert text.index(PHOTO_CAPTION_END) < text.index(flat(PHOTO_CREDIT))  # credit after the caption
        credit_line = line_with(screen, PHOTO_CREDIT)
        # Set to the right, not run into the caption: it ends near the right edge.
        assert credit_line.rstrip().endswith("摄")
        assert credit_line.index("于") > 40, credit_line


def test_sample_jump_says_continuation_not_in_library(env):
    with reader(env, SEEDS) as term:
        term.wait_for(FIRST_HEADLINE)
        term.send("G")  # the marker ends the article
        screen = term.wait_for("下转")
        marker = line_with(screen, "下转")
        assert "2版" in flat(marker)
        assert flat("not in this library") in flat(marker)  # LANG=C: the interface in English
        term.send("J")
        screen = term.wait_for("not available")
        # Still on the same article (the masthead counts it 1 of 3): nothing was opened.
        assert "1/3" in flat(screen.splitlines()[0])


def test_jump_followed_to_continuation_and_back(env):
    with reader(env, JUMP) as term:
        term.wait_for("老街巷里的新茶馆")
        term.send("G")
        screen = term.wait_for("下转")
        assert "library" not in flat(line_with(screen, "下转"))  # page 2 is here: a live link
        term.send("J")
        screen = term.wait_for("说起今后的打算")  # the continuation's text, on page 2
        text = flat(screen)
        assert "第2版" in text
        assert "上接" in text
        term.send("BSpace")
        screen = term.wait_for(lambda s: "说起今后的打算" not in flat(s) and "老街巷里的新茶馆" in flat(s),
                               what="the page-1 part again")
        assert "第1版" in flat(screen)


def test_q_leaves_a_clean_shell(env):
    with reader(env, SEEDS, shell=True) as term:
        term.wait_for(FIRST_HEADLINE)
        modes = term.info("alternate_on", "mouse_any_flag")
        assert modes["alternate_on"] == "1"  # the reader drew on the alternate screen
        term.send("q")
        screen = term.wait_for(term.at_prompt, what="the shell prompt again")
        assert flat(FIRST_HEADLINE)[:8] not in flat(screen)  # nothing of the reader left behind
        assert "Traceback" not in screen
        modes = term.info("alternate_on", "cursor_flag", "mouse_any_flag", "keypad_flag")
        assert modes == {"alternate_on": "0", "cursor_flag": "1", "mouse_any_flag": "0", "keypad_flag": "0"}, modes
        # The reader exited 0, and the terminal is sane again: typed text echoes, the shell runs it.
        term.type_text("echo status-$? done-$((40 + 2))")
        term.send("Enter")
        term.wait_for("status-0done-42")
        term.type_text("exit")
        term.send("Enter")
        assert term.wait_exit() == 0


def _background_codes(coloured: str) -> set[str]:
    """The background colours in use, as SGR parameters (48;5;N or 48;2;R;G;B)."""
    return set(re.findall(r"48;(?:5;\d+|2;\d+;\d+;\d+)", coloured))


def test_theme_switched_by_key_is_remembered(env):
    with reader(env, SEEDS) as term:
        term.wait_for(FIRST_HEADLINE)
        before = _background_codes(term.screen_with_colours())
        term.send("t")
        screen = term.wait_for("Theme:")
        theme = flat(line_with(screen, "Theme:")).split("Theme:")[1].rstrip("▌▐")
        term.wait_until_gone("Theme:")
        after = _background_codes(term.screen_with_colours())
        assert after != before  # the page really changed colour
        term.send("q")
        assert term.wait_exit() == 0
    with reader(env, SEEDS) as term:  # a new session, same state folder
        term.wait_for(FIRST_HEADLINE)
        term.wait_for(lambda s: _background_codes(term.screen_with_colours()) == after,
                      what=f"the {theme} colours again")


def test_terminal_theme_uses_the_terminals_own_palette(env):
    """--theme terminal: colours are the 16 ANSI codes the reader's terminal defines, no RGB."""
    with Tmux(tuireader_command("--theme", "terminal", str(SEEDS)), width=80, height=24, env=env) as term:
        term.wait_for(FIRST_HEADLINE)
        coloured = term.screen_with_colours()
        codes = set(re.findall(r"\x1b\[([0-9;]*)m", coloured))
        assert codes, "no colours or styles at all"
        assert not [c for c in codes if re.search(r"(^|;)[34]8;[25];", c)], codes  # no 256-colour or RGB
        # The subheadline is set in the palette's cyan, as the theme says.
        line = next(row for row in coloured.splitlines() if "王成国讲话" in row)
        assert "\x1b[36m" in line


def test_wide_terminal_shows_contents_beside_a_comfortable_column(env):
    """160x50: the contents pane sits beside the article, and the article's lines stop
    at a reading measure (80 cells, about 40 Chinese characters) instead of running on."""
    from tuireader.text.linebreak import cell_width

    with Tmux(tuireader_command(str(SEEDS)), width=160, height=50, env=env) as term:
        # The subheadline: a wrapped headline interleaves with the contents pane's rows.
        def side_by_side(screen: str) -> bool:  # contents and article on one row
            return "王成国讲话" in screen and any("第1版" in r and "全省深化" in r for r in screen.splitlines())

        screen = term.wait_for(side_by_side, what="the contents beside the article")
        rows = screen.splitlines()
        body = [row for row in rows if "本报讯" in row or "会议" in row]
        assert body
        for row in body:
            article_part = row.split("▕")[-1].strip()  # right of the contents pane
            assert cell_width(article_part) <= 84, article_part


def _reading_order(library: Path) -> list[tuple[int, str]]:
    """(page, headline) of every article, in reading order, as ``tuireader dump`` gives them."""
    out = subprocess.run([sys.executable, "-m", "tuireader", "dump", str(library), "--json"],
                         capture_output=True, check=True, timeout=60)
    issues = json.loads(out.stdout)["issues"]
    return [(section["number"], article["headline"] or article["kicker"] or "")
            for issue in issues for section in issue["sections"] for article in section["articles"]]


def _walk_every_article(env, library: Path) -> None:
    order = _reading_order(library)
    assert len(order) > 1
    with reader(env, library) as term:
        for index, (page, headline) in enumerate(order):
            if index:
                term.send("]")
            # Headline and page are on screen; the masthead counts the article.
            screen = term.wait_for(lambda s, headline=headline, page=page:
                                   flat(headline)[:12] in flat(s) and f"第{page}版" in s.splitlines()[0],
                                   what=f"article {index + 1}: {headline!r} on page {page}")
        term.send("]")
        term.wait_for("No more articles")
        assert flat(order[-1][1])[:12] in flat(screen)


def test_every_article_reached_by_keys_alone(env):
    _walk_every_article(env, JUMP)


@needs_corpus()
def test_every_people_daily_article_reached_by_keys_alone(env):
    _walk_every_article(env, CORPUS / "people-daily")
