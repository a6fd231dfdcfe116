"""Index-side text processing: jieba tokens and pinyin of articles.

Runs in worker processes (segmenting holds the GIL), so the UI never waits on
it. jieba's dictionary cache lives in tuireader's cache dir, never the shared
temporary folder, and is read with ``marshal.loads`` on the file's bytes.
Nothing here is imported on the query path.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import logging
import marshal
import os
import re
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from itertools import chain, compress, count, islice, pairwise, repeat
from operator import is_, itemgetter
from pathlib import Path
from sys import intern
from typing import Any, Generic, TypeVar, cast

from tuireader import paths
from tuireader.search.fields import pinyin_bigrams
from tuireader.search.fold import fold, is_cjk
from tuireader.search.pinyin import initial, strip_tone

_dt = None  # jieba's tokenizer, loaded once per process
V = TypeVar("V")


def jieba_cache_file() -> Path:
    return paths.cache_dir() / "jieba" / "jieba.cache"


def tokenizer():
    """jieba's default tokenizer with its dictionary loaded (about 0.2 s with a warm cache):
    the reference the segmenter is held to (tests, benchmarks); indexing cuts with rjieba
    and reads jieba's data files itself (``_short_words``, ``_idf``)."""
    global _dt
    if _dt is not None:
        return _dt
    import jieba

    jieba.setLogLevel(logging.WARNING)
    dt = jieba.dt
    cache = jieba_cache_file()
    cache.parent.mkdir(parents=True, exist_ok=True)
    dt.tmp_dir = str(cache.parent)
    dt.cache_file = cache.name
    try:
        # marshal.loads on bytes is ~3x faster than jieba's marshal.load on the file object
        dt.FREQ, dt.total = marshal.loads(cache.read_bytes())
        dt.initialized = True
    except (OSError, ValueError, EOFError, TypeError):
        dt.initialize()  # builds the prefix dict and writes the cache file
    _dt = dt
    return dt


def _pypinyin_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pypinyin")
    except PackageNotFoundError:
        return "unknown"


def pinyin_table_cache() -> Path:
    """pypinyin's readings as search uses them, kept in the cache dir for its version."""
    return paths.cache_dir() / "search" / f"pinyin-{_pypinyin_version()}.marshal"


def _read_pinyin_tables() -> dict[str, Any]:
    """{"chars": [(character, "yin,xing")], "phrases": {word: "yin hang"}}: every character
    pypinyin knows with its toneless readings, commonest first, and the words it reads
    otherwise than their characters' commonest readings say (its phrases).

    Read from the cache dir when they are there: importing pypinyin costs about a second
    and 56 MB, in every indexing worker; made from pypinyin once otherwise."""
    cache = pinyin_table_cache()
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        tables = marshal.loads(cache.read_bytes())
        if isinstance(tables, dict) and tables.get("chars") and isinstance(tables.get("phrases"), dict):
            return tables
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    chars = [(chr(cp), ",".join(dict.fromkeys(strip_tone(r) for r in v.split(",")))) for cp, v in pinyin_dict.items()]
    phrases = {w: " ".join(strip_tone(r[0]) for r in ph) for w, ph in phrases_dict.items()
               if len(w) > 1 and len(ph) == len(w)}
    tables = {"chars": chars, "phrases": phrases}
    with contextlib.suppress(OSError):
        from tuireader.store.atomic import atomic_write_bytes

        atomic_write_bytes(cache, marshal.dumps(tables))
    return tables


#: The tables, read once in a process that segments.
_pinyin_tables = functools.cache(_read_pinyin_tables)


def char_reading_table() -> list[tuple[str, str]]:
    """Every character pypinyin knows with its readings, for the index's ``chars`` table
    (read, not kept: the process holding the writer asks once, and would keep 20 MB)."""
    return _read_pinyin_tables()["chars"]


@functools.cache
def _char_readings() -> dict[str, tuple[str, ...]]:
    return {ch: tuple(map(intern, rs.split(","))) if rs else () for ch, rs in _pinyin_tables()["chars"]}


def _jieba_file(*parts: str) -> Path:
    """A data file of the jieba package, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ImportError("jieba is not installed")
    return Path(spec.origin).parent.joinpath(*parts)


class HashedWords:
    """A large table of words that never changes (jieba's dictionary words, its IDF
    table), kept as the 64-bit hashes of the words in one sorted array, with a number each:
    in each worker 6 MB where strings and dict slots took 90 MB. A lookup is a bisection
    in C (0.5 us; made only for words the caches have not met). Two words of one hash
    would share an answer: about one chance in 10^13 a lookup."""

    __slots__ = ("_keys", "_values")

    def __init__(self, items: Iterable[tuple[str, float]]) -> None:
        pairs = sorted({hash(word): value for word, value in items}.items())
        self._keys = array("q", [h for h, _ in pairs])
        self._values = array("d", [v for _, v in pairs])

    def _find(self, word: object) -> int:
        """Where ``word``'s hash is in the table; -1 when it is not."""
        h = hash(word)
        i = bisect_left(self._keys, h)
        return i if i < len(self._keys) and self._keys[i] == h else -1

    def get(self, word: str, default: float | None = None) -> float | None:
        i = self._find(word)
        return self._values[i] if i >= 0 else default

    def __contains__(self, word: object) -> bool:
        return self._find(word) >= 0

    def __len__(self) -> int:
        return len(self._keys)


@functools.cache
def _short_words() -> HashedWords:
    """The words of two and three characters in jieba's dictionary (frequency above 0):
    what search-mode cutting adds from inside a longer word. Read from its ``dict.txt`` as
    jieba reads it (a word's last line counts), not through jieba's tokenizer, whose prefix
    dictionary takes 70 MB in each worker (rjieba does the cutting)."""
    freq: dict[str, int] = {}
    for line in _jieba_file("dict.txt").read_bytes().decode("utf-8").splitlines():
        fields = line.strip().split(" ")
        if len(fields) >= 2 and 2 <= len(fields[0]) <= 3:
            freq[fields[0]] = int(fields[1])
    return HashedWords((w, 1.0) for w, f in freq.items() if f)


#: Words whose syllables are kept (each word's are kept in its entry too: ``_word_entry``).
WORD_PINYIN_CACHE = 20_000


@functools.lru_cache(maxsize=WORD_PINYIN_CACHE)
def word_pinyin(word: str) -> tuple[str | None, ...]:
    """One toneless syllable per character of ``word`` (None for a non-Chinese char).

    A word pypinyin knows as a phrase gets its reading in context (银行 yin hang);
    other characters get their commonest reading.
    """
    phrase = _pinyin_tables()["phrases"].get(word) if len(word) > 1 else None
    if phrase is not None:
        return tuple(map(intern, phrase.split(" ")))  # a few hundred syllables, shared
    readings = _char_readings()
    out: list[str | None] = []
    for ch in word:
        rs = readings.get(ch) if is_cjk(ch) else None
        out.append(rs[0] if rs else None)
    return tuple(out)


def _has_token_char(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def analyse(text: str, hmm: bool,
            with_syllables: bool = False) -> tuple[list[str], list[str | None], list[str]]:
    """Search-mode tokens of folded ``text``, one syllable (or None) per character (when
    ``with_syllables``), and the pinyin bigrams of adjacent Chinese characters (see
    ``pinyin_bigrams``), in no particular order (the index keeps no positions).

    The text is cut whole, in one call (the same words as cutting each run between
    punctuation, which is what jieba does inside), and each distinct word is looked at
    once per process (``_word_cache``): its search tokens, its syllables and the bigrams
    inside it. Per article, only the bigrams where two words meet are made, and the rest
    is gathered by C loops (map, chain), not a Python loop per word.
    """
    tokens: list[str] = []
    syllables: list[str | None] = []
    bigrams: list[str] = []
    for chunk in _chunks(text):
        entries = _entries(cut(chunk, hmm))  # the words themselves are not kept: only the cached entries
        tokens += chain.from_iterable(map(_TOKENS, entries))
        bigrams += chain.from_iterable(map(_INNER, entries))
        # where two words meet: "zhong1" (the last syllable of one) and "guo" (the first of
        # the next); "" where a word has none there
        nexts = islice(map(_FIRST, entries), 1, None)
        seams = [a + b for a, b in zip(map(_LAST, entries), nexts, strict=False) if a and b]
        # a long text's are new strings by the million: one copy of each
        bigrams += map(intern, seams) if len(text) > CHUNK_CHARS else seams
        if with_syllables:
            syllables += chain.from_iterable(map(_SYLLABLES, entries))
    return tokens, syllables, bigrams


def analyse_body(text: str) -> tuple[Counter[str], dict[str, None]]:
    """What ``analyse`` gives for a body, gathered for fields indexed without frequencies:
    its search tokens, each with how often it occurs (the keywords weigh that), and its
    distinct pinyin bigrams.

    A body's words are counted first (a C loop over a small table), and only its distinct
    words, fewer than half of them, are looked up in the large word cache. A word's count
    is its token's, except for the few whose tokens are not the word alone (punctuation
    has none, a long word adds the words inside it)."""
    counts: Counter[str] = Counter()
    bigrams: dict[str, None] = {}
    for chunk in _chunks(text):
        words = cut(chunk, False)
        chunk_counts = Counter(words)
        distinct = list(chunk_counts)
        entries = _entries(distinct)
        inside: Counter[str] = Counter()  # the tokens of the words that are not one token themselves
        for word, entry in compress(zip(distinct, entries, strict=True), map(_UNLIKE_WORD, entries)):
            n = chunk_counts.pop(word)
            for token in entry[0]:
                inside[token] += n
        counts.update(chunk_counts)  # a dict's update when it is the first chunk
        counts.update(inside)
        # where two words meet, position by position (the table of this chunk's words)
        in_order = list(map(dict(zip(distinct, entries, strict=True)).__getitem__, words))
        nexts = islice(map(_FIRST, in_order), 1, None)
        seams = [a + b for a, b in zip(map(_LAST, in_order), nexts, strict=False) if a and b]
        bigrams.update(dict.fromkeys(chain(chain.from_iterable(map(_INNER, entries)), seams)))
    return counts, bigrams


def _entries(words: list[str]) -> list[_WordEntry]:
    """Each word's entry (``_word_entry``), looked up in one C loop; made for the new ones."""
    found = list(map(_word_cache.new.get, words))
    for i in _missing(found):  # a few of the words: their places found by C loops
        found[i] = _word_entry(words[i])
    return cast(list[_WordEntry], found)


def _missing(found: list) -> Iterable[int]:
    """The places of the Nones in ``found``."""
    return compress(count(), map(is_, found, repeat(None))) if None in found else ()


#: Characters of a long text to cut at a time (its words are held as strings until looked up).
CHUNK_CHARS = 100_000
#: Where a text may be cut into chunks without changing its words: characters jieba never
#: joins to another (outside its ``re_han`` runs, and not the \r of a \r\n).
_UP_TO_BREAK = re.compile("(?s:.*)[,;:!?\u3002\u3001\uff0c\uff1b\uff1a\uff01\uff1f\n]")


def _chunks(text: str):
    """``text`` in pieces of about ``CHUNK_CHARS``, each ending after a break character."""
    start = 0
    while len(text) - start > CHUNK_CHARS:
        end = start + CHUNK_CHARS
        m = _UP_TO_BREAK.match(text, end - CHUNK_CHARS // 2, end)  # to the last break
        end = m.end() if m is not None else end  # no break in 50,000 characters: cut anyway
        yield text[start:end]
        start = end
    yield text[start:]


_TOKENS, _SYLLABLES, _INNER, _FIRST, _LAST, _UNLIKE_WORD = (itemgetter(i) for i in range(6))


#: What jieba's HMM step does with a run of non-Chinese characters it meets: letters and
#: digits (with one decimal part and a per cent sign) apart from everything else.
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_ASCII_WORD = re.compile(r"[a-zA-Z0-9]+")


def cut(text: str, hmm: bool) -> list[str]:
    """jieba's cut of ``text`` (jieba is the definition of a word), done by rjieba, jieba's
    Rust port with its dictionary and algorithm, about 19 times faster.

    The one difference: with HMM, rjieba keeps a Latin run with ``-._`` whole (``f-16``,
    ``covid-19``, ``www.example.com``), where jieba's HMM step splits it; such runs are split
    again here the way jieba does (tests/test_search_segment.py compares the two)."""
    import rjieba

    words = rjieba.cut(text, hmm)
    if not hmm:
        return words
    out: list[str] = []
    for w in words:
        if len(w) > 1 and w.isascii() and not _ASCII_WORD.fullmatch(w):
            out.extend(piece for piece in _JIEBA_SKIP.split(w) if piece)
        else:
            out.append(w)
    return out


#: word -> (its search tokens, its syllables, the pinyin bigrams inside it, its first
#: syllable and its last followed by 1, or "", and whether its tokens are other than the
#: word alone); the words of a library repeat, so this does most of the work once per
#: distinct word.
_WordEntry = tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...], str, str, bool]
#: Distinct words kept in a generation (about 0.5 kB each; at most two generations): a
#: worker keeps its memory whatever the library's vocabulary.
WORD_CACHE_WORDS = 100_000


class Generations(Generic[V]):
    """A cache of at most two generations of ``size`` entries that keeps what is in use:
    when the new generation is full it becomes the old one (the older is dropped), and an
    entry met in the old one moves to the new. A common word is never worked out again;
    one not met for a generation is. Look in ``new`` first (a C-level ``dict.get``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.new: dict[str, V] = {}
        self.old: dict[str, V] = {}

    def from_old(self, key: str) -> V | None:
        value = self.old.pop(key, None)
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: str, value: V) -> None:
        if len(self.new) >= self.size:
            self.old, self.new = self.new, {}
        self.new[key] = value


_word_cache: Generations[_WordEntry] = Generations(WORD_CACHE_WORDS)


def _word_entry(w: str) -> _WordEntry:
    kept = _word_cache.from_old(w)
    if kept is not None:
        return kept
    syl = word_pinyin(w) if any(is_cjk(c) for c in w) else (None,) * len(w)
    inner = tuple(pinyin_bigrams(list(syl))) if len(w) > 1 else ()
    toks: list[str] = []
    if _has_token_char(w):
        # what jieba's cut_for_search adds: the dictionary 2- and 3-grams inside long words
        words = _short_words()
        n = len(w)
        if n > 2:
            toks.extend(w[i : i + 2] for i in range(n - 1) if w[i : i + 2] in words)
        if n > 3:
            toks.extend(w[i : i + 3] for i in range(n - 2) if w[i : i + 3] in words)
        toks.append(w)
    entry = (tuple(toks), syl, inner, syl[0] or "", intern(f"{syl[-1]}1") if syl[-1] else "", toks != [w])
    _word_cache.put(w, entry)
    return entry


def initial_ngrams(syllables: list[str | None]) -> list[str]:
    """Initials of adjacent pairs and triples: ``数字法治`` -> ``sz zf fz szf zfz``."""
    out = []
    for a, b in pairwise(syllables):
        if a and b:
            out.append(initial(a) + initial(b))
    for a, b, c in zip(syllables, syllables[1:], syllables[2:], strict=False):  # triples: shorter by design
        if a and b and c:
            out.append(initial(a) + initial(b) + initial(c))
    return out


def segment_document(head: str, byline: str, body: str, seen: set[str] | None = None, folded_body: str | None = None
                     ) -> tuple[tuple[str, ...], list[tuple[str, str]], list[str]]:
    """The index's field values of one article, the words read otherwise than their
    characters alone say (term, syllables): 银行 is yin hang, where 行 alone reads xing,
    and the article's keywords (``keywords``).

    Fields: head, byline, body (jieba tokens), pyhead, pybody (pinyin bigrams),
    inihead (initials of 2 and 3 adjacent characters of the headline lines).
    The readings leave out the terms in ``seen`` (and add the new ones to it).
    ``folded_body``: ``fold(body)``, when the caller has it already.
    """
    head_f, byline_f = fold(head), fold(byline)
    body_f = fold(body) if folded_body is None else folded_body
    head_tokens, head_syl, head_bigrams = analyse(head_f, hmm=True, with_syllables=True)
    by_tokens, _, _ = analyse(byline_f, hmm=True)
    # HMM finds unknown words; in bodies it costs 40% more time for little gain
    body_counts, body_bigrams = analyse_body(body_f)
    values: tuple[Iterable[str], ...] = (head_tokens, by_tokens, body_counts, head_bigrams, body_bigrams,
                                         initial_ngrams(head_syl))
    # the fields indexed without frequencies (``INDEX_OPTIONS``: body, pybody) are given each
    # token once, as ``analyse_body`` gathers them (a dict's keys): the same postings, and half
    # the tokens for the writer to take in (their length, for BM25, is their distinct tokens)
    columns = tuple(" ".join(v) for v in values)
    if seen is None:
        seen = set()
    vocab = []
    readings = _char_readings()
    for term in {*head_tokens, *by_tokens, *body_counts} - seen:
        seen.add(term)
        if len(term) > 1:
            syl = word_pinyin(term)
            commonest = [(readings.get(c) or ("",))[0] for c in term]
            if any(s and s != r for r, s in zip(commonest, syl, strict=False)):
                vocab.append((term, " ".join(s or "?" for s in syl)))
    body_counts.update(head_tokens)  # the columns are made: the counts serve the keywords now
    return columns, vocab, keywords(body_counts)


KEYWORD_COUNT = 8
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script: 图书馆 and covid, not 2025


#: jieba.analyse's stop words (``KeywordExtractor.STOP_WORDS``; a test compares them).
JIEBA_STOP_WORDS = frozenset((
    "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on", "with",
    "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not", "one", "has", "or",
))


@functools.cache
def _idf() -> tuple[HashedWords, float, frozenset[str]]:
    """jieba.analyse's IDF table, its median (for words it lacks) and its stop words, read
    from its ``idf.txt`` as jieba.analyse reads it: importing jieba.analyse also loads
    jieba's part-of-speech tagger, 50 MB in each worker for nothing."""
    idf: dict[str, float] = {}
    for line in _jieba_file("analyse", "idf.txt").read_bytes().decode("utf-8").splitlines():
        word, freq = line.strip().split(" ")
        idf[word] = float(freq)
    return HashedWords(idf.items()), sorted(idf.values())[len(idf) // 2], JIEBA_STOP_WORDS


def keywords(tokens: list[str] | Counter[str], count: int = KEYWORD_COUNT) -> list[str]:
    """The best ``count`` keywords of an article by TF-IDF, as jieba.analyse.extract_tags
    scores them, over the tokens already cut for the index (cutting again with HMM, as
    extract_tags does, would triple the cost of indexing). Words of two characters or
    more with a letter in them (not 2025 or 12%). The index's tokens hold the parts of long
    words too (书馆 of 图书馆): a part never met outside a longer word is left out."""
    counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
    terms = list(counts)
    found = list(map(_keyword_weights.new.get, terms))
    for i in _missing(found):
        found[i] = _keyword_weight(terms[i])
    weights = cast(list[float], found)
    scored = [(-n * w, t) for t, n, w in zip(terms, counts.values(), weights, strict=True) if w >= 0]
    # what can hold a part (most words are two characters), all in one string to look in first
    longer = [t for _, t in scored if len(t) > 2]
    holders = "\n".join(longer)
    best: list[str] = []
    for _, term in heapq.nsmallest(count * 4, scored):
        if term in holders and any(len(other) > len(term) and term in other and counts[other] >= counts[term]
                                   for other in longer):
            continue
        best.append(term)
        if len(best) == count:
            break
    return best


#: term -> its IDF when it can be a keyword, else -1: each distinct term is judged once
_keyword_weights: Generations[float] = Generations(WORD_CACHE_WORDS)


def _keyword_weight(term: str) -> float:
    kept = _keyword_weights.from_old(term)
    if kept is not None:
        return kept
    idf, median, stop = _idf()
    w = cast(float, idf.get(term, median)) if len(term) > 1 and term not in stop and _LETTER.search(term) else -1.0
    _keyword_weights.put(term, w)
    return w


#: (build id, the terms this process already handed over in that build)
_sent: list = [None, set()]


def sent_terms(build: str | None) -> set[str] | None:
    """The terms whose readings this process handed over already in build ``build``
    (the indexer stores every batch's readings, so repeating one is wasted work); None
    without a build: each document's readings whole."""
    if build is None:
        return None
    if _sent[0] != build or len(_sent[1]) >= 2 * WORD_CACHE_WORDS:
        # bounded like the word caches: an archive's vocabulary (numbers, names) has no end,
        # and a term handed over twice costs only a lookup in the indexer's table
        _sent[0], _sent[1] = build, set()
    return _sent[1]


def worker_init(cache_home: str | None) -> None:
    """Set up a worker process: same cache dir as the parent, dictionary words loaded once."""
    if cache_home:
        os.environ["XDG_CACHE_HOME"] = cache_home
    silence_stdio()
    _short_words()


def silence_stdio() -> None:
    """A worker has nothing to say on the reader's terminal (its descriptors are the app's)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
