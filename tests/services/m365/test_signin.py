"""IdentityService against the Microsoft 365 emulator over HTTPS, on SQLite and PostgreSQL:
the one-time sign-in link, PKCE auth-code flow, encrypted token cache, refresh,
revocation, and key rotation."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from emulator.certs import ensure_ca
from emulator.testing import EmulatorHandle, running_emulator
from emulator.tokens import load_signing_key
from services.crypto import DecryptionFailed, SecretBox
from services.errors import NotFound
from services.m365.graph_errors import NotConnected, ReconnectNeeded
from services.m365.signin import (
    SCOPES,
    IdentityService,
    SignInExpired,
    SignInFailed,
    SignInResult,
    SignInUnknown,
    SignInUsed,
)
from services.store.database import Database
from services.store.models import SignInSession
from tests.conftest import TEST_SECRET_KEY
from tests.m365 import (
    PIVOT,
    browser_sign_in,
    directory_document,
    emulator_settings,
    query_of,
    sign_in,
    tenant,
)

PUBLIC = "http://127.0.0.1:3978"
OTHER_KEY = "another-secret-key-for-rotation-tests-0123456789"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("m365-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@pytest.fixture
async def emu(ca_dir: Path) -> AsyncIterator[EmulatorHandle]:
    async with running_emulator(tenant(PUBLIC + "/auth/callback"), ca_dir=ca_dir) as handle:
        yield handle


@pytest.fixture
async def identity(db: Database, database_url: str, emu: EmulatorHandle) -> AsyncIterator[IdentityService]:
    settings = emulator_settings(database_url, emu, PUBLIC)
    box = SecretBox(settings.secret_keys())
    from services.directory.service import DirectoryService

    await DirectoryService(db, box).import_document(directory_document())
    service = IdentityService(db, box, settings)
    yield service
    service.close()


def token_posts(emu: EmulatorHandle) -> list[int]:
    """Statuses of the token endpoint requests the emulator saw."""
    return [
        r.status for r in emu.state.requests if r.kind == "identity" and r.path.endswith("/oauth2/v2.0/token")
    ]


async def raw_rows(db: Database) -> str:
    """Every column of the integrations and sign_in_sessions rows, as the database holds them."""
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM integrations"))).all()
        rows += (await conn.execute(text("SELECT * FROM sign_in_sessions"))).all()
    return json.dumps([[str(v) for v in row] for row in rows])


def cached_secrets(box: SecretBox, ciphertext: str) -> list[str]:
    cache = json.loads(box.decrypt(ciphertext))
    return [
        entry["secret"]
        for kind in ("AccessToken", "RefreshToken", "IdToken")
        for entry in cache.get(kind, {}).values()
    ]


async def stored_cache(db: Database) -> str:
    async with db.engine.connect() as conn:
        value = await conn.scalar(
            text("SELECT token_cache_enc FROM integrations WHERE client_id = 'contoso'")
        )
    assert isinstance(value, str)
    return value


async def test_sign_in_stores_the_account_encrypted(
    identity: IdentityService, db: Database, emu: EmulatorHandle
) -> None:
    seen: list[SignInResult] = []

    async def remember(result: SignInResult) -> None:
        seen.append(result)

    identity.on_signed_in(remember)
    link = await identity.start_sign_in("contoso", context={"conversation": "conv-1", "step": 3})
    assert link.url == f"{PUBLIC}/auth/start?session={link.session_id}"
    assert timedelta(minutes=9) < link.expires_at - datetime.now(UTC) <= timedelta(minutes=10)
    authorize = await identity.begin(link.session_id)
    params = query_of(authorize)
    assert authorize.startswith(f"{emu.authority}/oauth2/v2.0/authorize?")
    assert set(params["scope"].split()) == {*SCOPES, "openid", "profile", "offline_access"}
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert params["client_id"] and params["redirect_uri"] == PUBLIC + "/auth/callback"
    assert params["response_mode"] == "form_post"

    result = await identity.complete(await browser_sign_in(emu, authorize))
    assert result == SignInResult("contoso", PIVOT, {"conversation": "conv-1", "step": 3})
    assert seen == [result]
    status = await identity.status("contoso")
    assert status.connected and status.signed_in_upn == PIVOT and not status.needs_reconnect
    assert status.connected_at is not None and datetime.now(UTC) - status.connected_at < timedelta(minutes=1)

    token = await identity.access_token("contoso")
    secrets_ = cached_secrets(SecretBox([TEST_SECRET_KEY]), await stored_cache(db))
    assert token in secrets_ and len(secrets_) == 3
    raw = await raw_rows(db)
    for secret in secrets_:
        for piece in secret.split("."):
            assert piece[:24] not in raw
    assert params["state"] not in raw


async def test_links_are_single_use_and_refused_when_unknown_or_expired(
    identity: IdentityService, db: Database, emu: EmulatorHandle
) -> None:
    with pytest.raises(NotFound):
        await identity.start_sign_in("no-such-client")
    with pytest.raises(SignInUnknown):
        await identity.begin("not-a-session")
    link = await identity.start_sign_in("contoso")
    callback = await browser_sign_in(emu, await identity.begin(link.session_id))
    assert (await identity.progress(link.session_id)).state == "pending"
    await identity.complete(callback)
    assert (await identity.progress(link.session_id)).state == "signed_in"
    with pytest.raises(SignInUsed):
        await identity.begin(link.session_id)
    with pytest.raises(SignInUsed):
        await identity.complete(callback)

    stale = await identity.start_sign_in("contoso")
    authorize = await identity.begin(stale.session_id)
    async with db.session() as session:
        await session.execute(
            update(SignInSession)
            .where(SignInSession.used_at.is_(None))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    with pytest.raises(SignInExpired):
        await identity.begin(stale.session_id)
    with pytest.raises(SignInExpired):
        await identity.complete(await browser_sign_in(emu, authorize))
    assert (await identity.progress(stale.session_id)).state == "expired"


async def test_cancelled_or_forged_callbacks_change_nothing(
    identity: IdentityService, emu: EmulatorHandle
) -> None:
    link = await identity.start_sign_in("contoso")
    state = query_of(await identity.begin(link.session_id))["state"]
    with pytest.raises(SignInFailed) as cancelled:
        await identity.complete(
            {"state": state, "error": "access_denied", "error_description": "user said no"}
        )
    assert cancelled.value.cancelled and "cancelled" in cancelled.value.user_message
    with pytest.raises(SignInUnknown):
        await identity.complete({"state": "forged-state", "code": "0.emu.forged"})
    with pytest.raises(SignInFailed):
        await identity.complete({"state": state, "code": "0.emu.not-a-real-code"})
    progress = await identity.progress(link.session_id)
    assert progress.state == "pending" and progress.error == "invalid_grant"
    assert not (await identity.status("contoso")).connected
    with pytest.raises(NotConnected):
        await identity.access_token("contoso")


async def test_an_expired_access_token_is_refreshed_and_saved(
    identity: IdentityService, db: Database, emu: EmulatorHandle
) -> None:
    emu.state.token_lifetime = 120  # MSAL treats a token with < 5 minutes left as expired
    await sign_in(identity, emu)
    before = await stored_cache(db)
    assert token_posts(emu) == [200]  # the authorization code grant

    first = await identity.access_token("contoso")
    assert token_posts(emu) == [200, 200]  # ... then a refresh_token grant
    assert len(emu.state.used_refresh_tokens) == 1  # the emulator counts refresh tokens redeemed
    after = await stored_cache(db)
    assert after != before  # the rotated refresh token was saved
    second = await identity.access_token("contoso")
    assert second != first and len(emu.state.used_refresh_tokens) == 2


async def test_a_revoked_sign_in_needs_a_reconnect(
    identity: IdentityService, db: Database, emu: EmulatorHandle
) -> None:
    await sign_in(identity, emu)
    cached = await identity.access_token("contoso")
    emu.state.revoke(PIVOT)
    assert await identity.access_token("contoso") == cached  # the access token lives on
    with pytest.raises(ReconnectNeeded):
        await identity.access_token("contoso", rejected=cached)  # Graph refused it: refresh fails
    status = await identity.status("contoso")
    assert status.needs_reconnect and not status.connected and status.signed_in_upn == PIVOT
    calls = len(token_posts(emu))
    with pytest.raises(ReconnectNeeded):
        await identity.access_token("contoso")
    assert len(token_posts(emu)) == calls  # flagged: no more calls to the authority

    await sign_in(identity, emu)  # a client admin signs in again
    status = await identity.status("contoso")
    assert status.connected and not status.needs_reconnect
    assert await identity.access_token("contoso")


async def test_tokens_survive_key_rotation(
    identity: IdentityService, db: Database, database_url: str, emu: EmulatorHandle
) -> None:
    await sign_in(identity, emu)
    token = await identity.access_token("contoso")
    rotated = emulator_settings(database_url, emu, PUBLIC, SECRET_KEY=f"{OTHER_KEY},{TEST_SECRET_KEY}")
    service = IdentityService(db, SecretBox(rotated.secret_keys()), rotated)
    try:
        assert await service.access_token("contoso") == token
    finally:
        service.close()
    stored = await stored_cache(db)
    assert token in cached_secrets(SecretBox([OTHER_KEY]), stored)  # re-encrypted with the newest key
    with pytest.raises(DecryptionFailed):
        SecretBox([TEST_SECRET_KEY]).decrypt(stored)


async def test_sign_in_asks_for_calendar_writes_only_when_a_location_books_rooms(
    identity: IdentityService, db: Database, emu: EmulatorHandle
) -> None:
    from services.integration.configuration import IntegrationConfigService
    from services.m365.signin import BOOKING_SCOPE

    await sign_in(identity, emu)
    plain = await identity.status("contoso")
    assert plain.connected and not plain.can_book_rooms
    assert BOOKING_SCOPE not in await identity.scopes_for("contoso")

    await IntegrationConfigService(db).apply(
        {"client_id": "contoso", "locations": {"hq": {"book_room": True}}}
    )
    # Turning booking on is accepted at once; the sign-in stays as it was until the admin signs in again.
    assert not (await identity.status("contoso")).can_book_rooms
    link = await identity.start_sign_in("contoso")
    authorize = await identity.begin(link.session_id)
    assert set(query_of(authorize)["scope"].split()) == {
        *SCOPES,
        BOOKING_SCOPE,
        "openid",
        "profile",
        "offline_access",
    }
    await identity.complete(await browser_sign_in(emu, authorize))
    status = await identity.status("contoso")
    assert status.can_book_rooms and "Calendars.ReadWrite" in (status.granted_scopes or "")
    # A refreshed token keeps the write permission (MSAL is asked for what was granted).
    token = await identity.access_token("contoso")
    fresh = await identity.access_token("contoso", rejected=token)
    assert fresh != token
    claims = json.loads(base64.urlsafe_b64decode(fresh.split(".")[1] + "=="))
    assert BOOKING_SCOPE in claims["scp"].split()
