"""pivot Scheduling for Microsoft Teams — entry point.

`python app.py serve | demo | import-directory FILE | connect CLIENT_ID | automap ... | reencrypt`
(DESIGN 3.1).
`build_app(settings)` is the aiohttp app factory: no module-level globals;
every resource is opened and closed in `cleanup_ctx`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
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
from services.config import Settings, load_settings
from services.container import Services
from services.errors import ConfigError, ValidationFailed
from services.integration.sync import schedule_sync
from services.jobs import JobRunner
from services.logs import configure_logging, settings_secrets
from services.notify.mailer import Mailer
from services.store.database import Database

log = logging.getLogger("pivot")
LOOPBACK = "127.0.0.1"


def build_app(
    settings: Settings,
    *,
    extensions: BotExtensions | None = None,
    mailer: Mailer | None = None,
    dev_mail_dir: Path | None = None,
) -> web.Application:
    """The whole product as one aiohttp application.

    `mailer` replaces the one built from SMTP_URL and `dev_mail_dir` mounts `/dev/mail`:
    both are for the demo only.
    """
    if not settings.secret_keys():
        raise ConfigError("SECRET_KEY is required (it encrypts stored secrets)")
    app = web.Application(client_max_size=DOCUMENT_MAX_BODY, middlewares=[unreadable_secrets])
    app[BODY_TIMEOUT] = settings.HTTP_BODY_TIMEOUT_SECONDS

    async def resources(app: web.Application) -> AsyncIterator[None]:
        db = Database(settings.DATABASE_URL)
        try:
            await db.migrate()
            services = Services.create(settings, db, mailer=mailer)
            app[SERVICES] = services
            app[bot_routes.BOT_RUNTIME] = build_bot(services, extensions)
            runtime = app[bot_routes.BOT_RUNTIME]
            runner = JobRunner(
                db,
                services.job_handlers() | runtime.job_handlers(),
                concurrency=settings.JOBS_CONCURRENCY,
                poll_interval=settings.JOBS_POLL_SECONDS,
                lease_seconds=settings.JOBS_LEASE_SECONDS,
                yield_to=services.incidents.intake_busy,
                paced_kinds=runtime.paced_job_kinds(),
            )
            app[JOBS] = runner
            await schedule_sync(db, settings.SYNC_INTERVAL_SECONDS)
            await runner.start()
            try:
                yield
            finally:
                await runner.stop()
                await services.incidents.close()
                await services.claims.close()
                await services.graph.close()
                services.identity.close()
        finally:
            await db.dispose()

    app.cleanup_ctx.append(resources)
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


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


async def _apply_document(settings: Settings, path: Path, data: object, what: str) -> int:
    """`import-directory` and `configure`: validate, apply all or nothing, print the outcome."""
    db = Database(settings.DATABASE_URL)
    try:
        await db.migrate()
        services = Services.create(settings, db)
        try:
            if what == "directory":
                result = (await services.directory.import_document(data)).as_json()
            else:
                result = await services.integration.apply(data)
        except ValidationFailed as exc:
            print(f"error: {path} rejected, nothing was written:", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem.field}: {problem.message}", file=sys.stderr)
            return 2
        print(json.dumps(result, indent=2))
        return 0
    finally:
        await db.dispose()


async def _reencrypt(settings: Settings) -> int:
    """`reencrypt`: print what was rewritten; non-zero when some stored secret opens with no key."""
    from services.crypto import SecretBox
    from services.store.reencrypt import reencrypt_all

    db = Database(settings.DATABASE_URL)
    try:
        await db.migrate()
        report = await reencrypt_all(db, SecretBox(settings.secret_keys()))
    finally:
        await db.dispose()
    print(json.dumps(report.as_json(), indent=2))
    if report.unreadable:
        print(
            "error: some stored secrets open with none of the keys in SECRET_KEY; keep the old key "
            "until they are replaced (re-import the directory, reconnect)",
            file=sys.stderr,
        )
        return 1
    return 0


def _serve(settings: Settings, *, allow_unauthenticated: bool) -> int:
    host = "0.0.0.0"  # noqa: S104 - a server; Bot Framework JWTs are validated
    if not settings.bot_auth_enabled:
        if not allow_unauthenticated:
            print(
                "error: MICROSOFT_APP_ID is not set, so Bot Framework requests could not be "
                "authenticated.\nSet it (see README), or for local testing only pass "
                "--dangerously-allow-unauthenticated (binds 127.0.0.1).",
                file=sys.stderr,
            )
            return 2
        host = LOOPBACK
        log.warning("Bot Framework authentication is OFF; listening on %s only", LOOPBACK)
    limits = server_limits.ServerLimits.from_settings(settings)
    server_limits.run_server(build_app(settings), host, settings.PORT, limits)
    return 0


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also log libraries' INFO lines (SMTP, Bot Framework, HTTP) and DEBUG",
    )
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.splitlines()[0], parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve", parents=[common], help="run the bot with configuration from the environment / .env"
    )
    serve.add_argument(
        "--dangerously-allow-unauthenticated",
        action="store_true",
        help="run without MICROSOFT_APP_ID: no inbound authentication, loopback only",
    )
    demo = sub.add_parser("demo", parents=[common], help="run everything locally with no Microsoft account")
    demo.add_argument("--port", type=int, default=3978)
    demo.add_argument("--with-playground", action="store_true", help="also start the Agents Playground")
    demo.add_argument("--playground-port", type=int, default=56150)
    demo.add_argument("--var", type=Path, default=None, help="state directory (default: var/)")
    demo.add_argument(
        "--fresh", action="store_true", help="do not pre-connect Office 365 or switch scheduling on"
    )
    imp = sub.add_parser(
        "import-directory", parents=[common], help="upsert a client's pivot directory (DESIGN 3.4)"
    )
    imp.add_argument("file", type=Path)
    connect = sub.add_parser(
        "connect", parents=[common], help="print a one-time Office 365 sign-in link and wait for it"
    )
    connect.add_argument("client_id")
    configure = sub.add_parser(
        "configure", parents=[common], help="apply an integration configuration (DESIGN 3.8)"
    )
    configure.add_argument("file", type=Path)
    automap = sub.add_parser(
        "automap", parents=[common], help="print the proposed room pairing as JSON (DESIGN 3.6)"
    )
    automap.add_argument("--calendar-rooms", type=Path, required=True)
    automap.add_argument("--pivot-rooms", type=Path, required=True)
    sub.add_parser("package-manifest", parents=[common], help="build build/appPackage.zip for Teams")
    sub.add_parser(
        "reencrypt",
        parents=[common],
        help="re-encrypt every stored secret with the first SECRET_KEY (then drop older keys)",
    )
    args = parser.parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    configure_logging(os.environ.get("LOG_FORMAT", "text"), verbose=verbose)
    if args.command == "automap":
        from services.integration.automap_cli import run_automap

        return run_automap(args.calendar_rooms, args.pivot_rooms)
    if args.command == "demo":
        from demo.runner import run_demo

        return run_demo(
            verbose=verbose,
            port=args.port,
            with_playground=args.with_playground,
            playground_port=args.playground_port,
            var=args.var,
            fresh=args.fresh,
        )
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.LOG_FORMAT, verbose=verbose, secrets=settings_secrets(settings))
    if args.command == "package-manifest":
        from bot.wiring import build_registry
        from manifest.package import build_package

        try:
            print(build_package(settings, build_registry()))
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "serve":
        try:
            return _serve(settings, allow_unauthenticated=args.dangerously_allow_unauthenticated)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command in ("import-directory", "configure"):
        if not settings.secret_keys():
            print("error: SECRET_KEY is required (it encrypts stored secrets)", file=sys.stderr)
            return 2
        try:
            data = _read_json(args.file)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        what = "directory" if args.command == "import-directory" else "configuration"
        return asyncio.run(_apply_document(settings, args.file, data, what))
    if args.command == "reencrypt":
        if not settings.secret_keys():
            print("error: SECRET_KEY is required (its first key encrypts)", file=sys.stderr)
            return 2
        return asyncio.run(_reencrypt(settings))
    if args.command == "connect":
        if not settings.secret_keys():
            print("error: SECRET_KEY is required (it encrypts stored tokens)", file=sys.stderr)
            return 2
        from api.connect_cli import run_connect

        try:
            return asyncio.run(run_connect(settings, args.client_id))
        except KeyboardInterrupt:
            return 130
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
