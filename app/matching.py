"""How names typed by people are compared: "  ravi   REP " is Ravi Rep, Lost is lost."""

from __future__ import annotations


def name_key(text: str | None) -> str:
    """The form two names are compared in: case folded, runs of spaces made one, trimmed."""
    return " ".join((text or "").split()).casefold()
