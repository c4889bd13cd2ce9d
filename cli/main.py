"""Argument parsing and dispatch for the command line."""

from __future__ import annotations

import argparse
import sys

from app import crash_log
from app.errors import FunnelcastError
from app.users import resolve_actor
from app.workspace import close_workspace, open_workspace
from cli.commands import COMMANDS
from cli.context import Context
from cli.output import complain


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="funnelcast",
        description="Funnelcast: a pipeline tracker for small sales teams. "
        "With no command, the window opens.",
    )
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="SQLite file or postgresql:// URL (default: the user's data folder)")
    parser.add_argument("--as", dest="acting_user", metavar="NAME",
                        help="act as this rep (default: the current user in the settings)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help="print JSON instead of text")
        module.configure(command)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Open the database, resolve ``--as``, run the command; user errors become a message
    on stderr and their exit code, never a traceback."""
    module = next(m for m in COMMANDS if args.command == m.NAME)
    try:
        workspace = open_workspace(args.db)
        try:
            actor = resolve_actor(args.acting_user)
            return module.run(args, Context(workspace, actor))
        finally:
            close_workspace()
    except FunnelcastError as error:
        complain(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        complain("interrupted; nothing more was written.")
        return 2
    except Exception as error:  # a bug: the log gets the traceback, the user one sentence
        complain(crash_log.sentence(error, crash_log.record(error)))
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ui.application import run_gui  # Qt is imported only when the window is wanted

        return run_gui(args.db, args.acting_user)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
