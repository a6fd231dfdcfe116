"""Parse time against the number of lines in one paragraph run: linear, or not.

Joining a paragraph's lines (and the paragraphs a column end split) once copied
the paragraph per line, so a million one-character lines took 74 s. Each shape
below is parsed at 10k, 100k and 1M lines (median of ``--runs``); the last
column, microseconds per line, stays flat when the cost is linear. Then one
paragraph of 10 million characters: parse time and the parser's peak memory
(tracemalloc, a second run).

* ``run``: one-character lines with no blank line between them (one paragraph);
* ``page``: a page file of one-character paragraphs, each run on by column-end joining;
* ``bylines``: a page whose header is nothing but quoted bylines.

    python benchmarks/bench_lines.py [--runs 3] [--max 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path, PurePath

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuireader.ingest import parse_text  # noqa: E402

SHAPES = {
    "run": lambda n: "\n".join("字" for _ in range(n)) + "\n",
    "page": lambda n: "# 标题\n\n" + "\n\n".join("字" for _ in range(n)) + "\n",
    "bylines": lambda n: "# 标题\n\n" + "\n\n".join("> 本报记者 林晓" for _ in range(n)) + "\n\n正文。\n",
}


def median_seconds(text: str, runs: int) -> float:
    """The median CPU time of parsing ``text``."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()  # CPU time: steady when other work shares the machine
        parse_text(text, PurePath("01-要闻.txt"))
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max", type=int, default=1_000_000, help="the largest number of lines")
    args = parser.parse_args(argv)
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= args.max]

    print(f"median of {args.runs} runs     lines   CPU s   µs/line")
    for name, make in SHAPES.items():
        for n in sizes:
            seconds = median_seconds(make(n), args.runs)
            print(f"  {name:8} {n:>14,} {seconds:8.3f} {seconds / n * 1e6:8.2f}")

    text = "# 超长段落\n\n" + "数字法治改革推进" * 1_250_000 + "。\n"
    seconds = median_seconds(text, args.runs)
    tracemalloc.start()
    parse_text(text, PurePath("big.txt"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"one paragraph of 10,000,000 characters: {seconds:.2f} s, parser's peak {peak / 2**20:.0f} MiB"
          f" (the text itself {len(text.encode('utf-8')) / 2**20:.0f} MiB as UTF-8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
