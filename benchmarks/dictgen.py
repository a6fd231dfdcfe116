"""Article text drawn word by word from jieba's dictionary, for libraries that do not flatter search.

Recombining a megabyte of real paragraphs (``generate.py``'s corpus mode) gives
a library where 99.5% of the text is in runs seen before; real text repeats
30–34% (14.8% of the corpus's CJK characters by ``token_stats``, which counts
runs of CJK characters only). An index of such a library is small, its vocabulary tiny and its
segmenter's cache hot, so build time, index size and the cost of common terms
all look better than on a real archive. Here every word is drawn from jieba's
``dict.txt`` (word, frequency, part of speech) by its frequency, so the
vocabulary grows with the library the way a real archive's does. The
frequencies are sharpened (``FREQUENCY_POWER``) so that, at the corpus's own
size, the text holds as many distinct jieba tokens as the corpus does; see
``python benchmarks/dictgen.py --corpus ../shared/corpus``.

Shapes measured on ``../shared/corpus/`` (people-daily bodies and xwlb
paragraphs, 2,426 paragraphs of 20 characters or more; 477 headlines):

- paragraph length in characters, by twentieths: 24, 33, 43, 51, 57, 63, 69,
  75, 82, 88, 94, 102, 109, 116, 123, 137, 151, 173, 212 (mean 99);
- words per clause (between ，。、；：！？ and quotes), by tenths: 2, 2, 3, 4, 5,
  5, 6, 8, 10 (mean 5.3);
- punctuation per 1,000 characters of body: ，47 。16 、12 “”7+7 ：3 ；1.5
  ！0.7 ？0.9; digits 2% of the characters;
- headline length by tenths: 6, 11, 14, 17, 19, 22, 25, 28, 35; two or three
  parts joined by a space, ``【栏目】`` prefixes and ``2025年``-style numbers.

Speed: words come from a 2**22-slot table in which each word holds slots in
proportion to its frequency, indexed by random bytes turned into integers in C
(``randbytes``, slice assignment, ``memoryview.cast``), so a word costs about
0.25 µs; a million articles of 1,800 characters take minutes. The words too
rare for one slot (most of the dictionary, about 1% of the words drawn) share
the slots left over and are drawn by weight when one comes up, so the
vocabulary keeps growing with the library as a real archive's does.
The same seed gives the same text, byte for byte (``random.Random`` only).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

TABLE_BITS = 22
#: Frequencies are raised to this power: jieba's counts have a heavier tail than
#: newspaper text (at 1.0 the first 142,260 tokens hold 34,455 distinct words, the
#: corpus 18,962; at 1.3, 19,064).
FREQUENCY_POWER = 1.3
#: Table slots that stand for the words too rare for a slot of their own.
TAIL = "\x00tail"
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
#: Paragraph length in characters at each twentieth (see the module's docstring).
PARAGRAPH_TWENTIETHS = (20, 24, 33, 43, 51, 57, 63, 69, 75, 82, 88, 94, 102, 109, 116, 123, 137, 151, 173, 212, 320)
#: Words per clause at each tenth.
CLAUSE_TENTHS = (1, 2, 2, 3, 4, 5, 5, 6, 8, 10, 16)
HEADLINE_TENTHS = (4, 6, 11, 14, 17, 19, 22, 25, 28, 35, 48)
#: What ends a clause, weighted per 1,000 characters; the sentence enders close paragraphs.
CLAUSE_ENDS = (("，", 47), ("。", 16), ("、", 12), ("：", 3), ("；", 1.5), ("！", 0.7), ("？", 0.9))
COLUMNS = ("【新思想引领新征程】", "【奋斗者正青春】", "【在希望的田野上】",
           "【走进县城看发展】", "【央视快评】", "【一线见闻】")


def dictionary_path() -> Path:
    import jieba  # only for where its dictionary lies; the dictionary itself is read below

    return Path(jieba.__file__).resolve().parent / "dict.txt"


def _quantile_table(points: tuple[int, ...], size: int = 256) -> list[int]:
    """``size`` values spread along the piecewise-linear quantile curve ``points``."""
    steps = len(points) - 1
    out = []
    for i in range(size):
        x = (i + 0.5) / size * steps
        lo = int(x)
        out.append(round(points[lo] + (points[lo + 1] - points[lo]) * (x - lo)))
    return out


@dataclass
class Vocabulary:
    words: list[str]
    table: list[str] = field(repr=False)
    mask: bytes = field(repr=False)
    #: Words too rare for a slot of their own, drawn by weight when the table says TAIL.
    tail: list[str] = field(default_factory=list, repr=False)
    tail_weights: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        words: list[str] = []
        weights: list[float] = []
        with open(path or dictionary_path(), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2 or not _CJK_WORD.fullmatch(parts[0]):
                    continue
                words.append(parts[0])
                weights.append(int(parts[1]) ** FREQUENCY_POWER)
        size = 1 << TABLE_BITS
        per_slot = sum(weights) / size
        table: list[str] = []
        tail: list[str] = []
        tail_cumulative: list[float] = []
        tail_total = 0.0
        for word, weight in zip(words, weights, strict=True):
            slots = int(weight / per_slot)
            if slots:
                table.extend([word] * slots)
            else:  # rarer than one slot: the tail, so the vocabulary keeps growing with the library
                tail_total += weight
                tail.append(word)
                tail_cumulative.append(tail_total)
        table.extend([TAIL] * (size - len(table)))  # the tail's mass and the rounding's
        mask = bytes(b & ((1 << (TABLE_BITS - 16)) - 1) for b in range(256))
        return cls(words, table, mask, tail, tail_cumulative)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        """``k`` words by frequency: three random bytes a word, the top bits cut to the table's size."""
        raw = rng.randbytes(3 * k)
        buf = bytearray(4 * k)
        buf[0::4] = raw[0::3]
        buf[1::4] = raw[1::3]
        buf[2::4] = raw[2::3].translate(self.mask)
        words = list(map(self.table.__getitem__, memoryview(buf).cast("I")))
        rare = words.count(TAIL)  # about 1 word in 100; found and replaced in C
        if rare:
            at = -1
            for word in rng.choices(self.tail, cum_weights=self.tail_weights, k=rare):
                at = words.index(TAIL, at + 1)
                words[at] = word
        return words


class DictionaryText:
    """Headlines, paragraphs and captions from dictionary words, shaped like the corpus."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocab = vocabulary or Vocabulary.load()
        self.paragraph_lengths = _quantile_table(PARAGRAPH_TWENTIETHS)
        self.clause_lengths = _quantile_table(CLAUSE_TENTHS)
        self.headline_lengths = _quantile_table(HEADLINE_TENTHS)
        ends: list[str] = []
        total = sum(w for _, w in CLAUSE_ENDS)
        for mark, weight in CLAUSE_ENDS:
            ends += [mark] * round(256 * weight / total)
        self.clause_ends = (ends + ["，"] * 256)[:256]

    def _number(self, rng: random.Random) -> str:
        pick = rng.random()
        if pick < 0.3:
            return f"{rng.randint(1946, 2030)}年"
        if pick < 0.5:
            return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        if pick < 0.7:
            return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%"
        if pick < 0.85:
            return f"{rng.randint(2, 9999)}万"
        return f"{rng.randint(2, 999)}亿元"

    def paragraph(self, rng: random.Random, length: int | None = None) -> str:
        """One paragraph of about ``length`` characters (drawn from the corpus's shape if None)."""
        target = length or self.paragraph_lengths[rng.getrandbits(8)] + rng.randrange(8)
        words = self.vocab.draw(rng, target // 2 + 8)  # words average 1.7 characters
        clause_sizes = list(map(self.clause_lengths.__getitem__, rng.randbytes(len(words))))
        marks = list(map(self.clause_ends.__getitem__, rng.randbytes(len(words))))
        extras = rng.randbytes(len(words))  # numbers (2% of characters) and quotes, per clause
        out: list[str] = []
        size = 0
        i = clause = 0
        while size < target and i < len(words):
            n = clause_sizes[clause]
            piece = "".join(words[i : i + n])
            extra = extras[clause]
            if extra < 12:
                piece = self._number(rng) + piece
            elif extra < 26 and n > 2:  # a quoted word or two inside the clause
                a = 1 + extra % (n - 2)
                b = min(n, a + 1 + extra % 2)
                piece = "".join(words[i : i + a]) + "“" + "".join(words[i + a : i + b]) + "”" + "".join(
                    words[i + b : i + n])
            i += n
            mark = marks[clause]
            clause += 1
            out.append(piece)
            out.append(mark)
            size += len(piece) + 1
        if out and out[-1] not in "。！？":
            out[-1] = "。"
        return "".join(out)

    def paragraphs(self, rng: random.Random, total_chars: int) -> list[str]:
        out: list[str] = []
        size = 0
        while size < total_chars:
            p = self.paragraph(rng)
            out.append(p)
            size += len(p)
        return out

    def headline(self, rng: random.Random) -> str:
        target = self.headline_lengths[rng.getrandbits(8)]
        words = self.vocab.draw(rng, target)
        parts = 1 if target < 12 else rng.choice((1, 2, 2, 3))
        text = "".join(words)[:target]
        if parts > 1 and len(text) >= 8:
            cuts = sorted(rng.sample(range(3, len(text) - 2), min(parts - 1, len(text) - 5)))
            pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
            text = rng.choice((" ", " ", "，")).join(pieces)
        roll = rng.random()
        if roll < 0.12:
            text = self._number(rng) + text
        elif roll < 0.17:
            text = rng.choice(COLUMNS) + text
        return text

    def caption(self, rng: random.Random, date: dt.date) -> str:
        return f"{date.month}月{date.day}日，" + self.paragraph(rng, rng.randint(30, 110))


# ---------------------------------------------------------------- how the text compares


def token_stats(texts: list[str]) -> tuple[int, int, float]:
    """(tokens, distinct tokens, share of CJK characters in runs seen before), by ``jieba.cut``.

    A run is a stretch between punctuation, what jieba segments on its own; the
    share is what a per-run segmentation cache would be spared.
    """
    import jieba

    jieba.setLogLevel(60)
    tokens = 0
    distinct: set[str] = set()
    seen: set[str] = set()
    repeated = chars = 0
    for text in texts:
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            chars += len(run)
            if run in seen:
                repeated += len(run)
            seen.add(run)
        for word in jieba.cut(text):
            if _CJK_WORD.search(word) or word.isalnum():
                tokens += 1
                distinct.add(word)
    return tokens, len(distinct), repeated / max(chars, 1)


def corpus_texts(corpus: Path) -> list[str]:
    """Paragraph text of ``../shared/corpus`` (people-daily bodies, rmrb, xwlb), one string a file."""
    import html

    out = []
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        if text.startswith("---"):
            text = text.split("\n---\n", 1)[-1]
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
        out.append("\n".join(line for line in text.splitlines() if not line.startswith((">", "---"))))
    return out


def distinct_at(texts: list[str], n_tokens: int) -> int:
    """Distinct jieba tokens among the first ``n_tokens`` tokens of ``texts``."""
    import jieba

    jieba.setLogLevel(60)
    seen: set[str] = set()
    count = 0
    for text in texts:
        for word in jieba.cut(text):
            if _CJK_WORD.search(word) or word.isalnum():
                seen.add(word)
                count += 1
                if count >= n_tokens:
                    return len(seen)
    return len(seen)


def compare(corpus: Path, seed: int = 0, million: int = 1_000_000) -> str:
    """The generated text beside the corpus: distinct terms at equal token counts, repeated runs."""
    corpus_docs = corpus_texts(corpus)
    c_tokens, c_distinct, c_repeat = token_stats(corpus_docs)
    source = DictionaryText()
    rng = random.Random(f"dictgen-compare:{seed}")
    generated: list[str] = []
    while sum(len(t) for t in generated) < int(million * 1.8):  # about 1.7 characters a token
        generated.append("\n".join(source.paragraphs(rng, 1800)))
    g_small = distinct_at(generated, c_tokens)
    g_tokens, g_distinct, g_repeat = token_stats(generated)
    per_million = g_distinct * 1_000_000 / g_tokens
    return (
        f"corpus {corpus}: {c_tokens:,} tokens, {c_distinct:,} distinct "
        f"({c_distinct * 1_000_000 / c_tokens:,.0f} per million at that size); "
        f"{c_repeat:.1%} of CJK characters in runs seen before\n"
        f"generated, first {c_tokens:,} tokens: {g_small:,} distinct\n"
        f"generated, {g_tokens:,} tokens: {g_distinct:,} distinct ({per_million:,.0f} per million); "
        f"{g_repeat:.1%} of CJK characters in runs seen before"
    )


def vocabulary_growth(checkpoints: tuple[int, ...], seed: int = 0) -> list[tuple[int, int]]:
    """Distinct dictionary words among the first N words drawn, for each N in ``checkpoints``.

    No jieba (a million articles would take it hours): the words as drawn, before the
    paragraphs join them, so a lower bound on the vocabulary an index sees.
    """
    vocab = Vocabulary.load()
    rng = random.Random(f"dictgen-growth:{seed}")
    seen: set[str] = set()
    drawn = 0
    out = []
    for n in sorted(checkpoints):
        while drawn < n:
            k = min(1_000_000, n - drawn)
            seen.update(vocab.draw(rng, k))
            drawn += k
        out.append((n, len(seen)))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Compare dictionary-drawn text with the corpus (distinct terms, repeats).")
    ap.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    ap.add_argument("--tokens", type=int, default=1_000_000, help="generated tokens to measure (default 1,000,000)")
    ap.add_argument("--growth", default="", help="also distinct words drawn among the first N words, "
                                                  "e.g. 1e6,1e7,1e8 (100,000 articles are about 1e8 words)")
    args = ap.parse_args(argv)
    for n, distinct in vocabulary_growth(tuple(int(float(x)) for x in args.growth.split(",") if x)):
        print(f"first {n:,} words drawn: {distinct:,} distinct")
    if not args.corpus.is_dir():
        ap.error(f"no corpus at {args.corpus}: give --corpus DIR")
    print(compare(args.corpus, million=args.tokens))
    return 0


if __name__ == "__main__":
    sys.exit(main())

