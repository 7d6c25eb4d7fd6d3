"""What a posted card reads from the store: the Release button follows the release rule
(the claimer or a client admin), and each copy refreshes for its readers."""

from __future__ import annotations

from typing import Any

import pytest

from api.keys import SERVICES
from services.claims.service import ClaimService
from services.container import Services
from services.notify.card_facts import CardFacts
from tests.bot.chat import start
from tests.bot.test_claims import FIRST
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, seed_incident
from tests.conftest import make_settings


@pytest.fixture
async def services(aiohttp_client: Any, database_url: str) -> Services:
    client = await start(aiohttp_client, make_settings(database_url))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST)
    return services


async def test_release_is_offered_to_the_claimer_and_client_admins_only(services: Services) -> None:
    facts = CardFacts(services.db)
    view = await facts.view("contoso", "INC-1")
    assert view is not None and view.claim is None
    assert not await facts.may_release(view, "u-sam")  # nothing claimed yet
    claims = ClaimService(services.db, RoomCalendar())
    result = await claims.claim_as_user("contoso", "INC-1", view.slots[1].id, "u-sam")
    assert result.ok
    view = await facts.view("contoso", "INC-1")
    assert view is not None and view.claim is not None
    allowed = {who: await facts.may_release(view, who) for who in ("u-sam", "u-ada", "u-priya", "u-bo")}
    assert allowed == {"u-sam": True, "u-ada": True, "u-priya": False, "u-bo": False}
    assert not await facts.may_release(view, None)
    assert not await facts.may_release(view, "u-nobody")


async def test_a_chat_copy_refreshes_for_its_reader_never_for_the_bot(services: Services) -> None:
    facts = CardFacts(services.db)
    person = await facts.readers("contoso", {"user": {"id": "29:sam"}}, "u-sam")
    bot = await facts.readers("contoso", {"user": {"id": "28:the-bot"}}, "u-sam")
    channel = await facts.readers("contoso", {"conversation": {"id": "19:c"}}, None)
    assert person.role == "service_provider" and "29:sam" in person.refresh_ids
    assert "28:the-bot" not in bot.refresh_ids
    assert channel.role is None
    unknown = await facts.readers("contoso", {}, "u-nobody")
    assert unknown.role is None and unknown.refresh_ids == []
