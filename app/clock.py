"""Time: stored in UTC (naive datetimes), shown in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime

# The days Funnelcast accepts anywhere a user gives one (an imported date, a period, an
# as-of day): a deal's dates lie within a working life of today, so 9999-12-31 or year 1 is a
# placeholder or a typo, and a date type past 9999 would crash rather than be refused.
DATE_RANGE = (date(1950, 1, 1), date(2100, 12, 31))


def utcnow() -> datetime:
    """Now in UTC as a naive datetime, the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_local(stamp: datetime) -> datetime:
    """A stored UTC timestamp as an aware local datetime, for display."""
    return stamp.replace(tzinfo=UTC).astimezone()


def local_today() -> date:
    return datetime.now().date()
