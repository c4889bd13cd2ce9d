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


POSTGRES_URL = os.environ.get("FUNNELCAST_TEST_POSTGRES", "")
needs_postgres = pytest.mark.skipif(not POSTGRES_URL,
                                    reason="FUNNELCAST_TEST_POSTGRES names no server")


@pytest.fixture
def server_manager():
    """The default pipeline and a manager on the PostgreSQL server that
    ``FUNNELCAST_TEST_POSTGRES`` names (a database the tests may wipe: every test starts from
    an empty ``public`` schema). Mark the test :data:`needs_postgres`."""
    import psycopg2

    from app.workspace import close_workspace, open_workspace, start_empty

    with psycopg2.connect(POSTGRES_URL) as connection, connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    open_workspace(POSTGRES_URL)
    yield start_empty("Maria Manager", "maria@example.com")
    close_workspace()


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
