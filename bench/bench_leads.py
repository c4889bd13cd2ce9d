"""Lead scoring of every marketing-side lead on the large synthetic database.

Why: the Leads view scores all leads each time it opens or the data changes (on the worker),
so the whole ranking must stay a fraction of a second on a team with years of history.
What is timed is the call the view makes (``score_leads`` with the settings' threshold),
paired in turns with a floor: a bare SELECT of the same leads' columns, the least any
ranking of them has to read. The ratio within each turn is the figure (the machine is
shared); the milliseconds are given beside it against the 500 ms budget: the ranking is
shown when the scores arrive. The view's second read, the reps with their open deals for
the hand-off list (which the ranking does not wait for), is timed the same way.
"""

from __future__ import annotations

from peewee import JOIN

from bench.paired import paired_in_process, spread

RUNS = 9
TARGET_MS = 500.0  # the Leads view's budget, off the GUI thread


def run() -> None:
    from app import settings
    from app.lead_score import score_leads
    from app.pipeline import live_stages
    from app.rep_admin import list_rep_rows
    from bench.synthetic import ensure_large_db
    from db.connection import bind, make_database
    from db.models import Deal, LeadSource, Rep

    db = make_database(str(ensure_large_db()))
    bind(db)
    try:
        threshold = settings.load().sales_ready_threshold
        marketing = [s.id for s in live_stages()
                     if s.side == "marketing" and s.outcome == "open"]

        def floor() -> list:
            return list(
                Deal.select(
                    Deal.id, Deal.version, Deal.title, Deal.company, Deal.stage, Deal.value,
                    Deal.industry, Deal.company_size, Deal.region, LeadSource.name, Rep.name,
                )
                .join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
                .switch(Deal)
                .join(Rep, JOIN.LEFT_OUTER, on=(Deal.owner == Rep.id))
                .where(Deal.stage.in_(marketing))
                .tuples()
            )

        leads = score_leads(threshold)
        floor_ms, score_ms, ratios = paired_in_process(floor, lambda: score_leads(threshold),
                                                       RUNS)
        owners_floor_ms, owners_ms, owners_ratios = paired_in_process(floor, list_rep_rows, RUNS)
        ready = sum(lead.ready for lead in leads)
        print(f"leads: {len(leads):,} leads ({ready:,} ready); bare SELECT of them (floor) "
              f"median {floor_ms:.0f} ms")
        print(f"leads: score_leads as the Leads view calls it, median {score_ms:.0f} ms of "
              f"{RUNS} = {score_ms / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms budget; "
              f"{spread(ratios, '×')} the floor (paired, median and range)")
        print(f"leads: then the hand-off list (list_rep_rows, after the ranking is shown), "
              f"median {owners_ms:.0f} ms; {spread(owners_ratios, '×')} the floor "
              f"({owners_floor_ms:.0f} ms)")
    finally:
        db.close()
