"""The first rows of an import as they will land: the preview shows them before anything is
written, so the user sees the file read the way Funnelcast reads it (amounts, dates, the
stage a value maps to, the owner a name matches or creates), not only counts.

Values are the plan's cleaned values as the deal will hold them: a new deal without a stage
starts in the pipeline's first stage and one without a title is titled with its company
(as the commit does); on an update an empty cell keeps the deal's own value and is shown
empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.importing.columns import FIELDS
from app.importing.plan import ImportPlan
from app.pipeline import StageInfo
from db.models import LeadSource, Rep

LANDING_ROWS = 20  # enough to recognise the file, few enough to read at a glance

# A mapped field -> the plan column that holds its cleaned values.
_CLEANED = {"owner": "owner_id", "source": "source_id", "stage": "stage_id"}
_LEFT_OUT = frozenset({"deal_id"})  # Funnelcast's own id: matching, not something to show


@dataclass(frozen=True)
class LandingRow:
    """One spreadsheet row: ``action`` is "create", "update", "unchanged" or "invalid";
    ``values`` holds one value per :attr:`LandingSample.fields` (str, Decimal, date, int
    or None for nothing); ``note`` says what the row does (the fields an update changes, or
    why a row is skipped)."""

    row: int
    action: str
    values: tuple[object, ...]
    note: str


@dataclass(frozen=True)
class LandingSample:
    """``fields`` (keys of :data:`~app.importing.columns.FIELDS`) in the file's column order,
    their ``labels``, and the first rows of the file as they will land. ``new_names`` are the
    owners and sources the import creates, as written in ``values``."""

    fields: tuple[str, ...]
    labels: tuple[str, ...]
    rows: tuple[LandingRow, ...]
    new_names: frozenset[str] = frozenset()


def landing_sample(plan: ImportPlan, stages: list[StageInfo],
                   limit: int = LANDING_ROWS) -> LandingSample:
    """The first ``limit`` rows of ``plan`` as they will land (reads the names of the
    owners and sources they refer to)."""
    fields = tuple(key for _, key in sorted(plan.mapping.fields.items())
                   if key not in _LEFT_OUT)
    rows = plan.rows[:limit]
    stage_names = {stage.id: stage.name for stage in stages}
    names = {"owner_id": _names(Rep, plan, rows, "owner_id"),
             "source_id": _names(LeadSource, plan, rows, "source_id")}
    problems: dict[int, str] = {}
    for problem in (*plan.by_row, *plan.conflicts):
        if problem.row is not None:
            problems.setdefault(problem.row, problem.message)
    landed = []
    for item in rows:
        values = []
        for key in fields:
            column = _CLEANED.get(key, key)
            cleaned = plan.columns.get(column)
            value = cleaned[item.position] if cleaned is not None else None
            if column == "stage_id":
                if value is None and item.action == "create":
                    value = plan.first_stage_id
                value = stage_names.get(value) if value is not None else None
            elif column in names and isinstance(value, int):
                value = names[column].get(value)
            values.append(value)
        landed.append(LandingRow(item.row, item.action, tuple(values),
                                 _note(item.action, item.changes, problems.get(item.row))))
    new_names = frozenset((*plan.new_owners, *plan.new_sources))
    return LandingSample(fields, tuple(FIELDS[key] for key in fields), tuple(landed),
                         new_names)


def _names(model, plan: ImportPlan, rows, column: str) -> dict[int, str]:
    """Id -> name of the existing owners (or sources) the sample rows refer to."""
    values = plan.columns.get(column)
    if values is None:
        return {}
    ids = {values[item.position] for item in rows if isinstance(values[item.position], int)}
    if not ids:
        return {}
    return dict(model.select(model.id, model.name).where(model.id.in_(ids)).tuples())


def _note(action: str, changes: dict | None, problem: str | None) -> str:
    if action == "invalid":
        return f"Skipped: {problem}" if problem else "Skipped"
    if action == "unchanged":
        return "Already up to date"
    if action == "update":
        changed = {_FIELD_OF_COLUMN.get(key, key) for key in changes or {}}
        labels = [label for key, label in FIELDS.items() if key in changed]
        return f"Changes {', '.join(labels)}" if labels else "Updates the deal"
    return "New deal"


_FIELD_OF_COLUMN = {column: key for key, column in _CLEANED.items()}
