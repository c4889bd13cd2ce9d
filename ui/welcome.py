"""First start: the welcome dialog (demo team or empty), "Who manages this team?" (reps but
no manager yet), and "Who are you?"; :func:`who_is_acting` runs them in order.

They come before the main window, but what they save is saved as everywhere else: a
:class:`ui.operations.Write` on the worker, the dialog busy until it is written."""

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
from app.users import RepInfo
from ui.context import UiContext
from ui.operations import Write
from ui.theme import icon

NAME_FIRST = "Type your name first: you will be the team's manager."


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

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to Funnelcast")
        self.setModal(True)
        self.choice: str | None = None
        self.context = context

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
        """While a choice is being saved on the worker: nothing else can be chosen (Enter in
        a field also reaches the dialog's default button, which is disabled by then)."""
        for widget in (self.demo_button, self.empty_button, self.name_edit, self.email_edit):
            widget.setEnabled(not busy)
        if not busy:
            self.progress.setVisible(False)

    def _start_demo(self) -> None:
        from app.demo import generate_demo

        self._busy(True)
        self.progress.setVisible(True)
        self.message.setText("Building the demo team…")
        Write(self, self.context,
              lambda control: generate_demo(progress=lambda fraction: control.report(fraction)),
              announce=()).progress(lambda f, _m: self.progress.setValue(int(f * 100)),
                                    ).success(lambda _summary: self._done("demo"),
                                              ).failure(self._failed).run()

    def _start_empty(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.message.setText(NAME_FIRST)
            self.name_edit.setFocus()
            return
        email = self.email_edit.text().strip()
        self._busy(True)
        self.message.setText("")
        Write(self, self.context, lambda _control: workspace.start_empty(name, email),
              announce=()).success(lambda _manager: self._done("empty"),
                                   ).failure(self._failed).run()

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.message.setText(message)

    @classmethod
    def ask(cls, context: UiContext) -> bool:
        """Show the dialog; True once the database is ready (tests replace this)."""
        return cls(context).exec() == QDialog.DialogCode.Accepted


class NameManagerDialog(QDialog):
    """"Who manages this team?" on a database whose reps came before any manager: an import
    into a new file sets up the pipeline and adds the file's owners as reps, and without a
    manager nobody may edit the stages, set quotas or undo imports. The user names themself,
    or picks their name if the import added them (that rep is promoted), and becomes the
    manager and the current user, saved on the worker. Accepted once saved."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Who manages this team?")
        self.setModal(True)
        self.context = context
        reps = [rep.name for rep in users.list_reps()]

        title = QLabel("Who manages this team?")
        title.setObjectName("PageTitle")
        team = f"{len(reps)} rep{'' if len(reps) == 1 else 's'}" if reps else "no one"
        intro = QLabel(
            f"This database has its pipeline and {team}, most likely added by an import, "
            "but no manager yet. The manager edits the stages, sets quotas and can undo "
            "imports. Type your name to become the manager, or pick it from the list if "
            "the import added you."
        )
        intro.setWordWrap(True)
        intro.setObjectName("Muted")

        self.name_combo = QComboBox()
        self.name_combo.setEditable(True)
        self.name_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_combo.addItems(reps)
        self.name_combo.setCurrentIndex(-1)
        self.name_combo.lineEdit().setPlaceholderText("Your name")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("you@example.com (optional)")
        form = QFormLayout()
        form.addRow("&Name", self.name_combo)
        form.addRow("&Email", self.email_edit)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.continue_button = buttons.addButton("&Continue as manager",
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setDefault(True)
        buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._continue)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def _busy(self, busy: bool) -> None:
        for widget in (self.name_combo, self.email_edit, self.continue_button):
            widget.setEnabled(not busy)

    def _continue(self) -> None:
        name = self.name_combo.currentText().strip()
        if not name:
            self.message.setText(NAME_FIRST)
            self.name_combo.setFocus()
            return
        email = self.email_edit.text().strip()
        self._busy(True)
        self.message.setText("")
        Write(self, self.context, lambda _control: workspace.start_empty(name, email),
              announce=()).success(lambda _manager: self.accept(),
                                   ).failure(self._failed).run()

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.message.setText(message)

    @classmethod
    def ask(cls, context: UiContext) -> bool:
        """Show the dialog; True once a manager was named (tests replace this)."""
        return cls(context).exec() == QDialog.DialogCode.Accepted


class ChooseUserDialog(QDialog):
    """"Who are you?" for a database with reps but no current user; managers first. OK saves
    the choice as the current user (on the worker); accepted once saved, with ``chosen``
    the rep."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Who are you?")
        self.context = context
        self.chosen: RepInfo | None = None
        reps = sorted(users.list_reps(), key=lambda r: (not r.is_manager, r.name))
        self.combo = QComboBox()
        for rep in reps:
            self.combo.addItem(f"{rep.name} ({rep.role})", rep.name)
        text = QLabel("Choose who is using Funnelcast on this computer. Every change you make "
                      "records your name; you can switch later from the status bar.")
        text.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.combo)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(420, 160)

    def chosen_name(self) -> str:
        return str(self.combo.currentData())

    def _save(self) -> None:
        name = self.chosen_name()
        self.buttons.setEnabled(False)
        Write(self, self.context, lambda _control: users.set_current_user(name), announce=(),
              ).success(self._saved).failure(self._failed).run()

    def _saved(self, rep: RepInfo) -> None:
        self.chosen = rep
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(message)

    @classmethod
    def ask(cls, context: UiContext) -> RepInfo | None:
        """Show the dialog; the rep chosen (and saved as the current user), or None (tests
        replace this)."""
        chooser = cls(context)
        return chooser.chosen if chooser.exec() == QDialog.DialogCode.Accepted else None


def who_is_acting(context: UiContext, acting_user: str | None) -> RepInfo | None:
    """Before the window: who is using it, asking what the database leaves open. The
    welcome dialog on an empty database; "Who manages this team?" on one whose reps have no
    manager yet (an import made them); "Who are you?" when nobody is the current user.
    ``acting_user`` (``--as NAME``) is who acts once the database is ready. None: the user
    quit. What the dialogs save is written on the worker. Raises what
    :func:`app.workspace.start_state` raises."""
    state = workspace.start_state(acting_user)
    actor = state.actor
    if state.first_run or state.needs_manager:
        ready = (WelcomeDialog.ask(context) if state.first_run
                 else NameManagerDialog.ask(context))
        if not ready:
            return None
        actor = users.resolve_actor(acting_user)
    if actor is None:
        actor = ChooseUserDialog.ask(context)
    return actor
