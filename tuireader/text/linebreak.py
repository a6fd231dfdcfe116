"""Chinese line breaking (断行): fill lines to a width in terminal cells.

Rules, in the order they apply:

* The text is cut into *clusters*, the pieces no break may fall inside.  A
  cluster is one CJK character (or kana, Hangul, full-width form, emoji, or any
  other single character) or one run of Latin letters/digits (``2025``,
  ``3.5``, ``COVID-19``), with every opening punctuation mark before it glued
  to its front and every closing mark after it glued to its back.  So
  ``“法治`` breaks as ``“法`` + ``治`` and ``日,全`` as ``日,`` + ``全``; a run of
  ``——`` or ``……`` is closing punctuation and never splits.
* Kinsoku by *pulling down*: when a cluster such as ``字”。`` does not fit at
  the end of a line, the whole cluster (the character before the punctuation
  too) moves to the next line.  Nothing hangs past the width, so a line may end
  up to (cluster width - 1) cells short: rarely more than 5 for Chinese text
  (``字）”。`` is 7 cells), more before a Latin word or URL that moves whole.
* Lines are filled greedily: every cluster that fits goes on the line.
* A cluster wider than a whole line (a long URL, a run of 40 commas) is split
  where it must, avoiding a cut before closing or after opening punctuation
  where the cluster allows it.
* Spaces: only U+0020 SPACE runs at a break point are dropped, plus the
  spaces at the very start and end of the text (the ends of a paragraph are
  break points too).  Every other character, U+3000 IDEOGRAPHIC SPACE
  included, is kept, so ``"".join(lines)`` equals the text with exactly those
  spaces removed.

Widths are Rich's (``rich.cells.cell_len``), the measure Textual draws with, so
a line never overflows the widget it is drawn in.  The work is one regex pass
and one pass over the clusters: linear in the length of the text.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

__all__ = ["break_lines", "break_balanced", "cell_width", "OPENING", "CLOSING"]

#: Never at the end of a line.
OPENING = "（《「『“‘〔【〈〖〘〚｛［｟〝([{"
#: Never at the start of a line (full width, then half width as the sample uses them).
CLOSING = (
    "，。、；：？！）》」』”’…—〕】〉〗〙〛｝］｠｡､〞〟·・‥％‰℃°～"
    ",.;:?!)]}%"
)
#: Joins the parts of a Latin word when letters follow it: ``3.5``, ``a/b``, ``x-1``.
_WORD_INNER = ".,:;/\\-_'@&?=#+~%"

#: Zero-width marks that belong to the character before them.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u200b\u200c"
    "\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
#: Characters that allow a break on either side (CJK and other wide scripts, emoji).
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
    "\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f000-\U0001faff\U00020000-\U0003fffd"
)


def _cls(chars: str) -> str:
    return "".join("\\" + c if c in "\\]^-[" else c for c in chars)


_O = _cls(OPENING)
_C = _cls(CLOSING)
_GRAPHEME_TAIL = rf"(?:\u200d.?|[{_MARKS}])*"
_LATIN = rf"[^ \n{_WIDE}{_O}{_C}{_cls(_WORD_INNER)}]"
_WORD = rf"{_LATIN}+(?:[{_cls(_WORD_INNER)}]+{_LATIN}+)*"

#: Common ideographs: 2 cells each, a break allowed between any two.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CLUSTER_RE = re.compile(
    # A run of plain ideographs but its last one, which may carry closing marks:
    # the loop breaks inside it by arithmetic instead of char by char.
    rf"([{_HAN}]+(?=[{_HAN}]))|"
    rf"((?:[{_O}]{_GRAPHEME_TAIL} *)*"  # opening marks stick to what follows
    rf"(?:{_WORD}|.{_GRAPHEME_TAIL})?"  # a Latin word or one character
    rf"(?: *[{_C}]{_GRAPHEME_TAIL})*"  # closing marks stick to what precedes
    r" *)",  # spaces after it: dropped if the line breaks here
    re.S,
)
_GRAPHEME_RE = re.compile(rf".{_GRAPHEME_TAIL}", re.S)


def cell_width(s: str) -> int:
    """Cells that ``s`` takes on a terminal, as Textual measures it (CJK = 2)."""
    return cell_len(s)


def break_lines(text: str, width: int, indent: int = 0) -> list[str]:
    """Break ``text`` into lines of at most ``width`` cells, the first ``indent`` cells narrower.

    Returns ``[]`` for text that is empty or only spaces.  A line is wider than
    ``width`` only when one character is (a wide character at width 1); the
    first line is ``""`` only when the indent leaves no room for the first
    character.
    """
    text = text.strip(" ")
    if not text:
        return []
    width = max(1, width)
    avail = max(1, width - indent)
    lines: list[str] = []
    parts: list[str] = []
    used = 0  # cells on the current line, its trailing spaces included
    for run, cluster in _CLUSTER_RE.findall(text):
        if run:
            take = max(0, avail - used) // 2
            if take >= len(run):
                parts.append(run)
                used += 2 * len(run)
                continue
            per_line = max(1, width // 2)
            if take > 0:
                parts.append(run[:take])
            if parts:
                lines.append("".join(parts).rstrip(" "))
            elif avail < width:
                lines.append("")  # the indent leaves no room for a character on line 1
            avail = width
            while len(run) - take > per_line:
                lines.append(run[take : take + per_line])
                take += per_line
            parts = [run[take:]]
            used = 2 * len(parts[0])
            continue
        if not cluster:
            continue
        content = cluster.rstrip(" ")
        cw = cell_len(content)
        if used + cw <= avail:
            parts.append(cluster)
            used += cw + len(cluster) - len(content)
            continue
        if parts and cw <= width:
            lines.append("".join(parts).rstrip(" "))
            avail = width
            parts = [cluster]
            used = cw + len(cluster) - len(content)
            continue
        # Wider than any line (or than an indented first line): fill what is left
        # of this line, then whole lines.
        # Spaces where a piece ends are break-point spaces too: dropped.
        pieces = [p.strip(" ") for p in _split_wide(content, avail - used if parts else avail, width)]
        if len(pieces) == 1:  # grapheme sums can undercut cell_len (ZWJ): it fits after all
            parts.append(cluster)
            used += cell_len(cluster)
            continue
        if parts and pieces[0]:
            parts.append(pieces[0])
            pieces[0] = ""
        if parts:
            lines.append("".join(parts).rstrip(" "))
        elif not pieces[0] and avail < width:
            lines.append("")  # the indent leaves no room for a character on line 1
        lines.extend(p for p in pieces[:-1] if p)
        avail = width
        last = pieces[-1] + cluster[len(content) :]
        parts = [last]
        used = cell_len(last)
    if parts:
        lines.append("".join(parts).rstrip(" "))
    return lines


def _split_wide(content: str, room: int, width: int) -> list[str]:
    """Cut an unbreakable run into pieces: the first fits ``room`` (it may be empty), the rest ``width``.

    Graphemes stay whole; a cut before closing or after opening punctuation is
    moved back where the piece keeps at least one grapheme.
    """
    graphemes = _GRAPHEME_RE.findall(content)
    memo: dict[str, int] = {}
    widths = [memo[g] if g in memo else memo.setdefault(g, cell_len(g)) for g in graphemes]
    pieces: list[str] = []
    start = 0
    n = len(graphemes)
    first = True
    while start < n:
        limit = room if first else width
        end = start
        used = 0
        while end < n and used + widths[end] <= limit:
            used += widths[end]
            end += 1
        if end == start and not first:
            end = start + 1  # one grapheme wider than the line: it goes alone
        if end < n:
            cut = end
            while cut > start + 1 and (
                graphemes[cut][0] in CLOSING or graphemes[cut - 1][0] in OPENING
            ):
                cut -= 1
            if cut > start + 1 or not (
                graphemes[cut][0] in CLOSING or graphemes[cut - 1][0] in OPENING
            ):
                end = cut
        pieces.append("".join(graphemes[start:end]))
        start = end
        first = False
    if first:
        pieces.append("")
    return pieces


def _lone(line: str) -> bool:
    """A last line holding a single character (closing punctuation aside): ``进`` or ``进。``."""
    return len([c for c in line.strip() if c not in CLOSING]) <= 1


def break_balanced(text: str, width: int) -> list[str]:
    """``break_lines`` for a title: when the last line would hold one character alone
    (``昂扬奋`` / ``进``), the title is broken as narrow as it goes in as many lines,
    so the lines share the words evenly (a typesetter's widow rule for headings)."""
    lines = break_lines(text, width)
    if len(lines) < 2 or not _lone(lines[-1]):
        return lines
    best = lines
    for narrower in range(width - 1, 3, -1):
        candidate = break_lines(text, narrower)
        if len(candidate) > len(lines):
            break
        if not _lone(candidate[-1]):
            best = candidate
    return best
