"""Start-up time: process start to the first painted screen of ``tuireader seeds``.

Each run spawns a fresh ``python -m tuireader seeds`` in a pseudo-terminal (80x24,
``TERM=xterm-256color``, its own empty XDG folders) and times from just before the
spawn until the bytes the program writes to the terminal, with escape sequences
removed, contain the sample's first headline: that is what a reader first sees.
Nothing inside the app is instrumented. Beside it, the floor: a fresh
``python -c "import textual.app"``, measured in the same run, interleaved.
A separate run under ``python -X importtime`` lists what was imported before the
first paint, to show that jieba (whose dictionary costs ~0.6 s) was not.

    python benchmarks/bench_startup.py [--runs 9] [--size 80x24] [--json] [PATH]

Aim (issue "The reader"): first paint within 2x of the floor; jieba not imported.
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import json
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
#: The first characters of the sample's first headline (spaces ignored).
FIRST_HEADLINE = "全省深化数字法治改革"
# CSI, OSC (BEL or ST terminated), DCS/APC/PM strings, and two-byte escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[P_^][^\x1b]*\x1b\\"
    r"|\x1b[@-Z\\-_]"
    r"|\x1b[()][0-9A-Za-z]"
)
HEAVY_MODULES = ("jieba", "pypinyin", "rapidfuzz", "sqlite3")


@dataclass(slots=True)
class Paint:
    """Seconds from spawn to the first frame with any text, and to the marker on screen."""

    first_frame: float
    first_paint: float
    output: str  # everything written to the terminal until the marker showed
    cpu: float | None = None  # CPU seconds (user + system) the process had used by then


def visible_text(raw: str) -> str:
    """What a terminal would print, minus layout: escapes, spaces and newlines removed."""
    text = _ESCAPES.sub("", raw)
    return re.sub(r"[\s\x00-\x1f]", "", text)


def _set_winsize(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _clean_env(home: Path, columns: int, rows: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "TEXTUAL", "COLORTERM", "SSH_"))}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows), LANG="C.UTF-8")
    return env


def compile_package() -> None:
    """Write tuireader's .pyc files, as an installed package has them: with
    PYTHONDONTWRITEBYTECODE set (as on these machines) no run would, and each
    fresh process would compile the app again before its first paint."""
    import compileall

    import tuireader

    compileall.compile_dir(Path(tuireader.__file__).parent, quiet=1)


def time_to_first_paint(
    argv: list[str],
    marker: str | tuple[str, ...],
    *,
    columns: int = 80,
    rows: int = 24,
    timeout: float = 30.0,
) -> Paint:
    """Time from spawning ``argv`` in a fresh pty until ``marker`` (or any of
    several) is on its screen (and until the first frame with any text at all).

    The process is then asked to quit (``q``) and killed if it does not. Textual
    writes its frames to stderr, so stdout and stderr both go to the pty.
    """
    with tempfile.TemporaryDirectory(prefix="tuireader-bench-") as tmp:
        env = _clean_env(Path(tmp), columns, rows)
        master, slave = os.openpty()
        _set_winsize(slave, columns, rows)

        def controlling_tty() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave,
            env=env, cwd=tmp, preexec_fn=controlling_tty, close_fds=True,
        )
        os.close(slave)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        seen = ""
        first_frame: float | None = None
        markers = [m.replace(" ", "") for m in ((marker,) if isinstance(marker, str) else marker)]
        try:
            deadline = start + timeout
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError(f"{markers!r} did not appear within {timeout:.0f} s; last output: {seen[-200:]!r}")
                ready, _, _ = select.select([master], [], [], left)
                if not ready:
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the program exited
                    chunk = b""
                if not chunk:
                    raise RuntimeError(f"program exited before painting {markers!r}: {visible_text(seen)[-300:]!r}")
                now = time.perf_counter() - start
                seen += decoder.decode(chunk)
                visible = visible_text(seen[-20000:])
                if first_frame is None and visible:
                    first_frame = now
                if any(m in visible for m in markers):
                    return Paint(first_frame if first_frame is not None else now, now, seen, _cpu_seconds(proc.pid))
        finally:
            _stop(proc, master)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by a running process (Linux): steadier than wall time on a busy machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def _stop(proc: subprocess.Popen, master: int) -> None:
    try:
        os.write(master, b"q")
        end = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < end:
            if select.select([master], [], [], 0.05)[0]:  # keep draining so it can exit
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    except OSError:
        pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    os.close(master)


def time_import_floor() -> tuple[float, float]:
    """Wall and CPU seconds of a fresh ``python -c "import textual.app"``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "import textual.app"])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("python -c 'import textual.app' failed")
    return wall, usage.ru_utime + usage.ru_stime


_IMPORT_LINE = re.compile(r"import time:\s+\d+\s+\|\s+\d+\s+\|\s*([\w.]+)")


def imports_before_first_paint(argv: list[str], marker: str, columns: int, rows: int) -> list[str]:
    """Top-level names of the modules imported before the first paint.

    ``-X importtime`` writes one line per import to stderr, which here is the pty, so
    the lines that arrived before the marker are exactly the imports before it.
    """
    cmd = [argv[0], "-X", "importtime", *argv[1:]]
    # The importtime lines themselves are visible text: only the marker counts here.
    output = time_to_first_paint(cmd, marker, columns=columns, rows=rows, timeout=60).output
    return sorted({name.split(".")[0] for name in _IMPORT_LINE.findall(output)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(SEEDS), help="library to open (default: seeds/)")
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per measurement (default 9)")
    parser.add_argument("--size", default="80x24", help="terminal size, COLUMNSxROWS (default 80x24)")
    parser.add_argument("--marker", default=FIRST_HEADLINE, help="text whose appearance counts as first paint")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.lower().split("x"))
    argv = [sys.executable, "-m", "tuireader", args.path]

    # One warm-up of each, uncounted: fills the OS file cache.
    compile_package()
    time_import_floor()
    time_to_first_paint(argv, args.marker, columns=columns, rows=rows)
    floor: list[float] = []
    floor_cpu: list[float] = []
    paint: list[float] = []
    paint_cpu: list[float] = []
    frame: list[float] = []
    for _ in range(args.runs):  # interleaved, so background load hits both alike
        wall, cpu = time_import_floor()
        floor.append(wall)
        floor_cpu.append(cpu)
        run = time_to_first_paint(argv, args.marker, columns=columns, rows=rows)
        paint.append(run.first_paint)
        frame.append(run.first_frame)
        if run.cpu is not None:
            paint_cpu.append(run.cpu)
    imported = imports_before_first_paint(argv, args.marker, columns, rows)
    heavy = [m for m in HEAVY_MODULES if m in imported]

    result = {
        "library": args.path,
        "size": f"{columns}x{rows}",
        "runs": args.runs,
        "floor_import_textual_app_s": {"median": statistics.median(floor), "min": min(floor), "max": max(floor)},
        "first_paint_s": {"median": statistics.median(paint), "min": min(paint), "max": max(paint)},
        "first_frame_s": {"median": statistics.median(frame), "min": min(frame), "max": max(frame)},
        "ratio_to_floor": statistics.median(paint) / statistics.median(floor),
        "cpu_floor_s": statistics.median(floor_cpu),
        "cpu_first_paint_s": statistics.median(paint_cpu) if paint_cpu else None,
        "jieba_imported_before_first_paint": "jieba" in imported,
        "heavy_modules_before_first_paint": heavy,
        "modules_before_first_paint": len(imported),
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    f, p = result["floor_import_textual_app_s"], result["first_paint_s"]
    print(f"library: {args.path}  terminal: {columns}x{rows}  runs: {args.runs} fresh processes each")
    print(f"floor  python -c 'import textual.app' median {f['median']*1000:7.1f} ms  (min {f['min']*1000:.1f}, max {f['max']*1000:.1f})")
    print(f"first paint (first headline shown)   median {p['median']*1000:7.1f} ms  (min {p['min']*1000:.1f}, max {p['max']*1000:.1f})")
    ff = result["first_frame_s"]
    print(f"first frame (any text, e.g. masthead) median {ff['median']*1000:6.1f} ms  (min {ff['min']*1000:.1f}, max {ff['max']*1000:.1f})")
    if result["cpu_first_paint_s"] is not None:
        print(f"CPU time (user+sys), median: floor {result['cpu_floor_s']*1000:.0f} ms, "
              f"tuireader to first paint {result['cpu_first_paint_s']*1000:.0f} ms "
              f"({result['cpu_first_paint_s'] / result['cpu_floor_s']:.2f}x; steadier on a busy machine)")
    verdict = "meets" if result["ratio_to_floor"] <= 2 else "MISSES"
    print(f"ratio to floor: {result['ratio_to_floor']:.2f}x  ({verdict} the aim of <= 2x)")
    print(f"jieba imported before first paint: {'YES (must not be)' if result['jieba_imported_before_first_paint'] else 'no'}")
    print(f"heavy modules before first paint: {', '.join(heavy) or 'none'} (of {', '.join(HEAVY_MODULES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
