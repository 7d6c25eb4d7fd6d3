"""Server limits against a real listening socket: half-sent requests are closed within the
header timeout while /healthz keeps answering; slow bodies get 408; past the connection cap 503."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from api.server_limits import CONNECTIONS, ServerLimits, start_server
from app import build_app
from tests.conftest import make_settings
from tests.raw_http import exchange, request_head

HEADER_TIMEOUT = 1.0
HALF_SENT = 300

Started = tuple[int, Any]


@pytest.fixture
async def serve(sqlite_url: str) -> AsyncIterator[Callable[..., Any]]:
    runners: list[Any] = []

    async def start(**overrides: Any) -> Started:
        values: dict[str, Any] = {
            "JOBS_POLL_SECONDS": 30,
            "HTTP_HEADER_TIMEOUT_SECONDS": HEADER_TIMEOUT,
            "HTTP_BODY_TIMEOUT_SECONDS": 1.0,
        }
        settings = make_settings(sqlite_url, **(values | overrides))
        app = build_app(settings)
        runner, site = await start_server(app, "127.0.0.1", 0, ServerLimits.from_settings(settings))
        runners.append(runner)
        return site.port, app

    yield start
    for runner in runners:
        await runner.cleanup()


async def healthz(session: aiohttp.ClientSession, port: int) -> float:
    started = time.monotonic()
    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
        assert response.status == 200
    return time.monotonic() - started


async def half_sent(port: int) -> float:
    """Open a connection, send half a request's headers, and time until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /api/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appli")
    await writer.drain()
    started = time.monotonic()
    try:
        await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + 10)
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        writer.close()
    return time.monotonic() - started


async def test_hundreds_of_half_sent_requests_are_closed_while_healthz_answers(
    serve: Callable[..., Any],
) -> None:
    port, app = await serve()
    clients = [asyncio.create_task(half_sent(port)) for _ in range(HALF_SENT)]
    await asyncio.sleep(0.3)
    async with aiohttp.ClientSession() as session:
        latencies = []
        while not all(c.done() for c in clients):
            latencies.append(await healthz(session, port))
            await asyncio.sleep(0.1)
    held = [c.result() for c in clients]
    assert max(held) < HEADER_TIMEOUT + 1.5  # every one closed by the server, within the timeout
    assert latencies and max(latencies) < 1.0
    assert app[CONNECTIONS].timed_out >= HALF_SENT


async def test_a_connection_that_sends_nothing_is_closed(serve: Callable[..., Any]) -> None:
    port, _ = await serve()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    try:
        assert await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + 5) == b""
    finally:
        writer.close()
    assert time.monotonic() - started < HEADER_TIMEOUT + 1.5


async def test_a_slow_body_is_408_within_the_body_timeout(serve: Callable[..., Any]) -> None:
    port, _ = await serve()
    head = request_head("POST", "/api/incidents", {"Content-Type": "application/json"}, length=1000)
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + b'{"id": "INC')
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    answered = time.monotonic() - started
    assert status_line.startswith(b"HTTP/1.1 408")
    await asyncio.wait_for(reader.read(), 10)  # and the connection is closed, not kept
    closed = time.monotonic() - started
    writer.close()
    assert answered < 2.0
    assert closed < 4.5


async def test_past_the_connection_cap_new_connections_get_503(serve: Callable[..., Any]) -> None:
    port, _ = await serve(HTTP_MAX_CONNECTIONS=5, HTTP_HEADER_TIMEOUT_SECONDS=5.0)
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
    await asyncio.sleep(0.1)
    status, reply = await exchange(port, [request_head("GET", "/healthz", {})])
    assert (status, reply) == (503, {"error": "too many connections"})
    for _, writer in held:
        writer.close()
    await asyncio.sleep(0.2)
    status, reply = await exchange(port, [request_head("GET", "/healthz", {})])
    assert (status, reply) == (200, {"status": "ok"})
