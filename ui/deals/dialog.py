"""The deal dialog: a deal's fields, its checklist grouped by stage, its stage history and
its activities. Opened by double-clicking a card or a row, and empty by New deal (Ctrl+N).

Beside the fields, the deal's own actions: a Stage list and Won / Lost buttons (moved at
once, through the gate dialog and the same operation as the board: :mod:`ui.deal_actions`),
Log hours on this deal, and Delete (Edit → Undo brings it back). A stage move changes the
deal's version: the dialog then re-reads the deal, keeping the user's unsaved edits, so a
later Save is not refused as someone else's change. A new deal starts in the stage and with
the owner the page implies (``side``: the first open stage of that side; on the sales side
the acting user owns it).

Fields are checked as the user leaves them (the app's own rules, via
:func:`app.deals.check_fields`) and the error shows under the field. Save sends only the
fields the user changed from what was loaded, with the checklist ticks, to
:func:`app.deals.save_deal` on the worker: one transaction, checked against the version the
dialog was opened at, so a change made meanwhile by someone else is reported, not
overwritten, and a refused save writes nothing (Save can simply be pressed again). The
owner list always holds the deal's current owner, "(inactive)" if they left the team, so
saving never drops an owner the list could not show. In a working copy of a rep's update
workbook the fields its workbook cannot carry back are shown read-only with the reason
(:data:`app.offline.copy_rules.READ_ONLY_DEAL_NOTE`); the stage, value, expected close and
next step with its due date stay editable.

Signals:
    sig_saved(deal: DealInfo) — the save went through (the dialog then closes).
    sig_save_failed(error: FunnelcastError) — refused; the reason is shown, nothing written.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate, QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import deals, pipeline
from app.activities import DealChoice
from app.clock import local_today, utcnow
from app.deal_detail import DealDetail, DealForm, load_deal_detail, load_deal_form
from app.errors import ConflictError, FunnelcastError, NotFound, ValidationError
from app.offline import copy_rules
from ui.context import Topic, UiContext
from ui.deal_actions import close_as, delete_with_undo, log_hours_on, move_with_gate
from ui.deals.detail_models import ActivityModel, ChecklistModel, HistoryModel
from ui.operations import Query, Write
from ui.tasks import Task
from ui.theme import danger, icon, read_only_fields_style, read_only_label

NO_DATE = QDate(1900, 1, 1)
TEXT_FIELDS = ("title", "company", "contact_name", "contact_email", "contact_phone",
               "industry", "region", "next_step", "lost_reason")


class OptionalDateEdit(QDateEdit):
    """A date that may be empty, shown as "No date" (kept as :data:`NO_DATE`). From empty,
    the calendar opens on this month and the first arrow key lands on today, not on 1900."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText("No date")
        self.setDate(NO_DATE)
        self.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.calendarWidget() and event.type() == QEvent.Type.Show
                and self.date() == NO_DATE):
            today = QDate.currentDate()
            watched.setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def stepBy(self, steps: int) -> None:
        if self.date() == NO_DATE:
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)


class RoomyRows(QStyledItemDelegate):
    """Checklist rows with air between them: a tick box per line is easy to hit and read.
    (Their outline on the dark palette comes from the theme's style, as for every box.)"""

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 10)


def amount_text(value: Decimal) -> str:
    """A deal's value as its editor shows it: the locale's digit groups and decimal point,
    cents only when there are any ("85,000", "12,500.50" in English); :func:`app.deals.
    parse_amount` reads it back."""
    locale = QLocale()
    whole = value == value.to_integral_value()
    return deals.format_amount(value.quantize(Decimal(1)) if whole else value,
                               locale.groupSeparator(), locale.decimalPoint())


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _read_table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


class DealDialog(QDialog):
    """Built from a :class:`app.deal_detail.DealForm` read on the worker (``form.detail``
    None: a new deal), so opening it reads nothing on the GUI thread; :meth:`show_existing`
    and :meth:`show_new` read it and open the dialog. ``inputs`` maps a field key to its
    editor (tests fill them); :meth:`save` starts the save on the worker (see the module's
    signals)."""

    sig_saved = Signal(object)
    sig_save_failed = Signal(object)

    def __init__(self, parent: QWidget | None, context: UiContext, form: DealForm, *,
                 side: str | None = None):
        """``side`` ("marketing"/"sales", new deals only): start in that side's first open
        stage, owned by the acting user on the sales side; None: the pipeline's first stage,
        no owner."""
        super().__init__(parent)
        self.context = context
        self.form = form
        self.detail: DealDetail | None = form.detail
        self.saved: deals.DealInfo | None = None
        self._saving: Task | None = None
        self._saving_values: dict = {}
        self._busy = False  # a stage move, won/lost or delete is on its way
        self.stages = list(form.stages)
        self.setWindowTitle(self.detail.deal.title if self.detail else "New deal")
        self.resize(860, 640)
        self.setMinimumSize(720, 520)

        column = QVBoxLayout(self)
        column.setSpacing(10)
        self.heading = QLabel(self.detail.deal.title if self.detail else "New deal")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        column.addWidget(self.heading)
        stage_row = QHBoxLayout()
        stage_row.setSpacing(8)
        self.stage_box = QComboBox()
        self.stage_box.setMinimumWidth(180)
        for stage in self.stages:
            if self.detail or stage.outcome == "open":
                self.stage_box.addItem(stage.name, stage.id)
        stage_label = QLabel("&Stage" if self.detail else "&Starts in")
        stage_label.setBuddy(self.stage_box)
        stage_row.addWidget(stage_label)
        stage_row.addWidget(self.stage_box)
        self.subheading = QLabel()
        self.subheading.setObjectName("Muted")
        self.subheading.setWordWrap(True)
        stage_row.addWidget(self.subheading, 1)
        column.addLayout(stage_row)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {danger().name()}; font-weight: 600;")
        self.banner.hide()
        column.addWidget(self.banner)
        # A working copy's workbook carries only some fields back: the rest are shown
        # read-only, with the reason, rather than refused on Save.
        self.in_working_copy = self.detail is not None and form.working_copy
        self.read_only_note = read_only_label(
            copy_rules.READ_ONLY_DEAL_NOTE if self.in_working_copy else "")
        self.read_only_note.setVisible(self.in_working_copy)
        column.addWidget(self.read_only_note)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_details(), "Details")
        self.checklist_model = ChecklistModel(form.checklist, self)
        self.checklist_view = QTreeView()
        self.checklist_view.setModel(self.checklist_model)
        self.checklist_view.setHeaderHidden(True)
        self.checklist_view.expandAll()
        self.checklist_view.setUniformRowHeights(True)
        self.checklist_view.setItemDelegate(RoomyRows(self.checklist_view))
        self.tabs.addTab(self.checklist_view, "Checklist")
        self.checklist_model.dataChanged.connect(self._count_ticks)
        if self.detail:
            self.history_model = HistoryModel(self.detail.history, self)
            self.history_view = _read_table(self.history_model)
            self.tabs.addTab(self.history_view, "Stage history")
            self.activity_model = ActivityModel(self.detail.activities, self)
            activities = _read_table(self.activity_model) if self.detail.activities else \
                QLabel("No activities logged on this deal yet — log hours with Ctrl+L.")
            if isinstance(activities, QLabel):
                activities.setAlignment(Qt.AlignmentFlag.AlignCenter)
                activities.setObjectName("Muted")
            self.tabs.addTab(activities, f"Activities ({len(self.detail.activities)})")
        self._count_ticks()
        column.addWidget(self.tabs, 1)

        bottom = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        if self.detail:
            for key, text, glyph, tip, slot in (
                ("won", "Mark &won", "ph.trophy", "Move the deal to Won (the checklist gate "
                 "applies)", lambda: self.close_as("won")),
                ("lost", "Mark &lost…", "ph.x-circle", "Move the deal to Lost; you are asked "
                 "why", lambda: self.close_as("lost")),
                ("log", "Log &hours…", "ph.clock", "Log hours on this deal", self.log_hours),
                ("delete", "&Delete", "ph.trash", "Delete the deal; Edit → Undo (Ctrl+Z) "
                 "brings it back", self.delete),
            ):
                button = QPushButton(icon(glyph), text)
                button.setToolTip(tip)
                button.setAutoDefault(False)
                button.clicked.connect(slot)
                bottom.addWidget(button)
                self.action_buttons[key] = button
        bottom.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        bottom.addWidget(buttons)
        column.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        if self.detail:
            self._show(self.detail.deal)
            self.stage_box.activated.connect(self._stage_chosen)
        else:
            self._start_on(side)
        self._show_stage()
        self.inputs["expected_close"].dateChanged.connect(self._flag_close)
        self._flag_close()
        # What the form says before any edit: Save sends only what differs from this, so a
        # value a widget shows differently from the database is never written back.
        self._loaded = self.values()
        if self.in_working_copy:
            self._hold_uncarried()
            self.inputs["value"].setFocus()
        else:
            self.inputs["title"].setFocus()

    # ------------------------------------------------------------ layout
    def _start_on(self, side: str | None) -> None:
        """A new deal's stage and owner, from the page it was asked for on."""
        stage = pipeline.first_open_stage(side, self.stages) if side else None
        if stage is not None:
            self.stage_box.setCurrentIndex(max(0, self.stage_box.findData(stage.id)))
        actor = self.context.actor
        if side == "sales" and actor is not None:
            owner = self.inputs["owner_id"]
            owner.setCurrentIndex(max(0, owner.findData(actor.id)))

    def _show_stage(self) -> None:
        """The stage list, the line beside it and the Won / Lost buttons, as the deal is."""
        if not self.detail:
            self.subheading.setText("Tick what is already known on the Checklist tab; a "
                                    "later stage needs the required items up to it.")
            return
        stage = self.detail.stage
        self.stage_box.setCurrentIndex(max(0, self.stage_box.findData(stage.id)))
        days = (utcnow() - self.detail.deal.stage_entered_at).days
        self.subheading.setText(f"for {_days(days)}. Choosing another stage moves the deal "
                                "now, as on the board.")
        self.action_buttons["won"].setEnabled(stage.outcome != "won")
        self.action_buttons["lost"].setEnabled(stage.outcome != "lost")

    def _build_details(self) -> QWidget:
        page = QWidget()
        grid = QHBoxLayout(page)
        grid.setSpacing(24)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setVerticalSpacing(8)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        def add(form: QFormLayout, key: str, label: str, widget: QWidget) -> None:
            holder = QWidget()
            holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            stack = QVBoxLayout(holder)
            stack.setContentsMargins(0, 0, 0, 0)
            stack.setSpacing(2)
            stack.addWidget(widget)
            error = QLabel()
            error.setStyleSheet(f"color: {danger().name()};")
            error.setWordWrap(True)
            error.hide()
            stack.addWidget(error)
            form.addRow(label, holder)
            self.inputs[key], self.errors[key] = widget, error

        for key, label in (("title", "Title *"), ("company", "Company"),
                           ("contact_name", "Contact"), ("contact_email", "E-mail"),
                           ("contact_phone", "Phone"), ("industry", "Industry"),
                           ("region", "Region")):
            edit = QLineEdit()
            edit.editingFinished.connect(lambda k=key: self._check(k))
            add(left, key, label, edit)
        size = QSpinBox()
        size.setRange(0, 10_000_000)
        size.setSpecialValueText("Unknown")
        size.setSuffix(" employees")
        add(left, "company_size", "Company size", size)

        owner = QComboBox()
        owner.addItem("No owner", None)
        for choice in self.form.owners:
            owner.addItem(choice.label, choice.id)
        add(right, "owner_id", "Owner", owner)
        source = QComboBox()
        source.addItem("No source", None)
        for item in self.form.sources:
            source.addItem(item.name, item.id)
        add(right, "source_id", "Source", source)
        value = QLineEdit()
        value.setPlaceholderText("0.00")
        value.setAlignment(Qt.AlignmentFlag.AlignRight)
        value.editingFinished.connect(self._value_left)
        add(right, "value", f"Value ({self.context.settings.currency})", value)
        add(right, "expected_close", "Expected close", OptionalDateEdit())
        self.close_note = QLabel()
        self.close_note.setWordWrap(True)
        self.close_note.setStyleSheet(f"color: {danger().name()};")
        self.close_note.hide()
        self.inputs["expected_close"].parentWidget().layout().addWidget(self.close_note)
        step = QLineEdit()
        step.setPlaceholderText("e.g. Call the buyer about the pilot")
        add(right, "next_step", "Next step", step)
        add(right, "next_step_due", "Next step due", OptionalDateEdit())
        lost = QLineEdit()
        add(right, "lost_reason", "Lost because", lost)
        self._right_form = right
        if not (self.detail and self.detail.stage.outcome == "lost"):
            right.setRowVisible(self.inputs["lost_reason"].parentWidget(), False)
        notes = QPlainTextEdit()
        notes.setPlaceholderText("Anything the team should know about this deal")
        notes.setTabChangesFocus(True)
        right.addRow("Notes", notes)
        self.inputs["notes"] = notes
        for form in (left, right):
            side = QWidget()
            side.setLayout(form)
            grid.addWidget(side, 1, Qt.AlignmentFlag.AlignTop)
        return page

    def _hold_uncarried(self) -> None:
        """Show the fields a working copy's workbook cannot carry without letting them be
        changed (text stays selectable; each says why in its tooltip)."""
        for key, widget in self.inputs.items():
            if key in copy_rules.CARRIED_FIELDS:
                continue
            widget.setToolTip(copy_rules.READ_ONLY_DEAL_NOTE)
            if isinstance(widget, QComboBox):
                widget.setEnabled(False)
                continue
            widget.setReadOnly(True)
            if isinstance(widget, QSpinBox):
                widget.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            else:
                widget.setPlaceholderText("")
        self.tabs.widget(0).setStyleSheet(read_only_fields_style())

    def _show(self, deal: deals.DealInfo) -> None:
        for key in TEXT_FIELDS:
            self.inputs[key].setText(getattr(deal, key))
        self.inputs["company_size"].setValue(deal.company_size or 0)
        for key in ("owner_id", "source_id"):
            combo = self.inputs[key]
            combo.setCurrentIndex(max(0, combo.findData(getattr(deal, key))))
        self.inputs["value"].setText(amount_text(deal.value))
        for key in ("expected_close", "next_step_due"):
            day = getattr(deal, key)
            self.inputs[key].setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        self.inputs["notes"].setPlainText(deal.notes)

    def _count_ticks(self, *_args) -> None:
        done, total = self.checklist_model.ticked_count()
        self.tabs.setTabText(1, f"Checklist ({done}/{total})")

    def _value_left(self) -> None:
        """Check the value as the user leaves it, and show it grouped again if it is one."""
        if self._check("value"):
            self.inputs["value"].setText(amount_text(self._value()))

    def _is_open(self) -> bool:
        return self.detail is None or self.detail.stage.outcome == "open"

    def _flag_close(self, *_args) -> None:
        """A past expected close on an open deal is flagged in words (under the field and in
        its tooltip) as well as colour."""
        edit = self.inputs["expected_close"]
        chosen = edit.date()
        late = chosen != NO_DATE and self._is_open() and chosen.toPython() < local_today()
        if late:
            days = (local_today() - chosen.toPython()).days
            text = (f"This date passed {_days(days)} ago: set a new one, or mark the deal won "
                    "or lost.")
            self.close_note.setText(text)
            edit.setToolTip(text)
            edit.setStyleSheet(f"QDateEdit {{ color: {danger().name()}; }}")
        else:
            edit.setToolTip("")
            edit.setStyleSheet("")
        self.close_note.setVisible(late)

    # ------------------------------------------------------------ values
    def _value(self):
        """The value as typed, read with the locale's separators ("12,500.50" in English,
        "12.500,50" in German); raises :class:`ValidationError` quoting a text that is not
        an amount."""
        locale = QLocale()
        return deals.parse_amount(self.inputs["value"].text(), locale.groupSeparator(),
                                  locale.decimalPoint())

    def _field(self, key: str):
        """One field of the form as :data:`app.deals.EDITABLE` takes it (not yet validated)."""
        widget = self.inputs[key]
        if key in TEXT_FIELDS:
            return widget.text()
        if key == "company_size":
            return widget.value() or None
        if key in ("owner_id", "source_id"):
            return widget.currentData()
        if key == "value":
            return self._value()
        if key in ("expected_close", "next_step_due"):
            return None if widget.date() == NO_DATE else widget.date().toPython()
        return widget.toPlainText()  # notes

    def values(self) -> dict:
        """The form as :data:`app.deals.EDITABLE` fields (not yet validated); raises
        :class:`ValidationError` for a value that is not an amount."""
        return {key: self._field(key) for key in self.inputs}

    def _check(self, key: str) -> bool:
        """Check one field as the user leaves it; the error shows under it."""
        try:
            deals.check_fields({key: self._field(key)})
        except ValidationError as error:
            self._mark(key, str(error))
            return False
        self._mark(key, "")
        return True

    def _mark(self, key: str, message: str) -> None:
        label = self.errors.get(key)
        if label is None:
            self.banner.setText(message)
            self.banner.setVisible(bool(message))
            return
        label.setText(message)
        label.setVisible(bool(message))
        self.inputs[key].setStyleSheet(f"border: 1px solid {danger().name()};" if message else "")

    # -------------------------------------------------------------- save
    def save(self) -> Task | None:
        """Start saving the changed fields and checklist ticks on the worker; None when a
        save is already running (a second Save press is ignored, never a second deal) or the
        value is not an amount (marked at once).

        Success emits ``sig_saved`` and closes the dialog; a refusal keeps it open with the
        reason at the field or in the banner, and nothing written."""
        if self._saving is not None:
            return None
        for key in self.errors:
            self._mark(key, "")
        self.banner.hide()
        try:
            values = self.values()
        except ValidationError as error:
            self._refused(error)
            return None
        ticks = self.checklist_model.changes()
        actor = self.context.actor
        if self.saved is None and self.detail is None:
            values.pop("lost_reason")  # a new deal is not lost
            draft = deals.DealDraft(**values, stage_id=self.stage_box.currentData())

            def run(_control) -> deals.DealInfo:
                return deals.save_deal(None, draft, ticks, None, actor)
        else:
            base = self.saved or self.detail.deal
            changes = {k: v for k, v in values.items() if self._loaded.get(k) != v}

            def run(_control) -> deals.DealInfo:
                return deals.save_deal(base.id, changes, ticks, base.version, actor)

        self.save_button.setEnabled(False)
        self._saving_values = values
        # Closing is held off while a save runs; should the dialog go anyway, its owner
        # binding drops the handlers.
        self._saving = Write(self, self.context, run, announce={Topic.DEALS}).success(
            self._saved).refusal(self._refused).finished(self._save_finished).run()
        return self._saving

    def reject(self) -> None:
        """Cancel, Esc and the close button wait for a save in progress: the deal is being
        written, and closing now would hide whether it was."""
        if self._saving is not None:
            self.banner.setText("Saving… the window closes when the deal is saved.")
            self.banner.show()
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self._saving is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _saved(self, info: deals.DealInfo) -> None:
        # Later saves from this window edit the deal just saved, from what it now holds.
        self.saved = info
        self._loaded = self._saving_values
        self.checklist_model.mark_saved()
        self.sig_saved.emit(info)
        self.accept()

    def _refused(self, error: FunnelcastError) -> None:
        if isinstance(error, ValidationError) and error.field in self.inputs:
            self._mark(error.field, str(error))
            self.tabs.setCurrentIndex(0)
            self.inputs[error.field].setFocus()
        elif isinstance(error, pipeline.GateBlocked):  # a new deal in a later stage
            self.banner.setText(f"{error} Tick them on the Checklist tab, or start the deal "
                                "in an earlier stage. Nothing was saved.")
            self.banner.show()
            self.tabs.setCurrentIndex(1)
        elif isinstance(error, ConflictError):
            self.banner.setText(f"{error} Close this window and open the deal again to see "
                                "the latest version.")
            self.banner.show()
        elif isinstance(error, NotFound):  # e.g. a checklist item removed meanwhile
            self.banner.setText(f"{error} Nothing was saved: close this window and open "
                                "the deal again to see its current checklist.")
            self.banner.show()
        else:
            self.banner.setText(f"{error} Nothing was saved.")
            self.banner.show()
        self.sig_save_failed.emit(error)

    def _save_finished(self) -> None:
        self._saving = None
        self.save_button.setEnabled(True)

    # ------------------------------------------------------- deal actions
    def _current(self) -> deals.DealInfo:
        assert self.detail is not None
        return self.saved or self.detail.deal

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stage_box.setEnabled(not busy)
        for button in self.action_buttons.values():
            button.setEnabled(not busy)
        if not busy and self.detail:
            self._show_stage()

    def _refused_action(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()

    def _stage_chosen(self, _index: int) -> None:
        stage_id = self.stage_box.currentData()
        if self.detail is None or self._busy or stage_id == self.detail.stage.id:
            return
        self._set_busy(True)
        move_with_gate(self, self.context, self.detail.deal.id, stage_id,
                       on_failure=self._refused_action, on_done=self._moved,
                       expected_version=self._current().version)

    def close_as(self, outcome: str) -> None:
        """Mark won or lost: the same gated move as the board (lost asks the reason)."""
        if self.detail is None or self._busy:
            return
        self._set_busy(True)
        close_as(self, self.context, self.detail.deal.id, outcome, self.stages,
                 on_failure=self._refused_action, on_done=self._moved,
                 expected_version=self._current().version)

    def _moved(self, moved: bool) -> None:
        if not moved or self.detail is None:
            self._set_busy(False)  # puts the stage list back on the deal's stage
            return
        self.banner.hide()
        deal_id = self.detail.deal.id
        Query(self, self.context, lambda _control: load_deal_detail(deal_id)).success(
            self._reloaded).failure(self._refused_action).finished(
            lambda: self._set_busy(False)).run()

    def _reloaded(self, detail: DealDetail) -> None:
        """The deal as stored after a move: its stage, lost reason, ticks and history, with
        the user's unsaved edits kept (Save then sends them against the new version)."""
        self.detail, self.saved = detail, None
        lost = self.inputs["lost_reason"]
        lost.setText(detail.deal.lost_reason)
        self._loaded["lost_reason"] = detail.deal.lost_reason
        self._right_form.setRowVisible(lost.parentWidget(), detail.stage.outcome == "lost")
        self.checklist_model.reload(detail.checklist)
        self.checklist_view.expandAll()
        self._count_ticks()
        self.history_model.set_rows(detail.history)
        self._flag_close()

    def log_hours(self) -> QWidget | None:
        """The quick log (Ctrl+L) with this deal already chosen."""
        if self.detail is None:
            return None
        deal = self._current()
        return log_hours_on(self, self.context, DealChoice(deal.id, deal.title, deal.company,
                                                           self.detail.stage.name))

    def delete(self) -> None:
        """Delete the deal (no question: Edit → Undo brings it back) and close."""
        if self.detail is None or self._busy:
            return
        self._set_busy(True)

        def deleted(message: str) -> None:
            parent = self.parentWidget()
            window = parent.window() if parent is not None else None
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(message, 8000)
            self._busy = False
            self.done(QDialog.DialogCode.Rejected)

        def refused(message: str) -> None:
            self._refused_action(message)
            self._set_busy(False)

        delete_with_undo(self, self.context, self.detail.deal.id,
                         expected_version=self._current().version, on_failure=refused,
                         on_done=deleted)

    # ----------------------------------------------------------- opening
    @classmethod
    def show_existing(cls, parent: QWidget, context: UiContext, deal_id: int) -> None:
        """Read the deal on the worker, then open it in a window of its own (not modal: the
        board stays usable). A second open asked of the same ``parent`` before the first
        answered replaces it, so a double double-click opens one window. A deal deleted
        meanwhile is said on the status bar."""
        cls._open(parent, context, deal_id)

    @classmethod
    def show_new(cls, parent: QWidget, context: UiContext, *, side: str | None = None) -> None:
        """Open an empty deal dialog once its lists are read on the worker; ``side`` as for
        the constructor."""
        cls._open(parent, context, None, side=side)

    @classmethod
    def _open(cls, parent: QWidget, context: UiContext, deal_id: int | None, *,
              side: str | None = None) -> None:
        def opened(form: DealForm) -> None:
            dialog = cls(parent, context, form, side=side)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()

        Query(parent, context, lambda _control: load_deal_form(deal_id),
              supersede="deal dialog").success(opened).run()
