"""Shared fixtures: real databases, never a mocked one.

Which database a test runs on
-----------------------------
Every test that gets its database from these fixtures (``db_target``, ``workspace``,
``manager``, ``rep``, ``stages``, ``ui_context``, or any fixture built on them) runs on a
temporary SQLite file, and again on a PostgreSQL server when ``FUNNELCAST_TEST_POSTGRES``
names a server database the tests may wipe (e.g.
``postgresql://fc:fc@localhost/fctest``, with the ``postgres`` extra installed). The test
ids say which: ``test_x[sqlite]``, ``test_x[postgresql]``. On the server each test starts
from an empty ``public`` schema, so an assumption that only holds on SQLite (SQL dialect,
types, id sequences, per-thread connections) fails there.

Running on both is the default. A test of something only a SQLite file has (backups, its
pragmas, its path, damage to the file) opts out with ``@pytest.mark.sqlite_only``; a test
that asks for ``db_path`` (the SQLite file itself) is SQLite-only without saying so, since
there is no file behind a server database. GUI tests (marked ``gui``) run on SQLite only:
the screens reach the database through ``app/`` on the one worker thread, and ``app/`` and
that worker's own connection (``tests/gui/test_tasks.py`` aside) are exercised on both
backends by the tests outside ``tests/gui``; running every screen twice would double the
GUI suite's time without reaching any code those runs do not.

Tests that must see a server (the server's own behaviour, e.g. that no backup file is
taken) are marked ``@pytest.mark.postgresql_only``; they are skipped without a server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

POSTGRES_URL = os.environ.get("FUNNELCAST_TEST_POSTGRES", "")
SQLITE_FILE = "funnelcast.sqlite"


def _backends(definition: pytest.Function, fixturenames: list[str]) -> list[str]:
    """The backends one test runs on (see the module docstring)."""
    if definition.get_closest_marker("postgresql_only"):
        return ["postgresql"]
    if (definition.get_closest_marker("sqlite_only") or definition.get_closest_marker("gui")
            or "db_path" in fixturenames):
        return ["sqlite"]
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


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


def empty_server_schema(url: str) -> None:
    """Drop everything in the server database's ``public`` schema. A connection left in a
    transaction by an earlier test would block the drop: it fails after 10 s instead."""
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        connection.close()


@pytest.fixture
def db_target(backend, tmp_path) -> str:
    """Where the test's database is, as ``--db`` takes it: a new SQLite file's path, or the
    server's URL with an empty ``public`` schema. Nothing is opened."""
    if backend == "postgresql":
        empty_server_schema(POSTGRES_URL)
        return POSTGRES_URL
    return str(tmp_path / SQLITE_FILE)


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
