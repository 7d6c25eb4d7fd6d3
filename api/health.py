"""Liveness and readiness probes."""

from __future__ import annotations

from aiohttp import web

from api.keys import SERVICES
from services.jobs import queue_stats


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready: the database answers, its schema is at head, and the job queue keeps up
    (the oldest due job is younger than READY_MAX_JOB_LAG_SECONDS, DESIGN 3.13)."""
    services = request.app[SERVICES]
    ready, reason = await services.db.readiness()
    if ready:
        try:
            lag = (await queue_stats(services.db, counts=False)).lag_seconds
        except Exception as exc:  # readiness must answer, never raise
            ready, reason = False, f"job queue unreadable ({type(exc).__name__})"
        else:
            limit = services.settings.READY_MAX_JOB_LAG_SECONDS
            if lag > limit:
                ready, reason = False, f"jobs lag {lag:.0f}s (over {limit:.0f}s)"
    return web.json_response(
        {"status": "ok" if ready else "unavailable", "reason": reason}, status=200 if ready else 503
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
