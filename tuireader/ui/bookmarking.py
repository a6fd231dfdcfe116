"""What the reading screen does with bookmarks (``m``, and after the library loads).

A ``BookmarkKeeper`` holds the reader's bookmark store and the notices already
shown (a background refresh does not repeat them); it returns what to tell the
reader, and the reading screen shows it. The bookmarks screen itself is
``tuireader/ui/screens/bookmarks.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from tuireader.i18n import _
from tuireader.model import Article
from tuireader.store.bookmarks import Bookmark, BookmarkFileError, BookmarkStore, UnknownBookmark

if TYPE_CHECKING:
    from tuireader.library import Library

def error_notice(exc: Exception) -> str:
    """What to tell the reader when the bookmarks could not be changed."""
    if isinstance(exc, BookmarkFileError):
        return _("Bookmarks are read-only until the file is fixed: {error}").format(error=exc)
    return _("Could not save the bookmarks: {error}").format(error=exc)


@dataclass
class Notice:
    """One notice for the reader (text not yet cleaned)."""

    text: str
    severity: SeverityLevel = "information"
    timeout: float = 3


@dataclass
class BookmarkKeeper:
    store: BookmarkStore
    #: Notices already shown: the library is refreshed in the background, and a
    #: notice that has not changed is not worth repeating each time.
    shown: set[str] = field(default_factory=set)

    def toggle(self, article: Article, paragraph: int) -> Notice | None:
        """Bookmark ``article`` at ``paragraph``, or remove its bookmark."""
        store = self.store
        store.refresh()
        try:
            if store.is_bookmarked(article.id):
                store.remove(article.id)
                return Notice(_("Bookmark removed: {title}").format(title=article.title))
            anchor = article.blocks[paragraph].text if 0 <= paragraph < len(article.blocks) else None
            store.add(Bookmark.from_article(article, paragraph=paragraph, anchor=anchor))
            return Notice(_("Bookmarked: {title}").format(title=article.title))
        except (BookmarkFileError, OSError) as exc:
            return Notice(error_notice(exc), "error", 10)
        except UnknownBookmark:
            return None  # removed meanwhile by another session: nothing left to do

    def reconcile(self, library: Library) -> tuple[set[str], list[Notice]]:
        """After the library loads (or is refreshed): a broken bookmarks file reported,
        missing bookmarks marked and those that turned up re-attached. Returns the
        article ids whose mark changed, and the notices not shown before."""
        store = self.store
        store.refresh()
        notices = []
        if store.error is not None:
            notices.append(Notice(_("Bookmarks are read-only until the file is fixed: {error}").format(
                error=store.error), "error", 15))
        before = {b.article_id for b in store.bookmarks}
        store.reconcile(library)
        changed = before ^ {b.article_id for b in store.bookmarks}
        # Bookmarks of articles not in this library are not announced at every start:
        # the bookmarks screen marks them (a reader with several libraries has them always).
        fresh = [n for n in notices if n.text not in self.shown]
        self.shown.update(n.text for n in fresh)
        return changed, fresh
