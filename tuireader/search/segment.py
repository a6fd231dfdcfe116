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
from collections import Counter
from itertools import pairwise
from pathlib import Path

from tuireader import paths
from tuireader.search.fold import fold, is_cjk
from tuireader.search.pinyin import initial, strip_tone

_dt = None  # jieba's tokenizer, loaded once per process


def jieba_cache_file() -> Path:
    return paths.cache_dir() / "jieba" / "jieba.cache"


def tokenizer():
    """jieba's default tokenizer with its dictionary loaded (about 0.2 s with a warm cache)."""
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


@functools.cache
def _char_readings() -> dict[str, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    return {chr(cp): tuple(dict.fromkeys(strip_tone(r) for r in v.split(","))) for cp, v in pinyin_dict.items()}


def char_table_cache() -> Path:
    return paths.cache_dir() / "search" / "chars-v1.marshal"


def char_reading_table() -> list[tuple[str, str]]:
    """Every character pypinyin knows with its readings, for the index's ``chars`` table.

    Importing pypinyin costs about a second; the table is kept in the cache dir.
    """
    cache = char_table_cache()
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        table = marshal.loads(cache.read_bytes())
        if isinstance(table, list) and table:
            return table
    table = [(ch, ",".join(rs)) for ch, rs in _char_readings().items()]
    with contextlib.suppress(OSError):
        from tuireader.store.atomic import atomic_write_bytes

        atomic_write_bytes(cache, marshal.dumps(table))
    return table


@functools.lru_cache(maxsize=200_000)
def word_pinyin(word: str) -> tuple[str | None, ...]:
    """One toneless syllable per character of ``word`` (None for a non-Chinese char).

    A word pypinyin knows as a phrase gets its reading in context (银行 yin hang);
    other characters get their commonest reading.
    """
    from pypinyin.phrases_dict import phrases_dict

    readings = _char_readings()
    phrase = phrases_dict.get(word) if len(word) > 1 else None
    if phrase and len(phrase) == len(word):
        return tuple(strip_tone(r[0]) for r in phrase)
    out: list[str | None] = []
    for ch in word:
        rs = readings.get(ch) if is_cjk(ch) else None
        out.append(rs[0] if rs else None)
    return tuple(out)


def _has_token_char(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def analyse(text: str, hmm: bool) -> tuple[list[str], list[str | None], list[str]]:
    """Search-mode tokens of folded ``text``, one syllable (or None) per character,
    and the pinyin bigrams of adjacent Chinese characters (see ``pinyin_bigrams``).

    jieba cuts each run between punctuation on its own (its ``re_han`` split), so
    a run cut once is never cut again: news text repeats its clauses (datelines,
    formulas, quotes, captions), and the run is the unit jieba itself works on,
    so the tokens are exactly those of cutting the whole text.
    """
    import jieba

    cache = _block_cache[hmm]
    tokens: list[str] = []
    syllables: list[str | None] = []
    bigrams: list[str] = []
    last: str | None = None
    for blk in jieba.re_han_default.split(text):
        if not blk:
            continue
        entry = cache.get(blk)
        if entry is None:
            entry = _block_entry(blk, hmm)
            if len(cache) > BLOCK_CACHE_RUNS:  # bounded: a worker keeps its memory whatever the text
                cache.clear()
            cache[blk] = entry
        syl = entry[1]
        if last and syl and syl[0]:  # two Chinese characters meet at the seam of two runs
            bigrams.append(f"{last}1{syl[0]}")
        tokens.extend(entry[0])
        syllables.extend(syl)
        bigrams.extend(entry[2])
        last = syl[-1] if syl else None
    return tokens, syllables, bigrams


#: Runs kept per table: about 1.4 kB each (tokens, syllables, bigrams), so ~85 MB at most.
BLOCK_CACHE_RUNS = 60_000
#: run of text -> (its search tokens, its syllables), one table with jieba's HMM and one without
_BlockEntry = tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]]
_block_cache: dict[bool, dict[str, _BlockEntry]] = {True: {}, False: {}}


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


def _block_entry(blk: str, hmm: bool) -> tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]]:
    dt = tokenizer()
    known = _word_cache
    tokens: list[str] = []
    syllables: list[str | None] = []
    for w in cut(blk, hmm):
        entry = known.get(w)
        if entry is None:
            entry = known[w] = _word_entry(w, dt.FREQ)
            if len(known) > 500_000:
                known.clear()
        tokens.extend(entry[0])
        syllables.extend(entry[1])
    return tuple(tokens), tuple(syllables), tuple(pinyin_bigrams(syllables))


#: word -> (its search tokens, its syllables); words repeat, so this does most of the work once
_word_cache: dict[str, tuple[tuple[str, ...], tuple[str | None, ...]]] = {}


def _word_entry(w: str, freq: dict) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    syl = word_pinyin(w) if any(is_cjk(c) for c in w) else (None,) * len(w)
    if not _has_token_char(w):
        return (), syl
    # what jieba's cut_for_search adds: the dictionary 2- and 3-grams inside long words
    n = len(w)
    toks: list[str] = []
    if n > 2:
        toks.extend(w[i : i + 2] for i in range(n - 1) if freq.get(w[i : i + 2]))
    if n > 3:
        toks.extend(w[i : i + 3] for i in range(n - 2) if freq.get(w[i : i + 3]))
    toks.append(w)
    return tuple(toks), syl


def pinyin_bigrams(syllables: list[str | None]) -> list[str]:
    """``gao zong`` -> ``gao1zong``: one token per pair of adjacent Chinese characters."""
    return [f"{a}1{b}" for a, b in pairwise(syllables) if a and b]


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


def segment_document(head: str, byline: str, body: str,
                     seen: set[str] | None = None) -> tuple[tuple[str, ...], list[tuple[str, str]], list[str]]:
    """The index's field values of one article, the words read otherwise than their
    characters alone say (term, syllables): 银行 is yin hang, where 行 alone reads xing,
    and the article's keywords (``keywords``).

    Fields: head, byline, body (jieba tokens), pyhead, pybody (pinyin bigrams),
    inihead (initials of 2 and 3 adjacent characters of the headline lines).
    The readings leave out the terms in ``seen`` (and add the new ones to it).
    """
    head_f, byline_f, body_f = fold(head), fold(byline), fold(body)
    head_tokens, head_syl, head_bigrams = analyse(head_f, hmm=True)
    by_tokens, _, _ = analyse(byline_f, hmm=True)
    # HMM finds unknown words; in bodies it costs 40% more time for little gain
    body_tokens, _, body_bigrams = analyse(body_f, hmm=False)
    columns = (
        " ".join(head_tokens),
        " ".join(by_tokens),
        " ".join(body_tokens),
        " ".join(head_bigrams),
        " ".join(body_bigrams),
        " ".join(initial_ngrams(head_syl)),
    )
    if seen is None:
        seen = set()
    vocab = []
    readings = _char_readings()
    for tokens in (head_tokens, by_tokens, body_tokens):
        for term in tokens:
            if term not in seen:
                seen.add(term)
                syl = word_pinyin(term)
                commonest = [(readings.get(c) or ("",))[0] for c in term]
                if len(term) > 1 and any(s and s != r for r, s in zip(commonest, syl, strict=False)):
                    vocab.append((term, " ".join(s or "?" for s in syl)))
    return columns, vocab, keywords(head_tokens + body_tokens)


KEYWORD_COUNT = 8
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script: 图书馆 and covid, not 2025


@functools.cache
def _idf() -> tuple[dict[str, float], float, frozenset[str]]:
    """jieba.analyse's IDF table, its median (for words it lacks) and its stop words."""
    import jieba.analyse

    tfidf = jieba.analyse.default_tfidf
    return tfidf.idf_freq, tfidf.median_idf, frozenset(tfidf.stop_words)


def keywords(tokens: list[str], count: int = KEYWORD_COUNT) -> list[str]:
    """The best ``count`` keywords of an article by TF-IDF, as jieba.analyse.extract_tags
    scores them, over the tokens already cut for the index (cutting again with HMM, as
    extract_tags does, would triple the cost of indexing). Words of two characters or
    more with a letter in them (not 2025 or 12%). The index's tokens hold the parts of long
    words too (书馆 of 图书馆): a part never met outside a longer word is left out."""
    idf, median, stop = _idf()
    freq = {t: n for t, n in Counter(tokens).items() if len(t) > 1 and t not in stop and _LETTER.search(t)}
    longer = [t for t in freq if len(t) > 2]  # what can hold a part (most words are two characters)
    ranked = heapq.nsmallest(count * 4, freq, key=lambda t: (-freq[t] * idf.get(t, median), t))
    best: list[str] = []
    for term in ranked:
        if not any(len(other) > len(term) and term in other and freq[other] >= freq[term] for other in longer):
            best.append(term)
            if len(best) == count:
                break
    return best


#: (build id, the terms this process already handed over in that build)
_sent: list = [None, set()]


Segmented = tuple[tuple[str, ...], list[tuple[str, str]], list[str]]


def segment_batch(docs: list[tuple[str, str, str]], build: str | None = None) -> list[Segmented]:
    """Worker entry point: many documents per call keeps pickling overhead low.
    Each document's field values, new readings and keywords (``segment_document``).

    Within one build (``build`` names it) a term's reading is handed over once:
    the indexer stores every batch's vocabulary, so repeating it is wasted work.
    """
    seen: set[str] | None = None  # without a build: each document's readings whole
    if build is not None:
        if _sent[0] != build:
            _sent[0], _sent[1] = build, set()
        seen = _sent[1]
    return [segment_document(*d, seen=seen) for d in docs]


def worker_init(cache_home: str | None) -> None:
    """Set up a worker process: same cache dir as the parent, dictionary loaded once."""
    if cache_home:
        os.environ["XDG_CACHE_HOME"] = cache_home
    silence_stdio()
    tokenizer()


def silence_stdio() -> None:
    """A worker has nothing to say on the reader's terminal (its descriptors are the app's)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
