"""The deal dialog: a deal's fields, its checklist grouped by stage, its stage history and
its activities. Opened by double-clicking a card or a row, and empty by New deal (Ctrl+N).

Fields are checked as the user leaves them (the app's own rules, via
:func:`app.deals.check_fields`) and the error shows under the field. Save goes through
:func:`app.deals.create_deal` / :func:`app.deals.update_deal` with the version the dialog
was opened at, so a change made meanwhile by someone else is reported, not overwritten.
Checklist ticks are applied on save too.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QLocale, Qt
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

from app import deals, pipeline
from app.clock import utcnow
from app.deal_detail import DealDetail, checklist_for, load_deal_detail
from app.errors import ConflictError, FunnelcastError, ValidationError
from app.users import list_reps
from ui.context import UiContext
from ui.deals.detail_models import ActivityModel, ChecklistModel, HistoryModel
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
    """``deal_id`` None: a new deal. ``inputs`` maps a field key to its editor (tests fill
    them); :meth:`save` returns True when the deal was saved."""

    def __init__(self, parent: QWidget | None, context: UiContext, deal_id: int | None = None):
        super().__init__(parent)
        self.context = context
        self.detail: DealDetail | None = load_deal_detail(deal_id) if deal_id else None
        self.saved: deals.DealInfo | None = None
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
        self.checklist_model = ChecklistModel(
            self.detail.checklist if self.detail else checklist_for(None), self)
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
        buttons.accepted.connect(self._save_and_close)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self._save_and_close)
        if self.detail:
            self._show(self.detail.deal)
        self.inputs["title"].setFocus()

    # ------------------------------------------------------------ layout
    def _stage_line(self) -> str:
        if not self.detail:
            first = next(iter(pipeline.list_stages()), None)
            where = first.name if first else "the first stage"
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
        for rep in list_reps():
            owner.addItem(rep.name, rep.id)
        add(right, "owner_id", "Owner", owner)
        source = QComboBox()
        source.addItem("No source", None)
        for item in deals.list_sources():
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
        self.inputs["value"].setText(f"{deal.value:f}")
        for key in ("expected_close", "next_step_due"):
            day = getattr(deal, key)
            self.inputs[key].setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        self.inputs["notes"].setPlainText(deal.notes)

    def _count_ticks(self, *_args) -> None:
        done, total = self.checklist_model.ticked_count()
        self.tabs.setTabText(1, f"Checklist ({done}/{total})")

    # ------------------------------------------------------------ values
    def _value_text(self) -> str:
        """The value as typed, with the locale's group separators removed and its decimal
        point made a dot (so "12,500.50" or "12.500,50" both work where they are usual)."""
        locale = QLocale()
        text = self.inputs["value"].text().strip().replace(" ", "")
        text = text.replace(locale.groupSeparator(), "")
        return text.replace(locale.decimalPoint(), ".")

    def values(self) -> dict:
        """The form as :data:`app.deals.EDITABLE` fields (not yet validated)."""
        out: dict = {key: self.inputs[key].text() for key in TEXT_FIELDS}
        out["company_size"] = self.inputs["company_size"].value() or None
        out["owner_id"] = self.inputs["owner_id"].currentData()
        out["source_id"] = self.inputs["source_id"].currentData()
        out["value"] = self._value_text() or "0"
        for key in ("expected_close", "next_step_due"):
            chosen = self.inputs[key].date()
            out[key] = None if chosen == NO_DATE else chosen.toPython()
        out["notes"] = self.inputs["notes"].toPlainText()
        return out

    def _check(self, key: str) -> bool:
        """Check one field as the user leaves it; the error shows under it."""
        try:
            deals.check_fields({key: self.values()[key]})
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
    def save(self) -> bool:
        """Create or update the deal and apply checklist ticks. False (nothing saved) when a
        field is invalid or the deal changed meanwhile; the reason is shown in the dialog."""
        for key in self.errors:
            self._mark(key, "")
        self.banner.hide()
        values = self.values()
        try:
            if self.detail is None:
                values.pop("lost_reason")  # a new deal is not lost
                draft = deals.DealDraft(**values)
                self.saved = deals.create_deal(draft, self.context.actor)
            else:
                current = self.detail.deal
                changes = {k: v for k, v in values.items() if getattr(current, k) != v}
                self.saved = deals.update_deal(current.id, changes, current.version,
                                               self.context.actor) if changes else current
            for item_id, ticked in self.checklist_model.changes().items():
                pipeline.set_checked(self.saved.id, item_id, ticked, self.context.actor)
        except ValidationError as error:
            self._mark(error.field or "", str(error))
            if error.field in self.inputs:
                self.tabs.setCurrentIndex(0)
                self.inputs[error.field].setFocus()
            return False
        except ConflictError as error:
            self.banner.setText(f"{error} Close this window and open the deal again to see "
                                "the latest version.")
            self.banner.show()
            return False
        except FunnelcastError as error:
            self.banner.setText(str(error))
            self.banner.show()
            return False
        self.context.bus.changed("deals")
        return True

    def _save_and_close(self) -> None:
        if self.save():
            self.accept()

    # ----------------------------------------------------------- opening
    @classmethod
    def show_existing(cls, parent: QWidget | None, context: UiContext,
                      deal_id: int) -> DealDialog:
        """Open the deal in a window of its own (not modal: the board stays usable)."""
        dialog = cls(parent, context, deal_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @classmethod
    def show_new(cls, parent: QWidget | None, context: UiContext) -> DealDialog:
        dialog = cls(parent, context, None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


