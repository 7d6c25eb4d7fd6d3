"""The whole product on a test server with the Microsoft 365 emulator as its tenant,
signed in through the real pages (plain HTTP, no browser) and configured for scheduling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from api.keys import SERVICES
from app import build_app
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from services.container import Services
from tests.m365 import CONF4B, PIVOT, PIVOT_PASSWORD, directory_document, emulator_settings, free_port, tenant
from tests.samples import API_KEY, WEBHOOK_SECRET
from tests.webhooks import signed

FINAL = {"slots_found", "no_slots", "notified", "unmapped_room", "scheduling_off", "claimed"}


@dataclass
class Site:
    base: str
    services: Services
    emu: EmulatorHandle
    http: aiohttp.ClientSession

    async def sign_in(self) -> None:
        link = await self.services.identity.start_sign_in("contoso")
        async with self.http.get(link.url, allow_redirects=False) as start:
            authorize = start.headers["Location"]
        fields = await sign_in_response(
            authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=self.emu.ssl_context()
        )
        async with self.http.post(self.base + "/auth/callback", data=fields) as done:
            assert done.status == 200, await done.text()

    async def post_incident(self, payload: dict[str, Any]) -> int:
        body, headers = signed(WEBHOOK_SECRET, payload)
        async with self.http.post(self.base + "/api/incidents", data=body, headers=headers) as response:
            return response.status

    async def incident(self, incident_id: str) -> dict[str, Any]:
        async with self.http.get(
            f"{self.base}/api/incidents/{incident_id}", headers={"Authorization": f"Bearer {API_KEY}"}
        ) as response:
            assert response.status == 200
            return dict(await response.json())

    async def wait_for(
        self, incident_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = await self.incident(incident_id)
            if done(body):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"incident {incident_id} stuck: {body['status']} ({body.get('status_reason')})"
                )
            await asyncio.sleep(0.1)


@asynccontextmanager
async def running_site(
    database_url: str,
    ca_dir: Path,
    *,
    prepare: Callable[[Services], Awaitable[None]] | None = None,
    **settings: Any,
) -> AsyncIterator[Site]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
        settings.setdefault("JOBS_POLL_SECONDS", 0.1)
        app = build_app(emulator_settings(database_url, emu, base, **settings))
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        try:
            services = app[SERVICES]
            await services.directory.import_document(directory_document())
            await services.integration.apply(
                {
                    "client_id": "contoso",
                    "locations": {"hq": {"scheduling": True, "sla_hours": 4}},
                    "room_map": {"hq-4b": CONF4B},
                }
            )
            if prepare is not None:
                await prepare(services)
            async with aiohttp.ClientSession() as http:
                site = Site(base, services, emu, http)
                await site.sign_in()
                yield site
        finally:
            await server.close()
