"""Two clients in two Microsoft 365 tenants, one product and one emulator serving both:
each client signs in its own service account and reads only its own tenant's rooms,
even when a room mapping names the other tenant's mailbox (DESIGN 3.4, 3.7)."""

from __future__ import annotations

import asyncio
import base64
import copy
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.keys import SERVICES
from app import build_app
from emulator.certs import ensure_ca
from emulator.testing import SignInError, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services.container import Services
from tests.flows.site import FINAL
from tests.m365 import (
    APP_ID,
    APP_SECRET,
    CONF4B,
    PIVOT,
    PIVOT_PASSWORD,
    directory_document,
    emulator_settings,
    free_port,
    tenant,
)
from tests.samples import API_KEY, WEBHOOK_SECRET
from tests.webhooks import incident, signed

FAB_TENANT = "0d6f1c2e-8b4a-4c3d-9e5f-6a7b8c9d0e1f"
FAB_PIVOT = "pivot@fabrikam.com"
FAB_PASSWORD = "Fabrikam-Test-2026!"
FAB_ROOM = "board@fabrikam.com"
FAB_SECRET = "whsec_" + base64.b64encode(b"fabrikam-webhook-secret-32-bytes").decode()
FAB_KEY = "pvk_test_fabrikam_0123456789abcdef"
TRIGGER = "2026-11-24T13:05:00Z"  # Tue 08:05 in New York
EST = "Eastern Standard Time"


def fabrikam_tenant(redirect_uri: str) -> dict[str, Any]:
    return {
        "tenant_id": FAB_TENANT,
        "domain": "fabrikam.com",
        "apps": [{"client_id": APP_ID, "client_secret": APP_SECRET, "redirect_uris": [redirect_uri]}],
        "users": [
            {"userPrincipalName": FAB_PIVOT, "password": FAB_PASSWORD, "mailboxSettings": {"timeZone": EST}}
        ],
        "rooms": [
            {
                "emailAddress": FAB_ROOM,
                "displayName": "Fabrikam Boardroom",
                "mailboxSettings": {"timeZone": EST},
                "events": [
                    {
                        "subject": "Board all day",
                        "start": {"dateTime": "2026-11-24T08:00:00", "timeZone": EST},
                        "end": {"dateTime": "2026-11-24T17:00:00", "timeZone": EST},
                        "showAs": "busy",
                        "isAllDay": False,
                        "isCancelled": False,
                    }
                ],
            }
        ],
    }


def fabrikam_directory() -> dict[str, Any]:
    doc = copy.deepcopy(directory_document())
    doc["client"] = {
        "id": "fabrikam",
        "name": "Fabrikam Inc",
        "tenant_id": FAB_TENANT,
        "notify_email": "facilities@fabrikam.example",
        "webhook_secret": FAB_SECRET,
        "api_key": FAB_KEY,
    }
    doc["locations"] = [{"id": "fab-hq", "name": "Fabrikam HQ", "timezone": "America/New_York"}]
    doc["rooms"] = [{"id": "fab-board", "name": "Boardroom", "location_id": "fab-hq"}]
    doc["users"] = [
        {
            "id": "u-fab-admin",
            "name": "Fay Admin",
            "email": "fay@fabrikam.example",
            "role": "client_admin",
            "aad_object_id": "f0000000-0000-4000-8000-0000000000f1",
            "service_provider_id": None,
            "notify": {"email": True, "teams": False},
        }
    ]
    doc["service_providers"] = [
        {"id": "fab-av", "name": "Fab AV", "email": "dispatch@fab-av.example", "location_ids": ["fab-hq"]}
    ]
    return doc


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("two-tenants-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


async def _sign_in(
    services: Services,
    http: aiohttp.ClientSession,
    base: str,
    client: str,
    user: str,
    password: str,
    ctx: Any,
) -> int:
    link = await services.identity.start_sign_in(client)
    async with http.get(link.url, allow_redirects=False) as start:
        authorize = start.headers["Location"]
    fields = await sign_in_response(authorize, username=user, password=password, ssl_context=ctx)
    async with http.post(base + "/auth/callback", data=fields) as done:
        return done.status


async def _incident(
    http: aiohttp.ClientSession, base: str, secret: str, key: str, payload: dict[str, Any]
) -> dict[str, Any]:
    body, headers = signed(secret, payload)
    async with http.post(base + "/api/incidents", data=body, headers=headers) as response:
        assert response.status == 202
    for _ in range(300):
        async with http.get(
            f"{base}/api/incidents/{payload['id']}", headers={"Authorization": f"Bearer {key}"}
        ) as response:
            found = dict(await response.json())
        if found["status"] in FINAL or found["status"] == "calendar_unavailable":
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"incident {payload['id']} stuck: {found['status']}")


async def test_two_clients_in_two_tenants_stay_apart(database_url: str, ca_dir: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    callback = base + "/auth/callback"
    async with running_emulator([tenant(callback), fabrikam_tenant(callback)], ca_dir=ca_dir) as emu:
        app = build_app(emulator_settings(database_url, emu, base, JOBS_POLL_SECONDS=0.1))
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        try:
            services = app[SERVICES]
            await services.directory.import_document(directory_document())
            await services.directory.import_document(fabrikam_directory())
            await services.integration.apply(
                {
                    "client_id": "contoso",
                    "locations": {"hq": {"scheduling": True, "sla_hours": 4}},
                    "room_map": {"hq-4b": CONF4B},
                }
            )
            await services.integration.apply(
                {
                    "client_id": "fabrikam",
                    "locations": {"fab-hq": {"scheduling": True, "sla_hours": 4}},
                    "room_map": {"fab-board": FAB_ROOM},
                }
            )
            ctx = emu.ssl_context()
            async with aiohttp.ClientSession() as http:
                # contoso's sign-in link is contoso's authority: a fabrikam account cannot use it
                with pytest.raises(SignInError):
                    await _sign_in(services, http, base, "contoso", FAB_PIVOT, FAB_PASSWORD, ctx)
                assert await _sign_in(services, http, base, "contoso", PIVOT, PIVOT_PASSWORD, ctx) == 200
                assert await _sign_in(services, http, base, "fabrikam", FAB_PIVOT, FAB_PASSWORD, ctx) == 200

                contoso = await _incident(
                    http, base, WEBHOOK_SECRET, API_KEY, incident(id="INC-C1", triggered_at=TRIGGER)
                )
                fab = await _incident(
                    http,
                    base,
                    FAB_SECRET,
                    FAB_KEY,
                    incident(id="INC-F1", client_id="fabrikam", room_id="fab-board", triggered_at=TRIGGER),
                )
                assert contoso["status"] in ("slots_found", "notified")
                assert fab["status"] in ("slots_found", "notified")
                # fabrikam's room is busy all Tuesday; contoso's conf4b is not
                assert all(s["start"].startswith("2026-11-25") for s in fab["slots"])
                assert any(s["start"].startswith("2026-11-24") for s in contoso["slots"])
                reads = {(r.user, r.mailbox) for r in emu.state.requests if r.kind == "graph" and r.mailbox}
                assert (PIVOT, FAB_ROOM) not in reads and (FAB_PIVOT, CONF4B) not in reads

                # a fabrikam mapping that names contoso's room reads nothing of contoso
                await services.integration.apply(
                    {
                        "client_id": "fabrikam",
                        "locations": {"fab-hq": {"scheduling": True, "sla_hours": 4}},
                        "room_map": {"fab-board": CONF4B},
                    }
                )
                emu.state.reset_counters()
                crossed = await _incident(
                    http,
                    base,
                    FAB_SECRET,
                    FAB_KEY,
                    incident(id="INC-F2", client_id="fabrikam", room_id="fab-board", triggered_at=TRIGGER),
                )
                assert crossed["status"] not in ("slots_found", "notified") and crossed["slots"] == []
                answered = [r for r in emu.state.requests if r.mailbox == CONF4B and r.user == FAB_PIVOT]
                assert answered and all(r.status == 404 for r in answered)
        finally:
            await server.close()
