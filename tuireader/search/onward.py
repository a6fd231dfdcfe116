"""Reading onward: an article's keywords (stored when it was indexed) and the other
articles of the library that share them (相关报道), a query on the keywords OR-ed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuireader.search.fold import fold
from tuireader.search.plans import plan_term
from tuireader.search.stored import Stored

if TYPE_CHECKING:
    from tuireader.search.engine import Result, Searcher

#: How many related articles are offered.
RELATED = 5


def _stored(view, article_id: str) -> Stored | None:
    query = view.builder.t.Query.term_query(view.schema, "aid", article_id, index_option="basic")
    hits = view.searcher.search(query, 1, count=False).hits
    return view.codec.read(view.searcher, hits[0][1]) if hits else None


def _result(doc: Stored, score: float) -> Result:
    from tuireader.search.engine import Result

    return Result(doc.aid, doc.headline, doc.kicker, doc.paper, doc.date, doc.page, doc.section, doc.kind, score)


def _onward(view, article_id: str, limit: int) -> tuple[list[str], list[Result]] | None:
    doc = _stored(view, article_id)
    if doc is None:
        return None
    words = doc.keywords
    plans = [plan_term(view, fold(w)) for w in words]
    query = view.builder.any_of([p.strict for p in plans])
    if query is None:
        return words, []
    hits = view.searcher.search(query, limit + 1, count=False).hits
    related = []
    for score, addr in hits:
        other = view.codec.read(view.searcher, addr)
        if other.aid != article_id:  # never the article itself
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
        return None if doc is None else doc.keywords

    return searcher.read(look)
