"""The Settings section: a tab per kind of setting, each built on first view."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.context import UiContext


def _stages(context: UiContext) -> QWidget:
    from ui.settings.stages_tab import make_stages_tab

    return make_stages_tab(context)


def _reps(context: UiContext) -> QWidget:
    from ui.settings.reps_tab import make_reps_tab

    return make_reps_tab(context)


def _quotas(context: UiContext) -> QWidget:
    from ui.quotas.panel import make_quotas_tab

    return make_quotas_tab(context)


def _spend(context: UiContext) -> QWidget:
    from ui.settings.spend_tab import make_spend_tab

    return make_spend_tab(context)


def _activity_kinds(context: UiContext) -> QWidget:
    from ui.settings.activity_kinds_tab import make_tab

    return make_tab(context)


# (tab label, factory): each tab's module is imported when the tab is first shown.
TABS: tuple[tuple[str, Callable[[UiContext], QWidget]], ...] = (
    ("Stages", _stages),
    ("Reps", _reps),
    ("Quotas", _quotas),
    ("Lead spend", _spend),
    ("Activity kinds", _activity_kinds),
)


class SettingsView(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        title = QLabel("Settings")
        title.setObjectName("PageTitle")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._built: dict[int, bool] = {}
        for label, _factory in TABS:
            self.tabs.addTab(QWidget(), label)
        self.tabs.currentChanged.connect(self._ensure_built)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        if TABS:
            self._ensure_built(0)
        else:
            empty = QLabel("No settings to edit yet.")
            empty.setObjectName("Muted")
            layout.addWidget(empty)

    def _ensure_built(self, index: int) -> None:
        if index < 0 or self._built.get(index):
            return
        label, factory = TABS[index]
        widget = factory(self.context)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        self._built[index] = True
