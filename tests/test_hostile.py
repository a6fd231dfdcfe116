"""Hostile content: article text is data, never markup or terminal control, and no file
can hang the reader or exhaust its memory.

The corpus is built by ``tests/hostile.py`` at test time (markup, escape sequences, bidi
overrides, a 5 MB line, 100,000 headings, 10,000-level nesting, bad encodings, a sparse
1 GB file, YAML bombs) and pushed through the parsers, ``dump``, ``bookmarks``, ``search``,
the app (Pilot) and a real terminal (tmux). Timeouts are hang guards, not speed tests.

The sanitiser's own rules are tested in ``tests/test_sanitize.py``; the property tests
here check the widget side: what the article view, the contents list and the bookmarks
list put on the screen is the sanitiser's visible text, and never a control character.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tests import hostile as H
from tests.conftest import sync
from tests.e2e import Tmux, flat, isolated_env, tuireader_command
from tuireader.text.sanitize import clean

REPO = Path(__file__).resolve().parent.parent
#: Address space for a subprocess reading hostile files: far above what a reader needs,
#: far below what reading 1 GB (or expanding a YAML bomb) would take.
MEMORY_LIMIT = 1536 << 20

pytestmark = pytest.mark.timeout(300)




@pytest.fixture(scope="module")
def visible(tmp_path_factory) -> Path:
    """Pages a reader opens: markup, escapes, bidi; plus a bad file with an escape in its name."""
    root = tmp_path_factory.mktemp("hostile-visible")
    issue = H.visible_library(root)
    (issue / "坏\x1b]0;name\x07文件.txt").write_bytes(b"\x00\x01binary")
    return root


@pytest.fixture(scope="module")
def heavy(tmp_path_factory) -> Path:
    """Files that try to exhaust the reader (without the 100,000 headings: see its own test)."""
    root = tmp_path_factory.mktemp("hostile-heavy") / "2025-06-07"
    root.mkdir()
    H.huge_line(root)
    H.deep_quotes(root)
    H.sparse_gigabyte(root)
    H.front_matter_bomb(root)
    H.bad_encodings(root)
    H.escapes_page(root)
    return root.parent


def run_cli(*args: str, stdin: bytes = b"", timeout: float = 240, env: dict | None = None):
    """``tuireader ARGS`` in a subprocess whose memory is capped (a hang guard too)."""

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        tuireader_command(*args), input=stdin, capture_output=True, timeout=timeout, cwd=REPO,
        preexec_fn=cap_memory, env=env,
    )


def assert_no_control(text: str, where: str) -> None:
    bad = H.has_terminal_control(text)
    assert bad is None, f"{where} carries the terminal control {bad}"


# -- parsers and the library ---------------------------------------------------------------


def test_bad_files_are_skipped_with_a_reason_and_the_gigabyte_is_not_read(heavy):
    from tuireader.library import Library

    big = heavy / "2025-06-07" / "14-one-gigabyte.txt"
    assert big.stat().st_size == 1 << 30 and H.disk_usage(big) < 1 << 20  # sparse, as built
    lib = Library.open([heavy])
    reasons = {Path(p.path).name: p.reason for p in lib.problems}
    assert "too large" in reasons["14-one-gigabyte.txt"]
    for name in ("05-invalid-utf8.txt", "06-utf16-no-bom.txt", "07-truncated-gb18030.txt", "08-nul.txt",
                 "09-empty.txt", "10-only-controls.txt"):
        assert reasons.get(name), f"{name} was not reported"
    headlines = {lib.article(ref.id).headline for _i, _s, ref in lib.refs()}
    assert {"超长的一行", "嵌套引用", "炸弹文章"} <= headlines


def test_a_yaml_bomb_in_front_matter_is_not_expanded(heavy):
    from tuireader.library import Library

    lib = Library.open([heavy])
    bomb = next(lib.article(r.id) for _i, _s, r in lib.refs() if lib.article(r.id).headline == "炸弹文章")
    # Aliases are refused: the front matter is kept as text, not loaded (and never multiplied).
    assert not any(key.startswith("a") and key[1:].isdigit() for key in bomb.meta)
    dumped = json.dumps(bomb.to_dict(), ensure_ascii=False)
    assert len(dumped) < 100_000


def test_the_five_megabyte_line_and_deep_nesting_are_kept_whole_and_bounded(heavy):
    from tuireader.library import Library

    lib = Library.open([heavy])
    by_headline = {lib.article(r.id).headline: lib.article(r.id) for _i, _s, r in lib.refs()}
    huge = by_headline["超长的一行"]
    assert sum(len(b.text) for b in huge.blocks) > 1_500_000  # nothing lost, nothing refused
    nested = by_headline["嵌套引用"]
    assert any("最深处的一句话" in b.text for b in nested.blocks)


def test_dump_of_hostile_files_is_bounded_and_prints_no_terminal_control(heavy):
    for args in (("dump", str(heavy)), ("dump", "--json", str(heavy))):
        done = run_cli(*args)
        assert done.returncode == 0, done.stderr.decode()[-500:]
        out, err = done.stdout.decode(), done.stderr.decode()
        assert_no_control(out, f"{args} stdout")
        assert_no_control(err, f"{args} stderr")
        assert "Traceback" not in err
    data = json.loads(done.stdout)  # the JSON is still exact: escapes are JSON escapes
    texts = [b["text"] for i in data["issues"] for s in i["sections"] for a in s["articles"] for b in a["blocks"]]
    assert any(H.TERMINAL_ATTACKS["c1_csi"] in t for t in texts) or any("\x9b" in t for t in texts) or any(
        H.TERMINAL_ATTACKS["title"] in t for t in texts
    )


def test_a_file_of_100000_headings_is_read_within_bounds(tmp_path):
    H.many_headings(tmp_path)
    done = run_cli("check", str(tmp_path), timeout=280)  # parses every article once
    assert done.returncode == 0, done.stderr.decode()[-500:]
    # The library lists all of them without holding the bodies (memory capped as above).
    script = (
        "import sys; from pathlib import Path; from tuireader.library import Library\n"
        "refs = [r for _i, _s, r in Library.open([Path(sys.argv[1])]).refs()]\n"
        "print(len(refs), refs[-1].headline)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, timeout=280, cwd=REPO,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT)),
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert done.stdout.decode().split() == ["100000", "标题99999"]


def test_yaml_bombs_in_bookmarks_and_config_are_refused_quickly(tmp_path):
    bookmarks = H.bookmarks_bomb(tmp_path / "bookmarks.yaml")
    before = bookmarks.read_bytes()
    for args in (("bookmarks", "list", "--bookmarks", str(bookmarks)),
                 ("bookmarks", "export", "--format", "json", "--bookmarks", str(bookmarks)),
                 ("bookmarks", "import", str(bookmarks))):
        done = run_cli(*args, timeout=60)
        assert done.returncode != 0, args
        err = done.stderr.decode()
        assert len(err.strip().splitlines()) == 1 and "line" in err and "Traceback" not in err, err
    assert bookmarks.read_bytes() == before  # never overwritten

    config = H.config_bomb(tmp_path / "config.yaml")
    nested = tmp_path / "nested.yaml"
    nested.write_text("keymap:\n" + "".join(f"  {line}\n" for line in H.yaml_bomb().splitlines()), encoding="utf-8")
    for file in (config, nested):
        done = run_cli("--config", str(file), "dump", "--json", timeout=60)
        err = done.stderr.decode()
        assert done.returncode == 2 and str(file) in err and "Traceback" not in err, err

    from tuireader.store.state import StateStore

    state = tmp_path / "state.yaml"
    state.write_text(H.yaml_bomb() + "read: *a9\n", encoding="utf-8")
    store = StateStore(state).load()
    assert store.problem  # refused, kept as it is, not expanded
    assert state.read_text(encoding="utf-8").startswith("a0:")


# -- CLI output of the other commands ----------------------------------------------------------


def test_bookmarks_output_shows_markup_literally_and_no_controls(visible, isolated_dirs):
    from tuireader.library import Library

    lib = Library.open([visible])
    ids = [ref.id for _i, _s, ref in lib.refs()]
    for article_id in ids:
        done = run_cli("bookmarks", "add", article_id, str(visible), "--note", H.MARKUP + H.TERMINAL_ATTACKS["title"],
                       env=None)
        assert done.returncode == 0, done.stderr.decode()
        assert_no_control(done.stdout.decode(), "bookmarks add")
    outputs = {
        "list": run_cli("bookmarks", "list", str(visible)),
        "list --json": run_cli("bookmarks", "list", "--json", str(visible)),
        "export md": run_cli("bookmarks", "export", "--format", "md", str(visible)),
        "export yaml": run_cli("bookmarks", "export", "--format", "yaml", str(visible)),
        "export json": run_cli("bookmarks", "export", "--format", "json", str(visible)),
    }
    for what, done in outputs.items():
        assert done.returncode == 0, (what, done.stderr.decode())
        assert_no_control(done.stdout.decode(), f"bookmarks {what}")
    assert "[bold red]红色警告[/bold red]" in outputs["list"].stdout.decode()
    assert "[@click=app.quit]" in outputs["export md"].stdout.decode()


def test_search_output_shows_markup_literally_and_no_controls(visible):
    for query in ("红色警告", "终端标题测试"):
        done_json = run_cli("search", query, str(visible), "--json")
        assert done_json.returncode == 0, done_json.stderr.decode()
        assert_no_control(done_json.stdout.decode(), f"search {query} --json")
        done = run_cli("search", query, str(visible))
        assert done.returncode == 0, done.stderr.decode()
        assert_no_control(done.stdout.decode(), f"search {query}")
        if query == "红色警告":
            results = json.loads(done_json.stdout)["results"]
            assert results and "[bold red]" in results[0]["headline"]


# -- the app (Pilot) ------------------------------------------------------------------------------


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _ready(app, pilot) -> None:
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def _wait_for_text(app, pilot, text: str, tries: int = 100) -> str:
    for _ in range(tries):
        screen = screen_text(app)
        if text in screen:
            return screen
        await pilot.pause(0.05)
    raise AssertionError(f"{text!r} never showed:\n{screen}")


def assert_no_notice_interpreted(app) -> None:
    """Every notice so far is sanitised, and shows markup in it as text."""
    for notice in app._notifications:
        message = str(notice.message)
        assert_no_control(message, f"the notice {message!r}")
        assert not (notice.markup and "[" in message), f"a notice with article text is read as markup: {message!r}"


@sync
async def test_every_view_shows_markup_literally_and_no_terminal_control(visible, isolated_dirs):
    from tuireader.ui.app import ReaderApp

    app = ReaderApp([visible])
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot)
        # The problem notice is one line; the problems screen names the bad file (below).
        skipped = [str(n.message) for n in app._notifications if "skipped" in str(n.message)]
        assert skipped and "\x1b" not in skipped[0]
        seen = []
        for _ in range(4):
            if app.reader.current_article.headline == H.FRONT_HEADLINE:
                await pilot.press("o")  # the outline lists the subhead, as text
                outline = await _wait_for_text(app, pilot, "小标题")
                assert_no_control(outline, "the outline")
                assert "[red]小标题" in outline
                await pilot.press("escape")
                await pilot.pause()
            screen = screen_text(app)
            assert_no_control(screen, f"the screen showing {app.reader.current_article.headline!r}")
            seen.append(screen)
            await pilot.press("m")  # bookmark it: the notice and the bookmarks list show it too
            await pilot.pause()
            assert_no_notice_interpreted(app)
            await pilot.press("right_square_bracket")
            await pilot.pause()
        text = flat("\n".join(seen))
        assert flat("[bold red]红色警告[/bold red]") in text  # in the article and in the contents list
        assert flat("[@click=app.quit]点此退出[/]") in text
        assert flat("[link=https://evil.example/]恶意链接[/link]") in text
        assert H.ESCAPE_HEADLINE in text and H.BIDI_HEADLINE in text and H.FRONT_HEADLINE in text
        assert flat("[bold]晨报[/bold]") in text and flat("要闻[red]版[/red]") in text  # masthead, contents

        await pilot.press("exclamation_mark")  # the problems list names the file, escape made visible
        problems = await _wait_for_text(app, pilot, "坏")
        assert_no_control(problems, "the problems screen")
        await pilot.press("escape")
        await pilot.pause()

        # Clicking the would-be [@click=app.quit] does nothing: it is text.
        app.reader.open_article(next(ref.id for _i, _s, ref in app.reader.library.refs() if "点此退出" in ref.headline))
        await pilot.pause()
        rows = screen_text(app).splitlines()
        row = next(i for i, line in enumerate(rows) if "点此退出" in line)
        column = cell_len(rows[row][: rows[row].index("点此退出")])
        await pilot.click(offset=(column + 1, row))
        await pilot.pause()
        assert app.is_running

        await pilot.press("apostrophe")
        await pilot.pause()
        await pilot.pause()
        bookmarks = screen_text(app)
        assert_no_control(bookmarks, "the bookmarks screen")
        assert flat("[bold red]红色警告[/bold red]") in flat(bookmarks)
        assert H.ESCAPE_HEADLINE in flat(bookmarks)
    assert app.return_code in (None, 0)


@sync
async def test_search_results_and_snippets_show_markup_literally_and_no_control(visible, isolated_dirs):
    from tuireader.search import ensure_index
    from tuireader.ui.app import ReaderApp
    from tuireader.ui.screens.search import SearchScreen

    ensure_index([visible])
    app = ReaderApp([visible])
    async with app.run_test(size=(100, 30)) as pilot:
        await _ready(app, pilot)
        for query, expected in (("红色警告", "[bold red]红色警告[/bold red]"), ("改造工程", H.ESCAPE_HEADLINE),
                                ("小标题", H.FRONT_HEADLINE)):
            await pilot.press("slash")
            await _wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
            await pilot.press(*query)
            screen = await _wait_for_text(app, pilot, expected)
            assert_no_control(screen, f"the results for {query}")
            assert_no_notice_interpreted(app)
            await pilot.press("escape")
            await _wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen))
        assert app.is_running


async def _wait_for(pilot, predicate, tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there")


@sync
async def test_the_app_stays_responsive_on_the_heavy_files(heavy, isolated_dirs):
    from tuireader.ui.app import ReaderApp

    app = ReaderApp([heavy])
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        for _ in range(6):  # through every article, to the end of each
            await pilot.press("G")
            await pilot.pause()
            assert_no_control(screen_text(app), f"the end of {app.reader.current_article.headline!r}")
            await pilot.press("right_square_bracket")
            await pilot.pause()
        # The 5 MB line is set in full: its end (where 1,000 screen wipes became one ␛) is reachable.
        long_line = next(ref.id for _i, _s, ref in app.reader.library.refs() if ref.headline == "超长的一行")
        app.reader.open_article(long_line)
        await _wait_for_text(app, pilot, "长行没有换行符", tries=1200)
        await pilot.press("G")
        end = await _wait_for_text(app, pilot, "␛", tries=1200)
        assert_no_control(end, "the end of the 5 MB line")
        await pilot.press("exclamation_mark")  # the problems list names every skipped file
        problems = await _wait_for_text(app, pilot, "undecodable")
        assert_no_control(problems, "the problems screen")
        assert app.is_running


# -- a real terminal (tmux) ---------------------------------------------------------------------


def test_a_real_terminal_is_not_taken_over(visible, tmp_path):
    env = isolated_env(tmp_path / "home")
    with Tmux(tuireader_command(str(visible)), width=80, height=24, env=env) as term:
        # tmux keeps an OSC 52 clipboard write as a paste buffer when set-clipboard is on.
        term._tmux("set-option", "-s", "set-clipboard", "on")
        title_before = term.info("pane_title")["pane_title"]
        term.wait_for("点此退出", timeout=60)
        term.send("]")
        screen = term.wait_for(H.ESCAPE_HEADLINE)
        time.sleep(0.5)  # let any stray sequence land before looking
        screen = term.screen()
        assert "老城区的改造工程" in flat(screen)  # not wiped by \x1b[2J, not moved by cursor codes
        assert flat(screen.splitlines()[0]).startswith("2025-06-06")  # the masthead is still on top
        term.send("]")
        term.wait_for(H.BIDI_HEADLINE)
        info = term.info("pane_title")
        assert "pwned" not in info["pane_title"] and "c1title" not in info["pane_title"]
        assert info["pane_title"] == title_before
        buffers = term._tmux("list-buffers", check=False).stdout.decode()
        assert buffers.strip() == "", f"an OSC 52 clipboard write got through: {buffers!r}"
        term.send("q")
        assert term.wait_exit(timeout=20) == 0


# -- the widget side of the sanitiser (hypothesis) --------------------------------------------------

#: Text with everything hostile mixed in: controls, escapes, bidi, markup, CJK, spaces.
HOSTILE_PIECES = st.sampled_from(
    list(H.TERMINAL_ATTACKS.values())
    + [H.MARKUP, H.BIDI, "[", "]", "[/]", "\\[", "\u3000", "\u00ad", "\ufeff", "\u200b", "\r\n", "\t", "\x7f",
       "\x85", "\u2028"]
)
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=12)), max_size=12).map("".join)


def _visible(text: str) -> str:
    return "".join(text.split())


def _rendered(text) -> str:
    """What a Rich Text puts on the terminal: its segments' text, rendered as Textual does."""
    return "".join(segment.text for segment in text.render(_CONSOLE))


_CONSOLE = __import__("rich.console", fromlist=["Console"]).Console(width=200, color_system="truecolor")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kicker=HOSTILE_TEXT, headline=HOSTILE_TEXT, paragraph=HOSTILE_TEXT, caption=HOSTILE_TEXT, credit=HOSTILE_TEXT)
def test_the_article_view_shows_the_sanitised_text_and_no_control(kicker, headline, paragraph, caption, credit):
    from tuireader.model import Article, Block
    from tuireader.ui.widgets.article_view import ArticleView, layout_article

    article = Article(
        id="x", kicker=kicker, headline=headline, bylines=[credit],
        blocks=[Block(type="paragraph", text=paragraph), Block(type="caption", text=caption, credit=credit)],
    )
    view = ArticleView()
    view._layout = layout_article(article, 40)  # what show() sets, without a running app
    rendered = [(_rendered(view._line_text(line)), line.prefix) for line in view._layout.lines]
    assert_no_control("\n".join(text for text, _prefix in rendered), "the article view")
    # The text after each line's decoration (caption bar, indent), line after line.
    bodies = []
    for text, prefix in rendered:
        visible, decoration = _visible(text), _visible(prefix)
        assert visible.startswith(decoration)
        bodies.append(visible[len(decoration):])
    shown = "".join(bodies)
    for original in (kicker, headline, paragraph, caption, credit):
        # Every visible character of the sanitised text is on screen, in order, nothing interpreted.
        assert _visible(clean(original)) in shown


@settings(max_examples=150, deadline=None)
@given(headline=HOSTILE_TEXT, kicker=HOSTILE_TEXT, read=st.booleans(), bookmarked=st.booleans())
def test_the_contents_list_shows_the_sanitised_headline_and_no_control(headline, kicker, read, bookmarked):
    from tuireader.model import ArticleRef
    from tuireader.ui.widgets.nav import article_label

    ref = ArticleRef(id="x", kind="article", headline=headline, kicker=kicker)
    shown = _rendered(article_label(ref, read, bookmarked))
    assert_no_control(shown, "a contents row")
    assert _visible(clean(ref.title)) in _visible(shown)


@settings(max_examples=150, deadline=None)
@given(headline=HOSTILE_TEXT, note=HOSTILE_TEXT, tag=HOSTILE_TEXT, paper=HOSTILE_TEXT, missing=st.booleans())
def test_the_bookmarks_list_shows_the_sanitised_fields_and_no_control(headline, note, tag, paper, missing):
    from tuireader.store.bookmarks import Bookmark
    from tuireader.ui.screens.bookmarks import bookmark_label

    bookmark = Bookmark(
        article_id="x", headline=headline, paper=paper, note=note, tags=[tag], saved="2025-06-06T08:00:00+08:00"
    )
    shown = _rendered(bookmark_label(bookmark, missing))
    assert_no_control(shown, "a bookmarks row")
    for original in (headline, note, paper):
        assert _visible(clean(original)) in _visible(shown)


@settings(max_examples=150, deadline=None)
@given(headline=HOSTILE_TEXT, snippet=HOSTILE_TEXT, paper=HOSTILE_TEXT, data=st.data())
def test_search_result_rows_show_the_sanitised_text_and_no_control(headline, snippet, paper, data):
    from tuireader.search.engine import Result
    from tuireader.ui.screens.search import result_row

    def spans(text: str) -> list[tuple[int, int]]:
        points = st.integers(min_value=0, max_value=len(text))
        return data.draw(st.lists(st.tuples(points, points).map(sorted).map(tuple), max_size=3))

    result = Result(article_id="x", headline=headline, kicker=None, paper=paper, date="2025-06-06", page=1,
                    section=None, kind="article", score=1.0, snippet=snippet,
                    snippet_spans=spans(snippet), headline_spans=spans(headline))
    shown = _rendered(result_row(result))
    assert_no_control(shown, "a search result row")
    if not result.headline_spans and headline.strip():
        _assert_shown(_visible(clean(headline)), shown)
    if not result.snippet_spans:
        # The row folds the snippet's white space first (Python's notion, which takes
        # U+001C-U+001F and U+0085 for white space too: those go rather than show as symbols).
        _assert_shown(_visible(clean(" ".join(snippet.split()))), shown)


def _assert_shown(expected: str, shown: str) -> None:
    """The text is on the row as it is, whole, or cut with an ellipsis to fit the row's width."""
    visible = _visible(shown)
    if expected in visible:
        return
    assert "…" in shown, (expected, shown)
    assert expected[:4] in visible, (expected, shown)
