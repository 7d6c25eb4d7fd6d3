"""How fast the Microsoft 365 emulator loads and pages large tenants.

Targets (issue 13): a 5,000-event room and a 500-room tenant load in a few
seconds, and a full calendarView / places read pages through in a few seconds.
Over real HTTPS on loopback, client and server in this process: the CPU time
(judged against the target) is less skewed by other load than the wall time.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import date
from typing import Any

import aiohttp

from emulator.loader import load_tenant
from emulator.scale import busy_room_events, many_rooms_tenant
from emulator.testing import EmulatorHandle, acquire_token, running_emulator

EVENTS = 5_000
ROOMS = 500
TARGET_SECONDS = 5.0
FIRST_DAY = date(2026, 6, 1)
TENANT_ID = "5ca1e000-0000-4000-8000-000000000500"


def big_room_tenant() -> dict[str, Any]:
    raw = many_rooms_tenant(TENANT_ID, "scale.example", rooms=1, events_per_room=0, first_day=FIRST_DAY)
    raw["rooms"][0]["events"] = busy_room_events(EVENTS, first_day=FIRST_DAY)
    return raw


async def _page_through(emu: EmulatorHandle, token: str, link: str) -> tuple[int, int]:
    count = pages = 0
    context = emu.ssl_context()
    async with aiohttp.ClientSession() as session:
        next_link: str | None = emu.base_url + link
        while next_link:
            async with session.get(
                next_link, headers={"Authorization": f"Bearer {token}"}, ssl=context
            ) as response:
                body = await response.json(content_type=None)
            count += len(body["value"])
            pages += 1
            next_link = body.get("@odata.nextLink")
    return count, pages


def _report(what: str, seconds: float, cpu: float) -> None:
    verdict = "ok" if cpu <= TARGET_SECONDS else "SLOW"
    print(f"  {what:<62} wall {seconds:6.2f} s  cpu {cpu:6.2f} s  (target {TARGET_SECONDS:.0f} s) {verdict}")


async def _run() -> None:
    big_raw = big_room_tenant()
    started, cpu = time.perf_counter(), time.process_time()
    big = load_tenant(big_raw)
    _report(f"load a {EVENTS:,}-event room", time.perf_counter() - started, time.process_time() - cpu)
    rooms_raw = many_rooms_tenant(TENANT_ID, "scale.example", rooms=ROOMS, first_day=FIRST_DAY)
    started, cpu = time.perf_counter(), time.process_time()
    many = load_tenant(rooms_raw)
    _report(
        f"load a {ROOMS}-room tenant (5 events each)",
        time.perf_counter() - started,
        time.process_time() - cpu,
    )
    with tempfile.TemporaryDirectory() as ca_dir:
        for tenant, link, label in (
            (
                big,
                "/v1.0/users/room-0000@scale.example/calendarView"
                "?startDateTime=2026-05-01T00:00:00Z&endDateTime=2027-06-01T00:00:00Z&$top=1000",
                f"page calendarView of {EVENTS:,} events ($top=1000)",
            ),
            (
                big,
                "/v1.0/users/room-0000@scale.example/calendarView"
                "?startDateTime=2026-05-01T00:00:00Z&endDateTime=2027-06-01T00:00:00Z&$top=100",
                f"page calendarView of {EVENTS:,} events ($top=100)",
            ),
            (many, "/v1.0/places/microsoft.graph.room", f"page places of {ROOMS} rooms (default page)"),
        ):
            async with running_emulator(tenant, ca_dir=ca_dir) as emu:
                token = str((await acquire_token(emu, "pivot@scale.example", "scale-pass"))["access_token"])
                started, cpu = time.perf_counter(), time.process_time()
                count, pages = await _page_through(emu, token, link)
                _report(
                    f"{label}: {count} in {pages} pages",
                    time.perf_counter() - started,
                    time.process_time() - cpu,
                )


def main() -> None:
    print("emulator scale:")
    asyncio.run(_run())


if __name__ == "__main__":
    main()
