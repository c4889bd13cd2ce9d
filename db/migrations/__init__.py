"""Numbered schema migrations, applied in order at start-up.

Each migration module is frozen: it declares its own copy of the table shapes it creates or
alters and never imports :mod:`db.models`, so a database made by any older version can be
brought forward step by step. The applied version lives in the ``schema_version`` table.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from peewee import Database, SqliteDatabase

from db.backup import read_only_uri


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


def all_migrations() -> list[Migration]:
    """Every migration in this package, by version (module names are ``m0001_name``)."""
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("m"):
            continue
        module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
        version = int(info.name[1:5])
        found.append(Migration(version, info.name[6:], module.apply))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two migrations share a version: {versions}")
    return found


def latest_version() -> int:
    return all_migrations()[-1].version


def current_version(db: Database) -> int:
    """The schema version of ``db``: 0 for an empty database."""
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def applied_versions(db: Database) -> set[int]:
    if not db.table_exists("schema_version"):
        return set()
    return {int(r[0]) for r in db.execute_sql("SELECT version FROM schema_version")}


def is_up_to_date(path: Path) -> bool:
    """Whether the SQLite file at ``path`` has every migration, read without opening it
    through the app (no pragmas, no writes); False when that cannot be read, at once: a file
    another program holds locked is not waited for here (the full check that follows waits)."""
    try:
        con = sqlite3.connect(read_only_uri(path), uri=True, timeout=0)
        try:
            applied = {int(r[0]) for r in con.execute("SELECT version FROM schema_version")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return {m.version for m in all_migrations()} <= applied


def pending(db: Database) -> list[Migration]:
    """Migrations not yet applied, in order. Any unrecorded one counts, not only those above
    the highest recorded, so two lines of work that each added a migration both land."""
    done = applied_versions(db)
    return [m for m in all_migrations() if m.version not in done]


def migrate(db: Database, up_to: int | None = None) -> list[int]:
    """Apply pending migrations (each in its own transaction) and return their versions.

    ``up_to`` stops early; tests use it to build a database as an older version made it.
    """
    if not db.table_exists("schema_version"):
        db.execute_sql(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
    applied: list[int] = []
    todo = [m for m in pending(db) if up_to is None or m.version <= up_to]
    if not todo:
        return applied
    sqlite = isinstance(db, SqliteDatabase)
    if sqlite:
        # SQLite's documented procedure for schema changes: a table rebuild (copy, drop,
        # rename) must not cascade or fail on foreign keys, so they are off while migrating
        # and checked afterwards. The pragma is a no-op inside a transaction, hence here.
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        for migration in todo:
            with db.atomic():
                migration.apply(db)
                if sqlite:
                    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"Migration {migration.version} broke references: {broken[:3]}"
                        )
                db.execute_sql(
                    f"INSERT INTO schema_version (version, applied_at) "
                    f"VALUES ({db.param}, {db.param})",
                    (migration.version, datetime.now(UTC).isoformat(timespec="seconds")),
                )
            applied.append(migration.version)
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return applied
