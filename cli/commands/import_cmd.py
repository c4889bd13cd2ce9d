"""``import FILE``: import deals from a spreadsheet (.xlsx, .xls, .ods, .csv), or merge a
rep's update workbook (recognised by its hidden sheet: see :mod:`app.offline`).

A merge lists each conflict (a field changed here and in the workbook since the export) and
merges nothing of a conflicted deal unless ``--ours`` (keep this database's values) or
``--theirs`` (take the workbook's) settles them all; the other deals merge either way.

Exit codes: 0 imported or merged (or a clean dry run), 1 the file was rejected and nothing
changed, 2 the file could not be read or the command was misused.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "import"
HELP = "import deals from an .xlsx, .xls, .ods or .csv file (all rows or none)"
CREATES_DATABASE = True


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the spreadsheet to import")
    parser.add_argument("--sheet", metavar="NAME",
                        help="the sheet to read (default: the first; not for a CSV file)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row and report what would change; write nothing "
                             "(no problems workbook either, unless --problems-file is given)")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="import the valid rows and report the others")
    parser.add_argument("--map-stage", action="append", default=[], metavar="THEIRS=OURS",
                        help="read the file's stage THEIRS as our stage OURS (repeatable)")
    parser.add_argument("--decimal", choices=("comma", "point"),
                        help="for amounts such as 1,500 that could be read either way: "
                             "which character separates the decimals")
    parser.add_argument("--day-first", action=argparse.BooleanOptionalAction, default=None,
                        help="read dates such as 03/04/2026 as day/month (--no-day-first: "
                             "month/day) when the column does not say")
    parser.add_argument("--problems-file", metavar="PATH", type=Path,
                        help="where to write the rows with problems (default: "
                             "FILE-problems.xlsx beside FILE, or FILE-problems-2.xlsx and so "
                             "on if that exists)")
    settle = parser.add_mutually_exclusive_group()
    settle.add_argument("--ours", dest="resolution", action="store_const", const="ours",
                        help="update workbook: settle every conflict with this database's "
                             "value")
    settle.add_argument("--theirs", dest="resolution", action="store_const", const="theirs",
                        help="update workbook: settle every conflict with the workbook's value")


def run(args: argparse.Namespace, context: Context) -> int:
    from app.offline.reader import is_update_workbook

    if is_update_workbook(args.file):
        return _merge(args, context)
    if args.resolution:
        from app.errors import UsageError

        raise UsageError(f"--{args.resolution} settles the conflicts of a rep's update "
                         f"workbook; {Path(args.file).name} is a spreadsheet of deals.")
    from app.importing import ImportOptions, run_import
    from app.importing.values import parse_stage_mapping

    options = ImportOptions(
        sheet=args.sheet,
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
        stage_mapping=parse_stage_mapping(args.map_stage),
        decimal={"*": "," if args.decimal == "comma" else "."} if args.decimal else {},
        locale_day_first=args.day_first,
        problems_path=args.problems_file,
    )
    report = run_import(args.file, options, context.actor)
    if args.json:
        emit_json(report.as_dict())
    else:
        say(report.describe())
    return 1 if report.rejected else 0


# The options of a spreadsheet of deals, with the value each has when not given.
_SPREADSHEET_ONLY: tuple[tuple[str, str, object], ...] = (
    ("--sheet", "sheet", None), ("--skip-invalid", "skip_invalid", False),
    ("--map-stage", "map_stage", []), ("--decimal", "decimal", None),
    ("--day-first", "day_first", None), ("--problems-file", "problems_file", None))


def _merge(args: argparse.Namespace, context: Context) -> int:
    from app.errors import NotFound, UsageError, ValidationError
    from app.offline.service import refusal_as_dict, run_merge

    given = [flag for flag, key, unset in _SPREADSHEET_ONLY if getattr(args, key) != unset]
    if given:
        raise UsageError(f"{' and '.join(given)} {'does' if len(given) == 1 else 'do'} not "
                         f"apply to a rep's update workbook ({Path(args.file).name}): it is "
                         "merged whole as Funnelcast wrote it, or not at all; leave "
                         f"{'it' if len(given) == 1 else 'them'} out.")
    try:
        report = run_merge(args.file, context.actor, dry_run=args.dry_run,
                           resolution=args.resolution)
    except (ValidationError, NotFound) as refusal:
        if not args.json:
            raise
        emit_json(refusal_as_dict(args.file, refusal, args.dry_run))
        return 1
    if args.json:
        emit_json(report.as_dict())
    else:
        say(report.describe())
    return 1 if report.plan.rejected else 0
