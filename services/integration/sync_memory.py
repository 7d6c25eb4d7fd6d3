"""What sync remembers between runs, per client: the rooms it last saw (by e-mail,
with their names, to tell new, renamed and removed rooms apart), which
unreadable rooms it already reported, and when it reported a lost sign-in.

Kept as a JSON blob in the durable key/value store (the one dialog state uses),
under a key of its own, so no schema change is needed for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.store.state_store import StateStore

KEY_PREFIX = "pivot-sync/"


@dataclass
class Memory:
    rooms: dict[str, str] | None = None  # None: never looked
    reported_unreadable: list[str] = field(default_factory=list)
    reconnect_reported_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rooms": self.rooms,
            "reported_unreadable": sorted(set(self.reported_unreadable)),
            "reconnect_reported_at": self.reconnect_reported_at,
        }

    @classmethod
    def from_json(cls, data: Any) -> Memory:
        if not isinstance(data, dict):
            return cls()
        rooms = data.get("rooms")
        return cls(
            rooms={str(k): str(v) for k, v in rooms.items()} if isinstance(rooms, dict) else None,
            reported_unreadable=[str(e) for e in data.get("reported_unreadable") or []],
            reconnect_reported_at=data.get("reconnect_reported_at"),
        )


class SyncMemory:
    def __init__(self, state: StateStore) -> None:
        self._state = state

    async def load(self, client_id: str) -> Memory:
        key = KEY_PREFIX + client_id
        found = await self._state.read([key])
        if key not in found:
            return Memory()
        try:
            return Memory.from_json(json.loads(found[key][1]))
        except ValueError:
            return Memory()

    async def save(self, client_id: str, memory: Memory) -> None:
        await self._state.write(KEY_PREFIX + client_id, json.dumps(memory.as_json()), None)

    async def remember_rooms(self, client_id: str, rooms: dict[str, str]) -> None:
        """Setup saw these rooms: sync reports changes from here on."""
        memory = await self.load(client_id)
        memory.rooms = dict(rooms)
        await self.save(client_id, memory)
