"""`python app.py COMMAND ...` (DESIGN 3.1): parse, set up logging, run the command.

Exit codes: 0 done, 1 done with a problem to act on, 2 refused (bad input or configuration),
130 interrupted."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from cli import commands
from cli.parser import build_parser
from services.config import Settings, load_settings
from services.errors import ConfigError
from services.logs import configure_logging, settings_secrets

# Commands that run without the environment's settings (they bring their own).
WITHOUT_SETTINGS: dict[str, Callable[[argparse.Namespace, bool], int]] = {
    "automap": commands.automap,
    "demo": commands.demo,
}
# Commands on the configured product; those listed in NEEDS_SECRET_KEY say why they need it.
WITH_SETTINGS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": commands.serve,
    "import-directory": commands.import_directory,
    "configure": commands.configure,
    "reencrypt": commands.reencrypt,
    "connect": commands.connect,
    "package-manifest": commands.package_manifest,
}
NEEDS_SECRET_KEY = {
    "import-directory": "it encrypts stored secrets",
    "configure": "it encrypts stored secrets",
    "reencrypt": "its first key encrypts",
    "connect": "it encrypts stored tokens",
}


def refuse(message: object) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    configure_logging(os.environ.get("LOG_FORMAT", "text"), verbose=verbose)
    if args.command in WITHOUT_SETTINGS:
        return WITHOUT_SETTINGS[args.command](args, verbose)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return refuse(exc)
    configure_logging(settings.LOG_FORMAT, verbose=verbose, secrets=settings_secrets(settings))
    why = NEEDS_SECRET_KEY.get(args.command)
    if why is not None and not settings.secret_keys():
        return refuse(f"SECRET_KEY is required ({why})")
    try:
        return WITH_SETTINGS[args.command](settings, args)
    except ConfigError as exc:
        return refuse(exc)
    except KeyboardInterrupt:
        return 130
