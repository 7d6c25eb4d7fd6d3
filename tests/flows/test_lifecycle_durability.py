"""Reminder and escalation steps (DESIGN 3.12) are done exactly once with two app processes
sharing one PostgreSQL database, one of them SIGKILLed while the steps run and restarted.
Time is driven by the test: it moves the steps' due instants to now instead of waiting."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, update

from services.incidents.escalation import STEP_JOB
from services.incidents.events import NOTIFY_JOB
from services.store.database import Database
from services.store.models import Incident, Job
from services.store.notification_models import Notification
from tests.conftest import reset_postgres
from tests.flows.test_durability import App, ca_dir, environment, post_incidents, sign_in, wait_all_final
from tests.m365 import free_port

__all__ = ["ca_dir"]  # the module-scoped CA fixture, shared with the durability tests

COUNT = 24


async def make_due(db: Database, step: str) -> int:
    """Bring every pending `step` job's moment to now (as if its minutes had passed)."""
    async with db.session() as session:
        jobs = (await session.execute(select(Job.id, Job.payload).where(Job.kind == STEP_JOB))).all()
        ids = [job_id for job_id, payload in jobs if payload["step"] == step]
        await session.execute(
            update(Job).where(Job.id.in_(ids), Job.status == "queued").values(run_at=Job.created_at)
        )
    return len(ids)


async def wait_armed(db: Database, timeout: float = 90) -> None:
    """Every incident notified (its first notice armed the steps: a reminder and an escalation)."""
    deadline = time.monotonic() + timeout
    while True:
        async with db.session() as session:
            notified = (await session.scalars(select(Incident.notified_at))).all()
            armed = len((await session.scalars(select(Job.id).where(Job.kind == STEP_JOB))).all())
        if len(notified) == COUNT and all(notified) and armed == 2 * COUNT:
            return
        assert time.monotonic() < deadline, f"armed {armed} of {2 * COUNT}"
        await asyncio.sleep(0.2)


async def done_steps(db: Database) -> dict[str, list[str]]:
    async with db.session() as session:
        rows = await session.execute(select(Incident.id, Incident.escalation_done))
        return {incident_id: list(done or []) for incident_id, done in rows.all()}


async def wait_steps(db: Database, expected: list[str], timeout: float = 90) -> dict[str, list[str]]:
    deadline = time.monotonic() + timeout
    while True:
        current = await done_steps(db)
        # A reminder the kill interrupted may be done after the escalation: each once, in any order.
        if len(current) == COUNT and all(sorted(done) == sorted(expected) for done in current.values()):
            return current
        assert time.monotonic() < deadline, f"steps not done: {Counter(map(tuple, current.values()))}"
        await asyncio.sleep(0.2)


@pytest.mark.postgres
async def test_steps_happen_once_across_two_instances_and_a_sigkill(
    postgres_server_url: str, ca_dir: Path, tmp_path: Path
) -> None:
    await reset_postgres(postgres_server_url)
    ports = [free_port(), free_port()]
    async with environment(postgres_server_url, ca_dir, tmp_path, ports) as (emu, env, services):
        db = services.db
        apps = [App(env, p, tmp_path / f"app{i}.log") for i, p in enumerate(ports)]
        for app in apps:
            await app.start()
        try:
            await sign_in(apps[0], services, emu)
            await post_incidents(apps, COUNT)
            final = await wait_all_final(db, COUNT)
            await wait_armed(db)
            assert await make_due(db, "reminder") == COUNT
            await asyncio.sleep(0.3)
            apps[0].kill()  # while the reminders are being done
            assert await make_due(db, "escalated") == COUNT
            await apps[0].start()
            await wait_steps(db, ["reminder", "escalated"])
            await asyncio.sleep(4)  # past the 3-second lease: anything the kill left is run again
        finally:
            for app in apps:
                app.stop()
        async with db.session() as session:
            steps = (await session.execute(select(Job.status, Job.payload).where(Job.kind == STEP_JOB))).all()
            notify = (await session.scalars(select(Job.payload).where(Job.kind == NOTIFY_JOB))).all()
            rows = (
                await session.execute(
                    select(
                        Notification.incident_id,
                        Notification.event,
                        Notification.channel,
                        Notification.recipient,
                    )
                )
            ).all()
        assert {status for status, _ in steps} == {"done"}
        assert Counter(p["event"] for p in notify) == {
            "new_incident": COUNT,
            "reminder": COUNT,
            "escalated": COUNT,
        }
        assert len(rows) == len(set(rows))
        per_incident = Counter((incident_id, event) for incident_id, event, _, _ in rows)
        reminders = {n for (_, event), n in per_incident.items() if event == "reminder"}
        escalations = {n for (_, event), n in per_incident.items() if event == "escalated"}
        assert len(reminders) == 1 and len(escalations) == 1  # every incident: the same people, once
        assert {i: sorted(d) for i, d in (await done_steps(db)).items()} == {
            i: ["escalated", "reminder"] for i in final
        }
