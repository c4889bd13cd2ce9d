"""Fast inserts of many rows for the importer.

Why: Peewee's ``insert_many`` builds the SQL for every chunk and converts every value in
Python; for 50,000 deals that took 2.0 s against 0.25 s for the DB-API's own ``executemany``.
Rows go in many to a statement, every value bound as a parameter, and rows that can be
derived from rows already inserted are copied in SQL (``INSERT … SELECT``). Callers pass
values in their stored form (ids, cents, ISO text). Call these inside a write transaction
(:func:`db.connection.writing`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from peewee import Model, PostgresqlDatabase

from db.connection import database, is_sqlite

# A version-7 UUID (RFC 9562) as 32 hex digits: the Unix time in milliseconds (filled in when
# the statement is written), the version digit 7, then 74 random bits from SQLite's own
# generator (ChaCha20, seeded from the OS) with the RFC variant bits (10) forced in. One
# expression per row, no materialised source.
_SQLITE_UUID = (
    "printf('%012x7%03x%016x', {milliseconds}, random() & 4095,"
    " (random() & 4611686018427387903) | -9223372036854775808)"
)
# The same on PostgreSQL 13+ (which has no version-7 generator before 18), as a value of its
# uuid type (what a uuid column holds there): a random version-4 uuid with its first six bytes
# replaced by the time and the version bits turned from 0100 into 0111 (set_bit counts bits
# from the low end of each byte: 52 and 53 are 0x10 and 0x20 of byte 6).
_POSTGRES_UUID = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing"
    " substring(int8send({milliseconds}::bigint) from 3) from 1 for 6), 52, 1), 53, 1),"
    " 'hex')::uuid"
)


def _postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def new_uuid_sql() -> str:
    """SQL for a fresh uuid for each row, in the current database's dialect and the form its
    uuid columns hold (32 hex digits on SQLite, the uuid type on PostgreSQL), for a
    :func:`copy_rows` expression: a time-ordered version-7 uuid of this moment on either
    (:func:`new_uuid_hexes` makes the same in Python). The only number in it is the time,
    an integer this function computes.

    Why time-ordered: the rows of one import get keys beside each other, after the keys of
    every earlier millisecond, so the uuid index takes them at its end instead of scattered
    through pages all over it: 50,000 stage changes into a database holding 300,000 went in
    in 0.2 s where random (version-4) uuids took 0.3."""
    template = _POSTGRES_UUID if _postgres() else _SQLITE_UUID
    return template.format(milliseconds=int(time.time_ns() // 1_000_000))


_VERSION_7 = bytes(b & 0x0F | 0x70 for b in range(256))  # byte 6: version 7 in the high bits
_RFC_VARIANT = bytes(b & 0x3F | 0x80 for b in range(256))  # byte 8: variant bits 10


def new_uuid_hexes(count: int) -> list[str]:
    """``count`` fresh version-7 uuids of this moment as 32 hex digits (the form the uuid
    columns store), as :func:`new_uuid_sql` makes them on SQLite: the time in milliseconds
    in the first six bytes, 74 random bits from one read of the OS's random source, the
    version and variant set by byte translation (50,000 in about 11 ms where ``uuid4()``
    takes 115)."""
    raw = bytearray(os.urandom(16 * count))
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    for position, byte in enumerate(stamp):
        raw[position::16] = bytes([byte]) * count
    raw[6::16] = raw[6::16].translate(_VERSION_7)
    raw[8::16] = raw[8::16].translate(_RFC_VARIANT)
    text = raw.hex()
    return [text[i:i + 32] for i in range(0, 32 * count, 32)]


def _quote(name: str) -> str:
    opening, closing = database.obj.quote  # e.g. '""' on SQLite and PostgreSQL
    return f"{opening}{name}{closing}"


# At most this many parameters in one statement: SQLite before 3.32 refuses more.
_MAX_PARAMETERS = 999


def insert_rows(
    model: type[Model],
    columns: Mapping[str, Sequence],
    constants: Mapping[str, object] | None = None,
) -> None:
    """Insert rows into ``model``'s table, given column by column: ``columns`` maps each
    column name to its stored-form values, one per row (at least one column; all of the
    same length; only read). ``constants`` (column → value) are the same on every row.
    Every value is bound as a parameter. Never the primary key: ids come from the database,
    since on PostgreSQL explicit ids leave the table's id sequence behind and the next
    ordinary insert fails on a duplicate key (ValueError).

    Rows go in many to a statement (``VALUES (…), (…), …``, up to 999 parameters): on
    PostgreSQL the DB-API's ``executemany`` makes a round trip to the server per row. The
    parameters are laid out row after row by slice assignment, one column at a time in C,
    rather than by building a tuple for every row."""
    key = model._meta.primary_key.column_name
    constants = constants or {}
    if key in columns or key in constants:
        raise ValueError(f"insert_rows leaves {model._meta.table_name}.{key} to the database")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError("insert_rows needs at least one column, all of one length; got "
                         f"lengths {sorted(lengths)}")
    count = lengths.pop()
    every = {**columns, **{name: [value] * count for name, value in constants.items()}}
    names = ", ".join(_quote(n) for n in every)
    width = len(every)
    one = "(" + ", ".join([database.obj.param] * width) + ")"
    head = f"INSERT INTO {_quote(model._meta.table_name)} ({names}) VALUES "
    flat: list = [None] * (count * width)
    for offset, values in enumerate(every.values()):
        flat[offset::width] = values
    per_statement = max(1, _MAX_PARAMETERS // width)
    full = head + ", ".join([one] * per_statement)
    cursor = database.obj.cursor()
    step = per_statement * width
    for start in range(0, len(flat), step):
        chunk = flat[start:start + step]
        sql = full if len(chunk) == step else head + ", ".join([one] * (len(chunk) // width))
        cursor.execute(sql, chunk)


def copy_rows(
    target: type[Model], expressions: Mapping[str, str], source: type[Model],
    where_id_above: int, constants: Mapping[str, object] | None = None,
) -> None:
    """``INSERT INTO target (…) SELECT … FROM source WHERE id > where_id_above``: one row in
    ``target`` per row just added to ``source``. ``expressions`` maps target columns to SQL
    the program wrote over the source's columns (a column name, ``NULL``, or
    :func:`new_uuid_sql`); ``constants`` maps target columns to values, bound as
    parameters like ``where_id_above``."""
    constants = constants or {}
    columns = [*expressions, *constants]
    selected = [*expressions.values(), *[database.obj.param] * len(constants)]
    sql = (
        f"INSERT INTO {_quote(target._meta.table_name)} "
        f"({', '.join(_quote(c) for c in columns)}) "
        f"SELECT {', '.join(selected)} FROM {_quote(source._meta.table_name)} "
        f"WHERE {_quote(source._meta.primary_key.column_name)} > {database.obj.param}"
    )
    database.obj.execute_sql(sql, [*constants.values(), where_id_above])


def rows_by_id(model: type[Model], fields: Sequence, ids: Sequence[int]) -> list[tuple]:
    """The stored values of ``fields`` (model fields) for the rows of ``model`` whose ids
    are in ``ids``, in no particular order, with SQL written once for every 500 ids.

    Why: Peewee builds an ``IN`` list of 500 values in Python for every query, which took
    longer than running the queries (a re-import of 50,000 rows reads every matched deal)."""
    table = _quote(model._meta.table_name)
    key = _quote(model._meta.primary_key.column_name)
    names = ", ".join(_quote(f.column_name) for f in fields)
    select = f"SELECT {names} FROM {table} WHERE {key} IN "

    def marks(count: int) -> str:
        return "(" + ", ".join([database.obj.param] * count) + ")"

    full = select + marks(500)
    rows: list[tuple] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        sql = full if len(chunk) == 500 else select + marks(len(chunk))
        rows.extend(database.obj.execute_sql(sql, chunk).fetchall())
    return rows


def max_id(model: type[Model]) -> int:
    """The highest primary key in ``model``'s table (0 when empty): rows inserted after it,
    inside the same write transaction, are exactly the ones this transaction added."""
    return model.select(model._meta.primary_key).order_by(
        model._meta.primary_key.desc()
    ).limit(1).scalar() or 0


def keep_other_writers_out(*models: type[Model]) -> None:
    """Until the current write transaction ends, no other connection may insert, update or
    delete rows of ``models``' tables (they wait; reading goes on). On SQLite the write
    transaction already holds the database's one write lock, and this does nothing.

    Why: a bulk load finds the rows it added as those with ids above :func:`max_id` taken
    before it. On PostgreSQL a deal another user adds, committed while the load runs, would
    be taken for one of them (given the import's stage change, or miscounted), and one
    whose id was drawn before :func:`max_id` but committed after would too. Call it before
    :func:`max_id`: it waits for the other writers already at work to finish."""
    if not _postgres():
        return
    tables = ", ".join(_quote(model._meta.table_name) for model in models)
    database.obj.execute_sql(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def row_count(model: type[Model]) -> int:
    """How many rows ``model``'s table holds."""
    return model.select().count()


@contextmanager
def indexes_rebuilt(adding: int, *models: type[Model]) -> Iterator[None]:
    """Around a bulk load of about ``adding`` rows into each of ``models``: on SQLite, a
    table holding no more than twice that many rows has its indexes dropped first and created
    again after the load, from their own ``CREATE INDEX`` text in ``sqlite_master``.

    Why: keeping seven indexes up to date row by row is most of a bulk insert's cost, and
    building an index once over sorted keys is several times cheaper (50,000 deals with their
    stage changes: 0.75 s of SQL with indexes rebuilt against 1.0 s, when undo records were
    written too). That
    still holds for a table twice the load's size (50,000 deals into 100,000: the import
    took 2.4 s with the deal table's indexes rebuilt, 2.6 s updating them), but not at six
    times (the 300,000 stage changes beside them: 3.3 s rebuilt): there, updating in place
    is cheaper and nothing is dropped. The schema after the block is exactly the schema
    before it.

    Must run inside a write transaction (:func:`db.connection.writing`): if the block
    raises, the indexes are not recreated here, and the rollback of that transaction
    restores them together with everything else. A duplicate in a unique index fails the
    ``CREATE UNIQUE INDEX`` as it would have failed the insert.
    """
    if not is_sqlite() or database.obj.transaction_depth() == 0:
        yield
        return
    saved: list[tuple[str, str]] = []
    for model in models:
        if row_count(model) > 2 * adding:
            continue
        saved += database.obj.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name",
            (model._meta.table_name,),
        ).fetchall()
    for name, _ in saved:
        database.obj.execute_sql(f"DROP INDEX {_quote(name)}")
    yield
    for _, create in saved:
        database.obj.execute_sql(create)
