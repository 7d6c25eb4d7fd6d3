"""`PUT /api/clients/{client_id}/directory`: pivot pushes its directory (DESIGN 3.4)."""

from __future__ import annotations

import logging

from aiohttp import web

from api.body import DOCUMENT_MAX_BODY, BodyRejected, read_json
from api.errors import bearer_token, error, invalid
from api.keys import SERVICES
from services.domain.text_policy import is_id
from services.errors import Unauthorized, ValidationFailed

log = logging.getLogger(__name__)


async def put_directory(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    client_id = request.match_info["client_id"]
    token = bearer_token(request)
    if token is None:
        return error(401, "missing bearer API key")
    if not is_id(client_id):
        return error(401, "invalid API key for this client")
    try:
        await services.directory.authenticate(client_id, token)
    except Unauthorized:
        return error(401, "invalid API key for this client")
    try:
        data = await read_json(request, DOCUMENT_MAX_BODY, field="(document)")
    except BodyRejected as rejected:
        return rejected.response
    try:
        result = await services.directory.import_document(data, expected_client_id=client_id)
    except ValidationFailed as exc:
        log.info("directory rejected client=%s problems=%d", client_id, len(exc.problems))
        return invalid(exc)
    log.info("directory imported client=%s changed=%s", client_id, result.changed)
    return web.json_response(result.as_json())


def add_routes(app: web.Application) -> None:
    app.router.add_put("/api/clients/{client_id}/directory", put_directory)
