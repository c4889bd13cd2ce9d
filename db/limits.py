"""What a column can hold on every database Funnelcast runs on, read from the models.

Why here: a value the schema cannot hold fails only when it is written (PostgreSQL refuses a
text longer than its ``varchar(255)``, a NUL byte in any text, an integer past 32 bits;
SQLite accepts all of these), so whoever checks values before writing them (the import's
plan, the deal editor) asks this module rather than keep its own numbers.
"""

from __future__ import annotations

import re

from peewee import BigIntegerField, CharField, Field, IntegerField, TextField

INTEGER_RANGE = (-(2**31), 2**31 - 1)  # PostgreSQL "integer"; SQLite's is 64 bits
BIGINT_RANGE = (-(2**63), 2**63 - 1)
# Characters no text column may hold: NUL (PostgreSQL refuses it) and the other control
# characters but tab and line breaks (invisible, and no spreadsheet means them as text).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_limit(field: Field) -> int | None:
    """How many characters ``field`` holds on every database: a CharField's ``max_length``
    (``varchar(n)`` on PostgreSQL, 255 unless the model says otherwise); None for a
    TextField, which has no limit. Raises TypeError for a field that holds no text."""
    if isinstance(field, CharField):
        return field.max_length
    if isinstance(field, TextField):
        return None
    raise TypeError(f"{field.name} holds no text")


def integer_range(field: Field) -> tuple[int, int]:
    """The smallest and largest integer ``field`` holds on every database."""
    if isinstance(field, BigIntegerField):
        return BIGINT_RANGE
    if isinstance(field, IntegerField):
        return INTEGER_RANGE
    raise TypeError(f"{field.name} holds no integer")
