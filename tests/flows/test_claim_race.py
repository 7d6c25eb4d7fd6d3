"""One slot, 100 people clicking at once — Teams invokes to `/api/messages` and e-mail link
POSTs to `/claim/{token}`, mixed — against real app processes and the Microsoft 365
emulator: exactly one claim wins, on SQLite (one instance) and on PostgreSQL (two
instances sharing the database), and every loser is told who won."""

from __future__ import annotations

import asyncio
import html
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from services import texts
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, Slot
from tests.bot.activities import activity, card_texts
from tests.bot.channel_stub import channel_stub
from tests.claims_support import (
    assign_acme,
    claim_directory,
    claim_token,
    crowd_aad,
    crowd_email,
    next_weekday_at,
)
from tests.conftest import reset_postgres
from tests.flows.test_durability import App, environment, sign_in
from tests.m365 import CONF4B, TENANT_ID, free_port
from tests.samples import WEBHOOK_SECRET
from tests.webhooks import incident, signed

CROWD = 100
TAKEN = "Sorry, this incident is already claimed by "


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("claim-race-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


async def open_slot(db: Database, timeout: float = 60.0) -> tuple[str, datetime]:
    deadline = time.monotonic() + timeout
    while True:
        async with db.session() as session:
            status = await session.scalar(select(Incident.status).where(Incident.id == "INC-RACE"))
            slot = await session.scalar(
                select(Slot).where(Slot.incident_id == "INC-RACE").order_by(Slot.seq).limit(1)
            )
        if status in ("slots_found", "notified") and slot is not None:
            start = slot.start if slot.start.tzinfo else slot.start.replace(tzinfo=UTC)
            return slot.id, start
        assert time.monotonic() < deadline, f"no slots: {status}"
        await asyncio.sleep(0.2)


async def click(
    http: aiohttp.ClientSession, app: App, n: int, slot_id: str, stub_url: str
) -> tuple[str, str, float]:
    """Tech n clicks the slot in Teams; returns (outcome line, via, seconds)."""
    body = activity(
        "invoke",
        user_id=f"29:tech{n:03d}",
        aad=crowd_aad(n),
        conversation_id=f"a:personal-tech{n:03d}",
        service_url=stub_url,
        tenant=TENANT_ID,  # the client's tenant (DESIGN 3.4)
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "claim_slot",
                "data": {
                    "action": "claim_slot",
                    "client_id": "contoso",
                    "incident_id": "INC-RACE",
                    "slot_id": slot_id,
                },
            }
        },
    )
    started = time.monotonic()
    async with http.post(app.base + "/api/messages", json=body) as response:
        assert response.status == 200, await response.text()
        reply = await response.json()
    lines = card_texts({"attachments": [reply["value"]]})
    return lines[1], "teams", time.monotonic() - started


async def follow_link(
    http: aiohttp.ClientSession, app: App, n: int, slot_id: str, start: datetime
) -> tuple[str, str, float]:
    """Tech n opens their e-mail link and submits the form."""
    token = claim_token(slot_id, crowd_email(n), start, incident_id="INC-RACE")
    started = time.monotonic()
    async with http.post(f"{app.base}/claim/{token}", data={"confirm": "yes"}) as response:
        page = html.unescape(await response.text())
        status = response.status
    if status == 200:
        return texts.CLAIM_DONE, "email", time.monotonic() - started
    assert status == 409, page
    line = next(p for p in page.split("<p>") if p.startswith(TAKEN))
    return line.split("</p>")[0], "email", time.monotonic() - started


async def race(database_url: str, ca_dir: Path, tmp_path: Path, instances: int) -> None:
    ports = [free_port() for _ in range(instances)]
    stub = TestServer(channel_stub({}))
    await stub.start_server()
    async with environment(database_url, ca_dir, tmp_path, ports) as (emu, env, services):
        doc = claim_directory(crowd=CROWD)
        doc["client"]["tenant_id"] = TENANT_ID
        await services.directory.import_document(doc)
        await services.integration.apply(assign_acme() | {"room_map": {"hq-4b": CONF4B}})
        apps = [App(env, port, tmp_path / f"app{i}.log") for i, port in enumerate(ports)]
        try:
            for app in apps:
                await app.start()
            await sign_in(apps[0], services, emu)
            body, headers = signed(
                WEBHOOK_SECRET, incident(id="INC-RACE", triggered_at=next_weekday_at(12, 5).isoformat())
            )
            async with aiohttp.ClientSession() as http:
                async with http.post(apps[0].base + "/api/incidents", data=body, headers=headers) as r:
                    assert r.status == 202, await r.text()
                slot_id, start = await open_slot(services.db)
                stub_url = str(stub.make_url("/"))
                calls = [
                    click(http, apps[n % instances], n, slot_id, stub_url)
                    if n % 5 < 3
                    else follow_link(http, apps[n % instances], n, slot_id, start)
                    for n in range(CROWD)
                ]
                results = await asyncio.gather(*calls)
                claims: Counter[tuple[str, str]] = Counter()
                for app in apps:
                    async with http.get(app.base + "/metrics") as scraped:
                        for family in text_string_to_metric_families(await scraped.text()):
                            for s in family.samples:
                                if s.name == "pivot_claims_total":
                                    claims[(s.labels["via"], s.labels["outcome"])] += int(s.value)
        finally:
            for app in apps:
                app.stop()
            await stub.close()
        winners = [r for r in results if r[0] == texts.CLAIM_DONE]
        assert len(winners) == 1, [r for r in results if not r[0].startswith(TAKEN)]
        async with services.db.session() as session:
            claim = await session.scalar(select(Claim))
            count = await session.scalar(select(func.count()).select_from(Claim))
            status = await session.scalar(select(Incident.status).where(Incident.id == "INC-RACE"))
        assert count == 1 and claim is not None
        assert status == "claimed"
        who = f"{claim.claimer_name} (Acme AV)"
        losers = [r for r in results if r is not winners[0]]
        assert all(line.startswith(f"{TAKEN}{who} — ") for line, _, _ in losers), {r[0] for r in losers}
        assert {via for _, via, _ in results} == {"teams", "email"}
        assert sum(n for (_, outcome), n in claims.items() if outcome == "claimed") == 1
        assert sum(claims.values()) == CROWD
        assert {via for via, _ in claims} == {"teams", "email"}
        slowest = max(seconds for _, _, seconds in results)
        print(f"{instances} instance(s): winner via {winners[0][1]}, slowest answer {slowest:.2f}s")


async def test_one_winner_on_sqlite(ca_dir: Path, tmp_path: Path) -> None:
    await race(f"sqlite+aiosqlite:///{tmp_path / 'race.db'}", ca_dir, tmp_path, instances=1)


@pytest.mark.postgres
async def test_one_winner_on_postgres_with_two_instances(
    postgres_server_url: str, ca_dir: Path, tmp_path: Path
) -> None:
    await reset_postgres(postgres_server_url)
    await race(postgres_server_url, ca_dir, tmp_path, instances=2)
