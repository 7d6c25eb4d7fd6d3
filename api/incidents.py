"""`POST /api/incidents` (signed webhook) and `GET /api/incidents/{id}` (DESIGN 3.3)."""

from __future__ import annotations

import logging

from aiohttp import web

from api.errors import bearer_token, error, invalid
from api.keys import JOBS, SERVICES
from services.errors import Unauthorized, ValidationFailed
from services.incidents.service import IncidentConflict, SignatureInvalid, UnknownTarget

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


async def post_incident(request: web.Request) -> web.Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error(413, "body over 64 KiB")
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return error(413, "body over 64 KiB")
    services = request.app[SERVICES]
    try:
        accepted = await services.incidents.accept(body, dict(request.headers))
    except SignatureInvalid:
        return error(401, "missing, invalid or stale webhook signature")
    except ValidationFailed as exc:
        return invalid(exc)
    except UnknownTarget as exc:
        return error(422, "unknown client or room", [{"field": "client_id/room_id", "message": str(exc)}])
    except IncidentConflict:
        return error(409, "an incident with this id exists with different content")
    if accepted.new:
        request.app[JOBS].wake()
        return web.json_response({"id": accepted.id, "status": accepted.status}, status=202)
    return web.json_response({"id": accepted.id, "status": accepted.status}, status=200)


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
