"""Who may claim and release a slot, and whether a slot is still free: pure functions.

The rules (DESIGN 1, "Claim in one click"): a slot is claimed by a person of
the service provider assigned to the incident's location (setup's choice,
else the directory providers covering the location), or by one of its
subcontractors, or by that provider's dispatch mailbox through its e-mail
link. A claim is released by whoever claimed it or by a client admin. The
calendar re-check uses the availability engine itself, so "free" means
exactly what it meant when the slots were offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.domain import availability
from services.domain.recipients import CLIENT_USER_ROLES, PROVIDER_USER_ROLES, Provider, assigned_providers

_ALWAYS_OPEN = availability.BusinessHours.from_json(
    {day: ["00:00", "24:00"] for day in availability.WEEKDAYS}
)


@dataclass(frozen=True)
class Claimant:
    """Who is claiming: a directory user, or a provider's dispatch mailbox (`user_id` None)."""

    client_id: str
    user_id: str | None
    name: str
    email: str | None
    role: str  # service_provider | subcontractor | provider (the dispatch mailbox)
    provider_id: str | None
    provider_name: str | None
    teams_user_id: str | None = None

    def same_person(self, user_id: str | None, email: str | None) -> bool:
        """Whether an existing claim (by `user_id` / `email`) is this claimant's own."""
        if self.user_id is not None or user_id is not None:
            return self.user_id == user_id
        return bool(self.email and email and self.email.lower() == email.lower())


def eligible_providers(
    location_id: str, providers: Sequence[Provider], assigned_id: str | None
) -> frozenset[str]:
    """Ids of the providers whose people may claim this location's slots."""
    return frozenset(p.id for p in assigned_providers(location_id, providers, assigned_id))


def may_claim(role: str, service_provider_id: str | None, eligible: Iterable[str]) -> bool:
    """A provider or subcontractor user of an eligible provider (client users never may)."""
    return role in PROVIDER_USER_ROLES and service_provider_id is not None and service_provider_id in eligible


def may_see(role: str, service_provider_id: str | None, eligible: Iterable[str]) -> bool:
    """Who may see an incident of their client (DESIGN 3.4): its client users, and the people
    of the location's service provider (its own and its subcontractors)."""
    return role in CLIENT_USER_ROLES or may_claim(role, service_provider_id, eligible)


def may_release(
    *,
    actor_user_id: str | None,
    actor_role: str | None,
    actor_email: str | None,
    claim_user_id: str | None,
    claim_email: str | None,
) -> bool:
    """The claimer (by user, or the same dispatch mailbox) or a client admin."""
    if actor_role == "client_admin":
        return True
    if claim_user_id is not None:
        return actor_user_id == claim_user_id
    return bool(actor_email and claim_email and actor_email.lower() == claim_email.lower())


def slot_is_free(
    events: Iterable[availability.CalendarEvent],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    tentative_blocks: bool = True,
) -> bool:
    """Whether no blocking event meets [start, end), by the engine's own busy rules
    (cancelled and `free` events never block; all-day events block whole local days)."""
    minutes = (end - start).total_seconds() / 60
    if minutes <= 0:
        return False
    policy = availability.Policy(
        business_hours=_ALWAYS_OPEN,
        horizon_hours=minutes / 60,
        min_window_minutes=minutes,
        slot_minutes=minutes,
        tentative_blocks=tentative_blocks,
    )
    result = availability.compute(start, zone, events, policy)
    return any(w.start <= start and w.end >= end for w in result.free_windows)
