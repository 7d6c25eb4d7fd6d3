"""POST /$batch: up to 20 Graph requests in one, each answered with its own status.

Items without dependsOn run concurrently; an item whose dependency failed gets 424.
Each item goes through the same dispatcher as a plain request (auth, faults,
counters), so throttling shows up per item, as in Graph.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from multidict import CIMultiDict

from emulator.graph.core import GraphContext, GraphError, GraphRequest, GraphResponse

MAX_REQUESTS = 20
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _validate(raw: Any) -> list[Mapping[str, Any]]:
    items = raw.get("requests") if isinstance(raw, Mapping) else None
    if not isinstance(items, list) or not items:
        raise _bad("Invalid batch payload format.")
    if len(items) > MAX_REQUESTS:
        raise _bad(f"Number of batch request steps exceeds the maximum of {MAX_REQUESTS}.")
    ids: list[str] = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str | int):
            raise _bad("Each batch request step needs an id.")
        if str(item.get("method", "")).upper() not in METHODS:
            raise _bad(f"Invalid method '{item.get('method')}' in batch request step.")
        if not isinstance(item.get("url"), str) or not item["url"]:
            raise _bad("Each batch request step needs a url.")
        ids.append(str(item["id"]))
    if len(set(ids)) != len(ids):
        raise _bad("Batch request contains duplicate Ids.")
    for item in items:
        for dep in item.get("dependsOn") or []:
            if str(dep) not in ids:
                raise _bad(f"Batch request step depends on unknown id '{dep}'.")
    return items


def _sub_request(ctx: GraphContext, item: Mapping[str, Any]) -> GraphRequest:
    url = str(item["url"])
    if url.startswith(ctx.request.graph_base):
        url = url[len(ctx.request.graph_base) :]
    parts = urlsplit(url if url.startswith("/") else "/" + url)
    path = parts.path[len("/v1.0") :] if parts.path.lower().startswith("/v1.0/") else parts.path
    headers: CIMultiDict[str] = CIMultiDict({str(k): str(v) for k, v in (item.get("headers") or {}).items()})
    auth = ctx.request.headers.get("Authorization")
    if auth is not None:
        headers["Authorization"] = auth
    body = item.get("body")
    payload = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    return GraphRequest(
        method=str(item["method"]).upper(),
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=payload,
        base_url=ctx.request.base_url,
        in_batch=True,
    )


def _item_response(item_id: str, response: GraphResponse) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **response.headers}
    return {"id": item_id, "status": response.status, "headers": headers, "body": response.body}


async def _run_one(ctx: GraphContext, item: Mapping[str, Any]) -> GraphResponse:
    sub = _sub_request(ctx, item)
    if sub.path.lower().lstrip("/") == "$batch":
        return GraphError(400, "BadRequest", "A batch request cannot contain a batch request.").to_response(
            "", ""
        )
    return await ctx.dispatch(sub)


async def run_batch(ctx: GraphContext) -> GraphResponse:
    """Run the batch and answer {"responses": [...]} in request order."""
    items = _validate(ctx.request.json())
    results: dict[str, GraphResponse] = {}
    if not any(item.get("dependsOn") for item in items):
        answers = await asyncio.gather(*(_run_one(ctx, item) for item in items))
        results = {str(item["id"]): answer for item, answer in zip(items, answers, strict=True)}
    else:
        for item in items:
            failed = [
                d
                for d in item.get("dependsOn") or []
                if str(d) not in results or results[str(d)].status >= 400
            ]
            if failed:
                results[str(item["id"])] = GraphResponse(
                    424,
                    {
                        "error": {
                            "code": "FailedDependency",
                            "message": f"Request depends on '{failed[0]}', which failed or did not run.",
                        }
                    },
                )
            else:
                results[str(item["id"])] = await _run_one(ctx, item)
    return GraphResponse(
        200, {"responses": [_item_response(str(item["id"]), results[str(item["id"])]) for item in items]}
    )
