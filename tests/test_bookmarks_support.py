"""A small library of our own for the bookmarks tests (invented text), and helpers.

The other ``test_bookmarks*`` modules import from here; the one test below
checks that the library reads as those tests expect.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PAPER = "晨光日报"
DATE = "2026-03-05"
SPRING = "春雨润田 农户忙春耕"
STREET = "老街换新颜 居民笑开颜"
LANTERN = "古镇灯会迎客来"
#: Paragraphs of the long article, so a test can open it far down.
LANTERN_PARAGRAPHS = [f"第{n}段：灯会第{n}晚，游客在石桥边看花灯、猜灯谜，笑声一直传到河对岸。" for n in range(1, 41)]


def page_file(page: int, name: str, body: str) -> str:
    return f"---\npaper: {PAPER}\ndate: {DATE}\npage: {page}\nname: {name}\n---\n{body}"


SPRING_ITEM = f"""### 春耕时节
# {SPRING}
## 多地抢抓农时整地播种

本报记者 王小明

春分过后，各地农户抓住晴好天气整地播种，田间地头一派繁忙景象。

合作社负责人介绍，今年新引进的播种机让效率提高了一倍。

“只要天气好，十天就能种完。”一位农户笑着说。
"""

STREET_ITEM = f"""# {STREET}

本报记者 李文

老街改造工程近日完工，青石板路重新铺好。

居民们说，晚饭后出来散步的人越来越多了。
"""

LANTERN_ITEM = f"# {LANTERN}\n\n本报记者 赵灯\n\n" + "\n\n".join(LANTERN_PARAGRAPHS) + "\n"


def make_library(root: Path, *, spring_page: int = 2, with_street: bool = True) -> Path:
    """Write the library: page 2 (要闻) with two articles, page 3 (文化) with a long one.

    ``spring_page`` moves the spring article to another page (its id changes, its
    paper, date and headline do not); ``with_street`` False leaves the street article out.
    """
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("*.txt"):
        old.unlink()
    items = [SPRING_ITEM] + ([STREET_ITEM] if with_street else [])
    if spring_page == 2:
        (root / "p2.txt").write_text(page_file(2, "要闻", "\n".join(items)), encoding="utf-8")
    else:
        if with_street:
            (root / "p2.txt").write_text(page_file(2, "要闻", STREET_ITEM), encoding="utf-8")
        (root / f"p{spring_page}.txt").write_text(page_file(spring_page, "要闻", SPRING_ITEM), encoding="utf-8")
    (root / "p3.txt").write_text(page_file(3, "文化", LANTERN_ITEM), encoding="utf-8")
    return root


def open_library(root: Path):
    from tuireader.commands.bookmarks import open_library

    return open_library([root])


def ids_by_headline(library) -> dict[str, str]:
    return {ref.headline: ref.id for _issue, _section, ref in library.refs()}


def run_cli(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``tuireader ARGS`` in a fresh process, as a user would run it."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "tuireader", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_the_bookmarks_library_reads_as_the_tests_expect(tmp_path):
    library = open_library(make_library(tmp_path / "lib"))
    found = {
        ref.headline: (issue.paper, issue.date, section.number, section.name) for issue, section, ref in library.refs()
    }
    assert found == {
        SPRING: (PAPER, DATE, 2, "要闻"),
        STREET: (PAPER, DATE, 2, "要闻"),
        LANTERN: (PAPER, DATE, 3, "文化"),
    }
    lantern = library.article(ids_by_headline(library)[LANTERN])
    assert [b.text for b in lantern.blocks if b.type == "paragraph"] == LANTERN_PARAGRAPHS
