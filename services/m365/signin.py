"""Office 365 sign-in of a client's service account (guide step 3) and its tokens.

MSAL's auth-code flow with PKCE against `AUTHORITY_HOST/{tenant_id}`. A sign-in
starts from a one-time link (`start_sign_in`); its row in `sign_in_sessions`
keeps the MSAL flow, which holds the PKCE verifier, encrypted until the callback
redeems the code (`complete`). The MSAL token cache is stored encrypted per
client in `integrations.token_cache_enc`; `access_token` asks MSAL every time,
which refreshes with the refresh token when the access token is (nearly)
expired. MSAL is synchronous, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import msal
import requests
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS
from sqlalchemy import delete, select, update

from services import texts
from services.config import Settings
from services.crypto import DecryptionFailed, SecretBox
from services.errors import ConfigError, NotFound, PivotError
from services.m365.graph_errors import NotConnected, ReconnectNeeded, Unavailable
from services.m365.tls import requests_session
from services.store.database import Database
from services.store.models import Client, Integration, LocationSettings, SignInSession
from services.store.times import as_utc

log = logging.getLogger(__name__)

# The guide's four delegated permissions; MSAL adds openid, profile and offline_access.
SCOPES = ("Calendars.Read.Shared", "Calendars.ReadBasic", "Place.Read.All", "User.Read")
# Asked for too when some location of the client books rooms (DESIGN 3.11).
BOOKING_SCOPE = "Calendars.ReadWrite"
_GRAPH_PREFIX = "https://graph.microsoft.com/"
SESSION_LIFETIME = timedelta(minutes=10)
PURGE_AFTER = timedelta(days=2)
START_PATH = "/auth/start"
CALLBACK_PATH = "/auth/callback"
# Token endpoint answers that only a new interactive sign-in can fix.
RECONNECT_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required", "login_required"})

SignedInCallback = Callable[["SignInResult"], Awaitable[None]]


class SignInError(PivotError):
    """A sign-in link or callback that cannot go on; `user_message` is safe to show."""

    user_message = texts.SIGNIN_NOT_COMPLETED


class SignInUnknown(SignInError):
    user_message = texts.SIGNIN_LINK_UNKNOWN


class SignInExpired(SignInError):
    user_message = texts.SIGNIN_LINK_EXPIRED


class SignInUsed(SignInError):
    user_message = texts.SIGNIN_LINK_USED


class SignInFailed(SignInError):
    """Microsoft did not sign the account in (cancelled, consent refused, bad code...)."""

    def __init__(self, message: str, *, cancelled: bool = False) -> None:
        super().__init__(message)
        self.cancelled = cancelled

    @property
    def user_message(self) -> str:  # type: ignore[override]
        if self.cancelled:
            return texts.SIGNIN_CANCELLED
        return texts.SIGNIN_REFUSED


class SignInWrongTenant(SignInFailed):
    """The account signed in belongs to another tenant than the client's: nothing is stored."""

    def __init__(self, message: str, *, client_name: str, account: str | None, tenant: str | None) -> None:
        super().__init__(message)
        self.client_name = client_name
        self.account = account
        self.tenant = tenant

    @property
    def user_message(self) -> str:  # type: ignore[override]
        who = self.account or texts.SIGNIN_ACCOUNT_OF_TENANT.format(tenant=self.tenant or "?")
        return texts.SIGNIN_WRONG_TENANT.format(account=who, client=self.client_name)


def _account_tenant(client_info: str | None) -> str | None:
    """The tenant (`utid`) in the authorization response's `client_info`, if any."""
    if not client_info:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(client_info + "=" * (-len(client_info) % 4)))
    except (ValueError, binascii.Error):
        return None
    utid = data.get("utid") if isinstance(data, dict) else None
    return utid if isinstance(utid, str) and utid else None


def _same_tenant(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.lower() == b.lower())


@dataclass(frozen=True)
class SignInLink:
    session_id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class SignInResult:
    client_id: str
    upn: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SignInProgress:
    """Where a sign-in link stands (for `app.py connect`, which polls)."""

    state: Literal["pending", "signed_in", "expired", "unknown"]
    client_id: str | None = None
    upn: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class IntegrationStatus:
    client_id: str
    connected: bool
    signed_in_upn: str | None
    connected_at: datetime | None
    needs_reconnect: bool
    granted_scopes: str | None = None

    @property
    def can_book_rooms(self) -> bool:
        """The sign-in granted what booking a room needs (DESIGN 3.11)."""
        return self.connected and grants(self.granted_scopes, BOOKING_SCOPE)


@dataclass
class _Account:
    """One client's MSAL app and token cache in memory, and the ciphertext it came from."""

    tenant_id: str
    app: msal.ConfidentialClientApplication
    cache: msal.SerializableTokenCache
    loaded: str | None = None
    stale_key: bool = False


@dataclass(frozen=True)
class _Stored:
    tenant_id: str
    token_cache_enc: str
    signed_in_upn: str | None
    granted_scopes: str | None = None

    @property
    def scopes(self) -> list[str]:
        """What to ask MSAL for: the guide's scopes, and the booking one once it was granted."""
        extra = [BOOKING_SCOPE] if grants(self.granted_scopes, BOOKING_SCOPE) else []
        return [*SCOPES, *extra]


def grants(granted_scopes: str | None, scope: str) -> bool:
    """Whether a token endpoint's `scope` answer includes `scope` (prefix and case aside)."""
    wanted = scope.casefold()
    for item in (granted_scopes or "").split():
        name = item[len(_GRAPH_PREFIX) :] if item.lower().startswith(_GRAPH_PREFIX) else item
        if name.casefold() == wanted:
            return True
    return False


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class IdentityService:
    """Sign-in links, the MSAL auth-code flow, and access tokens per client."""

    def __init__(self, db: Database, box: SecretBox, settings: Settings) -> None:
        self._db = db
        self._box = box
        keys = settings.secret_keys()
        self._newest = SecretBox(keys[:1]) if keys else box
        self._settings = settings
        self._http: requests.Session | None = None
        self._accounts: dict[str, _Account] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._callbacks: list[SignedInCallback] = []

    @property
    def redirect_uri(self) -> str:
        return self._settings.PUBLIC_BASE_URL + CALLBACK_PATH

    def on_signed_in(self, callback: SignedInCallback) -> None:
        """Call `callback(result)` after each completed sign-in has been committed."""
        self._callbacks.append(callback)

    # ---- sign-in links -----------------------------------------------------------------

    async def start_sign_in(self, client_id: str, context: dict[str, Any] | None = None) -> SignInLink:
        """A new one-time sign-in link for the client's service account (10 minutes)."""
        payload = json.loads(json.dumps(context or {}))  # refuse what JSON cannot hold, now
        token = secrets.token_urlsafe(32)
        now = _now()
        expires_at = now + SESSION_LIFETIME
        async with self._db.session() as session:
            if await session.get(Client, client_id) is None:
                raise NotFound(f"client {client_id}")
            await session.execute(delete(SignInSession).where(SignInSession.expires_at < now - PURGE_AFTER))
            session.add(
                SignInSession(id=_digest(token), client_id=client_id, expires_at=expires_at, context=payload)
            )
        log.info("sign-in link created client=%s", client_id)
        return SignInLink(token, f"{self._settings.PUBLIC_BASE_URL}{START_PATH}?session={token}", expires_at)

    async def begin(self, session_id: str) -> str:
        """The authority's authorize URL for a pending link (a fresh PKCE flow each time)."""
        row = await self._pending(_digest(session_id))
        tenant_id = await self._tenant_of(row.client_id)
        app = await self._build_app(tenant_id, msal.SerializableTokenCache())
        flow: dict[str, Any] = await self._call(
            app.initiate_auth_code_flow,
            await self.scopes_for(row.client_id),
            redirect_uri=self.redirect_uri,
            prompt="select_account",
            response_mode="form_post",  # the code travels in a POST body, not in the URL
        )
        async with self._db.session() as session:
            result = await session.execute(
                update(SignInSession)
                .where(SignInSession.id == row.id, SignInSession.used_at.is_(None))
                .values(flow_enc=self._box.encrypt(json.dumps(flow)), state_sha256=_digest(flow["state"]))
            )
            if result.rowcount != 1:
                raise SignInUsed("used while starting")
        return str(flow["auth_uri"])

    async def complete(self, query_params: dict[str, str]) -> SignInResult:
        """Redeem the authorization response (the callback's form or query fields); store the
        tokens; mark the link used."""
        params = {str(k): str(v) for k, v in query_params.items()}
        state = params.get("state", "")
        if not state:
            raise SignInUnknown("callback without state")
        row = await self._session_by_state(_digest(state))
        if row.flow_enc is None:
            raise SignInUnknown("no flow stored")
        if "code" not in params:
            error = params.get("error") or "no_code"
            await self._record_error(row.id, error)
            raise SignInFailed(
                f"authorize answered {error}", cancelled=error in {"access_denied", "consent_required"}
            )
        flow = json.loads(self._box.decrypt(row.flow_enc))
        tenant_id = await self._tenant_of(row.client_id)
        client_name = await self._client_name(row.client_id)
        answered_by = _account_tenant(params.get("client_info"))
        if answered_by is not None and not _same_tenant(answered_by, tenant_id):
            # Signed in at another tenant: never redeem that code at all.
            await self._record_error(row.id, "wrong_tenant")
            raise SignInWrongTenant(
                "authorization from another tenant", client_name=client_name, account=None, tenant=answered_by
            )
        cache = msal.SerializableTokenCache()
        app = await self._build_app(tenant_id, cache)
        try:
            result = await self._call(app.acquire_token_by_auth_code_flow, flow, params)
        except (ValueError, RuntimeError) as exc:  # state/nonce mismatch, malformed answer
            await self._record_error(row.id, "invalid_response")
            raise SignInFailed(f"auth code flow rejected the response: {type(exc).__name__}") from None
        if "error" in result:
            error = str(result.get("error"))
            await self._record_error(row.id, error)
            raise SignInFailed(f"token endpoint answered {error} {result.get('error_codes')}")
        claims = result.get("id_token_claims") or {}
        upn = claims.get("preferred_username") or claims.get("upn") or claims.get("email")
        if not isinstance(upn, str) or not upn:
            await self._record_error(row.id, "no_username")
            raise SignInFailed("id token without preferred_username")
        if not _same_tenant(claims.get("tid"), tenant_id):
            await self._record_error(row.id, "wrong_tenant")
            log.warning("sign-in refused, account of another tenant client=%s", row.client_id)
            raise SignInWrongTenant(
                "id token of another tenant", client_name=client_name, account=upn, tenant=claims.get("tid")
            )
        ciphertext = self._newest.encrypt(cache.serialize())
        granted = result.get("scope")
        if isinstance(granted, list):
            granted = " ".join(str(s) for s in granted)
        if not isinstance(granted, str) or not granted.strip():
            granted = " ".join(str(s) for s in flow.get("scope") or [])
        now = _now()
        async with self._db.session() as session:
            used = await session.execute(
                update(SignInSession)
                .where(SignInSession.id == row.id, SignInSession.used_at.is_(None))
                .values(used_at=now, upn=upn, flow_enc=None, error=None)
            )
            if used.rowcount != 1:
                raise SignInUsed("completed twice")
            integration = await session.get(Integration, row.client_id)
            if integration is None:
                integration = Integration(client_id=row.client_id)
                session.add(integration)
            integration.token_cache_enc = ciphertext
            integration.signed_in_upn = upn
            integration.connected_at = now
            integration.needs_reconnect = False
            integration.granted_scopes = granted[:2000]
        self._accounts.pop(row.client_id, None)
        log.info("signed in client=%s", row.client_id)
        signed_in = SignInResult(client_id=row.client_id, upn=upn, context=dict(row.context or {}))
        for callback in list(self._callbacks):
            try:
                await callback(signed_in)
            except Exception:  # a follow-up failing must not undo a good sign-in
                log.exception("on_signed_in callback failed client=%s", row.client_id)
        return signed_in

    async def scopes_for(self, client_id: str) -> list[str]:
        """The delegated permissions a sign-in asks for: the guide's four, and
        `Calendars.ReadWrite` when some location of the client books rooms."""
        async with self._db.session() as session:
            books = await session.scalar(
                select(LocationSettings.location_id)
                .where(LocationSettings.client_id == client_id, LocationSettings.book_room.is_(True))
                .limit(1)
            )
        return [*SCOPES, BOOKING_SCOPE] if books is not None else list(SCOPES)

    async def progress(self, session_id: str) -> SignInProgress:
        """Pending, signed in, expired or unknown: what `connect` polls for."""
        async with self._db.session() as session:
            row = await session.get(SignInSession, _digest(session_id))
        if row is None:
            return SignInProgress("unknown")
        if row.used_at is not None:
            return SignInProgress("signed_in", row.client_id, row.upn)
        if as_utc(row.expires_at) <= _now():
            return SignInProgress("expired", row.client_id, error=row.error)
        return SignInProgress("pending", row.client_id, error=row.error)

    async def _pending(self, digest: str) -> SignInSession:
        async with self._db.session() as session:
            row = await session.get(SignInSession, digest)
        return self._check_usable(row)

    async def _session_by_state(self, state_digest: str) -> SignInSession:
        async with self._db.session() as session:
            row = (
                await session.scalars(select(SignInSession).where(SignInSession.state_sha256 == state_digest))
            ).first()
        return self._check_usable(row)

    @staticmethod
    def _check_usable(row: SignInSession | None) -> SignInSession:
        if row is None:
            raise SignInUnknown("no such sign-in session")
        if row.used_at is not None:
            raise SignInUsed("sign-in session already used")
        if as_utc(row.expires_at) <= _now():
            raise SignInExpired("sign-in session expired")
        return row

    async def _record_error(self, row_id: str, error: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(SignInSession).where(SignInSession.id == row_id).values(error=error[:256])
            )

    async def _client_name(self, client_id: str) -> str:
        async with self._db.session() as session:
            name = await session.scalar(select(Client.name).where(Client.id == client_id))
        return str(name or client_id)

    async def _tenant_of(self, client_id: str) -> str:
        async with self._db.session() as session:
            tenant_id = await session.scalar(select(Client.tenant_id).where(Client.id == client_id))
        if tenant_id is None:
            raise SignInUnknown(f"client {client_id} no longer exists")
        return str(tenant_id)

    # ---- tokens --------------------------------------------------------------------------

    async def access_token(self, client_id: str, *, rejected: str | None = None) -> str:
        """A valid Graph access token for the client's service account.

        MSAL answers from the cache or refreshes; a changed cache is saved,
        encrypted with the newest key. `rejected` is a token Graph refused
        (401): if MSAL would hand it out again, a refresh is forced.
        """
        lock = self._locks.setdefault(client_id, asyncio.Lock())
        async with lock:
            stored = await self._stored(client_id)
            account = await self._account(client_id, stored)
            result = await self._silent(account, stored, force=False)
            if rejected is not None and result and result.get("access_token") == rejected:
                result = await self._silent(account, stored, force=True)
            if result is not None and result.get("error") in RECONNECT_ERRORS:
                # Another instance may have rotated the refresh token meanwhile: re-read once.
                fresh = await self._stored(client_id)
                if fresh.token_cache_enc != account.loaded:
                    account = await self._account(client_id, fresh)
                    result = await self._silent(account, fresh, force=False)
            if result is None or result.get("error") in RECONNECT_ERRORS:
                await self._flag_reconnect(client_id, account.loaded)
                detail = "no usable account in the token cache" if result is None else result.get("error")
                raise ReconnectNeeded(f"client {client_id}: {detail} {(result or {}).get('error_codes', '')}")
            if "access_token" not in result:
                raise Unavailable(f"client {client_id}: token endpoint answered {result.get('error')}")
            if account.cache.has_state_changed or account.stale_key:
                await self._save(client_id, account)
            return str(result["access_token"])

    async def status(self, client_id: str) -> IntegrationStatus:
        """Who is signed in for the client, since when, and whether a reconnect is needed."""
        async with self._db.session() as session:
            row = await session.get(Integration, client_id)
        if row is None:
            return IntegrationStatus(client_id, False, None, None, False)
        return IntegrationStatus(
            client_id=client_id,
            connected=row.token_cache_enc is not None and not row.needs_reconnect,
            signed_in_upn=row.signed_in_upn,
            connected_at=as_utc(row.connected_at) if row.connected_at else None,
            needs_reconnect=bool(row.needs_reconnect),
            granted_scopes=row.granted_scopes,
        )

    async def _stored(self, client_id: str) -> _Stored:
        stmt = (
            select(
                Client.tenant_id,
                Integration.token_cache_enc,
                Integration.needs_reconnect,
                Integration.signed_in_upn,
                Integration.granted_scopes,
            )
            .outerjoin(Integration, Integration.client_id == Client.id)
            .where(Client.id == client_id)
        )
        async with self._db.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None or row.token_cache_enc is None:
            raise NotConnected(f"client {client_id} has no Office 365 sign-in")
        if row.needs_reconnect:
            raise ReconnectNeeded(f"client {client_id} is flagged for reconnect")
        return _Stored(str(row.tenant_id), row.token_cache_enc, row.signed_in_upn, row.granted_scopes)

    async def _account(self, client_id: str, stored: _Stored) -> _Account:
        """The in-memory account, reloaded when the stored cache or the tenant changed."""
        account = self._accounts.get(client_id)
        if account is None or account.tenant_id != stored.tenant_id:
            cache = msal.SerializableTokenCache()
            app = await self._build_app(stored.tenant_id, cache)
            account = _Account(stored.tenant_id, app, cache)
            self._accounts[client_id] = account
        if account.loaded != stored.token_cache_enc:
            try:
                plain, stale = self._open(stored.token_cache_enc)
            except DecryptionFailed:
                # SECRET_KEY lost the key it was stored with: fail closed like a lost sign-in (never a 500)
                log.error("token cache undecryptable client=%s: SECRET_KEY lacks its key", client_id)
                raise ReconnectNeeded(f"client {client_id} token cache cannot be decrypted") from None
            account.cache.deserialize(plain)
            account.loaded = stored.token_cache_enc
            account.stale_key = stale
        return account

    def _open(self, ciphertext: str) -> tuple[str, bool]:
        """(plaintext, True if an older SECRET_KEY had to open it)."""
        try:
            return self._newest.decrypt(ciphertext), False
        except DecryptionFailed:
            return self._box.decrypt(ciphertext), True

    async def _silent(self, account: _Account, stored: _Stored, *, force: bool) -> dict[str, Any] | None:
        upn, scopes = stored.signed_in_upn, stored.scopes

        def run() -> dict[str, Any] | None:
            accounts = account.app.get_accounts(username=upn) if upn else []
            accounts = accounts or account.app.get_accounts()
            if not accounts:
                return None
            result: dict[str, Any] | None = account.app.acquire_token_silent_with_error(
                scopes, account=accounts[0], force_refresh=force
            )
            return result

        return await self._call(run)

    async def _save(self, client_id: str, account: _Account) -> None:
        """Store the changed cache, unless a new sign-in replaced it meanwhile."""
        ciphertext = self._newest.encrypt(account.cache.serialize())
        async with self._db.session() as session:
            result = await session.execute(
                update(Integration)
                .where(Integration.client_id == client_id, Integration.token_cache_enc == account.loaded)
                .values(token_cache_enc=ciphertext)
            )
        if result.rowcount == 1:
            account.loaded = ciphertext
            account.cache.has_state_changed = False
            account.stale_key = False
        else:
            self._accounts.pop(client_id, None)

    async def _flag_reconnect(self, client_id: str, loaded: str | None) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(Integration)
                .where(Integration.client_id == client_id, Integration.token_cache_enc == loaded)
                .values(needs_reconnect=True)
            )
        self._accounts.pop(client_id, None)
        log.warning("Office 365 sign-in needs a reconnect client=%s", client_id)

    # ---- MSAL ------------------------------------------------------------------------------

    async def _build_app(
        self, tenant_id: str, cache: msal.SerializableTokenCache
    ) -> msal.ConfidentialClientApplication:
        try:
            app: msal.ConfidentialClientApplication = await self._call(self._new_app, tenant_id, cache)
        except (ValueError, RuntimeError) as exc:  # OpenID discovery refused (unknown tenant...)
            raise Unavailable(f"sign-in authority discovery failed: {type(exc).__name__}") from None
        return app

    def _new_app(
        self, tenant_id: str, cache: msal.SerializableTokenCache
    ) -> msal.ConfidentialClientApplication:
        """An MSAL app for the tenant (runs OpenID discovery: call it in a thread)."""
        settings = self._settings
        if not settings.AAD_CLIENT_ID or not settings.AAD_CLIENT_SECRET.get_secret_value():
            raise ConfigError("AAD_CLIENT_ID and AAD_CLIENT_SECRET are required for Office 365 sign-in")
        if self._http is None:
            self._http = requests_session(settings.CA_BUNDLE)
        authority = f"{settings.AUTHORITY_HOST}/{tenant_id}"
        host = (urlsplit(settings.AUTHORITY_HOST).hostname or "").lower()
        extra: dict[str, Any] = {} if host in WELL_KNOWN_AUTHORITY_HOSTS else {"instance_discovery": False}
        return msal.ConfidentialClientApplication(
            settings.AAD_CLIENT_ID,
            client_credential=settings.AAD_CLIENT_SECRET.get_secret_value(),
            authority=authority,
            token_cache=cache,
            http_client=self._http,
            **extra,
        )

    @staticmethod
    async def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking MSAL work in a thread; network trouble becomes `Unavailable`."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except requests.RequestException as exc:
            raise Unavailable(f"sign-in authority unreachable: {type(exc).__name__}") from None

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
