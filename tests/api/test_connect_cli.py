"""`app.py connect CLIENT_ID`: prints a one-time link, serves the sign-in pages itself when
nothing answers at PUBLIC_BASE_URL, and exits 0 once signed in or 1 when the link expires."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from api.connect_cli import run_connect
from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator, sign_in_response
from emulator.tokens import load_signing_key
from services.config import Settings
from services.crypto import SecretBox
from services.directory.service import DirectoryService
from services.m365.signin import IdentityService
from services.store.database import Database
from services.store.models import SignInSession
from tests.m365 import PIVOT, PIVOT_PASSWORD, directory_document, emulator_settings, free_port, tenant

LINK = re.compile(r"https?://\S+/auth/start\?session=\S+")


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("m365-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@pytest.fixture
async def setup(sqlite_url: str, ca_dir: Path) -> AsyncIterator[tuple[Settings, EmulatorHandle]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running_emulator(tenant(base + "/auth/callback"), ca_dir=ca_dir) as emu:
        settings = emulator_settings(sqlite_url, emu, base, PORT=port)
        db = Database(sqlite_url)
        await db.migrate()
        await DirectoryService(db, SecretBox(settings.secret_keys())).import_document(directory_document())
        await db.dispose()
        yield settings, emu


async def printed_link(out: io.StringIO, task: asyncio.Task[int]) -> str:
    for _ in range(200):
        found = LINK.search(out.getvalue())
        if found:
            return found.group(0)
        assert not task.done(), out.getvalue()
        await asyncio.sleep(0.05)
    raise AssertionError("no link printed")


async def test_connect_waits_for_the_sign_in(setup: tuple[Settings, EmulatorHandle]) -> None:
    settings, emu = setup
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.create_task(run_connect(settings, "contoso", out=out, err=err, poll_seconds=0.05))
    link = await printed_link(out, task)
    assert "Serving the sign-in pages" in out.getvalue()  # nothing else answers at PUBLIC_BASE_URL
    async with aiohttp.ClientSession() as http:
        async with http.get(link, allow_redirects=False) as start:
            assert start.status == 302
            authorize = start.headers["Location"]
        fields = await sign_in_response(
            authorize, username=PIVOT, password=PIVOT_PASSWORD, ssl_context=emu.ssl_context()
        )
        async with http.post(f"{settings.PUBLIC_BASE_URL}/auth/callback", data=fields) as done:
            assert done.status == 200
    assert await asyncio.wait_for(task, 10) == 0
    assert f"Signed in as {PIVOT}" in out.getvalue()

    db = Database(settings.DATABASE_URL)
    try:
        status = await IdentityService(db, SecretBox(settings.secret_keys()), settings).status("contoso")
    finally:
        await db.dispose()
    assert status.connected and status.signed_in_upn == PIVOT


async def test_connect_gives_up_when_the_link_expires(setup: tuple[Settings, EmulatorHandle]) -> None:
    settings, _emu = setup
    out, err = io.StringIO(), io.StringIO()
    task = asyncio.create_task(run_connect(settings, "contoso", out=out, err=err, poll_seconds=0.05))
    await printed_link(out, task)
    db = Database(settings.DATABASE_URL)
    try:
        async with db.session() as session:  # ten minutes pass
            await session.execute(
                update(SignInSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        await db.dispose()
    assert await asyncio.wait_for(task, 10) == 1
    assert "expired" in err.getvalue()


async def test_connect_refuses_an_unknown_client(setup: tuple[Settings, EmulatorHandle]) -> None:
    settings, _emu = setup
    err = io.StringIO()
    assert await run_connect(settings, "nobody", out=io.StringIO(), err=err) == 2
    assert "nobody" in err.getvalue()
