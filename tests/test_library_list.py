"""The navigation pane for large archives (LibraryList), through Pilot, on a
generated library of a few thousand articles and on a small fixture of our own."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from tests.conftest import sync
from tuireader.contents import group_issues, issue_order
from tuireader.library import Library
from tuireader.model import ArticleRef, Issue, Section
from tuireader.ui.widgets.library_list import ISSUE, MONTH, YEAR, DatePrompt, LibraryList
from tuireader.ui.widgets.nav import EXPAND_ALL_LIMIT, ArticleChosen

REPO = Path(__file__).resolve().parent.parent
N_ARTICLES = 3000  # above EXPAND_ALL_LIMIT: the pane starts folded




def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Library:
    """A generated library (both layouts, several papers and years), opened without a catalogue."""
    dest = tmp_path_factory.mktemp("big")
    _generator().generate_library(dest, N_ARTICLES, seed=7)
    library = Library.open([dest], use_catalogue=False)
    assert len(library) >= N_ARTICLES > EXPAND_ALL_LIMIT
    return library


def small_issues() -> list[Issue]:
    """Three issues of our own: two dated, one undated."""

    def section(tag: str, number: int, name: str, titles: list[str], kinds: list[str] | None = None) -> Section:
        kinds = kinds or ["article"] * len(titles)
        refs = [
            ArticleRef(id=f"{tag}-{number}-{i}", headline=title, kind=kind)
            for i, (title, kind) in enumerate(zip(titles, kinds, strict=True))
        ]
        return Section(number=number, name=name, articles=refs)

    return [
        Issue("山城晚报", "2024-12-30", [section("a", 1, "要闻", ["冬至饺子香", "江边夜市开张"])]),
        Issue(
            "山城晚报",
            "2025-03-08",
            [
                section("b", 1, "要闻", ["春茶开采", "早春"], ["article", "photo"]),
                section("b", 2, "城事", ["[bold red]老街\x1b]0;pwned\x07新茶馆"]),
            ],
        ),
        Issue(None, None, [section("c", 1, "", ["无日期的稿件"])]),
    ]


class Host(App[None]):
    """A bare app holding only the pane; records what it posts."""

    def __init__(self, issues: list[Issue], read: set[str] | None = None, locate=None) -> None:
        super().__init__()
        self.issues = issues
        self.locate = locate
        self.read: set[str] = read if read is not None else set()
        self.bookmarked: set[str] = set()
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield LibraryList(id="nav")

    def marks(self, article_id: str) -> tuple[bool, bool]:
        return article_id in self.read, article_id in self.bookmarked

    def on_mount(self) -> None:
        nav = self.query_one(LibraryList)
        nav.load(self.issues, self.marks, locate=self.locate)
        nav.focus()

    def on_article_chosen(self, message: ArticleChosen) -> None:
        self.chosen.append(message.article_id)

    @property
    def nav(self) -> LibraryList:
        return self.query_one(LibraryList)


def screen_lines(app: App) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await pilot.pause()


def visible(nav: LibraryList) -> range:
    top = int(nav.scroll_y)
    return range(top, top + nav.scrollable_content_region.height)


# -- a small library: everything open, marks, sanitising ---------------------------


@sync
async def test_small_library_is_expanded_with_marks_and_counts():
    issues = small_issues()
    app = Host(issues, read={"a-1-0"})
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        nav = app.nav
        # Two years and the undated, two months, every issue, section and article, newest first.
        assert nav.row_count == 3 + 2 + 3 + 4 + 6
        assert [nav.row_text(n) for n in range(nav.row_count) if not nav.row_text(n).startswith(" ")] == [
            "▾ 2025  1 issue, 3 unread", "▾ 2024  1 issue, 1 unread", "▾ Undated  1 issue, 1 unread"]
        text = "\n".join(screen_lines(app))
        assert "    ▾ 山城晚报 2024-12-30  1" in text  # one of its two articles unread
        assert "第2版 城事" in text
        assert "• ▣ 早春" in text  # unread mark, then the photo mark
        assert "冬至饺子香" in text and "• 冬至饺子香" not in text  # read: no unread mark
        # Article text is data: markup shows literally, escapes never reach the terminal.
        assert "[bold red]老街" in text and "\x1b" not in text and "pwned\x07" not in text
        assert "(undated)" in text


@sync
async def test_marks_and_unread_counts_follow_the_reading_state():
    issues = small_issues()
    app = Host(issues)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        nav = app.nav
        assert nav.unread_count(1) == 3 and nav.unread_count(1, 0) == 2
        app.read |= {"b-1-0", "b-1-1"}  # both articles of the second issue's page 1
        app.bookmarked.add("b-2-0")
        nav.refresh_marks(["b-1-0", "b-1-1", "b-2-0"])
        await pilot.pause()
        assert nav.unread_count(1, 0) == 0
        text = "\n".join(screen_lines(app))
        assert "★ [bold red]老街" in text
        # Everything, as after a theme change.
        app.read.clear()
        nav.refresh_marks()
        await pilot.pause()
        assert nav.unread_count(1) == 3


# -- a generated library of a few thousand articles ---------------------------------


@sync
async def test_a_library_within_one_year_has_no_year_rows_and_lists_the_newest_first():
    issues = [Issue("山城晚报", "2025-01-02", [Section(1, "要闻", articles=[ArticleRef("n-1", "新年")])])]
    issues += small_issues()[1:]  # 2025-03-08 and an undated issue
    for newest_first, order in ((True, ["2025-03-08", "2025-01-02", "(undated)"]),
                                (False, ["2025-01-02", "2025-03-08", "(undated)"])):
        app = Host(issues)
        async with app.run_test(size=(50, 16)) as pilot:
            await pilot.pause()
            nav = app.nav
            nav.load(issues, app.marks, newest_first=newest_first)
            await pilot.pause()
            assert not nav.grouped
            shown = [nav.row_text(n) for n in range(nav.row_count)]
            tops = [row for row in shown if not row.startswith(" ")]
            assert [row.split("  ")[0].split(" ")[-1] for row in tops] == order
            assert shown[shown.index("▾ 山城晚报 2025-03-08  3") + 1] == "  ▾ 第1版 要闻  2"  # today's look
            # ':' with a month or a day leads to the issue itself; a year to its first issue shown.
            assert nav.jump_to_date("2025-01") and nav.row_text(nav.cursor_line) == "▾ 山城晚报 2025-01-02  1"
            assert nav.jump_to_date("2025年3月8日") and nav.cursor_issue.date == "2025-03-08"
            assert nav.jump_to_date("2025") and nav.cursor_issue.date == order[0]


@sync
async def test_large_library_starts_folded_by_year_and_opens_groups_lazily(big):
    app = Host(big.issues)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        issues = big.issues
        groups = group_issues(issues)
        assert nav.grouped and len(groups) > 1
        assert nav.row_count == len(groups)  # one row per year, nothing more
        newest = groups[0]
        months = newest.months
        assert nav.row_text(0) == f"▸ {newest.year}  {newest.issue_count} issues, " + (
            f"{sum(issues[n].article_count for m in months for n in m.issues):,} unread")
        await press(pilot, "enter")  # the year: its months, newest first
        assert nav.row_count == len(groups) + len(months)
        assert nav.row_text(1).startswith(f"  ▸ {months[0].year}-{months[0].month}  ")
        await press(pilot, "j", "l")  # the month: its issues, newest first
        first = issues[months[0].issues[0]]
        assert nav.row_count == len(groups) + len(months) + len(months[0].issues)
        assert nav.row_text(2) == f"    ▸ {first.label}  {first.article_count}"
        await press(pilot, "j", "enter")  # the issue: its pages
        assert nav.row_text(3).startswith("      ▸ 第1版")
        await press(pilot, "j", "enter")  # page 1: its articles
        page = first.sections[0]
        assert nav.row_text(4).strip().lstrip("•▣★ ") == page.articles[0].title
        await press(pilot, "j", "enter")  # Enter on an article opens it
        assert app.chosen == [page.articles[0].id]
        await press(pilot, "left")  # back up to the page, then fold it
        assert nav.cursor_line == 3
        await press(pilot, "left")
        assert nav.row_count == len(groups) + len(months) + len(months[0].issues) + len(first.sections)
        await press(pilot, "h", "h")  # a folded page: up to the issue; fold it
        assert nav.cursor_row[1] == ISSUE and nav.row_count == len(groups) + len(months) + len(months[0].issues)
        await press(pilot, "h", "h")  # a folded issue: up to the month; fold it
        assert nav.cursor_row[1] == MONTH and nav.row_count == len(groups) + len(months)
        await press(pilot, "h", "h")  # a folded month: up to the year; fold it
        assert nav.cursor_row == (0, YEAR, -1) and nav.row_count == len(groups)


@sync
async def test_cursor_keys_move_and_keep_the_cursor_on_screen(big):
    app = Host(big.issues)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        for i in range(len(big.issues)):  # hundreds of rows
            nav.expand_issue(i)
        height = nav.scrollable_content_region.height
        assert nav.row_count > 4 * height
        await press(pilot, "G")
        assert nav.cursor_line == nav.row_count - 1 and nav.cursor_line in visible(nav)
        oldest = big.issues[issue_order(big.issues)[-1]]
        assert oldest.sections[-1].label in "\n".join(screen_lines(app))
        await press(pilot, "j")  # nothing below the last row
        assert nav.cursor_line == nav.row_count - 1
        await press(pilot, "g", "k")
        assert nav.cursor_line == 0 and int(nav.scroll_y) == 0
        await press(pilot, "pagedown")
        assert nav.cursor_line == height - 1 and nav.cursor_line in visible(nav)
        await press(pilot, "pagedown", "pageup")
        assert nav.cursor_line == height - 1 and nav.cursor_line in visible(nav)
        for _ in range(3):
            await press(pilot, "down")
        assert nav.cursor_line == height + 2 and nav.cursor_line in visible(nav)
        await press(pilot, "up")
        assert nav.cursor_line == height + 1


@sync
async def test_only_rows_on_screen_are_drawn(big):
    issues = big.issues
    app = Host(issues)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        for i in range(len(issues)):  # open every group: thousands of rows
            nav.expand_issue(i, sections=True)
        groups = group_issues(issues)
        months = sum(len(g.months) for g in groups)
        assert nav.row_count == len(groups) + months + len(issues) + sum(len(i.sections) for i in issues) + len(big)
        await pilot.pause()
        drawn: list[tuple] = []
        original = nav._row_text

        def counting(row):
            drawn.append(row)
            return original(row)

        nav._row_text = counting
        for _ in range(5):
            await press(pilot, "pagedown")
        await press(pilot, "G")
        height = nav.scrollable_content_region.height
        assert nav.cursor_line == nav.row_count - 1
        assert 0 < len(drawn) <= 7 * height  # six screens at most, never the whole list


@pytest.mark.parametrize("with_locate", [False, True], ids=["own index", "Library.locate"])
@sync
async def test_select_article_opens_its_groups_and_shows_it(big, with_locate):
    app = Host(big.issues, locate=big.locate if with_locate else None)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        issue = big.issues[len(big.issues) // 2]
        section = issue.sections[-1]
        ref = section.articles[-1]
        nav.select_article(ref.id)
        await pilot.pause()
        assert nav.cursor_article == ref.id
        assert nav.cursor_line in visible(nav)
        text = "\n".join(screen_lines(app))
        assert ref.title[:8] in text and section.label in text
        nav.select_article("no-such-id")  # unknown: nothing moves
        assert nav.cursor_article == ref.id
        # Marks of an article follow it too, up to its month's and year's counts.
        year_row = next(n for n in range(nav.row_count) if nav.row_text(n).startswith(f"▾ {issue.date[:4]} "))
        before = nav.row_text(year_row)
        app.read.add(ref.id)
        count = nav.unread_count(big.issues.index(issue))
        nav.refresh_marks([ref.id])
        assert nav.unread_count(big.issues.index(issue)) == count - 1
        unread = int(before.rsplit(", ", 1)[1].split()[0].replace(",", ""))
        assert nav.row_text(year_row).endswith(f", {unread - 1:,} unread")


@sync
async def test_colon_then_a_year_a_month_or_a_day_leads_to_its_row(big):
    issues = big.issues
    dates = sorted({i.date for i in issues if i.date})
    wanted = dates[len(dates) // 2]
    month = wanted[:7]

    class DateHost(Host):
        BINDINGS = [("colon", "jump", "Jump")]

        def action_jump(self) -> None:
            self.nav.prompt_date()

    app = DateHost(issues)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        await press(pilot, "colon")
        assert isinstance(app.screen, DatePrompt)
        await press(pilot, *month, "enter")
        assert not isinstance(app.screen, DatePrompt)
        # The month's row, on screen, unfolded: its newest issue under it.
        assert nav.cursor_row[1] == MONTH and nav.row_text(nav.cursor_line).startswith(f"  ▾ {month}  ")
        assert nav.cursor_line in visible(nav)
        newest_of_month = max(i.date for i in issues if i.date and i.date.startswith(month))
        assert newest_of_month in nav.row_text(nav.cursor_line + 1)
        # A year: its row, unfolded.
        assert nav.jump_to_date(wanted[:4])
        assert nav.cursor_row[1] == YEAR and nav.row_text(nav.cursor_line).startswith(f"▾ {wanted[:4]}  ")
        # A day: the issue, unfolded (its pages under it).
        assert nav.jump_to_date(wanted)
        assert nav.cursor_row[1] == ISSUE and nav.cursor_issue.date == wanted
        assert nav.row_text(nav.cursor_line + 1).startswith("      ▸ 第") and nav.cursor_line in visible(nav)
        # Past every issue: the nearest one (the newest), with a notice.
        assert nav.jump_to_date("2999-01-01") and nav.cursor_issue.date == dates[-1]
        await pilot.pause()
        assert "the nearest is" in str(list(app._notifications)[-1].message)
        line = nav.cursor_line
        # Not a date: a notice, the cursor stays; Esc cancels the prompt.
        assert not nav.jump_to_date("yesterday") and nav.cursor_line == line
        await press(pilot, "colon", "escape")
        assert not isinstance(app.screen, DatePrompt) and nav.cursor_line == line


@sync
async def test_loading_a_refreshed_library_keeps_open_groups_and_the_cursor_or_stays_near_it(big):
    app = Host(big.issues)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        nav = app.nav
        k = issue_order(big.issues)[len(big.issues) // 2]  # an issue half way down the contents
        target = big.issues[k].sections[1].articles[2]
        nav.select_article(target.id)
        await pilot.pause()
        rows_before = nav.row_count
        # The same library read again (new objects, as Library.refresh returns), plus a new year.
        extra = Issue("山城晚报", "2000-01-01", [Section(1, "要闻", articles=[ArticleRef("new-one", "新年献词")])])
        nav.load([extra, *copy.deepcopy(big.issues)], app.marks)
        await pilot.pause()
        assert nav.cursor_article == target.id
        assert nav.row_count == rows_before + 1  # the new year, folded; the open groups stayed open
        assert nav.cursor_line in visible(nav)
        # The article's file went away: the cursor goes to its issue's row...
        fewer = copy.deepcopy(big.issues)
        del fewer[k].sections[1].articles[2]
        nav.load(fewer, app.marks)
        await pilot.pause()
        assert nav.cursor_issue.key == fewer[k].key and nav.row_text(nav.cursor_line).endswith(
            f"{fewer[k].label}  {fewer[k].article_count}")
        # ...and with the whole issue gone, to the issue shown after it.
        shown = issue_order(fewer)
        after = fewer[shown[shown.index(k) + 1]]
        fewer = copy.deepcopy(fewer)
        del fewer[k]
        nav.load(fewer, app.marks)
        await pilot.pause()
        assert nav.cursor_issue.key == after.key and after.label in nav.row_text(nav.cursor_line)
        assert nav.cursor_line in visible(nav)


@sync
async def test_a_library_that_grows_past_a_year_keeps_the_cursor_shown():
    """A first run shows the files read in the first second: one year, say. When the
    whole library comes, folded by year, the way to the cursor's article is open."""
    issues = small_issues()
    app = Host(issues[1:2])  # 2025 alone
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        nav = app.nav
        assert not nav.grouped
        nav.select_article("b-2-0")
        nav.load(copy.deepcopy(issues), app.marks)
        await pilot.pause()
        assert nav.grouped and nav.cursor_article == "b-2-0"
        assert nav.row_text(0) == "▾ 2025  1 issue, 3 unread"
        assert nav.row_text(nav.cursor_line).endswith("新茶馆")


@sync
async def test_a_reload_keeps_the_cursor_on_a_year_or_a_month_row():
    issues = small_issues()
    app = Host(issues)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        nav = app.nav
        for date, row in (("2024", "▾ 2024  1 issue, 2 unread"), ("2025-03", "  ▾ 2025-03  1 issue, 3 unread")):
            assert nav.jump_to_date(date) and nav.row_text(nav.cursor_line) == row
            nav.load(copy.deepcopy(issues), app.marks)
            await pilot.pause()
            assert nav.row_text(nav.cursor_line) == row
