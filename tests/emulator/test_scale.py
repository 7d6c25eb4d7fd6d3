"""A 5,000-event room and a 500-room tenant load and page correctly (timing lives
in bench/emulator_bench.py, not here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from emulator.scale import busy_room_events, many_rooms_tenant
from emulator.testing import EmulatorHandle, acquire_token, running_emulator
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TODAY, call, tenant_dict

FIRST_DAY = date(2026, 6, 1)
EVENTS = 5_000
ROOMS = 500
BIG = "big@contoso.com"
SCALE_ID = "5ca1e000-0000-4000-8000-000000000500"


async def _all_pages(emu: EmulatorHandle, token: str, link: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    async with aiohttp.ClientSession() as session:
        next_link: str | None = link
        while next_link:
            status, body, _ = await call(session, emu, next_link, token=token)
            assert status == 200, body
            items += body["value"]
            pages += 1
            next_link = body.get("@odata.nextLink")
    return items, pages


@pytest.fixture
async def big(ca_dir: Path) -> Any:
    raw = tenant_dict()
    raw["rooms"].append(
        {
            "emailAddress": BIG,
            "displayName": "Big Room",
            "mailboxSettings": {"timeZone": "Eastern Standard Time"},
            "events": busy_room_events(EVENTS, first_day=FIRST_DAY),
        }
    )
    async with running_emulator(raw, ca_dir=ca_dir, today=TODAY) as emu:
        token = str((await acquire_token(emu, PIVOT, PIVOT_PASSWORD))["access_token"])
        yield emu, token


async def test_a_five_thousand_event_room_pages_every_event_once_in_order(big: Any) -> None:
    emu, token = big
    window = "startDateTime=2026-05-01T00:00:00Z&endDateTime=2027-06-01T00:00:00Z"
    items, pages = await _all_pages(emu, token, f"/v1.0/users/{BIG}/calendarView?{window}&$top=1000")
    assert pages == 5
    assert [e["subject"] for e in items] == [f"Meeting {n:05d}" for n in range(EVENTS)]
    assert len({e["id"] for e in items}) == EVENTS
    starts = [e["start"]["dateTime"] for e in items]
    assert starts == sorted(starts)
    assert sum(e["isCancelled"] for e in items) == len(range(0, EVENTS, 7))
    # a narrower window and a smaller page: the same events as the full read has there
    narrow = "startDateTime=2026-07-01T00:00:00Z&endDateTime=2026-07-08T00:00:00Z"
    week, pages = await _all_pages(emu, token, f"/v1.0/users/{BIG}/calendarView?{narrow}&$top=33")
    expected = [e for e in items if "2026-07-01" <= e["start"]["dateTime"][:10] < "2026-07-08"]
    assert [e["id"] for e in week] == [e["id"] for e in expected] and len(week) == 7 * 20
    assert pages == -(-len(week) // 33)
    # $select keeps paging
    selected, _ = await _all_pages(
        emu, token, f"/v1.0/users/{BIG}/calendarView?{narrow}&$top=50&$select=subject,showAs"
    )
    assert [e["id"] for e in selected] == [e["id"] for e in week]
    assert set(selected[0]) == {"@odata.etag", "id", "subject", "showAs"}


async def test_a_five_hundred_room_tenant_pages_every_room_once(ca_dir: Path) -> None:
    raw = many_rooms_tenant(SCALE_ID, "scale.example", rooms=ROOMS, first_day=FIRST_DAY)
    async with running_emulator(raw, ca_dir=ca_dir) as emu:
        token = str((await acquire_token(emu, "pivot@scale.example", "scale-pass"))["access_token"])
        rooms, pages = await _all_pages(emu, token, "/v1.0/places/microsoft.graph.room")
        assert pages == 5  # Graph's default page of 100
        assert [r["emailAddress"] for r in rooms] == [f"room-{n:04d}@scale.example" for n in range(ROOMS)]
        small, pages = await _all_pages(emu, token, "/v1.0/places/microsoft.graph.room?$top=37")
        assert pages == -(-ROOMS // 37) and [r["id"] for r in small] == [r["id"] for r in rooms]
        assert rooms[123]["building"] == "B1" and rooms[123]["floorNumber"] == 2
        assert rooms[123]["capacity"] == 4 + 123 % 12
