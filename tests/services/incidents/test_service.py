"""The incident pipeline's outcomes that need no calendar read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.incidents.schema import IncidentInput
from services.incidents.service import SYNC_NOW_JOB, IncidentService
from services.integration.configuration import IntegrationConfigService
from services.jobs import RetryLater
from services.m365.graph_errors import NotConnected, ReconnectNeeded
from services.store.database import Database
from services.store.models import Job
from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory


class NoCalendar:
    """A calendar source that is never connected (the real gateway says the same without sign-in)."""

    async def room_timezone(self, client_id: str, room_email: str) -> str | None:
        raise NotConnected("no sign-in")

    async def room_events(self, *args: object) -> list[dict[str, object]]:
        raise NotConnected("no sign-in")


@pytest.fixture
async def incidents(db: Database) -> IncidentService:
    box = SecretBox([TEST_SECRET_KEY])
    await DirectoryService(db, box).import_document(directory())
    return IncidentService(db, box, NoCalendar(), retry_seconds=60)


async def accept(service: IncidentService, room: str, incident_id: str = "INC-1") -> None:
    await service._commit(
        IncidentInput(
            incident_id, "contoso", room, datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "t", "high", None
        )
    )


async def test_unmapped_room(incidents: IncidentService) -> None:
    await accept(incidents, "hq-5a")
    assert await incidents.process("contoso", "INC-1") == "unmapped_room"
    assert (await incidents.get("contoso", "INC-1"))["status"] == "unmapped_room"  # type: ignore[index]


async def test_scheduling_off_by_default_and_when_switched_off(
    incidents: IncidentService, db: Database
) -> None:
    await accept(incidents, "hq-4b")
    assert await incidents.process("contoso", "INC-1") == "scheduling_off"
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": False}}}
    )
    await accept(incidents, "hq-4b", "INC-2")
    assert await incidents.process("contoso", "INC-2") == "scheduling_off"


async def test_not_connected_fails_closed_and_retries(incidents: IncidentService, db: Database) -> None:
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": True}}}
    )
    await accept(incidents, "hq-4b")
    with pytest.raises(RetryLater) as info:
        await incidents.process("contoso", "INC-1", attempt=2)
    assert info.value.delay == 120
    body = await incidents.get("contoso", "INC-1")
    assert body is not None
    assert body["status"] == "calendar_unavailable"
    assert body["status_reason"] == "not_connected"
    assert body["slots"] == []
    assert body["free_windows"] == []


async def test_processing_is_idempotent_once_final(incidents: IncidentService) -> None:
    await accept(incidents, "hq-5a")
    assert await incidents.process("contoso", "INC-1") == "unmapped_room"
    assert await incidents.process("contoso", "INC-1") == "unmapped_room"


class FixedCalendar:
    """A connected calendar with no events (all of business hours is free)."""

    async def room_timezone(self, client_id: str, room_email: str) -> str | None:
        return "America/New_York"

    async def room_events(self, *args: object) -> list[dict[str, object]]:
        return []


async def test_location_business_hours_override_applies(db: Database) -> None:
    box = SecretBox([TEST_SECRET_KEY])
    await DirectoryService(db, box).import_document(directory())
    service = IncidentService(db, box, FixedCalendar(), retry_seconds=60)
    hours = {"mon": ["10:00", "12:00"], "tue": ["10:00", "12:00"], "wed": None, "thu": None, "fri": None}
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": True, "business_hours": hours}}}
    )
    await accept(service, "hq-4b")  # Tue 24 Nov 2026 09:05 in New York
    assert await service.process("contoso", "INC-1") == "slots_found"
    body = await service.get("contoso", "INC-1")
    assert body is not None
    assert body["free_windows"] == [
        {"start": "2026-11-24T10:00:00-05:00", "end": "2026-11-24T12:00:00-05:00"}
    ]


class RevokedCalendar:
    """The service account's sign-in was revoked: every read needs a reconnect."""

    async def room_timezone(self, client_id: str, room_email: str) -> str | None:
        raise ReconnectNeeded("revoked")

    async def room_events(self, *args: object) -> list[dict[str, object]]:
        raise ReconnectNeeded("revoked")


async def test_a_lost_sign_in_asks_for_a_sync_run_now(db: Database) -> None:
    box = SecretBox([TEST_SECRET_KEY])
    await DirectoryService(db, box).import_document(directory())
    service = IncidentService(db, box, RevokedCalendar(), retry_seconds=60)
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": True}}}
    )
    for n in (1, 2):
        await accept(service, "hq-4b", f"INC-{n}")
        with pytest.raises(RetryLater):
            await service.process("contoso", f"INC-{n}")
    async with db.session() as session:
        kinds = (await session.scalars(select(Job.kind).where(Job.kind == SYNC_NOW_JOB))).all()
    assert kinds == [SYNC_NOW_JOB]  # one sync run for both incidents, not one each


async def test_never_connected_does_not_ask_for_a_sync(incidents: IncidentService, db: Database) -> None:
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"scheduling": True}}}
    )
    await accept(incidents, "hq-4b")
    with pytest.raises(RetryLater):
        await incidents.process("contoso", "INC-1")
    async with db.session() as session:
        assert (await session.scalars(select(Job.kind).where(Job.kind == SYNC_NOW_JOB))).all() == []
