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

from peewee import JOIN, fn

from app.activities import day_start_utc
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
