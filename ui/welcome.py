"""First start: the welcome dialog (demo team or empty), and "Who are you?"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import users, workspace
from app.errors import FunnelcastError
from ui.tasks import TaskRunner
from ui.theme import icon


def _card(title: str, text: str, icon_name: str, button: QPushButton,
          extra: QWidget | None = None) -> QFrame:
    card = QFrame()
    card.setObjectName("Card")
    card.setStyleSheet(
        "#Card { border: 1px solid palette(mid); border-radius: 10px; background: palette(base); }"
    )
    column = QVBoxLayout(card)
    column.setContentsMargins(20, 18, 20, 18)
    column.setSpacing(8)
    heading = QHBoxLayout()
    glyph = QLabel()
    glyph.setPixmap(icon(icon_name).pixmap(28, 28))
    name = QLabel(title)
    name.setStyleSheet("font-size: 13pt; font-weight: 600;")
    heading.addWidget(glyph)
    heading.addWidget(name, 1)
    column.addLayout(heading)
    body = QLabel(text)
    body.setWordWrap(True)
    body.setObjectName("Muted")
    column.addWidget(body)
    if extra is not None:
        column.addWidget(extra)
    column.addStretch(1)
    column.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
    return card


class WelcomeDialog(QDialog):
    """Shown on a database with nobody in it. Accepted once the database is ready: the demo
    team generated (on the worker thread, with progress) or the default pipeline installed
    with the user as its manager. ``choice`` is "demo" or "empty" afterwards."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to Funnelcast")
        self.setModal(True)
        self.choice: str | None = None
        self._runner = runner

        title = QLabel("Welcome to Funnelcast")
        title.setObjectName("PageTitle")
        intro = QLabel(
            "Your pipeline, your team's hours and your quota in one place. How would you like "
            "to start?"
        )
        intro.setWordWrap(True)
        intro.setObjectName("Muted")

        self.demo_button = QPushButton("Start with the demo team")
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(self._start_demo)
        demo_card = _card(
            "A demo team",
            "A manager and five reps with two quarters of deals, hours and quotas — "
            "the quickest way to see every view. You act as the manager; switch user any time.",
            "ph.users-three", self.demo_button,
        )

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Your name")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("you@example.com (optional)")
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 4, 0, 0)
        form.addRow("Name", self.name_edit)
        form.addRow("Email", self.email_edit)
        self.empty_button = QPushButton("Start empty")
        self.empty_button.clicked.connect(self._start_empty)
        for field in (self.name_edit, self.email_edit):  # Enter after typing: start empty
            field.returnPressed.connect(self._start_empty)
        empty_card = _card(
            "Start empty",
            "The default stages and qualification checklists, ready for your own deals. "
            "You will be the manager.",
            "ph.file-plus", self.empty_button, form_box,
        )

        cards = QHBoxLayout()
        cards.setSpacing(16)
        cards.addWidget(demo_card, 1)
        cards.addWidget(empty_card, 1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        quit_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        quit_box.button(QDialogButtonBox.StandardButton.Cancel).setText("Quit")
        quit_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(cards, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(quit_box)
        self.resize(760, 420)

    def _busy(self, busy: bool) -> None:
        for widget in (self.demo_button, self.empty_button, self.name_edit, self.email_edit):
            widget.setEnabled(not busy)
        self.progress.setVisible(busy)

    def _start_demo(self) -> None:
        from app.demo import generate_demo

        self._busy(True)
        self.message.setText("Building the demo team…")
        self._runner.submit(
            lambda control: generate_demo(progress=lambda fraction: control.report(fraction)),
            owner=self, on_progress=lambda f, _m: self.progress.setValue(int(f * 100)),
            on_result=lambda _summary: self._done("demo"), on_error=self._failed)

    def _start_empty(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.message.setText("Type your name first: you will be the team's manager.")
            self.name_edit.setFocus()
            return
        try:
            workspace.start_empty(name, self.email_edit.text().strip())
        except FunnelcastError as error:
            self.message.setText(str(error))
            return
        self._done("empty")

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._busy(False)
        self.message.setText(str(error))


class ChooseUserDialog(QDialog):
    """"Who are you?" for a database with reps but no current user; managers first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Who are you?")
        reps = sorted(users.list_reps(), key=lambda r: (not r.is_manager, r.name))
        self.combo = QComboBox()
        for rep in reps:
            self.combo.addItem(f"{rep.name} ({rep.role})", rep.name)
        text = QLabel("Choose who is using Funnelcast on this computer. Every change you make "
                      "records your name; you can switch later from the status bar.")
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)
        self.resize(420, 160)

    def chosen_name(self) -> str:
        return str(self.combo.currentData())
