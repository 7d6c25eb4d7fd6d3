"""Accepted work is never lost, and never done twice: the app is SIGKILLed while
incidents are queued and being processed, then restarted (SQLite and PostgreSQL);
two app instances share one PostgreSQL database and each incident is processed once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services.container import Services
from services.incidents.service import PROCESS_JOB
from services.store.database import Database
from services.store.models import Incident, Job
from tests.conftest import reset_postgres
from tests.flows.site import FINAL
from tests.m365 import CONF4B, PIVOT, PIVOT_PASSWORD, directory_document, emulator_settings, free_port, tenant
from tests.samples import WEBHOOK_SECRET
from tests.webhooks import incident, signed

ROOT = Path(__file__).resolve().parents[2]
TRIGGER = "2026-11-24T13:05:00Z"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("durability-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


class App:
    """One app instance as its own process (`serve`, loopback, no Bot Framework auth)."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        env = dict(os.environ) | self.env | {"PORT": str(self.port)}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py"), "serve", "--dangerously-allow-unauthenticated"],
                env=env,
                cwd=str(self.log.parent),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                try:
                    async with http.get(self.base + "/readyz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@asynccontextmanager
async def environment(
    database_url: str, ca_dir: Path, tmp_path: Path, ports: list[int]
) -> AsyncIterator[tuple[EmulatorHandle, dict[str, str], Services]]:
    base = f"http://127.0.0.1:{ports[0]}"
    async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
        settings = emulator_settings(database_url, emu, base)
        env = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.SECRET_KEY.get_secret_value() if settings.SECRET_KEY else "",
            "AUTHORITY_HOST": emu.authority_host,
            "GRAPH_BASE_URL": emu.graph_base_url,
            "CA_BUNDLE": str(emu.ca_path),
            "AAD_CLIENT_ID": settings.AAD_CLIENT_ID,
            "AAD_CLIENT_SECRET": settings.AAD_CLIENT_SECRET.get_secret_value(),
            "PUBLIC_BASE_URL": base,
            "MICROSOFT_APP_ID": "",
            "JOBS_POLL_SECONDS": "0.1",
            "JOBS_LEASE_SECONDS": "3",
            "JOBS_CONCURRENCY": "4",
        }
        db = Database(database_url)
        await db.migrate()
        services = Services.create(settings, db)
        await services.directory.import_document(directory_document())
        await services.integration.apply(
            {"client_id": "contoso", "locations": {"hq": {"scheduling": True}}, "room_map": {"hq-4b": CONF4B}}
        )
        try:
            yield emu, env, services
        finally:
            await services.graph.close()
            services.identity.close()
            await db.dispose()


async def sign_in(app: App, services: Services, emu: EmulatorHandle) -> None:
    link = await services.identity.start_sign_in("contoso")
    async with aiohttp.ClientSession() as http:
        async with http.get(
            link.url.replace(services.settings.PUBLIC_BASE_URL, app.base), allow_redirects=False
        ) as start:
            authorize = start.headers["Location"]
        fields = await sign_in_response(
            authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=emu.ssl_context()
        )
        async with http.post(app.base + "/auth/callback", data=fields) as done:
            assert done.status == 200, await done.text()


async def post_incidents(apps: list[App], count: int) -> None:
    async with aiohttp.ClientSession() as http:
        for n in range(count):
            body, headers = signed(WEBHOOK_SECRET, incident(id=f"INC-{n:04d}", triggered_at=TRIGGER))
            async with http.post(
                apps[n % len(apps)].base + "/api/incidents", data=body, headers=headers
            ) as r:
                assert r.status == 202, await r.text()


async def statuses(db: Database) -> dict[str, tuple[str, int]]:
    async with db.session() as session:
        rows = await session.execute(select(Incident.id, Incident.status, Incident.calendar_reads))
        return {r.id: (r.status, r.calendar_reads) for r in rows}


async def wait_all_final(db: Database, count: int, timeout: float = 90) -> dict[str, tuple[str, int]]:
    deadline = time.monotonic() + timeout
    while True:
        current = await statuses(db)
        if len(current) == count and all(status in FINAL for status, _ in current.values()):
            return current
        if time.monotonic() > deadline:
            stuck = {k: v for k, v in current.items() if v[0] not in FINAL}
            raise AssertionError(f"not final after {timeout}s: {len(stuck)} e.g. {list(stuck.items())[:3]}")
        await asyncio.sleep(0.2)


async def process_jobs(db: Database) -> list[Any]:
    async with db.session() as session:
        return list(
            (await session.execute(select(Job.status, Job.locked_by).where(Job.kind == PROCESS_JOB))).all()
        )


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_sigkill_mid_processing_loses_nothing_and_repeats_nothing(
    backend: str, request: pytest.FixtureRequest, ca_dir: Path, tmp_path: Path
) -> None:
    if backend == "sqlite":
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'durable.db'}"
    else:
        database_url = request.getfixturevalue("postgres_server_url")
        await reset_postgres(database_url)
    count = 40
    port = free_port()
    async with environment(database_url, ca_dir, tmp_path, [port]) as (emu, env, services):
        app = App(env, port, tmp_path / "app.log")
        await app.start()
        try:
            await sign_in(app, services, emu)
            emu.state.add_fault("latency", latency_ms=400, mailbox=CONF4B)  # keep jobs running
            await post_incidents([app], count)
            await until_some_running(services.db)  # not a fixed sleep: a faster app must not finish first
            before = await statuses(services.db)
            app.kill()  # mid-flight: some done, some running, most queued
            running = [j for j in await process_jobs(services.db) if j.status == "running"]
            assert running, "the kill should catch jobs in flight"
            assert sum(1 for s, _ in before.values() if s in FINAL) < count
            emu.state.clear_faults()
            await app.start()
            final = await wait_all_final(services.db, count)
        finally:
            app.stop()
        assert all(status in ("slots_found", "notified") for status, _ in final.values())
        assert all(reads == 1 for _, reads in final.values())  # each stored exactly once
        jobs = await process_jobs(services.db)
        assert len(jobs) == count
        assert {j.status for j in jobs} == {"done"}
        async with services.db.session() as session:
            notify = await session.scalar(
                select(func.count()).select_from(Job).where(Job.kind == "incident.notify")
            )
        assert notify == count


async def until_some_running(db: Database, timeout: float = 20.0) -> None:
    """Wait until at least one incident job is running (the moment a kill must catch)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(j.status == "running" for j in await process_jobs(db)):
        assert loop.time() < deadline, "no incident job started running"
        await asyncio.sleep(0.05)


@pytest.mark.postgres
async def test_two_instances_process_each_incident_once(
    postgres_server_url: str, ca_dir: Path, tmp_path: Path
) -> None:
    await reset_postgres(postgres_server_url)
    count = 200
    ports = [free_port(), free_port()]
    async with environment(postgres_server_url, ca_dir, tmp_path, ports) as (emu, env, services):
        apps = [App(env, p, tmp_path / f"app{i}.log") for i, p in enumerate(ports)]
        for app in apps:
            await app.start()
        try:
            await sign_in(apps[0], services, emu)
            emu.state.reset_counters()
            await post_incidents(apps, count)
            final = await wait_all_final(services.db, count, timeout=120)
        finally:
            for app in apps:
                app.stop()
        assert all(reads == 1 for _, reads in final.values())
        jobs = await process_jobs(services.db)
        assert len(jobs) == count
        assert {j.status for j in jobs} == {"done"}
        assert len({j.locked_by for j in jobs}) == 2  # both instances did work
        views = [r for r in emu.state.requests if "calendarView" in r.path and r.status == 200]
        assert len(views) == count  # one calendar read per incident, none repeated
