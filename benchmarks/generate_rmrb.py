"""Monthly 7z archives of the People's Daily 1946–2003 layout, for benchmarks.

``generate_rmrb(dest, months, per_month, seed)`` writes ``dest/7z/YYYY年MM月.7z``
(and ``dest/dir/YYYY年MM月.md`` title lists), months on from May 1946, each a
solid archive of ``YYYY年MM月/YYYY-MM-DD_title.md`` files shaped as the real
ones are: ``### title`` (parts joined by two spaces), author, date, then
``第N版()``, ``专栏：``, the headline echoed (two full-width spaces, then the
other parts at 4 spaces), one paragraph a line at 4 spaces, ``【…】``
datelines, 12-space section headings and right-aligned signatures now and
then, CRLF on lines 1–3 and the last line, LF elsewhere.

The text is recombined from ``../shared/corpus/rmrb`` (headline parts, authors,
body lines); without it a few invented lines feed it. About 1 in 40 articles is
a ``图片`` (several on one page, as in the archive). Same arguments, same bytes
inside the archives.

    python benchmarks/generate.py DEST --layout rmrb --months 10 [--per-month 2000]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: ../shared beside the checkout, or where TUIREADER_SHARED says (a worktree elsewhere).
RMRB_CORPUS = Path(os.environ.get("TUIREADER_SHARED") or REPO.parent / "shared") / "corpus" / "rmrb"
FIRST_MONTH = (1946, 5)
PAGES = 4
_DATELINE_RE = re.compile(r"^【[^【】]{1,40}】")
_SNAKE_RE = re.compile(r"[\s“”\"'——×/\\:*?<>|]+")


@dataclass
class RmrbPools:
    headlines: list[str] = field(default_factory=list)
    subheadlines: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # without their dateline
    datelines: list[str] = field(default_factory=list)
    subheads: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)


def load_rmrb_pools(corpus: Path = RMRB_CORPUS) -> RmrbPools:
    pools = RmrbPools()
    for path in sorted(corpus.rglob("*.md")) if corpus.is_dir() else []:
        lines = path.read_bytes().decode("utf-8").replace("\r\n", "\n").split("\n")
        if len(lines) < 7 or not lines[0].startswith("### "):
            continue
        parts = lines[0][4:].split("  ")
        pools.headlines.append(parts[0])
        pools.subheadlines += parts[1:]
        if lines[1].strip():
            pools.authors.append(lines[1].strip())
        for raw in lines[6 + len(parts):]:
            text = raw.strip()
            width = len(raw) - len(raw.lstrip(" "))
            if not text or text in pools.authors:
                continue
            if width >= 20:
                pools.signatures.append(text)
            elif width >= 8:
                pools.subheads.append(text)
            else:
                m = _DATELINE_RE.match(text)
                if m:
                    pools.datelines.append(m.group(0))
                    text = text[m.end():]
                if text:
                    pools.paragraphs.append(text)
    if not pools.paragraphs:  # no corpus beside the checkout: a few invented lines
        pools.headlines = ["河滩村民合力修堤", "边区银行发放春耕贷款", "纺车转起来了"]
        pools.subheadlines = ["赶在汛期以前完工", "各村订立生产计划"]
        pools.authors = ["林石", "高远"]
        pools.paragraphs = [
            "河滩一带村民三千余人，连日在北岸合力修堤，已修成新堤十二里。",
            "会后各村互助组订立了生产计划。",
        ]
        pools.datelines = ["【新华社河滩十六日电】", "【本市讯】", "【又讯】"]
        pools.subheads = ["一架旧纺车", "互助组"]
        pools.signatures = ["河滩县修堤委员会  五月十五日"]
    return pools


def snake_title(title: str) -> str:
    return _SNAKE_RE.sub("_", title).strip("_")[:60] or "无题"


def article_text(rng: random.Random, pools: RmrbPools, date: dt.date, page: int, picture: bool) -> tuple[str, str]:
    """(the file's text, its title) for one article."""
    if picture:
        parts, author = ["图片"], ""
        body = ["    " + rng.choice(pools.paragraphs)[:60]]
    else:
        parts = [rng.choice(pools.headlines)] + rng.sample(pools.subheadlines, rng.choice((0, 1, 1, 2)))
        author = rng.choice(pools.authors) if rng.random() < 0.25 else ""
        body = []
        if author and rng.random() < 0.5:
            body.append("    " + author)
        for n in range(rng.randint(1, 8)):
            if n and rng.random() < 0.08:
                body.append(" " * 12 + rng.choice(pools.subheads))
            text = rng.choice(pools.paragraphs)
            if n == 0 or rng.random() < 0.15:
                text = rng.choice(pools.datelines) + text
            body.append("    " + text)
        if rng.random() < 0.1:
            body.append(" " * rng.randint(24, 46) + rng.choice(pools.signatures))
    title = "  ".join(parts)
    head = f"### {title}\r\n{author}\r\n{date.isoformat()}\r\n"
    echo = ["\u3000\u3000" + parts[0]] + ["    " + p for p in parts[1:]]
    content = [f"第{page}版()", "专栏：", "", *echo, *body]
    return head + "\n".join(content) + "\r\n", title


def month_files(rng: random.Random, pools: RmrbPools, year: int, month: int, per_month: int) -> dict[str, bytes]:
    """Member name -> bytes for one month's folder, names unique as the archive's are."""
    first = dt.date(year, month, 1)
    days = [(first + dt.timedelta(days=d)) for d in range(31) if (first + dt.timedelta(days=d)).month == month]
    folder = f"{year}年{month:02d}月"
    files: dict[str, bytes] = {}
    for n in range(per_month):
        date = days[n * len(days) // per_month]
        page = rng.randint(1, PAGES)
        text, title = article_text(rng, pools, date, page, picture=rng.random() < 0.025)
        stem = f"{folder}/{date.isoformat()}_{snake_title(title)}"
        name, k = f"{stem}.md", 1
        while name in files:
            k += 1
            name = f"{stem}_{k}.md"
        files[name] = text.encode("utf-8")
    return files


def generate_rmrb(dest: Path, months: int, per_month: int = 2000, seed: int = 0) -> Path:
    """Write ``months`` monthly archives into ``dest/7z`` and their title lists into ``dest/dir``."""
    import py7zr

    pools = load_rmrb_pools()
    (dest / "7z").mkdir(parents=True, exist_ok=True)
    (dest / "dir").mkdir(parents=True, exist_ok=True)
    year, month = FIRST_MONTH
    for m in range(months):
        rng = random.Random(f"{seed}-{year}-{month}")
        files = month_files(rng, pools, year, month, per_month)
        name = f"{year}年{month:02d}月"
        with py7zr.SevenZipFile(dest / "7z" / f"{name}.7z", "w") as archive:
            for member, data in files.items():
                archive.writestr(data, member)
        titles = [f"{member.split('/')[-1][:10]} {member.split('_', 1)[1][:-3]}" for member in files]
        (dest / "dir" / f"{name}.md").write_text("\n".join(titles) + "\n", encoding="utf-8")
        month += 1
        if month > 12:
            year, month = year + 1, 1
        del m
    return dest
