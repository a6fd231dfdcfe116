"""The contents of a 57-year archive: loading it into the pane, the first screen of
years, and keys that fold, unfold and jump (through Pilot, so through the compositor).

The issues are made in memory as a catalogue gives them (lazy: ids only, pages built
when asked), one a day from 1946-05-15, ARTICLES_PER_ISSUE ids each: 20,000 issues
and 1.4 million articles by default. Some are marked read, so unread counts are real.

    python benchmarks/bench_contents.py [--issues N] [--per-issue N] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import time

from textual.app import App, ComposeResult

from tuireader.model import ArticleRef, Issue, Section
from tuireader.ui.widgets.library_list import LibraryList


def make_issues(count: int, per_issue: int) -> list[Issue]:
    start = dt.date(1946, 5, 15)
    issues = []
    for n in range(count):
        date = (start + dt.timedelta(days=n)).isoformat()
        ids = tuple(f"{n:05d}-{a:02d}" for a in range(per_issue))

        def loader(ids: tuple[str, ...] = ids) -> list[Section]:
            refs = [ArticleRef(aid, f"标题{aid}") for aid in ids]
            return [Section(p + 1, "", articles=refs[p * 10 : p * 10 + 10]) for p in range((len(refs) + 9) // 10)]

        issues.append(Issue("人民日报", date, loader=loader, ids=ids))
    return issues


class Host(App[None]):
    def __init__(self, issues: list[Issue], read: set[str]) -> None:
        super().__init__()
        self.issues, self.read = issues, read
        self.load_s = 0.0

    def compose(self) -> ComposeResult:
        yield LibraryList(id="nav")

    def locate(self, aid: str) -> tuple[Issue, Section, ArticleRef] | None:
        """As ``Library.locate``: the issue from the id, its pages built."""
        issue = self.issues[int(aid[:5])]
        for section in issue.sections:
            for ref in section.articles:
                if ref.id == aid:
                    return issue, section, ref
        return None

    def on_mount(self) -> None:
        nav = self.query_one(LibraryList)
        started = time.perf_counter()
        nav.load(self.issues, lambda aid: (aid in self.read, False), locate=self.locate,
                 read_ids=lambda: self.read)
        self.load_s = time.perf_counter() - started
        nav.focus()


async def run(issue_count: int, per_issue: int, size: tuple[int, int]) -> dict:
    issues = make_issues(issue_count, per_issue)
    read = {aid for issue in issues[::7] for aid in issue.article_ids[:3]}
    app = Host(issues, read)
    out: dict = {"issues": len(issues), "articles": len(issues) * per_issue}
    started = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        out["load_ms"] = app.load_s * 1000
        out["first_screen_ms"] = (time.perf_counter() - started) * 1000  # app start, load and first paint
        nav = app.query_one(LibraryList)
        out["rows_folded"] = nav.row_count

        async def timed(*keys: str) -> float:
            began = time.perf_counter()
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            return (time.perf_counter() - began) * 1000

        out["unfold_year_ms"] = await timed("l")
        out["unfold_month_ms"] = await timed("j", "l")
        out["unfold_issue_ms"] = await timed("j", "l")
        out["fold_year_ms"] = await timed("g", "h")
        out["jump_day_ms"] = await timed("colon", *"1966-05-16", "enter")
        out["jump_year_ms"] = await timed("colon", *"1980", "enter")
        out["pagedown_ms"] = statistics.median([await timed("pagedown") for _ in range(20)])
        out["G_ms"] = await timed("G")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--per-issue", type=int, default=70)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="80x24", help="terminal size, COLUMNSxROWS (default 80x24)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    runs = [asyncio.run(run(args.issues, args.per_issue, (width, height))) for _ in range(args.repeat)]
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(json.dumps({key: round(value, 1) for key, value in medians.items()}, indent=1))


if __name__ == "__main__":
    main()
