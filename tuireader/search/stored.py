"""What the index stores of an article: one compressed value per document.

Everything a result row, a snippet and the re-ranking read back is kept in one stored
bytes field (``stored``), not in a text field each: a stored text field of the Python
bindings is also indexed (its whole value one term: the body again, uncompressed, in the
term dictionary), and Tantivy's own store compresses with LZ4 only. The fields are
written as UTF-16 (two bytes a Chinese character, not three) and deflated (zlib):
about 0.56 of the text's UTF-8 bytes, where LZ4 left 0.82.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

#: The stored fields, in order. A change here is a change of the index's schema.
FIELDS = ("aid", "headline", "kicker", "subheads", "bylines", "paper", "date", "section", "kind", "page",
          "text", "keywords")
_LEVEL = 6
_SIZES = struct.Struct(f"<{len(FIELDS)}I")  # each field's length in bytes


@dataclass(slots=True)
class Stored:
    aid: str
    headline: str
    kicker: str | None
    subheads: str | None
    bylines: str | None  # the folded bylines and dateline, without spaces (what by: matches)
    paper: str | None
    date: str | None
    section: str | None
    kind: str
    page: int | None
    text: str
    keywords: list[str]


def pack(aid: str, headline: str, kicker: str | None, subheads: str, bylines: str, paper: str | None,
         date: str | None, section: str | None, kind: str, page: int | None, text: str,
         keywords: list[str]) -> bytes:
    values = (aid, headline, kicker or "", subheads, bylines, paper or "", date or "", section or "", kind,
              str(page) if page else "", text, "\n".join(keywords))
    parts = [v.encode("utf-16-le", "surrogatepass") for v in values]
    return zlib.compress(_SIZES.pack(*map(len, parts)) + b"".join(parts), _LEVEL)


def unpack(blob: bytes) -> Stored:
    """The fields of ``pack``; ValueError when the value is not one (a damaged index)."""
    try:
        data = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError(f"unreadable stored document: {exc}") from None
    try:
        sizes = _SIZES.unpack_from(data)
    except struct.error:
        raise ValueError("unreadable stored document") from None
    at = _SIZES.size
    if at + sum(sizes) != len(data):
        raise ValueError("unreadable stored document")
    values: list[str] = []
    for size in sizes:
        values.append(data[at : at + size].decode("utf-16-le", "surrogatepass"))
        at += size
    aid, headline, kicker, subheads, bylines, paper, date, section, kind, page, text, keywords = values
    return Stored(aid, headline, kicker or None, subheads or None, bylines or None, paper or None, date or None,
                  section or None, kind or "article", int(page) if page.isdigit() else None, text,
                  [k for k in keywords.split("\n") if k])


def read(searcher, addr) -> Stored:
    """The stored fields of the document at ``addr``."""
    blob = searcher.doc(addr).get_first("stored")
    if not isinstance(blob, bytes):
        raise ValueError("a document without its stored value")
    return unpack(blob)
