"""What picking an article's keywords adds to indexing it: ``segment_document`` with and
without ``keywords`` over the people-daily corpus (CPU of one process, medians of 9 runs).

    python benchmarks/bench_keywords.py [FOLDER]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from tuireader.search import segment

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"  # as generate.py finds it


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS / "people-daily"
    texts = [f.read_text(encoding="utf-8") for f in sorted(folder.rglob("*.md"))] * 4
    segment.tokenizer()
    start = time.perf_counter()
    segment._idf()
    print(f"loading jieba.analyse's IDF table (once per worker): {time.perf_counter() - start:.2f} s")
    real = segment.keywords

    def run() -> float:
        start = time.process_time()
        for text in texts:
            segment.segment_document("", "", text)
        return time.process_time() - start

    with_keywords, without = [], []
    for _ in range(9):
        segment.keywords = real
        with_keywords.append(run())
        segment.keywords = lambda tokens, count=8: []  # type: ignore[assignment]
        without.append(run())
    segment.keywords = real
    chars = sum(map(len, texts))
    print(f"{len(texts)} articles, {chars} characters: segment_document {statistics.median(without):.3f} s, "
          f"with keywords {statistics.median(with_keywords):.3f} s")


if __name__ == "__main__":
    main()
