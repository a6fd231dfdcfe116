"""Turn a file's bytes into text: encodings, line ends, and refusal of what is not text."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

#: Larger files are refused rather than read: a newspaper page is a few hundred KB.
MAX_FILE_BYTES = 32 * 1024 * 1024


class IngestError(Exception):
    """A file that cannot be read as newspaper text; the message is the reason."""


def read_text(path: Path) -> str:
    return decode_bytes(read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing one too large to be a page before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        mib = 1024 * 1024
        raise IngestError(f"too large ({size // mib} MiB; the limit is {MAX_FILE_BYTES // mib} MiB)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; normalise line ends."""
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = _strict(data, "utf-16")
    else:
        if b"\x00" in data:
            raise IngestError("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _strict(data, "gb18030")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("empty file")
    if _looks_binary(text):
        raise IngestError("binary file (mostly control characters)")
    return text


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise IngestError("undecodable: not UTF-8, UTF-16 or GB18030 text") from None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    return len(_CONTROL_RE.findall(sample)) > max(8, len(sample) // 20)


# ------------------------------------------------------------ file names
# Python hands over a file name that is not valid UTF-8 (GBK names are common in
# Chinese archives) with its odd bytes as lone surrogates: exact, so the file
# opens from it, but neither printable nor storable as text. Such a name is
# shown decoded the way file contents are, and stored as its bytes.


def readable_name(name: str) -> str:
    """A file name or path as a reader should see it: unchanged when it is
    UTF-8; else each part that is not decoded as GB18030, or failing that
    with its odd bytes escaped (``\\xb5``). For showing only: the file opens
    from ``name``."""
    if name.isascii() or not _has_surrogates(name):
        return name
    return "/".join(_readable_part(part) for part in name.split("/"))


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _readable_part(part: str) -> str:
    if not _has_surrogates(part):
        return part
    raw = os.fsencode(part)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def path_to_db(path: str) -> str | bytes:
    """A path as SQLite can keep it without loss: text when it is UTF-8, else its
    bytes (a BLOB never equals a TEXT, so the two cannot be confused)."""
    if path.isascii() or not _has_surrogates(path):
        return path
    return os.fsencode(path)


def path_from_db(value: str | bytes) -> str:
    """The path ``path_to_db`` stored."""
    return os.fsdecode(value) if isinstance(value, bytes) else value
