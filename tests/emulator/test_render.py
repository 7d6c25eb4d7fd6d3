"""The emulator's JSON has the keys and value types of Graph's documented examples
(fixtures/graph/*.json), so it cannot drift from Graph."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from emulator.render import EVENT_PROPERTIES
from emulator.testing import EmulatorHandle
from tests.emulator.support import ROOM_BOOKINGS, call

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
# Graph objects whose optional members vary (a room location carries locationUri and an
# address; an empty location has no uniqueId): only their common members are compared.
OPEN_OBJECTS = {"location", "locations[]", "address", "coordinates"}
GRAPH_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$")


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _same_type(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual)
    if isinstance(expected, int | float):
        return isinstance(actual, int | float)
    return isinstance(actual, type(expected))


def assert_same_shape(expected: Any, actual: Any, path: str = "$") -> None:
    """Same keys (exactly, except open objects) and same JSON types, recursively."""
    if expected is None or actual is None:
        return  # Graph properties are nullable
    assert _same_type(expected, actual), f"{path}: {type(actual).__name__} is not {type(expected).__name__}"
    name = path.rsplit(".", 1)[-1]
    if isinstance(expected, dict):
        if name not in OPEN_OBJECTS:
            missing = set(expected) - set(actual)
            extra = set(actual) - set(expected)
            assert not missing, f"{path}: missing {sorted(missing)}"
            assert not extra, f"{path}: not in Graph's example {sorted(extra)}"
        for key, value in expected.items():
            if key in actual:
                assert_same_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected:
        for item in actual:
            assert_same_shape(expected[0], item, f"{path}[]")


def assert_collection(fixture: str, body: dict) -> None:
    expected = _fixture(fixture)
    envelope = {k for k in expected if k != "@odata.nextLink"}
    assert envelope <= set(body) <= envelope | {"@odata.nextLink"}
    assert body["value"], "need at least one item to compare"
    for item in body["value"]:
        assert_same_shape(expected["value"][0], item)


def assert_graph_datetimes(item: dict) -> None:
    for key in ("start", "end"):
        assert GRAPH_DATETIME.match(item[key]["dateTime"]), item[key]


async def test_calendar_view_items(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=("Calendars.ReadWrite", "Calendars.Read.Shared"))
    await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json={
            "subject": "With attendee",
            "start": {"dateTime": "2026-11-25T16:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-25T16:30:00", "timeZone": "UTC"},
            "attendees": [
                {"emailAddress": {"address": "conf4b@contoso.com", "name": "Conf Rm 4B"}, "type": "resource"}
            ],
        },
    )
    window = "startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-28T00:00:00Z&$top=100"
    for path in (
        "/v1.0/users/conf4b@contoso.com/calendar/calendarView",
        f"/v1.0/me/calendars/{ROOM_BOOKINGS}/calendarView",
        "/v1.0/me/calendarView",
    ):
        status, body, _ = await call(session, emu, f"{path}?{window}", token=token)
        assert status == 200
        assert_collection("calendarView", body)
        for item in body["value"]:
            assert_graph_datetimes(item)
    assert set(EVENT_PROPERTIES) | {"@odata.etag"} == set(_fixture("calendarView")["value"][0])


async def test_created_event(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=("Calendars.ReadWrite",))
    status, body, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json={
            "subject": "x",
            "start": {"dateTime": "2026-11-25T16:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-25T16:30:00", "timeZone": "UTC"},
        },
    )
    assert status == 201
    item = {k: v for k, v in body.items() if k != "@odata.context"}
    assert_same_shape(_fixture("calendarView")["value"][0], item)


async def test_calendars(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me/calendars", token=token)
    assert status == 200
    assert_collection("calendars", body)


async def test_mailbox_settings(emu: EmulatorHandle, session, token: str) -> None:
    for who in ("me", "users/conf4b@contoso.com"):
        status, body, _ = await call(session, emu, f"/v1.0/{who}/mailboxSettings", token=token)
        assert status == 200
        assert_same_shape(_fixture("mailboxSettings"), body)


async def test_rooms(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room", token=token)
    assert status == 200
    assert_collection("places-room", body)


async def test_get_schedule(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(
        session,
        emu,
        "/v1.0/me/calendar/getSchedule",
        token=token,
        method="POST",
        json={
            "schedules": ["conf4b@contoso.com"],
            "startTime": {"dateTime": "2026-11-24T00:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-11-26T00:00:00", "timeZone": "UTC"},
        },
    )
    assert status == 200
    assert_collection("getSchedule", body)
    for item in body["value"][0]["scheduleItems"]:
        assert_graph_datetimes(item)


async def test_user(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 200
    assert_same_shape(_fixture("user"), body)


@pytest.mark.parametrize(
    "path",
    [
        "/v1.0/users/syd-darling@contoso.com/calendar/calendarView"
        "?startDateTime=2026-11-24&endDateTime=2026-11-25",
        "/v1.0/nowhere",
        "/v1.0/users/x@contoso.com/mailboxSettings",
    ],
)
async def test_errors(emu: EmulatorHandle, session, token: str, path: str) -> None:
    status, body, _ = await call(session, emu, path, token=token)
    assert status >= 400
    assert_same_shape(_fixture("error"), body)


async def test_unauthenticated_error(emu: EmulatorHandle, session) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me")
    assert status == 401
    assert_same_shape(_fixture("error"), body)


async def test_batch(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(
        session,
        emu,
        "/v1.0/$batch",
        token=token,
        method="POST",
        json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]},
    )
    assert status == 200
    expected = _fixture("batch")
    assert set(body) == set(expected)
    for item in body["responses"]:
        assert set(item) == set(expected["responses"][0])
        assert_same_shape(expected["responses"][0]["status"], item["status"])
        assert item["headers"]["Content-Type"] == "application/json"
        assert_same_shape(_fixture("user"), item["body"])


def test_comparator_catches_drift() -> None:
    expected = _fixture("user")
    with pytest.raises(AssertionError, match="missing"):
        assert_same_shape(expected, {k: v for k, v in expected.items() if k != "mail"})
    with pytest.raises(AssertionError, match="not in Graph"):
        assert_same_shape(expected, {**expected, "shoeSize": 9})
    with pytest.raises(AssertionError, match="is not"):
        assert_same_shape(expected, {**expected, "businessPhones": "none"})
