"""`python app.py demo`: the product on embedded defaults, no Microsoft account needed.

Everything runs locally: SQLite under var/, the Microsoft 365 emulator seeded
with the demo tenant (Graph and sign-in over HTTPS with its own CA), a local SMTP
sink whose mail is readable at /dev/mail, Bot Framework auth off and loopback
only, and (with --with-playground) the Microsoft 365 Agents Playground wired to
the bot with mock users that match the demo directory.

Unless `--fresh` is given, the demo also signs the demo service account in and
switches Automated Scheduling on for every site, so an incident shows slots
straight away; with `--fresh` the admin does it with `setup` in the playground.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from api.keys import SERVICES
from demo.playground import (
    DIRECTORY_FILE,
    INCIDENT_CHANNEL_ID,
    PERSONAL_CHAT_ID,
    ROOT,
    TEAM_ID,
    PlaygroundProcess,
    start_playground,
    write_config,
)
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from services.config import Settings, load_settings
from services.container import Services
from services.notify.mail_sink import MailSink
from services.notify.mailer import Mailer, SmtpConfig

log = logging.getLogger(__name__)

VAR = ROOT / "var"
TENANT_FILE = ROOT / "emulator" / "tenants" / "demo.json"
# Embedded demo-only values: the demo talks to nothing but this machine. Never use them in production.
DEMO_SECRET_KEY = "demo-only-secret-key-do-not-use-in-production-0001"
DEMO_APP_ID = "11111111-2222-4333-8444-d3m0d3m0d3m0"
DEMO_APP_SECRET = "demo-only-app-secret"
SERVICE_ACCOUNT = "pivot@contoso.com"
SERVICE_ACCOUNT_PASSWORD = "Pivot-Demo-2026!"  # the emulator's demo tenant (emulator/README.md)
PROVIDER_ID = "acme-av"


def demo_settings(port: int, var: Path, emulator: EmulatorHandle) -> Settings:
    return load_settings(
        env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{var / 'demo.db'}",
        SECRET_KEY=DEMO_SECRET_KEY,
        MICROSOFT_APP_ID="",
        PORT=port,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        GRAPH_BASE_URL=emulator.graph_base_url,
        AUTHORITY_HOST=emulator.authority_host,
        CA_BUNDLE=emulator.ca_path,
        AAD_CLIENT_ID=DEMO_APP_ID,
        AAD_CLIENT_SECRET=DEMO_APP_SECRET,
        MAIL_FROM="pivot-scheduling@demo.localhost",
        SYNC_INTERVAL_SECONDS=3600,
    )


async def start_demo_app(settings: Settings, mailer: Mailer, mail_dir: Path) -> web.AppRunner:
    """Start the app on loopback and import the demo directory."""
    from api.server_limits import LOOPBACK, ServerLimits, start_server
    from app import build_app

    app = build_app(settings, mailer=mailer, dev_mail_dir=mail_dir)
    runner, _site = await start_server(app, LOOPBACK, settings.PORT, ServerLimits.from_settings(settings))
    services = runner.app[SERVICES]
    directory = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    result = await services.directory.import_document(directory)
    log.info("demo directory imported changed=%s", result.changed)
    return runner


async def connect_service_account(services: Services, emulator: EmulatorHandle) -> str:
    """Sign the demo service account in through the real pages, as an admin's browser would."""
    client_id = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))["client"]["id"]
    link = await services.identity.start_sign_in(client_id)
    async with aiohttp.ClientSession() as http:
        async with http.get(link.url, allow_redirects=False) as start:
            authorize = start.headers["Location"]
        fields = await sign_in_response(
            authorize,
            username=SERVICE_ACCOUNT,
            password=SERVICE_ACCOUNT_PASSWORD,
            ssl_context=emulator.ssl_context(),
        )
        async with http.post(services.settings.PUBLIC_BASE_URL + "/auth/callback", data=fields) as done:
            if done.status != 200:
                raise RuntimeError(f"demo sign-in failed ({done.status})")
    return SERVICE_ACCOUNT


async def configure_demo(services: Services, teams_channel: str | None) -> None:
    directory = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    # Claimed visits book the room (DESIGN 3.11): configured before the sign-in, which then
    # asks for Calendars.ReadWrite too.
    location: dict[str, Any] = {
        "scheduling": True,
        "service_provider_id": PROVIDER_ID,
        "sla_hours": 4,
        "book_room": True,
    }
    if teams_channel:
        location["teams_channel"] = teams_channel
    await services.integration.apply(
        {
            "client_id": directory["client"]["id"],
            "locations": {loc["id"]: location for loc in directory["locations"]},
        }
    )


async def install_in_team(playground: PlaygroundProcess, services: Services) -> str | None:
    """Add the bot to the demo team, as a user would (General and the "Incidents" channel);
    returns the channel conversation incident cards go to: "Incidents", else General."""
    async with aiohttp.ClientSession() as http:
        for conversation in (PERSONAL_CHAT_ID, TEAM_ID, INCIDENT_CHANNEL_ID):
            async with http.post(f"{playground.url}/_debug/conversation/{conversation}/installation") as r:
                await r.read()
    for _ in range(50):
        if await services.conversations.get(INCIDENT_CHANNEL_ID) is not None:
            return INCIDENT_CHANNEL_ID
        await asyncio.sleep(0.1)
    return TEAM_ID if await services.conversations.get(TEAM_ID) is not None else None


async def _run(port: int, with_playground: bool, playground_port: int, var: Path, fresh: bool) -> None:
    async with AsyncExitStack() as stack:
        sink = await stack.enter_async_context(MailSink(var / "mail"))
        emulator = await stack.enter_async_context(running_emulator(TENANT_FILE, ca_dir=var / "emulator"))
        settings = demo_settings(port, var, emulator)
        mailer = Mailer(SmtpConfig.parse(sink.smtp_url), sender=settings.MAIL_FROM)
        runner = await start_demo_app(settings, mailer, var / "mail")
        stack.push_async_callback(runner.cleanup)
        services = runner.app[SERVICES]
        endpoint = f"http://127.0.0.1:{port}/api/messages"
        if not fresh:
            await configure_demo(services, None)
            await connect_service_account(services, emulator)
            print(
                f"Office 365 (emulated) connected as {SERVICE_ACCOUNT}; Automated Scheduling is on, "
                "and claimed visits book the room."
            )
        config_path = write_config(var / "playground.yml")
        print(f"pivot Scheduling demo: bot endpoint {endpoint}")
        print(f"Microsoft 365 emulator: {emulator.base_url} (CA {emulator.ca_path})")
        print(f"Mail sent by the demo: http://127.0.0.1:{port}/dev/mail")
        print(f"Playground config (mock users = demo directory): {config_path}")
        if with_playground:
            playground = await asyncio.to_thread(
                start_playground,
                bot_endpoint=endpoint,
                port=playground_port,
                config_path=config_path,
                log_path=var / "playground.log",
            )
            stack.callback(playground.stop)
            # Also with --fresh: the bot is in the team, so setup's profile step offers its channels.
            channel = await install_in_team(playground, services)
            if not fresh:
                await configure_demo(services, channel)
            print(f"Open the Microsoft 365 Agents Playground: {playground.url}")
        else:
            print(
                "Start the playground yourself: M365_AGENTS_PLAYGROUND_CONFIG_PATH="
                f"{config_path} npx agentsplayground -e {endpoint} -c msteams"
            )
        print(
            "Try: help, whoami, preferences. Post an incident: .venv/bin/python -m demo.send_incident nyc-4b"
        )
        print("Press Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("Stopping...", flush=True)


def run_demo(
    *,
    port: int,
    with_playground: bool,
    playground_port: int,
    var: Path | None = None,
    fresh: bool = False,
    verbose: bool = False,
) -> int:
    state = (var or VAR).resolve()
    state.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(port, with_playground, playground_port, state, fresh))
    return 0
