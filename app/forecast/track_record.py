"""The forecast's trend through a period and its track record over past periods (issue 12).

- **Trend**: the probability of quota as the as-of forecast gave it at the end of each week
  of the period so far (and today), per rep and for the team.
- **Track record**: for each closed past period with quotas, what the forecast said at
  points through it (every :data:`CHECK_DAYS` days) and whether quota was reached; scored
  with the Brier score (mean of (probability − outcome)², 0 perfect, 0.25 a coin toss)
  beside the plain weighted pipeline's — Σ value × the manager's stage percentage for the
  open deals whose expected close date falls in the period (taken at face value), plus what
  is won, turned into a probability of quota by the same exact distribution of a sum of
  independent wins. With :data:`RELIABILITY_MIN` or more checks, a reliability table
  (probability bins: mean forecast against the share that reached quota).

Both read the event log once, up to their latest day, and derive each day's as-of forecast
from it (:func:`~app.forecast.engine.forecast_from_log`, the same code as
:func:`~app.forecast.engine.compute_forecast`): call them on the database worker.
:func:`iter_track_record` yields each period as it is computed and takes a
:class:`~app.jobs.JobControl` for progress and cancel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app import clock
from app.activities import day_start_utc
from app.forecast.distribution import win_distribution
from app.forecast.engine import forecast_from_log
from app.forecast.history import Cutoff, Log, history_at, load_log
from app.forecast.types import Forecast, Outlook
from app.jobs import JobControl
from app.periods import Period
from app.quotas import quotas_in_force

CHECK_DAYS = 14  # the track record looks at the forecast every fortnight of a period
PAST_PERIODS = 4
RELIABILITY_BINS = 5
RELIABILITY_MIN = 20  # checks before a reliability table means anything
JUDGE_MIN_PERIODS = 4  # closed periods before the track record can be judged


@dataclass(frozen=True)
class TrendPoint:
    """The probability of quota as of the end of ``as_of``: the team's and per rep
    (rep id, name, probability; None without a quota)."""

    as_of: date
    team: float | None
    reps: tuple[tuple[int | None, str, float | None], ...]


@dataclass(frozen=True)
class Check:
    """What the forecast (``probability``) and the weighted pipeline (``weighted``) said of
    one rep's (or the team's, ``rep_id`` None) quota as of ``as_of``, and whether it was
    reached (``reached``, from what was won by the period's end)."""

    period: str
    as_of: date
    rep_id: int | None
    rep_name: str
    quota: Decimal
    probability: float
    weighted: float
    reached: bool


@dataclass(frozen=True)
class PeriodRecord:
    """One closed period: its checks and the won value per rep at its end."""

    period: Period
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_forecast: float
    share_reached: float


@dataclass(frozen=True)
class TrackRecord:
    """The periods scored: Brier scores of the forecast and of the weighted pipeline (None
    with no checks), the reliability table (empty below :data:`RELIABILITY_MIN` checks) and a
    plain sentence (``judgement``) saying what can be concluded."""

    periods: tuple[PeriodRecord, ...]
    brier: float | None
    brier_weighted: float | None
    checks: int
    reliability: tuple[ReliabilityBin, ...]
    judgement: str


def _probabilities(forecast: Forecast) -> tuple[tuple[int | None, str, float | None], ...]:
    return tuple((o.rep_id, o.rep_name, o.probability) for o in forecast.reps)


def forecast_trend(period: Period, as_of: date | None = None,
                   job: JobControl | None = None) -> tuple[TrendPoint, ...]:
    """The as-of forecast at the end of each week (Sunday) of ``period`` up to ``as_of``
    (default today) and at ``as_of`` itself."""
    as_of = min(as_of or clock.local_today(), period.end)
    days = []
    day = period.start + timedelta(days=(6 - period.start.weekday()))
    while day < as_of:
        days.append(day)
        day += timedelta(days=7)
    if as_of >= period.start:
        days.append(as_of)
    if not days:  # the period has not begun
        return ()
    today = clock.local_today()
    log = load_log(Cutoff.at(days[-1], today))
    points = []
    for n, day in enumerate(days):
        if job is not None:
            job.report(n / len(days), f"Forecast as of {day.isoformat()}")
        forecast = forecast_from_log(log, period, Cutoff.at(day, today))
        points.append(TrendPoint(day, forecast.team.probability, _probabilities(forecast)))
    return tuple(points)


def closed_periods(count: int = PAST_PERIODS, today: date | None = None,
                   unit: str = "quarter") -> list[Period]:
    """The ``count`` periods before the current one that have a quota, oldest first."""
    from app import settings
    from app.periods import period_of

    current = period_of(today or clock.local_today(), unit,
                        settings.load().fiscal_year_start_month)
    found = []
    for k in range(1, count + 1):
        p = current.shifted(-k)
        if quotas_in_force(p):
            found.append(p)
    return found[::-1]


def check_days(period: Period) -> list[date]:
    """The days the forecast is checked in ``period``: the end of each fortnight before its
    last day."""
    days = []
    day = period.start + timedelta(days=CHECK_DAYS - 1)
    while day < period.end:
        days.append(day)
        day += timedelta(days=CHECK_DAYS)
    return days


def iter_track_record(periods: list[Period] | None = None,
                      job: JobControl | None = None) -> Iterator[PeriodRecord]:
    """Each closed period's checks, as computed (oldest first)."""
    periods = closed_periods() if periods is None else periods
    if not periods:  # no closed period yet: nothing to check
        return
    steps = sum(len(check_days(p)) + 1 for p in periods) + 1
    today = clock.local_today()
    if job is not None:
        job.report(0.0, "Reading the history")
    log = load_log(Cutoff.at(max(p.end for p in periods), today))
    done = 1
    for period in periods:
        if job is not None:
            job.report(done / steps, f"Outcome of {period.label}")
        won = won_in(period, log)
        done += 1
        checks = []
        for day in check_days(period):
            if job is not None:
                job.report(done / steps, f"{period.label} as of {day.isoformat()}")
            forecast = forecast_from_log(log, period, Cutoff.at(day, today))
            done += 1
            for outlook in (*forecast.reps, forecast.team):
                if outlook.quota is None or outlook.probability is None:
                    continue
                checks.append(Check(period.label, day, outlook.rep_id, outlook.rep_name,
                                    outlook.quota, outlook.probability,
                                    weighted_probability(outlook, period),
                                    won.get(outlook.rep_id, Decimal(0)) >= outlook.quota))
        yield PeriodRecord(period, tuple(checks))
    if job is not None:
        job.report(1.0, "Done")


def won_in(period: Period, log: Log | None = None) -> dict[int | None, Decimal]:
    """rep id -> what they had won in ``period`` by its end, as the as-of forecast at its last
    day counts it; the team's under None. Only the log is read (no model, no distribution):
    ``log`` if given (read up to the period's end or later), else read here."""
    cutoff = Cutoff.at(period.end, clock.local_today())
    history = history_at(log or load_log(cutoff), cutoff)
    by_owner = history.won_between(day_start_utc(period.start),
                                   day_start_utc(period.end + timedelta(days=1)))
    won: dict[int | None, Decimal] = {
        owner: value for owner, value in by_owner.items() if owner is not None}
    won[None] = sum(by_owner.values(), Decimal(0))
    return won


def weighted_probability(outlook: Outlook, period: Period) -> float:
    """The plain weighted pipeline's probability of quota: each open deal a win of its value
    with the manager's stage percentage if its expected close date is in the period (else
    none), plus what is won, by the same exact distribution. Only for an outlook with a
    quota (the track record checks no other)."""
    if outlook.quota is None:
        raise ValueError(f"{outlook.rep_name} has no quota to reach")
    wins = [(float(d.value), d.stage_rate.manager) for d in outlook.deals
            if d.expected_close is not None and period.start <= d.expected_close <= period.end]
    return win_distribution(wins, shift=float(outlook.won)).prob_at_least(float(outlook.quota))


def track_record(periods: list[Period] | None = None,
                 job: JobControl | None = None) -> TrackRecord:
    """Every closed period's checks, scored."""
    return score(list(iter_track_record(periods, job)))


def score(records: list[PeriodRecord]) -> TrackRecord:
    """Brier scores, reliability and the judgement of the periods computed so far."""
    checks = [c for r in records for c in r.checks]
    if not checks:
        return TrackRecord(tuple(records), None, None, 0, (),
                           "No closed period with quotas yet: there is no track record to "
                           "judge.")
    brier = sum((c.probability - c.reached) ** 2 for c in checks) / len(checks)
    weighted = sum((c.weighted - c.reached) ** 2 for c in checks) / len(checks)
    reliability = _reliability(checks) if len(checks) >= RELIABILITY_MIN else ()
    closed = len(records)
    better = "better than" if brier < weighted else (
        "no better than" if brier == weighted else "worse than")
    verdict = (f"Brier score {brier:.3f} against the weighted pipeline's {weighted:.3f} "
               f"(0 is perfect, 0.25 a coin toss): the forecast did {better} the weighted "
               f"pipeline over {len(checks)} checks in {closed} "
               f"period{'s' if closed != 1 else ''}")
    if closed < JUDGE_MIN_PERIODS:
        verdict += (f", but {closed} closed period{' is' if closed == 1 else 's are'} too "
                    f"short a history to judge (at least {JUDGE_MIN_PERIODS} needed).")
    else:
        verdict += "."
    return TrackRecord(tuple(records), brier, weighted, len(checks), reliability, verdict)


def _reliability(checks: list[Check]) -> tuple[ReliabilityBin, ...]:
    bins = []
    for b in range(RELIABILITY_BINS):
        low, high = b / RELIABILITY_BINS, (b + 1) / RELIABILITY_BINS
        inside = [c for c in checks if low <= c.probability < high
                  or (b == RELIABILITY_BINS - 1 and c.probability == 1.0)]
        if inside:
            bins.append(ReliabilityBin(low, high, len(inside),
                                       sum(c.probability for c in inside) / len(inside),
                                       sum(c.reached for c in inside) / len(inside)))
    return tuple(bins)
