"""Reading instants back from the database."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
