"""The deal dialog: a deal's fields, its checklist grouped by stage, its stage history and
its activities. Opened by double-clicking a card or a row, and empty by New deal (Ctrl+N).

Fields are checked as the user leaves them (the app's own rules, via
:func:`app.deals.check_fields`) and the error shows under the field. Save sends only the
fields the user changed from what was loaded, with the checklist ticks, to
:func:`app.deals.save_deal` on the worker: one transaction, checked against the version the
dialog was opened at, so a change made meanwhile by someone else is reported, not
overwritten, and a refused save writes nothing (Save can simply be pressed again). The
owner list always holds the deal's current owner, "(inactive)" if they left the team, so
saving never drops an owner the list could not show.

Signals:
    sig_saved(deal: DealInfo) — the save went through (the dialog then closes).
    sig_save_failed(error: FunnelcastError) — refused; the reason is shown, nothing written.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
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
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import deals
from app.clock import utcnow
from app.deal_detail import DealDetail, DealForm, load_deal_form
from app.errors import ConflictError, FunnelcastError, NotFound, ValidationError
from ui.context import Topic, UiContext
from ui.deals.detail_models import ActivityModel, ChecklistModel, HistoryModel
from ui.operations import Query, Write
from ui.tasks import Task
from ui.theme import DANGER

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

    def __init__(self, parent: QWidget | None, context: UiContext, form: DealForm):
        super().__init__(parent)
        self.context = context
        self.form = form
        self.detail: DealDetail | None = form.detail
        self.saved: deals.DealInfo | None = None
        self._saving: Task | None = None
        self._saving_values: dict = {}
        self.setWindowTitle(self.detail.deal.title if self.detail else "New deal")
        self.resize(860, 640)
        self.setMinimumSize(720, 520)

        column = QVBoxLayout(self)
        column.setSpacing(10)
        self.heading = QLabel(self.detail.deal.title if self.detail else "New deal")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        column.addWidget(self.heading)
        self.subheading = QLabel(self._stage_line())
        self.subheading.setObjectName("Muted")
        column.addWidget(self.subheading)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {DANGER.name()}; font-weight: 600;")
        self.banner.hide()
        column.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_details(), "Details")
        self.checklist_model = ChecklistModel(form.checklist, self)
        self.checklist_view = QTreeView()
        self.checklist_view.setModel(self.checklist_model)
        self.checklist_view.setHeaderHidden(True)
        self.checklist_view.expandAll()
        self.checklist_view.setUniformRowHeights(True)
        self.tabs.addTab(self.checklist_view, "Checklist")
        self.checklist_model.dataChanged.connect(self._count_ticks)
        if self.detail:
            self.history_model = HistoryModel(self.detail.history, self)
            self.tabs.addTab(_read_table(self.history_model), "Stage history")
            self.activity_model = ActivityModel(self.detail.activities, self)
            activities = _read_table(self.activity_model) if self.detail.activities else \
                QLabel("No activities logged on this deal yet — log hours with Ctrl+L.")
            if isinstance(activities, QLabel):
                activities.setAlignment(Qt.AlignmentFlag.AlignCenter)
                activities.setObjectName("Muted")
            self.tabs.addTab(activities, f"Activities ({len(self.detail.activities)})")
        self._count_ticks()
        column.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        column.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        if self.detail:
            self._show(self.detail.deal)
        # What the form says before any edit: Save sends only what differs from this, so a
        # value a widget shows differently from the database is never written back.
        self._loaded = self.values()
        self.inputs["title"].setFocus()

    # ------------------------------------------------------------ layout
    def _stage_line(self) -> str:
        if not self.detail:
            where = self.form.first_stage or "the first stage"
            return (f"A new deal starts in {where}. Tick what is already known on the "
                    "Checklist tab; move it on later from the board or the Deals table.")
        days = (utcnow() - self.detail.deal.stage_entered_at).days
        return f"In {self.detail.stage.name} for {days} day{'s' if days != 1 else ''}"

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
            error.setStyleSheet(f"color: {DANGER.name()};")
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
        value.editingFinished.connect(lambda: self._check("value"))
        add(right, "value", f"Value ({self.context.settings.currency})", value)
        add(right, "expected_close", "Expected close", OptionalDateEdit())
        step = QLineEdit()
        step.setPlaceholderText("e.g. Call the buyer about the pilot")
        add(right, "next_step", "Next step", step)
        add(right, "next_step_due", "Next step due", OptionalDateEdit())
        lost = QLineEdit()
        add(right, "lost_reason", "Lost because", lost)
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

    def _show(self, deal: deals.DealInfo) -> None:
        for key in TEXT_FIELDS:
            self.inputs[key].setText(getattr(deal, key))
        self.inputs["company_size"].setValue(deal.company_size or 0)
        for key in ("owner_id", "source_id"):
            combo = self.inputs[key]
            combo.setCurrentIndex(max(0, combo.findData(getattr(deal, key))))
        self.inputs["value"].setText(
            deals.format_amount(deal.value, "", QLocale().decimalPoint()))
        for key in ("expected_close", "next_step_due"):
            day = getattr(deal, key)
            self.inputs[key].setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        self.inputs["notes"].setPlainText(deal.notes)

    def _count_ticks(self, *_args) -> None:
        done, total = self.checklist_model.ticked_count()
        self.tabs.setTabText(1, f"Checklist ({done}/{total})")

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
        self.inputs[key].setStyleSheet(f"border: 1px solid {DANGER.name()};" if message else "")

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
            draft = deals.DealDraft(**values)

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

    # ----------------------------------------------------------- opening
    @classmethod
    def show_existing(cls, parent: QWidget, context: UiContext, deal_id: int) -> None:
        """Read the deal on the worker, then open it in a window of its own (not modal: the
        board stays usable). A second open asked of the same ``parent`` before the first
        answered replaces it, so a double double-click opens one window. A deal deleted
        meanwhile is said on the status bar."""
        cls._open(parent, context, deal_id)

    @classmethod
    def show_new(cls, parent: QWidget, context: UiContext) -> None:
        """Open an empty deal dialog once its lists are read on the worker."""
        cls._open(parent, context, None)

    @classmethod
    def _open(cls, parent: QWidget, context: UiContext, deal_id: int | None) -> None:
        def opened(form: DealForm) -> None:
            dialog = cls(parent, context, form)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()

        Query(parent, context, lambda _control: load_deal_form(deal_id),
              supersede="deal dialog").success(opened).run()
