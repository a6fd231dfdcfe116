"""Parse throughput: how fast the project reads a library, on one core.

Generates a synthetic library (``benchmarks/generate.py``, 10,000 articles by
default, both layouts mixed), then, single process, median of 3 runs:

* ``Library.open`` with the catalogue off: find, read, decode and parse every
  file and build issues, sections and jump links (what a first start costs);
* the parsers alone (``tuireader.ingest.parse_bytes``) over the same files
  already in memory, to separate parsing from file-system work.

Prints MB/s (source bytes per second) and articles/s for each.  A benchmark,
not a test: nothing here fails on a slow machine.

    python benchmarks/bench_parse.py [--articles N] [--runs 3] [--library DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path, PurePath

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate_library  # noqa: E402
from tuireader.ingest import parse_bytes  # noqa: E402
from tuireader.library import Library, discover  # noqa: E402


def _median_time(fn, runs: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time of this process (the CPU figure holds
    steady when other work shares the machine), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return statistics.median(walls), statistics.median(cpus), result


def bench(root: Path, runs: int) -> dict[str, float]:
    files = [src.path for src in discover([root])]
    data = [(PurePath(p.relative_to(root)), p.read_bytes()) for p in files]
    size = sum(len(b) for _, b in data)

    def open_library() -> int:
        lib = Library.open([root], use_catalogue=False)
        if lib.problems:
            raise SystemExit(f"bench_parse: {len(lib.problems)} files could not be read: {lib.problems[0]}")
        return sum(1 for _ in lib.refs())

    def parse_only() -> int:
        return sum(len(parse_bytes(b, rel).articles) for rel, b in data)

    open_wall, open_cpu, n_open = _median_time(open_library, runs)
    parse_wall, parse_cpu, n_parse = _median_time(parse_only, runs)
    return {
        "files": len(files),
        "mb": size / 1e6,
        "articles": n_open,
        "items_parsed": n_parse,
        "open": (open_wall, open_cpu),
        "parse": (parse_wall, parse_cpu),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--library", type=Path, help="generate into (or reuse) this folder instead of a temporary one")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tuireader-bench-") as tmp:
        root = args.library or Path(tmp) / "library"
        if not (root.is_dir() and any(root.iterdir())):
            t0 = time.perf_counter()
            generate_library(root, args.articles, args.seed)
            print(f"generated {args.articles} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        r = bench(root, args.runs)

    print(f"library: {r['articles']} articles, {r['files']} files, {r['mb']:.1f} MB")
    print(f"median of {args.runs} runs, one process      wall: s  MB/s  articles/s | CPU: s  MB/s  articles/s")
    for label, key, count in (
        ("Library.open (scan+parse+build)", "open", r["articles"]),
        ("parsers only (bytes in memory) ", "parse", r["items_parsed"]),
    ):
        wall, cpu = r[key]
        print(
            f"  {label}  {wall:6.2f} {r['mb'] / wall:6.1f} {count / wall:8.0f}"
            f" | {cpu:6.2f} {r['mb'] / cpu:6.1f} {count / cpu:8.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
