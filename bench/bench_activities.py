"""The team's hours and time figures for a quarter on the large synthetic database.

Why: the Activities section's Team tab computes both each time it opens or an activity is
logged (on the worker), over a database with 500,000 activities. Target: under 200 ms for
the team view of a quarter.
"""

from __future__ import annotations

import statistics
import time

RUNS = 7
TARGET_MS = 200.0


def _median_ms(work) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times, result


def run() -> None:
    from app.time_figures import period_containing, period_figures, shift_period, team_view
    from app.timesheet import load_week, team_hours
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
        in_quarter = Activity.select().where(Activity.date.between(start, end)).count()

        team_ms, team_runs, team = _median_ms(lambda: team_hours(start, end))
        figures_ms, _, figures = _median_ms(lambda: period_figures(start, end))
        both_ms, _, _ = _median_ms(lambda: team_view(start, end))
        busiest = max(team.rows, key=lambda r: r.total)
        week_ms, _, week = _median_ms(lambda: load_week(busiest.rep_id, end))

        print(f"activities: {total:,} in the database, {in_quarter:,} in {start} – {end}, "
              f"{len(team.rows)} reps")
        print(f"activities: team_hours median {team_ms:.1f} ms of {RUNS} "
              f"(runs {', '.join(f'{t:.0f}' for t in team_runs)}); "
              f"{team_ms / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms target")
        print(f"activities: period_figures median {figures_ms:.1f} ms; the Team tab's whole "
              f"load (team_view, hours summed once) {both_ms:.1f} ms = "
              f"{both_ms / TARGET_MS:.2f}× the target")
        print(f"activities: one rep's week (load_week) median {week_ms:.1f} ms "
              f"({len(week.rows)} kinds)")
        print(f"activities: team {team.total:,} h of {team.capacity:,} h capacity; "
              f"{figures.team.won_deals:,} won, {figures.team.leads_created:,} leads, "
              f"{figures.team.selling_hours_per_win} selling h per win")
    finally:
        db.close()
