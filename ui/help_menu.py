"""The Help menu: Keyboard shortcuts (a table made from the window's own menus, so it lists
what the keys really do, including actions features add later) and About (version, where
data and logs are kept, the licences of the bundled icons, read by :mod:`app.about`)."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.about import AboutFacts, about_facts
from ui.context import UiContext
from ui.header_table_model import HeaderTableModel
from ui.operations import Query
from ui.theme import muted_text

Index = QModelIndex | QPersistentModelIndex


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every action with a shortcut in ``menu_bar``'s menus
    (submenus as "Menu › Submenu"), in menu order; keys as the platform writes them."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            if action.menu() is not None:
                walk(action.menu(), f"{path} › {text}")
            elif action.shortcuts():
                keys = ", ".join(key.toString(QKeySequence.SequenceFormat.NativeText)
                                 for key in action.shortcuts())
                rows.append((path, text.rstrip("…").rstrip(".").strip(), keys))

    for top in menu_bar.actions():
        if top.menu() is not None:
            walk(top.menu(), top.text().replace("&", ""))
    return rows


class ShortcutsModel(HeaderTableModel):
    """The rows of :func:`shortcut_rows`, read-only."""

    HEADERS = ("Menu", "Command", "Keys")

    def __init__(self, rows: list[tuple[str, str, str]], parent=None):
        super().__init__(parent)
        self._rows = list(rows)

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return muted_text()
        return None


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: every menu command that has keys, and the keys."""

    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.model = ShortcutsModel(shortcut_rows(menu_bar), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        rows = self.table.verticalHeader().defaultSectionSize() * (self.model.rowCount() + 1)
        self.resize(520, min(640, rows + 110))


class AboutDialog(QDialog):
    """Help › About Funnelcast: version, data and log folders, bundled licences."""

    def __init__(self, facts: AboutFacts, database: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Funnelcast")
        muted = muted_text().name()
        title = QLabel(f"<span style='font-size: 16pt; font-weight: 600;'>Funnelcast</span>"
                       f"&nbsp;&nbsp;<span style='color: {muted};'>version "
                       f"{html.escape(facts.version)}</span>")
        blurb = QLabel("A pipeline tracker for small sales teams: which leads are sales-ready, "
                       "where the hours go, and whether each rep will make quota.")
        blurb.setWordWrap(True)
        places = [("Database", database), ("Data folder", str(facts.data_folder)),
                  ("Log folder", str(facts.log_folder))]
        self.places = QLabel("<table cellspacing='0' cellpadding='2'>" + "".join(
            f"<tr><td style='color: {muted}; padding-right: 12px;'>{name}</td>"
            f"<td>{html.escape(value)}</td></tr>" for name, value in places) + "</table>")
        self.places.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.places.setWordWrap(True)
        lines = [f"<b>{html.escape(lic.name.capitalize())} icons</b> "
                 + (f"(<a href='{html.escape(lic.home)}'>{html.escape(lic.home)}</a>) "
                    if lic.home else "")
                 + f"— {html.escape(lic.title)}, {html.escape(lic.copyright)}"
                 for lic in facts.licences]
        self.licences = QLabel("<br>".join(lines) or "No bundled files carry a licence.")
        self.licences.setWordWrap(True)
        self.licences.setOpenExternalLinks(True)
        self.licence_text = QPlainTextEdit("\n\n".join(lic.text for lic in facts.licences))
        self.licence_text.setReadOnly(True)
        self.licence_text.setMinimumHeight(160)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        for widget in (title, blurb, self.places):
            layout.addWidget(widget)
        heading = QLabel("<b>Licences</b>")
        layout.addSpacing(4)
        layout.addWidget(heading)
        layout.addWidget(self.licences)
        layout.addWidget(self.licence_text, 1)
        layout.addWidget(buttons)
        self.resize(600, 520)


def show_dialog(dialog: QDialog) -> None:
    """Show a Help dialog without blocking the window (tests replace this)."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def install(window, context: UiContext) -> None:
    """Add the Help menu, last in ``window``'s menu bar."""
    menu = window.menuBar().addMenu("&Help")
    shortcuts = QAction("Keyboard shortcuts", window)
    shortcuts.setShortcut(QKeySequence.StandardKey.HelpContents)
    shortcuts.setToolTip("Every menu command that has keys, and the keys")
    shortcuts.triggered.connect(
        lambda: show_dialog(ShortcutsDialog(window.menuBar(), window)))
    about = QAction("About Funnelcast", window)
    about.setToolTip("Version, data and log folders, licences")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    about.triggered.connect(lambda: open_about(window, context))
    menu.addAction(shortcuts)
    menu.addSeparator()
    menu.addAction(about)
    window.actions_by_name["shortcuts"] = shortcuts
    window.actions_by_name["about"] = about


def open_about(window, context: UiContext) -> None:
    """Read the facts on the worker (they come from files), then show the About box."""
    database = context.workspace.location
    Query(window, context, lambda _control: about_facts(), supersede="about").success(
        lambda facts: show_dialog(AboutDialog(facts, database, window))).run()
