"""The HTTP server with limits a public webhook receiver needs (README "Server limits").

aiohttp alone keeps a connection that sends half a request open for as long
as it likes. Here every connection is guarded:

- header read timeout: a request's headers must arrive within
  `HTTP_HEADER_TIMEOUT_SECONDS` of its first byte (or of the connection);
- body read timeout: `api.body` reads each body within `HTTP_BODY_TIMEOUT_SECONDS` (408);
- keep-alive timeout: an idle kept-alive connection closes after `HTTP_KEEPALIVE_TIMEOUT_SECONDS`;
- connection cap: past `HTTP_MAX_CONNECTIONS` open connections, a new one gets 503 and is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_runner import BaseSite

from services.config import Settings

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"  # where a server without inbound authentication may listen
LINGER_SECONDS = 2.0
_OVER_CAP = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 33\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\n"
    b'{"error": "too many connections"}'
)


@dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0
    keepalive_timeout: float = 75.0
    max_connections: int = 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            header_timeout=settings.HTTP_HEADER_TIMEOUT_SECONDS,
            keepalive_timeout=settings.HTTP_KEEPALIVE_TIMEOUT_SECONDS,
            max_connections=settings.HTTP_MAX_CONNECTIONS,
        )


class ConnectionTable:
    """Open guarded connections, by transport (the middleware finds its connection here)."""

    def __init__(self) -> None:
        self.guards: dict[Any, _Guard] = {}
        self.refused = 0
        self.timed_out = 0


CONNECTIONS = web.AppKey("connections", ConnectionTable)


def install(app: web.Application) -> None:
    """Let guarded connections know when a request is being handled (no header timer meanwhile)."""
    table = ConnectionTable()
    app[CONNECTIONS] = table

    @web.middleware
    async def track_requests(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        guard = table.guards.get(request.transport)
        if guard is not None:
            guard.request_started()
        try:
            return await handler(request)
        finally:
            if guard is not None:
                guard.request_finished()

    app.middlewares.append(track_requests)


class _Guard(asyncio.Protocol):
    """Wraps aiohttp's protocol for one connection: counts it and enforces the header timeout."""

    def __init__(self, inner: asyncio.Protocol, limits: ServerLimits, table: ConnectionTable) -> None:
        self._inner = inner
        self._limits = limits
        self._table = table
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._busy = False
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if len(self._table.guards) >= self._limits.max_connections:
            self._refused = True
            self._table.refused += 1
            transport.write(_OVER_CAP)
            transport.close()
            return
        self._transport = transport
        self._table.guards[transport] = self
        self._inner.connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)
        if not self._busy and self._timer is None:
            self._arm()  # the first bytes of a next request: its headers are due within the timeout

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refused:
            return
        self._disarm()
        self._table.guards.pop(self._transport, None)
        self._inner.connection_lost(exc)

    def request_started(self) -> None:
        self._busy = True
        self._disarm()

    def request_finished(self) -> None:
        self._busy = False  # idle now: aiohttp's keep-alive timeout takes over

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._limits.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self._busy or self._transport is None or self._transport.is_closing():
            return
        self._table.timed_out += 1
        log.info("connection closed: request headers not received in %.0fs", self._limits.header_timeout)
        self._transport.abort()


class GuardedSite(BaseSite):
    """A TCP site whose connections go through `_Guard`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, limits: ServerLimits) -> None:
        super().__init__(runner, backlog=1024)
        self._host = host
        self._port = port
        self._limits = limits

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        if self._server is not None and self._server.sockets:
            return int(self._server.sockets[0].getsockname()[1])
        return self._port

    async def start(self) -> None:
        await super().start()
        runner = self._runner
        assert isinstance(runner, web.AppRunner)
        server = runner.server
        assert server is not None
        table = runner.app[CONNECTIONS]
        limits = self._limits
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Guard(server(), limits, table),
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=True,
        )


async def start_server(
    app: web.Application, host: str, port: int, limits: ServerLimits
) -> tuple[web.AppRunner, GuardedSite]:
    """Start the app on host:port (port 0: any free port) with the limits; the caller cleans up."""
    runner = web.AppRunner(
        app,
        keepalive_timeout=limits.keepalive_timeout,
        lingering_time=LINGER_SECONDS,  # after an early answer (413, 408), unread body is drained this long
        handle_signals=False,
        access_log=None,
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, limits)
    await site.start()
    return runner, site


def run_server(app: web.Application, host: str, port: int, limits: ServerLimits) -> None:
    """`serve`: run until SIGINT or SIGTERM, then shut down gracefully."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        runner, site = await start_server(app, host, port, limits)
        log.info("listening on %s (max %d connections)", site.name, limits.max_connections)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
