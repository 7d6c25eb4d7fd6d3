"""ClaimService on SQLite and PostgreSQL: exactly one winner, the same answer on a second
click, who may claim and release, the calendar re-check (booked meanwhile, Graph slow or
down), release and claim again, e-mail links that work once, and the jobs a claim queues."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.claims import service as cl
from services.claims.calendar_recheck import CalendarRecheck
from services.claims.effects import CARDS_JOB
from services.claims.service import ClaimService
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.integration.configuration import IntegrationConfigService
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, Job, Slot
from tests.claims_support import RoomCalendar, assign_acme, claim_directory, graph_event, seed_incident
from tests.conftest import TEST_SECRET_KEY

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 EST


@dataclass
class World:
    db: Database
    calendar: RoomCalendar
    service: ClaimService
    slots: list[str]
    clock: list[datetime]

    async def status(self) -> str:
        async with self.db.session() as session:
            incident = await session.get(Incident, ("contoso", "INC-1"))
            assert incident is not None
            return incident.status

    async def claims(self) -> list[Claim]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Claim).order_by(Claim.claimed_at))).all())

    async def jobs(self, kind: str) -> list[str]:
        async with self.db.session() as session:
            return list(await session.scalars(select(Job.dedupe_key).where(Job.kind == kind)))


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    await DirectoryService(db, SecretBox([TEST_SECRET_KEY])).import_document(claim_directory(crowd=30))
    await IntegrationConfigService(db).apply(assign_acme())
    slots = await seed_incident(db, first_slot=FIRST_SLOT, triggered_at=NOW - timedelta(minutes=5))
    calendar = RoomCalendar()
    clock = [NOW]
    service = ClaimService(
        db, calendar, recheck=CalendarRecheck(calendar, timeout=0.5), clock=lambda: clock[0]
    )
    yield World(db, calendar, service, slots, clock)
    await service.close()


async def test_a_provider_claims_and_the_incident_is_claimed(world: World) -> None:
    result = await world.service.claim_as_user(
        "contoso", "INC-1", world.slots[1], "u-sam", teams_user_id="29:sam"
    )
    assert result.outcome == cl.CLAIM_OK
    assert result.claim is not None
    assert result.claim.who == "Sam Provider (Acme AV)"
    assert await world.status() == "claimed"
    assert world.calendar.reads == 1
    body = await world.service.claim_json("contoso", "INC-1")
    assert body is not None
    assert body["user_id"] == "u-sam"
    assert body["name"] == "Sam Provider"
    assert body["provider"] == {"id": "acme-av", "name": "Acme AV"}
    assert body["via"] == "teams"
    assert body["slot"] == {
        "id": world.slots[1],
        "start": "2026-11-24T11:00:00-05:00",
        "end": "2026-11-24T12:00:00-05:00",
    }
    assert body["claimed_at"] == "2026-11-24T09:00:00-05:00"
    event = f"slot_claimed#{result.claim.id}"
    assert await world.jobs("incident.notify") == [f"incident.notify:{event}:contoso:INC-1"]
    assert sorted(await world.jobs(CARDS_JOB)) == [
        f"{CARDS_JOB}:contoso:INC-1:{event}:late",
        f"{CARDS_JOB}:contoso:INC-1:{event}:now",
    ]


async def test_clicking_again_is_the_same_success(world: World) -> None:
    first = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    again = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert (first.outcome, again.outcome) == (cl.CLAIM_OK, cl.CLAIM_MINE)
    assert first.claim is not None and again.claim is not None
    assert again.claim.id == first.claim.id
    assert len(await world.claims()) == 1
    other_slot = await world.service.claim_as_user("contoso", "INC-1", world.slots[1], "u-sam")
    assert other_slot.outcome == cl.CLAIM_TAKEN  # the edge tells them it is their own claim
    assert other_slot.claimant is not None and other_slot.claim is not None
    assert other_slot.claimant.same_person(other_slot.claim.user_id, other_slot.claim.claimer_email)


async def test_only_the_assigned_provider_and_its_subcontractors_may_claim(world: World) -> None:
    for user in ("u-ada", "u-bo", "u-olga", "u-nobody"):  # client admin, client user, Beta IT, unknown
        result = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], user)
        assert result.outcome == cl.CLAIM_NOT_ALLOWED, user
    assert await world.claims() == []
    assert await world.status() == "notified"
    assert world.calendar.reads == 0
    sol = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sol")
    assert sol.outcome == cl.CLAIM_OK


async def test_without_an_assignment_the_providers_covering_the_location_may_claim(world: World) -> None:
    await IntegrationConfigService(world.db).apply(
        {"client_id": "contoso", "locations": {"hq": {"service_provider_id": None}}}
    )
    result = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-olga")
    assert result.outcome == cl.CLAIM_OK
    assert result.claim is not None and result.claim.provider_name == "Beta IT"


async def test_concurrent_claims_have_exactly_one_winner_and_share_one_calendar_read(world: World) -> None:
    world.calendar.delay = 0.05
    users = [f"u-tech{n:03d}" for n in range(30)]
    results = await asyncio.gather(
        *(world.service.claim_as_user("contoso", "INC-1", world.slots[0], u) for u in users)
    )
    winners = [r for r in results if r.outcome == cl.CLAIM_OK]
    assert len(winners) == 1
    assert winners[0].claim is not None
    losers = [r for r in results if r is not winners[0]]
    assert {r.outcome for r in losers} == {cl.CLAIM_TAKEN}
    assert {r.claim.id for r in losers if r.claim} == {winners[0].claim.id}
    assert len(await world.claims()) == 1
    assert world.calendar.reads == 1


async def test_a_slot_booked_meanwhile_is_refused_and_the_slots_are_recomputed(world: World) -> None:
    booked = FIRST_SLOT + timedelta(hours=1)
    world.calendar.events = [graph_event(booked + timedelta(minutes=15), booked + timedelta(minutes=45))]
    result = await world.service.claim_as_user("contoso", "INC-1", world.slots[1], "u-sam")
    assert result.outcome == cl.CLAIM_JUST_BOOKED
    assert await world.claims() == []
    assert await world.status() == "notified"
    async with world.db.session() as session:
        slots = (await session.scalars(select(Slot).order_by(Slot.seq))).all()
    starts = [s.start.replace(tzinfo=UTC) if s.start.tzinfo is None else s.start for s in slots]
    assert booked not in starts  # the booked hour is gone
    assert world.slots[0] in {s.id for s in slots}  # a slot still offered keeps its id
    assert world.slots[1] not in {s.id for s in slots}
    assert any(k.startswith(f"{CARDS_JOB}:contoso:INC-1:slots:") for k in await world.jobs(CARDS_JOB))
    retry = await world.service.claim_as_user("contoso", "INC-1", world.slots[1], "u-sam")
    assert retry.outcome == cl.CLAIM_SLOT_GONE


async def test_cancelled_free_and_tentative_events_follow_the_engines_rules(world: World) -> None:
    start = FIRST_SLOT
    world.calendar.events = [
        graph_event(start, start + timedelta(hours=1), isCancelled=True),
        graph_event(start, start + timedelta(hours=1), showAs="free"),
    ]
    assert (await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")).ok


async def test_graph_down_fails_closed_and_slow_says_checking_then_the_next_click_wins(
    world: World,
) -> None:
    world.calendar.down = True
    down = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert down.outcome == cl.CLAIM_UNVERIFIED
    world.calendar.down = False
    world.calendar.delay = 1.2
    started = time.monotonic()
    slow = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert slow.outcome == cl.CLAIM_CHECKING  # within the budget (0.5 s here), nothing booked yet
    assert time.monotonic() - started < 1.0
    assert await world.claims() == []
    assert await world.status() == "notified"
    await asyncio.sleep(1.0)  # the read that outlived the budget finishes in the background...
    reads = world.calendar.reads
    again = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert again.ok  # ...and answers the next click at once, with no second Graph read
    assert world.calendar.reads == reads


async def test_a_started_slot_cannot_be_claimed(world: World) -> None:
    world.clock[0] = FIRST_SLOT + timedelta(minutes=1)
    result = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert result.outcome == cl.CLAIM_STARTED
    assert (await world.service.claim_as_user("contoso", "INC-1", world.slots[1], "u-sam")).ok


async def test_release_reopens_and_another_provider_claims(world: World) -> None:
    first = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert first.ok and first.claim is not None
    refused = await world.service.release_as_user("contoso", "INC-1", "u-priya")
    assert refused.outcome == cl.RELEASE_NOT_ALLOWED
    assert await world.status() == "claimed"
    released = await world.service.release_as_user("contoso", "INC-1", "u-sam")
    assert released.outcome == cl.RELEASE_OK
    assert await world.status() == "notified"
    assert await world.service.claim_json("contoso", "INC-1") is None
    assert (
        await world.service.release_as_user("contoso", "INC-1", "u-sam")
    ).outcome == cl.RELEASE_NOT_CLAIMED
    second = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-priya")
    assert second.outcome == cl.CLAIM_OK
    assert second.claim is not None and second.claim.id != first.claim.id
    assert (await world.service.release_as_user("contoso", "INC-1", "u-ada")).ok  # a client admin may
    notify = sorted(await world.jobs("incident.notify"))
    assert notify == sorted(
        f"incident.notify:{event}#{claim}:contoso:INC-1"
        for event, claim in (
            ("slot_claimed", first.claim.id),
            ("slot_released", first.claim.id),
            ("slot_claimed", second.claim.id),
            ("slot_released", second.claim.id),
        )
    )


async def test_an_email_link_works_once(world: World) -> None:
    token = "sha-of-sams-link"
    first = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[0], "Sam@Acme.example", token_sha256=token
    )
    assert first.outcome == cl.CLAIM_OK
    assert first.claim is not None and first.claim.via == "email" and first.claim.user_id == "u-sam"
    again = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[0], "sam@acme.example", token_sha256=token
    )
    assert again.outcome == cl.CLAIM_LINK_USED
    assert (await world.service.release_as_user("contoso", "INC-1", "u-sam")).ok
    replay = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[0], "sam@acme.example", token_sha256=token
    )
    assert replay.outcome == cl.CLAIM_LINK_USED  # even with the slot open again
    preview = await world.service.preview_by_email(
        "contoso", "INC-1", world.slots[1], "sam@acme.example", token_sha256="another-link"
    )
    assert preview.outcome == cl.CLAIM_READY
    assert await world.status() == "notified"


async def test_the_dispatch_mailbox_claims_under_the_providers_name(world: World) -> None:
    result = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[2], "dispatch@acme.example", token_sha256="d1"
    )
    assert result.outcome == cl.CLAIM_OK
    assert result.claim is not None
    assert (result.claim.user_id, result.claim.who) == (None, "Acme AV")
    foreign = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[2], "ada@contoso.example", token_sha256="d2"
    )
    assert foreign.outcome == cl.CLAIM_NOT_ALLOWED
    desk = await world.service.claim_by_email(
        "contoso", "INC-1", world.slots[2], "desk@beta.example", token_sha256="d3"
    )
    assert desk.outcome == cl.CLAIM_NOT_ALLOWED
    by_link = await world.service.release_by_email(
        "contoso", "INC-1", result.claim.id, "dispatch@acme.example", preview=True
    )
    assert by_link.outcome == cl.RELEASE_READY
    assert await world.status() == "claimed"
    assert (
        await world.service.release_by_email("contoso", "INC-1", result.claim.id, "dispatch@acme.example")
    ).ok


async def test_claims_are_refused_for_incidents_without_open_slots(world: World) -> None:
    async with world.db.session() as session:
        incident = await session.get(Incident, ("contoso", "INC-1"))
        assert incident is not None
        incident.status = "calendar_unavailable"
    result = await world.service.claim_as_user("contoso", "INC-1", world.slots[0], "u-sam")
    assert result.outcome == cl.CLAIM_NOT_OPEN
    missing = await world.service.claim_as_user("contoso", "INC-404", world.slots[0], "u-sam")
    assert missing.outcome == cl.CLAIM_NO_INCIDENT
    async with world.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Claim)) == 0


async def test_concurrent_clicks_on_a_booked_slot_refresh_the_slots_once(world: World) -> None:
    booked = FIRST_SLOT + timedelta(hours=1)
    world.calendar.events = [graph_event(booked, booked + timedelta(minutes=30))]
    users = [f"u-tech{n:03d}" for n in range(10)]
    results = await asyncio.gather(
        *(world.service.claim_as_user("contoso", "INC-1", world.slots[1], u) for u in users)
    )
    # Every clicker hears the slot is no longer free: "just booked" for those whose click read
    # the calendar, "slot gone" for one whose click began after the refresh removed the slot
    # (under load a task of the gather can start that late).
    outcomes = [r.outcome for r in results]
    assert set(outcomes) <= {cl.CLAIM_JUST_BOOKED, cl.CLAIM_SLOT_GONE} and cl.CLAIM_JUST_BOOKED in outcomes
    sweeps = [k for k in await world.jobs(CARDS_JOB) if ":slots:" in k]
    assert len(sweeps) == 2  # one refresh: its sweep now and its late sweep
    assert await world.claims() == []
