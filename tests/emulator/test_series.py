"""Series through Graph: every pattern, cancelled and moved occurrences, DST."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from emulator.loader import TenantError, load_tenant
from emulator.testing import EmulatorHandle, acquire_token, running_emulator
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TODAY, call, tenant_dict

SERIES = "series@contoso.com"
EST, GMT = "Eastern Standard Time", "GMT Standard Time"


def _series(subject: str, start: str, end: str, zone: str, recurrence: dict[str, Any], **extra: Any) -> dict:
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "showAs": "busy",
        "recurrence": recurrence,
        **extra,
    }


def series_room() -> dict[str, Any]:
    weekly = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
        "range": {"type": "endDate", "startDate": "2026-10-20", "endDate": "2026-11-24"},
    }
    monthly = {
        "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
        "range": {"type": "numbered", "startDate": "2027-01-01", "numberOfOccurrences": 4},
    }
    yearly = {
        "pattern": {"type": "relativeYearly", "month": 3, "daysOfWeek": ["monday"], "index": "last"},
        "range": {"type": "noEnd", "startDate": "2027-01-01"},
    }
    return {
        "emailAddress": SERIES,
        "displayName": "Series Room",
        "mailboxSettings": {"timeZone": EST},
        "events": [
            _series(
                "Weekly review",
                "2026-10-20T09:00:00",
                "2026-10-20T10:00:00",
                EST,
                weekly,
                exceptions=[
                    {"originalStart": "2026-10-27T09:00:00", "cancelled": True},
                    {
                        "originalStart": "2026-11-10T09:00:00",
                        "start": {"dateTime": "2026-11-12T15:00:00", "timeZone": EST},
                        "end": {"dateTime": "2026-11-12T16:30:00", "timeZone": EST},
                        "subject": "Moved review",
                        "showAs": "tentative",
                    },
                ],
            ),
            _series(
                "Month end",
                "2027-01-31T10:00:00",
                "2027-01-31T11:00:00",
                GMT,
                monthly,
                exceptions=[{"originalStart": "2027-02-28T10:00:00", "cancelled": True}],
            ),
            _series("Year planning", "2027-03-29T10:00:00", "2027-03-29T12:00:00", GMT, yearly),
        ],
    }


def series_tenant() -> dict[str, Any]:
    raw = tenant_dict()
    raw["rooms"].append(series_room())
    return raw


@pytest.fixture
async def emu_series(ca_dir: Path) -> Any:
    async with running_emulator(series_tenant(), ca_dir=ca_dir, today=TODAY) as handle:
        token = str((await acquire_token(handle, PIVOT, PIVOT_PASSWORD))["access_token"])
        yield handle, token


async def _view(emu: EmulatorHandle, token: str, start: str, end: str) -> list[dict[str, Any]]:
    link: str | None = f"/v1.0/users/{SERIES}/calendarView?startDateTime={start}&endDateTime={end}&$top=3"
    items: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        while link:
            status, body, _ = await call(session, emu, link, token=token)
            assert status == 200, body
            items += body["value"]
            link = body.get("@odata.nextLink")
    return items


async def test_weekly_series_with_cancelled_and_moved_occurrences_across_dst(emu_series: Any) -> None:
    emu, token = emu_series
    items = await _view(emu, token, "2026-10-19T00:00:00Z", "2026-11-30T00:00:00Z")
    got = [(e["subject"], e["type"], e["start"]["dateTime"][:16], e["end"]["dateTime"][:16]) for e in items]
    assert got == [
        ("Weekly review", "occurrence", "2026-10-20T13:00", "2026-10-20T14:00"),  # EDT
        # 10-27 cancelled: omitted
        ("Weekly review", "occurrence", "2026-11-03T14:00", "2026-11-03T15:00"),  # EST after the change
        ("Moved review", "exception", "2026-11-12T20:00", "2026-11-12T21:30"),  # 11-10 moved
        ("Weekly review", "occurrence", "2026-11-17T14:00", "2026-11-17T15:00"),
        ("Weekly review", "occurrence", "2026-11-24T14:00", "2026-11-24T15:00"),
    ]
    assert len({e["seriesMasterId"] for e in items}) == 1 and items[0]["seriesMasterId"]
    moved = items[2]
    assert moved["showAs"] == "tentative" and len({e["id"] for e in items}) == 5

    async with aiohttp.ClientSession() as session:
        status, body, _ = await call(
            session,
            emu,
            f"/v1.0/users/{PIVOT}/calendar/getSchedule",
            token=token,
            method="POST",
            json={
                "schedules": [SERIES],
                "startTime": {"dateTime": "2026-10-27T13:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2026-10-27T14:00:00", "timeZone": "UTC"},
                "availabilityViewInterval": 60,
            },
        )
        assert status == 200 and body["value"][0]["availabilityView"] == "0"  # cancelled: free
        status, body, _ = await call(
            session,
            emu,
            f"/v1.0/users/{PIVOT}/calendar/getSchedule",
            token=token,
            method="POST",
            json={
                "schedules": [SERIES],
                "startTime": {"dateTime": "2026-11-10T14:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2026-11-12T21:00:00", "timeZone": "UTC"},
                "availabilityViewInterval": 60,
            },
        )
    view = body["value"][0]["availabilityView"]
    assert view[0] == "0"  # the moved-away slot is free
    assert view[-1] == "1"  # the new time is tentative


async def test_monthly_and_yearly_series_in_london_across_dst(emu_series: Any) -> None:
    emu, token = emu_series
    items = await _view(emu, token, "2027-01-01T00:00:00Z", "2027-05-01T00:00:00Z")
    got = [(e["subject"], e["start"]["dateTime"][:16]) for e in items]
    assert got == [
        ("Month end", "2027-01-31T10:00"),  # GMT
        # 02-28 (the 31st falls on February's last day) was cancelled but still counts
        ("Year planning", "2027-03-29T09:00"),  # last Monday of March, BST from 03-28
        ("Month end", "2027-03-31T09:00"),  # 10:00 BST is 09:00Z
        ("Month end", "2027-04-30T09:00"),  # the fourth and last of a numbered range
    ]


def test_exceptions_must_name_an_occurrence() -> None:
    raw = series_tenant()
    raw["rooms"][-1]["events"][0]["exceptions"].append(
        {"originalStart": "2026-10-21T09:00:00", "cancelled": True}
    )
    with pytest.raises(TenantError, match="not an occurrence"):
        load_tenant(raw, today=TODAY)
    raw = series_tenant()
    raw["rooms"][-1]["events"][0]["recurrence"] = None
    with pytest.raises(TenantError, match="series master"):
        load_tenant(raw, today=TODAY)
    raw = series_tenant()
    raw["rooms"][-1]["events"][0]["exceptions"].append({"cancelled": True})
    with pytest.raises(TenantError, match="originalStart"):
        load_tenant(raw, today=TODAY)
