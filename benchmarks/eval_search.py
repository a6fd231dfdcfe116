"""Relevance of search on labelled query sets: MRR@10 and recall@10 per kind, for each set.

    python benchmarks/eval_search.py [--queries benchmarks/queries.yaml] [--heldout benchmarks/queries_heldout.yaml]
                                     [PATH...]

Indexes ``seeds/`` plus ``../shared/corpus/`` (or the PATHs given) in a fresh
cache folder, then asks every query through the search screen's own call
(``search_adapter.screen_search``: ``RESULT_LIMIT`` results, of which the first
10 count) and prints, for each set and each kind of query, the mean reciprocal
rank of the first labelled article within the first 10 results and how often
one is there at all. Misses are listed so they can be looked at.

Two sets: ``queries.yaml``, the labelled set the engine may be tuned on, and
``queries_heldout.yaml``, written before the engine of issue 11 was tuned and
never to be used for tuning it (see its header). A query's label is ``id`` (one
article) or ``ids`` (any of several).
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

from benchmarks import search_adapter as engine  # noqa: E402


def evaluate(searcher, items: list[dict], k: int, limit: int) -> dict[str, list[tuple[str, int | None]]]:
    """Per kind: (query, rank of the first wanted article within the first ``k``, or None)."""
    by_kind: dict[str, list[tuple[str, int | None]]] = {}
    for item in items:
        wanted = set(item["ids"]) if "ids" in item else {item["id"]}
        answer = engine.screen_search(searcher, str(item["query"]), limit)
        ids = [r.article_id for r in answer.results][:k]
        rank = next((i + 1 for i, aid in enumerate(ids) if aid in wanted), None)
        by_kind.setdefault(item["kind"], []).append((str(item["query"]), rank))
    return by_kind


def report(name: str, by_kind: dict[str, list[tuple[str, int | None]]], k: int) -> None:
    print(f"\n{name}\n{'kind':18} {'queries':>7} {'MRR@' + str(k):>8} {'recall@' + str(k):>10}")
    total_rr, total_hit, total_n = 0.0, 0, 0
    misses = []
    for kind, rows in by_kind.items():
        rr = sum(1 / r for _, r in rows if r)
        hit = sum(1 for _, r in rows if r)
        total_rr, total_hit, total_n = total_rr + rr, total_hit + hit, total_n + len(rows)
        print(f"{kind:18} {len(rows):7d} {rr / len(rows):8.3f} {hit / len(rows):10.3f}")
        misses += [(kind, q, r) for q, r in rows if r != 1]
    print(f"{'all':18} {total_n:7d} {total_rr / max(total_n, 1):8.3f} {total_hit / max(total_n, 1):10.3f}")
    if misses:
        print("not first:")
        for kind, q, r in misses:
            print(f"  {kind:18} {q!r}: {'rank ' + str(r) if r else 'not in the first ' + str(k)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--queries", type=Path, default=REPO / "benchmarks" / "queries.yaml")
    ap.add_argument("--heldout", type=Path, default=REPO / "benchmarks" / "queries_heldout.yaml")
    ap.add_argument("-k", type=int, default=10)
    args = ap.parse_args(argv)
    roots = [p.resolve() for p in args.paths] or [REPO / "seeds", REPO.parent / "shared" / "corpus"]
    missing = [r for r in roots if not r.exists()]
    if missing:
        ap.error(f"no such folder: {missing[0]} (give the library as PATH...)")
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="eval-search-")

    t = time.perf_counter()
    engine.build_index(roots)
    print(f"indexed {', '.join(str(r) for r in roots)} in {time.perf_counter() - t:.1f} s")
    searcher = engine.open_engine(roots)
    limit = max(engine.result_limit(), args.k)
    for name, path in (("labelled set (may be tuned on)", args.queries),
                       ("held-out set (never tuned on)", args.heldout)):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
        report(f"{name}: {path.name}", evaluate(searcher, items, args.k, limit), args.k)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
