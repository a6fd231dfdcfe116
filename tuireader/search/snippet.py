"""Results as a reader sees them: the snippet around the first match, highlight spans,
the matched strings as the article writes them, and the small bonus for recent issues."""

from __future__ import annotations

import re
from typing import Protocol

from tuireader.search.fold import fold

SNIPPET_CHARS = 60


class BodyText(Protocol):
    """An article body folded, and the way back to its text as written, a stretch at a time
    (the index stores the body folded: ``stored.Stored``)."""

    @property
    def folded(self) -> str: ...

    def written(self, start: int, end: int) -> str: ...


class Body:
    """A body from its text as written (folded here)."""

    __slots__ = ("folded", "text")

    def __init__(self, text: str):
        self.text = text
        self.folded = fold(text)

    def written(self, start: int, end: int) -> str:
        return self.text[start:end]


def as_written(terms: list[str], head: str, head_folded: str, body: BodyText) -> list[str]:
    """Matched (folded) strings as the article writes them, for highlighting its text.

    Folding keeps positions, so the original is the same stretch of the unfolded text.
    """
    out: dict[str, None] = {}
    for term in terms:
        if head:
            i = head_folded.find(term)
            if i >= 0:
                out[head[i : i + len(term)]] = None
        i = body.folded.find(term)
        if i >= 0:
            out[body.written(i, i + len(term))] = None
        out.setdefault(term, None)
    return list(out)


def recency(date: str) -> float:
    """A small bonus that grows with the issue date: at most 0.1, 0.05 for ~2000."""
    try:
        y = int(date[:4]) + (int(date[5:7]) - 1) / 12
    except ValueError:
        return 0.0
    return max(0.0, min(0.1, (y - 1950) / 1000))


def spans_of(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every place a term occurs in ``text`` (folded comparison), merged, in order."""
    if not text or not terms:
        return []
    folded = fold(text)  # same length as text: positions carry over
    spans = []
    for term in terms:
        if not term:
            continue
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((start, end))
            start = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


_WHITE = re.compile(r"\s+")


def make_snippet(text: str | BodyText, terms: list[str],
                 width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """One line of ``text`` around its first match, and the match spans within it."""
    body = Body(text) if isinstance(text, str) else text
    folded = body.folded
    first = -1
    for term in terms:
        i = folded.find(term) if term else -1
        if i >= 0 and (first < 0 or i < first):
            first = i
    if first < 0:
        start = 0
    else:
        # from the start when the match is near it, else a little context before the match
        start = 0 if first + 4 <= width * 3 // 4 else max(0, first - width // 4)
    # a window wide enough to hold ``width`` characters once runs of white space are one space
    raw = body.written(start, start + width * 3)
    raw_folded = folded[start : start + width * 3]
    snippet = _WHITE.sub(" ", raw).strip()[:width]
    window = _WHITE.sub(" ", raw_folded).strip()[:width]
    if len(window) != len(snippet):
        window = fold(snippet)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        i = window.find(term)
        while i >= 0:
            spans.append((i, i + len(term)))
            i = window.find(term, i + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return snippet, merged
