"""A botbuilder `Storage` on the app's database, so dialog state survives restarts
and is shared safely by several app instances (e-tag compare-and-swap)."""

from __future__ import annotations

from typing import Any

import jsonpickle
from botbuilder.core import Storage, StoreItem

from services.store.state_store import StateStore

_ETAG = "e_tag"


class DatabaseStorage(Storage):
    """Serialises state objects with jsonpickle (the stored data is trusted: our own DB)."""

    def __init__(self, store: StateStore) -> None:
        super().__init__()
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        found = await self._store.read(keys)
        out: dict[str, Any] = {}
        for key, (etag, data) in found.items():
            value = jsonpickle.decode(data, keys=True)  # noqa: S301 - our own database, not user input
            if isinstance(value, dict):
                value[_ETAG] = etag
            elif isinstance(value, StoreItem):
                value.e_tag = etag
            out[key] = value
        return out

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required")
        for key, change in changes.items():
            if isinstance(change, dict):
                expected = change.get(_ETAG)
                payload = {k: v for k, v in change.items() if k != _ETAG}
            else:
                expected = getattr(change, _ETAG, None)
                payload = change
            data = jsonpickle.encode(payload, keys=True)
            new_etag = await self._store.write(key, data, expected)
            if isinstance(change, dict):
                change[_ETAG] = new_etag
            elif hasattr(change, _ETAG):
                change.e_tag = new_etag

    async def delete(self, keys: list[str]) -> None:
        await self._store.delete(keys)
