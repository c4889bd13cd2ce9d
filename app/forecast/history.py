"""Facts read from the event log (StageChange) as it stood at a cutoff.

Why: every figure of the forecast must be rebuildable "as of" a past date, so nothing here
reads a deal's current stage when a cutoff in the past is given: the state of each deal is
the ``to_stage`` of its last move before the cutoff, and only moves before the cutoff count.
On the live forecast (cutoff = the end of today) the deal table holds that state already and
is read instead.

:func:`load_log` reads the log once — one ordered scan of the moves before a cutoff and one
of the deals' few columns, timestamps parsed into numpy arrays — and :func:`history_at`
derives every fact at that cutoff or any earlier one from it with a few array masks: the
stages each deal passed and where it stood, each stay in a stage with its length and what
followed, each deal's wins. The trend and the track record read the log once for all their
days; :func:`read_history` is the one-cutoff case. Many GROUP BY queries over the same
300,000 moves cost several times more than reading them once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

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

    def __init__(self, cutoff: Cutoff, facts: dict[int, StageFacts],
                 labels: Callable[[list[int]], dict[int, tuple[str, str, str]]]):
        self.cutoff = cutoff
        self.facts = facts
        self.labels = labels  # deal ids -> (uuid, title, company): Log.labels
        self.won_stages = {s.id for s in facts.values() if s.outcome == "won"}
        self.sales_open = {s.id for s in facts.values()
                           if s.outcome == "open" and s.side == "sales"}
        # deal id -> (owner id, value in cents, expected close (as stored), created at)
        self.deals: dict[int, tuple] = {}
        # deal -> (stage, entered at (as stored on the live database)): every deal on a live
        # cutoff, the deals open on the sales side at a past one
        self.state: dict[int, tuple[int, datetime | str]] = {}
        self.passed: dict[int, dict[str, int]] = {}
        self.stays: _Stays | None = None
        self.won_now: set[int] = set()  # deals standing in a won stage at the cutoff
        self.first_won: dict[int, datetime] = {}
        self.last_won: dict[int, datetime] = {}
        self.first_move: datetime | None = None

    # ---- facts ----------------------------------------------------------------------------

    def value(self, deal_id: int) -> Decimal:
        return Deal.value.python_value(self.deals[deal_id][1])

    def open_deals(self) -> list[OpenDeal]:
        """The deals open on the sales side at the cutoff (values as they are today)."""
        ids = sorted(d for d, (stage, _) in self.state.items() if stage in self.sales_open)
        out = []
        for deal_id, (uuid, title, company) in self.labels(ids).items():
            owner, _, close, created = self.deals[deal_id]
            stage, entered = self.state[deal_id]
            out.append(OpenDeal(deal_id, uuid, title, company, owner, stage,
                                self.value(deal_id), _day(close), _moment(entered), created))
        return out

    def visits(self, thresholds: tuple[Decimal, ...]) -> list[Visit]:
        """Every stay in an open sales stage before the cutoff, grouped by owner, value band
        (how many of ``thresholds`` the deal's value reaches), stage, whole days and what
        followed."""
        stays = self.stays
        if stays is None or not len(stays.deal):
            return []
        band = np.searchsorted(np.array([int(t * 100) for t in thresholds], dtype=np.int64),
                               stays.value, side="right")
        keys, counts = _counted(stays.owner, band, stays.stage, stays.days, stays.next_stage)
        return [Visit(None if owner < 0 else owner, b, stage, days,
                      None if following < 0 else following, n)
                for (owner, b, stage, days, following), n
                in zip(keys.tolist(), counts.tolist(), strict=True)]

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
            if lo <= won_at < hi and deal_id in self.won_now:
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


class Log:
    """The deals and their moves up to a latest cutoff, read once: every earlier cutoff's
    :class:`History` is derived from it in memory (:func:`history_at`), so the trend and the
    track record read the log once instead of once per point.

    ``deals``: deal id -> (owner id, value in cents, expected close (as stored), created at);
    ``state`` (a live log only): deal id -> (stage, entered at (as stored)), the deal table's;
    ``moves``: the moves as :class:`Moves` arrays."""

    def __init__(self, cutoff: Cutoff, facts: dict[int, StageFacts],
                 deals: dict[int, tuple], state: dict[int, tuple[int, datetime | str]],
                 moves: Moves):
        self.cutoff = cutoff
        self.facts = facts
        self.deals = deals
        self.state = state
        self.moves = moves
        self._labels: dict[int, tuple[str, str, str]] = {}

    def labels(self, ids: list[int]) -> dict[int, tuple[str, str, str]]:
        """deal id -> (uuid, title, company) of ``ids`` (in their order), each deal's read
        once per log."""
        missing = [i for i in ids if i not in self._labels]
        for deal_id, raw_uuid, title, company in rows_by_id(
                Deal, (Deal.id, Deal.uuid, Deal.title, Deal.company), missing):
            self._labels[deal_id] = (str(Deal.uuid.python_value(raw_uuid)), title, company)
        return {i: self._labels[i] for i in ids}


@dataclass(frozen=True)
class Moves:
    """Every move as numpy arrays, one element a move, ordered by deal, time and id, each
    with what the forecast asks of it: when the deal's next move came (:data:`NEVER` if
    none) and to which stage (-1), the deal's creation (:data:`NEVER` for a deal no longer
    there), owner (-1 for none) and value in cents, and on a live log the deal's stage in
    the deal table (-1 for a deal no longer there). Why arrays: a cutoff's facts are then a
    few masks over them rather than a Python loop over 300,000 moves per cutoff."""

    deal: np.ndarray
    stage: np.ndarray
    at: np.ndarray  # datetime64[us]
    next_at: np.ndarray
    next_stage: np.ndarray
    created: np.ndarray
    owner: np.ndarray
    value: np.ndarray
    live_stage: np.ndarray | None


NEVER = np.datetime64("9999-12-31T00:00:00", "us")
DAY = np.timedelta64(1, "D")


def _times(values: list) -> np.ndarray:
    """Stored timestamps (ISO text on SQLite, datetimes on PostgreSQL) as datetime64[us]."""
    return np.array(values, dtype="datetime64[us]")


def load_log(cutoff: Cutoff, facts: dict[int, StageFacts] | None = None) -> Log:
    """Read the deals created and the moves made before ``cutoff`` (on a live cutoff every
    deal, with its current state), timestamps parsed once."""
    live = cutoff.live
    query = Deal.select(Deal.id, Deal.owner, Deal.value, Deal.expected_close, Deal.created_at,
                        Deal.stage, Deal.stage_entered_at)
    if not live:
        query = query.where(Deal.created_at < cutoff.moment)
    rows = _raw(query)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    created_at = _times([r[4] for r in rows])
    deals = {r[0]: (r[1], r[2] or 0, r[3], created)
             for r, created in zip(rows, created_at.tolist(), strict=True)}
    state = {r[0]: (r[5], r[6]) for r in rows} if live else {}  # entered parsed when read
    moves = (StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.changed_at)
             .where(StageChange.changed_at < cutoff.moment)
             .order_by(StageChange.deal, StageChange.changed_at, StageChange.id))
    rows_m = _raw(moves)
    deal = np.array([r[0] for r in rows_m], dtype=np.int64)
    stage = np.array([r[1] for r in rows_m], dtype=np.int64)
    at = _times([r[2] for r in rows_m])
    same = deal[1:] == deal[:-1]  # the next move is the same deal's
    next_at = np.full(len(deal), NEVER)
    next_at[:-1][same] = at[1:][same]
    next_stage = np.full(len(deal), -1, dtype=np.int64)
    next_stage[:-1][same] = stage[1:][same]
    order = np.argsort(ids)
    where = np.minimum(np.searchsorted(ids, deal, sorter=order), max(len(ids) - 1, 0))
    row = order[where] if len(ids) else where
    found = ids[row] == deal if len(ids) else np.zeros(len(deal), dtype=bool)

    def per_move(values: list, missing, dtype=None) -> np.ndarray:
        column = np.asarray(values, dtype=dtype)
        return np.where(found, column[row], missing) if len(ids) else \
            np.full(len(deal), missing, dtype=column.dtype)

    live_stage = per_move([r[5] for r in rows], -1, np.int64) if live else None
    return Log(cutoff, facts if facts is not None else stages(), deals, state, Moves(
        deal, stage, at, next_at, next_stage, per_move(created_at, NEVER),
        per_move([-1 if r[1] is None else r[1] for r in rows], -1, np.int64),
        per_move([r[2] or 0 for r in rows], 0, np.int64), live_stage))


def read_history(cutoff: Cutoff, facts: dict[int, StageFacts] | None = None) -> History:
    """Read the deals and the moves before the cutoff once, and derive every fact."""
    return history_at(load_log(cutoff, facts), cutoff)


def history_at(log: Log, cutoff: Cutoff) -> History:
    """Every fact of the log as it stood at ``cutoff`` (no later than the log's own; a live
    cutoff needs a live log): only the deals created and the moves made before it count.

    Each deal's state is its last move before the cutoff (the deal table's on a live one);
    each pair of its moves before the cutoff is a stay in the first one's stage, and its
    last stay is censored at the cutoff; the stages it passed count as closed from them by
    where it stands (a deal lost or won from a later stage counts as closed from every
    earlier stage it passed)."""
    if cutoff.moment > log.cutoff.moment or (cutoff.live and not log.cutoff.live):
        raise ValueError("the log was read up to an earlier cutoff")
    history = History(cutoff, log.facts, log.labels)
    moment = np.datetime64(cutoff.moment, "us")
    m = log.moves
    if cutoff.live:
        history.deals, history.state = log.deals, log.state
        known = m.created < NEVER  # deals deleted since: their moves are gone with them
    else:
        history.deals = {d: row for d, row in log.deals.items() if row[3] < cutoff.moment}
        known = m.created < moment
    before = m.at < moment
    if before.any():
        history.first_move = m.at[before].min().item()
    rows = before & known
    moved_on = rows & (m.next_at < moment)  # a later move of the deal before the cutoff
    last = rows & ~moved_on  # each deal's last move before the cutoff
    deal_now = m.deal[last]
    stage_now = m.live_stage[last] if cutoff.live else m.stage[last]
    sales_open = np.array(sorted(history.sales_open), dtype=np.int64)
    won = np.array(sorted(history.won_stages), dtype=np.int64)
    open_now = np.isin(stage_now, sales_open)
    if cutoff.live:
        censored_days = np.array([(cutoff.moment - _moment(log.state[d][1])).days
                                  for d in deal_now[open_now].tolist()], dtype=np.int64)
    else:
        entered = m.at[last][open_now]
        censored_days = (moment - entered) // DAY
        history.state = dict(zip(deal_now[open_now].tolist(),
                                 zip(stage_now[open_now].tolist(), entered.tolist(), strict=True),
                                 strict=True))
    ended = moved_on & np.isin(m.stage, sales_open)
    history.stays = _Stays(
        np.concatenate([m.deal[ended], deal_now[open_now]]),
        np.concatenate([m.stage[ended], stage_now[open_now]]),
        np.concatenate([(m.next_at[ended] - m.at[ended]) // DAY, censored_days]),
        np.concatenate([m.next_stage[ended], np.full(int(open_now.sum()), -1)]),
        np.concatenate([m.owner[ended], m.owner[last][open_now]]),
        np.concatenate([m.value[ended], m.value[last][open_now]]))
    history.passed = _passed(history.facts, m.deal[rows], m.stage[rows], deal_now, stage_now)
    history.won_now = set(deal_now[np.isin(stage_now, won)].tolist())
    wins = rows & np.isin(m.stage, won)
    win_deal, win_at = m.deal[wins], m.at[wins]
    _, first = np.unique(win_deal, return_index=True)
    _, last_back = np.unique(win_deal[::-1], return_index=True)
    latest = len(win_deal) - 1 - last_back
    history.first_won = dict(zip(win_deal[first].tolist(), win_at[first].tolist(), strict=True))
    history.last_won = dict(zip(win_deal[latest].tolist(), win_at[latest].tolist(), strict=True))
    return history


@dataclass(frozen=True)
class _Stays:
    """Stays in open sales stages before a cutoff, one element a stay: the deal, its stage,
    whole days, the next stage (-1: still there at the cutoff, censored), the deal's owner
    (-1 for none) and value in cents."""

    deal: np.ndarray
    stage: np.ndarray
    days: np.ndarray
    next_stage: np.ndarray
    owner: np.ndarray
    value: np.ndarray


OUTCOMES = ("open", "won", "lost")


def _passed(facts: dict[int, StageFacts], deal: np.ndarray, stage: np.ndarray,
            deal_now: np.ndarray, stage_now: np.ndarray) -> dict[int, dict[str, int]]:
    """stage -> deals that passed it, counted by the outcome of the stage each stands in
    (``deal``/``stage``: the moves, ordered by deal; ``deal_now``: each deal once, in order,
    standing in ``stage_now``; a stage no longer known counts as open)."""
    code = {sid: OUTCOMES.index(f.outcome) for sid, f in facts.items()}
    outcome_now = np.array([code.get(s, 0) for s in stage_now.tolist()], dtype=np.int64)
    outcome = outcome_now[np.searchsorted(deal_now, deal)]
    pairs, _ = _counted(deal, stage, outcome)
    keys, counts = _counted(pairs[:, 1], pairs[:, 2])
    passed: dict[int, dict[str, int]] = defaultdict(lambda: {"won": 0, "lost": 0, "open": 0})
    for (sid, out), n in zip(keys.tolist(), counts.tolist(), strict=True):
        passed[sid][OUTCOMES[out]] = n
    return passed


def _counted(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the integer ``columns`` (sorted) and how many times each occurs
    (``np.unique(axis=0)`` sorts rows as bytes, many times slower)."""
    order = np.lexsort(columns[::-1])
    rows = np.stack([c[order] for c in columns], axis=1)
    if not len(rows):
        return rows, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], np.any(rows[1:] != rows[:-1], axis=1)]))
    return rows[starts], np.diff(np.append(starts, len(rows)))


def _raw(query):
    """The rows of ``query`` as stored, without Peewee's conversion of every value."""
    sql, params = query.sql()
    return database.obj.execute_sql(sql, params).fetchall()
