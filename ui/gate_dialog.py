"""The qualification gate: what a deal still lacks before it may enter a stage.

Shown when a move (board drag, table edit) meets unticked required checklist items, or goes
to a lost stage. The user ticks what is now true; a manager may instead give an override
reason (recorded on the StageChange); a move to lost asks why. What it shows is read on the
worker first (:func:`app.pipeline.gate_facts`). Tests never show it: they patch
:meth:`GateDialog.ask`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.pipeline import ChecklistItemInfo, GateFacts
from ui.context import UiContext


@dataclass(frozen=True)
class GateAnswer:
    """What the user decided: items ticked now, and the reasons given (may be empty)."""

    ticked: tuple[int, ...] = ()
    override_reason: str = ""
    lost_reason: str = ""


class GateDialog(QDialog):
    """Lists the missing items with checkboxes; Move is enabled once the move is allowed.
    It is built from :class:`app.pipeline.GateFacts` read on the worker, so opening it reads
    nothing on the GUI thread."""

    def __init__(self, parent: QWidget | None, context: UiContext, gate: GateFacts):
        super().__init__(parent)
        stage = gate.stage
        self._missing: list[ChecklistItemInfo] = list(gate.missing)
        self._is_manager = context.actor is not None and context.actor.is_manager
        self._to_lost = stage.outcome == "lost"
        self.setWindowTitle(f"Move to {stage.name}")
        self.setMinimumWidth(500)

        column = QVBoxLayout(self)
        column.setSpacing(12)
        heading = QLabel(f"Move “{gate.title}” to {stage.name}")
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        heading.setWordWrap(True)
        column.addWidget(heading)

        self.boxes: list[tuple[QCheckBox, ChecklistItemInfo]] = []
        if self._missing:
            intro = QLabel(f"Before a deal enters {stage.name}, these must be true. "
                           "Tick what is true now:")
            intro.setWordWrap(True)
            column.addWidget(intro)
            by_stage: dict[str, list[ChecklistItemInfo]] = {}
            for item in self._missing:
                by_stage.setdefault(item.stage_name, []).append(item)
            for stage_name, items in by_stage.items():
                group = QGroupBox(stage_name.replace("&", "&&"))
                inner = QVBoxLayout(group)
                for item in items:
                    box = QCheckBox(item.text.replace("&", "&&"))
                    box.toggled.connect(self._update)
                    inner.addWidget(box)
                    self.boxes.append((box, item))
                column.addWidget(group)

        self.override_edit = QLineEdit()
        self.override_edit.setPlaceholderText("Why it may move without them (recorded)")
        self.override_edit.textChanged.connect(self._update)
        if self._missing:
            if self._is_manager:
                label = QLabel("Or, as a manager, move it anyway. Reason for the override:")
                label.setWordWrap(True)
                column.addWidget(label)
                column.addWidget(self.override_edit)
            else:
                note = QLabel("Only a manager can move a deal past unmet items.")
                note.setObjectName("Muted")
                column.addWidget(note)
                self.override_edit.hide()

        self.lost_edit = QLineEdit()
        self.lost_edit.setPlaceholderText("e.g. Went with a competitor, no budget this year")
        self.lost_edit.textChanged.connect(self._update)
        if self._to_lost:
            lost_label = QLabel("Why was it lost?")
            column.addWidget(lost_label)
            self.lost_edit.setText(gate.lost_reason)
            column.addWidget(self.lost_edit)
        else:
            self.lost_edit.hide()

        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.move_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText(f"Move to {stage.name}".replace("&", "&&"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        unmet = [item for box, item in self.boxes if not box.isChecked()]
        override = self.override_edit.text().strip()
        gate_ok = not unmet or (self._is_manager and bool(override))
        lost_ok = not self._to_lost or bool(self.lost_edit.text().strip())
        if not gate_ok:
            left = len(unmet)
            self.status.setText(f"{left} item{'s' if left != 1 else ''} still to tick."
                                + (" Or give an override reason." if self._is_manager else ""))
        elif not lost_ok:
            self.status.setText("Say why the deal was lost.")
        elif unmet:
            self.status.setText("It will move with your override recorded.")
        else:
            self.status.setText("Ready to move.")
        self.move_button.setEnabled(gate_ok and lost_ok)

    def answer(self) -> GateAnswer:
        unmet = any(not box.isChecked() for box, _ in self.boxes)
        return GateAnswer(
            ticked=tuple(item.id for box, item in self.boxes if box.isChecked()),
            override_reason=self.override_edit.text().strip() if unmet else "",
            lost_reason=self.lost_edit.text().strip() if self._to_lost else "",
        )

    @classmethod
    def ask(cls, parent: QWidget | None, context: UiContext,
            gate: GateFacts) -> GateAnswer | None:
        """Show the dialog modally; None when the user cancels."""
        dialog = cls(parent, context, gate)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.answer()
        finally:
            dialog.deleteLater()
