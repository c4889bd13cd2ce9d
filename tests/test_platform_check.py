"""Start-up checks that stand between a user and a Qt abort."""

from __future__ import annotations

import pytest

from ui import platform_check


@pytest.mark.parametrize(("soname", "package"), [
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
])
def test_a_missing_library_is_named_with_the_package_to_install(soname, package):
    assert platform_check.debian_package(soname) == package


def test_missing_xcb_libraries_are_reported_before_qt_could_abort(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(platform_check, "XCB_LIBRARIES",
                        ("libxcb-cursor.so.0", "libfunnelcast-nowhere.so.3"))
    missing = platform_check.missing_xcb_libraries()
    assert "libfunnelcast-nowhere.so.3" in missing
    message = platform_check.missing_libraries_message(missing)
    assert "sudo apt install" in message and "libfunnelcast-nowhere3" in message


def test_no_check_when_qt_will_not_use_x11(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(platform_check, "XCB_LIBRARIES", ("libfunnelcast-nowhere.so.3",))
    assert platform_check.missing_xcb_libraries() == []
