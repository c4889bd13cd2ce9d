"""Shared fixtures: real databases, never a mocked one.

Which database a test runs on
-----------------------------
Every test that gets its database from these fixtures (``db_target``, ``workspace``,
``manager``, ``rep``, ``stages``, ``ui_context``, or any fixture built on them) runs on a
temporary SQLite file, and again on a PostgreSQL server when ``FUNNELCAST_TEST_POSTGRES``
names a server database the tests may wipe (e.g.
``postgresql://fc:fc@localhost/fctest``, with the ``postgres`` extra installed). The test
ids say which: ``test_x[sqlite]``, ``test_x[postgresql]``. On the server each test starts
from what migrating an empty ``public`` schema makes (see :class:`ServerDatabase`), so an
assumption that only holds on SQLite (SQL dialect, types, id sequences, per-thread
connections) fails there.

Running on both is the default. A test of something only a SQLite file has (backups, its
pragmas, its path, damage to the file) opts out with ``@pytest.mark.sqlite_only``; a test
that asks for ``db_path`` (the SQLite file itself) is SQLite-only without saying so, since
there is no file behind a server database. GUI tests (marked ``gui``) run on SQLite only:
the screens reach the database only through ``app/``, which the tests outside ``tests/gui``
run on both backends. A trial run of the GUI tests on PostgreSQL (109 tests, 90 s on this
project's busy two-core machine) found one bug, the window's undo of an import asking for a
file backup, now tested on both backends in ``tests/importing/test_commit.py``; running
them there every time would take ``make test`` past its five minutes on a busy machine.

A GUI test whose point is a difference between the two (the window undoing an import on a
server, where no backup file can be taken) says so with ``@pytest.mark.both_backends``.

Tests that must see a server (the server's own behaviour, e.g. that no backup file is
taken) are marked ``@pytest.mark.postgresql_only``; they are skipped without a server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

POSTGRES_URL = os.environ.get("FUNNELCAST_TEST_POSTGRES", "")
SQLITE_FILE = "funnelcast.sqlite"


def _backends(definition: pytest.Function, fixturenames: list[str]) -> list[str]:
    """The backends one test runs on (see the module docstring)."""
    if definition.get_closest_marker("postgresql_only"):
        return ["postgresql"]
    both = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
    if definition.get_closest_marker("both_backends"):
        return both
    if (definition.get_closest_marker("sqlite_only") or definition.get_closest_marker("gui")
            or "db_path" in fixturenames):
        return ["sqlite"]
    return both


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend", _backends(metafunc.definition, metafunc.fixturenames), indirect=True
        )


@pytest.fixture
def backend(request) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database the test runs on."""
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("FUNNELCAST_TEST_POSTGRES names no server")
    return request.param


class ServerDatabase:
    """The server database the tests share, put back before each test to what migrating an
    empty ``public`` schema makes: the tables, with only the rows the migrations write.

    Why not drop and migrate for every test: that took about 0.35 s a test (170 statements
    of DDL), a minute and a half over the suite; deleting the rows and putting back the
    migrations' own (kept in the schema ``funnelcast_test_seed``) takes 0.05 s. A test that
    changed the schema itself (tables, columns, indexes, constraints) is noticed by the
    schema's fingerprint, and the next test gets a dropped, re-migrated schema.
    """

    SEED = "funnelcast_test_seed"
    FINGERPRINT = """
        SELECT md5(coalesce(string_agg(c.relname || ':' || c.relkind::text || ':' || coalesce((
            SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                              || a.attnotnull::text, ',' ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                AND NOT a.attisdropped), ''), ';' ORDER BY c.relname), '')
            || coalesce((SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint
                         WHERE connamespace = 'public'::regnamespace), ''))
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"""

    def __init__(self, url: str):
        self.url = url
        self.connection = None
        self.fingerprint: str | None = None
        self.reset_sql = ""

    def _cursor(self):
        import psycopg2

        if self.connection is None or self.connection.closed:
            self.connection = psycopg2.connect(self.url)
            self.connection.autocommit = True
        cursor = self.connection.cursor()
        # A connection an earlier test left inside a transaction would block what follows:
        # fail after 10 s instead of hanging.
        cursor.execute("SET lock_timeout = '10s'")
        return cursor

    def drop(self) -> None:
        """Leave the ``public`` schema empty (the next :meth:`reset` notices)."""
        with self._cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")

    def reset(self) -> None:
        """Make the database as a fresh migration leaves it (see the class docstring)."""
        with self._cursor() as cursor:
            cursor.execute(self.FINGERPRINT)
            if self.fingerprint is not None and cursor.fetchone()[0] == self.fingerprint:
                cursor.execute(self.reset_sql)
                return
            self._rebuild(cursor)

    def _rebuild(self, cursor) -> None:
        from db.connection import make_database
        from db.migrations import migrate

        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
                       f"DROP SCHEMA IF EXISTS {self.SEED} CASCADE; CREATE SCHEMA {self.SEED}")
        db = make_database(self.url)
        try:
            migrate(db)
            tables = [t for t in db.get_tables()]
            keys = {t: db.get_primary_keys(t) for t in tables}
        finally:
            db.close()
        seeded = []
        for table in tables:
            cursor.execute(f'CREATE TABLE {self.SEED}."{table}" AS TABLE public."{table}"')
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM {self.SEED}."{table}")')
            if cursor.fetchone()[0]:
                seeded.append(table)
        # Rows go in children first (no reference is left dangling on the way), the seed
        # rows back with their ids, and every id sequence starts after the highest id.
        statements = [f'DELETE FROM public."{t}"' for t in self._children_first(cursor)]
        statements += [f'INSERT INTO public."{t}" SELECT * FROM {self.SEED}."{t}"'
                       for t in seeded]
        statements += [
            f"SELECT setval(pg_get_serial_sequence('public.\"{t}\"', 'id'), "
            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM public."{t}"), false)'
            for t in tables if keys[t] == ["id"]
        ]
        self.reset_sql = "BEGIN; " + "; ".join(statements) + "; COMMIT"
        cursor.execute(self.FINGERPRINT)
        self.fingerprint = cursor.fetchone()[0]

    @staticmethod
    def _children_first(cursor) -> list[str]:
        """The public tables ordered so that each comes before every table it references."""
        cursor.execute("""
            SELECT c.relname, coalesce(array_agg(r.relname) FILTER (WHERE r.relname IS NOT NULL
                                                                   AND r.oid <> c.oid), '{}')
            FROM pg_class c
            LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
            LEFT JOIN pg_class r ON r.oid = k.confrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            GROUP BY c.relname""")
        parents = {name: set(refs) for name, refs in cursor.fetchall()}
        order: list[str] = []
        while parents:
            leaves = sorted(t for t in parents if not any(t in p for p in parents.values()))
            if not leaves:
                raise RuntimeError(f"reference cycle among {sorted(parents)}")
            order += leaves
            for table in leaves:
                del parents[table]
        return order


_server = ServerDatabase(POSTGRES_URL)


@pytest.fixture
def db_target(backend, tmp_path) -> str:
    """Where the test's database is, as ``--db`` takes it: a new SQLite file's path, or the
    server's URL, its database as migrating an empty schema leaves it. Nothing is opened."""
    if backend == "postgresql":
        _server.reset()
        return POSTGRES_URL
    return str(tmp_path / SQLITE_FILE)


@pytest.fixture
def empty_db_target(backend, tmp_path) -> str:
    """Like ``db_target``, but holding nothing at all, not even tables: for building a
    database as an older version made it (``migrate(db, up_to=...)``)."""
    if backend == "postgresql":
        _server.drop()
        return POSTGRES_URL
    return str(tmp_path / SQLITE_FILE)


@pytest.fixture
def on_both_databases(backend, tmp_path):
    """For a test marked ``postgresql_only``: ``run(build, compute)`` builds the same data with
    ``build()`` on the server (from an empty schema) and on a new SQLite file, and returns
    what ``compute()`` gives on each, as (server, file): for a result that must not depend on
    the database it was read from."""
    from app.workspace import close_workspace, open_workspace

    def run(build: Callable[[], object], compute: Callable[[], object]) -> tuple:
        results = []
        for target in (POSTGRES_URL, str(tmp_path / "same.sqlite")):
            if target == POSTGRES_URL:
                _server.drop()
            open_workspace(target)
            try:
                build()
                results.append(compute())
            finally:
                close_workspace()
        return tuple(results)

    return run


DEMO_TODAY = date(2026, 12, 4)  # the day the shared demo team is made as of


@pytest.fixture(scope="session")
def _demo_team_file(tmp_path_factory) -> Path:
    """The demo team (seed 7, as of :data:`DEMO_TODAY`) on a SQLite file, made once."""
    from app.demo import generate_demo
    from db.connection import bind, make_database
    from db.migrations import migrate

    path = tmp_path_factory.mktemp("demo-team") / "demo.sqlite"
    db = make_database(str(path))
    bind(db)
    migrate(db)
    generate_demo(seed=7, today=DEMO_TODAY)
    db.close()
    return path


@pytest.fixture(scope="module")
def demo_path(_demo_team_file, tmp_path_factory) -> Path:
    """A copy of the demo team for one test module (its tests may write to it)."""
    import shutil

    copy = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    shutil.copy(_demo_team_file, copy)
    return copy


@pytest.fixture
def db_path(tmp_path) -> Path:
    """The SQLite file behind ``workspace`` (asking for it makes the test SQLite-only)."""
    return tmp_path / SQLITE_FILE


@pytest.fixture
def workspace(db_target):
    """An opened, migrated, empty database (no stages, no reps)."""
    from app.workspace import close_workspace, open_workspace

    opened = open_workspace(db_target)
    yield opened
    close_workspace()


@pytest.fixture
def manager(workspace):
    """The default pipeline and a manager who is the current user."""
    from app.workspace import start_empty

    return start_empty("Maria Manager", "maria@example.com")


@pytest.fixture
def rep(manager):
    from app.users import create_rep

    return create_rep("Ravi Rep", "ravi@example.com", role="rep", weekly_capacity_hours=40)


@pytest.fixture
def stages(manager):
    """Stage name -> StageInfo for the default pipeline."""
    from app.pipeline import list_stages

    return {s.name: s for s in list_stages()}


@pytest.fixture(autouse=True)
def qsettings_isolated(tmp_path):
    """Keep QSettings (window geometry etc.) out of the user's real configuration: every
    test gets its own, empty settings file."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("FunnelcastTests")
    QCoreApplication.setApplicationName("FunnelcastTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    yield


@pytest.fixture
def ui_context(qtbot, workspace, manager, qsettings_isolated):
    """A GUI session on the manager's database; waits for background tasks at the end."""
    from ui.context import UiContext

    context = UiContext(workspace, manager)
    yield context
    context.runner.wait()


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """Databases opened from now on wait 0.2 s, not 5 s, for another connection's lock."""
    from db import connection

    monkeypatch.setitem(connection.SQLITE_PRAGMAS, "busy_timeout", 200)


@pytest.fixture
def lock_holder():
    """``lock_holder(path, exclusive=False)``: a second, real connection to the SQLite file
    that holds its write lock (``BEGIN IMMEDIATE``), as another program writing would; with
    ``exclusive`` it holds the whole file (``locking_mode=EXCLUSIVE``), so nobody can even
    read. Closed (the lock given up) at the end of the test, or earlier by the test."""
    import sqlite3

    held = []

    def hold(path, exclusive: bool = False) -> sqlite3.Connection:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if exclusive:
            other.execute("PRAGMA locking_mode = EXCLUSIVE")
            other.execute("BEGIN EXCLUSIVE")
            other.execute("CREATE TABLE IF NOT EXISTS other_program (x)")
        else:
            other.execute("BEGIN IMMEDIATE")
        held.append(other)
        return other

    yield hold
    for other in held:
        other.close()
