"""What the forecast reads and fits for one cutoff, kept while the database is unchanged.

Why: reading the event log and fitting the model is most of a forecast's cost, and it
depends only on the cutoff, not on the period: stepping to the next quarter, or the
Forecast view recomputing after a change that touched no data, would redo it all.

Contract: :func:`snapshot` returns the same :class:`Snapshot` for the same cutoff only
while no write has been committed to the database since it was read, by anyone; otherwise
it reads again. On SQLite this is exact and cheap on the reading connection: ``PRAGMA
data_version`` changes when another connection (or process) commits, and the connection's
own ``total_changes`` when it writes itself (a rolled-back write changes it too: then it
merely reads again). A snapshot is kept per connection (per thread). On PostgreSQL there is
no such marker for other users' commits, so nothing is kept: every forecast reads afresh.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import timedelta

from app.forecast.history import (
    Cutoff,
    History,
    OpenDeal,
    StageFacts,
    blend,
    read_history,
    stages,
)
from app.forecast.model import Model, value_bands
from app.forecast.types import StageRate
from app.time_figures import PeriodFigures, period_figures
from db.connection import data_version, database, is_sqlite

HISTORY_DAYS = 182  # the recent half-year of hours, wins and leads behind leads and hours
KEPT = 4  # cutoffs kept per connection (today's, and a few as-of dates being compared)


@dataclass(frozen=True)
class Snapshot:
    """Everything the forecast learns before ``cutoff``: the stages, the history, the stage
    rates, the open deals, the fitted model and the recent half-year's selling figures."""

    cutoff: Cutoff
    facts: dict[int, StageFacts]
    history: History
    rates: dict[int, StageRate]
    deals: list[OpenDeal]
    model: Model
    window: PeriodFigures


_kept = threading.local()


def snapshot(cutoff: Cutoff) -> Snapshot:
    """The snapshot at ``cutoff``, read afresh unless this connection has read it since the
    last committed write (see the module's contract)."""
    marker = _marker()
    if marker is None:
        return _read(cutoff)
    kept: dict[Cutoff, tuple[tuple, Snapshot]] = getattr(_kept, "by_cutoff", {})
    found = kept.get(cutoff)
    if found is not None and found[0] == marker:
        return found[1]
    fresh = _read(cutoff)
    # kept under the marker read before it: a commit made while it was read shows as a
    # change next time, never as part of a snapshot taken as current
    kept = {c: entry for c, entry in kept.items() if entry[0] == marker}
    if len(kept) >= KEPT:
        kept.pop(next(iter(kept)))
    kept[cutoff] = (marker, fresh)
    _kept.by_cutoff = kept
    return fresh


def _marker() -> tuple | None:
    """(connection, data_version, total_changes) on SQLite; None on a server database. The
    connection itself (not its id) is kept, so a new connection never matches an old one."""
    if not is_sqlite():
        return None
    connection: sqlite3.Connection = database.obj.connection()
    return (connection, data_version(), connection.total_changes)


def _read(cutoff: Cutoff) -> Snapshot:
    facts = stages()
    history = read_history(cutoff, facts)
    rates = stage_rates(facts, history.passed)
    deals = history.open_deals()
    thresholds = value_bands([d.value for d in deals])
    model = Model(facts, {r.stage_id: r.blended for r in rates.values()},
                  {r.stage_id: r.n for r in rates.values()}, history.visits(thresholds),
                  history.slips(), thresholds)
    as_of = cutoff.as_of
    window = period_figures(as_of - timedelta(days=HISTORY_DAYS - 1), as_of)
    return Snapshot(cutoff, facts, history, rates, deals, model, window)




def stage_rates(facts: dict[int, StageFacts], counts: dict[int, dict[str, int]]
                ) -> dict[int, StageRate]:
    """stage id -> its rate as shown: the manager's, history's, and the blend (open sales
    stages, in pipeline order)."""
    rates = {}
    for s in facts.values():
        if s.outcome != "open" or s.side != "sales":
            continue
        c = counts.get(s.id, {"won": 0, "lost": 0, "open": 0})
        closed = c["won"] + c["lost"]
        manager = s.probability / 100
        rates[s.id] = StageRate(s.id, s.name, manager, c["won"] / closed if closed else None,
                                closed, blend(c["won"], closed, manager))
    return rates
