"""Resolving an incident from pivot (DESIGN 3.10): the status first, the rest as durable jobs.

One transaction, on the locked incident row: status `resolved` with `resolved_at`
and the note, the active claim ended (`end_claim_on_resolve`, the one place where
a resolve ends a claim), and the `resolved` notification queued — its fan-out
tells everyone who was notified and updates every posted card in place
(services.notify.lifecycle_notices). Pending reminders stop because their jobs
find the incident resolved. A second resolve changes nothing and sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.booking import cancel_incident_booking
from services.claims.service import ClaimRecord
from services.errors import NotFound, ValidationFailed
from services.incidents.events import queue_notification
from services.incidents.schema import parse_resolution
from services.incidents.service import RESOLVED, IncidentService, UnknownTarget
from services.store.claim_models import Claim
from services.store.database import Database
from services.store.models import Client, Incident

log = logging.getLogger(__name__)

RESOLVED_EVENT = "resolved"
END_RESOLVED = "resolved"
END_RELEASED = "released"


class UnknownIncident(NotFound):
    """No incident with this id for this client."""


@dataclass(frozen=True)
class Resolution:
    id: str
    new: bool
    status: str = RESOLVED


async def end_claim_on_resolve(
    session: AsyncSession, incident: Incident, *, at: datetime
) -> ClaimRecord | None:
    """End the incident's active claim because the incident was resolved (inside the resolve
    transaction); returns the claim that ended, or None.

    The room booking of the visit is cancelled by the caller, in the same transaction."""
    row = await session.scalar(
        select(Claim)
        .where(
            Claim.client_id == incident.client_id,
            Claim.incident_id == incident.id,
            Claim.released_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return None
    row.released_at = at
    row.end_reason = END_RESOLVED
    row.released_by_name = None
    row.released_by_user_id = None
    return ClaimRecord.of(row)


class ResolutionService:
    def __init__(
        self,
        db: Database,
        incidents: IncidentService,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._incidents = incidents
        self._clock = clock

    async def resolve_signed(self, incident_id: str, body: bytes, headers: dict[str, str]) -> Resolution:
        """Verify (as the incident webhook), validate, resolve. Raises SignatureInvalid,
        ValidationFailed, UnknownTarget (client) or UnknownIncident."""
        data = await self._incidents.verified(body, headers, what="resolution")
        parsed, problems = parse_resolution(data)
        if parsed is None:
            raise ValidationFailed("resolution", problems)
        return await self.resolve(
            parsed.client_id, incident_id, resolved_at=parsed.resolved_at, note=parsed.note
        )

    async def resolve(
        self,
        client_id: str,
        incident_id: str,
        *,
        resolved_at: datetime | None = None,
        note: str | None = None,
    ) -> Resolution:
        async with self._db.session() as session:
            if await session.get(Client, client_id) is None:
                raise UnknownTarget(f"client {client_id}")
            incident = await session.get(Incident, (client_id, incident_id), with_for_update=True)
            if incident is None:
                raise UnknownIncident(incident_id)
            if incident.status == RESOLVED:
                return Resolution(incident_id, new=False)
            now = self._clock()
            incident.status = RESOLVED
            incident.status_reason = None
            incident.resolved_at = (resolved_at or now).astimezone(UTC)
            incident.resolution_note = note
            incident.updated_at = now
            ended = await end_claim_on_resolve(session, incident, at=now)
            # The visit is not needed any more: its room booking is cancelled (DESIGN 3.11).
            await cancel_incident_booking(session, self._db, client_id, incident_id)
            await queue_notification(session, self._db, client_id, incident_id, RESOLVED_EVENT)
        log.info(
            "incident resolved client=%s incident=%s claim_ended=%s",
            client_id,
            incident_id,
            ended.id if ended else None,
        )
        return Resolution(incident_id, new=True)
