"""What a file's path says about its issue: date, page, section name, paper."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from tuireader.ingest.patterns import parse_number

_DATE_RES = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.年/]?(0[1-9]|1[0-2]|[1-9])[-_.月/]?(3[01]|[12]\d|0[1-9]|[1-9])日?(?!\d)"),
)
_COMPACT_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(3[01]|[12]\d|0[1-9])(?!\d)")
_PAGE_RES = (
    re.compile(r"^第\s*([0-9０-９]{1,3}|[一二三四五六七八九十百]{1,4})\s*版(?:[-_ ·]+([^\d]{1,20}))?$"),
    re.compile(r"^(?:page|p|A|B|C|D)?[-_ ]?([0-9]{1,3})(?:[-_ ·]+([^\d]{1,20}))?$", re.I),
)


@dataclass(slots=True)
class PathInfo:
    date: str | None = None
    page: int | None = None
    section_name: str | None = None
    paper: str | None = None


@lru_cache(maxsize=4096)  # folder names repeat across a library's files
def date_in(text: str) -> str | None:
    m = _COMPACT_DATE_RE.search(text)
    if not m:
        for rx in _DATE_RES:
            m = rx.search(text)
            if m:
                break
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


@lru_cache(maxsize=4096)
def page_in(name: str) -> tuple[int, str | None] | None:
    for rx in _PAGE_RES:
        m = rx.match(name.strip())
        if m:
            number = parse_number(m.group(1))
            if number and 0 < number < 1000:
                return number, (m.group(2) or "").strip(" -_·") or None
    return None


def path_info(rel: PurePath) -> PathInfo:
    """Read date, page and paper from a path relative to its library root.

    The nearest part wins for each. A per-article file's own name is a title,
    so only folders give a page; a page file's name may give one.
    """
    info = PathInfo()
    parts = list(rel.parts)
    stem = PurePath(parts[-1]).stem if parts else ""
    folders = parts[:-1]
    for part in [stem, *reversed(folders)]:
        if info.date is None:
            info.date = date_in(part)
    if info.date is None and folders:  # 2025/06/06/…
        info.date = date_in("/".join(folders))
    for part in [stem, *reversed(folders)]:
        found = page_in(part)
        if found:
            info.page, info.section_name = found
            break
    for part in reversed(folders):
        if date_in(part) or page_in(part) or re.fullmatch(r"\d{1,4}", part):
            continue
        info.paper = part
        break
    return info
