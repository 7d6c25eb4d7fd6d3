"""MSAL Python itself against the emulator (what the product's identity service uses)."""

import asyncio
from pathlib import Path
from typing import Any

import msal
import pytest
import requests

from emulator.testing import EmulatorHandle, sign_in_response
from tests.emulator.support import PIVOT, PIVOT_PASSWORD

SCOPES = ["Calendars.Read.Shared", "Calendars.ReadBasic", "Place.Read.All", "User.Read"]
CLIENT_ID = "msal-test-client"
REDIRECT = "http://localhost:8765/auth/callback"


def _msal_app(emu: EmulatorHandle, bundle: Path, style: str) -> msal.ClientApplication:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(bundle)
    if style == "oidc":
        return msal.ConfidentialClientApplication(
            CLIENT_ID, client_credential="any-secret", oidc_authority=emu.oidc_authority, http_client=http
        )
    return msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential="any-secret",
        authority=emu.authority,
        instance_discovery=False,
        http_client=http,
    )


async def _sign_in(emu: EmulatorHandle, app: msal.ClientApplication) -> dict[str, Any]:
    flow = await asyncio.to_thread(
        app.initiate_auth_code_flow,
        SCOPES,
        redirect_uri=REDIRECT,
        login_hint=PIVOT,
        response_mode="form_post",
    )
    assert "code_challenge" in flow["auth_uri"]
    reply = await sign_in_response(
        flow["auth_uri"], username=PIVOT, password=PIVOT_PASSWORD, ssl_context=emu.ssl_context()
    )
    assert set(reply) >= {"code", "state"}
    return await asyncio.to_thread(app.acquire_token_by_auth_code_flow, flow, reply)


@pytest.mark.parametrize("style", ["oidc", "authority"])
async def test_msal_sign_in_refresh_and_revocation(emu: EmulatorHandle, tmp_path: Path, style: str) -> None:
    bundle = emu.write_trust_bundle(tmp_path / "bundle.pem")
    app = await asyncio.to_thread(_msal_app, emu, bundle, style)
    result = await _sign_in(emu, app)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == PIVOT
    accounts = await asyncio.to_thread(app.get_accounts)
    assert [a["username"] for a in accounts] == [PIVOT]

    refreshed = await asyncio.to_thread(
        app.acquire_token_silent_with_error, SCOPES, account=accounts[0], force_refresh=True
    )
    assert refreshed and "access_token" in refreshed, refreshed
    assert refreshed["access_token"] != result["access_token"]

    emu.state.revoke(PIVOT)
    failed = await asyncio.to_thread(
        app.acquire_token_silent_with_error, SCOPES, account=accounts[0], force_refresh=True
    )
    assert failed is not None and failed.get("error") == "invalid_grant"
    assert 50173 in failed.get("error_codes", [])
