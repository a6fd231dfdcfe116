"""The People's Daily 1946–2003 archive layout: one article a file, exported from a database.

    ### 头题  副题一  副题二          <- the headline's parts joined by two spaces, sometimes cut
    作者                              <- or empty
    1946-05-16
    第2版(栏目)                       <- the brackets usually empty
    专栏：栏名                        <- the column name usually empty

    　　头题                          <- the headline again, in full, two full-width spaces
        副题一                        <- the other parts, 4 spaces, one to a line
        作者                          <- sometimes the author again
        【新华社…电】正文……           <- one paragraph a line, 4 spaces; 【…】 opens a dispatch
                小标题                <- a section heading, 12 spaces
                              署名    <- a signature, right-aligned with 20–50 spaces

The text's period oddities (full-width digits, ``×``, ``○``, stray brackets) are kept.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath

from tuireader.model import Article, Block

#: The paper of this layout, unless the config names another for a library path.
PAPER = "人民日报"
LAYOUT = "rmrb"

#: Configured library paths (resolved, as strings) -> paper: ``set_papers``.
_papers: dict[str, str] = {}


def set_papers(papers: dict[Path, str]) -> None:
    """The config's ``papers:``: files of this layout under these paths are of that paper."""
    _papers.clear()
    for path, name in papers.items():
        _papers[str(Path(path).expanduser().resolve())] = name


def papers() -> dict[str, str]:
    """The configured papers, as ``use_papers`` takes them (for a worker process)."""
    return dict(_papers)


def use_papers(mapping: dict[str, str]) -> None:
    _papers.clear()
    _papers.update(mapping)


def paper_for(path: str) -> str:
    """The paper of a file of this layout at ``path`` (absolute): the configured
    name of the nearest library path above it, else 人民日报."""
    best, name = -1, PAPER
    for prefix, paper in _papers.items():
        if (path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep)) and len(prefix) > best:
            best, name = len(prefix), paper
    return name


_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PAGE_RE = re.compile(r"^第\s*(\d{1,3})\s*版\s*[(（]([^()（）]*)[)）]\s*$")
_COLUMN_PREFIX = "专栏："
_PARTS_RE = re.compile(r"(?: {2,}|\u3000+)")
_DATELINE_RE = re.compile(r"^【[^【】\n]{1,40}】")
#: What ends a sentence: a line holding one is body text, not a subheadline.
_SENTENCE_RE = re.compile(r"[。！？；!?;]")
#: Indents (in columns: a full-width space counts two) that mark a subhead and a signature.
SUBHEAD_INDENT = 8
SIGNATURE_INDENT = 20


def looks_like(text: str) -> bool:
    """``### title``, author, ``YYYY-MM-DD``, ``第N版(…)`` and ``专栏：`` on lines 1–5."""
    if not text.startswith("### "):
        return False
    lines = text.split("\n", 5)
    return (
        len(lines) >= 5
        and _DATE_RE.match(lines[2].strip()) is not None
        and _PAGE_RE.match(lines[3].strip()) is not None
        and lines[4].strip().startswith(_COLUMN_PREFIX)
    )


def _indent(line: str) -> tuple[int, str]:
    """(the indent's width in columns, the text after it)."""
    width = 0
    for i, ch in enumerate(line):
        if ch == " ":
            width += 1
        elif ch == "\u3000":
            width += 2
        elif ch == "\t":
            width += 4
        else:
            return width, line[i:].rstrip()
    return width, ""


class RmrbFile:
    """What ``parse`` makes of one file, before it becomes a ``ParsedFile``."""

    __slots__ = ("article", "date", "page", "section_name")

    def __init__(self, article: Article, date: str, page: int, section_name: str | None) -> None:
        self.article = article
        self.date = date
        self.page = page
        self.section_name = section_name


def parse(text: str, rel: PurePath | None = None) -> RmrbFile:
    """Parse one file of this layout (``looks_like`` said yes; line ends are LF)."""
    lines = text.split("\n")
    title = lines[0][4:].strip()
    parts = [p for p in _PARTS_RE.split(title) if p]
    author = lines[1].strip() or None
    date = lines[2].strip()
    page_match = _PAGE_RE.match(lines[3].strip())
    assert page_match is not None  # looks_like checked it
    page = int(page_match.group(1))
    section_name = page_match.group(2).strip() or None
    column = lines[4].strip()[len(_COLUMN_PREFIX):].strip() or None

    body = [(w, t) for w, t in map(_indent, lines[5:]) if t]
    art = Article(headline="")
    if column:
        art.meta["column"] = column
    if author:
        art.bylines.append(author)
    pos = _take_echo(body, parts, art)
    if author and pos < len(body) and body[pos][1] == author and body[pos][0] < SUBHEAD_INDENT:
        art.merged.append(f"byline echoed in the body: {author}")
        pos += 1
    art.blocks = _blocks(body[pos:])
    return RmrbFile(art, date, page, section_name)


def _take_echo(body: list[tuple[int, str]], parts: list[str], art: Article) -> int:
    """Fill the headline and subheadlines from the echo; return where the body starts.

    The echo's first line is the headline in full. It holds as many lines as line 1
    has parts; when line 1 was cut short (its last part is the start of a longer
    echoed line), the echo runs on to the first line that reads as a sentence or
    opens a dispatch."""
    if not parts:
        return 0
    if not body or body[0][0] >= SUBHEAD_INDENT or not body[0][1].startswith(parts[0]):
        # No echo: the title line is all there is of the headline.
        art.headline, art.subheadlines = parts[0], parts[1:]
        return 0
    art.headline = body[0][1]
    cut = art.headline != parts[0] and len(parts) == 1
    pos = 1
    for n in range(1, len(parts)):
        if cut or pos >= len(body) or body[pos][0] >= SUBHEAD_INDENT:
            break
        part, line = parts[n], body[pos][1]
        if line == part:
            art.subheadlines.append(line)
            pos += 1
        elif line.startswith(part) and n == len(parts) - 1:
            art.subheadlines.append(line)
            pos += 1
            cut = True
        else:
            break
    if cut:
        while pos < len(body) and body[pos][0] < SUBHEAD_INDENT:
            line = body[pos][1]
            if _SENTENCE_RE.search(line) or _DATELINE_RE.match(line):
                break
            art.subheadlines.append(line)
            pos += 1
    return pos


def _blocks(body: list[tuple[int, str]]) -> list[Block]:
    blocks: list[Block] = []
    for width, line in body:
        if width >= SIGNATURE_INDENT:
            blocks.append(Block("signature", line))
        elif width >= SUBHEAD_INDENT:
            blocks.append(Block("subhead", line))
        else:
            m = _DATELINE_RE.match(line)
            if m:
                blocks.append(Block("dateline", m.group(0)))
                line = line[m.end():].lstrip(" \u3000")
                if not line:
                    continue
            blocks.append(Block("paragraph", line))
    return blocks
