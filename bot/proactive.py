"""Proactive Teams messages: post a card into a stored conversation, update it in
place later, and open a 1:1 chat with a user who never wrote to the bot.

Failures become three domain errors the notification jobs act on: the route is
gone (403/404: bot blocked or uninstalled), a transient failure (429/5xx, with
Retry-After when Teams gives one), or anything else (permanent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationParameters

from cards.attachment import card_attachment
from dialogs.activity_facts import reference_from_json, reference_to_json
from services.errors import PivotError

log = logging.getLogger(__name__)
MAX_PER_SECOND = 7  # Teams' per-conversation limit: 7 messages in any one second
WINDOW_SECONDS = 1.03  # a little over a second: network jitter must not make 8 arrive within one


class RouteInactive(PivotError):
    """The bot can no longer post there (blocked, uninstalled, conversation gone)."""


class TeamsTransient(PivotError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TeamsPermanent(PivotError):
    """Teams refused the message for a reason retrying will not fix."""


def _classify(exc: Exception) -> PivotError:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    if status in (403, 404):
        return RouteInactive(f"teams answered {status}")
    if status == 429 or (isinstance(status, int) and status >= 500) or status is None:
        retry_after = None
        raw = headers.get("Retry-After") if hasattr(headers, "get") else None
        if raw:
            try:
                retry_after = float(raw)
            except ValueError:
                retry_after = None
        return TeamsTransient(f"teams answered {status or type(exc).__name__}", retry_after)
    return TeamsPermanent(f"teams answered {status}")


class Pacer:
    """At most `MAX_PER_SECOND` sends per conversation per second, in this process."""

    def __init__(self, per_second: int = MAX_PER_SECOND) -> None:
        self._per_second = per_second
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, conversation_id: str) -> None:
        async with self._locks[conversation_id]:
            window = self._sent[conversation_id]
            now = time.monotonic()
            while window and now - window[0] >= WINDOW_SECONDS:
                window.popleft()
            if len(window) >= self._per_second:
                await asyncio.sleep(WINDOW_SECONDS - (now - window[0]))
                window.popleft()
            window.append(time.monotonic())


class TeamsMessenger:
    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self.pacer = Pacer()

    async def post_card(self, reference: dict[str, Any], card: dict[str, Any]) -> str | None:
        """Send a card as its own activity (so it can be updated later); returns its activity id."""
        ref = reference_from_json(reference)
        await self.pacer.wait(ref.conversation.id)
        result: dict[str, str | None] = {"id": None}

        async def send(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(
                Activity(type=ActivityTypes.message, attachments=[card_attachment(card)])
            )
            result["id"] = response.id if response else None

        await self._run(ref, send)
        return result["id"]

    async def _run(self, ref: Any, logic: Any) -> None:
        """continue_conversation, with the callback's failure surfaced to the caller.

        (The adapter would otherwise hand it to the turn error handler, which tells
        the *user* something went wrong: wrong for a message they never asked for.)
        """
        failure: list[Exception] = []

        async def guarded(turn_context: TurnContext) -> None:
            try:
                await logic(turn_context)
            except Exception as exc:
                failure.append(exc)

        try:
            await self._adapter.continue_conversation(ref, guarded, self._app_id)
        except Exception as exc:
            raise _classify(exc) from None
        if failure:
            raise _classify(failure[0]) from None

    async def update_card(self, reference: dict[str, Any], activity_id: str, card: dict[str, Any]) -> None:
        ref = reference_from_json(reference)
        await self.pacer.wait(ref.conversation.id)

        async def update(turn_context: TurnContext) -> None:
            activity = Activity(
                type=ActivityTypes.message, id=activity_id, attachments=[card_attachment(card)]
            )
            activity.conversation = ref.conversation
            await turn_context.update_activity(activity)

        await self._run(ref, update)

    async def open_personal_chat(
        self, *, service_url: str, tenant_id: str | None, member_id: str, bot_id: str | None = None
    ) -> dict[str, Any]:
        """Create (or get) the 1:1 chat with a user; returns its conversation reference as JSON."""
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=bot_id or self._app_id) if (bot_id or self._app_id) else None,
            members=[ChannelAccount(id=member_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        captured: dict[str, Any] = {}

        async def remember(turn_context: TurnContext) -> None:
            captured["ref"] = TurnContext.get_conversation_reference(turn_context.activity)

        try:
            await self._adapter.create_conversation(self._app_id, remember, params, "msteams", service_url)
        except Exception as exc:
            raise _classify(exc) from None
        ref = captured["ref"]
        ref.service_url = ref.service_url or service_url
        return reference_to_json(ref)
