"""Facts read from the event log (StageChange) as it stood at a cutoff.

Why: every figure of the forecast must be rebuildable "as of" a past date, so nothing here
reads a deal's current stage when a cutoff in the past is given; the state of each deal is
the ``to_stage`` of its last move before the cutoff. On the live forecast (cutoff = now) the
deal table already holds that state and is read instead, which is much cheaper.

Each reader is one or a few SQL aggregates (GROUP BY), never a loop over the event log in
Python, so the 100k-deal database stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from peewee import JOIN, SQL, Case, PostgresqlDatabase, Value, fn

from app.activities import day_start_utc
from app.periods import Period
from db.connection import database
from db.models import Deal, Stage, StageChange

BLEND_K = 5  # the manager's estimate counts as this many closed deals


@dataclass(frozen=True)
class Cutoff:
    """The forecast's moment: the end of the ``as_of`` day (local), as naive UTC. ``live``:
    nothing after it exists yet, so the deal table is the state at the cutoff."""

    as_of: date
    moment: datetime
    live: bool

    @classmethod
    def at(cls, as_of: date, today: date) -> Cutoff:
        return cls(as_of, day_start_utc(as_of + timedelta(days=1)), as_of >= today)


@dataclass(frozen=True)
class StageFacts:
    id: int
    name: str
    position: int
    side: str
    outcome: str
    probability: int


def stages() -> dict[int, StageFacts]:
    """Every stage (archived ones too: the history may pass through them)."""
    rows = Stage.select(Stage.id, Stage.name, Stage.position, Stage.side, Stage.outcome,
                        Stage.probability).order_by(Stage.position).tuples()
    return {r[0]: StageFacts(*r) for r in rows}


def state_at(cutoff: Cutoff):
    """A query of (deal_id, stage_id, entered_at) for every deal that existed at the cutoff."""
    if cutoff.live:
        return Deal.select(Deal.id.alias("deal_id"), Deal.stage.alias("stage_id"),
                           Deal.stage_entered_at.alias("entered_at"))
    last = (StageChange.select(StageChange.deal.alias("deal_id"),
                               fn.MAX(StageChange.changed_at).alias("at"))
            .where(StageChange.changed_at < cutoff.moment)
            .group_by(StageChange.deal).alias("last"))
    return (StageChange.select(StageChange.deal.alias("deal_id"),
                               fn.MAX(StageChange.to_stage).alias("stage_id"),
                               StageChange.changed_at.alias("entered_at"))
            .join(last, on=((StageChange.deal == last.c.deal_id)
                            & (StageChange.changed_at == last.c.at)))
            .group_by(StageChange.deal, StageChange.changed_at))


def passed_counts(cutoff: Cutoff) -> dict[int, dict[str, int]]:
    """stage id -> {"won": n, "lost": n, "open": n}: deals that entered the stage before the
    cutoff, by where they stood at the cutoff. A deal lost (or won) from a later stage counts
    as closed from every earlier stage it passed."""
    state = state_at(cutoff).alias("state")
    passed = (StageChange.select(StageChange.deal.alias("deal_id"),
                                 StageChange.to_stage.alias("stage_id"))
              .where(StageChange.changed_at < cutoff.moment).distinct().alias("passed"))
    rows = (Stage.select(passed.c.stage_id, Stage.outcome, fn.COUNT(passed.c.deal_id))
            .from_(passed)
            .join(state, on=(passed.c.deal_id == state.c.deal_id))
            .join(Stage, on=(Stage.id == state.c.stage_id))
            .group_by(passed.c.stage_id, Stage.outcome)
            .tuples())
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"won": 0, "lost": 0, "open": 0})
    for stage_id, outcome, n in rows:
        counts[stage_id][outcome] += n
    return counts


def blend(won: int, closed: int, manager: float, k: int = BLEND_K) -> float:
    """The manager's estimate blended with history: ``(won + k·manager) / (closed + k)``."""
    return (won + k * manager) / (closed + k)


@dataclass(frozen=True)
class OpenDeal:
    deal_id: int
    uuid: str
    title: str
    company: str
    owner_id: int | None
    stage_id: int
    value: Decimal
    expected_close: date | None
    entered_at: datetime
    created_at: datetime


def open_deals(cutoff: Cutoff) -> list[OpenDeal]:
    """The deals open on the sales side at the cutoff (values as they are today)."""
    sales_open = Stage.select(Stage.id).where(Stage.outcome == "open", Stage.side == "sales")
    fields = (Deal.id, Deal.uuid, Deal.title, Deal.company, Deal.owner, Deal.value,
              Deal.expected_close, Deal.created_at)
    if cutoff.live:
        query = Deal.select(*fields, Deal.stage, Deal.stage_entered_at).where(
            Deal.stage.in_(sales_open))
        rows = [(*r[:5], r[8], *r[5:7], r[9], r[7]) for r in query.tuples()]
    else:
        state = state_at(cutoff).alias("state")
        query = (Deal.select(*fields, state.c.stage_id, state.c.entered_at)
                 .join(state, on=(Deal.id == state.c.deal_id))
                 .where(state.c.stage_id.in_(sales_open)))
        rows = [(*r[:5], r[8], *r[5:7], _as_datetime(r[9]), r[7]) for r in query.tuples()]
    return [OpenDeal(r[0], str(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
            for r in rows]


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def won_between(lo: datetime, hi: datetime, cutoff: Cutoff) -> dict[int | None, Decimal]:
    """owner id -> value of the deals whose move into a won stage falls in [lo, hi) and that
    stood won at the cutoff."""
    won_stages = Stage.select(Stage.id).where(Stage.outcome == "won")
    state = state_at(cutoff).alias("state")
    won_at = (StageChange.select(StageChange.deal.alias("deal_id"),
                                 fn.MAX(StageChange.changed_at).alias("won_at"))
              .where(StageChange.to_stage.in_(won_stages),
                     StageChange.changed_at < min(hi, cutoff.moment))
              .group_by(StageChange.deal).alias("won"))
    rows = (Deal.select(Deal.owner, fn.SUM(Deal.value))
            .join(won_at, on=(Deal.id == won_at.c.deal_id))
            .join(state, JOIN.INNER, on=(Deal.id == state.c.deal_id))
            .where(state.c.stage_id.in_(won_stages), won_at.c.won_at >= lo)
            .group_by(Deal.owner).tuples())
    return {owner: Deal.value.from_units(units) for owner, units in rows}


def _days(expr):
    """An SQL expression of ``expr`` (a date or timestamp) in days, for differences."""
    if isinstance(database.obj, PostgresqlDatabase):
        return fn.EXTRACT(SQL("EPOCH FROM"), expr) / 86400.0
    return fn.julianday(expr)


@dataclass(frozen=True)
class Visit:
    """Visits of open sales stages grouped: ``n`` deals of ``owner_id`` in value ``band``
    that entered ``stage_id`` before the cutoff and left it after ``days`` whole days for
    ``next_stage`` — or are still there at the cutoff (``next_stage`` None: censored)."""

    owner_id: int | None
    band: int
    stage_id: int
    days: int
    next_stage: int | None
    n: int


def visits(cutoff: Cutoff, thresholds: tuple[Decimal, ...]) -> list[Visit]:
    """Every stay in an open sales stage before the cutoff, by owner, value band (the
    number of ``thresholds`` the deal's value reaches), stage, whole days and where it went
    next. One pass of a window function over the event log."""
    order = [StageChange.changed_at, StageChange.id]
    left = fn.LEAD(StageChange.changed_at).over(partition_by=[StageChange.deal], order_by=order)
    after = fn.LEAD(StageChange.to_stage).over(partition_by=[StageChange.deal], order_by=order)
    stays = (StageChange.select(StageChange.deal.alias("deal_id"),
                                StageChange.to_stage.alias("stage_id"),
                                StageChange.changed_at.alias("entered"),
                                left.alias("left_at"), after.alias("next_stage"))
             .where(StageChange.changed_at < cutoff.moment).alias("stays"))
    sales_open = Stage.select(Stage.id).where(Stage.outcome == "open", Stage.side == "sales")
    ended = fn.COALESCE(stays.c.left_at, cutoff.moment)
    days = _floor(_days(ended) - _days(stays.c.entered))
    cases = [(Deal.value < t, i) for i, t in enumerate(thresholds)]
    band = Case(None, cases, len(thresholds)) if cases else Value(0)
    rows = (Deal.select(Deal.owner, band, stays.c.stage_id, days, stays.c.next_stage,
                        fn.COUNT(SQL("*")))
            .join(stays, on=(Deal.id == stays.c.deal_id))
            .where(stays.c.stage_id.in_(sales_open))
            .group_by(SQL("1, 2, 3, 4, 5"))
            .tuples())
    return [Visit(o, b, s, max(0, int(d)), nxt, n) for o, b, s, d, nxt, n in rows]


def slips(cutoff: Cutoff) -> list[tuple[int | None, int, int]]:
    """(owner id, days from the expected close date to the win, deals) for the deals won
    before the cutoff that had an expected close date. Positive days: the win came later."""
    won_stages = Stage.select(Stage.id).where(Stage.outcome == "won")
    won_at = (StageChange.select(StageChange.deal.alias("deal_id"),
                                 fn.MIN(StageChange.changed_at).alias("won_at"))
              .where(StageChange.to_stage.in_(won_stages),
                     StageChange.changed_at < cutoff.moment)
              .group_by(StageChange.deal).alias("won"))
    days = _floor(_days(won_at.c.won_at) - _days(Deal.expected_close))
    rows = (Deal.select(Deal.owner, days, fn.COUNT(SQL("*")))
            .join(won_at, on=(Deal.id == won_at.c.deal_id))
            .where(Deal.expected_close.is_null(False))
            .group_by(SQL("1, 2")).tuples())
    return [(o, int(d), n) for o, d, n in rows]


def wins_of_deals_created_since(since: datetime, cutoff: Cutoff
                                ) -> list[tuple[int | None, datetime, datetime, Decimal]]:
    """(owner id, created at, first won at, value) of the deals created in [since, cutoff)
    and won before the cutoff: the pipeline that was created and won within a period."""
    won_stages = Stage.select(Stage.id).where(Stage.outcome == "won")
    won_at = (StageChange.select(StageChange.deal.alias("deal_id"),
                                 fn.MIN(StageChange.changed_at).alias("won_at"))
              .where(StageChange.to_stage.in_(won_stages),
                     StageChange.changed_at < cutoff.moment,
                     StageChange.changed_at >= since)
              .group_by(StageChange.deal).alias("won"))
    rows = (Deal.select(Deal.owner, Deal.created_at, won_at.c.won_at, Deal.value)
            .join(won_at, on=(Deal.id == won_at.c.deal_id))
            .where(Deal.created_at >= since, Deal.created_at < cutoff.moment).tuples())
    return [(o, c, _as_datetime(w), v) for o, c, w, v in rows]


def first_activity(cutoff: Cutoff) -> datetime | None:
    """When the history starts: the first move in the event log before the cutoff."""
    first = (StageChange.select(fn.MIN(StageChange.changed_at))
             .where(StageChange.changed_at < cutoff.moment).scalar())
    return None if first is None else _as_datetime(first)


def _floor(expr):
    """Whole days, rounded down, on both databases (SQLite's CAST truncates towards zero,
    so it is shifted into the positive range first)."""
    if isinstance(database.obj, PostgresqlDatabase):
        return fn.FLOOR(expr).cast("INTEGER")
    return (expr + 100000).cast("INTEGER") - 100000


RUN_RATE_PERIODS = 4  # past periods the pipeline-not-yet-created term averages


RUN_RATE_PARTS = 3  # value groups of the not-yet-created wins (their values are heavy-tailed)


@dataclass(frozen=True)
class RunRate:
    """The pipeline not yet created, for one owner: per value group (smallest to largest
    third of the past such wins), the wins per period (a Poisson rate) and their average
    value. Deals created after the same elapsed point of a past period and won inside it."""

    parts: tuple[tuple[float, Decimal], ...]  # (wins per period, average value)

    @property
    def expected(self) -> Decimal:
        total = sum((value * Decimal(rate) for rate, value in self.parts), Decimal(0))
        return total.quantize(Decimal("0.01"))


def run_rates(period: Period, cutoff: Cutoff) -> dict[int | None, RunRate]:
    """owner id -> :class:`RunRate` for the rest of ``period`` after the cutoff, from the
    :data:`RUN_RATE_PERIODS` periods before it that the history covers. Elapsed fraction:
    how far the cutoff is into the period (0 before it starts, the rest is then the whole
    period)."""
    start, end = day_start_utc(period.start), day_start_utc(period.end + timedelta(days=1))
    if cutoff.moment >= end:
        return {}
    elapsed = max(0.0, (cutoff.moment - start).total_seconds() / (end - start).total_seconds())
    first = first_activity(cutoff)
    if first is None:
        return {}
    past = [period.shifted(-k) for k in range(1, RUN_RATE_PERIODS + 1)]
    past = [p for p in past if day_start_utc(p.start) >= first - timedelta(days=1)
            and day_start_utc(p.end + timedelta(days=1)) <= cutoff.moment]
    if not past:
        return {}
    wins = wins_of_deals_created_since(day_start_utc(past[-1].start), cutoff)
    found: dict[int | None, list[Decimal]] = defaultdict(list)
    for p in past:
        lo, hi = day_start_utc(p.start), day_start_utc(p.end + timedelta(days=1))
        after = lo + (hi - lo) * elapsed
        for owner, created, won_at, value in wins:
            if after <= created < hi and won_at < hi:
                found[owner].append(value)
    rates = {}
    for owner, values in found.items():
        values.sort()
        size = -(-len(values) // RUN_RATE_PARTS)
        groups = [values[i:i + size] for i in range(0, len(values), size)]
        rates[owner] = RunRate(tuple(
            (len(g) / len(past), (sum(g, Decimal(0)) / len(g)).quantize(Decimal("0.01")))
            for g in groups))
    return rates
