"""The forecast on the large synthetic database (100k deals, 300k stage changes).

Targets from issue 11: the forecast of the current quarter for 10,000 open deals across 20
reps under 200 ms (every rep and the team), and the forecast as of a day in the middle of a
quarter under 1 s. It runs on a copy of the large database in which exactly 10,000 open
sales deals of 20 reps stay open (the others are moved to Lost with plain SQL, through the
event log like a user's move).

Each run is paired with a floor timed just before it on the same connection: a bare
``SELECT`` of the open deals' rows (what any forecast must at least read). Printed: median
wall times, the median of the per-pair ratios and their spread (min–max), against the
target; nothing asserts.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from bench.paired import paired_in_process

RUNS = 3
OPEN_DEALS = 10_000
REPS = 20
TARGET_MS = 200.0
AS_OF_TARGET_MS = 1000.0


def _prepare(source: Path, target: Path) -> None:
    """Copy the large database, keeping OPEN_DEALS open sales deals of REPS reps open."""
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    with conn:
        sales_open = [r[0] for r in conn.execute(
            "SELECT id FROM stage WHERE outcome = 'open' AND side = 'sales'")]
        lost = conn.execute("SELECT id FROM stage WHERE outcome = 'lost'").fetchone()[0]
        marks = ",".join("?" * len(sales_open))
        owners = [r[0] for r in conn.execute(
            f"SELECT owner_id FROM deal WHERE stage_id IN ({marks}) AND owner_id IS NOT NULL "
            "GROUP BY owner_id ORDER BY owner_id LIMIT ?", (*sales_open, REPS))]
        keep = [r[0] for r in conn.execute(
            f"SELECT id FROM deal WHERE stage_id IN ({marks}) AND owner_id IN "
            f"({','.join('?' * len(owners))}) ORDER BY id LIMIT ?",
            (*sales_open, *owners, OPEN_DEALS))]
        conn.execute("CREATE TEMP TABLE keep (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO keep VALUES (?)", [(k,) for k in keep])
        closing = f"stage_id IN ({marks}) AND id NOT IN (SELECT id FROM keep)"
        conn.execute(
            "INSERT INTO stage_change (uuid, deal_id, from_stage_id, to_stage_id, changed_at,"
            " changed_by_id, override_reason, origin, lost_reason) "
            "SELECT lower(hex(randomblob(16))), id, stage_id, ?, "
            "datetime(stage_entered_at, '+1 hour'), owner_id, '', 'app', 'Bench' "
            f"FROM deal WHERE {closing}", (lost, *sales_open))
        conn.execute(
            "UPDATE deal SET stage_id = ?, stage_entered_at = datetime(stage_entered_at, "
            f"'+1 hour'), lost_reason = 'Bench' WHERE {closing}", (lost, *sales_open))
    conn.close()


def _line(label: str, floor_ms: float, ms: float, ratios: list[float], target: float) -> None:
    verdict = "ok" if ms <= target else "OVER"
    print(f"forecast: {label:<34} {ms:8.0f} ms (floor {floor_ms:5.1f} ms; ratio median "
          f"{statistics.median(ratios):.0f}×, spread {min(ratios):.0f}–{max(ratios):.0f}×) "
          f"= {ms / target:.1f}× the {target:.0f} ms target, {verdict}", flush=True)


def run() -> None:
    from app import clock
    from app.forecast import compute_forecast, period_of
    from bench.synthetic import ensure_large_db
    from db.connection import bind, make_database
    from db.models import Deal, Stage

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "forecast.sqlite"
        _prepare(ensure_large_db(), path)
        db = make_database(str(path))
        bind(db)
        try:
            sales_open = Stage.select(Stage.id).where(Stage.outcome == "open",
                                                      Stage.side == "sales")

            def floor() -> list:
                return list(Deal.select(Deal.id, Deal.uuid, Deal.title, Deal.company,
                                        Deal.owner, Deal.stage, Deal.value,
                                        Deal.expected_close, Deal.stage_entered_at)
                            .where(Deal.stage.in_(sales_open)).tuples())

            today = clock.local_today()
            period = period_of(today)
            forecast = compute_forecast(period)
            print(f"forecast: {len(forecast.team.deals):,} open deals of {len(forecast.reps)} "
                  f"reps, {period.label} as of {today.isoformat()}; team probability of quota "
                  f"{forecast.team.probability:.0%}", flush=True)
            _line("current quarter, every rep and team", *paired_in_process(
                floor, lambda: compute_forecast(period), RUNS), TARGET_MS)
            middle = period.start + timedelta(days=45)
            if middle >= today:
                period = period.shifted(-1)
                middle = period.start + timedelta(days=45)
            _line(f"as of {middle.isoformat()} ({period.label})", *paired_in_process(
                floor, lambda: compute_forecast(period, middle), RUNS), AS_OF_TARGET_MS)
        finally:
            db.close()
