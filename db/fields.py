"""Custom column types."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from peewee import BigIntegerField


class ScaledDecimalField(BigIntegerField):
    """A Decimal stored as an integer count of ``10**-places`` units.

    Why: SQLite gives a DECIMAL column numeric affinity and keeps it as a binary float, so
    ``12.10`` can come back as ``12.0999999``. Money (and quarter-hours) are exact here:
    they are written as whole cents and read back as a ``Decimal`` with ``places`` digits,
    and ``SUM()`` in SQL stays an exact integer. Values are rounded half-even to ``places``.
    """

    def __init__(self, places: int = 2, *args, **kwargs):
        self.places = places
        self._scale = Decimal(10) ** places
        self._exp = Decimal(1).scaleb(-places)
        super().__init__(*args, **kwargs)

    def db_value(self, value):
        if value is None:
            return None
        try:
            exact = Decimal(str(value)) if not isinstance(value, Decimal) else value
            return int((exact * self._scale).to_integral_value(rounding=ROUND_HALF_EVEN))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"{value!r} is not a number") from exc

    def python_value(self, value):
        if value is None:
            return None
        return (Decimal(int(value)) / self._scale).quantize(self._exp)

    def from_units(self, units: int | None) -> Decimal:
        """Convert a raw aggregate (e.g. ``SUM(value)``) back to a Decimal; ``None`` is 0."""
        return self.python_value(units or 0)
