"""jieba is the definition of a word: the indexer's segmenter (rjieba, with Latin runs split
again) must cut exactly as ``jieba.cut`` does, on our own tricky strings and on the whole
shared corpus."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, needs_corpus
from tuireader.search.fold import fold
from tuireader.search.segment import cut, tokenizer

TRICKY = [
    "美国F-16战机和COVID-19疫情",
    "访问https://www.example.com/a_b.html以及apt-get",
    "3.14与v1.2.3版本，增长50%和a--b，还有x.y_z-w",
    "T恤和B超、3D打印，U盘与iPhone 15 Pro Max",
    "１９６６年５月，《人民日报》发表社论——“海内存知己”……",
    "本报北京6月4日电（记者 陈卓）",
]


def jieba_cut(text: str, hmm: bool) -> list[str]:
    import jieba

    tokenizer()  # jieba with its dictionary, from our cache folder
    return list(jieba.cut(text, HMM=hmm))


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
@pytest.mark.parametrize("text", TRICKY)
def test_the_indexer_cuts_as_jieba_does(text, hmm):
    for form in (text, fold(text)):  # as written, and as the indexer sees it (folded)
        assert cut(form, hmm) == jieba_cut(form, hmm)


def corpus_paragraphs() -> list[str]:
    out = []
    for path in sorted(CORPUS.rglob("*.md")):
        for para in path.read_text(encoding="utf-8").split("\n"):
            if re.search(r"[\u4e00-\u9fff]", para):
                out.append(fold(para.strip()))
    return out


@needs_corpus()
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_the_indexer_cuts_the_whole_corpus_as_jieba_does(hmm):
    paragraphs = corpus_paragraphs()
    assert len(paragraphs) > 1000
    differ = [p for p in paragraphs if cut(p, hmm) != jieba_cut(p, hmm)]
    assert differ == []


def test_the_dictionary_words_and_idf_table_read_directly_are_jiebas():
    """Workers read jieba's data files themselves (not through jieba's tokenizer and
    jieba.analyse, 120 MB a worker): the same words inside long words, the same keywords."""
    import jieba.analyse

    from tuireader.search import segment

    freq = tokenizer().FREQ
    short = segment._short_words()  # kept by the hashes of the words: asked word by word
    expected = {w for w, f in freq.items() if f and 2 <= len(w) <= 3}
    assert len(short) == len(expected) and all(w in short for w in expected)
    assert not any(w in short for w, f in freq.items() if w not in expected)  # its other words
    assert not any(w in short for w in ("中华人民", "qq", "䶮䶮", "数字法治"))
    idf, median, stop = segment._idf()
    tfidf = jieba.analyse.default_tfidf
    assert (len(idf), median, stop) == (len(tfidf.idf_freq), tfidf.median_idf, tfidf.stop_words)
    assert all(idf.get(w) == v for w, v in tfidf.idf_freq.items())
    assert [idf.get(w, median) for w in ("䶮䶮䶮", "qqqq")] == [median, median]


def test_the_readings_kept_in_the_cache_are_pypinyins_and_spare_workers_importing_it(tmp_path):
    """Workers read pypinyin's readings from the cache dir (importing pypinyin costs each
    56 MB): the same syllables for characters, for its phrases (银行 yin hang, where 行
    alone reads xing) and for other words, as when they come from pypinyin itself."""
    words = ["银行", "行长", "重庆", "长江", "一九五〇", "中国a", "音乐会", "了解", "abc"]
    script = (
        "import sys, json\n"
        "from tuireader.search import segment\n"
        f"words = {words!r}\n"
        "out = [segment.word_pinyin(w) for w in words], segment.char_reading_table()[:500]\n"
        "print(json.dumps([out, 'pypinyin' in sys.modules]))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                      check=True).stdout) for _ in range(2)]
    (made, imported), (read, imported_again) = runs
    assert imported and not imported_again  # made from pypinyin once, then read
    assert made == read
    syllables = dict(zip(words, made[0], strict=True))
    assert syllables["银行"] == ["yin", "hang"] and syllables["行长"] == ["hang", "zhang"]
    assert syllables["中国a"] == ["zhong", "guo", None]


def test_the_workers_word_cache_keeps_what_is_in_use_and_stays_bounded():
    from tuireader.search.segment import Generations

    cache: Generations[int] = Generations(3)
    for i in range(3):
        cache.put(f"w{i}", i)
    cache.put("w3", 3)  # the first generation is full: it becomes the old one
    assert cache.new == {"w3": 3} and len(cache.old) == 3
    assert cache.from_old("w0") == 0  # in use: back in the new generation
    for i in range(4, 7):
        cache.put(f"w{i}", i)
    assert "w0" in cache.old and "w1" not in cache.old and "w1" not in cache.new  # w1 aged out
    assert cache.from_old("w1") is None
    assert len(cache.new) + len(cache.old) <= 2 * cache.size


BODY = ("图书馆员在图书馆里看图书，哈哈哈哈！中华人民共和国成立了，中华人民共和国万岁。"
        "美国F-16战机和COVID-19疫情，增长50%。研究生命起源的研究生，在图书馆员身边。")


def search_mode_counts(text: str):
    """jieba's search-mode words of ``text`` (what the index's body field holds), counted;
    punctuation is not a token."""
    from collections import Counter

    import jieba

    tokenizer()
    return Counter(w for w in jieba.cut_for_search(text, HMM=False) if any(ch.isalnum() for ch in w))


@pytest.mark.parametrize("chunk_chars", [None, 40], ids=["one-piece", "in-pieces"])
def test_a_bodys_tokens_are_counted_as_jiebas_search_mode_cuts_them(chunk_chars, monkeypatch):
    """The body's tokens are counted word by word for its distinct words (a long word adds
    the dictionary words inside it, punctuation none): every count as jieba's search mode
    gives it, the words inside repeated long words included, in one piece or cut in
    chunks; the pinyin bigrams as the headline's analysis gives them."""
    from tuireader.search import segment

    text = fold(BODY * 3)
    if chunk_chars:
        monkeypatch.setattr(segment, "CHUNK_CHARS", chunk_chars)
    counts, bigrams = segment.analyse_body(text)
    assert counts == search_mode_counts(text)
    # a copy: 图书馆 once as a word and twice inside 图书馆员; 图书 once as a word, inside
    # 图书馆 once and inside 图书馆员 twice
    assert counts["图书馆"] == 3 * 3 and counts["图书"] == 3 * 4 and counts["哈哈"] == 3 * 3
    assert "，" not in counts
    _, _, expected_bigrams = segment.analyse(text, hmm=False)
    assert set(bigrams) == set(expected_bigrams) and len(bigrams) == len(set(bigrams))
    assert "tu1shu" in bigrams and "yuan1zai" in bigrams  # inside a word, and where two meet


@needs_corpus()
def test_the_corpus_bodies_are_counted_as_jiebas_search_mode_cuts_them():
    from tuireader.search.segment import analyse_body

    paragraphs = corpus_paragraphs()
    for start in range(0, len(paragraphs), 50):
        text = "\n".join(paragraphs[start : start + 50])
        assert analyse_body(text)[0] == search_mode_counts(text)
