"""Reading what the reports are computed from: the stages, the moves (StageChange) of the
deals in scope, and a few columns of those deals — as stored, in one ordered scan each.

Why raw rows: a quarter on a large team is tens of thousands of moves; converting every
value through Peewee costs more than the query (the forecast's history reader does the same,
does the same). Timestamps are parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.activities import day_start_utc
from app.pipeline import list_stages
from app.reports.types import ReportScope
from db.connection import database
from db.models import Stage

DAY = Decimal("0.1")
RATE = Decimal("0.0001")


def ratio(numerator, denominator, places: Decimal = RATE) -> Decimal | None:
    """``numerator ÷ denominator`` rounded to ``places``; None with nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places)


def days_between(earlier: datetime, later: datetime) -> Decimal:
    return Decimal((later - earlier).total_seconds()) / Decimal(86400)


@dataclass(frozen=True)
class Stages:
    """The pipeline as the reports see it. ``funnel``: the live open stages by position,
    then the won stage; ``rank``: each funnel stage's place in it. A stage deleted in the
    editor (archived) has no rank: moves into it reach nothing in the funnel."""

    funnel: tuple[int, ...]
    rank: dict[int, int]
    name: dict[int, str]
    side: dict[int, str]
    outcome: dict[int, str]

    def of(self, outcome: str) -> set[int]:
        return {s for s, o in self.outcome.items() if o == outcome}

    @property
    def sales_open(self) -> set[int]:
        return {s for s, o in self.outcome.items() if o == "open" and self.side[s] == "sales"}

    @property
    def handed(self) -> set[int]:
        """The stages a lead handed to sales is in: the open sales stages and the won
        stage (lost stages are on the sales side too, but a lead lost is not handed over)."""
        return self.sales_open | self.of("won")

    @property
    def marketing(self) -> set[int]:
        return {s for s, side in self.side.items() if side == "marketing"}


def read_stages() -> Stages:
    every = list(Stage.select(Stage.id, Stage.name, Stage.position, Stage.side,
                              Stage.outcome).order_by(Stage.position).tuples())
    live = {s.id for s in list_stages()}
    funnel_open = [s for s, _n, _p, _side, outcome in every if outcome == "open" and s in live]
    won = [s for s, _n, _p, _side, outcome in every if outcome == "won" and s in live]
    funnel = tuple(funnel_open + won[:1])
    rank = {s: i for i, s in enumerate(funnel)}
    return Stages(funnel, rank, {s: n for s, n, *_ in every},
                  {s: side for s, _n, _p, side, _o in every},
                  {s: o for s, _n, _p, _side, o in every})


def window(start: date, end: date) -> tuple[datetime, datetime]:
    """The local days ``start``–``end`` as a half-open range of naive UTC moments."""
    return day_start_utc(start), day_start_utc(end + timedelta(days=1))


def moment(value) -> datetime:
    """A stored timestamp as a datetime (SQLite gives ISO text, PostgreSQL a datetime)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def marks(values) -> str:
    """SQL placeholders for ``values`` ("NULL" for none: ``IN (NULL)`` matches nothing)."""
    return ", ".join([database.obj.param] * len(values)) or "NULL"


def deal_filter(scope: ReportScope, alias: str = "d") -> tuple[str, list]:
    """SQL (`` AND ...``) and parameters keeping the deals (``alias``) of the scope's rep
    and source."""
    p = database.obj.param
    sql, params = "", []
    if scope.rep_id is not None:
        sql += f" AND {alias}.owner_id = {p}"
        params.append(scope.rep_id)
    if scope.source_id is not None:
        sql += f" AND {alias}.source_id = {p}"
        params.append(scope.source_id)
    return sql, params


# deal, from, to, at, override, origin, the deal's value in cents
Move = tuple[int, int | None, int, datetime, str, str, int]


def _deals_in_scope(scope: ReportScope, lo: datetime, hi: datetime) -> tuple[str, list]:
    """SQL for the ids of the deals in scope that moved in [lo, hi)."""
    p = database.obj.param
    where, params = deal_filter(scope, "d")
    join = " JOIN deal d ON d.id = s2.deal_id" if where else ""  # only to filter
    sql = (f"SELECT s2.deal_id FROM stage_change s2{join} WHERE s2.changed_at >= {p} "
           f"AND s2.changed_at < {p}{where}")
    return sql, [lo, hi, *params]


def moves_of_deals_moved(scope: ReportScope, lo: datetime, hi: datetime) -> list[Move]:
    """Every move (all of its history) of each deal in scope that moved in [lo, hi),
    ordered by deal and time, with the deal's value."""
    deals, params = _deals_in_scope(scope, lo, hi)
    sql = (
        "SELECT sc.deal_id, sc.from_stage_id, sc.to_stage_id, sc.changed_at, "
        "sc.override_reason, sc.origin, d.value FROM stage_change sc "
        f"JOIN deal d ON d.id = sc.deal_id WHERE sc.deal_id IN ({deals}) "
        "ORDER BY sc.deal_id, sc.changed_at, sc.id"
    )
    rows = database.obj.execute_sql(sql, params).fetchall()
    if rows and isinstance(rows[0][3], str):
        parse = datetime.fromisoformat
        return [(d, f, t, parse(at), o, origin, v) for d, f, t, at, o, origin, v in rows]
    return rows


def wins_between(scope: ReportScope, lo: datetime, hi: datetime, won: set[int]
                 ) -> list[tuple[int, int | None, int | None, int]]:
    """(deal id, owner id, source id, value in cents) of the deals in scope standing in a
    won stage (``won``) whose latest move into one falls in [lo, hi) — the rule of
    :mod:`app.time_figures`."""
    p = database.obj.param
    where, params = deal_filter(scope)
    stages = sorted(won)
    return database.obj.execute_sql(
        "SELECT d.id, d.owner_id, d.source_id, d.value FROM deal d JOIN (SELECT deal_id, "
        f"MAX(changed_at) AS won_at FROM stage_change WHERE to_stage_id IN ({marks(stages)}) "
        f"GROUP BY deal_id) w ON w.deal_id = d.id WHERE d.stage_id IN ({marks(stages)}) "
        f"AND w.won_at >= {p} AND w.won_at < {p}{where}",
        [*stages, *stages, lo, hi, *params]).fetchall()
