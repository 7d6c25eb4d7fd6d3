"""Assembles the bot from services: storage, dialogs, commands, actions, handler, adapter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botbuilder.dialogs import Dialog
from botbuilder.integration.aiohttp import CloudAdapter

from bot.account import register_account
from bot.actions import ActionRegistry
from bot.adapter import create_adapter
from bot.admin import register_admin
from bot.admin_runtime import AdminRuntime
from bot.builtin import register_builtin
from bot.claims import ClaimCards, register_claims
from bot.commands import CommandRegistry
from bot.handler import PivotBot
from bot.proactive import TeamsMessenger
from bot.storage import DatabaseStorage
from bot.teams_notifier import TeamsNotifier
from dialogs.link import link_dialogs
from dialogs.runner import DialogRunner
from dialogs.setup import setup_dialogs
from services.claims.effects import CARD_UPDATE_JOB
from services.container import Services
from services.notify.service import TEAMS_JOB


@dataclass
class BotExtensions:
    """Extra dialogs and commands: how later features (and tests) plug in."""

    dialogs: Sequence[Callable[[Services], Dialog]] = field(default_factory=tuple)
    commands: Sequence[Callable[[CommandRegistry], None]] = field(default_factory=tuple)


@dataclass
class BotRuntime:
    adapter: CloudAdapter
    bot: PivotBot
    registry: CommandRegistry
    actions: ActionRegistry
    dialogs: DialogRunner
    messenger: TeamsMessenger
    teams_notifier: TeamsNotifier
    admin: AdminRuntime
    claim_cards: ClaimCards

    def paced_job_kinds(self) -> frozenset[str]:
        """The jobs that wait on Teams' per-conversation rate limit (bot.proactive.Pacer)."""
        return frozenset({TEAMS_JOB, CARD_UPDATE_JOB})

    def job_handlers(self) -> dict[str, Any]:
        """Durable jobs that need the Bot Framework edge (posting and updating cards)."""
        return {
            TEAMS_JOB: self.teams_notifier.handle,
            **self.admin.job_handlers(),
            **self.claim_cards.job_handlers(),
        }


def build_registry(
    extensions: BotExtensions | None = None, actions: ActionRegistry | None = None
) -> CommandRegistry:
    """Every chat command, in help order (also the source of the Teams manifest's command list)."""
    registry = CommandRegistry()
    register_builtin(registry)
    actions = actions if actions is not None else ActionRegistry()
    register_account(registry, actions)
    register_admin(registry, actions)
    register_claims(actions)
    for register in extensions.commands if extensions else ():
        register(registry)
    return registry


def build_bot(services: Services, extensions: BotExtensions | None = None) -> BotRuntime:
    storage = DatabaseStorage(services.state)
    extra = [make(services) for make in (extensions.dialogs if extensions else ())]
    dialogs = DialogRunner(storage, [*link_dialogs(services.links), *setup_dialogs(services), *extra])
    actions = ActionRegistry()
    registry = build_registry(extensions, actions)
    bot = PivotBot(services, registry, actions, dialogs)
    adapter = create_adapter(services.settings, dialogs.clear)
    messenger = TeamsMessenger(adapter, services.settings.MICROSOFT_APP_ID)
    return BotRuntime(
        adapter=adapter,
        bot=bot,
        registry=registry,
        actions=actions,
        dialogs=dialogs,
        messenger=messenger,
        teams_notifier=TeamsNotifier(
            services.teams_routes, services.cards, messenger, services.notifications.fall_back_to_email
        ),
        admin=AdminRuntime.create(services, adapter, dialogs, messenger),
        claim_cards=ClaimCards(services.cards, services.teams_routes, messenger),
    )
