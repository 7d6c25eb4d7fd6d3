"""Secret rotation end to end (DESIGN 3.1, 3.3) on SQLite and PostgreSQL: after `rotate-secrets`
the old webhook secret keeps verifying for 24 hours and is refused after; a SECRET_KEY dropped
too early is a clear 503 (never a 500); `reencrypt` lets the old key go and everything works."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from api.keys import SERVICES
from app import build_app
from services.integration.client_secrets import ClientSecrets
from tests.conftest import TEST_SECRET_KEY, make_settings
from tests.samples import WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed

ROOT = Path(__file__).resolve().parents[2]
NEW_KEY = "rotated-secret-key-fedcba9876543210-not-for-production"


async def post(client: TestClient, secret: str, incident_id: str) -> tuple[int, dict[str, Any]]:
    body, headers = signed(secret, incident(id=incident_id))
    response = await client.post("/api/incidents", data=body, headers=headers)
    return response.status, await response.json()


async def reencrypt(database_url: str, secret_key: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "app.py"),
        "reencrypt",
        env=env,
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, json.loads(out)


async def test_rotation_overlap_reencrypt_and_dropping_the_old_key(
    aiohttp_client: Any, database_url: str, tmp_path: Path
) -> None:
    app = build_app(make_settings(database_url, JOBS_POLL_SECONDS=30))
    client: TestClient = await aiohttp_client(app)
    services = app[SERVICES]
    await services.directory.import_document(directory())
    issued = await ClientSecrets(services.db, services.box).rotate("contoso")

    # Inside the overlap both secrets verify.
    assert (await post(client, WEBHOOK_SECRET, "INC-1"))[0] == 202
    assert (await post(client, issued.webhook_secret, "INC-2"))[0] == 202
    # 24 hours later (the test drives the clock) the old secret is refused, the new one is not.
    services.incidents.clock = lambda: datetime.now(UTC) + timedelta(hours=24, seconds=1)
    assert (await post(client, WEBHOOK_SECRET, "INC-3"))[0] == 401
    assert (await post(client, issued.webhook_secret, "INC-3"))[0] == 202
    await client.close()

    # The operator drops the old SECRET_KEY before re-encrypting: a clear 503, nothing accepted.
    early = await aiohttp_client(
        build_app(make_settings(database_url, SECRET_KEY=NEW_KEY, JOBS_POLL_SECONDS=30))
    )
    status, reply = await post(early, issued.webhook_secret, "INC-4")
    assert status == 503
    assert "SECRET_KEY" in reply["error"]
    # Resolve is signed the same way: the same clear 503 (DESIGN 3.10).
    body, headers = signed(issued.webhook_secret, {"client_id": "contoso", "note": "back"})
    resolved = await early.post("/api/incidents/INC-1/resolve", data=body, headers=headers)
    assert resolved.status == 503
    assert "SECRET_KEY" in (await resolved.json())["error"]
    await early.close()

    # Prepend the new key, re-encrypt, then drop the old one: everything still works.
    code, report = await reencrypt(database_url, f"{NEW_KEY},{TEST_SECRET_KEY}", tmp_path)
    assert code == 0
    assert report["unreadable"] == []
    assert report["rewritten"]["clients.webhook_secret_enc"] == 1
    assert report["rewritten"]["clients.previous_webhook_secret_enc"] == 1
    later = await aiohttp_client(
        build_app(make_settings(database_url, SECRET_KEY=NEW_KEY, JOBS_POLL_SECONDS=30))
    )
    assert (await post(later, issued.webhook_secret, "INC-4"))[0] == 202
    assert (await post(later, issued.webhook_secret, "INC-4"))[0] == 200  # still the same incident
    got = await later.get("/api/incidents/INC-1", headers={"Authorization": f"Bearer {issued.api_key}"})
    assert got.status == 200
    await later.close()
    code, report = await reencrypt(database_url, NEW_KEY, tmp_path)
    assert (code, report["unreadable"]) == (0, [])
