"""Liveness and readiness probes."""

from __future__ import annotations

from aiohttp import web

from api.keys import SERVICES


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    ready, reason = await request.app[SERVICES].db.readiness()
    return web.json_response(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status=200 if ready else 503
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
