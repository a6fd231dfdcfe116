"""What the index is given: an article as the index keeps it, and a source file of the library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class IndexDoc:
    """What the index keeps of one article (everything a result row needs)."""

    article_id: str
    headline: str
    kicker: str | None = None
    subheadlines: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    dateline: str | None = None
    body: str = ""
    paper: str | None = None
    date: str | None = None
    page: int | None = None
    section: str | None = None
    kind: str = "article"

    @classmethod
    def from_article(cls, art) -> IndexDoc:
        parts = []
        credits = []
        for b in art.blocks:
            if b.type in ("jump", "link"):
                continue  # a marker, or a link's words (查看原文): not what the article says
            text = b.text or ""
            if b.type == "caption" and b.credit:
                text = f"{text} {b.credit}".strip()
                credits.append(b.credit)  # 张武军摄: by:张武军 finds his photographs
            if text:
                parts.append(text)
        return cls(
            article_id=art.id,
            headline=art.headline or "",
            kicker=art.kicker,
            subheadlines=list(art.subheadlines),
            bylines=[*art.bylines, *dict.fromkeys(c for c in credits if c not in art.bylines)],
            dateline=art.dateline,
            body="\n".join(parts),
            paper=art.paper,
            date=art.date,
            page=art.page,
            section=art.section_name,
            kind=art.kind,
        )

    def segment_input(self) -> tuple[str, str, str]:
        head = "\n".join(x for x in [self.kicker, self.headline, *self.subheadlines] if x)
        byline = "\n".join(x for x in [*self.bylines, self.dateline] if x)
        return head, byline, self.body


@dataclass(slots=True)
class SourceFile:
    """A source file of the library and a way to get its articles."""

    path: str  # absolute
    size: int
    mtime_ns: int
    #: Reads the articles here, in the indexing process; None when ``job`` says how a
    #: worker reads them.
    docs: Callable[[], list[IndexDoc]] | None
    #: What a worker process needs to read the articles itself (``worker.load_docs``):
    #: ("parse", root, number of articles, their places), or for an archive ("members",
    #: the library's roots, number of articles, the members and places, its path under
    #: the root).
    job: tuple | None = None
