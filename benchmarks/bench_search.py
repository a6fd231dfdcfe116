"""What a reader waits for in search: build, index size, memory, every keystroke, the rows drawn.

    python benchmarks/bench_search.py [--articles 100000] [--library DIR] [--cache DIR] [--workers 2]
                                      [--per-kind 12] [--lengths] [--text dictionary|corpus]

1. A library of ``--articles`` articles from the shared generator in its
   dictionary mode (words drawn from jieba's dictionary by frequency: a
   vocabulary that grows like a real archive's), written into ``--library DIR``
   or reused from there when it holds that size already.
2. The library's first scan (its catalogue, which the reader's first start makes)
   in a process of its own, timed apart; then the index built from nothing by a separate process,
   the way the search screen builds it (``search_adapter.build_index``): wall
   time, that process's peak resident memory and its largest worker's; then the
   cache folder's size on disk, file by file and table by table, with the
   stored text (bodies, stored fields) apart from the index proper, against the
   library's own size.
3. In a fresh process: queries of 18 kinds drawn from the library's files
   (``bench_queries.py``) typed character by character, each prefix asked
   through the search screen's own call with the screen's ``RESULT_LIMIT``
   (``search_adapter.screen_search``: snippets, highlights and the timeline
   included): p50 / p95 / p99 / max per keystroke, overall and per kind, and apart
   the time until the rows and the timeline counted after them (the screen shows the
   rows first); the
   process's private memory (RssAnon) after opening and at its highest; then,
   separately, the screen's rows for those answers built and drawn by an
   ``OptionList`` in a headless Textual app (``search_adapter.RowRenderer``).
4. With ``--lengths``: the query-length line of ``bench_query_length.py`` on
   the same library and index.

A benchmark, not a test: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import search_adapter as engine  # noqa: E402
from benchmarks.bench_queries import KINDS, make_queries  # noqa: E402

GENERATOR_VERSION = "dictgen-2"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ensure_library(library: Path, articles: int, text: str) -> float:
    """Generate the library unless ``library`` holds this size already; seconds spent (0 if reused)."""
    from benchmarks.generate import generate_library

    marker = library / ".bench-articles"
    wanted = f"{articles} {text} {GENERATOR_VERSION}"
    if marker.exists() and marker.read_text() == wanted:
        return 0.0
    if marker.exists():  # a generated library of another size: replace it
        import shutil

        shutil.rmtree(library)
    elif library.exists() and any(library.iterdir()):
        raise SystemExit(f"{library} holds files that are not a generated library: give an empty or new folder")
    t = time.perf_counter()
    generate_library(library, articles, text=text)
    marker.write_text(wanted)
    return time.perf_counter() - t


# ------------------------------------------------------------------ stage: build (own process)


def stage_catalogue(library: Path) -> dict:
    """The library's first scan (its catalogue), which the reader's first start makes: the
    index build that follows reads the library from it, as it does after ``/`` in the app."""
    from tuireader.search.update import open_current_library

    t = time.perf_counter()
    open_current_library([library])
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {"catalogue_s": time.perf_counter() - t, "cpu_s": me.ru_utime + me.ru_stime, "peak_mb": engine.peak_rss_mb()}


def _anon_kb(pid: int | str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[str]:
    out: list[str] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += (task / "children").read_text().split()
    except OSError:
        pass
    return out


class PrivateMemory:
    """Samples the private memory (RssAnon) of this process and of its children (the
    workers) every ``every`` seconds: peak RSS (VmHWM) also counts the index's memory-mapped
    files, which the kernel takes back at will, so it says little of what the build needs."""

    def __init__(self, every: float = 0.25):
        import threading

        self.own = self.worker = self.together = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        me = os.getpid()
        while not self._stop.wait(every):
            own = _anon_kb(me)
            workers = [_anon_kb(c) for c in _children(me)]
            self.own = max(self.own, own)
            self.worker = max([self.worker, *workers])
            self.together = max(self.together, own + sum(workers))

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {"anon_own_mb": self.own / 1024, "anon_worker_mb": self.worker / 1024,
                "anon_together_mb": self.together / 1024}


def stage_build(library: Path, workers: int) -> dict:
    t = time.perf_counter()
    last = [t]
    sampler = PrivateMemory()

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done == total:
            last[0] = time.perf_counter()
            print(f"  indexing {done}/{total} files, {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)

    stats = engine.build_index([library], workers=workers, progress=progress)
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"build_s": time.perf_counter() - t, "docs": getattr(stats, "docs", None), **sampler.stop(),
            "cpu_s": me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime,
            "peak_mb": engine.peak_rss_mb(), "rss_anon_mb": engine.rss_anon_mb(),
            "largest_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


# ------------------------------------------------------------------ sizes


STORED = ("bodies", "docs")  # SQLite tables of stored text; Tantivy keeps it in *.store files


#: Folders of the cache that are not search's: the library's catalogue, jieba's dictionary cache.
NOT_INDEX = ("catalogue", "jieba")


def index_breakdown(cache: Path) -> tuple[int, int, list[tuple[str, int]]]:
    """(total bytes, stored-text bytes, [(part, bytes)]) of what search keeps under the cache folder."""
    parts: dict[str, int] = {}
    total = stored = 0
    for path in sorted(p for p in cache.rglob("*") if p.is_file()):
        size = path.stat().st_size
        if set(path.relative_to(cache).parts[:-1]) & set(NOT_INDEX):
            continue
        total += size
        with open(path, "rb") as f:
            is_sqlite = f.read(16) == b"SQLite format 3\x00"
        tables = _sqlite_tables(path) if is_sqlite else None
        if tables:
            for name, n in tables.items():
                parts[f"{path.name}: {name}"] = parts.get(f"{path.name}: {name}", 0) + n
                if name in STORED:
                    stored += n
            continue
        kind = path.suffix or path.name
        parts[f"*{kind}"] = parts.get(f"*{kind}", 0) + size
        if kind == ".store":
            stored += size
    return total, stored, sorted(parts.items(), key=lambda kv: -kv[1])


def _sqlite_tables(path: Path) -> dict[str, int] | None:
    """Bytes per table (FTS shadow tables under their table's name), or None without dbstat."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    out: dict[str, int] = {}
    for name, size in rows:
        base = name.split("_")[0] if name.endswith(("_data", "_idx", "_docsize", "_config", "_content")) else name
        out[base] = out.get(base, 0) + size
    return out


# ------------------------------------------------------------------ stage: replay (fresh process)


def stage_replay(library: Path, queries_file: Path, limit: int) -> dict:
    t0 = time.perf_counter()
    searcher = engine.open_engine([library])
    opened = time.perf_counter() - t0
    first = engine.screen_search(searcher, "中国", limit)
    ready = time.perf_counter() - t0
    idle_anon = engine.rss_anon_mb()
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    per_kind: dict[str, list[float]] = {}
    all_ms: list[float] = []
    cpu_ms: list[float] = []
    rows_ms: list[float] = []  # until the rows, when the timeline is counted after them
    timeline_ms: list[float] = []
    answers: list[list] = []
    timelines = 0
    peak_anon = idle_anon
    for kind, q in queries:
        for n in range(1, len(q) + 1):
            prefix = q[:n]
            t, c = time.perf_counter(), time.process_time()
            answer = engine.screen_search(searcher, prefix, limit)
            ms = (time.perf_counter() - t) * 1000
            cpu_ms.append((time.process_time() - c) * 1000)
            if answer.timeline_ms is not None:
                rows_ms.append(ms - answer.timeline_ms)
                timeline_ms.append(answer.timeline_ms)
            per_kind.setdefault(kind, []).append(ms)
            all_ms.append(ms)
            timelines += answer.timeline is not None
            if n == len(q):
                answers.append(answer.results)
            peak_anon = max(peak_anon, engine.rss_anon_mb())
    engine_anon = engine.rss_anon_mb()
    render_ms: list[float] = []
    render_cpu: list[float] = []
    asyncio.run(engine.RowRenderer().measure(answers, render_ms, render_cpu))
    return {"opened_ms": opened * 1000, "ready_ms": ready * 1000, "first_results": len(first.results),
            "queries": len(queries), "all": all_ms, "cpu": cpu_ms, "rows_first": rows_ms,
            "timeline_after": timeline_ms, "per_kind": per_kind, "timelines": timelines,
            "idle_anon_mb": idle_anon, "peak_anon_mb": peak_anon, "engine_anon_mb": engine_anon,
            "ui_anon_mb": engine.rss_anon_mb(), "render": render_ms, "render_cpu": render_cpu,
            "results_per_answer": sum(map(len, answers)) / max(1, len(answers))}


def _subprocess(args: list[str], env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"stage {args[0:2]} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def row(name: str, values: list[float]) -> str:
    return (f"  {name:14} {len(values):6d} {percentile(values, 50):8.2f} {percentile(values, 95):8.2f} "
            f"{percentile(values, 99):8.2f} {max(values) if values else float('nan'):8.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--library", type=Path, help="generate into (or reuse) this folder")
    ap.add_argument("--cache", type=Path, help="cache folder for the index (default: a fresh temporary one); "
                                               "an index already there is only brought up to date")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--per-kind", type=int, default=12, help=f"queries of each kind ({len(KINDS)} kinds)")
    ap.add_argument("--text", choices=("dictionary", "corpus"), default="dictionary")
    ap.add_argument("--lengths", action="store_true", help="also the query-length line (bench_query_length.py)")
    ap.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.stage:
        if args.stage[0] == "build":
            print(json.dumps(stage_build(Path(args.stage[1]), int(args.stage[2]))))
        elif args.stage[0] == "catalogue":
            print(json.dumps(stage_catalogue(Path(args.stage[1]))))
        else:
            print(json.dumps(stage_replay(Path(args.stage[1]), Path(args.stage[2]), int(args.stage[3]))))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    library = (args.library or tmp / "lib").resolve()
    generated_s = ensure_library(library, args.articles, args.text)
    text_bytes = dir_size(library)
    if generated_s:
        print(f"generated {args.articles} articles ({args.text}) in {generated_s:.1f} s, {text_bytes / 1e6:.0f} MB")
    cache = (args.cache or tmp / "cache").resolve()
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    limit = engine.result_limit()

    scan = _subprocess(["--stage", "catalogue", str(library)], env)
    build = _subprocess(["--stage", "build", str(library), str(args.workers)], env)
    total, stored, parts = index_breakdown(cache)
    queries = make_queries(library, args.per_kind)
    qfile = tmp / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    r = _subprocess(["--stage", "replay", str(library), str(qfile), str(limit)], env)

    print(f"\nsearch benchmark: {args.articles} articles ({args.text} text), {args.workers} workers, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; library {library}")
    print(f"library on disk (the text):   {text_bytes / 1e6:8.1f} MB")
    print(f"library's first scan (catalogue, made at the reader's first start): {scan['catalogue_s']:.1f} s "
          f"(CPU {scan['cpu_s']:.0f} s, peak RSS {scan['peak_mb']:.0f} MB)")
    print(f"index build from nothing:     {build['build_s']:8.1f} s ({build['docs']} articles; CPU time "
          f"{build['cpu_s']:.0f} s with the workers); "
          f"with the first scan {scan['catalogue_s'] + build['build_s']:.1f} s")
    print(f"index on disk, everything search keeps: {total / 1e6:.1f} MB = {total / text_bytes:.2f}x the text")
    print(f"  of which stored text: {stored / 1e6:.1f} MB; the index proper {(total - stored) / 1e6:.1f} MB "
          f"= {(total - stored) / text_bytes:.2f}x")
    for name, size in parts[:8]:
        print(f"    {name:34} {size / 1e6:8.1f} MB")
    print(f"build memory: peak RSS {build['peak_mb']:.0f} MB (RssAnon at the end {build['rss_anon_mb']:.0f} MB), "
          f"largest worker {build['largest_worker_mb']:.0f} MB")
    nan = float("nan")
    print(f"build private memory (RssAnon) at most: {build.get('anon_own_mb', nan):.0f} MB the indexing process, "
          f"{build.get('anon_worker_mb', nan):.0f} MB a worker, {build.get('anon_together_mb', nan):.0f} MB together")
    print(f"searching process: open {r['opened_ms']:.0f} ms, first results {r['ready_ms']:.0f} ms; private memory "
          f"(RssAnon) {r['idle_anon_mb']:.0f} MB after the first query, {r['peak_anon_mb']:.0f} MB at most over "
          f"the replay, {r['ui_anon_mb']:.0f} MB with the rows drawn (Textual loaded)")
    all_ms = r["all"]
    print(f"\nper keystroke, limit {limit} (the screen's RESULT_LIMIT), {r['queries']} queries, {len(all_ms)} "
          f"keystrokes, {r['results_per_answer']:.0f} results per finished query, timeline on "
          f"{r['timelines']} of them (ms):")
    print(f"  {'kind':14} {'keys':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    print(row("all", all_ms))
    print(row("all, CPU time", r["cpu"]))
    if r["rows_first"]:  # the screen shows the rows, then counts the timeline
        print(row("rows shown", r["rows_first"]))
        print(row("timeline after", r["timeline_after"]))
    for kind in KINDS:
        if kind in r["per_kind"]:
            print(row(kind, r["per_kind"][kind]))
    print(f"\nrows built and drawn (OptionList, 100x30), per finished query (ms):\n{row('render', r['render'])}")
    print(row("render, CPU", r["render_cpu"]))
    if args.lengths:
        from benchmarks.bench_query_length import run_lengths

        run_lengths(library, env, limit)
    if args.cache is None:
        import shutil

        shutil.rmtree(cache, ignore_errors=True)  # the index of a large library is gigabytes
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
