"""Search latency per keystroke, index build time, index size and memory.

    python benchmarks/bench_search.py [--articles 100000] [--library DIR] [--workers 2]

Builds (or reuses, with ``--library``) a synthetic library from the shared
generator, indexes it in a fresh cache folder (jieba in worker processes),
then, in a fresh process, re-opens the index and replays 200+ queries of
every kind keystroke by keystroke (every prefix of each query), printing
p50 / p95 / p99 / max per keystroke, overall and per kind. A benchmark, not
a test: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

KINDS = ("word", "fragment", "typo-sound", "typo-swap", "typo-drop", "pinyin", "pinyin-spaced", "initials", "filter")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def peak_rss_mb() -> float:
    """This process's peak RSS. Not ``ru_maxrss``: Linux carries it over from the parent
    through fork and exec, so the searching process reported the builder's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------ queries


def make_queries(db: Path, n_per_kind: int, seed: int = 1) -> list[tuple[str, str]]:
    """Queries of every kind, drawn from what the index holds (headline words, their sounds)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    heads = [h for (h,) in conn.execute("SELECT headline FROM docs WHERE length(headline) >= 6 ORDER BY id")]
    papers = [p for (p,) in conn.execute("SELECT DISTINCT paper FROM docs WHERE paper IS NOT NULL")]
    dates = [d for (d,) in conn.execute("SELECT DISTINCT substr(date, 1, 7) FROM docs WHERE date IS NOT NULL")]
    vocab = {t: py for t, py in conn.execute("SELECT term, py FROM vocab WHERE length(term) BETWEEN 2 AND 4")}
    sounds = dict(conn.execute("SELECT key, chars FROM sounds"))
    readings = dict(conn.execute("SELECT ch, py FROM chars"))

    def words_of(headline: str) -> list[str]:
        found = []
        for n in (4, 3, 2):
            for i in range(len(headline) - n + 1):
                w = headline[i : i + n]
                if w in vocab and "?" not in vocab[w]:
                    found.append(w)
        return found

    def syllables(w: str) -> list[str]:
        return vocab[w].split(" ")

    out: list[tuple[str, str]] = []
    rng.shuffle(heads)
    pool = iter(heads * 3)
    counts = dict.fromkeys(KINDS, 0)
    while min(counts.values()) < n_per_kind:
        try:
            head = next(pool)
        except StopIteration:
            break
        words = words_of(head)
        long_words = [w for w in words if len(w) >= 3]
        if len(words) < 2:
            continue
        w = rng.choice(words)
        w2 = rng.choice(words)
        phrase = w + (w2 if w2 != w else "")

        def add(kind: str, q: str) -> None:
            if counts[kind] < n_per_kind and q.strip():
                out.append((kind, q))
                counts[kind] += 1

        add("word", w)
        if long_words:
            lw = rng.choice(long_words)
            add("fragment", lw[: len(lw) - 1])
        # same-sound wrong character
        if len(phrase) >= 3:
            i = rng.randrange(len(phrase))
            # a homophone a reader could type: a common character (CJK basic block)
            same = [c for c in sounds.get((readings.get(phrase[i], "") or "?").split(",")[0], "")
                    if c != phrase[i] and "\u4e00" <= c <= "\u9fa5"]
            if same:
                add("typo-sound", phrase[:i] + rng.choice(same[:30]) + phrase[i + 1 :])
        if len(phrase) >= 4:
            i = rng.randrange(len(phrase) - 1)
            add("typo-swap", phrase[:i] + phrase[i + 1] + phrase[i] + phrase[i + 2 :])
            i = rng.randrange(1, len(phrase) - 1)
            add("typo-drop", phrase[:i] + phrase[i + 1 :])
        sy = syllables(w) + (syllables(w2) if w2 != w else [])
        add("pinyin", "".join(sy))
        add("pinyin-spaced", " ".join("".join(syllables(x)) for x in ([w, w2] if w2 != w else [w])))
        add("initials", "".join(s[0] for s in sy))
        if papers and dates:
            add("filter", f"{w} paper:{rng.choice(papers)} date:{rng.choice(dates)}")
    return out


# ------------------------------------------------------------------ replay (fresh process)


def replay(roots: list[Path], queries_file: Path) -> dict:
    t0 = time.perf_counter()
    from tuireader.search import Searcher

    searcher = Searcher(roots)
    complete, count = searcher.status()
    opened = time.perf_counter() - t0
    first = searcher.search("数字").took_ms
    ready = time.perf_counter() - t0
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    per_kind: dict[str, list[float]] = {}
    all_ms: list[float] = []
    for kind, q in queries:
        for n in range(1, len(q) + 1):
            prefix = q[:n]
            if not prefix.strip() or prefix.endswith(":"):
                continue
            t = time.perf_counter()
            searcher.search(prefix, limit=20)
            ms = (time.perf_counter() - t) * 1000
            per_kind.setdefault(kind, []).append(ms)
            all_ms.append(ms)
    rss_mb = peak_rss_mb()
    return {"opened_s": opened, "first_query_ms": first, "ready_s": ready, "complete": complete, "docs": count,
            "all": all_ms, "per_kind": per_kind, "rss_mb": rss_mb, "queries": len(queries)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--library", type=Path, help="generate into (or reuse) this folder")
    ap.add_argument("--cache", type=Path, help="index cache folder to (re)use; default: a fresh temporary one")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--per-kind", type=int, default=28, help="queries of each kind (9 kinds)")
    ap.add_argument("--replay", nargs=2, metavar=("ROOT", "QUERIES"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.replay:
        print(json.dumps(replay([Path(args.replay[0])], Path(args.replay[1]))))
        return 0

    from benchmarks.generate import generate_library

    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    library = args.library or tmp / "lib"
    marker = library / ".bench-articles"
    if not (marker.exists() and marker.read_text() == str(args.articles)):
        t = time.perf_counter()
        generate_library(library, args.articles)
        marker.write_text(str(args.articles))
        print(f"generated {args.articles} articles in {time.perf_counter() - t:.1f} s ({dir_size(library) / 1e6:.0f} MB)")
    cache = args.cache or tmp / "cache"
    os.environ["XDG_CACHE_HOME"] = str(cache)

    from tuireader.search import index_path, open_current_library, update_index

    t = time.perf_counter()
    lib = open_current_library([library])
    t_lib = time.perf_counter() - t
    n_articles = len(lib)
    t = time.perf_counter()
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 15 or done == total:
            last[0] = time.perf_counter()
            print(f"  indexing {done}/{total} files, {time.perf_counter() - t:.0f} s", flush=True)

    stats = update_index([library], lib, progress=progress, workers=args.workers, inline_bytes=0)
    t_index = time.perf_counter() - t
    del lib
    db = index_path([library])
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    queries = make_queries(db, args.per_kind)
    qfile = tmp / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, __file__, "--replay", str(library), str(qfile)], capture_output=True,
                         text=True, env=dict(os.environ), cwd=REPO)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return 1
    r = json.loads(out.stdout)

    print(f"\nsearch benchmark: {n_articles} articles ({args.articles} asked), {args.workers} worker processes, "
          f"{os.cpu_count()} CPUs")
    print(f"library open (parse, catalogue): {t_lib:.1f} s")
    print(f"index build:                     {t_index:.1f} s ({stats.docs} articles, "
          f"{stats.docs / max(t_index, 1e-9):.0f} articles/s)")
    print(f"index size on disk:              {size / 1e6:.0f} MB")
    print(f"memory, building process:        {build_rss:.0f} MB max RSS (largest worker {workers_rss:.0f} MB)")
    print(f"re-open (fresh process):         {r['opened_s'] * 1000:.0f} ms to an open index, "
          f"{r['ready_s'] * 1000:.0f} ms to the first query's results (first query {r['first_query_ms']:.0f} ms)")
    print(f"memory, searching process:       {r['rss_mb']:.0f} MB max RSS")
    all_ms = r["all"]
    print(f"\nper keystroke over {r['queries']} queries, {len(all_ms)} keystrokes (ms):")
    print(f"  {'kind':14} {'keys':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8}")

    def row(name: str, values: list[float]) -> None:
        print(f"  {name:14} {len(values):6d} {percentile(values, 50):7.1f} {percentile(values, 95):7.1f} "
              f"{percentile(values, 99):7.1f} {max(values):8.1f}")

    row("all", all_ms)
    for kind in KINDS:
        if kind in r["per_kind"]:
            row(kind, r["per_kind"][kind])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
