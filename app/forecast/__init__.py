"""The forecast of a period (issue 11): per rep and for the team, what is won, what the
open pipeline and the pipeline not yet created will probably bring, the exact probability
of reaching quota, the gap, the leads and hours it takes, and a verdict.

Modules: :mod:`.history` (facts from the event log at a cutoff), :mod:`.model` (each open
deal's chance), :mod:`.distribution` (the distribution of the won value), :mod:`.verdict`
(gap, leads, hours, verdict), :mod:`.engine` (assembles them), :mod:`.types` (the results).
"""

from app.forecast.engine import compute_forecast
from app.forecast.types import VERDICTS, DealChance, Forecast, Outlook, StageRate
from app.periods import Period, parse_period, period_of

__all__ = ["VERDICTS", "DealChance", "Forecast", "Outlook", "Period", "StageRate",
           "compute_forecast", "parse_period", "period_of"]
