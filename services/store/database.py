"""The database: engine, sessions, migrations on start and readiness.

SQLite (WAL) is the embedded default for one instance; PostgreSQL is the
scale-out option. Migrations are Alembic's, applied on start; on PostgreSQL
an advisory lock keeps several instances from migrating at once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
MIGRATION_LOCK_ID = 0x7069766F  # "pivo": advisory lock id for migrations
JOBS_CHANNEL = "pivot_jobs"  # PostgreSQL NOTIFY channel: "jobs were committed, look now"
_JOBS_FLAG = "pivot_jobs_enqueued"
_WROTE_WATCHED = "pivot_wrote_watched_tables"
_WRITE_TARGET = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
_READ_ONLY = re.compile(
    r"^\s*(?:SELECT|PRAGMA|NOTIFY|LISTEN|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|SHOW|SET)\b", re.I
)


def normalize_url(url: str) -> str:
    """Pick the async driver for plain `sqlite://` / `postgresql://` URLs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in {"postgresql", "postgres"} and parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def alembic_config() -> Config:
    """Alembic configuration pointing at `migrations/` (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


class Database:
    """Owns the async engine and session factory for one process."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
            # One connection: SQLite has one writer anyway, and queueing in the pool (FIFO)
            # beats SQLite's busy handler, whose sleeps make latency spikes under load.
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # A session class of this database's own, so its commit hook wakes only this database's runners.
        session_class = type("PivotSession", (Session,), {})
        event.listen(session_class, "after_commit", self._after_commit)
        event.listen(session_class, "after_rollback", self._after_rollback)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=session_class
        )
        self._job_listeners: list[Callable[[], None]] = []
        # The tables read-model caches are read from (`watch_writes`), and those whose plain
        # INSERTs only add rows no cached read can hold.
        self._watched_tables: frozenset[str] = frozenset()
        self._new_rows_unseen: frozenset[str] = frozenset()
        # Bumped by every write to the watched tables in this process (when it runs and again once
        # its connection is back in the pool, i.e. committed or rolled back) and by other
        # instances' commits (`external_change`): caches of read models compare it.
        self.data_generation = 0
        # Names this process in the `NOTIFY` it sends, so its own notifications are told apart.
        self.instance_id = uuid.uuid4().hex
        event.listen(self.engine.sync_engine, "after_cursor_execute", self._after_execute)
        event.listen(self.engine.sync_engine, "checkin", self._after_checkin)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def insert(self, table: Any) -> Any:
        """An INSERT in this database's dialect, so `on_conflict_do_*` is available on both."""
        return (pg_insert if self.is_postgres else sqlite_insert)(table)

    # ---- "jobs were committed": wake runners at once instead of at their next poll ----------

    def add_job_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener` (in the event loop, synchronously) after any commit that added jobs."""
        self._job_listeners.append(listener)

    def remove_job_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._job_listeners:
            self._job_listeners.remove(listener)

    async def mark_jobs_enqueued(self, session: AsyncSession) -> None:
        """Called by `enqueue` inside the caller's transaction: once it commits, runners wake.

        On PostgreSQL the same transaction sends `NOTIFY`, which PostgreSQL delivers only on
        commit, so the other instances wake too (and never for a rolled-back job)."""
        info = session.sync_session.info
        if info.get(_JOBS_FLAG):
            return
        info[_JOBS_FLAG] = True
        if self.is_postgres:
            await session.execute(text(f"NOTIFY {JOBS_CHANNEL}, '{self.instance_id}'"))

    def jobs_committed(self) -> None:
        """Wake this process's runners (for code that commits jobs without a session)."""
        for listener in list(self._job_listeners):
            listener()

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(_JOBS_FLAG, False):
            self.jobs_committed()

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(_JOBS_FLAG, None)

    # ---- "the data changed": the generation that read-model caches compare -------------------

    def watch_writes(self, tables: Iterable[str], *, new_rows_unseen: Iterable[str] = ()) -> None:
        """Make every write to `tables` move `data_generation` (a cache of reads from them
        compares it); a plain INSERT into a `new_rows_unseen` table does not (new rows that no
        cached read can have held, e.g. a new incident)."""
        self._watched_tables |= frozenset(tables)
        self._new_rows_unseen |= frozenset(new_rows_unseen)

    def external_change(self, origin: str | None = None) -> None:
        """Another instance committed something (a `NOTIFY` from it): cached reads may be stale."""
        if origin != self.instance_id:
            self.data_generation += 1

    def _after_execute(
        self, conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if _READ_ONLY.match(statement):
            return
        target = _WRITE_TARGET.match(statement)
        table = target.group(1).lower() if target else None
        if table is not None and table not in self._watched_tables:
            return
        if (
            table in self._new_rows_unseen
            and statement.lstrip()[:6].upper() == "INSERT"
            and "DO UPDATE" not in statement.upper()
        ):
            return
        self.data_generation += 1
        conn.info[_WROTE_WATCHED] = True

    def _after_checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_WROTE_WATCHED, False):
            self.data_generation += 1  # its transaction has ended: committed (or rolled back)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        """Bring the schema to head (idempotent; safe with several instances)."""
        async with self.engine.begin() as conn:
            if self.is_postgres:
                await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await conn.run_sync(_upgrade_to_head)

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())

    @staticmethod
    def head_revision() -> str | None:
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    async def readiness(self) -> tuple[bool, str]:
        """(ready, reason): the database answers and the schema is at head."""
        try:
            current = await self.current_revision()
        except Exception as exc:  # readiness must answer, never raise
            return False, f"database unreachable ({type(exc).__name__})"
        head = self.head_revision()
        if current != head:
            return False, "migrations not at head"
        return True, "ok"

    async def dispose(self) -> None:
        await self.engine.dispose()


def _upgrade_to_head(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
