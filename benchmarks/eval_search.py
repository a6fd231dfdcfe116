"""Relevance of search on a labelled query set: MRR@10 and recall@10 per kind.

    python benchmarks/eval_search.py [--queries benchmarks/queries.yaml] [PATH...]

Indexes ``seeds/`` plus ``../shared/corpus/`` (or the PATHs given) in a fresh
cache folder, runs every query of ``queries.yaml`` through the same engine as
the app and ``tuireader search``, and prints, for each kind of query, the mean
reciprocal rank of the labelled article within the first 10 results and how
often it is there at all. Misses are listed so they can be looked at.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--queries", type=Path, default=REPO / "benchmarks" / "queries.yaml")
    ap.add_argument("-k", type=int, default=10)
    args = ap.parse_args(argv)
    roots = args.paths or [REPO / "seeds", REPO.parent / "shared" / "corpus"]
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="eval-search-")

    from tuireader.search import Searcher, ensure_index

    t = time.perf_counter()
    ensure_index(roots)
    print(f"indexed {', '.join(str(r) for r in roots)} in {time.perf_counter() - t:.1f} s")
    searcher = Searcher(roots)
    labelled = yaml.safe_load(args.queries.read_text(encoding="utf-8"))["queries"]
    by_kind: dict[str, list[tuple[str, int | None]]] = {}
    for item in labelled:
        results = searcher.search(str(item["query"]), limit=args.k).results
        ids = [r.article_id for r in results]
        rank = ids.index(item["id"]) + 1 if item["id"] in ids else None
        by_kind.setdefault(item["kind"], []).append((str(item["query"]), rank))

    print(f"\n{'kind':15} {'queries':>7} {'MRR@' + str(args.k):>8} {'recall@' + str(args.k):>10}")
    total_rr, total_hit, total_n = 0.0, 0, 0
    misses = []
    for kind, rows in by_kind.items():
        rr = sum(1 / r for _, r in rows if r) / len(rows)
        hit = sum(1 for _, r in rows if r) / len(rows)
        total_rr += sum(1 / r for _, r in rows if r)
        total_hit += sum(1 for _, r in rows if r)
        total_n += len(rows)
        print(f"{kind:15} {len(rows):7d} {rr:8.3f} {hit:10.3f}")
        misses += [(kind, q, r) for q, r in rows if r != 1]
    print(f"{'all':15} {total_n:7d} {total_rr / total_n:8.3f} {total_hit / total_n:10.3f}")
    if misses:
        print("\nnot first:")
        for kind, q, r in misses:
            print(f"  {kind:15} {q!r}: {'rank ' + str(r) if r else 'not in the first ' + str(args.k)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
