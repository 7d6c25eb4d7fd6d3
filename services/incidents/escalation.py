"""Reminder, escalation and SLA-breach steps as durable jobs (DESIGN 3.12).

`arm` queues one `incident.step` job per step not yet done, due at its moment,
tagged with the current arming (`notice` for the first notice, a claim id after
that claim's release). The job decides when it runs, on a locked incident row:
nothing if the incident is resolved or claimed, if a later arming replaced this
one, or if the step is already done; otherwise it marks the step done and queues
the step's notification (`incident.notify`, one job per event) in the same
transaction. So a step happens at most once, also when a worker dies between
steps or several instances share the queue (PostgreSQL); the notification
fan-out and delivery are idempotent on their own.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import escalation as esc
from services.incidents.events import queue_notification
from services.jobs import Handler, JobInfo, enqueue, utcnow
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Incident, LocationSettings, Room, Slot
from services.store.times import as_utc

log = logging.getLogger(__name__)

STEP_JOB = "incident.step"
FIRST_ARM = "notice"
OPEN_STATUSES = ("slots_found", "notified", "no_slots")


def step_job_key(client_id: str, incident_id: str, step: str, arm: str) -> str:
    return f"{STEP_JOB}:{client_id}:{incident_id}:{step}:{arm}"


async def arm(
    session: AsyncSession, db: Database, incident: Incident, *, since: datetime, arm_id: str
) -> dict[str, datetime]:
    """Queue the steps not yet done, counted from `since`; returns when each is due.

    Called inside the transaction of the first notice (`notice`) or of a release (the claim id)."""
    room = await session.get(Room, (incident.client_id, incident.room_id))
    settings = await session.get(LocationSettings, (incident.client_id, room.location_id)) if room else None
    sla_hours = settings.sla_hours if settings is not None else None
    steps = esc.escalation_for(sla_hours, settings.escalation if settings is not None else None)
    due = esc.due_steps(
        since=since,
        escalation=steps,
        deadline=esc.sla_deadline(as_utc(incident.triggered_at), sla_hours),
        done=set(incident.escalation_done or ()),
    )
    incident.escalation_arm = arm_id
    for step, when in due.items():
        await enqueue(
            session,
            db,
            STEP_JOB,
            {"client_id": incident.client_id, "incident_id": incident.id, "step": step, "arm": arm_id},
            dedupe_key=step_job_key(incident.client_id, incident.id, step, arm_id),
            run_at=when,
            max_attempts=20,
        )
    return due


class EscalationSteps:
    """Runs `incident.step` jobs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def job_handlers(self) -> dict[str, Handler]:
        return {STEP_JOB: self.handle_step}

    async def handle_step(self, job: JobInfo) -> None:
        await self.run_step(
            job.payload["client_id"], job.payload["incident_id"], job.payload["step"], job.payload["arm"]
        )

    async def run_step(self, client_id: str, incident_id: str, step: str, arm_id: str) -> bool:
        """Do the step if it is still wanted; True when it was done now."""
        if step not in esc.STEPS:
            return False
        async with self._db.session() as session:
            incident = await session.get(Incident, (client_id, incident_id), with_for_update=True)
            if incident is None or incident.status not in OPEN_STATUSES:
                return False  # resolved, claimed, or never offered slots
            if incident.escalation_arm != arm_id or step in (incident.escalation_done or ()):
                return False
            claimed = await session.scalar(
                select(
                    exists().where(
                        Claim.client_id == client_id,
                        Claim.incident_id == incident_id,
                        Claim.released_at.is_(None),
                    )
                )
            )
            has_slots = await session.scalar(
                select(exists().where(Slot.client_id == client_id, Slot.incident_id == incident_id))
            )
            if claimed or not has_slots:
                return False
            incident.escalation_done = [*(incident.escalation_done or ()), step]
            if step == esc.SLA_BREACHED:
                incident.sla_breached_at = incident.sla_breached_at or utcnow()
            await queue_notification(session, self._db, client_id, incident_id, step)
        log.info(
            "incident step done client=%s incident=%s step=%s arm=%s", client_id, incident_id, step, arm_id
        )
        return True
