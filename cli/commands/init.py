"""``init [--manager NAME]``: a new database with the default pipeline, as the welcome
dialog's "Start empty" sets it up, for a user who scripts Funnelcast from the start; or,
with ``--manager``, the manager of a database an import set up (its reps came first: a rep
of that name is promoted).

Exit codes: 0 done, 1 refused (the database already has its pipeline, and its manager or no
name was given; nothing changed), 2 the database could not be opened or the command was
misused.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "init"
HELP = "set up a new database with the default pipeline (and its manager)"
CREATES_DATABASE = True


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manager", metavar="NAME",
                        help="the team's manager, who becomes the current user (default: "
                             "none yet; the window asks); a rep of that name, such as an "
                             "owner an import added, is promoted")


def run(args: argparse.Namespace, context: Context) -> int:
    from app.pipeline import list_stages
    from app.workspace import initialise

    done = initialise(args.manager)
    manager = done.manager
    stages = [stage.name for stage in list_stages()]
    if args.json:
        emit_json({"database": context.workspace.location, "stages": stages,
                   "manager": manager.name if manager else None,
                   "pipeline_set_up": done.pipeline_set_up})
        return 0
    if not done.pipeline_set_up:
        assert manager is not None  # initialise refuses a set-up database without a name
        say(f"{manager.name} is now the manager of this database's pipeline "
            f"({len(stages)} stages) and its current user.\n"
            f"Database: {context.workspace.location}")
        return 0
    who = (f" with {manager.name} as its manager" if manager else
           "; give --manager NAME (or open the window) to name its manager")
    say(f"Set up the default pipeline ({', '.join(stages)}){who}.\n"
        f"Database: {context.workspace.location}")
    return 0
