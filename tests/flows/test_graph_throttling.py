"""Long Graph throttling end to end (the emulator's 429 with `Retry-After: 120`): the incident
fails closed as `calendar_unavailable` (reason `throttled`), people are told the calendar is being
retried, the retry is scheduled no earlier than Graph asked, and once the test moves time past it
the incident ends with its slots."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from cards.incident import incident_card
from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from services import texts
from services.incidents.events import NOTIFY_JOB
from services.incidents.service import PROCESS_JOB
from services.incidents.view_builder import load_incident_view
from services.store.models import Job
from services.store.times import as_utc
from tests.flows.site import running_site
from tests.flows.test_incident_flow import EXPECTED_WINDOWS, TRIGGER
from tests.m365 import CONF4B
from tests.webhooks import incident

RETRY_AFTER = 120


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("emulator-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


async def test_a_long_retry_after_is_honoured_and_the_incident_ends_with_slots(
    database_url: str, ca_dir: Path
) -> None:
    # INCIDENT_RETRY_SECONDS is tiny: only Retry-After can keep the retry away for two minutes.
    async with running_site(database_url, ca_dir, INCIDENT_RETRY_SECONDS=0.2) as site:
        site.emu.state.add_fault("429", count=None, mailbox=CONF4B, retry_after=RETRY_AFTER)
        before = datetime.now(UTC)
        assert await site.post_incident(incident(triggered_at=TRIGGER)) == 202
        throttled = await site.wait_for("INC-1001", lambda b: b["status"] == "calendar_unavailable")
        assert throttled["status_reason"] == "throttled"
        assert throttled["slots"] == [] and throttled["free_windows"] == []  # fails closed

        async with site.services.db.session() as session:
            job = (await session.scalars(select(Job).where(Job.kind == PROCESS_JOB))).one()
        assert job.status == "queued"
        assert as_utc(job.run_at) >= before + timedelta(seconds=RETRY_AFTER)  # no earlier than asked

        # People are told, and told that the calendar is being retried (card and e-mail share the line).
        view = await load_incident_view(site.services.db, "contoso", "INC-1001")
        assert view is not None
        assert texts.INCIDENT_THROTTLED in json.dumps(incident_card(view), ensure_ascii=False)
        async with site.services.db.session() as session:
            told = (await session.scalars(select(Job.kind).where(Job.kind == NOTIFY_JOB))).all()
        assert told  # the notice went out without waiting for the retry

        reads = len([r for r in site.emu.state.requests if CONF4B in r.path])
        await asyncio.sleep(1.0)  # five INCIDENT_RETRY_SECONDS: still no second read
        assert len([r for r in site.emu.state.requests if CONF4B in r.path]) == reads

        # Graph recovers; the test moves time to the moment Graph allowed.
        site.emu.state.clear_faults()
        async with site.services.db.session() as session:
            await session.execute(update(Job).where(Job.id == job.id).values(run_at=datetime.now(UTC)))
        healed = await site.wait_for("INC-1001", lambda b: b["status"] in ("slots_found", "notified"))
        assert healed["free_windows"] == EXPECTED_WINDOWS
        assert healed["slots"]
