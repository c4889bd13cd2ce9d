"""``export FILE [--week YYYY-Www]``: the weekly pipeline workbook (Summary, Deals, Reps,
Activities, Stage history), as File → Export weekly pipeline… writes it. FILE may be a
folder: the workbook is then ``pipeline-YYYY-Www.xlsx`` inside it.

``export FILE --rep NAME``: that rep's update workbook (their open deals and leads, the
checklist ahead of each, an Hours sheet), to be edited offline and merged back with
``import FILE``; in a folder it is ``updates-<rep>-YYYY-MM-DD.xlsx``.

JSON: ``{"file", "week", "period", "deals", "activities", "stage_moves", "sheets", "cut"}``;
with ``--rep``: ``{"file", "rep", "deals", "checklist_rows", "cut"}``.
Exit codes: 0 written, 1 a week or rep that does not exist, 2 the file could not be written
(what was there before is untouched).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "export"
HELP = "write the weekly pipeline workbook (pipeline-YYYY-Www.xlsx)"
CREATES_DATABASE = False


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE",
                        help="the workbook to write, or a folder to write "
                             "pipeline-YYYY-Www.xlsx in")
    parser.add_argument("--week", metavar="YYYY-Www",
                        help="an ISO week such as 2026-W49; default: the current week")
    parser.add_argument("--rep", metavar="NAME",
                        help="write this rep's update workbook instead (to edit offline and "
                             "import back)")


def run(args: argparse.Namespace, context: Context) -> int:
    from app import clock
    from app.exporting import export_weekly_workbook, parse_week, week_of

    if args.rep is not None:
        return _export_updates(args)
    week = parse_week(args.week) if args.week else week_of(clock.local_today())
    target = Path(args.file)
    if target.is_dir():
        target = target / week.file_name
    result = export_weekly_workbook(target, week)
    if args.json:
        emit_json({"file": str(result.path), "week": result.week, "period": result.period,
                   "deals": result.deals, "activities": result.activities,
                   "stage_moves": result.stage_moves, "sheets": list(result.sheets),
                   "cut": list(result.cut)})
    else:
        say(result.describe())
    return 0


def _export_updates(args: argparse.Namespace) -> int:
    from app.errors import UsageError
    from app.offline.export import export_update_workbook

    if args.week:
        raise UsageError("--week is for the weekly workbook; an update workbook (--rep) holds "
                         "the rep's open deals as they are now.")
    result = export_update_workbook(args.file, args.rep)
    if args.json:
        emit_json({"file": str(result.path), "rep": result.rep, "deals": result.deals,
                   "checklist_rows": result.checklist_rows, "cut": list(result.cut)})
    else:
        say(result.describe())
    return 0
