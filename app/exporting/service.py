"""The weekly pipeline workbook use case, shared by ``export`` and File → Export.

:func:`export_weekly_workbook` gathers the week's figures (the forecast of the quarter the
week ends in, the deals, the reps' hours, the week's activities and stage moves) and writes
``pipeline-YYYY-Www.xlsx``; the Sources sheet is the reports' lead economics
(:func:`app.reports.source_report`) for the quarter to date. The file is written under a
temporary name in the target's folder and renamed over the target only when complete: a
failed or cancelled export leaves whatever was there before untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app import clock, settings
from app.deal_table import DealTableSpec, select_totals
from app.exporting.atomic import check_folder, replacing
from app.exporting.book import Book
from app.exporting.cached_values import finish_package
from app.exporting.cells import TextCells
from app.exporting.deals_sheet import write_deals
from app.exporting.figures import (
    activity_rows,
    count_deals,
    stage_history_rows,
    week_bounds,
)
from app.exporting.small_sheets import Column, write_stages, write_table
from app.exporting.summary_sheet import StageLine, write_summary
from app.exporting.week import Week, week_of
from app.forecast import compute_forecast, period_of
from app.jobs import JobControl
from app.pipeline import list_stages
from app.reports import ReportScope, source_report
from app.time_figures import period_figures
from db.connection import database

REP_COLUMNS = (
    Column("Rep", width=22), Column("Quota", "money", "sum"), Column("Won", "money", "sum"),
    Column("Expected", "money", "sum"), Column("Probability", "percent"),
    Column("Gap", "money", "sum"), Column("Leads needed", "number", "sum"),
    Column("Hours needed", "hours", "sum"), Column("Hours available", "hours", "sum"),
    Column("Prospecting hours this week", "hours", "sum", 16),
    Column("Selling hours this week", "hours", "sum", 16),
    Column("Other hours this week", "hours", "sum", 16),
    Column("Revenue per selling hour (quarter)", "money", None, 20),
    Column("Verdict", width=22),
)
ACTIVITY_COLUMNS = (
    Column("Date", "date", "count"), Column("Rep"), Column("Kind"), Column("Category"),
    Column("Hours", "hours", "sum"), Column("Deal"), Column("Company"), Column("Note"),
)
SOURCE_COLUMNS = (
    Column("Source", width=20), Column("Leads", "count", "sum"),
    Column("Sales-ready", "count", "sum"), Column("Wins", "count", "sum"),
    Column("Won value", "money", "sum"), Column("Spend", "money", "sum"),
    Column("Cost per lead", "money"), Column("Cost per win", "money"),
    Column("Lead-to-win", "percent"), Column("Average won", "money"),
    Column("Value of a lead", "money"), Column("Return on spend", "percent"),
)
HISTORY_COLUMNS = (
    Column("When", "stamp", "count"), Column("Deal"), Column("Company"), Column("From"),
    Column("To"), Column("By"), Column("Origin"), Column("Override reason"),
    Column("Lost reason"),
)


@dataclass(frozen=True)
class WeeklyExport:
    """What an export wrote: where, which week, how many rows, and the cells it had to cut
    (``cut``: "Deals row 12, Title" …, text over Excel's 32,767-character limit)."""

    path: Path
    week: str
    period: str
    deals: int
    activities: int
    stage_moves: int
    sheets: tuple[str, ...]
    cut: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        text = (f"Wrote {self.path} ({self.week}): {self.deals:,} deals, "
                f"{self.activities:,} activities, {self.stage_moves:,} stage moves.")
        if self.cut:
            text += (f" {len(self.cut)} cell(s) were longer than Excel's 32,767 characters "
                     f"and were cut: {', '.join(self.cut[:5])}"
                     + ("…" if len(self.cut) > 5 else "."))
        return text


def _stage_lines(tally) -> list[StageLine]:
    lines = []
    for stage in list_stages():
        if stage.outcome != "open":
            continue
        value, weighted = select_totals(DealTableSpec(stage_id=stage.id))
        lines.append(StageLine(stage.name, tally.count.get(stage.id, 0), value, weighted,
                               tally.average_days(stage.id)))
    return lines


def _rep_rows(forecast, week: Week, quarter_start, as_of) -> list[tuple]:
    week_hours = {f.rep_id: f for f in period_figures(week.start, week.end).reps}
    quarter = {f.rep_id: f for f in period_figures(quarter_start, as_of).reps}
    rows = []
    for outlook in forecast.reps:
        hours = week_hours.get(outlook.rep_id)
        logged = hours.hours if hours else {}
        per_hour = quarter.get(outlook.rep_id)
        rows.append((
            outlook.rep_name, outlook.quota, outlook.won, outlook.expected, outlook.probability,
            outlook.gap, outlook.leads_needed, _rounded(outlook.hours_needed),
            _rounded(outlook.hours_available), logged.get("prospecting", Decimal(0)),
            logged.get("selling", Decimal(0)), logged.get("other", Decimal(0)),
            per_hour.revenue_per_selling_hour if per_hour else None, outlook.verdict,
        ))
    return rows


def _source_rows(period, as_of) -> list[tuple]:
    """The reports' lead economics per source for the quarter to date."""
    scope = ReportScope(period.start, as_of, f"{period.label} to date")
    return [(s.name, s.leads, s.sales_ready, s.wins, s.won_value, s.spend, s.cost_per_lead,
             s.cost_per_win, s.lead_to_win, s.average_won, s.lead_value, s.return_on_spend)
            for s in source_report(scope).sources]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _write(book: Book, week: Week, control: JobControl | None, texts: TextCells) -> dict:
    today = clock.local_today()
    as_of = min(today, week.end)
    fiscal = settings.load().fiscal_year_start_month
    period = period_of(as_of, "quarter", fiscal)
    lo, hi = week_bounds(week.start, week.end)
    now = min(clock.utcnow(), hi)
    report = control.report if control is not None else (lambda *_: None)
    report(0.0, "Forecasting the quarter")
    forecast = compute_forecast(period, as_of)
    report(0.1, "Writing the deals")
    with database.atomic():  # one snapshot: the count and the rows agree
        total = count_deals(lo, hi)
        deals = write_deals(book, total, lo, hi, now, control, texts)
    report(0.85, "Writing the summary and the reps")
    write_summary(book, forecast, week.label, as_of, _stage_lines(deals.tally), texts)
    write_table(book, "Reps", "RepsTable", REP_COLUMNS,
                _rep_rows(forecast, week, period.start, as_of), texts)
    write_table(book, "Sources", "SourcesTable", SOURCE_COLUMNS,
                _source_rows(period, as_of), texts)
    activities = write_table(book, "Activities", "ActivitiesTable", ACTIVITY_COLUMNS,
                             activity_rows(week.start, week.end), texts)
    moves = write_table(book, "Stage history", "StageHistoryTable", HISTORY_COLUMNS,
                        stage_history_rows(lo, hi), texts)
    write_stages(book, [s.name for s in list_stages()], texts)
    return {"period": period.label, "deals": deals.rows, "activities": activities,
            "stage_moves": moves}


def _save(book: Book, target: Path, control: JobControl | None) -> None:
    """Save under a temporary name beside ``target``, finish the package into a second
    one, and rename that over ``target`` (:func:`app.exporting.atomic.replacing`)."""
    with replacing(target, control) as scratch:
        saved, finished = scratch.new(".part"), scratch.new(".part2")
        book.workbook.save(saved)
        finish_package(saved, finished, book.cached_by_part(), book.extra_rows_by_part())


def export_weekly_workbook(path: str | Path, week: Week | None = None,
                           control: JobControl | None = None) -> WeeklyExport:
    """Write the weekly pipeline workbook for ``week`` (default: the current ISO week) to
    ``path``, atomically. Raises :class:`UsageError` when the file cannot be written and
    :class:`app.jobs.Cancelled` when cancelled; in both cases ``path`` is as it was."""
    target = Path(path)
    week = week or week_of(clock.local_today())
    check_folder(target)
    texts = TextCells()
    book = Book(settings.load().currency)
    try:
        counts = _write(book, week, control, texts)
        if control is not None:
            control.report(0.9, "Saving the workbook")
        _save(book, target, control)
    finally:
        book.close()
    # No progress report after the rename: it would raise if Cancel came late, and say
    # "nothing was changed" about a file that was.
    return WeeklyExport(target, week.label, counts["period"], counts["deals"],
                        counts["activities"], counts["stage_moves"], book.sheet_titles,
                        tuple(texts.cut))
