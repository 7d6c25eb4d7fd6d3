"""Free windows and slots (DESIGN 3.5): hand-checked cases, then a property test
against the minute-by-minute reference in `availability_reference`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.domain.availability import (
    Availability,
    BusinessHours,
    CalendarEvent,
    Interval,
    Policy,
    choose_zone,
    compute,
    event_from_graph,
    read_range,
)
from tests.services.availability_reference import reference_windows_and_slots

# --------------------------------------------------------------------------- helpers


def at(text: str) -> datetime:
    """An aware instant from ISO text that carries its offset."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def busy(start: str, end: str, show_as: str | None = "busy", cancelled: bool = False) -> CalendarEvent:
    return CalendarEvent(at(start), at(end), show_as, cancelled, False, None, None)


def graph_event(
    start: str, end: str, zone: str = "UTC", *, all_day: bool = False, show_as: str | None = "busy"
) -> dict[str, Any]:
    """A Graph event JSON as calendarView returns it."""
    event: dict[str, Any] = {
        "subject": "x",
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "isAllDay": all_day,
        "isCancelled": False,
    }
    if show_as is not None:
        event["showAs"] = show_as
    return event


def all_day(first: str, last: str, label: str = "UTC") -> CalendarEvent:
    """An all-day event from Graph for dates [first, last), labelled as Graph does."""
    event = event_from_graph(
        graph_event(f"{first}T00:00:00.0000000", f"{last}T00:00:00.0000000", label, all_day=True)
    )
    assert event is not None
    return event


def run(zone: str, start: str, count: int, minutes: int = 60) -> list[str]:
    """`count` back-to-back slot starts from `start`, `minutes` of elapsed time apart."""
    first = at(start)
    return [
        (first + timedelta(minutes=minutes * k)).astimezone(ZoneInfo(zone)).isoformat() for k in range(count)
    ]


def weekdays(open_: str, close: str) -> dict[str, list[str] | None]:
    return {day: [open_, close] for day in ("mon", "tue", "wed", "thu", "fri")}


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    trigger: str
    windows: list[tuple[str, str]]
    slots: list[str]
    events: list[CalendarEvent] = field(default_factory=list)
    hours: dict[str, Any] | None = None
    policy: dict[str, Any] = field(default_factory=dict)


NY = "America/New_York"
# 2026-11-24 is a Tuesday.
CASES = [
    Case(
        "design example: standup, then the rest of the 48 hours",
        NY,
        "2026-11-24T14:05:00Z",
        events=[busy("2026-11-24T09:00:00-05:00", "2026-11-24T09:30:00-05:00")],
        windows=[
            ("2026-11-24T09:30:00-05:00", "2026-11-24T17:00:00-05:00"),
            ("2026-11-25T08:00:00-05:00", "2026-11-25T17:00:00-05:00"),
            ("2026-11-26T08:00:00-05:00", "2026-11-26T09:05:00-05:00"),
        ],
        slots=run(NY, "2026-11-24T09:30:00-05:00", 7)
        + run(NY, "2026-11-25T08:00:00-05:00", 9)
        + ["2026-11-26T08:00:00-05:00"],
    ),
    Case(
        "trigger before opening",
        NY,
        "2026-11-24T06:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        windows=[
            ("2026-11-24T09:00:00-05:00", "2026-11-24T12:00:00-05:00"),
            ("2026-11-25T09:00:00-05:00", "2026-11-25T12:00:00-05:00"),
        ],
        slots=run(NY, "2026-11-24T09:00:00-05:00", 3) + run(NY, "2026-11-25T09:00:00-05:00", 3),
    ),
    Case(
        "trigger after closing",
        NY,
        "2026-11-24T18:30:00-05:00",
        hours=weekdays("09:00", "12:00"),
        windows=[
            ("2026-11-25T09:00:00-05:00", "2026-11-25T12:00:00-05:00"),
            ("2026-11-26T09:00:00-05:00", "2026-11-26T12:00:00-05:00"),
        ],
        slots=run(NY, "2026-11-25T09:00:00-05:00", 3) + run(NY, "2026-11-26T09:00:00-05:00", 3),
    ),
    Case(
        "weekend trigger reaches Monday morning only",
        NY,
        "2026-11-28T10:00:00-05:00",
        windows=[("2026-11-30T08:00:00-05:00", "2026-11-30T10:00:00-05:00")],
        slots=["2026-11-30T08:00:00-05:00", "2026-11-30T09:00:00-05:00"],
    ),
    Case(
        "window ends mid-day",
        NY,
        "2026-11-24T13:10:00-05:00",
        policy={"horizon_hours": 24},
        windows=[
            ("2026-11-24T13:10:00-05:00", "2026-11-24T17:00:00-05:00"),
            ("2026-11-25T08:00:00-05:00", "2026-11-25T13:10:00-05:00"),
        ],
        slots=run(NY, "2026-11-24T13:15:00-05:00", 3) + run(NY, "2026-11-25T08:00:00-05:00", 5),
    ),
    Case(
        "seconds round up to the next quarter hour",
        NY,
        "2026-11-24T09:00:01-05:00",
        hours=weekdays("09:00", "11:00"),
        policy={"horizon_hours": 3},
        windows=[("2026-11-24T09:00:01-05:00", "2026-11-24T11:00:00-05:00")],
        slots=["2026-11-24T09:15:00-05:00"],
    ),
    Case(
        "microseconds round up too",
        NY,
        "2026-11-24T09:14:59.999999-05:00",
        hours=weekdays("09:00", "11:00"),
        policy={"horizon_hours": 3},
        windows=[("2026-11-24T09:14:59.999999-05:00", "2026-11-24T11:00:00-05:00")],
        slots=["2026-11-24T09:15:00-05:00"],
    ),
    Case(
        "a start on a quarter hour stays",
        NY,
        "2026-11-24T09:45:00-05:00",
        hours=weekdays("09:00", "11:00"),
        policy={"horizon_hours": 3},
        windows=[("2026-11-24T09:45:00-05:00", "2026-11-24T11:00:00-05:00")],
        slots=["2026-11-24T09:45:00-05:00"],
    ),
    Case(
        "Friday afternoon: one slot after rounding, then the weekend",
        NY,
        "2026-11-27T15:20:00-05:00",
        windows=[("2026-11-27T15:20:00-05:00", "2026-11-27T17:00:00-05:00")],
        slots=["2026-11-27T15:30:00-05:00"],
    ),
    Case(
        "overlapping, touching, zero-length and negative events",
        NY,
        "2026-11-24T08:00:00-05:00",
        hours=weekdays("09:00", "17:00"),
        policy={"horizon_hours": 12},
        events=[
            busy("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00"),
            busy("2026-11-24T09:30:00-05:00", "2026-11-24T10:30:00-05:00"),  # overlaps
            busy("2026-11-24T10:30:00-05:00", "2026-11-24T11:00:00-05:00"),  # touches
            busy("2026-11-24T12:00:00-05:00", "2026-11-24T12:00:00-05:00"),  # zero length
            busy("2026-11-24T14:00:00-05:00", "2026-11-24T13:00:00-05:00"),  # ends before it starts
            busy("2026-11-24T15:00:00-05:00", "2026-11-24T15:20:00-05:00"),
            busy("2026-11-24T15:20:00-05:00", "2026-11-24T15:40:00-05:00"),  # touches
            busy("2026-11-24T15:10:00-05:00", "2026-11-24T15:15:00-05:00"),  # inside another
        ],
        windows=[
            ("2026-11-24T11:00:00-05:00", "2026-11-24T15:00:00-05:00"),
            ("2026-11-24T15:40:00-05:00", "2026-11-24T17:00:00-05:00"),
        ],
        slots=[*run(NY, "2026-11-24T11:00:00-05:00", 4), "2026-11-24T15:45:00-05:00"],
    ),
    Case(
        "events covering the whole day and spilling across opening hours",
        NY,
        "2026-11-24T07:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 30},
        events=[
            busy("2026-11-23T20:00:00-05:00", "2026-11-24T12:30:00-05:00"),
            busy("2026-11-25T08:00:00-05:00", "2026-11-25T09:30:00-05:00"),
        ],
        windows=[("2026-11-25T09:30:00-05:00", "2026-11-25T12:00:00-05:00")],
        slots=["2026-11-25T09:30:00-05:00", "2026-11-25T10:30:00-05:00"],
    ),
    Case(
        "cancelled and free events do not block",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4},
        events=[
            busy("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00", cancelled=True),
            busy("2026-11-24T10:00:00-05:00", "2026-11-24T11:00:00-05:00", show_as="free"),
            busy("2026-11-24T11:00:00-05:00", "2026-11-24T11:30:00-05:00", show_as="Free"),
        ],
        windows=[("2026-11-24T09:00:00-05:00", "2026-11-24T12:00:00-05:00")],
        slots=run(NY, "2026-11-24T09:00:00-05:00", 3),
    ),
    Case(
        "every other showAs blocks, and so does a missing one; 30-minute windows stay",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "17:00"),
        policy={"horizon_hours": 9},
        events=[
            busy("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00", show_as="oof"),
            busy("2026-11-24T10:30:00-05:00", "2026-11-24T11:00:00-05:00", show_as="workingElsewhere"),
            busy("2026-11-24T11:30:00-05:00", "2026-11-24T12:00:00-05:00", show_as="unknown"),
            busy("2026-11-24T12:30:00-05:00", "2026-11-24T13:00:00-05:00", show_as=None),
            busy("2026-11-24T14:00:00-05:00", "2026-11-24T15:00:00-05:00", show_as="Busy"),
            busy("2026-11-24T16:30:00-05:00", "2026-11-24T17:00:00-05:00", show_as="somethingNew"),
        ],
        windows=[
            ("2026-11-24T10:00:00-05:00", "2026-11-24T10:30:00-05:00"),
            ("2026-11-24T11:00:00-05:00", "2026-11-24T11:30:00-05:00"),
            ("2026-11-24T12:00:00-05:00", "2026-11-24T12:30:00-05:00"),
            ("2026-11-24T13:00:00-05:00", "2026-11-24T14:00:00-05:00"),
            ("2026-11-24T15:00:00-05:00", "2026-11-24T16:30:00-05:00"),
        ],
        slots=["2026-11-24T13:00:00-05:00", "2026-11-24T15:00:00-05:00"],
    ),
    Case(
        "gaps under 30 minutes are dropped: no slots",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4},
        events=[
            busy("2026-11-24T09:00:00-05:00", "2026-11-24T09:30:00-05:00"),
            busy("2026-11-24T09:59:00-05:00", "2026-11-24T10:30:00-05:00"),
            busy("2026-11-24T11:00:00-05:00", "2026-11-24T11:30:00-05:00"),
        ],
        windows=[
            ("2026-11-24T10:30:00-05:00", "2026-11-24T11:00:00-05:00"),
            ("2026-11-24T11:30:00-05:00", "2026-11-24T12:00:00-05:00"),
        ],
        slots=[],
    ),
    Case(
        "tentative blocks by default",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4},
        events=[busy("2026-11-24T10:00:00-05:00", "2026-11-24T11:00:00-05:00", show_as="tentative")],
        windows=[
            ("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00"),
            ("2026-11-24T11:00:00-05:00", "2026-11-24T12:00:00-05:00"),
        ],
        slots=["2026-11-24T09:00:00-05:00", "2026-11-24T11:00:00-05:00"],
    ),
    Case(
        "tentative does not block when the policy says so",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4, "tentative_blocks": False},
        events=[
            busy("2026-11-24T10:00:00-05:00", "2026-11-24T11:00:00-05:00", show_as="tentative"),
            busy("2026-11-24T11:30:00-05:00", "2026-11-24T12:00:00-05:00", show_as="busy"),
        ],
        windows=[("2026-11-24T09:00:00-05:00", "2026-11-24T11:30:00-05:00")],
        slots=["2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00"],
    ),
    Case(
        '"24:00" closes at the next midnight; windows run on across it',
        NY,
        "2026-11-24T19:00:00-05:00",
        hours={"tue": ["20:00", "24:00"], "wed": ["00:00", "02:00"]},
        policy={"horizon_hours": 12},
        windows=[("2026-11-24T20:00:00-05:00", "2026-11-25T02:00:00-05:00")],
        slots=run(NY, "2026-11-24T20:00:00-05:00", 6),
    ),
    Case(
        "closed days: null, missing key, close not after open, open at 24:00",
        NY,
        "2026-11-23T00:00:00-05:00",  # Monday
        hours={
            "mon": None,
            "tue": ["17:00", "09:00"],
            "wed": ["09:00", "09:00"],
            "thu": ["24:00", "24:00"],
            "fri": ["10:00", "11:00"],
        },
        policy={"horizon_hours": 24 * 7},
        windows=[("2026-11-27T10:00:00-05:00", "2026-11-27T11:00:00-05:00")],
        slots=["2026-11-27T10:00:00-05:00"],
    ),
    Case(
        "shorter slots and a longer minimum from the SLA step",
        NY,
        "2026-11-24T09:00:00-05:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4, "slot_minutes": 45, "min_window_minutes": 60},
        events=[
            busy("2026-11-24T09:50:00-05:00", "2026-11-24T10:20:00-05:00"),
            busy("2026-11-24T10:55:00-05:00", "2026-11-24T11:00:00-05:00"),
        ],
        windows=[("2026-11-24T11:00:00-05:00", "2026-11-24T12:00:00-05:00")],
        slots=["2026-11-24T11:00:00-05:00"],
    ),
    Case(
        "all-day event labelled UTC blocks the local day in Auckland",
        "Pacific/Auckland",
        "2026-11-24T08:00:00+13:00",
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 72},
        events=[all_day("2026-11-25", "2026-11-26")],
        windows=[
            ("2026-11-24T09:00:00+13:00", "2026-11-24T12:00:00+13:00"),
            ("2026-11-26T09:00:00+13:00", "2026-11-26T12:00:00+13:00"),
        ],
        slots=run("Pacific/Auckland", "2026-11-24T09:00:00+13:00", 3)
        + run("Pacific/Auckland", "2026-11-26T09:00:00+13:00", 3),
    ),
    Case(
        "two-day all-day event in Sydney, labelled with a Windows zone",
        "Australia/Sydney",
        "2026-11-24T08:00:00+11:00",
        hours=weekdays("09:00", "10:00"),
        policy={"horizon_hours": 96},
        events=[all_day("2026-11-25", "2026-11-27", label="Pacific Standard Time")],
        windows=[
            ("2026-11-24T09:00:00+11:00", "2026-11-24T10:00:00+11:00"),
            ("2026-11-27T09:00:00+11:00", "2026-11-27T10:00:00+11:00"),
        ],
        slots=["2026-11-24T09:00:00+11:00", "2026-11-27T09:00:00+11:00"],
    ),
    Case(
        "all-day events that end on or before their start are ignored",
        "Australia/Sydney",
        "2026-11-24T08:00:00+11:00",
        hours=weekdays("09:00", "10:00"),
        policy={"horizon_hours": 24},
        events=[all_day("2026-11-24", "2026-11-24"), all_day("2026-11-25", "2026-11-24")],
        windows=[("2026-11-24T09:00:00+11:00", "2026-11-24T10:00:00+11:00")],
        slots=["2026-11-24T09:00:00+11:00"],
    ),
    Case(
        "Kolkata (+05:30): quarter hours of the local clock",
        "Asia/Kolkata",
        "2026-11-24T04:01:30Z",  # 09:31:30 IST
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4},
        windows=[("2026-11-24T09:31:30+05:30", "2026-11-24T12:00:00+05:30")],
        slots=["2026-11-24T09:45:00+05:30", "2026-11-24T10:45:00+05:30"],
    ),
    Case(
        "Kathmandu (+05:45): quarter hours of the local clock",
        "Asia/Kathmandu",
        "2026-11-24T04:01:30Z",  # 09:46:30 NPT
        hours=weekdays("09:00", "12:00"),
        policy={"horizon_hours": 4},
        windows=[("2026-11-24T09:46:30+05:45", "2026-11-24T12:00:00+05:45")],
        slots=["2026-11-24T10:00:00+05:45", "2026-11-24T11:00:00+05:45"],
    ),
    Case(
        "Kathmandu: opening hours are local, not UTC",
        "Asia/Kathmandu",
        "2026-11-24T02:00:00Z",  # 07:45 NPT
        hours=weekdays("08:00", "10:00"),
        policy={"horizon_hours": 4},
        events=[busy("2026-11-24T09:00:00+05:45", "2026-11-24T09:10:00+05:45")],
        windows=[
            ("2026-11-24T08:00:00+05:45", "2026-11-24T09:00:00+05:45"),
            ("2026-11-24T09:10:00+05:45", "2026-11-24T10:00:00+05:45"),
        ],
        slots=["2026-11-24T08:00:00+05:45"],
    ),
    # ---- DST: New York springs forward on Sunday 2026-03-08 at 02:00 EST -> 03:00 EDT.
    Case(
        "New York spring forward: hours spanning the skipped hour are 2 h of elapsed time",
        NY,
        "2026-03-07T12:00:00-05:00",
        hours={"sun": ["01:00", "04:00"]},
        windows=[("2026-03-08T01:00:00-05:00", "2026-03-08T04:00:00-04:00")],
        slots=["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"],
    ),
    Case(
        "New York spring forward: opening inside the skipped hour reads with fold=0",
        NY,
        "2026-03-07T12:00:00-05:00",
        hours={"sun": ["02:30", "06:00"]},
        windows=[("2026-03-08T03:30:00-04:00", "2026-03-08T06:00:00-04:00")],
        slots=["2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00"],
    ),
    Case(
        "New York spring forward: closing inside the skipped hour reads with fold=0",
        NY,
        "2026-03-07T12:00:00-05:00",
        hours={"sun": ["00:00", "02:30"]},
        windows=[("2026-03-08T00:00:00-05:00", "2026-03-08T03:30:00-04:00")],
        slots=["2026-03-08T00:00:00-05:00", "2026-03-08T01:00:00-05:00"],
    ),
    Case(
        "New York spring forward: a 48-hour window is 48 elapsed hours",
        NY,
        "2026-03-07T09:00:00-05:00",
        hours={"sat": ["00:00", "24:00"], "sun": ["00:00", "24:00"], "mon": ["00:00", "24:00"]},
        windows=[("2026-03-07T09:00:00-05:00", "2026-03-09T10:00:00-04:00")],
        slots=run(NY, "2026-03-07T09:00:00-05:00", 48),
    ),
    # ---- New York falls back on Sunday 2026-11-01 at 02:00 EDT -> 01:00 EST.
    Case(
        "New York fall back: opening in the repeated hour takes its first occurrence",
        NY,
        "2026-10-31T12:00:00-04:00",
        hours={"sun": ["01:30", "04:00"]},
        windows=[("2026-11-01T01:30:00-04:00", "2026-11-01T04:00:00-05:00")],
        slots=["2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00"],
    ),
    Case(
        "New York fall back: closing in the repeated hour takes its first occurrence",
        NY,
        "2026-10-31T12:00:00-04:00",
        hours={"sun": ["00:00", "01:30"]},
        windows=[("2026-11-01T00:00:00-04:00", "2026-11-01T01:30:00-04:00")],
        slots=["2026-11-01T00:00:00-04:00"],
    ),
    # ---- London: 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
    Case(
        "London spring forward: a 24-hour Sunday is 23 elapsed hours",
        "Europe/London",
        "2026-03-28T12:00:00Z",
        hours={"sun": ["00:00", "24:00"]},
        windows=[("2026-03-29T00:00:00+00:00", "2026-03-30T00:00:00+01:00")],
        slots=["2026-03-29T00:00:00+00:00", *run("Europe/London", "2026-03-29T02:00:00+01:00", 22)],
    ),
    Case(
        "London fall back: slots run through the repeated hour",
        "Europe/London",
        "2026-10-24T12:00:00+01:00",
        hours={"sun": ["00:30", "03:00"]},
        windows=[("2026-10-25T00:30:00+01:00", "2026-10-25T03:00:00+00:00")],
        slots=["2026-10-25T00:30:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-25T01:30:00+00:00"],
    ),
    Case(
        "London fall back: a busy event across the change is elapsed time",
        "Europe/London",
        "2026-10-24T12:00:00+01:00",
        hours={"sun": ["00:00", "04:00"]},
        events=[busy("2026-10-25T01:15:00+01:00", "2026-10-25T01:15:00+00:00")],
        windows=[
            ("2026-10-25T00:00:00+01:00", "2026-10-25T01:15:00+01:00"),
            ("2026-10-25T01:15:00+00:00", "2026-10-25T04:00:00+00:00"),
        ],
        slots=["2026-10-25T00:00:00+01:00", "2026-10-25T01:15:00+00:00", "2026-10-25T02:15:00+00:00"],
    ),
    # ---- Sydney: 2026-04-05 03:00 AEDT -> 02:00 AEST; 2026-10-04 02:00 AEST -> 03:00 AEDT.
    Case(
        "Sydney fall back (April): 02:00 is read as its first occurrence",
        "Australia/Sydney",
        "2026-04-04T12:00:00+11:00",
        hours={"sun": ["02:00", "04:00"]},
        windows=[("2026-04-05T02:00:00+11:00", "2026-04-05T04:00:00+10:00")],
        slots=["2026-04-05T02:00:00+11:00", "2026-04-05T02:00:00+10:00", "2026-04-05T03:00:00+10:00"],
    ),
    Case(
        "Sydney spring forward (October): opening at the skipped 02:00 is 03:00",
        "Australia/Sydney",
        "2026-10-03T12:00:00+10:00",
        hours={"sun": ["02:00", "04:00"]},
        windows=[("2026-10-04T03:00:00+11:00", "2026-10-04T04:00:00+11:00")],
        slots=["2026-10-04T03:00:00+11:00"],
    ),
    Case(
        "Sydney spring forward: the quarter-hour rounding crosses the change",
        "Australia/Sydney",
        "2026-10-04T01:50:00+10:00",
        hours={"sun": ["00:00", "06:00"]},
        policy={"horizon_hours": 6},
        windows=[("2026-10-04T01:50:00+10:00", "2026-10-04T06:00:00+11:00")],
        slots=run("Australia/Sydney", "2026-10-04T03:00:00+11:00", 3),
    ),
    Case(
        "UTC zone, trigger given with another offset",
        "UTC",
        "2026-11-24T18:07:00+09:00",  # 09:07Z
        hours=weekdays("09:00", "11:00"),
        policy={"horizon_hours": 3},
        windows=[("2026-11-24T09:07:00+00:00", "2026-11-24T11:00:00+00:00")],
        slots=["2026-11-24T09:15:00+00:00"],
    ),
]


def compute_case(case: Case) -> Availability:
    policy = Policy(BusinessHours.from_json(case.hours), **case.policy)
    return compute(at(case.trigger.replace("Z", "+00:00")), ZoneInfo(case.zone), case.events, policy)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_free_windows_and_slots(case: Case) -> None:
    result = compute_case(case)
    zone = ZoneInfo(case.zone)
    assert [tuple(w.to_local_json(zone).values()) for w in result.free_windows] == case.windows
    assert [s.to_local_json(zone)["start"] for s in result.slots] == case.slots
    slot_length = timedelta(minutes=case.policy.get("slot_minutes", 60))
    assert all(s.end - s.start == slot_length for s in result.slots)
    assert result.status == ("slots_found" if case.slots else "no_slots")


# The reference is exact only when the trigger is on a whole minute.
WHOLE_MINUTE_CASES = [c for c in CASES if at(c.trigger.replace("Z", "+00:00")).strftime("%S%f") == "00000000"]


@pytest.mark.parametrize("case", WHOLE_MINUTE_CASES, ids=[c.name for c in WHOLE_MINUTE_CASES])
def test_cases_agree_with_the_reference(case: Case) -> None:
    """The same cases through the minute-by-minute reading."""
    trigger = at(case.trigger.replace("Z", "+00:00"))
    result = compute_case(case)
    windows, slots = reference_windows_and_slots(
        trigger,
        ZoneInfo(case.zone),
        case.events,
        hours_json=case.hours,
        horizon_hours=case.policy.get("horizon_hours", 48),
        min_window_minutes=case.policy.get("min_window_minutes", 30),
        slot_minutes=case.policy.get("slot_minutes", 60),
        tentative_blocks=case.policy.get("tentative_blocks", True),
    )
    assert [(w.start, w.end) for w in result.free_windows] == windows
    assert [(s.start, s.end) for s in result.slots] == slots


# --------------------------------------------------------------------------- the result


def test_result_is_in_utc_and_the_window_is_elapsed_time() -> None:
    trigger = at("2026-03-07T09:00:00-05:00")
    result = compute(trigger, ZoneInfo(NY), [], Policy())
    assert result.window == Interval(trigger.astimezone(UTC), trigger.astimezone(UTC) + timedelta(hours=48))
    assert result.zone == ZoneInfo(NY)
    for interval in (result.window, *result.free_windows, *result.slots):
        assert interval.start.tzinfo is UTC
        assert interval.end.tzinfo is UTC


def test_no_open_hours_means_no_slots() -> None:
    closed = BusinessHours.from_json({})
    result = compute(at("2026-11-24T09:00:00-05:00"), ZoneInfo(NY), [], Policy(closed))
    assert result.free_windows == ()
    assert result.slots == ()
    assert result.status == "no_slots"


def test_events_may_be_any_iterable_and_in_any_order() -> None:
    events = [
        busy("2026-11-24T11:00:00-05:00", "2026-11-24T12:00:00-05:00"),
        busy("2026-11-24T09:00:00-05:00", "2026-11-24T10:00:00-05:00"),
    ]
    policy = Policy(BusinessHours.from_json(weekdays("09:00", "12:00")), horizon_hours=4)
    trigger = at("2026-11-24T09:00:00-05:00")
    from_list = compute(trigger, ZoneInfo(NY), events, policy)
    from_generator = compute(trigger, ZoneInfo(NY), (e for e in reversed(events)), policy)
    assert from_list == from_generator
    assert [s.to_local_json(ZoneInfo(NY))["start"] for s in from_list.slots] == ["2026-11-24T10:00:00-05:00"]


def test_to_json_shows_instants_with_the_room_offset() -> None:
    zone = ZoneInfo("Asia/Kathmandu")
    policy = Policy(BusinessHours.from_json(weekdays("09:00", "10:00")), horizon_hours=2)
    result = compute(at("2026-11-24T03:00:00Z".replace("Z", "+00:00")), zone, [], policy)
    assert result.to_json() == {
        "status": "slots_found",
        "timezone": "Asia/Kathmandu",
        "window": {"start": "2026-11-24T08:45:00+05:45", "end": "2026-11-24T10:45:00+05:45"},
        "free_windows": [{"start": "2026-11-24T09:00:00+05:45", "end": "2026-11-24T10:00:00+05:45"}],
        "slots": [{"start": "2026-11-24T09:00:00+05:45", "end": "2026-11-24T10:00:00+05:45"}],
    }


def test_naive_trigger_is_refused() -> None:
    with pytest.raises(ValueError, match="trigger"):
        compute(datetime(2026, 11, 24, 9), ZoneInfo(NY), [], Policy())


def test_interval_normalises_to_utc_and_refuses_naive_instants() -> None:
    interval = Interval(at("2026-11-24T09:00:00-05:00"), at("2026-11-24T10:00:00-05:00"))
    assert interval.start == datetime(2026, 11, 24, 14, tzinfo=UTC)
    assert interval.start.tzinfo is UTC
    assert interval.duration == timedelta(hours=1)
    with pytest.raises(ValueError, match="aware"):
        Interval(datetime(2026, 11, 24, 9), datetime(2026, 11, 24, 10))


# --------------------------------------------------------------------------- read range and zone


def test_read_range_widens_the_window_by_more_than_a_day_each_side() -> None:
    trigger = at("2026-11-24T14:05:00+00:00")
    policy = Policy(horizon_hours=48)
    widened = read_range(trigger, policy)
    window = compute(trigger, ZoneInfo(NY), [], policy).window
    assert window.start - widened.start >= timedelta(days=1, hours=2)
    assert widened.end - window.end >= timedelta(days=1, hours=2)


def test_read_range_covers_all_day_events_stored_in_far_zones() -> None:
    """An all-day event stored at midnight UTC-12 still blocks Kiritimati's (UTC+14) day."""
    zone = ZoneInfo("Pacific/Kiritimati")
    trigger = datetime(2026, 11, 24, 23, 0, tzinfo=zone)  # the window meets local 11-24 and later
    stored_start = datetime(2026, 11, 24, tzinfo=ZoneInfo("Etc/GMT+12"))
    stored_end = stored_start + timedelta(days=1)
    # Graph returns an event when it overlaps the requested range.
    widened = read_range(trigger, Policy(horizon_hours=1))
    assert stored_start < widened.end and stored_end > widened.start


@pytest.mark.parametrize(
    ("mailbox", "location", "expected"),
    [
        ("Eastern Standard Time", "Europe/London", "America/New_York"),
        (None, "Europe/London", "Europe/London"),
        ("Not A Zone", "Asia/Kathmandu", "Asia/Kathmandu"),
        ("", "India Standard Time", "Asia/Calcutta"),
        (None, None, "UTC"),
        ("Nowhere", "Neverland/Capital", "UTC"),
    ],
)
def test_choose_zone(mailbox: str | None, location: str | None, expected: str) -> None:
    assert str(choose_zone(mailbox, location)) == expected


# --------------------------------------------------------------------------- Graph events


def test_event_from_graph_reads_seven_digit_fractions_and_zone_labels() -> None:
    event = event_from_graph(
        graph_event("2026-11-24T09:00:00.1234567", "2026-11-24T09:30:00.0000000", "Eastern Standard Time")
    )
    assert event == CalendarEvent(
        datetime(2026, 11, 24, 14, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 24, 14, 30, tzinfo=UTC),
        "busy",
        False,
        False,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UTC", "2026-11-24T09:00:00+00:00"),
        ("Pacific Standard Time", "2026-11-24T17:00:00+00:00"),
        ("Asia/Kathmandu", "2026-11-24T03:15:00+00:00"),
        ("tzone://Microsoft/Utc", "2026-11-24T09:00:00+00:00"),
        (None, "2026-11-24T09:00:00+00:00"),  # no label: Graph's default, UTC
    ],
)
def test_event_from_graph_zone_labels(label: str | None, expected: str) -> None:
    obj = graph_event("2026-11-24T09:00:00.0000000", "2026-11-24T10:00:00.0000000", "UTC")
    obj["start"]["timeZone"] = label
    event = event_from_graph(obj)
    assert event is not None
    assert event.start == at(expected)
    assert event.start.tzinfo is UTC


def test_event_from_graph_gap_time_reads_with_fold_zero() -> None:
    event = event_from_graph(graph_event("2026-03-08T02:30:00", "2026-03-08T04:00:00", "America/New_York"))
    assert event is not None
    assert event.start == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_event_from_graph_all_day_keeps_the_written_dates() -> None:
    event = event_from_graph(
        graph_event("2026-11-25T00:00:00.0000000", "2026-11-26T00:00:00.0000000", "UTC", all_day=True)
    )
    assert event is not None
    assert event.is_all_day
    assert (event.all_day_start_date, event.all_day_end_date) == (date(2026, 11, 25), date(2026, 11, 26))


def test_event_from_graph_all_day_with_an_unknown_label_still_has_its_dates() -> None:
    event = event_from_graph(
        graph_event("2026-11-25T00:00:00", "2026-11-26T00:00:00", "Customized Time Zone", all_day=True)
    )
    assert event is not None
    assert event.all_day_dates == (date(2026, 11, 25), date(2026, 11, 26))


def test_event_from_graph_flags() -> None:
    obj = graph_event("2026-11-24T09:00:00", "2026-11-24T10:00:00", show_as="Tentative")
    obj["isCancelled"] = True
    event = event_from_graph(obj)
    assert event is not None
    assert event.is_cancelled
    assert event.show_as == "tentative"
    no_show_as = event_from_graph(graph_event("2026-11-24T09:00:00", "2026-11-24T10:00:00", show_as=None))
    assert no_show_as is not None
    assert no_show_as.show_as is None
    assert not no_show_as.is_cancelled


def test_event_from_graph_keeps_backwards_events_for_compute_to_ignore() -> None:
    event = event_from_graph(graph_event("2026-11-24T10:00:00", "2026-11-24T09:00:00"))
    assert event is not None
    assert event.end < event.start


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        {},
        {"start": {"dateTime": "2026-11-24T09:00:00", "timeZone": "UTC"}},
        graph_event("not a time", "2026-11-24T10:00:00"),
        graph_event("2026-11-24T09:00:00", "2026-13-24T10:00:00"),
        graph_event("2026-11-24T09:00:00", "2026-11-24T10:00:00", "Mars Standard Time"),
        {"start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00"},
        {"start": {"dateTime": 20261124}, "end": {"dateTime": "2026-11-24T10:00:00"}},
    ],
)
def test_event_from_graph_unusable_data(obj: Any) -> None:
    assert event_from_graph(obj) is None


def test_calendar_event_refuses_naive_instants() -> None:
    with pytest.raises(ValueError, match="aware"):
        CalendarEvent(datetime(2026, 11, 24, 9), datetime(2026, 11, 24, 10), "busy", False, False, None, None)


# --------------------------------------------------------------------------- business hours and policy


def test_business_hours_default_is_weekdays_eight_to_five() -> None:
    default = BusinessHours.from_json(None)
    assert default == BusinessHours.default()
    assert default.to_json() == {
        **weekdays("08:00", "17:00"),
        "sat": None,
        "sun": None,
    }


def test_business_hours_parse_and_round_trip() -> None:
    source = {"mon": ["07:30", "24:00"], "tue": ["09:00", "17:00"], "sat": None}
    hours = BusinessHours.from_json(source)
    assert hours.to_json() == {
        "mon": ["07:30", "24:00"],
        "tue": ["09:00", "17:00"],
        "wed": None,
        "thu": None,
        "fri": None,
        "sat": None,
        "sun": None,
    }
    assert BusinessHours.from_json(hours.to_json()) == hours


def test_business_hours_closed_days() -> None:
    hours = BusinessHours.from_json(
        {"mon": ["17:00", "09:00"], "tue": ["09:00", "09:00"], "wed": ["24:00", "24:00"]}
    )
    assert hours.days == (None,) * 7


@pytest.mark.parametrize(
    ("obj", "named"),
    [
        ({"mon": ["8am", "17:00"]}, "mon"),
        ({"tue": ["08:00", "25:00"]}, "tue"),
        ({"wed": ["08:00", "17:60"]}, "wed"),
        ({"thu": ["08:00"]}, "thu"),
        ({"fri": "08:00-17:00"}, "fri"),
        ({"sat": [8, 17]}, "sat"),
        ({"sun": ["24:30", "24:00"]}, "sun"),
        ({"monday": ["08:00", "17:00"]}, "monday"),
        (["08:00", "17:00"], "business_hours"),
    ],
)
def test_business_hours_invalid_values_name_the_day(obj: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        BusinessHours.from_json(obj)


@pytest.mark.parametrize(
    "knobs",
    [
        {"horizon_hours": 0},
        {"slot_minutes": 0},
        {"min_window_minutes": -1},
        {"slot_minutes": True},
        {"horizon_hours": "48"},
        {"horizon_hours": float("nan")},
        {"horizon_hours": 1e300},
    ],
)
def test_policy_refuses_nonsense(knobs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        Policy(BusinessHours.default(), **knobs)


def test_policy_defaults() -> None:
    policy = Policy(BusinessHours.default())
    assert (policy.horizon_hours, policy.min_window_minutes, policy.slot_minutes) == (48, 30, 60)
    assert policy.tentative_blocks is True
    assert policy == Policy()


# --------------------------------------------------------------------------- property test

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/St_Johns",  # -03:30 with DST
    "Pacific/Chatham",  # +12:45 with DST
    "America/Santiago",  # DST changes at local midnight
    "UTC",
]
# Around the 2026 DST changes of the zones above (UTC dates).
DST_DAYS = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 4, 4, tzinfo=UTC),
    datetime(2026, 9, 6, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
]
SHOW_AS = [None, "free", "tentative", "busy", "oof", "workingElsewhere", "unknown"]
CLOCK_TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)] + [
    "00:00",
    "01:00",
    "01:30",
    "02:00",
    "02:30",
    "03:00",
    "08:07",
    "16:53",
    "24:00",
]


@st.composite
def triggers(draw: st.DrawFn) -> datetime:
    """Whole-minute instants, half of them within a few days of a DST change."""
    if draw(st.booleans()):
        base = draw(st.sampled_from(DST_DAYS))
        return base + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 2 * 24 * 60)))
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))


@st.composite
def hours_json(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.integers(0, 5)) == 0:
        return None
    out: dict[str, Any] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # missing key
        if choice == 1:
            out[day] = None
            continue
        pair = [draw(st.sampled_from(CLOCK_TIMES)), draw(st.sampled_from(CLOCK_TIMES))]
        # Mostly a real opening (open before close), sometimes any pair at all.
        out[day] = pair if choice == 2 else sorted(pair, key=lambda t: (t == "24:00", t))
    return out


@st.composite
def events(draw: st.DrawFn, trigger: datetime) -> list[CalendarEvent]:
    found = []
    for _ in range(draw(st.integers(0, 14))):
        show_as = draw(st.sampled_from(SHOW_AS))
        cancelled = draw(st.integers(0, 9)) == 0
        if draw(st.integers(0, 7)) == 0:
            first = trigger.date() + timedelta(days=draw(st.integers(-2, 3)))
            last = first + timedelta(days=draw(st.integers(-1, 2)))
            found.append(
                CalendarEvent(
                    datetime(first.year, first.month, first.day, tzinfo=UTC),
                    datetime(last.year, last.month, last.day, tzinfo=UTC),
                    show_as,
                    cancelled,
                    True,
                    first,
                    last,
                )
            )
        else:
            start = trigger + timedelta(minutes=draw(st.integers(-24 * 60, 3 * 24 * 60)))
            length = timedelta(minutes=draw(st.integers(-60, 10 * 60)))
            found.append(CalendarEvent(start, start + length, show_as, cancelled, False, None, None))
    return found


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    trigger = draw(triggers())
    return {
        "trigger": trigger,
        "zone": draw(st.sampled_from(ZONES)),
        "events": draw(events(trigger)),
        "hours_json": draw(hours_json()),
        "horizon_hours": draw(st.sampled_from([48, 48, 24, 72, 5])),
        "min_window_minutes": draw(st.sampled_from([30, 30, 0, 15, 45, 90])),
        "slot_minutes": draw(st.sampled_from([60, 60, 30, 45, 90])),
        "tentative_blocks": draw(st.booleans()),
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_compute_matches_the_minute_by_minute_reference(scenario: dict[str, Any]) -> None:
    zone = ZoneInfo(scenario["zone"])
    policy = Policy(
        BusinessHours.from_json(scenario["hours_json"]),
        horizon_hours=scenario["horizon_hours"],
        min_window_minutes=scenario["min_window_minutes"],
        slot_minutes=scenario["slot_minutes"],
        tentative_blocks=scenario["tentative_blocks"],
    )
    result = compute(scenario["trigger"], zone, scenario["events"], policy)
    windows, slots = reference_windows_and_slots(
        scenario["trigger"],
        zone,
        scenario["events"],
        hours_json=scenario["hours_json"],
        horizon_hours=scenario["horizon_hours"],
        min_window_minutes=scenario["min_window_minutes"],
        slot_minutes=scenario["slot_minutes"],
        tentative_blocks=scenario["tentative_blocks"],
    )
    assert [(w.start, w.end) for w in result.free_windows] == windows
    assert [(s.start, s.end) for s in result.slots] == slots
