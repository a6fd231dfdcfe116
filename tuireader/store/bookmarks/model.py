"""Bookmarks, the model: one saved article, the whole file's document, and how
bookmarks from elsewhere merge into it. No YAML, no files, no Textual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tuireader.model import normalise_headline

FORMAT_VERSION = 1
#: Characters of the saved paragraph kept to find it again if paragraphs shift.
ANCHOR_CHARS = 24


class BookmarkFileError(Exception):
    """A bookmarks file that cannot be used. ``str()`` is one line naming file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f" line {line}:" if line else ""
        super().__init__(f"{self.path}:{where} {problem}")


class BookmarkSaveError(OSError):
    """The bookmarks could not be saved (a folder that is not writable, a full disk, the
    lock held too long); nothing was written. ``str()`` is one line naming the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: cannot save the bookmarks: {self.reason}"


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
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)



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


def merge_into(doc: Document, incoming: Iterable[Bookmark]) -> tuple[int, int]:
    """Merge bookmarks from elsewhere: new articles are added; for one already here,
    the newer note (and its paragraph) and the union of tags win. Returns (added, updated)."""
    added = updated = 0
    # Where each article's (first) bookmark is: one look-up per incoming bookmark, so
    # merging n into m costs n + m, not n * m.
    where: dict[str, int] = {}
    for i, b in enumerate(doc.bookmarks):
        where.setdefault(b.article_id, i)
    for theirs in incoming:
        found = where.get(theirs.article_id)
        if found is None:
            where[theirs.article_id] = len(doc.bookmarks)
            doc.bookmarks.append(replace(theirs, tags=list(theirs.tags), extra=dict(theirs.extra)))
            added += 1
            continue
        i = found
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

