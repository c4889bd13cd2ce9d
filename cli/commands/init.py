"""``init [--manager NAME]``: a new database with the default pipeline, as the welcome
dialog's "Start empty" sets it up, for a user who scripts Funnelcast from the start.

Exit codes: 0 set up, 1 refused (the database already has its pipeline; nothing changed),
2 the database could not be opened or the command was misused.
"""

from __future__ import annotations

import argparse

from cli.context import Context
from cli.output import emit_json, say

NAME = "init"
HELP = "set up a new database with the default pipeline (and its manager)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manager", metavar="NAME",
                        help="the team's manager, who becomes the current user (default: "
                             "none yet; the window asks)")


def run(args: argparse.Namespace, context: Context) -> int:
    from app.pipeline import list_stages
    from app.workspace import initialise

    manager = initialise(args.manager)
    stages = [stage.name for stage in list_stages()]
    if args.json:
        emit_json({"database": context.workspace.location, "stages": stages,
                   "manager": manager.name if manager else None})
        return 0
    who = (f" with {manager.name} as its manager" if manager else
           "; give --manager NAME (or open the window) to name its manager")
    say(f"Set up the default pipeline ({', '.join(stages)}){who}.\n"
        f"Database: {context.workspace.location}")
    return 0
