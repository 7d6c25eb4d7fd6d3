"""Booked now / next, from Graph events (organizer names when Graph gives them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.domain.room_context import booked_now_and_next

NY = ZoneInfo("America/New_York")
T = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in New York


def ev(subject: str, start: str, end: str, organizer: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": "UTC"},
        "end": {"dateTime": end, "timeZone": "UTC"},
        "showAs": "busy",
        "isCancelled": False,
        "isAllDay": False,
    }
    if organizer:
        out["organizer"] = {"emailAddress": {"name": organizer, "address": "x@contoso.example"}}
    out.update(extra)
    return out


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], {}),
        (
            [ev("Standup", "2026-11-24T14:30:00", "2026-11-24T15:30:00", "Bo")],
            {"booked_now": "Standup (Bo), 09:30–10:30"},
        ),
        (
            [ev("Review", "2026-11-24T16:00:00", "2026-11-24T17:00:00")],
            {"booked_next": "Review, Tue 11:00–12:00"},
        ),
        (  # cancelled, free and ended events do not count; the earliest upcoming wins
            [
                ev("Cancelled", "2026-11-24T14:00:00", "2026-11-24T16:00:00", isCancelled=True),
                ev("Free", "2026-11-24T14:00:00", "2026-11-24T16:00:00", showAs="free"),
                ev("Earlier", "2026-11-24T13:00:00", "2026-11-24T14:00:00"),
                ev("Later", "2026-11-25T14:00:00", "2026-11-25T15:00:00", "Cy"),
                ev("Sooner", "2026-11-24T20:00:00", "2026-11-24T21:00:00", "Di"),
            ],
            {"booked_next": "Sooner (Di), Tue 15:00–16:00"},
        ),
        (
            [ev("Offsite", "2026-11-24T00:00:00", "2026-11-25T00:00:00", isAllDay=True)],
            {"booked_now": "Offsite, all day"},
        ),
    ],
)
def test_booked_now_and_next(events: list[dict[str, Any]], expected: dict[str, str]) -> None:
    assert booked_now_and_next(events, T, NY) == expected
