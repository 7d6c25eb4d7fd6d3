"""A `connect` sign-in link completed with an account of another tenant (the emulator serving
two tenants, over HTTPS; the app on a real port): the client stays unconnected and the page
says why; the same link then works with the client's own service account."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.keys import SERVICES
from app import build_app
from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services import texts
from services.m365.signin import CALLBACK_PATH
from tests.m365 import (
    PIVOT,
    PIVOT_PASSWORD,
    TENANT_ID,
    directory_document,
    emulator_settings,
    free_port,
    tenant,
)

FABRIKAM_ID = "0d6f1c2e-8b4a-4c3d-9e5f-6a7b8c9d0e1f"
FAB_PIVOT = "pivot@fabrikam.com"
FAB_PASSWORD = "Fab-Pass-2026!"


def fabrikam(apps: list[dict[str, Any]]) -> dict[str, Any]:
    """Another organization, where the product is registered too (a multi-tenant app)."""
    return {
        "tenant_id": FABRIKAM_ID,
        "domain": "fabrikam.com",
        "displayName": "Fabrikam",
        "apps": apps,
        "users": [
            {
                "userPrincipalName": FAB_PIVOT,
                "displayName": "pivot (Fabrikam)",
                "password": FAB_PASSWORD,
                "mailboxSettings": {"timeZone": "Pacific Standard Time"},
            }
        ],
        "rooms": [],
    }


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signin-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


class Bench:
    def __init__(
        self, emu: EmulatorHandle, client: TestClient, http: aiohttp.ClientSession, base: str
    ) -> None:
        self.emu, self.client, self.http, self.base = emu, client, http, base

    async def authorize_url(self, link_url: str) -> str:
        async with self.http.get(link_url, allow_redirects=False) as response:
            assert response.status == 302, await response.text()
            return response.headers["Location"]

    async def callback(self, fields: dict[str, str]) -> tuple[int, str]:
        async with self.http.post(self.base + CALLBACK_PATH, data=fields) as response:
            return response.status, html.unescape(await response.text())


@pytest.fixture
async def bench(database_url: str, ca_dir: Path) -> AsyncIterator[Bench]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    contoso = tenant(base + "/auth/callback")
    async with running_emulator([contoso, fabrikam(contoso["apps"])], ca_dir=ca_dir) as emu:
        settings = emulator_settings(database_url, emu, base, SYNC_INTERVAL_SECONDS=7 * 86400)
        client = TestClient(TestServer(build_app(settings), host="127.0.0.1", port=port))
        await client.start_server()
        http = aiohttp.ClientSession()
        try:
            await client.app[SERVICES].directory.import_document(directory_document())
            yield Bench(emu, client, http, base)
        finally:
            await http.close()
            await client.close()


async def test_an_account_of_another_tenant_leaves_the_client_unconnected(bench: Bench) -> None:
    identity = bench.client.app[SERVICES].identity
    link = await identity.start_sign_in("contoso", context={"source": "test"})
    authorize = await bench.authorize_url(link.url)
    assert f"/{TENANT_ID}/oauth2/v2.0/authorize" in authorize
    # The person holding the link signs in at their own organization instead.
    foreign = authorize.replace(f"/{TENANT_ID}/", f"/{FABRIKAM_ID}/", 1)
    fields = await sign_in_response(
        foreign, username=FAB_PIVOT, password=FAB_PASSWORD, ssl_context=bench.emu.ssl_context()
    )
    status, page = await bench.callback(fields)
    assert status == 403
    assert texts.SIGNIN_WRONG_TENANT_TITLE in page
    assert "belongs to another Microsoft 365 organization than Contoso Ltd" in page
    assert FABRIKAM_ID in page  # which organization answered
    state = await identity.status("contoso")
    assert (state.connected, state.signed_in_upn) == (False, None)
    # Without client_info the code is redeemed at the client's tenant, which refuses it.
    authorize = await bench.authorize_url(link.url)
    foreign = authorize.replace(f"/{TENANT_ID}/", f"/{FABRIKAM_ID}/", 1)
    fields = await sign_in_response(
        foreign, username=FAB_PIVOT, password=FAB_PASSWORD, ssl_context=bench.emu.ssl_context()
    )
    fields.pop("client_info", None)
    status, page = await bench.callback(fields)
    assert status == 400 and "Signed in" not in page
    assert (await identity.status("contoso")).connected is False
    # The same link still works with the client's own service account, and says who signed in.
    authorize = await bench.authorize_url(link.url)
    fields = await sign_in_response(
        authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=bench.emu.ssl_context()
    )
    status, page = await bench.callback(fields)
    assert status == 200 and f"Signed in as {PIVOT}" in page
    state = await identity.status("contoso")
    assert (state.connected, state.signed_in_upn) == (True, PIVOT)
