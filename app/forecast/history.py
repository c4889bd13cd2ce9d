"""Facts read from the event log (StageChange) as it stood at a cutoff.

Why: every figure of the forecast must be rebuildable "as of" a past date, so nothing here
reads a deal's current stage when a cutoff in the past is given: the state of each deal is
the ``to_stage`` of its last move before the cutoff, and only moves before the cutoff count.
On the live forecast (cutoff = the end of today) the deal table holds that state already and
is read instead.

:func:`read_history` reads the log once — one ordered scan of the moves before the cutoff
and one of the deals' few columns, as stored (no per-value conversion) — and every fact is
derived from that in one pass: the stages each deal passed and where it stood, each stay in
a stage with its length and what followed, each deal's wins. Many GROUP BY queries over the
same 300,000 moves cost several times more than reading them once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.activities import day_start_utc
from app.money import CENT
from app.periods import Period
from db.bulk import rows_by_id
from db.connection import database
from db.models import Deal, Stage, StageChange

BLEND_K = 5  # the manager's estimate counts as this many closed deals
RUN_RATE_PERIODS = 4  # past periods the pipeline-not-yet-created term averages
RUN_RATE_PARTS = 3  # value groups of the not-yet-created wins (their values are heavy-tailed)


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


@dataclass(frozen=True)
class Visit:
    """Stays in open sales stages grouped: ``n`` deals of ``owner_id`` in value ``band``
    that entered ``stage_id`` before the cutoff and left it after ``days`` whole days for
    ``next_stage`` — or are still there at the cutoff (``next_stage`` None: censored)."""

    owner_id: int | None
    band: int
    stage_id: int
    days: int
    next_stage: int | None
    n: int


@dataclass(frozen=True)
class RunRate:
    """The pipeline not yet created, for one owner: per value group (smallest to largest
    third of the past such wins), the wins per period (a Poisson rate) and their average
    value. Deals created after the same elapsed point of a past period and won inside it."""

    parts: tuple[tuple[float, Decimal], ...]  # (wins per period, average value)

    @property
    def expected(self) -> Decimal:
        total = sum((value * Decimal(rate) for rate, value in self.parts), Decimal(0))
        return total.quantize(CENT)


def _moment(value) -> datetime:
    """A stored timestamp as a datetime (SQLite gives ISO text, PostgreSQL a datetime)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class History:
    """Everything the forecast learns from the log before one cutoff. Build it with
    :func:`read_history`."""

    def __init__(self, cutoff: Cutoff, facts: dict[int, StageFacts]):
        self.cutoff = cutoff
        self.facts = facts
        self.won_stages = {s.id for s in facts.values() if s.outcome == "won"}
        self.sales_open = {s.id for s in facts.values()
                           if s.outcome == "open" and s.side == "sales"}
        # deal id -> (owner id, value in cents, expected close, created at (as stored))
        self.deals: dict[int, tuple] = {}
        # deal -> (stage, entered at (as stored on the live database))
        self.state: dict[int, tuple[int, datetime | str]] = {}
        self.passed: dict[int, dict[str, int]] = defaultdict(
            lambda: {"won": 0, "lost": 0, "open": 0})
        self.stays: list[tuple[int, int, int, int | None]] = []  # deal, stage, days, next
        self.first_won: dict[int, datetime] = {}
        self.last_won: dict[int, datetime] = {}
        self.first_move: datetime | None = None

    # ---- facts ----------------------------------------------------------------------------

    def value(self, deal_id: int) -> Decimal:
        return Deal.value.python_value(self.deals[deal_id][1])

    def open_deals(self) -> list[OpenDeal]:
        """The deals open on the sales side at the cutoff (values as they are today)."""
        ids = [d for d, (stage, _) in self.state.items() if stage in self.sales_open]
        rows = rows_by_id(Deal, (Deal.id, Deal.uuid, Deal.title, Deal.company), ids)
        out = []
        for deal_id, raw_uuid, title, company in rows:
            owner, _, close, created = self.deals[deal_id]
            stage, entered = self.state[deal_id]
            out.append(OpenDeal(deal_id, str(Deal.uuid.python_value(raw_uuid)), title, company,
                                owner, stage, self.value(deal_id), _day(close),
                                _moment(entered), _moment(created)))
        out.sort(key=lambda d: d.deal_id)
        return out

    def visits(self, thresholds: tuple[Decimal, ...]) -> list[Visit]:
        """Every stay in an open sales stage before the cutoff, grouped by owner, value band
        (how many of ``thresholds`` the deal's value reaches), stage, whole days and what
        followed."""
        cents = [int(t * 100) for t in thresholds]
        group = {deal_id: (owner, sum(1 for c in cents if value >= c))
                 for deal_id, (owner, value, _, _) in self.deals.items()}
        counts = Counter((*group[deal_id], stage, days, following)
                         for deal_id, stage, days, following in self.stays)
        return [Visit(*key, n) for key, n in counts.items()]

    def slips(self) -> list[tuple[int | None, int, int]]:
        """(owner id, whole days from the expected close date to the first win, deals) for
        the deals won before the cutoff that had an expected close date. Positive: later."""
        counts: dict[tuple[int | None, int], int] = defaultdict(int)
        for deal_id, won_at in self.first_won.items():
            owner, _, close, _ = self.deals.get(deal_id, (None, 0, None, None))
            close = _day(close)
            if close is not None:
                counts[(owner, (won_at - datetime.combine(close, datetime.min.time())).days)] += 1
        return [(owner, days, n) for (owner, days), n in counts.items()]

    def won_between(self, lo: datetime, hi: datetime) -> dict[int | None, Decimal]:
        """owner id -> value of the deals standing won at the cutoff whose latest move into
        a won stage falls in [lo, hi)."""
        totals: dict[int | None, int] = defaultdict(int)
        for deal_id, won_at in self.last_won.items():
            if lo <= won_at < hi and self.state.get(deal_id, (None,))[0] in self.won_stages:
                owner, value, _, _ = self.deals[deal_id]
                totals[owner] += value
        return {owner: Deal.value.python_value(units) for owner, units in totals.items()}

    def run_rates(self, period: Period) -> dict[int | None, RunRate]:
        """owner id -> :class:`RunRate` for the rest of ``period`` after the cutoff, from the
        :data:`RUN_RATE_PERIODS` periods before it that the history covers. Elapsed: how far
        the cutoff is into the period (0 before it starts: then the whole period)."""
        start = day_start_utc(period.start)
        end = day_start_utc(period.end + timedelta(days=1))
        moment = self.cutoff.moment
        if moment >= end or self.first_move is None:
            return {}
        elapsed = max(0.0, (moment - start).total_seconds() / (end - start).total_seconds())
        past = []
        for k in range(1, RUN_RATE_PERIODS + 1):
            p = period.shifted(-k)
            lo, hi = day_start_utc(p.start), day_start_utc(p.end + timedelta(days=1))
            if lo >= self.first_move - timedelta(days=1) and hi <= moment:
                past.append((lo, hi))
        if not past:
            return {}
        since = min(lo for lo, _ in past)
        found: dict[int | None, list[int]] = defaultdict(list)
        for deal_id, won_at in self.first_won.items():
            if won_at < since:
                continue
            owner, value, _, created = self.deals[deal_id]
            created = _moment(created)
            for lo, hi in past:
                if lo + (hi - lo) * elapsed <= created < hi and won_at < hi:
                    found[owner].append(value)
        rates = {}
        for owner, values in found.items():
            values.sort()
            size = -(-len(values) // RUN_RATE_PARTS)
            groups = [values[i:i + size] for i in range(0, len(values), size)]
            rates[owner] = RunRate(tuple(
                (len(g) / len(past), (Deal.value.python_value(sum(g)) / len(g)).quantize(CENT))
                for g in groups))
        return rates


def read_history(cutoff: Cutoff, facts: dict[int, StageFacts] | None = None) -> History:
    """Read the deals and the moves before the cutoff once, and derive every fact."""
    history = History(cutoff, facts if facts is not None else stages())
    live = cutoff.live
    query = Deal.select(Deal.id, Deal.owner, Deal.value, Deal.expected_close, Deal.created_at,
                        Deal.stage, Deal.stage_entered_at)
    if not live:
        query = query.where(Deal.created_at < cutoff.moment)
    for deal_id, owner, value, close, created, stage, entered in _raw(query):
        history.deals[deal_id] = (owner, value or 0, close, created)
        if live:
            history.state[deal_id] = (stage, entered)  # parsed when read (most are closed)
    moves = (StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.changed_at)
             .where(StageChange.changed_at < cutoff.moment)
             .order_by(StageChange.deal, StageChange.changed_at, StageChange.id))
    rows = _raw(moves)
    parse = datetime.fromisoformat if rows and isinstance(rows[0][2], str) else _moment
    sales_open, won_stages = history.sales_open, history.won_stages
    stays, first_won, last_won = history.stays, history.first_won, history.last_won
    first_move = None
    current, stage, entered, passed = None, None, None, set()
    for deal_id, to_stage, changed in rows:
        changed = parse(changed)
        if deal_id != current:
            if current is not None:
                _close(history, current, stage, entered, passed)
            current, passed = deal_id, set()
            if first_move is None or changed < first_move:  # a deal's first move is its
                first_move = changed  # earliest: the moves are in time order per deal
        elif stage in sales_open:
            stays.append((deal_id, stage, (changed - entered).days, to_stage))
        stage, entered = to_stage, changed
        passed.add(to_stage)
        if to_stage in won_stages:
            first_won.setdefault(deal_id, changed)
            last_won[deal_id] = changed
    if current is not None:
        _close(history, current, stage, entered, passed)
    history.first_move = first_move
    return history


def _close(history: History, deal_id: int, stage: int, entered: datetime,
           passed: set[int]) -> None:
    """The end of one deal's moves: its open stay (censored at the cutoff), its state, and
    the stages it passed counted by where it stood (a deal lost or won from a later stage
    counts as closed from every earlier stage it passed)."""
    if deal_id not in history.deals:
        return  # a deal deleted since: its moves are gone with it on a live database
    if not history.cutoff.live:
        history.state[deal_id] = (stage, entered)
    stage_now = history.state.get(deal_id, (stage,))[0]
    if stage_now in history.sales_open:
        entered_now = _moment(history.state[deal_id][1])
        history.stays.append((deal_id, stage_now,
                              (history.cutoff.moment - entered_now).days, None))
    outcome = history.facts[stage_now].outcome if stage_now in history.facts else "open"
    for passed_stage in passed:
        history.passed[passed_stage][outcome] += 1


def _raw(query):
    """The rows of ``query`` as stored, without Peewee's conversion of every value."""
    sql, params = query.sql()
    return database.obj.execute_sql(sql, params).fetchall()
