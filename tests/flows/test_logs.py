"""LOG_FORMAT=json (DESIGN 3.13): while an incident runs end to end — webhook, calendar read,
e-mails over real SMTP, a claim through the e-mail link — every log line is one JSON object
with ids, and no line holds a token, a secret, an e-mail body or an address."""

from __future__ import annotations

import html
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from services.logs import configure_logging, settings_secrets
from tests.claims_support import next_weekday_at
from tests.conftest import TEST_SECRET_KEY
from tests.flows.site import running_site
from tests.m365 import PIVOT, PIVOT_PASSWORD
from tests.samples import API_KEY, WEBHOOK_SECRET
from tests.services.smtp_support import ScriptedSmtp
from tests.webhooks import incident


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("logs-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@contextmanager
def json_logs(secrets: list[str]) -> Iterator[io.StringIO]:
    """The process's logging as `app.py` sets it up for LOG_FORMAT=json, into a buffer."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()
    configure_logging("json", secrets=secrets, stream=buffer)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


async def test_json_logs_carry_ids_and_never_secrets_bodies_or_addresses(
    database_url: str, ca_dir: Path
) -> None:
    smtp = ScriptedSmtp()
    await smtp.start()
    try:
        async with running_site(
            database_url, ca_dir, JOBS_POLL_SECONDS=0.2, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}"
        ) as site:
            secrets = settings_secrets(site.services.settings)
            with json_logs(secrets) as buffer:
                logging.getLogger("tests").info("scenario starts")
                assert (
                    await site.post_incident(incident(triggered_at=next_weekday_at(12, 5).isoformat())) == 202
                )
                body = await site.wait_for(
                    "INC-1001",
                    lambda b: (
                        any(n["channel"] == "email" for n in b["notifications"])
                        and all(
                            n["status"] != "queued" for n in b["notifications"] if n["channel"] == "email"
                        )
                    ),
                )
                provider_mail = next(r for r in smtp.received if "sam@acme.example" in r.rcpt_tos)
                text = provider_mail.message.get_body(("html",)).get_content()  # type: ignore[union-attr]
                link = html.unescape(re.search(r'href="([^"]*/claim/[^"]+)"', text).group(1))  # type: ignore[union-attr]
                async with site.http.post(link, data={"confirm": "yes"}) as claimed:
                    assert claimed.status == 200
                await site.wait_for("INC-1001", lambda b: b["status"] == "claimed")
                logging.getLogger("tests").info("scenario ends")
            lines = buffer.getvalue().splitlines()
            addresses = {n["to"] for n in body["notifications"] if n["channel"] == "email"}
    finally:
        await smtp.stop()

    assert len(lines) > 5
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry)
    assert any(e.get("incident_id") == "INC-1001" and e.get("client_id") == "contoso" for e in entries)
    assert any(e["logger"].startswith("services.") for e in entries)

    token = link.rsplit("/", 1)[1]
    forbidden = {
        "webhook secret": WEBHOOK_SECRET,
        "api key": API_KEY,
        "SECRET_KEY": TEST_SECRET_KEY,
        "service account password": PIVOT_PASSWORD,
        "service account": PIVOT,
        "claim link token": token,
        **{f"configured secret {i}": s for i, s in enumerate(secrets)},
        **{f"address {a}": a for a in addresses | {r for m in smtp.received for r in m.rcpt_tos}},
    }
    for mail in smtp.received:
        message = mail.message
        forbidden[f"subject of {message['Message-ID']}"] = str(message["Subject"])
        plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for n, line in enumerate(plain.splitlines()):
            if len(line.strip()) >= 30:
                forbidden[f"body line {n}"] = line.strip()
    everything = "\n".join(lines)
    for what, value in forbidden.items():
        assert value not in everything, f"{what} appears in the logs"
    assert not re.search(r"\beyJ[A-Za-z0-9_-]{5,}\.", everything), "a JWT appears in the logs"
    assert not re.search(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}", everything), "an address"
