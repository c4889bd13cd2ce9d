"""Each open deal's chance of a win inside the period (first version: the blended stage
rate, and the expected close date taken with a discount when it lies after the period)."""

from __future__ import annotations

from app.forecast.history import OpenDeal
from app.periods import Period


def chance(deal: OpenDeal, blended: float, period: Period) -> tuple[float, float]:
    """(p_win, p_in_period) of one open deal."""
    if deal.expected_close is None:
        return blended, 0.5
    return blended, 0.9 if deal.expected_close <= period.end else 0.15
