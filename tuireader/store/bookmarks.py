"""Bookmarks: a plain YAML file a reader can read, edit, carry and merge. No Textual.

The file (``<data dir>/bookmarks.yaml``, the ``bookmarks:`` path in the config,
or ``--bookmarks FILE``) is the only truth. Every change is made under a lock
on ``<file>.lock``: the file is read again, just this change (add, remove,
edit) is applied to what is there now, and the result is written atomically.
So two sessions of one reader never lose each other's changes, and a crash
leaves the old file or the new one, whole.

A file that does not parse, or holds an entry of the wrong shape, is never
written: every method that would write raises :class:`BookmarkFileError`,
whose one-line message names the file and the line, and the store stays
read-only until the file is fixed. Keys this version does not know (written
by a newer version, or by hand) are kept on rewrite. Comments are not.

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

import contextlib
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tuireader import paths
from tuireader.model import normalise_headline
from tuireader.store.atomic import atomic_write_text, file_lock

FORMAT_VERSION = 1
FILE_NAME = "bookmarks.yaml"
#: Far above any real reading list (about 300 bytes a bookmark); refuses a huge file fast.
MAX_FILE_BYTES = 32 << 20
MAX_NODES = 2_000_000
MAX_DEPTH = 64
#: Characters of the saved paragraph kept to find it again if paragraphs shift.
ANCHOR_CHARS = 24

HEADER = (
    "# tuireader bookmarks: see docs/bookmarks.md for the fields.\n"
    "# You may edit this file by hand; tuireader keeps unknown keys but not comments.\n"
)

T = TypeVar("T")


class BookmarkFileError(Exception):
    """A bookmarks file that cannot be used. ``str()`` is one line naming file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f" line {line}:" if line else ""
        super().__init__(f"{self.path}:{where} {problem}")


class UnknownBookmark(KeyError):
    """No bookmark for this article id."""


def now_iso() -> str:
    """The current local time, ISO 8601 with its UTC offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def parse_time(value: str | None) -> dt.datetime | None:
    """An aware datetime for a stored time (naive times are taken as UTC), or None."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def default_path() -> Path:
    return paths.data_dir() / FILE_NAME


def resolve_path(option: str | Path | None = None, configured: Path | None = None) -> Path:
    """``--bookmarks FILE``, else the config's ``bookmarks:``, else the data dir's file."""
    if option:
        return Path(option).expanduser()
    if configured:
        return Path(configured)
    return default_path()


# ------------------------------------------------------------------ model


@dataclass(slots=True)
class Bookmark:
    """One saved article, with enough stored to show it when the article is gone."""

    article_id: str
    headline: str = ""
    kicker: str | None = None
    paper: str | None = None
    date: str | None = None
    #: The section's (page's) number and name.
    page: int | None = None
    section: str | None = None
    #: Source file, relative to its library root.
    source: str | None = None
    #: Index of the paragraph that was in view, and its first characters.
    paragraph: int = 0
    anchor: str | None = None
    saved: str = ""
    #: When the note or tags last changed (decides which note wins on import).
    updated: str | None = None
    note: str = ""
    tags: list[str] = field(default_factory=list)
    #: Keys this version does not know, kept as they were.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.headline or self.kicker or ""

    @property
    def identity(self) -> tuple[str, str, str] | None:
        """Paper, date and folded headline: how a moved or re-identified article is found."""
        folded = normalise_headline(self.title)
        return (self.paper or "", self.date or "", folded) if folded else None

    @property
    def saved_at(self) -> dt.datetime | None:
        return parse_time(self.saved)

    @property
    def note_at(self) -> dt.datetime | None:
        """When the note was written: last edit, else the save if it came with a note.
        An empty note never edited has no time, so any note beats it on import."""
        return parse_time(self.updated) or (self.saved_at if self.note else None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "article_id": self.article_id,
            "headline": self.headline,
            "kicker": self.kicker,
            "paper": self.paper,
            "date": self.date,
            "page": self.page,
            "section": self.section,
            "source": self.source,
            "paragraph": self.paragraph,
            "anchor": self.anchor,
            "saved": self.saved,
            "updated": self.updated,
            "note": self.note,
            "tags": list(self.tags),
        }
        if self.updated is None:
            del out["updated"]
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    @classmethod
    def from_article(
        cls,
        article: Any,
        *,
        paragraph: int = 0,
        anchor: str | None = None,
        note: str = "",
        tags: Iterable[str] = (),
    ) -> Bookmark:
        """A bookmark for a ``model.Article`` as the library returns it."""
        return cls(
            article_id=article.id,
            headline=article.headline or "",
            kicker=article.kicker,
            paper=article.paper,
            date=article.date,
            page=article.page,
            section=article.section_name,
            source=article.source or None,
            paragraph=max(0, int(paragraph)),
            anchor=(anchor or "")[:ANCHOR_CHARS] or None,
            saved=now_iso(),
            note=note,
            tags=unique_tags(tags),
        )


def resolve_paragraph(bookmark: Bookmark, article: Any) -> int:
    """The block to open at: the saved index, unless the article's blocks shifted and
    the saved paragraph's first characters (the anchor) are found elsewhere."""
    blocks = article.blocks
    last = max(len(blocks) - 1, 0)
    index = min(bookmark.paragraph, last)
    anchor = bookmark.anchor
    if not anchor or (index < len(blocks) and blocks[index].text.startswith(anchor)):
        return index
    for i, block in enumerate(blocks):
        if block.text.startswith(anchor):
            return i
    return index


def unique_tags(tags: Iterable[str]) -> list[str]:
    """Tags stripped, empty ones dropped, each once, in first-seen order."""
    seen: dict[str, None] = {}
    for tag in tags:
        tag = str(tag).strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def split_tags(text: str) -> list[str]:
    """Tags as a person types them: separated by commas (, ，、) or spaces."""
    for sep in ("，", "、", ","):
        text = text.replace(sep, " ")
    return unique_tags(text.split())


@dataclass(slots=True)
class Document:
    """The whole file: its version, its bookmarks, and top-level keys we do not know."""

    version: int = FORMAT_VERSION
    bookmarks: list[Bookmark] = field(default_factory=list)
    #: Unknown top-level keys in file order, and where they stood relative to ours.
    extra: dict[str, Any] = field(default_factory=dict)
    key_order: list[str] = field(default_factory=lambda: ["version", "bookmarks"])

    def find(self, article_id: str) -> int | None:
        for i, b in enumerate(self.bookmarks):
            if b.article_id == article_id:
                return i
        return None

    def dump(self) -> str:
        """The file's text: our keys in their places, unknown top-level keys kept."""
        order = list(self.key_order)
        for key in ("version", "bookmarks"):
            if key not in order:
                order.insert(0 if key == "version" else 1, key)
        order += [key for key in self.extra if key not in order]
        parts = [HEADER]
        for key in order:
            if key == "version":
                parts.append(f"version: {max(self.version, FORMAT_VERSION)}\n")
            elif key == "bookmarks":
                parts.append("bookmarks:\n" if self.bookmarks else "bookmarks: []\n")
                parts += [_dump_bookmark(b) for b in self.bookmarks]
            elif key in self.extra:
                parts.append(dump_yaml({key: self.extra[key]}))
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


# ------------------------------------------------------------------ YAML


# Characters YAML would write raw (it counts them printable) that a terminal acts on:
# C1 controls, bidi controls, line/paragraph separators.
TERMINAL_UNSAFE_RE = re.compile("[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# What must be escaped inside a double-quoted scalar: YAML's non-printable characters
# (a reader refuses them raw) and the terminal-unsafe ones above.
_ESCAPE_RE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|" + TERMINAL_UNSAFE_RE.pattern
)
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# A plain (unquoted) scalar: conservative, anything else is double-quoted.
_PLAIN_RE = re.compile(r"[^\s!&*\-?:,\[\]{}#|>@`\"'%=~\\][^\n\r\t]*")
_resolver = yaml.resolver.Resolver()
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
            and _resolve_plain(text, (True, False)) == _STR_TAG
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


class _Refused(yaml.MarkedYAMLError):
    pass


@functools.lru_cache(maxsize=4096)
def _resolve_plain(value: str, implicit: tuple[bool, bool]) -> str:
    # Keys and short values repeat in every entry; resolving is regex work.
    return _resolver.resolve(yaml.ScalarNode, value, implicit)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document, built from the (C, when available) parser's
    events without recursion, refusing aliases (the stuff of YAML bombs), deep nesting
    and huge node counts before they cost anything."""
    root: list[yaml.Node] = []  # a sequence that holds the document's root node
    stack: list[Any] = [root]  # collections being filled: lists, or [mapping node, pending key]
    nodes = documents = 0
    resolve = _resolve_plain
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    ScalarEvent, SequenceStart, MappingStart = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)

    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _STR_TAG if not event.implicit[0] else resolve(event.value, event.implicit)
            node: yaml.Node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        elif kind is SequenceStart or kind is MappingStart:
            node_kind = SequenceNode if kind is SequenceStart else MappingNode
            tag = event.tag if event.tag not in (None, "!") else _resolver.resolve(node_kind, None, event.implicit)
            node = node_kind(tag, [], event.start_mark, event.end_mark, flow_style=event.flow_style)
        elif kind in ends:
            stack.pop()
            continue
        elif kind is yaml.AliasEvent:
            raise _Refused(problem="aliases (*name) are not allowed in a bookmarks file", problem_mark=event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(problem="more than one YAML document (a second '---')", problem_mark=event.start_mark)
            continue
        else:
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise _Refused(problem="too many YAML nodes for a bookmarks file", problem_mark=event.start_mark)
        top = stack[-1]
        if type(top) is list:  # a sequence's items, or the document
            top.append(node)
        elif top[1] is None:
            top[1] = node
        else:
            top[0].value.append((top[1], node))
            top[1] = None
        if kind is not ScalarEvent:
            if len(stack) > MAX_DEPTH:
                raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark)
            stack.append(node.value if node_kind is SequenceNode else _Pending(node))
    return root[0] if root else None


class _Pending(list):
    """A mapping being filled: [mapping node, key waiting for its value]."""

    def __init__(self, node: yaml.MappingNode) -> None:
        super().__init__((node, None))


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
        node = _compose(text)
        constructor = yaml.constructor.SafeConstructor()
        if node is None:
            return Document()
        if allow_list and isinstance(node, yaml.SequenceNode):
            return Document(bookmarks=_bookmarks(constructor, node, path))
        return _document(constructor, node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable"
        if not isinstance(exc, _Refused):
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
    """A file exactly as ``Document.dump`` writes it, read line by line (several times
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
    return doc if doc.dump() == text else None


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
            if not sep:
                if line[2:] == "tags:":
                    key, raw = "tags", None
                else:
                    raise _NotAsWritten
            i += 1
            if key == "tags":
                tags: list[str] = []
                if raw is None:
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
        if not article_id or article_id != article_id.strip() or values.get("tags", []) != unique_tags(values.get("tags", [])):
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


def read_raw(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise BookmarkFileError(path, None, "is a folder, not a bookmarks file") from None
    except OSError as exc:
        raise BookmarkFileError(path, None, exc.strerror or str(exc)) from None


def read_document(path: Path) -> Document:
    """The file's document; an absent file is an empty one."""
    raw = read_raw(path)
    return Document() if raw is None else parse_document(read_text(path, raw), path)


def read_bookmarks_file(path: Path | str, raw: bytes) -> list[Bookmark]:
    """Bookmarks from another file (``import``): the file format or a JSON export list."""
    return parse_document(read_text(Path(path), raw), path, allow_list=True).bookmarks


# ------------------------------------------------------------------ merge


def merge_into(doc: Document, incoming: Iterable[Bookmark]) -> tuple[int, int]:
    """Merge bookmarks from elsewhere: new articles are added; for one already here,
    the newer note (and its paragraph) and the union of tags win. Returns (added, updated)."""
    added = updated = 0
    for theirs in incoming:
        i = doc.find(theirs.article_id)
        if i is None:
            doc.bookmarks.append(replace(theirs, tags=list(theirs.tags), extra=dict(theirs.extra)))
            added += 1
            continue
        ours = doc.bookmarks[i]
        merged = replace(ours, tags=unique_tags([*ours.tags, *theirs.tags]), extra={**theirs.extra, **ours.extra})
        ours_when, theirs_when = ours.note_at, theirs.note_at
        if theirs_when and (ours_when is None or theirs_when > ours_when):
            merged.note = theirs.note
            merged.updated = theirs.updated or theirs.saved
            merged.paragraph, merged.anchor = theirs.paragraph, theirs.anchor
        if merged != ours:
            doc.bookmarks[i] = merged
            updated += 1
    return added, updated


# ------------------------------------------------------------------ the store


class BookmarkStore:
    """The reader's bookmarks file and a snapshot of it.

    The file is read when first needed (so opening the app costs nothing before
    its first paint). Reads never fail: a broken file sets ``error`` (and
    ``read_only``) and an empty snapshot. Every change re-reads the file under
    the lock, so it raises ``BookmarkFileError`` (and writes nothing) while the
    file is broken.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        #: Article ids of bookmarks whose article is not in the library (see ``reconcile``).
        self.missing: set[str] = set()
        self._error: BookmarkFileError | None = None
        self._loaded = False
        self._doc = Document()
        self._raw: bytes | None = None
        self._ids: set[str] = set()
        self._stamp: tuple[int, int, int] | None = None

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    @property
    def error(self) -> BookmarkFileError | None:
        """Why the file cannot be used (one line naming file and line), or None."""
        self._ensure_loaded()
        return self._error

    @classmethod
    def for_options(cls, option: str | Path | None = None, configured: Path | None = None) -> BookmarkStore:
        return cls(resolve_path(option, configured))

    # -- reading

    @property
    def read_only(self) -> bool:
        return self.error is not None

    @property
    def bookmarks(self) -> list[Bookmark]:
        """In file order."""
        self._ensure_loaded()
        return list(self._doc.bookmarks)

    def dump(self) -> str:
        """The file as tuireader writes it (what ``export --format yaml`` prints)."""
        self._ensure_loaded()
        return self._doc.dump()

    def newest_first(self) -> list[Bookmark]:
        self._ensure_loaded()
        epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        # Saved in the same second: the one added later (lower in the file) first.
        order = sorted(enumerate(self._doc.bookmarks), key=lambda p: (p[1].saved_at or epoch, p[0]), reverse=True)
        return [b for _i, b in order]

    def is_bookmarked(self, article_id: str) -> bool:
        self._ensure_loaded()
        return article_id in self._ids

    def get(self, article_id: str) -> Bookmark | None:
        self._ensure_loaded()
        i = self._doc.find(article_id)
        return None if i is None else self._doc.bookmarks[i]

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def reload(self) -> None:
        stamp = self._file_stamp()
        try:
            raw = read_raw(self.path)
            self._set(self._parse(raw), raw)
        except BookmarkFileError as exc:
            self._error = exc
            self._set(Document(), None)
        else:
            self._error = None
        self._loaded = True
        self._stamp = stamp

    def refresh(self) -> bool:
        """Re-read the file if it changed on disk (another session, a hand edit). True if re-read."""
        if self._loaded and self._file_stamp() == self._stamp:
            return False
        self.reload()
        return True

    def _parse(self, raw: bytes | None) -> Document:
        if raw is None:
            return Document()
        if raw == self._raw and self._loaded and self._error is None:
            # What we last read or wrote: no need to parse it again.
            doc = self._doc
            return replace(doc, bookmarks=list(doc.bookmarks), extra=dict(doc.extra), key_order=list(doc.key_order))
        return parse_document(read_text(self.path, raw), self.path)

    def _set(self, doc: Document, raw: bytes | None) -> None:
        self._doc = doc
        self._raw = raw
        self._ids = {b.article_id for b in doc.bookmarks}

    # -- changing

    def _change(self, apply: Callable[[Document], tuple[T, bool]]) -> T:
        """Under the lock: read the file as it is now, apply one change, write it if changed."""
        with file_lock(self.path):
            try:
                raw = read_raw(self.path)
                doc = self._parse(raw)
            except BookmarkFileError as exc:
                self._error = exc
                raise
            result, changed = apply(doc)
            if changed:
                text = doc.dump()
                self._remove_stale_temporaries()
                atomic_write_text(self.path, text)
                raw = text.encode("utf-8")
            self._error = None
            self._loaded = True
            self._set(doc, raw)
            self._stamp = self._file_stamp()
        return result

    def _remove_stale_temporaries(self) -> None:
        # Every writer writes under the lock we hold: a temporary file there now was
        # left by a writer that was killed mid-write.
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def add(self, bookmark: Bookmark) -> tuple[Bookmark, bool]:
        """Add a bookmark; if the article is already bookmarked, update its place
        (and note and tags, where given) instead. Returns (stored bookmark, was new)."""

        def apply(doc: Document) -> tuple[tuple[Bookmark, bool], bool]:
            i = doc.find(bookmark.article_id)
            if i is None:
                doc.bookmarks.append(bookmark)
                return (bookmark, True), True
            old = doc.bookmarks[i]
            new = replace(
                old,
                paragraph=bookmark.paragraph,
                anchor=bookmark.anchor or old.anchor,
                note=bookmark.note or old.note,
                tags=unique_tags([*old.tags, *bookmark.tags]),
            )
            if new.note != old.note or new.tags != old.tags:
                new.updated = now_iso()
            doc.bookmarks[i] = new
            return (new, False), new != old

        return self._change(apply)

    def remove(self, article_id: str) -> list[tuple[int, Bookmark]]:
        """Remove every bookmark of this article; returns them with their places (for undo).
        Raises ``UnknownBookmark`` if there is none."""

        def apply(doc: Document) -> tuple[list[tuple[int, Bookmark]], bool]:
            removed = [(i, b) for i, b in enumerate(doc.bookmarks) if b.article_id == article_id]
            if not removed:
                raise UnknownBookmark(article_id)
            doc.bookmarks = [b for b in doc.bookmarks if b.article_id != article_id]
            return removed, True

        return self._change(apply)

    def restore(self, removed: list[tuple[int, Bookmark]]) -> None:
        """Undo a ``remove``: put the bookmarks back where they were, unless the article
        was bookmarked again meanwhile."""

        def apply(doc: Document) -> tuple[None, bool]:
            changed = False
            for i, b in removed:
                if doc.find(b.article_id) is None:
                    doc.bookmarks.insert(min(i, len(doc.bookmarks)), b)
                    changed = True
            return None, changed

        self._change(apply)

    def edit(
        self, article_id: str, *, note: str | None = None, tags: Iterable[str] | None = None
    ) -> Bookmark:
        """Set the note and/or the tags of a bookmark. Raises ``UnknownBookmark``."""

        def apply(doc: Document) -> tuple[Bookmark, bool]:
            i = doc.find(article_id)
            if i is None:
                raise UnknownBookmark(article_id)
            old = doc.bookmarks[i]
            new = replace(
                old,
                note=old.note if note is None else note,
                tags=old.tags if tags is None else unique_tags(tags),
            )
            if new == old:
                return old, False
            new.updated = now_iso()
            doc.bookmarks[i] = new
            return new, True

        return self._change(apply)

    def merge(self, incoming: Iterable[Bookmark]) -> tuple[int, int]:
        """Merge bookmarks from another file (see ``merge_into``). Returns (added, updated)."""
        incoming = list(incoming)

        def apply(doc: Document) -> tuple[tuple[int, int], bool]:
            counts = merge_into(doc, incoming)
            return counts, any(counts)

        return self._change(apply)

    # -- the library

    def _reattach_in_memory(self, reattach: Callable[[Document], Any]) -> None:
        # Shown re-attached, not written: the snapshot no longer matches the file's bytes.
        doc = replace(self._doc, bookmarks=list(self._doc.bookmarks))
        reattach(doc)
        self._set(doc, None)

    def reconcile(self, library: Any, *, persist: bool = True) -> set[str]:
        """Mark bookmarks whose article is not in ``library`` as missing, and re-attach
        those whose article turned up again under another id (same paper, date and
        headline). Re-attachments are written to the file when ``persist`` and the file
        is writable; nothing is ever dropped. Returns the missing article ids."""
        self._ensure_loaded()
        absent = [b for b in self._doc.bookmarks if library.locate(b.article_id) is None]
        found: dict[str, tuple[Any, Any, Any]] = {}
        if any(b.identity for b in absent):
            wanted = {b.identity for b in absent if b.identity}
            # Only the issues of the same paper and date can hold them: a large library
            # builds a few issues' pages here, not all of them.
            issues = {(paper, date) for paper, date, _headline in wanted}
            candidates = (
                (issue, section, ref)
                for issue in library.issues
                if (issue.paper or "", issue.date or "") in issues
                for section in issue.sections
                for ref in section.articles
            )
            for issue, section, ref in candidates:
                key = (issue.paper or "", issue.date or "", normalise_headline(ref.title))
                if key in wanted:
                    for b in absent:
                        if b.identity == key and b.article_id not in found:
                            found[b.article_id] = (issue, section, ref)

        def reattach(doc: Document) -> tuple[None, bool]:
            changed = False
            for i, b in enumerate(doc.bookmarks):
                hit = found.get(b.article_id)
                if hit is not None:
                    issue, section, ref = hit
                    doc.bookmarks[i] = replace(
                        b, article_id=ref.id, page=section.number, section=section.name, source=ref.source or b.source
                    )
                    changed = True
            return None, changed

        if found:
            if persist and not self.read_only:
                try:
                    self._change(reattach)
                except (BookmarkFileError, OSError):  # shown re-attached all the same
                    self._reattach_in_memory(reattach)
            else:
                self._reattach_in_memory(reattach)
        self.missing = {b.article_id for b in self._doc.bookmarks if library.locate(b.article_id) is None}
        return set(self.missing)
