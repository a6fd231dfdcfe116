"""Large archives: first paint, opening an article, list keys and memory at 1k, 10k and 100k articles.

For each size, a synthetic library (``benchmarks/generate.py``: page files and
per-article files mixed) is written to ``benchmarks/out/scale-N`` (kept for the
next run), then:

* first paint with a warm catalogue, and on a first run (empty cache): process
  start to the first painted screen, median of fresh processes, measured as
  ``benchmarks/bench_startup.py`` measures it (a pty, 80x24, escape sequences
  stripped). Warm: until the first article's headline is on screen. First run:
  until the first article is on screen (content, from the files read in the
  first second while the rest are read: the first-run first paint), and, for
  reference, until the "Opening the library…" placeholder is painted and until
  it shows its first "Reading the library… N/M files" count;
* in one fresh process (Pilot, 120x40, warm catalogue): time to open the last
  article of the last issue (parse, layout and the next frame); per-key latency
  moving through a list of 10,000 rows (or all rows when the library has fewer),
  timed at the widget (key action + drawing every visible row) and through Pilot
  (the key event end to end); resident memory at start and after browsing 1,000
  articles;
* the catalogue's size on disk.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--runs 5] [--out DIR] [--search] [--json]
    python benchmarks/bench_scale.py --layout rmrb --sizes 10,60 [--runs 3]   # monthly 7z archives

``--layout rmrb`` measures the People's Daily 1946–2003 layout instead: sizes
are months, each a solid 7z of 2,000 articles (``generate_rmrb.py``), opened at
the generated repository's root as a reader would; "a new issue dropped in" is
one more monthly archive, and "open last article of last issue" is an article
of a month not opened yet in the session.

Aims at 100,000 (issue "Large archives"): warm first paint <= 0.5 s and within
0.3 s of ``seeds/`` (measured in the same runs, interleaved), first-run first
paint <= 1.0 s, per-key list latency <= 20 ms, memory <= 300 MB browsing and
<= 400 MB with search ready (``--search`` builds the index first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import FIRST_HEADLINE, SEEDS, compile_package, time_to_first_paint  # noqa: E402  (the pty timer)
from generate import generate_library  # noqa: E402
from generate_rmrb import generate_rmrb  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000, 100_000)
LIST_ROWS = 10_000
#: Articles in a generated monthly archive (the real ones hold 2,000–3,400).
PER_MONTH = 2_000
BROWSE = 1_000
AIMS = {"warm_first_paint_s": 0.5, "first_run_first_paint_s": 1.0, "key_p95_ms": 20.0, "rss_browsing_mb": 300.0,
        "rss_search_mb": 400.0}
#: Issue "The People's Daily 1946–2003 archive": at 1.4 million articles in 690 monthly archives.
AIMS_RMRB = {"warm_first_paint_s": 0.5, "first_run_first_paint_s": 2.0, "first_scan_s": 300.0,
             "open_last_painted_s": 0.3, "rss_browsing_mb": 400.0}


# -- the library and its warm catalogue ----------------------------------------------


def library_for(out: Path, size: int, layout: str = "mixed", per_month: int = PER_MONTH) -> Path:
    """The generated library of ``size`` articles, or for the rmrb layout ``size``
    monthly 7z archives of ``per_month`` articles (written once, reused after). An
    rmrb library is opened as a reader would: the repository's root."""
    dest = out / (f"scale-{size}" if layout == "mixed" else f"rmrb-{size}x{per_month}")
    done = dest / ".generated"
    if not done.exists():
        if dest.exists():
            shutil.rmtree(dest)
        started = time.perf_counter()
        if layout == "mixed":
            generate_library(dest, size, seed=0)
        else:
            generate_rmrb(dest, size, per_month, seed=0)
        done.write_text(str(size))
        print(f"  generated {size:,} {'articles' if layout == 'mixed' else 'monthly archives'} "
              f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return dest


def warm_catalogue(library: Path, cache: Path) -> tuple[float, str, int]:
    """Open the library once with ``cache`` as the cache dir (scanning it the first
    time); returns (seconds, the title of the article a first start opens, catalogue bytes):
    the first of the first issue the contents show (the newest)."""
    code = (
        "import json, sys, time\n"
        "from tuireader.contents import issue_order\n"
        "from tuireader.library import Library\n"
        "t = time.perf_counter(); lib = Library.open([sys.argv[1]]); took = time.perf_counter() - t\n"
        "issue = next(lib.issues[n] for n in issue_order(lib.issues) if lib.issues[n].article_count)\n"
        "ref = next(r for s in issue.sections for r in s.articles)\n"
        "print(json.dumps({'took': took, 'title': ref.title, 'articles': len(lib), 'from_catalogue': lib.from_catalogue}))\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    result = json.loads(subprocess.run([sys.executable, "-c", code, str(library)], env=env, check=True,
                                       capture_output=True, text=True).stdout)
    size = sum(f.stat().st_size for f in (cache / "tuireader" / "catalogue").rglob("*") if f.is_file())
    return result["took"], result["title"], size


# -- first paint in fresh processes ------------------------------------------------------


def tuireader_argv(library: Path, cache: Path) -> list[str]:
    # bench_startup gives every run its own empty XDG folders; ``env`` puts back the cache
    # dir that holds the catalogue (or an empty one for a first run).
    return ["env", f"XDG_CACHE_HOME={cache}", sys.executable, "-m", "tuireader", str(library)]


def first_paints(library: Path, warm_cache: Path, title: str, runs: int, seeds_cache: Path) -> dict:
    marker = "".join(title.split())[:8]
    # A first run opens the newest issue of the files read so far, whichever that is: any
    # article's masthead (its unread count in the issue) says one is on screen.
    any_article = (marker, "本期未读", "unread in this issue")
    # The sample's warm first paint, interleaved run for run, is what the aim compares with.
    warm, seeds = [], []
    for _ in range(runs):
        warm.append(time_to_first_paint(tuireader_argv(library, warm_cache), marker, timeout=300))
        seeds.append(time_to_first_paint(tuireader_argv(SEEDS, seeds_cache), FIRST_HEADLINE, timeout=120))
    cold_screen, cold_count, cold_article = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="tuireader-scale-cold-") as empty:
            argv = tuireader_argv(library, Path(empty))
            # A small library may be read before the placeholder is painted: then its article is the first screen.
            cold_screen.append(time_to_first_paint(argv, ("Openingthelibrary", *any_article), timeout=120))
        with tempfile.TemporaryDirectory(prefix="tuireader-scale-cold-") as empty:
            argv = tuireader_argv(library, Path(empty))
            cold_count.append(time_to_first_paint(argv, ("Readingthelibrary", *any_article), timeout=300))
        with tempfile.TemporaryDirectory(prefix="tuireader-scale-cold-") as empty:
            # The first article, shown from the files read so far while the rest are read.
            argv = tuireader_argv(library, Path(empty))
            cold_article.append(time_to_first_paint(argv, any_article, timeout=300))

    def cpu(paints: list) -> float | None:
        # CPU seconds of the process by then: steadier than wall time on a shared machine.
        values = [p.cpu for p in paints if p.cpu is not None]
        return statistics.median(values) if values else None

    return {
        "warm_first_paint_s": statistics.median(p.first_paint for p in warm),
        "warm_first_paint_max_s": max(p.first_paint for p in warm),
        "warm_first_paint_cpu_s": cpu(warm),
        "seeds_warm_first_paint_s": statistics.median(p.first_paint for p in seeds),
        # First paint means content: the first article on screen, not the placeholder.
        "first_run_first_paint_s": statistics.median(p.first_paint for p in cold_article),
        "first_run_first_paint_cpu_s": cpu(cold_article),
        "first_run_placeholder_s": statistics.median(p.first_paint for p in cold_screen),
        "first_run_first_count_s": statistics.median(p.first_paint for p in cold_count),
    }


def seeds_cache(out: Path) -> Path:
    """The sample's warm catalogue, for comparison (aim: within 0.3 s of it)."""
    cache = out / "cache-seeds"
    warm_catalogue(SEEDS, cache)
    return cache


# -- in one process: opening, keys, memory ------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    """(resident now, peak) in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": ordered[-1] * 1000, "n": len(ordered)}


async def inside(library: Path, layout: str = "mixed") -> dict:
    from tuireader.ui.app import ReaderApp

    app = ReaderApp([library])
    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while app.reader.current_id is None:
            await pilot.pause(0.05)
        await asyncio.sleep(0.2)
        await app.workers.wait_for_complete()  # the background look at the files
        await pilot.pause()
        out["rss_open_mb"] = rss_mb()[0]
        lib = app.reader.library
        out["articles"] = len(lib)

        # The last article of the last issue, with nothing of its file parsed yet.
        last = lib.issues[-1].sections[-1].articles[-1].id
        started = time.perf_counter()
        app.reader.open_article(last)
        opened = time.perf_counter()
        await pilot.pause()
        out["open_last_s"] = opened - started
        out["open_last_painted_s"] = time.perf_counter() - started

        # A list of LIST_ROWS rows (fewer when the library is smaller): open groups from the top.
        nav = app.reader.nav
        app.reader.contents_shown = True
        nav.focus()
        for i in range(len(lib.issues)):
            if nav.row_count >= LIST_ROWS:
                break
            nav.expand_issue(i, sections=True)  # its year and month too
        nav._move(0)
        await pilot.pause()
        out["list_rows"] = nav.row_count
        height = nav.scrollable_content_region.height

        def draw() -> None:
            for y in range(height):
                nav.render_line(y)

        widget: list[float] = []
        for action in ["cursor_down"] * min(nav.row_count - 1, LIST_ROWS) + ["page_up"] * 200 + ["page_down"] * 200:
            started = time.perf_counter()
            getattr(nav, f"action_{action}")()
            draw()
            widget.append(time.perf_counter() - started)
        for action in ("cursor_top", "cursor_bottom") * 20:
            started = time.perf_counter()
            getattr(nav, f"action_{action}")()
            draw()
            widget.append(time.perf_counter() - started)
        out["key_widget"] = percentiles(widget)

        nav._move(0)
        await pilot.pause()
        pilot_keys: list[float] = []
        for key in ["j"] * 300 + ["pagedown"] * 50 + ["G", "g"] * 10:
            started = time.perf_counter()
            await pilot.press(key)
            pilot_keys.append(time.perf_counter() - started)
        out["key_pilot"] = percentiles(pilot_keys)
        # The same through Pilot on a list of a few rows: what Pilot itself costs.
        for i in range(len(lib.issues)):
            nav.collapse_issue(i)
        nav._move(0)
        await pilot.pause()
        small: list[float] = []
        for key in ["j", "k"] * 100:
            started = time.perf_counter()
            await pilot.press(key)
            small.append(time.perf_counter() - started)
        out["key_pilot_folded"] = percentiles(small)
        out["folded_rows"] = nav.row_count

        # Browse BROWSE articles spread evenly over the archive in reading order, drawing now
        # and then. Found by the issues' counts: listing every id first would build every issue.
        from bisect import bisect_right
        from itertools import accumulate

        issues = app.reader.library.issues
        ends = list(accumulate(issue.article_count for issue in issues))
        order = []
        for k in range(min(BROWSE, ends[-1])):
            at = k * ends[-1] // BROWSE
            n = bisect_right(ends, at)
            order.append(issues[n].article_ids[at - (ends[n - 1] if n else 0)])
        started = time.perf_counter()
        for n, article_id in enumerate(order):
            app.reader.open_article(article_id)
            if n % 50 == 0:
                await pilot.pause()
        await pilot.pause()
        out["browse_s"] = time.perf_counter() - started
        import gc

        gc.collect()
        out["rss_browsing_mb"], out["rss_peak_mb"] = rss_mb()
        out["parsed_files_kept"] = len(lib._cache)

        # Search ready: the search screen open on the index built beforehand (``--search``),
        # a query answered.
        from tuireader.search import index_is_current
        from tuireader.ui.screens.search import SearchScreen

        if index_is_current([library]):
            await pilot.press("slash")
            session = app.reader.search_session  # made by the first "/"
            assert session is not None
            while not isinstance(app.screen, SearchScreen) or session.building:
                await pilot.pause(0.05)
            word = next(ch for ch in lib.issues[0].sections[0].articles[0].title if ch.isalnum())
            app.screen.input.value = word + "国"
            while not session.results:
                await pilot.pause(0.05)
            gc.collect()
            out["rss_search_mb"], out["rss_search_peak_mb"] = rss_mb()
            app.pop_screen()
            await pilot.pause()

        # The background look at the files, as the app makes it after the first paint and
        # every 30 s: with nothing changed, then with a new issue dropped in. Meanwhile a
        # 10 ms timer on the app's event loop records how late it runs (a freeze shows here).
        ticks: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            ticks.append(now - last[0] - 0.01)
            last[0] = now

        async def look() -> float:
            before = app.reader.library
            started = time.perf_counter()
            app.reader.loader.look(quiet=True)
            await asyncio.sleep(0.02)
            while any(w.is_running for w in app.workers if w.group == "refresh"):
                await asyncio.sleep(0.01)
            await pilot.pause()
            assert app.reader.library is not before or not dropped.exists()
            return time.perf_counter() - started

        timer = app.set_interval(0.01, tick)
        if layout == "rmrb":  # a month more: one more archive in 7z/
            dropped = library / "7z" / "2031年01月.7z"
            source = next((library / "7z").glob("*.7z"))
        else:
            dropped = library / "晚报-bench" / "2031" / "01" / "2031-01-01" / "01-要闻.txt"
            source = next(SEEDS.glob("*.txt"))
        try:
            out["look_unchanged_s"] = await look()
            out["look_unchanged_loop_lag"] = percentiles(ticks)
            ticks.clear()
            dropped.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, dropped)
            out["look_new_issue_s"] = await look()
            out["look_new_issue_loop_lag"] = percentiles(ticks)
            out["articles_after_new_issue"] = len(app.reader.library)
        finally:
            timer.stop()
            shutil.rmtree(library / "晚报-bench", ignore_errors=True)
            dropped.unlink(missing_ok=True)
        await look()  # and gone again, so the next run starts from the same library
    return out


def in_fresh_process(library: Path, cache: Path, layout: str = "mixed") -> dict:
    with tempfile.TemporaryDirectory(prefix="tuireader-scale-") as home:
        env = dict(os.environ, XDG_CACHE_HOME=str(cache), XDG_STATE_HOME=f"{home}/state",
                   XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config")
        proc = subprocess.run([sys.executable, __file__, "--inside", str(library), "--layout", layout], env=env,
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"inside run failed: {proc.stderr[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


# -- report ------------------------------------------------------------------------------


def build_search_index(library: Path, cache: Path) -> float:
    """Build (or bring up to date) the search index in ``cache``; returns seconds."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tuireader", "index", str(library)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(size: int, out: Path, runs: int, search: bool = False, layout: str = "mixed") -> dict:
    print(f"{size:,} {'articles' if layout == 'mixed' else 'monthly archives'}…", file=sys.stderr)
    library = library_for(out, size, layout)
    cache = out / (f"cache-{size}" if layout == "mixed" else f"cache-rmrb-{size}x{PER_MONTH}")
    first_open, title, catalogue_bytes = warm_catalogue(library, cache)
    if not (cache / ".warm").exists():
        print(f"  first scan (catalogue built) in {first_open:.1f} s", file=sys.stderr)
        (cache / ".warm").write_text(f"{first_open}")
    reopen, title, catalogue_bytes = warm_catalogue(library, cache)
    result = {"size": size, "layout": layout, "library_open_warm_s": reopen,
              "first_scan_s": float((cache / ".warm").read_text()),
              "catalogue_mb": catalogue_bytes / 1e6}
    if search:
        print(f"  search index up to date in {build_search_index(library, cache):.0f} s", file=sys.stderr)
    result.update(first_paints(library, cache, title, runs, seeds_cache(out)))
    result.update(in_fresh_process(library, cache, layout))
    return result


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def table(results: list[dict]) -> str:
    rows = [
        ("articles (in the library)", lambda r: f"{r['articles']:,}"),
        ("first paint, warm catalogue (median)", lambda r: f"{r['warm_first_paint_s']:.2f} s"),
        ("  seeds/ in the same runs (median)", lambda r: _seconds(r.get("seeds_warm_first_paint_s"))),
        ("  CPU time by then", lambda r: _seconds(r.get("warm_first_paint_cpu_s"))),
        ("first run: first paint, an article on screen (median; the rest still being read)",
         lambda r: f"{r['first_run_first_paint_s']:.2f} s"),
        ("  CPU time by then", lambda r: _seconds(r.get("first_run_first_paint_cpu_s"))),
        ("first run: the placeholder painted", lambda r: _seconds(r.get("first_run_placeholder_s"))),
        ("first run: first N/M count (or the article) on screen", lambda r: f"{r['first_run_first_count_s']:.2f} s"),
        ("first run: whole scan, catalogue built", lambda r: f"{r['first_scan_s']:.1f} s"),
        ("Library.open from the catalogue", lambda r: f"{r['library_open_warm_s']:.2f} s"),
        ("open last article of last issue (+frame)", lambda r: f"{r['open_last_s']*1000:.0f} ms ({r['open_last_painted_s']*1000:.0f} ms)"),
        ("list rows moved through", lambda r: f"{r['list_rows']:,}"),
        ("key latency, widget p50 / p95 / max", lambda r: "{p50_ms:.2f} / {p95_ms:.2f} / {max_ms:.1f} ms".format(**r["key_widget"])),
        ("key latency, Pilot p50 / p95 / max", lambda r: "{p50_ms:.1f} / {p95_ms:.1f} / {max_ms:.1f} ms".format(**r["key_pilot"])),
        ("  same, Pilot on the folded list", lambda r: "{p50_ms:.1f} / {p95_ms:.1f} / {max_ms:.1f} ms".format(**r["key_pilot_folded"])),
        ("RSS after start", lambda r: f"{r['rss_open_mb']:.0f} MB"),
        (f"RSS after browsing {BROWSE:,} articles (peak)", lambda r: f"{r['rss_browsing_mb']:.0f} MB ({r['rss_peak_mb']:.0f})"),
        ("background look, nothing changed (loop lag p95 / max)",
         lambda r: "{:.2f} s ({p95_ms:.0f} / {max_ms:.0f} ms)".format(r["look_unchanged_s"], **r["look_unchanged_loop_lag"])),
        ("background look, a new issue dropped in (loop lag p95 / max)",
         lambda r: "{:.2f} s ({p95_ms:.0f} / {max_ms:.0f} ms)".format(r["look_new_issue_s"], **r["look_new_issue_loop_lag"])),
        ("RSS with search ready (peak)", lambda r: f"{r['rss_search_mb']:.0f} MB ({r['rss_search_peak_mb']:.0f})"
                                                   if "rss_search_mb" in r else "— (no --search)"),
        ("catalogue on disk", lambda r: f"{r['catalogue_mb']:.1f} MB"),
    ]
    head = "| | " + " | ".join(
        f"{r['size']:,}" if r.get("layout", "mixed") == "mixed" else f"{r['size']} months (7z)" for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    for name, cell in rows:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="library sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per first-paint figure (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where libraries and caches go (default benchmarks/out)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--search", action="store_true",
                        help="build each library's search index first (long at 100,000) and measure memory with search ready")
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the table of figures saved with --json")
    parser.add_argument("--layout", choices=("mixed", "rmrb"), default="mixed",
                        help="mixed: page and per-article files (sizes in articles); rmrb: monthly 7z archives of the "
                             f"People's Daily layout (sizes in months of {PER_MONTH:,} articles), opened at the root")
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside is not None:
        print(json.dumps(asyncio.run(inside(args.inside, args.layout))))
        return 0
    if args.table is not None:
        saved = json.loads(args.table.read_text())
        results = saved if isinstance(saved, list) else saved["sizes"]
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        compile_package()
        results = [measure(int(n), args.out.resolve(), args.runs, args.search, args.layout)
                   for n in args.sizes.split(",")]
    if args.json:
        print(json.dumps({"sizes": results}, indent=2, ensure_ascii=False))
        return 0
    print(table(results))
    big = results[-1]
    if big.get("seeds_warm_first_paint_s") is not None:
        gap = big["warm_first_paint_s"] - big["seeds_warm_first_paint_s"]
        print(f"\nseeds/ with its catalogue, in the same runs: first paint {big['seeds_warm_first_paint_s']:.2f} s; "
              f"{big['articles']:,} articles take {gap:+.2f} s more (aim: within 0.3 s)")
    checks = [
        ("warm first paint", big["warm_first_paint_s"], AIMS["warm_first_paint_s"], "s"),
        ("first-run first paint", big["first_run_first_paint_s"], AIMS["first_run_first_paint_s"], "s"),
        ("per-key latency p95 (widget)", big["key_widget"]["p95_ms"], AIMS["key_p95_ms"], "ms"),
        ("memory browsing", big["rss_browsing_mb"], AIMS["rss_browsing_mb"], "MB"),
    ]
    if big.get("layout") == "rmrb":  # the aims of the People's Daily archive (at its full size)
        checks = [
            ("warm first paint", big["warm_first_paint_s"], AIMS_RMRB["warm_first_paint_s"], "s"),
            ("first run: an article on screen", big["first_run_first_paint_s"],
             AIMS_RMRB["first_run_first_paint_s"], "s"),
            ("first run: whole archive catalogued", big["first_scan_s"], AIMS_RMRB["first_scan_s"], "s"),
            ("an article of a month not opened yet, painted", big["open_last_painted_s"],
             AIMS_RMRB["open_last_painted_s"], "s"),
            ("memory browsing", big["rss_browsing_mb"], AIMS_RMRB["rss_browsing_mb"], "MB"),
        ]
    if "rss_search_mb" in big:
        checks.append(("memory with search ready", big["rss_search_mb"], AIMS["rss_search_mb"], "MB"))
    print(f"\naims at {big['articles']:,} articles:")
    for name, value, aim, unit in checks:
        print(f"  {name}: {value:.2f} {unit} (aim <= {aim:g} {unit}): {'meets' if value <= aim else 'MISSES'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
