"""Text commands: a registry with exact, case-insensitive matching.

Each command's docstring (first line) is its help text, so help can never
drift from what the registry actually dispatches; the Teams manifest's
command list is generated from the same registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from services.chat import ChatMessage
from services.directory.service import DirectoryUser

if TYPE_CHECKING:
    from services.container import Services


class Replies(Protocol):
    """What a command may do back in the conversation (implemented by the edge)."""

    async def say(self, text: str) -> None: ...
    async def send_card(self, card: dict[str, Any]) -> str | None: ...
    async def begin_dialog(self, dialog_id: str, options: Any = None) -> None: ...
    async def cancel_dialogs(self) -> bool: ...
    async def identify(self) -> tuple[list[DirectoryUser], str | None]: ...


@dataclass
class CommandContext:
    message: ChatMessage
    services: Services
    replies: Replies
    registry: CommandRegistry


Handler = Callable[[CommandContext], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    hidden: bool = False

    @property
    def help(self) -> str:
        doc = inspect.getdoc(self.handler) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""


class CommandRegistry:
    """Maps exact command names (case-insensitive) to handlers."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def command(self, name: str, *, hidden: bool = False) -> Callable[[Handler], Handler]:
        key = name.strip().lower()
        if not key or " " in key:
            raise ValueError(f"bad command name {name!r}")

        def register(handler: Handler) -> Handler:
            if key in self._commands:
                raise ValueError(f"command {key!r} registered twice")
            if not (inspect.getdoc(handler) or "").strip():
                raise ValueError(f"command {key!r} needs a docstring: it is the command's help")
            self._commands[key] = Command(key, handler, hidden)
            return handler

        return register

    def match(self, text: str) -> Command | None:
        return self._commands.get(" ".join(text.split()).lower())

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def visible(self) -> list[Command]:
        return [c for c in self._commands.values() if not c.hidden]
