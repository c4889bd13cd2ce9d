"""Time: stored in UTC (naive datetimes), shown in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now in UTC as a naive datetime, the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_local(stamp: datetime) -> datetime:
    """A stored UTC timestamp as an aware local datetime, for display."""
    return stamp.replace(tzinfo=UTC).astimezone()


def local_today() -> date:
    return datetime.now().date()
