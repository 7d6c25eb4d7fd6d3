"""Assembling the emulator's aiohttp application from a tenant and a state."""

from __future__ import annotations

import ssl
from collections.abc import Sequence

from aiohttp import web

from emulator import admin, identity
from emulator.appkeys import ISSUER, STATE, TENANT, TENANTS, base_url
from emulator.graph import http as graph_http
from emulator.graph.router import GraphService
from emulator.model import Tenant, TenantSet
from emulator.state import EmulatorState
from emulator.tokens import SigningKey, TokenIssuer, generate_signing_key


async def index(request: web.Request) -> web.Response:
    """Where things are, for a person poking at the emulator."""
    tenant = request.app[TENANT]
    base = base_url(request)
    return web.json_response(
        {
            "emulator": "Microsoft 365 (identity + Graph v1.0 subset)",
            "tenant_id": tenant.tenant_id,
            "authority": f"{base}/{tenant.tenant_id}",
            "oidc_authority": f"{base}/{tenant.tenant_id}/v2.0",
            "graph_base_url": f"{base}/v1.0",
            "admin": f"{base}/_admin/requests",
            "tenants": [
                {"tenant_id": t.tenant_id, "domain": t.domain, "authority": f"{base}/{t.tenant_id}"}
                for t in request.app[TENANTS]
            ],
        }
    )


def build_app(
    tenant: Tenant | Sequence[Tenant],
    state: EmulatorState,
    *,
    signing_key: SigningKey | None = None,
) -> web.Application:
    """The emulator as an aiohttp application (serve it over HTTPS for MSAL).

    `tenant` may be several tenants; the first is the default one (index page,
    `/_admin` without a `tenant`). Each keeps its own directory; a token of one
    reads nothing of another.
    """
    tenants = TenantSet([tenant] if isinstance(tenant, Tenant) else list(tenant))
    app = web.Application(client_max_size=4 * 1024 * 1024)
    issuer = TokenIssuer(signing_key or generate_signing_key())
    app[TENANT] = tenants.primary
    app[TENANTS] = tenants
    app[STATE] = state
    app[ISSUER] = issuer
    app[graph_http.GRAPH] = GraphService(tenants, state, issuer)
    app.router.add_get("/", index)
    graph_http.add_routes(app)
    admin.add_routes(app)
    identity.add_routes(app)
    return app


async def start_site(
    app: web.Application, *, host: str, port: int, ssl_context: ssl.SSLContext
) -> tuple[web.AppRunner, int]:
    """Serve `app` over TLS; returns the runner (to clean up) and the bound port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1]
    return runner, int(bound)


def public_base_url(host: str, port: int) -> str:
    """The https base URL clients should use for a listening address."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - mapping a wildcard bind to loopback
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"https://{host}:{port}"
