"""Routing one Graph request to its handler, wrapped in auth, faults, per-mailbox
concurrency counters and the request log. HTTP and $batch items both come here."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.dropping import DroppedConnectionError, wait_latency
from emulator.faults import Fault
from emulator.graph import batch, calendars, events, places, schedule, users
from emulator.graph.access import authenticate
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphRequest,
    GraphResponse,
    Principal,
    new_request_id,
)
from emulator.model import Tenant, TenantSet
from emulator.state import EmulatorState, RequestRecord, now_ms
from emulator.tokens import TokenIssuer

LOGGER = logging.getLogger(__name__)
Handler = Callable[..., Awaitable[GraphResponse]]
_USER = r"(?:me|users/(?P<user>[^/]+))"
_CAL = r"calendars/(?P<calendar>[^/]+)"
_EVENT = r"(?P<event_id>[^/]+)"


@dataclass(frozen=True)
class Route:
    """One Graph operation: method, path pattern and handler."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler


def _route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method, re.compile(f"^{pattern}/?$", re.IGNORECASE), handler)


ROUTES = (
    _route("GET", f"/{_USER}", users.get_user),
    _route("GET", f"/{_USER}/mailboxSettings", users.get_mailbox_settings),
    _route("GET", f"/{_USER}/calendars", calendars.list_calendars),
    _route("GET", f"/{_USER}/calendar", calendars.get_calendar),
    _route("GET", f"/{_USER}/{_CAL}", calendars.get_calendar),
    _route("GET", f"/{_USER}/(?:calendar/)?calendarView", calendars.get_calendar_view),
    _route("GET", f"/{_USER}/{_CAL}/calendarView", calendars.get_calendar_view),
    _route("POST", f"/{_USER}/calendar/(?:microsoft\\.graph\\.)?getSchedule", schedule.get_schedule),
    _route("POST", f"/{_USER}/(?:calendar/)?events", events.create_event),
    _route("POST", f"/{_USER}/{_CAL}/events", events.create_event),
    _route("GET", f"/{_USER}/(?:calendar/)?events/{_EVENT}", events.get_event),
    _route("GET", f"/{_USER}/{_CAL}/events/{_EVENT}", events.get_event),
    _route("DELETE", f"/{_USER}/(?:calendar/)?events/{_EVENT}", events.delete_event),
    _route("DELETE", f"/{_USER}/{_CAL}/events/{_EVENT}", events.delete_event),
    _route("POST", f"/{_USER}/(?:calendar/)?events/{_EVENT}/cancel", events.cancel_event),
    _route("POST", f"/{_USER}/{_CAL}/events/{_EVENT}/cancel", events.cancel_event),
    _route("GET", r"/places/microsoft\.graph\.room", places.list_rooms),
    _route("POST", r"/\$batch", batch.run_batch),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route for a request, or 400 (unknown segment) / 405 (wrong method)."""
    wrong_method = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, {k: v for k, v in found.groupdict().items() if v is not None}
        wrong_method = True
    if wrong_method:
        raise GraphError(405, "BadRequest", f"The HTTP method '{method}' is not allowed here.")
    segment = next((s for s in path.split("/") if s), "")
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def _fault_error(fault: Fault) -> GraphError:
    if fault.kind == "429":
        retry = fault.retry_after if fault.retry_after is not None else 1
        return GraphError(
            429,
            "TooManyRequests",
            "Too many requests (fault injected by the emulator).",
            headers={"Retry-After": str(retry)},
        )
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return GraphError(
        503,
        "ServiceUnavailable",
        "The service is temporarily unavailable (fault injected by the emulator).",
        headers=headers,
    )


@dataclass
class _Seen:
    """What was learnt about a request before it finished (for the log)."""

    principal: Principal | None = None
    mailbox: str | None = None
    ctx: GraphContext | None = None
    faults: list[str] = field(default_factory=list)


class GraphService:
    """Executes Graph requests against the tenants and the state (each request
    against the tenant of its token)."""

    def __init__(self, tenants: TenantSet | Tenant, state: EmulatorState, issuer: TokenIssuer) -> None:
        self.tenants = tenants if isinstance(tenants, TenantSet) else TenantSet([tenants])
        self.state, self.issuer = state, issuer

    @property
    def tenant(self) -> Tenant:
        """The primary tenant."""
        return self.tenants.primary

    def _mailbox_key(self, principal: Principal, groups: dict[str, str], route: Route) -> str | None:
        if route.handler in (places.list_rooms, batch.run_batch):
            return None
        ref = groups.get("user")
        if ref is None or ref.lower() == "me":
            return principal.user.key
        found = principal.tenant.find(ref)
        return found.key if found else ref.lower()

    async def _guarded(
        self,
        ctx: GraphContext,
        route: Route,
        groups: dict[str, str],
        mailbox: str | None,
        fault_seen: list[str],
    ) -> GraphResponse:
        if route.handler is batch.run_batch:
            return await route.handler(ctx)
        allowed = self.state.enter(mailbox)
        try:
            if not allowed:
                fault_seen.append("mailbox-concurrency")
                raise GraphError(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                    headers={"Retry-After": "1"},
                )
            wait = self.state.over_quota(mailbox, ctx.principal.client_id)
            if wait is not None:
                fault_seen.append("mailbox-quota")
                raise GraphError(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxRequests limit.",
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
            decision = self.state.faults.decide(
                target="graph", mailbox=mailbox, can_drop=not ctx.request.in_batch
            )
            if decision.latency_ms:
                fault_seen.append("latency")
            await wait_latency(decision)
            if decision.failure is not None:
                fault_seen.append(decision.failure.kind)
                if decision.failure.kind == "drop":
                    raise DroppedConnectionError
                raise _fault_error(decision.failure)
            return await route.handler(ctx, **groups)
        finally:
            self.state.leave(mailbox)

    async def dispatch(self, request: GraphRequest) -> GraphResponse:
        """Answer one request (errors become Graph error bodies; a drop fault raises
        DroppedConnectionError for the HTTP layer to cut the connection)."""
        request_id = new_request_id()
        client_request_id = request.headers.get("client-request-id") or request_id
        started = time.perf_counter()
        seen = _Seen()
        try:
            response = await self._answer(request, seen)
        except GraphError as exc:
            response = exc.to_response(request_id, client_request_id)
        except DroppedConnectionError:
            self._log(request, 0, seen, started)
            raise
        except Exception:  # an emulator bug: answer like Graph's 500 and keep serving
            LOGGER.exception("emulator error on %s %s", request.method, request.path)
            response = GraphError(
                500, "generalException", "An internal emulator error occurred."
            ).to_response(request_id, client_request_id)
        self._log(request, response.status, seen, started)
        headers: dict[str, Any] = {"request-id": request_id, "client-request-id": client_request_id}
        if seen.ctx is not None and seen.ctx.preference_applied and response.status < 400:
            headers["Preference-Applied"] = ", ".join(seen.ctx.preference_applied)
        response.headers = {**headers, **response.headers}
        return response

    async def _answer(self, request: GraphRequest, seen: _Seen) -> GraphResponse:
        seen.principal = authenticate(request, self.tenants, self.state, self.issuer)
        route, groups = match(request.method, request.path)
        seen.mailbox = self._mailbox_key(seen.principal, groups, route)
        seen.ctx = GraphContext(
            tenant=seen.principal.tenant,
            state=self.state,
            issuer=self.issuer,
            request=request,
            principal=seen.principal,
            dispatch=self.dispatch,
        )
        return await self._guarded(seen.ctx, route, groups, seen.mailbox, seen.faults)

    def _log(self, request: GraphRequest, status: int, seen: _Seen, started: float) -> None:
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        principal = seen.principal
        self.state.record(
            RequestRecord(
                at_ms=now_ms(),
                kind="graph",
                method=request.method,
                path=request.path,
                query=query,
                status=status,
                mailbox=seen.mailbox,
                user=principal.user.key if principal else None,
                client_id=principal.client_id if principal else None,
                duration_ms=(time.perf_counter() - started) * 1000,
                fault=",".join(seen.faults) or None,
                batch=request.in_batch,
            )
        )
