"""The Settings section: one tab per kind of setting."""
