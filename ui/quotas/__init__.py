"""The quota grid: its table model and the panel that edits it."""
