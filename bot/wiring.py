"""Assembles the bot from services: storage, dialogs, commands, handler, adapter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from botbuilder.dialogs import Dialog
from botbuilder.integration.aiohttp import CloudAdapter

from bot.adapter import create_adapter
from bot.builtin import register_builtin
from bot.commands import CommandRegistry
from bot.handler import PivotBot
from bot.storage import DatabaseStorage
from dialogs.runner import DialogRunner
from services.container import Services


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
    dialogs: DialogRunner


def build_registry(extensions: BotExtensions | None = None) -> CommandRegistry:
    registry = CommandRegistry()
    register_builtin(registry)
    for register in extensions.commands if extensions else ():
        register(registry)
    return registry


def build_bot(services: Services, extensions: BotExtensions | None = None) -> BotRuntime:
    storage = DatabaseStorage(services.state)
    dialogs = DialogRunner(storage, [make(services) for make in (extensions.dialogs if extensions else ())])
    registry = build_registry(extensions)
    bot = PivotBot(services, registry, dialogs)
    adapter = create_adapter(services.settings, dialogs.clear)
    return BotRuntime(adapter=adapter, bot=bot, registry=registry, dialogs=dialogs)
