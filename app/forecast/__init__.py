"""The forecast of a period (issue 11): per rep and for the team, what is won, what the
open pipeline and the pipeline not yet created will probably bring, the exact probability
of reaching quota, the gap, the leads and hours it takes, and a verdict.

Modules: :mod:`.history` (facts from the event log at a cutoff), :mod:`.model` (each open
deal's chance), :mod:`.distribution` (the distribution of the won value), :mod:`.verdict`
(gap, leads, hours, verdict), :mod:`.engine` (assembles them), :mod:`.types` (the results).

Issue 12: :mod:`.whatif` (the three levers, on a base read once) with :mod:`.capacity` (what
the hours a lever takes do to a rep's deals), :mod:`.track_record` (the trend of the
probability of quota through a period, and how good past forecasts were).
"""

from app.forecast.capacity import Effect, RepHours
from app.forecast.engine import compute_forecast
from app.forecast.track_record import (
    Check,
    PeriodRecord,
    ReliabilityBin,
    TrackRecord,
    TrendPoint,
    forecast_trend,
    iter_track_record,
    track_record,
)
from app.forecast.types import VERDICTS, DealChance, Forecast, Outlook, StageRate
from app.forecast.whatif import (
    LEVERS,
    LeverCosts,
    LeverCurve,
    LeverResult,
    Projection,
    RepBase,
    WhatIfBase,
    WhatIfResult,
    apply_levers,
    lever_curves,
    prepare_whatif,
)
from app.periods import Period, parse_period, period_of

__all__ = [
    "LEVERS",
    "VERDICTS",
    "Check",
    "DealChance",
    "Effect",
    "Forecast",
    "LeverCosts",
    "LeverCurve",
    "LeverResult",
    "Outlook",
    "Period",
    "PeriodRecord",
    "Projection",
    "ReliabilityBin",
    "RepBase",
    "RepHours",
    "StageRate",
    "TrackRecord",
    "TrendPoint",
    "WhatIfBase",
    "WhatIfResult",
    "apply_levers",
    "compute_forecast",
    "forecast_trend",
    "iter_track_record",
    "lever_curves",
    "parse_period",
    "period_of",
    "prepare_whatif",
    "track_record",
]
