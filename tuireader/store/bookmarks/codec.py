"""Bookmarks, the YAML codec: the file's text to a ``Document`` and back. No Textual.

Reading: a file exactly as tuireader writes it is read line by line (fast,
and checked by writing it back to the same text); anything else goes through
PyYAML's safe parser (libyaml's when installed) event by event, building
nodes with their line numbers (so an error names the line), refusing aliases,
nesting deeper than ``MAX_DEPTH`` and huge node counts before they cost
anything: a YAML bomb is refused at once. Values are built by PyYAML's
``SafeConstructor`` only. Writing is done by hand (``yaml_scalar``) for speed;
a property test checks that YAML reads back every string unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tuireader.store.bookmarks.model import (
    FORMAT_VERSION,
    Bookmark,
    BookmarkFileError,
    Document,
    parse_time,
    unique_tags,
)
from tuireader.store.yamlsafe import Refused, SafeConstructor, compose, gc_paused, resolve_plain
from tuireader.text.sanitize import TERMINAL_UNSAFE_RE

#: Far above any real reading list (about 300 bytes a bookmark); refuses a huge file fast.
MAX_FILE_BYTES = 32 << 20
MAX_NODES = 2_000_000
MAX_DEPTH = 64

HEADER = (
    "# tuireader bookmarks: see docs/bookmarks.md for the fields.\n"
    "# You may edit this file by hand; tuireader keeps unknown keys but not comments.\n"
)


# ------------------------------------------------------------------ writing


def dump_document(doc: Document) -> str:
    """The file's text: our keys in their places, unknown top-level keys kept."""
    order = list(doc.key_order)
    for key in ("version", "bookmarks"):
        if key not in order:
            order.insert(0 if key == "version" else 1, key)
    order += [key for key in doc.extra if key not in order]
    parts = [HEADER]
    for key in order:
        if key == "version":
            parts.append(f"version: {max(doc.version, FORMAT_VERSION)}\n")
        elif key == "bookmarks":
            parts.append("bookmarks:\n" if doc.bookmarks else "bookmarks: []\n")
            parts += [_dump_bookmark(b) for b in doc.bookmarks]
        elif key in doc.extra:
            parts.append(dump_yaml({key: doc.extra[key]}))
    return "".join(parts)


def _dump_bookmark(bookmark: Bookmark) -> str:
    lines: list[str] = []
    for key, value in bookmark.to_dict().items():
        lead = "  " if lines else "- "
        if key in bookmark.extra:
            chunk = dump_yaml({key: value}, indent="  ")
            lines.append(lead + chunk[2:].removesuffix("\n"))
        elif key == "tags":
            lines.append(f"{lead}tags:" if value else f"{lead}tags: []")
            lines += [f"  - {yaml_scalar(tag, '  ')}" for tag in value]
        else:
            lines.append(f"{lead}{key}: {yaml_scalar(value, '  ')}")
    return "\n".join(lines) + "\n"


# What must be escaped inside a double-quoted scalar: YAML's non-printable characters
# (a reader refuses them raw) and the terminal-unsafe ones above.
_ESCAPE_RE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|" + TERMINAL_UNSAFE_RE.pattern
)
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# A plain (unquoted) scalar: conservative, anything else is double-quoted.
_PLAIN_RE = re.compile(r"[^\s!&*\-?:,\[\]{}#|>@`\"'%=~\\][^\n\r\t]*")
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; escape what JSON leaves raw.
    return _ESCAPE_RE.sub(_escape, json.dumps(text, ensure_ascii=False))


def yaml_scalar(value: Any, indent: str = "") -> str:
    """One scalar, as it follows ``key: `` on a line indented by ``indent``.

    Written by hand (not by PyYAML's representer) because a save happens on every
    change, under the lock; ``tests/test_bookmarks_store.py`` checks that every
    string comes back unchanged through the real parser.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text == "":
        return "''"
    if _ESCAPE_RE.search(text) is None and text[-1] not in " :" and ": " not in text and " #" not in text:
        if (
            _PLAIN_RE.fullmatch(text)
            and resolve_plain(text, (True, False)) == _STR_TAG
        ):
            return text
        if _literal_ok(text):
            # A multi-line note as a literal block, as a person would write it.
            return "|-\n" + "\n".join(f"{indent}  {line}" if line else "" for line in text.split("\n"))
    return _quoted(text)


def _literal_ok(text: str) -> bool:
    """Multi-line text that a ``|-`` block gives back exactly (else it is double-quoted)."""
    lines = text.split("\n")
    return (
        len(lines) > 1
        and _ESCAPE_RE.search(text) is None
        and "\r" not in text
        and text[0] not in " \t"
        and lines[-1] != ""
        and all(line == line.rstrip(" \t") for line in lines)
    )


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """For values of keys we do not know: strings that need it double-quoted, so they can be escaped."""


def _represent_str(dumper: Any, text: str) -> yaml.ScalarNode:
    style = "|" if _literal_ok(text) else ('"' if _ESCAPE_RE.search(text) or "\n" in text else None)
    return dumper.represent_scalar(_STR_TAG, text, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, indent: str = "") -> str:
    """Any data as block YAML, Chinese as Chinese, nothing a terminal acts on left raw."""
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096)
    # Every such character sits in a double-quoted scalar (see _represent_str): escape it.
    text = _ESCAPE_RE.sub(_escape, text)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


# ------------------------------------------------------------------ reading


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def read_text(path: Path, raw: bytes) -> str:
    """Decode a bookmarks file, refusing binary data with the line it is on."""
    if len(raw) > MAX_FILE_BYTES:
        raise BookmarkFileError(path, None, f"file is larger than {MAX_FILE_BYTES >> 20} MiB; not a bookmarks file")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise BookmarkFileError(path, raw.count(b"\n", 0, nul) + 1, "binary data (a NUL byte); not a YAML text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise BookmarkFileError(path, line, "not UTF-8 text (binary data?)") from None


def parse_document(text: str, path: Path | str, *, allow_list: bool = False) -> Document:
    """Parse and check a bookmarks file; ``BookmarkFileError`` names the line of the first fault.

    ``allow_list`` accepts a bare list of bookmarks (what ``export --format json`` writes),
    for ``import``.
    """
    if not allow_list:
        quick = _read_as_written(text)
        if quick is not None:
            return quick
    return parse_yaml_document(text, path, allow_list=allow_list)


def parse_yaml_document(text: str, path: Path | str, *, allow_list: bool = False) -> Document:
    """``parse_document`` through the YAML reader only (any YAML; lines for errors)."""
    try:
        with gc_paused():
            node = compose(text, kind="a bookmarks file", max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
            constructor = SafeConstructor()
            if node is None:
                return Document()
            if allow_list and isinstance(node, yaml.SequenceNode):
                return Document(bookmarks=_bookmarks(constructor, node, path))
            return _document(constructor, node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable"
        if not isinstance(exc, Refused):
            problem = f"invalid YAML: {problem}"
        raise BookmarkFileError(path, mark.line + 1 if mark else None, problem) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise BookmarkFileError(path, line, f"a control character (U+{code:04X}) is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BookmarkFileError(path, None, f"invalid YAML: {first}") from None


class _NotAsWritten(Exception):
    pass


def _read_as_written(text: str) -> Document | None:
    """A file exactly as ``dump_document`` writes it, read line by line (several times
    faster than YAML); None for anything else, which the YAML reader then reads.

    Proof that it reads what YAML would: the result must dump back to exactly
    ``text``, and YAML gives back what ``dump`` wrote (a property test checks it).
    """
    if not text.startswith(HEADER):
        return None
    lines = text[len(HEADER) :].split("\n")
    try:
        doc = _lines_to_document(lines)
    except (_NotAsWritten, ValueError, IndexError):
        return None
    return doc if dump_document(doc) == text else None


def _as_written(raw: str) -> str | None:
    if raw == "null":
        return None
    if raw == "''":
        return ""
    if raw.startswith('"'):
        value = json.loads(raw)
        if not isinstance(value, str):
            raise _NotAsWritten
        return value
    return raw


def _lines_to_document(lines: list[str]) -> Document:
    version_line = lines[0]
    if not version_line.startswith("version: ") or not version_line[9:].isdigit():
        raise _NotAsWritten
    doc = Document(version=int(version_line[9:]))
    if lines[1] == "bookmarks: []":
        return doc
    if lines[1] != "bookmarks:":
        raise _NotAsWritten
    i, end = 2, len(lines) - 1  # the text ends with a newline: the last "line" is empty
    while i < end:
        if not lines[i].startswith("- "):
            raise _NotAsWritten
        values: dict[str, Any] = {}
        line = "  " + lines[i][2:]
        while True:
            key, sep, raw = line[2:].partition(": ")
            tags_below = False  # "tags:" alone: the tags follow, one a line
            if not sep:
                if line[2:] == "tags:":
                    key, tags_below = "tags", True
                else:
                    raise _NotAsWritten
            i += 1
            if key == "tags":
                tags: list[str] = []
                if tags_below:
                    while i < end and lines[i].startswith("  - "):
                        if lines[i] == "  - |-":  # a tag of several lines: left to YAML
                            raise _NotAsWritten
                        tag = _as_written(lines[i][4:])
                        if not tag:
                            raise _NotAsWritten
                        tags.append(tag)
                        i += 1
                elif raw != "[]":
                    raise _NotAsWritten
                values["tags"] = tags
            elif key in _INT_FIELDS:
                values[key] = None if raw == "null" else int(raw)
                if values[key] is not None and values[key] < 0:
                    raise _NotAsWritten
            elif key in _TEXT_FIELDS or key == "article_id":
                if raw == "|-":
                    block = []
                    while i < end and (lines[i].startswith("    ") or lines[i] == ""):
                        block.append(lines[i][4:])
                        i += 1
                    values[key] = "\n".join(block)
                else:
                    values[key] = _as_written(raw)
            else:
                raise _NotAsWritten  # a key we do not know: the YAML reader keeps it
            if i >= end or not lines[i].startswith("  ") or lines[i].startswith("  - "):
                break
            line = lines[i]
        article_id = values.get("article_id")
        tags = values.get("tags", [])
        if not article_id or article_id != article_id.strip() or tags != unique_tags(tags):
            raise _NotAsWritten  # the YAML reader would strip or fold these
        if values.get("saved") and parse_time(values["saved"]) is None:
            raise _NotAsWritten
        if values.get("updated") and parse_time(values["updated"]) is None:
            raise _NotAsWritten
        doc.bookmarks.append(
            _bookmark_from(values)
        )
    return doc


def _document(constructor: Any, node: yaml.Node, path: Path | str) -> Document:
    if not isinstance(node, yaml.MappingNode):
        raise BookmarkFileError(path, _line(node), "expected a mapping with 'version:' and 'bookmarks:' at the top")
    doc = Document(key_order=[])
    for key_node, value_node in node.value:
        key = _key(key_node, path)
        doc.key_order.append(key)
        if key == "version":
            value = constructor.construct_object(value_node, deep=True)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise BookmarkFileError(path, _line(value_node), "'version' should be a whole number such as 1")
            doc.version = value
        elif key == "bookmarks":
            if _is_null(value_node):
                continue
            if not isinstance(value_node, yaml.SequenceNode):
                raise BookmarkFileError(path, _line(value_node), "'bookmarks' should be a list of bookmarks")
            doc.bookmarks = _bookmarks(constructor, value_node, path)
        else:
            doc.extra[key] = constructor.construct_object(value_node, deep=True)
    return doc


def _bookmarks(constructor: Any, seq: yaml.SequenceNode, path: Path | str) -> list[Bookmark]:
    return [_bookmark(constructor, item, n, path) for n, item in enumerate(seq.value, 1)]


def _key(node: yaml.Node, path: Path | str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise BookmarkFileError(path, _line(node), "keys should be plain words")
    return node.value


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


_TEXT_FIELDS = ("headline", "kicker", "paper", "date", "section", "source", "anchor", "saved", "updated", "note")
_INT_FIELDS = ("page", "paragraph")


def _bookmark(constructor: Any, node: yaml.Node, number: int, path: Path | str) -> Bookmark:
    def fail(at: yaml.Node, what: str) -> BookmarkFileError:
        return BookmarkFileError(path, _line(at), f"bookmark {number}: {what}")

    if not isinstance(node, yaml.MappingNode):
        raise fail(node, "expected a mapping of fields (article_id:, headline:, ...)")
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _key(key_node, path)
        if key == "article_id":
            # The scalar as written: an all-digit id stays a string.
            if not isinstance(value_node, yaml.ScalarNode) or _is_null(value_node) or not value_node.value.strip():
                raise fail(value_node, "'article_id' should be an article id such as 'k3vq8zta'")
            values[key] = value_node.value.strip()
        elif key in _TEXT_FIELDS:
            # Text as written, so `note: yes` stays "yes" and dates stay strings.
            if _is_null(value_node):
                values[key] = None
            elif isinstance(value_node, yaml.ScalarNode):
                values[key] = value_node.value
            else:
                raise fail(value_node, f"'{key}' should be text")
        elif key in _INT_FIELDS:
            value = None if _is_null(value_node) else constructor.construct_object(value_node, deep=True)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise fail(value_node, f"'{key}' should be a whole number")
            values[key] = value
        elif key == "tags":
            if _is_null(value_node):
                values[key] = []
            elif isinstance(value_node, yaml.SequenceNode) and all(
                isinstance(t, yaml.ScalarNode) and not _is_null(t) for t in value_node.value
            ):
                values[key] = unique_tags(t.value for t in value_node.value)
            else:
                raise fail(value_node, "'tags' should be a list of words, e.g. [待读, 法治]")
        else:
            extra[key] = constructor.construct_object(value_node, deep=True)
    if "article_id" not in values:
        raise fail(node, "missing 'article_id'")
    for key in ("saved", "updated"):
        if values.get(key) and parse_time(values[key]) is None:
            at = next(v for k, v in node.value if k.value == key)
            raise fail(at, f"'{key}' should be a time such as 2026-01-02T08:30:00+08:00")
    return _bookmark_from(values, extra)


def _bookmark_from(values: dict[str, Any], extra: dict[str, Any] | None = None) -> Bookmark:
    """A bookmark from its checked fields (absent ones take their defaults)."""
    return Bookmark(
        article_id=values["article_id"],
        headline=values.get("headline") or "",
        kicker=values.get("kicker"),
        paper=values.get("paper"),
        date=values.get("date"),
        page=values.get("page"),
        section=values.get("section"),
        source=values.get("source"),
        paragraph=values.get("paragraph") or 0,
        anchor=values.get("anchor"),
        saved=values.get("saved") or "",
        updated=values.get("updated"),
        note=values.get("note") or "",
        tags=values.get("tags") or [],
        **({"extra": extra} if extra is not None else {}),
    )

