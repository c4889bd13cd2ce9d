"""Qt widgets, item models, dialogs and workers. Calls ``app`` only, never ``db``."""
