"""Directory import: validation names every bad field, nothing is written on error,
and re-importing the same document changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.errors import Unauthorized, ValidationFailed
from services.store.database import Database
from services.store.models import Client, Room, User
from tests.conftest import TEST_SECRET_KEY
from tests.samples import API_KEY, WEBHOOK_SECRET, directory


@pytest.fixture
def service(db: Database) -> DirectoryService:
    return DirectoryService(db, SecretBox([TEST_SECRET_KEY]))


async def table_dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    async with db.session() as session:
        for table in ("clients", "locations", "rooms", "users", "service_providers"):
            rows = await session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            out[table] = [tuple(r) for r in rows]
    return out


async def test_import_creates_everything(service: DirectoryService, db: Database) -> None:
    result = await service.import_document(directory())
    assert result.created == {"clients": 1, "locations": 2, "service_providers": 1, "rooms": 3, "users": 3}
    async with db.session() as session:
        room = await session.get(Room, ("contoso", "hq-4b"))
        assert room is not None
        assert room.calendar_email == "conf4b@contoso.example"
        assert room.mapping_source == "directory"
        unmapped = await session.get(Room, ("contoso", "hq-5a"))
        assert unmapped is not None and unmapped.calendar_email is None


async def test_same_document_twice_changes_nothing(service: DirectoryService, db: Database) -> None:
    await service.import_document(directory())
    before = await table_dump(db)
    again = await service.import_document(directory())
    assert not again.changed
    assert again.created == {} and again.updated == {}
    assert await table_dump(db) == before


async def test_update_counts_only_changed_rows(service: DirectoryService) -> None:
    await service.import_document(directory())
    doc = directory()
    doc["rooms"][1]["name"] = "Conference Room 5A (renamed)"
    doc["users"] = []
    result = await service.import_document(doc)
    assert result.updated == {"rooms": 1}
    assert result.created == {}


async def test_invalid_document_names_every_bad_field_and_writes_nothing(
    service: DirectoryService, db: Database
) -> None:
    doc = directory()
    doc["client"]["webhook_secret"] = "not-a-secret"
    doc["locations"][0]["timezone"] = "Mars/Olympus_Mons"
    doc["locations"][0]["business_hours"]["mon"] = ["8am", "17:00"]
    doc["rooms"][0]["calendar_email"] = "not an email"
    doc["users"][1]["role"] = "superuser"
    doc["users"][0]["colour"] = "blue"
    with pytest.raises(ValidationFailed) as info:
        await service.import_document(doc)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "client.webhook_secret",
        "locations[0].timezone",
        "locations[0].business_hours",
        "rooms[0].calendar_email",
        "users[1].role",
        "users[0].colour",
    }
    assert all(p.message for p in info.value.problems)
    assert all(rows == [] for rows in (await table_dump(db)).values())


async def test_reference_errors_are_all_reported(service: DirectoryService, db: Database) -> None:
    doc = directory()
    doc["rooms"][2]["location_id"] = "nowhere"
    doc["rooms"].append(dict(doc["rooms"][0]))  # duplicate id and calendar e-mail
    doc["users"][2]["service_provider_id"] = "ghost-av"
    doc["users"][1]["service_provider_id"] = "acme-av"  # not allowed for a client user
    doc["service_providers"][0]["location_ids"].append("mars")
    with pytest.raises(ValidationFailed) as info:
        await service.import_document(doc)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "rooms[2].location_id",
        "rooms[3].id",
        "rooms[3].calendar_email",
        "users[2].service_provider_id",
        "users[1].service_provider_id",
        "service_providers[0].location_ids[2]",
    }
    assert all(rows == [] for rows in (await table_dump(db)).values())


async def test_bad_update_keeps_previous_state(service: DirectoryService, db: Database) -> None:
    await service.import_document(directory())
    before = await table_dump(db)
    doc = directory()
    doc["client"]["name"] = "Renamed Ltd"
    doc["rooms"][0]["location_id"] = "nowhere"
    with pytest.raises(ValidationFailed):
        await service.import_document(doc)
    assert await table_dump(db) == before


async def test_later_imports_may_refer_to_stored_entities_and_omit_secrets(service: DirectoryService) -> None:
    await service.import_document(directory())
    doc = {
        "client": {"id": "contoso", "name": "Contoso Ltd", "tenant_id": directory()["client"]["tenant_id"]},
        "rooms": [{"id": "hq-6c", "name": "Room 6C", "location_id": "hq"}],
        "users": [
            {
                "id": "u-sub",
                "name": "Sub",
                "email": "sub@sparks.example",
                "role": "subcontractor",
                "service_provider_id": "acme-av",
            }
        ],
    }
    result = await service.import_document(doc)
    assert result.created == {"rooms": 1, "users": 1}
    assert await service.authenticate("contoso", API_KEY) == "contoso"
    assert await service.webhook_secret("contoso") == WEBHOOK_SECRET


async def test_new_client_needs_secrets(service: DirectoryService) -> None:
    doc = directory()
    del doc["client"]["webhook_secret"]
    del doc["client"]["api_key"]
    with pytest.raises(ValidationFailed) as info:
        await service.import_document(doc)
    assert {p.field for p in info.value.problems} == {"client.webhook_secret", "client.api_key"}


async def test_secrets_are_not_stored_in_plain_text(service: DirectoryService, db: Database) -> None:
    await service.import_document(directory())
    dump = repr(await table_dump(db))
    assert API_KEY not in dump
    assert WEBHOOK_SECRET not in dump
    assert WEBHOOK_SECRET.removeprefix("whsec_") not in dump
    assert await service.webhook_secret("contoso") == WEBHOOK_SECRET


async def test_api_key_authentication(service: DirectoryService) -> None:
    await service.import_document(directory())
    assert await service.client_for_api_key(API_KEY) == "contoso"
    with pytest.raises(Unauthorized):
        await service.authenticate("contoso", API_KEY + "x")
    with pytest.raises(Unauthorized):
        await service.authenticate("fabrikam", API_KEY)


async def test_api_key_cannot_be_shared_between_clients(service: DirectoryService) -> None:
    await service.import_document(directory())
    other = directory()
    other["client"]["id"] = "fabrikam"
    with pytest.raises(ValidationFailed) as info:
        await service.import_document(other)
    assert [p.field for p in info.value.problems] == ["client.api_key"]


async def test_teams_identity_lookup(service: DirectoryService, db: Database) -> None:
    await service.import_document(directory())
    tenant = directory()["client"]["tenant_id"]
    by_aad = await service.users_for_teams_identity(
        tenant_id=tenant, aad_object_id="A0000000-0000-4000-8000-0000000000A1", email=None
    )
    assert [(u.id, u.role, u.client_name) for u in by_aad] == [("u-ada", "client_admin", "Contoso Ltd")]
    by_mail = await service.users_for_teams_identity(
        tenant_id=tenant, aad_object_id=None, email="BO@contoso.example"
    )
    assert [u.id for u in by_mail] == ["u-bo"]
    nobody = await service.users_for_teams_identity(
        tenant_id=tenant, aad_object_id="ffffffff-0000-4000-8000-000000000000", email=None
    )
    assert nobody == []
    foreign = "99999999-2222-4333-8444-555555555555"
    assert await service.users_for_teams_identity(
        tenant_id=foreign, aad_object_id="A0000000-0000-4000-8000-0000000000A1", email=None
    ) == []
    assert await service.users_for_teams_identity(
        tenant_id=foreign, aad_object_id=None, email="BO@contoso.example"
    ) == []
    assert await service.users_for_teams_identity(
        tenant_id=tenant, aad_object_id=None, email="ada@contoso.example"
    ) == []  # an e-mail never makes a client admin
    async with db.session() as session:
        users = (await session.scalars(select(User))).all()
        clients = (await session.scalars(select(Client))).all()
    assert len(users) == 3 and len(clients) == 1
