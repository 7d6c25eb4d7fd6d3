"""What the setup wizard reads and writes (guide steps 4–7), free of Bot Framework.

Reads come from Microsoft Graph (calendars, rooms) and the directory; every
write goes through `IntegrationConfigService.apply`, the same code as
`app.py configure`, so the wizard and configuration as code cannot disagree.
Everything returned here is plain JSON, because the dialog keeps it in its
persisted state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from services.directory.schema import WEEKDAYS
from services.domain.automap import propose
from services.errors import FieldProblem, ValidationFailed
from services.integration.calendar_rooms import calendar_rooms
from services.integration.client_secrets import ClientSecrets, IssuedSecrets
from services.integration.configuration import DEFAULTS, IntegrationConfigService
from services.integration.room_checks import RoomAccess, check_rooms
from services.integration.sync_memory import SyncMemory
from services.m365.graph_gateway import GraphGateway
from services.notify.conversations import ConversationDirectory
from services.offload import off_loop
from services.store.database import Database
from services.store.models import Integration, Location, Room, ServiceProvider

SOURCE = "setup"
# What the profile step suggests for an SLA not set yet (hours to respond; DESIGN 3.8's example).
DEFAULT_SLA_HOURS = 4
SUGGESTIONS = 3  # automap guesses shown per unmapped pivot room in the review step
DEFAULT_HOURS: dict[str, list[str] | None] = {
    day: (["08:00", "17:00"] if day not in ("sat", "sun") else None) for day in WEEKDAYS
}


@dataclass(frozen=True)
class SaveOutcome:
    """`problems` is empty when the change was applied."""

    problems: list[FieldProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _owner_address(calendar: dict[str, Any], fallback: str | None) -> str | None:
    owner = calendar.get("owner")
    address = owner.get("address") if isinstance(owner, dict) else None
    return address.lower() if isinstance(address, str) and address else fallback


class SetupService:
    def __init__(
        self,
        db: Database,
        graph: GraphGateway,
        integration: IntegrationConfigService,
        conversations: ConversationDirectory,
        secrets: ClientSecrets,
        memory: SyncMemory,
    ) -> None:
        self._db = db
        self._graph = graph
        self._integration = integration
        self._conversations = conversations
        self._secrets = secrets
        self._memory = memory

    async def _apply(self, doc: dict[str, Any]) -> SaveOutcome:
        try:
            await self._integration.apply(doc, source=SOURCE)
        except ValidationFailed as exc:
            return SaveOutcome(list(exc.problems))
        return SaveOutcome([])

    # ---- step 4: calendar and location -------------------------------------------------------

    async def calendars(self, client_id: str, signed_in_upn: str | None) -> list[dict[str, str]]:
        """The service account's calendars, own and shared: id, name, owner (lower case)."""
        found = await self._graph.list_calendars(client_id)
        out = []
        for item in found:
            cal_id, name = item.get("id"), item.get("name")
            owner = _owner_address(item, (signed_in_upn or "").lower() or None)
            if isinstance(cal_id, str) and cal_id and owner:
                out.append({"id": cal_id, "name": str(name or cal_id), "owner": owner})
        return out

    async def locations(self, client_id: str) -> list[dict[str, Any]]:
        async with self._db.session() as session:
            rows = await session.scalars(
                select(Location).where(Location.client_id == client_id).order_by(Location.name, Location.id)
            )
            return [{"id": r.id, "name": r.name} for r in rows]

    async def current_calendar(self, client_id: str) -> dict[str, str] | None:
        async with self._db.session() as session:
            row = await session.get(Integration, client_id)
        if row is None or not row.calendar_id or not row.calendar_owner:
            return None
        return {"owner": row.calendar_owner, "id": row.calendar_id}

    async def save_calendar(self, client_id: str, owner: str, calendar_id: str) -> SaveOutcome:
        return await self._apply({"client_id": client_id, "calendar": {"owner": owner, "id": calendar_id}})

    # ---- step 5: room mapping ----------------------------------------------------------------

    async def mapping_plan(
        self, client_id: str, location_id: str, calendar: dict[str, str] | None
    ) -> dict[str, Any]:
        """Calendar rooms, this location's pivot rooms, and automap's proposal (JSON).

        Rows are per pivot room: its current calendar room, the proposal and its
        score. Calendar rooms already mapped to another location's rooms are
        left out (one calendar room serves one pivot room).
        """
        owner_id = (calendar["owner"], calendar["id"]) if calendar else None
        found = await calendar_rooms(self._graph, client_id, owner_id)
        await self._memory.remember_rooms(client_id, {r.email: r.name for r in found})
        async with self._db.session() as session:
            rooms = list(
                await session.scalars(
                    select(Room).where(Room.client_id == client_id).order_by(Room.name, Room.id)
                )
            )
        here = [r for r in rooms if r.location_id == location_id]
        elsewhere = {r.calendar_email for r in rooms if r.location_id != location_id and r.calendar_email}
        candidates = [r.as_json() for r in found if r.email not in elsewhere]
        known = {c["email"] for c in candidates}
        for room in here:  # keep a current mapping selectable even if Microsoft 365 no longer lists it
            if room.calendar_email and room.calendar_email not in known:
                candidates.append(
                    {"email": room.calendar_email, "name": room.calendar_email, "in_places": False}
                )
                known.add(room.calendar_email)
        taken = {r.calendar_email for r in here if r.calendar_email}
        open_rooms = [c for c in candidates if c["email"] not in taken]
        open_pivot = [r for r in here if not r.calendar_email]
        proposal: dict[str, tuple[str, float]] = {}
        suggestions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if open_rooms and open_pivot:
            pairs = await off_loop(
                len(open_rooms) * len(open_pivot) // 100,
                propose,
                [{"name": c["name"], "email": c["email"]} for c in open_rooms],
                [{"id": r.id, "name": r.name} for r in open_pivot],
                candidates=SUGGESTIONS,
            )
            proposal = {p["pivot_room"]: (p["calendar_room"], p["score"]) for p in pairs if p["pivot_room"]}
            for p in pairs:  # unmapped calendar rooms' ranked guesses, filed under each pivot room
                for c in p.get("candidates", []):
                    suggestions[c["pivot_room"]].append({"email": p["calendar_room"], "score": c["score"]})
        rows = []
        for room in here:
            proposed, score = proposal.get(room.id, (None, None))
            rows.append(
                {
                    "room_id": room.id,
                    "room_name": room.name,
                    "current": room.calendar_email,
                    "proposed": room.calendar_email or proposed,
                    "score": None if room.calendar_email else score,
                    "suggestions": []
                    if room.calendar_email or proposed
                    else sorted(suggestions.get(room.id, []), key=lambda s: (-s["score"], s["email"]))[
                        :SUGGESTIONS
                    ],
                }
            )
        return {"location_id": location_id, "rooms": candidates, "rows": rows}

    async def save_mapping(
        self, client_id: str, room_map: dict[str, str | None]
    ) -> tuple[SaveOutcome, dict[str, RoomAccess]]:
        """Apply the mapping, then test-read each mapped room's calendar once."""
        outcome = await self._apply({"client_id": client_id, "room_map": room_map})
        if not outcome.ok:
            return outcome, {}
        emails = [e for e in room_map.values() if e]
        return outcome, await check_rooms(self._db, self._graph, client_id, emails)

    # ---- step 6: automated scheduling ----------------------------------------------------------

    async def save_scheduling(self, client_id: str, location_id: str, on: bool) -> SaveOutcome:
        return await self._apply({"client_id": client_id, "locations": {location_id: {"scheduling": on}}})

    # ---- step 7: service provider profile ------------------------------------------------------

    async def profile_defaults(self, client_id: str, location_id: str) -> dict[str, Any]:
        """Current settings; where unset, what the directory knows (the provider it assigns
        to the location, its business hours) and the defaults (DESIGN 3.5, a 4-hour SLA)."""
        current = await self._integration.location_settings(client_id, location_id)
        async with self._db.session() as session:
            location = await session.get(Location, (client_id, location_id))
        hours = current.get("business_hours") or (location.business_hours if location else None)
        values = {k: current.get(k, v) for k, v in DEFAULTS.items()}
        values["business_hours"] = hours or dict(DEFAULT_HOURS)
        if not values.get("service_provider_id"):
            serving = await self._serving_providers(client_id, location_id)
            if serving:
                values["service_provider_id"] = serving[0].id
        if values.get("sla_hours") is None:
            values["sla_hours"] = DEFAULT_SLA_HOURS
        values["escalation"] = current["escalation"]  # the steps in effect (DESIGN 3.12)
        return values

    async def _serving_providers(self, client_id: str, location_id: str) -> list[ServiceProvider]:
        """The client's providers that the directory assigns to this location, by name."""
        return [p for p in await self._client_providers(client_id) if location_id in (p.location_ids or [])]

    async def _client_providers(self, client_id: str) -> list[ServiceProvider]:
        async with self._db.session() as session:
            rows = list(
                await session.scalars(
                    select(ServiceProvider)
                    .where(ServiceProvider.client_id == client_id)
                    .order_by(ServiceProvider.name, ServiceProvider.id)
                )
            )
        return rows

    async def providers(self, client_id: str, location_id: str) -> list[dict[str, str]]:
        """Service providers serving this location first; every provider of the client as options."""
        rows = await self._client_providers(client_id)
        serving = [p for p in rows if location_id in (p.location_ids or [])]
        others = [p for p in rows if location_id not in (p.location_ids or [])]
        return [{"id": p.id, "name": p.name} for p in [*serving, *others]]

    async def channels(self, tenant_id: str | None) -> list[dict[str, str]]:
        """Teams channels the bot is installed in (in the admin's tenant), by name."""
        found = [c for c in await self._conversations.channels(tenant_id) if c.active]
        out = [{"id": c.conversation_id, "name": c.channel_name or c.conversation_id} for c in found]
        return sorted(out, key=lambda c: (c["name"].casefold(), c["id"]))

    async def save_profile(self, client_id: str, location_id: str, values: dict[str, Any]) -> SaveOutcome:
        return await self._apply({"client_id": client_id, "locations": {location_id: values}})

    # ---- summary ------------------------------------------------------------------------------

    async def issue_secrets(self, client_id: str) -> IssuedSecrets | None:
        """The client's secrets, issued once (None when setup completed before)."""
        return await self._secrets.issue_first(client_id)
