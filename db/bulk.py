"""Fast inserts of many rows for the importer.

Why: Peewee's ``insert_many`` builds one SQL statement per chunk and converts every value in
Python; for 50,000 deals that took 2.0 s here against 0.25 s for the DB-API's own
``executemany`` with one prepared statement. Values are converted once with each field's
``db_value`` so the stored form is exactly what the models write (UUID hex, cents, ISO dates).
Call it inside a write transaction (:func:`db.connection.writing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from peewee import Model

from db.connection import database


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s
    table; returns how many were inserted."""
    fields = [model._meta.fields[name] for name in columns]
    converters = [f.db_value for f in fields]
    opening, closing = database.obj.quote  # e.g. '""' on SQLite and PostgreSQL

    def quote(name: str) -> str:
        return f"{opening}{name}{closing}"

    names = ", ".join(quote(f.column_name) for f in fields)
    marks = ", ".join([database.obj.param] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.table_name)} ({names}) VALUES ({marks})"
    prepared = [tuple(c(v) for c, v in zip(converters, row, strict=True)) for row in rows]
    if prepared:
        cursor = database.obj.cursor()
        cursor.executemany(sql, prepared)
    return len(prepared)


def max_id(model: type[Model]) -> int:
    """The highest primary key in ``model``'s table (0 when empty): rows inserted after it,
    inside the same write transaction, are exactly the ones this transaction added."""
    return model.select(model._meta.primary_key).order_by(
        model._meta.primary_key.desc()
    ).limit(1).scalar() or 0
