"""Start-up to the first useful screen with its data painted, against a bare QMainWindow.

What the user waits for is not the window's frame but the page it opens on with its data on
screen. Contract with the app: ``python main.py --db PATH`` with ``FUNNELCAST_BENCH_FIRST_DATA=1``
prints ``first-paint <seconds>`` when the window's shell has painted, then ``first-data
<seconds>`` once the page it opens on has painted its data (the board: every column's first
cards and totals), then exits 0. ``bench/bare_window.py`` prints ``first-paint`` on its first
paint: for a bare window that is all there is to see.

Each round spawns, one after the other, the bare window, Funnelcast on the 100k-deal database
and Funnelcast on an empty team database (the default pipeline and a manager, no deals), and
takes wall clock from spawning each process to its line (interpreter start-up and imports
included). The ratio is taken within the round (see :mod:`bench.paired`); printed: the median
of the rounds' ratios and their range, against the target of 3×. On the 100k database this is
also the board's own figure: the board with its data on screen, as a user opening it waits
for it (before issue 13: 40,018 cards built, 17.7–20× a bare window). The window's settings are
kept in a folder of the bench's own, so every run opens on the default page (the board).
Python may write its bytecode caches (an installed Funnelcast has them; without them every
start compiles ~100 modules, ~0.25 s here), and one round before the timed ones writes them.
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

from bench.paired import spread
from bench.synthetic import ensure_large_db

ROUNDS = 5
TIMEOUT_SECONDS = 60.0
EXIT_SECONDS = 10.0  # the contract says it exits 0 after the data is painted
TARGET_RATIO = 3.0
ROOT = Path(__file__).resolve().parent.parent


class NotAvailable(Exception):
    """The program did not report its data painted (a crash, or a dialog waiting)."""


def time_lines(args: list[str], wanted: tuple[str, ...], env: dict[str, str]) -> dict[str, float]:
    """Spawn ``python *args``; wall seconds from the spawn to each line in ``wanted`` (by its
    first word). Raises NotAvailable when a line never comes or the process does not then
    exit 0."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors,
            stdin=subprocess.DEVNULL, text=True,
        )
        try:
            seen = _wait_for_lines(process, started, wanted)
            missing = [w for w in wanted if w not in seen]
            if not missing:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=EXIT_SECONDS)
            if missing or process.poll() != 0:
                errors.seek(0)
                tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
                code = process.poll()
                why = (f"no {missing[0]} line within {TIMEOUT_SECONDS:.0f} s" if missing
                       else f"exit code {code}" if code is not None
                       else f"still running {EXIT_SECONDS:.0f} s after its data was painted")
                raise NotAvailable(f"{why}{': ' + tail[0] if tail else ''}")
            return seen
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_for_lines(process: subprocess.Popen, started: float,
                    wanted: tuple[str, ...]) -> dict[str, float]:
    assert process.stdout is not None
    seen: dict[str, float] = {}
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while len(seen) < len(wanted) and time.perf_counter() - started < TIMEOUT_SECONDS:
            if not selector.select(timeout=0.5):
                if process.poll() is not None:
                    break
                continue
            line = process.stdout.readline()
            if not line:
                break  # end of output: it exited
            word = line.split(" ", 1)[0]
            if word in wanted and word not in seen:
                seen[word] = time.perf_counter() - started
    return seen


def _empty_team(folder: Path) -> Path:
    """A database with the default pipeline and a manager, and no deals."""
    path = folder / "empty.sqlite"
    subprocess.run([sys.executable, "main.py", "--db", str(path), "init", "--manager",
                    "Bench Manager"], cwd=ROOT, check=True, capture_output=True)
    return path


def run() -> None:
    large = ensure_large_db()
    with tempfile.TemporaryDirectory(prefix="funnelcast-startup-") as folder:
        folder = Path(folder)
        empty = _empty_team(folder)
        env = {**os.environ, "FUNNELCAST_BENCH_FIRST_DATA": "1", "QT_QPA_PLATFORM": "offscreen",
               "XDG_CONFIG_HOME": str(folder / "config")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        contenders = {
            "bare": (["-m", "bench.bare_window"], ("first-paint",)),
            "large": (["main.py", "--db", str(large)], ("first-paint", "first-data")),
            "empty": (["main.py", "--db", str(empty)], ("first-paint", "first-data")),
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
        try:
            for args, wanted in contenders.values():  # writes the bytecode caches
                time_lines(args, wanted, env)
            for _ in range(ROUNDS):
                for name, (args, wanted) in contenders.items():
                    runs[name].append(time_lines(args, wanted, env))
        except NotAvailable as why:
            print(f"startup: not available ({why})", flush=True)
            return
    bare = [r["first-paint"] for r in runs["bare"]]
    print(f"startup: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{ROUNDS} rounds, each bare window, 100k database, empty database in turn",
          flush=True)
    print(f"startup: bare QMainWindow to first paint {spread(bare, ' s', 3)}", flush=True)
    for name, label in (("large", f"{large.name} (100k deals)"), ("empty", "an empty team")):
        shell = [r["first-paint"] for r in runs[name]]
        data = [r["first-data"] for r in runs[name]]
        ratios = [d / b for d, b in zip(data, bare, strict=True)]
        verdict = "within" if statistics.median(ratios) <= TARGET_RATIO else "OVER"
        print(f"startup: Funnelcast on {label}: shell painted {spread(shell, ' s', 3)}, "
              f"board with its data painted {spread(data, ' s', 3)}", flush=True)
        print(f"startup:   to its data {spread(ratios, '×')} a bare window "
              f"({verdict} the {TARGET_RATIO:.0f}× target)", flush=True)
