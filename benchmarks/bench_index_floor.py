"""How far the index build is from what it cannot go below on this design: the CPU an
article costs in each step, over articles of a library of plain page files.

- parsing it (``parse_file``);
- cutting its headline, byline and body with rjieba, and nothing else: the floor of
  segmenting with jieba's words;
- ``worker.doc_row`` whole: the cutting above, the search tokens with their counts, the
  pinyin bigrams and initials, the keywords and the compressed stored value;
- Tantivy taking the rows in (``Indexer._add_docs``, then the commit and merges), one
  writer thread as the build has it.

The floor is parsing + cutting + Tantivy, with no Python between them; on two cores a
library of N articles cannot be built faster than N x floor / 2.

    python benchmarks/bench_index_floor.py LIBRARY [ARTICLES]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

# this checkout's code, whatever is installed (old and new are measured from their own trees)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import rjieba
    import tantivy

    from tuireader.ingest import parse_file
    from tuireader.search import index as ix
    from tuireader.search import segment, stored, worker
    from tuireader.search.docs import IndexDoc
    from tuireader.search.fold import fold

    library = Path(sys.argv[1])
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    files = sorted(library.rglob("*.txt"))
    random.Random(5).shuffle(files)  # articles from every year and paper, the same each run
    cpu = time.process_time
    start = cpu()
    docs = []
    for f in files:
        docs += [IndexDoc.from_article(a) for a in parse_file(f, library).articles]
        if len(docs) >= wanted:
            break
    if not docs:
        sys.exit(f"no articles in page files under {library}")
    per_article = 1000 / len(docs)
    parse = (cpu() - start) * per_article
    texts = [tuple(map(fold, d.segment_input())) for d in docs]
    start = cpu()
    for head, byline, body in texts:
        rjieba.cut(head, True)
        rjieba.cut(byline, True)
        rjieba.cut(body, False)
    cut = (cpu() - start) * per_article
    segment._short_words()
    seen: set[str] = set()
    # the dictionary as a build trains it: a few hundred articles from across the library
    samples = docs[:: max(1, len(docs) // stored.DICTIONARY_SAMPLES)][: stored.DICTIONARY_SAMPLES]
    codec = stored.Codec(stored.train_dictionary([t for d in samples for t in worker.sample_texts(d)]))
    worker.doc_row(docs[0], seen, codec)  # the tables loaded
    start = cpu()
    rows = [worker.doc_row(d, seen, codec)[0] for d in docs]
    row = (cpu() - start) * per_article
    with tempfile.TemporaryDirectory() as tmp:
        index = tantivy.Index(ix.make_schema(), path=tmp)
        writer = index.writer(heap_size=ix.WRITER_HEAP, num_threads=1)
        start = cpu()
        for k in range(0, len(rows), 500):  # ids of their own: the generated files' articles have none
            ix.Indexer._add_docs(writer, [(f"f{k}", (f"a{k + j}", *r[1:])) for j, r in enumerate(rows[k : k + 500])],
                                 None)
        writer.commit()
        writer.wait_merging_threads()
        add = (cpu() - start) * per_article
        index.reload()
        assert index.searcher().num_docs == len(rows)
    floor, now = parse + cut + add, parse + row + add
    print(f"{len(docs)} articles, CPU ms an article: parse {parse:.3f}, rjieba's cutting alone {cut:.3f}, "
          f"doc_row {row:.3f}, Tantivy {add:.3f}")
    print(f"floor (parse + cutting + Tantivy) {floor:.3f} ms: 100,000 articles on 2 cores >= {floor * 50:.0f} s; "
          f"as built (parse + doc_row + Tantivy) {now:.3f} ms: {now * 50:.0f} s")


if __name__ == "__main__":
    main()
