"""Printing results as text or JSON (``--json``)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _write(text: str) -> None:
    """Write to stdout; a reader that went away (``| head``) is not an error of the command,
    which has done its work: the rest of the output is dropped and the exit code stands."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def emit_json(payload) -> None:
    """Print ``payload`` as JSON; Decimals become strings so no cent is lost to a float."""
    _write(json.dumps(payload, default=_default, indent=2, ensure_ascii=False) + "\n")


def say(text: str) -> None:
    _write(text + "\n")


def complain(text: str) -> None:
    print(f"funnelcast: {text}", file=sys.stderr)
