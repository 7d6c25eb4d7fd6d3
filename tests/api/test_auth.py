"""The sign-in pages over real HTTP: the whole app on a test server, the Microsoft 365
emulator over HTTPS, and a "browser" made of plain HTTP requests (no JavaScript)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import update

from api.keys import SERVICES
from app import build_app
from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services.container import Services
from services.m365.signin import SignInResult
from services.store.models import SignInSession
from tests.m365 import (
    CONF4B,
    PIVOT,
    PIVOT_PASSWORD,
    ROOM_BOOKINGS,
    directory_document,
    emulator_settings,
    free_port,
    query_of,
    tenant,
)


@dataclass
class Site:
    base: str
    services: Services
    emu: EmulatorHandle
    http: aiohttp.ClientSession


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("m365-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@pytest.fixture
async def site(database_url: str, ca_dir: Path) -> AsyncIterator[Site]:
    """The product on 127.0.0.1:PORT (its PUBLIC_BASE_URL), with the emulator as Microsoft 365."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
        app = build_app(emulator_settings(database_url, emu, base))
        server = TestServer(app, host="127.0.0.1", port=port)
        await server.start_server()
        try:
            services = app[SERVICES]
            await services.directory.import_document(directory_document())
            async with aiohttp.ClientSession() as http:
                yield Site(base, services, emu, http)
        finally:
            await server.close()


async def open_link(site: Site, url: str) -> aiohttp.ClientResponse:
    async with site.http.get(url, allow_redirects=False) as response:
        await response.read()
        return response


async def test_sign_in_through_the_pages_then_read_calendars_and_rooms(site: Site) -> None:
    signed_in: list[SignInResult] = []

    async def continue_conversation(result: SignInResult) -> None:
        signed_in.append(result)

    site.services.identity.on_signed_in(continue_conversation)
    link = await site.services.identity.start_sign_in("contoso", context={"conversation": "a:1"})
    assert link.url.startswith(site.base + "/auth/start?session=")

    start = await open_link(site, link.url)  # the admin clicks the link
    assert start.status == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{site.emu.authority}/oauth2/v2.0/authorize?")
    assert start.headers["Cache-Control"] == "no-store"

    # The emulator's sign-in form, filled and posted; its answer page posts to our callback.
    fields = await sign_in_response(
        authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=site.emu.ssl_context()
    )
    assert set(fields) >= {"code", "state"}
    async with site.http.post(site.base + "/auth/callback", data=fields) as done:
        page = await done.text()
        assert done.status == 200
        assert done.headers["Content-Type"].startswith("text/html")
        assert done.headers["Referrer-Policy"] == "no-referrer"
    assert f"Signed in as {PIVOT}" in page and "return to Teams" in page
    assert '<html lang="en">' in page and "<h1>" in page
    assert signed_in == [SignInResult("contoso", PIVOT, {"conversation": "a:1"})]

    graph = site.services.graph  # the stored tokens now read Microsoft 365
    calendars = await graph.list_calendars("contoso")
    assert ROOM_BOOKINGS in {c["id"] for c in calendars}
    rooms = await graph.list_rooms("contoso")
    assert CONF4B in {r["emailAddress"] for r in rooms}

    again = await open_link(site, link.url)
    assert again.status == 409  # single use
    async with site.http.post(site.base + "/auth/callback", data=fields) as replay:
        assert replay.status == 409
        assert "already used" in await replay.text()


async def test_refused_links_get_clear_pages(site: Site) -> None:
    pages: list[str] = []
    async with site.http.get(site.base + "/auth/start") as missing:
        assert missing.status == 400
        pages.append(await missing.text())
    async with site.http.get(site.base + "/auth/start?session=made-up") as unknown:
        assert unknown.status == 404
        pages.append(await unknown.text())
        assert "not valid" in pages[-1]

    link = await site.services.identity.start_sign_in("contoso")
    authorize = (await open_link(site, link.url)).headers["Location"]
    async with site.http.get(site.base + "/auth/callback?error=access_denied&state=forged") as forged:
        assert forged.status == 404
        pages.append(await forged.text())
    state = query_of(authorize)["state"]
    cancelled_query = f"/auth/callback?error=access_denied&error_description=AADSTS65004&state={state}"
    async with site.http.get(site.base + cancelled_query) as cancelled:
        assert cancelled.status == 400
        pages.append(await cancelled.text())
        assert "cancelled" in pages[-1]

    async with site.services.db.session() as session:
        await session.execute(
            update(SignInSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    expired = await open_link(site, link.url)
    assert expired.status == 410
    async with site.http.get(link.url) as expired_page:
        pages.append(await expired_page.text())
        assert "expired" in pages[-1]

    for text in pages:
        assert text.startswith("<!doctype html>") and 'role="alert"' in text
        for leak in ("Traceback", "SignIn", "Exception", "sqlalchemy", "AADSTS"):
            assert leak not in text
