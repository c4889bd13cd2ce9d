"""The look: Fusion, a restrained palette that follows the system's light or dark scheme,
one accent colour, and Phosphor icons tinted to match."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
)

ACCENT = QColor("#3a6fd8")
ACCENT_DARK = QColor("#6f9cf0")
# Selected rows and the sidebar's current item: white text on these. The dark theme's accent
# is too light behind white (2.7:1); this blue reaches 5.3:1 (WCAG AA asks 4.5:1) and still
# stands out from the dark base. Light mode keeps the accent (4.7:1).
SELECTION_DARK = QColor("#3566cc")
SELECTED_TEXT = QColor("#ffffff")
CONTROL_EDGE_DARK = QColor("#7b8494")  # a check box's edge on the dark base: 4.6:1
DANGER = QColor("#c2410c")
DANGER_DARK = QColor("#fb923c")  # the same warning, readable on the dark palette
SUCCESS = QColor("#15803d")
WARNING = QColor("#b45309")
WARNING_DARK = QColor("#fbbf24")  # the same amber, readable on the dark palette (9:1)


def is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def accent() -> QColor:
    return ACCENT_DARK if is_dark() else ACCENT


def warning() -> QColor:
    """The caution colour (read-only notes) for text on the current palette's background:
    the light palette's amber is about 3:1 on the dark window."""
    return WARNING_DARK if is_dark() else WARNING


def danger() -> QColor:
    """The warning colour for text on the current palette's background."""
    return DANGER_DARK if is_dark() else DANGER


def muted_text() -> QColor:
    return QColor("#9aa3ae") if is_dark() else QColor("#5f6b7a")


def palette(dark: bool) -> QPalette:
    """The light or dark palette (what :func:`apply_theme` installs for the scheme)."""
    if dark:
        window, base, alt, text, button = "#1f2226", "#181a1d", "#22262b", "#e6e8eb", "#2a2e33"
    else:
        window, base, alt, text, button = "#f4f5f7", "#ffffff", "#f7f8fa", "#1d2430", "#fbfbfc"
    # Built from the button and window colours, so the bevel shades (light, mid, dark) and
    # every colour group follow the scheme: a disabled button in dark mode was light grey.
    p = QPalette(QColor(button), QColor(window))
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                  QPalette.ColorGroup.Disabled):
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
        p.setColor(group, role.Highlight, SELECTION_DARK if dark else ACCENT)
        p.setColor(group, role.HighlightedText, SELECTED_TEXT)
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


class _FusionStyle(QProxyStyle):
    """Fusion, with check boxes and radio buttons outlined in dark mode: Fusion draws their
    edge a shade darker than the window, which on a dark window cannot be seen (an empty
    box was a dark square on a dark page)."""

    _BOXES = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
              QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck)

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not is_dark() or not (radio or element in self._BOXES):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, radio)
        painter.setPen(QPen(CONTROL_EDGE_DARK, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        edge = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if radio:
            painter.drawEllipse(edge)
        else:
            painter.drawRect(edge)
        painter.restore()


def apply_theme(app: QApplication) -> None:
    """Fusion with our palette; re-applied when the system switches light/dark."""
    app.setStyle(_FusionStyle(QStyleFactory.create("Fusion")))

    def refresh(*_args) -> None:
        app.setPalette(palette(is_dark()))
        app.setStyleSheet(STYLESHEET)

    refresh()
    QGuiApplication.styleHints().colorSchemeChanged.connect(refresh)


class _SvgIconEngine(QIconEngine):
    """Draws a one-colour SVG at any size: crisp on every screen, tinted per mode."""

    def __init__(self, svg: bytes, color: QColor, on_color: QColor | None):
        super().__init__()
        self._svg = svg
        self._color = color
        self._on_color = on_color or color
        self._renderers: dict[str, QSvgRenderer] = {}

    def _renderer(self, mode: QIcon.Mode, state: QIcon.State) -> QSvgRenderer:
        if mode == QIcon.Mode.Disabled:
            color = QApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        elif state == QIcon.State.On or mode == QIcon.Mode.Selected:
            color = self._on_color
        else:
            color = self._color
        key = color.name(QColor.NameFormat.HexArgb)
        if key not in self._renderers:
            tinted = self._svg.replace(b"currentColor", color.name().encode())
            self._renderers[key] = QSvgRenderer(QByteArray(tinted))
        return self._renderers[key]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode, state).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        image = QPixmap(size)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return image

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._svg, self._color, self._on_color)


@cache
def _svg_source(name: str) -> bytes:
    folder, _, glyph = name.partition(".")
    if folder != "ph" or not glyph:
        raise ValueError(f"Unknown icon {name!r}: use a Phosphor name such as 'ph.plus'")
    return files("resources").joinpath(f"icons/phosphor/{glyph}.svg").read_bytes()


def icon(name: str, color: QColor | None = None, on_color: QColor | None = None) -> QIcon:
    """A Phosphor icon (e.g. ``"ph.plus"``), drawn in the text colour or ``color``; in the
    checked state in ``on_color`` (default: the same). The SVGs live in
    ``resources/icons/phosphor`` (MIT licence there): add a file there to use a new glyph."""
    text = QApplication.palette().color(QPalette.ColorRole.WindowText)
    return QIcon(_SvgIconEngine(_svg_source(name), color or text, on_color))


def error_label() -> QLabel:
    """A hidden, wrapping label in the danger colour: where a page says what went wrong."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {danger().name()}; padding: 4px 0;")
    label.hide()
    return label


def read_only_fields_style() -> str:
    """A style sheet for a form whose read-only fields sit on a shade between the page and an
    editable field's (light: the window's grey; dark: the button's), so the fields that can
    be typed in stand out."""
    shade = "palette(button)" if is_dark() else "palette(window)"
    return ("QLineEdit:read-only, QAbstractSpinBox:read-only, "
            f'QPlainTextEdit[readOnly="true"] {{ background: {shade}; }}')


def read_only_label(text: str = "") -> QLabel:
    """The bold amber line that says why a page or dialog cannot be changed by this user."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {warning().name()}; font-weight: 600;")
    return label
