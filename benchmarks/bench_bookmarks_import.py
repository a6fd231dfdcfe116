"""Bookmark import: time against the number of bookmarks (it should grow linearly).

For each size N, a JSON export of N bookmarks (as ``bookmarks export --format json``
writes it) is imported with ``tuireader bookmarks import FILE`` in a fresh process:
once into an empty bookmarks file (N added), then once more into the file that now
holds them (N compared, none added). Each figure is the median of ``--runs`` runs of
the child's CPU time (user + system, process start included): on a shared machine the
wall clock mostly measures the neighbours. Wall-clock medians are printed beside it.

    python benchmarks/bench_bookmarks_import.py [--sizes 10000,20000,40000,80000] [--runs 3]

Issue 15 measured the old import at 2.7 s, 9.3 s, 39 s and over 120 s for 10k,
20k, 40k and 200k (quadratic: one scan of the file per bookmark merged). 200,000
bookmarks make a bookmarks file over its 32 MiB limit (about 250 bytes each), so the
largest size here is 80,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def export_of(n: int) -> list[dict[str, object]]:
    return [
        {
            "article_id": f"a{i:07x}",
            "headline": f"第{i}篇",
            "paper": "人民日报",
            "date": "2025-06-06",
            "page": 1 + i % 8,
            "paragraph": i % 7,
            "saved": "2025-06-06T08:00:00+08:00",
            "note": "待读" if i % 3 == 0 else "",
            "tags": ["法治"] if i % 5 == 0 else [],
        }
        for i in range(n)
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_import(source: Path, bookmarks: Path, env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one import in a fresh process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tuireader", "bookmarks", "import", str(source), "--bookmarks", str(bookmarks)],
        capture_output=True, env=env, check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode())
    return _children_cpu() - cpu, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,40000,80000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'bookmarks':>10} {'into empty: cpu s':>18} {'wall s':>7} {'again: cpu s':>13} {'wall s':>7}"
          f" {'cpu µs/bookmark':>16}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, **{f"XDG_{k}_HOME": str(folder / k) for k in ("DATA", "CONFIG", "STATE", "CACHE")}}
        for n in (int(s) for s in args.sizes.split(",")):
            source = folder / f"export-{n}.json"
            source.write_text(json.dumps(export_of(n), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            first, again = [], []
            for run in range(args.runs):
                target = folder / f"bookmarks-{n}-{run}.yaml"
                first.append(timed_import(source, target, env))
                again.append(timed_import(source, target, env))
            cpu = statistics.median(c for c, _w in first)
            print(f"{n:>10} {cpu:>18.2f} {statistics.median(w for _c, w in first):>7.2f}"
                  f" {statistics.median(c for c, _w in again):>13.2f} {statistics.median(w for _c, w in again):>7.2f}"
                  f" {cpu / n * 1e6:>16.1f}")


if __name__ == "__main__":
    main()
