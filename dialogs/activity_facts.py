"""Plain facts read off a Bot Framework activity: its tenant, and conversation references as JSON.

Shared by the bot edge (bot/convert.py) and the dialogs, so it sits in the lower layer: the
dialogs never import bot/."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ConversationReference
from botbuilder.schema.teams import TeamsChannelData


def channel_data(activity: Activity) -> TeamsChannelData | None:
    if not activity.channel_data:
        return None
    try:
        return TeamsChannelData().deserialize(activity.channel_data)
    except Exception:  # malformed channel data must not break the turn
        return None


def _conversation_tenant(activity: Activity) -> str | None:
    """`conversation.tenantId`: botbuilder maps the key `tenantID`, so Teams' `tenantId` lands
    in the account's additional properties."""
    conv = activity.conversation
    if conv is None:
        return None
    extra = getattr(conv, "additional_properties", None) or {}
    value = conv.tenant_id or extra.get("tenantId")
    return value if isinstance(value, str) and value else None


def tenant_of(activity: Activity) -> str | None:
    """The activity's tenant (`channelData.tenant.id`, `conversation.tenantId`); None when
    neither is given or the two disagree (then nobody is identified)."""
    data = channel_data(activity)
    from_data = data.tenant.id if data and data.tenant and data.tenant.id else None
    from_conversation = _conversation_tenant(activity)
    if from_data and from_conversation and from_data.lower() != from_conversation.lower():
        return None
    return from_data or from_conversation


def reference_to_json(reference: ConversationReference) -> dict[str, Any]:
    data = reference.serialize()
    data.pop("activityId", None)  # the reference is for the conversation, not one message
    return data


def reference_from_json(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference().deserialize(data)
