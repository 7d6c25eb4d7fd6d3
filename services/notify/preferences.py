"""A user's notification preferences: the directory's `notify` unless the user chose otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from services.store.database import Database
from services.store.models import User
from services.store.notification_models import UserPreferences

EVENTS = ("new_incident", "slot_claimed", "slot_released")


@dataclass(frozen=True)
class Preferences:
    email: bool
    teams: bool
    events: dict[str, bool]

    def wants(self, channel: str, event: str) -> bool:
        event = "new_incident" if event == "slots_update" else event
        on = self.email if channel == "email" else self.teams
        return on and self.events.get(event, True)

    def as_json(self) -> dict[str, Any]:
        return {"email": self.email, "teams": self.teams, "events": dict(self.events)}


def from_directory(notify: dict[str, Any] | None) -> Preferences:
    notify = notify or {}
    return Preferences(
        email=bool(notify.get("email", True)),
        teams=bool(notify.get("teams", True)),
        events=dict.fromkeys(EVENTS, True),
    )


class PreferencesService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, client_id: str, user_id: str) -> Preferences | None:
        async with self._db.session() as session:
            own = await session.get(UserPreferences, (client_id, user_id))
            user = await session.get(User, (client_id, user_id))
        if own is not None:
            return Preferences(own.email, own.teams, {e: bool(own.events.get(e, True)) for e in EVENTS})
        return from_directory(user.notify) if user is not None else None

    async def save(self, client_id: str, user_id: str, prefs: Preferences) -> None:
        async with self._db.session() as session:
            row = await session.get(UserPreferences, (client_id, user_id))
            if row is None:
                session.add(
                    UserPreferences(
                        client_id=client_id,
                        user_id=user_id,
                        email=prefs.email,
                        teams=prefs.teams,
                        events=dict(prefs.events),
                    )
                )
                return
            row.email, row.teams, row.events = prefs.email, prefs.teams, dict(prefs.events)
            row.updated_at = func.now()
