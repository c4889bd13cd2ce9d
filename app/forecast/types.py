"""The forecast's results: plain frozen dataclasses that cross from app/ to the UI and CLI.

Money is Decimal, probabilities are floats from 0 to 1. Field names are a public contract
(the Forecast view and ``forecast --json`` read them): add fields, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.periods import Period

VERDICTS = ("on track", "needs more pipeline", "capacity-bound", "out of reach", "no quota")


@dataclass(frozen=True)
class StageRate:
    """A stage's win rate as a manager reads and edits it: their estimate (``manager``), the
    share of deals closed from the stage that were won (``history``, None with none closed,
    ``n`` closed), and the blend ``(won + k·manager) / (n + k)``."""

    stage_id: int
    stage_name: str
    manager: float
    history: float | None
    n: int
    blended: float


@dataclass(frozen=True)
class DealChance:
    """One open deal's chance: ``p_win`` of ever being won, ``p_in_period`` that a win lands
    inside the period, ``expected`` = value × p_win × p_in_period."""

    deal_id: int
    uuid: str
    title: str
    company: str
    stage_name: str
    value: Decimal
    stage_rate: StageRate
    p_win: float
    p_in_period: float
    expected: Decimal
    expected_close: date | None = None  # as the rep set it (the weighted pipeline reads it)

    @property
    def probability(self) -> float:
        """The chance of a win inside the period."""
        return self.p_win * self.p_in_period


@dataclass(frozen=True)
class Outlook:
    """One rep's outlook, or the team's (``rep_id`` None, ``rep_name`` "Team")."""

    rep_id: int | None
    rep_name: str
    quota: Decimal | None
    won: Decimal
    open_expected: Decimal
    new_pipeline_expected: Decimal
    expected: Decimal  # won + open_expected + new_pipeline_expected
    probability: float | None  # of reaching quota; None without a quota
    gap: Decimal
    leads_needed: int | None  # whole leads (see app.forecast.verdict.Needs)
    hours_needed: float | None
    hours_available: float | None
    verdict: str  # one of VERDICTS
    reason: str
    deals: tuple[DealChance, ...]  # largest expected first
    distribution: tuple[tuple[Decimal, float], ...]  # (won value, probability), ≤ ~200 points
    # the pipeline not yet created: (wins expected in the period, average value) per value group
    new_pipeline_parts: tuple[tuple[float, Decimal], ...] = ()


@dataclass(frozen=True)
class Forecast:
    period: Period
    as_of: date
    reps: tuple[Outlook, ...]
    team: Outlook
    stage_rates: tuple[StageRate, ...]
