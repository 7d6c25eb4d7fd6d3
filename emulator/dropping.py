"""Applying fault decisions at the HTTP level: wait, or cut the connection."""

from __future__ import annotations

import asyncio

from aiohttp import web

from emulator.faults import FaultDecision


class DroppedConnectionError(Exception):
    """Raised by a handler to make the server close the socket without answering."""


async def wait_latency(decision: FaultDecision) -> None:
    """Sleep for the decision's injected latency."""
    if decision.latency_ms > 0:
        await asyncio.sleep(decision.latency_ms / 1000)


def abort_transport(request: web.Request) -> web.Response:
    """Close the client's connection without a response (a 'drop' fault).

    The returned response is never delivered; aiohttp needs something to return.
    """
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)
