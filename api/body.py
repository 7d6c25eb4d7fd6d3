"""Request bodies for every JSON endpoint, read whole and judged in one place.

A body is read to its end (Content-Length or chunked, in any number of
pieces) within the body-read timeout, refused with 413 past the endpoint's
limit (before reading, when Content-Length already says so), and its JSON
nesting is limited before it is parsed, so a hostile document can never reach
the parser's recursion limit. Handlers get bytes, or parsed JSON, or a
`BodyRejected` that carries the 4xx answer.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from api.errors import error

INCIDENT_MAX_BODY = 64 * 1024  # DESIGN 3.3
DOCUMENT_MAX_BODY = 1024 * 1024  # the directory PUT and Bot Framework activities
MAX_JSON_DEPTH = 32
DEFAULT_BODY_TIMEOUT = 30.0
BODY_TIMEOUT = web.AppKey("body_timeout_seconds", float)

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BodyRejected(Exception):
    """The body cannot be judged: `response` is the answer to send."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def too_large(limit: int) -> web.Response:
    return error(413, f"body over {limit // 1024} KiB")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, at most `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyRejected(too_large(limit))
    timeout = request.app.get(BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT)
    try:
        async with asyncio.timeout(timeout):
            body = await request.read()  # loops until the end of the body (aiohttp caps at client_max_size)
    except web.HTTPRequestEntityTooLarge:
        raise BodyRejected(too_large(limit)) from None
    except TimeoutError:
        raise BodyRejected(error(408, "request body not received in time")) from None
    except (ConnectionError, OSError, ValueError):  # truncated or broken transfer encoding
        raise BodyRejected(
            error(400, "incomplete request body", [{"field": "(body)", "message": "the body ended early"}])
        ) from None
    if len(body) > limit:
        raise BodyRejected(too_large(limit))
    return body


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, strings ignored (no parsing, no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_nesting(body: bytes, *, field: str = "(body)") -> None:
    """400 before any other work when the document nests deeper than MAX_JSON_DEPTH."""
    if nesting_depth(body) > MAX_JSON_DEPTH:
        problem = {"field": field, "message": f"nested deeper than {MAX_JSON_DEPTH}"}
        raise BodyRejected(error(400, "malformed JSON", [problem]))


def parse_json(body: bytes, *, field: str = "(body)") -> Any:
    """Parsed JSON; 400 for anything that is not UTF-8 JSON of limited nesting."""
    check_nesting(body, field=field)
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        problem = {"field": field, "message": "not valid JSON"}
        raise BodyRejected(error(400, "malformed JSON", [problem])) from None


async def read_json(request: web.Request, limit: int, *, field: str = "(body)") -> Any:
    return parse_json(await read_body(request, limit), field=field)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python accepts them, JSON does not
