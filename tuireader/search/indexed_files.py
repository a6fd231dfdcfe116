"""The list of source files an index holds, kept small: an archive has half a million files,
and the process holding the index writer keeps the list for the whole build and writes it
at every commit.

A file is known by a 64-bit hash of its path's bytes (``path_key``), which is also the term
its articles carry in the index (``key_term``): a file gone from the library is deleted by
its key, without its path. What is known of it is 32 bytes (``entry``): its size and mtime,
which say whether it may have changed, and the digest of its bytes, which says whether it
did. At a million articles (554,383 files) a dict of path strings and tuples held 260 MB
and wrote 98 MB at each commit.

Two paths of one hash (about one chance in 10^8 at a million files) would share an entry:
one of them is indexed again at each update, nothing is lost.
"""

from __future__ import annotations

import hashlib
import os
import struct

_ENTRY = struct.Struct("<qq16s")
_STAT = struct.Struct("<qq")
#: The digest of a file's bytes kept in an entry.
DIGEST_BYTES = 16


def path_key(path: str) -> int:
    """The key of the file at ``path``: its bytes as the system has them (a GBK name too)."""
    return int.from_bytes(hashlib.blake2b(os.fsencode(path), digest_size=8).digest(), "little")


def key_term(key: int) -> str:
    """The index's ``file`` term of the file with key ``key``."""
    return f"{key:016x}"


def entry(size: int, mtime_ns: int, digest: bytes) -> bytes:
    return _ENTRY.pack(size, mtime_ns, digest)


def same_stat(known: bytes, size: int, mtime_ns: int) -> bool:
    """Whether a file's size and mtime are still those its entry holds."""
    return known[: _STAT.size] == _STAT.pack(size, mtime_ns)


def entry_digest(known: bytes) -> bytes:
    return known[_STAT.size :]


def file_digest(path: str) -> bytes:
    """The digest of the bytes of the file at ``path``."""
    h = hashlib.blake2b(digest_size=DIGEST_BYTES)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def valid_files(files: object) -> bool:
    """Whether ``files``, read from a state file, is a list of this form ({key: entry})."""
    if not isinstance(files, dict):
        return False
    first = next(iter(files.items()), None)  # one look: the file is written whole or not at all
    return first is None or (isinstance(first[0], int) and isinstance(first[1], bytes)
                             and len(first[1]) == _ENTRY.size)


class SeenIds:
    """The article ids a fresh build has added, to find one met again in another file: a
    bit array set at two places per id (a Bloom filter), 8 MB whatever the archive, where
    a set of the ids' hashes took 80 MB at a million articles. An id wrongly said seen
    costs only a delete that finds nothing (about one in a thousand at a million ids)."""

    BITS = 1 << 26

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)  # pages are taken as they are touched

    def add(self, aid: str) -> bool:
        """Note ``aid``; whether it may have been noted before."""
        h = hash(aid)
        seen = True
        for place in (h & (self.BITS - 1), (h >> 32) & (self.BITS - 1)):
            byte, bit = place >> 3, 1 << (place & 7)
            if not self._bits[byte] & bit:
                seen = False
                self._bits[byte] |= bit
        return seen
