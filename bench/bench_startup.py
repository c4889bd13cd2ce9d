"""Start-up to first paint on the large database, against a bare QMainWindow.

Contract with the app: ``python main.py --db PATH`` with ``FUNNELCAST_BENCH_FIRST_PAINT=1``
prints ``first-paint <seconds>`` once the main window has painted, then exits 0. We time
wall clock from spawning the process to reading that line (interpreter start-up and imports
included), median of :data:`RUNS`, and do the same for ``bench/bare_window.py``. The ratio
is the cost of Funnelcast itself on top of Python + Qt (target ≤ 2.5×).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import ensure_large_db

RUNS = 5
TIMEOUT_SECONDS = 60.0
EXIT_SECONDS = 10.0  # the contract says it exits 0 after the first paint
TARGET_RATIO = 2.5
ROOT = Path(__file__).resolve().parent.parent


exit_problems: list[str] = []  # runs that painted but did not then exit 0


class NotAvailable(Exception):
    """The program did not report a first paint (no support yet, a crash, or a dialog)."""


def time_first_paint(args: list[str]) -> tuple[float, float]:
    """Spawn ``python *args``; return (wall seconds to the first-paint line, its own figure)."""
    env = {**os.environ, "FUNNELCAST_BENCH_FIRST_PAINT": "1", "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors,
            stdin=subprocess.DEVNULL, text=True,
        )
        try:
            line = _wait_for_line(process, started)
            wall = time.perf_counter() - started
            if line is None:
                code = process.poll()
                errors.seek(0)
                tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
                why = f"exit code {code}" if code is not None else (
                    f"no first-paint line within {TIMEOUT_SECONDS:.0f} s")
                raise NotAvailable(f"{why}{': ' + tail[0] if tail else ''}")
            # it painted; a slow exit is not what we measure, but a missing one is reported
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=EXIT_SECONDS)
            if process.poll() != 0:
                errors.seek(0)
                tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
                exit_problems.append(
                    (f"exit code {process.returncode}" if process.poll() is not None
                     else f"still running {EXIT_SECONDS:.0f} s after first paint, killed")
                    + (f" ({tail[0]})" if tail else "")
                )
            return wall, float(line.split()[1])
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_for_line(process: subprocess.Popen, started: float) -> str | None:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.perf_counter() - started < TIMEOUT_SECONDS:
            if not selector.select(timeout=0.5):
                if process.poll() is not None:
                    return None
                continue
            line = process.stdout.readline()
            if not line:
                return None  # end of output: it exited without painting
            if line.startswith("first-paint "):
                return line
    return None


def median_of(args: list[str]) -> tuple[float, float, list[float]]:
    runs = [time_first_paint(args) for _ in range(RUNS)]
    walls = [w for w, _ in runs]
    return statistics.median(walls), statistics.median(r for _, r in runs), walls


def run() -> None:
    large = ensure_large_db()
    exit_problems.clear()
    bare, bare_own, bare_runs = median_of(["-m", "bench.bare_window"])
    print(f"startup: bare QMainWindow {bare:.3f} s to first paint, median of {RUNS} "
          f"(runs {', '.join(f'{w:.3f}' for w in bare_runs)}; {bare_own:.3f} s after its "
          "first line)", flush=True)
    try:
        app, app_own, app_runs = median_of(["main.py", "--db", str(large)])
    except NotAvailable as why:
        print(f"startup: not available ({why})", flush=True)
        return
    print(f"startup: Funnelcast on {large.name} {app:.3f} s to first paint, median of {RUNS} "
          f"(runs {', '.join(f'{w:.3f}' for w in app_runs)}; it reports {app_own:.3f} s "
          "from run_gui)", flush=True)
    if exit_problems:
        print(f"startup: {len(exit_problems)} of {RUNS} runs did not exit cleanly after "
              f"painting: {exit_problems[0]}", flush=True)
    ratio = app / bare
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"startup: ratio {ratio:.2f}× a bare window ({verdict} the {TARGET_RATIO}× target)",
          flush=True)
