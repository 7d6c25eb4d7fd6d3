"""`/readyz` and the job queue (DESIGN 3.13): unready when the oldest due job is older than
READY_MAX_JOB_LAG_SECONDS, counting a job waiting for its retry from when it first became due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from api.keys import JOBS, SERVICES
from app import build_app
from services.jobs import JobInfo, JobRunner, RetryLater, enqueue, queue_stats, utcnow
from services.store.database import Database
from services.store.models import Job
from tests.conftest import make_settings


async def ready(client: TestClient) -> tuple[int, str]:
    response = await client.get("/readyz")
    return response.status, (await response.json())["reason"]


async def test_readyz_goes_unready_when_jobs_lag(aiohttp_client: Any, database_url: str) -> None:
    app = build_app(make_settings(database_url, READY_MAX_JOB_LAG_SECONDS=60, JOBS_POLL_SECONDS=3600))
    client: TestClient = await aiohttp_client(app)
    db = app[SERVICES].db
    await app[JOBS].stop()  # a stuck queue: nothing runs the jobs
    assert await ready(client) == (200, "ok")

    async with db.session() as session:
        await enqueue(session, db, "stuck.kind", {}, delay=-30)  # due 30 s ago: within the limit
        await enqueue(session, db, "later.kind", {}, delay=3600)  # not due yet: never lag
    assert await ready(client) == (200, "ok")

    async with db.session() as session:
        await session.execute(
            update(Job).where(Job.kind == "stuck.kind").values(run_at=utcnow() - timedelta(seconds=90))
        )
    status, reason = await ready(client)
    assert status == 503
    assert reason.startswith("jobs lag 9") and "60s" in reason


async def test_a_job_waiting_for_its_retry_counts_from_when_it_first_became_due(database_url: str) -> None:
    db = Database(database_url)
    await db.migrate()
    try:

        async def later(job: JobInfo) -> None:
            raise RetryLater(600, "calendar unavailable")

        async with db.session() as session:
            await enqueue(session, db, "later", {}, delay=-120)
        await JobRunner(db, {"later": later}).run_due()  # failed once, next try in 10 minutes
        stats = await queue_stats(db)
        assert stats.counts == {("later", "queued"): 1}
        assert 115 <= stats.lag_seconds < 200  # still due since 2 minutes ago
    finally:
        await db.dispose()
