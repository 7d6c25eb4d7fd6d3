"""`POST /api/incidents/{id}/resolve` over real HTTP (DESIGN 3.10), on SQLite and PostgreSQL:
before any claim, after a claim (the claim ends, its claimer is told, claim links answer a
4xx page saying it is resolved), twice (the first resolution kept, nothing sent twice),
unknown incident 404, unknown client 422, bad signature 401, malformed fields 400."""

from __future__ import annotations

import asyncio
import html
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from api.keys import JOBS, SERVICES
from app import build_app
from demo import send_incident
from demo.playground import DIRECTORY_FILE
from services import texts
from services.claims.service import ClaimService
from services.incidents.events import NOTIFY_JOB
from services.store.claim_models import Claim
from services.store.models import Incident, Job
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, claim_token, seed_incident
from tests.conftest import make_settings
from tests.samples import API_KEY, WEBHOOK_SECRET
from tests.webhooks import signed

FIRST = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
RESOLVED_AT = "2026-11-24T15:00:00Z"


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    app = build_app(make_settings(database_url, JOBS_POLL_SECONDS=30))
    client: TestClient = await aiohttp_client(app)
    await app[JOBS].stop()  # the test runs the jobs itself (run_due), so it knows when they are done
    services = app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST, triggered_at=datetime.now(UTC) - timedelta(minutes=5))
    services.claims = ClaimService(services.db, RoomCalendar())
    # The first notice went out (its rows are who "was notified").
    await services.notifications.fan_out("contoso", "INC-1", "new_incident")
    await app[JOBS].run_due()
    return client


def body(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"client_id": "contoso", "resolved_at": RESOLVED_AT, "note": "Display back online"}
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}


async def resolve(
    client: TestClient, payload: dict[str, Any] | bytes, incident: str = "INC-1", secret: str = WEBHOOK_SECRET
) -> tuple[int, dict[str, Any]]:
    data, headers = signed(secret, payload)
    response = await client.post(f"/api/incidents/{incident}/resolve", data=data, headers=headers)
    return response.status, await response.json()


async def incident_json(client: TestClient) -> dict[str, Any]:
    response = await client.get("/api/incidents/INC-1", headers={"Authorization": f"Bearer {API_KEY}"})
    assert response.status == 200
    return dict(await response.json())


async def resolved_jobs(client: TestClient) -> int:
    async with client.app[SERVICES].db.session() as session:
        payloads = (await session.scalars(select(Job.payload).where(Job.kind == NOTIFY_JOB))).all()
    return sum(1 for p in payloads if p["event"] == "resolved")


async def test_resolve_before_any_claim(client: TestClient) -> None:
    status, reply = await resolve(client, body())
    assert (status, reply) == (200, {"id": "INC-1", "status": "resolved"})
    now = await incident_json(client)
    assert now["status"] == "resolved"  # at once, before any job ran
    assert datetime.fromisoformat(now["resolved_at"]) == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert now["resolved_at"].endswith("-05:00")  # the room's offset, as every instant of the API
    assert now["resolution_note"] == "Display back online"
    assert now["claim"] is None
    await client.app[JOBS].run_due()
    after = await incident_json(client)
    told = {(n["channel"], n["to"]) for n in after["notifications"] if n["event"] == "resolved"}
    first = {(n["channel"], n["to"]) for n in after["notifications"] if n["event"] == "new_incident"}
    emailed = {to for channel, to in told if channel == "email"}
    # Everyone who had the notice by e-mail hears it is over (no Teams card was posted here).
    assert emailed == {to for channel, to in first if channel == "email"}
    assert "sam@acme.example" in emailed and "facilities@contoso.example" in emailed
    assert after["slots"] == now["slots"]  # kept as computed


async def test_resolve_after_a_claim_ends_it_and_links_say_it_is_resolved(client: TestClient) -> None:
    services = client.app[SERVICES]
    claimed = await services.claims.claim_as_user("contoso", "INC-1", "inc-1-s1", "u-priya")
    assert claimed.ok
    assert (await resolve(client, body(note=None)))[0] == 200
    async with services.db.session() as session:
        claim = await session.scalar(select(Claim))
        assert claim is not None and claim.released_at is not None and claim.end_reason == "resolved"
    now = await incident_json(client)
    assert now["status"] == "resolved" and now["claim"] is None and now["resolution_note"] is None
    await client.app[JOBS].run_due()
    after = await incident_json(client)
    resolved_to = {n["to"] for n in after["notifications"] if n["event"] == "resolved"}
    assert "priya@acme.example" in resolved_to  # the claimer is told no visit is needed
    # An e-mail claim link of the incident now answers a 4xx page saying it is resolved.
    token = claim_token("inc-1-s2", "sam@acme.example", FIRST + timedelta(hours=2))
    for method in ("GET", "POST"):
        response = await client.request(method, f"/claim/{token}", data={"confirm": "yes"})
        page = html.unescape(await response.text())
        assert response.status == 410, page
        assert texts.CLAIM_LINK_RESOLVED in page
    assert await services.claims.active_claim("contoso", "INC-1") is None
    # And a Teams click finds it resolved too.
    refused = await services.claims.claim_as_user("contoso", "INC-1", "inc-1-s2", "u-sam")
    assert refused.outcome == "resolved"


async def test_resolve_twice_keeps_the_first_and_sends_nothing_again(client: TestClient) -> None:
    assert (await resolve(client, body()))[0] == 200
    await client.app[JOBS].run_due()
    first = await incident_json(client)
    status, reply = await resolve(client, body(resolved_at="2026-11-25T09:00:00Z", note="Fixed again"))
    assert (status, reply) == (200, {"id": "INC-1", "status": "resolved"})
    assert await client.app[JOBS].run_due() == 0
    again = await incident_json(client)
    assert (again["resolved_at"], again["resolution_note"]) == (first["resolved_at"], "Display back online")
    assert again["notifications"] == first["notifications"]
    assert await resolved_jobs(client) == 1


async def test_unknown_incident_client_and_bad_signature(client: TestClient) -> None:
    assert (await resolve(client, body(), incident="INC-404"))[0] == 404
    status, reply = await resolve(client, body(client_id="nobody"))
    assert status == 422 and reply["details"][0]["field"] == "client_id"
    bad_secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    assert (await resolve(client, body(), secret=bad_secret))[0] == 401
    unsigned = await client.post("/api/incidents/INC-1/resolve", json=body())
    assert unsigned.status == 401
    assert (await incident_json(client))["status"] == "notified"
    assert await resolved_jobs(client) == 0


async def test_malformed_fields_are_named_and_nothing_changes(client: TestClient) -> None:
    status, reply = await resolve(client, body(resolved_at="yesterday", note=["not", "text"]))
    assert status == 400
    assert {d["field"] for d in reply["details"]} == {"resolved_at", "note"}
    status, reply = await resolve(client, {"resolved_at": RESOLVED_AT})
    assert status == 400 and [d["field"] for d in reply["details"]] == ["client_id"]
    status, reply = await resolve(client, b"{not json")
    assert status == 400 and reply["details"][0]["field"] == "(body)"
    assert (await incident_json(client))["status"] == "notified"
    async with client.app[SERVICES].db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None and incident.resolved_at is None
        assert await session.scalar(select(func.count()).select_from(Claim)) == 0
    assert await resolved_jobs(client) == 0


async def test_the_demo_sends_and_resolves_a_signed_incident(
    aiohttp_client: Any, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app = build_app(make_settings(database_url, JOBS_POLL_SECONDS=30))
    demo_client: TestClient = await aiohttp_client(app)
    await app[JOBS].stop()
    directory = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    await app[SERVICES].directory.import_document(directory)
    url = str(demo_client.make_url("/api/incidents"))
    room = directory["rooms"][0]["id"]
    assert await asyncio.to_thread(send_incident.main, [room, "Display offline", "--url", url]) == 0
    sent = capsys.readouterr().out
    assert sent.startswith("202 ")
    incident_id = json.loads(sent.split(" ", 1)[1])["id"]
    assert await asyncio.to_thread(send_incident.main, ["--resolve", incident_id, "--url", url]) == 0
    assert json.loads(capsys.readouterr().out.split(" ", 1)[1]) == {"id": incident_id, "status": "resolved"}
    async with app[SERVICES].db.session() as session:
        row = await session.get(Incident, (directory["client"]["id"], incident_id))
        assert row is not None and row.status == "resolved"
        assert row.resolution_note == "Resolved from demo.send_incident"


async def test_resolved_before_processing_is_never_announced(client: TestClient) -> None:
    fresh = {
        "id": "INC-2",
        "client_id": "contoso",
        "room_id": "hq-4b",
        "triggered_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "title": "Display offline",
        "severity": "high",
    }
    data, headers = signed(WEBHOOK_SECRET, fresh)
    assert (await client.post("/api/incidents", data=data, headers=headers)).status == 202
    assert (await resolve(client, body(), incident="INC-2"))[0] == 200
    await client.app[JOBS].run_due()  # the pipeline job finds it resolved and stops
    response = await client.get("/api/incidents/INC-2", headers={"Authorization": f"Bearer {API_KEY}"})
    found = await response.json()
    assert found["status"] == "resolved"
    assert found["notifications"] == []  # nobody is told about an incident that is already over
    # The same incident webhook again answers with the current status, and changes nothing.
    data, headers = signed(WEBHOOK_SECRET, fresh)
    again = await client.post("/api/incidents", data=data, headers=headers)
    assert (again.status, (await again.json())["status"]) == (200, "resolved")
