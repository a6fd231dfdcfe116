"""How an article's row reads in the contents (unread, picture item, bookmark marks).

The contents pane itself is ``library_list.LibraryList`` (line API, any archive
size). The reading screen talks to it only through ``load(issues, marks)``,
``select_article(id)``, ``refresh_marks(ids=None)``, ``cursor_article`` and the
``ArticleChosen`` message (``tuireader/ui/messages.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text

from tuireader.i18n import _
from tuireader.model import ArticleRef
from tuireader.text.sanitize import clean
from tuireader.ui.messages import ArticleChosen

__all__ = ["ArticleChosen", "MarkFunction", "article_label"]

#: Expand every issue and section when the library has at most this many articles.
EXPAND_ALL_LIMIT = 2000

UNREAD_MARK = "•"
PHOTO_MARK = "▣"
#: An item that is only a link (a broadcast's 查看原文): not text to read, never unread.
LINK_MARK = "↗"
BOOKMARK_MARK = "★"


#: (is_read, is_bookmarked) for an article id.
MarkFunction = Callable[[str], tuple[bool, bool]]


def article_label(ref: ArticleRef, read: bool, bookmarked: bool, read_style: Style | str = "dim") -> Text:
    label = Text(no_wrap=True, end="")
    unread = not read and ref.counts_as_unread
    label.append(f"{UNREAD_MARK} " if unread else "  ", "bold" if unread else "")
    if ref.kind == "photo":
        label.append(f"{PHOTO_MARK} ")
    elif ref.kind == "link":
        label.append(f"{LINK_MARK} ")
    if bookmarked:
        label.append(f"{BOOKMARK_MARK} ")
    # A list shows the kicker when there is no headline (model: ArticleRef.title).
    label.append(clean(ref.title) or _("(untitled)"), read_style if not unread else "")
    return label
