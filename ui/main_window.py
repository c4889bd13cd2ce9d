"""The main window: sidebar navigation, lazily built pages, toolbar, status bar.

Pages are created the first time their section is shown. The page the window opens on is
built with the window, so it reads its data on the worker while the window paints its first
frame; every other page waits until it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import users, workspace
from app.errors import DatabaseDamaged
from ui.context import Topic, UiContext
from ui.features import install_all
from ui.help_menu import install as install_help_menu
from ui.navigation import SECTIONS, Section
from ui.operations import Query, Write
from ui.theme import SELECTED_TEXT, icon


class MainWindow(QMainWindow):
    """Signals:
        sig_first_paint() — the window has been painted once (pages may load now).
        sig_team_read() — the team for the "Switch user" menu was read.
        sig_ready() — the page it opened on has painted its data (a page with a
            ``sig_loaded`` signal once that fired, any other once it painted): the first
            useful screen, what the start-up bench times.
    """

    sig_first_paint = Signal()
    sig_team_read = Signal()
    sig_ready = Signal()
    _sig_checked = Signal(object)  # the background integrity check's outcome, from its thread

    def __init__(self, context: UiContext):
        super().__init__()
        self.context = context
        self.setWindowTitle("Funnelcast")
        self.setMinimumSize(760, 520)
        self._pages: dict[str, QWidget] = {}
        self._painted = False
        # Each returns whether the window may close now; one that says no (unsaved work)
        # calls the function it is given once it is safe (see may_close).
        self.close_guards: list[Callable[[Callable[[], None]], bool]] = []
        self._team: list[users.RepInfo] | None = None  # for "Switch user"; None until read
        self._data_shown = self._ready = False

        self._stack = QStackedWidget()
        self._stack.setObjectName("PageStack")
        self._sidebar, self._nav_buttons = self._build_sidebar()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._sidebar)
        row.addWidget(self._stack, 1)
        self.setCentralWidget(central)

        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._build_status_bar()

        for _section in SECTIONS:
            self._stack.addWidget(QWidget())  # placeholders until first shown
        self.installEventFilter(self)
        context.bus.sig_changed.connect(self._on_data_changed)
        context.bus.sig_failed.connect(self._show_failure)
        context.bus.sig_user_changed.connect(self._show_user)
        self._restore_layout()
        # Queued: the outcome arrives from the check's thread, or at once when already known.
        self._sig_checked.connect(self._checked, Qt.ConnectionType.QueuedConnection)
        workspace.when_checked(self._sig_checked.emit)
        self.sig_ready.connect(self._after_first_data, Qt.ConnectionType.SingleShotConnection)
        self._await_data(self.show_section(self._start_section))

    # ----------------------------------------------------------------- layout
    def _build_sidebar(self) -> tuple[QWidget, dict[str, QToolButton]]:
        sidebar = QWidget()
        sidebar.setObjectName("Sidebar")
        sidebar.setFixedWidth(188)
        column = QVBoxLayout(sidebar)
        column.setContentsMargins(10, 14, 10, 10)
        column.setSpacing(2)
        brand = QLabel("Funnelcast")
        brand.setStyleSheet("font-size: 14pt; font-weight: 600; padding: 2px 10px 12px 10px;")
        column.addWidget(brand)
        group = QButtonGroup(sidebar)
        group.setExclusive(True)
        buttons: dict[str, QToolButton] = {}
        for section in SECTIONS:
            button = QToolButton()
            button.setText(f"  {section.label}")
            button.setIcon(icon(section.icon, on_color=SELECTED_TEXT))
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            # The shortcut belongs to the Go menu's action alone: a second owner makes Qt
            # call it "ambiguous" and do nothing.
            button.setToolTip(f"{section.label} ({section.shortcut}): {section.summary}")
            button.clicked.connect(lambda _=False, key=section.key: self.show_section(key))
            group.addButton(button)
            column.addWidget(button)
            buttons[section.key] = button
        column.addStretch(1)
        return sidebar, buttons

    def _build_actions(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("MainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)

        def make(name: str, text: str, icon_name: str, shortcut: str | None, tip: str) -> QAction:
            action = QAction(icon(icon_name), text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
            self.actions_by_name[name] = action
            return action

        # Feature actions start disabled, their tooltips saying why; the feature that owns one
        # connects and enables it once the first page shows its data
        # (:meth:`_after_first_data`), and the plain tooltip comes back (unless the feature
        # set its own).
        self._plain_tips: dict[str, tuple[str, str]] = {}
        for name, text, icon_name, shortcut, tip in (
            ("new_deal", "New deal", "ph.plus-circle", "Ctrl+N", "Add a deal"),
            ("log_activity", "Log hours", "ph.timer", "Ctrl+L", "Log an activity"),
            ("import", "Import…", "ph.file-arrow-down", "Ctrl+I", "Import deals from a file"),
            ("export", "Export…", "ph.file-arrow-up", "Ctrl+E", "Export the weekly workbook"),
        ):
            action = make(name, text, icon_name, shortcut, tip)
            waiting = f"{tip}: available in a moment, once the window has loaded"
            self._plain_tips[name] = (action.toolTip(), waiting)
            action.setToolTip(waiting)
            action.setEnabled(False)
            toolbar.addAction(action)

        undo = self.context.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.context.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        backup = make("backup", "Back up now", "ph.floppy-disk", None,
                      "Write a copy of the database beside it")
        backup.triggered.connect(self._backup_now)
        backup.setEnabled(self.context.workspace.is_file)
        quit_action = make("quit", "Quit", "ph.sign-out", "Ctrl+Q", "Quit Funnelcast")
        quit_action.triggered.connect(self.close)

        # The rep's update workbook (issue 16): enabled by ui.offline.install, which knows
        # whether this database is a working copy.
        for name, text, icon_name, shortcut, tip in (
            ("export_rep_workbook", "Export update workbook for rep…", "ph.file-arrow-up", None,
             "Write a rep's deals to a workbook they update offline"),
            ("open_workbook", "Open update workbook…", "ph.folder-open", None,
             "Work on an update workbook in Funnelcast, as a working copy"),
            ("save_workbook", "Save updates to workbook", "ph.floppy-disk", "Ctrl+S",
             "Write this working copy's moves, ticks and hours to its workbook"),
        ):
            make(name, text, icon_name, shortcut, tip).setEnabled(False)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for name in ("new_deal", "import", "export"):
            file_menu.addAction(self.actions_by_name[name])
        file_menu.addSeparator()
        for name in ("export_rep_workbook", "open_workbook"):
            file_menu.addAction(self.actions_by_name[name])
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.setEnabled(False)
        file_menu.addAction(self.actions_by_name["save_workbook"])
        file_menu.addSeparator()
        file_menu.addAction(backup)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.actions_by_name["log_activity"])
        go_menu = menu.addMenu("&Go")
        for section in SECTIONS:
            go = QAction(section.label, self)
            go.setShortcut(QKeySequence(section.shortcut))
            go.triggered.connect(lambda _=False, key=section.key: self.show_section(key))
            go_menu.addAction(go)
        install_help_menu(self, self.context)
        self._user_menu = QMenu("Switch user", self)
        self._user_menu.aboutToShow.connect(self._fill_user_menu)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self._location = QLabel(self.context.workspace.location)
        self._location.setObjectName("Muted")
        self._location.setToolTip("The database this window works on")
        self._counts = QLabel("")
        self._user_button = QToolButton()
        self._user_button.setAutoRaise(True)
        self._user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._user_button.setMenu(self._user_menu)
        self._user_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._user_button.setIcon(icon("ph.user-circle"))
        bar.addWidget(self._location, 1)
        bar.addPermanentWidget(self._counts)
        bar.addPermanentWidget(self._user_button)
        self._show_user(self.context.actor)

    def show_location(self, text: str, tip: str) -> None:
        """Say in the status bar what the window works on (a feature may put it in words
        better than the database's path, e.g. a rep's working copy)."""
        self._location.setText(text)
        self._location.setToolTip(tip)

    # ------------------------------------------------------------- navigation
    def show_section(self, key: str) -> QWidget:
        """Show the section ``key`` (building its page the first time) and return the page."""
        index = next(i for i, s in enumerate(SECTIONS) if s.key == key)
        page = self._pages.get(key)
        if page is None:
            page = self._build_page(SECTIONS[index])
            old = self._stack.widget(index)
            self._stack.insertWidget(index, page)
            self._stack.removeWidget(old)
            old.deleteLater()
            self._pages[key] = page
        self._stack.setCurrentIndex(index)
        self._nav_buttons[key].setChecked(True)
        return page

    def current_section(self) -> str:
        return SECTIONS[self._stack.currentIndex()].key

    def _build_page(self, section: Section) -> QWidget:
        return section.factory(self.context)

    # ------------------------------------------------------------ status bar
    def _show_user(self, rep) -> None:
        if rep is None:
            self._user_button.setText("Nobody signed in")
        else:
            self._user_button.setText(f"{rep.name} · {rep.role}")
        self._user_button.setToolTip("Who is using Funnelcast; click to switch")

    def _read_team(self) -> None:
        """Read the team for the "Switch user" menu on the worker (when the window loads and
        whenever reps change), so opening the menu reads nothing on the GUI thread."""
        Query(self, self.context, lambda _control: users.list_reps(), supersede="team",
              ).success(self._team_read).run()

    def _team_read(self, reps: list[users.RepInfo]) -> None:
        self._team = reps
        self.sig_team_read.emit()

    def _fill_user_menu(self) -> None:
        """The menu from the team as last read; until the first read is in, one disabled
        line says so (the read was asked for when the window loaded)."""
        self._user_menu.clear()
        if self._team is None:
            self._user_menu.addAction("Reading the team…").setEnabled(False)
            return
        group = QActionGroup(self._user_menu)
        for rep in self._team:
            action = self._user_menu.addAction(f"{rep.name} ({rep.role})")
            action.setCheckable(True)
            action.setChecked(self.context.actor is not None and rep.id == self.context.actor.id)
            group.addAction(action)
            action.triggered.connect(lambda _=False, name=rep.name: self._switch_user(name))

    def _switch_user(self, name: str) -> None:
        Write(self, self.context, lambda _control: users.set_current_user(name),
              announce=()).success(self._switched).run()

    def _switched(self, rep) -> None:
        self.context.set_actor(rep)
        self.statusBar().showMessage(f"You are now working as {rep.name}.", 4000)

    def _show_failure(self, message: str) -> None:
        """An operation with no failure handler of its own was refused (``bus.sig_failed``)."""
        self.statusBar().showMessage(message, 10_000)

    def refresh_counts(self) -> None:
        Query(self, self.context, lambda _control: workspace.counts(), supersede="counts",
              ).success(self._show_counts).run()

    def _show_counts(self, counts) -> None:
        reps = "1 rep" if counts.reps == 1 else f"{counts.reps} reps"
        leads = "1 lead" if counts.leads == 1 else f"{counts.leads:,} leads"
        self._counts.setText(f"{counts.open_deals:,} open deals · {leads} · "
                             f"{counts.deals:,} in all · {reps}")

    def _on_data_changed(self, topics: frozenset) -> None:
        if topics & {Topic.DEALS, Topic.REPS}:
            self.refresh_counts()
        if Topic.REPS in topics:
            self._read_team()

    def _backup_now(self) -> None:
        Write(self, self.context, lambda _control: workspace.backup_now("manual"), announce=(),
              ).success(lambda path: self.statusBar().showMessage(f"Backup written: {path}",
                                                                  8000),
              ).failure(lambda message: QMessageBox.warning(self, "Backup", message)).run()

    # ---------------------------------------------------------- persistence
    def _settings(self) -> QSettings:
        """The application's QSettings (organisation and name are set at start-up)."""
        return QSettings()

    def _restore_layout(self) -> None:
        stored = self._settings()
        geometry = stored.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._first_size()
        state = stored.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        self._start_section = str(stored.value("main/section", "board"))
        if self._start_section not in {s.key for s in SECTIONS}:
            self._start_section = "board"

    def _first_size(self) -> None:
        """1280×800, or less on a smaller screen (a 1366×768 laptop keeps its status bar),
        centred on the available area."""
        screen = self.screen().availableGeometry()
        width = min(1280, int(screen.width() * 0.94))
        height = min(800, int(screen.height() * 0.9))
        self.resize(width, height)
        self.move(screen.center() - self.rect().center())

    def may_close(self, then: Callable[[], None]) -> bool:
        """Whether the window may close (or give way to another database) now. A guard
        with unsaved work to look after says no, asks the user, and calls ``then`` once
        the work is saved or given up (never, when the user cancels)."""
        return all(guard(then) for guard in self.close_guards)

    def closeEvent(self, event) -> None:
        if not self.may_close(self.close):
            event.ignore()
            return
        stored = self._settings()
        stored.setValue("main/geometry", self.saveGeometry())
        stored.setValue("main/state", self.saveState())
        stored.setValue("main/section", self.current_section())
        self.context.runner.shutdown()
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)
        elif (watched is self and self._data_shown and not self._ready
              and event.type() == QEvent.Type.UpdateRequest):
            # The repaint of what changed runs while this event is handled; the timer fires
            # after it, with the data on screen.
            self._ready = True
            QTimer.singleShot(0, self.sig_ready.emit)
        return super().eventFilter(watched, event)

    def _await_data(self, page: QWidget) -> None:
        """Emit ``sig_ready`` after the first repaint once ``page`` shows its data."""
        def shown() -> None:
            self._data_shown = True
            self.update()  # the repaint that puts it on screen, even if nothing else asks

        loaded = getattr(page, "sig_loaded", None)
        if loaded is None:
            shown()
        else:
            loaded.connect(shown, Qt.ConnectionType.SingleShotConnection)

    def _after_first_paint(self) -> None:
        """The page the window opens on was built before the first paint, so its data was
        being read meanwhile; it does not wait for the integrity check when that runs in
        the background (``app.workspace.when_checked``): only writes do."""
        self.sig_first_paint.emit()
        self.update()  # a page whose data came with it is ready at the next repaint

    def _after_first_data(self) -> None:
        """What can wait until the first page shows its data: the toolbar's features (their
        modules take ~80 ms to import), the status bar's counts (a count of every deal) and
        the team for "Switch user"."""
        install_all(self)
        for name, (plain, waiting) in self._plain_tips.items():
            action = self.actions_by_name[name]
            if action.isEnabled() and action.toolTip() == waiting:
                action.setToolTip(plain)
        self.refresh_counts()
        self._read_team()

    def _checked(self, problem) -> None:
        """The background integrity check is done: damage found is told at once, with the
        offer of the newest backup, and Funnelcast closes (writes were refused meanwhile)."""
        if problem is None:
            return
        from ui.application import restart_after_damage

        if isinstance(problem, DatabaseDamaged):
            restart_after_damage(problem, self)
        else:
            QMessageBox.critical(self, "Funnelcast", str(problem))
        QApplication.quit()
