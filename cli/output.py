"""Printing results as text or JSON (``--json``)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(payload) -> None:
    """Print ``payload`` as JSON; Decimals become strings so no cent is lost to a float."""
    json.dump(payload, sys.stdout, default=_default, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def say(text: str) -> None:
    print(text)


def complain(text: str) -> None:
    print(f"funnelcast: {text}", file=sys.stderr)
