"""Running the emulator inside a test: an async context manager on an ephemeral
port, plus helpers that sign a user in through the HTML form like a browser would."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import aiohttp
from aiohttp import web

from emulator.certs import client_ssl_context, ensure_ca, server_ssl_context, write_trust_bundle
from emulator.loader import load_tenant
from emulator.model import Tenant
from emulator.server import build_app, public_base_url, start_site
from emulator.state import EmulatorState
from emulator.tokens import load_signing_key

TEST_CLIENT_ID = "11111111-2222-4333-8444-555555555555"
TEST_REDIRECT_URI = "http://localhost:53682/callback"
PRODUCT_SCOPES = ("User.Read", "Calendars.Read.Shared", "Calendars.ReadBasic", "Place.Read.All")


class SignInError(RuntimeError):
    """The sign-in form did not redirect (bad password, bad request...)."""


@dataclass
class EmulatorHandle:
    """A running emulator: where it is, what it trusts, and its live state."""

    base_url: str
    port: int
    ca_path: Path
    tenant: Tenant
    state: EmulatorState
    app: web.Application
    tenants: list[Tenant] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.tenants:
            self.tenants = [self.tenant]

    def tenant_for(self, ref: str | None = None) -> Tenant:
        """A served tenant by id or domain (None: the first one); KeyError if unknown."""
        if ref is None:
            return self.tenant
        folded = ref.lower()
        for tenant in self.tenants:
            if folded in (tenant.tenant_id.lower(), tenant.domain.lower()):
                return tenant
        raise KeyError(ref)

    def authority_for(self, ref: str | None = None) -> str:
        """The MSAL `authority=` of one tenant (id or domain; None: the first)."""
        return f"{self.base_url}/{self.tenant_for(ref).tenant_id}"

    @property
    def graph_base_url(self) -> str:
        """GRAPH_BASE_URL for the product: base_url + /v1.0."""
        return self.base_url + "/v1.0"

    @property
    def authority_host(self) -> str:
        """AUTHORITY_HOST for the product (the authority is this + /tenant_id)."""
        return self.base_url

    @property
    def tenant_id(self) -> str:
        """The tenant's GUID."""
        return self.tenant.tenant_id

    @property
    def authority(self) -> str:
        """For MSAL `authority=` (with instance_discovery=False)."""
        return f"{self.base_url}/{self.tenant_id}"

    @property
    def oidc_authority(self) -> str:
        """For MSAL `oidc_authority=`."""
        return f"{self.authority}/v2.0"

    def ssl_context(self) -> ssl.SSLContext:
        """A client SSLContext trusting the system CAs and this emulator's CA."""
        return client_ssl_context(self.ca_path)

    def write_trust_bundle(self, dest: str | Path) -> Path:
        """A PEM bundle (system CAs + emulator CA) for requests/MSAL `verify=`."""
        return write_trust_bundle(self.ca_path, dest)


TenantSource = str | Path | Mapping[str, Any] | Tenant


@asynccontextmanager
async def running_emulator(
    tenant: TenantSource | Sequence[TenantSource],
    *,
    ca_dir: str | Path,
    state: EmulatorState | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    today: date | None = None,
) -> AsyncIterator[EmulatorHandle]:
    """Serve the emulator over HTTPS on `host`:`port` (0: ephemeral) until exit.

    `tenant` is one tenant (file path, dict or Tenant) or a list of them: each is
    served with its own directory; `handle.tenant` is the first, `handle.tenants`
    all. `ca_dir` holds the CA (reused if present) and the token signing key;
    `today` pins the tenant file's relative date tokens.
    """
    sources = list(tenant) if isinstance(tenant, list | tuple) else [tenant]
    loaded = [load_tenant(source, today=today) for source in sources]
    ca = await asyncio.to_thread(ensure_ca, ca_dir)
    key = await asyncio.to_thread(load_signing_key, ca_dir)
    live_state = state or EmulatorState()
    app = build_app(loaded, live_state, signing_key=key)
    runner, bound = await start_site(app, host=host, port=port, ssl_context=server_ssl_context(ca))
    try:
        yield EmulatorHandle(
            base_url=public_base_url(host, bound),
            port=bound,
            ca_path=ca.cert_path,
            tenant=loaded[0],
            state=live_state,
            app=app,
            tenants=loaded,
        )
    finally:
        await runner.cleanup()


class _FormParser(HTMLParser):
    """Collects the first form's action and inputs, and any alert text."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.alert: list[str] = []
        self._in_alert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")
        elif values.get("role") == "alert":
            self._in_alert = True

    def handle_endtag(self, tag: str) -> None:
        self._in_alert = False

    def handle_data(self, data: str) -> None:
        if self._in_alert:
            self.alert.append(data)


async def _post_credentials(
    auth_url: str, username: str, password: str, ssl_context: ssl.SSLContext
) -> tuple[str | None, _FormParser]:
    """(redirect URL, None) or (None, the page's form) after submitting the form."""
    async with aiohttp.ClientSession() as session:
        async with session.get(auth_url, ssl=ssl_context, allow_redirects=False) as page:
            if page.status == 302:
                return page.headers["Location"], _FormParser()
            html = await page.text()
        form = _FormParser()
        form.feed(html)
        if form.action is None:
            raise SignInError(f"no sign-in form (HTTP {page.status}): {html[:300]}")
        data = {**form.fields, "username": username, "password": password}
        target = urljoin(auth_url, form.action)
        async with session.post(target, data=data, ssl=ssl_context, allow_redirects=False) as answer:
            if answer.status == 302:
                return answer.headers["Location"], _FormParser()
            result = _FormParser()
            result.feed(await answer.text())
            if result.action == form.action or answer.status != 200:
                raise SignInError("".join(result.alert) or f"sign-in failed (HTTP {answer.status})")
            return None, result


async def submit_sign_in(auth_url: str, *, username: str, password: str, ssl_context: ssl.SSLContext) -> str:
    """Open the sign-in page, submit the credentials, return the redirect URL.

    The redirect URL carries `code` and `state` (or `error`); it is not followed.
    """
    location, _page = await _post_credentials(auth_url, username, password, ssl_context)
    if location is None:
        raise SignInError("the authorize request used response_mode=form_post; use sign_in_response()")
    return location


async def sign_in_response(
    auth_url: str, *, username: str, password: str, ssl_context: ssl.SSLContext
) -> dict[str, str]:
    """Sign in and return the authorization response fields (`code`, `state`, ...),
    whatever the response_mode: what MSAL's acquire_token_by_auth_code_flow takes."""
    location, page = await _post_credentials(auth_url, username, password, ssl_context)
    if location is None:
        return dict(page.fields)
    parts = urlsplit(location)
    fields = parse_qs(parts.query) | parse_qs(parts.fragment)
    return {k: v[0] for k, v in fields.items()}


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


async def acquire_token(
    handle: EmulatorHandle,
    username: str,
    password: str,
    *,
    scopes: tuple[str, ...] = PRODUCT_SCOPES,
    client_id: str = TEST_CLIENT_ID,
    client_secret: str | None = None,
    redirect_uri: str = TEST_REDIRECT_URI,
    tenant: str | None = None,
) -> dict[str, Any]:
    """The whole auth-code + PKCE flow over HTTPS; returns the token response JSON.

    `tenant` (id or domain) signs in to another served tenant than the first."""
    authority = handle.authority_for(tenant)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(8)
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join([*scopes, "openid", "profile", "offline_access"]),
            "state": state,
            "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    context = handle.ssl_context()
    location = await submit_sign_in(
        f"{authority}/oauth2/v2.0/authorize?{query}",
        username=username,
        password=password,
        ssl_context=context,
    )
    returned = parse_qs(urlsplit(location).query)
    if returned.get("state") != [state] or "code" not in returned:
        raise SignInError(f"unexpected redirect {location}")
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": returned["code"][0],
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    if client_secret is not None:
        form["client_secret"] = client_secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{authority}/oauth2/v2.0/token", data=form, ssl=context) as response,
    ):
        body = await response.json()
    if "access_token" not in body:
        raise SignInError(f"token request failed: {body}")
    return body
