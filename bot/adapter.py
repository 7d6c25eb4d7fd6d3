"""The Bot Framework adapter: inbound JWT validation and the turn error handler."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from services import texts
from services.config import Settings

log = logging.getLogger(__name__)

# msrest builds a retry policy for every connector client (one per proactive post) by testing
# 999 codes for membership in this 500-item list: ~3 ms of CPU each time. A set, same policy.
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


@dataclass(frozen=True)
class BotAuthConfig:
    """The attribute names botbuilder's configuration readers expect."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def create_adapter(settings: Settings, clear_state: Callable[[TurnContext], Awaitable[None]]) -> CloudAdapter:
    """With an app id, every inbound request must carry a valid Bot Framework JWT."""
    config = BotAuthConfig(
        APP_ID=settings.MICROSOFT_APP_ID,
        APP_PASSWORD=settings.MICROSOFT_APP_PASSWORD.get_secret_value(),
        APP_TYPE=settings.MICROSOFT_APP_TYPE.value,
        APP_TENANTID=settings.MICROSOFT_APP_TENANT_ID,
    )
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        # Ids and the stack only: exception text may quote what the user wrote.
        log.error(
            "turn failed activity=%s type=%s conversation=%s error=%s\n%s",
            activity.id,
            activity.type,
            activity.conversation.id if activity.conversation else None,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        try:
            await context.send_activity(texts.TURN_ERROR)
        except Exception as exc:
            log.warning("could not tell the user about the failed turn: %s", type(exc).__name__)
        try:
            await clear_state(context)
        except Exception as exc:
            log.warning("could not clear dialog state: %s", type(exc).__name__)

    adapter.on_turn_error = on_turn_error
    return adapter
