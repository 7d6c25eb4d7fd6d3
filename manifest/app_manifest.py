"""The Teams app manifest (schema v1.30), generated from settings and the command registry.

Generated rather than templated so the bot's command menu is the registry's
visible commands, exactly: help, dispatch and the menu share one source.
"""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.commands import CommandRegistry
from manifest.icons import ACCENT_HEX
from services.config import Settings
from services.errors import ConfigError

log = logging.getLogger(__name__)

# The newest schema that npm `@microsoft/app-manifest` ships offline (tests check it).
SCHEMA_VERSION = "1.30"
SCHEMA_URL = (
    f"https://developer.microsoft.com/en-us/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.schema.json"
)
# Stable stand-in when MICROSOFT_APP_ID is empty (the demo): uuid5(URL, "urn:pivot:scheduling-teams").
PLACEHOLDER_APP_ID = "ff6a4d8b-f9f4-5907-977a-7a84a17ac227"
BOT_SCOPES = ("personal", "team", "groupChat")
# Limits of bots[].commandLists[].commands in the v1.30 schema.
MAX_COMMANDS = 12
MAX_TITLE = 128
MAX_DESCRIPTION = 4000
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

SHORT_DESCRIPTION = "Turns a room incident into repair slots a provider claims in one click."
FULL_DESCRIPTION = (
    "pivot Scheduling connects pivot's meeting-room monitoring to your Office 365 room calendars. "
    "When equipment in a room fails, it finds the free time slots in the room's calendar within "
    "business hours, tells your team and your service provider by e-mail and in Teams, and lets "
    "the provider claim a slot in one click; everyone sees who claimed which slot. Client admins "
    "set it up in a chat with the bot: sign in the Office 365 service account, pick the room "
    "calendar, review the automatic room pairing, and set each location's SLA."
)


def build_manifest(settings: Settings, registry: CommandRegistry) -> dict[str, Any]:
    """The manifest.json document for these settings and commands."""
    app_id = _app_id(settings)
    base = settings.PUBLIC_BASE_URL
    host = urlsplit(base).hostname or ""
    if urlsplit(base).scheme != "https":
        log.warning("PUBLIC_BASE_URL %s is not https: fine for local testing, not for a real tenant", base)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": SCHEMA_VERSION,
        "version": _app_version(),
        "id": app_id,
        "developer": {
            "name": "pivot",
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": "pivot Scheduling", "full": "pivot Scheduling for Microsoft Teams"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_HEX,
        "bots": [
            {
                "botId": app_id,
                "scopes": list(BOT_SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": list(BOT_SCOPES), "commands": command_list(registry)}],
            }
        ],
        "defaultInstallScope": "personal",
        "validDomains": [host] if host else [],
    }


def command_list(registry: CommandRegistry) -> list[dict[str, str]]:
    """The registry's visible commands as manifest entries, in registration order."""
    commands = registry.visible()
    if len(commands) > MAX_COMMANDS:
        raise ConfigError(
            f"{len(commands)} visible commands, but a Teams command menu holds at most {MAX_COMMANDS}: "
            "hide some (registry.command(..., hidden=True))"
        )
    return [
        {"title": _truncate(c.name, MAX_TITLE), "description": _truncate(c.help, MAX_DESCRIPTION)}
        for c in commands
    ]


def _app_id(settings: Settings) -> str:
    app_id = settings.MICROSOFT_APP_ID.strip()
    if not app_id:
        log.warning(
            "MICROSOFT_APP_ID is empty: the package uses the placeholder id %s; "
            "set MICROSOFT_APP_ID to the bot's app id before uploading it to Teams",
            PLACEHOLDER_APP_ID,
        )
        return PLACEHOLDER_APP_ID
    if not _GUID.match(app_id):
        raise ConfigError("MICROSOFT_APP_ID must be a GUID (the bot's Microsoft App ID)")
    return app_id


def _app_version() -> str:
    """The project's version (pyproject.toml): one number to bump for a release."""
    with _PYPROJECT.open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
