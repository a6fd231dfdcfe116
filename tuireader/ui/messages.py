"""Messages between the reading screen and the widgets and screens it shows.

Each is a dataclass (as Textualize/toolong's ``messages.py``): its fields are
what it carries. Widgets post them and they bubble up to the reading screen;
the search and bookmarks screens dismiss with an ``OpenRequest``, which the
reading screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class OpenRequest(Message):
    """Open an article: what a picking screen dismisses with (search, bookmarks).

    ``terms`` are highlighted in the article view (the view scrolls to the first);
    ``paragraph`` (an index into ``article.blocks``) is scrolled to when given.
    A widget may also post it; the reading screen handles it either way.
    """

    article_id: str
    terms: list[str] = field(default_factory=list)
    paragraph: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.terms = list(self.terms or [])


@dataclass
class ArticleChosen(Message):
    """The reader picked an article in the contents (Enter)."""

    article_id: str
