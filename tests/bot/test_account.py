"""`link` (one-time code by e-mail, through the durable mail job to a real SMTP server) and
`preferences` (toggles card, Action.Execute and Action.Submit), over real HTTP to
`/api/messages`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

import tests.bot.chat as chat
from api.keys import SERVICES
from cards.preferences import SAVE_ACTION
from services import texts
from services.config import Settings
from services.directory.account_links import LINK_MAIL_JOB, MAX_REQUESTS
from services.store.models import Job
from services.store.notification_models import LinkCode
from tests.bot.activities import TENANT, activity, card_texts, message
from tests.bot.chat import say, start
from tests.conftest import make_settings
from tests.services.smtp_support import ScriptedSmtp

STRANGER = {"user_id": "29:stranger", "aad": "f0000000-0000-4000-8000-0000000000ff"}
LIMITED = texts.LINK_LIMITED.split("{time}")[0]


@pytest.fixture
async def smtp() -> AsyncIterator[ScriptedSmtp]:
    server = ScriptedSmtp()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(database_url: str, smtp: ScriptedSmtp) -> Settings:
    return make_settings(database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", JOBS_POLL_SECONDS=0.05)


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await start(aiohttp_client, settings)


async def mailed_code(smtp: ScriptedSmtp, address: str, count: int = 1) -> str:
    """The code in the `count`-th link e-mail to `address`, once the mail job sent it."""
    for _ in range(200):
        received = smtp.to(address)
        if len(received) >= count:
            message = received[count - 1].message
            assert message["Subject"] == texts.LINK_EMAIL_SUBJECT
            assert message.is_multipart()
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            found = re.search(r"\b(\d{6})\b", body.get_content())
            assert found is not None
            return found.group(1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no link e-mail to {address}")


async def answers(client: TestClient, text: str, who: dict[str, Any]) -> list[str | None]:
    return [r.get("text") for r in await say(client, message(text, **who))]


async def test_unknown_user_is_offered_link(client: TestClient) -> None:
    out = await say(client, message("show me incidents", **STRANGER))
    assert card_texts(out[0])[0] == texts.NOT_LINKED
    assert await answers(client, "preferences", STRANGER) == [texts.NOT_LINKED]


async def test_link_with_the_emailed_code(client: TestClient, smtp: ScriptedSmtp) -> None:
    assert await answers(client, "link", STRANGER) == [texts.LINK_ASK_EMAIL]
    assert await answers(client, "Bo@Contoso.example", STRANGER) == [texts.LINK_CODE_SENT]
    code = await mailed_code(smtp, "bo@contoso.example")
    async with client.app[SERVICES].db.session() as session:
        stored = (await session.scalars(select(LinkCode))).all()
        jobs = (await session.scalars(select(Job).where(Job.kind == LINK_MAIL_JOB))).all()
    assert len(stored) == 1 and code not in stored[0].code_sha256  # kept as a keyed hash
    assert jobs and all(code not in str(job.payload) for job in jobs)  # the job carries it encrypted
    wrong = "000000" if code != "000000" else "111111"
    assert await answers(client, wrong, STRANGER) == [texts.LINK_WRONG]
    assert await answers(client, code, STRANGER) == [texts.LINK_DONE.format(name="Bo User")]
    out = await say(client, message("whoami", **STRANGER))
    lines = card_texts(out[0])
    assert "Name: Bo User" in lines
    assert texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS["code"]) in lines
    # An unknown address gets the same answer (no directory probing), and no e-mail.
    await say(client, message("link", **STRANGER))
    assert await answers(client, "nobody@nowhere.example", STRANGER) == [texts.LINK_CODE_SENT]
    await asyncio.sleep(0.3)
    assert [r.rcpt_tos for r in smtp.received] == [("bo@contoso.example",)]


async def test_a_foreign_tenant_gets_no_code_for_a_directory_address(
    client: TestClient, smtp: ScriptedSmtp
) -> None:
    foreign = {**STRANGER, "tenant": "99999999-8888-4777-8666-555555555555"}
    await say(client, message("link", **foreign))
    assert await answers(client, "bo@contoso.example", foreign) == [texts.LINK_CODE_SENT]  # same answer
    await asyncio.sleep(0.3)
    assert smtp.received == []  # but nothing is sent


async def test_link_gives_up_after_five_wrong_codes(client: TestClient, smtp: ScriptedSmtp) -> None:
    await say(client, message("link", **STRANGER))
    await say(client, message("bo@contoso.example", **STRANGER))
    code = await mailed_code(smtp, "bo@contoso.example")
    wrong = "000000" if code != "000000" else "111111"
    given = [await answers(client, wrong, STRANGER) for _ in range(5)]
    assert given == [[texts.LINK_WRONG]] * 4 + [[texts.LINK_EXPIRED]]
    out = await say(client, message(code, **STRANGER))  # too late: the dialog is over, the code gone
    assert card_texts(out[0])[0] == texts.NOT_LINKED


async def test_codes_are_bounded_per_account_and_per_address_across_restarts(
    aiohttp_client: Any, settings: Settings, smtp: ScriptedSmtp
) -> None:
    client = await start(aiohttp_client, settings)
    for n in range(MAX_REQUESTS):
        await say(client, message("cancel", **STRANGER))  # leave the code prompt, ask again
        await say(client, message("link", **STRANGER))
        assert await answers(client, "bo@contoso.example", STRANGER) == [texts.LINK_CODE_SENT]
        await mailed_code(smtp, "bo@contoso.example", n + 1)
    await client.close()
    client = await start(aiohttp_client, settings)  # a new process on the same database
    await say(client, message("cancel", **STRANGER))
    await say(client, message("link", **STRANGER))
    refusal = await answers(client, "bo@contoso.example", STRANGER)
    assert len(refusal) == 1 and (refusal[0] or "").startswith(LIMITED)
    assert re.search(r"after \d\d:\d\d UTC", refusal[0] or "")
    # Another address does not help this account (nor probe the directory)...
    await say(client, message("link", **STRANGER))
    assert (await answers(client, "sam@acme.example", STRANGER))[0].startswith(LIMITED)  # type: ignore[union-attr]
    # ...and the address is bounded whoever asks.
    other = {"user_id": "29:other", "aad": "f0000000-0000-4000-8000-0000000000fe"}
    await say(client, message("link", **other))
    assert (await answers(client, "bo@contoso.example", other))[0].startswith(LIMITED)  # type: ignore[union-attr]
    await asyncio.sleep(0.3)
    assert len(smtp.received) == MAX_REQUESTS
    # The refusals replaced nothing: the last mailed code still links.
    code = await mailed_code(smtp, "bo@contoso.example", MAX_REQUESTS)
    await say(client, message("link", **STRANGER))  # limited: the dialog ends at once
    async with client.app[SERVICES].db.session() as session:
        assert len((await session.scalars(select(LinkCode))).all()) == 1
    links = client.app[SERVICES].links
    linked = await links.confirm("29:stranger", code, aad_object_id=None, tenant_id=TENANT)
    assert linked.user_id == "u-bo"


async def test_without_smtp_link_says_it_cannot_send(aiohttp_client: Any, database_url: str) -> None:
    client = await start(aiohttp_client, make_settings(database_url))
    await say(client, message("link", **STRANGER))
    assert await answers(client, "bo@contoso.example", STRANGER) == [texts.LINK_MAIL_UNAVAILABLE]


async def test_bad_email_sends_nothing(client: TestClient, smtp: ScriptedSmtp) -> None:
    await say(client, message("link", **STRANGER))
    assert await answers(client, "not an address", STRANGER) == [texts.LINK_BAD_EMAIL]
    await asyncio.sleep(0.2)
    assert smtp.received == []


def toggles(**overrides: str) -> dict[str, str]:
    values = {
        "email": "true",
        "teams": "true",
        "event_new_incident": "true",
        "event_slot_claimed": "true",
        "event_slot_released": "true",
    }
    values.update(overrides)
    return values


async def test_preferences_card_and_submit(client: TestClient) -> None:
    out = await say(client, message("preferences"))
    lines = card_texts(out[0])
    assert lines[0] == texts.PREFS_TITLE
    data = {"action": SAVE_ACTION, **toggles(teams="false", event_slot_released="false")}
    out = await say(client, message("", value=data))
    assert texts.PREFS_SAVED in card_texts(out[0])
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert (prefs.email, prefs.teams) == (True, False)
    assert prefs.events == {"new_incident": True, "slot_claimed": True, "slot_released": False}
    assert not prefs.wants("teams", "new_incident")
    assert prefs.wants("email", "slots_update")


async def test_preferences_via_action_execute_invoke(client: TestClient) -> None:
    body = activity(
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": SAVE_ACTION, "data": toggles(email="false")}},
    )
    assert chat.CHANNEL is not None
    body["serviceUrl"] = chat.CHANNEL.url
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    reply = await response.json()
    assert reply["statusCode"] == 200
    assert reply["type"] == "application/vnd.microsoft.card.adaptive"
    assert texts.PREFS_SAVED in card_texts({"attachments": [reply["value"]]})
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert prefs.email is False


async def test_malformed_preferences_change_nothing(client: TestClient) -> None:
    out = await say(client, message("", value={"action": SAVE_ACTION, "email": "maybe"}))
    assert [r.get("text") for r in out] == [texts.PREFS_BAD_INPUT]
    prefs = await client.app[SERVICES].preferences.get("contoso", "u-ada")
    assert prefs is not None
    assert (prefs.email, prefs.teams) == (True, True)
