"""The always-available commands: help, whoami, cancel."""

from __future__ import annotations

from bot.commands import CommandContext, CommandRegistry
from cards.basics import help_card, whoami_card
from services import texts


def help_rows(registry: CommandRegistry) -> list[tuple[str, str]]:
    return [(c.name, c.help) for c in registry.visible()]


async def send_help(ctx: CommandContext, intro: str | None = None) -> None:
    await ctx.replies.send_card(help_card(help_rows(ctx.registry), intro=intro))


def register_builtin(registry: CommandRegistry) -> None:
    @registry.command("help")
    async def help_command(ctx: CommandContext) -> None:
        """Show what I can do."""
        await send_help(ctx)

    @registry.command("whoami")
    async def whoami_command(ctx: CommandContext) -> None:
        """Show which pivot directory user and role your Teams account maps to."""
        users, method = await ctx.replies.identify()
        if not users or method is None:
            await ctx.replies.say(texts.WHOAMI_UNKNOWN)
            return
        rows = [{"name": u.name, "role": u.role, "client": u.client_name, "email": u.email} for u in users]
        await ctx.replies.send_card(whoami_card(rows, method))

    @registry.command("cancel")
    async def cancel_command(ctx: CommandContext) -> None:
        """Stop the conversation in progress (e.g. setup) without saving anything more."""
        cancelled = await ctx.replies.cancel_dialogs()
        await ctx.replies.say(texts.CANCELLED if cancelled else texts.NOTHING_TO_CANCEL)
