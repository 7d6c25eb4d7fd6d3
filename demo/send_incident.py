"""Post a signed incident to the running demo, as pivot would:

    python -m demo.send_incident nyc-4b "Display offline"
    python -m demo.send_incident --resolve INC-20261124140500-ab12 [--note "Display back online"]

Signs with the demo client's webhook secret (Standard Webhooks) and prints the answer.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from demo.playground import DIRECTORY_FILE

DEFAULT_URL = "http://127.0.0.1:3978/api/incidents"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("room_id", nargs="?", help="a pivot room id from demo/directory.json, e.g. nyc-4b")
    parser.add_argument("title", nargs="?", default="Display offline")
    parser.add_argument("--severity", default="high")
    parser.add_argument(
        "--resolve", metavar="INCIDENT_ID", help="resolve this incident instead (DESIGN 3.10)"
    )
    parser.add_argument("--note", default="Resolved from demo.send_incident", help="the resolution note")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    directory = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
    client = directory["client"]
    now = datetime.now(UTC)
    stamp = now.isoformat().replace("+00:00", "Z")
    if args.resolve:
        payload: dict[str, Any] = {"client_id": client["id"], "resolved_at": stamp, "note": args.note}
        return _post(f"{args.url.rstrip('/')}/{args.resolve}/resolve", payload, client["webhook_secret"], now)
    if args.room_id not in {r["id"] for r in directory["rooms"]}:
        print(f"unknown room {args.room_id!r}; rooms: {', '.join(r['id'] for r in directory['rooms'])}")
        return 2
    payload = {
        "id": f"INC-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:4]}",
        "client_id": client["id"],
        "room_id": args.room_id,
        "triggered_at": stamp,
        "title": args.title,
        "severity": args.severity,
        "description": "Sent from demo.send_incident",
    }
    return _post(args.url, payload, client["webhook_secret"], now)


def _post(url: str, payload: dict[str, Any], secret: str, now: datetime) -> int:
    body = json.dumps(payload)
    msg_id = f"msg_{uuid.uuid4().hex}"
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, body),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback demo
            print(response.status, response.read().decode())
    except urllib.error.HTTPError as exc:
        print(exc.code, exc.read().decode())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
