"""The Reports (issue 14): the funnel, win rate and sales velocity, lead sources and their
economics, the quality of hand-offs to sales, and time and money — all from the event log
(StageChange), the activities and the sources' monthly spend.

Each report is one function of a :class:`ReportScope` returning frozen dataclasses
(:mod:`.types`); the view, the ``report`` command and the workbook call the same functions.
Modules: :mod:`.log` (reading the moves), :mod:`.funnel`, :mod:`.velocity`,
:mod:`.sources`, :mod:`.handoff`, :mod:`.time_money`, :mod:`.spend` (monthly spend),
:mod:`.drill` (the deals behind a figure).
"""

from app.reports.drill import deals_behind
from app.reports.funnel import funnel
from app.reports.handoff import handoff_quality
from app.reports.sources import source_report
from app.reports.spend import (
    Economics,
    SpendChange,
    SpendGrid,
    economics,
    put_spend,
    set_economics,
    spend_grid,
    spend_in,
)
from app.reports.time_money import time_and_money
from app.reports.types import (
    DealLine,
    Funnel,
    HandoffGroup,
    HandoffReport,
    ReportScope,
    RepTime,
    SourceFigures,
    SourceReport,
    StageRow,
    TimeMoneyReport,
    TrendPoint,
    Velocity,
    VelocityReport,
)
from app.reports.velocity import velocity_report

__all__ = [
    "DealLine", "Economics", "Funnel", "HandoffGroup", "HandoffReport", "RepTime",
    "ReportScope", "SourceFigures", "SourceReport", "SpendChange", "SpendGrid", "StageRow",
    "TimeMoneyReport", "TrendPoint", "Velocity", "VelocityReport", "deals_behind",
    "economics", "funnel", "handoff_quality", "put_spend", "set_economics", "source_report",
    "spend_grid", "spend_in", "time_and_money", "velocity_report",
]
