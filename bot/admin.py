"""Client-admin commands: `setup`, `manage`, `status`, `rotate-secrets`, and their buttons.

Only a linked client admin may use them. Service-provider and subcontractor
accounts get the guide's reason (the integration is client level); anyone
else a plain refusal. Setup, manage and key rotation run in the admin's 1:1
chat only, because they show keys and sign-in links meant for one person.
"""

from __future__ import annotations

from typing import Any

from bot.actions import ActionContext, ActionRegistry, not_for_you
from bot.commands import CommandContext, CommandRegistry
from cards.admin import (
    MANAGE_ACTION,
    MANAGE_STEPS,
    ROTATE_ACTION,
    manage_card,
    rotate_confirm_card,
    status_card,
)
from cards.setup import NEW_LINK_ACTION, secrets_card, sign_in_card
from dialogs.setup import SETUP_DIALOG, expiry_text
from services import texts
from services.directory.service import DirectoryUser
from services.integration.client_secrets import ClientSecrets
from services.integration.health import integration_health

ADMIN_ROLE = "client_admin"
PROVIDER_ROLES = frozenset({"service_provider", "subcontractor"})


def admin_users(users: list[DirectoryUser], client_id: str | None = None) -> list[DirectoryUser]:
    """The client-admin entries among a sender's directory users (of one client, if given)."""
    return [u for u in users if u.role == ADMIN_ROLE and client_id in (None, u.client_id)]


async def require_admin(ctx: CommandContext, *, personal: bool = True) -> DirectoryUser | None:
    """The sender as a client admin, or None after telling them why not (a card's button
    pressed by anyone else gets the neutral "not for you", naming nothing)."""
    users, _ = await ctx.replies.identify()
    if isinstance(ctx, ActionContext):  # the caller answers `not_for_you`
        admins = admin_users(users)
        if not admins or (personal and ctx.message.place.conversation_type != "personal"):
            return None
        return admins[0]
    if not users:
        await ctx.replies.say(texts.NOT_LINKED)
        return None
    admins = admin_users(users)
    if not admins:
        provider = any(u.role in PROVIDER_ROLES for u in users)
        await ctx.replies.say(texts.SETUP_PROVIDER_REFUSED if provider else texts.SETUP_ADMIN_ONLY)
        return None
    if personal and ctx.message.place.conversation_type != "personal":
        await ctx.replies.say(texts.SETUP_PERSONAL_ONLY)
        return None
    return admins[0]


def dialog_options(ctx: CommandContext, admin: DirectoryUser, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": admin.client_id,
        "client_name": admin.client_name,
        "tenant_id": ctx.message.place.tenant_id,
        **extra,
    }


def register_admin(registry: CommandRegistry, actions: ActionRegistry) -> None:
    @registry.command("setup")
    async def setup_command(ctx: CommandContext) -> None:
        """Client admins: connect Office 365 room calendars to pivot, step by step."""
        admin = await require_admin(ctx)
        if admin is None:
            return
        await ctx.replies.begin_dialog(SETUP_DIALOG, dialog_options(ctx, admin, mode="setup"))

    @registry.command("manage")
    async def manage_command(ctx: CommandContext) -> None:
        """Client admins: change any setup step, and see the rooms still to map."""
        admin = await require_admin(ctx)
        if admin is None:
            return
        health = await integration_health(ctx.services.db, admin.client_id)
        assert health is not None
        await ctx.replies.send_card(manage_card(health))

    @registry.command("status")
    async def status_command(ctx: CommandContext) -> None:
        """Client admins: the Office 365 integration's health (sign-in, sync, rooms, scheduling)."""
        admin = await require_admin(ctx, personal=False)
        if admin is None:
            return
        health = await integration_health(ctx.services.db, admin.client_id)
        assert health is not None
        await ctx.replies.send_card(status_card(health))

    @registry.command("rotate-secrets")
    async def rotate_command(ctx: CommandContext) -> None:
        """Client admins: replace the webhook secret and API key pivot uses."""
        admin = await require_admin(ctx)
        if admin is None:
            return
        await ctx.replies.send_card(rotate_confirm_card(admin.client_name))

    @actions.action(ROTATE_ACTION)
    async def rotate_action(ctx: ActionContext) -> dict[str, Any] | None:
        admin = await require_admin(ctx)
        if admin is None:
            return await not_for_you(ctx)
        issued = await ClientSecrets(ctx.services.db, ctx.services.box).rotate(admin.client_id)
        await ctx.replies.send_card(
            secrets_card(
                client_name=admin.client_name, webhook_secret=issued.webhook_secret, api_key=issued.api_key
            )
        )
        return None

    @actions.action(NEW_LINK_ACTION)
    async def new_link_action(ctx: ActionContext) -> dict[str, Any] | None:
        admin = await require_admin(ctx)
        if admin is None:
            return await not_for_you(ctx)
        link = await ctx.services.identity.start_sign_in(admin.client_id, await sign_in_context_of(ctx))
        await ctx.replies.send_card(
            sign_in_card(link.url, client_name=admin.client_name, expires=expiry_text(link.expires_at))
        )
        return None

    @actions.action(MANAGE_ACTION)
    async def manage_action(ctx: ActionContext) -> dict[str, Any] | None:
        admin = await require_admin(ctx)
        if admin is None:
            return await not_for_you(ctx)
        data = ctx.data or {}
        step = data.get("step")
        location = data.get("location") if isinstance(data.get("location"), str) else None
        if step not in MANAGE_STEPS:
            health = await integration_health(ctx.services.db, admin.client_id)
            assert health is not None
            await ctx.replies.send_card(manage_card(health, location))
            return None
        await ctx.replies.cancel_dialogs()
        await ctx.replies.begin_dialog(
            SETUP_DIALOG, dialog_options(ctx, admin, mode="manage", step=step, location_id=location)
        )
        return None


async def sign_in_context_of(ctx: CommandContext) -> dict[str, Any]:
    """The sign-in link's context: how the callback finds this conversation again (the
    handler files each conversation's reference, with its sender, before dispatching)."""
    stored = await ctx.services.conversations.get(ctx.message.place.conversation_id)
    return {"source": "link", "reference": stored.reference if stored else None}
