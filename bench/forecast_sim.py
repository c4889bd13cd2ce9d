"""A simulated sales team with a known truth, to check that the forecast is calibrated.

Why: a forecast's probabilities mean something only if, of the deals given 30 %, about
30 % are won. This module simulates many quarters of a team from a model that has what real
pipelines have and a naive fit misses, writes it into a real database through the event
log, asks :func:`app.forecast.compute_forecast` "as of" several days inside each quarter,
and scores the answers against what then happened.

The truth (all seeded):

- true stage conversion that differs from the manager's percentages on the stages;
- stays whose chance to move on falls the longer a deal has sat (some deals stall: they sit
  for months and are then mostly lost);
- reps who differ in skill (odds of moving on) and pace (days per stage), and in how
  optimistic their expected close dates are — dates are set when a deal is created and never
  moved, so wins land later than expected;
- heavy-tailed (log-normal) values, big deals harder to win and slower;
- a steady flow of new deals, some created and won inside the same quarter;
- deals still open at the end of the simulation (censored).

:func:`evaluate` returns, per open deal and per forecast, the predicted chance of a win
inside the quarter and the outcome, the manager's baseline (stage percentage, counted only
when the expected close date lies in the quarter), and per rep the probability of reaching
quota with the outcome.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

STAGE_NAMES = ("Sales-ready lead", "Qualified", "Solution fit & demo", "Proposal", "Negotiation")
TRUE_FORWARD = (0.50, 0.62, 0.64, 0.72, 0.78)  # P(move on | leaves the stage, not stalled)
MEAN_DAYS = (9.0, 14.0, 18.0, 14.0, 10.0)  # mean stay when not stalled, average rep
STALL = (0.10, 0.12, 0.14, 0.12, 0.10)  # P(a stay stalls)
STALL_DAYS = 110.0  # mean stay of a stalled deal
STALL_FORWARD = 0.15  # a stalled deal that finally leaves mostly is lost
MEDIAN_VALUE = 12_000.0
VALUE_SIGMA = 1.0
SIZE_ODDS = -0.35  # per unit of log(value / median): big deals are harder
SIZE_PACE = 0.20  # and slower


@dataclass
class SimRep:
    name: str
    skill: float  # odds multiplier for moving on
    pace: float  # multiplies days per stage
    optimism: float  # expected close = this × the typical remaining time
    rate: float  # new deals per working day


@dataclass
class Scores:
    """What :func:`evaluate` measured: (predicted, outcome) pairs."""

    deals: list[tuple[float, int]] = field(default_factory=list)
    baseline: list[tuple[float, int]] = field(default_factory=list)
    quota: list[tuple[float, int]] = field(default_factory=list)
    quota_baseline: list[tuple[float, int]] = field(default_factory=list)


def brier(pairs: list[tuple[float, int]]) -> float:
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


def ece(pairs: list[tuple[float, int]], bins: int = 10) -> float:
    """Expected calibration error: Σ over equal-width bins of the bin's share × |mean
    predicted − observed rate|."""
    groups: dict[int, list[tuple[float, int]]] = {}
    for p, y in pairs:
        groups.setdefault(min(int(p * bins), bins - 1), []).append((p, y))
    return sum(len(g) / len(pairs) * abs(sum(p for p, _ in g) / len(g)
                                         - sum(y for _, y in g) / len(g))
               for g in groups.values())


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)))


def simulate(path: Path, *, seed: int, reps: int, start: date, end: date) -> None:
    """Write the team's history from ``start`` to ``end`` into a new database at ``path``
    (left open and bound)."""
    from app.workspace import open_workspace, start_empty
    from db.connection import writing
    from db.models import Deal, Quota, Rep, Stage, StageChange

    rng = random.Random(seed)
    open_workspace(path)
    start_empty("Sim Manager", "manager@sim.example")
    stage_ids = [Stage.get(Stage.name == n).id for n in STAGE_NAMES]
    won_id = Stage.get(Stage.outcome == "won").id
    lost_id = Stage.get(Stage.outcome == "lost").id
    team = [SimRep(f"Rep {i + 1}", math.exp(rng.gauss(0, 0.45)), math.exp(rng.gauss(0, 0.3)),
                   rng.uniform(0.35, 0.9), rng.uniform(0.35, 0.75)) for i in range(reps)]
    with writing():
        rep_ids = [Rep.create(name=r.name, email=f"rep{i}@sim.example", role="rep",
                              weekly_capacity_hours=40).id for i, r in enumerate(team)]
    deals, changes = [], []
    won_value: dict[tuple[int, date], Decimal] = {}
    horizon = datetime.combine(end, time.min)
    day = start
    deal_id = 0
    while day < end:
        if day.weekday() < 5:
            for r, rep in enumerate(team):
                for _ in range(_poisson(rng, rep.rate)):
                    deal_id += 1
                    row, moves = _one_deal(rng, deal_id, rep, rep_ids[r], day, stage_ids,
                                           won_id, lost_id, horizon)
                    deals.append(row)
                    changes.extend(moves)
                    if row["stage"] == won_id:
                        quarter = _quarter_start(row["stage_entered_at"].date())
                        key = (rep_ids[r], quarter)
                        won_value[key] = won_value.get(key, Decimal(0)) + row["value"]
        day += timedelta(days=1)
    quotas = []
    for r in rep_ids:
        mean = sum((v for (rid, _), v in won_value.items() if rid == r), Decimal(0))
        quarters = max(1, len({q for (rid, q) in won_value if rid == r}))
        typical = mean / quarters
        q = _quarter_start(start)
        while q < end:
            amount = (typical * Decimal(str(round(rng.uniform(0.6, 1.4), 2)))).quantize(
                Decimal(1))
            quotas.append({"rep": r, "period_start": q, "period_end": _quarter_end(q),
                           "amount": amount})
            q = _quarter_end(q) + timedelta(days=1)
    with writing():
        for chunk in range(0, len(deals), 200):
            Deal.insert_many(deals[chunk:chunk + 200]).execute()
        for chunk in range(0, len(changes), 300):
            StageChange.insert_many(changes[chunk:chunk + 300]).execute()
        Quota.insert_many(quotas).execute()


def _poisson(rng: random.Random, rate: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-rate)
    while True:
        p *= rng.random()
        if p < limit:
            return n
        n += 1


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarter_end(start: date) -> date:
    month = start.month + 3
    following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def _one_deal(rng, deal_id, rep: SimRep, owner: int, day: date, stage_ids, won_id, lost_id,
              horizon: datetime):
    value = Decimal(round(MEDIAN_VALUE * math.exp(rng.gauss(0, VALUE_SIGMA)) / 100) * 100
                    or 100)
    z = math.log(float(value) / MEDIAN_VALUE)
    odds = rep.skill * math.exp(SIZE_ODDS * z)
    pace = rep.pace * math.exp(SIZE_PACE * z)
    created = _moment(rng, day)
    typical = sum(MEAN_DAYS) * pace
    expected_close = day + timedelta(days=max(3, round(
        rep.optimism * typical + rng.gauss(0, 6))))
    moves = [(None, stage_ids[0], created)]
    when, stage = created, 0
    final = stage_ids[0]
    while True:
        stalled = rng.random() < STALL[stage]
        days = (rng.expovariate(1 / STALL_DAYS) if stalled
                else rng.gammavariate(2.0, MEAN_DAYS[stage] * pace / 2.0))
        when = when + timedelta(days=max(0.2, days))
        if when >= horizon:
            break
        p = STALL_FORWARD if stalled else TRUE_FORWARD[stage]
        forward = rng.random() < p * odds / (1 - p + p * odds)
        if not forward:
            moves.append((stage_ids[stage], lost_id, when))
            final = lost_id
            break
        if stage + 1 == len(stage_ids):
            moves.append((stage_ids[stage], won_id, when))
            final = won_id
            break
        moves.append((stage_ids[stage], stage_ids[stage + 1], when))
        stage += 1
        final = stage_ids[stage]
    entered = moves[-1][2]
    row = {"id": deal_id, "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
           "title": f"Deal {deal_id}", "company": f"Company {deal_id}", "owner": owner,
           "stage": final, "value": value, "expected_close": expected_close,
           "created_at": created, "stage_entered_at": entered, "last_activity_at": entered,
           "updated_at": entered}
    changes = [{"uuid": uuid.UUID(int=rng.getrandbits(128), version=4), "deal": deal_id,
                "from_stage": a, "to_stage": b, "changed_at": t, "changed_by": owner,
                "origin": "app"} for a, b, t in moves]
    return row, changes


def evaluate(path: Path, *, seed: int = 1, reps: int = 8, years: int = 3,
             points: tuple[int, ...] = (1, 22, 45, 68), warm_up_quarters: int = 4,
             end: date = date(2025, 1, 1)) -> Scores:
    """Simulate, then forecast each quarter after the warm-up at ``points`` (days into the
    quarter) and score every open deal's chance and every rep's probability of quota."""
    from app.forecast import compute_forecast
    from app.forecast.distribution import win_distribution
    from app.periods import parse_period
    from app.workspace import close_workspace
    from db.models import Deal, Stage, StageChange

    start = date(end.year - years, end.month, 1)
    simulate(path, seed=seed, reps=reps, start=start, end=end)
    try:
        won_id = Stage.get(Stage.outcome == "won").id
        manager = {s.name: s.probability / 100 for s in Stage.select()}
        won_at = {d: t for d, t in StageChange.select(StageChange.deal, StageChange.changed_at)
                  .where(StageChange.to_stage == won_id).tuples()}
        value_of = dict(Deal.select(Deal.id, Deal.value).tuples())
        closing = dict(Deal.select(Deal.id, Deal.expected_close).tuples())
        owner_of = dict(Deal.select(Deal.id, Deal.owner).tuples())
        scores = Scores()
        q = _quarter_start(start)
        for _ in range(warm_up_quarters):
            q = _quarter_end(q) + timedelta(days=1)
        while _quarter_end(q) < end:
            period = parse_period(f"{q.year}-Q{(q.month - 1) // 3 + 1}")
            close = datetime.combine(period.end + timedelta(days=1), time.min)
            opened = datetime.combine(period.start, time.min)
            won_in = {}
            for deal, t in won_at.items():
                if opened <= t < close:
                    won_in[owner_of[deal]] = won_in.get(owner_of[deal], Decimal(0)) + \
                        value_of[deal]
            for offset in points:
                as_of = period.start + timedelta(days=offset - 1)
                _score_one(compute_forecast(period, as_of), as_of, close, won_at, manager,
                           won_in, closing, scores, win_distribution)
            q = _quarter_end(q) + timedelta(days=1)
        return scores
    finally:
        close_workspace()


def _score_one(forecast, as_of, close, won_at, manager, won_in, closing, scores,
               win_distribution):
    cutoff = datetime.combine(as_of + timedelta(days=1), time.min)
    period = forecast.period
    for outlook in forecast.reps:
        base_wins = []
        for d in outlook.deals:
            t = won_at.get(d.deal_id)
            outcome = int(t is not None and cutoff <= t < close)
            scores.deals.append((d.p_win * d.p_in_period, outcome))
            expected_close = closing[d.deal_id]
            in_period = expected_close is not None and \
                period.start <= expected_close <= period.end
            p = manager[d.stage_name] if in_period else 0.0
            scores.baseline.append((p, outcome))
            base_wins.append((float(d.value), p))
        if outlook.quota is None or outlook.probability is None:
            continue
        reached = int(won_in.get(outlook.rep_id, Decimal(0)) >= outlook.quota)
        scores.quota.append((outlook.probability, reached))
        base = win_distribution(base_wins, shift=float(outlook.won))
        scores.quota_baseline.append((base.prob_at_least(float(outlook.quota)), reached))


def report(scores: Scores) -> str:
    lines = [
        f"deals: {len(scores.deals)} predictions; ECE {ece(scores.deals):.3f}, "
        f"Brier {brier(scores.deals):.4f} vs the manager's percentages with expected close "
        f"dates at face value: ECE {ece(scores.baseline):.3f}, "
        f"Brier {brier(scores.baseline):.4f}",
    ]
    if scores.quota:
        lines.append(
            f"quota: {len(scores.quota)} predictions; ECE {ece(scores.quota):.3f}, "
            f"Brier {brier(scores.quota):.4f} vs baseline ECE {ece(scores.quota_baseline):.3f}, "
            f"Brier {brier(scores.quota_baseline):.4f}")
    return "\n".join(lines)
