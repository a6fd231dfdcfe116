"""Parsing what a reader types: free text, field filters, phrases, exclusions.

``数字法治 by:陈卓 paper:人民日报 page:1 date:2025-06 date:2025-06-01..2025-07-15
kind:photo "exact phrase" -word -"a phrase"``. Filters combine (AND); two values of
one field are alternatives (OR). Everything is folded (NFKC, lower case, simplified).

A query is at most ``MAX_QUERY_CHARS`` characters (a longer one is an error, not
a slower search), and parsing is one pass over it: the cost of what follows
(the engine) is bounded by what the parser lets through.

While a reader types, the unfinished last word is read kindly: ``数字 pa`` is
``数字`` (``paper:`` is coming), ``date:2025-`` is ``date:2025``, a lone ``-`` or
an empty ``date:`` is nothing yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tuireader.i18n import _
from tuireader.search.fold import fold

FIELDS = ("by", "paper", "page", "date", "kind")
KINDS = ("article", "photo", "brief", "link")
#: The longest query accepted, in characters (the search box holds no more).
MAX_QUERY_CHARS = 256
#: The highest page number a filter may name (papers have tens of pages, supplements a few hundred).
MAX_PAGE = 9999
_TOKEN_RE = re.compile(r'-?"[^"]*"?|\S+')
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_PAGE_RE = re.compile(r"^第?(\d{1,9})版?$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"'})


@dataclass
class Query:
    raw: str
    #: Free-text terms; adjacent ASCII words are kept together ("shuzi fazhi").
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    #: Words and phrases that must not occur (``-word``, ``-"a phrase"``).
    excludes: list[str] = field(default_factory=list)
    by: list[str] = field(default_factory=list)
    paper: list[str] = field(default_factory=list)
    page: list[int] = field(default_factory=list)
    #: (low, high) inclusive, each a date prefix: date:2025-06 is ("2025-06", "2025-06").
    dates: list[tuple[str, str]] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(self.by or self.paper or self.page or self.dates or self.kind)

    @property
    def empty(self) -> bool:
        return not (self.has_text or self.has_filters or self.excludes)

    def highlight_terms(self) -> list[str]:
        """Strings to mark in a result as typed (the engine adds what typos and pinyin matched)."""
        out = [t for t in self.terms if t.strip()] + [p for p in self.phrases if p]
        return list(dict.fromkeys(out))


def parse(raw: str) -> Query:
    """The query ``raw`` asks for; problems are in ``errors`` (the first is what to tell the reader)."""
    q = Query(raw=raw)
    if len(raw) > MAX_QUERY_CHARS:
        q.errors.append(_("query too long ({n} characters; at most {most})").format(n=len(raw), most=MAX_QUERY_CHARS))
        return q
    text = fold(raw).translate(_QUOTES)  # quotes people type in Chinese text count as ASCII quotes
    typing = not text[-1:].isspace()  # the last token may be unfinished
    tokens = _TOKEN_RE.findall(text)
    free: list[str] = []
    for i, tok in enumerate(tokens):
        last = typing and i == len(tokens) - 1
        negate = tok.startswith("-")
        body = tok[1:] if negate else tok
        if not body:
            continue  # a lone "-": the word to exclude is still to come
        if body.startswith('"'):
            phrase = " ".join(body.strip('"').split())
            if phrase:
                _add_once(q.excludes if negate else q.phrases, phrase)
            continue
        name, sep, value = body.partition(":")
        if sep and name in FIELDS:
            if negate:
                q.errors.append(_("-{name}: a filter cannot be excluded; leave out the -").format(name=name))
            elif value:
                _add_filter(q, name, value, last)
            continue  # "date:" with nothing yet: no filter
        if last and len(tokens) > 1 and not negate and not sep and _half_typed_field(body):
            continue  # "数字 pa" is "数字" while "paper:" is being typed
        if negate:
            _add_once(q.excludes, body)
        else:
            free.append(body)
    q.terms = _join_ascii_runs(free)
    return q


def _join_ascii_runs(words: list[str]) -> list[str]:
    """Adjacent ASCII words stay one term, so "shuzi fazhi" is read as pinyin."""
    terms: list[str] = []
    run: list[str] = []
    for w in words:
        if w.isascii() and w.replace("'", "").isalpha():
            run.append(w)
            continue
        if run:
            terms.append(" ".join(run))
            run = []
        terms.append(w)
    if run:
        terms.append(" ".join(run))
    return list(dict.fromkeys(terms))


def _half_typed_field(token: str) -> bool:
    return any(f"{name}:".startswith(token) for name in FIELDS)


def _add_once(values: list, value) -> None:
    if value not in values:
        values.append(value)


def _add_filter(q: Query, name: str, value: str, typing: bool) -> None:
    if name == "by":
        _add_once(q.by, "".join(value.split()))
    elif name == "paper":
        _add_once(q.paper, value)
    elif name == "kind":
        if value in KINDS:
            _add_once(q.kind, value)
        elif not (typing and any(k.startswith(value) for k in KINDS)):
            q.errors.append(_("kind:{value}: use one of {kinds}").format(value=value, kinds=", ".join(KINDS)))
    elif name == "page":
        page = parse_page(value)
        if page is None:
            message = _("page:{value}: not a page number (1 to {most}, or 第2版)")
            q.errors.append(message.format(value=value, most=MAX_PAGE))
        else:
            _add_once(q.page, page)
    elif name == "date":
        span = parse_date_range(value, typing)
        if span is None:
            message = _("date:{value}: use 2025, 2025-06, 2025-06-01 or 2025-06-01..2025-07-15")
            q.errors.append(message.format(value=value))
        else:
            _add_once(q.dates, span)


def parse_page(value: str) -> int | None:
    """``2``, ``02``, ``第2版`` -> 2; None for anything else or a page beyond ``MAX_PAGE``."""
    m = _PAGE_RE.match(value)
    if m is None:
        return None
    page = int(m.group(1))  # at most 9 digits: never a huge integer
    return page if 1 <= page <= MAX_PAGE else None


def normalise_date(value: str) -> str | None:
    """``2025``, ``2025-6``, ``2025/6/1``, ``2025.06.01`` -> a zero-padded prefix; None if not a date."""
    m = _DATE_RE.match(value.replace("/", "-").replace(".", "-"))
    if m is None:
        return None
    year, month, day = m.groups()
    if month is not None and not 1 <= int(month) <= 12:
        return None
    if day is not None and not 1 <= int(day) <= 31:
        return None
    return "-".join(p.zfill(2) for p in (year, month, day) if p is not None)


def parse_date_range(value: str, typing: bool = False) -> tuple[str, str] | None:
    """``2025-06`` -> ("2025-06", "2025-06"); ``A..B``, ``A..``, ``..B`` -> a range (either
    order); None if a side is not a date. While typing, a trailing separator is ignored."""
    if typing:
        value = re.sub(r"(?<=\d)[-/.]$", "", value)  # "2025-" and "2025-06-01." on the way
    low, sep, high = value.partition("..")
    lo = normalise_date(low) if low else "0000"
    if not sep:
        return (lo, lo) if low and lo else None
    hi = normalise_date(high) if high else "9999"
    if lo is None or hi is None:
        return None
    return (lo, hi) if lo[: len(hi)] <= hi[: len(lo)] else (hi, lo)


def with_date(raw: str, value: str) -> str:
    """``raw`` with its ``date:`` filters replaced by ``date:value`` (two ``date:`` values
    are alternatives, so narrowing means replacing): ``秦岭 date:1966`` and ``1966-05`` ->
    ``秦岭 date:1966-05``. The other words are kept as typed, one space apart."""
    text = raw.translate(_QUOTES)  # one character for one: positions in it are positions in raw
    kept = [raw[m.start() : m.end()] for m in _TOKEN_RE.finditer(text)
            if not fold(m.group()).lstrip("-").startswith("date:")]
    return " ".join([*kept, f"date:{value}"])
