"""Conformance with msgraph-sdk: every emulator response the product reads is parsed
by the SDK's own kiota models and re-serialised, and no member the emulator sent
is lost, unknown to the model or mistyped (issue 13 point 5).

The tenant holds the odd shapes too (cross-zone, zero-length and negative events,
null flags, unknown zones, every recurrence pattern with exceptions), so the
shapes Graph serves and the product must read are all checked.

`$batch` envelopes are checked member by member (msgraph-core's batch models
need a package the project does not install); each item's body is parsed with
the model of the request it answers.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from kiota_abstractions.serialization import Parsable
from kiota_serialization_json.json_parse_node import JsonParseNode
from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter
from msgraph.generated.models.calendar_collection_response import CalendarCollectionResponse
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_collection_response import EventCollectionResponse
from msgraph.generated.models.mailbox_settings import MailboxSettings
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.room import Room
from msgraph.generated.models.room_collection_response import RoomCollectionResponse
from msgraph.generated.models.user import User
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_response import (
    GetSchedulePostResponse,
)

from emulator.testing import EmulatorHandle, acquire_token, running_emulator
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TODAY, call, tenant_dict
from tests.emulator.test_odd_values import ODD, odd_room
from tests.emulator.test_series import SERIES, series_room

Factory = type[Parsable]
WRITE = ("User.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Place.Read.All", "User.ReadBasic.All")
ROOMS = ("conf4b@contoso.com", "syd-bridge@contoso.com", ODD, SERIES)
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def _temporal(value: str) -> datetime | time | date | None:
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    for parse in (datetime.fromisoformat, time.fromisoformat, date.fromisoformat):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed
    return None


def _same_scalar(sent: Any, again: Any) -> bool:
    if isinstance(sent, bool) or isinstance(again, bool):
        return sent is again
    if isinstance(sent, int | float) and isinstance(again, int | float):
        return float(sent) == float(again)
    if isinstance(sent, str) and isinstance(again, str) and sent != again:
        left, right = _temporal(sent), _temporal(again)
        if left is not None and right is not None and type(left) is type(right):
            if isinstance(left, datetime) and isinstance(right, datetime):
                aware = left.tzinfo is not None and right.tzinfo is not None
                return left == right if aware else left.replace(tzinfo=None) == right.replace(tzinfo=None)
            return left == right
        return False
    return sent == again


def assert_kept(sent: Any, again: Any, path: str = "$") -> None:
    """Every member of `sent` is in `again` with the same value (nulls may be dropped)."""
    if sent is None:
        assert again is None, f"{path}: null became {again!r}"
        return
    if isinstance(sent, dict):
        assert isinstance(again, dict), f"{path}: object became {type(again).__name__}"
        for key, value in sent.items():
            if value is None:
                assert again.get(key) is None, f"{path}.{key}: null became {again[key]!r}"
                continue
            assert key in again, f"{path}.{key}: lost by the SDK model"
            assert_kept(value, again[key], f"{path}.{key}")
        return
    if isinstance(sent, list):
        assert isinstance(again, list) and len(again) == len(sent), f"{path}: list changed"
        for n, (left, right) in enumerate(zip(sent, again, strict=True)):
            assert_kept(left, right, f"{path}[{n}]")
        return
    assert _same_scalar(sent, again), f"{path}: {sent!r} came back as {again!r} (mistyped)"


def unknown_members(obj: Any, path: str = "$") -> list[str]:
    """Members the model did not know (they land in additional_data), recursively."""
    found = [
        f"{path}.{k}" for k in (getattr(obj, "additional_data", None) or {}) if not k.startswith("@odata.")
    ]
    if not dataclasses.is_dataclass(obj):
        return found
    for item in dataclasses.fields(obj):
        value = getattr(obj, item.name)
        values = value if isinstance(value, list) else [value]
        for n, child in enumerate(values):
            if isinstance(child, Parsable):
                found += unknown_members(
                    child, f"{path}.{item.name}" + (f"[{n}]" if isinstance(value, list) else "")
                )
    return found


def round_trip(body: Any, factory: Factory) -> Parsable:
    """Parse with the SDK model, re-serialise, and check nothing was lost or mistyped."""
    assert isinstance(body, dict), body
    parsed = JsonParseNode(json.loads(json.dumps(body))).get_object_value(factory)
    assert unknown_members(parsed) == [], "members the SDK model does not know"
    writer = JsonSerializationWriter()
    writer.write_object_value(None, parsed)
    again = json.loads(writer.get_serialized_content())
    assert_kept(body, again)
    return parsed


def conformance_tenant() -> dict[str, Any]:
    raw = tenant_dict()
    raw["rooms"] += [odd_room(), series_room()]
    return raw


@pytest.fixture
async def conform(ca_dir: Path) -> AsyncIterator[tuple[EmulatorHandle, str, aiohttp.ClientSession]]:
    async with (
        running_emulator(conformance_tenant(), ca_dir=ca_dir, today=TODAY) as emu,
        aiohttp.ClientSession() as session,
    ):
        token = str((await acquire_token(emu, PIVOT, PIVOT_PASSWORD, scopes=WRITE))["access_token"])
        yield emu, token, session


async def _get(conform: Any, path: str, **options: Any) -> Any:
    emu, token, session = conform
    status, body, _ = await call(session, emu, path, token=token, **options)
    assert status < 300, (path, body)
    return body


@pytest.mark.parametrize("prefer", [None, 'outlook.timezone="Eastern Standard Time"'])
async def test_calendar_views_parse_with_the_sdk(conform: Any, prefer: str | None) -> None:
    headers = {"Prefer": prefer} if prefer else {}
    windows = [
        ("2026-10-15T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("2026-11-20T00:00:00Z", "2026-12-05T00:00:00Z"),
        ("2027-01-01T00:00:00Z", "2027-05-01T00:00:00Z"),
    ]
    kinds: set[str] = set()
    for room in ROOMS:
        for start, end in windows:
            link: str | None = (
                f"/v1.0/users/{room}/calendarView?startDateTime={start}&endDateTime={end}&$top=20"
            )
            while link:
                body = await _get(conform, link, headers=headers)
                parsed = round_trip(body, EventCollectionResponse)
                assert isinstance(parsed, EventCollectionResponse)
                kinds |= {str(e.type.value) for e in parsed.value or [] if e.type}
                link = body.get("@odata.nextLink")
                assert link is None or parsed.odata_next_link == link
    assert {"singleInstance", "occurrence", "exception"} <= kinds


async def test_directory_resources_parse_with_the_sdk(conform: Any) -> None:
    round_trip(await _get(conform, "/v1.0/me"), User)
    for room in ROOMS:
        round_trip(await _get(conform, f"/v1.0/users/{room}"), User)
        settings = await _get(conform, f"/v1.0/users/{room}/mailboxSettings")
        parsed = round_trip(settings, MailboxSettings)
        assert isinstance(parsed, MailboxSettings) and parsed.time_zone == settings["timeZone"]
    round_trip(await _get(conform, "/v1.0/me/calendars"), CalendarCollectionResponse)
    link: str | None = "/v1.0/places/microsoft.graph.room?$top=3"
    while link:
        body = await _get(conform, link)
        round_trip(body, RoomCollectionResponse)
        link = body.get("@odata.nextLink")


async def test_get_schedule_parses_with_the_sdk(conform: Any) -> None:
    body = await _get(
        conform,
        f"/v1.0/users/{PIVOT}/calendar/getSchedule",
        method="POST",
        json={
            "schedules": [*ROOMS, "syd-darling@contoso.com", "nobody@contoso.com"],
            "startTime": {"dateTime": "2026-11-24T00:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-11-27T00:00:00", "timeZone": "UTC"},
        },
    )
    parsed = round_trip(body, GetSchedulePostResponse)
    assert isinstance(parsed, GetSchedulePostResponse) and len(parsed.value or []) == len(ROOMS) + 2


async def test_created_and_read_events_parse_with_the_sdk(conform: Any) -> None:
    created = await _get(
        conform,
        "/v1.0/me/events",
        method="POST",
        json={
            "subject": "Service visit: projector (inc-1)",
            "transactionId": "claim-1",
            "start": {"dateTime": "2026-11-26T10:00:00", "timeZone": "Eastern Standard Time"},
            "end": {"dateTime": "2026-11-26T11:00:00", "timeZone": "Eastern Standard Time"},
            "attendees": [{"type": "resource", "emailAddress": {"address": "conf4b@contoso.com"}}],
            "recurrence": {
                "pattern": {"type": "relativeMonthly", "daysOfWeek": ["thursday"], "index": "last"},
                "range": {"type": "numbered", "startDate": "2026-11-26", "numberOfOccurrences": 2},
            },
        },
    )
    parsed = round_trip(created, Event)
    assert isinstance(parsed, Event) and parsed.recurrence is not None
    got = await _get(conform, f"/v1.0/me/events/{created['id']}")
    round_trip(got, Event)


async def test_batch_items_and_error_bodies_parse_with_the_sdk(conform: Any) -> None:
    emu, token, session = conform
    emu.state.add_fault("429", count=1, retry_after=0, mailbox="syd-bridge@contoso.com")
    requests = [
        {"id": "1", "method": "GET", "url": "/me"},
        {
            "id": "2",
            "method": "GET",
            "url": f"/users/{ODD}/calendarView?startDateTime=2026-11-24T00:00:00Z"
            "&endDateTime=2026-11-29T00:00:00Z",
        },
        {"id": "3", "method": "GET", "url": "/users/syd-bridge@contoso.com/mailboxSettings"},
        {"id": "4", "method": "GET", "url": "/users/nobody@contoso.com/mailboxSettings"},
        {"id": "5", "method": "GET", "url": "/places/microsoft.graph.room"},
    ]
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": requests}
    )
    assert status == 200 and set(body) == {"responses"}
    factories: dict[str, Factory] = {
        "1": User,
        "2": EventCollectionResponse,
        "5": RoomCollectionResponse,
    }
    by_id = {item["id"]: item for item in body["responses"]}
    assert set(by_id) == {"1", "2", "3", "4", "5"}
    for item_id, item in by_id.items():
        assert set(item) <= {"id", "status", "headers", "body"} and isinstance(item["status"], int)
        assert isinstance(item.get("headers", {}), dict)
        if item["status"] < 300:
            round_trip(item["body"], factories[item_id])
        else:
            error = round_trip(item["body"], ODataError)
            assert isinstance(error, ODataError) and error.error is not None
    assert by_id["3"]["status"] == 429 and by_id["4"]["status"] == 404

    # errors outside a batch: 400, 401, 403, 404
    cases = [
        ("/v1.0/users/conf4b@contoso.com/calendarView", token, 400),
        ("/v1.0/me", "not-a-token", 401),
        (
            "/v1.0/users/syd-darling@contoso.com/calendarView?startDateTime=2026-11-24&endDateTime=2026-11-25",
            token,
            403,
        ),
        ("/v1.0/users/nobody@contoso.com/mailboxSettings", token, 404),
    ]
    for path, bearer, expected in cases:
        status, error_body, _ = await call(session, emu, path, token=bearer)
        assert status == expected, (path, error_body)
        error = round_trip(error_body, ODataError)
        assert isinstance(error, ODataError) and error.error is not None
        assert error.error.code == error_body["error"]["code"] and error.error.message
        inner = error.error.inner_error
        assert inner is not None and inner.request_id and inner.client_request_id and inner.date


def test_the_check_catches_lost_and_mistyped_members() -> None:
    room = {"id": "r", "displayName": "R", "capacity": 12, "emailAddress": "r@contoso.com"}
    round_trip(room, Room)
    with pytest.raises(AssertionError):
        round_trip({**room, "capacity": "12"}, Room)  # a string where Graph has an integer
    with pytest.raises(AssertionError):
        round_trip({**room, "floorNumbr": 4}, Room)  # a member Graph does not have
    with pytest.raises(AssertionError):
        round_trip({**room, "isWheelChairAccessible": "yes"}, Room)
