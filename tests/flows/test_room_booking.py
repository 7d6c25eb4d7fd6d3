"""Booking the room for a claimed visit (DESIGN 3.11), end to end: the real app, claims
through the e-mail link page over HTTP, and the Microsoft 365 emulator over HTTPS as
the tenant whose room mailbox answers like Exchange resource booking — on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update

from cards.admin import status_card
from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from services import texts
from services.claims.booking import transaction_id_for
from services.container import Services
from services.integration.health import integration_health
from services.jobs import enqueue
from services.m365.graph_errors import MailboxNotFound
from services.store.claim_models import Booking
from tests.claims_support import claim_token, next_weekday_at
from tests.flows.site import Site, running_site
from tests.m365 import CONF4B, PIVOT
from tests.services.smtp_support import Received, ScriptedSmtp
from tests.webhooks import incident

SAM = "sam@acme.example"
OPEN = ("slots_found", "notified")


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("booking-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


async def book_rooms(services: Services) -> None:
    await services.integration.apply({"client_id": "contoso", "locations": {"hq": {"book_room": True}}})


def trigger() -> datetime:
    return next_weekday_at(13)  # 08:00 in New York: the whole business day ahead


async def open_incident(site: Site, incident_id: str, at: datetime) -> dict[str, Any]:
    payload = incident(id=incident_id, triggered_at=at.isoformat().replace("+00:00", "Z"))
    assert await site.post_incident(payload) == 202
    return await site.wait_for(incident_id, lambda b: b["status"] in OPEN and bool(b["slots"]))


async def claim(site: Site, body: dict[str, Any], n: int = 0) -> dict[str, Any]:
    """Sam claims slot `n` through the link his e-mail carries (the page's POST)."""
    slot = body["slots"][n]
    token = claim_token(slot["id"], SAM, datetime.fromisoformat(slot["start"]), incident_id=body["id"])
    async with site.http.post(f"{site.base}/claim/{token}", data={"confirm": "yes"}) as response:
        assert response.status == 200, await response.text()
    return slot


async def wait_booking(
    site: Site, incident_id: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    return await site.wait_for(incident_id, lambda b: b.get("booking") is not None and done(b["booking"]))


def room_copies(site: Site, subject_part: str) -> list[Any]:
    """The visit events in conf4b's own calendar, as the emulator holds them."""
    room = site.emu.tenant.find(CONF4B)
    assert room is not None
    calendar = site.emu.tenant.calendars[room.default_calendar_id]
    return [e for e in calendar.events if subject_part in (e.subject or "") and not e.is_cancelled]


def organizer_events(site: Site, subject_part: str) -> list[Any]:
    """The visit events in the service account's own calendar, as the emulator holds them."""
    box = site.emu.tenant.find(PIVOT)
    assert box is not None
    calendar = site.emu.tenant.calendars[box.default_calendar_id]
    return [e for e in calendar.events if subject_part in (e.subject or "")]


async def organizer_event_gone(site: Site, event_id: str, timeout: float = 10.0) -> bool:
    """Whether the service account's event is cancelled or deleted (read through Graph), waiting a bit."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            event = await site.services.graph.get_event("contoso", PIVOT, event_id)
        except MailboxNotFound:
            return True
        if event.get("isCancelled") is True:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)


async def room_view(site: Site, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """conf4b's calendarView, read through the product's Graph gateway."""
    return await site.services.graph.room_events("contoso", CONF4B, start, end)


async def test_a_claim_books_the_room_and_the_slot_is_gone_for_the_next_incident(
    database_url: str, ca_dir: Path
) -> None:
    async with running_site(database_url, ca_dir, prepare=book_rooms, BOOKING_RETRY_SECONDS=0.05) as site:
        at = trigger()
        first = await open_incident(site, "INC-B1", at)
        slot = await claim(site, first)
        booked = await wait_booking(site, "INC-B1", lambda b: b["status"] == "booked")
        assert booked["booking"]["event_id"]
        assert booked["claim"]["booking"] == booked["booking"]
        assert booked["booking"]["claim_id"] == booked["claim"]["id"]

        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        seen = await room_view(site, start - timedelta(hours=1), end + timedelta(hours=1))
        visits = [e for e in seen if e["subject"] == "Service visit: Display offline (INC-B1)"]
        assert len(visits) == 1
        assert visits[0]["showAs"] == "busy"
        assert len(room_copies(site, "(INC-B1)")) == 1
        assert [e.transaction_id for e in organizer_events(site, "(INC-B1)")] == [
            transaction_id_for(booked["claim"]["id"])
        ]

        organizer = await site.services.graph.get_event("contoso", PIVOT, booked["booking"]["event_id"])
        assert organizer["subject"] == "Service visit: Display offline (INC-B1)"
        room = [a for a in organizer["attendees"] if a["emailAddress"]["address"].lower() == CONF4B]
        assert room[0]["type"] == "resource" and room[0]["status"]["response"] == "accepted"

        second = await open_incident(site, "INC-B2", at)
        assert slot["start"] not in [s["start"] for s in second["slots"]]
        assert second["slots"]  # the rest of the day is still offered


async def test_a_room_booked_between_claim_and_booking_ends_the_claim(
    database_url: str, ca_dir: Path
) -> None:
    async with running_site(database_url, ca_dir, prepare=book_rooms, BOOKING_RETRY_SECONDS=0.05) as site:
        first = await open_incident(site, "INC-B3", trigger())
        # The booking request reaches Exchange a moment late; someone books the room meanwhile.
        site.emu.state.add_fault("latency", latency_ms=1500, mailbox=PIVOT, count=1)
        slot = await claim(site, first)
        async with (
            aiohttp.ClientSession() as admin,
            admin.post(
                site.emu.base_url + "/_admin/events",
                json={
                    "mailbox": CONF4B,
                    "event": {
                        "subject": "Board meeting",
                        "start": {"dateTime": slot["start"][:19], "timeZone": "Eastern Standard Time"},
                        "end": {"dateTime": slot["end"][:19], "timeZone": "Eastern Standard Time"},
                        "showAs": "busy",
                    },
                },
                ssl=site.emu.ssl_context(),
            ) as added,
        ):
            assert added.status == 201, await added.text()
        declined = await site.wait_for(
            "INC-B3",
            lambda b: (
                (b.get("booking") or {}).get("status") == "declined"
                and b["status"] in OPEN
                and slot["start"] not in [s["start"] for s in b["slots"]]
                and any(n["event"] == "booking_declined" for n in b["notifications"])
            ),
        )
        assert declined["claim"] is None
        assert declined["status"] in OPEN
        assert slot["start"] not in [s["start"] for s in declined["slots"]]
        assert declined["slots"]  # the rest of the day is offered again
        told = [n for n in declined["notifications"] if n["event"] == "booking_declined"]
        assert {n["to"] for n in told if n["channel"] == "email"} == {SAM}
        # The declined request does not linger in the service account's calendar.
        assert await organizer_event_gone(site, declined["booking"]["event_id"])
        assert room_copies(site, "(INC-B3)") == []


async def test_graph_503_while_booking_is_retried_and_books_once(database_url: str, ca_dir: Path) -> None:
    async with running_site(database_url, ca_dir, prepare=book_rooms, BOOKING_RETRY_SECONDS=0.05) as site:
        first = await open_incident(site, "INC-B4", trigger())
        site.emu.state.add_fault("503", count=3, mailbox=PIVOT)
        await claim(site, first)
        booked = await wait_booking(site, "INC-B4", lambda b: b["status"] == "booked")
        posts = [r for r in site.emu.state.requests if r.method == "POST" and r.path.endswith("/events")]
        assert len(posts) >= 2 and posts[-1].status == 201
        assert len(room_copies(site, "(INC-B4)")) == 1

        # A retry after an answer that got lost sends the same transactionId: Graph hands back
        # the first event, so the room still holds one visit.
        claim_id = booked["booking"]["claim_id"]
        async with site.services.db.session() as session:
            await session.execute(
                update(Booking).where(Booking.claim_id == claim_id).values(status="pending", event_id=None)
            )
            await enqueue(session, site.services.db, "claims.book_room", {"claim_id": claim_id})
        again = await wait_booking(site, "INC-B4", lambda b: b["status"] == "booked" and b["event_id"])
        assert again["booking"]["event_id"] == booked["booking"]["event_id"]
        assert len(room_copies(site, "(INC-B4)")) == 1


async def test_release_cancels_the_visit(database_url: str, ca_dir: Path) -> None:
    async with running_site(database_url, ca_dir, prepare=book_rooms, BOOKING_RETRY_SECONDS=0.05) as site:
        first = await open_incident(site, "INC-B5", trigger())
        await claim(site, first)
        booked = await wait_booking(site, "INC-B5", lambda b: b["status"] == "booked")
        assert len(room_copies(site, "(INC-B5)")) == 1
        released = await site.services.claims.release_as_user("contoso", "INC-B5", "u-sam")
        assert released.ok
        done = await wait_booking(site, "INC-B5", lambda b: b["status"] == "cancelled")
        assert done["claim"] is None
        assert done["booking"]["event_id"] == booked["booking"]["event_id"]
        assert room_copies(site, "(INC-B5)") == []
        assert await organizer_event_gone(site, booked["booking"]["event_id"])


async def test_resolve_cancels_the_visit(database_url: str, ca_dir: Path) -> None:
    async with running_site(database_url, ca_dir, prepare=book_rooms, BOOKING_RETRY_SECONDS=0.05) as site:
        first = await open_incident(site, "INC-B9", trigger())
        await claim(site, first)
        booked = await wait_booking(site, "INC-B9", lambda b: b["status"] == "booked")
        assert len(room_copies(site, "(INC-B9)")) == 1
        resolved = await site.services.resolutions.resolve("contoso", "INC-B9", note="Display back")
        assert resolved.new
        done = await wait_booking(site, "INC-B9", lambda b: b["status"] == "cancelled")
        assert done["status"] == "resolved" and done["claim"] is None
        assert room_copies(site, "(INC-B9)") == []
        assert await organizer_event_gone(site, booked["booking"]["event_id"])
        # A second resolve changes nothing and queues no second cancellation.
        again = await site.services.resolutions.resolve("contoso", "INC-B9")
        assert not again.new
        assert (await wait_booking(site, "INC-B9", lambda b: b["status"] == "cancelled"))["booking"] == done[
            "booking"
        ]


async def test_without_calendar_writes_claims_work_and_booking_is_reported_off(
    database_url: str, ca_dir: Path
) -> None:
    async with running_site(database_url, ca_dir, BOOKING_RETRY_SECONDS=0.05) as site:
        # Signed in with the guide's four permissions; booking is turned on afterwards.
        await book_rooms(site.services)
        health = await integration_health(site.services.db, "contoso")
        assert health is not None and not health.can_book_rooms
        assert [loc.location_id for loc in health.booking_waits_for_sign_in] == ["hq"]
        shown = str(status_card(health))
        assert "Calendars.ReadWrite" in shown
        assert texts.STATUS_BOOK_ROOM_VALUES["waiting"] in shown

        first = await open_incident(site, "INC-B6", trigger())
        await claim(site, first)
        body = await site.wait_for("INC-B6", lambda b: b["status"] == "claimed")
        assert body["booking"] is None and body["claim"]["booking"] is None
        await asyncio.sleep(0.5)
        assert room_copies(site, "(INC-B6)") == []
        writes = [r for r in site.emu.state.requests if r.method == "POST" and r.path.endswith("/events")]
        assert writes == []

        # The admin signs in again: the sign-in now asks for (and gets) Calendars.ReadWrite.
        await site.sign_in()
        health = await integration_health(site.services.db, "contoso")
        assert health is not None and health.can_book_rooms and health.booking_waits_for_sign_in == []


async def wait_mail(smtp: ScriptedSmtp, address: str, subject_part: str, timeout: float = 30.0) -> Received:
    deadline = time.monotonic() + timeout
    while True:
        for got in smtp.to(address):
            if subject_part in str(got.message["Subject"]):
                return got
        assert time.monotonic() < deadline, f"no e-mail to {address} about {subject_part!r}"
        await asyncio.sleep(0.1)


def ics_of(message: Any) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_content())
    raise AssertionError("no .ics attached")


async def test_the_confirmation_says_the_room_is_booked(database_url: str, ca_dir: Path) -> None:
    smtp = ScriptedSmtp()
    await smtp.start()
    try:
        async with running_site(
            database_url,
            ca_dir,
            prepare=book_rooms,
            BOOKING_RETRY_SECONDS=0.05,
            SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        ) as site:
            first = await open_incident(site, "INC-B7", trigger())
            await claim(site, first)
            await wait_booking(site, "INC-B7", lambda b: b["status"] == "booked")
            got = await wait_mail(smtp, SAM, "Slot claimed")
            text = got.message.get_body(preferencelist=("plain",)).get_content()
            assert f"{texts.BOOKING_FACT}: {texts.BOOKING_LINES['booked']}" in text
            assert texts.BOOKING_LINES["booked"] in ics_of(got.message)
    finally:
        await smtp.stop()


async def test_booking_that_keeps_failing_leaves_the_claim_and_tells_the_admin(
    database_url: str, ca_dir: Path
) -> None:
    smtp = ScriptedSmtp()
    await smtp.start()
    try:
        async with running_site(
            database_url,
            ca_dir,
            prepare=book_rooms,
            BOOKING_RETRY_SECONDS=0.02,
            SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        ) as site:
            first = await open_incident(site, "INC-B8", trigger())
            site.emu.state.add_fault("503", mailbox=PIVOT)  # Exchange down for the service account
            await claim(site, first)
            failed = await wait_booking(site, "INC-B8", lambda b: b["status"] == "failed")
            assert failed["status"] == "claimed" and failed["claim"]["booking"]["status"] == "failed"
            assert failed["booking"]["event_id"] is None
            site.emu.state.clear_faults()
            got = await wait_mail(smtp, "ada@contoso.example", "Room not booked")
            assert texts.BOOKING_FAILED_LEAD in " ".join(
                got.message.get_body(preferencelist=("plain",)).get_content().split()
            )
            assert [r for r in smtp.received if "Room not booked" in str(r.message["Subject"])] == [got]
            # The claimer's confirmation says it too.
            mine = await wait_mail(smtp, SAM, "Slot claimed")
            assert (
                texts.BOOKING_LINES["failed"]
                in mine.message.get_body(preferencelist=("plain",)).get_content()
            )
            assert room_copies(site, "(INC-B8)") == []
    finally:
        await smtp.stop()
