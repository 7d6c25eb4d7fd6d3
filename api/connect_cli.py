"""`python app.py connect CLIENT_ID`: sign a client's Office 365 service account in
from the command line (DESIGN 3.1), with the same one-time link as setup step 3.

It prints the link and waits, polling the database, until the sign-in completes
(exit 0) or the link expires (exit 1). The link points at PUBLIC_BASE_URL; when
nothing answers there (no `serve` running), this process serves the sign-in
pages itself on PORT, on loopback, while it waits.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from api import auth as auth_api
from api import health as health_api
from api.keys import SERVICES
from services.config import Settings
from services.container import Services, open_services
from services.domain.time_format import utc_clock
from services.errors import NotFound
from services.m365.tls import ssl_context

LOOPBACK = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
HEALTH_TIMEOUT_SECONDS = 3.0


async def public_base_answers(settings: Settings) -> bool:
    """True when something answers `GET {PUBLIC_BASE_URL}/healthz` with 200."""
    url = f"{settings.PUBLIC_BASE_URL}/healthz"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS)) as session,
            session.get(url, ssl=ssl_context(settings.CA_BUNDLE), allow_redirects=False) as response,
        ):
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError, OSError):
        return False


async def _serve_sign_in_pages(services: Services, port: int) -> web.AppRunner:
    app = web.Application()
    app[SERVICES] = services
    auth_api.add_routes(app)
    health_api.add_routes(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, LOOPBACK, port).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner


async def run_connect(
    settings: Settings,
    client_id: str,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    poll_seconds: float = 1.0,
) -> int:
    """Print a sign-in link for the client and wait for it: 0 signed in, 1 expired, 2 bad input."""
    async with open_services(settings) as services:
        try:
            link = await services.identity.start_sign_in(client_id, context={"source": "cli"})
        except NotFound:
            print(f"error: no client {client_id!r} in the directory (run import-directory first)", file=err)
            return 2
        runner: web.AppRunner | None = None
        try:
            if not await public_base_answers(settings):
                host = urlsplit(settings.PUBLIC_BASE_URL).hostname or ""
                if host not in LOOPBACK_HOSTS:
                    print(
                        f"warning: nothing answers at {settings.PUBLIC_BASE_URL}; the link only works "
                        "once the bot is serving there.",
                        file=err,
                    )
                try:
                    runner = await _serve_sign_in_pages(services, settings.PORT)
                except OSError as exc:
                    print(
                        f"error: cannot serve the sign-in pages on port {settings.PORT}: {exc.strerror}",
                        file=err,
                    )
                    return 1
                print(
                    f"(Serving the sign-in pages on http://{LOOPBACK}:{settings.PORT} while waiting.)",
                    file=out,
                )
            expires = utc_clock(link.expires_at)
            print(
                f"Sign in the Office 365 service account for client {client_id}: open this link in a "
                f"private browser window (it works once, until {expires}):\n\n  {link.url}\n",
                file=out,
                flush=True,
            )
            while True:
                progress = await services.identity.progress(link.session_id)
                if progress.state == "signed_in":
                    print(f"Signed in as {progress.upn}. Office 365 is connected for {client_id}.", file=out)
                    return 0
                if progress.state != "pending":
                    print(
                        "error: the sign-in link expired before the sign-in completed; run connect again.",
                        file=err,
                    )
                    return 1
                await asyncio.sleep(poll_seconds)
        finally:
            if runner is not None:
                await runner.cleanup()
