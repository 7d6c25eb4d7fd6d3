"""What a claim, a release or a refreshed slot list sets off, as durable jobs.

Queued inside the transaction that made the change, so they happen if and
only if it committed: the e-mail fan-out (NotificationService, event tagged
with the claim) and a sweep over every card posted for the incident
(`claims.cards`), which queues one in-place update per card (`claims.card`,
run by the Teams edge, paced and retried on its own). A second, later sweep
catches a card that was being posted while the change committed.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import availability
from services.incidents.events import queue_notification
from services.jobs import Handler, JobInfo, enqueue
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, Slot
from services.store.notification_models import Notification
from services.store.times import as_utc

log = logging.getLogger(__name__)

CARDS_JOB = "claims.cards"  # find every card posted for an incident, queue one update each
CARD_UPDATE_JOB = "claims.card"  # update one posted card in place (handled by the Teams edge)
LATE_SWEEP_SECONDS = 30.0
JOB_MAX_ATTEMPTS = 12


class ClaimEffects:
    def __init__(self, db: Database) -> None:
        self._db = db

    def job_handlers(self) -> dict[str, Handler]:
        return {CARDS_JOB: self.handle_cards}

    async def announce(self, session: AsyncSession, client_id: str, incident_id: str, event: str) -> None:
        """Tell people (e-mail fan-out of `event`) and update every posted card."""
        await queue_notification(session, self._db, client_id, incident_id, event)
        await self.queue_card_sweeps(session, client_id, incident_id, event)

    async def queue_card_sweeps(
        self, session: AsyncSession, client_id: str, incident_id: str, version: str
    ) -> None:
        for suffix, delay in (("now", 0.0), ("late", LATE_SWEEP_SECONDS)):
            await enqueue(
                session,
                self._db,
                CARDS_JOB,
                {"client_id": client_id, "incident_id": incident_id, "version": f"{version}:{suffix}"},
                dedupe_key=f"{CARDS_JOB}:{client_id}:{incident_id}:{version}:{suffix}",
                delay=delay,
                max_attempts=JOB_MAX_ATTEMPTS,
            )

    async def handle_cards(self, job: JobInfo) -> None:
        """Queue one update per card posted for the incident (each retried on its own)."""
        payload = job.payload
        async with self._db.session() as session:
            ids = (
                await session.scalars(
                    select(Notification.id)
                    .where(
                        Notification.client_id == payload["client_id"],
                        Notification.incident_id == payload["incident_id"],
                        Notification.channel == "teams",
                        Notification.activity_id.is_not(None),
                        Notification.conversation_id.is_not(None),
                    )
                    .order_by(Notification.id)
                )
            ).all()
            for notification_id in ids:
                await enqueue(
                    session,
                    self._db,
                    CARD_UPDATE_JOB,
                    {"notification_id": notification_id},
                    dedupe_key=f"{CARD_UPDATE_JOB}:{notification_id}:{payload['version']}",
                    max_attempts=JOB_MAX_ATTEMPTS,
                )
        log.info("card updates queued incident=%s count=%d", payload["incident_id"], len(ids))

    async def store_slots(self, client_id: str, incident_id: str, result: availability.Availability) -> None:
        """Store recomputed slots, then update the cards. A slot still offered keeps its id (cards
        and e-mail links name it); the slot of an active claim is never dropped. Concurrent
        refreshes of one incident take turns (the incident row is locked), and one that finds
        the slots already as computed changes nothing."""
        async with self._db.session() as session:
            incident = await session.get(Incident, (client_id, incident_id), with_for_update=True)
            if incident is None:
                return
            current = (
                await session.execute(
                    select(Slot.id, Slot.start, Slot.end).where(
                        Slot.client_id == client_id, Slot.incident_id == incident_id
                    )
                )
            ).all()
            ids = {(as_utc(s.start), as_utc(s.end)): s.id for s in current}
            kept = sorted((s.start, s.end) for s in result.slots)
            claimed = (
                await session.execute(
                    select(Claim.slot_start, Claim.slot_end).where(
                        Claim.client_id == client_id,
                        Claim.incident_id == incident_id,
                        Claim.released_at.is_(None),
                    )
                )
            ).first()
            if claimed is not None:
                span = (as_utc(claimed.slot_start), as_utc(claimed.slot_end))
                if span not in kept:
                    kept = sorted([*kept, span])
            if sorted(ids) == kept:
                return
            await session.execute(
                delete(Slot).where(Slot.client_id == client_id, Slot.incident_id == incident_id)
            )
            for seq, (start, end) in enumerate(kept):
                session.add(
                    Slot(
                        id=ids.get((start, end)) or uuid.uuid4().hex,
                        client_id=client_id,
                        incident_id=incident_id,
                        seq=seq,
                        start=start,
                        end=end,
                    )
                )
            incident.free_windows = [w.to_local_json(result.zone) for w in result.free_windows]
            incident.calendar_reads += 1
            incident.updated_at = func.now()
            await self.queue_card_sweeps(session, client_id, incident_id, f"slots:{uuid.uuid4().hex[:12]}")
