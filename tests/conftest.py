"""Shared fixtures: settings on a temporary SQLite file, and a private PostgreSQL
database per test session (REQUIRE_POSTGRES=1 turns "unreachable" into a failure)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import psycopg
import pytest

from services.config import Settings, load_settings
from services.store.database import Database

TEST_SECRET_KEY = "test-secret-key-0123456789abcdef-not-for-production"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "MICROSOFT_APP_ID": "",
    }
    values.update(overrides)
    return load_settings(env_file=None, **values)


def _pg_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG)


def _pg_execute(url: str, sql: str) -> None:
    """Run one admin statement synchronously (session fixtures have no event loop)."""
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _pg_reachable(url: str) -> bool:
    try:
        _pg_execute(url, "SELECT 1")
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh database on the test server for this session; dropped afterwards."""
    admin = _pg_admin_url()
    if not _pg_reachable(admin):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable at {admin}")
        pytest.skip("PostgreSQL not reachable (set TEST_POSTGRES_URL, or REQUIRE_POSTGRES=1 to fail)")
    name = f"pivot_test_{uuid.uuid4().hex[:12]}"

    _pg_execute(admin, f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    _pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reset_postgres(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'pivot.db'}"
        return
    url = request.getfixturevalue("postgres_server_url")
    await reset_postgres(url)
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'pivot.db'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.dispose()
