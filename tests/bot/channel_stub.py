"""A stand-in for the Teams channel's Bot Connector (Teams itself cannot run here).

Serves the roster look-up the bot makes for e-mail matching and records
every call, so tests can see exactly what the bot asked for.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

MEMBERS = web.AppKey("members", dict)
CALLS = web.AppKey("calls", list)


def channel_stub(members: dict[str, dict[str, Any]]) -> web.Application:
    app = web.Application()
    app[MEMBERS] = members
    app[CALLS] = []

    async def get_member(request: web.Request) -> web.Response:
        request.app[CALLS].append(("get_member", request.match_info["member_id"]))
        member = request.app[MEMBERS].get(request.match_info["member_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def activities(request: web.Request) -> web.Response:
        request.app[CALLS].append(("send", await request.json()))
        return web.json_response({"id": f"stub-{len(request.app[CALLS])}"})

    app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", get_member)
    app.router.add_post("/v3/conversations/{conversation_id}/activities", activities)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", activities)
    return app
