"""Query cost against query length: time and private memory for queries of 50 to 2,000 characters.

    python benchmarks/bench_query_length.py [--articles 10000] [--library DIR] [--cache DIR]
                                            [--lengths 50,100,250,500,1000,2000] [--max-mb 3000] [--timeout 90]

Random Chinese characters (uniform over U+4E00..U+9FA5, as a pasted or hostile
query would be) in three shapes: one unbroken run; words of 2-6 characters
between spaces; and words mixed with filters (``by:`` ``paper:`` ``page:``
``date:`` ranges, ``kind:``, ``-word``, ``"phrase"``); cut to each length and
asked once each through the two doors a query comes in by:

- the search screen's call (``search_adapter.screen_search``, ``RESULT_LIMIT``);
- ``tuireader search QUERY PATH --json --limit RESULT_LIMIT``, in process
  (``search_adapter.cli_search``), which also checks the index is current.

Each query runs in a fresh process, which samples its own RssAnon every 2 ms
while the query runs; the figure is the peak above the process before the query
(after a short warm-up query). A query that passes ``--max-mb`` above that is
stopped and shown as ``>N MB``; one that passes ``--timeout`` as ``>N s``. It
prints ms per character of query, so a cost that grows linearly shows a flat
column, and a cap (256 characters) a falling one. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import search_adapter as engine  # noqa: E402

LENGTHS = (50, 100, 250, 500, 1000, 2000)
_FILTERS = ("by:王明", "paper:人民日报", "page:3", "date:1950..1990", "date:1966-05", "kind:article", "-会议",
            '"人民群众"', "paper:光明日报", "date:2001-01-01..2003-12-31")


SHAPES = ("run", "words", "filters")


def random_query(length: int, shape: str, seed: int) -> str:
    """``length`` characters of random Chinese: one run, words of 2-6 between spaces, or words and filters."""
    rng = random.Random(f"query-length:{length}:{shape}:{seed}")
    if shape == "run":
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))
    filters = shape == "filters"
    pieces: list[str] = []
    size = 0
    while size < length:
        if filters and rng.random() < 0.25:
            piece = rng.choice(_FILTERS)
        else:
            piece = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 6)))
        pieces.append(piece)
        size += len(piece) + 1
    return " ".join(pieces)[:length].rstrip() or "中"


def _measure_one(door: str, library: Path, length: int, shape: str, limit: int, max_mb: float) -> dict:
    roots = [library]
    searcher = engine.open_engine(roots) if door == "screen" else None
    # warm up: the engine opened, the CLI's imports done, one short query answered
    if searcher is not None:
        engine.screen_search(searcher, "中国", limit)
    else:
        engine.cli_search("中国", roots, limit)
    idle = engine.rss_anon_mb()
    peak = [idle]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            now = engine.rss_anon_mb()
            peak[0] = max(peak[0], now)
            if now - idle > max_mb:
                print(json.dumps({"over_mb": max_mb}), file=sys.__stdout__, flush=True)  # the CLI's stdout is captured
                os._exit(3)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    query = random_query(length, shape, 0)
    t = time.perf_counter()
    if searcher is not None:
        answer = engine.screen_search(searcher, query, limit)
        outcome = answer.error or f"{len(answer.results)} results"
    else:
        code, doc = engine.cli_search(query, roots, limit)
        outcome = f"{len(doc['results'])} results" if code == 0 and isinstance(doc, dict) else f"exit {code}"
    ms = (time.perf_counter() - t) * 1000
    done.set()
    sampler.join()
    peak[0] = max(peak[0], engine.rss_anon_mb())
    return {"ms": ms, "mb": peak[0] - idle, "idle_mb": idle, "outcome": outcome, "chars": len(query)}


def _one(door: str, library: Path, length: int, shape: str, limit: int, max_mb: float, timeout: float,
         env: dict[str, str]) -> dict:
    args = [sys.executable, __file__, "--one", door, str(library), str(length), shape, str(limit), str(max_mb)]
    try:
        out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    lines = out.stdout.strip().splitlines()
    if out.returncode == 3:
        return {"over_mb": max_mb}
    if not lines:
        return {"failed": out.returncode, "stderr": out.stderr.strip().splitlines()[-1:]}
    return json.loads(lines[-1])


def _cell(r: dict) -> str:
    if "timeout" in r:
        return f"{'>' + format(r['timeout'], '.0f') + ' s':>10} {'':>8} {'':>8}"
    if "over_mb" in r:
        return f"{'':>10} {'':>8} {'>' + format(r['over_mb'], '.0f'):>8}"
    if "failed" in r:
        return f"{'exit ' + str(r['failed']):>10} {'':>8} {'':>8}"
    return f"{r['ms']:10.1f} {r['ms'] / r['chars']:8.3f} {r['mb']:8.1f}"


def run_lengths(library: Path, env: dict[str, str], limit: int, lengths: tuple[int, ...] = LENGTHS,
                max_mb: float = 3000, timeout: float = 90) -> list[dict]:
    """Print the query-length table; the measurements as a list of dicts."""
    print(f"\nquery cost against length, limit {limit}, one fresh process per query; ms, ms per character, "
          f"MB of private memory (RssAnon) above the process before the query:")
    print(f"  {'chars':>5} {'shape':>7} | {'screen ms':>10} {'ms/char':>8} {'MB':>8} | {'CLI ms':>10} "
          f"{'ms/char':>8} {'MB':>8} | outcome (screen; CLI)")
    rows = []
    for shape in SHAPES:
        for length in lengths:
            screen = _one("screen", library, length, shape, limit, max_mb, timeout, env)
            cli = _one("cli", library, length, shape, limit, max_mb, timeout, env)
            rows.append({"length": length, "shape": shape, "screen": screen, "cli": cli})
            print(f"  {length:5d} {shape:>7} | {_cell(screen)} | {_cell(cli)} | "
                  f"{screen.get('outcome', '-')}; {cli.get('outcome', '-')}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--library", type=Path, help="generate into (or reuse) this folder")
    ap.add_argument("--cache", type=Path, help="cache folder for the index (default: a fresh temporary one)")
    ap.add_argument("--lengths", default=",".join(map(str, LENGTHS)))
    ap.add_argument("--max-mb", type=float, default=3000, help="stop a query past this many MB above idle")
    ap.add_argument("--timeout", type=float, default=90, help="stop a query past this many seconds")
    ap.add_argument("--one", nargs=6, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        door, library, length, shape, limit, max_mb = args.one
        print(json.dumps(_measure_one(door, Path(library), int(length), shape, int(limit),
                                      float(max_mb))))
        return 0

    from benchmarks.bench_search import ensure_library

    tmp = Path(tempfile.mkdtemp(prefix="bench-length-"))
    library = (args.library or tmp / "lib").resolve()
    ensure_library(library, args.articles, "dictionary")
    cache = (args.cache or tmp / "cache").resolve()
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                    "from benchmarks.search_adapter import build_index; build_index([Path(sys.argv[2])])",
                    str(REPO), str(library)], env=env, check=True)
    run_lengths(library, env, engine.result_limit(), tuple(int(x) for x in args.lengths.split(",")),
                args.max_mb, args.timeout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
