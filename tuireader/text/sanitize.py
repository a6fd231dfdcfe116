"""Make article text safe to show: data, never terminal control.

What :func:`clean` does, and why:

* An escape sequence is removed whole, payload and terminator included, and
  one visible ``␛`` (U+241B) is left where it was, so a reader sees that
  something was there but no terminal ever receives it.  Covered: CSI
  (``ESC [`` … final byte, and the 8-bit ``0x9B``), the string sequences OSC,
  DCS, SOS, PM and APC (``ESC ]``, ``ESC P``, ``ESC X``, ``ESC ^``, ``ESC _`` and
  their 8-bit forms ``0x9D 0x90 0x98 0x9E 0x9F``) up to BEL, ST (``ESC \\`` or
  ``0x9C``) or, when unterminated, the end of the line, and the short ``ESC``
  + intermediates + final forms (``ESC ( B``, ``ESC c``).  So
  ``\\x1b]0;pwned\\x07`` becomes ``␛``, never ``0;pwned``; OSC 52 clipboard
  writes go the same way.
* Tab, newline, carriage return (``\\r\\n`` counts once), vertical tab, form
  feed, NEL (U+0085) and the line/paragraph separators U+2028/U+2029 become a
  space.
* Every other C0 control and DEL become their Control Pictures (``␀`` … ``␟``,
  ``␡``); every other C1 control becomes ``�`` (U+FFFD).  Nothing in category
  Cc is left.
* Bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) are removed,
  so article text cannot reorder the interface around it, and so are the
  invisible format characters that could hide or smuggle text: U+00AD soft
  hyphen, U+034F, U+115F/U+1160, U+180E, U+200B zero width space, U+2060–U+2064,
  U+206A–U+206F, U+3164, U+FEFF, U+FFA0, U+FFF9–U+FFFB and the tag characters
  U+E0000–U+E007F.  Kept: U+200C/U+200D (joiners: Persian, Indic, emoji
  sequences), variation selectors, U+3000 ideographic space.
* Markup (``[bold red]``, ``[@click=app.quit]``) is left as it is: the UI
  builds ``rich.text.Text`` objects, which show it literally.

* A lone surrogate (what Python makes of bytes that are not UTF-8, in a file
  name or an argument) becomes ``�`` (U+FFFD): output stays valid UTF-8.

Text without any of these characters is returned as is (the common case
costs one regex scan).  :func:`clean` is idempotent.

This module is the one boundary between stored strings and the terminal
(``docs/architecture.md``, "What reaches the terminal"): the screen, plain-text
and Markdown output go through :func:`clean` / :func:`clean_line`; JSON output
through :func:`json_text`; YAML output escapes ``TERMINAL_UNSAFE_RE`` (the
bookmarks codec); error messages through :func:`error_line`.  JSON and YAML keep
the data exact (escapes), so an export imports back unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

__all__ = ["clean", "clean_line", "error_line", "json_text", "link_target", "ESCAPE_SYMBOL", "TERMINAL_UNSAFE_RE"]

#: Left where an escape sequence was removed.
ESCAPE_SYMBOL = "\u241b"  # ␛

_STRING_INTRO = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])"
# A string runs to its terminator (BEL or ST); unterminated, it stops where a
# terminal would abort it (another ESC, CAN, SUB, a C1) or at the end of the line.
_STRING_BODY = r"[^\x07\x1b\x18\x1a\x80-\x9f\n\r]*"
_STRING_END = r"(?:\x07|\x1b\\|\x9c)?"
# Adjacent sequences leave one symbol (and cost one match, however many there are).
_SEQUENCE_RE = re.compile(
    rf"(?>{_STRING_INTRO}{_STRING_BODY}{_STRING_END}"  # OSC, DCS, SOS, PM, APC strings
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI (cut short at the end of the text too)
    r"|\x1b[ -/]*[0-~]?)++",  # two- and three-byte escapes, or a lone ESC
    re.S,
)

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_HIDING = (
    "\u00ad\u034f\u115f\u1160\u180e\u200b\u2060-\u2064\u206a-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f"
)
_SPACE_LIKE = "\t\n\x0b\x0c\r\x85\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
#: Anything clean() changes; its absence is the fast path.
_SUSPECT_RE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}{_HIDING}\u2028\u2029{_SURROGATES}]")
_CHAR_RE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}{_HIDING}\u2028\u2029{_SURROGATES}]+")
#: Characters YAML and JSON would write raw (they count them printable, or JSON leaves
#: them alone) that a terminal acts on or that are not UTF-8: DEL, C1 controls, bidi and
#: hiding characters, line/paragraph separators, lone surrogates. Escaped in YAML and
#: JSON output, which keeps the data exact. (JSON escapes C0 controls itself; YAML's
#: writer escapes every character it does not count printable.)
TERMINAL_UNSAFE_RE = re.compile(rf"[\x7f-\x9f{_BIDI}{_HIDING}\u2028\u2029{_SURROGATES}]")


def _char_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # Control Pictures: ␀ … ␟
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = "\ufffd"
    for ch in _SPACE_LIKE:
        table[ord(ch)] = " "
    for code in range(0xD800, 0xE000):
        table[code] = "\ufffd"
    for ch in _SUSPECT_RE.findall("".join(map(chr, range(0x10000))) + "".join(map(chr, range(0xE0000, 0xE0080)))):
        table.setdefault(ord(ch), None)  # bidi and hiding characters are dropped
    return table


_CHAR_TABLE = _char_table()
_ESC = "\x1b"
_WHITE_RE = re.compile(r"\s+")


def _replace_run(match: re.Match[str]) -> str:
    # Whole runs at a time: a string of 10^6 controls costs one call, not 10^6.
    return match.group().replace("\r\n", "\n").translate(_CHAR_TABLE)


def clean(s: str) -> str:
    """Article text -> text that is safe to show on a terminal (see the module doc)."""
    if not _SUSPECT_RE.search(s):
        return s
    if _ESC in s or _has_c1_intro(s):
        s = _SEQUENCE_RE.sub(ESCAPE_SYMBOL, s)
    # The common controls at C speed (after the sequences: a newline ends an unterminated one).
    if "\n" in s:
        s = s.replace("\r\n", " ").replace("\n", " ")
    if "\t" in s:
        s = s.replace("\t", " ")
    if not _SUSPECT_RE.search(s):
        return s
    if len(s) > 4096:
        runs = len(_CHAR_RE.findall(s))
        if runs * 64 > len(s):  # dense (hostile) input: one C-level pass beats a call per run
            return s.replace("\r\n", "\n").translate(_CHAR_TABLE)
    return _CHAR_RE.sub(_replace_run, s)


def _has_c1_intro(s: str) -> bool:
    return any(ch in s for ch in "\x90\x98\x9b\x9d\x9e\x9f")


def clean_line(s: str) -> str:
    """Like :func:`clean`, for one-line places (lists, titles): every run of white
    space, U+3000 included, becomes one space, and the ends are trimmed."""
    return _WHITE_RE.sub(" ", clean(s)).strip()


def error_line(message: object) -> str:
    """An error message as one printable line: whatever it quotes (a file name, the
    reader's own input) is shown, never acted on."""
    return clean_line(str(message))


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON with Chinese kept readable, the same data, safe to print and
    always valid UTF-8: what JSON leaves raw but a terminal acts on (DEL, C1 controls,
    bidi overrides, line separators) and lone surrogates are written as ``\\uXXXX``."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return TERMINAL_UNSAFE_RE.sub(_json_escape, text)


#: Schemes a link in an article may have to be followed (no javascript:, file:, data:).
LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
#: What percent-encoding leaves as it is: the URI syntax characters and ``%`` (already encoded).
_URL_SAFE = "!#$&'()*+,/:;=?@[]~%-._"


def link_target(url: str | None) -> str | None:
    """``url`` fit to be handed to a terminal as an OSC 8 hyperlink and shown, or None.

    Only http(s), mailto and ftp links; none with a control, bidi or hidden character or
    white space inside (a URL cannot smuggle an escape sequence or a terminator out of
    the hyperlink); anything beyond printable ASCII is percent-encoded (UTF-8), as a
    browser would send it; at most 2,048 characters."""
    if not url:
        return None
    url = url.strip()
    if not url or _SUSPECT_RE.search(url) or any(c.isspace() for c in url):
        return None
    scheme, colon, _rest = url.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        return None
    target = quote(url, safe=_URL_SAFE)
    return target if len(target) <= 2048 else None
