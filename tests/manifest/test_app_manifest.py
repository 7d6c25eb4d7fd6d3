"""Manifest generation rules that need no package: app id, command limits, truncation."""

from __future__ import annotations

import pytest

from bot.commands import CommandContext, CommandRegistry
from bot.wiring import build_registry
from manifest.app_manifest import MAX_COMMANDS, MAX_DESCRIPTION, build_manifest, command_list
from services.config import load_settings
from services.errors import ConfigError


def register(registry: CommandRegistry, name: str, doc: str, *, hidden: bool = False) -> None:
    async def handler(ctx: CommandContext) -> None:
        pass

    handler.__doc__ = doc
    registry.command(name, hidden=hidden)(handler)


def test_app_id_must_be_a_guid() -> None:
    bad = load_settings(env_file=None, MICROSOFT_APP_ID="my-bot")
    with pytest.raises(ConfigError, match="GUID"):
        build_manifest(bad, build_registry())


def test_help_longer_than_the_schema_allows_is_truncated() -> None:
    registry = CommandRegistry()
    register(registry, "report", "r" * (MAX_DESCRIPTION + 50))
    [entry] = command_list(registry)
    assert len(entry["description"]) == MAX_DESCRIPTION
    assert entry["description"].endswith("…")


def test_more_visible_commands_than_teams_shows_is_refused() -> None:
    registry = CommandRegistry()
    for i in range(MAX_COMMANDS):
        register(registry, f"c{i}", "A command.")
    register(registry, "secret", "Hidden ones do not count.", hidden=True)
    assert len(command_list(registry)) == MAX_COMMANDS
    register(registry, "one-more", "Too many.")
    with pytest.raises(ConfigError, match="at most 12"):
        command_list(registry)
