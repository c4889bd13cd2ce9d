"""Selected rows and the sidebar's current item are readable in both themes: white on the
selection colour reaches WCAG AA (4.5:1). Dark mode had white on #6f9cf0, about 2.7:1."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui import theme
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui

AA = 4.5


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return (0.2126 * linear(colour.red()) + 0.7152 * linear(colour.green())
            + 0.0722 * linear(colour.blue()))


def contrast(one: QColor, other: QColor) -> float:
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast(QColor("#ffffff"), QColor("#000000")) == pytest.approx(21.0)
    assert contrast(QColor("#ffffff"), QColor("#6f9cf0")) == pytest.approx(2.73, abs=0.01)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_selected_text_reaches_aa_in_both_themes(dark):
    palette = theme.palette(dark)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        ratio = contrast(palette.color(group, QPalette.ColorRole.Highlight),
                         palette.color(group, QPalette.ColorRole.HighlightedText))
        assert ratio >= AA, f"{'dark' if dark else 'light'} {group.name}: {ratio:.2f}:1"


@pytest.fixture
def themed(qapp):
    """Put the application's palette and style sheet back after a test themes it."""
    palette, sheet = qapp.palette(), qapp.styleSheet()
    yield
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_sidebars_current_item_is_drawn_in_the_selection_colours(qtbot, ui_context,
                                                                     themed, dark):
    """The ratio above is the one on screen: the current item's background is the
    palette's selection colour, and its icon is drawn in the selected text's colour."""
    app = QApplication.instance()
    app.setPalette(theme.palette(dark))
    app.setStyleSheet(theme.STYLESHEET)
    window = MainWindow(ui_context)
    qtbot.add_widget(window)
    window.resize(1280, 800)
    window.show()
    button = window._nav_buttons[window.current_section()]
    assert button.isChecked()
    image = button.grab().toImage()
    background = image.pixelColor(image.width() - 4, image.height() // 2)
    highlight = theme.palette(dark).color(QPalette.ColorRole.Highlight)
    assert background.name() == highlight.name()
    icon = button.icon().pixmap(16, 16, mode=button.icon().Mode.Normal,
                                state=button.icon().State.On).toImage()
    inked = {icon.pixelColor(x, y).name() for x in range(16) for y in range(16)
             if icon.pixelColor(x, y).alpha() == 255}
    assert inked == {theme.SELECTED_TEXT.name()}
    assert contrast(background, theme.SELECTED_TEXT) >= AA


@pytest.fixture
def dark_theme(qapp, monkeypatch):
    """The dark theme applied as at start-up; the application's look put back after."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    monkeypatch.setattr(theme, "is_dark", lambda: True)
    theme.apply_theme(qapp)
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_an_empty_check_box_can_be_seen_in_dark_mode(qtbot, dark_theme):
    """Fusion draws a check box's edge a shade darker than the window: on the dark window
    an empty box could not be seen. Its edge now reaches 3:1 (WCAG, non-text contrast)."""
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

    box = QCheckBox("Skip the rows with problems")
    qtbot.add_widget(box)
    box.resize(box.sizeHint())
    option = QStyleOptionButton()
    box.initStyleOption(option)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    edge = image.pixelColor(indicator.left(), indicator.center().y())
    window = theme.palette(True).color(QPalette.ColorRole.Window)
    assert contrast(edge, window) >= 3.0


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_warning_and_danger_text_reach_aa_on_the_window(monkeypatch, dark):
    """Read-only notes (amber) and errors (orange-red) are text too; the light palette's
    amber was about 3:1 on the dark window."""
    monkeypatch.setattr(theme, "is_dark", lambda: dark)
    window = theme.palette(dark).color(QPalette.ColorRole.Window)
    for colour in (theme.warning(), theme.danger()):
        ratio = contrast(colour, window)
        assert ratio >= AA, f"{colour.name()} on {window.name()}: {ratio:.2f}:1"
    assert theme.read_only_label("x").styleSheet().startswith(f"color: {theme.warning().name()}")


def _text_colour(label) -> QColor:
    """The colour a label's style sheet gives its text."""
    import re

    found = re.search(r"(?:^|;|\s)color: (#[0-9a-fA-F]{6})", label.styleSheet())
    assert found, f"no text colour in {label.styleSheet()!r}"
    return QColor(found[1])


def test_error_text_reaches_aa_in_dark_mode(qtbot, dark_theme, ui_context, stages, manager):
    """The deal dialog's banner and field errors, the board's banner and the settings
    editors' error line were drawn in the light palette's orange-red, about 3:1 on the dark
    window; they use the colour meant for the palette in use."""
    from app.deal_detail import load_deal_form
    from app.deals import DealDraft, create_deal
    from ui.board.view import BoardView
    from ui.deals.dialog import DealDialog
    from ui.settings.stages_tab import StagesTab

    deal = create_deal(DealDraft(title="Pilot", stage_id=stages["Qualified"].id), manager)
    dialog = DealDialog(None, ui_context, load_deal_form(deal.id))
    board, editor = BoardView(ui_context), StagesTab(ui_context)
    for widget in (dialog, board, editor):
        qtbot.add_widget(widget)
    labels = {"deal dialog banner": dialog.banner, "board banner": board.banner,
              "stages editor error": editor.error_label,
              **{f"deal dialog {key} error": label for key, label in dialog.errors.items()}}
    window = theme.palette(True).color(QPalette.ColorRole.Window)
    low = {name: round(contrast(_text_colour(label), window), 2)
           for name, label in labels.items() if contrast(_text_colour(label), window) < AA}
    assert low == {}
