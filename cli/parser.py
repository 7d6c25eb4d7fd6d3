"""The command line of DESIGN 3.1: every command, its arguments and its help."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = "pivot Scheduling for Microsoft Teams"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also log libraries' INFO lines (SMTP, Bot Framework, HTTP) and DEBUG",
    )
    parser = argparse.ArgumentParser(prog="app.py", description=DESCRIPTION, parents=[common])
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
    return parser
