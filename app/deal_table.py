"""The deals table's data: which deals, in what order, and their rows on demand.

Why it works this way: on 100,000 deals a proxy model sorting Python objects took 27 s
(issue 3's measurements), so the table never sorts or filters in Python. :func:`select_ids`
asks SQL for the ordered ids of the deals a filter matches, :func:`select_totals` for the
totals line, and :func:`fetch_rows` reads the few rows the view is about to paint.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce

from peewee import JOIN, fn

from app.activities import day_start_utc
from app.money import CENT
from app.periods import Period
from db.connection import database, is_sqlite
from db.models import Deal, LeadSource, Rep, Stage

# The sortable columns, in the table's order (keys of DealTableSpec.sort).
COLUMNS: tuple[str, ...] = (
    "title", "company", "stage", "owner", "source", "value", "expected_close",
    "next_step_due", "lost_reason", "updated_at",
)


@dataclass(frozen=True)
class DealTableSpec:
    """A filter and a sort order. None means "any"; ``text`` matches title, company, contact
    name or e-mail (case-insensitive). Ties are broken by deal id, so the order is stable."""

    owner_id: int | None = None
    stage_id: int | None = None
    source_id: int | None = None
    text: str = ""
    sort: str = "updated_at"
    descending: bool = True


@dataclass(frozen=True)
class DealRow:
    """One table row: what the columns show plus what an edit needs (ids, version)."""

    id: int
    version: int
    title: str
    company: str
    stage_id: int
    stage_name: str
    stage_outcome: str
    probability: int
    owner_id: int | None
    owner_name: str
    source_id: int | None
    source_name: str
    value: Decimal
    expected_close: date | None
    next_step: str
    next_step_due: date | None
    updated_at: datetime
    lost_reason: str = ""


def _sort_key(name: str):
    keys = {
        "title": fn.LOWER(Deal.title),
        "company": fn.LOWER(Deal.company),
        "stage": Stage.position,
        "owner": fn.LOWER(Rep.name),
        "source": fn.LOWER(LeadSource.name),
        "value": Deal.value,
        "expected_close": Deal.expected_close,
        "next_step_due": Deal.next_step_due,
        "lost_reason": fn.LOWER(Deal.lost_reason),
        "updated_at": Deal.updated_at,
    }
    if name not in keys:
        raise ValueError(f"Unknown column {name!r}; expected one of {', '.join(COLUMNS)}.")
    return keys[name]


def matching(query, spec: DealTableSpec):
    """``query`` narrowed to the deals ``spec``'s owner, stage, source and search text match:
    the one search rule, for the deals table and the board (:mod:`app.board`). The text is
    found anywhere in the title, company, contact name or e-mail, whatever the case of its
    letters ("élan" finds "Élan"), on SQLite as on PostgreSQL."""
    if spec.owner_id is not None:
        query = query.where(Deal.owner == spec.owner_id)
    if spec.stage_id is not None:
        query = query.where(Deal.stage == spec.stage_id)
    if spec.source_id is not None:
        query = query.where(Deal.source == spec.source_id)
    text = spec.text.strip()
    if text:
        columns = (Deal.title, Deal.company, Deal.contact_name, Deal.contact_email)
        if is_sqlite() and not text.isascii():
            # SQLite's LIKE ignores the case of ASCII letters alone ("MÜLLER" would miss
            # "Müller"; PostgreSQL's ILIKE would not): both sides in lower case, by Python
            # (db.connection's unicode_lower). Only for such text: it reads every row.
            found = [fn.unicode_lower(column).contains(text.lower()) for column in columns]
        else:
            found = [column.contains(text) for column in columns]
        query = query.where(reduce(operator.or_, found))
    return query


def select_ids(spec: DealTableSpec) -> list[int]:
    """The ids of the deals ``spec`` matches, in its order; empty values sort last in either
    direction. Only the sort column's table is joined, so a sort reads little."""
    key = _sort_key(spec.sort)
    order = key.desc(nulls="LAST") if spec.descending else key.asc(nulls="LAST")
    tie = Deal.id.desc() if spec.descending else Deal.id.asc()
    query = Deal.select(Deal.id)
    if spec.sort == "stage":
        query = query.join(Stage, on=(Deal.stage == Stage.id))
    elif spec.sort == "owner":
        query = query.join(Rep, JOIN.LEFT_OUTER, on=(Deal.owner == Rep.id))
    elif spec.sort == "source":
        query = query.join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
    sql, params = matching(query, spec).order_by(order, tie).sql()
    # A raw cursor: 100k one-int tuples, no model machinery.
    return [row[0] for row in database.execute_sql(sql, params)]


def select_totals(spec: DealTableSpec) -> tuple[Decimal, Decimal]:
    """Total value and value weighted by stage probability of what ``spec`` matches, exact to
    the cent: integer cents (and cents × percent) summed in SQL, in one pass over the
    matching deals. (Grouping by stage instead made SQLite walk the stage index and look up
    every deal from it: about three times slower on 100k deals, and the search box's next
    query waited behind it on the worker.)"""
    query = matching(
        Deal.select(fn.SUM(Deal.value), fn.SUM(Deal.value * Stage.probability))
        .join(Stage, on=(Deal.stage == Stage.id)), spec)
    sql, params = query.sql()
    cents, weighted = database.execute_sql(sql, params).fetchone()
    return ((Decimal(cents or 0) / 100).quantize(CENT),
            (Decimal(weighted or 0) / 10_000).quantize(CENT))


@dataclass(frozen=True)
class DealSummary:
    """The deals table's footer for what a filter matches: every deal counted, the open
    ones' value and value weighted by stage probability, and the deals won inside a period
    (their value). Won and lost deals are never added to the open pipeline."""

    count: int
    open_count: int
    open_value: Decimal
    weighted: Decimal
    won_count: int
    won_value: Decimal


def select_summary(spec: DealTableSpec, period: Period) -> DealSummary:
    """:class:`DealSummary` of what ``spec`` matches; a deal counts as won in ``period``
    when it sits in a won stage it entered on one of the period's (local) days. Summed per
    stage in SQL (integer cents), weighted in Python: exact to the cent."""
    won_from, won_until = day_start_utc(period.start), day_start_utc(
        period.end + timedelta(days=1))
    per_stage = matching(
        Deal.select(Deal.stage, fn.COUNT(Deal.id), fn.SUM(Deal.value)), spec
    ).group_by(Deal.stage)
    stages = {sid: (outcome, probability) for sid, outcome, probability
              in Stage.select(Stage.id, Stage.outcome, Stage.probability).tuples()}
    count = open_count = cents = weighted = 0
    sql, params = per_stage.sql()
    for stage_id, deals, stage_cents in database.execute_sql(sql, params):
        count += deals
        outcome, probability = stages.get(stage_id, ("open", 0))
        if outcome == "open":
            open_count += deals
            cents += stage_cents or 0
            weighted += (stage_cents or 0) * probability
    won = matching(Deal.select(fn.COUNT(Deal.id), fn.SUM(Deal.value)), spec).where(
        Deal.stage.in_([sid for sid, (outcome, _p) in stages.items() if outcome == "won"]),
        Deal.stage_entered_at >= won_from, Deal.stage_entered_at < won_until)
    sql, params = won.sql()
    won_count, won_cents = database.execute_sql(sql, params).fetchone()
    return DealSummary(count, open_count, (Decimal(cents) / 100).quantize(CENT),
                       (Decimal(weighted) / 10_000).quantize(CENT), won_count or 0,
                       (Decimal(won_cents or 0) / 100).quantize(CENT))


def fetch_rows(ids: Sequence[int]) -> dict[int, DealRow]:
    """The rows for ``ids`` (any order; missing ids are simply absent), in one query."""
    if not ids:
        return {}
    query = (
        Deal.select(
            Deal.id, Deal.version, Deal.title, Deal.company, Deal.stage, Stage.name,
            Stage.outcome, Stage.probability, Deal.owner, Rep.name, Deal.source,
            LeadSource.name, Deal.value, Deal.expected_close, Deal.next_step,
            Deal.next_step_due, Deal.updated_at, Deal.lost_reason,
        )
        .join(Stage, on=(Deal.stage == Stage.id))
        .switch(Deal)
        .join(Rep, JOIN.LEFT_OUTER, on=(Deal.owner == Rep.id))
        .switch(Deal)
        .join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
        .where(Deal.id.in_(list(ids)))
        .tuples()
    )
    rows = {}
    for (deal_id, version, title, company, stage_id, stage_name, outcome, probability,
         owner_id, owner_name, source_id, source_name, value, expected_close, next_step,
         next_step_due, updated_at, lost_reason) in query:
        rows[deal_id] = DealRow(
            deal_id, version, title, company, stage_id, stage_name, outcome, probability,
            owner_id, owner_name or "", source_id, source_name or "", value, expected_close,
            next_step, next_step_due, updated_at, lost_reason,
        )
    return rows
