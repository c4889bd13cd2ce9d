"""Importing a 50,000-row, 12-column .xlsx into an empty database, as the user runs it,
against two baselines.

(a) the floor: a Python process that imports python-calamine, opens the same file and
    iterates its values;
(b) what a data-savvy user would script: a Python process running
    ``pandas.read_excel(engine="calamine")`` and ``DataFrame.to_sql`` into a SQLite file (no
    validation, no matching, no undo);
and Funnelcast: ``python main.py --db FILE --as MANAGER import BOOK.xlsx``, the command as
a user types it.

Every contender is a whole process timed from spawn to exit, module imports included: that
is what the user waits for. The three take turns in each round (:mod:`bench.paired`) and
the ratios are taken within a round; the figures are the median of the rounds with the
lowest and highest beside it. Targets (issue 5): at most 2.5× (a), no slower than (b), peak
memory under 250 MB. The workbook is generated once with openpyxl and cached in
``bench/.cache/``.

Then, for the team that has used the app for years, the same file into a copy of the large
synthetic database (100,000 deals): there the backup taken before the import is as long as
the import itself, and it is copied while the file is read.

``python -m bench.bench_import compare OTHER_TREE [ROUNDS]`` times the import command of
another checkout of Funnelcast (e.g. ``git archive`` of the commit before a change) against
this one, paired, with this interpreter: the before/after of a change.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.paired import ROOT, Run, ratios, rounds, run_command, spread

ROWS = 50_000
CACHE = Path(__file__).resolve().parent / ".cache"
WORKBOOK = CACHE / "import-50k-12col.xlsx"
HEADER = ["Deal Name", "Company", "Contact Name", "Email", "Phone", "Industry", "Region",
          "Lead Source", "Deal Owner", "Deal Stage", "Amount", "Close Date"]
STAGES = ["Suspect", "Nurturing", "Sales-ready lead", "Qualified", "Proposal", "Negotiation",
          "Closed won", "Closed lost"]
OWNERS = ["Ana Lima", "Ben Okafor", "Chloé Martin", "Dev Patel", "Eva Novak", "Finn Berg"]
INDUSTRIES = ["Retail", "Manufacturing", "Software", "Health", "Logistics", "Finance"]
REGIONS = ["North", "South", "East", "West", "EU", "APAC"]
SOURCES = ["Website", "Referral", "Trade show", "Cold call", "Partner"]
TARGET_FLOOR_RATIO = 2.5
TARGET_MB = 250
ROUNDS = 5
LARGE_ROUNDS = 2


def ensure_workbook() -> Path:
    """The benchmark workbook, written once (write-only openpyxl) and reused."""
    if WORKBOOK.exists():
        return WORKBOOK
    from openpyxl import Workbook

    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Deals")
    sheet.append(HEADER)
    start = date(2026, 1, 1)
    for n in range(ROWS):
        company = f"Company {n:05d}"
        sheet.append([
            f"Deal {n:05d}", company, f"Contact {n:05d}", f"contact{n}@example{n % 97}.test",
            f"+1 555 {n:07d}", rng.choice(INDUSTRIES), rng.choice(REGIONS),
            rng.choice(SOURCES), rng.choice(OWNERS), rng.choice(STAGES),
            round(rng.uniform(500, 250_000), 2), start + timedelta(days=rng.randrange(365)),
        ])
    partial = WORKBOOK.with_suffix(".partial")
    workbook.save(partial)
    partial.replace(WORKBOOK)
    return WORKBOOK


FLOOR = """
import sys
import python_calamine

count = 0
sheet = python_calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)
for row in sheet.iter_rows():
    for _value in row:
        count += 1
print(count)
"""

PANDAS = """
import sqlite3
import sys

import pandas

frame = pandas.read_excel(sys.argv[1], engine="calamine")
with sqlite3.connect(sys.argv[2]) as connection:
    frame.to_sql("deals", connection, index=False)
print(len(frame))
"""

MANAGER = "Bench Manager"


def _funnelcast(tree: Path, database: Path, *command: str) -> Run:
    """``python main.py --db DATABASE --as MANAGER COMMAND…`` in the checkout ``tree``."""
    return run_command([str(tree / "main.py"), "--db", str(database), "--as", MANAGER,
                        *command], cwd=tree)


def _import_into_empty(tree: Path, folder: Path) -> Run:
    """A fresh database with its manager (not timed), then the import (timed)."""
    database = folder / f"funnelcast-{next(_numbers)}.sqlite"
    run_command([str(tree / "main.py"), "--db", str(database), "init", "--manager", MANAGER],
                cwd=tree)
    done = _funnelcast(tree, database, "import", str(WORKBOOK))
    if f"Created {ROWS}," not in done.stdout:
        raise RuntimeError(f"the import did not create every row: {done.stdout[:500]}")
    _last_database[tree] = database
    return done


def _reimport(tree: Path) -> Run:
    """The same file again into the database the last import filled: every row unchanged."""
    done = _funnelcast(tree, _last_database[tree], "import", str(WORKBOOK))
    if f"{ROWS} unchanged" not in done.stdout:
        raise RuntimeError(f"the re-import changed something: {done.stdout[:500]}")
    return done


_numbers = iter(range(1_000_000))
_last_database: dict[Path, Path] = {}


def _workbook() -> Path:
    """The workbook, written in a process of its own if missing: writing it grows a process
    by a few hundred MB, which the contenders forked from this one would otherwise count."""
    if not WORKBOOK.exists():
        run_command(["-m", "bench.bench_import", "workbook"])
    return WORKBOOK


def run() -> None:
    path = _workbook()
    print(f"import: {path.name}, {ROWS:,} rows × {len(HEADER)} columns, "
          f"{path.stat().st_size / 1e6:.1f} MB; {ROUNDS} paired rounds, whole processes "
          f"(imports included): median (lowest–highest)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        runs = rounds({
            "floor": lambda: run_command(["-c", FLOOR, str(path)]),
            "pandas": lambda: run_command(
                ["-c", PANDAS, str(path), str(folder / f"pandas-{next(_numbers)}.sqlite")]),
            "funnelcast": lambda: _import_into_empty(ROOT, folder),
            "reimport": lambda: _reimport(ROOT),
        }, ROUNDS)
    for name, what in (("floor", "(a) calamine alone iterating the values"),
                       ("pandas", "(b) pandas.read_excel(calamine) + to_sql"),
                       ("funnelcast", "Funnelcast import (read, validate, match, commit with "
                                      "the stage log and undo)"),
                       ("reimport", f"the same file again into those {ROWS:,} deals "
                                    "(all unchanged)")):
        done = runs[name]
        print(f"import: {what}: {spread([r.seconds for r in done], ' s')}, "
              f"peak {max(r.peak_mb for r in done):.0f} MB")
    print(f"import: Funnelcast ÷ (a) {spread(ratios(runs, 'funnelcast', 'floor'), '×')} "
          f"(target ≤ {TARGET_FLOOR_RATIO}×); ÷ (b) "
          f"{spread(ratios(runs, 'funnelcast', 'pandas'), '×')} (target ≤ 1×); peak "
          f"{max(r.peak_mb for r in runs['funnelcast']):.0f} MB (target < {TARGET_MB} MB)")
    print(f"import: in processor time (steadier on a busy machine): ÷ (a) "
          f"{spread(ratios(runs, 'funnelcast', 'floor', cpu=True), '×')}; ÷ (b) "
          f"{spread(ratios(runs, 'funnelcast', 'pandas', cpu=True), '×')}")
    _large(path)


def _large(path: Path) -> None:
    from bench.synthetic import LARGE, MANAGER_NAME, ensure_large_db

    ensure_large_db()
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(LARGE_ROUNDS):
            copy = Path(scratch) / f"large-{number}.sqlite"
            shutil.copyfile(LARGE, copy)
            done = run_command([str(ROOT / "main.py"), "--db", str(copy), "--as",
                                MANAGER_NAME, "import", str(path)])
            if f"Created {ROWS}," not in done.stdout:
                raise RuntimeError(f"the import did not create every row: {done.stdout[:500]}")
            times.append(done.seconds)
            peaks.append(done.peak_mb)
            copy.unlink()
    print(f"import: the same file into a copy of the 100,000-deal database (a backup of it "
          f"first, copied while the file is read): {spread(times, ' s')}, peak "
          f"{max(peaks):.0f} MB")


def compare(other: Path, count: int = ROUNDS) -> None:
    """This checkout's import command against ``other``'s, paired: the first import into an
    empty database and the re-import of the same file."""
    path = _workbook()
    other = other.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        runs = rounds({
            "before": lambda: _import_into_empty(other, folder),
            "after": lambda: _import_into_empty(ROOT, folder),
            "before again": lambda: _reimport(other),
            "after again": lambda: _reimport(ROOT),
        }, count)
    print(f"compare: {path.name}, {count} paired rounds; before = {other}, after = {ROOT}")
    for name, done in runs.items():
        print(f"compare: {name}: {spread([r.seconds for r in done], ' s')} "
              f"(processor {spread([r.cpu_seconds for r in done], ' s')}), "
              f"peak {max(r.peak_mb for r in done):.0f} MB")
    for cpu in (False, True):
        print(f"compare: {'processor time' if cpu else 'wall clock'}: import after ÷ before "
              f"{spread(ratios(runs, 'after', 'before', cpu), '×')}; re-import "
              f"{spread(ratios(runs, 'after again', 'before again', cpu), '×')}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["workbook"]:
        ensure_workbook()
    elif sys.argv[1:2] == ["compare"]:
        compare(Path(sys.argv[2]), *(int(n) for n in sys.argv[3:4]))
    else:
        run()
