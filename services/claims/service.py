"""Claiming a slot in one click (DESIGN 1 step 4), and releasing it.

A claim runs in three steps. First, plain reads decide everything that needs
no lock: who is claiming and whether they may, whether the incident is
already claimed (then the clicker learns by whom, at once), whether the slot
is still offered. Second, the room's calendar is read again (bounded in
time, shared by concurrent clicks): a slot booked meanwhile is refused, and
the incident's slots are recomputed from that read and stored. Third, one
transaction inserts the claim — the partial unique index on active claims
makes the first insert win on SQLite and PostgreSQL, across app instances —
moves the incident to `claimed`, and queues the slow parts as durable jobs:
the confirmation e-mails (NotificationService fan-out, event `slot_claimed`)
and the in-place update of every card posted for the incident.

Clicking twice, or Teams resending an invoke, finds the clicker's own claim
and answers the same success. Releasing reverses it: the incident goes back
to the status it had, the slots reopen, cards update, people are told.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims import booking as bk
from services.claims.calendar_recheck import DEFAULT_TIMEOUT as DEFAULT_RECHECK_BUDGET
from services.claims.calendar_recheck import CalendarRecheck, RecheckFailed, RecheckPending
from services.claims.effects import ClaimEffects
from services.domain import availability
from services.domain.claim_rules import (
    Claimant,
    eligible_providers,
    may_claim,
    may_release,
    may_see,
    slot_is_free,
)
from services.domain.recipients import Provider
from services.domain.time_format import HOUSE_STYLE
from services.incidents import escalation
from services.incidents.service import RESOLVED, CalendarSource
from services.jobs import Handler
from services.metrics import Metrics
from services.offload import off_loop
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, Location, LocationSettings, Room, ServiceProvider, Slot, User
from services.store.notification_models import Notification
from services.store.times import as_utc

log = logging.getLogger(__name__)

CLAIMED = "slot_claimed"
RELEASED = "slot_released"
DECLINED_BY = "room declined the booking"  # `released_by_name` of a claim a room's answer ended
CLAIMABLE = ("slots_found", "notified")


class ClaimOutcome(StrEnum):
    """How a claim ended (its value is the metrics label and the API's word)."""

    OK = "claimed"
    MINE = "already_yours"  # the same person again (double click, Teams resend): same success
    TAKEN = "taken"
    NOT_ALLOWED = "not_allowed"
    NO_INCIDENT = "no_incident"
    SLOT_GONE = "slot_gone"
    NOT_OPEN = "not_open"
    STARTED = "started"
    JUST_BOOKED = "just_booked"
    UNVERIFIED = "unverified"
    CHECKING = "checking"  # Graph is slow: the re-check goes on, the next click gets its answer
    LINK_USED = "link_used"
    RESOLVED = "resolved"  # the incident was resolved: no visit needed
    READY = "ready"  # a preview found nothing in the way (the e-mail link's confirmation page)


class ReleaseOutcome(StrEnum):
    """How a release ended."""

    OK = "released"
    NOT_CLAIMED = "not_claimed"
    NOT_ALLOWED = "not_allowed"
    READY = "ready"


# The outcomes by their short names, as the edges and tests spell them.
CLAIM_OK = ClaimOutcome.OK
CLAIM_MINE = ClaimOutcome.MINE
CLAIM_TAKEN = ClaimOutcome.TAKEN
CLAIM_NOT_ALLOWED = ClaimOutcome.NOT_ALLOWED
CLAIM_NO_INCIDENT = ClaimOutcome.NO_INCIDENT
CLAIM_SLOT_GONE = ClaimOutcome.SLOT_GONE
CLAIM_NOT_OPEN = ClaimOutcome.NOT_OPEN
CLAIM_STARTED = ClaimOutcome.STARTED
CLAIM_JUST_BOOKED = ClaimOutcome.JUST_BOOKED
CLAIM_UNVERIFIED = ClaimOutcome.UNVERIFIED
CLAIM_CHECKING = ClaimOutcome.CHECKING
CLAIM_LINK_USED = ClaimOutcome.LINK_USED
CLAIM_RESOLVED = ClaimOutcome.RESOLVED
CLAIM_READY = ClaimOutcome.READY
RELEASE_OK = ReleaseOutcome.OK
RELEASE_NOT_CLAIMED = ReleaseOutcome.NOT_CLAIMED
RELEASE_NOT_ALLOWED = ReleaseOutcome.NOT_ALLOWED
RELEASE_READY = ReleaseOutcome.READY


def _utcnow() -> datetime:
    return datetime.now(UTC)


def slot_when(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """ "Tue 25 Nov 10:00–11:00 EST" in the room's zone (as the cards write a claim)."""
    return HOUSE_STYLE.day_span(start, end, zone)


def claim_event(base: str, claim_id: str) -> str:
    """The notification event of one claim or release: `slot_claimed#<claim id>`.

    Each claim is its own event, so a slot released and claimed again is
    announced again (notification rows are unique per event and recipient)."""
    return f"{base}#{claim_id}"


def claim_id_of(event: str) -> str | None:
    _, _, claim_id = event.partition("#")
    return claim_id or None


@dataclass(frozen=True)
class ClaimRecord:
    """A claim as the rest of the app sees it."""

    id: str
    client_id: str
    incident_id: str
    slot_id: str
    slot_start: datetime
    slot_end: datetime
    user_id: str | None
    claimer_name: str
    claimer_email: str | None
    provider_id: str | None
    provider_name: str | None
    via: str
    claimed_at: datetime
    released_at: datetime | None = None
    released_by_name: str | None = None

    @classmethod
    def of(cls, row: Claim) -> ClaimRecord:
        return cls(
            id=row.id,
            client_id=row.client_id,
            incident_id=row.incident_id,
            slot_id=row.slot_id,
            slot_start=as_utc(row.slot_start),
            slot_end=as_utc(row.slot_end),
            user_id=row.user_id,
            claimer_name=row.claimer_name,
            claimer_email=row.claimer_email,
            provider_id=row.provider_id,
            provider_name=row.provider_name,
            via=row.via,
            claimed_at=as_utc(row.claimed_at),
            released_at=as_utc(row.released_at) if row.released_at else None,
            released_by_name=row.released_by_name,
        )

    @property
    def who(self) -> str:
        """ "Alice (Acme AV)"; a dispatch mailbox claims under the provider's own name."""
        if self.provider_name and self.provider_name != self.claimer_name:
            return f"{self.claimer_name} ({self.provider_name})"
        return self.claimer_name


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    # The claim that decided the outcome: the new one, the clicker's own, or the winner's.
    claim: ClaimRecord | None = None
    claimant: Claimant | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (CLAIM_OK, CLAIM_MINE)


@dataclass(frozen=True)
class Actor:
    """Who asks for a release."""

    user_id: str | None
    name: str
    role: str | None
    email: str | None


@dataclass(frozen=True)
class ReleaseResult:
    outcome: ReleaseOutcome
    claim: ClaimRecord | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == RELEASE_OK


@dataclass(frozen=True)
class _Context:
    """What a claim needs to know about its incident, read once."""

    incident: Incident
    room: Room
    location: Location | None
    settings: LocationSettings | None
    providers: dict[str, Provider]
    eligible: frozenset[str]

    @property
    def zone(self) -> ZoneInfo:
        return availability.choose_zone(
            self.incident.timezone, self.location.timezone if self.location else None
        )

    def policy(self) -> availability.Policy:
        """The location's slot policy, the same rule as the incident pipeline's."""
        settings = self.settings
        return availability.location_policy(
            setup_hours=settings.business_hours if settings is not None else None,
            directory_hours=self.location.business_hours if self.location else None,
            horizon_hours=settings.horizon_hours if settings else None,
            min_window_minutes=settings.min_window_minutes if settings else None,
            slot_minutes=settings.slot_minutes if settings else None,
            tentative_blocks=settings.tentative_blocks if settings else None,
        )


Resolver = Callable[[AsyncSession, _Context], Awaitable[Claimant | None]]


class _Abort(Exception):
    """Roll the claim transaction back with an outcome."""

    def __init__(self, outcome: ClaimOutcome) -> None:
        super().__init__(outcome)
        self.outcome = outcome


class ClaimService:
    def __init__(
        self,
        db: Database,
        calendars: CalendarSource | None,
        *,
        recheck: CalendarRecheck | None = None,
        recheck_budget: float = DEFAULT_RECHECK_BUDGET,
        events: bk.EventWriter | None = None,
        booking_retry_seconds: float = 5.0,
        clock: Callable[[], datetime] = _utcnow,
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._metrics = metrics or Metrics()
        self._calendars = calendars
        self._recheck = recheck or CalendarRecheck(calendars, timeout=recheck_budget)
        self._clock = clock
        self._effects = ClaimEffects(db)
        self._booking = bk.RoomBooking(
            db, events, on_declined=self.booking_declined, retry_seconds=booking_retry_seconds
        )

    def job_handlers(self) -> dict[str, Handler]:
        return {**self._effects.job_handlers(), **self._booking.job_handlers()}

    async def close(self) -> None:
        await self._recheck.close()

    # ---- claiming -----------------------------------------------------------------------

    async def claim_as_user(
        self,
        client_id: str,
        incident_id: str,
        slot_id: str,
        user_id: str,
        *,
        teams_user_id: str | None = None,
    ) -> ClaimResult:
        """A directory user claims (Teams: the clicker, identified by the edge)."""

        async def resolve(session: AsyncSession, ctx: _Context) -> Claimant | None:
            user = await session.get(User, (client_id, user_id))
            if user is None or not may_claim(user.role, user.service_provider_id, ctx.eligible):
                return None
            provider = ctx.providers.get(user.service_provider_id or "")
            return Claimant(
                client_id=client_id,
                user_id=user.id,
                name=user.name,
                email=user.email,
                role=user.role,
                provider_id=provider.id if provider else user.service_provider_id,
                provider_name=provider.name if provider else None,
                teams_user_id=teams_user_id,
            )

        return await self._claim(client_id, incident_id, slot_id, resolve, via="teams")

    async def claim_by_email(
        self, client_id: str, incident_id: str, slot_id: str, email: str, *, token_sha256: str
    ) -> ClaimResult:
        """The holder of an e-mail claim link claims as the address it was sent to (works once)."""
        return await self._claim(
            client_id,
            incident_id,
            slot_id,
            self._by_email(client_id, email),
            via="email",
            token_sha256=token_sha256,
        )

    async def preview_by_email(
        self, client_id: str, incident_id: str, slot_id: str, email: str, *, token_sha256: str
    ) -> ClaimResult:
        """What a claim through this link would meet now, changing nothing (`CLAIM_READY` if nothing)."""
        async with self._db.session() as session:
            decided, _ = await self._precheck(
                session, client_id, incident_id, slot_id, self._by_email(client_id, email), token_sha256
            )
        return decided

    @staticmethod
    def _by_email(client_id: str, email: str) -> Resolver:
        address = email.strip().lower()

        async def resolve(session: AsyncSession, ctx: _Context) -> Claimant | None:
            users = (
                await session.scalars(
                    select(User)
                    .where(User.client_id == client_id, User.email_lower == address)
                    .order_by(User.id)
                )
            ).all()
            for user in users:
                if may_claim(user.role, user.service_provider_id, ctx.eligible):
                    provider = ctx.providers.get(user.service_provider_id or "")
                    return Claimant(
                        client_id,
                        user.id,
                        user.name,
                        user.email,
                        user.role,
                        user.service_provider_id,
                        provider.name if provider else None,
                    )
            for provider in ctx.providers.values():
                if provider.id in ctx.eligible and (provider.email or "").strip().lower() == address:
                    return Claimant(
                        client_id, None, provider.name, address, "provider", provider.id, provider.name
                    )
            return None

        return resolve

    async def _claim(
        self,
        client_id: str,
        incident_id: str,
        slot_id: str,
        resolve: Resolver,
        *,
        via: str,
        token_sha256: str | None = None,
    ) -> ClaimResult:
        result = await self._claim_once(
            client_id, incident_id, slot_id, resolve, via=via, token_sha256=token_sha256
        )
        self._metrics.claims.labels(via=via, outcome=result.outcome).inc()
        return result

    async def _claim_once(
        self,
        client_id: str,
        incident_id: str,
        slot_id: str,
        resolve: Resolver,
        *,
        via: str,
        token_sha256: str | None = None,
    ) -> ClaimResult:
        # 1. Reads: who, may they, is it taken, is the slot still offered.
        async with self._db.session() as session:
            decided, ready = await self._precheck(
                session, client_id, incident_id, slot_id, resolve, token_sha256
            )
        if ready is None:
            return decided
        ctx, claimant, start, end = ready
        # 2. The room's calendar, read again (bounded; shared by concurrent clicks).
        refused = await self._calendar_refusal(ctx, claimant, slot_id, start, end)
        if refused is not None:
            return refused
        # 3. The claim itself: one transaction, the first insert wins.
        return await self._insert(ctx, claimant, slot_id, start, end, via=via, token_sha256=token_sha256)

    async def _calendar_refusal(
        self, ctx: _Context, claimant: Claimant, slot_id: str, start: datetime, end: datetime
    ) -> ClaimResult | None:
        """Why the room's calendar, read now, stops the claim (None: the slot is still free).
        A slot booked meanwhile refreshes the incident's slots before the refusal."""
        client_id, incident_id = ctx.incident.client_id, ctx.incident.id
        policy = ctx.policy()
        trigger = as_utc(ctx.incident.triggered_at)
        span = availability.read_range(trigger, policy)
        room_email = ctx.room.calendar_email
        if not room_email:
            return ClaimResult(CLAIM_NOT_OPEN, claimant=claimant)
        try:
            events = await self._recheck.events(client_id, room_email, span.start, span.end)
        except RecheckPending:
            return ClaimResult(CLAIM_CHECKING, claimant=claimant)
        except RecheckFailed:
            return ClaimResult(CLAIM_UNVERIFIED, claimant=claimant)
        free = await off_loop(
            len(events), slot_is_free, events, ctx.zone, start, end, tentative_blocks=policy.tentative_blocks
        )
        if free:
            return None
        result = await off_loop(len(events), availability.compute, trigger, ctx.zone, events, policy)
        await self._effects.store_slots(client_id, incident_id, result)
        log.info(
            "claim refused, slot just booked client=%s incident=%s slot=%s", client_id, incident_id, slot_id
        )
        return ClaimResult(CLAIM_JUST_BOOKED, claimant=claimant)

    async def _insert(
        self,
        ctx: _Context,
        claimant: Claimant,
        slot_id: str,
        start: datetime,
        end: datetime,
        *,
        via: str,
        token_sha256: str | None,
    ) -> ClaimResult:
        """The claim row, the incident's move to `claimed`, the booking and the announcement, in
        one transaction: the first insert wins, and a loser is told who won."""
        client_id, incident_id = ctx.incident.client_id, ctx.incident.id
        claim_id = uuid.uuid4().hex[:16]
        try:
            async with self._db.session() as session:
                inserted = await session.scalar(
                    self._insert_claim(
                        {
                            "id": claim_id,
                            "client_id": client_id,
                            "incident_id": incident_id,
                            "slot_id": slot_id,
                            "slot_start": start,
                            "slot_end": end,
                            "user_id": claimant.user_id,
                            "claimer_name": claimant.name,
                            "claimer_email": (claimant.email or "").strip().lower() or None,
                            "provider_id": claimant.provider_id,
                            "provider_name": claimant.provider_name,
                            "via": via,
                            "teams_user_id": claimant.teams_user_id,
                            "token_sha256": token_sha256,
                            "previous_status": ctx.incident.status,
                            "claimed_at": self._clock(),
                        }
                    )
                )
                if inserted is None:
                    raise _Abort(CLAIM_TAKEN)
                if await session.get(Slot, slot_id) is None:
                    raise _Abort(CLAIM_SLOT_GONE)
                moved = await session.execute(
                    update(Incident)
                    .where(
                        Incident.client_id == client_id,
                        Incident.id == incident_id,
                        Incident.status.in_(CLAIMABLE),
                    )
                    .values(status="claimed", updated_at=func.now())
                )
                if not moved.rowcount:  # type: ignore[attr-defined]
                    raise _Abort(CLAIM_NOT_OPEN)
                row = await session.get_one(Claim, claim_id)
                await bk.queue_booking(session, self._db, row, ctx.room)
                await self._effects.announce(session, client_id, incident_id, claim_event(CLAIMED, claim_id))
                record = ClaimRecord.of(row)
        except _Abort as abort:
            if abort.outcome != CLAIM_TAKEN:
                return ClaimResult(abort.outcome, claimant=claimant)
            async with self._db.session() as session:
                decided = await self._decided(
                    session, client_id, incident_id, slot_id, claimant, token_sha256
                )
            return decided or ClaimResult(CLAIM_TAKEN, claimant=claimant)
        log.info(
            "slot claimed client=%s incident=%s slot=%s claim=%s via=%s",
            client_id,
            incident_id,
            slot_id,
            claim_id,
            via,
        )
        return ClaimResult(CLAIM_OK, record, claimant)

    async def _precheck(
        self,
        session: AsyncSession,
        client_id: str,
        incident_id: str,
        slot_id: str,
        resolve: Resolver,
        token_sha256: str | None,
    ) -> tuple[ClaimResult, tuple[_Context, Claimant, datetime, datetime] | None]:
        """Everything decided by reading alone; `(READY, what the claim needs)` when nothing is in the way."""
        ctx = await self._context(session, client_id, incident_id)
        if ctx is None:
            return ClaimResult(CLAIM_NO_INCIDENT), None
        claimant = await resolve(session, ctx)
        if claimant is None:
            return ClaimResult(CLAIM_NOT_ALLOWED, await self._active(session, client_id, incident_id)), None
        if ctx.incident.status == RESOLVED:
            return ClaimResult(CLAIM_RESOLVED, claimant=claimant), None
        decided = await self._decided(session, client_id, incident_id, slot_id, claimant, token_sha256)
        if decided is not None:
            return decided, None
        slot = await session.get(Slot, slot_id)
        if slot is None or (slot.client_id, slot.incident_id) != (client_id, incident_id):
            return ClaimResult(CLAIM_SLOT_GONE, claimant=claimant), None
        if ctx.incident.status not in CLAIMABLE:
            return ClaimResult(CLAIM_NOT_OPEN, claimant=claimant), None
        start, end = as_utc(slot.start), as_utc(slot.end)
        if start <= self._clock():
            return ClaimResult(CLAIM_STARTED, claimant=claimant), None
        return ClaimResult(CLAIM_READY, claimant=claimant), (ctx, claimant, start, end)

    async def _decided(
        self,
        session: AsyncSession,
        client_id: str,
        incident_id: str,
        slot_id: str,
        claimant: Claimant,
        token_sha256: str | None,
    ) -> ClaimResult | None:
        """The outcome when the database already decided it: a used link, or an active claim."""
        if token_sha256 is not None:
            used = await session.scalar(select(Claim).where(Claim.token_sha256 == token_sha256))
            if used is not None:
                return ClaimResult(CLAIM_LINK_USED, ClaimRecord.of(used), claimant)
        active = await self._active(session, client_id, incident_id)
        if active is None:
            return None
        if active.slot_id == slot_id and claimant.same_person(active.user_id, active.claimer_email):
            return ClaimResult(CLAIM_MINE, active, claimant)
        return ClaimResult(CLAIM_TAKEN, active, claimant)

    def _insert_claim(self, values: dict[str, Any]) -> Any:
        insert = self._db.insert
        # Any unique conflict (the active claim, a used link) means "not inserted": decided after.
        return insert(Claim).values(**values).on_conflict_do_nothing().returning(Claim.id)

    # ---- releasing ----------------------------------------------------------------------

    async def release_as_user(self, client_id: str, incident_id: str, user_id: str) -> ReleaseResult:
        async with self._db.session() as session:
            user = await session.get(User, (client_id, user_id))
        if user is None:
            return ReleaseResult(RELEASE_NOT_ALLOWED, await self.active_claim(client_id, incident_id))
        actor = Actor(user.id, user.name, user.role, user.email)
        return await self._release(client_id, incident_id, actor)

    async def release_by_email(
        self, client_id: str, incident_id: str, claim_id: str, email: str, *, preview: bool = False
    ) -> ReleaseResult:
        """The holder of a release link (sent to the claimer and client admins) releases;
        with `preview`, only says what a release would meet (`RELEASE_READY`), changing nothing."""
        address = email.strip().lower()
        async with self._db.session() as session:
            user = await session.scalar(
                select(User)
                .where(User.client_id == client_id, User.email_lower == address)
                .order_by(User.role != "client_admin", User.id)
                .limit(1)
            )
        actor = (
            Actor(user.id, user.name, user.role, address)
            if user is not None
            else Actor(None, address, None, address)
        )
        return await self._release(client_id, incident_id, actor, claim_id=claim_id, preview=preview)

    async def _release(
        self,
        client_id: str,
        incident_id: str,
        actor: Actor,
        *,
        claim_id: str | None = None,
        preview: bool = False,
    ) -> ReleaseResult:
        async with self._db.session() as session:
            active = await self._active(session, client_id, incident_id)
            if active is None or (claim_id is not None and active.id != claim_id):
                return ReleaseResult(RELEASE_NOT_CLAIMED, active)
            allowed = may_release(
                actor_user_id=actor.user_id,
                actor_role=actor.role,
                actor_email=actor.email,
                claim_user_id=active.user_id,
                claim_email=active.claimer_email,
            )
            if not allowed:
                return ReleaseResult(RELEASE_NOT_ALLOWED, active)
            if preview:
                return ReleaseResult(RELEASE_READY, active)
            if not await self._end_claim(
                session, active, user_id=actor.user_id, name=actor.name, end_reason="released"
            ):
                return ReleaseResult(RELEASE_NOT_CLAIMED, active)
            incident = await session.get(Incident, (client_id, incident_id), populate_existing=True)
            if incident is not None and incident.notified_at is not None and incident.status != RESOLVED:
                # The reminder steps not yet done start again, counted from the release.
                await escalation.arm(session, self._db, incident, since=self._clock(), arm_id=active.id)
            await self._effects.announce(session, client_id, incident_id, claim_event(RELEASED, active.id))
        log.info("slot released client=%s incident=%s claim=%s", client_id, incident_id, active.id)
        return ReleaseResult(RELEASE_OK, active)

    async def _end_claim(
        self,
        session: AsyncSession,
        active: ClaimRecord,
        *,
        user_id: str | None,
        name: str,
        end_reason: str,
    ) -> bool:
        """End an active claim: the incident goes back to the status it had, the slots reopen,
        the room booking is cancelled. False when it had ended already."""
        client_id, incident_id = active.client_id, active.incident_id
        done = await session.execute(
            update(Claim)
            .where(Claim.id == active.id, Claim.released_at.is_(None))
            .values(
                released_at=self._clock(),
                released_by_user_id=user_id,
                released_by_name=name,
                end_reason=end_reason,
            )
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            return False
        row = await session.get_one(Claim, active.id)
        status = row.previous_status
        if status in ("slots_found", "no_slots") and await session.scalar(
            select(
                exists().where(
                    Notification.client_id == client_id,
                    Notification.incident_id == incident_id,
                    Notification.event == "new_incident",
                )
            )
        ):
            status = "notified"  # people were told meanwhile
        await session.execute(
            update(Incident)
            .where(Incident.client_id == client_id, Incident.id == incident_id, Incident.status == "claimed")
            .values(status=status, updated_at=func.now())
        )
        await bk.cancel_incident_booking(session, self._db, client_id, incident_id)
        return True

    # ---- a room that declined the visit ---------------------------------------------------

    async def booking_declined(self, claim_id: str) -> None:
        """The room declined the visit (booked in between): the claim ends, the slots are read
        again from the room's calendar, the claimer is told with the current slots, and every
        card shows them again. Idempotent (the booking job may run it twice)."""
        async with self._db.session() as session:
            row = await session.get(Claim, claim_id)
            if row is None:
                return
            record = ClaimRecord.of(row)
            if record.released_at is None:
                await bk.mark_declined(session, claim_id)  # first: ending the claim cancels live ones
                await self._end_claim(session, record, user_id=None, name=DECLINED_BY, end_reason="declined")
            elif record.released_by_name != DECLINED_BY:
                return  # released by someone before the answer came: nothing to re-offer
            ctx = await self._context(session, record.client_id, record.incident_id)
        client_id, incident_id = record.client_id, record.incident_id
        if ctx is not None and ctx.room.calendar_email:
            policy = ctx.policy()
            trigger = as_utc(ctx.incident.triggered_at)
            span = availability.read_range(trigger, policy)
            try:
                events = await self._recheck.fresh(client_id, ctx.room.calendar_email, span.start, span.end)
            except RecheckFailed:
                log.warning("slots not re-read after a declined booking incident=%s", incident_id)
            else:
                await self._effects.store_slots(
                    client_id, incident_id, availability.compute(trigger, ctx.zone, events, policy)
                )
        async with self._db.session() as session:
            await self._effects.announce(
                session, client_id, incident_id, bk.booking_event_key(bk.BOOKING_DECLINED, claim_id)
            )
        log.info(
            "claim ended, room declined client=%s incident=%s claim=%s", client_id, incident_id, claim_id
        )

    # ---- reads --------------------------------------------------------------------------

    async def may_view(
        self, client_id: str, incident_id: str, *, role: str, service_provider_id: str | None
    ) -> bool:
        """Whether a directory user of this client may see the incident (an unknown incident:
        only its client users, who are then told it is gone)."""
        async with self._db.session() as session:
            ctx = await self._context(session, client_id, incident_id)
        eligible = ctx.eligible if ctx is not None else frozenset()
        return may_see(role, service_provider_id, eligible)

    async def booking_json(self, client_id: str, incident_id: str) -> dict[str, Any] | None:
        """The incident API's `booking`: the latest claim's room booking, kept after it ended."""
        async with self._db.session() as session:
            found = await bk.latest_booking(session, client_id, incident_id)
        return found.to_json() if found is not None else None

    async def active_claim(self, client_id: str, incident_id: str) -> ClaimRecord | None:
        async with self._db.session() as session:
            return await self._active(session, client_id, incident_id)

    async def claim(self, claim_id: str) -> ClaimRecord | None:
        async with self._db.session() as session:
            row = await session.get(Claim, claim_id)
        return ClaimRecord.of(row) if row is not None else None

    async def claim_json(self, client_id: str, incident_id: str) -> dict[str, Any] | None:
        """The incident API's `claim`: who, which slot, when (instants in the room's zone)."""
        async with self._db.session() as session:
            active = await self._active(session, client_id, incident_id)
            if active is None:
                return None
            ctx = await self._context(session, client_id, incident_id)
            booking = await bk.latest_booking(session, client_id, incident_id)
        zone = ctx.zone if ctx is not None else availability.choose_zone(None, None)
        return {
            "id": active.id,
            "user_id": active.user_id,
            "name": active.claimer_name,
            "provider": {"id": active.provider_id, "name": active.provider_name}
            if active.provider_id
            else None,
            "via": active.via,
            "slot": {
                "id": active.slot_id,
                **availability.Interval(active.slot_start, active.slot_end).to_local_json(zone),
            },
            "claimed_at": active.claimed_at.astimezone(zone).isoformat(),
            "booking": booking.to_json() if booking is not None and booking.claim_id == active.id else None,
        }

    @staticmethod
    async def _active(session: AsyncSession, client_id: str, incident_id: str) -> ClaimRecord | None:
        row = await session.scalar(
            select(Claim).where(
                Claim.client_id == client_id, Claim.incident_id == incident_id, Claim.released_at.is_(None)
            )
        )
        return ClaimRecord.of(row) if row is not None else None

    @staticmethod
    async def _context(session: AsyncSession, client_id: str, incident_id: str) -> _Context | None:
        incident = await session.get(Incident, (client_id, incident_id))
        if incident is None:
            return None
        room = await session.get(Room, (client_id, incident.room_id))
        if room is None:
            return None
        location = await session.get(Location, (client_id, room.location_id))
        settings = await session.get(LocationSettings, (client_id, room.location_id))
        rows = (
            await session.scalars(
                select(ServiceProvider)
                .where(ServiceProvider.client_id == client_id)
                .order_by(ServiceProvider.id)
            )
        ).all()
        providers = {p.id: Provider(p.id, p.name, p.email, tuple(p.location_ids or ())) for p in rows}
        eligible = eligible_providers(
            room.location_id, list(providers.values()), settings.service_provider_id if settings else None
        )
        return _Context(incident, room, location, settings, providers, eligible)
