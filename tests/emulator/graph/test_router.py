"""Auth, fault injection and counters around every Graph request."""

import asyncio
import time

import aiohttp
import jwt
import pytest

from emulator.testing import EmulatorHandle
from tests.emulator.support import PIVOT, call

VIEW = (
    "/v1.0/users/conf4b@contoso.com/calendar/calendarView"
    "?startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-25T00:00:00Z"
)
SCHEDULE = {
    "schedules": ["conf4b@contoso.com"],
    "startTime": {"dateTime": "2026-11-25T09:00:00", "timeZone": "UTC"},
    "endTime": {"dateTime": "2026-11-25T10:00:00", "timeZone": "UTC"},
}


async def test_missing_bad_and_expired_tokens(emu: EmulatorHandle, session, token: str) -> None:
    status, body, headers = await call(session, emu, "/v1.0/me")
    assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
    assert body["error"]["message"] == "Access token is empty."
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    forged = jwt.encode({"scp": "User.Read"}, "not-the-emulator-key-" * 3, algorithm="HS256")
    for bad in (forged, token[:-4] + "AAAA", "garbage"):
        status, body, _ = await call(session, emu, "/v1.0/me", token=bad)
        assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
    status, _, _ = await call(session, emu, "/v1.0/me", headers={"Authorization": "Basic x"})
    assert status == 401
    emu.state.expire_tokens(PIVOT)
    status, body, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 401 and "expired" in body["error"]["message"]


async def test_short_token_lifetime_expires(emu: EmulatorHandle, session, token_for) -> None:
    emu.state.token_lifetime = 1
    token = await token_for()
    assert jwt.decode(token, options={"verify_signature": False})["exp"] - time.time() <= 1
    await asyncio.sleep(1.1)
    status, body, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 401 and "expired" in body["error"]["message"]


async def test_unknown_segment_and_wrong_method(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me/drive", token=token)
    assert status == 400 and body["error"]["code"] == "BadRequest"
    status, body, _ = await call(session, emu, "/v1.0/me/calendars", token=token, method="POST", json={})
    assert status == 405
    status, body, headers = await call(
        session, emu, "/v1.0/ME/CALENDARS", token=token, headers={"client-request-id": "abc"}
    )
    assert status == 200 and headers["client-request-id"] == "abc" and headers["request-id"]


async def test_429_and_503_faults(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("429", count=1, retry_after=3)
    emu.state.add_fault("503", count=1)
    status, body, headers = await call(session, emu, VIEW, token=token)
    assert status == 429 and headers["Retry-After"] == "3"
    assert body["error"]["code"] == "TooManyRequests"
    status, body, headers = await call(session, emu, VIEW, token=token)
    assert status == 503 and body["error"]["code"] == "ServiceUnavailable"
    assert "Retry-After" not in headers
    status, _, _ = await call(session, emu, VIEW, token=token)
    assert status == 200
    faults = [r.fault for r in emu.state.requests if r.kind == "graph"]
    assert faults == ["429", "503", None]


async def test_mailbox_filtered_fault(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("503", mailbox="conf4b@contoso.com")
    status, _, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 200
    status, _, _ = await call(session, emu, VIEW, token=token)
    assert status == 503
    emu.state.clear_faults()
    status, _, _ = await call(session, emu, VIEW, token=token)
    assert status == 200


async def test_latency_fault(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("latency", latency_ms=300, count=1)
    started = time.perf_counter()
    status, _, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 200 and time.perf_counter() - started >= 0.3
    await call(session, emu, "/v1.0/me", token=token)
    assert [r.fault for r in emu.state.requests if r.kind == "graph"] == ["latency", None]
    assert next(r.duration_ms >= 300 for r in emu.state.requests if r.kind == "graph")


async def test_drop_fault_closes_the_connection(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("drop", count=1)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await call(session, emu, "/v1.0/me/calendar/getSchedule", token=token, method="POST", json=SCHEDULE)
    status, _, _ = await call(
        session, emu, "/v1.0/me/calendar/getSchedule", token=token, method="POST", json=SCHEDULE
    )
    assert status == 200
    assert [r.status for r in emu.state.requests if r.kind == "graph"] == [0, 200]


async def test_fractional_faults(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("503", fraction=0.5, count=3)
    statuses = [(await call(session, emu, "/v1.0/me", token=token))[0] for _ in range(30)]
    assert statuses.count(503) == 3 and statuses.count(200) == 27


async def test_concurrency_high_water_mark(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("latency", latency_ms=200, mailbox="conf4b@contoso.com")
    results = await asyncio.gather(*(call(session, emu, VIEW, token=token) for _ in range(5)))
    assert [r[0] for r in results] == [200] * 5
    counter = emu.state.counters["conf4b@contoso.com"]
    assert (counter.requests, counter.in_flight, counter.max_in_flight) == (5, 0, 5)
    await call(session, emu, "/v1.0/me", token=token)
    assert emu.state.counters[PIVOT].max_in_flight == 1


async def test_mailbox_concurrency_limit(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.mailbox_concurrency_limit = 2
    emu.state.add_fault("latency", latency_ms=200)
    results = await asyncio.gather(*(call(session, emu, VIEW, token=token) for _ in range(4)))
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 200, 429, 429]
    throttled = [r for r in results if r[0] == 429]
    assert throttled[0][1]["error"]["code"] == "ApplicationThrottled"
    assert throttled[0][2]["Retry-After"] == "1"
    assert emu.state.counters["conf4b@contoso.com"].throttled == 2


async def test_graph_default_mailbox_concurrency_of_four(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.mailbox_concurrency_limit = 4  # Outlook's limit per app and mailbox
    emu.state.add_fault("latency", latency_ms=300, mailbox="conf4b@contoso.com")
    results = await asyncio.gather(*(call(session, emu, VIEW, token=token) for _ in range(6)))
    assert sorted(r[0] for r in results) == [200, 200, 200, 200, 429, 429]
    body = next(r[1] for r in results if r[0] == 429)
    assert body["error"]["code"] == "ApplicationThrottled"
    assert "MailboxConcurrency" in body["error"]["message"] and body["error"]["innerError"]["request-id"]
    # other mailboxes are not affected
    assert (await call(session, emu, "/v1.0/me", token=token))[0] == 200


async def test_mailbox_request_quota(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.mailbox_request_quota = 3
    emu.state.mailbox_quota_window_s = 120
    statuses = [(await call(session, emu, VIEW, token=token))[0] for _ in range(3)]
    assert statuses == [200, 200, 200]
    status, body, headers = await call(session, emu, VIEW, token=token)
    assert status == 429 and body["error"]["code"] == "ApplicationThrottled"
    assert "MailboxRequests" in body["error"]["message"] and 100 <= int(headers["Retry-After"]) <= 120
    assert (await call(session, emu, "/v1.0/me", token=token))[0] == 200  # another mailbox
    assert emu.state.counters["conf4b@contoso.com"].throttled == 1
    emu.state.mailbox_quota_window_s = 0.2
    await asyncio.sleep(0.3)
    assert (await call(session, emu, VIEW, token=token))[0] == 200  # the window moved on


async def test_an_emulator_bug_answers_500_in_graph_shape(emu: EmulatorHandle, session, token: str) -> None:
    emu.tenant.calendars.clear()  # break an invariant the handlers rely on
    status, body, _ = await call(session, emu, VIEW, token=token)
    assert status == 500 and body["error"]["code"] == "generalException"
