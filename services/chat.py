"""The app's own view of a chat turn: who is talking, where, and what they said.

The Bot Framework edge converts activities into these types; nothing below
`bot/` ever sees an `Activity`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatUser:
    """A Teams user as the channel reports them."""

    teams_id: str
    aad_object_id: str | None
    name: str | None
    tenant_id: str | None


@dataclass(frozen=True)
class ChatPlace:
    """Where a turn happens."""

    conversation_id: str
    conversation_type: str  # personal | groupChat | channel
    tenant_id: str | None
    team_id: str | None = None


@dataclass(frozen=True)
class ChatMessage:
    """A text message with the bot's @mention already removed."""

    user: ChatUser
    place: ChatPlace
    text: str
    activity_id: str | None = None
    # The reader's locale as Teams reports it ("en-US"), for writing dates and times.
    locale: str | None = None
