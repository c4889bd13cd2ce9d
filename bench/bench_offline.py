"""Merging a rep's update workbook: 2,000 deals, 500 of them changed, 1,000 hours rows.

Why: the manager merges each rep's workbook on the worker, and a rep with a big territory
has thousands of leads. Target (issue 16): the whole merge under 2 s: reading the workbook,
planning (three-way per field, the gate for each move, hours checked against the day's
total), the backup of the database file and the one write transaction.

The changes: 200 values, 150 next steps, 150 stage moves one stage on (with their required
items ticked in the Checklist sheet), and 1,000 hours rows typed in the Hours sheet. Each
round merges into a fresh copy of the same database (copied outside the timing), timed in
turns with a floor: reading every cell of the workbook's sheets with python-calamine, the
least any merge must do. The figure is the ratio within each turn (the machine is shared).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.paired import spread

DEALS = 2_000
CHANGED_VALUES, CHANGED_STEPS, MOVED = 200, 150, 150
HOURS_ROWS = 1_000
ROUNDS = 5
TARGET_MS = 2_000.0


def _build(folder: Path) -> tuple[Path, Path]:
    """The database (a manager, the rep, 2,000 of their deals) and the rep's edited
    workbook."""
    import openpyxl

    from app.deals import DealDraft, create_deal
    from app.pipeline import list_stages
    from app.users import create_rep
    from app.workspace import close_workspace, open_workspace, start_empty
    from db.connection import writing

    database = folder / "team.sqlite"
    open_workspace(str(database))
    try:
        manager = start_empty("Maria Manager")
        rep = create_rep("Ravi Rep", "ravi@example.com", role="rep")
        stages = {s.name: s for s in list_stages()}
        spread_over = ["Sales-ready lead", "Qualified", "Solution fit & demo", "Proposal"]
        with writing():
            for n in range(DEALS):
                create_deal(DealDraft(
                    title=f"Deal {n:04d}", company=f"Company {n % 700}", owner_id=rep.id,
                    stage_id=stages[spread_over[n % 4]].id, value=Decimal(1000 + n),
                    expected_close=date(2027, 1, 1) + timedelta(days=n % 180),
                    next_step="Call"), manager)
        from app.offline.export import export_update_workbook

        path = export_update_workbook(folder / "ravi.xlsx", "Ravi Rep").path
    finally:
        close_workspace()
    book = openpyxl.load_workbook(path)
    deals = book["Deals"]
    rows = list(deals.iter_rows(min_row=2))
    moved = set()
    for index, row in enumerate(rows[:CHANGED_VALUES + CHANGED_STEPS + MOVED]):
        if index < CHANGED_VALUES:
            row[3].value = float(row[3].value) + 250
        elif index < CHANGED_VALUES + CHANGED_STEPS:
            row[5].value = f"Follow up {index}"
        else:
            position = spread_over.index(row[2].value)
            if position + 1 < len(spread_over):
                row[2].value = spread_over[position + 1]
                moved.add((row[0].value, row[2].value))
    for row in book["Checklist"].iter_rows(min_row=2):
        if (row[0].value, row[2].value) in moved:
            row[5].value = "Yes"
    hours = book["Hours"]
    labels = [r[0].value for r in rows]
    kinds = ["Meeting", "Demo", "Follow-up", "Admin"]
    for n in range(HOURS_ROWS):
        values = (date(2026, 10, 1) + timedelta(days=n % 60), kinds[n % 4], 0.5,
                  f"{labels[n]} — {rows[n][1].value}" if n % 2 else None, f"Entry {n}")
        for column, value in enumerate(values, 1):
            hours.cell(n + 2, column, value)
    book.save(path)
    return database, path


def _read_cells(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return sum(len(workbook.get_sheet_by_name(name).to_python())
                   for name in workbook.sheet_names)
    finally:
        workbook.close()


def run() -> None:
    from app.offline.merge import plan_merge
    from app.offline.service import run_merge
    from app.users import find_rep
    from app.workspace import close_workspace, open_workspace

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        database, workbook = _build(folder)
        print(f"offline: built {DEALS:,} deals and the edited workbook in "
              f"{time.perf_counter() - started:.1f} s ({workbook.stat().st_size / 1e6:.1f} MB)")
        floors, merges, plans, ratios = [], [], [], []
        result = None
        for turn in range(ROUNDS):
            copy = folder / f"turn-{turn}.sqlite"
            shutil.copy(database, copy)
            open_workspace(str(copy))
            try:
                manager = find_rep("Maria Manager")
                started = time.perf_counter()
                _read_cells(workbook)
                floors.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                plan_merge(workbook)  # what the window does before showing the conflicts
                plans.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                result = run_merge(workbook, manager).result
                merges.append((time.perf_counter() - started) * 1000)
                ratios.append(merges[-1] / floors[-1])
            finally:
                close_workspace()
        assert result is not None
        merge_ms = statistics.median(merges)
        print(f"offline: reading every cell with calamine (floor) median "
              f"{statistics.median(floors):.0f} ms; a dry run (read and plan: the window's "
              f"step before its conflict dialog) median {statistics.median(plans):.0f} ms")
        print(f"offline: the whole merge (`import FILE`: read, backup, plan and write in one "
              f"transaction) median {merge_ms:.0f} ms of "
              f"{ROUNDS} = {merge_ms / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms target; "
              f"{spread(ratios, '×')} the floor (paired, median and range); "
              f"merge times {spread(merges, ' ms', 0)}")
        print(f"offline: merged {result.updated:,} deals ({result.fields} fields, "
              f"{result.moves} moves, {result.ticks} ticks) and {result.hours:,} hours rows")
