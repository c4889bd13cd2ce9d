"""Actions on deals shared by the board, the table and the toolbar.

- :func:`move_with_gate`: the one path for a stage move from the GUI (board drop, table
  edit): the gate dialog when needed, then :func:`app.pipeline.move_deal` on the worker,
  pushed on the undo stack as a :class:`MoveDealCommand`.
- :func:`close_as`: Won / Lost from a menu or button: the same gated move to the won stage
  or the first lost stage (the gate dialog asks why a deal was lost).
- :func:`delete_with_undo`: delete a deal (:func:`app.deal_removal.delete_deal`), pushed on
  the undo stack as a :class:`DeleteDealCommand` that brings it back.
- :func:`log_hours_on`: the quick log with the deal filled in.
- :func:`install_new_deal`: the ``ui.features`` installer that wires New deal (Ctrl+N),
  starting on the side and owner of the page it is pressed on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app import pipeline
from app.activities import DealChoice
from app.deal_removal import DeletedDeal, delete_deal, restore_deal
from app.deals import get_deal
from app.errors import ConflictError, NotFound
from ui.context import Topic, UiContext
from ui.gate_dialog import GateDialog
from ui.operations import Query, UndoableWrite, Write


class MoveDealCommand(UndoableWrite):
    """A stage move already made, on the undo stack. Undo deletes the move and its
    StageChange (:func:`app.pipeline.undo_move`); redo moves it again with the same reasons."""

    def __init__(self, context: UiContext, owner: QObject, plan: MovePlan,
                 result: pipeline.MoveResult, *, override_reason: str, lost_reason: str,
                 on_failure: Callable[[str], None] | None):
        super().__init__(context, owner, f"Move “{plan.title}” to {plan.stage.name}",
                         announce={Topic.DEALS}, on_failure=on_failure)
        self._deal_id, self._to_stage_id = result.deal_id, result.to_stage_id
        self._override, self._lost = override_reason, lost_reason
        self._change_uuid = result.stage_change_uuid

    def redo_work(self) -> pipeline.MoveResult:
        result = pipeline.move_deal(self._deal_id, self._to_stage_id, self.context.actor,
                                    override_reason=self._override, lost_reason=self._lost)
        self._change_uuid = result.stage_change_uuid
        return result

    def undo_work(self) -> None:
        pipeline.undo_move(self._change_uuid, self.context.actor)


@dataclass(frozen=True)
class MovePlan:
    """What the GUI needs to decide on a move before making it (read on the worker)."""

    title: str
    version: int
    stage: pipeline.StageInfo
    # What the gate dialog shows when required items are missing or the stage is a lost
    # one (a reason is needed); None when the move needs no gate.
    gate: pipeline.GateFacts | None


def _plan(deal_id: int, to_stage_id: int, expected_version: int | None) -> MovePlan | None:
    """Runs on the worker. None when the deal is already there."""
    stage = next((s for s in pipeline.list_stages() if s.id == to_stage_id), None)
    if stage is None:
        raise NotFound("That stage no longer exists; the board will refresh.")
    deal = get_deal(deal_id)
    if expected_version is not None and deal.version != expected_version:
        raise ConflictError(f"“{deal.title}” was changed by someone else meanwhile; it is "
                            "shown as it is now. Move it again if you still want to.")
    if deal.stage_id == to_stage_id:
        return None
    gate = pipeline.gate_facts(deal_id, to_stage_id)
    needed = stage.outcome == "lost" or bool(gate.missing)
    return MovePlan(deal.title, deal.version, stage, gate if needed else None)


def move_with_gate(parent: QWidget, context: UiContext, deal_id: int, to_stage_id: int, *,
                   on_failure: Callable[[str], None],
                   on_done: Callable[[bool], None] | None = None,
                   expected_version: int | None = None) -> None:
    """Move a deal as the user asked, without ever blocking the GUI thread on the database.

    On the worker: is the move possible, and does it need the gate? On the GUI thread, when
    required items are missing or the target is a lost stage, :meth:`GateDialog.ask` collects
    ticks and reasons (user input). On the worker again: the move, ticks included, as one
    change (a refused move leaves no ticks behind), pushed on the undo stack.
    ``expected_version`` is the version of the deal the user was looking at (a card, a row):
    if someone changed it since, the move is refused rather than made on top of their change.
    ``on_done(moved)`` is called with True once the move is written, False when the user
    cancelled or it was already there; a refusal goes to ``on_failure`` (with the user's
    sentence) and then ``on_done(False)``; every refusal also announces ``Topic.DEALS`` so an
    optimistic view shows the deal as it is. All callbacks are bound to ``parent``.
    """
    done = on_done or (lambda _moved: None)

    def refused(message: str) -> None:
        on_failure(message)
        done(False)
        context.bus.changed(Topic.DEALS)

    def planned(plan: MovePlan | None) -> None:
        if plan is None:
            done(False)
            return
        override = lost = ""
        ticked: tuple[int, ...] = ()
        if plan.gate is not None:
            answer = GateDialog.ask(parent, context, plan.gate)
            if answer is None:
                done(False)
                context.bus.changed(Topic.DEALS)  # an optimistic view puts the card back
                return
            override, lost = answer.override_reason, answer.lost_reason
            ticked = tuple(answer.ticked)
        actor = context.actor

        def moved(result: pipeline.MoveResult) -> None:
            context.undo_stack.push(MoveDealCommand(
                context, parent, plan, result, override_reason=override, lost_reason=lost,
                on_failure=on_failure))
            done(True)

        Write(parent, context, lambda _control: pipeline.move_deal(
            deal_id, to_stage_id, actor, override_reason=override, lost_reason=lost,
            tick=ticked, expected_version=plan.version), announce={Topic.DEALS},
        ).success(moved).failure(refused).run()

    Query(parent, context, lambda _control: _plan(deal_id, to_stage_id, expected_version),
          ).success(planned).failure(refused).run()


def outcome_stage(stages: list[pipeline.StageInfo],
                  outcome: str) -> pipeline.StageInfo | None:
    """Where "Mark won" / "Mark lost" move a deal: the won stage, or the first lost stage."""
    return next((s for s in stages if s.outcome == outcome), None)


def close_as(parent: QWidget, context: UiContext, deal_id: int, outcome: str,
             stages: list[pipeline.StageInfo], *, on_failure: Callable[[str], None],
             on_done: Callable[[bool], None] | None = None,
             expected_version: int | None = None) -> None:
    """Mark a deal won or lost (``outcome``): :func:`move_with_gate` to that stage, so the
    gate's checklist and the lost reason apply exactly as on the board."""
    stage = outcome_stage(stages, outcome)
    if stage is None:
        on_failure(f"The pipeline has no {outcome} stage; add one in Settings → Stages.")
        return
    move_with_gate(parent, context, deal_id, stage.id, on_failure=on_failure,
                   on_done=on_done, expected_version=expected_version)


class DeleteDealCommand(UndoableWrite):
    """A deletion already made, on the undo stack: undo restores the deal as it was
    (:func:`app.deal_removal.restore_deal`, perhaps under a new id when a deal made since
    holds its old one), redo deletes the deal undo brought back."""

    def __init__(self, context: UiContext, owner: QObject, deleted: DeletedDeal, *,
                 on_failure: Callable[[str], None] | None):
        super().__init__(context, owner, f"Delete “{deleted.title}”", announce={Topic.DEALS},
                         on_failure=on_failure)
        self._deleted = deleted
        self._deal_id: int = deleted.deal["id"]

    def redo_work(self) -> DeletedDeal:
        self._deleted = delete_deal(self._deal_id, None, self.context.actor)
        return self._deleted

    def undo_work(self) -> object:
        restored = restore_deal(self._deleted, self.context.actor)
        self._deal_id = restored.id
        return restored


def delete_with_undo(parent: QWidget, context: UiContext, deal_id: int, *,
                     expected_version: int | None, on_failure: Callable[[str], None],
                     on_done: Callable[[str], None] | None = None) -> None:
    """Delete the deal (refused if it changed since ``expected_version``) and push the undo;
    ``on_done(message)`` gets the sentence saying how to take it back. No confirmation
    question: Undo (Ctrl+Z) is the way back."""
    actor = context.actor

    def deleted(snapshot: DeletedDeal) -> None:
        context.undo_stack.push(DeleteDealCommand(context, parent, snapshot,
                                                  on_failure=on_failure))
        if on_done is not None:
            on_done(f"Deleted “{snapshot.title}”. Edit → Undo (Ctrl+Z) brings it back.")

    Write(parent, context, lambda _control: delete_deal(deal_id, expected_version, actor),
          announce={Topic.DEALS}).success(deleted).failure(on_failure).run()


def log_hours_on(parent: QWidget, context: UiContext, deal: DealChoice) -> QWidget:
    """Open the quick log (as Ctrl+L does) with ``deal`` already chosen; returns it."""
    from ui.activities.quick_log import QuickLogDialog

    return QuickLogDialog.ask(parent, context, deal=deal)


def install_new_deal(window) -> None:
    """Connect and enable New deal (Ctrl+N): an empty deal dialog that starts where the page
    it is pressed on implies (Leads: the first marketing stage, nobody's; elsewhere the
    first sales stage, the acting user's)."""
    from ui.deals.dialog import DealDialog

    def open_new() -> None:
        side = "marketing" if window.current_section() == "leads" else "sales"
        DealDialog.show_new(window, window.context, side=side)

    action = window.actions_by_name["new_deal"]
    action.triggered.connect(open_new)
    action.setEnabled(True)
