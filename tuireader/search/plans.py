"""How each free-text term is looked up in the index: the Tantivy queries for it.

No jieba and no pypinyin here: a Chinese term is split against the index's own
vocabulary (a word is a token some article has), and the readings of its characters
come from the readings the indexer stored beside the index.

A term has a ``strict`` query (the text as typed, or a same-sound typo of it: every
pinyin bigram of the term) and a ``relaxed`` one (its words apart, or one edit away:
a swapped, dropped or wrong character).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuireader.search.fields import pinyin_bigrams
from tuireader.search.fold import is_cjk
from tuireader.search.index import INI_FIELD, PY_FIELDS, WORD_FIELDS
from tuireader.search.pinyin import fuzzy_syllables, is_initials, split_pinyin_all

_MAX_WORD = 8
#: Terms of up to this many pinyin bigrams get one candidate clause per place of the edit.
_HOLES_MAX = 12
#: Longest term (in characters) also asked with each two neighbours swapped back.
_SWAP_MAX = 8
#: Longest typed pinyin (in syllables) also read with 模糊音: each bigram becomes up to 16 tokens.
_FUZZY_MAX_SYLLABLES = 8
HEAD_ONLY = {"head": 6.0}
PYHEAD_ONLY = {"pyhead": 3.0}


@dataclass
class Plan:
    """How one free-text term is matched."""

    text: str
    strict: Any | None
    relaxed: Any | None
    #: How to find the term's sound in text: syllables (Chinese term); for typed letters,
    #: alternatives ("py", syllables, partial) and ("ini", letters); None when it has none.
    sound: tuple | None = None
    cjk: bool = False
    #: Typed pinyin read with an input method's 模糊音 (z/zh, n/l, -n/-ng…): ("py", syllables
    #: each as "a|b" alternatives, partial); matches ranked below every exact one.
    fuzzy: tuple | None = None


#: The fields of an article's headlines and bylines: a few tokens each, so their postings are
#: short whatever the archive (see ``Builder.heads``).
HEAD_FIELDS = frozenset({"head", "byline", "pyhead", INI_FIELD})


#: Prefix queries kept (a few a keystroke: the last word being typed, in each field).
_PREFIX_QUERIES = 256


class Builder:
    """Tantivy queries over one index's schema; with ``fields``, over those fields only."""

    def __init__(self, schema, fields: frozenset[str] | None = None, prefixes: dict | None = None):
        import tantivy

        self.t = tantivy
        self.schema = schema
        self.fields = fields
        self._heads: Builder | None = None
        #: (field, start) -> its prefix query, shared with ``heads()``, which asks the same
        #: of the headlines: compiling the regex costs 0.3 ms, twice a keystroke otherwise.
        self._prefixes: dict[tuple[str, str], Any] = {} if prefixes is None else prefixes

    def heads(self) -> Builder:
        """The same queries asked of the headlines and bylines alone (``HEAD_FIELDS``). A
        word common in bodies matches most of an archive, and a conjunction of such words
        costs Tantivy a pass over all their matches; in headlines the same words match a
        few thousand articles, asked in a fraction of a millisecond. Every query keeps a
        field there (each names a head field beside the body's)."""
        if self._heads is None:
            self._heads = Builder(self.schema, HEAD_FIELDS, self._prefixes)
        return self._heads

    def term(self, field: str, token: str):
        return self.t.Query.term_query(self.schema, field, token, index_option="freq")

    def prefix(self, field: str, start: str):
        query = self._prefixes.get((field, start))
        if query is None:
            if len(self._prefixes) >= _PREFIX_QUERIES:
                self._prefixes.clear()  # the last keystrokes' are the ones asked again
            query = self._prefixes[(field, start)] = self.t.Query.regex_query(
                self.schema, field, re.escape(start) + ".*")
        return query

    def any_field(self, fields: dict[str, float], token: str, prefix: bool = False):
        """``token`` in any of ``fields``, each weighted."""
        make = self.prefix if prefix else self.term
        parts = [self.t.Query.boost_query(make(f, token), w) if w != 1.0 else make(f, token)
                 for f, w in self._kept(fields).items()]
        return parts[0] if len(parts) == 1 else self.any_of(parts)

    def _kept(self, fields: dict[str, float]) -> dict[str, float]:
        """``fields`` less those this builder leaves out (never all: HEAD_FIELDS holds one of
        every query's fields; not a ValueError, which the searcher takes for damage)."""
        if self.fields is None:
            return fields
        kept = {f: w for f, w in fields.items() if f in self.fields}
        if not kept:
            raise RuntimeError(f"no field of {sorted(fields)} in {sorted(self.fields)}")
        return kept

    def all_of(self, queries: list):
        queries = [q for q in queries if q is not None]
        if not queries:
            return None
        if len(queries) == 1:
            return queries[0]
        return self.t.Query.boolean_query([(self.t.Occur.Must, q) for q in queries])

    def any_of(self, queries: list):
        queries = [q for q in queries if q is not None]
        if not queries:
            return None
        if len(queries) == 1:
            return queries[0]
        return self.t.Query.boolean_query([(self.t.Occur.Should, q) for q in queries])

    def all_tokens(self, fields: dict[str, float], tokens: list[str]):
        return self.all_of([self.any_field(fields, tok) for tok in dict.fromkeys(tokens)])

    def sound(self, fields: dict[str, float], tokens: Sequence[str | list[str]], prefix: str | None = None):
        """Every pinyin bigram of a sound (a token, or any of a list of them; then ``prefix``
        as a token's start) in one field: the headline's, or the body's. A sound is read in
        one text, never half in each; and Tantivy walks a conjunction of plain terms with
        skips, where one of either-field unions costs a pass over their matches."""
        fields = self._kept(fields)
        alternatives = [[t] if isinstance(t, str) else t for t in tokens]
        parts = []
        for f, w in fields.items():
            needed = [self.any_of([self.term(f, t) for t in alts]) for alts in dict.fromkeys(map(tuple, alternatives))]
            q = self.all_of([*needed, self.prefix(f, prefix) if prefix else None])
            parts.append(self.t.Query.boost_query(q, w) if q is not None and w != 1.0 else q)
        return self.any_of(parts)

    def filter(self, query, filters):
        """``query`` among the documents ``filters`` selects (filters add nothing to the score)."""
        if filters is None:
            return query
        if query is None:
            return filters
        return self.t.Query.boolean_query([(self.t.Occur.Must, query), (self.t.Occur.Must,
                                           self.t.Query.const_score_query(filters, 0.0))])


def plan_term(view, term: str, builder: Builder | None = None) -> Plan:
    """How ``term`` is matched; with ``builder``, its queries made by that one (``Builder.heads``)."""
    b = builder or view.builder
    if any(is_cjk(c) for c in term):
        return _plan_chinese(view, term, b)
    return _plan_latin(b, term)


def split_words(view, text: str) -> list[tuple[str, str | None]]:
    """Split Chinese text into the index's own words: (piece, syllables or None)."""
    known: dict[str, str] = {}
    for i in range(len(text)):
        for j in range(i + 2, min(len(text), i + _MAX_WORD) + 1):
            piece = text[i:j]
            if piece not in known and view.is_word(piece):
                known[piece] = view.word_reading(piece)
    # fewest pieces, longest words: best[i] = (score, where the last piece starts) for text[:i]
    n = len(text)
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    best[0] = (0, 0)
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 1, min(n, i + _MAX_WORD) + 1):
            if j - i > 1 and text[i:j] not in known:
                continue
            score = here[0] + (j - i) ** 2
            there = best[j]
            if there is None or score > there[0]:
                best[j] = (score, i)
    pieces: list[str] = []
    end = n
    while end > 0:
        start = best[end][1]  # type: ignore[index]  # every end is reachable (single characters)
        pieces.append(text[start:end])
        end = start
    out = []
    for p in reversed(pieces):
        py = known.get(p)
        if py is None and len(p) == 1 and view.is_word(p):
            py = view.word_reading(p)
        out.append((p, py))
    return out


def _syllables(view, text: str, words: list[tuple[str, str | None]]) -> list[str | None]:
    out: list[str | None] = []
    for piece, py in words:
        syl: list[str | None] = list(py.split(" ")) if py else []
        if len(syl) != len(piece) or "?" in syl:
            syl = [(view.readings(c) or (None,))[0] if is_cjk(c) else None for c in piece]
        out.extend(syl)
    return out


def _plan_chinese(view, term: str, b: Builder) -> Plan:
    words = split_words(view, term)
    syl = _syllables(view, term, words)
    wordish = [p for p, py in words if py is not None and any(ch.isalnum() for ch in p)]
    all_known = all(py is not None for p, py in words if any(ch.isalnum() for ch in p))
    bigrams = pinyin_bigrams(syl)
    words_q = b.all_tokens(WORD_FIELDS, wordish) if wordish and all_known else None
    strict_parts = []
    if bigrams:
        # adjacent sounds: the text as typed, or a same-sound typo of it
        strict_parts.append(b.sound(PY_FIELDS, bigrams))
    elif words_q is not None:
        strict_parts.append(words_q)
    if len(term) == 1:
        # one character: headlines first (words starting with it)
        strict_parts.append(b.any_field(HEAD_ONLY, term, prefix=True))
    relaxed = b.any_of([words_q if bigrams else None, one_edit_query(b, bigrams, wordish),
                        swapped_query(b, syl)])
    sound = tuple(syl) if len(term) > 1 and all(syl) else None
    return Plan(term, b.any_of(strict_parts), relaxed, sound, cjk=True)


def _plan_latin(b: Builder, term: str) -> Plan:
    parts = []
    words = [w for w in re.split(r"[^0-9a-z]+", term) if w]
    alternatives = split_pinyin_all(term) if term.replace(" ", "").replace("'", "").isalpha() else ()
    # a letter or one syllable matches half the archive: headlines first, as for one character
    short = len(term.replace(" ", "")) <= 2 or all(len(syls) <= 1 for syls, _ in alternatives) and alternatives
    word_fields = HEAD_ONLY if short else WORD_FIELDS
    py_fields = PYHEAD_ONLY if short else PY_FIELDS
    if words:
        # a prefix of one or two letters expands to half the vocabulary (pinyin tokens too)
        last = words[-1]
        if len(last) >= 3:
            tail = b.any_of([b.any_field(word_fields, last), b.any_field(word_fields, last, prefix=True)])
        else:
            tail = b.any_field(word_fields, last) if len(words) == 1 else None
        parts.append(b.all_of([b.any_field(word_fields, w) for w in words[:-1]] + [tail]))
    sounds: list[tuple] = []
    for syls, partial in alternatives:  # "banan": ban an, ba nan; the index tells
        tokens: list[str | list[str]] = [f"{a}1{c}" for a, c in zip(syls, syls[1:], strict=False)]
        # a one-letter partial syllable expands to too many tokens: the ranking checks it
        typed = partial and syls and (len(partial) > 1 or len(syls) == 1)
        parts.append(b.sound(py_fields, tokens, prefix=f"{syls[-1]}1{partial}" if typed else None))
        if len(syls) + bool(partial) > 1:
            sounds.append(("py", tuple(syls), partial))
    letters = term.replace(" ", "")
    if is_initials(letters):
        grams = [letters[i : i + 3] for i in range(len(letters) - 2)] or [letters]
        parts.append(b.all_tokens({INI_FIELD: 2.0}, grams))
        sounds.append(("ini", letters))
    strict = b.any_of(parts)
    fuzzy_parts, fuzzy = _fuzzy_pinyin(b, py_fields, alternatives)
    return Plan(term, strict, b.any_of([strict, *fuzzy_parts]), tuple(sounds) or None, cjk=False,
                fuzzy=tuple(fuzzy) or None)


def _fuzzy_pinyin(b: Builder, py_fields: dict[str, float], alternatives) -> tuple[list, list[tuple]]:
    """Queries and sound specs for typed pinyin read with 模糊音 (``shuzi fazi``: 数字法治);
    only for whole syllables, two or more, and only where a syllable has another reading."""
    parts: list = []
    specs: list[tuple] = []
    for syls, partial in alternatives:
        if not 2 <= len(syls) <= _FUZZY_MAX_SYLLABLES:
            continue
        variants = [fuzzy_syllables(s) for s in syls]
        if all(len(v) == 1 for v in variants):
            continue
        tokens: list[str | list[str]] = [[f"{x}1{y}" for x in va for y in vc]
                                         for va, vc in zip(variants, variants[1:], strict=False)]
        parts.append(b.sound(py_fields, tokens))
        specs.append(("py", tuple("|".join(v) for v in variants), partial))
    return parts, specs


def one_edit_groups(bigrams: list[str]) -> list[list[str]]:
    """Groups of bigrams, one of which a text one edit away from the term holds whole
    (a swapped pair, a dropped or wrong character).

    An edit at one place breaks at most three adjacent pinyin bigrams. Short terms: all
    bigrams but those three, for each place in turn. Longer ones would make that n
    groups of n bigrams each (a pasted paragraph: millions of terms), so their bigrams
    are cut into four runs: the three broken bigrams touch at most two runs, so the text
    holds every bigram of two of them. Six groups of half the bigrams: linear."""
    n = len(bigrams)
    if n > _HOLES_MAX:
        runs = [bigrams[k * n // 4 : (k + 1) * n // 4] for k in range(4)]
        return [list(dict.fromkeys(runs[a] + runs[c])) for a in range(4) for c in range(a + 1, 4)]
    if n >= 4:
        groups = [tuple(dict.fromkeys(x for k, x in enumerate(bigrams) if abs(k - hole) > 1)) for hole in range(n)]
        return [list(g) for g in dict.fromkeys(groups)]
    return []


def swapped_sounds(syllables: list[str | None]) -> list[list[str]]:
    """The pinyin bigrams of the term with each two neighbours swapped back: a pair typed
    the wrong way round across two words (电物商流 for 电商物流) breaks every bigram of a
    short term, so no group of ``one_edit_groups`` holds; each order put right is asked
    whole. Only short terms (a swap is a typing slip of a word or two)."""
    if not 3 <= len(syllables) <= _SWAP_MAX or not all(syllables):
        return []
    out: list[list[str]] = []
    for i in range(len(syllables) - 1):
        s = list(syllables)
        s[i], s[i + 1] = s[i + 1], s[i]
        if s != syllables:
            out.append(pinyin_bigrams(s))
    return out


def swapped_query(b: Builder, syllables: list[str | None]):
    return b.any_of([b.sound(PY_FIELDS, list(g)) for g in swapped_sounds(syllables)])


def one_edit_query(b: Builder, bigrams: list[str], words: list[str]):
    groups = one_edit_groups(bigrams)
    if groups:
        return b.any_of([b.sound(PY_FIELDS, list(g)) for g in groups])
    fields = {**WORD_FIELDS, **PY_FIELDS}
    tokens = list(dict.fromkeys(words + bigrams))
    return b.any_of([b.any_field(fields, t) for t in tokens]) if tokens else None
