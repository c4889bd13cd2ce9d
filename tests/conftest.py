"""Shared fixtures: a real SQLite file per test (never a mocked database)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "funnelcast.sqlite"


@pytest.fixture
def workspace(db_path):
    """An opened, migrated, empty database (no stages, no reps)."""
    from app.workspace import close_workspace, open_workspace

    opened = open_workspace(db_path)
    yield opened
    close_workspace()


@pytest.fixture
def manager(workspace):
    """The default pipeline and a manager who is the current user."""
    from app.workspace import start_empty

    return start_empty("Maria Manager", "maria@example.com")


@pytest.fixture(params=["sqlite", "postgres"])
def any_workspace(request, db_path):
    """An opened, migrated, empty database: a SQLite file, and the PostgreSQL server
    ``FUNNELCAST_TEST_POSTGRES`` names (wiped first; skipped when it names none)."""
    from app.workspace import close_workspace, open_workspace

    url = os.environ.get("FUNNELCAST_TEST_POSTGRES", "")
    if request.param == "postgres":
        if not url:
            pytest.skip("FUNNELCAST_TEST_POSTGRES names no server")
        import psycopg2

        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        opened = open_workspace(url)
    else:
        opened = open_workspace(db_path)
    yield opened
    close_workspace()


@pytest.fixture
def any_manager(any_workspace):
    """The manager of a database with the default pipeline, on SQLite and PostgreSQL."""
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
