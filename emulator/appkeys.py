"""Typed keys for what build_app stores on the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from emulator.model import Tenant, TenantSet
from emulator.state import EmulatorState
from emulator.tokens import TokenIssuer

TENANT = web.AppKey("emulator_tenant", Tenant)  # the primary (first) tenant
TENANTS = web.AppKey("emulator_tenants", TenantSet)
STATE = web.AppKey("emulator_state", EmulatorState)
ISSUER = web.AppKey("emulator_issuer", TokenIssuer)


def base_url(request: web.Request) -> str:
    """The URL clients used to reach us (issuer, links and nextLinks follow it)."""
    return f"{request.scheme}://{request.host}"
