"""Reading onward: an article's keywords (stored when it was indexed) and the other
articles of the library that share them (相关报道), a query on the keywords OR-ed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuireader.search.fold import fold
from tuireader.search.plans import plan_term

if TYPE_CHECKING:
    from tuireader.search.engine import Result, Searcher

#: How many related articles are offered.
RELATED = 5


def _stored(view, article_id: str):
    hits = view.searcher.search(view.builder.term("aid", article_id), 1, count=False).hits
    return view.searcher.doc(hits[0][1]) if hits else None


def _keywords(doc) -> list[str]:
    return [k for k in (doc.get_first("keywords") or "").split("\n") if k]


def _result(doc, score: float) -> Result:
    from tuireader.search.engine import Result

    page = doc.get_first("page")
    return Result(doc.get_first("aid") or "", doc.get_first("headline") or "", doc.get_first("kicker"),
                  doc.get_first("paper"), doc.get_first("date"),
                  page if isinstance(page, int) and page > 0 else None, doc.get_first("section"),
                  doc.get_first("kind") or "article", score)


def _onward(view, article_id: str, limit: int) -> tuple[list[str], list[Result]] | None:
    doc = _stored(view, article_id)
    if doc is None:
        return None
    words = _keywords(doc)
    plans = [plan_term(view, fold(w)) for w in words]
    query = view.builder.any_of([p.strict for p in plans])
    if query is None:
        return words, []
    hits = view.searcher.search(query, limit + 1, count=False).hits
    related = []
    for score, addr in hits:
        other = view.searcher.doc(addr)
        if other.get_first("aid") != article_id:  # never the article itself
            related.append(_result(other, score))
    return words, related[:limit]


def onward(searcher: Searcher, article_id: str, limit: int = RELATED) -> tuple[list[str], list[Result]] | None:
    """The article's keywords, best first, and up to ``limit`` other articles sharing them,
    most alike first; None when the index has no such article (not built, or not yet)."""
    return searcher.read(lambda view: _onward(view, article_id, limit))


def keywords(searcher: Searcher, article_id: str) -> list[str] | None:
    """The article's stored keywords (None: not in the index)."""
    def look(view) -> list[str] | None:
        doc = _stored(view, article_id)
        return None if doc is None else _keywords(doc)

    return searcher.read(look)
