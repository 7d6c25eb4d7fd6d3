"""Who is talking (DESIGN 3.4), over real HTTP to `/api/messages`: a directory user is
matched only inside the client's tenant; an e-mail (Teams' or a roster's) may link a user
without an AAD object id, never a client admin; linked accounts are tenant-bound."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

import tests.bot.chat as chat
from api.keys import SERVICES
from cards.admin import ROTATE_ACTION
from cards.claim import REFRESH_ACTION
from cards.incident import CLAIM_ACTION
from services import texts
from services.claims.service import ClaimService
from services.store.notification_models import IdentityLink
from tests.bot.activities import TENANT, activity, card_texts, message
from tests.bot.channel_stub import MEMBERS, ROSTER
from tests.bot.chat import say, start
from tests.claims_support import (
    ADA_AAD,
    RoomCalendar,
    assign_acme,
    claim_directory,
    next_weekday_at,
    seed_incident,
)
from tests.conftest import make_settings
from tests.samples import API_KEY
from tests.services.smtp_support import ScriptedSmtp

FOREIGN = "99999999-8888-4777-8666-555555555555"
# Another tenant's user whose Teams e-mail reads like Ada's (and one reusing Ada's AAD id).
MALLORY = {
    "user_id": "29:mallory",
    "aad": "e0000000-0000-4000-8000-0000000000e1",
    "tenant": FOREIGN,
    "conversation_id": "a:personal-mallory",
}
MIRROR = {"user_id": "29:mirror", "aad": ADA_AAD, "tenant": FOREIGN, "conversation_id": "a:personal-mirror"}
FIRST = next_weekday_at(14)


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url, JOBS_POLL_SECONDS=0.05))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST, triggered_at=FIRST - timedelta(hours=1))
    services.claims = ClaimService(services.db, RoomCalendar())
    assert chat.CHANNEL is not None
    members = chat.CHANNEL.server.app[MEMBERS]
    members["29:mallory"] = {"id": "29:mallory", "name": "Mallory", "email": "ada@contoso.example"}
    members["29:mirror"] = {"id": "29:mirror", "name": "Mirror", "email": "ada@contoso.example"}
    return client


async def invoke(
    client: TestClient, verb: str, payload: dict[str, Any], who: dict[str, Any]
) -> dict[str, Any]:
    body = activity(
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": payload}},
        **who,
    )
    assert chat.CHANNEL is not None
    body["serviceUrl"] = chat.CHANNEL.url
    response = await client.post("/api/messages", json=body)
    assert response.status == 200, await response.text()
    return dict(await response.json())


def all_texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(line for r in replies for line in card_texts(r))


async def api_key_works(client: TestClient) -> bool:
    try:
        await client.app[SERVICES].directory.authenticate("contoso", API_KEY)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("who", [MALLORY, MIRROR], ids=["same-email", "same-aad-id"])
async def test_a_foreign_tenant_user_gets_nothing_of_the_client(
    client: TestClient, who: dict[str, Any]
) -> None:
    out = await say(client, message("whoami", **who))
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]
    for command in ("rotate-secrets", "setup", "status", "manage"):
        out = await say(client, message(command, **who))
        assert [r.get("text") for r in out] == [texts.NOT_LINKED], command
    await invoke(client, ROTATE_ACTION, {"action": ROTATE_ACTION}, who)
    assert await api_key_works(client)  # nothing rotated
    incident = {"client_id": "contoso", "incident_id": "INC-1"}
    claimed = await invoke(
        client, CLAIM_ACTION, {"action": CLAIM_ACTION, "slot_id": "inc-1-s0", **incident}, who
    )
    assert await client.app[SERVICES].claims.active_claim("contoso", "INC-1") is None
    seen = await invoke(client, REFRESH_ACTION, {"action": REFRESH_ACTION, **incident}, who)
    for answer in (claimed, seen):
        assert answer["type"] == "application/vnd.microsoft.card.adaptive"
        assert card_texts({"attachments": [answer["value"]]}) == [texts.CARD_NOT_FOR_YOU]
        for secret in ("Display offline", "Conference Room 4B", "Contoso", "INC-1"):
            assert secret not in str(answer["value"])


async def test_activity_with_two_disagreeing_tenants_identifies_nobody(client: TestClient) -> None:
    body = message("whoami", user_id="29:ada", aad=ADA_AAD)
    body["conversation"]["tenantId"] = FOREIGN  # channelData still says the client's tenant
    out = await say(client, body)
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]


async def test_an_email_never_makes_a_client_admin(client: TestClient) -> None:
    doc = claim_directory()
    doc["users"][0]["aad_object_id"] = None  # Ada has no AAD object id in the directory yet
    await client.app[SERVICES].directory.import_document(doc)
    assert chat.CHANNEL is not None
    chat.CHANNEL.server.app[MEMBERS]["29:ada2"] = {
        "id": "29:ada2",
        "name": "Ada?",
        "email": "ada@contoso.example",
    }
    same_tenant = {"user_id": "29:ada2", "aad": "e0000000-0000-4000-8000-0000000000e2", "tenant": TENANT}
    out = await say(client, message("whoami", **same_tenant))
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]
    out = await say(client, message("rotate-secrets", **same_tenant))
    assert [r.get("text") for r in out] == [texts.NOT_LINKED]
    # A roster entry with the admin's e-mail does not link either.
    roster = {"29:ada2": chat.CHANNEL.server.app[MEMBERS]["29:ada2"]}
    await install_in_group_chat(client, roster, tenant=TENANT)
    assert await links(client) == []


async def install_in_group_chat(
    client: TestClient, roster: dict[str, dict[str, Any]], *, tenant: str
) -> None:
    assert chat.CHANNEL is not None
    chat.CHANNEL.server.app[MEMBERS].update(roster)
    chat.CHANNEL.server.app[ROSTER][:] = list(roster.values())
    await say(
        client,
        activity(
            "installationUpdate",
            action="add",
            conversation_id="19:group@thread.v2",
            conversation_type="groupChat",
            tenant=tenant,
        ),
    )


async def links(client: TestClient) -> list[tuple[str, str, str | None]]:
    async with client.app[SERVICES].db.session() as session:
        rows = (await session.scalars(select(IdentityLink).order_by(IdentityLink.teams_user_id))).all()
    return [(r.teams_user_id, r.user_id, r.tenant_id) for r in rows]


async def test_a_same_tenant_user_without_aad_id_is_still_matched_by_email(client: TestClient) -> None:
    out = await say(client, message("whoami", user_id="29:bo", aad=None, conversation_id="a:personal-bo"))
    lines = card_texts(out[0])
    assert "Name: Bo User" in lines
    assert texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS["email"]) in lines
    # The same Teams e-mail from another tenant matches nobody.
    out = await say(client, message("whoami", user_id="29:bo", aad=None, tenant=FOREIGN))
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]


async def test_roster_links_only_inside_the_tenant(client: TestClient) -> None:
    bo = {"id": "29:bo-roster", "name": "Bo", "email": "bo@contoso.example"}
    await install_in_group_chat(client, {"29:bo-roster": bo}, tenant=FOREIGN)
    assert await links(client) == []
    await install_in_group_chat(client, {"29:bo-roster": bo}, tenant=TENANT)
    assert await links(client) == [("29:bo-roster", "u-bo", TENANT)]
    # The link is tenant-bound: the same Teams id from another tenant is nobody.
    out = await say(client, message("whoami", user_id="29:bo-roster", aad=None, tenant=FOREIGN))
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]


async def test_a_same_tenant_provider_without_aad_id_links_by_mailed_code_and_claims(
    aiohttp_client: Any, database_url: str
) -> None:
    smtp = ScriptedSmtp()
    await smtp.start()
    try:
        settings = make_settings(
            database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", JOBS_POLL_SECONDS=0.05
        )
        client = await start(aiohttp_client, settings)
        services = client.app[SERVICES]
        doc = claim_directory()
        priya = next(u for u in doc["users"] if u["id"] == "u-priya")
        priya["aad_object_id"] = None  # pivot does not know her AAD object id yet
        await services.directory.import_document(doc)
        await services.integration.apply(assign_acme())
        await seed_incident(services.db, first_slot=FIRST, triggered_at=FIRST - timedelta(hours=1))
        services.claims = ClaimService(services.db, RoomCalendar())
        who = {"user_id": "29:priya", "aad": "e0000000-0000-4000-8000-0000000000e4"}
        await say(client, message("link", **who))
        out = await say(client, message("priya@acme.example", **who))
        assert [r.get("text") for r in out] == [texts.LINK_CODE_SENT]
        for _ in range(200):
            if smtp.to("priya@acme.example"):
                break
            await asyncio.sleep(0.05)
        body = smtp.to("priya@acme.example")[0].message.get_body(preferencelist=("plain",))
        assert body is not None
        found = re.search(r"\b(\d{6})\b", body.get_content())
        assert found is not None
        out = await say(client, message(found.group(1), **who))
        assert [r.get("text") for r in out] == [texts.LINK_DONE.format(name="Priya Provider")]
        incident = {"client_id": "contoso", "incident_id": "INC-1"}
        answer = await invoke(
            client, CLAIM_ACTION, {"action": CLAIM_ACTION, "slot_id": "inc-1-s0", **incident}, who
        )
        assert texts.CLAIM_DONE in card_texts({"attachments": [answer["value"]]})
        claim = await services.claims.active_claim("contoso", "INC-1")
        assert claim is not None and claim.user_id == "u-priya"
    finally:
        await smtp.stop()


async def test_a_roster_email_link_to_a_user_with_an_aad_id_only_serves_to_reach_them(
    client: TestClient,
) -> None:
    sam = {"id": "29:sam-roster", "name": "Sam", "email": "sam@acme.example"}  # the roster gives no AAD id
    await install_in_group_chat(client, {"29:sam-roster": sam}, tenant=TENANT)
    assert await links(client) == [("29:sam-roster", "u-sam", TENANT)]
    # Someone writing from that Teams id with another AAD id is not Sam.
    out = await say(
        client, message("whoami", user_id="29:sam-roster", aad="e0000000-0000-4000-8000-0000000000e7")
    )
    assert [r.get("text") for r in out] == [texts.WHOAMI_UNKNOWN]
