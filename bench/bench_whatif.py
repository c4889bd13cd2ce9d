"""The what-if, the forecast's trend and its track record on the large synthetic database.

Targets from issue 12: one what-if step (apply_levers for every rep and the team, what a
slider tick costs) under 50 ms on the copy of the large database with 10,000 open deals of 20
reps (bench_forecast's copy); the trend of the current quarter (the as-of forecast at each
week's end) under 1 s; the track record over the four past quarters under 3 s.

Each run is paired with a floor timed just before it: for the what-if step, one pass over
every open deal's value and chance (the least arithmetic any step must do); for the trend and
the track record, a bare ``SELECT`` of the open deals' rows, as in bench_forecast. Printed:
median wall times, the median of the per-pair ratios and their spread; nothing asserts.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_forecast import _prepare
from bench.paired import paired_in_process

RUNS = 5
SLOW_RUNS = 3
STEP_TARGET_MS = 50.0
TREND_TARGET_MS = 1000.0
RECORD_TARGET_MS = 3000.0


def _line(label: str, floor_ms: float, ms: float, ratios: list[float], target: float) -> None:
    verdict = "ok" if ms <= target else "OVER"
    print(f"whatif: {label:<36} {ms:8.1f} ms (floor {floor_ms:6.2f} ms; ratio median "
          f"{statistics.median(ratios):.1f}×, spread {min(ratios):.1f}–{max(ratios):.1f}×) "
          f"= {ms / target:.2f}× the {target:.0f} ms target, {verdict}", flush=True)


def run() -> None:
    from app import clock
    from app.forecast import (
        apply_levers,
        forecast_trend,
        lever_curves,
        period_of,
        prepare_whatif,
    )
    from app.forecast.track_record import iter_track_record
    from bench.synthetic import ensure_large_db
    from db.connection import bind, make_database
    from db.models import Deal, Stage

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "whatif.sqlite"
        _prepare(ensure_large_db(), path)
        db = make_database(str(path))
        bind(db)
        try:
            today = clock.local_today()
            period = period_of(today)
            started = time.perf_counter()
            base = prepare_whatif(period)
            prepare_ms = (time.perf_counter() - started) * 1000
            deals = sum(len(r.values) for r in base.reps)
            print(f"whatif: {deals:,} open deals of {len(base.reps)} reps, {period.label}; "
                  f"prepare_whatif (on the worker) {prepare_ms:.0f} ms", flush=True)

            def walk() -> float:
                return sum(v * w * i for r in base.reps
                           for v, w, i in zip(r.values, r.p_win, r.p_in, strict=True))

            _line("one what-if step, every rep and team", *paired_in_process(
                walk, lambda: apply_levers(base, 0.5, 0.1, 2.0), RUNS), STEP_TARGET_MS)
            floor_ms, ms, ratios = paired_in_process(walk, lambda: lever_curves(base), SLOW_RUNS)
            print(f"whatif: {'lever curves, 3 levers × 11 sizes':<36} {ms:8.1f} ms (floor "
                  f"{floor_ms:6.2f} ms; ratio median {statistics.median(ratios):.1f}×, spread "
                  f"{min(ratios):.1f}–{max(ratios):.1f}×), no target: once per base, on the "
                  f"worker", flush=True)

            sales_open = Stage.select(Stage.id).where(Stage.outcome == "open",
                                                      Stage.side == "sales")

            def floor() -> list:
                return list(Deal.select(Deal.id, Deal.uuid, Deal.title, Deal.company,
                                        Deal.owner, Deal.stage, Deal.value,
                                        Deal.expected_close, Deal.stage_entered_at)
                            .where(Deal.stage.in_(sales_open)).tuples())

            points = len(forecast_trend(period))
            _line(f"trend of {period.label} ({points} points)", *paired_in_process(
                floor, lambda: forecast_trend(period), SLOW_RUNS), TREND_TARGET_MS)
            past = [period.shifted(-k) for k in range(4, 0, -1)]
            _line("track record, four past quarters", *paired_in_process(
                floor, lambda: list(iter_track_record(past)), SLOW_RUNS), RECORD_TARGET_MS)
        finally:
            db.close()
