"""The Summary sheet: the team's quota status, the open pipeline by stage, the reps' outlook
coloured by verdict, and two native charts (the funnel; won against quota by rep)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill

from app.exporting import cells
from app.exporting.cells import TextCells
from app.exporting.small_sheets import fit_to_page
from app.forecast import Forecast

VERDICT_FILLS = {  # verdict -> (fill, font colour): green, amber, red
    "on track": ("C6EFCE", "006100"),
    "needs more pipeline": ("FFEB9C", "9C5700"),
    "capacity-bound": ("FFEB9C", "9C5700"),
    "out of reach": ("FFC7CE", "9C0006"),
}


@dataclass(frozen=True)
class StageLine:
    """One open stage: how many deals, their value and weighted value, days in stage."""

    name: str
    count: int
    value: Decimal
    weighted: Decimal
    average_days: float | None


def write_summary(book, forecast: Forecast, week_label: str, as_of: date,
                  stages: list[StageLine], texts: TextCells) -> None:
    sheet = book.sheet("Summary")
    money = book.money_format
    for col, width in zip("ABCDEFG", (26, 16, 16, 16, 18, 24, 115), strict=True):
        sheet.column_dimensions[col].width = width
    fit_to_page(sheet)
    team = forecast.team
    row = 0

    def put(values: list) -> int:
        nonlocal row
        sheet.append(values)
        row += 1
        return row

    put([cells.styled(sheet, f"Weekly pipeline {week_label}", font=cells.TITLE_FONT)])
    put([f"Forecast for {forecast.period.label} as of {as_of.isoformat()}"])
    put([])
    label = cells.BOLD
    facts = [
        ("Team", f"{len(forecast.reps)} reps", None),
        ("Week", week_label, None),
        ("Quota", team.quota, money),
        ("Won to date", team.won, money),
        ("Expected", team.expected, money),
        ("Probability of quota", team.probability, cells.PERCENT_FORMAT),
        ("Verdict", team.verdict, None),
        ("Reason", team.reason, None),
    ]
    for name, value, fmt in facts:
        shown = (texts.text(sheet, value, f"Summary, {name}") if isinstance(value, str)
                 else cells.styled(sheet, value, number_format=fmt))
        put([cells.styled(sheet, name, font=label), shown])
    verdict_row = row - 1
    put([])

    put([cells.styled(sheet, "Open pipeline by stage", font=cells.TITLE_FONT)])
    put(cells.header(sheet, ["Stage", "Deals", "Value", "Weighted value",
                             "Avg days in stage"], [False, True, True, True, True]))
    first = row + 1
    for line in stages:
        put([texts.text(sheet, line.name),
             cells.styled(sheet, line.count, number_format=cells.COUNT_FORMAT),
             cells.styled(sheet, line.value, number_format=money),
             cells.styled(sheet, line.weighted, number_format=money),
             cells.styled(sheet, line.average_days, number_format="0.0")])
    last = max(row, first)
    if not stages:
        put([])
    total_row = row + 1
    put([cells.styled(sheet, "Total", font=label),
         book.formula(sheet, f"B{total_row}", f"=SUBTOTAL(109,B{first}:B{last})",
                      sum(s.count for s in stages), number_format=cells.COUNT_FORMAT),
         book.formula(sheet, f"C{total_row}", f"=SUBTOTAL(109,C{first}:C{last})",
                      sum((s.value for s in stages), Decimal(0)), number_format=money),
         book.formula(sheet, f"D{total_row}", f"=SUBTOTAL(109,D{first}:D{last})",
                      sum((s.weighted for s in stages), Decimal(0)), number_format=money)])
    stage_span = (first, last)
    put([])

    put([cells.styled(sheet, "Reps", font=cells.TITLE_FONT)])
    put(cells.header(sheet, ["Rep", "Quota", "Won", "Expected", "Probability", "Verdict",
                             "Reason"], [False, True, True, True, True, False, False]))
    rep_first = row + 1
    for outlook in forecast.reps:
        put([texts.text(sheet, outlook.rep_name),
             cells.styled(sheet, outlook.quota, number_format=money),
             cells.styled(sheet, outlook.won, number_format=money),
             cells.styled(sheet, outlook.expected, number_format=money),
             cells.styled(sheet, outlook.probability, number_format=cells.PERCENT_FORMAT),
             texts.text(sheet, outlook.verdict),
             texts.text(sheet, outlook.reason, f"Summary, reason of {outlook.rep_name}")])
    rep_last = max(row, rep_first)
    if not forecast.reps:
        put([])
    total_row = row + 1
    reps = forecast.reps
    put([cells.styled(sheet, "Team total", font=label),
         book.formula(sheet, f"B{total_row}", f"=SUBTOTAL(109,B{rep_first}:B{rep_last})",
                      sum((o.quota or Decimal(0) for o in reps), Decimal(0)),
                      number_format=money),
         book.formula(sheet, f"C{total_row}", f"=SUBTOTAL(109,C{rep_first}:C{rep_last})",
                      sum((o.won for o in reps), Decimal(0)), number_format=money),
         book.formula(sheet, f"D{total_row}", f"=SUBTOTAL(109,D{rep_first}:D{rep_last})",
                      sum((o.expected for o in reps), Decimal(0)), number_format=money)])
    for verdict, (fill, font) in VERDICT_FILLS.items():
        style = dict(fill=PatternFill("solid", start_color=fill, end_color=fill),
                     font=Font(name=cells.BODY_FONT, color=font))
        sheet.conditional_formatting.add(
            f"A{rep_first}:G{rep_last}",
            FormulaRule(formula=[f'$F{rep_first}="{verdict}"'], **style))
        sheet.conditional_formatting.add(
            f"B{verdict_row}", FormulaRule(formula=[f'$B${verdict_row}="{verdict}"'], **style))
    put([])
    _charts(sheet, row + 1, stage_span, (rep_first, rep_last), book.money_format)


def _charts(sheet, anchor_row: int, stages: tuple[int, int], reps: tuple[int, int],
            money: str) -> None:
    funnel = BarChart()
    funnel.type = "bar"
    funnel.title = "Open pipeline by stage (deals)"
    funnel.y_axis.title = "Deals"
    funnel.x_axis.title = "Stage"
    funnel.x_axis.scaling.orientation = "maxMin"  # the first stage on top, like a funnel
    funnel.legend = None
    funnel.add_data(Reference(sheet, min_col=2, min_row=stages[0] - 1, max_row=stages[1]),
                    titles_from_data=True)
    funnel.set_categories(Reference(sheet, min_col=1, min_row=stages[0], max_row=stages[1]))
    funnel.width, funnel.height = 16, 8
    _show_axes(funnel)
    sheet.add_chart(funnel, f"A{anchor_row}")

    won = BarChart()
    won.type = "col"
    won.title = "Won against quota by rep"
    won.y_axis.title = "Amount"
    won.y_axis.numFmt = money
    won.x_axis.title = "Rep"
    won.add_data(Reference(sheet, min_col=2, max_col=3, min_row=reps[0] - 1, max_row=reps[1]),
                 titles_from_data=True)
    won.set_categories(Reference(sheet, min_col=1, min_row=reps[0], max_row=reps[1]))
    won.width, won.height = 24, 9
    _show_axes(won)
    sheet.add_chart(won, f"A{anchor_row + 17}")


def _show_axes(chart) -> None:
    """openpyxl 3.1 marks axes deleted unless told otherwise: show them, with labels."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
