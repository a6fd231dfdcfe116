"""Parsing what a reader types: free text, field filters, phrases, exclusions.

``数字法治 by:陈卓 paper:人民日报 page:1 date:2025-06 date:2025-06-01..2025-07-15
kind:photo "exact phrase" -word``. Filters combine (AND); two values of one field
are alternatives (OR). Everything is folded (NFKC, lower case, simplified).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tuireader.i18n import _
from tuireader.search.fold import fold

FIELDS = ("by", "paper", "page", "date", "kind")
KINDS = ("article", "photo", "brief")
_TOKEN_RE = re.compile(r'-?"[^"]*"?|\S+')
_DATE_RE = re.compile(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$")


@dataclass
class Query:
    raw: str
    #: Free-text terms; adjacent ASCII words are kept together ("shuzi fazhi").
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
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


def _norm_date(value: str) -> str | None:
    value = value.replace("/", "-").replace(".", "-")
    if not _DATE_RE.match(value):
        return None
    parts = value.split("-")
    return "-".join([parts[0]] + [p.zfill(2) for p in parts[1:]])


def parse(raw: str) -> Query:
    # quotes people type in Chinese text count as ASCII quotes
    text = fold(raw).replace("“", '"').replace("”", '"').replace("「", '"').replace("」", '"')
    q = Query(raw=raw)
    free: list[str] = []

    def flush() -> None:
        # adjacent ASCII words stay one term so "shuzi fazhi" is read as pinyin
        run: list[str] = []
        for w in free + [""]:
            if w and w.isascii() and w.replace("'", "").isalpha():
                run.append(w)
                continue
            if run:
                q.terms.append(" ".join(run))
                run = []
            if w:
                q.terms.append(w)
        free.clear()

    tokens = _TOKEN_RE.findall(text)
    if len(tokens) > 1 and not text[-1:].isspace() and _typing_a_field(tokens[-1]):
        tokens.pop()  # "数字 pa" is "数字" while "paper:" is being typed
    for tok in tokens:
        negate = tok.startswith("-") and len(tok) > 1
        body = tok[1:] if negate else tok
        if body.startswith('"'):
            phrase = body.strip('"').strip()
            if phrase:
                (q.excludes if negate else q.phrases).append(phrase)
            continue
        name, sep, value = body.partition(":")
        if sep and name in FIELDS and not negate:
            flush()
            if value:
                _add_filter(q, name, value)
            continue
        if negate:
            q.excludes.append(body)
        else:
            free.append(body)
    flush()
    return q


def _typing_a_field(token: str) -> bool:
    return ":" not in token and any(f"{name}:".startswith(token) for name in FIELDS)


def _add_filter(q: Query, name: str, value: str) -> None:
    if name == "by":
        q.by.append("".join(value.split()))
    elif name == "paper":
        q.paper.append(value)
    elif name == "kind":
        if value in KINDS:
            q.kind.append(value)
        else:
            q.errors.append(_("kind:{value}: use one of {kinds}").format(value=value, kinds=", ".join(KINDS)))
    elif name == "page":
        digits = value.lstrip("第").rstrip("版")
        if digits.isdigit():
            q.page.append(int(digits))
        else:
            q.errors.append(_("page:{value}: not a page number").format(value=value))
    elif name == "date":
        low, sep, high = value.partition("..")
        lo = _norm_date(low) if low else "0000"
        hi = (_norm_date(high) if high else "9999") if sep else lo
        if lo is None or hi is None:
            q.errors.append(_("date:{value}: use 2025-06, 2025-06-01 or 2025-06-01..2025-07-15").format(value=value))
        else:
            q.dates.append((lo, hi))
