"""The one-line texts the reading screen shows about an article (no Textual here)."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text

from tuireader.i18n import _
from tuireader.model import Article, ArticleRef, Issue, Section
from tuireader.text.sanitize import clean


def masthead_line(
    article: Article, where: tuple[Issue, Section, ArticleRef] | None, is_read: Callable[[str], bool]
) -> str:
    """Paper · date · page and section · place on the page · unread in the issue (cleaned)."""
    parts = [p for p in (article.paper, article.date) if p]
    if article.page is not None:
        parts.append(f"第{article.page}版" + (f" {article.section_name}" if article.section_name else ""))
    if where is not None:
        issue, section, ref = where
        position = next(n for n, r in enumerate(section.articles, 1) if r is ref)
        parts.append(f"{position}/{len(section.articles)}")
        # This issue's unread articles: a walk of one issue, whatever the archive's size.
        unread = sum(1 for s in issue.sections for r in s.articles if r.counts_as_unread and not is_read(r.id))
        parts.append(_("{n} unread in this issue").format(n=unread))
    return clean(" · ".join(parts))


def headline_and_source(article: Article) -> str:
    """What ``y`` copies: the headline — paper date page section (cleaned)."""
    page = f"第{article.page}版" if article.page is not None else None
    source = " ".join(p for p in (article.paper, article.date, page, article.section_name) if p)
    text = clean(article.headline or article.kicker or "")
    if source:
        text += f" — {clean(source)}"
    return text


def fitted_masthead(text: str, *notes: str, width: int) -> Text:
    """The masthead line in ``width`` cells: ``text`` cut with ``…`` so that the ``notes``
    (progress, the match on screen) always show in full at its end."""
    tail = "  ".join(n for n in notes if n)
    if not tail:
        return Text(text, no_wrap=True, overflow="ellipsis")
    head = Text(text, no_wrap=True)
    room = width - cell_len(tail) - 2
    if head.cell_len > room:
        head.truncate(max(room, 1), overflow="ellipsis")
    head.append("  " + tail)
    return head
