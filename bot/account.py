"""Commands about the user's own account: `link` and `preferences`."""

from __future__ import annotations

from typing import Any

from bot.actions import ActionContext, ActionRegistry, not_for_you
from bot.commands import CommandContext, CommandRegistry
from cards.common import card as message_card
from cards.common import paragraph
from cards.preferences import SAVE_ACTION, parse_preferences, preferences_card
from dialogs.link import LINK_DIALOG
from services import texts
from services.notify.preferences import Preferences


def register_account(registry: CommandRegistry, actions: ActionRegistry) -> None:
    @registry.command("link")
    async def link_command(ctx: CommandContext) -> None:
        """Link your Teams account to your pivot user with a code sent to your e-mail."""
        await ctx.replies.begin_dialog(LINK_DIALOG)

    @registry.command("preferences")
    async def preferences_command(ctx: CommandContext) -> None:
        """Choose how (e-mail, Teams) and about what I notify you."""
        users, _ = await ctx.replies.identify()
        if not users:
            await ctx.replies.say(texts.NOT_LINKED)
            return
        prefs = await ctx.services.preferences.get(users[0].client_id, users[0].id)
        assert prefs is not None
        await ctx.replies.send_card(preferences_card(prefs.as_json()))

    @actions.action(SAVE_ACTION)
    async def save_preferences(ctx: ActionContext) -> dict[str, Any] | None:
        users, _ = await ctx.replies.identify()
        if not users:
            return await not_for_you(ctx)
        parsed = parse_preferences(ctx.data or {})
        if parsed is None:
            if ctx.via_invoke:
                return message_card([paragraph(texts.PREFS_BAD_INPUT)])
            await ctx.replies.say(texts.PREFS_BAD_INPUT)
            return None
        prefs = Preferences(parsed["email"], parsed["teams"], parsed["events"])
        for user in users:  # one Teams account may be the same person at several clients
            await ctx.services.preferences.save(user.client_id, user.id, prefs)
        card = preferences_card(prefs.as_json(), saved=True)
        if not ctx.via_invoke:
            await ctx.replies.send_card(card)
        return card
