"""Before Qt starts: is there a display, and can Qt's X11 plugin load?

Qt aborts the process (no exception, no message a user can act on) when its xcb platform
plugin cannot load, which on Debian/Ubuntu means a few libxcb packages are missing. These
checks run first and say in one sentence what to do instead. Deliberately no Qt import.
"""

from __future__ import annotations

import ctypes
import os
import sys

# What Qt 6's X11 plugin (libQt6XcbQpa) links against, beyond what any X desktop has.
XCB_LIBRARIES = (
    "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-util.so.1", "libxcb-image.so.0",
    "libxcb-keysyms.so.1", "libxcb-randr.so.0", "libxcb-render-util.so.0",
    "libxcb-shape.so.0", "libxcb-shm.so.0", "libxcb-sync.so.1", "libxcb-xfixes.so.0",
    "libxcb-xkb.so.1", "libxkbcommon-x11.so.0", "libX11-xcb.so.1",
)


def no_display_message(python: str) -> str:
    return (
        "Funnelcast cannot open its window: no display is available (DISPLAY and "
        "WAYLAND_DISPLAY are unset). Run it on a desktop, or use the headless commands, "
        f"e.g. `{python} main.py --help` or `{python} main.py --db /tmp/demo.sqlite demo`."
    )


def display_available() -> bool:
    """False on a Linux box with no X11/Wayland display and no explicit Qt platform."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships ``soname`` (libxcb-cursor.so.0 -> libxcb-cursor0)."""
    stem, _, version = soname.partition(".so.")
    stem = stem.lower()
    return f"{stem}{'-' if stem[-1].isdigit() else ''}{version}"


def missing_xcb_libraries() -> list[str]:
    """The X11 plugin's libraries that cannot be loaded, when Qt is going to use X11."""
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return []
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return []  # Qt may pick Wayland; an X11 failure then is not certain
    missing = []
    for soname in XCB_LIBRARIES:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(soname)
    return missing


def missing_libraries_message(missing: list[str]) -> str:
    packages = " ".join(debian_package(s) for s in missing)
    return (
        "Funnelcast cannot open its window: Qt's X11 support needs libraries this system "
        f"lacks ({', '.join(missing)}). On Debian or Ubuntu: sudo apt install {packages}"
    )
