"""Every report of the Reports page for a quarter on the large synthetic database (100k
deals, 300k stage changes, 500k activities).

Target from issue 14: each report under 300 ms (they run one by one on the worker, and the
page shows each as it arrives). The quarter is the last complete one, so every report has a
full quarter of moves to read. Each run is paired with a floor timed just before it on the
same connection: a bare ``SELECT COUNT(*)`` of the stage changes in the quarter (what any
report of the period must at least look at). Printed: median wall times, the median of the
per-pair ratios and their spread (min–max), against the target; nothing asserts.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from bench.paired import paired_in_process

RUNS = 5
TARGET_MS = 300.0


def run() -> None:
    from app import clock, reports
    from app.periods import period_of
    from app.reports.log import window
    from app.workspace import close_workspace, open_workspace
    from bench.synthetic import ensure_large_db
    from db.connection import database

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reports.sqlite"
        shutil.copy(ensure_large_db(), path)
        open_workspace(path)
        try:
            period = period_of(clock.local_today()).shifted(-1)
            scope = reports.ReportScope.of(period)
            lo, hi = window(period.start, period.end)
            p = database.obj.param

            def floor() -> int:
                return database.obj.execute_sql(
                    f"SELECT COUNT(*) FROM stage_change WHERE changed_at >= {p} "
                    f"AND changed_at < {p}", (lo, hi)).fetchone()[0]

            print(f"reports: {period.label}, {floor():,} stage changes in the quarter",
                  flush=True)
            for name, report in (("funnel", reports.funnel),
                                 ("win rate & velocity", reports.velocity_report),
                                 ("lead sources", reports.source_report),
                                 ("hand-off quality", reports.handoff_quality),
                                 ("time & money", reports.time_and_money)):
                report(scope)  # warm the page cache as the page's first load would
                floor_ms, ms, ratios = paired_in_process(
                    floor, lambda report=report: report(scope), RUNS)
                verdict = "ok" if ms <= TARGET_MS else "OVER"
                print(f"reports: {name:<20} {ms:7.0f} ms (floor {floor_ms:5.1f} ms; ratio "
                      f"median {statistics.median(ratios):.1f}×, spread {min(ratios):.1f}–"
                      f"{max(ratios):.1f}×) = {ms / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms "
                      f"target, {verdict}", flush=True)
        finally:
            close_workspace()
