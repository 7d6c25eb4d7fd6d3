"""Shared test data for claiming: a directory with several provider people, an incident
with slots written straight to the database, and a stand-in room calendar (the Graph
gateway's `CalendarSource` shape) whose events, latency and failures a test controls."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from services.claims.claim_links import ClaimSigner, ClaimToken
from services.m365.graph_errors import Unavailable
from services.store.database import Database
from services.store.models import Incident, Slot
from tests.conftest import TEST_SECRET_KEY
from tests.samples import directory

PRIYA_AAD = "a0000000-0000-4000-8000-0000000000a4"
SOL_AAD = "a0000000-0000-4000-8000-0000000000a5"
OLGA_AAD = "a0000000-0000-4000-8000-0000000000a6"
SAM_AAD = "a0000000-0000-4000-8000-0000000000a3"
ADA_AAD = "a0000000-0000-4000-8000-0000000000a1"


def next_weekday_at(hour_utc: int, minute: int = 0) -> datetime:
    """`hour_utc`:`minute` UTC on the first weekday after today (business hours ahead, any day)."""
    day = datetime.now(UTC) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour_utc, minute=minute, second=0, microsecond=0)


def crowd_aad(n: int) -> str:
    return f"c0000000-0000-4000-8000-{n:012d}"


def crowd_email(n: int) -> str:
    return f"tech{n:03d}@acme.example"


def claim_directory(crowd: int = 0) -> dict[str, Any]:
    """The sample directory plus Priya (provider), Sol (subcontractor), Olga (another provider
    that also covers HQ but is not the one assigned to it) and `crowd` more Acme technicians."""
    doc = directory()
    doc["service_providers"].append(
        {"id": "beta-it", "name": "Beta IT", "email": "desk@beta.example", "location_ids": ["hq"]}
    )
    people = [
        ("u-priya", "Priya Provider", "priya@acme.example", "service_provider", PRIYA_AAD, "acme-av"),
        ("u-sol", "Sol Subcontractor", "sol@sparks.example", "subcontractor", SOL_AAD, "acme-av"),
        ("u-olga", "Olga Other", "olga@beta.example", "service_provider", OLGA_AAD, "beta-it"),
    ]
    people += [
        (f"u-tech{n:03d}", f"Tech {n:03d}", crowd_email(n), "service_provider", crowd_aad(n), "acme-av")
        for n in range(crowd)
    ]
    for user_id, name, email, role, aad, provider in people:
        doc["users"].append(
            {
                "id": user_id,
                "name": name,
                "email": email,
                "role": role,
                "aad_object_id": aad,
                "service_provider_id": provider,
                # The crowd only claims: keep the incident's fan-out small.
                "notify": {"email": not user_id.startswith("u-tech"), "teams": False},
            }
        )
    return doc


def assign_acme() -> dict[str, Any]:
    """Setup's choice for HQ: Acme AV (so Beta IT, which also covers HQ, may not claim)."""
    return {
        "client_id": "contoso",
        "locations": {"hq": {"scheduling": True, "service_provider_id": "acme-av"}},
    }


async def seed_incident(
    db: Database,
    *,
    incident_id: str = "INC-1",
    first_slot: datetime,
    slots: int = 3,
    status: str = "notified",
    triggered_at: datetime | None = None,
) -> list[str]:
    """An incident in HQ's room 4B with hourly slots from `first_slot`; returns the slot ids."""
    trigger = triggered_at or first_slot - timedelta(hours=1)
    ids = [f"{incident_id.lower()}-s{n}" for n in range(slots)]
    async with db.session() as session:
        session.add(
            Incident(
                client_id="contoso",
                id=incident_id,
                room_id="hq-4b",
                triggered_at=trigger,
                title="Display offline",
                severity="high",
                body_sha256="x",
                status=status,
                timezone="America/New_York",
                window_start=trigger,
                window_end=trigger + timedelta(hours=48),
                free_windows=[],
                calendar_reads=1,
            )
        )
        await session.flush()
        for n, slot_id in enumerate(ids):
            session.add(
                Slot(
                    id=slot_id,
                    client_id="contoso",
                    incident_id=incident_id,
                    seq=n,
                    start=first_slot + timedelta(hours=n),
                    end=first_slot + timedelta(hours=n + 1),
                )
            )
    return ids


def graph_event(start: datetime, end: datetime, subject: str = "Meeting", **extra: Any) -> dict[str, Any]:
    """A calendarView item as Graph returns it with `Prefer: outlook.timezone="UTC"`."""
    return {
        "subject": subject,
        "start": {"dateTime": start.astimezone(UTC).replace(tzinfo=None).isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": end.astimezone(UTC).replace(tzinfo=None).isoformat(), "timeZone": "UTC"},
        "showAs": "busy",
        "isAllDay": False,
        "isCancelled": False,
        **extra,
    }


class RoomCalendar:
    """A room calendar behind the `CalendarSource` interface: events, latency, outage, reads."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.delay = 0.0
        self.down = False
        self.reads = 0

    async def room_timezone(self, client_id: str, room_email: str) -> str | None:
        return "Eastern Standard Time"

    async def room_events(
        self, client_id: str, room_email: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        self.reads += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise Unavailable("Graph answered 503")
        return list(self.events)


def claim_token(
    slot_id: str,
    email: str,
    slot_start: datetime,
    *,
    incident_id: str = "INC-1",
    client_id: str = "contoso",
    secret: str = TEST_SECRET_KEY,
) -> str:
    """A claim link token, as the incident e-mail carries it."""
    return ClaimSigner([secret]).sign(ClaimToken(client_id, incident_id, slot_id, email, slot_start))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
