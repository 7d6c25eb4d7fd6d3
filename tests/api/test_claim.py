"""The e-mail links over real HTTP: GET only shows a confirmation page; its form's POST
claims; a replayed, altered, foreign, another recipient's or expired link is refused with
a 4xx page and changes nothing. Release links work the same way."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from api.keys import SERVICES
from services import texts
from services.claims.release_links import ReleaseSigner, ReleaseToken
from services.claims.service import ClaimService
from services.store.models import Incident
from tests.bot.chat import start
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, claim_token, seed_incident
from tests.conftest import TEST_SECRET_KEY, make_settings

FIRST = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    client = await start(aiohttp_client, make_settings(database_url))
    services = client.app[SERVICES]
    await services.directory.import_document(claim_directory())
    await services.integration.apply(assign_acme())
    await seed_incident(services.db, first_slot=FIRST)
    services.claims = ClaimService(services.db, RoomCalendar())
    return client


def link(email: str, slot: int = 0, **kwargs: Any) -> str:
    return "/claim/" + claim_token(f"inc-1-s{slot}", email, FIRST + timedelta(hours=slot), **kwargs)


async def page_of(response: ClientResponse) -> str:
    return html.unescape(await response.text())


async def status(client: TestClient) -> str:
    async with client.app[SERVICES].db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None
        return incident.status


async def nothing_claimed(client: TestClient) -> bool:
    return await client.app[SERVICES].claims.active_claim("contoso", "INC-1") is None and (
        await status(client) == "notified"
    )


async def test_get_shows_a_form_and_changes_nothing(client: TestClient) -> None:
    url = link("sam@acme.example", 1)
    for _ in range(2):  # link scanners open URLs, sometimes twice
        response = await client.get(url)
        assert response.status == 200
        page = await page_of(response)
        assert '<form method="post" action="">' in page
        assert texts.CLAIM_PAGE_BUTTON in page
        assert "Sam Provider (Acme AV) (sam@acme.example)" in page
        assert "<script" not in page
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "form-action 'self'" in response.headers["Content-Security-Policy"]
    assert await nothing_claimed(client)


async def test_post_claims_once(client: TestClient) -> None:
    url = link("sam@acme.example", 1)
    bare = await client.post(url)
    assert bare.status == 400  # a POST without the form's field claims nothing
    assert await nothing_claimed(client)
    response = await client.post(url, data={"confirm": "yes"})
    assert response.status == 200
    assert texts.CLAIM_PAGE_DONE_TITLE in await page_of(response)
    claim = await client.app[SERVICES].claims.active_claim("contoso", "INC-1")
    assert claim is not None
    assert (claim.user_id, claim.slot_id, claim.via) == ("u-sam", "inc-1-s1", "email")
    assert await status(client) == "claimed"
    replay = await client.post(url, data={"confirm": "yes"})
    assert replay.status == 410
    assert texts.CLAIM_LINK_USED in await page_of(replay)
    again = await client.get(url)
    assert again.status == 410


async def test_altered_foreign_and_misdirected_links_are_refused(client: TestClient) -> None:
    url = link("sam@acme.example")
    head, payload, mac = url.removeprefix("/claim/").split(".")
    altered = f"/claim/{head}.{payload[:-2]}xx.{mac}"
    other_key = link("sam@acme.example", secret="another-deployments-secret-key-0123456789")
    for bad in (altered, other_key, "/claim/not-a-token"):
        for method in ("GET", "POST"):
            response = await client.request(method, bad, data={"confirm": "yes"})
            assert response.status == 400, (bad, method)
            assert texts.CLAIM_LINK_INVALID in await page_of(response)
    # A validly signed link, but for a client admin's address: not a claimer of this site.
    admin = await client.post(link("ada@contoso.example"), data={"confirm": "yes"})
    assert admin.status == 403
    assert texts.CLAIM_LINK_FOREIGN in await page_of(admin)
    beta = await client.post(link("desk@beta.example"), data={"confirm": "yes"})  # not the assigned provider
    assert beta.status == 403
    elsewhere = await client.post(link("sam@acme.example", incident_id="INC-404"), data={"confirm": "yes"})
    assert elsewhere.status == 404
    assert await nothing_claimed(client)


async def test_an_expired_link_is_refused(client: TestClient) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    await seed_incident(client.app[SERVICES].db, incident_id="INC-OLD", first_slot=past)
    url = "/claim/" + claim_token("inc-old-s0", "sam@acme.example", past, incident_id="INC-OLD")
    for method in ("GET", "POST"):
        response = await client.request(method, url, data={"confirm": "yes"})
        assert response.status == 410
        assert texts.CLAIM_LINK_EXPIRED in await page_of(response)
    assert await client.app[SERVICES].claims.active_claim("contoso", "INC-OLD") is None


async def test_a_taken_slot_says_by_whom(client: TestClient) -> None:
    assert (await client.post(link("sam@acme.example", 0), data={"confirm": "yes"})).status == 200
    late = await client.post(link("priya@acme.example", 2), data={"confirm": "yes"})
    assert late.status == 409
    assert "already claimed by Sam Provider (Acme AV)" in await page_of(late)


async def test_release_link_then_another_provider_claims(client: TestClient) -> None:
    assert (await client.post(link("sam@acme.example", 0), data={"confirm": "yes"})).status == 200
    claim = await client.app[SERVICES].claims.active_claim("contoso", "INC-1")
    assert claim is not None
    signer = ReleaseSigner([TEST_SECRET_KEY])
    url = "/release/" + signer.sign(ReleaseToken("contoso", "INC-1", claim.id, "sam@acme.example", FIRST))
    page = await client.get(url)
    assert page.status == 200
    assert texts.RELEASE_PAGE_BUTTON in await page_of(page)
    assert await status(client) == "claimed"
    priya = "/release/" + signer.sign(ReleaseToken("contoso", "INC-1", claim.id, "priya@acme.example", FIRST))
    assert (await client.post(priya, data={"confirm": "yes"})).status == 403
    done = await client.post(url, data={"confirm": "yes"})
    assert done.status == 200
    assert texts.RELEASE_PAGE_DONE in await page_of(done)
    assert await status(client) == "notified"
    assert (await client.post(url, data={"confirm": "yes"})).status == 410
    assert (await client.post(link("priya@acme.example", 0), data={"confirm": "yes"})).status == 200
    winner = await client.app[SERVICES].claims.active_claim("contoso", "INC-1")
    assert winner is not None and winner.user_id == "u-priya"


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


async def test_a_used_link_with_its_last_character_changed_never_claims_again(client: TestClient) -> None:
    url = link("sam@acme.example", 0)
    assert (await client.post(url, data={"confirm": "yes"})).status == 200
    claim = await client.app[SERVICES].claims.active_claim("contoso", "INC-1")
    assert claim is not None
    release = ReleaseSigner([TEST_SECRET_KEY]).sign(
        ReleaseToken("contoso", "INC-1", claim.id, "sam@acme.example", FIRST)
    )
    assert (await client.post("/release/" + release, data={"confirm": "yes"})).status == 200
    assert await nothing_claimed(client)  # the slot is free again: only the link's use stops it
    for char in BASE64URL:
        if char == url[-1]:
            continue
        variant = url[:-1] + char
        response = await client.post(variant, data={"confirm": "yes"})
        assert 400 <= response.status < 500, (char, response.status)
        assert await nothing_claimed(client), char
    replay = await client.post(url, data={"confirm": "yes"})
    assert replay.status == 410
    assert texts.CLAIM_LINK_USED in await page_of(replay)
    assert await nothing_claimed(client)
