"""A small tenant with fixed dates, and HTTP helpers shared by the emulator tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import aiohttp

from emulator.testing import EmulatorHandle

TENANT_ID = "7c3e8a52-2f4d-4b7e-9a61-5d0c8e2b4f10"
TODAY = date(2026, 11, 24)  # a Tuesday
PIVOT = "pivot@contoso.com"
PIVOT_PASSWORD = "pivot-pass"
FACILITIES = "facilities@contoso.com"
ROOM_BOOKINGS = "room-bookings"
EST = "Eastern Standard Time"


def _event(subject: str, start: str, end: str, zone: str = EST, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "organizer": {"emailAddress": {"name": "Bo Smith", "address": "bo@contoso.com"}},
        "showAs": "busy",
        "isAllDay": False,
        "isCancelled": False,
        **extra,
    }


_TENANT: dict[str, Any] = {
    "tenant_id": TENANT_ID,
    "domain": "contoso.com",
    "users": [
        {
            "userPrincipalName": PIVOT,
            "displayName": "pivot",
            "password": PIVOT_PASSWORD,
            "mailboxSettings": {"timeZone": EST},
            "calendars": [{"id": ROOM_BOOKINGS, "name": "Room Bookings", "owner": FACILITIES}],
        },
        {
            "userPrincipalName": FACILITIES,
            "displayName": "Contoso Facilities",
            "password": "fac-pass",
            "mailboxSettings": {"timeZone": EST},
            "calendars": [
                {
                    "id": ROOM_BOOKINGS,
                    "name": "Room Bookings",
                    "locations": ["conf4b@contoso.com", "lon-thames@contoso.com"],
                    "events": [
                        _event(
                            "Facilities walkthrough",
                            "2026-11-25T16:00:00",
                            "2026-11-25T16:30:00",
                            location="Lobby",
                        )
                    ],
                }
            ],
        },
        {
            "id": "a0000000-0000-4000-8000-000000000001",
            "userPrincipalName": "ada@contoso.com",
            "displayName": "Ada Admin",
            "givenName": "Ada",
            "surname": "Admin",
            "password": "ada-pass",
            "mailboxSettings": {"timeZone": "Pacific Standard Time"},
        },
    ],
    "rooms": [
        {
            "emailAddress": "conf4b@contoso.com",
            "displayName": "Conf Rm 4B (12)",
            "building": "HQ",
            "floorNumber": 4,
            "capacity": 12,
            "mailboxSettings": {"timeZone": EST},
            "events": [
                _event("Standup", "2026-11-24T09:00:00", "2026-11-24T09:30:00"),
                _event(
                    "Daily cleaning",
                    "2026-11-01T07:00:00",
                    "2026-11-01T07:30:00",
                    showAs="free",
                    recurrence={
                        "pattern": {"type": "daily", "interval": 1},
                        "range": {"type": "noEnd", "startDate": "2026-11-01"},
                    },
                ),
                _event(
                    "Team sync",
                    "2026-11-24T14:00:00",
                    "2026-11-24T15:00:00",
                    recurrence={
                        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday", "thursday"]},
                        "range": {"type": "numbered", "startDate": "2026-11-24", "numberOfOccurrences": 4},
                    },
                ),
                _event(
                    "Fortnightly review",
                    "2026-11-02T11:00:00",
                    "2026-11-02T12:00:00",
                    recurrence={
                        "pattern": {
                            "type": "weekly",
                            "interval": 2,
                            "daysOfWeek": ["monday"],
                            "firstDayOfWeek": "sunday",
                        },
                        "range": {"type": "endDate", "startDate": "2026-11-02", "endDate": "2026-12-14"},
                    },
                ),
                _event("Room closed", "2026-11-27T00:00:00", "2026-11-28T00:00:00", isAllDay=True),
                _event(
                    "Canceled: vendor demo", "2026-11-25T10:00:00", "2026-11-25T11:00:00", isCancelled=True
                ),
                _event("FYI: fire drill", "2026-11-25T11:00:00", "2026-11-25T11:30:00", showAs="free"),
                _event("Interview loop", "2026-11-25T13:00:00", "2026-11-25T14:00:00", showAs="tentative"),
            ],
        },
        {
            "emailAddress": "lon-thames@contoso.com",
            "displayName": "LON-02-Thames (8) [VC]",
            "building": "LON",
            "floorNumber": 2,
            "capacity": 8,
            "mailboxSettings": {"timeZone": "GMT Standard Time"},
            "events": [
                _event("London sync", "2026-11-25T10:00:00", "2026-11-25T11:00:00", "GMT Standard Time")
            ],
        },
        {
            "emailAddress": "syd-darling@contoso.com",
            "displayName": "Darling Training Rm",
            "building": "SYD",
            "floorNumber": 14,
            "capacity": 24,
            "mailboxSettings": {"timeZone": "AUS Eastern Standard Time"},
            "sharedWith": [FACILITIES],
            "events": [
                _event("Training", "2026-11-25T09:00:00", "2026-11-25T17:00:00", "AUS Eastern Standard Time")
            ],
        },
        {
            "emailAddress": "syd-bridge@contoso.com",
            "displayName": "Bridge Room",
            "building": "SYD",
            "floorNumber": 14,
            "capacity": 8,
            "mailboxSettings": {"timeZone": "Australia/Sydney"},
            "events": [
                _event("Sydney planning", "2026-11-25T09:00:00", "2026-11-25T10:00:00", "Australia/Sydney")
            ],
        },
        {
            "emailAddress": "spare@contoso.com",
            "displayName": "Spare Room",
            "mailboxSettings": {"timeZone": EST},
        },
    ],
}


def tenant_dict() -> dict[str, Any]:
    """A fresh copy of the test tenant (tests may change it)."""
    return copy.deepcopy(_TENANT)


async def call(
    session: aiohttp.ClientSession,
    emu: EmulatorHandle,
    path: str,
    *,
    token: str | None = None,
    method: str = "GET",
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """One HTTPS request to the emulator; (status, JSON body or None, headers)."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    url = path if path.startswith("https://") else emu.base_url + path
    async with session.request(method, url, json=json, headers=sent, ssl=emu.ssl_context()) as response:
        text = await response.text()
        body = await response.json(content_type=None) if text.strip() else None
        return response.status, body, dict(response.headers)
