"""One module per command. Each exposes ``NAME``, ``HELP``, ``configure(parser)`` and
``run(args, context) -> int``; add a module here and to :data:`COMMANDS` to add a command."""

from cli.commands import demo, import_cmd

COMMANDS = [demo, import_cmd]
