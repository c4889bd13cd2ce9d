"""What the weekly workbook shows, read from the database as plain rows.

The deals are streamed from one query (50,000 open deals never sit in memory as objects);
the week's activities and stage moves are small and come as lists. Timestamps are turned
into naive local time here, the form a spreadsheet cell holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from app.activities import day_start_utc
from app.activity_kinds import category_of_kinds
from app.clock import to_local
from db.models import Activity, Deal, LeadSource, Rep, Stage, StageChange

DEAL_TEXT_FIELDS = (Deal.title, Deal.company, Deal.contact_name, Deal.contact_email,
                    Deal.contact_phone, Deal.next_step, Deal.industry, Deal.region)


def local_naive(stamp: datetime | None) -> datetime | None:
    """A stored UTC timestamp as naive local time (openpyxl refuses aware datetimes)."""
    return None if stamp is None else to_local(stamp).replace(tzinfo=None)


def as_stamp(value: datetime | str) -> datetime:
    """A timestamp column's value from a raw row: SQLite gives text, PostgreSQL datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def uuid_hex(value) -> str:
    """A uuid column's value as 32 hex digits (SQLite stores them so; PostgreSQL's driver
    returns a UUID or its text)."""
    return value.hex if hasattr(value, "hex") and not isinstance(value, str) else (
        str(value).replace("-", ""))


def week_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The stored (UTC) moments at which the local days ``start`` to ``end`` begin and end."""
    return day_start_utc(start), day_start_utc(end + timedelta(days=1))


def _deals_query(lo: datetime, hi: datetime):
    owner = Rep.alias()
    return (
        Deal.select(
            Deal.title, Deal.company, Deal.contact_name, Deal.contact_email,
            Deal.contact_phone, owner.name, Stage.name, Deal.value, Stage.probability,
            Deal.expected_close, Deal.next_step, Deal.next_step_due, LeadSource.name,
            Deal.industry, Deal.region, Deal.stage_entered_at, Deal.created_at,
            Deal.last_activity_at, Deal.uuid, Deal.version, Stage.outcome, Stage.id,
        )
        .join(Stage, on=(Deal.stage == Stage.id))
        .switch(Deal).join(owner, JOIN.LEFT_OUTER, on=(Deal.owner == owner.id))
        .switch(Deal).join(LeadSource, JOIN.LEFT_OUTER, on=(Deal.source == LeadSource.id))
        .where((Stage.outcome == "open")
               | ((Deal.stage_entered_at >= lo) & (Deal.stage_entered_at < hi)))
        .order_by(Stage.position, Deal.value.desc(), Deal.id)
    )


def count_deals(lo: datetime, hi: datetime) -> int:
    """How many rows :func:`deal_rows` yields (for progress and the table's range)."""
    return _deals_query(lo, hi).order_by().count()


def deal_rows(lo: datetime, hi: datetime) -> Iterator[list]:
    """Every open deal and every deal that entered a won or lost stage between ``lo`` and
    ``hi`` (stored moments), by stage then value: rows in :func:`_deals_query`'s order.
    Raw rows from the driver, but for the money (Decimal) and the dates: timestamps may be
    text (:func:`as_stamp`) and the uuid text or a UUID (:func:`uuid_hex`)."""
    sql, params = _deals_query(lo, hi).sql()
    cents = Deal.value.python_value
    for raw in Deal._meta.database.execute_sql(sql, params):
        row = list(raw)
        row[7] = cents(row[7])
        row[9], row[11] = _day(row[9]), _day(row[11])
        yield row


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def text_widths(lo: datetime, hi: datetime) -> dict[str, int]:
    """The longest text per deal text column, so column widths fit before rows are written
    (a streamed sheet writes its widths first)."""
    query = _deals_query(lo, hi).order_by().select(
        *(fn.MAX(fn.LENGTH(f)) for f in DEAL_TEXT_FIELDS))
    maxima = query.tuples().get()
    return {f.name: int(m or 0) for f, m in zip(DEAL_TEXT_FIELDS, maxima, strict=True)}


def activity_rows(start: date, end: date) -> list[tuple]:
    """The week's activities: (date, rep, kind, category, hours, deal, company, note)."""
    categories = category_of_kinds()
    query = (
        Activity.select(Activity.date, Rep.name, Activity.kind, Activity.hours, Deal.title,
                        Deal.company, Activity.note)
        .join(Rep, on=(Activity.rep == Rep.id))
        .switch(Activity).join(Deal, JOIN.LEFT_OUTER, on=(Activity.deal == Deal.id))
        .where(Activity.date.between(start, end))
        .order_by(Activity.date, Rep.name, Activity.id)
        .tuples()
    )
    return [(day, rep, kind, categories.get(kind, "other"), hours, title or "", company or "",
             note) for day, rep, kind, hours, title, company, note in query]


def stage_history_rows(lo: datetime, hi: datetime) -> list[tuple]:
    """The week's stage moves: (when, deal, company, from, to, by, origin, override reason,
    lost reason), oldest first, with ``when`` in local time."""
    source, target, actor = Stage.alias(), Stage.alias(), Rep.alias()
    query = (
        StageChange.select(StageChange.changed_at, Deal.title, Deal.company, source.name,
                           target.name, actor.name, StageChange.origin,
                           StageChange.override_reason, StageChange.lost_reason)
        .join(Deal, on=(StageChange.deal == Deal.id))
        .switch(StageChange).join(source, JOIN.LEFT_OUTER,
                                  on=(StageChange.from_stage == source.id))
        .switch(StageChange).join(target, on=(StageChange.to_stage == target.id))
        .switch(StageChange).join(actor, JOIN.LEFT_OUTER, on=(StageChange.changed_by == actor.id))
        .where((StageChange.changed_at >= lo) & (StageChange.changed_at < hi))
        .order_by(StageChange.changed_at, StageChange.id)
        .tuples()
    )
    return [(local_naive(when), *rest[:2], rest[2] or "", rest[3], rest[4] or "", *rest[5:])
            for when, *rest in query]
