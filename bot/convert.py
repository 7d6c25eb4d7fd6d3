"""Activity → the app's own chat types, and conversation references to plain JSON."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from dialogs.activity_facts import channel_data as _channel_data
from dialogs.activity_facts import reference_to_json, tenant_of
from services.chat import ChatMessage, ChatPlace, ChatUser
from services.notify.conversations import StoredConversation


def chat_user(activity: Activity) -> ChatUser:
    frm = activity.from_property
    return ChatUser(
        teams_id=frm.id if frm else "",
        aad_object_id=(frm.aad_object_id or None) if frm else None,
        name=frm.name if frm else None,
        tenant_id=tenant_of(activity),
    )


def chat_place(activity: Activity) -> ChatPlace:
    conv = activity.conversation
    data = _channel_data(activity)
    kind = (conv.conversation_type if conv else None) or "personal"
    if kind not in {"personal", "groupChat", "channel"}:
        kind = "personal"
    team_id = data.team.id if data and data.team else None
    return ChatPlace(
        conversation_id=conv.id if conv else "",
        conversation_type=kind,
        tenant_id=tenant_of(activity),
        team_id=team_id,
    )


def chat_message(turn_context: TurnContext) -> ChatMessage:
    activity = turn_context.activity
    text = TurnContext.remove_recipient_mention(activity) if activity.entities else activity.text
    return ChatMessage(
        user=chat_user(activity),
        place=chat_place(activity),
        text=(text or "").strip(),
        activity_id=activity.id,
        locale=activity.locale or None,
    )


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id is `<channel>;messageid=<n>`: file the channel itself."""
    return conversation_id.split(";messageid=", 1)[0]


def stored_conversation(activity: Activity) -> StoredConversation:
    """What to file for proactive messages later."""
    place = chat_place(activity)
    data = _channel_data(activity)
    reference = TurnContext.get_conversation_reference(activity)
    if reference.conversation is not None and reference.conversation.id:
        reference.conversation.id = base_conversation_id(reference.conversation.id)
    user_aad = None
    if place.conversation_type == "personal" and activity.from_property:
        user_aad = (activity.from_property.aad_object_id or "").lower() or None
    return StoredConversation(
        conversation_id=base_conversation_id(place.conversation_id),
        conversation_type=place.conversation_type,
        tenant_id=place.tenant_id,
        team_id=place.team_id,
        channel_name=data.channel.name if data and data.channel else None,
        user_aad_object_id=user_aad,
        reference=reference_to_json(reference),
        active=True,
    )



