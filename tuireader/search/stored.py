"""What the index stores of an article: one compressed value per document.

The body is kept folded (``fold``: what the re-ranking reads, so a query folds no
article), with the few characters folding changed (full-width punctuation, capitals,
traditional forms) and where they were: the text as written is put back only for the
stretch a snippet shows.

Everything a result row, a snippet and the re-ranking read back is kept in one stored
bytes field (``stored``), not in a text field each: a stored text field of the Python
bindings is also indexed (its whole value one term: the body again, uncompressed, in the
term dictionary), and Tantivy's own store compresses with LZ4 only.

The fields are written as UTF-16 (two bytes a Chinese character, and decoded at memory
speed) and compressed with zstd and a dictionary trained on the library's own articles
when its index is made (``train_dictionary``, kept beside the index): an article is a
few kilobytes, too little for a compressor to learn the language from the article
alone. A keystroke reads back some fifty candidates, so their decompression is on the
reader's path: with zstd (its context reused) and UTF-16, a body is read in half the
time zlib and GB18030 took, and the values come out smaller (0.78x on the shared
corpus's People's Daily articles, 0.91x on the dictionary library; benchmarks/README.md).
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import accumulate

#: The stored fields, in order: the head (read for every candidate) and the body (read only
#: for those whose head does not settle it). A change here is a change of the index's schema.
HEAD_FIELDS = ("aid", "headline", "kicker", "subheads", "bylines", "paper", "date", "section", "kind", "page",
               "keywords")
BODY_FIELDS = ("folded", "restore", "where")
#: zstd's level: 9 packs a value 1.27x as long as 6 for 0.3% less (3,000 articles of the
#: dictionary library, benchmarks/README.md); reading back costs the same at either.
_LEVEL = 6
#: The dictionary's size: 64 kB is where the gain levels off for articles of a few kilobytes.
DICTIONARY_BYTES = 64_000
#: Articles a dictionary is trained on, and the text they may bring (UTF-16 bytes): a
#: few hundred articles give the same dictionary as thousands, in a tenth of a second.
DICTIONARY_SAMPLES = 400
DICTIONARY_SAMPLE_BYTES = 4_000_000
#: The dictionary file's first byte: trained (zstd's format), the samples' text as they are
#: (too few to train on), or none at all (a library without text).
_TRAINED, _RAW = b"t", b"r"
_HEAD_SIZES = struct.Struct(f"<{len(HEAD_FIELDS)}I")  # each field's length in bytes
_BODY_SIZES = struct.Struct("<3I")  # the folded body's bytes, the restored characters', and 2 or 4 (steps)
_HEAD_LENGTH = struct.Struct("<I")  # the compressed head's length, first in the value


def _encode(values: Iterable[str]) -> list[bytes]:
    return [v.encode("utf-16-le", "surrogatepass") for v in values]


def train_dictionary(samples: Sequence[str]) -> bytes:
    """A dictionary for ``Codec`` from some of the library's articles (their heads and
    folded bodies): trained by zstd, or the samples' text itself when there are too few
    to train on; empty when there is no text."""
    import zstandard

    data: list[bytes | bytearray | memoryview] = [*_encode(s for s in samples if s)]
    if sum(map(len, data)) < 1024:
        return b""
    try:
        trained = zstandard.train_dictionary(DICTIONARY_BYTES, data, level=_LEVEL)
        return _TRAINED + trained.as_bytes()
    except zstandard.ZstdError:  # too few samples, or too alike
        return _RAW + b"".join(data)[-DICTIONARY_BYTES:]


class Codec:
    """Packs and unpacks stored values with one index's dictionary (``train_dictionary``).
    Its contexts are reused from one value to the next (making one costs more than
    decompressing an article), so one codec serves one thread at a time."""

    def __init__(self, dictionary: bytes = b""):
        import zstandard

        self.dictionary = dictionary
        if not dictionary:
            zdict = None
        elif dictionary[:1] in (_TRAINED, _RAW):
            kind = zstandard.DICT_TYPE_FULLDICT if dictionary[:1] == _TRAINED else zstandard.DICT_TYPE_RAWCONTENT
            try:
                zdict = zstandard.ZstdCompressionDict(dictionary[1:], dict_type=kind)
                zdict.precompute_compress(level=_LEVEL)
            except zstandard.ZstdError:
                raise ValueError("unreadable dictionary") from None
        else:
            raise ValueError("unreadable dictionary")
        self._compressor = zstandard.ZstdCompressor(level=_LEVEL, dict_data=zdict, write_checksum=True)
        self._decompressor = zstandard.ZstdDecompressor(dict_data=zdict)
        self._error = zstandard.ZstdError

    def compress(self, data: bytes) -> bytes:
        return self._compressor.compress(data)

    def decompress(self, data: bytes) -> bytes:
        """ValueError when ``data`` is not a value of this codec (a damaged index)."""
        try:
            return self._decompressor.decompress(data)
        except self._error:
            raise ValueError("unreadable stored document") from None

    def pack(self, aid: str, headline: str, kicker: str | None, subheads: str, bylines: str, paper: str | None,
             date: str | None, section: str | None, kind: str, page: int | None, text: str, folded: str,
             keywords: list[str]) -> bytes:
        """``folded`` is ``fold(text)``: the same length, so positions carry over."""
        if len(folded) != len(text):
            raise ValueError("a folded text of another length")
        head = _encode((aid, headline, kicker or "", subheads, bylines, paper or "", date or "", section or "",
                        kind, str(page) if page else "", "\n".join(keywords)))
        head_z = self.compress(_HEAD_SIZES.pack(*map(len, head)) + b"".join(head))
        where = changed_positions(text, folded)
        body = _encode([folded, "".join(text[i] for i in where)])
        # where, as the steps from one to the next: two bytes each, unless one is longer
        steps = [b - a for a, b in zip([0, *where], where, strict=False)]
        width = 2 if max(steps, default=0) < 1 << 16 else 4
        packed = struct.pack(f"<{len(steps)}{'H' if width == 2 else 'I'}", *steps)
        body_z = self.compress(_BODY_SIZES.pack(*map(len, body), width) + b"".join(body) + packed)
        return _HEAD_LENGTH.pack(len(head_z)) + head_z + body_z

    def unpack(self, blob: bytes) -> Stored:
        """The fields of ``pack``; ValueError when the value is not one (a damaged index)."""
        try:
            (n,) = _HEAD_LENGTH.unpack_from(blob)
            data = self.decompress(blob[4 : 4 + n])
            sizes = _HEAD_SIZES.unpack_from(data)
        except struct.error:
            raise ValueError("unreadable stored document") from None
        if _HEAD_SIZES.size + sum(sizes) != len(data):
            raise ValueError("unreadable stored document")
        return Stored(_fields(data, sizes, _HEAD_SIZES.size), blob[4 + n :], self)

    def read(self, searcher, addr) -> Stored:
        """The stored fields of the document at ``addr`` (the body read when asked for)."""
        blob = searcher.doc(addr).get_first("stored")
        if not isinstance(blob, bytes):
            raise ValueError("a document without its stored value")
        return self.unpack(blob)


class Stored:
    """An article's stored fields; the body is decompressed when first asked for."""

    __slots__ = ("aid", "headline", "kicker", "subheads", "bylines", "paper", "date", "section", "kind", "page",
                 "keywords", "_body", "_codec", "_folded", "_restore", "_where")

    def __init__(self, values: list[str], body: bytes, codec: Codec):
        aid, headline, kicker, subheads, bylines, paper, date, section, kind, page, keywords = values
        self.aid = aid
        self.headline = headline
        self.kicker = kicker or None
        self.subheads = subheads or None
        self.bylines = bylines or None  # the folded bylines and dateline, without spaces (what by: matches)
        self.paper = paper or None
        self.date = date or None
        self.section = section or None
        self.kind = kind or "article"
        self.page = int(page) if page.isdigit() else None
        self.keywords = [k for k in keywords.split("\n") if k]
        self._body = body
        self._codec = codec
        self._folded: str | None = None
        self._restore = ""
        self._where: tuple[int, ...] = ()

    @property
    def folded(self) -> str:
        """The body folded (``fold``)."""
        if self._folded is None:
            self._folded, self._restore, self._where = _unpack_body(self._codec.decompress(self._body))
        return self._folded

    def written(self, start: int = 0, end: int | None = None) -> str:
        """The body as written, from ``start`` to ``end`` (positions are the folded body's):
        the folded body with the characters folding changed put back."""
        folded = self.folded
        end = len(folded) if end is None else min(end, len(folded))
        piece = folded[start:end]
        lo, hi = bisect_left(self._where, start), bisect_left(self._where, end)
        if lo == hi:
            return piece
        chars = list(piece)
        for at, ch in zip(self._where[lo:hi], self._restore[lo:hi], strict=True):
            chars[at - start] = ch
        return "".join(chars)


def _may_change() -> re.Pattern[str]:
    from tuireader.search.tradsimp import _TRAD

    # what folding never changes: ASCII but capitals, CJK ideographs but traditional forms,
    # the commonest Chinese punctuation (tests/test_search_stored.py checks the class)
    return re.compile(f"[^\\x00-\\x40\\x5b-\\x7f\\u4e00-\\u9fff{UNCHANGED_PUNCTUATION}]|[{re.escape(_TRAD)}]")


UNCHANGED_PUNCTUATION = "\u3001\u3002\u3008-\u3011\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_MAY_CHANGE = _may_change()


def changed_positions(text: str, folded: str) -> list[int]:
    """Where ``folded`` (``fold(text)``) differs from ``text``: only the characters
    folding may change are compared (a few hundred of an article's thousands)."""
    if text == folded:
        return []
    return [i for i in (m.start() for m in _MAY_CHANGE.finditer(text)) if text[i] != folded[i]]


def _fields(data: bytes, sizes: Sequence[int], at: int) -> list[str]:
    end = at + sum(sizes)
    whole = data[at:end].decode("utf-16-le", "surrogatepass")
    if 2 * len(whole) == end - at and not any(size & 1 for size in sizes):
        # every character two bytes (no surrogate pair): cut the text where the bytes were,
        # one decoding where there were eleven (half the time of reading a candidate's head);
        # a field of an odd size (damage) is refused below, as it was
        ends = list(accumulate(size >> 1 for size in sizes))
        return [whole[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    values = []
    for size in sizes:
        values.append(data[at : at + size].decode("utf-16-le", "surrogatepass"))
        at += size
    return values


def _unpack_body(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    """The decompressed body: the folded text, the characters folding changed, and where."""
    try:
        *sizes, width = _BODY_SIZES.unpack_from(data)
        at = _BODY_SIZES.size + sum(sizes)
        folded, restore = _fields(data, sizes, _BODY_SIZES.size)
        if width not in (2, 4):
            raise ValueError("unreadable stored document")
        where = tuple(accumulate(struct.unpack_from(f"<{(len(data) - at) // width}{'H' if width == 2 else 'I'}",
                                                    data, at)))
    except (struct.error, UnicodeError):
        raise ValueError("unreadable stored document") from None
    if len(where) != len(restore) or (where and where[-1] >= len(folded)):
        raise ValueError("unreadable stored document")
    return folded, restore, where
