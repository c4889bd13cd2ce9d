"""The weekly pipeline workbook for a database with 50,000 open deals (issue 15).

Floor, timed in the same run and paired with each export: openpyxl's write-only mode (with
lxml when installed) writing the same cells without any styling — the Deals rows, the
activities and the stage moves as plain values, read into memory before the clock starts.
The export is timed whole (the quarter's forecast, the queries, the styles, the tables, the
cached results, the atomic rename), and so is its write alone (without the forecast).
Each side runs in a fresh process so its peak memory (max RSS) is its own.

Target: the export ≤ 1.5× the floor; peak memory < 150 MB. Printed: medians, per-pair
ratios and their spread; nothing asserts.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 3
OPEN_DEALS = 50_000
TARGET_RATIO = 1.5
TARGET_MB = 150
ROOT = Path(__file__).resolve().parent.parent


def _prepare(source: Path, target: Path) -> int:
    """Copy the large database, leaving exactly OPEN_DEALS open deals (the newest others
    are moved to Lost through the event log, like a user's move)."""
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    with conn:
        lost = conn.execute("SELECT id FROM stage WHERE outcome = 'lost'").fetchone()[0]
        open_ids = [r[0] for r in conn.execute(
            "SELECT deal.id FROM deal JOIN stage ON stage.id = deal.stage_id "
            "WHERE stage.outcome = 'open' ORDER BY deal.id")]
        closing = open_ids[OPEN_DEALS:]
        conn.execute("CREATE TEMP TABLE closing (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO closing VALUES (?)", [(c,) for c in closing])
        conn.execute(
            "INSERT INTO stage_change (uuid, deal_id, from_stage_id, to_stage_id, changed_at,"
            " changed_by_id, override_reason, origin, lost_reason) "
            "SELECT lower(hex(randomblob(16))), id, stage_id, ?, "
            "datetime(stage_entered_at, '+1 hour'), owner_id, '', 'app', 'Bench' "
            "FROM deal WHERE id IN (SELECT id FROM closing)", (lost,))
        conn.execute(
            "UPDATE deal SET stage_id = ?, stage_entered_at = datetime(stage_entered_at, "
            "'+1 hour'), lost_reason = 'Bench' WHERE id IN (SELECT id FROM closing)", (lost,))
    count = conn.execute("SELECT count(*) FROM deal JOIN stage ON stage.id = deal.stage_id "
                         "WHERE stage.outcome = 'open'").fetchone()[0]
    conn.close()
    return count


def _child(mode: str, db: str, out: str) -> None:
    """One measured run in this process; prints a JSON line."""
    import time

    from app.workspace import open_workspace

    open_workspace(db)
    if mode == "forecast":
        from app import clock, settings
        from app.forecast import compute_forecast, period_of

        fiscal = settings.load().fiscal_year_start_month
        started = time.perf_counter()
        compute_forecast(period_of(clock.local_today(), "quarter", fiscal))
        seconds, cells, rows = time.perf_counter() - started, None, None
    elif mode == "export":
        from app.exporting import export_weekly_workbook

        started = time.perf_counter()
        result = export_weekly_workbook(out)
        seconds = time.perf_counter() - started
        cells = None
        rows = result.deals
    else:
        seconds, cells, rows = _floor(out)
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "cells": cells,
                      "rows": rows}))


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ``ru_maxrss``: Linux keeps the
    latter across fork and exec, so a child would report its parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(out: str) -> tuple[float, int, int]:
    """openpyxl write-only, no styles: the same cells as the export's data sheets."""
    import time
    from decimal import Decimal

    from openpyxl import Workbook

    from app import clock
    from app.exporting import week_of
    from app.exporting.figures import (
        activity_rows,
        as_stamp,
        deal_rows,
        local_naive,
        stage_history_rows,
        uuid_hex,
        week_bounds,
    )

    week = week_of(clock.local_today())
    lo, hi = week_bounds(week.start, week.end)
    now = min(clock.utcnow(), hi)
    cent = Decimal("0.01")
    deals = []
    for r in deal_rows(lo, hi):
        (title, company, contact, email, phone, owner, stage, value, probability,
         expected_close, next_step, next_step_due, source, industry, region, entered,
         created, last_activity, uuid, version, _outcome, _stage_id) = r
        deals.append((title, company, contact, email, phone, owner, stage, value,
                      probability / 100, (value * probability / 100).quantize(cent),
                      expected_close, next_step, next_step_due, source, industry, region,
                      max(0, (now - as_stamp(entered)).days), local_naive(as_stamp(created)),
                      local_naive(as_stamp(last_activity)), uuid_hex(uuid), version))
    sheets = {"Deals": deals, "Activities": activity_rows(week.start, week.end),
              "Stage history": stage_history_rows(lo, hi)}
    started = time.perf_counter()
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(out)
    seconds = time.perf_counter() - started
    return seconds, sum(len(r) for rows in sheets.values() for r in rows), len(deals)


def _measure(mode: str, db: Path, out: Path, *, lxml: bool = True) -> dict:
    env = {**os.environ, "OPENPYXL_LXML": "True" if lxml else "False"}
    done = subprocess.run([sys.executable, "-m", "bench.bench_workbook", mode, str(db),
                           str(out)], capture_output=True, text=True, cwd=ROOT, check=True,
                          env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> None:
    import openpyxl

    from bench.synthetic import ensure_large_db

    lxml = "with lxml" if openpyxl.LXML else "WITHOUT lxml (pip install lxml for the floor)"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "workbook.sqlite"
        open_deals = _prepare(ensure_large_db(), db)
        print(f"workbook: {open_deals:,} open deals; openpyxl {openpyxl.__version__} {lxml}",
              flush=True)
        floors, exports, ratios = [], [], []
        for index in range(RUNS):
            floor = _measure("floor", db, Path(folder) / f"floor-{index}.xlsx")
            export = _measure("export", db, Path(folder) / f"export-{index}.xlsx")
            floors.append(floor)
            exports.append(export)
            ratios.append(export["seconds"] / floor["seconds"])
        floor_s = statistics.median(f["seconds"] for f in floors)
        export_s = statistics.median(e["seconds"] for e in exports)
        peak = max(e["peak_mb"] for e in exports)
        ratio = statistics.median(ratios)
        print(f"workbook: floor (write-only, no styles, {floors[0]['cells']:,} cells of "
              f"{floors[0]['rows']:,} deals) {floor_s:.2f} s, peak {floors[0]['peak_mb']:.0f} MB",
              flush=True)
        print(f"workbook: export ({exports[0]['rows']:,} deals, every sheet) {export_s:.2f} s; "
              f"ratio median {ratio:.2f}×, spread {min(ratios):.2f}–{max(ratios):.2f}× "
              f"(target ≤ {TARGET_RATIO}×: {'ok' if ratio <= TARGET_RATIO else 'OVER'}); "
              f"peak {peak:.0f} MB (target < {TARGET_MB} MB: "
              f"{'ok' if peak < TARGET_MB else 'OVER'})", flush=True)
        sizes = [Path(folder, f"export-{i}.xlsx").stat().st_size / 1e6 for i in range(RUNS)]
        print(f"workbook: file {statistics.median(sizes):.1f} MB", flush=True)
        if openpyxl.LXML:  # what a user without lxml gets (Funnelcast does not require it)
            plain = _measure("export", db, Path(folder) / "plain.xlsx", lxml=False)
            print(f"workbook: export without lxml {plain['seconds']:.2f} s "
                  f"({plain['seconds'] / floor_s:.2f}× the floor), peak "
                  f"{plain['peak_mb']:.0f} MB", flush=True)
        forecast = _measure("forecast", db, Path(folder) / "unused.xlsx")
        print(f"workbook: of which the quarter's forecast {forecast['seconds']:.2f} s",
              flush=True)


if __name__ == "__main__":
    _child(*sys.argv[1:4])
