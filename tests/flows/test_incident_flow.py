"""Incidents end to end through the real app and the Microsoft 365 emulator: the free
windows the engine predicts, fail-closed on a Graph outage and recovery afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from tests.flows.site import FINAL, running_site
from tests.m365 import CONF4B
from tests.services.smtp_support import ScriptedSmtp
from tests.webhooks import incident

# Tue 24 Nov 2026 08:05 in New York. conf4b: standup 09:00–09:30, team sync 14:00–15:00 (weekly),
# a daily "cleaning" marked free, a cancelled demo Wed 10:00, the room closed all day Fri.
TRIGGER = "2026-11-24T13:05:00Z"
EXPECTED_WINDOWS = [
    {"start": "2026-11-24T08:05:00-05:00", "end": "2026-11-24T09:00:00-05:00"},
    {"start": "2026-11-24T09:30:00-05:00", "end": "2026-11-24T14:00:00-05:00"},
    {"start": "2026-11-24T15:00:00-05:00", "end": "2026-11-24T17:00:00-05:00"},
    {"start": "2026-11-25T08:00:00-05:00", "end": "2026-11-25T17:00:00-05:00"},
]
EXPECTED_SLOT_STARTS = [
    "2026-11-24T09:30:00-05:00",
    "2026-11-24T10:30:00-05:00",
    "2026-11-24T11:30:00-05:00",
    "2026-11-24T12:30:00-05:00",
    "2026-11-24T15:00:00-05:00",
    "2026-11-24T16:00:00-05:00",
    *[f"2026-11-25T{h:02d}:00:00-05:00" for h in range(8, 17)],
]


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("flow-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


async def test_incident_gets_the_predicted_free_windows(database_url: str, ca_dir: Path) -> None:
    async with running_site(database_url, ca_dir) as site:
        site.emu.state.reset_counters()
        assert await site.post_incident(incident(triggered_at=TRIGGER)) == 202
        body = await site.wait_for("INC-1001", lambda b: b["status"] in FINAL)
        assert body["status"] in ("slots_found", "notified")
        assert body["timezone"] in ("America/New_York", "US/Eastern")
        assert body["window"] == {"start": "2026-11-24T08:05:00-05:00", "end": "2026-11-26T08:05:00-05:00"}
        assert body["free_windows"] == EXPECTED_WINDOWS
        assert [s["start"] for s in body["slots"]] == EXPECTED_SLOT_STARTS
        assert all(s["id"] for s in body["slots"])
        reads = [r for r in site.emu.state.requests if CONF4B in r.path and "calendarView" in r.path]
        assert len(reads) == 1  # one calendar read per incident in the normal case


async def test_graph_outage_fails_closed_then_recovers(database_url: str, ca_dir: Path) -> None:
    async with running_site(database_url, ca_dir, INCIDENT_RETRY_SECONDS=0.5) as site:
        site.emu.state.add_fault("503", count=None, mailbox=CONF4B)
        assert await site.post_incident(incident(triggered_at=TRIGGER)) == 202
        down = await site.wait_for("INC-1001", lambda b: b["status"] == "calendar_unavailable")
        assert down["slots"] == []
        assert down["free_windows"] == []
        site.emu.state.clear_faults()
        healed = await site.wait_for("INC-1001", lambda b: b["status"] in ("slots_found", "notified"))
        assert healed["free_windows"] == EXPECTED_WINDOWS


async def test_every_stage_hands_on_without_a_poll(database_url: str, ca_dir: Path) -> None:
    """Webhook -> pipeline -> notify -> deliveries, with the job poll an hour apart: only the
    wake-ups of committed jobs can carry the incident through to its notifications."""
    smtp = ScriptedSmtp()
    await smtp.start()
    try:
        async with running_site(
            database_url, ca_dir, JOBS_POLL_SECONDS=3600, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}"
        ) as site:
            assert await site.post_incident(incident(triggered_at=TRIGGER)) == 202
            body = await site.wait_for(
                "INC-1001",
                lambda b: (
                    any(n["channel"] == "email" for n in b["notifications"])
                    and all(n["status"] != "queued" for n in b["notifications"] if n["channel"] == "email")
                ),
                timeout=20,
            )
            families = await scrape_metrics(site)
    finally:
        await smtp.stop()
    emails = [n for n in body["notifications"] if n["channel"] == "email"]
    assert {n["status"] for n in emails} == {"sent"}
    assert sorted(a for r in smtp.received for a in r.rcpt_tos) == sorted(n["to"] for n in emails)
    # The same story in /metrics: one calendar read, the outcome, the e-mails and their latency.
    assert value(families, "pivot_graph_requests_total", outcome="ok") >= 1
    assert value(families, "pivot_incidents_total", status="slots_found") == 1
    assert value(families, "pivot_notifications_total", channel="email", status="sent") == len(emails)
    assert value(families, "pivot_incident_to_notified_seconds_count") >= len(emails)


async def scrape_metrics(site: Any) -> dict[str, Any]:
    async with site.http.get(site.base + "/metrics") as response:
        assert response.status == 200
        return {f.name: f for f in text_string_to_metric_families(await response.text())}


def value(families: dict[str, Any], name: str, **labels: str) -> float:
    for family in families.values():
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0
