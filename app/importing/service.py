"""The import use case, shared word for word by the command line and the wizard.

:func:`inspect_file` reads a sheet and proposes a column mapping (the wizard's first steps);
:func:`run_import` reads, validates every row, and — unless it is a dry run or the file was
rejected — backs the database up and commits in one transaction. Both return plain
dataclasses.
"""

from __future__ import annotations

import gc
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.defaults import install_default_pipeline, load_template
from app.errors import ConflictError, UsageError, ValidationError
from app.importing.columns import FIELDS, file_shape, map_columns
from app.importing.commit import commit_plan
from app.importing.errors_workbook import write_problems_workbook
from app.importing.header import find_header
from app.importing.landing import LandingSample, landing_sample
from app.importing.plan import AmbiguousAmounts, ImportPlan, RowProblem, build_plan
from app.importing.read import SheetTable, read_sheet
from app.importing.values import clean_text
from app.jobs import JobControl
from app.offline.copy_rules import refuse_in_working_copy
from app.pipeline import StageInfo, list_stages
from app.users import RepInfo
from app.workspace import SERVER_BACKUPS, is_blank, start_backup
from db.backup import PendingBackup
from db.connection import data_version, writing


@dataclass
class ImportOptions:
    """How to import. ``columns`` maps a column index (or header text) to a field key, or to
    None to leave the column out; ``stage_mapping`` maps a file's stage value to a stage
    name; ``decimal`` and ``day_first`` answer per column header (``"*"``: all columns)
    what the file leaves undecided. ``problems_path`` is where the problems workbook goes
    (default: beside the file, ``<name>-problems.xlsx``, or ``-problems-2.xlsx``… rather than
    overwrite a file; a dry run writes it only when ``problems_path`` is given)."""

    sheet: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False
    columns: dict[int | str, str | None] = field(default_factory=dict)
    stage_mapping: dict[str, str] = field(default_factory=dict)
    decimal: dict[str, str] = field(default_factory=dict)
    day_first: dict[str, bool] = field(default_factory=dict)
    locale_day_first: bool | None = None
    problems_path: Path | None = None


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a rejected file, would do)."""

    file: str
    sheet: str
    sheet_names: list[str]
    header_row: int
    mapping: dict[str, str]  # header -> field label
    unmapped: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    conflicts: list[RowProblem] = field(default_factory=list)
    unknown_stages: dict[str, list[int]] = field(default_factory=dict)
    ambiguous_amounts: dict[str, AmbiguousAmounts] = field(default_factory=dict)
    new_owners: list[str] = field(default_factory=list)
    new_sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stage_names: list[str] = field(default_factory=list)
    dry_run: bool = False
    rejected: bool = False
    committed: bool = False
    problems_workbook: str | None = None
    backup: str | None = None
    # What the checked plan does with the rows: (create, update, unchanged, skip). A dry run's
    # figures above are these; a rejected import's stay 0 (nothing was done), and its
    # :meth:`describe` states this plan in the dry run's words.
    planned: tuple[int, int, int, int] = (0, 0, 0, 0)
    landing: LandingSample | None = None  # a dry run's first rows as they will land

    def as_dict(self) -> dict:
        """The JSON shape of DESIGN.md, plus the details a script may want."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": [e.as_dict() for e in self.errors],
            "conflicts": [c.as_dict() for c in self.conflicts],
            "dry_run": self.dry_run,
            "committed": self.committed,
            "file": self.file,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "unmapped_columns": self.unmapped,
            "unknown_owners_created": self.new_owners if self.committed else [],
            "new_owners": self.new_owners,
            "new_sources": self.new_sources,
            "warnings": self.warnings,
            "problems_workbook": self.problems_workbook,
            "backup": self.backup,
        }

    def describe(self) -> str:
        """A few sentences for the command line. A rejected import states its plan in the
        words of a dry run of the same file: what importing would do once the problems are
        fixed or skipped."""
        if self.committed:
            created, updated, unchanged, skipped = (self.created, self.updated,
                                                    self.unchanged, self.skipped)
            lines = [f"Created {created:,}, updated {updated:,}; "]
        else:
            created, updated, unchanged, skipped = self.planned
            lines = [f"Would create {created:,}, update {updated:,}; "]
        lines[0] += (f"{unchanged:,} unchanged, {skipped:,} skipped ({self.file}, sheet "
                     f"{self.sheet!r}, header on row {self.header_row}).")
        if self.rejected:
            lines.insert(0, ("This file would be rejected" if self.dry_run else
                             "Nothing was imported, this file was rejected") + ": fix the "
                         "problems below (or use --skip-invalid to import the valid rows).")
        for problem in self.errors:
            where = (f"column {problem.column}" if problem.row is None
                     else f"row {problem.row}, {problem.column}")
            lines.append(f"  {where}: {problem.message}")
        for problem in self.conflicts:
            lines.append(f"  row {problem.row}: {problem.message}")
        if self.unmapped:
            lines.append(f"Columns not imported: {', '.join(self.unmapped)}.")
        if self.new_owners:
            what = "New reps created" if self.committed else "New reps to create"
            lines.append(f"{what}: {', '.join(self.new_owners)}.")
        lines.extend(self.warnings)
        if self.problems_workbook:
            lines.append(f"The rows with problems are in {self.problems_workbook}.")
        if self.backup:
            lines.append(f"A backup was written first: {self.backup}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class ColumnInfo:
    index: int
    header: str
    field: str | None  # the proposed field key
    samples: list  # up to three non-empty cells as read (text, number, date)


@dataclass(frozen=True)
class FileOverview:
    """A sheet as the wizard's mapping step shows it."""

    file: str
    sheet: str
    sheet_names: list[str]
    header_row: int
    rows: int
    columns: list[ColumnInfo]
    shape: str = ""  # app.importing.columns.file_shape of its headers


def _header_texts(values: list) -> list[str]:
    return [clean_text(v) for v in values]


# How the service reads a sheet: read_sheet itself, or a SheetCache's read.
SheetReader = Callable[[Path, str | None, JobControl | None], SheetTable]


def inspect_file(path: str | Path, sheet: str | None = None,
                 control: JobControl | None = None, *,
                 reader: SheetReader = read_sheet) -> FileOverview:
    """Read ``sheet`` and propose a mapping for its columns, with a few sample values each.
    ``reader`` reads the sheet (a wizard passes its :class:`SheetCache`'s)."""
    table = reader(Path(path), sheet, control)
    header_index = find_header(table.rows, table.sheet)
    number, values = table.rows[header_index]
    headers = _header_texts(values)
    mapping = map_columns(headers)
    data = table.rows[header_index + 1:]
    columns = []
    for index, header in enumerate(headers):
        samples: list = []
        for _, row in data:
            if index < len(row) and clean_text(row[index]):
                cell = row[index]
                samples.append(clean_text(cell) if isinstance(cell, str) else cell)
                if len(samples) == 3:
                    break
        columns.append(ColumnInfo(index, header, mapping.fields.get(index), samples))
    return FileOverview(str(path), table.sheet, table.sheet_names, number, len(data), columns,
                        file_shape(headers))


def _unused_name(folder: Path, stem: str) -> Path:
    """``folder/<stem>-problems.xlsx``, or ``-problems-2.xlsx``, ``-3``… if that exists: the
    default name never overwrites a file (an earlier problems workbook the user is fixing)."""
    candidate = folder / f"{stem}-problems.xlsx"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-problems-{number}.xlsx"
        number += 1
    return candidate


# While imports run, the cyclic collector's first generation waits for this many new
# objects instead of 700 (Python's default).
_IMPORT_GC_THRESHOLD = 50_000
_gc_lock = threading.Lock()
_gc_imports = 0  # imports running now
_gc_thresholds: tuple[int, int, int] = gc.get_threshold()  # as found by the first of them


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run less often while an import runs.

    Why: an import makes a few million small objects (cells, cleaned values, rows to
    insert), and a collection every 700 of them walks every one still alive: 0.2 s of a
    50,000-row import's 2.3 s of processor time, 0.4 s of the re-import's 2.3 (paired
    runs, bench_import compare). The collector stays on for every thread, the window's
    included: it collects after 50,000 new objects rather than 700. The thresholds are
    process-wide, so they are put back when the last running import ends, however it ends.
    """
    global _gc_imports, _gc_thresholds
    with _gc_lock:
        if _gc_imports == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(_IMPORT_GC_THRESHOLD, *_gc_thresholds[1:])
        _gc_imports += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_imports -= 1
            if _gc_imports == 0:
                gc.set_threshold(*_gc_thresholds)


class BackupBeforeImport:
    """The backup an import commits with, copied on a thread of its own while the file is
    read and checked: on a database of 100,000 deals the copy takes as long as importing
    50,000 rows, and the import need not wait for it until its commit. Thrown away when
    nothing gets written.

    The copy is a snapshot of the database when it began. Should another connection commit
    after that (an edit in the main window during the import), the copy would lack that edit:
    :meth:`refresh` starts a fresh one just before the import's write transaction, and
    :meth:`settle`, inside it (where nobody else can commit), checks once more. The backup is
    filed under its name and the oldest pruned only once the import has committed
    (:meth:`keep`)."""

    def __init__(self) -> None:
        self.seen = data_version()  # before the copy begins: a later commit changes it
        try:
            self.pending: PendingBackup | None = start_backup("before-import")
        except UsageError:  # a server database
            self.pending = None

    def refresh(self) -> None:
        """Start the copy again if another connection committed since it began. Call just
        before the import's write transaction."""
        now_seen = data_version()
        if self.pending is not None and now_seen != self.seen:
            self.pending.discard()
            self.seen = now_seen
            self.pending = start_backup("before-import")

    def settle(self) -> str:
        """Wait for the copy and return the path it will be kept under ("" on a server
        database). Call inside the import's write transaction, before its commit; raises if
        the copy failed (a full disk), which abandons the import."""
        if self.pending is None:
            return ""
        self.refresh()  # rare: a commit slipped in since the last call
        return str(self.pending.wait())

    def keep(self) -> None:
        """File the settled copy (after the import's commit) and prune the oldest. Raises
        OSError when it cannot be filed (the partial copy is deleted)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            try:
                pending.keep()
            except OSError:
                pending.discard()
                raise

    def discard(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.discard()


def _plan(table: SheetTable, header_index: int, mapping, stages: list[StageInfo],
          options: ImportOptions, control: JobControl | None) -> ImportPlan:
    return build_plan(
        table, header_index, mapping, stages,
        stage_mapping=options.stage_mapping, decimal=options.decimal,
        day_first=options.day_first, locale_day_first=options.locale_day_first,
        control=control,
    )


@contextmanager
def _pipeline(dry_run: bool, said: list[str]) -> Iterator[list[StageInfo]]:
    """The stages to plan against, for the block that plans. A blank database (nothing in
    it yet: the obvious first command is an import) gets the default pipeline, as the
    welcome dialog's "Start empty" sets it up, and ``said`` a sentence saying so; for a dry
    run it is set up only for the block, inside a transaction that is rolled back."""
    stages = list_stages()
    if stages or not is_blank():
        yield stages
        return
    names = ", ".join(spec["name"] for spec in load_template()["stages"])
    if not dry_run:
        install_default_pipeline()
        said.append(f"This database was new, so the default pipeline was set up first "
                    f"({names}); change its stages in Settings. It has no manager yet: "
                    f"name one with init --manager NAME, or open it in the window.")
        yield list_stages()
        return
    said.append(f"This database is new: importing will first set up the default pipeline "
                f"({names}).")
    with writing() as transaction:
        install_default_pipeline()
        yield list_stages()
        transaction.rollback()  # a dry run writes nothing


class _Recheck:
    """Decides, inside the import's write transaction, whether the plan still holds.

    The plan was made outside that transaction, so another import (another process, or
    the window beside the command line) may have committed since: writing the stale plan
    would create its deals a second time, and its new reps ("There is already a rep
    called …"). On SQLite, ``PRAGMA data_version`` on this connection, read before the plan's
    first read (``seen``), changes exactly when another connection commits: equal readings
    inside the transaction mean the plan is what a plan made now would be. A server database
    has no such counter, so there the plan is always made again (its tables are locked
    against writers by then: see :func:`db.connection.lock_for_writing`). A plan made again
    that now finds problems abandons the import."""

    def __init__(self, plan: ImportPlan, seen: int | None,
                 make: Callable[[], ImportPlan]) -> None:
        self.plan = plan
        self.seen = seen
        self.make = make
        self.changed = ""  # a sentence for the report when the plan made again differs

    def plan_to_write(self) -> ImportPlan:
        if self.seen is not None and data_version() == self.seen:
            return self.plan
        fresh = self.make()
        problems = fresh.blocking or fresh.errors or fresh.conflicts
        if problems and not _same_problems(fresh, self.plan):
            raise ConflictError("Deals were changed while this file was being checked, and "
                                "it no longer imports as checked; import it again.")
        if _outcome(fresh) != _outcome(self.plan):
            self.changed = ("Another change was saved while this file was being checked; it "
                            "was checked again against it before writing.")
        self.plan = fresh
        return fresh


def _outcome(plan: ImportPlan) -> tuple:
    return (tuple(plan.count(a) for a in ("create", "update", "unchanged", "invalid")),
            plan.new_owners, plan.new_sources)


def _same_problems(one: ImportPlan, other: ImportPlan) -> bool:
    """Whether two plans of the same file reject the same rows for the same reasons (the
    user chose to skip those, or was told of them)."""
    return (one.errors, one.conflicts, one.unknown_stages, one.ambiguous_amounts) == (
        other.errors, other.conflicts, other.unknown_stages, other.ambiguous_amounts)


def run_import(
    path: str | Path,
    options: ImportOptions,
    actor: RepInfo | None,
    control: JobControl | None = None,
    *,
    reader: SheetReader = read_sheet,
) -> ImportReport:
    """Import deals from ``path``. Raises UsageError for a file that cannot be read; returns a
    report with ``rejected`` set (and nothing written) when any row has a problem and
    ``skip_invalid`` is off, or when a stage value or an amount format needs an answer.
    ``reader`` reads the sheet (a wizard passes its :class:`SheetCache`'s)."""
    refuse_in_working_copy("import spreadsheets")
    with _fewer_collections():
        return _run_import(Path(path).absolute(), options, actor, control, reader)


def _run_import(
    path: Path, options: ImportOptions, actor: RepInfo | None, control: JobControl | None,
    reader: SheetReader,
) -> ImportReport:
    control = control or JobControl()
    control.report(0.0, "Reading the file…")
    # A blank database has nothing to back up (and gets no backups folder for nothing).
    backup = None if options.dry_run or is_blank() else BackupBeforeImport()
    try:
        return _read_check_commit(path, options, actor, control, backup, reader)
    finally:
        if backup is not None:
            backup.discard()  # unless the commit kept it


def _read_check_commit(
    path: Path, options: ImportOptions, actor: RepInfo | None, control: JobControl,
    backup: BackupBeforeImport | None, reader: SheetReader,
) -> ImportReport:
    table = reader(path, options.sheet, control)
    control.report(0.25, "Finding the header row…")
    header_index = find_header(table.rows, table.sheet)
    header_values = table.rows[header_index][1]
    mapping = map_columns(_header_texts(header_values), options.columns)
    mapped = set(mapping.fields.values())
    if not mapped & {"title", "company"}:
        raise ValidationError("Choose the column that holds each deal's title (or its company); "
                              "no column is mapped to Title or Company.")
    seen = data_version()  # before the plan's first read: a later commit changes it
    setup: list[str] = []
    with _pipeline(options.dry_run, setup) as stages:
        plan = _plan(table, header_index, mapping, stages, options, control)
    report = ImportReport(
        file=path.name, sheet=table.sheet, sheet_names=table.sheet_names,
        header_row=plan.header_row,
        mapping={mapping.headers[i]: FIELDS[k] for i, k in mapping.fields.items()},
        unmapped=mapping.unmapped, errors=plan.errors, conflicts=plan.conflicts,
        unknown_stages=plan.unknown_stages, ambiguous_amounts=plan.ambiguous_amounts,
        new_owners=plan.new_owners, new_sources=plan.new_sources,
        warnings=setup + plan.warnings, stage_names=[s.name for s in stages],
        dry_run=options.dry_run,
    )
    report.rejected = plan.blocking or bool(
        (plan.errors or plan.conflicts) and not options.skip_invalid
    )
    # A dry run writes nothing, unless the caller named a problems file.
    if plan.by_row and (options.problems_path is not None or not options.dry_run):
        rows = plan.original_rows()
        target = options.problems_path or _unused_name(path.parent, path.stem)
        try:
            written = write_problems_workbook(target, header_values, rows, plan.by_row)
        except UsageError:
            written = write_problems_workbook(
                _unused_name(Path(tempfile.gettempdir()), path.stem), header_values, rows,
                plan.by_row,
            )
        report.problems_workbook = str(written)
    report.planned = (plan.count("create"), plan.count("update"), plan.count("unchanged"),
                      plan.count("invalid"))
    if report.rejected and not options.dry_run:
        return report
    report.created, report.updated, report.unchanged, report.skipped = report.planned
    if options.dry_run:
        report.landing = landing_sample(plan, stages)
    if options.dry_run or report.rejected:  # a file with problems
        return report
    if not report.created and not report.updated:
        report.committed = True  # nothing to write: no backup, no batch for "Undo" to find
        return report
    control.report(0.6, "Waiting to write…")
    if backup is not None:
        backup.refresh()
    checked = _Recheck(plan, seen, lambda: _plan(  # no progress: the bar is past planning
        table, header_index, mapping, list_stages(), options, None))
    result = commit_plan(
        plan, actor, file_name=path.name, sheet=table.sheet,
        backup=backup.settle if backup is not None else str, control=control,
        recheck=checked.plan_to_write,
    )
    report.committed = True
    report.created, report.updated = result.created, result.updated
    report.unchanged, report.skipped = result.unchanged, result.skipped
    if checked.changed:
        report.new_owners, report.new_sources = checked.plan.new_owners, checked.plan.new_sources
        report.warnings.append(checked.changed)
    if not result.batch_uuid or backup is None:  # nothing written, or a blank database
        return report
    if not result.backup_path:
        report.warnings.append(SERVER_BACKUPS)
        return report
    try:
        backup.keep()
        report.backup = result.backup_path
    except OSError as exc:
        report.warnings.append(f"The backup taken before the import could not be kept "
                               f"({exc.strerror or exc}); make one with File › Back up now.")
    return report
