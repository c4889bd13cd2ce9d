"""Argument parsing and dispatch for the command line.

Only the standard library is imported at the top, here and in every command module: ``--help``
and a mistyped option answer at once, and the window (no command) imports no command at all.
What a command needs (the database, the importer, openpyxl) it imports when it runs."""

from __future__ import annotations

import argparse
import sys

from cli.output import complain


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="SQLite file or postgresql:// URL (default: the user's data folder)")
    parser.add_argument("--as", dest="acting_user", metavar="NAME",
                        help="act as this rep (default: the current user in the settings)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def build_parser() -> argparse.ArgumentParser:
    from cli.commands import COMMANDS

    parser = _global_options(argparse.ArgumentParser(
        prog="funnelcast",
        description="Funnelcast: a pipeline tracker for small sales teams. "
        "With no command, the window opens.",
    ))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help="print JSON instead of text")
        module.configure(command)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Open the database (creating a missing SQLite file only for a command whose
    ``CREATES_DATABASE`` says so), resolve ``--as``, run the command; user errors become a
    message on stderr and their exit code, never a traceback."""
    from app import crash_log
    from app.errors import FunnelcastError
    from app.users import resolve_actor
    from app.workspace import close_workspace, open_workspace
    from cli.commands import COMMANDS
    from cli.context import Context

    module = next(m for m in COMMANDS if args.command == m.NAME)
    try:
        workspace = open_workspace(args.db, create=module.CREATES_DATABASE)
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
    except Exception as error:  # a locked database, or a bug (logged): one sentence
        told = crash_log.for_user(error)
        complain(str(told))
        return told.exit_code


def _run_window(db: str | None, acting_user: str | None) -> int:
    from ui.application import run_gui

    return run_gui(db, acting_user)


def main(argv: list[str] | None = None) -> int:
    """The ``funnelcast`` console script (and ``python main.py``): a command runs headless and
    prints to the console; no command opens the window."""
    argv = sys.argv[1:] if argv is None else argv
    # The window is the common case: decide it from the global options alone, so opening it
    # never imports the commands (and what they import).
    known, rest = _global_options(argparse.ArgumentParser(add_help=False)).parse_known_args(argv)
    if not rest:
        return _run_window(known.db, known.acting_user)
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_usage(sys.stderr)
        return 2
    return run_command(args)


def window() -> int:
    """The ``funnelcast-window`` gui script: the window alone, started without a console on
    Windows (where a console script would open one beside it). Takes ``--db`` and ``--as``;
    commands belong to the console script, whose output has somewhere to go."""
    parser = _global_options(argparse.ArgumentParser(
        prog="funnelcast-window", description="Open the Funnelcast window."))
    args = parser.parse_args()
    return _run_window(args.db, args.acting_user)


if __name__ == "__main__":
    sys.exit(main())
