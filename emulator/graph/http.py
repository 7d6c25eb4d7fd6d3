"""The aiohttp face of the Graph service: /v1.0/{anything}."""

from __future__ import annotations

import json

from aiohttp import web

from emulator.appkeys import base_url
from emulator.dropping import DroppedConnectionError, abort_transport
from emulator.graph.core import GraphRequest
from emulator.graph.router import GraphService

GRAPH = web.AppKey("emulator_graph", GraphService)
CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)


async def graph_endpoint(request: web.Request) -> web.StreamResponse:
    """Translate HTTP to a GraphRequest and back."""
    query: dict[str, str] = {}
    for key, value in request.query.items():
        query.setdefault(key, value)
    graph_request = GraphRequest(
        method=request.method,
        path="/" + request.match_info["tail"],
        query=query,
        headers=request.headers,
        body=await request.read(),
        base_url=base_url(request),
    )
    try:
        answer = await request.app[GRAPH].dispatch(graph_request)
    except DroppedConnectionError:
        return abort_transport(request)
    payload = b"" if answer.body is None else json.dumps(answer.body).encode()
    return web.Response(
        status=answer.status, body=payload, headers={**answer.headers, "Content-Type": CONTENT_TYPE}
    )


def add_routes(app: web.Application) -> None:
    """Register the Graph catch-all route."""
    app.router.add_route("*", "/v1.0/{tail:.*}", graph_endpoint)
