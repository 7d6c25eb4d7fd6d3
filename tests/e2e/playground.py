"""Drives the Microsoft 365 Agents Playground over its own HTTP interface.

Starts the real app (`app.py demo`) and the real playground, sends messages as
any mock user, and reads every bot message from the playground's log stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from demo.playground import PERSONAL_CHAT_ID, ROOT, playground_config
from tests.bot.activities import card_texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotMessage:
    conversation_id: str
    activity: dict[str, Any]
    id: str | None

    def texts(self) -> list[str]:
        return card_texts(self.activity)


@dataclass
class Playground:
    url: str
    config: dict[str, Any]
    session: aiohttp.ClientSession
    bot_url: str = ""
    messages: list[BotMessage] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def bot_id(self) -> str:
        return str(self.config["bot"]["id"])

    def user(self, name: str) -> dict[str, Any]:
        for user in [self.config["currentUser"], *self.config["users"]]:
            if user["name"] == name:
                return dict(user)
        raise KeyError(name)

    async def follow_log(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_ws/log/stream"
        async with self.session.ws_connect(ws_url) as ws:
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    continue
                log = json.loads(frame.data).get("log", {})
                if log.get("from") != "User Application" or log.get("activityName") != "message":
                    continue
                body = (log.get("request") or {}).get("body") or {}
                response = (log.get("response") or {}).get("body") or {}
                self.messages.append(
                    BotMessage(
                        conversation_id=log.get("conversationId", ""),
                        activity=body,
                        id=response.get("id") if isinstance(response, dict) else None,
                    )
                )
                self._arrived.set()

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool], *, timeout: float = 20.0, after: int = 0
    ) -> BotMessage:
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages[after:]:
                if predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(m.conversation_id, m.texts()[:2]) for m in self.messages[after:]]
                raise AssertionError(f"no matching bot message within {timeout}s; saw {seen}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def install(self, conversation_id: str) -> None:
        async with self.session.post(f"{self.url}/_debug/conversation/{conversation_id}/installation") as r:
            assert r.status == 200, await r.text()

    async def say_as_current_user(
        self, conversation_id: str, text: str, *, mention_bot: bool = False
    ) -> None:
        body: dict[str, Any] = {
            "from": {"id": self.config["currentUser"]["id"]},
            "text": text,
            "textFormat": "plain",
            "mentions": [],
        }
        if mention_bot:
            tag = f"<at>{self.config['bot']['name']}</at>"
            body["text"] = f"{tag} {text}"
            body["mentions"] = [
                {"mentioned": {"id": self.bot_id, "name": self.config["bot"]["name"]}, "text": tag}
            ]
        async with self.session.post(
            f"{self.url}/_conversation/v1/conversations/{conversation_id}/messages", json=body
        ) as r:
            assert r.status == 200, await r.text()

    async def open_personal_chat(self, user_name: str) -> str:
        """Create the bot's 1:1 chat with another mock user, as the bot itself would."""
        user = self.user(user_name)
        body = {
            "isGroup": False,
            "bot": {"id": self.bot_id},
            "members": [{"id": user["id"]}],
            "tenantId": self.config["tenantId"],
            "channelData": {"tenant": {"id": self.config["tenantId"]}},
        }
        async with self.session.post(f"{self.url}/_connector/v3/conversations", json=body) as r:
            assert r.status in (200, 201), await r.text()
            return str((await r.json())["id"])

    async def say_as(
        self,
        user_name: str,
        conversation_id: str,
        text: str,
        *,
        tenant: str | None = None,
        aad: str | None = None,
        value: dict[str, Any] | None = None,
    ) -> None:
        """Any activity from any mock user, through the playground's custom-activity API
        (forwarded verbatim: `tenant` and `aad` make it come from another tenant's user)."""
        user = self.user(user_name)
        tenant_id = tenant or self.config["tenantId"]
        async with self.session.get(
            f"{self.url}/_internal/v1/customActivities/template", params={"conversationId": PERSONAL_CHAT_ID}
        ) as r:
            template = await r.json()
        template.update(
            type="message",
            text=text,
            textFormat="plain",
            conversation={"id": conversation_id, "conversationType": "personal", "tenantId": tenant_id},
            **{"from": {"id": user["id"], "name": user["name"], "aadObjectId": aad or user["aadObjectId"]}},
        )
        channel_data = template.get("channelData") if isinstance(template.get("channelData"), dict) else {}
        template["channelData"] = {**channel_data, "tenant": {"id": tenant_id}}
        if value is not None:
            template["value"] = value
        async with self.session.post(f"{self.url}/_internal/v1/customActivities", json=template) as r:
            assert r.status in (200, 201, 202), await r.text()


@contextlib.asynccontextmanager
async def running_demo_with_playground(tmp: Path, *, fresh: bool = False) -> AsyncIterator[Playground]:
    """The real demo (`app.py demo --with-playground`): app, emulator, mail sink and playground."""
    bot_port = free_port()
    var = tmp / "var"
    log_path = tmp / "demo.log"
    log = log_path.open("w")
    args = [
        sys.executable,
        str(ROOT / "app.py"),
        "demo",
        "--port",
        str(bot_port),
        "--var",
        str(var),
        "--with-playground",
        "--playground-port",
        str(free_port()),
    ]
    if fresh:
        args.append("--fresh")
    demo = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT), env=dict(os.environ))
    try:
        url = await _wait_for_line(demo, log_path, "Open the Microsoft 365 Agents Playground: ")
        async with aiohttp.ClientSession() as session:
            pg = Playground(
                url=url, config=playground_config(), session=session, bot_url=f"http://127.0.0.1:{bot_port}"
            )
            follower = asyncio.create_task(pg.follow_log())
            await asyncio.sleep(0.3)
            try:
                yield pg
            finally:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            demo.kill()
        log.close()


async def _wait_for_line(proc: subprocess.Popen[bytes], log: Path, prefix: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line.removeprefix(prefix).strip()
        if proc.poll() is not None:
            raise RuntimeError(f"demo exited early:\n{log.read_text()[-3000:]}")
        await asyncio.sleep(0.2)
    raise TimeoutError(f"demo not ready:\n{log.read_text()[-3000:]}")


async def _wait_ready(
    session: aiohttp.ClientSession, url: str, proc: subprocess.Popen[bytes], log: Path
) -> None:
    """Poll a readiness URL until 200, failing fast if the process died."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log.read_text()[-3000:]}")
        try:
            async with session.get(url) as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError(f"app not ready:\n{log.read_text()[-3000:]}")
