"""Durable jobs on SQLite and PostgreSQL: run once, retry with backoff, die after N,
survive a dead worker, and share work between instances without double runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from services.jobs import JobInfo, JobRunner, PermanentFailure, RetryLater, enqueue
from services.store.database import Database
from services.store.models import Job


async def add(db: Database, kind: str, payload: dict[str, Any], **kwargs: Any) -> None:
    async with db.session() as session:
        await enqueue(session, db, kind, payload, **kwargs)


async def statuses(db: Database) -> list[tuple[str, int, str | None]]:
    async with db.session() as session:
        rows = await session.execute(select(Job.status, Job.attempts, Job.last_error).order_by(Job.id))
        return [tuple(r) for r in rows]


async def test_job_runs_once_and_is_done(db: Database) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(job: JobInfo) -> None:
        seen.append(job.payload)

    runner = JobRunner(db, {"hello": handler})
    await add(db, "hello", {"n": 1})
    assert await runner.run_due() == 1
    assert await runner.run_due() == 0
    assert seen == [{"n": 1}]
    assert await statuses(db) == [("done", 1, None)]


async def test_dedupe_key_enqueues_once(db: Database) -> None:
    await add(db, "hello", {"n": 1}, dedupe_key="incident:contoso:1")
    await add(db, "hello", {"n": 2}, dedupe_key="incident:contoso:1")
    await add(db, "hello", {"n": 3})
    assert len(await statuses(db)) == 2


async def test_failures_back_off_then_die(db: Database) -> None:
    calls = 0

    async def flaky(job: JobInfo) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("smtp down")

    runner = JobRunner(db, {"flaky": flaky}, backoff_base=0.01, backoff_cap=0.02)
    await add(db, "flaky", {}, max_attempts=3)
    for _ in range(10):
        await runner.run_due()
        await asyncio.sleep(0.03)
    assert calls == 3
    assert await statuses(db) == [("dead", 3, "ConnectionError")]


async def test_backoff_grows_and_is_capped() -> None:
    runner = JobRunner(db=None, handlers={}, backoff_base=2.0, backoff_cap=60.0)  # type: ignore[arg-type]
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)]:
        values = [runner.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(set(values)) > 1  # jittered


async def test_retry_later_and_permanent_failure(db: Database) -> None:
    async def later(job: JobInfo) -> None:
        raise RetryLater(3600, "calendar unavailable")

    async def broken(job: JobInfo) -> None:
        raise PermanentFailure("bad payload")

    runner = JobRunner(db, {"later": later, "broken": broken})
    await add(db, "later", {})
    await add(db, "broken", {})
    await add(db, "unknown-kind", {})
    assert await runner.run_due() == 3
    assert await runner.run_due() == 0  # the retry is an hour away
    assert await statuses(db) == [
        ("queued", 1, "calendar unavailable"),
        ("dead", 1, "bad payload"),
        ("dead", 1, "no handler for job kind 'unknown-kind'"),
    ]


async def test_job_of_a_dead_worker_is_run_again(db: Database) -> None:
    done: list[int] = []

    async def handler(job: JobInfo) -> None:
        done.append(job.id)

    await add(db, "work", {})
    crashed = JobRunner(db, {"work": handler}, lease_seconds=0.2)
    claimed = await crashed._claim(10)  # claimed, then the process "dies" before finishing
    assert len(claimed) == 1
    assert await statuses(db) == [("running", 1, None)]
    survivor = JobRunner(db, {"work": handler}, lease_seconds=0.2)
    if db.is_postgres:
        await asyncio.sleep(0.3)  # another instance waits for the lease to run out
    else:
        assert await survivor.recover_single_instance() == 1  # what start() does on SQLite
    assert await survivor.run_due() == 1
    assert done == [claimed[0].id]
    assert await statuses(db) == [("done", 2, None)]


async def test_background_loop_runs_enqueued_work(db: Database) -> None:
    done = asyncio.Event()

    async def handler(job: JobInfo) -> None:
        done.set()

    runner = JobRunner(db, {"work": handler}, poll_interval=0.05)
    await runner.start()
    try:
        await add(db, "work", {})
        runner.wake()
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await runner.stop()


@pytest.mark.postgres
async def test_two_instances_share_work_without_double_runs(postgres_server_url: str) -> None:
    from tests.conftest import reset_postgres

    await reset_postgres(postgres_server_url)
    db_a, db_b = Database(postgres_server_url), Database(postgres_server_url)
    await db_a.migrate()
    await db_b.migrate()
    runs: Counter[int] = Counter()
    running: set[int] = set()
    overlaps = 0
    by_worker: Counter[str] = Counter()

    def make(worker: str) -> Any:
        async def handler(job: JobInfo) -> None:
            nonlocal overlaps
            if job.payload["n"] in running:
                overlaps += 1
            running.add(job.payload["n"])
            await asyncio.sleep(0.005)
            running.discard(job.payload["n"])
            runs[job.payload["n"]] += 1
            by_worker[worker] += 1

        return handler

    try:
        async with db_a.session() as session:
            for n in range(200):
                await enqueue(session, db_a, "work", {"n": n})
        a = JobRunner(db_a, {"work": make("a")}, concurrency=4, poll_interval=0.02)
        b = JobRunner(db_b, {"work": make("b")}, concurrency=4, poll_interval=0.02)
        await a.start()
        await b.start()
        for _ in range(400):
            if sum(runs.values()) >= 200:
                break
            await asyncio.sleep(0.05)
        await a.stop()
        await b.stop()
        assert sorted(runs) == list(range(200))
        assert set(runs.values()) == {1}
        assert overlaps == 0
        assert by_worker["a"] > 0 and by_worker["b"] > 0
    finally:
        await db_a.dispose()
        await db_b.dispose()


async def test_background_work_yields_to_intake_but_never_starves(db: Database) -> None:
    done = asyncio.Event()

    async def handler(job: JobInfo) -> None:
        done.set()

    runner = JobRunner(
        db, {"work": handler}, poll_interval=0.02, yield_to=lambda: True, max_yield_seconds=0.5
    )
    await add(db, "work", {})
    loop = asyncio.get_running_loop()
    started = loop.time()
    await runner.start()
    try:
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await runner.stop()
    waited = loop.time() - started
    assert 0.5 <= waited < 3.0  # held back while "intake" was busy, then run anyway


# ---- latency by design: wake-ups, not polls (poll interval an hour: only a wake-up can run them)


async def _wait_until(predicate: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_committed_job_starts_without_waiting_for_the_poll(db: Database) -> None:
    ran: list[str] = []

    async def handler(job: JobInfo) -> None:
        ran.append(job.payload["step"])
        if job.payload["step"] == "first":  # each stage hands on to the next
            await add(db, "work", {"step": "second"})

    runner = JobRunner(db, {"work": handler}, poll_interval=3600)
    await runner.start()
    try:
        await asyncio.sleep(0.05)  # the loop is asleep in its hour-long wait now
        await add(db, "work", {"step": "first"})
        await _wait_until(lambda: ran == ["first", "second"])
        assert runner.wakeups >= 2
    finally:
        await runner.stop()


async def test_a_rolled_back_job_wakes_nobody_and_never_runs(db: Database) -> None:
    ran: list[int] = []

    async def handler(job: JobInfo) -> None:
        ran.append(job.id)

    runner = JobRunner(db, {"work": handler}, poll_interval=3600)
    await runner.start()
    try:
        await asyncio.sleep(0.05)
        before = runner.wakeups

        async def fail_after_enqueueing() -> None:
            async with db.session() as session:
                await enqueue(session, db, "work", {})
                raise RuntimeError("the work that caused the job failed")

        with pytest.raises(RuntimeError):
            await fail_after_enqueueing()
        await asyncio.sleep(0.2)
        assert runner.wakeups == before
        assert ran == [] and await statuses(db) == []
    finally:
        await runner.stop()


async def test_a_full_runner_claims_the_next_job_when_a_slot_frees(db: Database) -> None:
    release = asyncio.Event()
    ran: list[int] = []

    async def handler(job: JobInfo) -> None:
        if job.payload["n"] == 0:
            await release.wait()
        ran.append(job.payload["n"])

    runner = JobRunner(db, {"work": handler}, concurrency=1, poll_interval=3600)
    await runner.start()
    try:
        await add(db, "work", {"n": 0})
        await _wait_until(lambda: len(runner._tasks) == 1)
        await add(db, "work", {"n": 1})  # woken, but no free slot: waits for the slot
        await asyncio.sleep(0.1)
        release.set()
        await _wait_until(lambda: ran == [0, 1])
    finally:
        await runner.stop()


@pytest.mark.postgres
async def test_instances_wake_each_other_with_notify(postgres_server_url: str) -> None:
    from tests.conftest import reset_postgres

    await reset_postgres(postgres_server_url)
    db_a, db_b = Database(postgres_server_url), Database(postgres_server_url)
    await db_a.migrate()
    ran: list[str] = []

    async def handler(job: JobInfo) -> None:
        ran.append(job.payload["by"])

    # Instance B alone runs jobs; instance A only enqueues (it has no runner at all).
    b = JobRunner(db_b, {"work": handler}, poll_interval=3600)
    await b.start()
    try:
        assert b.listening
        await asyncio.sleep(0.05)
        await add(db_a, "work", {"by": "a"})
        await _wait_until(lambda: ran == ["a"])
        assert b.wakeups >= 1
    finally:
        await b.stop()
        await db_a.dispose()
        await db_b.dispose()


async def test_a_backlog_of_paced_jobs_never_holds_every_slot(db: Database) -> None:
    release = asyncio.Event()
    ran: list[str] = []

    async def paced(job: JobInfo) -> None:  # e.g. Teams sends waiting for the conversation's rate
        await release.wait()
        ran.append("paced")

    async def mail(job: JobInfo) -> None:
        ran.append("mail")

    runner = JobRunner(
        db,
        {"paced": paced, "mail": mail},
        concurrency=4,
        poll_interval=3600,
        paced_kinds=frozenset({"paced"}),
    )
    for _ in range(10):
        await add(db, "paced", {})
    await add(db, "mail", {})  # queued behind ten paced jobs
    await runner.start()
    try:
        await _wait_until(lambda: ran == ["mail"])
        assert runner._paced_running == 2  # half the slots at most
        release.set()
        await _wait_until(lambda: len(ran) == 11)
    finally:
        await runner.stop()


async def test_unpaced_jobs_of_a_batch_start_before_paced_ones(db: Database) -> None:
    """The deliveries of one notice are claimed together: the e-mails (nothing paces them) are
    started first, so the first message out does not wait behind the Teams sends."""
    runner = JobRunner(db, {}, concurrency=8, paced_kinds=frozenset({"paced"}))
    for kind in ("paced", "mail", "paced", "mail"):
        await add(db, kind, {})
    claimed = await runner._claim_lanes(8)
    assert [job.kind for job in claimed] == ["mail", "mail", "paced", "paced"]


async def test_a_retry_runs_when_due_not_at_the_next_poll(db: Database) -> None:
    attempts: list[int] = []

    async def flaky(job: JobInfo) -> None:
        attempts.append(job.attempts)
        if job.attempts == 1:
            raise RetryLater(0.2, "smtp busy")

    runner = JobRunner(db, {"flaky": flaky}, poll_interval=3600)
    await runner.start()
    try:
        await add(db, "flaky", {})
        await _wait_until(lambda: attempts == [1, 2])
        await _wait_until(lambda: len(runner._tasks) == 0)
    finally:
        await runner.stop()
    assert (await statuses(db))[0][:2] == ("done", 2)
