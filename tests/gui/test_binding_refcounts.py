"""The Qt binding must not lose references to None, True or False.

PySide6 6.12.0 did, on Python 3.11 (where these singletons are not immortal): every call of a
wrapped method that returns nothing (``QPainter.drawText``, ``QLabel.setText``…) and every
``index.data(role)`` with no value dropped one reference to None, and every ``Signal.emit``
one to True. After a few thousand such calls the interpreter frees None or True and dies with
``Fatal Python error: none_dealloc`` (users: while painting the board) or ``bool_dealloc``
(the test suite: at exit, while collecting garbage). ``pyproject.toml`` keeps that release out;
this test fails if a binding with the same fault is installed again.

It runs in a child process because the fault kills the interpreter that has it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]

# Paints board cards through the real model and delegate, reads roles that have no value and
# emits a task's signals, counting the references to None, True and False before and after.
PROBE = textwrap.dedent("""
    import gc, sys
    from datetime import date
    from decimal import Decimal

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QListView

    from app.board import BoardCard
    from ui.board.delegate import CardDelegate
    from ui.board.model import CardModel
    from ui.tasks import Task

    app = QApplication([])
    model = CardModel()
    model.set_cards(tuple(
        BoardCard(id=i, version=1, title=f"Deal {i}", company="Acme", contact_name="",
                  value=Decimal("1200.00"), owner_id=None, owner_name="", owner_initials="",
                  source_id=None, stage_id=1, days_in_stage=3, checks_done=1, checks_total=2,
                  next_step="Call", next_step_due=date(2026, 1, 5), overdue=i % 2 == 0,
                  rotting=i % 3 == 0)
        for i in range(8)))
    view = QListView()
    view.setModel(model)
    view.setItemDelegate(CardDelegate("EUR", view))
    view.resize(240, 900)
    task = Task(lambda _control: None)
    task.sig_result.connect(lambda _value: None)

    def counts():
        gc.collect()
        return [sys.getrefcount(x) for x in (None, True, False)]

    before = counts()
    for i in range(ROUNDS):
        if i % 10 == 0:  # a paint makes some two hundred calls that return nothing
            view.grab()
        model.index(0, 0).data(Qt.ItemDataRole.UserRole + 99)
        task.sig_result.emit(True)
    after = counts()
    print(*(a - b for a, b in zip(after, before, strict=True)))
""")


def test_painting_the_board_and_emitting_signals_keeps_none_and_true_alive():
    rounds = 3_000
    result = subprocess.run(
        [sys.executable, "-c", f"ROUNDS = {rounds}\n{PROBE}"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, (
        f"the probe died (exit {result.returncode}); the Qt binding frees None or True:\n"
        f"{result.stderr[-2000:]}")
    drift = dict(zip(("None", "True", "False"), map(int, result.stdout.split()), strict=True))
    # Thousands of calls: a leak shows as thousands of lost references, noise as a handful.
    assert all(abs(change) < rounds // 10 for change in drift.values()), drift
