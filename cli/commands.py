"""What each command does once its arguments are parsed (DESIGN 3.1).

Each returns the process exit code: 0 done, 1 done with a problem to act on, 2 refused input."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from api import server_limits
from api.server_limits import LOOPBACK
from app import build_app
from services.config import Settings
from services.container import open_services
from services.errors import ConfigError, ValidationFailed

log = logging.getLogger("pivot")


def read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


async def apply_document(settings: Settings, path: Path, data: object, what: str) -> int:
    """`import-directory` and `configure`: validate, apply all or nothing, print the outcome."""
    async with open_services(settings) as services:
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


def reencrypt(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_reencrypt(settings))


async def _reencrypt(settings: Settings) -> int:
    """`reencrypt`: print what was rewritten; non-zero when some stored secret opens with no key."""
    from services.store.reencrypt import reencrypt_all

    async with open_services(settings) as services:
        report = await reencrypt_all(services.db, services.box)
    print(json.dumps(report.as_json(), indent=2))
    if report.unreadable:
        print(
            "error: some stored secrets open with none of the keys in SECRET_KEY; keep the old key "
            "until they are replaced (re-import the directory, reconnect)",
            file=sys.stderr,
        )
        return 1
    return 0


def serve(settings: Settings, args: argparse.Namespace) -> int:
    allow_unauthenticated = bool(args.dangerously_allow_unauthenticated)
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
    server_limits.run_server(build_app(settings, freeze_startup_heap=True), host, settings.PORT, limits)
    return 0


def import_directory(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(apply_document(settings, args.file, read_json(args.file), "directory"))


def configure(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(apply_document(settings, args.file, read_json(args.file), "configuration"))


def connect(settings: Settings, args: argparse.Namespace) -> int:
    from api.connect_cli import run_connect

    return asyncio.run(run_connect(settings, args.client_id))


def package_manifest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.wiring import build_registry
    from manifest.package import build_package

    print(build_package(settings, build_registry()))
    return 0


def automap(args: argparse.Namespace, verbose: bool) -> int:
    from services.integration.automap_cli import run_automap

    return run_automap(args.calendar_rooms, args.pivot_rooms)


def demo(args: argparse.Namespace, verbose: bool) -> int:
    from demo.runner import run_demo

    return run_demo(
        verbose=verbose,
        port=args.port,
        with_playground=args.with_playground,
        playground_port=args.playground_port,
        var=args.var,
        fresh=args.fresh,
    )
