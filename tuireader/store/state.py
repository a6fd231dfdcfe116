"""Reading state: articles read, the last article and where in it, the chosen theme.

Kept in ``<state dir>/state.yaml`` (platformdirs; per reader with ``--reader``).
No Textual here: the app calls these methods and decides when to save.

A file that cannot be parsed, or holds values of the wrong shape, is never
overwritten: the store keeps a fresh state in memory, sets ``problem`` to a
one-line message and refuses to save until the file is fixed by hand.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tuireader import paths
from tuireader.store import yamlsafe
from tuireader.store.atomic import atomic_write_text, read_regular_file

STATE_VERSION = 1
#: A state file is small; a huge one is someone else's file, not ours.
MAX_STATE_BYTES = 64 << 20

try:  # the C emitter, when PyYAML has it, is ~10x faster on 100,000 read ids
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Dumper = yaml.SafeDumper


def default_state_path() -> Path:
    return paths.state_dir() / "state.yaml"


@dataclass(slots=True)
class ReadingState:
    read: set[str] = field(default_factory=set)
    last_article: str | None = None
    #: Index into the last article's ``blocks`` of the block at the top of the view.
    last_paragraph: int = 0
    theme: str | None = None
    #: Keys written by a newer version, kept on rewrite.
    extra: dict[str, Any] = field(default_factory=dict)


class StateError(Exception):
    """A state file that cannot be used; the message is one line naming the file."""


def parse_state(text: str, file: Path) -> ReadingState:
    """Parse the text of a state file; raise ``StateError`` on anything unexpected."""
    try:
        # Refuses aliases, duplicate keys, deep nesting, impossible numbers and dates
        # (see yamlsafe); the C parser underneath keeps 100,000 read ids fast.
        data = yamlsafe.load(text, kind="a state file")
    except yaml.YAMLError as exc:
        line, problem = yamlsafe.describe(exc)
        where = f" line {line}:" if line is not None else ""
        raise StateError(f"{file}:{where} {problem}") from None
    state = ReadingState()
    if data is None:
        return state
    if not isinstance(data, dict):
        raise StateError(f"{file}: expected a mapping at the top level")
    for key, value in data.items():
        if key == "version":
            if not isinstance(value, int) or isinstance(value, bool):
                raise StateError(f"{file}: key 'version': expected a whole number")
        elif key == "read":
            if value is None:
                continue
            if isinstance(value, str):  # what we write: ids separated by white space
                state.read = set(value.split())
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                state.read = set(value)
            else:
                raise StateError(f"{file}: key 'read': expected article ids (a list, or separated by spaces)")
        elif key == "last":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise StateError(f"{file}: key 'last': expected a mapping with 'article' and 'paragraph'")
            article = value.get("article")
            paragraph = value.get("paragraph", 0)
            if article is not None and not isinstance(article, str):
                raise StateError(f"{file}: key 'last.article': expected an article id")
            if not isinstance(paragraph, int) or isinstance(paragraph, bool) or paragraph < 0:
                raise StateError(f"{file}: key 'last.paragraph': expected a whole number")
            state.last_article = article
            state.last_paragraph = paragraph
        elif key == "theme":
            if value is not None and not isinstance(value, str):
                raise StateError(f"{file}: key 'theme': expected a theme name")
            state.theme = value
        else:
            state.extra[str(key)] = value
    return state


#: Ids we write as a plain block of words; anything else goes through the YAML emitter.
_PLAIN_IDS_RE = re.compile(r"[A-Za-z0-9._-]+(?: [A-Za-z0-9._-]+)*\Z")
IDS_PER_LINE = 8


def dump_state(state: ReadingState) -> str:
    data: dict[str, Any] = {"version": STATE_VERSION}
    if state.theme:
        data["theme"] = state.theme
    if state.last_article:
        data["last"] = {"article": state.last_article, "paragraph": state.last_paragraph}
    for key, value in state.extra.items():
        data.setdefault(key, value)
    read = sorted(state.read)
    joined = " ".join(read)
    # One regex over the whole block; the count of spaces proves no id holds one.
    if read and not (_PLAIN_IDS_RE.match(joined) and joined.count(" ") == len(read) - 1):
        data["read"] = read
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
    head = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
    if not read:
        return head + "read: ''\n"
    # A block of ids, eight a line: a YAML list of 100,000 ids takes PyYAML ~2 s each
    # way, one block scalar ~0.05 s, and it still reads well.
    rows = (" ".join(read[i : i + IDS_PER_LINE]) for i in range(0, len(read), IDS_PER_LINE))
    return head + "read: |\n" + "".join(f"  {row}\n" for row in rows)


class StateStore:
    """The reading state of one reader, loaded once and saved when it changed."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_state_path()
        self.state = ReadingState()
        #: One line saying why the file on disk is not used (and not overwritten).
        self.problem: str | None = None
        self.dirty = False
        # Snapshots are numbered so a slow writer never replaces a newer file.
        self._taken = 0
        self._written = 0
        self._latest: tuple[int, ReadingState] | None = None
        self._write_lock = threading.Lock()

    @property
    def writable(self) -> bool:
        return self.problem is None

    def load(self) -> StateStore:
        try:
            raw = read_regular_file(self.path, MAX_STATE_BYTES)
        except FileNotFoundError:
            return self
        except OSError as exc:
            self.problem = f"{self.path}: {exc.strerror or exc}"
            return self
        try:
            if len(raw) > MAX_STATE_BYTES:
                raise StateError(f"{self.path}: larger than {MAX_STATE_BYTES >> 20} MiB")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise StateError(f"{self.path}: not UTF-8 text") from None
            self.state = parse_state(text, self.path)
        except StateError as exc:
            self.problem = str(exc)
            self.state = ReadingState()
        return self

    def snapshot(self) -> tuple[int, ReadingState] | None:
        """A copy of the state to write (from any thread), or None when there is nothing to save.

        Cheap (a set copy), so the caller's thread can hand the slow part,
        ``write(snapshot)``, to a worker.
        """
        if not self.dirty or not self.writable:
            return None
        self.dirty = False
        self._taken += 1
        state = self.state
        copy = ReadingState(set(state.read), state.last_article, state.last_paragraph, state.theme, dict(state.extra))
        self._latest = (self._taken, copy)
        return self._latest

    def write(self, snapshot: tuple[int, ReadingState]) -> bool:
        """Write a snapshot unless a newer one is already on disk (writers may race)."""
        number, state = snapshot
        text = dump_state(state)
        with self._write_lock:
            if number <= self._written:
                return False
            atomic_write_text(self.path, text)
            self._written = number
        return True

    def save(self) -> bool:
        """Write the state now if it changed and the file on disk is ours to replace.

        Also writes the latest snapshot a worker may still be writing (or may never
        finish: at exit), so nothing read is lost when the process ends right after.
        """
        snapshot = self.snapshot() or self._latest
        if snapshot is None:
            return False
        try:
            return self.write(snapshot)
        except BaseException:
            self.dirty = True  # not on disk: try again next time
            raise

    # -- changes -----------------------------------------------------------

    def is_read(self, article_id: str) -> bool:
        return article_id in self.state.read

    def mark_read(self, article_id: str) -> None:
        if article_id not in self.state.read:
            self.state.read.add(article_id)
            self.dirty = True

    def mark_unread(self, article_id: str) -> None:
        if article_id in self.state.read:
            self.state.read.discard(article_id)
            self.dirty = True

    def mark_all_read(self, article_ids: list[str]) -> int:
        new = set(article_ids) - self.state.read
        if new:
            self.state.read |= new
            self.dirty = True
        return len(new)

    def set_position(self, article_id: str | None, paragraph: int) -> None:
        if (article_id, paragraph) != (self.state.last_article, self.state.last_paragraph):
            self.state.last_article = article_id
            self.state.last_paragraph = max(0, paragraph)
            self.dirty = True

    def set_theme(self, name: str) -> None:
        if name != self.state.theme:
            self.state.theme = name
            self.dirty = True
