"""Card actions: buttons carry an action id; a registry dispatches it.

Works for `Action.Execute` (invoke `adaptiveCard/action`, the verb is the id)
and for `Action.Submit` (a message whose value has `"action"`), so a button is
handled the same way whichever the client sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.commands import CommandContext
from cards.basics import not_for_you_card
from services import texts


@dataclass
class ActionContext(CommandContext):
    data: dict[str, Any] | None = None
    via_invoke: bool = False


# A handler may return a card to replace the clicked one (invoke) or None.
ActionHandler = Callable[[ActionContext], Awaitable[dict[str, Any] | None]]


class ActionRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, ActionHandler] = {}

    def action(self, name: str) -> Callable[[ActionHandler], ActionHandler]:
        def register(handler: ActionHandler) -> ActionHandler:
            if name in self._handlers:
                raise ValueError(f"action {name!r} registered twice")
            self._handlers[name] = handler
            return handler

        return register

    def get(self, name: object) -> ActionHandler | None:
        return self._handlers.get(name) if isinstance(name, str) else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._handlers


async def not_for_you(ctx: ActionContext) -> dict[str, Any] | None:
    """The neutral answer to a card action the clicker may not use: it names nothing."""
    if ctx.via_invoke:
        return not_for_you_card()
    await ctx.replies.say(texts.CARD_NOT_FOR_YOU)
    return None
