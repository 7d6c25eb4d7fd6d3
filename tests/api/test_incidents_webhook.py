"""`POST /api/incidents` and `GET /api/incidents/{id}` against the running app:
every answer of DESIGN 3.3, replays, and client scoping."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from api.keys import SERVICES
from app import build_app
from services.incidents.events import NOTIFY_JOB
from services.incidents.service import PROCESS_JOB
from services.store.models import Incident, Job
from tests.conftest import make_settings
from tests.samples import API_KEY, WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed

OTHER_SECRET = "whsec_" + base64.b64encode(b"another-clients-secret-32-bytes!").decode()
OTHER_KEY = "pvk_test_fabrikam_0123456789abcdef"


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    # Long poll interval: these tests look at intake, not processing.
    app = build_app(make_settings(database_url, JOBS_POLL_SECONDS=30))
    test_client: TestClient = await aiohttp_client(app)
    await app[SERVICES].directory.import_document(directory())
    other = directory()
    other["client"].update(id="fabrikam", name="Fabrikam", webhook_secret=OTHER_SECRET, api_key=OTHER_KEY)
    await app[SERVICES].directory.import_document(other)
    return test_client


async def post(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    response = await client.post("/api/incidents", data=body, headers=headers)
    return response.status, await response.json()


async def counts(client: TestClient) -> tuple[int, int]:
    """(incidents, processing jobs); also checks no incident has two notification jobs."""
    async with client.app[SERVICES].db.session() as session:
        incidents = await session.scalar(select(func.count()).select_from(Incident))
        jobs = await session.scalar(select(func.count()).select_from(Job).where(Job.kind == PROCESS_JOB))
        notify = (await session.execute(select(Job.payload).where(Job.kind == NOTIFY_JOB))).scalars().all()
    keys = [(p["client_id"], p["incident_id"], p["event"]) for p in notify]
    assert len(keys) == len(set(keys))
    return int(incidents or 0), int(jobs or 0)


async def test_accepts_a_signed_incident_once(client: TestClient) -> None:
    status, body = await post(client, *signed(WEBHOOK_SECRET, incident()))
    assert (status, body) == (202, {"id": "INC-1001", "status": "accepted"})
    assert await counts(client) == (1, 1)


async def test_repeat_is_200_and_replays_create_nothing(client: TestClient) -> None:
    body, headers = signed(WEBHOOK_SECRET, incident(), msg_id="msg_fixed")
    assert (await post(client, body, headers))[0] == 202
    # The same delivery replayed, and re-signed with other timestamps inside the window.
    assert (await post(client, body, headers))[0] == 200
    for age in (timedelta(seconds=30), timedelta(minutes=4)):
        status, reply = await post(client, *signed(WEBHOOK_SECRET, incident(), msg_id="msg_fixed", age=age))
        assert status == 200
        assert reply["id"] == "INC-1001"
    # Same content, different formatting: still the same incident.
    spaced = b'{"client_id": "contoso",  "id": "INC-1001", "room_id": "hq-4b", "triggered_at": "2026-11-24T09:05:00-05:00", "title": "Display offline", "severity": "high", "description": "Projector shows no signal"}'  # noqa: E501
    assert (await post(client, *signed(WEBHOOK_SECRET, spaced)))[0] == 200
    assert await counts(client) == (1, 1)


async def test_concurrent_duplicates_make_one_incident(client: TestClient) -> None:
    results = await asyncio.gather(*(post(client, *signed(WEBHOOK_SECRET, incident())) for _ in range(10)))
    assert sorted(status for status, _ in results) == [200] * 9 + [202]
    assert await counts(client) == (1, 1)


async def test_conflicting_repeat_is_409(client: TestClient) -> None:
    await post(client, *signed(WEBHOOK_SECRET, incident()))
    status, body = await post(client, *signed(WEBHOOK_SECRET, incident(title="Another title")))
    assert status == 409
    assert "error" in body
    assert await counts(client) == (1, 1)


async def test_same_incident_id_in_two_clients_is_two_incidents(client: TestClient) -> None:
    await post(client, *signed(WEBHOOK_SECRET, incident()))
    status, _ = await post(client, *signed(OTHER_SECRET, incident(client_id="fabrikam")))
    assert status == 202
    assert await counts(client) == (2, 2)


@pytest.mark.parametrize(
    ("mutate", "fields"),
    [
        (lambda b: b.update(triggered_at="2026-11-24 14:05"), {"triggered_at"}),
        (lambda b: b.update(triggered_at="2026-11-24T14:05:00"), {"triggered_at"}),  # no offset
        (lambda b: b.update(title="", severity=None), {"title", "severity"}),
        (lambda b: b.pop("room_id"), {"room_id"}),
        (lambda b: b.update(id="../etc/passwd", description=7), {"id", "description"}),
    ],
)
async def test_bad_fields_are_400_naming_each(client: TestClient, mutate: Any, fields: set[str]) -> None:
    body = incident()
    mutate(body)
    status, reply = await post(client, *signed(WEBHOOK_SECRET, body))
    assert status == 400
    assert {d["field"] for d in reply["details"]} == fields
    assert await counts(client) == (0, 0)


async def test_malformed_json_is_400(client: TestClient) -> None:
    status, reply = await post(client, *signed(WEBHOOK_SECRET, b'{"id": "INC-1", '))
    assert status == 400
    assert reply["details"] == [{"field": "(body)", "message": "malformed JSON"}]
    status, _ = await post(client, *signed(WEBHOOK_SECRET, b"[1, 2]"))
    assert status == 400


async def test_unknown_client_or_room_is_422(client: TestClient) -> None:
    assert (await post(client, *signed(WEBHOOK_SECRET, incident(client_id="nobody"))))[0] == 422
    assert (await post(client, *signed(WEBHOOK_SECRET, incident(room_id="hq-99"))))[0] == 422
    # A room of another client is unknown here too.
    assert (await post(client, *signed(OTHER_SECRET, incident(client_id="fabrikam", room_id="nope"))))[
        0
    ] == 422
    assert await counts(client) == (0, 0)


async def test_bad_missing_or_stale_signatures_are_401(client: TestClient) -> None:
    body, headers = signed(WEBHOOK_SECRET, incident())
    cases = [
        {k: v for k, v in headers.items() if k != "webhook-signature"},
        {**headers, "webhook-signature": "v1,bm90LWEtc2lnbmF0dXJl"},
        {**headers, "webhook-signature": "garbage"},
        {**headers, "webhook-timestamp": "not-a-number"},
        signed(OTHER_SECRET, incident())[1],  # another client's secret
        signed(WEBHOOK_SECRET, incident(), age=timedelta(minutes=6))[1],  # stale
        signed(WEBHOOK_SECRET, incident(), age=-timedelta(minutes=6))[1],  # from the future
    ]
    for case in cases:
        status, reply = await post(client, body, case)
        assert status == 401, case
        assert "error" in reply
    tampered = body.replace(b"Display offline", b"Display OFFLINE")
    assert (await post(client, tampered, headers))[0] == 401
    assert await counts(client) == (0, 0)


async def test_body_over_64_kib_is_413(client: TestClient) -> None:
    body, headers = signed(WEBHOOK_SECRET, incident(description="x" * (64 * 1024)))
    status, _ = await post(client, body, headers)
    assert status == 413
    assert await counts(client) == (0, 0)


async def test_get_incident_is_scoped_to_the_callers_client(client: TestClient) -> None:
    await post(client, *signed(WEBHOOK_SECRET, incident()))
    ok = await client.get("/api/incidents/INC-1001", headers={"Authorization": f"Bearer {API_KEY}"})
    assert ok.status == 200
    body = await ok.json()
    assert body["id"] == "INC-1001"
    assert body["client_id"] == "contoso"
    assert body["status"] == "accepted"
    assert body["slots"] == []
    assert body["claim"] is None
    foreign = await client.get("/api/incidents/INC-1001", headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert foreign.status == 404
    assert "contoso" not in await foreign.text()
    assert (await client.get("/api/incidents/INC-1001")).status == 401
    bad = await client.get("/api/incidents/INC-1001", headers={"Authorization": "Bearer nope"})
    assert bad.status == 401
    missing = await client.get("/api/incidents/INC-404", headers={"Authorization": f"Bearer {API_KEY}"})
    assert missing.status == 404
