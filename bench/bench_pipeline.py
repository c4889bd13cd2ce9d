"""The pipeline screens on the large synthetic database (100k deals).

Targets from issue 3: the deals table's model loaded and first painted under 300 ms, a sort
by any column under 200 ms, a filter keystroke under 150 ms, and the board built (data, models
and first paint) with 5,000 open deals under 500 ms. Each figure is the median of a few runs,
printed with its ratio to the target; nothing asserts.

The board needs exactly 5,000 open sales deals, so it runs on a copy of the large database in
which the other open sales deals are closed (moved to Lost with plain SQL); the full board
of the large database is timed too, for scale.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 5
BOARD_DEALS = 5_000


class Timing(float):
    """A median wall time in ms that also carries the median CPU time of the process (the
    machine is shared: CPU time shows the work itself when other jobs compete for cores)."""

    cpu: float


def _median_ms(action: Callable[[], object], runs: int = RUNS,
               setup: Callable[[], object] | None = None) -> Timing:
    """Median time of ``action``; ``setup`` (untimed) runs before each, so that every timed
    run does real work (the model skips a query that would change nothing)."""
    walls, cpus = [], []
    for _ in range(runs):
        if setup is not None:
            setup()
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    timing = Timing(statistics.median(walls))
    timing.cpu = statistics.median(cpus)
    return timing


def _line(label: str, ms: Timing, target_ms: float) -> None:
    verdict = "ok" if ms <= target_ms else "OVER"
    print(f"pipeline: {label:<44} {ms:7.1f} ms wall, {ms.cpu:7.1f} ms cpu  "
          f"({ms / target_ms:.2f}× the {target_ms:.0f} ms target, {verdict})", flush=True)


def _context(path: Path):
    from app.users import current_user, list_reps
    from app.workspace import open_workspace
    from ui.context import UiContext

    workspace = open_workspace(path)
    actor = current_user() or next(r for r in list_reps() if r.is_manager)
    return UiContext(workspace, actor)


def _paint(widget) -> None:
    """Force a full paint now, as the screen would on the next frame."""
    widget.grab()


def _settled(model, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until the table's rows for it are in: the query runs on the
    worker, so the figure is what the user waits for, not the GUI thread's share of it."""
    from PySide6.QtCore import QEventLoop, Qt

    loop = QEventLoop()
    model.sig_rows_ready.connect(loop.quit, Qt.ConnectionType.SingleShotConnection)
    action()
    if model.loading:  # an action that changes nothing issues no query
        loop.exec()
    else:
        model.sig_rows_ready.disconnect(loop.quit)


def bench_table(context, app) -> None:
    from PySide6.QtCore import Qt

    from app.deal_table import COLUMNS
    from ui.deals.view import DealsView

    views = []

    def first_paint() -> None:
        view = DealsView(context)
        view.resize(1280, 760)
        _settled(view.model, view.show)
        _paint(view.table.viewport())
        views.append(view)

    _line(f"deals table to first paint ({_count_deals():,} deals)", _median_ms(first_paint),
          300)
    view = views[-1]
    for old in views[:-1]:
        old.close()
        old.deleteLater()
    app.processEvents()

    worst = 0.0
    for column, key in enumerate(COLUMNS):
        for descending in (False, True):
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            other = (column + 1) % len(COLUMNS)

            def elsewhere(other=other) -> None:
                _settled(view.model, lambda: view.table.sortByColumn(
                    other, Qt.SortOrder.AscendingOrder))

            def sort(column=column, order=order) -> None:
                _settled(view.model, lambda: view.table.sortByColumn(column, order))
                _paint(view.table.viewport())

            ms = _median_ms(sort, runs=3, setup=elsewhere)
            worst = max(worst, ms)
            _line(f"sort by {key} {'desc' if descending else 'asc'}", ms, 200)
    print(f"pipeline: slowest sort {worst:.1f} ms", flush=True)

    _settled(view.model, lambda: view.table.sortByColumn(
        COLUMNS.index("updated_at"), Qt.SortOrder.DescendingOrder))

    def type_text(text: str) -> None:
        view.search_edit.blockSignals(True)
        view.search_edit.setText(text)
        view.search_edit.blockSignals(False)
        _settled(view.model, view.apply_filter)  # what the search box's pause timer calls

    def idle(text: str) -> None:
        """The text before the keystroke, and the user's pause before typing on: the worker
        finishes that text's totals first, as it would while they read."""
        type_text(text)
        context.runner.wait()
        app.processEvents()

    for typed in ("a", "ac", "acm", "acme", "zzzz"):
        def keystroke(typed=typed) -> None:
            type_text(typed)
            _paint(view.table.viewport())

        ms = _median_ms(keystroke, runs=3, setup=lambda typed=typed: idle(typed[:-1]))
        _line(f"filter keystroke {typed!r} (to {view.model.rowCount():,} rows)", ms, 150)

    def clear() -> None:
        type_text("")
        _paint(view.table.viewport())

    _line("filter cleared (100,000 rows back)",
          _median_ms(clear, runs=3, setup=lambda: idle("acme")), 150)
    owner = view.owner_combo.itemData(1)

    def by_owner() -> None:
        _settled(view.model, lambda: view.owner_combo.setCurrentIndex(
            view.owner_combo.findData(owner)))
        _paint(view.table.viewport())

    def all_owners() -> None:
        _settled(view.model, lambda: view.owner_combo.setCurrentIndex(0))
        context.runner.wait()
        app.processEvents()

    ms = _median_ms(by_owner, runs=3, setup=all_owners)
    _line(f"owner filter chosen (to {view.model.rowCount():,} rows)", ms, 150)
    all_owners()

    def scroll() -> None:
        bar = view.table.verticalScrollBar()
        for fraction in (0.25, 0.5, 0.75, 1.0):
            bar.setValue(int(bar.maximum() * fraction))
            _paint(view.table.viewport())
        bar.setValue(0)

    jumps = _median_ms(scroll, runs=3)
    print(f"pipeline: four jumps across the table, each painted: {jumps:.1f} ms wall "
          f"({jumps.cpu:.1f} ms cpu)", flush=True)
    view.close()


def _count_deals() -> int:
    from db.models import Deal

    return Deal.select().count()


def bench_board(context, app, label: str, target: float | None) -> None:
    from PySide6.QtCore import QEventLoop

    from app.board import load_board
    from ui.board.view import BoardView

    data_ms = _median_ms(load_board, runs=3)
    board = load_board()  # each column's first cards, and the exact count of its deals
    cards = f"{board.card_count:,} deals, {sum(len(c.cards) for c in board.columns):,} cards"

    def build() -> None:
        loop = QEventLoop()
        view = BoardView(context)  # reads the board on the worker
        view.sig_loaded.connect(loop.quit)
        view.resize(1280, 760)
        view.show()
        loop.exec()
        _paint(view)
        view.close()
        view.deleteLater()

    ms = _median_ms(build, runs=3)
    if target is None:
        print(f"pipeline: {label} ({cards}): data {data_ms:.1f} ms, built and painted "
              f"{ms:.1f} ms wall ({ms.cpu:.1f} ms cpu)", flush=True)
    else:
        print(f"pipeline: board data alone ({cards}) {data_ms:.1f} ms wall "
              f"({data_ms.cpu:.1f} ms cpu)", flush=True)
        _line(f"{label} ({cards})", ms, target)


def _board_copy(source: Path, folder: Path) -> Path:
    """A copy of the large database with exactly BOARD_DEALS open sales deals."""
    target = folder / "board.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as db:
        open_sales = "SELECT id FROM stage WHERE side = 'sales' AND outcome = 'open'"
        lost = db.execute(
            "SELECT id FROM stage WHERE outcome = 'lost' ORDER BY position").fetchone()
        db.execute(
            f"UPDATE deal SET stage_id = ?, lost_reason = 'bench' WHERE stage_id IN ({open_sales}) "
            f"AND id NOT IN (SELECT id FROM deal WHERE stage_id IN ({open_sales}) "
            f"ORDER BY id LIMIT ?)", (lost[0], BOARD_DEALS))
    return target


def run() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.workspace import close_workspace
    from bench.synthetic import ensure_large_db
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    large = ensure_large_db()
    print(f"pipeline: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(other jobs share this machine)", flush=True)
    context = _context(large)
    try:
        bench_table(context, app)
        bench_board(context, app, "board of the whole large database", None)
    finally:
        context.runner.wait()
        close_workspace()
    with tempfile.TemporaryDirectory(prefix="funnelcast-board-") as folder:
        copy = _board_copy(large, Path(folder))
        context = _context(copy)
        try:
            bench_board(context, app, "board built and painted", 500)
        finally:
            context.runner.wait()
            close_workspace()
