"""JSON error responses in one shape: {"error": ..., "details": [...]}."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from services.crypto import DecryptionFailed
from services.errors import ValidationFailed

log = logging.getLogger(__name__)


def error(status: int, message: str, details: list[object] | None = None) -> web.Response:
    body: dict[str, object] = {"error": message}
    if details is not None:
        body["details"] = details
    return web.json_response(body, status=status)


def invalid(exc: ValidationFailed) -> web.Response:
    return error(400, f"invalid {exc.what}", [p.as_json() for p in exc.problems])


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def secret_unreadable() -> web.Response:
    """A stored secret no configured SECRET_KEY opens: the operator dropped a key too early."""
    return error(
        503,
        "a stored secret cannot be read with the configured SECRET_KEY",
        [{"field": "SECRET_KEY", "message": "add back the key it was stored with, then run reencrypt"}],
    )


@web.middleware
async def unreadable_secrets(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Anywhere a stored secret fails to decrypt: a clear 503 and a log line, never a 500 traceback."""
    try:
        return await handler(request)
    except DecryptionFailed:
        log.error("stored secret undecryptable path=%s: SECRET_KEY lacks its key", request.path)
        return secret_unreadable()
