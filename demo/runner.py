"""`python app.py demo`: the product on embedded defaults, no Microsoft account needed.

SQLite under var/, the demo directory imported, Bot Framework auth off and
loopback only, and (with --with-playground) the Microsoft 365 Agents
Playground wired to the bot with mock users that match the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from pathlib import Path

from aiohttp import web

from api.keys import SERVICES
from demo.playground import DIRECTORY_FILE, ROOT, PlaygroundProcess, start_playground, write_config
from services.config import Settings, load_settings

log = logging.getLogger(__name__)

VAR = ROOT / "var"
# Embedded demo-only key: the demo stores nothing secret. Never use it in production.
DEMO_SECRET_KEY = "demo-only-secret-key-do-not-use-in-production-0001"


def demo_settings(port: int, var: Path = VAR) -> Settings:
    return load_settings(
        env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{var / 'demo.db'}",
        SECRET_KEY=DEMO_SECRET_KEY,
        MICROSOFT_APP_ID="",
        PORT=port,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )


async def start_demo_app(settings: Settings) -> web.AppRunner:
    """Start the app on loopback and import the demo directory."""
    from app import LOOPBACK, build_app

    runner = web.AppRunner(build_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, settings.PORT)
    await site.start()
    services = runner.app[SERVICES]
    directory = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    result = await services.directory.import_document(directory)
    log.info("demo directory imported changed=%s", result.changed)
    return runner


async def _run(port: int, with_playground: bool, playground_port: int, var: Path) -> None:
    settings = demo_settings(port, var)
    runner = await start_demo_app(settings)
    endpoint = f"http://127.0.0.1:{port}/api/messages"
    playground: PlaygroundProcess | None = None
    try:
        config_path = write_config(var / "playground.yml")
        print(f"pivot Scheduling demo: bot endpoint {endpoint}")
        print(f"Playground config (mock users = demo directory): {config_path}")
        if with_playground:
            playground = await asyncio.to_thread(
                start_playground,
                bot_endpoint=endpoint,
                port=playground_port,
                config_path=config_path,
                log_path=var / "playground.log",
            )
            print(f"Open the Microsoft 365 Agents Playground: {playground.url}")
        else:
            print(
                "Start the playground yourself: M365_AGENTS_PLAYGROUND_CONFIG_PATH="
                f"{config_path} npx agentsplayground -e {endpoint} -c msteams"
            )
        print("Try: help, whoami. Press Ctrl-C to stop.")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        print("Stopping...")
        if playground is not None:
            await asyncio.to_thread(playground.stop)
        await runner.cleanup()


def run_demo(*, port: int, with_playground: bool, playground_port: int, var: Path | None = None) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(port, with_playground, playground_port, (var or VAR).resolve()))
    return 0
