"""The /_admin/ HTTP API: faults, revocation, sharing, counters, live tenant edits.

For tests and demos driving a separately running emulator; in-process tests can
use `handle.state` and `handle.tenant` directly instead. No authentication: the
emulator listens on loopback.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from emulator.appkeys import STATE, TENANTS
from emulator.faults import Fault
from emulator.loader import TenantError, parse_event, upsert_room
from emulator.model import Mailbox, Tenant
from emulator.templating import today_in


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> Mapping[str, Any]:
    raw = await request.text()
    try:
        value = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"invalid JSON: {exc}"}), content_type="application/json"
        ) from exc
    if not isinstance(value, Mapping):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "expected a JSON object"}), content_type="application/json"
        )
    return value


def _tenant(request: web.Request, body: Mapping[str, Any] | None = None) -> Tenant:
    """The tenant an admin request names (`tenant` in the body or the query: id
    or domain), else the primary one; 404 for an unknown tenant."""
    ref = (body or {}).get("tenant") or request.query.get("tenant")
    found = request.app[TENANTS].resolve(str(ref) if ref is not None else None)
    if found is None:
        raise web.HTTPNotFound(
            text=json.dumps({"error": f"no tenant {ref!r}"}), content_type="application/json"
        )
    return found


def _mailbox(tenant: Tenant, ref: Any, *, kind: str | None = None) -> Mailbox:
    found = tenant.find(ref) if isinstance(ref, str) else None
    if found is None or (kind is not None and found.kind != kind):
        raise web.HTTPNotFound(
            text=json.dumps({"error": f"no {kind or 'mailbox'} {ref!r}"}), content_type="application/json"
        )
    return found


async def health(request: web.Request) -> web.Response:
    """Liveness plus the tenant id (the named or primary one) and every tenant."""
    tenants = request.app[TENANTS]
    return web.json_response(
        {
            "ok": True,
            "tenant_id": _tenant(request).tenant_id,
            "tenants": [{"tenant_id": t.tenant_id, "domain": t.domain} for t in tenants],
        }
    )


async def list_faults(request: web.Request) -> web.Response:
    """The active fault rules."""
    return web.json_response({"faults": [f.to_json() for f in request.app[STATE].faults.faults]})


async def add_fault(request: web.Request) -> web.Response:
    """Activate a fault rule from {"kind", "count", "fraction", "latency_ms", ...}."""
    try:
        fault = Fault.from_json(await _body(request))
    except ValueError as exc:
        return _error(400, str(exc))
    return web.json_response(request.app[STATE].faults.add(fault).to_json(), status=201)


async def clear_faults(request: web.Request) -> web.Response:
    """Deactivate every rule."""
    request.app[STATE].clear_faults()
    return web.json_response({"faults": []})


async def delete_fault(request: web.Request) -> web.Response:
    """Deactivate one rule by id."""
    try:
        fault_id = int(request.match_info["fault_id"])
    except ValueError:
        return _error(400, "fault id must be an integer")
    if not request.app[STATE].faults.remove(fault_id):
        return _error(404, f"no fault {fault_id}")
    return web.json_response({"deleted": fault_id})


async def revoke(request: web.Request) -> web.Response:
    """Revoke a user's refresh tokens ({"user", "access_tokens": false})."""
    body = await _body(request)
    user = _mailbox(_tenant(request, body), body.get("user"), kind="user")
    request.app[STATE].revoke(user.upn, access_tokens=bool(body.get("access_tokens", False)))
    return web.json_response({"revoked": user.upn})


async def expire_tokens(request: web.Request) -> web.Response:
    """Make access tokens issued so far invalid ({"user": upn} or everyone's)."""
    body = await _body(request)
    user = body.get("user")
    if user is not None:
        user = _mailbox(_tenant(request, body), user, kind="user").upn
    request.app[STATE].expire_tokens(user)
    return web.json_response({"expired": user or "*"})


async def share(request: web.Request) -> web.Response:
    """Share a room with a user ({"room", "user"}; no user: open to everyone)."""
    body = await _body(request)
    tenant = _tenant(request, body)
    room = _mailbox(tenant, body.get("room"), kind="room")
    user = body.get("user")
    tenant.share_room(room, None if user is None else _mailbox(tenant, user, kind="user").key)
    return web.json_response({"room": room.upn, "sharedWith": room.shared_with})


async def unshare(request: web.Request) -> web.Response:
    """Withdraw a user's access to a room ({"room", "user"}; no user: close it)."""
    body = await _body(request)
    tenant = _tenant(request, body)
    room = _mailbox(tenant, body.get("room"), kind="room")
    user = body.get("user")
    tenant.unshare_room(room, None if user is None else _mailbox(tenant, user, kind="user").key)
    return web.json_response({"room": room.upn, "sharedWith": room.shared_with})


async def requests_log(request: web.Request) -> web.Response:
    """Request log and per-mailbox counters (?mailbox=upn&limit=N)."""
    limit = request.query.get("limit")
    try:
        parsed_limit = int(limit) if limit else None
    except ValueError:
        return _error(400, "limit must be an integer")
    return web.json_response(
        request.app[STATE].snapshot(mailbox=request.query.get("mailbox"), limit=parsed_limit)
    )


async def reset_counters(request: web.Request) -> web.Response:
    """Clear the request log, counters and high-water marks."""
    request.app[STATE].reset_counters()
    return web.json_response({"reset": True})


async def settings(request: web.Request) -> web.Response:
    """Change token_lifetime (seconds), mailbox_concurrency_limit (null: off),
    mailbox_request_quota (requests per app and mailbox, null: off) and
    mailbox_quota_window_s (seconds, default 600)."""
    body = await _body(request)
    state = request.app[STATE]
    try:
        if "token_lifetime" in body:
            lifetime = int(body["token_lifetime"])
            if lifetime < 1:
                return _error(400, "token_lifetime must be >= 1")
            state.token_lifetime = lifetime
        for name in ("mailbox_concurrency_limit", "mailbox_request_quota"):
            if name in body:
                limit = None if body[name] is None else int(body[name])
                if limit is not None and limit < 0:
                    return _error(400, f"{name} must be >= 0 or null")
                setattr(state, name, limit)
        if "resource_response_delay_s" in body:
            delay = float(body["resource_response_delay_s"])
            if delay < 0:
                return _error(400, "resource_response_delay_s must be >= 0")
            state.resource_response_delay_s = delay
        if "mailbox_quota_window_s" in body:
            window = float(body["mailbox_quota_window_s"])
            if window <= 0:
                return _error(400, "mailbox_quota_window_s must be > 0")
            state.mailbox_quota_window_s = window
    except (TypeError, ValueError) as exc:
        return _error(400, str(exc))
    return web.json_response(
        {
            "token_lifetime": state.token_lifetime,
            "mailbox_concurrency_limit": state.mailbox_concurrency_limit,
            "mailbox_request_quota": state.mailbox_request_quota,
            "mailbox_quota_window_s": state.mailbox_quota_window_s,
            "resource_response_delay_s": state.resource_response_delay_s,
        }
    )


async def put_room(request: web.Request) -> web.Response:
    """Add a room or update the fields given (rename, move, re-share, new events)."""
    body = await _body(request)
    try:
        room = upsert_room(_tenant(request, body), {k: v for k, v in body.items() if k != "tenant"})
    except TenantError as exc:
        return _error(400, str(exc))
    return web.json_response({"id": room.id, "emailAddress": room.upn, "displayName": room.display_name})


async def delete_room(request: web.Request) -> web.Response:
    """Remove a room (it disappears from places, calendars and mirrors)."""
    tenant = _tenant(request)
    room = _mailbox(tenant, request.match_info["email"], kind="room")
    tenant.remove_mailbox(room)
    return web.json_response({"deleted": room.upn})


async def add_event(request: web.Request) -> web.Response:
    """Add an event ({"mailbox", "calendar_id"?, "event": {...}}; date tokens allowed)."""
    body = await _body(request)
    tenant = _tenant(request, body)
    box = _mailbox(tenant, body.get("mailbox"))
    calendar_id = body.get("calendar_id") or box.default_calendar_id
    calendar = tenant.calendars.get(str(calendar_id))
    if calendar is None or calendar.owner != box.key:
        return _error(404, f"no calendar {calendar_id!r} owned by {box.upn}")
    try:
        event = parse_event(
            body.get("event") or {},
            owner=box,
            id_seed=f"{calendar.id}/{uuid.uuid4()}",
            today_for=today_in,
            where="event",
        )
    except TenantError as exc:
        return _error(400, str(exc))
    calendar.events.append(event)
    return web.json_response({"id": event.id, "calendar_id": calendar.id}, status=201)


def add_routes(app: web.Application) -> None:
    """Register the admin endpoints."""
    r = app.router
    r.add_get("/_admin/health", health)
    r.add_get("/_admin/faults", list_faults)
    r.add_post("/_admin/faults", add_fault)
    r.add_delete("/_admin/faults", clear_faults)
    r.add_delete("/_admin/faults/{fault_id}", delete_fault)
    r.add_post("/_admin/revoke", revoke)
    r.add_post("/_admin/expire-tokens", expire_tokens)
    r.add_post("/_admin/share", share)
    r.add_post("/_admin/unshare", unshare)
    r.add_get("/_admin/requests", requests_log)
    r.add_post("/_admin/reset-counters", reset_counters)
    r.add_post("/_admin/settings", settings)
    r.add_post("/_admin/rooms", put_room)
    r.add_delete("/_admin/rooms/{email}", delete_room)
    r.add_post("/_admin/events", add_event)
