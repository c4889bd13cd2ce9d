"""The GUI session's shared state: cached settings follow a "settings" change on the bus."""

from __future__ import annotations

import pytest

from app import settings
from ui.context import Topic

pytestmark = pytest.mark.gui


def test_settings_are_read_again_after_a_settings_change(ui_context):
    assert ui_context.settings.currency == "USD"
    settings.put("currency", "EUR")
    seen: list[str] = []
    # A view that refreshes on "settings" reads the new ones, whenever it connected.
    ui_context.bus.sig_changed.connect(lambda topics: seen.append(ui_context.settings.currency))
    ui_context.bus.changed(Topic.DEALS)
    assert seen == ["USD"]  # other topics keep the cache
    ui_context.bus.changed(Topic.SETTINGS)
    assert seen == ["USD", "EUR"]
    assert ui_context.settings.currency == "EUR"
