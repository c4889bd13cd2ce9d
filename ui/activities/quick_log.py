"""The quick-log dialog (Ctrl+L from anywhere): log an activity in a few keystrokes, or edit
one from the timesheet's entries.

Rep (the current user), date (today) and hours (1) are filled in, so logging is: Ctrl+L,
pick the kind, type the hours, Enter. An entry the user may not change (a rep opening
another rep's) opens read-only, saying why (``app.activities.hours_refusal``), rather than
refusing only on Save. A deal is found by typing part of its company or title
(the type-ahead asks ``app.activities.search_deals`` on the worker). A refused value is shown
under its field, which gets the focus; nothing is written.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import users
from app.activities import (
    ActivityDraft,
    ActivityInfo,
    DealChoice,
    Logged,
    hours_refusal,
    log_activity,
    search_deals,
    update_activity,
)
from app.activity_kinds import list_kinds
from app.clock import local_today
from app.errors import FunnelcastError, ValidationError
from ui.activities.hours_input import HoursSpinBox
from ui.activities.timesheet_model import CATEGORY_LABELS
from ui.context import Topic, UiContext
from ui.formatting import format_hours
from ui.operations import Query, Write
from ui.theme import danger, read_only_label

ModelIndex = QModelIndex | QPersistentModelIndex
SEARCH_DELAY_MS = 150


class DealChoicesModel(QAbstractListModel):
    """The type-ahead's current matches; ``Qt.ItemDataRole.UserRole`` holds the deal id."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._choices: list[DealChoice] = []

    def set_choices(self, choices: list[DealChoice]) -> None:
        self.beginResetModel()
        self._choices = list(choices)
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._choices)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        choice = self._choices[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return choice.label
        if role == Qt.ItemDataRole.UserRole:
            return choice.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{choice.label} ({choice.stage_name})"
        return None


def _touched(logged: Logged) -> tuple[Topic, ...]:
    """What a logged activity changed: its deal too when it was logged against one."""
    return (Topic.ACTIVITIES, Topic.DEALS) if logged.deal_touched else (Topic.ACTIVITIES,)


class QuickLogDialog(QDialog):
    """Signals:
        sig_logged(logged: app.activities.Logged) — the activity was written.
    """

    sig_logged = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None, *,
                 activity: ActivityInfo | None = None, rep_id: int | None = None,
                 day: date | None = None, deal: DealChoice | None = None):
        """``deal``: log on this deal (the deal dialog's and table's "Log hours on this
        deal"); it can still be cleared or changed."""
        super().__init__(parent)
        self.context = context
        self.activity = activity
        self.deal_id: int | None = activity.deal_id if activity else deal.id if deal else None
        self._deal_label = activity.deal_label if activity else deal.label if deal else ""
        self.refusal = (hours_refusal(context.actor, activity.rep_id, activity.rep_name)
                        if activity else None)
        self.setWindowTitle("Activity (read-only)" if self.refusal
                            else "Edit activity" if activity else "Log hours")
        self.read_only_note = read_only_label(
            f"Read-only: this is {activity.rep_name}'s entry. {self.refusal}"
            if self.refusal else "")
        self.read_only_note.setVisible(bool(self.refusal))

        self.rep_box = QComboBox()
        for rep in users.list_reps():
            self.rep_box.addItem(rep.name, rep.id)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        self.kind_box = QComboBox()
        self._fill_kinds(activity.kind if activity else None)
        self.hours = HoursSpinBox()
        self.hours.setSuffix(" h")
        self.hours.setToolTip("Quarter-hour steps; arrow keys add or take 0.25 h")
        self.deal_edit = QLineEdit()
        self.deal_edit.setPlaceholderText("Optional — type part of a company or deal title")
        self.deal_edit.setClearButtonEnabled(True)
        self.deal_choices = DealChoicesModel(self)
        self.completer = QCompleter(self.deal_choices, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(self.deal_edit)
        self.completer.activated[QModelIndex].connect(self._deal_picked)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Optional — what was done")
        self.note.setMaxLength(500)

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (
            ("rep", "&Rep", self.rep_box), ("date", "&Date", self.date_edit),
            ("kind", "&Kind", self.kind_box), ("hours", "&Hours", self.hours),
            ("deal", "D&eal", self.deal_edit), ("note", "&Note", self.note),
        ):
            form.addRow(label, self._with_error(key, widget))
        self.general_error = QLabel()
        self.general_error.setStyleSheet(f"color: {danger().name()};")
        self.general_error.setWordWrap(True)
        self.general_error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close if self.refusal
                                   else QDialogButtonBox.StandardButton.Cancel)
        self.buttons = buttons
        self.log_button = buttons.addButton(
            "Save" if activity else "Log", QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setVisible(not self.refusal)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search)
        self.deal_edit.textEdited.connect(self._deal_typed)
        self._fill(activity, rep_id, day)
        if self.refusal:
            self._make_read_only()
        else:
            self.log_button.setDefault(True)  # Enter logs; set once the button is in the dialog

    # ---------------------------------------------------------------- set-up
    @classmethod
    def ask(cls, parent: QWidget | None, context: UiContext, **kwargs) -> QuickLogDialog:
        """Open the dialog window-modally without blocking; returns it (tests patch this)."""
        dialog = cls(context, parent, **kwargs)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(f"color: {danger().name()};")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.errors[key] = error
        return box

    def _fill_kinds(self, keep: str | None) -> None:
        category = None
        for kind in list_kinds(include_inactive=True):
            if not kind.active and kind.name != keep:
                continue
            if category is not None and kind.category != category:
                self.kind_box.insertSeparator(self.kind_box.count())
            category = kind.category
            self.kind_box.addItem(kind.name, kind.name)
            self.kind_box.setItemData(self.kind_box.count() - 1,
                                      CATEGORY_LABELS.get(kind.category, kind.category),
                                      Qt.ItemDataRole.ToolTipRole)

    def _fill(self, activity: ActivityInfo | None, rep_id: int | None, day: date | None) -> None:
        actor = self.context.actor
        rep = activity.rep_id if activity else rep_id or (actor.id if actor else None)
        self.rep_box.setCurrentIndex(max(self.rep_box.findData(rep), 0))
        # A rep logs only their own hours (the app enforces it too); a manager anyone's.
        self.rep_box.setEnabled(actor is None or actor.is_manager)
        when = activity.date if activity else day or local_today()
        self.date_edit.setDate(QDate(when.year, when.month, when.day))
        if activity:
            self.kind_box.setCurrentIndex(max(self.kind_box.findData(activity.kind), 0))
            self.hours.setValue(float(activity.hours))
            self.deal_edit.setText(activity.deal_label)
            self.note.setText(activity.note)
        else:
            self.hours.setValue(1.0)
            self.deal_edit.setText(self._deal_label)
        self.kind_box.setFocus()

    def _make_read_only(self) -> None:
        """Show the entry without letting it be changed (text stays selectable)."""
        for box in (self.rep_box, self.kind_box):
            box.setEnabled(False)
        for field in (self.date_edit, self.hours):
            field.setReadOnly(True)
            field.setButtonSymbols(QDateEdit.ButtonSymbols.NoButtons)
        self.date_edit.setCalendarPopup(False)
        for line in (self.deal_edit, self.note):
            line.setReadOnly(True)
            line.setClearButtonEnabled(False)
            line.setPlaceholderText("")
        self.deal_edit.textEdited.disconnect(self._deal_typed)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()

    # ------------------------------------------------------------- type-ahead
    def _deal_typed(self, text: str) -> None:
        if text != self._deal_label:
            self.deal_id = None
            self._deal_label = ""
        self._search_timer.start()

    def _search(self) -> None:
        text = self.deal_edit.text()
        Query(self, self.context, lambda _control: search_deals(text), supersede="deals",
              ).success(self._show_matches).run()

    def _show_matches(self, found: list[DealChoice]) -> None:
        self.deal_choices.set_choices(found)
        if found and self.deal_edit.hasFocus():
            popup = self.completer.popup()
            # As wide as the longest match (long company and deal names stay readable).
            width = popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width()
            rect = self.deal_edit.rect()
            rect.setWidth(max(rect.width(), width + 2 * popup.frameWidth()))
            self.completer.complete(rect)

    def _deal_picked(self, index: QModelIndex) -> None:
        self.deal_id = index.data(Qt.ItemDataRole.UserRole)
        self._deal_label = index.data(Qt.ItemDataRole.DisplayRole)
        self.deal_edit.setText(self._deal_label)
        self.errors["deal"].hide()

    # ----------------------------------------------------------------- submit
    def draft(self) -> ActivityDraft:
        qdate = self.date_edit.date()
        return ActivityDraft(
            rep_id=self.rep_box.currentData(),
            kind=self.kind_box.currentData() or "",
            date=date(qdate.year(), qdate.month(), qdate.day()),
            hours=self.hours.hours(),
            deal_id=self.deal_id,
            note=self.note.text(),
        )

    def submit(self) -> None:
        """Validate and write on the worker; on success announce the change and close."""
        if self.refusal:
            return
        for label in (*self.errors.values(), self.general_error):
            label.hide()
        if self.deal_edit.text().strip() and self.deal_id is None:
            self.show_error(ValidationError(
                "Pick a deal from the list as you type, or clear the field.", field="deal"))
            return
        draft, actor, editing = self.draft(), self.context.actor, self.activity
        self.log_button.setEnabled(False)

        def work() -> Logged:
            if editing is None:
                return log_activity(draft, actor)
            return update_activity(editing.id, draft, actor)

        Write(self, self.context, lambda _control: work(), announce=_touched,
              ).success(self._logged).refusal(self.show_error).finished(
            lambda: self.log_button.setEnabled(True)).run()

    def _logged(self, logged: Logged) -> None:
        self.sig_logged.emit(logged)
        self.accept()

    def show_error(self, error: FunnelcastError) -> None:
        field = getattr(error, "field", None)
        label = self.errors.get(field or "")
        if label is None:
            self.general_error.setText(str(error))
            self.general_error.show()
            self.adjustSize()
            return
        label.setText(str(error))
        label.show()
        self.adjustSize()  # make room for the message, never clip it
        widget = {"rep": self.rep_box, "date": self.date_edit, "kind": self.kind_box,
                  "hours": self.hours, "deal": self.deal_edit, "note": self.note}[field]
        widget.setFocus()

    @staticmethod
    def summary(logged: Logged) -> str:
        a = logged.activity
        on_deal = f" on {a.deal_label}" if a.deal_label else ""
        return f"Logged {format_hours(a.hours)} h {a.kind}{on_deal} for {a.rep_name}."


def install(window) -> None:
    """Connect and enable the main window's "Log hours" action (Ctrl+L)."""
    action = window.actions_by_name["log_activity"]

    def open_dialog() -> None:
        dialog = QuickLogDialog.ask(window, window.context)
        dialog.sig_logged.connect(
            lambda logged: window.statusBar().showMessage(QuickLogDialog.summary(logged), 6000))

    action.triggered.connect(open_dialog)
    action.setEnabled(True)
