"""A small Microsoft 365 tenant for the identity, Graph gateway and sign-in page tests,
the matching pivot directory, settings pointing at a running emulator, and the
sign-in done the way a browser would (the emulator's HTML form, no JavaScript)."""

from __future__ import annotations

import copy
import socket
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from emulator.testing import EmulatorHandle, sign_in_response
from services.config import Settings
from services.m365.signin import IdentityService, SignInResult
from tests.conftest import make_settings
from tests.samples import directory

TENANT_ID = "3f0c5a1e-8d2b-4c7a-9e61-2b7d4f1a9c33"
APP_ID = "6d1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"
APP_SECRET = "emulator-app-secret-for-tests-0123"
PIVOT = "pivot@contoso.com"
PIVOT_PASSWORD = "Pivot-Test-2026!"
FACILITIES = "facilities@contoso.com"
ROOM_BOOKINGS = "room-bookings"
EST = "Eastern Standard Time"
CONF4B = "conf4b@contoso.com"
THAMES = "lon-thames@contoso.com"
BRIDGE = "syd-bridge@contoso.com"
DARLING = "syd-darling@contoso.com"  # not shared with pivot
BUSY = "busy@contoso.com"  # many events: several pages
BUSY_DAYS = 25
BUSY_PER_DAY = 24
WEEK_START = date(2026, 11, 23)  # a Monday


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


def _busy_events() -> list[dict[str, Any]]:
    """BUSY_PER_DAY 15-minute meetings a day for BUSY_DAYS days, from WEEK_START."""
    events = []
    for day in range(BUSY_DAYS):
        for slot in range(BUSY_PER_DAY):
            start = datetime(2026, 11, 23, 6, 0) + timedelta(days=day, minutes=30 * slot)
            end = start + timedelta(minutes=15)
            events.append(_event(f"Meeting {day}-{slot}", start.isoformat(), end.isoformat(), "UTC"))
    return events


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
            "password": "facilities-pass",
            "mailboxSettings": {"timeZone": EST},
            "calendars": [{"id": ROOM_BOOKINGS, "name": "Room Bookings", "locations": [CONF4B, THAMES]}],
        },
    ],
    "rooms": [
        {
            "emailAddress": CONF4B,
            "displayName": "Conf Rm 4B (12)",
            "building": "HQ",
            "floorNumber": 4,
            "capacity": 12,
            "mailboxSettings": {"timeZone": EST},
            "events": [
                _event("Standup", "2026-11-24T09:00:00", "2026-11-24T09:30:00"),
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
                    "Daily cleaning",
                    "2026-11-20T07:00:00",
                    "2026-11-20T07:30:00",
                    showAs="free",
                    recurrence={
                        "pattern": {"type": "daily", "interval": 1},
                        "range": {"type": "noEnd", "startDate": "2026-11-20"},
                    },
                ),
                _event("Room closed", "2026-11-27T00:00:00", "2026-11-28T00:00:00", isAllDay=True),
                _event(
                    "Canceled: vendor demo", "2026-11-25T10:00:00", "2026-11-25T11:00:00", isCancelled=True
                ),
            ],
        },
        {
            "emailAddress": THAMES,
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
            "emailAddress": BRIDGE,
            "displayName": "Bridge Room",
            "building": "SYD",
            "mailboxSettings": {"timeZone": "Australia/Sydney"},
        },
        {
            "emailAddress": DARLING,
            "displayName": "Darling Training Rm",
            "building": "SYD",
            "mailboxSettings": {"timeZone": "AUS Eastern Standard Time"},
            "sharedWith": [FACILITIES],
            "events": [
                _event("Training", "2026-11-25T09:00:00", "2026-11-25T17:00:00", "AUS Eastern Standard Time")
            ],
        },
        {
            "emailAddress": BUSY,
            "displayName": "Busy Room",
            "building": "HQ",
            "mailboxSettings": {"timeZone": "UTC"},
            "events": _busy_events(),
        },
    ],
}


def tenant(redirect_uri: str) -> dict[str, Any]:
    """The tenant, with the product registered as its only app (secret and redirect URI checked)."""
    data = copy.deepcopy(_TENANT)
    data["apps"] = [{"client_id": APP_ID, "client_secret": APP_SECRET, "redirect_uris": [redirect_uri]}]
    return data


def directory_document() -> dict[str, Any]:
    """The sample pivot directory, its client living in the emulator's tenant."""
    doc = directory()
    doc["client"]["tenant_id"] = TENANT_ID
    return doc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emulator_settings(
    database_url: str, emu: EmulatorHandle, public_base_url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "AUTHORITY_HOST": emu.authority_host,
        "GRAPH_BASE_URL": emu.graph_base_url,
        "CA_BUNDLE": emu.ca_path,
        "AAD_CLIENT_ID": APP_ID,
        "AAD_CLIENT_SECRET": APP_SECRET,
        "PUBLIC_BASE_URL": public_base_url,
    }
    values.update(overrides)
    return make_settings(database_url, **values)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def browser_sign_in(
    emu: EmulatorHandle, authorize_url: str, password: str = PIVOT_PASSWORD
) -> dict[str, str]:
    """Fill the emulator's sign-in form; the fields its form_post page would send to our callback."""
    return await sign_in_response(
        authorize_url, username=PIVOT, password=password, ssl_context=emu.ssl_context()
    )


async def sign_in(identity: IdentityService, emu: EmulatorHandle, client_id: str = "contoso") -> SignInResult:
    """The whole sign-in without an HTTP server for the callback: link → form → complete."""
    link = await identity.start_sign_in(client_id, context={"conversation": "conv-1"})
    authorize_url = await identity.begin(link.session_id)
    return await identity.complete(await browser_sign_in(emu, authorize_url))
