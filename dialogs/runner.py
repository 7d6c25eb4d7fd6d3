"""Runs botbuilder dialogs with their state in the database.

Dialog state is kept per user per conversation (`PrivateConversationState`),
so two people in a group chat never share a half-done setup.
"""

from __future__ import annotations

from collections.abc import Iterable

from botbuilder.core import PrivateConversationState, Storage, TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogSet


class DialogRunner:
    def __init__(self, storage: Storage, dialogs: Iterable[Dialog]) -> None:
        self.state = PrivateConversationState(storage)
        self._set = DialogSet(self.state.create_property("DialogState"))
        for dialog in dialogs:
            self._set.add(dialog)

    async def context(self, turn_context: TurnContext) -> DialogContext:
        return await self._set.create_context(turn_context)

    async def save(self, turn_context: TurnContext) -> None:
        await self.state.save_changes(turn_context)

    async def clear(self, turn_context: TurnContext) -> None:
        """Forget this user's dialog state in this conversation (after a failed turn)."""
        await self.state.delete(turn_context)
