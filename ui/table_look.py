"""The one look of Funnelcast's tables: no grid, alternating rows, no row numbers, roomy
cells, headers that do not light up.

Each page used to set these nine properties by hand, with small drifts between copies;
:func:`list_table` makes them once. What differs between tables — which columns stretch,
delegates, edit triggers — stays with the page.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(model: QAbstractItemModel | None = None, *, padding: int = 8,
               row_extra: int = 10, select_rows: bool = True) -> QTableView:
    """A read-only table of ``model``, one current item at a time.

    ``padding`` is the cells' and headers' side padding in pixels, ``row_extra`` what a row
    adds to the font's height; ``select_rows`` selects whole rows (else single cells). The
    columns size to their contents; the page stretches the ones that should take the room.
    """
    view = QTableView()
    if model is not None:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows if select_rows
                              else QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_extra)
    view.setStyleSheet(f"QTableView::item {{ padding: 0 {padding}px; }}"
                       f"QHeaderView::section {{ padding: 4px {padding}px; }}")
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view
