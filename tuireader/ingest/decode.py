"""Turn a file's bytes into text: encodings, line ends, and refusal of what is not text."""

from __future__ import annotations

import codecs
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
        raise IngestError(f"too large ({size // (1024 * 1024)} MiB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MiB)")
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
