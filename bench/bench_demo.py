"""How long ``generate_demo`` takes on a fresh database (target: well under 2 s)."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

RUNS = 3
TARGET_SECONDS = 2.0


def time_once(folder: Path, run: int) -> tuple[float, object]:
    from app.demo import generate_demo
    from db.connection import bind, make_database
    from db.migrations import migrate

    db = make_database(str(folder / f"demo-{run}.sqlite"))
    bind(db)
    migrate(db)  # not timed: the caller of generate_demo opens and migrates
    started = time.perf_counter()
    summary = generate_demo(seed=7, today=date(2025, 5, 14))
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, summary


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="funnelcast-bench-") as folder:
        results = [time_once(Path(folder), n) for n in range(RUNS)]
    times = [t for t, _ in results]
    summary = results[-1][1]
    median = statistics.median(times)
    rows = summary.deals + summary.stage_changes + summary.checklist_checks + \
        summary.activities + summary.quotas
    print(f"demo: generate_demo median {median:.3f} s of {RUNS} "
          f"(runs {', '.join(f'{t:.3f}' for t in times)}); "
          f"{median / TARGET_SECONDS:.2f}× the {TARGET_SECONDS:.0f} s budget")
    print(f"demo: {rows} rows ({summary.deals} deals, {summary.stage_changes} stage changes, "
          f"{summary.checklist_checks} checks, {summary.activities} activities), "
          f"{rows / median:,.0f} rows/s")
