"""The navigation pane: issues -> sections (第N版 名) -> articles.

The app talks to it only through ``load``, ``select_article``, ``refresh_marks``
and the ``ArticleChosen`` message, so the "Large archives" issue can swap the
Tree for a virtual list without touching the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tuireader.model import ArticleRef, Issue
from tuireader.text.sanitize import clean

#: Expand every issue and section when the library has at most this many articles.
EXPAND_ALL_LIMIT = 2000

UNREAD_MARK = "•"
PHOTO_MARK = "▣"
BOOKMARK_MARK = "★"


class ArticleChosen(Message):
    """The reader picked an article in the navigation pane (Enter)."""

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id


#: (is_read, is_bookmarked) for an article id.
MarkFunction = Callable[[str], tuple[bool, bool]]


def article_label(ref: ArticleRef, read: bool, bookmarked: bool, read_style: Style | str = "dim") -> Text:
    label = Text(no_wrap=True, end="")
    label.append(f"{UNREAD_MARK} " if not read else "  ", "bold" if not read else "")
    if ref.kind == "photo":
        label.append(f"{PHOTO_MARK} ")
    if bookmarked:
        label.append(f"{BOOKMARK_MARK} ")
    # A list shows the kicker when there is no headline (model: ArticleRef.title).
    label.append(clean(ref.title) or "(untitled)", read_style if read else "")
    return label


class LibraryNav(Tree[str]):
    """Issues, sections and articles; node data is the article id (None for groups)."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="down", show=False),
        Binding("k,up", "cursor_up", "Up", id="up", show=False),
        Binding("enter", "select_cursor", "Open", id="open"),
        Binding("g,home", "scroll_home", "Top", id="top", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="bottom", show=False),
        Binding("escape", "app.leave_nav", "Back to the article", id="leave_nav", show=False),
    ]

    ArticleChosen = ArticleChosen

    #: Styled by the theme ($read-color, $section-color in app.tcss).
    COMPONENT_CLASSES = {"nav--read", "nav--section"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Text("Library"), id=id, classes=classes)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True
        self._leaves: dict[str, TreeNode[str]] = {}
        self._section_nodes: list[tuple[TreeNode[str], str]] = []
        self._refs: dict[str, ArticleRef] = {}
        self._marks: MarkFunction = lambda _id: (False, False)

    def load(self, issues: Iterable[Issue], marks: MarkFunction) -> None:
        """Fill the pane from the library's issues."""
        self._marks = marks
        self.clear()
        self._leaves.clear()
        self._refs.clear()
        self._section_nodes.clear()
        read_style = self._read_style()
        issues = list(issues)
        total = sum(len(s.articles) for i in issues for s in i.sections)
        expand_all = total <= EXPAND_ALL_LIMIT
        for issue in issues:
            issue_node = self.root.add(Text(clean(issue.label)), expand=expand_all or len(issues) == 1)
            for section in issue.sections:
                label = clean(section.label)
                section_node = issue_node.add(Text(label, style=self._section_style()), expand=expand_all)
                self._section_nodes.append((section_node, label))
                for ref in section.articles:
                    read, bookmarked = marks(ref.id)
                    self._leaves[ref.id] = section_node.add_leaf(
                        article_label(ref, read, bookmarked, read_style), data=ref.id
                    )
                    self._refs[ref.id] = ref

    def select_article(self, article_id: str) -> None:
        """Move the cursor to the article (expanding its issue and section)."""
        node = self._leaves.get(article_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[str]) -> None:
        self.move_cursor(node, animate=False)

    def refresh_marks(self, article_ids: Iterable[str] | None = None) -> None:
        """Redraw read/bookmark marks (of the given articles, or of all)."""
        read_style = self._read_style()
        if article_ids is None:  # everything: after a theme change, say
            for node, label in self._section_nodes:
                node.set_label(Text(label, style=self._section_style()))
        ids = self._leaves.keys() if article_ids is None else article_ids
        for article_id in list(ids):
            node = self._leaves.get(article_id)
            if node is not None:
                read, bookmarked = self._marks(article_id)
                node.set_label(article_label(self._refs[article_id], read, bookmarked, read_style))

    def _read_style(self) -> Style | str:
        return self.get_component_rich_style("nav--read", partial=True) if self.is_mounted else "dim"

    def _section_style(self) -> Style | str:
        return self.get_component_rich_style("nav--section", partial=True) if self.is_mounted else "bold"

    @property
    def cursor_article(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data is not None:
            event.stop()
            self.post_message(ArticleChosen(event.node.data))

    def action_scroll_home(self) -> None:
        self.cursor_line = 0

    def action_scroll_end(self) -> None:
        self.cursor_line = self.last_line
