"""Room booking jobs (DESIGN 3.11) on SQLite and PostgreSQL, with a stand-in for the Graph
calls (the gateway's `EventWriter` shape; the flows test the real gateway and emulator):
when a claim books, the cancellation rule for release and resolve, a claim that ended
before its event was made, and the last retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from services.claims import booking as bk
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.integration.configuration import IntegrationConfigService
from services.jobs import JobInfo, RetryLater
from services.m365.graph_errors import Unavailable
from services.store.claim_models import Booking, Claim
from services.store.database import Database
from services.store.models import Integration, Job, Room
from tests.claims_support import claim_directory, next_weekday_at, seed_incident
from tests.conftest import TEST_SECRET_KEY

START = next_weekday_at(15)


class Exchange:
    """Records the calls; answers as the room would (accepted unless told otherwise)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.down = False

    async def create_event(
        self, client_id: str, mailbox: str, event: dict[str, Any], *, transaction_id: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(("create", transaction_id))
        if self.down:
            raise Unavailable("503")
        return {"id": "evt-1"}

    async def get_event(self, client_id: str, mailbox: str, event_id: str) -> dict[str, Any]:
        self.calls.append(("get", event_id))
        return {
            "id": event_id,
            "attendees": [
                {"emailAddress": {"address": "CONF4B@contoso.example"}, "status": {"response": "accepted"}}
            ],
        }

    async def cancel_event(self, client_id: str, mailbox: str, event_id: str, comment: str) -> bool:
        self.calls.append(("cancel", event_id))
        return True


async def declined(_claim_id: str) -> None:
    raise AssertionError("no room declined here")


async def world(db: Database, *, scopes: str = "User.Read Calendars.ReadWrite") -> None:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(claim_directory())
    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"book_room": True}}}
    )
    await seed_incident(db, first_slot=START)
    async with db.session() as session:
        session.add(
            Integration(
                client_id="contoso",
                signed_in_upn="pivot@contoso.example",
                token_cache_enc="x",
                granted_scopes=scopes,
                needs_reconnect=False,
            )
        )


async def claim(db: Database, claim_id: str = "c" * 16) -> bk.BookingInfo | None:
    async with db.session() as session:
        row = Claim(
            id=claim_id,
            client_id="contoso",
            incident_id="INC-1",
            slot_id="inc-1-s0",
            slot_start=START,
            slot_end=START + timedelta(hours=1),
            claimer_name="Sam",
            via="teams",
            previous_status="notified",
            claimed_at=datetime.now(UTC),
        )
        session.add(row)
        await session.flush()
        room = await session.get_one(Room, ("contoso", "hq-4b"))
        return await bk.queue_booking(session, db, row, room)


async def jobs(db: Database, kind: str) -> list[Job]:
    async with db.session() as session:
        return list(await session.scalars(select(Job).where(Job.kind == kind)))


def job(kind: str, claim_id: str = "c" * 16, attempts: int = 1, max_attempts: int = 8) -> JobInfo:
    return JobInfo(1, kind, {"claim_id": claim_id}, attempts, max_attempts)


async def status(db: Database, claim_id: str = "c" * 16) -> str:
    async with db.session() as session:
        return (await session.get_one(Booking, claim_id)).status


async def test_a_claim_books_only_with_book_room_and_calendar_writes(db: Database) -> None:
    await world(db, scopes="User.Read Calendars.Read.Shared")
    assert await claim(db) is None  # booking off: the claim goes on without it
    assert await jobs(db, bk.BOOK_JOB) == []
    async with db.session() as session:
        await session.execute(
            update(Integration).values(granted_scopes="https://graph.microsoft.com/calendars.readwrite")
        )
        await session.execute(update(Claim).values(released_at=datetime.now(UTC)))
    assert await claim(db, "d" * 16) == bk.BookingInfo("d" * 16, bk.PENDING, None)
    assert len(await jobs(db, bk.BOOK_JOB)) == 1


async def test_booking_books_once_and_cancelling_twice_queues_one_cancellation(db: Database) -> None:
    await world(db)
    await claim(db)
    exchange = Exchange()
    service = bk.RoomBooking(db, exchange, on_declined=declined)
    await service.handle_book(job(bk.BOOK_JOB))
    assert await status(db) == bk.BOOKED
    assert exchange.calls == [("create", bk.transaction_id_for("c" * 16)), ("get", "evt-1")]
    await service.handle_book(job(bk.BOOK_JOB))  # a re-run changes nothing
    assert len(exchange.calls) == 2

    async with db.session() as session:
        assert await bk.cancel_incident_booking(session, db, "contoso", "INC-1")
        assert await bk.cancel_incident_booking(session, db, "contoso", "INC-1")  # same job, deduplicated
    assert len(await jobs(db, bk.CANCEL_JOB)) == 1
    await service.handle_cancel(job(bk.CANCEL_JOB))
    await service.handle_cancel(job(bk.CANCEL_JOB))
    assert await status(db) == bk.CANCELLED
    assert exchange.calls[2:] == [("cancel", "evt-1")]
    async with db.session() as session:
        assert not await bk.cancel_incident_booking(session, db, "contoso", "INC-1")  # nothing live


async def test_a_claim_ended_before_its_event_was_made_books_nothing(db: Database) -> None:
    await world(db)
    await claim(db)
    async with db.session() as session:
        await session.execute(update(Claim).values(released_at=datetime.now(UTC)))
    exchange = Exchange()
    service = bk.RoomBooking(db, exchange, on_declined=declined)
    await service.handle_cancel(job(bk.CANCEL_JOB))  # no event yet: left to the booking job
    assert await status(db) == bk.PENDING
    await service.handle_book(job(bk.BOOK_JOB))
    assert exchange.calls == []
    assert await status(db) == bk.CANCELLED


async def test_graph_failures_are_retried_then_the_booking_fails_and_the_admins_are_told(
    db: Database,
) -> None:
    await world(db)
    await claim(db)
    exchange = Exchange()
    exchange.down = True
    service = bk.RoomBooking(db, exchange, on_declined=declined, retry_seconds=1.0)
    with pytest.raises(RetryLater) as later:
        await service.handle_book(job(bk.BOOK_JOB, attempts=3))
    assert later.value.delay == 4.0
    assert await status(db) == bk.PENDING
    await service.handle_book(job(bk.BOOK_JOB, attempts=8))
    assert await status(db) == bk.FAILED
    told = [j.payload for j in await jobs(db, "incident.notify")]
    assert {"client_id": "contoso", "incident_id": "INC-1", "event": "booking_failed#" + "c" * 16} in told
    async with db.session() as session:
        claim_row = await session.get_one(Claim, "c" * 16)
    assert claim_row.released_at is None  # the claim stands


def test_the_room_answer_is_read_from_its_attendee_entry() -> None:
    event = {
        "attendees": [
            {"emailAddress": {"address": "someone@contoso.com"}, "status": {"response": "accepted"}},
            {"emailAddress": {"address": "Conf4B@contoso.com"}, "status": {"response": "Declined"}},
        ]
    }
    assert bk.room_response(event, "conf4b@contoso.com") == "declined"
    assert bk.room_response({"attendees": [None, {}]}, "conf4b@contoso.com") is None
