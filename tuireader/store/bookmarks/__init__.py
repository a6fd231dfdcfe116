"""Bookmarks: a plain YAML file a reader can read, edit, carry and merge. No Textual.

Three modules, each importable on its own:

* :mod:`.model`: ``Bookmark``, ``Document`` (the whole file) and ``merge_into``;
* :mod:`.codec`: the file's text to a ``Document`` and back (``parse_document``,
  ``dump_document``), refusing what is not a bookmarks file with a one-line
  ``BookmarkFileError``;
* :mod:`.store`: ``BookmarkStore``, the reader's file, changed under its lock.

The names below are the ones the rest of tuireader imports from here.
"""

from tuireader.store.bookmarks.codec import (
    HEADER,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    _read_as_written,
    dump_document,
    dump_yaml,
    parse_document,
    parse_yaml_document,
    read_text,
    yaml_scalar,
)
from tuireader.store.bookmarks.model import (
    ANCHOR_CHARS,
    FORMAT_VERSION,
    Bookmark,
    BookmarkFileError,
    BookmarkSaveError,
    Document,
    UnknownBookmark,
    merge_into,
    now_iso,
    parse_time,
    resolve_paragraph,
    split_tags,
    unique_tags,
)
from tuireader.store.bookmarks.store import (
    FILE_NAME,
    LOCK_TIMEOUT,
    BookmarkStore,
    default_path,
    read_bookmarks_file,
    read_document,
    read_raw,
    resolve_path,
)

__all__ = [
    "ANCHOR_CHARS", "FILE_NAME", "LOCK_TIMEOUT", "FORMAT_VERSION", "HEADER", "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES",
    "Bookmark", "BookmarkFileError", "BookmarkSaveError", "BookmarkStore", "Document", "UnknownBookmark",
    "_read_as_written",
    "default_path", "dump_document", "dump_yaml", "merge_into", "now_iso", "parse_document", "parse_time",
    "parse_yaml_document", "read_bookmarks_file", "read_document", "read_raw", "read_text", "resolve_paragraph",
    "resolve_path", "split_tags", "unique_tags", "yaml_scalar",
]
