"""`python -m emulator`: run the Microsoft 365 emulator alone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from emulator.certs import ensure_ca, server_ssl_context
from emulator.faults import Fault
from emulator.loader import TenantError, load_tenant
from emulator.model import TenantSet
from emulator.server import build_app, public_base_url, start_site
from emulator.state import EmulatorState
from emulator.tokens import load_signing_key

DEFAULT_CA_DIR = Path("var/emulator")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (see emulator/README.md)."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local Microsoft 365 emulator (identity + Graph v1.0 subset) over HTTPS.",
    )
    parser.add_argument(
        "--tenant",
        required=True,
        type=Path,
        action="append",
        help="tenant JSON file; give it again for more tenants (the first is the default)",
    )
    parser.add_argument("--port", required=True, type=int, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--ca-dir",
        type=Path,
        default=DEFAULT_CA_DIR,
        help="where the CA (ca.pem) and signing key live (default var/emulator)",
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="add this latency to every Graph request")
    parser.add_argument("--fail-503", type=int, default=0, metavar="N", help="answer 503 to N Graph requests")
    parser.add_argument("--fail-429", type=int, default=0, metavar="N", help="answer 429 to N Graph requests")
    parser.add_argument(
        "--retry-after",
        type=int,
        default=1,
        metavar="S",
        help="Retry-After seconds on injected 429/503 (default 1)",
    )
    parser.add_argument(
        "--drop", type=int, default=0, metavar="N", help="drop the connection of N Graph requests"
    )
    parser.add_argument(
        "--fault-fraction",
        type=float,
        default=None,
        metavar="F",
        help="apply the --fail-*/--drop faults to a random fraction F of "
        "requests (still at most N times) instead of the first N",
    )
    parser.add_argument("--token-lifetime", type=int, default=3600, metavar="SECONDS")
    parser.add_argument(
        "--mailbox-concurrency",
        type=int,
        default=None,
        metavar="N",
        help="answer 429 ApplicationThrottled beyond N concurrent requests per mailbox (Graph's limit is 4)",
    )
    parser.add_argument(
        "--mailbox-quota",
        type=int,
        default=None,
        metavar="N",
        help="answer 429 ApplicationThrottled beyond N requests per app and mailbox in "
        "--quota-window seconds (Graph's limit is 10,000 per 600 s); off by default",
    )
    parser.add_argument("--quota-window", type=float, default=600.0, metavar="SECONDS")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="pin the tenant file's relative date tokens (YYYY-MM-DD)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for --fault-fraction")
    return parser.parse_args(argv)


def faults_from(args: argparse.Namespace) -> list[Fault]:
    """The fault rules the flags ask for."""
    faults = []
    if args.latency_ms > 0:
        faults.append(Fault(kind="latency", latency_ms=args.latency_ms))
    for kind, count in (("503", args.fail_503), ("429", args.fail_429), ("drop", args.drop)):
        if count > 0:
            faults.append(
                Fault(
                    kind=kind,
                    count=count,
                    fraction=args.fault_fraction,
                    retry_after=args.retry_after if kind != "drop" else None,
                )
            )
    return faults


async def serve(args: argparse.Namespace) -> None:
    """Start, print the ready line, and run until SIGINT/SIGTERM."""
    tenants = [load_tenant(path, today=args.today) for path in args.tenant]
    try:
        TenantSet(tenants)
    except ValueError as exc:
        raise TenantError(str(exc)) from exc
    state = EmulatorState(
        token_lifetime=args.token_lifetime,
        mailbox_concurrency_limit=args.mailbox_concurrency,
        mailbox_request_quota=args.mailbox_quota,
        mailbox_quota_window_s=args.quota_window,
        seed=args.seed,
    )
    for fault in faults_from(args):
        state.faults.add(fault)
    ca = ensure_ca(args.ca_dir)
    app = build_app(tenants, state, signing_key=load_signing_key(args.ca_dir))
    runner, port = await start_site(app, host=args.host, port=args.port, ssl_context=server_ssl_context(ca))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    base = public_base_url(args.host, port)
    line = f"emulator ready: {base} tenant={tenants[0].tenant_id} ca={ca.cert_path}"
    if len(tenants) > 1:
        line += " tenants=" + ",".join(t.tenant_id for t in tenants)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except TenantError as exc:
        sys.stderr.write(f"emulator: bad tenant file: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"emulator: cannot start: {exc}\n")
        return 1
    return 0
