"""End to end through the Agents Playground with room booking on (the demo books rooms,
DESIGN 3.11): the provider claims a slot from his card, his card is edited in place to
say "Room booked", and the emulator's room calendar holds the visit — read over HTTPS
with a token of the emulator's own sign-in, as any Graph client would."""

from __future__ import annotations

import re
import secrets
import ssl
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from demo.runner import SERVICE_ACCOUNT, SERVICE_ACCOUNT_PASSWORD
from emulator.testing import TEST_CLIENT_ID, TEST_REDIRECT_URI, pkce_pair, sign_in_response
from services import texts
from tests.e2e.playground import Playground, running_demo_with_playground
from tests.e2e.test_playground_claims import click, slot_actions
from tests.e2e.test_playground_incidents import incident, post_incident

pytestmark = pytest.mark.e2e
CARD_TITLE = "Incident: Lamp failure"
ROOM = "conf4b@contoso.com"  # the demo's nyc-4b
DEMO_TENANT = "7c3e8a52-2f4d-4b7e-9a61-5d0c8e2b4f10"


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[Playground, Path]]:
    async with running_demo_with_playground(tmp_path) as pg:
        yield pg, tmp_path


def emulator_of(tmp: Path) -> tuple[str, ssl.SSLContext]:
    """The demo's emulator URL (from its start-up lines) and a TLS context trusting its CA."""
    line = re.search(r"Microsoft 365 emulator: (\S+) \(CA (\S+)\)", (tmp / "demo.log").read_text())
    assert line is not None
    return line.group(1), ssl.create_default_context(cafile=line.group(2))


async def room_calendar(
    base: str, tls: ssl.SSLContext, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """conf4b's calendarView, as the demo's service account sees it (auth code + PKCE)."""
    verifier, challenge = pkce_pair()
    authority = f"{base}/{DEMO_TENANT}/oauth2/v2.0"
    authorize = f"{authority}/authorize?" + urlencode(
        {
            "client_id": TEST_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": TEST_REDIRECT_URI,
            "scope": "Calendars.Read.Shared openid profile offline_access",
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    fields = await sign_in_response(
        authorize, username=SERVICE_ACCOUNT, password=SERVICE_ACCOUNT_PASSWORD, ssl_context=tls
    )
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{authority}/token",
            data={
                "grant_type": "authorization_code",
                "client_id": TEST_CLIENT_ID,
                "code": fields["code"],
                "redirect_uri": TEST_REDIRECT_URI,
                "code_verifier": verifier,
            },
            ssl=tls,
        ) as answer:
            assert answer.status == 200, await answer.text()
            token = (await answer.json())["access_token"]
        query = urlencode(
            {
                "startDateTime": start.isoformat().replace("+00:00", "Z"),
                "endDateTime": end.isoformat().replace("+00:00", "Z"),
                "$top": "250",
            }
        )
        async with http.get(
            f"{base}/v1.0/users/{ROOM}/calendar/calendarView?{query}",
            headers={"Authorization": f"Bearer {token}", "Prefer": 'outlook.timezone="UTC"'},
            ssl=tls,
        ) as view:
            assert view.status == 200, await view.text()
            return list((await view.json())["value"])


async def test_provider_claims_and_the_card_says_the_room_is_booked(demo: tuple[Playground, Path]) -> None:
    pg, tmp = demo
    chat = await pg.open_personal_chat("Sam Provider")
    mark = len(pg.messages)
    incident_id = await post_incident(pg, "nyc-4b", "Lamp failure")
    card = await pg.wait_for(lambda m: m.conversation_id == chat and CARD_TITLE in m.texts(), after=mark)
    slots = slot_actions(card)
    assert slots, "the demo room should have free slots"

    after_click = len(pg.messages)
    shown = await click(pg, "Sam Provider", card, slots[0])
    assert texts.CLAIM_DONE in shown

    # Sam's card is edited in place once the room accepted the visit.
    updated = await pg.wait_for(
        lambda m: (
            m.conversation_id == chat and m.id == card.id and texts.BOOKING_LINES["booked"] in m.texts()
        ),
        after=after_click,
    )
    assert any(t.startswith("Claimed by Sam Provider") for t in updated.texts())
    body = await incident(pg, incident_id)
    assert body["booking"]["status"] == "booked" and body["booking"]["event_id"]
    assert body["claim"]["booking"] == body["booking"]

    start = datetime.fromisoformat(body["claim"]["slot"]["start"])
    end = datetime.fromisoformat(body["claim"]["slot"]["end"])
    base, tls = emulator_of(tmp)
    events = await room_calendar(base, tls, start - timedelta(hours=1), end + timedelta(hours=1))
    visits = [e for e in events if e["subject"] == f"Service visit: Lamp failure ({incident_id})"]
    assert len(visits) == 1
    assert visits[0]["showAs"] == "busy"
    assert datetime.fromisoformat(visits[0]["start"]["dateTime"] + "+00:00") == start
