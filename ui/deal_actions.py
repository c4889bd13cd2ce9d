"""Actions on deals shared by the board, the table and the toolbar.

- :func:`move_with_gate`: the one path for a stage move from the GUI (board drop, table
  edit): the gate dialog when needed, then :func:`app.pipeline.move_deal`, pushed on the undo
  stack as a :class:`MoveDealCommand`.
- :func:`install_new_deal`: the ``ui.features`` installer that wires New deal (Ctrl+N).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from app import pipeline
from app.deals import get_deal
from app.errors import ConflictError, FunnelcastError
from ui.context import UiContext
from ui.gate_dialog import GateDialog


class MoveDealCommand(QUndoCommand):
    """A stage move on the undo stack. Undo deletes the move and its StageChange
    (:func:`app.pipeline.undo_move`); redo moves it again with the same reasons.

    ``report`` receives the message when an undo or redo is refused (say the deal moved again
    meanwhile); the command then drops off the stack.
    """

    def __init__(self, context: UiContext, deal_id: int, to_stage_id: int, *,
                 override_reason: str = "", lost_reason: str = "",
                 tick: tuple[int, ...] = (), expected_version: int | None = None,
                 report: Callable[[str], None] | None = None):
        title = get_deal(deal_id).title
        stage = next(s for s in pipeline.list_stages() if s.id == to_stage_id)
        super().__init__(f"Move “{title}” to {stage.name}")
        self._context = context
        self._deal_id = deal_id
        self._to_stage_id = to_stage_id
        self._override = override_reason
        self._lost = lost_reason
        self._tick = tick
        self._expected_version = expected_version
        self._report = report
        self._change_uuid: str | None = None
        self._skip_redo = False

    def perform(self) -> pipeline.MoveResult:
        """Make the move now (raises the app's error if refused); the push that follows
        will not move it a second time. The first time, the gate dialog's ticks go in with
        the move and the deal must still be at the version the user saw; a redo after an
        undo moves the deal as it is then."""
        result = pipeline.move_deal(
            self._deal_id, self._to_stage_id, self._context.actor,
            override_reason=self._override, lost_reason=self._lost,
            tick=self._tick, expected_version=self._expected_version,
        )
        self._tick, self._expected_version = (), None
        self._change_uuid = result.stage_change_uuid
        self._skip_redo = True
        return result

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._guard(self.perform)
        self._skip_redo = False

    def undo(self) -> None:
        self._guard(lambda: pipeline.undo_move(self._change_uuid, self._context.actor))

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except FunnelcastError as error:
            self.setObsolete(True)
            if self._report is not None:
                self._report(str(error))
        self._context.bus.changed("deals")


def move_with_gate(parent: QWidget | None, context: UiContext, deal_id: int,
                   to_stage_id: int, report: Callable[[str], None] | None = None,
                   expected_version: int | None = None) -> bool:
    """Move a deal as the user asked: True when it moved, False when they cancelled.

    When required items are missing, or the target is a lost stage, :meth:`GateDialog.ask`
    collects ticks and reasons first; the ticks and the move are one change, so a refused
    move leaves no ticks behind. ``expected_version`` is the version of the deal the user
    was looking at (a card, a row): if someone changed it since, the move is refused rather
    than made on top of their change. Raises :class:`app.errors.FunnelcastError` (for the
    caller to show) when refused.
    """
    stage = next((s for s in pipeline.list_stages() if s.id == to_stage_id), None)
    if stage is None:
        raise FunnelcastError("That stage no longer exists; the board will refresh.")
    deal = get_deal(deal_id)
    if expected_version is not None and deal.version != expected_version:
        context.bus.changed("deals")
        raise ConflictError(f"“{deal.title}” was changed by someone else meanwhile; it is "
                            "shown as it is now. Move it again if you still want to.")
    if deal.stage_id == to_stage_id:
        return False
    missing = pipeline.missing_requirements(deal_id, to_stage_id)
    override = lost = ""
    ticked: tuple[int, ...] = ()
    if missing or stage.outcome == "lost":
        answer = GateDialog.ask(parent, context, deal_id, to_stage_id)
        if answer is None:
            return False
        override, lost, ticked = answer.override_reason, answer.lost_reason, answer.ticked
    command = MoveDealCommand(context, deal_id, to_stage_id, override_reason=override,
                              lost_reason=lost, tick=tuple(ticked),
                              expected_version=deal.version, report=report)
    command.perform()
    context.undo_stack.push(command)
    context.bus.changed("deals")
    return True


def install_new_deal(window) -> None:
    """Connect and enable New deal (Ctrl+N): opens an empty deal dialog."""
    from ui.deals.dialog import DealDialog

    action = window.actions_by_name["new_deal"]
    action.triggered.connect(lambda: DealDialog.show_new(window, window.context))
    action.setEnabled(True)
