"""The team's hours and time figures for a quarter on the large synthetic database.

Why: the Activities section's Team tab computes both each time it opens or an activity is
logged (on the worker), over a database with 500,000 activities. Target: under 200 ms for
the tab's whole load of a quarter (``team_view``: the hours with capacity and the figures),
timed in turns with a floor, the least the tab must read: the sum of the quarter's hours;
the ratio within each turn is the figure (the machine is shared).
"""

from __future__ import annotations

import statistics
import time

from bench.paired import paired_in_process, spread

RUNS = 9
TARGET_MS = 200.0


def _median_ms(work) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times, result


def run() -> None:
    from peewee import fn

    from app.time_figures import period_containing, shift_period, team_view
    from app.timesheet import load_week
    from bench.synthetic import ensure_large_db
    from db.connection import bind, make_database
    from db.migrations import m0004_activity_period_index
    from db.models import Activity

    db = make_database(str(ensure_large_db()))
    bind(db)
    try:
        # A cached database built at schema 5 before migration 4 landed lacks its index (the
        # migrator only applies versions above the stored one); add it as v4 would have.
        m0004_activity_period_index.apply(db)
        total = Activity.select().count()
        latest = Activity.select(Activity.date).order_by(Activity.date.desc()).scalar()
        # The last full quarter of the history: the busiest one a manager looks back on.
        start, end = shift_period(period_containing(latest, "quarter")[0], "quarter", -1)
        in_quarter = Activity.select().where(Activity.date.between(start, end))
        hours_sum = Activity.select(fn.SUM(Activity.hours)).where(
            Activity.date.between(start, end))

        team, figures = team_view(start, end)
        floor_ms, load_ms, ratios = paired_in_process(
            hours_sum.scalar, lambda: team_view(start, end), RUNS)
        busiest = max(team.rows, key=lambda r: r.total)
        week_ms, _, week = _median_ms(lambda: load_week(busiest.rep_id, end))

        print(f"activities: {total:,} in the database, {in_quarter.count():,} in {start} – "
              f"{end}, {len(team.rows)} reps; summing their hours (floor) median {floor_ms:.1f} ms")
        print(f"activities: the Team tab's whole load (team_view) median {load_ms:.1f} ms of "
              f"{RUNS} = {load_ms / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms target; "
              f"{spread(ratios, '×')} the floor (paired, median and range)")
        print(f"activities: one rep's week (load_week) median {week_ms:.1f} ms "
              f"({len(week.rows)} kinds)")
        print(f"activities: team {team.total:,} h of {team.capacity:,} h capacity; "
              f"{figures.team.won_deals:,} won, {figures.team.leads_created:,} leads, "
              f"{figures.team.selling_hours_per_win} selling h per win")
    finally:
        db.close()
