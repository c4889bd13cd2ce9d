"""The sales board: kanban columns of cards drawn by a delegate, with gated drag-and-drop."""
