"""Graph request/response values, errors and the OData helpers every handler uses:
$select, $top, paging with @odata.nextLink, and Prefer: outlook.timezone."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from multidict import CIMultiDict, CIMultiDictProxy

from emulator.model import Mailbox, Tenant
from emulator.state import EmulatorState
from emulator.timezones import is_known_zone
from emulator.tokens import TokenIssuer

MAX_TOP = 1000
UNSUPPORTED_OPTIONS = ("$filter", "$expand", "$search", "$count", "$skip")
_PREFER_TZ = re.compile(r'outlook\.timezone\s*=\s*"?([^",;]+)"?', re.IGNORECASE)


@dataclass
class GraphRequest:
    """One Graph call: from HTTP or from a $batch item."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str] | CIMultiDictProxy[str]
    body: bytes
    base_url: str
    in_batch: bool = False

    def param(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as Graph does."""
        folded = name.lower()
        return next((v for k, v in self.query.items() if k.lower() == folded), None)

    def json(self) -> Any:
        """The request body as JSON, or a 400 like Graph's."""
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GraphError(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please "
                "ensure Content-Type header is set and payload is of valid JSON "
                "format.",
            ) from exc

    @property
    def graph_base(self) -> str:
        """The service root clients used, e.g. https://127.0.0.1:8443/v1.0."""
        return self.base_url + "/v1.0"


@dataclass
class GraphResponse:
    """Status, JSON body and headers of one Graph answer."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class GraphError(Exception):
    """An error answered as {"error": {"code", "message", "innerError"}}."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})

    def to_response(self, request_id: str, client_request_id: str) -> GraphResponse:
        """The Graph error body."""
        return GraphResponse(
            self.status,
            {
                "error": {
                    "code": self.code,
                    "message": self.message,
                    "innerError": {
                        "date": datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                        "request-id": request_id,
                        "client-request-id": client_request_id,
                    },
                }
            },
            dict(self.headers),
        )


def access_denied() -> GraphError:
    """The 403 Graph answers for a missing scope or an unshared calendar."""
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


@dataclass(frozen=True)
class Principal:
    """The signed-in user behind a delegated access token."""

    user: Mailbox
    scopes: frozenset[str]
    client_id: str
    tenant: Tenant


Dispatcher = Callable[[GraphRequest], Awaitable[GraphResponse]]


@dataclass
class GraphContext:
    """Everything a handler needs for one call."""

    tenant: Tenant
    state: EmulatorState
    issuer: TokenIssuer
    request: GraphRequest
    principal: Principal
    dispatch: Dispatcher
    preference_applied: list[str] = field(default_factory=list)

    def metadata(self, fragment: str) -> str:
        """An @odata.context URL."""
        return f"{self.request.graph_base}/$metadata#{fragment}"


def reject_unsupported_options(request: GraphRequest, allowed: Iterable[str] = ()) -> None:
    """400 for query options the emulator does not implement (never ignore silently)."""
    permitted = {a.lower() for a in allowed}
    for key in request.query:
        if key.lower() in UNSUPPORTED_OPTIONS and key.lower() not in permitted:
            raise GraphError(
                400, "BadRequest", f"The query option '{key}' is not supported by the emulator here."
            )


def top_param(request: GraphRequest, default: int, maximum: int = MAX_TOP) -> int:
    """$top as a page size; 400 when it is not an integer in [1, maximum]."""
    raw = request.param("$top")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise GraphError(
            400,
            "BadRequest",
            f"Invalid value '{raw}' for $top: it must be an integer between 1 and {maximum}.",
        )
    return value


def select_param(request: GraphRequest, entity: str, known: Iterable[str]) -> list[str] | None:
    """$select as canonical property names; 400 for unknown properties."""
    raw = request.param("$select")
    if raw is None or not raw.strip():
        return None
    names = {k.lower(): k for k in known if not k.startswith("@")}
    chosen: list[str] = []
    for item in raw.split(","):
        wanted = item.strip()
        if wanted.lower() not in names:
            raise GraphError(
                400,
                "RequestBroker--ParseUri",
                f"Could not find a property named '{wanted}' on type 'microsoft.graph.{entity}'.",
            )
        if names[wanted.lower()] not in chosen:
            chosen.append(names[wanted.lower()])
    return chosen


def apply_select(
    item: Mapping[str, Any], fields: list[str] | None, always: Iterable[str] = ()
) -> dict[str, Any]:
    """Keep only the selected properties (plus those Graph always returns)."""
    if fields is None:
        return dict(item)
    keep = [*always, *fields]
    return {k: v for k, v in item.items() if k in keep}


def _skip_value(request: GraphRequest) -> int:
    token = request.param("$skiptoken")
    if token is None:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        value = int(json.loads(base64.urlsafe_b64decode(padded))["skip"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphError(400, "BadRequest", "The $skiptoken is not valid.") from exc
    if value < 0:
        raise GraphError(400, "BadRequest", "The $skiptoken is not valid.")
    return value


def next_link(request: GraphRequest, skip: int) -> str:
    """The absolute nextLink: the same query with a new $skiptoken."""
    token = base64.urlsafe_b64encode(json.dumps({"skip": skip}).encode()).decode().rstrip("=")
    params = [(k, v) for k, v in request.query.items() if k.lower() != "$skiptoken"]
    params.append(("$skiptoken", token))
    query = urlencode(params, quote_via=quote, safe="$,()'/")
    return f"{request.graph_base}{request.path}?{query}"


def page(
    ctx: GraphContext, items: list[dict[str, Any]], *, context: str, default_size: int, maximum: int = MAX_TOP
) -> GraphResponse:
    """One page of a collection, with @odata.nextLink when more remain."""
    size = top_param(ctx.request, default_size, maximum)
    skip = _skip_value(ctx.request)
    body: dict[str, Any] = {"@odata.context": context, "value": items[skip : skip + size]}
    if skip + size < len(items):
        body["@odata.nextLink"] = next_link(ctx.request, skip + size)
    return GraphResponse(200, body)


def preferred_zone(ctx: GraphContext) -> str:
    """The zone named in Prefer: outlook.timezone (recorded as applied), else UTC."""
    for header in ctx.request.headers.getall("Prefer", []):
        match = _PREFER_TZ.search(header)
        if match and is_known_zone(match.group(1).strip()):
            zone = match.group(1).strip()
            ctx.preference_applied.append(f'outlook.timezone="{zone}"')
            return zone
    return "UTC"


def new_request_id() -> str:
    """A request-id like Graph's."""
    return str(uuid.uuid4())
