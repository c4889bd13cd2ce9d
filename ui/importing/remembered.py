"""The answers a user gave when importing a file, remembered per file shape (its headers,
:func:`app.importing.columns.file_shape`) in the UI settings, and offered pre-filled when a
file of the same shape is imported again: the next export of the same CRM report asks the
same questions ("Demo booked" is which stage?) and should not need answering twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

KEY = "import/answers/{shape}"


@dataclass
class Answers:
    """``columns``: column index -> field key (None: not imported); ``stages``: the file's
    stage value -> our stage name; ``decimal``: amount column header -> its decimal
    separator."""

    columns: dict[int, str | None] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    decimal: dict[str, str] = field(default_factory=dict)


def recall(shape: str) -> Answers:
    """The answers last given for files of ``shape`` (empty when none, or unreadable)."""
    if not shape:
        return Answers()
    stored = QSettings().value(KEY.format(shape=shape))
    try:
        raw = json.loads(stored) if isinstance(stored, str) else {}
        return Answers({int(k): v for k, v in raw.get("columns", {}).items()},
                       dict(raw.get("stages", {})), dict(raw.get("decimal", {})))
    except (ValueError, TypeError, AttributeError):
        return Answers()  # written by another version: start afresh


def remember(shape: str, answers: Answers) -> None:
    """Keep ``answers`` for ``shape``: the column choices replace the old ones; stage and
    separator answers are added to them (a value answered last time stays answered)."""
    if not shape:
        return
    old = recall(shape)
    QSettings().setValue(KEY.format(shape=shape), json.dumps({
        "columns": {str(k): v for k, v in answers.columns.items()},
        "stages": {**old.stages, **answers.stages},
        "decimal": {**old.decimal, **answers.decimal},
    }))
