"""``undo-import``: take back the newest import not yet undone, as the window's
"Undo last import" does (the same service: the same refusals, and the same backup of a
database file first).

Exit codes: 0 undone, 1 refused (no import to undo, or undoing would lose work done since;
nothing changed), 2 the database could not be opened or the backup could not be written.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "undo-import"
HELP = "take back the newest import not yet undone"
CREATES_DATABASE = False


def configure(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace, context: Context) -> int:
    from app.importing import undo_last_import

    result = undo_last_import(context.actor)  # backs a database file up first
    if args.json:
        emit_json(result.as_dict())
    else:
        say(result.describe())
    return 0
