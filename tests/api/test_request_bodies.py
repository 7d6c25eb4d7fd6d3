"""Bodies are read whole on every JSON endpoint: any chunking, Content-Length or chunked,
up to the limit; past it 413; deep nesting 400 before any other work."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from api.body import MAX_JSON_DEPTH, nesting_depth
from api.keys import SERVICES
from app import build_app
from services.store.models import Incident
from tests.conftest import make_settings
from tests.raw_http import exchange, post_in_pieces, request_head
from tests.samples import API_KEY, WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed


@pytest.fixture
async def client(aiohttp_client: Any, database_url: str) -> TestClient:
    app = build_app(make_settings(database_url, JOBS_POLL_SECONDS=30))
    test_client: TestClient = await aiohttp_client(app)
    await app[SERVICES].directory.import_document(directory())
    return test_client


async def incident_count(client: TestClient) -> int:
    async with client.app[SERVICES].db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Incident)) or 0)


@pytest.mark.parametrize(("pieces", "chunked"), [(2, False), (7, False), (2, True), (40, True)])
async def test_a_signed_incident_in_pieces_is_accepted(
    client: TestClient, pieces: int, chunked: bool
) -> None:
    body, headers = signed(WEBHOOK_SECRET, incident(description="Projector shows no signal. " * 100))
    assert len(body) > 2500
    port = client.server.port
    assert port is not None
    status, reply = await post_in_pieces(
        port, "/api/incidents", body, headers, pieces=pieces, chunked=chunked, pause=0.05
    )
    assert (status, reply) == (202, {"id": "INC-1001", "status": "accepted"})
    assert await incident_count(client) == 1


async def test_chunked_body_past_64_kib_is_413(client: TestClient) -> None:
    body, headers = signed(WEBHOOK_SECRET, incident(description="x" * (70 * 1024)))
    port = client.server.port
    assert port is not None
    status, reply = await post_in_pieces(port, "/api/incidents", body, headers, pieces=9, chunked=True)
    assert status == 413
    assert reply is not None and "error" in reply
    assert await incident_count(client) == 0


async def test_a_body_that_ends_early_is_a_4xx(client: TestClient) -> None:
    _, headers = signed(WEBHOOK_SECRET, incident())
    port = client.server.port
    assert port is not None
    head = request_head("POST", "/api/incidents", headers, chunked=True)
    status, _ = await exchange(port, [head, b"zz\r\nnot hex\r\n"])
    assert 400 <= status < 500
    assert await incident_count(client) == 0


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_depth_ignores_brackets_in_strings() -> None:
    assert nesting_depth(b'{"a": [1, {"b": "[[[[{{{{\\"]]"}]}') == 3
    assert nesting_depth(deep(50_000)) == 50_000


@pytest.mark.parametrize("path", ["/api/incidents", "/api/messages", "/api/clients/contoso/directory"])
async def test_deep_nesting_is_400_everywhere(client: TestClient, path: str) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"}
    body = b'{"client_id": "contoso", "x": ' + deep(20_000) + b"}"
    method = client.put if path.endswith("directory") else client.post
    response = await method(path, data=body, headers=headers)
    assert response.status == 400
    reply = await response.json()
    assert f"deeper than {MAX_JSON_DEPTH}" in reply["details"][0]["message"]
    assert await incident_count(client) == 0
