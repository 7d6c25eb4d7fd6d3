"""Run-time state of one emulator: faults, grants, revocation, request log, counters.

One state serves all the emulator's tenants (mailboxes are keyed by UPN).

Tests reach it directly (`handle.state`); the admin API is a thin HTTP face on it.
Everything runs on one event loop, so no locks are needed.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.faults import Fault, FaultPlan

AUTH_CODE_LIFETIME_S = 600
DEFAULT_TOKEN_LIFETIME_S = 3600
DEFAULT_REFRESH_LIFETIME_S = 90 * 24 * 3600
ALL_USERS = "*"


def now_ms() -> int:
    """Wall-clock milliseconds (token issue times are compared at this precision)."""
    return time.time_ns() // 1_000_000


@dataclass
class AuthCode:
    """A pending authorization code and what it was issued for."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    user: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_ms: int
    redeemed: bool = False
    tenant_id: str = ""


@dataclass
class RequestRecord:
    """One logged request (Graph, a $batch item, or identity)."""

    at_ms: int
    kind: str
    method: str
    path: str
    query: str
    status: int
    mailbox: str | None
    user: str | None
    client_id: str | None
    duration_ms: float
    fault: str | None = None
    batch: bool = False


@dataclass
class MailboxCounter:
    """Per-mailbox request count and concurrency high-water mark."""

    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    throttled: int = 0


@dataclass
class EmulatorState:
    """Mutable state of one emulator instance."""

    token_lifetime: int = DEFAULT_TOKEN_LIFETIME_S
    refresh_token_lifetime: int = DEFAULT_REFRESH_LIFETIME_S
    mailbox_concurrency_limit: int | None = None
    # Outlook's request quota per app and mailbox (10,000 per 10 minutes in Graph): off by default
    mailbox_request_quota: int | None = None
    mailbox_quota_window_s: float = 600.0
    # rooms answer booking requests this many seconds after the POST (0: at once)
    resource_response_delay_s: float = 0.0
    # Entra keeps a used refresh token valid until it expires; strict one-time use is opt-in.
    strict_refresh_rotation: bool = False
    seed: int | None = None
    log_size: int = 10_000
    faults: FaultPlan = field(init=False)
    auth_codes: dict[str, AuthCode] = field(init=False, default_factory=dict)
    used_refresh_tokens: set[str] = field(init=False, default_factory=set)
    refresh_revoked_ms: dict[str, int] = field(init=False, default_factory=dict)
    access_not_before_ms: dict[str, int] = field(init=False, default_factory=dict)
    requests: deque[RequestRecord] = field(init=False)
    counters: dict[str, MailboxCounter] = field(init=False, default_factory=dict)
    in_flight: int = field(init=False, default=0)
    max_in_flight: int = field(init=False, default=0)
    quota_used: dict[tuple[str, str], deque[float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.faults = FaultPlan(random.Random(self.seed))
        self.requests = deque(maxlen=self.log_size)

    # -- faults -----------------------------------------------------------------
    def add_fault(self, kind: str, **options: Any) -> Fault:
        """Activate a fault rule (see emulator.faults.Fault for the options)."""
        return self.faults.add(Fault(kind=kind, **options))

    def clear_faults(self) -> None:
        """Deactivate every fault rule."""
        self.faults.clear()

    # -- authorization codes ----------------------------------------------------
    def issue_code(self, grant: AuthCode) -> str:
        """Store a grant and return its one-time code."""
        stamp = now_ms()
        self.auth_codes = {k: v for k, v in self.auth_codes.items() if v.expires_ms > stamp}
        code = "0.emu." + secrets.token_urlsafe(32)
        self.auth_codes[code] = grant
        return code

    # -- refresh tokens and revocation -----------------------------------------
    def use_refresh_token(self, jti: str) -> bool:
        """Mark a refresh token used (rotation); False when it was used before."""
        if jti in self.used_refresh_tokens:
            return False
        self.used_refresh_tokens.add(jti)
        return True

    def revoke(self, upn: str, *, access_tokens: bool = False) -> None:
        """Revoke every refresh token of a user issued so far (optionally access tokens)."""
        stamp = now_ms()
        self.refresh_revoked_ms[upn.lower()] = stamp
        if access_tokens:
            self.access_not_before_ms[upn.lower()] = stamp

    def refresh_token_revoked(self, upn: str, issued_ms: int) -> bool:
        """True when the user's refresh tokens issued at `issued_ms` were revoked."""
        return issued_ms <= self.refresh_revoked_ms.get(upn.lower(), -1)

    def expire_tokens(self, upn: str | None = None) -> None:
        """Treat access tokens issued so far (one user's, or everyone's) as expired."""
        self.access_not_before_ms[(upn or ALL_USERS).lower()] = now_ms()

    def access_token_expired(self, upn: str, issued_ms: int) -> bool:
        """True when an access token issued at `issued_ms` was force-expired."""
        cutoff = max(
            self.access_not_before_ms.get(upn.lower(), -1), self.access_not_before_ms.get(ALL_USERS, -1)
        )
        return issued_ms <= cutoff

    # -- request log and counters ----------------------------------------------
    def enter(self, mailbox: str | None) -> bool:
        """Count a request in flight; False if the mailbox is over its concurrency limit."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if mailbox is None:
            return True
        counter = self.counters.setdefault(mailbox, MailboxCounter())
        counter.requests += 1
        counter.in_flight += 1
        counter.max_in_flight = max(counter.max_in_flight, counter.in_flight)
        limit = self.mailbox_concurrency_limit
        if limit is not None and counter.in_flight > limit:
            counter.throttled += 1
            return False
        return True

    def over_quota(self, mailbox: str | None, client_id: str) -> float | None:
        """Seconds until the app may call the mailbox again when its request quota
        is spent (the request is then not counted), else None (and it is counted)."""
        quota = self.mailbox_request_quota
        if quota is None or mailbox is None:
            return None
        now = time.monotonic()
        used = self.quota_used.setdefault((client_id, mailbox), deque())
        while used and used[0] <= now - self.mailbox_quota_window_s:
            used.popleft()
        if len(used) >= quota:
            counter = self.counters.setdefault(mailbox, MailboxCounter())
            counter.throttled += 1
            return max(used[0] + self.mailbox_quota_window_s - now, 0.0)
        used.append(now)
        return None

    def leave(self, mailbox: str | None) -> None:
        """The request counted by `enter` has finished."""
        self.in_flight -= 1
        if mailbox is not None and mailbox in self.counters:
            self.counters[mailbox].in_flight -= 1

    def record(self, entry: RequestRecord) -> None:
        """Append to the request log (oldest entries fall off)."""
        self.requests.append(entry)

    def reset_counters(self) -> None:
        """Forget the request log, counters and high-water marks."""
        self.requests.clear()
        self.quota_used.clear()
        self.counters = {
            k: MailboxCounter(in_flight=c.in_flight, max_in_flight=c.in_flight)
            for k, c in self.counters.items()
            if c.in_flight
        }
        self.max_in_flight = self.in_flight

    def snapshot(self, *, mailbox: str | None = None, limit: int | None = None) -> dict[str, Any]:
        """Log and counters as JSON for the admin API."""
        entries = [
            asdict(r) for r in self.requests if mailbox is None or (r.mailbox or "") == mailbox.lower()
        ]
        if limit is not None:
            entries = entries[-limit:]
        return {
            "requests": entries,
            "counters": {k: asdict(v) for k, v in sorted(self.counters.items())},
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }
