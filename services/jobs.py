"""Durable jobs: a table in the app's database and workers inside the app process.

At-least-once: a job is claimed with a lease, its handler runs, and only then is
it marked done; a job whose worker died is claimed again when its lease runs
out (on SQLite, single instance, at start-up). Handlers must be idempotent.
On PostgreSQL, claiming uses `FOR UPDATE SKIP LOCKED`, so several app
instances share the queue and no job runs twice at once (leases are renewed
while a handler runs). Failures back off exponentially with jitter; after
`max_attempts` a job is `dead` and kept for inspection.

Latency by design, not by polling: a commit that added jobs wakes this process's
runner at once (a session hook in `Database`), so a job starts right after the
transaction that queued it, and a stage that queues the next one hands on without
waiting. On PostgreSQL that commit also sends `NOTIFY`, and every runner `LISTEN`s,
so other instances wake too; a job rescheduled here wakes its runner when it comes due.
The poll (`poll_interval`) is only the safety net (delayed jobs, a missed notification).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import PivotError
from services.store.database import JOBS_CHANNEL, Database
from services.store.models import Job
from services.store.times import as_utc

log = logging.getLogger(__name__)


class RetryLater(PivotError):
    """Raised by a handler to be run again after `delay` seconds (counts as an attempt)."""

    transient = True

    def __init__(self, delay: float, reason: str = "retry later") -> None:
        super().__init__(reason)
        self.delay = delay


class PermanentFailure(PivotError):
    """Raised by a handler when retrying cannot help: the job goes straight to `dead`."""

    transient = False


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


Handler = Callable[[JobInfo], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _insert_for(db: Database) -> Any:
    return db.insert


def job_insert_statement(db: Database, *, dedupe: bool) -> Any:
    """A reusable INSERT for jobs, executed with a parameter dict (hot paths)."""
    stmt = _insert_for(db)(Job)
    return stmt.on_conflict_do_nothing(index_elements=[Job.dedupe_key]) if dedupe else stmt


def job_row(
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    delay: float = 0.0,
    max_attempts: int = 8,
    run_at: datetime | None = None,
) -> dict[str, Any]:
    """A new queued job's column values, for `job_insert` or a many-row `job_insert_statement`."""
    return {
        "kind": kind,
        "payload": payload,
        "status": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_at": run_at if run_at is not None else utcnow() + timedelta(seconds=delay),
        "dedupe_key": dedupe_key,
    }


def job_insert(
    db: Database,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    delay: float = 0.0,
    max_attempts: int = 8,
    run_at: datetime | None = None,
) -> Any:
    """The INSERT for a job; with `dedupe_key`, a second insert of the same key is a no-op.
    `run_at` (an instant) wins over `delay` (seconds from now)."""
    stmt = _insert_for(db)(Job).values(
        **job_row(kind, payload, dedupe_key=dedupe_key, delay=delay, max_attempts=max_attempts, run_at=run_at)
    )
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=[Job.dedupe_key])
    return stmt


async def enqueue(
    session: AsyncSession,
    db: Database,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    delay: float = 0.0,
    max_attempts: int = 8,
    run_at: datetime | None = None,
) -> None:
    """Add a job inside the caller's transaction, so it commits with the work that caused it."""
    await session.execute(
        job_insert(
            db, kind, payload, dedupe_key=dedupe_key, delay=delay, max_attempts=max_attempts, run_at=run_at
        )
    )
    await db.mark_jobs_enqueued(session)


@dataclass(frozen=True)
class JobQueueStats:
    """The queue at one moment: job counts by (kind, status), and the age of the oldest due job."""

    counts: dict[tuple[str, str], int]
    lag_seconds: float


async def queue_stats(db: Database, *, counts: bool = True) -> JobQueueStats:
    """Job lag (DESIGN 3.13): a job is due from its first `run_at` until it is done or dead,
    including while it waits for a retry; a running job with a live lease is not waiting."""
    now = utcnow()
    first_due = func.coalesce(Job.first_due_at, Job.run_at)
    waiting = ((Job.status == "queued") | ((Job.status == "running") & (Job.locked_until < now))) & (
        first_due <= now
    )
    by_kind: dict[tuple[str, str], int] = {}
    async with db.engine.connect() as conn:
        oldest = await conn.scalar(select(func.min(first_due)).where(waiting))
        if counts:
            rows = await conn.execute(
                select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
            )
            by_kind = {(r[0], r[1]): int(r[2]) for r in rows}
    lag = max(0.0, (now - as_utc(oldest)).total_seconds()) if oldest is not None else 0.0
    return JobQueueStats(by_kind, lag)


@dataclass
class JobRunner:
    """Claims due jobs and runs their handlers, `concurrency` at a time."""

    db: Database
    handlers: dict[str, Handler]
    concurrency: int = 4
    poll_interval: float = 0.5
    lease_seconds: float = 60.0
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    yield_to: Callable[[], bool] | None = None
    max_yield_seconds: float = 2.0
    # Kinds that wait on a rate limit (Teams sends, paced per conversation) share at most
    # `paced_concurrency` slots, so a backlog of them never holds every slot while e-mails wait.
    paced_kinds: frozenset[str] = frozenset()
    paced_concurrency: int | None = None
    _paced_running: int = 0
    # The paced lane may have left due jobs behind at the last claim (it was full, or took all
    # it asked for): only then does a paced job finishing need a new claim.
    _paced_backlog: bool = False
    _done_pending: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)
    _done_flusher: asyncio.Task[None] | None = None
    # What "now" is when picking due jobs (tests drive it to reach jobs scheduled far ahead).
    clock: Callable[[], datetime] = utcnow
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _loop_task: asyncio.Task[None] | None = None
    _stopping: bool = False
    _listener: Any = None  # the asyncpg connection that LISTENs (PostgreSQL only)
    _listen_retry_at: float = 0.0
    wakeups: int = 0  # how many times a commit or a notification woke this runner (for tests)

    async def start(self) -> None:
        if not self.db.is_postgres:
            await self.recover_single_instance()
        self.db.add_job_listener(self.wake)
        await self._ensure_listening()
        self._loop_task = asyncio.create_task(self._loop(), name=f"jobs-{self.worker_id}")

    async def stop(self) -> None:
        """Stop claiming; wait briefly for running handlers (unfinished ones are re-run later)."""
        self._stopping = True
        self._wake.set()
        self.db.remove_job_listener(self.wake)
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        await self._stop_listening()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
            for task in self._tasks:
                task.cancel()

    def wake(self) -> None:
        """Look for work now (called after a commit that added jobs, or on a notification)."""
        self.wakeups += 1
        self._wake.set()

    @property
    def listening(self) -> bool:
        """True while this runner hears other instances' `NOTIFY` (PostgreSQL)."""
        return self._listener is not None and not self._listener.is_closed()

    async def _ensure_listening(self) -> None:
        """PostgreSQL: keep one connection that LISTENs for committed jobs (reopened if lost)."""
        if not self.db.is_postgres or self.listening or time.monotonic() < self._listen_retry_at:
            return
        import asyncpg

        await self._stop_listening()
        dsn = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = await asyncpg.connect(dsn, timeout=10)
            await conn.add_listener(JOBS_CHANNEL, self._notified)
        except Exception as exc:  # the poll still runs the jobs; try again later
            self._listen_retry_at = time.monotonic() + 5.0
            log.warning("jobs listen failed error=%s", type(exc).__name__)
            return
        self._listener = conn

    def _notified(
        self, _conn: Any = None, _pid: Any = None, _channel: Any = None, payload: Any = None
    ) -> None:
        # Another instance's commit may have changed what this one caches (incident views).
        self.db.external_change(payload if isinstance(payload, str) else None)
        self.wake()

    async def _stop_listening(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    async def recover_single_instance(self) -> int:
        """SQLite runs one instance: anything `running` belonged to a process that died."""
        async with self.db.session() as session:
            result = await session.execute(
                update(Job)
                .where(Job.status == "running")
                .values(status="queued", locked_by=None, locked_until=None)
            )
        count = result.rowcount or 0  # type: ignore[attr-defined]
        if count:
            log.info("jobs recovered after restart count=%d", count)
        return count

    async def _loop(self) -> None:
        yielding_since: float | None = None
        while not self._stopping:
            if self.yield_to is not None and self.yield_to():
                # Latency-sensitive work (webhook intake) is busy: let it have the CPU, but never
                # for more than `max_yield_seconds` in a row, so background work cannot starve.
                now = time.monotonic()
                yielding_since = yielding_since or now
                if now - yielding_since < self.max_yield_seconds:
                    await asyncio.sleep(0.02)
                    continue
            yielding_since = None
            # Cleared before claiming: a wake-up that arrives while we claim is not lost.
            self._wake.clear()
            try:
                free = self.concurrency - len(self._tasks)
                claimed = await self._claim_lanes(free) if free > 0 else []
                for job in claimed:
                    paced = job.kind in self.paced_kinds
                    self._paced_running += paced
                    task = asyncio.create_task(self._run(job))
                    self._tasks.add(task)
                    task.add_done_callback(lambda t, paced=paced: self._task_done(t, paced))
                if claimed and len(claimed) == free:
                    await asyncio.sleep(0)
                    continue
            except Exception as exc:  # the loop must survive a database blip
                log.warning("job claim failed error=%s", type(exc).__name__)
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                await self._ensure_listening()

    def _task_done(self, task: asyncio.Task[None], paced: bool = False) -> None:
        full = len(self._tasks) >= self.concurrency
        self._tasks.discard(task)
        self._paced_running -= paced
        if full or (paced and self._paced_backlog):
            # A slot came free while work may be waiting (a paced job's lane may have been the
            # limit, which the count alone cannot tell): claim now. Jobs queued since are not
            # waiting for this: their commit woke the runner.
            self._wake.set()

    def _paced_limit(self) -> int:
        return self.paced_concurrency or max(1, self.concurrency // 2)

    async def _claim_lanes(self, free: int) -> list[JobInfo]:
        """Up to `free` jobs: paced kinds within their share, everything else in the rest."""
        if not self.paced_kinds:
            return await self._claim(free)
        paced_free = min(free, self._paced_limit() - self._paced_running)
        paced = await self._claim(paced_free, only=self.paced_kinds) if paced_free > 0 else []
        self._paced_backlog = paced_free <= 0 or len(paced) == paced_free
        rest = free - len(paced)
        others = await self._claim(rest, exclude=self.paced_kinds) if rest > 0 else []
        # Unpaced jobs (e-mail) start first: nothing holds them back, and the jobs of one notice
        # queue for the same connection and CPU, so the first message out is not a paced one.
        return others + paced

    async def run_due(self) -> int:
        """Claim and run every due job once, in this task (for tests and tools)."""
        total = 0
        while batch := await self._claim(self.concurrency):
            await asyncio.gather(*(self._run(job) for job in batch))
            total += len(batch)
        return total

    async def _claim(
        self, limit: int, *, only: frozenset[str] | None = None, exclude: frozenset[str] | None = None
    ) -> list[JobInfo]:
        now = max(self.clock(), utcnow())
        due = select(Job.id).where(
            ((Job.status == "queued") & (Job.run_at <= now))
            | ((Job.status == "running") & (Job.locked_until < now))
        )
        if only:
            due = due.where(Job.kind.in_(sorted(only)))
        if exclude:
            due = due.where(Job.kind.not_in(sorted(exclude)))
        due = due.order_by(Job.run_at, Job.id).limit(limit)
        if self.db.is_postgres:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(Job)
            .where(Job.id.in_(due.scalar_subquery()))
            .values(
                status="running",
                locked_by=self.worker_id,
                locked_until=now + timedelta(seconds=self.lease_seconds),
                attempts=Job.attempts + 1,
            )
            .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            rows = (await session.execute(stmt)).all()
        return [JobInfo(r.id, r.kind, dict(r.payload), r.attempts, r.max_attempts) for r in rows]

    async def _run(self, job: JobInfo) -> None:
        handler = self.handlers.get(job.kind)
        heartbeat = asyncio.create_task(self._heartbeat(job.id))
        try:
            if handler is None:
                raise PermanentFailure(f"no handler for job kind {job.kind!r}")
            await handler(job)
        except RetryLater as exc:
            await self._reschedule(job, exc.delay, str(exc))
        except PermanentFailure as exc:
            await self._finish(job, "dead", str(exc)[:500])
            log.error("job dead id=%s kind=%s reason=%s", job.id, job.kind, type(exc).__name__)
        except Exception as exc:
            if job.attempts >= job.max_attempts:
                await self._finish(job, "dead", type(exc).__name__)
                log.error(
                    "job dead id=%s kind=%s attempts=%d error=%s",
                    job.id,
                    job.kind,
                    job.attempts,
                    type(exc).__name__,
                )
            else:
                delay = self.backoff(job.attempts)
                await self._reschedule(job, delay, type(exc).__name__)
                log.warning(
                    "job failed id=%s kind=%s attempt=%d retry_in=%.1fs error=%s",
                    job.id,
                    job.kind,
                    job.attempts,
                    delay,
                    type(exc).__name__,
                )
        else:
            await self._mark_done(job.id)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    def backoff(self, attempts: int) -> float:
        """Exponential with full jitter on the upper half: base·2^(n-1), capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempts - 1)))
        return ceiling * random.uniform(0.5, 1.0)

    async def _heartbeat(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            async with self.db.session() as session:
                await session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.locked_by == self.worker_id, Job.status == "running")
                    .values(locked_until=utcnow() + timedelta(seconds=self.lease_seconds))
                )

    async def _mark_done(self, job_id: int) -> None:
        """Record a finished job; jobs finishing together share one commit (group commit).

        Returns once the commit holding it is done, as a single UPDATE would."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._done_pending.append((job_id, done))
        if self._done_flusher is None or self._done_flusher.done():
            self._done_flusher = asyncio.create_task(self._flush_done())
        await done

    async def _flush_done(self) -> None:
        while self._done_pending:
            batch, self._done_pending = self._done_pending, []
            try:
                async with self.db.session() as session:
                    await session.execute(
                        update(Job)
                        .where(Job.id.in_([job_id for job_id, _ in batch]), Job.locked_by == self.worker_id)
                        .values(status="done", last_error=None, finished_at=func.now(), locked_until=None)
                    )
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _finish(self, job: JobInfo, status: str, error: str | None) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(Job)
                .where(Job.id == job.id, Job.locked_by == self.worker_id)
                .values(status=status, last_error=error, finished_at=func.now(), locked_until=None)
            )

    async def _reschedule(self, job: JobInfo, delay: float, error: str) -> None:
        status = "dead" if job.attempts >= job.max_attempts else "queued"
        async with self.db.session() as session:
            await session.execute(
                update(Job)
                .where(Job.id == job.id, Job.locked_by == self.worker_id)
                .values(
                    status=status,
                    first_due_at=func.coalesce(Job.first_due_at, Job.run_at),
                    run_at=utcnow() + timedelta(seconds=delay),
                    last_error=error[:500],
                    locked_by=None,
                    locked_until=None,
                )
            )
        if status == "queued" and not self._stopping:
            # Our own retry: look again when it comes due, not at the next safety-net poll.
            asyncio.get_running_loop().call_later(max(0.0, delay) + 0.01, self._wake.set)
