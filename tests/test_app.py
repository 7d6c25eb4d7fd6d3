"""The app over real HTTP: health, readiness, Bot Framework auth, directory API."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from app import build_app
from services.errors import ConfigError
from tests.bot.activities import message
from tests.conftest import make_settings
from tests.samples import API_KEY, directory


async def test_healthz_and_readyz(aiohttp_client: Any, database_url: str) -> None:
    client: TestClient = await aiohttp_client(build_app(make_settings(database_url)))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}
    response = await client.get("/readyz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_reports_an_unreachable_database(aiohttp_client: Any, sqlite_url: str) -> None:
    app = build_app(make_settings(sqlite_url))
    client: TestClient = await aiohttp_client(app)
    from api.keys import SERVICES

    async with app[SERVICES].db.engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("DELETE FROM alembic_version"))
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["reason"] == "migrations not at head"


def test_secret_key_is_required(sqlite_url: str) -> None:
    with pytest.raises(ConfigError):
        build_app(make_settings(sqlite_url, SECRET_KEY=None))


async def test_messages_without_token_is_401_when_app_id_set(aiohttp_client: Any, sqlite_url: str) -> None:
    settings = make_settings(
        sqlite_url,
        MICROSOFT_APP_ID="00000000-0000-0000-0000-00000000b0t1",
        MICROSOFT_APP_PASSWORD="not-a-real-password",
    )
    client: TestClient = await aiohttp_client(build_app(settings))
    response = await client.post("/api/messages", json=message("help"))
    assert response.status == 401
    forged = await client.post(
        "/api/messages", json=message("help"), headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}
    )
    assert forged.status == 401


async def test_messages_rejects_bad_bodies(aiohttp_client: Any, sqlite_url: str) -> None:
    client: TestClient = await aiohttp_client(build_app(make_settings(sqlite_url)))
    bad_json = await client.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status == 400
    not_activity = await client.post("/api/messages", json=[1, 2])
    assert not_activity.status == 400
    wrong_type = await client.post("/api/messages", data=b"hello", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415


class TestDirectoryApi:
    async def _client(self, aiohttp_client: Any, url: str) -> TestClient:
        app = build_app(make_settings(url))
        client: TestClient = await aiohttp_client(app)
        from api.keys import SERVICES

        await app[SERVICES].directory.import_document(directory())
        return client

    async def test_put_requires_the_clients_key(self, aiohttp_client: Any, database_url: str) -> None:
        client = await self._client(aiohttp_client, database_url)
        url = "/api/clients/contoso/directory"
        assert (await client.put(url, json=directory())).status == 401
        wrong = await client.put(url, json=directory(), headers={"Authorization": "Bearer wrong-key"})
        assert wrong.status == 401
        other_client = await client.put(
            "/api/clients/fabrikam/directory",
            json=directory(),
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        assert other_client.status == 401

    async def test_put_upserts_and_is_idempotent(self, aiohttp_client: Any, database_url: str) -> None:
        client = await self._client(aiohttp_client, database_url)
        auth = {"Authorization": f"Bearer {API_KEY}"}
        doc = directory()
        doc["rooms"].append({"id": "hq-7", "name": "Room 7", "location_id": "hq"})
        first = await client.put("/api/clients/contoso/directory", json=doc, headers=auth)
        assert first.status == 200
        assert (await first.json())["created"] == {"rooms": 1}
        second = await client.put("/api/clients/contoso/directory", json=doc, headers=auth)
        assert (await second.json())["changed"] is False

    async def test_put_rejects_bad_documents_naming_fields(
        self, aiohttp_client: Any, database_url: str
    ) -> None:
        client = await self._client(aiohttp_client, database_url)
        auth = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
        doc = directory()
        doc["rooms"][0]["location_id"] = "nowhere"
        doc["users"][0]["email"] = "nope"
        response = await client.put("/api/clients/contoso/directory", json=doc, headers=auth)
        assert response.status == 400
        body = await response.json()
        assert body["error"] == "invalid directory"
        assert {d["field"] for d in body["details"]} == {"rooms[0].location_id", "users[0].email"}
        mismatch = directory()
        mismatch["client"]["id"] = "fabrikam"
        response = await client.put("/api/clients/contoso/directory", json=mismatch, headers=auth)
        assert response.status == 400
        assert "client.id" in [d["field"] for d in (await response.json())["details"]]
        garbage = await client.put("/api/clients/contoso/directory", data=b"{", headers=auth)
        assert garbage.status == 400


async def test_privacy_and_terms_pages_exist(aiohttp_client: Any, sqlite_url: str) -> None:
    client: TestClient = await aiohttp_client(build_app(make_settings(sqlite_url)))
    for path in ("/privacy", "/terms"):
        response = await client.get(path)
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "<h1>" in await response.text()
