"""`POST /api/incidents` (signed webhook), `POST /api/incidents/{id}/resolve` (DESIGN 3.10) and
`GET /api/incidents/{id}` (DESIGN 3.3)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from api.body import INCIDENT_MAX_BODY, BodyRejected, check_nesting, read_body
from api.errors import bearer_token, error, invalid, secret_unreadable
from api.keys import SERVICES
from services.claims.resolution import UnknownIncident
from services.domain.text_policy import is_id
from services.errors import Unauthorized, ValidationFailed
from services.incidents.service import IncidentConflict, SecretUnavailable, SignatureInvalid, UnknownTarget

log = logging.getLogger(__name__)


async def post_incident(request: web.Request) -> web.Response:
    """The webhook, counted by answer (`pivot_webhook_requests_total{code}`)."""
    counter = request.app[SERVICES].metrics.webhook_requests
    try:
        response = await _accept_incident(request)
    except web.HTTPException as exc:
        counter.labels(code=str(exc.status)).inc()
        raise
    except Exception:
        counter.labels(code="500").inc()
        raise
    counter.labels(code=str(response.status)).inc()
    return response


async def _signed(
    request: web.Request, call: Callable[[bytes, dict[str, str]], Awaitable[web.Response]]
) -> web.Response:
    """Every call pivot signs (the webhook, resolve): the body read whole, then `call`, with one
    answer for each refusal they share (DESIGN 3.3)."""
    try:
        body = await read_body(request, INCIDENT_MAX_BODY)
        check_nesting(body)
    except BodyRejected as rejected:
        return rejected.response
    try:
        return await call(body, dict(request.headers))
    except SignatureInvalid:
        return error(401, "missing, invalid or stale webhook signature")
    except SecretUnavailable:
        return secret_unreadable()
    except ValidationFailed as exc:
        return invalid(exc)


async def _accept_incident(request: web.Request) -> web.Response:
    services = request.app[SERVICES]

    async def accept(body: bytes, headers: dict[str, str]) -> web.Response:
        try:
            accepted = await services.incidents.accept(body, headers)
        except UnknownTarget as exc:
            problem = [{"field": "client_id/room_id", "message": str(exc)}]
            return error(422, "unknown client or room", problem)
        except IncidentConflict:
            return error(409, "an incident with this id exists with different content")
        status = 202 if accepted.new else 200
        return web.json_response({"id": accepted.id, "status": accepted.status}, status=status)

    return await _signed(request, accept)


async def resolve_incident(request: web.Request) -> web.Response:
    """`POST /api/incidents/{id}/resolve` (DESIGN 3.10), signed like the incident webhook."""
    services = request.app[SERVICES]
    incident_id = request.match_info["incident_id"]

    async def resolve(body: bytes, headers: dict[str, str]) -> web.Response:
        if not is_id(incident_id):
            return error(404, "no such incident")
        try:
            resolution = await services.resolutions.resolve_signed(incident_id, body, headers)
        except UnknownTarget as exc:
            return error(422, "unknown client", [{"field": "client_id", "message": str(exc)}])
        except UnknownIncident:
            return error(404, "no such incident")
        return web.json_response({"id": resolution.id, "status": resolution.status}, status=200)

    return await _signed(request, resolve)


async def get_incident(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    token = bearer_token(request)
    if token is None:
        return error(401, "missing bearer API key")
    try:
        client_id = await services.directory.client_for_api_key(token)
    except Unauthorized:
        return error(401, "invalid API key")
    incident_id = request.match_info["incident_id"]
    if not is_id(incident_id):
        return error(404, "no such incident")
    incident = await services.incidents.get(client_id, incident_id)
    if incident is None:
        return error(404, "no such incident")
    incident["claim"] = await services.claims.claim_json(client_id, incident_id)
    incident["booking"] = await services.claims.booking_json(client_id, incident_id)
    incident["notifications"] = await services.notifications.notifications_for(client_id, incident_id)
    return web.json_response(incident)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/incidents", post_incident)
    app.router.add_get("/api/incidents/{incident_id}", get_incident)
    app.router.add_post("/api/incidents/{incident_id}/resolve", resolve_incident)
