"""What newspaper text looks like: bylines, credits, datelines, jumps, edition tails.

Shared by every layout's parser. Patterns are general (any paper, any agency),
not tuned to one sample.
"""

from __future__ import annotations

import html
import re

from tuireader.model import Block

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_number(text: str) -> int | None:
    """Arabic (half- or full-width) or Chinese numerals up to 999."""
    text = text.strip().translate(_FULLWIDTH_DIGITS)
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    total += current
    return total or None


# ------------------------------------------------------------------ jumps

_NUM = r"[0-9０-９零〇一二两三四五六七八九十百]+"
JUMP_RE = re.compile(
    r"[（(]\s*(下转|转|接|上接|紧接|续)\s*(?:第\s*)?(" + _NUM + r")\s*(?:版|页|面)(?:[^）)]{0,8})[）)]"
)


_JUMP_HINT_RE = re.compile(r"[版页面][）)]")


def jump_block(match: re.Match[str]) -> Block:
    verb = match.group(1)
    direction = "next" if verb in ("下转", "转") else "prev"
    return Block("jump", text=match.group(0), direction=direction, page=parse_number(match.group(2)))


def split_jumps(text: str) -> list[Block]:
    """A paragraph with jump markers becomes paragraph and jump blocks, in order."""
    if not _JUMP_HINT_RE.search(text):  # cheap test first: most paragraphs have no marker
        text = text.strip()
        return [Block("paragraph", text)] if text else []
    blocks: list[Block] = []
    pos = 0
    for m in JUMP_RE.finditer(text):
        before = text[pos : m.start()].strip()
        if before:
            blocks.append(Block("paragraph", before))
        blocks.append(jump_block(m))
        pos = m.end()
    rest = text[pos:].strip()
    if rest:
        blocks.append(Block("paragraph", rest))
    return blocks


# ---------------------------------------------------------------- bylines

ROLES = (
    "本报首席记者|本报特约记者|本报见习记者|本报实习生|本报通讯员|本报记者|本报评论员|本报特派记者|"
    "新华社特约记者|新华社记者|中新社记者|人民网记者|央视记者|经济日报记者|光明日报记者|"
    "首席记者|特约记者|特派记者|见习记者|实习记者|实习生|通讯员|评论员|记者|编辑|撰稿|整理|摄影|摄像|作者|文/图|文|图"
)
_ROLE_RE = re.compile(rf"(?:{ROLES})")
_NAME = r"[\u4e00-\u9fff·•]{1,6}"
# A byline line: role, names, role, names … separated by spaces; at most ~60 chars.
BYLINE_RE = re.compile(
    rf"^(?:(?:{ROLES})[\s:：/]*(?:{_NAME}(?:[\s、,，]+{_NAME})*)?[\s]*)+$"
)


def is_byline(line: str) -> bool:
    if len(line) > 70:
        return False
    line = line.strip()
    if not line or len(line) > 60 or not _ROLE_RE.match(line):
        return False
    if line[-1] in "。！？；，,.!?;":
        return False
    return bool(BYLINE_RE.match(line))


def normalise_byline(line: str) -> str:
    """Collapse padding: ``本报记者  李昌禹  杨  昊`` -> ``本报记者 李昌禹 杨昊``.

    Two-character names are padded to the width of three with a space between
    the characters, so adjacent one-character pieces join into one name.
    """
    out: list[str] = []
    for token in line.split():
        if out and len(token) == 1 and len(out[-1]) == 1 and not _ROLE_RE.fullmatch(out[-1]):
            out[-1] += token
        else:
            out.append(token)
    return " ".join(out)


# -------------------------------------------------------------- datelines

DATELINE_RE = re.compile(
    r"^(本报讯|"
    r"(?:本报|新华社|中新社|人民网|央视网|光明网|经济日报|人民日报)[\u4e00-\u9fff]{0,12}?"
    r"(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})月(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})日"
    r"(?:[\u4e00-\u9fff]{0,3})?电)"
    r"[\s\u3000]*"
    r"(?:[（(]\s*((?:[^（）()]{0,6}?记者|通讯员|实习生)[^（）()]{0,30})\s*[）)])?"
    r"[\s\u3000]*"
)


_DATELINE_STARTS = ("本报", "新华社", "中新社", "人民网", "央视网", "光明网", "经济日报", "人民日报")


def split_dateline(paragraph: str) -> tuple[str | None, str | None, str]:
    """``本报北京1月1日电  （记者易舒冉）记者…`` -> (dateline, credit byline, rest)."""
    if not paragraph.startswith(_DATELINE_STARTS):
        return None, None, paragraph
    m = DATELINE_RE.match(paragraph)
    if not m or m.end() >= len(paragraph):
        return None, None, paragraph
    credit = normalise_byline(m.group(2)) if m.group(2) else None
    return m.group(1), credit, paragraph[m.end() :]


# ---------------------------------------------------------------- credits

_CREDIT_TAIL = r"(?:摄影?|供图|制图|绘图|绘|新华社发|本报资料图片|资料图片)"
CREDIT_RE = re.compile(
    rf"^(?:"
    rf"[^。！？；，,]{{0,24}}{_CREDIT_TAIL}(?:[（(][^（）()]{{1,12}}[）)])?"
    rf"|(?:摄影|图|图片|制图)[/：:][^。！？；]{{1,24}}"
    rf"|[（(][^（）()]{{0,16}}{_CREDIT_TAIL}[）)]"
    rf")$"
)
# A credit set at the end of a caption, after white space: ``…大学。  于江 摄``.
TRAILING_CREDIT_RE = re.compile(
    rf"^(.*?[。！？”）)])[\s\u3000]+([^\s\u3000。！？；，,][^。！？；，,]{{0,24}}{_CREDIT_TAIL}(?:[（(][^（）()]{{1,12}}[）)])?)$"
)


def is_credit(line: str) -> bool:
    if len(line) > 48:
        return False
    line = line.strip()
    return 0 < len(line) <= 40 and bool(CREDIT_RE.match(line))


_CREDIT_HINT_RE = re.compile(_CREDIT_TAIL)


def split_trailing_credit(paragraph: str) -> tuple[str, str] | None:
    if not _CREDIT_HINT_RE.search(paragraph, max(0, len(paragraph) - 48)):
        return None
    m = TRAILING_CREDIT_RE.match(paragraph.strip())
    if not m:
        return None
    return m.group(1), m.group(2)


# ---------------------------------------------------------- edition tails

EDITION_RE = re.compile(
    r"《([^《》]{1,20})》\s*[（(]\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日\s*"
    r"(?:第\s*([0-9０-９]{1,3})\s*版)?\s*[）)]\s*$"
)


def split_edition(line: str) -> tuple[str, dict | None]:
    """``本报记者 X《人民日报》（2026年01月02日第 01 版）`` -> (``本报记者 X``, edition info)."""
    m = EDITION_RE.search(line)
    if not m:
        return line, None
    info = {
        "text": m.group(0).strip(),
        "paper": m.group(1),
        "date": f"{int(m.group(2)):04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}",
        "page": parse_number(m.group(5)) if m.group(5) else None,
    }
    return line[: m.start()].rstrip(), info


# ------------------------------------------------------------------ reflow

_KEEP_APART_END = set("。！？!?…；;：:—─-”’」』）)》〉】]}\"'")
_JOIN_END = set("，,、“‘「『（(《〈【[{")


def continues(paragraph: str) -> bool:
    """Does a page-file paragraph run on past a column end into the next one?"""
    last = paragraph.rstrip()[-1:]
    if not last:
        return False
    if last in _JOIN_END:
        return True
    if last in _KEEP_APART_END:
        return False
    return last.isalnum() or "\u4e00" <= last <= "\u9fff"


def join_text(left: str, right: str) -> str:
    """Join two halves of a paragraph split at a column end (mid-word: no space)."""
    return left + joint(left[-1:], right) + right


def joint(last: str, right: str) -> str:
    """What goes between text ending in ``last`` (its last character) and ``right``:
    a space between two ASCII words, else nothing."""
    if last.isascii() and last.isalnum() and right[:1].isascii() and right[:1].isalnum():
        return " "
    return ""


def join_lines(lines: list[str]) -> str:
    """``join_text`` over a run of lines, in one pass: folding them pairwise copies
    the paragraph once a line, which a million one-character lines made minutes."""
    if len(lines) == 1:
        return lines[0]
    parts: list[str] = []
    last = ""
    for line in lines:
        if last:
            parts.append(joint(last, line))
        parts.append(line)
        last = line[-1:] or last
    return "".join(parts)


# -------------------------------------------------------------------- html

_TAG_RE = re.compile(r"<[^<>]{0,2000}>")
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|li|tr|h[1-6]|section|article|blockquote)\b[^<>]{0,2000}>", re.I)


def strip_html(text: str) -> list[str]:
    """Reduce inline HTML to text paragraphs (block tags split, entities decoded)."""
    if "<" not in text and "&" not in text:
        return [text]
    parts = _BLOCK_TAG_RE.split(text)
    out = []
    for part in parts:
        part = html.unescape(_TAG_RE.sub("", part)).replace("\xa0", " ").strip()
        if part:
            out.append(part)
    return out


BOLD_RE = re.compile(r"^\*\*(.+?)\*\*$|^__(.+?)__$")


def bold_line(line: str) -> str | None:
    if "**" not in line and "__" not in line:
        return None
    m = BOLD_RE.match(line.strip())
    if not m:
        return None
    return (m.group(1) or m.group(2)).strip() or None
