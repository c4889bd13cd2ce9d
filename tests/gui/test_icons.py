"""Every icon the UI names is shipped, and icons take the palette's colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon

from ui.theme import icon

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_named_in_the_ui_is_shipped():
    names = {
        match
        for source in (ROOT / "ui").rglob("*.py")
        for match in re.findall(r"\"ph\.([a-z0-9-]+)\"", source.read_text(encoding="utf-8"))
    }
    assert names, "the UI names no icons?"
    shipped = {p.stem for p in (ROOT / "resources" / "icons" / "phosphor").glob("*.svg")}
    assert sorted(names - shipped) == []


def test_an_icon_is_drawn_in_the_requested_colour(qapp):
    red = QColor("#ff0000")
    image = icon("ph.plus", red).pixmap(QSize(32, 32)).toImage()
    inked = [image.pixelColor(x, y) for x in range(32) for y in range(32)
             if image.pixelColor(x, y).alpha() == 255]
    assert inked and all(c.red() == 255 and c.green() == 0 for c in inked)


def test_the_checked_state_uses_its_own_colour(qapp):
    white = QColor("#ffffff")
    image = icon("ph.plus", QColor("#000000"), on_color=white).pixmap(
        QSize(32, 32), QIcon.Mode.Normal, QIcon.State.On).toImage()
    inked = [image.pixelColor(x, y) for x in range(32) for y in range(32)
             if image.pixelColor(x, y).alpha() == 255]
    assert inked and all(c == white for c in inked)
