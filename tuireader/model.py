"""The newspaper model: Library -> Issue -> Section -> Article -> Block.

Plain dataclasses, no Textual, no I/O. Parsers (``tuireader.ingest``) build
``Article`` objects; the library (``tuireader.library``) groups lightweight
``ArticleRef`` summaries into issues and sections and parses a file again
when a body is needed, so a large archive never holds every body in memory.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tuireader.i18n import N_, translate_stored

ArticleKind = Literal["article", "photo", "brief", "link"]
BlockType = Literal["paragraph", "subhead", "caption", "jump", "link", "dateline", "signature"]

#: Block types, in the order the JSON documents them.
BLOCK_TYPES: tuple[str, ...] = ("paragraph", "subhead", "caption", "jump", "link", "dateline", "signature")
#: Kinds of article that are not text to read: not counted among the unread.
NOT_TEXT_KINDS = frozenset({"link"})


@dataclass(slots=True, frozen=True)
class Link:
    """A link inside a block: the block's ``text[start:end]`` points at ``url``."""

    start: int
    end: int
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "url": self.url}


@dataclass(slots=True)
class Block:
    """One piece of an article body.

    ``text`` holds the words as printed. For a ``caption`` the credit
    (``于江 摄``) is in ``credit``; for a ``jump`` ``text`` is the marker as
    printed (``(下转2版)``), ``direction`` is ``next`` or ``prev`` and
    ``page`` the target page number. A ``link`` block (a paragraph that was
    only a link) has the link's words in ``text`` and its target in ``url``;
    links inside other text are ``links`` spans over ``text``. A ``dateline``
    (``【新华社延安十三日电】``) opens a dispatch: the paragraph after it is its
    first. A ``signature`` (``冀南区党委  五月九日``) is printed right-aligned.
    """

    type: str
    text: str = ""
    credit: str | None = None
    direction: str | None = None
    page: int | None = None
    url: str | None = None
    links: tuple[Link, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "text": self.text}
        if self.type == "caption":
            out["credit"] = self.credit
        if self.type == "jump":
            out["direction"] = self.direction
            out["page"] = self.page
        if self.type == "link":
            out["url"] = self.url
        if self.links:
            out["links"] = [link.to_dict() for link in self.links]
        return out


@dataclass(slots=True)
class Article:
    """A parsed article with its full body."""

    headline: str
    kind: str = "article"
    kicker: str | None = None
    subheadlines: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    dateline: str | None = None
    blocks: list[Block] = field(default_factory=list)
    #: The edition tail, e.g. ``《人民日报》（2026年01月02日第 01 版）``.
    edition: str | None = None
    #: Front-matter values the model has no field for.
    meta: dict[str, Any] = field(default_factory=dict)
    #: Copies merged on purpose (a duplicate file, a caption written twice).
    merged: list[str] = field(default_factory=list)
    #: Filled in by the library.
    id: str = ""
    source: str = ""
    paper: str | None = None
    date: str | None = None
    page: int | None = None
    section_name: str | None = None
    continues_at: str | None = None
    continued_from: str | None = None

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.type == "paragraph"]

    @property
    def jumps(self) -> list[Block]:
        return [b for b in self.blocks if b.type == "jump"]

    @property
    def title(self) -> str:
        """What a list shows for the article: kicker or headline."""
        return self.headline or self.kicker or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "kicker": self.kicker,
            "headline": self.headline,
            "subheadlines": list(self.subheadlines),
            "bylines": list(self.bylines),
            "dateline": self.dateline,
            "edition": self.edition,
            "blocks": [b.to_dict() for b in self.blocks],
            "continues_at": self.continues_at,
            "continued_from": self.continued_from,
            "source": self.source,
            "meta": dict(self.meta),
            "merged": list(self.merged),
        }


@dataclass(slots=True)
class ArticleRef:
    """What the library keeps of an article without its body."""

    id: str
    headline: str
    kind: str = "article"
    kicker: str | None = None
    #: Path of the source file relative to its library root.
    source: str = ""
    #: Position of the article within its source file (0-based).
    index: int = 0
    #: Jumps as (direction, page) pairs, enough to link continuations.
    jumps: tuple[tuple[str, int], ...] = ()
    continues_at: str | None = None
    continued_from: str | None = None

    @property
    def title(self) -> str:
        return self.headline or self.kicker or ""

    @property
    def counts_as_unread(self) -> bool:
        """Whether an unread count includes it: a link item is not text to read."""
        return self.kind not in NOT_TEXT_KINDS


@dataclass(slots=True)
class Section:
    """A page (版面) of an issue."""

    number: int
    name: str | None = None
    sources: list[str] = field(default_factory=list)
    articles: list[ArticleRef] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"第{self.number}版" + (f" {self.name}" if self.name else "")


class Issue:
    """One issue of one paper on one date.

    Its sections may be read lazily: a library opened from its catalogue gives
    each issue a ``loader`` and only the article count, and the pages are built
    the first time ``sections`` is asked for, so opening a 100,000-article
    archive builds nothing but the issues.
    """

    __slots__ = ("paper", "date", "title", "_sections", "_loader", "_ids", "_count")

    def __init__(
        self,
        paper: str | None,
        date: str | None,  # ISO yyyy-mm-dd, or None when unknown
        sections: list[Section] | None = None,
        title: str | None = None,
        *,
        loader: Callable[[], list[Section]] | None = None,
        ids: tuple[str, ...] | None = None,
        count: int | None = None,
    ) -> None:
        self.paper = paper
        self.date = date
        #: What to call an issue that names neither paper nor date (its folder).
        self.title = title
        self._sections = sections if sections is not None or loader is not None else []
        self._loader = loader
        self._ids = ids
        #: Its number of articles, known before its sections are built (with a ``loader``).
        self._count = count

    @property
    def sections(self) -> list[Section]:
        if self._sections is None:
            # The loader returns the same list to every thread that asks; it is kept,
            # so a thread that saw no sections yet still finds it.
            self._sections = self._loader()  # type: ignore[misc]
        return self._sections

    @sections.setter
    def sections(self, value: list[Section]) -> None:
        self._sections, self._loader = value, None

    @property
    def loaded(self) -> bool:
        """True once the sections are built (always, for an issue made with them)."""
        return self._sections is not None

    @property
    def article_ids(self) -> tuple[str, ...]:
        """The issue's article ids in reading order, without building its sections when it is lazy."""
        if self._sections is None and self._ids is not None:
            return self._ids
        return tuple(r.id for s in self.sections for r in s.articles)

    @property
    def ids_known(self) -> bool:
        """Whether ``article_ids`` answers without building the issue's sections."""
        return self._sections is not None or self._ids is not None

    @property
    def article_count(self) -> int:
        if self._sections is None and self._count is not None:
            return self._count
        return len(self.article_ids)

    @property
    def key(self) -> tuple[str, str]:
        return (self.paper or "", self.date or "")

    @property
    def label(self) -> str:
        parts = [p for p in (self.paper, self.date) if p]
        return " ".join(parts) or self.title or "(undated)"

    def section(self, number: int) -> Section | None:
        for s in self.sections:
            if s.number == number:
                return s
        return None

    def __repr__(self) -> str:
        return f"Issue({self.paper!r}, {self.date!r}, title={self.title!r}, loaded={self.loaded})"


@dataclass(slots=True)
class Problem:
    """A file that could not be read or yielded nothing."""

    path: str
    reason: str  # English, as the catalogue stores it: shown through reason_text


#: What the parsers, the archive reader and the library say of a file they skip, as
#: English templates: a reason is stored in the catalogue in English and shown in
#: the reader's language by ``reason_text``. A new reason gets its template here.
REASONS: tuple[str, ...] = (
    N_("empty file"),
    N_("binary file (contains NUL bytes)"),
    N_("binary file (mostly control characters)"),
    N_("undecodable: not UTF-8, UTF-16 or GB18030 text"),
    N_("too large ({size} MiB; the limit is {limit} MiB)"),
    N_("too large unpacked ({size} MiB)"),
    N_("cannot read: {error}"),
    N_("cannot be read ({error})"),
    N_("a list of titles (YYYY-MM-DD title), not articles"),
    N_("no articles found (no headings and no text)"),
    N_("too deeply nested to read"),
    N_("could not be parsed ({error})"),
    N_("damaged copy of {issue}: re-reading the files"),
    N_("archive: holds no text or Markdown files"),
    N_("archive: {reason}"),
    N_("7z archives need py7zr (pip install py7zr)"),
    N_("encrypted: it needs a password"),
    N_("not a 7z archive"),
    N_("damaged ({error})"),
    N_("truncated or damaged ({error})"),
)


def reason_text(reason: str) -> str:
    """A skipped file's reason in the interface's language (English if it is none of ``REASONS``)."""
    return translate_stored(reason, REASONS)


# ---------------------------------------------------------------- identity

_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: easy to type
_STRIP_RE = re.compile(r"[\s\u3000\W_]+", re.UNICODE)


def normalise_headline(text: str) -> str:
    """Fold a headline to what identifies it: NFKC, no spaces or punctuation."""
    return _STRIP_RE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def article_id(paper: str | None, date: str | None, page: int | None, headline: str) -> str:
    """A short typeable id derived from what the article is, not where it lies.

    Renaming, moving or reordering files keeps it; the library appends a
    deterministic suffix (``-2``, ``-3``…) when two articles would collide.
    """
    key = "\x1f".join([paper or "", date or "", str(page or 0), normalise_headline(headline)])
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    n = int.from_bytes(digest, "big")
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(_ID_ALPHABET))
        chars.append(_ID_ALPHABET[r])
    return "".join(chars)
