"""The `notify.teams` job against the Bot Connector stand-in: cards land in the right
chat, their ids are kept, throttling retries, a blocked bot falls back to e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import tests.bot.chat as chat
from api.keys import SERVICES
from bot.routes import BOT_RUNTIME
from services.jobs import JobInfo, RetryLater
from services.notify.service import TEAMS_JOB
from services.store.models import ConversationRef, Incident, Slot
from services.store.notification_models import Notification
from tests.bot.activities import activity
from tests.bot.channel_stub import CALLS, fail_next
from tests.bot.chat import say, start
from tests.conftest import make_settings

ADA_AAD = "a0000000-0000-4000-8000-0000000000a1"
SAM_AAD = "a0000000-0000-4000-8000-0000000000a3"


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url, JOBS_POLL_SECONDS=60))
    services = client.app[SERVICES]
    # Slots in the future: a slot that has started is never offered (the card and e-mail rule).
    start_at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    async with services.db.session() as session:
        session.add(
            Incident(
                client_id="contoso",
                id="INC-1",
                room_id="hq-4b",
                triggered_at=start_at,
                title="Display offline",
                severity="high",
                body_sha256="x",
                status="slots_found",
                timezone="America/New_York",
                calendar_reads=1,
            )
        )
        await session.flush()
        for n in range(3):
            session.add(
                Slot(
                    id=f"s{n}",
                    client_id="contoso",
                    incident_id="INC-1",
                    seq=n,
                    start=start_at + timedelta(hours=n),
                    end=start_at + timedelta(hours=n + 1),
                )
            )
    return client


async def notification(
    client: TestClient, recipient: str, user_id: str | None, role: str, event: str = "new_incident"
) -> int:
    async with client.app[SERVICES].db.session() as session:
        row = Notification(
            client_id="contoso",
            incident_id="INC-1",
            event=event,
            channel="teams",
            recipient=recipient,
            recipient_user_id=user_id,
            recipient_role=role,
            status="queued",
        )
        session.add(row)
        await session.flush()
        return row.id


async def run(client: TestClient, notification_id: int, attempts: int = 1) -> None:
    notifier = client.app[BOT_RUNTIME].teams_notifier
    await notifier.handle(JobInfo(1, TEAMS_JOB, {"notification_id": notification_id}, attempts, 5))


async def row(client: TestClient, notification_id: int) -> Notification:
    async with client.app[SERVICES].db.session() as session:
        found = await session.get(Notification, notification_id)
        assert found is not None
        return found


def sends() -> list[dict[str, Any]]:
    assert chat.CHANNEL is not None
    return [body for kind, body in chat.CHANNEL.server.app[CALLS] if kind == "send"]


async def test_card_goes_to_the_users_personal_chat(client: TestClient) -> None:
    await say(client, activity("installationUpdate", action="add"))  # Ada's 1:1 chat is now known
    before = len(sends())
    nid = await notification(client, "user:contoso/u-ada", "u-ada", "client_admin")
    await run(client, nid)
    posted = sends()[before:]
    assert len(posted) == 1
    assert posted[0]["_conversation"] == "a:personal-ada"
    card = posted[0]["attachments"][0]["content"]
    assert "Incident: Display offline" in str(card)
    stored = await row(client, nid)
    assert stored.status == "sent"
    assert stored.conversation_id == "a:personal-ada"
    assert stored.activity_id is not None
    await run(client, nid)  # a retried job sends nothing more
    assert len(sends()) == before + 1


async def test_channel_recipient(client: TestClient) -> None:
    await say(
        client,
        activity(
            "installationUpdate",
            action="add",
            conversation_id="19:incidents@thread.tacv2",
            conversation_type="channel",
            channelData={"tenant": {"id": "t"}, "team": {"id": "19:team"}},
        ),
    )
    nid = await notification(client, "channel:19:incidents@thread.tacv2", None, "channel")
    await run(client, nid)
    assert sends()[-1]["_conversation"] == "19:incidents@thread.tacv2"
    assert (await row(client, nid)).status == "sent"


async def test_new_personal_chat_is_opened_with_the_users_aad_id(client: TestClient) -> None:
    await say(client, activity("installationUpdate", action="add"))  # any conversation in the tenant
    nid = await notification(client, "user:contoso/u-sam", "u-sam", "service_provider")
    await run(client, nid)
    assert chat.CHANNEL is not None
    creates = [body for kind, body in chat.CHANNEL.server.app[CALLS] if kind == "create"]
    assert creates[-1]["members"] == [{"id": SAM_AAD}]
    assert sends()[-1]["_conversation"] == f"a:1on1-{SAM_AAD}"
    assert (await row(client, nid)).status == "sent"


async def test_throttling_retries_after_the_servers_delay(client: TestClient) -> None:
    await say(client, activity("installationUpdate", action="add"))
    assert chat.CHANNEL is not None
    fail_next(chat.CHANNEL.server.app, 429, {"Retry-After": "7"})
    nid = await notification(client, "user:contoso/u-ada", "u-ada", "client_admin")
    with pytest.raises(RetryLater) as info:
        await run(client, nid)
    assert info.value.delay == 7
    assert (await row(client, nid)).status == "queued"
    fail_next(chat.CHANNEL.server.app, 503)
    with pytest.raises(RetryLater):
        await run(client, nid, attempts=2)
    await run(client, nid, attempts=3)
    assert (await row(client, nid)).status == "sent"


async def test_blocked_bot_marks_route_inactive_and_falls_back_to_email(client: TestClient) -> None:
    await say(client, activity("installationUpdate", action="add"))
    fallbacks: list[int] = []

    async def fallback(notification_id: int) -> None:
        fallbacks.append(notification_id)

    client.app[BOT_RUNTIME].teams_notifier.set_fallback(fallback)
    assert chat.CHANNEL is not None
    fail_next(chat.CHANNEL.server.app, 403)
    nid = await notification(client, "user:contoso/u-ada", "u-ada", "client_admin")
    await run(client, nid)
    assert (await row(client, nid)).status == "inactive"
    assert fallbacks == [nid]
    async with client.app[SERVICES].db.session() as session:
        ref = await session.get(ConversationRef, "a:personal-ada")
        assert ref is not None
        assert ref.active is False


async def test_no_route_falls_back_without_calling_teams(client: TestClient) -> None:
    fallbacks: list[int] = []

    async def fallback(notification_id: int) -> None:
        fallbacks.append(notification_id)

    client.app[BOT_RUNTIME].teams_notifier.set_fallback(fallback)
    nid = await notification(client, "user:contoso/u-bo", "u-bo", "client_user")  # no AAD id, no chat
    await run(client, nid)
    assert (await row(client, nid)).status == "inactive"
    assert fallbacks == [nid]
    assert sends() == []


async def test_a_declined_room_booking_tells_the_claimer_with_the_slots(client: TestClient) -> None:
    from services import texts
    await say(client, activity("installationUpdate", action="add"))
    before = len(sends())
    nid = await notification(  # the claimer: a provider (a client's copy has no slot buttons)
        client, "user:contoso/u-sam", "u-sam", "service_provider", event="booking_declined#0123456789abcdef"
    )
    await run(client, nid)
    card = str(sends()[before:][0]["attachments"][0]["content"])
    assert texts.BOOKING_DECLINED_LEAD.format(room="Conference Room 4B") in card
    assert "claim_slot" in card  # the current slots, one button each
    assert (await row(client, nid)).status == "sent"
