"""Queueing "tell people about this incident event": one durable job per (incident, event).

Both the incident pipeline and claims use it, inside their own transaction, so
the telling commits with the change it is about and happens once.
"""

from __future__ import annotations

from typing import Any

from services.jobs import enqueue
from services.store.database import Database

NOTIFY_JOB = "incident.notify"


def notify_job_key(event: str, client_id: str, incident_id: str) -> str:
    """The dedupe key of the `incident.notify` job for this event of this incident."""
    return f"{NOTIFY_JOB}:{event}:{client_id}:{incident_id}"


async def queue_notification(
    session: Any, db: Database, client_id: str, incident_id: str, event: str
) -> None:
    await enqueue(
        session,
        db,
        NOTIFY_JOB,
        {"client_id": client_id, "incident_id": incident_id, "event": event},
        dedupe_key=notify_job_key(event, client_id, incident_id),
        max_attempts=20,
    )
