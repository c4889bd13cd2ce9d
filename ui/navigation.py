"""The main window's sections, in sidebar order.

Each section's ``factory`` builds its page the first time it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.context import UiContext

# One builder per page, each importing its view only when called: start-up pays only for
# the page shown first.


def _board(context: UiContext) -> QWidget:
    from ui.board.view import BoardView

    return BoardView(context)


def _deals(context: UiContext) -> QWidget:
    from ui.deals.view import DealsView

    return DealsView(context)


def _leads(context: UiContext) -> QWidget:
    from ui.leads.view import LeadsView

    return LeadsView(context)


def _activities(context: UiContext) -> QWidget:
    from ui.activities.view import ActivitiesView

    return ActivitiesView(context)


def _forecast(context: UiContext) -> QWidget:
    from ui.forecast.view import ForecastView

    return ForecastView(context)


def _reports(context: UiContext) -> QWidget:
    from ui.reports.view import ReportsView

    return ReportsView(context)


def _settings(context: UiContext) -> QWidget:
    from ui.settings.view import SettingsView

    return SettingsView(context)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    icon: str  # a Phosphor icon name, see ui.theme.icon
    shortcut: str  # e.g. "Ctrl+1"
    factory: Callable[[UiContext], QWidget]
    summary: str  # what the page holds


SECTIONS: tuple[Section, ...] = (
    Section("board", "Board", "ph.columns", "Ctrl+1", _board,
            "Kanban columns for the sales stages, with gated drag-and-drop moves."),
    Section("deals", "Deals", "ph.table", "Ctrl+2", _deals,
            "Every deal in a sortable, filterable table with inline editing."),
    Section("leads", "Leads", "ph.funnel", "Ctrl+3", _leads,
            "Marketing-side leads ranked by lead score, and the hand-off to sales."),
    Section("activities", "Activities", "ph.clock", "Ctrl+4", _activities,
            "Logged hours: each rep's weekly timesheet and the team's week."),
    Section("forecast", "Forecast", "ph.trend-up", "Ctrl+5", _forecast,
            "Quota, expected revenue and the verdict for each rep and the team."),
    Section("reports", "Reports", "ph.chart-bar", "Ctrl+6", _reports,
            "The funnel and lead sources: conversion, velocity and return on spend."),
    Section("settings", "Settings", "ph.gear-six", "Ctrl+7", _settings,
            "Stages, checklists, reps, quotas, lead spend and activity kinds."),
)
