"""The Teams activity handler: the Bot Framework edge of the app.

It converts each activity into the app's own types, keeps conversation
references, and dispatches text to the command registry or the active dialog.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, ClassVar

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.dialogs import DialogContext, DialogTurnStatus
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from msrest.serialization import Model

from bot.actions import ActionContext, ActionRegistry
from bot.admin import admin_users
from bot.builtin import send_help
from bot.commands import CommandContext, CommandRegistry
from bot.convert import chat_message, stored_conversation
from cards.attachment import card_attachment
from cards.basics import welcome_card
from cards.setup import STEP_KEY
from dialogs.activity_facts import tenant_of
from dialogs.runner import DialogRunner
from dialogs.setup import SETUP_DIALOG
from services import texts
from services.container import Services
from services.directory.account_links import RosterMember, remember_roster
from services.directory.service import DirectoryUser

log = logging.getLogger(__name__)


class _InvokeBody(Model):
    """An `adaptiveCard/action` answer. botbuilder's own model types `value` as a dict, so a
    message answer (a string) cannot be serialized with it (the turn would end in a 500)."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "object"},
    }

    def __init__(self, *, status_code: int, type: str, value: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status_code = status_code
        self.type = type
        self.value = value


def invoke_card(card: dict[str, Any]) -> InvokeResponse:
    """200 with a card that replaces the clicked one."""
    body = _InvokeBody(status_code=200, type="application/vnd.microsoft.card.adaptive", value=card)
    return InvokeResponse(status=200, body=body)


def invoke_message(text: str) -> InvokeResponse:
    """200 with a message (Teams shows it as a toast; the card stays as it was)."""
    body = _InvokeBody(status_code=200, type="application/vnd.microsoft.activity.message", value=text)
    return InvokeResponse(status=200, body=body)


class TurnReplies:
    """`Replies` for one turn: sends into the current conversation."""

    def __init__(self, turn_context: TurnContext, dc: DialogContext, services: Services) -> None:
        self._tc = turn_context
        self._dc = dc
        self._services = services

    async def say(self, text: str) -> None:
        await self._tc.send_activity(MessageFactory.text(text))

    async def send_card(self, card: dict[str, Any]) -> str | None:
        response = await self._tc.send_activity(
            Activity(type=ActivityTypes.message, attachments=[card_attachment(card)])
        )
        return response.id if response else None

    async def begin_dialog(self, dialog_id: str, options: Any = None) -> None:
        await self._dc.begin_dialog(dialog_id, options)

    async def cancel_dialogs(self) -> bool:
        if self._dc.active_dialog is None:
            return False
        await self._dc.cancel_all_dialogs()
        return True

    async def identify(self) -> tuple[list[DirectoryUser], str | None]:
        """Directory users for the sender, inside the activity's tenant only (DESIGN 3.4): by
        AAD object id, else by the e-mail Teams reports, else by accounts linked before."""
        activity = self._tc.activity
        tenant = tenant_of(activity)
        frm = activity.from_property
        if not tenant or not frm or not frm.id:
            return [], None
        aad = frm.aad_object_id or None
        directory = self._services.directory
        if aad:
            users = await directory.users_for_teams_identity(tenant_id=tenant, aad_object_id=aad, email=None)
            if users:
                return users, "aad"
        email = await self._member_email()
        if email:
            users = await directory.users_for_teams_identity(
                tenant_id=tenant, aad_object_id=None, email=email
            )
            if users:
                return users, "email"
        linked = await directory.linked_users(tenant_id=tenant, teams_user_id=frm.id, aad_object_id=aad)
        return (linked, "code") if linked else ([], None)

    async def _member_email(self) -> str | None:
        frm = self._tc.activity.from_property
        if not frm or not frm.id:
            return None
        try:
            member = await TeamsInfo.get_member(self._tc, frm.id)
        except Exception as exc:  # the roster call may fail (bot not in roster, outage): treat as unknown
            log.info(
                "member lookup failed conversation=%s error=%s",
                self._tc.activity.conversation.id,
                type(exc).__name__,
            )
            return None
        return getattr(member, "email", None) or getattr(member, "user_principal_name", None)


def _is_step(value: Any) -> bool:
    return isinstance(value, dict) and STEP_KEY in value


class PivotBot(TeamsActivityHandler):
    def __init__(
        self, services: Services, registry: CommandRegistry, actions: ActionRegistry, dialogs: DialogRunner
    ) -> None:
        super().__init__()
        self._services = services
        self._registry = registry
        self._actions = actions
        self._dialogs = dialogs

    async def on_turn(self, turn_context: TurnContext) -> None:
        await super().on_turn(turn_context)
        await self._dialogs.save(turn_context)

    async def _remember(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not activity.conversation or not activity.conversation.id:
            return
        await self._services.conversations.remember(stored_conversation(activity))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context)
        message = chat_message(turn_context)
        dc = await self._dialogs.context(turn_context)
        replies = TurnReplies(turn_context, dc, self._services)
        ctx = CommandContext(
            message=message, services=self._services, replies=replies, registry=self._registry
        )
        value = turn_context.activity.value
        if isinstance(value, dict) and value.get("action") in self._actions:
            await self._run_action(ctx, str(value["action"]), value, via_invoke=False)
            return
        command = self._registry.match(message.text) if message.text else None

        if dc.active_dialog is not None and dc.active_dialog.id == SETUP_DIALOG and _is_step(value):
            users, _ = await replies.identify()  # a setup button: still this client's admin?
            if not admin_users(users, dc.active_dialog.state.get("client_id")):
                await dc.cancel_all_dialogs()
                await replies.say(texts.CARD_NOT_FOR_YOU)
                return
        if dc.active_dialog is not None and (command is None or command.name != "cancel"):
            result = await dc.continue_dialog()
            if result.status != DialogTurnStatus.Empty:
                return
        if command is not None:
            log.info(
                "command=%s conversation=%s activity=%s",
                command.name,
                message.place.conversation_id,
                message.activity_id,
            )
            await command.handler(ctx)
            return
        users, _ = await replies.identify()
        await send_help(ctx, intro=texts.UNKNOWN_COMMAND if users else texts.NOT_LINKED)

    async def _run_action(
        self, ctx: CommandContext, name: str, data: dict[str, Any], *, via_invoke: bool
    ) -> dict[str, Any] | None:
        handler = self._actions.get(name)
        if handler is None:
            return None
        log.info("action=%s conversation=%s", name, ctx.message.place.conversation_id)
        action_ctx = ActionContext(
            message=ctx.message,
            services=ctx.services,
            replies=ctx.replies,
            registry=ctx.registry,
            data=data,
            via_invoke=via_invoke,
        )
        return await handler(action_ctx)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """`adaptiveCard/action` (Action.Execute) → the action registry; the answer is a card."""
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        await self._remember(turn_context)
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        name = action.get("verb") or data.get("action")
        dc = await self._dialogs.context(turn_context)
        replies = TurnReplies(turn_context, dc, self._services)
        ctx = CommandContext(
            message=chat_message(turn_context),
            services=self._services,
            replies=replies,
            registry=self._registry,
        )
        try:
            card = (
                await self._run_action(ctx, str(name), data, via_invoke=True)
                if name in self._actions
                else None
            )
        except Exception as exc:  # the action failed: say so in a message, never a 5xx
            log.error(
                "action failed action=%s activity=%s error=%s\n%s",
                name,
                turn_context.activity.id,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            return invoke_message(texts.TURN_ERROR)
        return invoke_message(texts.ACTION_DONE) if card is None else invoke_card(card)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context)
        await self._learn_roster(turn_context)
        await turn_context.send_activity(
            Activity(type=ActivityTypes.message, attachments=[card_attachment(welcome_card())])
        )

    async def _learn_roster(self, turn_context: TurnContext) -> None:
        """In a team or group chat, learn members' Teams ids (to reach them 1:1 later)."""
        conversation = turn_context.activity.conversation
        if conversation is None or conversation.conversation_type not in ("channel", "groupChat"):
            return
        try:
            members = await TeamsInfo.get_members(turn_context)
        except Exception as exc:  # the roster is a convenience: never fail the install over it
            log.info("roster read failed conversation=%s error=%s", conversation.id, type(exc).__name__)
            return
        tenant = tenant_of(turn_context.activity)
        roster = [
            RosterMember(
                teams_user_id=m.id,
                aad_object_id=getattr(m, "aad_object_id", None),
                email=getattr(m, "email", None) or getattr(m, "user_principal_name", None),
                tenant_id=getattr(m, "tenant_id", None) or tenant,
            )
            for m in members
            if m.id
        ]
        linked = await remember_roster(self._services.db, roster, tenant)
        log.info("roster read conversation=%s members=%d linked=%d", conversation.id, len(roster), linked)

    async def on_teams_members_added(
        self, teams_members_added: list[ChannelAccount], team_info: Any, turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in teams_members_added):
            await self._remember(turn_context)
