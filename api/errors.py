"""JSON error responses in one shape: {"error": ..., "details": [...]}."""

from __future__ import annotations

from aiohttp import web

from services.errors import ValidationFailed


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
