"""The look: Fusion, a restrained palette that follows the system's light or dark scheme,
one accent colour, and icons from qtawesome coloured to match."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = QColor("#3a6fd8")
ACCENT_DARK = QColor("#6f9cf0")
DANGER = QColor("#c2410c")
SUCCESS = QColor("#15803d")
WARNING = QColor("#b45309")


def is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def accent() -> QColor:
    return ACCENT_DARK if is_dark() else ACCENT


def muted_text() -> QColor:
    return QColor("#9aa3ae") if is_dark() else QColor("#5f6b7a")


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        window, base, alt, text, button = "#1f2226", "#181a1d", "#22262b", "#e6e8eb", "#2a2e33"
    else:
        window, base, alt, text, button = "#f4f5f7", "#ffffff", "#f7f8fa", "#1d2430", "#fbfbfc"
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, role.Window, QColor(window))
        p.setColor(group, role.WindowText, QColor(text))
        p.setColor(group, role.Base, QColor(base))
        p.setColor(group, role.AlternateBase, QColor(alt))
        p.setColor(group, role.Text, QColor(text))
        p.setColor(group, role.Button, QColor(button))
        p.setColor(group, role.ButtonText, QColor(text))
        p.setColor(group, role.ToolTipBase, QColor(base))
        p.setColor(group, role.ToolTipText, QColor(text))
        p.setColor(group, role.PlaceholderText, QColor("#8a94a3"))
        p.setColor(group, role.Highlight, ACCENT_DARK if dark else ACCENT)
        p.setColor(group, role.HighlightedText, QColor("#ffffff"))
        p.setColor(group, role.Link, ACCENT_DARK if dark else ACCENT)
        p.setColor(group, role.Accent, ACCENT_DARK if dark else ACCENT)
    disabled = QColor("#6b7280") if dark else QColor("#9ca3af")
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return p


STYLESHEET = """
QToolBar { border: none; spacing: 4px; padding: 4px 8px; }
QStatusBar QLabel { padding: 0 8px; }
#Sidebar { border: none; border-right: 1px solid palette(midlight);
           background: palette(alternate-base); }
#Sidebar QToolButton {
    border: none; border-radius: 6px; padding: 7px 10px; text-align: left;
}
#Sidebar QToolButton:hover { background: palette(button); }
#Sidebar QToolButton:checked { background: palette(highlight); color: palette(highlighted-text); }
#PageTitle { font-size: 18pt; font-weight: 600; }
#Muted { color: palette(placeholder-text); }
"""


def apply_theme(app: QApplication) -> None:
    """Fusion with our palette; re-applied when the system switches light/dark."""
    app.setStyle("Fusion")

    def refresh(*_args) -> None:
        app.setPalette(_palette(is_dark()))
        app.setStyleSheet(STYLESHEET)

    refresh()
    QGuiApplication.styleHints().colorSchemeChanged.connect(refresh)


def icon(name: str, color: QColor | None = None) -> QIcon:
    """An icon from qtawesome (e.g. ``"ph.kanban"``) drawn in the text colour, or ``color``."""
    import qtawesome  # imported on first use: loading its fonts costs start-up time

    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    return qtawesome.icon(
        name, color=color or text, color_active=color or text,
        color_selected=QColor("#ffffff"), color_on=QColor("#ffffff"),
    )
