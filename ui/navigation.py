"""The main window's sections, in sidebar order.

A section whose ``factory`` is None shows a plain "not built yet" page. Factories import
their view lazily, so start-up pays only for the section that is shown first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.context import UiContext


def _settings(context: UiContext) -> QWidget:
    from ui.settings.view import SettingsView

    return SettingsView(context)


def _view(spec: str, context: UiContext) -> QWidget:
    """Build the view named ``"module:Class"``, importing its module only now."""
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)(context)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    icon: str  # a Phosphor icon name, see ui.theme.icon
    shortcut: str  # e.g. "Ctrl+1"
    factory: Callable[[UiContext], QWidget]
    summary: str  # what the page holds


SECTIONS: tuple[Section, ...] = (
    Section("board", "Board", "ph.columns", "Ctrl+1", lambda c: _view("ui.board.view:BoardView", c),
            "Kanban columns for the sales stages, with gated drag-and-drop moves."),
    Section("deals", "Deals", "ph.table", "Ctrl+2", lambda c: _view("ui.deals.view:DealsView", c),
            "Every deal in a sortable, filterable table with inline editing."),
    Section("leads", "Leads", "ph.funnel", "Ctrl+3", lambda c: _view("ui.leads.view:LeadsView", c),
            "Marketing-side leads ranked by lead score, and the hand-off to sales."),
    Section("activities", "Activities", "ph.clock", "Ctrl+4",
            lambda c: _view("ui.activities.view:ActivitiesView", c),
            "Logged hours: each rep's weekly timesheet and the team's week."),
    Section("forecast", "Forecast", "ph.trend-up", "Ctrl+5",
            lambda c: _view("ui.forecast.view:ForecastView", c),
            "Quota, expected revenue and the verdict for each rep and the team."),
    Section("reports", "Reports", "ph.chart-bar", "Ctrl+6",
            lambda c: _view("ui.reports.view:ReportsView", c),
            "The funnel and lead sources: conversion, velocity and return on spend."),
    Section("settings", "Settings", "ph.gear-six", "Ctrl+7", _settings,
            "Stages, checklists, reps, quotas, lead spend and activity kinds."),
)
