"""Microsoft Graph, read the way the product needs it (and the incidents' `CalendarSource`).

Built on msgraph-sdk: one `GraphServiceClient` per client (its token provider
asks `IdentityService.access_token`), all over one httpx client with the
bounded retry middleware of services.graph_http. The request builders make the
requests; answers are read as Graph's own JSON (a NativeResponseHandler), so
the availability engine gets events exactly as Graph wrote them, and every
error becomes a domain error. At most `per_mailbox` requests run at once per
(client, mailbox), Graph's own mailbox concurrency limit being 4.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.options import ResponseHandlerOption
from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter

from services.config import Settings
from services.domain.timezones import zone_from_mailbox_settings, zone_from_name
from services.m365.graph_errors import AccessDenied, GraphError, MailboxNotFound, ReconnectNeeded, Unavailable
from services.m365.graph_http import (
    ClientTokenProvider,
    RetryPolicy,
    SafeToRetry,
    graph_http_client,
    raise_for_graph_status,
)
from services.m365.signin import IdentityService
from services.metrics import Metrics

log = logging.getLogger(__name__)

EVENT_FIELDS = ["subject", "start", "end", "showAs", "isCancelled", "isAllDay", "organizer", "location"]
CALENDAR_FIELDS = ["id", "name", "owner"]
PAGE_SIZE = 250  # calendarView items per page (Graph's default is 10)
ROOM_PAGE_SIZE = 100
MAX_PAGES = 500  # a paging loop that never ends is a bug, not a calendar
PER_MAILBOX = 4  # Graph: at most 4 concurrent requests per app and mailbox
PREFER_UTC = 'outlook.timezone="UTC"'
ME = "me"

RequestFactory = Callable[[], RequestInformation]


def _graph_instant(value: datetime, *, ceil: bool = False) -> str:
    """An aware instant as Graph's UTC form, whole seconds (floor, or ceiling for ends)."""
    if value.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    utc = value.astimezone(UTC)
    whole = utc.replace(microsecond=0)
    if ceil and whole < utc:
        whole += timedelta(seconds=1)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def _prefer_utc() -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("Prefer", PREFER_UTC)
    return config


def zone_name(settings: dict[str, Any] | None) -> str | None:
    """The mailbox zone from mailboxSettings or getSchedule's workingHours, as a name
    services.timezones resolves: Graph's own name when it resolves; for a custom
    zone the key of its fixed-offset stand-in; else whatever name Graph gave."""
    if not isinstance(settings, dict):
        return None
    name = settings.get("timeZone")
    if isinstance(name, str) and zone_from_name(name) is not None:
        return name
    hours = settings.get("workingHours")
    hours_zone = hours.get("timeZone") if isinstance(hours, dict) else None
    if isinstance(hours_zone, dict):
        hours_name = hours_zone.get("name")
        if isinstance(hours_name, str) and zone_from_name(hours_name) is not None:
            return hours_name
    zone = zone_from_mailbox_settings(settings)
    if zone is not None:
        return zone.key
    if isinstance(name, str) and name.strip():
        return name
    return None


class GraphGateway:
    """The Graph reads (and the one write) the product makes, per client."""

    def __init__(
        self,
        identity: IdentityService,
        settings: Settings,
        *,
        per_mailbox: int = PER_MAILBOX,
        page_size: int = PAGE_SIZE,
        retry: RetryPolicy | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._identity = identity
        self._metrics = metrics or Metrics()
        self._settings = settings
        self._per_mailbox = per_mailbox
        self._page_size = page_size
        self._retry = retry or RetryPolicy()
        self._http: httpx.AsyncClient | None = None
        self._clients: dict[str, GraphServiceClient] = {}
        self._slots: dict[tuple[str, str], asyncio.Semaphore] = {}

    async def close(self) -> None:
        """Close the HTTP connections (the app's cleanup calls this)."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        self._clients.clear()

    # ---- reads ---------------------------------------------------------------------------

    async def list_calendars(self, client_id: str) -> list[dict[str, Any]]:
        """The service account's calendars, its own and those shared with it (id, name, owner)."""
        builder = self._client(client_id).me.calendars
        query = builder.CalendarsRequestBuilderGetQueryParameters(select=CALENDAR_FIELDS, top=100)

        def first() -> RequestInformation:
            return builder.to_get_request_information(RequestConfiguration(query_parameters=query))

        return await self._all_pages(client_id, ME, first, builder.with_url)

    async def list_rooms(self, client_id: str) -> list[dict[str, Any]]:
        """Every room of the tenant (Places API, all pages): displayName, emailAddress, building..."""
        url = f"{self._settings.GRAPH_BASE_URL}/places/microsoft.graph.room?$top={ROOM_PAGE_SIZE}"
        builder = self._client(client_id).places.graph_room
        return await self._all_pages(
            client_id, "places", builder.with_url(url).to_get_request_information, builder.with_url
        )

    async def room_timezone(self, client_id: str, room_email: str) -> str | None:
        """The room mailbox's zone name (Windows or IANA, as Graph gives it), or None.

        mailboxSettings first; when that is denied (reading another mailbox's
        settings often is), getSchedule's workingHours, which needs only
        Calendars.ReadBasic.
        """
        builder = self._client(client_id).users.by_user_id(room_email).mailbox_settings
        query = builder.MailboxSettingsRequestBuilderGetQueryParameters(select=["timeZone", "workingHours"])
        try:
            settings = await self._json(
                client_id,
                room_email,
                lambda: builder.to_get_request_information(RequestConfiguration(query_parameters=query)),
            )
        except AccessDenied:
            log.info("mailboxSettings denied, using getSchedule client=%s room=%s", client_id, room_email)
            return await self._schedule_zone(client_id, room_email)
        return zone_name(settings)

    async def room_events(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The room calendar's events overlapping [start, end), every page, times in UTC."""
        builder = self._client(client_id).users.by_user_id(room_email).calendar.calendar_view
        return await self._calendar_view(client_id, room_email, builder, start, end)

    async def calendar_events(
        self, client_id: str, owner: str, calendar_id: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The same over a shared calendar (setup: rooms that appear as event locations).

        The id `list_calendars` gives is the service account's view of the
        calendar (`/me/calendars/{id}`); an id taken from the owner's side is
        read through `/users/{owner}/calendars/{id}`.
        """
        client = self._client(client_id)
        try:
            return await self._calendar_view(
                client_id, owner, client.me.calendars.by_calendar_id(calendar_id).calendar_view, start, end
            )
        except MailboxNotFound:
            view = client.users.by_user_id(owner).calendars.by_calendar_id(calendar_id).calendar_view
            return await self._calendar_view(client_id, owner, view, start, end)

    async def can_read(self, client_id: str, room_email: str) -> bool:
        """Whether the service account may read the room's calendar (one cheap read)."""
        builder = self._client(client_id).users.by_user_id(room_email).calendar.calendar_view
        now = datetime.now(UTC)
        query = builder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=_graph_instant(now),
            end_date_time=_graph_instant(now + timedelta(minutes=1)),
            select=["subject"],
            top=1,
        )
        try:
            await self._json(
                client_id,
                room_email,
                lambda: builder.to_get_request_information(RequestConfiguration(query_parameters=query)),
            )
        except (AccessDenied, MailboxNotFound):
            return False
        return True

    async def create_event(
        self, client_id: str, mailbox: str, event: dict[str, Any], *, transaction_id: str | None = None
    ) -> dict[str, Any]:
        """POST an event (needs Calendars.ReadWrite). Never retried here: a lost answer
        does not mean nothing was created. Retry from a durable job with the same
        `transaction_id`, which Graph uses to return the first event instead of a copy."""
        body = dict(event)
        if transaction_id is not None:
            body["transactionId"] = transaction_id
        builder = self._client(client_id).users.by_user_id(mailbox).events
        payload = json.dumps(body).encode()

        return await self._json(client_id, mailbox, lambda: _post(builder, payload))

    async def get_event(self, client_id: str, mailbox: str, event_id: str) -> dict[str, Any]:
        """One event of the mailbox's calendar, with its attendees' responses (a room's answer)."""
        builder = self._client(client_id).users.by_user_id(mailbox).events.by_event_id(event_id)
        query = builder.EventItemRequestBuilderGetQueryParameters(
            select=["id", "subject", "start", "end", "isCancelled", "attendees", "transactionId"]
        )
        return await self._json(
            client_id,
            mailbox,
            lambda: builder.to_get_request_information(RequestConfiguration(query_parameters=query)),
        )

    async def cancel_event(self, client_id: str, mailbox: str, event_id: str, comment: str) -> bool:
        """Cancel an event the mailbox organizes (the attendees, a room among them, are told and
        drop it). False when it is gone already: cancelling twice is harmless."""
        builder = self._client(client_id).users.by_user_id(mailbox).events.by_event_id(event_id).cancel
        payload = json.dumps({"comment": comment}).encode()
        try:
            await self._json(client_id, mailbox, lambda: _post(builder, payload))
        except MailboxNotFound:
            return False
        return True

    # ---- helpers ---------------------------------------------------------------------------

    async def _calendar_view(
        self, client_id: str, mailbox: str, builder: Any, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        query = builder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=_graph_instant(start),
            end_date_time=_graph_instant(end, ceil=True),
            select=EVENT_FIELDS,
            top=self._page_size,
        )

        def first() -> RequestInformation:
            config = _prefer_utc()
            config.query_parameters = query
            return builder.to_get_request_information(config)

        return await self._all_pages(client_id, mailbox, first, builder.with_url, prefer_utc=True)

    async def _schedule_zone(self, client_id: str, room_email: str) -> str | None:
        builder = self._client(client_id).me.calendar.get_schedule
        now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        # The body as Graph documents it (camelCase); the SDK's model writes PascalCase keys.
        payload = json.dumps(
            {
                "schedules": [room_email],
                "startTime": {"dateTime": now.isoformat(), "timeZone": "UTC"},
                "endTime": {"dateTime": (now + timedelta(hours=1)).isoformat(), "timeZone": "UTC"},
                "availabilityViewInterval": 60,
            }
        ).encode()

        def request() -> RequestInformation:
            info = _post(builder, payload)
            info.add_request_options([SafeToRetry()])  # getSchedule only reads
            return info

        answer = await self._json(client_id, ME, request)
        for item in answer.get("value") or []:
            if not isinstance(item, dict) or str(item.get("scheduleId", "")).lower() != room_email.lower():
                continue
            if item.get("error"):
                return None
            return zone_name({"workingHours": item.get("workingHours")})
        return None

    async def _all_pages(
        self,
        client_id: str,
        mailbox: str,
        first: RequestFactory,
        builder_for: Callable[[str], Any],
        *,
        prefer_utc: bool = False,
    ) -> list[dict[str, Any]]:
        """Every item of a collection, following @odata.nextLink (re-sending Prefer)."""
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        request = first
        for _page in range(MAX_PAGES):
            page = await self._json(client_id, mailbox, request)
            value = page.get("value")
            if not isinstance(value, list):
                raise GraphError("collection answer without a value list")
            items.extend(v for v in value if isinstance(v, dict))
            next_url = page.get("@odata.nextLink")
            if not isinstance(next_url, str) or not next_url:
                return items
            if next_url in seen:
                raise GraphError("Graph repeated a nextLink")
            seen.add(next_url)
            request = self._next_page(builder_for(next_url), prefer_utc)
        raise GraphError(f"more than {MAX_PAGES} pages")

    @staticmethod
    def _next_page(builder: Any, prefer: bool) -> RequestFactory:
        return lambda: builder.to_get_request_information(_prefer_utc() if prefer else None)

    async def _json(self, client_id: str, mailbox: str, request: RequestFactory) -> dict[str, Any]:
        """Send one request (bounded per mailbox, one forced token refresh on 401) → JSON."""
        response = await self._send(client_id, mailbox, request)
        if response.status_code == 401:
            rejected = _bearer(response)
            await self._identity.access_token(client_id, rejected=rejected)
            response = await self._send(client_id, mailbox, request)
            if response.status_code == 401:
                raise ReconnectNeeded(f"Graph refused a fresh token for client {client_id}")
        raise_for_graph_status(response, f"{response.request.method} {response.request.url.path}")
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            raise Unavailable(f"Graph answered HTTP {response.status_code} without JSON") from None
        if not isinstance(body, dict):
            raise GraphError("Graph answered JSON that is not an object")
        return body

    async def _send(self, client_id: str, mailbox: str, request: RequestFactory) -> httpx.Response:
        adapter = self._client(client_id).request_adapter
        info = request()
        if info.headers.contains("Authorization"):
            info.headers.remove("Authorization")  # a resend asks the token provider again
        info.add_request_options([ResponseHandlerOption(NativeResponseHandler())])
        async with self._slot(client_id, mailbox):
            try:
                response: httpx.Response = await adapter.send_primitive_async(info, "bytes", None)
            except httpx.HTTPError as exc:
                raise Unavailable(f"Graph unreachable: {type(exc).__name__}") from None
        return response

    def _slot(self, client_id: str, mailbox: str) -> asyncio.Semaphore:
        key = (client_id, mailbox.lower())
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = asyncio.Semaphore(self._per_mailbox)
        return slot

    def _client(self, client_id: str) -> GraphServiceClient:
        client = self._clients.get(client_id)
        if client is not None:
            return client
        if self._http is None:
            self._http = graph_http_client(
                self._settings.GRAPH_BASE_URL,
                self._settings.CA_BUNDLE,
                self._retry,
                self._metrics.graph_response,
            )

        async def token() -> str:
            return await self._identity.access_token(client_id)

        provider = ClientTokenProvider(token, self._settings.GRAPH_BASE_URL)
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(provider), client=self._http)
        adapter.base_url = self._settings.GRAPH_BASE_URL
        client = self._clients[client_id] = GraphServiceClient(request_adapter=adapter)
        return client


def _post(builder: Any, payload: bytes) -> RequestInformation:
    """A POST of raw JSON to a request builder's URL."""
    info = RequestInformation(Method.POST, builder.url_template, dict(builder.path_parameters))
    info.headers.try_add("Accept", "application/json")
    info.set_stream_content(payload, "application/json")
    return info


def _bearer(response: httpx.Response) -> str | None:
    header = response.request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
