"""Money as the app holds it: Decimal, exact to the cent."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")  # what amounts are rounded to (``amount.quantize(CENT)``)
