"""`configure` (DESIGN 3.8): all or nothing, partial updates keep current values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.errors import ValidationFailed
from services.integration.configuration import IntegrationConfigService
from services.notify.conversations import ConversationDirectory, StoredConversation
from services.store.database import Database
from services.store.models import Integration, Room
from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory


@pytest.fixture
async def service(db: Database) -> IntegrationConfigService:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(directory())
    await ConversationDirectory(db).remember(
        StoredConversation(
            "19:incidents@thread.tacv2",
            "channel",
            "t",
            "19:team@thread.tacv2",
            "Incidents",
            None,
            {"conversation": {"id": "19:incidents@thread.tacv2"}},
            True,
        )
    )
    return IntegrationConfigService(db)


def config(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "client_id": "contoso",
        "calendar": {"owner": "Facilities@contoso.example", "id": "AAMkRoomBookings"},
        "locations": {
            "hq": {
                "scheduling": True,
                "service_provider_id": "acme-av",
                "sla_hours": 4,
                "horizon_hours": 48,
                "min_window_minutes": 30,
                "slot_minutes": 60,
                "tentative_blocks": True,
                "teams_channel": "19:incidents@thread.tacv2",
            }
        },
        "room_map": {"hq-5a": "Conf5a@contoso.example"},
    }
    doc.update(overrides)
    return doc


async def dump(db: Database) -> list[Any]:
    async with db.session() as session:
        out = []
        for table in ("integrations", "location_settings", "rooms"):
            out.append(
                [tuple(r) for r in await session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
            )
        return out


async def test_apply_and_reapply(service: IntegrationConfigService, db: Database) -> None:
    result = await service.apply(config())
    assert result["changed"] == {"locations": 1, "rooms": 1, "calendar": 1}
    settings = await service.location_settings("contoso", "hq")
    assert settings["scheduling"] is True
    assert settings["service_provider_id"] == "acme-av"
    assert settings["teams_channel"] == "19:incidents@thread.tacv2"
    async with db.session() as session:
        room = await session.get(Room, ("contoso", "hq-5a"))
        integration = await session.get(Integration, "contoso")
    assert room is not None and room.calendar_email == "conf5a@contoso.example"
    assert room.mapping_source == "configure"
    assert integration is not None and integration.calendar_owner == "facilities@contoso.example"
    before = await dump(db)
    again = await service.apply(config())
    assert again["changed"] == {"locations": 0, "rooms": 0, "calendar": 0}
    assert await dump(db) == before


async def test_fields_left_out_keep_their_values(service: IntegrationConfigService) -> None:
    await service.apply(config())
    await service.apply({"client_id": "contoso", "locations": {"hq": {"scheduling": False}}})
    settings = await service.location_settings("contoso", "hq")
    assert settings["scheduling"] is False
    assert settings["sla_hours"] == 4
    assert settings["service_provider_id"] == "acme-av"
    fresh = await service.location_settings("contoso", "ldn")
    assert fresh["scheduling"] is False
    assert fresh["horizon_hours"] == 48


async def test_unmapping_a_room(service: IntegrationConfigService, db: Database) -> None:
    await service.apply({"client_id": "contoso", "room_map": {"hq-4b": None}})
    async with db.session() as session:
        room = await session.get(Room, ("contoso", "hq-4b"))
    assert room is not None and room.calendar_email is None


async def test_invalid_configuration_writes_nothing_and_names_fields(
    service: IntegrationConfigService, db: Database
) -> None:
    before = await dump(db)
    bad = config(
        locations={
            "hq": {"scheduling": "maybe", "slot_minutes": 5},
            "mars": {"scheduling": True},
            "ldn": {"service_provider_id": "ghost", "teams_channel": "19:not-installed"},
        },
        room_map={"hq-5a": "not-an-email", "nope": "x@contoso.example"},
    )
    with pytest.raises(ValidationFailed) as info:
        await service.apply(bad)
    fields = {p.field for p in info.value.problems}
    assert fields == {"locations.hq.scheduling", "locations.hq.slot_minutes"}
    bad["locations"]["hq"] = {"scheduling": True}
    with pytest.raises(ValidationFailed) as info:
        await service.apply(bad)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "locations.mars",
        "locations.ldn.service_provider_id",
        "locations.ldn.teams_channel",
        "room_map.hq-5a",
        "room_map.nope",
    }
    assert await dump(db) == before


async def test_one_calendar_room_cannot_serve_two_pivot_rooms(
    service: IntegrationConfigService, db: Database
) -> None:
    before = await dump(db)
    with pytest.raises(ValidationFailed) as info:
        await service.apply({"client_id": "contoso", "room_map": {"hq-5a": "conf4b@contoso.example"}})
    assert [p.field for p in info.value.problems] == ["room_map.hq-5a"]
    assert await dump(db) == before
    with pytest.raises(ValidationFailed):
        await service.apply({"client_id": "nobody"})


async def test_escalation_defaults_steps_off_and_fields_left_out(service: IntegrationConfigService) -> None:
    await service.apply(config())
    assert (await service.location_settings("contoso", "hq"))["escalation"] == {
        "remind_after_minutes": 60,  # a quarter of the 4-hour SLA
        "client_after_minutes": 120,  # half of it
    }
    assert (await service.location_settings("contoso", "ldn"))["escalation"] == {
        "remind_after_minutes": 60,  # no SLA: 60 and 120
        "client_after_minutes": 120,
    }
    result = await service.apply(
        {"client_id": "contoso", "locations": {"hq": {"escalation": {"remind_after_minutes": 30}}}}
    )
    assert result["changed"]["locations"] == 1
    turned_off = {"client_id": "contoso", "locations": {"hq": {"escalation": {"client_after_minutes": None}}}}
    await service.apply(turned_off)
    settings = await service.location_settings("contoso", "hq")
    assert settings["escalation"] == {"remind_after_minutes": 30, "client_after_minutes": None}
    assert (await service.apply(turned_off))["changed"]["locations"] == 0
    await service.apply({"client_id": "contoso", "locations": {"hq": {"sla_hours": 8}}})
    assert (await service.location_settings("contoso", "hq"))["escalation"] == {
        "remind_after_minutes": 30,
        "client_after_minutes": None,
    }
    await service.apply({"client_id": "contoso", "locations": {"hq": {"escalation": None}}})
    assert (await service.location_settings("contoso", "hq"))["escalation"] == {
        "remind_after_minutes": 120,  # back to the defaults, now of an 8-hour SLA
        "client_after_minutes": 240,
    }


async def test_bad_escalation_is_named_and_changes_nothing(
    service: IntegrationConfigService, db: Database
) -> None:
    await service.apply(config())
    before = await dump(db)
    bad = {
        "client_id": "contoso",
        "locations": {
            "hq": {"escalation": {"remind_after_minutes": 0, "client_after_minutes": "soon", "x": 1}}
        },
    }
    with pytest.raises(ValidationFailed) as caught:
        await service.apply(bad)
    assert {p.field for p in caught.value.problems} == {
        "locations.hq.escalation.remind_after_minutes",
        "locations.hq.escalation.client_after_minutes",
        "locations.hq.escalation.x",
    }
    assert await dump(db) == before


async def test_book_room_is_off_by_default_and_set_per_location(service: IntegrationConfigService) -> None:
    await service.apply(config())
    assert (await service.location_settings("contoso", "hq"))["book_room"] is False
    await service.apply({"client_id": "contoso", "locations": {"hq": {"book_room": True}}})
    assert (await service.location_settings("contoso", "hq"))["book_room"] is True
    assert (await service.location_settings("contoso", "ldn"))["book_room"] is False
    await service.apply({"client_id": "contoso", "locations": {"hq": {"scheduling": False}}})
    assert (await service.location_settings("contoso", "hq"))["book_room"] is True  # left out: kept
    with pytest.raises(ValidationFailed) as refused:
        await service.apply({"client_id": "contoso", "locations": {"hq": {"book_room": None}}})
    assert [p.field for p in refused.value.problems] == ["locations.hq.book_room"]
    assert (await service.location_settings("contoso", "hq"))["book_room"] is True
