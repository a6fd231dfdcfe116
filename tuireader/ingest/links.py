"""Markdown links (``[查看原文](https://tv.cctv.com/…)``) as link data, not raw Markdown.

A paragraph that is nothing but a link becomes a ``link`` block (its text and
URL); a link inside other text leaves its words in the text and its URL in a
``Link`` span of the block. The tokenizer has already joined the lines of a
paragraph, so a link broken across lines (``[查看原文]`` / ``(https://…)``)
arrives here whole.

Only what looks like a URL is a link target (a scheme such as ``https:``,
``www.``, ``/``, ``./``, ``#``): ``[注] (见下文)`` stays text. Images
(``![alt](src)``) and links with a title are left as they are.
"""

from __future__ import annotations

import re

from tuireader.model import Block, Link

#: ``[text](url)``; between ``]`` and ``(`` at most spaces and one line break
#: (the text may already be joined). Group 1 is the text, group 2 the URL.
LINK_RE = re.compile(
    r"(?<!!)\[([^\[\]]*)\][ \t]*\n?[ \t]*\(\s*"
    r"((?:[A-Za-z][A-Za-z0-9+.-]*:|www\.|\.{0,2}/|#)[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)"
    r"\s*\)"
)


def has_link(text: str) -> bool:
    """A cheap test first: most paragraphs hold no ``[``."""
    return "[" in text and LINK_RE.search(text) is not None


def only_link(text: str) -> tuple[str, str] | None:
    """(text, url) when ``text`` is one link and nothing else."""
    m = LINK_RE.fullmatch(text.strip())
    return (_words(m.group(1)), m.group(2)) if m else None


def unlink(text: str) -> tuple[str, tuple[Link, ...]]:
    """The text with each link replaced by its words, and where those words point."""
    out: list[str] = []
    spans: list[Link] = []
    length = 0
    last = 0
    for m in LINK_RE.finditer(text):
        before = text[last : m.start()]
        words = _words(m.group(1))
        out += [before, words]
        start = length + len(before)
        spans.append(Link(start, start + len(words), m.group(2)))
        length = start + len(words)
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(spans)


def resolve(block: Block) -> Block:
    """A block with its Markdown links turned into link data (the same block when it has none)."""
    if block.type not in ("paragraph", "caption", "subhead") or not has_link(block.text):
        return block
    if block.type == "paragraph":
        whole = only_link(block.text)
        if whole is not None:
            return Block("link", whole[0], url=whole[1])
    text, spans = unlink(block.text)
    return Block(block.type, text, credit=block.credit, links=spans)


def _words(text: str) -> str:
    return " ".join(text.split())
