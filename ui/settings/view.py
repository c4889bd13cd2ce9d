"""The Settings section: a tab per kind of setting, each built on first view."""

from __future__ import annotations

import importlib

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.context import UiContext

# (tab label, "module:factory") — the factory takes the UiContext and returns the tab's widget.
TABS: tuple[tuple[str, str], ...] = (
    ("Stages", "ui.settings.stages_tab:make_stages_tab"),
    ("Reps", "ui.settings.reps_tab:make_reps_tab"),
    ("Quotas", "ui.quotas.panel:make_quotas_tab"),
    ("Lead spend", "ui.settings.spend_tab:make_spend_tab"),
    ("Activity kinds", "ui.settings.activity_kinds_tab:make_tab"),
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
        for label, _spec in TABS:
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
        label, spec = TABS[index]
        module_name, _, factory = spec.partition(":")
        widget = getattr(importlib.import_module(module_name), factory)(self.context)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        self._built[index] = True
