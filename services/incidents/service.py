"""Incidents: signed intake, the slot-finding pipeline, and the read model.

Intake commits the incident and its processing job in one transaction before
answering, so an accepted incident is never lost. Processing is a durable job
and idempotent: it reads the room calendar once, computes free windows and
slots (services.availability, DESIGN 3.5), stores them and moves the status on.
If Graph cannot be read it fails closed (`calendar_unavailable`, no guessed
slots) and the job is retried later.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from standardwebhooks.webhooks import Webhook

from services.crypto import DecryptionFailed, SecretBox
from services.domain import availability
from services.domain.room_context import booked_now_and_next
from services.domain.text_policy import is_id
from services.errors import FieldProblem, PivotError, ValidationFailed
from services.incidents.events import queue_notification
from services.incidents.intake_batcher import IntakeBatcher
from services.incidents.schema import IncidentInput, parse_incident
from services.jobs import JobInfo, PermanentFailure, RetryLater, enqueue, job_row
from services.m365.graph_errors import GraphError, NotConnected, ReconnectNeeded, Throttled
from services.metrics import Metrics
from services.offload import off_loop
from services.store.database import Database
from services.store.models import (
    Client,
    Incident,
    Location,
    LocationSettings,
    Room,
    RoomCalendarInfo,
    Slot,
)
from services.store.times import as_utc

log = logging.getLogger(__name__)

PROCESS_JOB = "incident.process"
SYNC_NOW_JOB = "sync.rooms"  # services.sync handles it (named here to keep imports one-way)
INTAKE_CACHE_SECONDS = 5.0  # how long a rotated webhook secret / deleted room may linger per instance
MAX_RETRY_AFTER_SECONDS = 86400.0  # a Retry-After beyond a day is taken as a day
FINAL_STATUSES = {
    "slots_found",
    "no_slots",
    "unmapped_room",
    "scheduling_off",
    "notified",
    "claimed",
    "resolved",
}
RESOLVED = "resolved"


class SignatureInvalid(PivotError):
    """Missing, malformed, wrong or stale Standard Webhooks signature."""


class UnknownTarget(PivotError):
    """The client or room named by the incident does not exist."""


class IncidentConflict(PivotError):
    """Same incident id, different content."""


class SecretUnavailable(PivotError):
    """The client's stored webhook secret does not open with any configured SECRET_KEY."""

    user_message = "The webhook secret cannot be read with the configured SECRET_KEY."


@dataclass(frozen=True)
class _Secrets:
    current: str
    previous: str | None
    previous_until: datetime | None

    def valid(self, now: datetime) -> list[str]:
        """The secrets that verify now: the current one, and the previous one during the overlap."""
        if self.previous is not None and self.previous_until is not None and now < self.previous_until:
            return [self.current, self.previous]
        return [self.current]


class CalendarSource(Protocol):
    """What the pipeline needs from Microsoft Graph (implemented by the Graph gateway)."""

    async def room_timezone(self, client_id: str, room_email: str) -> str | None: ...

    async def room_events(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Accepted:
    id: str
    new: bool
    status: str = "accepted"


class IncidentService:
    def __init__(
        self,
        db: Database,
        box: SecretBox,
        calendars: CalendarSource | None,
        *,
        retry_seconds: float = 300.0,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._db = db
        self._metrics = metrics or Metrics()
        self._box = box
        self._calendars = calendars
        self._retry_seconds = retry_seconds
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._secrets: dict[str, tuple[float, _Secrets]] = {}
        self._batcher = IntakeBatcher(db)
        self._rooms: dict[tuple[str, str], float] = {}

    # ---- intake -------------------------------------------------------------------------

    async def accept(self, body: bytes, headers: dict[str, str]) -> Accepted:
        """Verify, validate and commit an incident with its processing job."""
        data = await self.verified(body, headers, what="incident")
        incident, problems = parse_incident(data)
        if incident is None:
            raise ValidationFailed("incident", problems)
        if not await self._room_exists(incident.client_id, incident.room_id):
            raise UnknownTarget(f"room {incident.room_id}")
        return await self._commit(incident)

    async def verified(self, body: bytes, headers: dict[str, str], *, what: str) -> dict[str, Any]:
        """The JSON object of a request pivot signed with the client's webhook secret (DESIGN 3.3).

        Raises ValidationFailed (malformed JSON, no `client_id`), UnknownTarget (unknown client)
        or SignatureInvalid. The one rule for every signed call: the incident webhook and resolve."""
        try:
            data = _parse_json(body)
        except ValueError:
            raise ValidationFailed(what, [FieldProblem("(body)", "malformed JSON")]) from None
        client_id = data.get("client_id") if isinstance(data, dict) else None
        if not is_id(client_id):
            if not _has_signature_headers(headers):
                raise SignatureInvalid("missing signature headers")
            if not isinstance(data, dict):
                problem = "the body must be a JSON object"
            else:
                problem = "required" if client_id in (None, "") else "not a valid id"
            raise ValidationFailed(what, [FieldProblem("client_id", problem)])
        assert isinstance(client_id, str)
        secrets = await self._client_secrets(client_id)
        if secrets is None:
            raise UnknownTarget(f"client {client_id}")
        self.verify(body, headers, secrets.valid(self.clock()))
        return data

    @staticmethod
    def verify(body: bytes, headers: dict[str, str], secrets: list[str]) -> None:
        """A Standard Webhooks signature by any of `secrets` (the current one, and the previous
        one during a rotation's overlap); SignatureInvalid otherwise."""
        for secret in secrets:
            try:
                Webhook(secret).verify(body, headers, json_parse=False)
            except Exception:  # noqa: S112 - the library raises several types for malformed headers
                continue
            return
        raise SignatureInvalid("signature did not verify")

    async def _client_secrets(self, client_id: str) -> _Secrets | None:
        """The client's webhook secrets, cached briefly: the intake hot path reads them every time."""
        now = time.monotonic()
        hit = self._secrets.get(client_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self._db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(
                        Client.webhook_secret_enc,
                        Client.previous_webhook_secret_enc,
                        Client.previous_webhook_secret_until,
                    ).where(Client.id == client_id)
                )
            ).first()
        if row is None:
            return None
        try:
            current = self._box.decrypt(row.webhook_secret_enc)
        except DecryptionFailed:
            log.error("webhook secret undecryptable client=%s: SECRET_KEY lacks its key", client_id)
            raise SecretUnavailable(client_id) from None
        previous = None
        if row.previous_webhook_secret_enc is not None and row.previous_webhook_secret_until is not None:
            try:
                previous = self._box.decrypt(row.previous_webhook_secret_enc)
            except DecryptionFailed:
                log.warning("previous webhook secret undecryptable client=%s (ignored)", client_id)
        until = as_utc(row.previous_webhook_secret_until) if row.previous_webhook_secret_until else None
        secrets = _Secrets(current, previous, until)
        self._secrets[client_id] = (now + INTAKE_CACHE_SECONDS, secrets)
        return secrets

    async def _room_exists(self, client_id: str, room_id: str) -> bool:
        now = time.monotonic()
        if self._rooms.get((client_id, room_id), 0.0) > now:
            return True
        async with self._db.engine.connect() as conn:
            found = await conn.scalar(select(Room.id).where(Room.client_id == client_id, Room.id == room_id))
        if found is not None:
            self._rooms[(client_id, room_id)] = now + INTAKE_CACHE_SECONDS
        return found is not None

    async def _commit(self, incident: IncidentInput) -> Accepted:
        """Insert the incident and its job in one transaction (Core: this is the hot path)."""
        fingerprint = incident.fingerprint()
        created = await self._batcher.insert(
            {
                "client_id": incident.client_id,
                "id": incident.id,
                "room_id": incident.room_id,
                "triggered_at": incident.triggered_at.astimezone(UTC),
                "title": incident.title,
                "severity": incident.severity,
                "description": incident.description,
                "body_sha256": fingerprint,
                "status": "accepted",
                "status_reason": None,
                "calendar_reads": 0,
                "created_at": datetime.now(UTC),  # to the microsecond (SQLite's now() is whole seconds)
            },
            job_row(
                PROCESS_JOB,
                {"client_id": incident.client_id, "incident_id": incident.id},
                dedupe_key=f"{PROCESS_JOB}:{incident.client_id}:{incident.id}",
                max_attempts=50,
            ),
        )
        if not created:
            async with self._db.engine.connect() as conn:
                existing = (
                    await conn.execute(
                        select(Incident.body_sha256, Incident.status).where(
                            Incident.client_id == incident.client_id, Incident.id == incident.id
                        )
                    )
                ).first()
            if existing is None:
                raise PivotError("incident neither inserted nor found")
            if existing.body_sha256 != fingerprint:
                raise IncidentConflict(incident.id)
            return Accepted(incident.id, new=False, status=existing.status)
        log.info("incident accepted client=%s incident=%s", incident.client_id, incident.id)
        return Accepted(incident.id, new=True)

    def intake_busy(self) -> bool:
        """Webhook deliveries are arriving right now (background jobs may wait a moment)."""
        return self._batcher.busy()

    async def close(self) -> None:
        await self._batcher.close()

    # ---- processing ---------------------------------------------------------------------

    async def handle_process_job(self, job: JobInfo) -> None:
        await self.process(job.payload["client_id"], job.payload["incident_id"], attempt=job.attempts)

    async def process(self, client_id: str, incident_id: str, *, attempt: int = 1) -> str:
        """Run the pipeline once; returns the resulting status. Idempotent."""
        row = await self._pipeline_inputs(client_id, incident_id)
        if row is None:
            raise PermanentFailure("incident or room vanished")
        if row.status in FINAL_STATUSES:
            return str(row.status)
        incident = row
        room = row
        location = row if row.location_id is not None else None
        settings = row if row.scheduling is not None else None
        cached = row if row.checked_at is not None else None
        if not room.calendar_email:
            return await self._set_status(client_id, incident_id, "unmapped_room")
        if settings is None or not settings.scheduling:
            return await self._set_status(client_id, incident_id, "scheduling_off")
        if self._calendars is None:
            raise PermanentFailure("no calendar source configured")
        policy = availability.location_policy(
            setup_hours=settings.settings_hours,
            directory_hours=location.business_hours if location else None,
            horizon_hours=settings.horizon_hours,
            min_window_minutes=settings.min_window_minutes,
            slot_minutes=settings.slot_minutes,
            tentative_blocks=settings.tentative_blocks,
        )
        try:
            mailbox_zone = cached.mailbox_timezone if cached is not None else None
            if cached is None:
                mailbox_zone = await self._calendars.room_timezone(client_id, room.calendar_email)
                if mailbox_zone is not None:  # an unreadable zone is asked again next time
                    await self._cache_zone(client_id, room.calendar_email, mailbox_zone)
            zone = availability.choose_zone(mailbox_zone, location.location_timezone if location else None)
            trigger = as_utc(incident.triggered_at)
            span = availability.read_range(trigger, policy)
            raw = await self._calendars.room_events(client_id, room.calendar_email, span.start, span.end)
        except GraphError as exc:
            await self._set_status(client_id, incident_id, "calendar_unavailable", reason=exc.code, read=True)
            if isinstance(exc, ReconnectNeeded) and not isinstance(exc, NotConnected):
                await self._request_sync_now()
            delay = self._retry_delay(attempt, exc)
            log.warning(
                "calendar unavailable client=%s incident=%s reason=%s retry_in=%.0fs",
                client_id,
                incident_id,
                exc.code,
                delay,
            )
            raise RetryLater(delay, f"calendar_unavailable:{exc.code}") from None
        events = await off_loop(len(raw), _events_from_graph, raw)
        if any(e is None for e in events):
            # An event we cannot place in time might be busy: fail closed rather than offer it.
            await self._set_status(
                client_id, incident_id, "calendar_unavailable", reason="unreadable_event", read=True
            )
            raise RetryLater(self._retry_delay(attempt), "unreadable_event")
        events = [e for e in events if e is not None]
        result = await off_loop(len(events), availability.compute, trigger, zone, events, policy)
        context = await off_loop(len(raw), booked_now_and_next, raw, trigger, zone)
        await self._store_result(client_id, incident_id, result, context)
        self._metrics.incidents.labels(status=result.status).inc()
        log.info(
            "incident processed client=%s incident=%s status=%s slots=%d",
            client_id,
            incident_id,
            result.status,
            len(result.slots),
        )
        return result.status

    def _retry_delay(self, attempt: int, exc: GraphError | None = None) -> float:
        """Backoff for the next calendar read; never sooner than Graph's Retry-After, however long."""
        delay = min(3600.0, self._retry_seconds * (2 ** max(0, attempt - 1)))
        if isinstance(exc, Throttled) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, MAX_RETRY_AFTER_SECONDS))
        return delay

    async def _pipeline_inputs(self, client_id: str, incident_id: str) -> Any:
        """Everything the pipeline needs, in one query (the job path runs once per incident)."""
        stmt = (
            select(
                Incident.status,
                Incident.triggered_at,
                Room.calendar_email,
                Location.id.label("location_id"),
                Location.timezone.label("location_timezone"),
                Location.business_hours,
                LocationSettings.scheduling,
                LocationSettings.horizon_hours,
                LocationSettings.min_window_minutes,
                LocationSettings.slot_minutes,
                LocationSettings.tentative_blocks,
                LocationSettings.business_hours.label("settings_hours"),
                RoomCalendarInfo.mailbox_timezone,
                RoomCalendarInfo.checked_at,
            )
            .join(Room, (Room.client_id == Incident.client_id) & (Room.id == Incident.room_id))
            .outerjoin(Location, (Location.client_id == Room.client_id) & (Location.id == Room.location_id))
            .outerjoin(
                LocationSettings,
                (LocationSettings.client_id == Room.client_id)
                & (LocationSettings.location_id == Room.location_id),
            )
            .outerjoin(
                RoomCalendarInfo,
                (RoomCalendarInfo.client_id == Room.client_id)
                & (RoomCalendarInfo.email == Room.calendar_email),
            )
            .where(Incident.client_id == client_id, Incident.id == incident_id)
        )
        async with self._db.engine.connect() as conn:
            return (await conn.execute(stmt)).first()

    async def _request_sync_now(self) -> None:
        """A lost sign-in seen here is reported to the admins by a sync run now, not at the next hour.

        (At most one such run per 10 minutes; the sync itself does not repeat a reconnect notice.)"""
        bucket = int(datetime.now(UTC).timestamp() // 600)
        async with self._db.session() as session:
            await enqueue(
                session,
                self._db,
                SYNC_NOW_JOB,
                {"slot": f"now-{bucket}"},
                dedupe_key=f"{SYNC_NOW_JOB}:now:{bucket}",
                max_attempts=3,
            )

    async def _cache_zone(self, client_id: str, email: str, zone_name: str | None) -> None:
        async with self._db.session() as session:
            row = await session.get(RoomCalendarInfo, (client_id, email))
            if row is None:
                row = RoomCalendarInfo(client_id=client_id, email=email)
                session.add(row)
            row.mailbox_timezone = zone_name
            row.checked_at = datetime.now(UTC)

    async def _set_status(
        self, client_id: str, incident_id: str, status: str, *, reason: str | None = None, read: bool = False
    ) -> str:
        """Record an outcome and, in the same transaction, queue telling people (once)."""
        values: dict[str, Any] = {"status": status, "status_reason": reason, "updated_at": func.now()}
        if read:
            values["calendar_reads"] = Incident.calendar_reads + 1
        async with self._db.session() as session:
            moved = await session.execute(
                update(Incident)
                .where(
                    Incident.client_id == client_id, Incident.id == incident_id, Incident.status != RESOLVED
                )
                .values(**values)
            )
            if not moved.rowcount:  # type: ignore[attr-defined]
                return RESOLVED  # resolved meanwhile: nobody needs to hear of it now
            await self._queue_notification(session, client_id, incident_id, "new_incident")
        self._metrics.incidents.labels(status=status).inc()
        return status

    async def _queue_notification(self, session: Any, client_id: str, incident_id: str, event: str) -> None:
        await queue_notification(session, self._db, client_id, incident_id, event)

    async def _store_result(
        self, client_id: str, incident_id: str, result: availability.Availability, context: dict[str, str]
    ) -> None:
        async with self._db.session() as session:
            incident = await session.get(Incident, (client_id, incident_id))
            assert incident is not None
            if incident.status in FINAL_STATUSES:
                return  # another run got here first
            if incident.status == "calendar_unavailable":
                # People were told without slots; tell them the slots now.
                await self._queue_notification(session, client_id, incident_id, "slots_update")
            await self._queue_notification(session, client_id, incident_id, "new_incident")
            await session.execute(
                delete(Slot).where(Slot.client_id == client_id, Slot.incident_id == incident_id)
            )
            for seq, slot in enumerate(result.slots):
                session.add(
                    Slot(
                        id=uuid.uuid4().hex,
                        client_id=client_id,
                        incident_id=incident_id,
                        seq=seq,
                        start=slot.start,
                        end=slot.end,
                    )
                )
            incident.status = result.status
            incident.status_reason = None
            incident.timezone = result.zone.key
            incident.window_start = result.window.start
            incident.window_end = result.window.end
            incident.free_windows = [w.to_local_json(result.zone) for w in result.free_windows]
            incident.calendar_reads += 1
            incident.context = context
            incident.updated_at = func.now()

    # ---- read model ---------------------------------------------------------------------

    async def get(self, client_id: str, incident_id: str) -> dict[str, Any] | None:
        """The incident as DESIGN 3.3 shows it, scoped to the caller's client."""
        async with self._db.session() as session:
            incident = await session.get(Incident, (client_id, incident_id))
            if incident is None:
                return None
            slots = (
                await session.scalars(
                    select(Slot)
                    .where(Slot.client_id == client_id, Slot.incident_id == incident_id)
                    .order_by(Slot.seq)
                )
            ).all()
        zone = availability.choose_zone(None, incident.timezone) if incident.timezone else None
        window = None
        if incident.window_start and incident.window_end and zone:
            window = availability.Interval(
                as_utc(incident.window_start), as_utc(incident.window_end)
            ).to_local_json(zone)
        return {
            "id": incident.id,
            "client_id": incident.client_id,
            "room_id": incident.room_id,
            "title": incident.title,
            "severity": incident.severity,
            "triggered_at": as_utc(incident.triggered_at).isoformat().replace("+00:00", "Z"),
            "status": incident.status,
            "status_reason": incident.status_reason,
            "timezone": incident.timezone,
            "window": window,
            "free_windows": incident.free_windows or [],
            "slots": [
                {"id": s.id, **availability.Interval(as_utc(s.start), as_utc(s.end)).to_local_json(zone)}
                for s in slots
                if zone is not None
            ],
            "resolved_at": (
                as_utc(incident.resolved_at).astimezone(zone or UTC).isoformat()
                if incident.resolved_at is not None
                else None
            ),
            "resolution_note": incident.resolution_note,
            "claim": None,
            "notifications": [],
        }


def _events_from_graph(raw: list[dict[str, Any]]) -> list[availability.CalendarEvent | None]:
    return [availability.event_from_graph(item) for item in raw]


def _has_signature_headers(headers: dict[str, str]) -> bool:
    lowered = {k.lower() for k in headers}
    return {"webhook-id", "webhook-timestamp", "webhook-signature"} <= lowered


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also over-long integers
        raise ValueError("malformed JSON") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python accepts them, JSON does not
