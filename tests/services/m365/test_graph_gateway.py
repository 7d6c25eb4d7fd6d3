"""GraphGateway against the Microsoft 365 emulator over HTTPS: paging, event shapes,
zones, retries, throttling, access denied, per-mailbox concurrency, POST policy,
token refresh on 401, and the incident pipeline reading a real calendar."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from emulator.certs import ensure_ca, server_ssl_context
from emulator.loader import load_tenant, upsert_room
from emulator.server import build_app, public_base_url, start_site
from emulator.state import EmulatorState
from emulator.testing import EmulatorHandle, running_emulator
from emulator.tokens import load_signing_key
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.domain import availability
from services.incidents.service import IncidentService
from services.integration.configuration import IntegrationConfigService
from services.m365.graph_errors import AccessDenied, NotConnected, ReconnectNeeded, Throttled, Unavailable
from services.m365.graph_gateway import PAGE_SIZE, GraphGateway, zone_name
from services.m365.signin import IdentityService
from services.store.database import Database
from tests.m365 import (
    BRIDGE,
    BUSY,
    BUSY_DAYS,
    BUSY_PER_DAY,
    CONF4B,
    DARLING,
    FACILITIES,
    PIVOT,
    ROOM_BOOKINGS,
    THAMES,
    directory_document,
    emulator_settings,
    sign_in,
    tenant,
)
from tests.samples import WEBHOOK_SECRET
from tests.webhooks import incident, signed

PUBLIC = "http://127.0.0.1:3978"
WEEK = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: what is stored is covered on both databases by test_identity; here it is Graph."""
    return sqlite_url


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("m365-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@web.middleware
async def deny_room_mailbox_settings(request: web.Request, handler: Any) -> web.StreamResponse:
    """Exchange's answer to a delegate reading a room's mailboxSettings without full access."""
    path = request.path.lower()
    if path.startswith("/v1.0/users/") and path.endswith("/mailboxsettings"):
        body = {
            "error": {
                "code": "ErrorAccessDenied",
                "message": "Access is denied. Check credentials and try again.",
            }
        }
        return web.json_response(body, status=403)
    return await handler(request)


@asynccontextmanager
async def strict_emulator(ca_dir: Path) -> AsyncIterator[EmulatorHandle]:
    """The emulator, except that room mailboxSettings are denied (as Exchange often does)."""
    loaded = load_tenant(tenant(PUBLIC + "/auth/callback"))
    ca = ensure_ca(ca_dir)
    state = EmulatorState()
    app = build_app(loaded, state, signing_key=load_signing_key(ca_dir))
    app.middlewares.insert(0, deny_room_mailbox_settings)
    runner, port = await start_site(app, host="127.0.0.1", port=0, ssl_context=server_ssl_context(ca))
    try:
        yield EmulatorHandle(public_base_url("127.0.0.1", port), port, ca.cert_path, loaded, state, app)
    finally:
        await runner.cleanup()


async def connected_gateway(db: Database, database_url: str, emu: EmulatorHandle) -> GraphGateway:
    settings = emulator_settings(database_url, emu, PUBLIC)
    box = SecretBox(settings.secret_keys())
    document = directory_document()
    document["rooms"][0]["calendar_email"] = CONF4B
    await DirectoryService(db, box).import_document(document)
    identity = IdentityService(db, box, settings)
    await sign_in(identity, emu)
    return GraphGateway(identity, settings)


@pytest.fixture
async def emu(ca_dir: Path) -> AsyncIterator[EmulatorHandle]:
    async with running_emulator(tenant(PUBLIC + "/auth/callback"), ca_dir=ca_dir) as handle:
        yield handle


@pytest.fixture
async def graph(db: Database, database_url: str, emu: EmulatorHandle) -> AsyncIterator[GraphGateway]:
    gateway = await connected_gateway(db, database_url, emu)
    emu.state.reset_counters()
    yield gateway
    await gateway.close()


def graph_log(emu: EmulatorHandle, mailbox: str, path_end: str = "/calendarview") -> list[tuple[str, int]]:
    """(method, status) of the Graph requests to one mailbox's path (a 401 has no mailbox yet)."""
    return [
        (r.method, r.status)
        for r in emu.state.requests
        if r.kind == "graph" and mailbox in r.path.lower() and r.path.lower().endswith(path_end)
    ]


async def test_calendars_and_every_room(graph: GraphGateway, emu: EmulatorHandle) -> None:
    calendars = await graph.list_calendars("contoso")
    shared = [c for c in calendars if c["id"] == ROOM_BOOKINGS]
    assert shared and shared[0]["name"] == "Room Bookings" and shared[0]["owner"]["address"] == FACILITIES
    assert any(c["owner"]["address"] == PIVOT for c in calendars)  # its own calendar too

    for n in range(130):  # Places pages hold 100 rooms
        upsert_room(emu.tenant, {"emailAddress": f"extra-{n:03d}@contoso.com", "displayName": f"Extra {n}"})
    rooms = await graph.list_rooms("contoso")
    emails = {r["emailAddress"] for r in rooms}
    assert len(rooms) == len(emails) == 135
    assert {CONF4B, THAMES, BRIDGE, DARLING, BUSY} <= emails
    conf4b = next(r for r in rooms if r["emailAddress"] == CONF4B)
    assert conf4b["displayName"] == "Conf Rm 4B (12)" and conf4b["building"] == "HQ"
    assert conf4b["floorNumber"] == 4 and conf4b["capacity"] == 12


async def test_every_page_of_a_busy_calendar(graph: GraphGateway, emu: EmulatorHandle) -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    events = await graph.room_events("contoso", BUSY, start, start + timedelta(days=BUSY_DAYS))
    total = BUSY_DAYS * BUSY_PER_DAY
    assert total > 2 * PAGE_SIZE
    assert len(events) == total
    assert len({e["subject"] for e in events}) == total
    pages = [r for r in emu.state.requests if r.mailbox == BUSY and r.path.lower().endswith("/calendarview")]
    assert len(pages) == -(-total // PAGE_SIZE) >= 3
    assert f"$top={PAGE_SIZE}" in pages[0].query
    assert all(e["start"]["timeZone"] == "UTC" for e in events)  # Prefer was sent on every page
    assert set(events[0]) >= {"subject", "start", "end", "showAs", "isCancelled", "isAllDay", "organizer"}


async def test_recurring_and_all_day_events_as_graph_returns_them(graph: GraphGateway) -> None:
    events = await graph.room_events("contoso", CONF4B, *WEEK)
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_subject.setdefault(event["subject"], []).append(event)
    team_sync = [e["start"]["dateTime"][:16] for e in by_subject["Team sync"]]
    assert team_sync == ["2026-11-24T19:00", "2026-11-26T19:00"]  # Tue/Thu 14:00 EST, in UTC
    cleaning = by_subject["Daily cleaning"]
    assert len(cleaning) == 7 and all(e["showAs"] == "free" for e in cleaning)
    (closed,) = by_subject["Room closed"]
    assert closed["isAllDay"] is True
    assert closed["start"] == {"dateTime": "2026-11-27T00:00:00.0000000", "timeZone": "UTC"}
    assert closed["end"]["dateTime"].startswith("2026-11-28T00:00:00")
    (cancelled,) = by_subject["Canceled: vendor demo"]
    assert cancelled["isCancelled"] is True
    parsed = [availability.event_from_graph(e) for e in events]
    assert all(p is not None for p in parsed)
    all_day = availability.event_from_graph(closed)
    assert all_day is not None and all_day.all_day_start_date == date(2026, 11, 27)


async def test_windows_iana_and_custom_zone_names_resolve(graph: GraphGateway, emu: EmulatorHandle) -> None:
    london = "Europe/London"
    assert await graph.room_timezone("contoso", CONF4B) == "Eastern Standard Time"
    assert availability.choose_zone(await graph.room_timezone("contoso", CONF4B), None) == ZoneInfo(
        "America/New_York"
    )
    assert availability.choose_zone(await graph.room_timezone("contoso", THAMES), None) == ZoneInfo(london)
    assert await graph.room_timezone("contoso", BRIDGE) == "Australia/Sydney"
    assert availability.choose_zone("Australia/Sydney", None) == ZoneInfo("Australia/Sydney")

    busy = emu.tenant.find(BUSY)
    assert busy is not None
    busy.time_zone = "tzone://Microsoft/Utc"  # Graph's prefixed form of a zone id
    utc = availability.choose_zone(await graph.room_timezone("contoso", BUSY), london)
    assert utc.key in {"UTC", "Etc/UTC"}
    busy.time_zone = "Customized Time Zone"  # a hand-made zone: its name resolves to nothing
    custom = await graph.room_timezone("contoso", BUSY)
    assert custom == "Customized Time Zone"
    assert availability.choose_zone(custom, london) == ZoneInfo(london)  # so the location's zone

    # A custom zone that carries its rules (workingHours.timeZone as a customTimeZone).
    india = {
        "timeZone": "Customized Time Zone",
        "workingHours": {"timeZone": {"@odata.type": "#microsoft.graph.customTimeZone", "bias": -330}},
    }
    name = zone_name(india)
    assert name is not None
    zone = availability.choose_zone(name, london)
    assert datetime(2026, 11, 24, 12, tzinfo=UTC).astimezone(zone).strftime("%H:%M") == "17:30"


async def test_zone_from_get_schedule_when_mailbox_settings_are_denied(
    db: Database, database_url: str, ca_dir: Path
) -> None:
    async with strict_emulator(ca_dir) as emu:
        graph = await connected_gateway(db, database_url, emu)
        try:
            emu.state.add_fault("503", count=1, retry_after=0, mailbox=PIVOT)  # getSchedule only reads:
            assert await graph.room_timezone("contoso", CONF4B) == "Eastern Standard Time"  # retried
            assert await graph.room_timezone("contoso", BRIDGE) == "Australia/Sydney"
            assert await graph.room_timezone("contoso", DARLING) is None  # no free/busy access either
            schedule = [(r.method, r.status) for r in emu.state.requests if r.path.endswith("/getSchedule")]
            assert schedule[:2] == [("POST", 503), ("POST", 200)]
        finally:
            await graph.close()


async def test_retry_after_is_honoured(graph: GraphGateway, emu: EmulatorHandle) -> None:
    emu.state.add_fault("429", count=1, retry_after=1, mailbox=CONF4B)
    started = time.monotonic()
    events = await graph.room_events("contoso", CONF4B, *WEEK)
    assert time.monotonic() - started >= 1.0
    assert events and graph_log(emu, CONF4B) == [("GET", 429), ("GET", 200)]

    emu.state.reset_counters()
    emu.state.add_fault("429", count=1, retry_after=120, mailbox=CONF4B)
    started = time.monotonic()
    with pytest.raises(Throttled) as throttled:
        await graph.room_events("contoso", CONF4B, *WEEK)
    assert throttled.value.retry_after == 120  # handed back, not slept on
    assert time.monotonic() - started < 5
    assert graph_log(emu, CONF4B) == [("GET", 429)]


async def test_unavailable_is_retried_then_fails_fast(graph: GraphGateway, emu: EmulatorHandle) -> None:
    emu.state.add_fault("503", count=2, retry_after=0, mailbox=CONF4B)
    assert await graph.room_events("contoso", CONF4B, *WEEK)
    assert graph_log(emu, CONF4B) == [("GET", 503), ("GET", 503), ("GET", 200)]

    emu.state.reset_counters()
    emu.state.add_fault("drop", count=1, mailbox=CONF4B)  # the connection closes unanswered
    assert await graph.room_events("contoso", CONF4B, *WEEK)

    emu.state.reset_counters()
    emu.state.add_fault("503", count=None, mailbox=CONF4B)  # Graph is down
    started = time.monotonic()
    with pytest.raises(Unavailable):
        await graph.room_events("contoso", CONF4B, *WEEK)
    assert time.monotonic() - started < 10
    assert graph_log(emu, CONF4B) == [("GET", 503)] * 4  # one try and three retries


async def test_a_room_not_shared_is_access_denied(graph: GraphGateway) -> None:
    with pytest.raises(AccessDenied):
        await graph.room_events("contoso", DARLING, *WEEK)
    assert await graph.can_read("contoso", DARLING) is False
    assert await graph.can_read("contoso", "nobody@contoso.com") is False
    assert await graph.can_read("contoso", CONF4B) is True


async def test_at_most_four_requests_per_mailbox(graph: GraphGateway, emu: EmulatorHandle) -> None:
    emu.state.mailbox_concurrency_limit = 4  # beyond 4, the emulator would answer 429
    emu.state.add_fault("latency", count=None, latency_ms=40, mailbox=CONF4B)
    results = await asyncio.gather(*(graph.room_events("contoso", CONF4B, *WEEK) for _ in range(50)))
    assert all(len(r) == len(results[0]) > 0 for r in results)
    counter = emu.state.counters[CONF4B]
    assert counter.requests == 50 and counter.throttled == 0
    assert counter.max_in_flight == 4


async def test_a_post_is_never_retried(graph: GraphGateway, emu: EmulatorHandle) -> None:
    emu.state.add_fault("503", count=1, retry_after=0, mailbox=CONF4B)
    event = {
        "subject": "AV repair",
        "start": {"dateTime": "2026-11-25T15:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-25T16:00:00", "timeZone": "UTC"},
    }
    with pytest.raises(Unavailable):
        await graph.create_event("contoso", CONF4B, event, transaction_id="INC-1-slot-1")
    assert graph_log(emu, CONF4B, "/events") == [("POST", 503)]


async def test_an_expired_access_token_is_refreshed(graph: GraphGateway, emu: EmulatorHandle) -> None:
    assert await graph.room_events("contoso", CONF4B, *WEEK)
    emu.state.expire_tokens()  # access tokens issued so far now answer 401
    assert await graph.room_events("contoso", CONF4B, *WEEK)
    assert graph_log(emu, CONF4B) == [("GET", 200), ("GET", 401), ("GET", 200)]
    assert len(emu.state.used_refresh_tokens) == 1  # a refresh_token grant happened


async def test_a_revoked_sign_in_surfaces_as_reconnect_needed(
    graph: GraphGateway, emu: EmulatorHandle, db: Database, database_url: str
) -> None:
    emu.state.revoke(PIVOT, access_tokens=True)
    with pytest.raises(ReconnectNeeded):
        await graph.room_events("contoso", CONF4B, *WEEK)
    settings = emulator_settings(database_url, emu, PUBLIC)
    identity = IdentityService(db, SecretBox(settings.secret_keys()), settings)
    assert (await identity.status("contoso")).needs_reconnect


async def test_not_connected_without_a_sign_in(graph: GraphGateway) -> None:
    with pytest.raises(NotConnected):
        await graph.room_events("no-such-client", CONF4B, *WEEK)


async def test_a_shared_calendar_shows_its_rooms(graph: GraphGateway) -> None:
    events = await graph.calendar_events("contoso", FACILITIES, ROOM_BOOKINGS, *WEEK)
    locations = {e["location"].get("displayName") for e in events}
    assert {"Conf Rm 4B (12)", "LON-02-Thames (8) [VC]"} <= locations


async def test_the_incident_pipeline_reads_the_room_calendar(
    graph: GraphGateway, db: Database, emu: EmulatorHandle
) -> None:
    box = SecretBox(graph._settings.secret_keys())
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": True}}}
    )
    incidents = IncidentService(db, box, graph, retry_seconds=60)
    try:
        body, headers = signed(WEBHOOK_SECRET, incident(triggered_at="2026-11-24T14:05:00Z"))
        await incidents.accept(body, headers)
        assert await incidents.process("contoso", "INC-1001") == "slots_found"
        result = await incidents.get("contoso", "INC-1001")
    finally:
        await incidents.close()
    assert result is not None and result["timezone"] == "America/New_York"
    starts = [s["start"] for s in result["slots"]]
    assert starts[0] == "2026-11-24T09:30:00-05:00"  # after the 09:00-09:30 standup
    assert "2026-11-24T14:00:00-05:00" not in starts  # the recurring team sync
    assert "2026-11-25T10:00:00-05:00" in starts  # the cancelled demo does not block
