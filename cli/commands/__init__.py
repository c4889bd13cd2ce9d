"""One module per command. Each exposes ``NAME``, ``HELP``, ``CREATES_DATABASE``,
``configure(parser)`` and ``run(args, context) -> int``; add a module here and to
:data:`COMMANDS` to add a command. ``CREATES_DATABASE`` is True only for a command that
sets a database up (init, demo, import): any other refuses a SQLite path with no file.

Opening the window never imports these modules (cli.main decides that from the global
options alone). Every command module is imported to build the parser for any command or
``--help``, so heavy ``app`` imports belong inside ``run()``."""

from cli.commands import (
    demo,
    export,
    forecast,
    import_cmd,
    init,
    quota,
    report,
    undo_import,
    whatif,
)

COMMANDS = [init, demo, import_cmd, undo_import, quota, forecast, whatif, report, export]
