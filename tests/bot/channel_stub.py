"""A stand-in for the Teams channel's Bot Connector (Teams itself cannot run here).

Serves the calls the bot makes (roster look-up, send, update, create a 1:1
conversation), records every call, and can be told to fail the next calls with
a given status (403 blocked, 429 throttled with Retry-After, 503).
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

MEMBERS = web.AppKey("members", dict)
ROSTER = web.AppKey("roster", list)  # what a team's or chat's member list answers
CALLS = web.AppKey("calls", list)
FAILURES = web.AppKey("failures", list)  # [(status, headers)] consumed in order by send/update/create
COUNTER = web.AppKey("counter", itertools.count)


def fail_next(
    app: web.Application, status: int, headers: dict[str, str] | None = None, times: int = 1
) -> None:
    app[FAILURES].extend([(status, headers or {})] * times)


def channel_stub(members: dict[str, dict[str, Any]]) -> web.Application:
    app = web.Application()
    app[MEMBERS] = members
    app[ROSTER] = []
    app[CALLS] = []
    app[FAILURES] = []
    app[COUNTER] = itertools.count(1)

    def failure(request: web.Request) -> web.Response | None:
        if not request.app[FAILURES]:
            return None
        status, headers = request.app[FAILURES].pop(0)
        return web.json_response(
            {"error": {"code": f"Stub{status}", "message": "stubbed failure"}}, status=status, headers=headers
        )

    async def get_member(request: web.Request) -> web.Response:
        request.app[CALLS].append(("get_member", request.match_info["member_id"]))
        member = request.app[MEMBERS].get(request.match_info["member_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def list_members(request: web.Request) -> web.Response:
        request.app[CALLS].append(("get_members", request.match_info["conversation_id"]))
        return web.json_response(request.app[ROSTER])

    async def activities(request: web.Request) -> web.Response:
        body = await request.json()
        request.app[CALLS].append(("send", body | {"_conversation": request.match_info["conversation_id"]}))
        if (failed := failure(request)) is not None:
            return failed
        return web.json_response({"id": f"stub-{next(request.app[COUNTER])}"})

    async def update(request: web.Request) -> web.Response:
        body = await request.json()
        request.app[CALLS].append(
            (
                "update",
                body
                | {
                    "_conversation": request.match_info["conversation_id"],
                    "_activity": request.match_info["activity_id"],
                },
            )
        )
        if (failed := failure(request)) is not None:
            return failed
        return web.json_response({"id": request.match_info["activity_id"]})

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        request.app[CALLS].append(("create", body))
        if (failed := failure(request)) is not None:
            return failed
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", get_member)
    app.router.add_get("/v3/conversations/{conversation_id}/members", list_members)
    app.router.add_post("/v3/conversations/{conversation_id}/activities", activities)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", activities)
    app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", update)
    app.router.add_post("/v3/conversations", create)
    return app
