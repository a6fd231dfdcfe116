"""The catalogue's snapshot of a built library, field by field.

A warm start reads the snapshot instead of building every issue again: a small head
(an ``IssueEntry`` per issue, all that is known of it before its pages are built: no
article ids, so its size follows the issues, not the articles; and the problems) and
one blob per issue (its pages, article summaries, the files they lie in, merged
copies), read from the catalogue and unpacked when the issue is first shown. Which
issue an article id is in is a catalogue table (``Catalogue.issues_of_ids``). marshal writes and reads
it fast but takes only plain tuples: the fields are named here, where they are packed
and unpacked, and nowhere else counts positions.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Callable, Iterable
from typing import NamedTuple

from tuireader.model import ArticleRef, Section

#: The shape of the head and the blobs; another shape is not read (the catalogue rebuilds it).
SNAPSHOT_VERSION = 5


class IssueEntry(NamedTuple):
    """One issue in the snapshot's head."""

    paper: str | None
    date: str | None
    title: str | None
    #: How many articles it holds.
    articles: int
    #: The digest of its blob.
    digest: str
    #: Where it sorts among the issues.
    order: tuple[str, str, str]
    #: Which files' issue it is (``catalogue.issue_key``).
    key: str


class Head(NamedTuple):
    """The issues by column (``IssueEntry``'s fields, each a tuple over the issues: a
    warm start reads them without making an entry per issue), and the problems."""

    columns: tuple[tuple, ...]
    #: (the path as shown, the reason) of each file that yielded nothing.
    problems: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, issues: Iterable[IssueEntry], problems: Iterable[tuple[str, str]]) -> Head:
        rows = tuple(issues)
        columns = tuple(zip(*rows, strict=True)) if rows else tuple(() for _ in IssueEntry._fields)
        return cls(columns, tuple(problems))

    @property
    def issues(self) -> tuple[IssueEntry, ...]:
        return tuple(IssueEntry._make(row) for row in zip(*self.columns, strict=True))


class FileEntry(NamedTuple):
    """A file an issue's articles lie in."""

    #: Its absolute path, exactly (the library's key for it).
    key: str
    root: str
    #: Its path under the root, as shown.
    rel: str


class UnpackedIssue(NamedTuple):
    sections: list[Section]
    files: list[FileEntry]
    #: Article id -> the key of its file.
    file_of: dict[str, str]
    #: (article id, the notes on copies merged into it).
    merged: tuple[tuple[str, tuple[str, ...]], ...]


def pack_head(head: Head) -> tuple:
    return SNAPSHOT_VERSION, head.columns, tuple(head.problems)


def unpack_head(data: object) -> Head:
    """The head ``pack_head`` made; ValueError for anything else."""
    if not isinstance(data, tuple) or len(data) != 3 or data[0] != SNAPSHOT_VERSION:
        raise ValueError("snapshot of the wrong shape")
    _version, columns, problems = data
    if (
        not isinstance(columns, tuple)
        or len(columns) != len(IssueEntry._fields)
        or not all(isinstance(column, tuple) and len(column) == len(columns[0]) for column in columns)
    ):
        raise ValueError("snapshot issues missing")
    counts = columns[IssueEntry._fields.index("articles")]
    if not all(type(count) is int for count in counts):
        raise ValueError("snapshot issue of the wrong shape")
    return Head(columns, tuple(problems))


def pack_issue(
    sections: Iterable[Section], file_of: Callable[[str], FileEntry], merged: Iterable[tuple[str, tuple[str, ...]]]
) -> bytes:
    """An issue's blob: its pages and article summaries, each article with the number
    of its file in the issue's list of files (``file_of`` an article id)."""
    numbers: dict[str, int] = {}
    files: list[tuple] = []
    packed_sections = []
    for section in sections:
        refs = []
        for ref in section.articles:
            entry = file_of(ref.id)
            number = numbers.get(entry.key)
            if number is None:
                number = numbers[entry.key] = len(files)
                files.append(tuple(entry))
            refs.append((ref.id, ref.headline, ref.kind, ref.kicker, ref.index, ref.jumps,
                         ref.continues_at, ref.continued_from, number))
        packed_sections.append((section.number, section.name, tuple(section.sources), tuple(refs)))
    return zlib.compress(marshal.dumps((tuple(packed_sections), tuple(files), tuple(merged))), 1)


def unpack_issue(blob: bytes) -> UnpackedIssue:
    """What ``pack_issue`` packed. marshal trusts its input: ``blob`` must be one that
    was checked against its digest (``Catalogue.load_snapshot`` does) or made here."""
    packed_sections, packed_files, merged = marshal.loads(zlib.decompress(blob))
    files = [FileEntry._make(entry) for entry in packed_files]
    keys = [entry.key for entry in files]
    rels = [entry.rel for entry in files]
    sections = []
    file_of: dict[str, str] = {}
    for number, name, sources, refs in packed_sections:
        section = Section(number, name, list(sources))
        sections.append(section)
        articles = section.articles
        for aid, headline, kind, kicker, index, jumps, continues_at, continued_from, f in refs:
            articles.append(
                ArticleRef(aid, headline, kind, kicker, rels[f], index, jumps, continues_at, continued_from)
            )
            file_of[aid] = keys[f]
    return UnpackedIssue(sections, files, file_of, merged)
