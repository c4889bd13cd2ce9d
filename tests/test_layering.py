"""Data flows one way, ui -> app -> db: the domain never imports Qt, the UI never the db."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for source in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(source.relative_to(ROOT))] = names
    return found


def test_app_and_db_never_import_qt():
    for package in ("app", "db", "cli"):
        for module, names in _imports(package).items():
            assert not names & {"PySide6", "shiboken6", "PyQt6"}, module


def test_ui_never_reaches_the_database_directly():
    for module, names in _imports("ui").items():
        assert not names & {"db", "peewee", "playhouse", "sqlite3"}, module


def test_db_knows_nothing_of_the_layers_above():
    for module, names in _imports("db").items():
        assert not names & {"app", "ui", "cli"}, module
