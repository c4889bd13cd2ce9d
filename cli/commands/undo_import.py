"""``undo-import``: take back the newest import not yet undone, as the window's
"Undo last import" does (the same service, the same refusals).

Exit codes: 0 undone, 1 refused (no import to undo, or undoing would lose work done since;
nothing changed), 2 the database could not be opened or the backup could not be written.
"""

from __future__ import annotations

import argparse

from cli.context import Context
from cli.output import emit_json, say

NAME = "undo-import"
HELP = "take back the newest import not yet undone"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options of its own."""


def run(args: argparse.Namespace, context: Context) -> int:
    from app.importing import undo_last_import
    from app.workspace import backup_now

    taken = []

    def backup() -> None:
        taken.append(str(backup_now("before-undo-import")))

    result = undo_last_import(context.actor,
                              backup=backup if context.workspace.is_file else None)
    shown = taken[0] if taken else None
    if args.json:
        emit_json({**result.as_dict(), "backup": shown})
    else:
        say(result.describe() + (f"\nA backup was written first: {shown}." if shown else ""))
    return 0
