"""The index's token fields, the day numbers of its date field, and how its pinyin and
``by:`` tokens are made: shared by the index, the segmenter, the indexing workers (which
must not import the index: it starts them) and the queries, so both sides make the same."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

#: Token fields (whitespace-separated, as segmented) and their weights in the ranking.
WORD_FIELDS = {"head": 6.0, "byline": 2.0, "body": 1.0}
PY_FIELDS = {"pyhead": 3.0, "pybody": 0.5}
INI_FIELD = "inihead"
#: The token fields in the order the segmenter gives them.
TOKEN_FIELDS = (*WORD_FIELDS, *PY_FIELDS, INI_FIELD)
#: The bodies' words and sounds without how often each occurs (the most of the postings;
#: ranking on the relevance sets is no worse without: benchmarks/README.md).
INDEX_OPTIONS = {"body": "basic", "pybody": "basic"}


def day_number(date: str | None) -> int:
    """``2025-06-01`` -> 20250601, a prefix padded (``2025-06`` -> 20250600); 0 if none."""
    if not date:
        return 0
    digits = "".join(ch for ch in date[:10] if ch.isdigit())
    if not digits.isdigit() or len(digits) < 4:
        return 0
    return int(digits[:8].ljust(8, "0"))


def pinyin_bigrams(syllables: Sequence[str | None]) -> list[str]:
    """``gao zong`` -> ``gao1zong``: one token per pair of adjacent Chinese characters (a
    character without a sound breaks the pair). The index's pinyin tokens and the queries'."""
    return [f"{a}1{b}" for a, b in pairwise(syllables) if a and b]


def char_pairs(text: str) -> list[str]:
    """Each two adjacent characters of ``text``: what ``by:`` looks up of a name typed, and
    (with the characters alone) what the index keeps of an article's bylines."""
    return [text[i : i + 2] for i in range(len(text) - 1)]
