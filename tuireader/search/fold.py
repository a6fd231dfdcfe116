"""Folding text for search: the same on the index side and the query side.

Half- and full-width forms are one (NFKC), letters are lower case, and
traditional characters fold to simplified ones through a small table of the
commonest pairs (see ``tradsimp.py``: a full OpenCC conversion is a compiled
dependency and a phrase-level converter, far more than search needs).

Folding keeps the length: a character whose NFKC form is longer (``…``,
``℃``) stays as it is, so a position in folded text is the same position in
the original, and highlights need no mapping.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from tuireader.search.tradsimp import _TRAD, TRAD_TO_SIMP

# str.translate walks every character through a dict; a regex test is far cheaper
_HAS_TRAD = re.compile("[" + re.escape(_TRAD) + "]")
# characters outside the ranges whose NFKC form is always one character
_OTHER = re.compile(r"([^\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])")


#: Characters whose NFKC form is longer, common in news text, and private-use stand-ins.
_COMMON_LONG = {"…": "\ue000", "‥": "\ue001", "℃": "\ue002", "℉": "\ue003", "㎡": "\ue004", "㎞": "\ue005"}


_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALFWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def _halfwidth(text: str) -> str:
    """Full-width ASCII forms as ASCII: a replace per distinct form (an article uses a
    handful, hundreds of times: ，！ＡＢ), not a call per character."""
    for ch in set(_FULLWIDTH.findall(text)):
        text = text.replace(ch, _HALFWIDTH[ch])
    return text


def fold(text: str) -> str:
    """NFKC, lower case, traditional -> simplified; ``len(fold(s)) == len(s)``."""
    # fast path: Chinese text differs from its NFKC form mostly by full-width forms
    out = _halfwidth(text)
    probe = out
    for ch in _COMMON_LONG:
        if ch in probe:
            probe = probe.replace(ch, "")  # kept as they are anyway
    if unicodedata.is_normalized("NFKC", probe):
        out = out.lower()
        if len(out) == len(text):
            return out.translate(TRAD_TO_SIMP) if _HAS_TRAD.search(out) else out
    out = unicodedata.normalize("NFKC", text).lower()
    if len(out) != len(text) and any(c in text for c in _COMMON_LONG):
        # the usual culprits (… in nearly every Chinese article): hold them aside
        held = text
        for ch, mark in _COMMON_LONG.items():
            held = held.replace(ch, mark)
        out = unicodedata.normalize("NFKC", held).lower()
        for ch, mark in _COMMON_LONG.items():
            out = out.replace(mark, ch)
    if len(out) != len(text):
        # fold the safe stretches whole and the other characters one by one
        parts = _OTHER.split(text)
        out = "".join(
            unicodedata.normalize("NFKC", p).lower() if i % 2 == 0 else _fold_char(p) for i, p in enumerate(parts)
        )
        if len(out) != len(text):
            out = "".join(_fold_char(c) for c in text)
    return out.translate(TRAD_TO_SIMP) if _HAS_TRAD.search(out) else out


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    f = unicodedata.normalize("NFKC", ch).lower()
    if len(f) == 1:
        return f
    low = ch.lower()
    return low if len(low) == 1 else ch


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F or 0xF900 <= o <= 0xFAFF
