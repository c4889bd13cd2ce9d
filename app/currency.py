"""Currency symbols for the settings' ISO codes, shared by the window and the workbook."""

from __future__ import annotations

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF"}


def currency_symbol(code: str) -> str:
    """The symbol for ``code`` (``USD`` → ``$``), or the code itself when it has none."""
    return _SYMBOLS.get(code.upper(), code.upper())
