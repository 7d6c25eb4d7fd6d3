"""Odd values Graph returns are loaded and served as Graph serves them (DESIGN 3.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from emulator.loader import load_tenant
from emulator.testing import EmulatorHandle, acquire_token, running_emulator
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TODAY, call, tenant_dict

ODD = "odd@contoso.com"
CUSTOM_ZONE = "Contoso Custom Time"
EST, PST = "Eastern Standard Time", "Pacific Standard Time"


def _when(value: str, zone: str) -> dict[str, str]:
    return {"dateTime": value, "timeZone": zone}


def odd_room() -> dict[str, Any]:
    """A room holding every odd shape of issue 13 point 1."""
    return {
        "emailAddress": ODD,
        "displayName": "Odd Room",
        "mailboxSettings": {
            "timeZone": CUSTOM_ZONE,
            "workingHours": {"daysOfWeek": ["monday"], "timeZone": {"name": "Eastren Time"}},
        },
        "events": [
            # the same instant: 14:00 EST is 11:00 PST
            {"subject": "cross zero", "start": _when("2026-11-25T14:00:00", EST),
             "end": _when("2026-11-25T11:00:00", PST), "showAs": "busy"},
            # one hour: 10:00 EST to 08:00 PST
            {"subject": "cross hour", "start": _when("2026-11-25T10:00:00", EST),
             "end": _when("2026-11-25T08:00:00", PST), "showAs": "busy"},
            {"subject": "zero all-day", "isAllDay": True, "start": _when("2026-11-26T00:00:00", EST),
             "end": _when("2026-11-26T00:00:00", EST)},
            {"subject": "three days", "isAllDay": True, "start": _when("2026-11-25T00:00:00", EST),
             "end": _when("2026-11-28T00:00:00", EST), "showAs": "oof", "isCancelled": False},
            {"subject": "null flags", "start": _when("2026-11-25T12:00:00", "UTC"),
             "end": _when("2026-11-25T13:00:00", "UTC"),
             "showAs": None, "isCancelled": None, "isAllDay": None},
            {"subject": "backwards", "start": _when("2026-11-25T18:00:00", "UTC"),
             "end": _when("2026-11-25T17:00:00", "UTC"), "showAs": "busy"},
            # no zone given: the mailbox's unknown zone, computed as UTC
            {"subject": "custom zone", "start": {"dateTime": "2026-11-25T20:00:00"},
             "end": {"dateTime": "2026-11-25T21:00:00"}, "showAs": "tentative"},
        ],
    }  # fmt: skip


def odd_tenant() -> dict[str, Any]:
    raw = tenant_dict()
    raw["rooms"].append(odd_room())
    return raw


def test_the_loader_accepts_every_odd_shape() -> None:
    tenant = load_tenant(odd_tenant(), today=TODAY)
    room = tenant.find(ODD)
    assert room is not None and room.time_zone == CUSTOM_ZONE
    subjects = [e.subject for e in tenant.calendars[room.default_calendar_id].events]
    assert len(subjects) == 7


async def _view(emu: EmulatorHandle, token: str) -> dict[str, dict[str, Any]]:
    query = "startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-29T00:00:00Z&$top=100"
    async with aiohttp.ClientSession() as session:
        status, body, _ = await call(session, emu, f"/v1.0/users/{ODD}/calendarView?{query}", token=token)
    assert status == 200
    return {e["subject"]: e for e in body["value"]}


async def test_odd_events_are_served_as_written(ca_dir: Path) -> None:
    async with running_emulator(odd_tenant(), ca_dir=ca_dir, today=TODAY) as emu:
        token = str((await acquire_token(emu, PIVOT, PIVOT_PASSWORD))["access_token"])
        events = await _view(emu, token)
        assert set(events) == {
            "cross zero", "cross hour", "zero all-day", "three days",
            "null flags", "backwards", "custom zone",
        }  # fmt: skip
        zero = events["cross zero"]
        assert zero["start"]["dateTime"] == zero["end"]["dateTime"] == "2026-11-25T19:00:00.0000000"
        assert (zero["originalStartTimeZone"], zero["originalEndTimeZone"]) == (EST, PST)
        hour = events["cross hour"]
        assert (hour["start"]["dateTime"], hour["end"]["dateTime"]) == (
            "2026-11-25T15:00:00.0000000",
            "2026-11-25T16:00:00.0000000",
        )
        flat = events["zero all-day"]
        assert flat["isAllDay"] is True and flat["start"]["dateTime"] == flat["end"]["dateTime"]
        assert "showAs" not in flat and "isCancelled" not in flat
        long = events["three days"]
        assert (long["start"]["dateTime"][:10], long["end"]["dateTime"][:10]) == ("2026-11-25", "2026-11-28")
        nulls = events["null flags"]
        assert nulls["showAs"] is None and nulls["isCancelled"] is None and nulls["isAllDay"] is None
        back = events["backwards"]
        assert (back["start"]["dateTime"], back["end"]["dateTime"]) == (
            "2026-11-25T18:00:00.0000000",
            "2026-11-25T17:00:00.0000000",
        )
        custom = events["custom zone"]
        assert custom["originalStartTimeZone"] == CUSTOM_ZONE
        assert custom["start"]["dateTime"] == "2026-11-25T20:00:00.0000000"

        async with aiohttp.ClientSession() as session:
            status, settings, _ = await call(session, emu, f"/v1.0/users/{ODD}/mailboxSettings", token=token)
            assert status == 200 and settings["timeZone"] == CUSTOM_ZONE
            assert settings["workingHours"]["timeZone"]["name"] == "Eastren Time"
            status, body, _ = await call(
                session,
                emu,
                f"/v1.0/users/{PIVOT}/calendar/getSchedule",
                token=token,
                method="POST",
                json={
                    "schedules": [ODD],
                    "startTime": {"dateTime": "2026-11-25T12:00:00", "timeZone": "UTC"},
                    "endTime": {"dateTime": "2026-11-25T14:00:00", "timeZone": "UTC"},
                    "availabilityViewInterval": 60,
                },
            )
        assert status == 200
        schedule = body["value"][0]
        assert schedule["workingHours"]["timeZone"]["name"] == "Eastren Time"
        # the null-showAs hour blocks; the all-day oof covers the day
        assert schedule["availabilityView"] == "33"
