"""A bare QMainWindow that prints ``first-paint <seconds>`` on its first paint, then quits.

The baseline for the startup bench: the same interpreter and Qt start-up cost as
Funnelcast, with nothing of ours in it. Seconds are counted from this script's first line.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import sys  # noqa: E402  (timing starts before the imports on purpose)

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


class FirstPaint(QObject):
    """Reports the first Paint event the window receives and stops the application."""

    def __init__(self, app: QApplication):
        super().__init__()
        self.app = app
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it so
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print(f"first-paint {time.perf_counter() - STARTED:.3f}", flush=True)
            QTimer.singleShot(0, self.app.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1200, 800)
    watcher = FirstPaint(app)
    window.installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
