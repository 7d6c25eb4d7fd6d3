import re
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import jwt
import pytest

from emulator.testing import (
    TEST_CLIENT_ID,
    TEST_REDIRECT_URI,
    EmulatorHandle,
    SignInError,
    acquire_token,
    pkce_pair,
    running_emulator,
    submit_sign_in,
)
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TENANT_ID, TODAY, call, tenant_dict

SCOPES = "Calendars.Read.Shared https://graph.microsoft.com/Place.Read.All openid profile offline_access"


def _authorize_url(emu: EmulatorHandle, **overrides: str) -> str:
    _verifier, challenge = pkce_pair()
    params = {
        "client_id": TEST_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": TEST_REDIRECT_URI,
        "scope": SCOPES,
        "state": "s1",
        "nonce": "n1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return f"{emu.authority}/oauth2/v2.0/authorize?{urlencode(params)}"


async def _code(emu: EmulatorHandle, **overrides: str) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    url = _authorize_url(emu, code_challenge=challenge, **overrides)
    location = await submit_sign_in(
        url, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=emu.ssl_context()
    )
    return parse_qs(urlsplit(location).query)["code"][0], verifier


async def _post_form(session: aiohttp.ClientSession, emu: EmulatorHandle, form: dict):
    async with session.post(
        f"{emu.authority}/oauth2/v2.0/token", data=form, ssl=emu.ssl_context()
    ) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(
    "path", ["/v2.0/.well-known/openid-configuration", "/.well-known/openid-configuration"]
)
async def test_discovery(emu: EmulatorHandle, session, path: str) -> None:
    status, body, _ = await call(session, emu, f"/{TENANT_ID}{path}")
    assert status == 200
    assert body["issuer"] == f"{emu.base_url}/{TENANT_ID}/v2.0"
    assert body["authorization_endpoint"] == f"{emu.authority}/oauth2/v2.0/authorize"
    assert body["token_endpoint"] == f"{emu.authority}/oauth2/v2.0/token"
    assert body["jwks_uri"].startswith(emu.base_url)


async def test_tenant_domain_alias_and_unknown_tenant(emu: EmulatorHandle, session) -> None:
    status, body, _ = await call(session, emu, "/contoso.com/v2.0/.well-known/openid-configuration")
    assert status == 200 and TENANT_ID in body["issuer"]
    status, body, _ = await call(session, emu, "/fabrikam.com/v2.0/.well-known/openid-configuration")
    assert status == 400 and body["error"] == "invalid_tenant" and body["error_codes"] == [90002]


async def test_sign_in_form_is_plain_html(emu: EmulatorHandle, session) -> None:
    async with session.get(_authorize_url(emu, login_hint=PIVOT), ssl=emu.ssl_context()) as page:
        html = await page.text()
        assert page.status == 200 and page.content_type == "text/html"
    assert "<script" not in html.lower()
    assert re.search(r'name="username"[^>]*value="pivot@contoso.com"', html)
    assert 'name="password"' in html and 'type="password"' in html
    for scope in ("Calendars.Read.Shared", "Place.Read.All", "offline_access"):
        assert scope in html


async def test_bad_password_reshows_the_form(emu: EmulatorHandle) -> None:
    with pytest.raises(SignInError, match="account or password is incorrect"):
        await submit_sign_in(
            _authorize_url(emu), username=PIVOT, password="wrong", ssl_context=emu.ssl_context()
        )
    with pytest.raises(SignInError, match="incorrect"):
        await submit_sign_in(
            _authorize_url(emu), username="conf4b@contoso.com", password="", ssl_context=emu.ssl_context()
        )


async def test_short_username_and_redirect_carries_state(emu: EmulatorHandle) -> None:
    location = await submit_sign_in(
        _authorize_url(emu, client_info="1"),
        username="pivot",
        password=PIVOT_PASSWORD,
        ssl_context=emu.ssl_context(),
    )
    assert location.startswith(TEST_REDIRECT_URI + "?")
    returned = parse_qs(urlsplit(location).query)
    assert returned["state"] == ["s1"] and returned["code"] and returned["client_info"]


async def test_code_exchange_issues_graph_and_id_tokens(emu: EmulatorHandle, session) -> None:
    code, verifier = await _code(emu)
    status, body = await _post_form(
        session,
        emu,
        {
            "grant_type": "authorization_code",
            "client_id": TEST_CLIENT_ID,
            "code": code,
            "redirect_uri": TEST_REDIRECT_URI,
            "code_verifier": verifier,
            "client_info": "1",
        },
    )
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert {"access_token", "refresh_token", "id_token", "client_info"} <= set(body)
    _, jwks, _ = await call(session, emu, f"/{TENANT_ID}/discovery/v2.0/keys")
    key = jwt.PyJWK(jwks["keys"][0]).key
    id_claims = jwt.decode(
        body["id_token"],
        key,
        algorithms=["RS256"],
        audience=TEST_CLIENT_ID,
        issuer=f"{emu.base_url}/{TENANT_ID}/v2.0",
    )
    assert id_claims["nonce"] == "n1" and id_claims["preferred_username"] == PIVOT
    access = jwt.decode(
        body["access_token"], key, algorithms=["RS256"], audience="00000003-0000-0000-c000-000000000000"
    )
    assert access["scp"] == "Calendars.Read.Shared Place.Read.All"
    assert access["tid"] == TENANT_ID and access["preferred_username"] == PIVOT
    assert access["oid"] == emu.tenant.find(PIVOT).id
    assert body["scope"].split()[:2] == ["Calendars.Read.Shared", "Place.Read.All"]


async def test_code_is_single_use_and_pkce_is_enforced(emu: EmulatorHandle, session) -> None:
    code, verifier = await _code(emu)
    base = {
        "grant_type": "authorization_code",
        "client_id": TEST_CLIENT_ID,
        "code": code,
        "redirect_uri": TEST_REDIRECT_URI,
    }
    status, body = await _post_form(session, emu, {**base, "code_verifier": "not-it"})
    assert status == 400 and body["error"] == "invalid_grant" and body["error_codes"] == [501481]
    status, body = await _post_form(session, emu, {**base, "code_verifier": verifier})
    assert status == 400 and body["error_codes"] == [54005]
    code, verifier = await _code(emu)
    status, body = await _post_form(session, emu, {**base, "code": code})
    assert status == 400 and body["error_codes"] == [501481]
    code, verifier = await _code(emu)
    status, body = await _post_form(
        session,
        emu,
        {**base, "code": code, "code_verifier": verifier, "redirect_uri": "http://localhost/other"},
    )
    assert status == 400 and body["error"] == "invalid_grant"


async def test_refresh_rotates_and_revocation_kills(emu: EmulatorHandle, session) -> None:
    emu.state.strict_refresh_rotation = True
    first = await acquire_token(emu, PIVOT, PIVOT_PASSWORD)
    form = {
        "grant_type": "refresh_token",
        "client_id": TEST_CLIENT_ID,
        "refresh_token": first["refresh_token"],
        "scope": "Calendars.ReadBasic openid profile offline_access",
    }
    status, second = await _post_form(session, emu, form)
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert second["scope"].startswith("Calendars.ReadBasic ")
    status, reused = await _post_form(session, emu, form)
    assert status == 400 and reused["error"] == "invalid_grant"
    status, wider = await _post_form(
        session, emu, {**form, "refresh_token": second["refresh_token"], "scope": "Mail.Send"}
    )
    assert status == 400 and wider["suberror"] == "consent_required"
    status, back = await _post_form(
        session,
        emu,
        {**form, "refresh_token": second["refresh_token"], "scope": "Place.Read.All offline_access"},
    )
    assert status == 200 and back["scope"].startswith("Place.Read.All")
    third = await acquire_token(emu, PIVOT, PIVOT_PASSWORD)
    status, _, _ = await call(session, emu, "/_admin/revoke", method="POST", json={"user": PIVOT})
    assert status == 200
    status, revoked = await _post_form(session, emu, {**form, "refresh_token": third["refresh_token"]})
    assert status == 400 and revoked["error"] == "invalid_grant"
    assert revoked["error_codes"] == [50173] and "AADSTS50173" in revoked["error_description"]
    fresh = await acquire_token(emu, PIVOT, PIVOT_PASSWORD)
    status, _ = await _post_form(session, emu, {**form, "refresh_token": fresh["refresh_token"]})
    assert status == 200


async def test_used_refresh_token_stays_valid_by_default(emu: EmulatorHandle, session) -> None:
    first = await acquire_token(emu, PIVOT, PIVOT_PASSWORD)
    form = {
        "grant_type": "refresh_token",
        "client_id": TEST_CLIENT_ID,
        "refresh_token": first["refresh_token"],
        "scope": "Calendars.ReadBasic openid profile offline_access",
    }
    status, _ = await _post_form(session, emu, form)
    assert status == 200
    status, again = await _post_form(session, emu, form)  # like Entra: still valid until it expires
    assert status == 200
    assert again["refresh_token"] != first["refresh_token"]


async def test_refresh_token_is_bound_to_its_client(emu: EmulatorHandle, session) -> None:
    tokens = await acquire_token(emu, PIVOT, PIVOT_PASSWORD)
    status, body = await _post_form(
        session,
        emu,
        {
            "grant_type": "refresh_token",
            "client_id": "someone-else",
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert status == 400 and body["error"] == "invalid_grant"
    status, body = await _post_form(
        session, emu, {"grant_type": "refresh_token", "client_id": TEST_CLIENT_ID, "refresh_token": "garbage"}
    )
    assert status == 400 and body["error"] == "invalid_grant"


async def test_token_endpoint_errors(emu: EmulatorHandle, session) -> None:
    status, body = await _post_form(session, emu, {"grant_type": "password", "client_id": TEST_CLIENT_ID})
    assert status == 400 and body["error"] == "unsupported_grant_type"
    status, body = await _post_form(
        session, emu, {"grant_type": "authorization_code", "client_id": TEST_CLIENT_ID}
    )
    assert status == 400 and body["error"] == "invalid_request"
    status, body = await _post_form(session, emu, {"grant_type": "authorization_code"})
    assert status == 400 and body["error"] == "invalid_request"
    assert {"error_description", "error_codes", "timestamp", "trace_id", "correlation_id"} <= set(body)


async def test_authorize_errors_redirect_back(emu: EmulatorHandle, session) -> None:
    for overrides, error in (
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "api://other/read"}, "invalid_scope"),
        ({"prompt": "none"}, "login_required"),
    ):
        async with session.get(
            _authorize_url(emu, **overrides), ssl=emu.ssl_context(), allow_redirects=False
        ) as answer:
            assert answer.status == 302
            returned = parse_qs(urlsplit(answer.headers["Location"]).query)
            assert returned["error"] == [error] and returned["state"] == ["s1"]
    async with session.get(_authorize_url(emu, redirect_uri=""), ssl=emu.ssl_context()) as page:
        assert page.status == 400 and "redirect_uri" in await page.text()


async def test_form_post_and_fragment_modes(emu: EmulatorHandle, session) -> None:
    location = await submit_sign_in(
        _authorize_url(emu, response_mode="fragment"),
        username=PIVOT,
        password=PIVOT_PASSWORD,
        ssl_context=emu.ssl_context(),
    )
    assert "code=" in urlsplit(location).fragment
    url = _authorize_url(emu, response_mode="form_post")
    async with session.post(
        url.split("?")[0],
        data={
            **{k: v[0] for k, v in parse_qs(urlsplit(url).query).items()},
            "username": PIVOT,
            "password": PIVOT_PASSWORD,
        },
        ssl=emu.ssl_context(),
    ) as page:
        html = await page.text()
    assert f'action="{TEST_REDIRECT_URI}"' in html and 'name="code"' in html
    assert "<script" not in html.lower()


async def test_registered_apps_are_enforced(ca_dir) -> None:
    raw = tenant_dict()
    raw["apps"] = [
        {"client_id": "pivot-app", "client_secret": "s3cret", "redirect_uris": [TEST_REDIRECT_URI]}
    ]
    async with running_emulator(raw, ca_dir=ca_dir, today=TODAY) as emu, aiohttp.ClientSession() as session:
        async with session.get(_authorize_url(emu), ssl=emu.ssl_context()) as page:
            assert page.status == 400 and "AADSTS700016" in await page.text()
        async with session.get(
            _authorize_url(emu, client_id="pivot-app", redirect_uri="http://evil/cb"), ssl=emu.ssl_context()
        ) as page:
            assert page.status == 400 and "AADSTS50011" in await page.text()
        with pytest.raises(SignInError, match="token request failed"):
            await acquire_token(emu, PIVOT, PIVOT_PASSWORD, client_id="pivot-app", client_secret="wrong")
        with pytest.raises(SignInError, match="token request failed"):
            await acquire_token(emu, PIVOT, PIVOT_PASSWORD, client_id="pivot-app")
        tokens = await acquire_token(
            emu, PIVOT, PIVOT_PASSWORD, client_id="pivot-app", client_secret="s3cret"
        )
        assert tokens["access_token"]


async def test_identity_faults_and_log(emu: EmulatorHandle, session) -> None:
    emu.state.add_fault("503", count=1, target="identity", retry_after=0)
    status, body = await _post_form(
        session, emu, {"grant_type": "refresh_token", "client_id": TEST_CLIENT_ID, "refresh_token": "x"}
    )
    assert status == 503 and body["error"] == "temporarily_unavailable"
    kinds = [(r.kind, r.status, r.fault) for r in emu.state.requests]
    assert ("identity", 503, "503") in kinds
