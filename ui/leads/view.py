"""The Leads page: marketing-side leads ranked by lead score, why, and the hand-off to sales.

DESIGN.md idea 2: only sales-ready leads go to sales. The table ranks leads by
:func:`app.lead_score.score_leads` (computed on the worker), shows the top factors behind each
score and marks leads that are not ready with what is missing. "Hand to sales" gives the lead
an owner and moves it into the first sales stage through the qualification gate in one
transaction (:func:`app.handoff.hand_to_sales`); when the gate blocks, the shared gate dialog
lets the user tick what is true now or, as a manager, override with a reason. A hand-off is
undoable with Ctrl+Z.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.handoff import Handoff, first_sales_stage, hand_to_sales, undo_handoff
from app.lead_score import LeadScore, score_leads
from app.pipeline import GateBlocked, GateFacts, gate_facts
from app.rep_admin import RepRow, list_rep_rows
from ui import theme
from ui.context import Topic, UiContext
from ui.formatting import format_money, format_points
from ui.leads.model import LEAD_ROLE, LeadsModel, ScoreDelegate
from ui.operations import Query, UndoableWrite, Write

REFRESH_TOPICS = frozenset({Topic.DEALS, Topic.STAGES, Topic.SETTINGS, Topic.REPS})
EMPTY_TEXT = (
    "No leads on the marketing side.\n\nImport a spreadsheet of leads (Ctrl+I) or add one "
    "with Ctrl+N in a marketing stage; they are ranked here until they are sales-ready."
)


class HandoffCommand(UndoableWrite):
    """A done hand-off on the application's undo stack; undo sends the lead back."""

    def __init__(self, view: LeadsView, handoff: Handoff):
        super().__init__(view.context, view, f"Hand {handoff.title} to {handoff.owner.name}",
                         announce={Topic.DEALS},
                         on_failure=lambda message: view.show_message(message, error=True))
        self.handoff = handoff

    def redo_work(self) -> Handoff:
        self.handoff = hand_to_sales(
            self.handoff.deal_id, self.handoff.owner.id, self.context.actor,
            override_reason="Handed over again (redo)" if self.handoff.overridden else "")
        return self.handoff

    def undo_work(self) -> None:
        undo_handoff(self.handoff, self.context.actor)


def _hand_over(deal_id: int, owner_id: int, actor, **how) -> Handoff | GateFacts:
    """Runs on the worker: the hand-off, or what the gate that blocked it shows (the GUI
    then asks the gate dialog and tries again with its answer)."""
    try:
        return hand_to_sales(deal_id, owner_id, actor, **how)
    except GateBlocked:
        return gate_facts(deal_id, first_sales_stage().id)


class LeadsView(QWidget):
    """The Leads section. ``model``, ``table``, ``owner_combo`` and ``handoff_button`` are
    public for tests; :meth:`hand_selected_to_sales` is what the button does.

    Signals:
        sig_handoff_settled(handoff: Handoff | None) — a hand-off was written, or (None) it
            was refused or cancelled.
    """

    sig_handoff_settled = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.model = LeadsModel(context.settings.currency, self)
        self.loading = False
        self._pending_select: int | None = None

        title = QLabel("Leads")
        title.setObjectName("PageTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("Muted")
        self.subtitle.setWordWrap(True)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search lead, company or source (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(theme.icon("ph.magnifying-glass"),
                                   QLineEdit.ActionPosition.LeadingPosition)
        self.ready_only = QCheckBox("Sales-ready only")
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.owner_combo = QComboBox()
        self.owner_combo.setMinimumWidth(220)
        self.owner_combo.setToolTip("Who will work the lead on the sales side")
        self.handoff_button = QPushButton(theme.icon("ph.handshake"), "Hand to sales")
        self.handoff_button.setToolTip(
            "Give the selected lead to the chosen rep and move it to the first sales stage "
            "(Ctrl+Return)"
        )
        self.handoff_button.setDefault(True)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search_edit, 2)
        bar.addWidget(self.ready_only)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(QLabel("Owner:"))
        bar.addWidget(self.owner_combo)
        bar.addWidget(self.handoff_button)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.setStyleSheet("QTableView::item { padding: 0 8px; }"
                                 "QHeaderView::section { padding: 4px 8px; }")
        self.table.setItemDelegateForColumn(0, ScoreDelegate(self))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        # Widths from the content's typical size, not measured over every row.
        for column, width in enumerate((90, 230, 80, 90, 220, 90)):
            header.resizeSection(column, width)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LeadsModel.WHY, QHeaderView.ResizeMode.Stretch)

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("Muted")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty_label)

        self.detail = self._build_detail()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pages)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self.search_edit.textChanged.connect(self._apply_filter)
        self.ready_only.toggled.connect(self._apply_filter)
        self.handoff_button.clicked.connect(self.hand_selected_to_sales)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._after_reset)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.hand_selected_to_sales)
        context.bus.sig_changed.connect(self._on_changed)
        context.bus.sig_user_changed.connect(lambda _rep: self.reload())
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(1280, 720)

    def _build_detail(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("LeadDetail")
        frame.setStyleSheet("#LeadDetail { background: palette(base); border: 1px solid "
                            "palette(midlight); border-radius: 8px; }")
        frame.setMinimumWidth(300)
        frame.setMaximumWidth(340)
        column = QVBoxLayout(frame)
        column.setContentsMargins(16, 14, 16, 14)
        column.setSpacing(8)
        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        self.detail_title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.detail_meta = QLabel()
        self.detail_meta.setObjectName("Muted")
        self.detail_meta.setWordWrap(True)
        self.detail_score = QLabel()
        self.detail_score.setStyleSheet("font-size: 22pt; font-weight: 600;")
        self.detail_status = QLabel()
        self.detail_status.setWordWrap(True)
        self.detail_factors = QLabel()
        self.detail_factors.setWordWrap(True)
        self.detail_factors.setTextFormat(Qt.TextFormat.RichText)
        self.detail_missing = QLabel()
        self.detail_missing.setWordWrap(True)
        self.detail_missing.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.detail_title, self.detail_meta, self.detail_score,
                       self.detail_status, self.detail_factors, self.detail_missing):
            column.addWidget(widget)
        column.addStretch(1)
        return frame

    # ----------------------------------------------------------------------------- data

    def reload(self) -> None:
        """Score the leads on the worker and show the ranking as soon as it arrives (the
        table keeps the old one meanwhile); then read the reps for the hand-off list, which
        the ranking does not wait for (Hand to sales is enabled once they are in).
        ``loading`` is True until both are in."""
        threshold = self.context.settings.sales_ready_threshold
        self.subtitle.setText(
            f"Marketing-side leads, best first. A lead is ready for sales at a score of "
            f"{threshold} or more with its sales-ready checklist met; hover “Why” for the "
            "details."
        )
        self.loading = True
        self.count_label.setText("Scoring…")
        Query(self, self.context, lambda _control: score_leads(threshold), supersede="leads",
              ).success(self._loaded).failure(self._failed).run()
        Query(self, self.context, lambda _control: list_rep_rows(), supersede="owners",
              ).success(self._fill_owners).failure(self._failed).run()

    def _loaded(self, leads: list[LeadScore]) -> None:
        keep = self.selected_lead()
        self._pending_select = self._pending_select or (keep.deal_id if keep else None)
        self.model.load(leads)

    def _failed(self, message: str) -> None:
        self.show_message(message, error=True)

    def _fill_owners(self, reps: list[RepRow]) -> None:
        """Active reps, the one with the fewest open deals first (a sensible default). The
        last of the view's two reads (the worker answers in order): loading ends here."""
        self.loading = False
        chosen = self.owner_combo.currentData()
        rows = [r for r in reps if r.rep.active]
        rows.sort(key=lambda r: (r.rep.role != "rep", r.open_deals, r.rep.name))
        self.owner_combo.blockSignals(True)
        self.owner_combo.clear()
        for row in rows:
            self.owner_combo.addItem(f"{row.rep.name} ({row.open_deals} open)", row.rep.id)
        at = self.owner_combo.findData(chosen)
        self.owner_combo.setCurrentIndex(at if at >= 0 else 0)
        self.owner_combo.blockSignals(False)
        self._update_buttons()

    def _apply_filter(self) -> None:
        keep = self.selected_lead()
        self._pending_select = keep.deal_id if keep else None
        self.model.set_filter(self.search_edit.text(), self.ready_only.isChecked())

    def _after_reset(self) -> None:
        total, shown = len(self.model.all_rows), len(self.model.rows)
        ready = sum(lead.ready for lead in self.model.all_rows)
        self.count_label.setText(
            f"{shown:,} of {total:,} leads · {ready:,} ready" if shown != total
            else f"{total:,} leads · {ready:,} ready"
        )
        if not self.model.all_rows:
            self.empty_label.setText(EMPTY_TEXT)
        elif not self.model.rows:
            self.empty_label.setText("No lead matches the search.")
        self.pages.setCurrentWidget(self.table if self.model.rows else self.empty_label)
        row = self.model.row_of(self._pending_select) if self._pending_select else None
        self._pending_select = None
        if self.model.rows:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row or 0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self._show_detail(QModelIndex(), QModelIndex())
        self._update_buttons()

    def _on_changed(self, topics: frozenset) -> None:
        if topics & REFRESH_TOPICS:
            self.reload()

    def selected_lead(self) -> LeadScore | None:
        index = self.table.selectionModel().currentIndex()
        return index.data(LEAD_ROLE) if index.isValid() else None

    def _update_buttons(self) -> None:
        self.handoff_button.setEnabled(
            self.selected_lead() is not None and self.owner_combo.count() > 0
        )

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        lead = current.data(LEAD_ROLE) if current.isValid() else None
        self._update_buttons()
        if lead is None:
            self.detail_title.setText("No lead selected")
            for label in (self.detail_meta, self.detail_score, self.detail_status,
                          self.detail_factors, self.detail_missing):
                label.clear()
            return
        currency = self.context.settings.currency
        self.detail_title.setText(lead.title)
        meta = [lead.company, lead.stage_name, lead.source, format_money(lead.value, currency)]
        self.detail_meta.setText(" · ".join(part for part in meta if part))
        self.detail_score.setText(f"{lead.score} <span style='font-size: 11pt; "
                                  "font-weight: 400;'>/ 100</span>")
        colour = theme.SUCCESS if lead.ready else theme.WARNING
        threshold = self.context.settings.sales_ready_threshold
        if lead.ready:
            status = "Ready for sales"
        elif lead.missing:
            status = "Not ready: the sales-ready checklist is not met"
        else:
            status = f"Not ready: the score is under the threshold of {threshold}"
        self.detail_status.setText(status)
        self.detail_status.setStyleSheet(f"color: {colour.name()}; font-weight: 600;")
        shown = [(f, format_points(f.points)) for f in lead.factors]
        sign_colour = {"+": theme.SUCCESS, "-": theme.danger()}
        rows = "".join(
            f"<tr><td style='padding: 2px 10px 2px 0; text-align: right; color: "
            f"{sign_colour.get(points[0], theme.muted_text()).name()};'>"
            f"<b>{points}</b></td><td style='padding: 2px 0;'>{html.escape(f.label)}"
            f"<br><span style='color: {theme.muted_text().name()};'>"
            f"{html.escape(f.detail)}</span></td></tr>"
            for f, points in shown
        )
        self.detail_factors.setText(f"<b>Why this score</b><table>{rows}</table>")
        if lead.missing:
            items = "".join(f"<li>{html.escape(text)}</li>" for text in lead.missing)
            self.detail_missing.setText(
                f"<b>Still needed for the hand-off</b><ul style='margin-left: -20px;'>"
                f"{items}</ul>"
            )
        else:
            self.detail_missing.setText("<b>Sales-ready checklist met.</b>")

    def show_message(self, text: str, *, error: bool = False) -> None:
        colour = theme.danger().name() if error else theme.muted_text().name()
        self.banner.setStyleSheet(f"color: {colour};")
        self.banner.setText(text)
        self.banner.show()

    # ----------------------------------------------------------------------------- hand-off

    def hand_selected_to_sales(self) -> None:
        """Hand the selected lead to the chosen owner through the gate, on the worker;
        ``sig_handoff_settled`` says how it ended."""
        lead = self.selected_lead()
        owner_id = self.owner_combo.currentData()
        if lead is None or owner_id is None:
            return
        actor = self.context.actor

        def tried(done: Handoff | GateFacts) -> None:
            if isinstance(done, GateFacts):
                self._through_gate(lead, owner_id, done)
            else:
                self._handed(done)

        Write(self, self.context, lambda _control: _hand_over(
            lead.deal_id, owner_id, actor, expected_version=lead.version),
            announce={Topic.DEALS}).success(tried).failure(self._refused).run()

    def _handed(self, done: Handoff) -> None:
        self.context.undo_stack.push(HandoffCommand(self, done))
        extra = " (checklist overridden)" if done.overridden else ""
        self.show_message(
            f"“{done.title}” is now with {done.owner.name} in {done.stage.name}{extra}. "
            "Undo with Ctrl+Z."
        )
        self.sig_handoff_settled.emit(done)

    def _refused(self, message: str) -> None:
        self.show_message(message, error=True)
        self.sig_handoff_settled.emit(None)

    def _through_gate(self, lead: LeadScore, owner_id: int, gate: GateFacts) -> None:
        """The gate blocked: ask what is true now (or a manager's override) and retry once,
        ticking and handing over in one transaction."""
        from ui.gate_dialog import GateDialog

        answer = GateDialog.ask(self, self.context, gate)
        if answer is None:
            self.sig_handoff_settled.emit(None)
            return
        actor = self.context.actor
        Write(self, self.context, lambda _control: hand_to_sales(
            lead.deal_id, owner_id, actor, override_reason=answer.override_reason,
            tick=answer.ticked), announce={Topic.DEALS},
        ).success(self._handed).failure(self._refused).run()
