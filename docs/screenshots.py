"""Regenerate the pictures under docs/screenshots/ (run: .venv/bin/python docs/screenshots.py).

Always written, straight from the product's code:
- availability-*.png: the 48-hour picture as cards and e-mails carry it (open, claimed,
  across the DST change, and for an am/pm reader);
- incident-card-*.json: the incident card as each reader gets it (provider, client, channel);
- incident-email.html: the incident e-mail's HTML part, its inline picture as a data URI.

With a Chromium on the machine (CHROMIUM, else /usr/bin/chromium), the e-mail is also
photographed (incident-email.png). The card itself needs the Agents Playground or the
`adaptivecards` renderer in a browser; without Chromium that step is skipped and said so.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cards.claim import live_card  # noqa: E402
from services.domain import availability_picture  # noqa: E402
from services.domain.incident_view import audience_for_role  # noqa: E402
from services.domain.time_format import style_for  # noqa: E402
from services.notify.email_content import EmailRenderer, MailTo  # noqa: E402
from tests.incident_views_support import api_json, busy, view_from_api  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
NY = ZoneInfo("America/New_York")
TRIGGER = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)  # Tue 09:05 EST
EVENTS = [
    busy(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 2.5),
    busy(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), 1),
    busy(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), 2.25),
]


def _png(name: str, view, style_tag: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert view.triggered_at is not None
    picture = availability_picture.render(view, view.triggered_at, style_for(style_tag))
    assert picture is not None
    (OUT / name).write_bytes(picture.png)
    print(f"{name}: {len(picture.png)} bytes, {picture.width}x{picture.height}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    data = api_json(TRIGGER, NY, EVENTS)
    open_view = view_from_api(TRIGGER, NY, data)
    _png("availability-open.png", open_view)
    _png("availability-claimed.png", view_from_api(TRIGGER, NY, data, claim_index=2))
    _png("availability-en-us.png", open_view, "en-US")
    fall_back = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)  # Fri; Sun 1 Nov has 25 hours
    dst = api_json(fall_back, NY, [busy(datetime(2026, 10, 30, 16, 0, tzinfo=UTC), 3)])
    _png("availability-dst.png", view_from_api(fall_back, NY, dst))

    for role, name in (("service_provider", "provider"), ("client_admin", "client"), (None, "channel")):
        card = live_card(open_view, audience=audience_for_role(role), now=TRIGGER, user_ids=["29:viewer"])
        (OUT / f"incident-card-{name}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    message = EmailRenderer().incident_email(
        open_view,
        event="new_incident",
        to=MailTo("sam@acme.example", "Sam Provider", "service_provider", "Contoso Ltd"),
        sender="pivot Scheduling <noreply@pivot.example>",
        message_id="<docs@pivot-scheduling>",
        claim_urls={s.id: f"http://127.0.0.1:3978/claim/example-{s.id}" for s in open_view.slots},
        now=TRIGGER,
    )
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    for part in message.walk():
        cid = str(part.get("Content-ID") or "").strip("<>")
        if cid:
            data_uri = "data:image/png;base64," + base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{cid}", data_uri)
    email_file = OUT / "incident-email.html"
    email_file.write_text(html, encoding="utf-8")
    print(f"{email_file.name}: written")

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("Chromium not found: incident-email.png and the card screenshots were not made.")
        return 0
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=720,1500",
            f"--screenshot={OUT / 'incident-email.png'}",
            email_file.as_uri(),
        ],
        check=True,
        timeout=60,
    )
    print("incident-email.png: written (the card needs the Playground, see README)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
