"""`GET /metrics`: Prometheus text format (DESIGN 3.13), optionally behind a bearer token."""

from __future__ import annotations

import hmac

from aiohttp import web

from api.errors import bearer_token, error
from api.keys import SERVICES
from services.jobs import queue_stats
from services.metrics import CONTENT_TYPE


async def metrics(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    required = services.settings.METRICS_TOKEN
    if required is not None and required.get_secret_value():
        given = bearer_token(request) or ""
        if not hmac.compare_digest(given.encode(), required.get_secret_value().encode()):
            response = error(401, "metrics need Authorization: Bearer <METRICS_TOKEN>")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
    body = services.metrics.render(await queue_stats(services.db))
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
