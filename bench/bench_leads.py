"""Lead scoring of every marketing-side lead on the large synthetic database.

Why: the Leads view scores all leads each time it opens or the data changes (on the worker),
so the whole ranking must stay a fraction of a second on a team with years of history.
"""

from __future__ import annotations

import statistics
import time

RUNS = 5
TARGET_MS = 500.0  # the Leads view's budget, off the GUI thread


def run() -> None:
    from app.lead_score import fit_model, score_leads
    from bench.synthetic import ensure_large_db
    from db.connection import bind, make_database

    db = make_database(str(ensure_large_db()))
    bind(db)
    try:
        started = time.perf_counter()
        fit_model()
        model_ms = (time.perf_counter() - started) * 1000
        times, leads = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            leads = score_leads()
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        ready = sum(lead.ready for lead in leads)
        print(f"leads: fit model from closed history {model_ms:.0f} ms")
        print(f"leads: score_leads median {median:.0f} ms of {RUNS} "
              f"(runs {', '.join(f'{t:.0f}' for t in times)}) for {len(leads):,} leads "
              f"({ready:,} ready); {median / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms budget")
    finally:
        db.close()
