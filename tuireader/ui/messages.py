"""Messages between the app and its screens and widgets."""

from __future__ import annotations

from textual.message import Message


class OpenRequest(Message):
    """Open an article: what a picking screen dismisses with (search, bookmarks).

    ``terms`` are highlighted in the article view (the view scrolls to the first);
    ``paragraph`` (an index into ``article.blocks``) is scrolled to when given.
    A widget may also post it; the app handles it either way.
    """

    def __init__(self, article_id: str, terms: list[str] | None = None, paragraph: int | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.terms = list(terms or [])
        self.paragraph = paragraph

    def __repr__(self) -> str:
        return f"OpenRequest({self.article_id!r}, terms={self.terms!r}, paragraph={self.paragraph!r})"
