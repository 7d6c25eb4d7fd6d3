"""Several tenants in one emulator: each its own directory, sign-in and Graph isolated."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from emulator.certs import client_ssl_context
from emulator.testing import (
    TEST_CLIENT_ID,
    TEST_REDIRECT_URI,
    EmulatorHandle,
    SignInError,
    acquire_token,
    pkce_pair,
    running_emulator,
    submit_sign_in,
)
from tests.emulator.support import PIVOT, PIVOT_PASSWORD, TENANT_ID, TODAY, call, tenant_dict

FABRIKAM_ID = "0d6f1c2e-8b4a-4c3d-9e5f-6a7b8c9d0e1f"
FAB_PIVOT = "pivot@fabrikam.com"
FAB_PASSWORD = "fab-pass"
FAB_ROOM = "boardroom@fabrikam.com"
REPO = Path(__file__).resolve().parents[2]


def fabrikam() -> dict[str, Any]:
    """A second tenant with its own service account and one room."""
    return {
        "tenant_id": FABRIKAM_ID,
        "domain": "fabrikam.com",
        "displayName": "Fabrikam",
        "users": [
            {
                "userPrincipalName": FAB_PIVOT,
                "displayName": "pivot (Fabrikam)",
                "password": FAB_PASSWORD,
                "mailboxSettings": {"timeZone": "Pacific Standard Time"},
            }
        ],
        "rooms": [
            {
                "emailAddress": FAB_ROOM,
                "displayName": "Fabrikam Boardroom",
                "mailboxSettings": {"timeZone": "Pacific Standard Time"},
                "events": [
                    {
                        "subject": "Board",
                        "start": {"dateTime": "2026-11-25T09:00:00", "timeZone": "Pacific Standard Time"},
                        "end": {"dateTime": "2026-11-25T10:00:00", "timeZone": "Pacific Standard Time"},
                    }
                ],
            }
        ],
    }


@pytest.fixture
async def two(ca_dir: Path) -> AsyncIterator[EmulatorHandle]:
    async with running_emulator([tenant_dict(), fabrikam()], ca_dir=ca_dir, today=TODAY) as handle:
        yield handle


async def _tokens(two: EmulatorHandle) -> tuple[str, str]:
    contoso = await acquire_token(two, PIVOT, PIVOT_PASSWORD)
    fab = await acquire_token(two, FAB_PIVOT, FAB_PASSWORD, tenant="fabrikam.com")
    return str(contoso["access_token"]), str(fab["access_token"])


async def test_each_tenant_signs_in_its_own_users_and_sees_only_its_directory(
    two: EmulatorHandle, session: aiohttp.ClientSession
) -> None:
    assert [t.tenant_id for t in two.tenants] == [TENANT_ID, FABRIKAM_ID]
    assert two.tenant.tenant_id == TENANT_ID and two.authority_for(FABRIKAM_ID).endswith(FABRIKAM_ID)
    contoso, fab = await _tokens(two)

    status, me, _ = await call(session, two, "/v1.0/me", token=fab)
    assert status == 200 and me["userPrincipalName"] == FAB_PIVOT
    status, rooms, _ = await call(session, two, "/v1.0/places/microsoft.graph.room", token=fab)
    assert status == 200 and [r["emailAddress"] for r in rooms["value"]] == [FAB_ROOM]
    status, rooms, _ = await call(session, two, "/v1.0/places/microsoft.graph.room", token=contoso)
    assert FAB_ROOM not in {r["emailAddress"] for r in rooms["value"]} and len(rooms["value"]) > 1

    window = "startDateTime=2026-11-25T00:00:00Z&endDateTime=2026-11-26T12:00:00Z"
    status, view, _ = await call(session, two, f"/v1.0/users/{FAB_ROOM}/calendarView?{window}", token=fab)
    assert status == 200 and [e["subject"] for e in view["value"]] == ["Board"]
    # a token of one tenant reads nothing of the other
    for path in (f"/v1.0/users/{FAB_ROOM}", f"/v1.0/users/{FAB_ROOM}/calendarView?{window}"):
        status, body, _ = await call(session, two, path, token=contoso)
        assert status == 404, (path, body)
    status, body, _ = await call(session, two, "/v1.0/users/conf4b@contoso.com", token=fab)
    assert status == 404
    status, body, _ = await call(
        session,
        two,
        "/v1.0/users/conf4b@contoso.com/calendar/getSchedule",
        token=fab,
        method="POST",
        json={
            "schedules": ["conf4b@contoso.com"],
            "startTime": {"dateTime": "2026-11-25T00:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-11-26T00:00:00", "timeZone": "UTC"},
        },
    )
    assert status == 404


async def test_sign_in_is_per_tenant(two: EmulatorHandle) -> None:
    # contoso's account does not exist in fabrikam
    with pytest.raises(SignInError):
        await acquire_token(two, PIVOT, PIVOT_PASSWORD, tenant=FABRIKAM_ID)
    # a code issued by contoso cannot be redeemed at fabrikam's token endpoint
    verifier, challenge = pkce_pair()
    query = (
        f"client_id={TEST_CLIENT_ID}&response_type=code&redirect_uri={TEST_REDIRECT_URI}"
        f"&scope=User.Read+offline_access&state=s&code_challenge={challenge}&code_challenge_method=S256"
    )
    location = await submit_sign_in(
        f"{two.authority}/oauth2/v2.0/authorize?{query}",
        username=PIVOT,
        password=PIVOT_PASSWORD,
        ssl_context=two.ssl_context(),
    )
    code = re.search(r"code=([^&]+)", location)
    assert code is not None
    form = {
        "grant_type": "authorization_code",
        "client_id": TEST_CLIENT_ID,
        "code": code.group(1),
        "redirect_uri": TEST_REDIRECT_URI,
        "code_verifier": verifier,
    }
    async with (
        aiohttp.ClientSession() as client,
        client.post(
            f"{two.authority_for('fabrikam.com')}/oauth2/v2.0/token", data=form, ssl=two.ssl_context()
        ) as answer,
    ):
        assert answer.status == 400 and (await answer.json())["error"] == "invalid_grant"
    # a refresh token of fabrikam is refused by contoso
    fab = await acquire_token(two, FAB_PIVOT, FAB_PASSWORD, tenant="fabrikam.com")
    refresh = {
        "grant_type": "refresh_token",
        "client_id": TEST_CLIENT_ID,
        "refresh_token": fab["refresh_token"],
    }
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{two.authority}/oauth2/v2.0/token", data=refresh, ssl=two.ssl_context()) as answer,
    ):
        assert answer.status == 400 and (await answer.json())["error"] == "invalid_grant"
    # each tenant announces its own issuer
    async with (
        aiohttp.ClientSession() as client,
        client.get(
            f"{two.base_url}/fabrikam.com/v2.0/.well-known/openid-configuration", ssl=two.ssl_context()
        ) as answer,
    ):
        assert (await answer.json())["issuer"] == f"{two.base_url}/{FABRIKAM_ID}/v2.0"


async def test_admin_endpoints_take_the_tenant(two: EmulatorHandle, session: aiohttp.ClientSession) -> None:
    status, health, _ = await call(session, two, "/_admin/health")
    assert health["tenant_id"] == TENANT_ID
    assert [t["domain"] for t in health["tenants"]] == ["contoso.com", "fabrikam.com"]
    status, health, _ = await call(session, two, "/_admin/health?tenant=fabrikam.com")
    assert health["tenant_id"] == FABRIKAM_ID
    status, body, _ = await call(session, two, "/_admin/health?tenant=nowhere.example")
    assert status == 404 and "nowhere" in body["error"]

    room = {"tenant": FABRIKAM_ID, "emailAddress": "huddle@fabrikam.com", "displayName": "Huddle"}
    status, _, _ = await call(session, two, "/_admin/rooms", method="POST", json=room)
    assert status == 200
    assert two.tenant_for("fabrikam.com").find("huddle@fabrikam.com") is not None
    assert two.tenant.find("huddle@fabrikam.com") is None
    event = {
        "tenant": "fabrikam.com",
        "mailbox": FAB_ROOM,
        "event": {
            "subject": "Added",
            "start": {"dateTime": "2026-11-26T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-26T10:00:00", "timeZone": "UTC"},
        },
    }
    status, _, _ = await call(session, two, "/_admin/events", method="POST", json=event)
    assert status == 201
    # without a tenant the primary one is meant: fabrikam's room is unknown there
    status, _, _ = await call(session, two, "/_admin/events", method="POST", json={**event, "tenant": None})
    assert status == 404
    status, _, _ = await call(
        session, two, "/_admin/rooms/huddle@fabrikam.com?tenant=fabrikam.com", method="DELETE"
    )
    assert status == 200 and two.tenant_for(FABRIKAM_ID).find("huddle@fabrikam.com") is None

    status, _, _ = await call(session, two, "/_admin/revoke", method="POST", json={"user": FAB_PIVOT})
    assert status == 404  # not a contoso user
    status, _, _ = await call(
        session, two, "/_admin/revoke", method="POST", json={"user": FAB_PIVOT, "tenant": "fabrikam.com"}
    )
    assert status == 200


def test_the_same_tenant_twice_is_refused() -> None:
    from emulator.loader import load_tenant
    from emulator.model import TenantSet

    with pytest.raises(ValueError, match="twice"):
        TenantSet([load_tenant(tenant_dict()), load_tenant(tenant_dict())])
    other = copy.deepcopy(fabrikam())
    other["domain"] = "contoso.com"
    with pytest.raises(ValueError, match="domain"):
        TenantSet([load_tenant(tenant_dict()), load_tenant(other)])


async def test_cli_takes_tenant_more_than_once(tmp_path: Path) -> None:
    first, second = tmp_path / "contoso.json", tmp_path / "fabrikam.json"
    first.write_text(json.dumps(tenant_dict()))
    second.write_text(json.dumps(fabrikam()))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--tenant",
        str(first),
        "--tenant",
        str(second),
        "--port",
        "0",
        "--ca-dir",
        str(tmp_path / "ca"),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        found = re.fullmatch(r"emulator ready: (https://\S+) tenant=(\S+) ca=(\S+) tenants=(\S+)\n", line)
        assert found, line
        base, tenant, ca, tenants = found.groups()
        assert tenant == TENANT_ID and tenants.split(",") == [TENANT_ID, FABRIKAM_ID]
        async with aiohttp.ClientSession() as client:
            url = f"{base}/{FABRIKAM_ID}/v2.0/.well-known/openid-configuration"
            async with client.get(url, ssl=client_ssl_context(ca)) as answer:
                assert answer.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=10)
