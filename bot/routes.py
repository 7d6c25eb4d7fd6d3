"""HTTP entry for Bot Framework: `POST /api/messages`."""

from __future__ import annotations

from aiohttp import web

from api.body import DOCUMENT_MAX_BODY, BodyRejected, read_json
from bot.wiring import BotRuntime

BOT_RUNTIME = web.AppKey("bot_runtime", BotRuntime)


async def messages(request: web.Request) -> web.StreamResponse:
    if "application/json" not in request.headers.get("Content-Type", ""):
        return web.json_response({"error": "expected application/json"}, status=415)
    try:
        # Read whole and nesting-checked before the JWT check and the adapter (which re-reads it cached).
        body = await read_json(request, DOCUMENT_MAX_BODY)
    except BodyRejected as rejected:
        return rejected.response
    if not isinstance(body, dict) or not body.get("type"):
        return web.json_response({"error": "expected an activity"}, status=400)
    if body.get("deliveryMode") == "expectReplies":
        # botbuilder-python 4.17's CloudAdapter fails to serialise ExpectedReplies; Teams never asks for it.
        return web.json_response({"error": "deliveryMode expectReplies is not supported"}, status=400)
    runtime = request.app[BOT_RUNTIME]
    response = await runtime.adapter.process(request, runtime.bot)
    return response if response is not None else web.Response(status=201)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/messages", messages)
