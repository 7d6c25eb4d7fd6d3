"""Integration configuration as code (DESIGN 3.8): the settings the setup wizard
collects, applied all or nothing. Fields left out keep their current values."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.directory.schema import check_business_hours, is_email
from services.domain import escalation as esc
from services.domain.availability import DEFAULT_POLICY
from services.errors import FieldProblem, ValidationFailed
from services.store.database import Database
from services.store.models import (
    Client,
    ConversationRef,
    Integration,
    Location,
    LocationSettings,
    Room,
    ServiceProvider,
)

DEFAULTS = {
    "scheduling": False,
    "service_provider_id": None,
    "sla_hours": None,
    "horizon_hours": int(DEFAULT_POLICY.horizon_hours),
    "min_window_minutes": int(DEFAULT_POLICY.min_window_minutes),
    "slot_minutes": int(DEFAULT_POLICY.slot_minutes),
    "tentative_blocks": DEFAULT_POLICY.tentative_blocks,
    "teams_channel": None,
    "business_hours": None,
    "book_room": False,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CalendarDoc(_Strict):
    owner: str
    id: str = Field(min_length=1, max_length=512)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        if not is_email(value):
            raise ValueError("not a valid e-mail address")
        return value.lower()


class EscalationDoc(_Strict):
    """DESIGN 3.12: minutes after the first notice (or a release); null turns the step off."""

    remind_after_minutes: int | None = Field(default=None, ge=1, le=10080)
    client_after_minutes: int | None = Field(default=None, ge=1, le=10080)


class LocationDoc(_Strict):
    scheduling: bool | None = None
    service_provider_id: str | None = None
    sla_hours: float | None = Field(default=None, gt=0, le=720)
    horizon_hours: int | None = Field(default=None, ge=1, le=336)
    min_window_minutes: int | None = Field(default=None, ge=5, le=1440)
    slot_minutes: int | None = Field(default=None, ge=15, le=480)
    tentative_blocks: bool | None = None
    teams_channel: str | None = None
    book_room: bool = False  # DESIGN 3.11 (null is refused: on or off)
    # Extension of DESIGN 3.8: per-location business hours (directory shape); null = the directory's.
    business_hours: dict[str, list[str] | None] | None = None
    # DESIGN 3.8/3.12; fields left out keep their values, `null` for the whole object = the defaults.
    escalation: EscalationDoc | None = None

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str] | None] | None) -> dict[str, list[str] | None] | None:
        return check_business_hours(value)


class ConfigDoc(_Strict):
    client_id: str
    calendar: CalendarDoc | None = None
    locations: dict[str, LocationDoc] = Field(default_factory=dict)
    room_map: dict[str, str | None] = Field(default_factory=dict)


def _problems(exc: ValidationError) -> list[FieldProblem]:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(document)"
        message = (
            "unknown field" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        )
        out.append(FieldProblem(path, message))
    return out


class IntegrationConfigService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def apply(self, data: Any, *, source: str = "configure") -> dict[str, Any]:
        """Validate everything, then write everything in one transaction."""
        doc = _parse(data)
        # Only fields actually present count ("fields left out keep their current values").
        raw_locations = data.get("locations") or {}
        async with self._db.session() as session:
            emails = await _check_references(session, doc)
            calendar = await _write_calendar(session, doc)
            locations = await _write_locations(session, doc, raw_locations)
            rooms = await _write_room_map(session, doc, source)
            await _refuse_clashes(session, doc.client_id, emails)
        changed = {"locations": locations, "rooms": rooms, "calendar": calendar}
        return {"client_id": doc.client_id, "changed": changed}

    async def location_settings(self, client_id: str, location_id: str) -> dict[str, Any]:
        async with self._db.session() as session:
            row = await session.get(LocationSettings, (client_id, location_id))
        if row is None:
            return {**DEFAULTS, "escalation": effective_escalation(None, None)}
        return {
            **{k: getattr(row, k) for k in DEFAULTS},
            "escalation": effective_escalation(row.sla_hours, row.escalation),
        }


def merge_escalation(stored: dict[str, Any] | None, given: Any) -> dict[str, Any] | None:
    """The stored `escalation` after applying a (validated) document's: keys given win, keys
    left out keep their values; `null` for the whole object goes back to the defaults."""
    if given is None:
        return None
    merged = dict(stored or {})
    merged.update({k: given[k] for k in esc.KEYS if k in given})
    return merged


def effective_escalation(sla_hours: float | None, stored: dict[str, Any] | None) -> dict[str, int | None]:
    steps = esc.escalation_for(sla_hours, stored)
    return {esc.REMIND_KEY: steps.remind_after_minutes, esc.CLIENT_KEY: steps.client_after_minutes}


def _parse(data: Any) -> ConfigDoc:
    if not isinstance(data, dict):
        raise ValidationFailed("configuration", [FieldProblem("(document)", "must be a JSON object")])
    try:
        return ConfigDoc.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("configuration", _problems(exc)) from None


async def _check_references(session: AsyncSession, doc: ConfigDoc) -> dict[str, str]:
    """Every id the document names exists (and every channel is one the bot is in); the
    room map's e-mails are valid and distinct. Returns them, lower case, to their room."""
    if await session.get(Client, doc.client_id) is None:
        raise ValidationFailed("configuration", [FieldProblem("client_id", "unknown client")])
    problems: list[FieldProblem] = []
    for loc_id, loc in doc.locations.items():
        base = f"locations.{loc_id}"
        if await session.get(Location, (doc.client_id, loc_id)) is None:
            problems.append(FieldProblem(base, "unknown location"))
            continue
        if loc.service_provider_id is not None:
            provider = await session.get(ServiceProvider, (doc.client_id, loc.service_provider_id))
            if provider is None:
                problems.append(FieldProblem(f"{base}.service_provider_id", "unknown service provider"))
        if loc.teams_channel is not None:
            ref = await session.get(ConversationRef, loc.teams_channel)
            if ref is None or ref.conversation_type != "channel" or not ref.active:
                problems.append(
                    FieldProblem(f"{base}.teams_channel", "not a channel the bot is installed in")
                )
    emails: dict[str, str] = {}
    for room_id, email in doc.room_map.items():
        if await session.get(Room, (doc.client_id, room_id)) is None:
            problems.append(FieldProblem(f"room_map.{room_id}", "unknown room"))
        if email is None:
            continue
        if not is_email(email):
            problems.append(FieldProblem(f"room_map.{room_id}", "not a valid e-mail address"))
        elif email.lower() in emails:
            problems.append(
                FieldProblem(f"room_map.{room_id}", f"same calendar room as {emails[email.lower()]}")
            )
        else:
            emails[email.lower()] = room_id
    if problems:
        raise ValidationFailed("configuration", problems)
    return emails


async def _write_calendar(session: AsyncSession, doc: ConfigDoc) -> int:
    """1 when the client's calendar changed."""
    if doc.calendar is None:
        return 0
    integration = await session.get(Integration, doc.client_id)
    if integration is None:
        integration = Integration(client_id=doc.client_id, needs_reconnect=False)
        session.add(integration)
    if (integration.calendar_owner, integration.calendar_id) == (doc.calendar.owner, doc.calendar.id):
        return 0
    integration.calendar_owner = doc.calendar.owner
    integration.calendar_id = doc.calendar.id
    return 1


async def _write_locations(session: AsyncSession, doc: ConfigDoc, raw: dict[str, Any]) -> int:
    """The locations whose settings changed; a field left out keeps its value."""
    changed = 0
    for loc_id, loc in doc.locations.items():
        row = await session.get(LocationSettings, (doc.client_id, loc_id))
        if row is None:
            row = LocationSettings(client_id=doc.client_id, location_id=loc_id, **DEFAULTS)
            session.add(row)
        present = raw.get(loc_id) or {}
        updates = {k: getattr(loc, k) for k in DEFAULTS if k in present}
        if "escalation" in present:
            updates["escalation"] = merge_escalation(row.escalation, present["escalation"])
        if any(getattr(row, k) != v for k, v in updates.items()) or row in session.new:
            changed += 1
        for key, value in updates.items():
            setattr(row, key, value)
    return changed


async def _write_room_map(session: AsyncSession, doc: ConfigDoc, source: str) -> int:
    """The rooms whose calendar mapping changed (recorded with where it came from)."""
    changed = 0
    for room_id, email in doc.room_map.items():
        room = await session.get(Room, (doc.client_id, room_id))
        assert room is not None
        target = email.lower() if email else None
        if room.calendar_email != target:
            room.calendar_email = target
            room.mapping_source = source if target else None
            changed += 1
    return changed


async def _refuse_clashes(session: AsyncSession, client_id: str, emails: dict[str, str]) -> None:
    """Another room already mapped to one of these e-mails (not in this document) is a conflict:
    the whole document is refused (the transaction rolls back)."""
    await session.flush()
    for email, room_id in emails.items():
        clash = (
            (
                await session.execute(
                    select(Room.id).where(
                        Room.client_id == client_id, Room.calendar_email == email, Room.id != room_id
                    )
                )
            )
            .scalars()
            .first()
        )
        if clash is not None:
            raise ValidationFailed(
                "configuration",
                [FieldProblem(f"room_map.{room_id}", f"calendar room already mapped to {clash}")],
            )
