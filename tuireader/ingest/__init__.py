"""Parsers: files in, model articles out. No Textual, no library-wide state.

``parse_file(path, root)`` detects the layout of one file and returns a
``ParsedFile``; the library groups files into issues and sections.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from tuireader.ingest import markdown as M
from tuireader.ingest import patterns as P
from tuireader.ingest import rmrb
from tuireader.ingest.decode import IngestError, decode_bytes, read_text, readable_name
from tuireader.ingest.pathinfo import date_in, page_in, path_info
from tuireader.model import Article

__all__ = ["IngestError", "ParsedFile", "parse_file", "parse_text", "TEXT_SUFFIXES"]

#: Files a library folder is scanned for (a file named on the command line is always read).
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text", ".mdown", ".mkd"})

_FRONT_RE = re.compile(r"\A\ufeff?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MAX_FRONT_MATTER = 64 * 1024


@dataclass(slots=True)
class ParsedFile:
    """One file's articles and what the file says about its issue and page."""

    rel: str
    layout: str  # "page", "article", "generic"
    articles: list[Article] = field(default_factory=list)
    paper: str | None = None
    date: str | None = None
    page: int | None = None
    section_name: str | None = None
    #: Sort key within a section for per-article files (the paper's own order where known).
    order: tuple = ()


def parse_file(path: Path, root: Path) -> ParsedFile:
    """Read and parse one file; ``IngestError`` says why a file yields nothing."""
    rel: PurePath
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = PurePath(path.name)
    return parse_text(read_text(path), PurePath(readable_name(rel.as_posix())))


def parse_bytes(data: bytes, rel: PurePath) -> ParsedFile:
    return parse_text(decode_bytes(data), rel)


def parse_text(text: str, rel: PurePath) -> ParsedFile:
    if text.startswith("### ") and rmrb.looks_like(text):
        return _parse_rmrb(text, rel)
    if _TITLE_LIST_RE.match(text) and _is_title_list(text):
        raise IngestError("a list of titles (YYYY-MM-DD title), not articles")
    front, body = _split_front_matter(text)
    tokens = M.tokenize(body)
    if front is not None and ("title" in front or any(t.kind == "quote" for t in tokens[:6])):
        layout = "article"
        items = [M.single_item(tokens)]
        if not items[0].headline and isinstance(front.get("title"), str):
            items[0].headline = front["title"].strip()
        articles = [M.assemble(items[0], reflow=False, header_quote_is_byline=True)]
    elif M.is_page_layout(tokens):
        layout = "page"
        articles = [M.assemble(item, reflow=True) for item in M.page_items(tokens)]
    else:
        layout = "generic"
        articles = [M.assemble(item, reflow=False) for item in M.generic_items(tokens)]
    articles = [a for a in articles if a.headline or a.blocks or a.bylines or a.kicker]
    if not articles:
        raise IngestError("no articles found (no headings and no text)")

    parsed = ParsedFile(rel=rel.as_posix(), layout=layout, articles=articles)
    _apply_issue_info(parsed, front or {}, rel)
    return parsed


def _parse_rmrb(text: str, rel: PurePath) -> ParsedFile:
    found = rmrb.parse(text, rel)
    art = found.article
    if not (art.headline or art.blocks or art.bylines):
        raise IngestError("no articles found (no headings and no text)")
    return ParsedFile(
        rel=rel.as_posix(), layout=rmrb.LAYOUT, articles=[found.article], paper=rmrb.PAPER,
        date=found.date, page=found.page, section_name=found.section_name,
    )


_TITLE_LIST_RE = re.compile(r"\A\ufeff?\d{4}-\d{2}-\d{2} \S")
_TITLE_LINE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \S")


def _is_title_list(text: str) -> bool:
    """The archive's ``dir/YYYY年MM月.md``: nothing but ``YYYY-MM-DD title`` lines."""
    lines = [line for line in text.lstrip("\ufeff").split("\n") if line.strip()]
    return len(lines) >= 2 and all(_TITLE_LINE_RE.match(line) for line in lines)


def _split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    m = _FRONT_RE.match(text)
    if not m or len(m.group(0)) > _MAX_FRONT_MATTER:
        return None, text
    raw = m.group(1) or ""
    simple = _simple_front_matter(raw)
    if simple is not None:
        return simple, text[m.end() :]
    # libyaml is ten times faster; text that could hold an anchor or alias goes
    # through the pure-Python loader, which refuses aliases (no YAML bombs).
    loader = _FrontMatterLoader if _ALIAS_RE.search(raw) else _FAST_LOADER
    try:
        data = yaml.load(raw, Loader=loader)
    except yaml.YAMLError:
        return None, text  # not front matter after all: keep it as text
    if not isinstance(data, dict):
        return None, text
    return {str(k): v for k, v in data.items()}, text[m.end() :]


_SIMPLE_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*?))?[ \t]*$")
_PLAIN_SCALAR_RE = re.compile(r"^[^\"'\[\]{}&*!|>%@`#,:?\-][^\"'\[\]{}#]*$")
_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _simple_front_matter(raw: str) -> dict[str, Any] | None:
    """Read the flat ``key: value`` front matter that archives write, ten times
    faster than a YAML loader; anything beyond it returns None (YAML decides)."""
    out: dict[str, Any] = {}
    for line in raw.split("\n"):
        if not line.strip():
            continue
        m = _SIMPLE_KEY_RE.match(line)
        if not m or m.group(1) in out:
            return None
        value = _simple_scalar(m.group(2) or "")
        if value is _NOT_SIMPLE:
            return None
        out[m.group(1)] = value
    return out


_NOT_SIMPLE = object()


def _simple_scalar(v: str) -> Any:
    if v == "" or v in ("~", "null", "Null", "NULL"):
        return None
    if not v.isprintable() or "\ufeff" in v:  # YAML has its own rules for these
        return _NOT_SIMPLE
    if v[0] == '"':
        inner = v[1:-1]
        if len(v) >= 2 and v[-1] == '"' and '"' not in inner and "\\" not in inner:
            return inner
        return _NOT_SIMPLE
    if v[0] == "'":
        inner = v[1:-1]
        if len(v) >= 2 and v[-1] == "'" and "'" not in inner:
            return inner
        return _NOT_SIMPLE
    if v[0] == "[":
        if v[-1] != "]":
            return _NOT_SIMPLE
        inner = v[1:-1].strip()
        if not inner:
            return []
        items = [_simple_scalar(x.strip()) for x in inner.split(",")]
        if any(x is _NOT_SIMPLE or x is None or isinstance(x, list) for x in items):
            return _NOT_SIMPLE
        return items
    if v in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return v.lower() == "true"
    if _INT_RE.match(v):
        return int(v) if not (len(v) > 1 and v.lstrip("+-").startswith("0")) else _NOT_SIMPLE
    if _ISO_DATE_RE.match(v):
        return v
    if _PLAIN_SCALAR_RE.match(v) and ": " not in v and " #" not in v and not _looks_numeric(v):
        return v
    return _NOT_SIMPLE


def _looks_numeric(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return v.lower() in (".inf", "-.inf", "+.inf", ".nan", "yes", "no", "on", "off", "y", "n")
    return True


_ALIAS_RE = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s\]},]")
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe loading without aliases: front matter has no use for them, and
    refusing them makes a billion-laughs bomb harmless."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


_FIELD_KEYS = {"date", "paper", "newspaper", "page", "section", "section_name", "page_name", "name"}


def _apply_issue_info(parsed: ParsedFile, front: dict[str, Any], rel: PurePath) -> None:
    """Paper, date and page: front matter, then the content, then the path."""
    fm_date = _date_value(front.get("date"))
    fm_paper = _str_value(front.get("paper") or front.get("newspaper"))
    fm_page, fm_name = _page_value(front.get("page")), None
    section = front.get("section")
    if isinstance(section, int) and not isinstance(section, bool):
        fm_page = fm_page or section
    elif isinstance(section, str):
        found = page_in(section.strip())
        if found:
            fm_page = fm_page or found[0]
            fm_name = found[1]
        elif not fm_name:
            fm_name = section.strip() or None
    fm_name = _str_value(front.get("section_name") or front.get("page_name") or front.get("name")) or fm_name

    edition = next((a.meta.get("_edition") for a in parsed.articles if a.meta.get("_edition")), None)
    if edition is None:
        # Page files may carry a masthead line such as 《某某日报》（2025年6月6日第 1 版）
        # near the top.
        for a in parsed.articles[:2]:
            for b in a.blocks[:3]:
                if "《" not in b.text:
                    continue
                _, masthead = P.split_edition(b.text)
                if masthead:
                    edition = masthead
                    break
            if edition:
                break
    context_paper = None
    for a in parsed.articles:
        for line in a.meta.get("context", []) + [a.headline]:
            m = re.match(r"^《([^《》]{1,20})》", line or "")
            if m and date_in(line):
                context_paper = m.group(1)
                fm_date = fm_date or date_in(line)
                break
        if context_paper:
            break

    info = path_info(rel)
    parsed.paper = fm_paper or (edition or {}).get("paper") or context_paper or info.paper
    parsed.date = fm_date or (edition or {}).get("date") or info.date
    parsed.page = fm_page or (edition or {}).get("page") or info.page
    parsed.section_name = fm_name or info.section_name

    source_url = front.get("source_url") or front.get("url")
    nums = re.findall(r"\d+", str(source_url)) if source_url else []
    parsed.order = (int(nums[-1]),) if nums else ()

    for art in parsed.articles:
        art.meta.pop("_edition", None)
        for key, value in front.items():
            if key not in _FIELD_KEYS:
                art.meta.setdefault(key, _plain(value))
        if not art.bylines and parsed.layout == "article":
            author = _str_value(front.get("author"))
            if author:
                art.bylines.append(P.normalise_byline(author))


def _plain(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _str_value(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _date_value(value: Any) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (str, int)):
        return date_in(str(value))
    return None


def _page_value(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1000:
        return value
    if isinstance(value, str):
        found = page_in(value.strip())
        return found[0] if found else None
    return None
