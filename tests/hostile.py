"""A hostile corpus, built at test time: files an attacker (or a broken crawler) could put
in a library, or in a bookmarks or config file, to take over a reader's terminal or to
hang or exhaust the reader.

Every builder writes into a folder it is given and returns the paths it made. The text is
our own invention in the shapes of the real corpus (page files with ``#`` headlines,
per-article Markdown with front matter). ``TERMINAL_ATTACKS`` are the payloads the tests
look for on screen and in output: none may reach a terminal as control.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Rich/Textual markup that must show literally.
MARKUP = "[bold red]红色警告[/bold red] [@click=app.quit]点此退出[/] [link=https://evil.example/]恶意链接[/link]"
#: Escape sequences and controls: the title, a screen wipe, an OSC 52 clipboard write,
#: a C1 CSI, a DCS string, BEL, backspace, a hyperlink, and cursor moves.
TERMINAL_ATTACKS = {
    "title": "\x1b]0;pwned\x07",
    "wipe": "\x1b[2J",
    "clipboard": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "c1_csi": "\x9b31m",
    "dcs": "\x1bP1$tx\x1b\\",
    "bell": "\x07",
    "backspace": "\x08\x08\x08",
    "hyperlink": "\x1b]8;;https://evil.example/\x1b\\点我\x1b]8;;\x1b\\",
    "cursor": "\x1b[H\x1b[10;10H",
    "c1_osc": "\x9d0;c1title\x9c",
}
#: Bidi controls: a right-to-left override would reverse the rest of the line.
BIDI = "\u202e反转\u202c \u2067隔离\u2069 \u200f"
#: Words that must stay readable around the attacks (plain, no controls).
MARKUP_HEADLINE_WORD = "红色警告"
ESCAPE_HEADLINE = "终端标题测试"
BIDI_HEADLINE = "双向文字测试"


def _page(headline: str, body: list[str], *, byline: str = "本报记者 林晓") -> str:
    return "\n\n".join([f"# {headline}", byline, *body]) + "\n"


def markup_page(folder: Path) -> Path:
    """A page whose headline, byline, paragraphs and caption carry markup."""
    path = folder / "01-markup.txt"
    path.write_text(_page(
        f"{MARKUP} 市民议事厅开张",
        [
            f"本报讯 社区议事厅昨日开门迎客。{MARKUP}。居民们在这里讨论停车、绿化和加装电梯。",
            "[/] 一个孤零零的结束标签 [/bold] 和 [not markup] 也应原样显示。",
            "议事厅里挂着一张照片，记录了开张的场面 于江 摄",
        ],
        byline="本报记者 [italic]陈默[/italic]",
    ), encoding="utf-8")
    return path


def escapes_page(folder: Path) -> Path:
    """A page whose text is laced with every kind of terminal control."""
    attacks = "".join(TERMINAL_ATTACKS.values())
    path = folder / "02-escapes.txt"
    path.write_text(_page(
        f"{ESCAPE_HEADLINE}{TERMINAL_ATTACKS['title']}{TERMINAL_ATTACKS['wipe']}",
        [
            f"本报讯 {attacks}老城区的改造工程进入收尾阶段。",
            f"施工方表示{TERMINAL_ATTACKS['clipboard']}将在月底前完成全部路面铺设{TERMINAL_ATTACKS['bell']}。",
            "未结束的字符串\x1b]0;never terminated 会一直延续到行尾",
        ],
    ), encoding="utf-8")
    return path


def bidi_page(folder: Path) -> Path:
    path = folder / "03-bidi.txt"
    path.write_text(_page(f"{BIDI_HEADLINE}{BIDI}", [f"本报讯 {BIDI}这一段的顺序不应被打乱。"]), encoding="utf-8")
    return path


FRONT_HEADLINE = "前言字段测试"


def front_matter_page(folder: Path) -> Path:
    """Per-article Markdown whose front matter (paper, page name) carries markup, escapes and bidi."""
    path = folder / "04-front.md"
    path.write_text(
        "---\n"
        'paper: "[bold]晨报[/bold]\\e]0;paper\\a"\n'  # YAML escapes: ESC and BEL
        'page_name: "\\u202e要闻\\u202c[red]版[/red]"\n'
        f"title: {FRONT_HEADLINE}\n"
        "---\n\n"
        f"# {FRONT_HEADLINE}\n\n"
        "> 本报记者 [b]周舟[/b]\n\n"
        "**[red]小标题\x1b[2J[/red]**\n\n"
        "正文第一段。[link=https://evil.example/]链接[/link]\n",
        encoding="utf-8",
    )
    return path


def front_matter_bomb(folder: Path) -> Path:
    """Per-article Markdown whose front matter is a billion-laughs YAML bomb."""
    path = folder / "04-bomb.md"
    path.write_text("---\n" + yaml_bomb() + "title: 炸弹\n---\n\n# 炸弹文章\n\n正文一段。\n", encoding="utf-8")
    return path


def bad_encodings(folder: Path) -> list[Path]:
    made = {
        "05-invalid-utf8.txt": "# 坏编码\n\n正文".encode() + b"\xff\xfe\xfa\x80\x81 \xc3\x28 tail\n",
        "06-utf16-no-bom.txt": "# 无BOM的UTF-16\n\n正文\n".encode("utf-16-le"),
        "07-truncated-gb18030.txt": "# 截断的国标码\n\n正文".encode("gb18030")[:-1],
        "08-nul.txt": b"# heading\n\n\x00\x00\x00 text\n",
        "09-empty.txt": b"",
        "10-only-controls.txt": bytes(range(1, 32)) * 200,
    }
    paths = []
    for name, data in made.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def huge_line(folder: Path, megabytes: int = 5) -> Path:
    """One line of ``megabytes`` MB with no break at all (Chinese text, then controls)."""
    path = folder / "11-huge-line.txt"
    unit = "长行没有换行符也没有标点" * 100  # 1,200 characters, 3,600 bytes
    body = unit * ((megabytes << 20) // len(unit.encode()))
    path.write_text("# 超长的一行\n\n" + body + "\x1b[2J" * 1000 + "\n", encoding="utf-8")
    return path


def many_headings(folder: Path, count: int = 100_000) -> Path:
    path = folder / "12-many-headings.txt"
    path.write_text("".join(f"# 标题{i}\n\n正文{i}\n\n" for i in range(count)), encoding="utf-8")
    return path


def deep_quotes(folder: Path, depth: int = 10_000) -> Path:
    """10,000 levels of nested block quotes, and as many nested list markers."""
    path = folder / "13-deep-quotes.md"
    path.write_text(
        "# 嵌套引用\n\n" + ">" * depth + " 最深处的一句话\n\n" + "- " * depth + "列表最深处\n\n"
        + "[" * depth + "括号" + "]" * depth + "\n",
        encoding="utf-8",
    )
    return path


def sparse_gigabyte(folder: Path) -> Path:
    """A 1 GB file that takes no disk (``truncate -s 1G``)."""
    path = folder / "14-one-gigabyte.txt"
    with open(path, "wb") as f:
        f.truncate(1 << 30)
    return path


def yaml_bomb(levels: int = 9) -> str:
    """Billion laughs: each alias level multiplies the nodes by ten."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def bookmarks_bomb(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version: 1\n" + yaml_bomb() + "bookmarks: *a9\n", encoding="utf-8")
    return path


def config_bomb(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml_bomb() + "keymap: *a9\n", encoding="utf-8")
    return path


def visible_library(folder: Path) -> Path:
    """The pages a reader can open (markup, escapes, bidi), in one issue folder."""
    issue = folder / "2025-06-06"
    issue.mkdir(parents=True, exist_ok=True)
    markup_page(issue)
    escapes_page(issue)
    bidi_page(issue)
    front_matter_page(issue)
    return issue


def full_library(folder: Path) -> Path:
    """Everything above in one library (the 1 GB file sparse)."""
    issue = visible_library(folder)
    front_matter_bomb(issue)
    bad_encodings(issue)
    huge_line(issue)
    many_headings(issue)
    deep_quotes(issue)
    sparse_gigabyte(issue)
    return folder


def has_terminal_control(text: str) -> str | None:
    """The first character that a terminal would take as control, else None.

    Tab and newline are layout; everything else below U+0020, DEL, C1 and the bidi
    controls is control."""
    for ch in text:
        code = ord(ch)
        if ch in "\n\t":
            continue
        bidi_controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        if code < 0x20 or 0x7F <= code < 0xA0 or ch in bidi_controls:
            return repr(ch)
    return None


def disk_usage(path: Path) -> int:
    """Bytes a file really takes on disk (to check the sparse file stayed sparse)."""
    return os.stat(path).st_blocks * 512


__all__ = [name for name in dir() if not name.startswith("_") and name not in ("os", "Path")]
