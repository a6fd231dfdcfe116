"""The synthetic library every benchmark uses.

``generate_library(dest, n_articles, seed)`` recombines the headlines and
paragraphs of ``../shared/corpus/`` (people-daily Markdown bodies, xwlb
stories) and of the sample page in ``seeds/`` into articles of about 1,800
characters, laid out as real archives are, both layouts mixed (about half the
issues each):

(a) page files like the sample: ``<paper>/YYYY/MM/YYYY-MM-DD/NN-版名.txt``, one
    file a page holding all its articles (``### kicker`` now and then,
    ``# headline``, ``## subheadline``, a byline line, paragraphs separated by
    blank lines and now and then broken at a column end, a photo item
    ``## “…”`` + caption + ``某某 摄``, and ``(下转N版)`` / ``(上接1版)`` pairs
    linking a page-1 story to its continuation);
(b) per-article Markdown files with YAML front matter in page folders,
    ``<paper>/YYYY/MM/YYYY-MM-DD/NN-版名/标题.md``, like
    ``../shared/corpus/people-daily/`` (title, date, section, section_name,
    author, source_url; ``> byline《报名》（YYYY年MM月DD日第 NN 版）``).

Several papers, issues over several years, 8 pages an issue, about 10
articles a page.  The same size and seed give the same files, byte for byte.
Without ``../shared/corpus`` the sample page alone feeds it.

``text="dictionary"`` (``--text dictionary``) writes the same layouts with text
drawn word by word from jieba's dictionary instead (``dictgen.py``): a
vocabulary that grows with the library as a real archive's does, issues from
1946 to 2025. The search benchmarks use it; the corpus mode stays the default
for the others.

    python benchmarks/generate.py DEST --articles N [--seed S] [--text corpus|dictionary]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CORPUS = REPO.parent / "shared" / "corpus"

PAPERS = ("人民日报", "光明日报", "浙江日报", "经济日报")
SECTION_NAMES = ("要闻", "要闻", "综合", "经济", "社会", "国际", "文化", "体育")
PAGES_PER_ISSUE = 8
ARTICLES_PER_PAGE = (8, 12)
TARGET_CHARS = (1500, 2100)
FIRST_DATE = dt.date(2019, 1, 2)
YEARS = 6
#: The dictionary mode's span, like the People's Daily archive (1946-2003) and on.
DICTIONARY_FIRST_DATE = dt.date(1946, 5, 15)
DICTIONARY_YEARS = 80

# Invented names for bylines and photo credits (no real reporter is named).
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬鹏辉宇浩凯健俊帆旭宁龙林欣佳琳晨阳雪婷颖倩琪嘉博文斌志峰亮波欢晶"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_PUNCT_END = tuple("。！？…；：，、”’）》」』—,.;:!?)")


@dataclass
class Pools:
    headlines: list[str] = field(default_factory=list)
    kickers: list[str] = field(default_factory=list)
    subheadlines: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def _add_body_lines(pools: Pools, lines: list[str]) -> None:
    for raw in lines:
        line = raw.strip().replace("\u3000\u3000", "")
        if not line or line.startswith(">"):
            continue
        if line.startswith("### "):
            pools.kickers.append(line[4:].strip())
        elif line.startswith("## "):
            pools.subheadlines.append(line[3:].strip())
        elif line.startswith("# "):
            pools.headlines.append(line[2:].strip())
        elif line.startswith("**") or len(line) < 20 or line[-1] not in "。！？”…":
            continue  # whole paragraphs only: page files break mid-sentence, titles end bare
        else:
            pools.paragraphs.append(line)
            if len(line) <= 120:
                pools.captions.append(line)


def load_pools(corpus: Path | None = None, seeds: Path | None = None) -> Pools:
    """Headlines, kickers, subheadlines, paragraphs and captions to recombine."""
    corpus = CORPUS if corpus is None else corpus
    seeds = SEEDS if seeds is None else seeds
    pools = Pools()
    for path in sorted(seeds.glob("*.txt")):
        _add_body_lines(pools, path.read_text(encoding="utf-8-sig").splitlines())
    people = corpus / "people-daily"
    if people.is_dir():
        for path in sorted(people.rglob("*.md")):
            text = path.read_text(encoding="utf-8-sig")
            body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
            _add_body_lines(pools, body.splitlines())
    xwlb = corpus / "xwlb"
    if xwlb.is_dir():
        for path in sorted(xwlb.glob("*.md")):
            text = path.read_text(encoding="utf-8-sig")
            for title in re.findall(r"^### (.+)$", text, re.M):
                pools.headlines.append(title.strip())
            for para in re.findall(r"<p>(.*?)</p>", text, re.S):
                para = html.unescape(re.sub(r"<[^>]+>", "", para)).strip()
                para = re.sub(r"^央视网消息[（(]新闻联播[）)]：", "", para)
                _add_body_lines(pools, [para])
    for name in ("headlines", "kickers", "subheadlines", "paragraphs", "captions"):
        setattr(pools, name, sorted(set(getattr(pools, name))))  # stable whatever the walk order
    # The sources have few kickers and subheadlines: other stories' headlines stand in.
    pools.kickers += pools.headlines
    pools.subheadlines += pools.headlines
    if not pools.captions:
        pools.captions = [p for p in pools.paragraphs if len(p) < 200] or pools.paragraphs[:]
    return pools


# ---------------------------------------------------------------- articles


@dataclass
class Item:
    headline: str
    kind: str = "article"  # or "photo"
    kicker: str | None = None
    subheadline: str | None = None
    author: str = ""
    paragraphs: list[str] = field(default_factory=list)
    credit: str | None = None


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _article(rng: random.Random, pools: Pools) -> Item:
    target = rng.randint(*TARGET_CHARS)
    paragraphs: list[str] = []
    total = 0
    while total < target:
        p = rng.choice(pools.paragraphs)
        paragraphs.append(p)
        total += len(p)
    authors = " ".join(_name(rng) for _ in range(rng.choice((1, 1, 2))))
    return Item(
        headline=rng.choice(pools.headlines),
        kicker=rng.choice(pools.kickers) if rng.random() < 0.15 else None,
        subheadline=rng.choice(pools.subheadlines) if pools.subheadlines and rng.random() < 0.3 else None,
        author=authors,
        paragraphs=paragraphs,
    )


def _photo(rng: random.Random, pools: Pools, date: dt.date) -> Item:
    caption = f"{date.month}月{date.day}日，" + rng.choice(pools.captions)
    words = rng.choice(pools.headlines).split()[0][:6]
    return Item(headline=f"“{words}”", kind="photo", paragraphs=[caption], credit=f"{_name(rng)} 摄")


def _unique_headline(item: Item, taken: set[str]) -> None:
    base, n = item.headline, 2
    while item.headline in taken:
        item.headline = f"{base}（{n}）"
        n += 1
    taken.add(item.headline)


class CorpusSource:
    """Articles recombined from the corpus's paragraphs (the default)."""

    first_date, years = FIRST_DATE, YEARS

    def __init__(self) -> None:
        self.pools = load_pools()

    def article(self, rng: random.Random) -> Item:
        return _article(rng, self.pools)

    def photo(self, rng: random.Random, date: dt.date) -> Item:
        return _photo(rng, self.pools, date)


class DictionarySource:
    """Articles of words drawn from jieba's dictionary by frequency (``dictgen.py``)."""

    first_date, years = DICTIONARY_FIRST_DATE, DICTIONARY_YEARS

    def __init__(self) -> None:
        import importlib.util

        # by path: this module is run as a script, imported as benchmarks.generate, or loaded by tests
        spec = importlib.util.spec_from_file_location("bench_dictgen", Path(__file__).with_name("dictgen.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(spec.name, module)  # its dataclasses look themselves up there
        spec.loader.exec_module(sys.modules[spec.name])
        self.words = sys.modules[spec.name].DictionaryText()

    def article(self, rng: random.Random) -> Item:
        target = rng.randint(*TARGET_CHARS)
        authors = " ".join(_name(rng) for _ in range(rng.choice((1, 1, 2))))
        kicker = self.words.headline(rng) if rng.random() < 0.15 else None
        subheadline = self.words.headline(rng) if rng.random() < 0.3 else None
        return Item(headline=self.words.headline(rng), kicker=kicker, subheadline=subheadline, author=authors,
                    paragraphs=self.words.paragraphs(rng, target))

    def photo(self, rng: random.Random, date: dt.date) -> Item:
        words = self.words.headline(rng)[:6]
        return Item(headline=f"“{words}”", kind="photo", paragraphs=[self.words.caption(rng, date)],
                    credit=f"{_name(rng)} 摄")


TEXT_SOURCES: dict[str, type[CorpusSource] | type[DictionarySource]] = {
    "corpus": CorpusSource, "dictionary": DictionarySource}


# ---------------------------------------------------------------- layouts


def _page_file(items: list[Item], rng: random.Random) -> str:
    out = ["", ""]
    for item in items:
        if item.kind == "photo":
            out += [f"## {item.headline}", ""]
            out += [item.paragraphs[0], "", item.credit or "", "", ""]
            continue
        if item.kicker:
            out.append(f"### {item.kicker}")
        out.append(f"# {item.headline}")
        if item.subheadline:
            out += ["", f"## {item.subheadline}"]
        out += ["", f"本报记者 {item.author}", ""]
        for p in item.paragraphs:
            cut = _column_break(p, rng)
            if cut:  # a column ended mid-sentence: the reader must join it back
                out += [p[:cut], "", p[cut:], ""]
            else:
                out += [p, ""]
        out.append("")
    return "\n".join(out)


def _column_break(p: str, rng: random.Random) -> int:
    if len(p) < 60 or rng.random() > 0.08:
        return 0
    cut = rng.randint(20, len(p) - 20)
    # Only where the reflow rule can see it: not after end punctuation.
    return 0 if p[cut - 1] in "。！？…；：”’）》」』—" or p[cut - 1].isspace() else cut


def _article_file(item: Item, paper: str, date: dt.date, page: int, section: str, url: str) -> str:
    front = [
        "---",
        f'title: "{_yaml_str(item.headline)}"',
        f"date: {date.isoformat()}",
        f'section: "第{page:02d}版"',
        f'section_name: "{section}"',
        f'author: "{_yaml_str(item.author)}"',
        f'source_url: "{url}"',
        "---",
        "",
    ]
    body: list[str] = []
    if item.kicker:
        body += [f"### {item.kicker}", ""]
    body += [f"# {item.headline}", ""]
    if item.subheadline:
        body += [f"## ——{item.subheadline.lstrip('—')}", ""]
    byline = f"本报记者  {item.author}" if item.author else ""
    body += [f"> {byline}《{paper}》（{date.year}年{date.month:02d}月{date.day:02d}日第 {page:02d} 版）", ""]
    for p in item.paragraphs:
        body += [p, ""]
    if item.credit:
        body += [item.credit, ""]
    return "\n".join(front + body)


def _yaml_str(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _file_name(headline: str) -> str:
    return _UNSAFE_NAME.sub("_", headline)[:80].strip() or "无题"


# ---------------------------------------------------------------- the library


def generate_library(dest: Path, n_articles: int, seed: int = 0, text: str = "corpus") -> Path:
    """Write a library of ``n_articles`` items under ``dest`` and return ``dest``.

    ``text``: "corpus" (recombined real paragraphs) or "dictionary" (words drawn by frequency).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    source = TEXT_SOURCES[text]()
    rng = random.Random(f"tuireader-bench:{seed}" if text == "corpus" else f"tuireader-bench:{text}:{seed}")
    per_issue = PAGES_PER_ISSUE * sum(ARTICLES_PER_PAGE) // 2
    n_issues = max(1, -(-n_articles // per_issue))
    issues_per_paper = -(-n_issues // len(PAPERS))
    stride = max(1, (365 * source.years) // max(1, issues_per_paper))
    written = 0
    k = 0
    while written < n_articles:  # n_issues is the expected count; pages vary in size
        paper = PAPERS[k % len(PAPERS)]
        date = source.first_date + dt.timedelta(days=(k // len(PAPERS)) * stride)
        page_files = rng.random() < 0.5
        written += _write_issue(dest, paper, date, page_files, n_articles - written, rng, source)
        k += 1
    return dest


def _write_issue(
    dest: Path, paper: str, date: dt.date, page_files: bool, budget: int, rng: random.Random,
    source: CorpusSource | DictionarySource,
) -> int:
    folder = dest / paper / f"{date.year:04d}" / f"{date.month:02d}" / date.isoformat()
    pages: list[list[Item]] = []
    count = 0
    for page in range(1, PAGES_PER_ISSUE + 1):
        if count >= budget:
            break
        n = min(rng.randint(*ARTICLES_PER_PAGE), budget - count)
        items = [source.article(rng) for _ in range(n)]
        if n > 2 and rng.random() < 0.5:  # a photo item on about half the pages
            items[rng.randrange(1, n)] = source.photo(rng, date)
        pages.append(items)
        count += n
    # A page-1 story continued on a later page (page files only, as printed papers do).
    if page_files and len(pages) > 1 and rng.random() < 0.6:
        first = next((it for it in pages[0] if it.kind == "article" and len(it.paragraphs) > 3), None)
        target = rng.randrange(2, len(pages) + 1)
        if first is not None:
            half = len(first.paragraphs) // 2
            rest = first.paragraphs[half:]
            first.paragraphs = first.paragraphs[:half]
            first.paragraphs[-1] += f"(下转{target}版)"
            tail = Item(headline=first.headline, author=first.author, paragraphs=["(上接1版)", *rest])
            pages[target - 1][-1] = tail  # in place of an item: the count stays
    written = 0
    for page, items in enumerate(pages, 1):
        section = SECTION_NAMES[(page - 1) % len(SECTION_NAMES)]
        taken: set[str] = set()
        for item in items:
            _unique_headline(item, taken)
        if page_files:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{page:02d}-{section}.txt").write_text(_page_file(items, rng), encoding="utf-8")
        else:
            page_dir = folder / f"{page:02d}-{section}"
            page_dir.mkdir(parents=True, exist_ok=True)
            names: set[str] = set()
            for i, item in enumerate(items):
                url = f"https://paper.example.com/{PAPERS.index(paper)}/{date:%Y%m%d}/{page:02d}/{i:03d}.html"
                text = _article_file(item, paper, date, page, section, url)
                name = _file_name(item.headline)
                if name in names:  # long headlines cut to the same name
                    name = f"{name}-{i}"
                names.add(name)
                (page_dir / f"{name}.md").write_text(text, encoding="utf-8")
        written += len(items)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic newspaper library for the benchmarks.")
    parser.add_argument("dest", type=Path, help="folder to write the library into")
    parser.add_argument("--articles", type=int, default=10_000, help="number of articles (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layout", choices=("mixed", "rmrb"), default="mixed",
                        help="mixed: page files and per-article files (default); rmrb: monthly 7z archives of the "
                             "People's Daily 1946-2003 layout (dest/7z, dest/dir), see generate_rmrb.py")
    parser.add_argument("--months", type=int, default=10, help="rmrb: monthly archives from 1946-05 (default 10)")
    parser.add_argument("--per-month", type=int, default=2000, help="rmrb: articles an archive (default 2000)")
    parser.add_argument("--text", choices=sorted(TEXT_SOURCES), default="corpus",
                        help="corpus: recombined real paragraphs (default); dictionary: jieba's words by frequency")
    args = parser.parse_args(argv)
    if args.layout == "rmrb":
        from generate_rmrb import generate_rmrb

        if args.months < 1 or args.per_month < 1:
            parser.error("--months and --per-month must be at least 1")
        root = generate_rmrb(args.dest, args.months, args.per_month, args.seed)
        size = sum(p.stat().st_size for p in (root / "7z").glob("*.7z"))
        print(f"{args.months * args.per_month} articles in {args.months} monthly archives, {size / 1e6:.1f} MB "
              f"under {root / '7z'}", file=sys.stderr)
        return 0
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    root = generate_library(args.dest, args.articles, args.seed, text=args.text)
    files = sum(1 for p in root.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(f"{args.articles} articles in {files} files, {size / 1e6:.1f} MB under {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
