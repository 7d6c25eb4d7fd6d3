"""pivot Scheduling for Microsoft Teams — entry point and app factory.

`python app.py COMMAND ...` hands over to `cli/` (the commands of DESIGN 3.1).
`build_app(settings)` is the aiohttp app factory: no module-level globals;
every resource is opened and closed in `cleanup_ctx`.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from api import auth as auth_api
from api import claim as claim_api
from api import dev_mail as dev_mail_api
from api import directory as directory_api
from api import health as health_api
from api import incidents as incidents_api
from api import metrics as metrics_api
from api import pages as pages_api
from api import server_limits
from api.body import BODY_TIMEOUT, DOCUMENT_MAX_BODY
from api.errors import unreadable_secrets
from api.keys import JOBS, SERVICES
from bot import routes as bot_routes
from bot.wiring import BotExtensions, build_bot
from services.config import Settings
from services.container import open_services
from services.errors import ConfigError
from services.integration.sync import schedule_sync
from services.jobs import JobRunner
from services.notify.mailer import Mailer

log = logging.getLogger("pivot")
LOOPBACK = "127.0.0.1"


def build_app(
    settings: Settings,
    *,
    extensions: BotExtensions | None = None,
    mailer: Mailer | None = None,
    dev_mail_dir: Path | None = None,
    freeze_startup_heap: bool = False,
) -> web.Application:
    """The whole product as one aiohttp application.

    `mailer` replaces the one built from SMTP_URL and `dev_mail_dir` mounts `/dev/mail`:
    both are for the demo only. `freeze_startup_heap` is for a process that serves one app
    for its whole life (`serve`), never for tests that build many.
    """
    if not settings.secret_keys():
        raise ConfigError("SECRET_KEY is required (it encrypts stored secrets)")
    app = web.Application(client_max_size=DOCUMENT_MAX_BODY, middlewares=[unreadable_secrets])
    app[BODY_TIMEOUT] = settings.HTTP_BODY_TIMEOUT_SECONDS

    async def resources(app: web.Application) -> AsyncIterator[None]:
        async with open_services(settings, mailer=mailer) as services:
            app[SERVICES] = services
            runtime = app[bot_routes.BOT_RUNTIME] = build_bot(services, extensions)
            runner = JobRunner(
                services.db,
                services.job_handlers() | runtime.job_handlers(),
                concurrency=settings.JOBS_CONCURRENCY,
                poll_interval=settings.JOBS_POLL_SECONDS,
                lease_seconds=settings.JOBS_LEASE_SECONDS,
                yield_to=services.incidents.intake_busy,
                paced_kinds=runtime.paced_job_kinds(),
            )
            app[JOBS] = runner
            await schedule_sync(services.db, settings.SYNC_INTERVAL_SECONDS)
            await runner.start()
            try:
                yield
            finally:
                await runner.stop()

    app.cleanup_ctx.append(resources)
    if freeze_startup_heap:
        app.on_startup.append(_freeze_heap)  # runs after `resources` has started
    server_limits.install(app)
    bot_routes.add_routes(app)
    health_api.add_routes(app)
    metrics_api.add_routes(app)
    directory_api.add_routes(app)
    incidents_api.add_routes(app)
    auth_api.add_routes(app)
    pages_api.add_routes(app)
    claim_api.add_routes(app)
    if dev_mail_dir is not None:
        dev_mail_api.add_routes(app, dev_mail_dir)
    return app


async def _freeze_heap(_app: web.Application) -> None:
    """What start-up built (libraries, models, templates, caches) lives as long as the process:
    kept out of the collector's full passes, which otherwise scan it all and stall the event
    loop ~100 ms in the middle of a notice."""
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    from cli import main

    sys.exit(main())
