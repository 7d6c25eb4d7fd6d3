"""HTTP plumbing for Microsoft Graph: one TLS-aware httpx client with msgraph-sdk's
middleware, a bounded retry policy, a token provider per client, and Graph's
error answers as the product's domain errors (services.m365.graph_errors).

msgraph-core's default `RetryHandler` retries POST like GET and sleeps for any
`Retry-After`, however long. `BoundedRetryHandler` replaces it in the pipeline:
it retries 429/502/503/504 and dropped connections for idempotent methods only
(a POST only when the request carries `SafeToRetry`, e.g. getSchedule, which
reads), at most `max_retries` times within a time budget, honouring
`Retry-After` (never retrying sooner) and handing a longer one back to the
caller as `Throttled(retry_after)` instead of sleeping on it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
from kiota_abstractions.request_option import RequestOption
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY, BaseMiddleware
from kiota_http.middleware.options import UrlReplaceHandlerOption
from msgraph._version import VERSION as SDK_VERSION
from msgraph_core import APIVersion, GraphClientFactory
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from services.m365.graph_errors import (
    AccessDenied,
    GraphError,
    MailboxNotFound,
    ReconnectNeeded,
    Throttled,
    Unavailable,
)
from services.m365.tls import ssl_context

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures before any answer arrived; retried for idempotent requests. A read
# timeout is not: a Graph that hangs should fail within one timeout, not four.
RETRYABLE_TRANSPORT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one Graph request tries (bounded: a dead Graph fails in seconds)."""

    max_retries: int = 3
    max_retry_after: float = 10.0  # a longer Retry-After becomes Throttled for the caller
    base_delay: float = 0.25  # backoff without Retry-After: 0.25, 0.5, 1 s (±25 % jitter)
    max_delay: float = 2.0
    budget: float = 20.0  # seconds of retrying per request, all attempts together

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.75, 1.25)


class SafeToRetry(RequestOption):
    """Marks a POST that only reads (getSchedule) as safe to retry."""

    KEY = "PivotSafeToRetry"

    @staticmethod
    def get_key() -> str:
        return SafeToRetry.KEY


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """`Retry-After` as seconds (delta or HTTP date), or None."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class BoundedRetryHandler(BaseMiddleware):
    """Retries transient Graph failures of idempotent requests, within bounds."""

    def __init__(self, policy: RetryPolicy, observe: Callable[[int | None], None] | None = None) -> None:
        super().__init__()
        self.policy = policy
        self._observe = observe or (lambda _status: None)  # each round trip's status (metrics)

    @staticmethod
    def _retryable(request: httpx.Request) -> bool:
        if request.method.upper() in IDEMPOTENT_METHODS:
            return True
        options = request.extensions.get(REQUEST_OPTIONS_KEY) or {}
        return SafeToRetry.KEY in options

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        retryable = self._retryable(request)  # read now: the last middleware drops the options
        policy = self.policy
        deadline = time.monotonic() + policy.budget
        attempt = 0
        while True:
            try:
                response = await super().send(request, transport)
            except RETRYABLE_TRANSPORT_ERRORS:
                self._observe(None)
                delay = policy.backoff(attempt)
                if not retryable or attempt >= policy.max_retries or time.monotonic() + delay > deadline:
                    raise
            else:
                self._observe(response.status_code)
                if (
                    not retryable
                    or response.status_code not in RETRY_STATUSES
                    or attempt >= policy.max_retries
                ):
                    return response
                after = retry_after_seconds(response.headers)
                delay = after if after is not None and after > 0 else policy.backoff(attempt)
                if delay > policy.max_retry_after or time.monotonic() + delay > deadline:
                    return response
                await response.aclose()
            await asyncio.sleep(delay)
            attempt += 1
            request.headers["Retry-Attempt"] = str(attempt)


def graph_http_client(
    graph_base_url: str,
    ca_bundle: Path | None,
    policy: RetryPolicy,
    observe: Callable[[int | None], None] | None = None,
) -> httpx.AsyncClient:
    """The httpx client every Graph request goes through (msgraph middleware, our retries)."""
    client = httpx.AsyncClient(
        base_url=graph_base_url,
        verify=ssl_context(ca_bundle),
        timeout=httpx.Timeout(20.0, connect=5.0),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        http2=True,
    )
    options: dict[str, RequestOption] = {
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
        GraphTelemetryHandlerOption.get_key(): GraphTelemetryHandlerOption(
            api_version=APIVersion.v1, sdk_version=SDK_VERSION
        ),
    }
    middleware: list[BaseMiddleware] = [
        BoundedRetryHandler(policy, observe) if isinstance(m, RetryHandler) else m
        for m in KiotaClientFactory.get_default_middleware(options)
    ]
    middleware.append(GraphTelemetryHandler(options=options[GraphTelemetryHandlerOption.get_key()]))
    return GraphClientFactory.create_with_custom_middleware(middleware, client=client)


class ClientTokenProvider(AccessTokenProvider):
    """Bearer tokens of one client's service account, for Graph's origin only."""

    def __init__(self, tokens: Callable[[], Awaitable[str]], graph_base_url: str) -> None:
        parts = urlsplit(graph_base_url)
        self._origin = (parts.scheme.lower(), parts.netloc.lower())
        self._tokens = tokens
        self._validator = AllowedHostsValidator([parts.hostname or ""])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        parts = urlsplit(uri)
        if (parts.scheme.lower(), parts.netloc.lower()) != self._origin:
            return ""  # never hand the token to another host (e.g. a foreign nextLink)
        return await self._tokens()

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._validator


def error_code(response: httpx.Response) -> str:
    """Graph's `error.code` from an error body, or ''."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def raise_for_graph_status(response: httpx.Response, what: str) -> None:
    """Map a Graph error answer to the domain error the product decides on."""
    status = response.status_code
    if status < 400:
        return
    detail = f"{what}: HTTP {status} {error_code(response)}".rstrip()
    if status == 401:
        raise ReconnectNeeded(detail)
    if status == 403:
        raise AccessDenied(detail)
    if status == 404:
        raise MailboxNotFound(detail)
    if status == 429:
        raise Throttled(detail, retry_after=retry_after_seconds(response.headers))
    if status >= 500:
        raise Unavailable(detail)
    raise GraphError(detail)
