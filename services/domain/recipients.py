"""Who hears about an incident event, on which channel: a pure function of plain data.

The rules (DESIGN 1, 3.9): the client's users, the client's own notify address,
the location's service provider (its dispatch address and its service-provider
and subcontractor users), each user by their effective preferences. Nobody gets
the same message twice: e-mail is de-duplicated by lower-cased address, Teams
by user. When two routes reach one address, the route that may claim slots
wins, so a provider mailbox never loses its claim links.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

EMAIL = "email"
TEAMS = "teams"

# Events a user can switch off one by one; `slots_update` and the lifecycle events that
# follow an incident notice (DESIGN 3.10, 3.12) go with `new_incident`.
EVENT_TOGGLES: tuple[str, ...] = ("new_incident", "slot_claimed", "slot_released")
EVENT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "slots_update": "new_incident",
        "reminder": "new_incident",
        "escalated": "new_incident",
        "resolved": "new_incident",
        "sla_breached": "new_incident",
    }
)
# Events whose Teams notice is the in-place update of every card already posted, not a new post.
CARD_EVENTS: frozenset[str] = frozenset({"resolved", "sla_breached"})
# Room booking outcomes (DESIGN 3.11): told to the claimer / the client admins, not switchable.
BOOKING_EVENTS: tuple[str, ...] = ("booking_declined", "booking_failed")
EVENTS: frozenset[str] = frozenset((*EVENT_TOGGLES, *EVENT_ALIASES, *BOOKING_EVENTS))

CLIENT_USER_ROLES: frozenset[str] = frozenset({"client_admin", "client_user"})
PROVIDER_USER_ROLES: frozenset[str] = frozenset({"service_provider", "subcontractor"})
CLAIMING_ROLES: frozenset[str] = frozenset({*PROVIDER_USER_ROLES, "provider"})

# When routes collide on one address, the lowest rank wins (claiming routes first,
# then people before shared mailboxes, so a user id is kept when it can be).
_ROLE_RANK: Mapping[str, int] = MappingProxyType(
    {
        "service_provider": 0,
        "subcontractor": 1,
        "provider": 2,
        "client_admin": 3,
        "client_user": 4,
        "client": 5,
        "channel": 6,
    }
)


@dataclass(frozen=True)
class ClientContact:
    id: str
    name: str
    notify_email: str | None = None


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    email: str | None
    location_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """A directory user; `notify` is the directory's {"email": bool, "teams": bool}."""

    id: str
    name: str
    email: str
    role: str
    service_provider_id: str | None = None
    notify: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Preferences:
    """A user's channels and per-event switches (missing switches are on)."""

    email: bool = True
    teams: bool = True
    events: Mapping[str, bool] = field(default_factory=dict)

    def wants(self, event: str) -> bool:
        return bool(self.events.get(EVENT_ALIASES.get(event, event), True))


@dataclass(frozen=True)
class Recipient:
    channel: str  # email | teams
    recipient: str  # lower-cased address, "user:<client>/<user id>" or "channel:<conversation id>"
    recipient_user_id: str | None
    role: str
    name: str

    @property
    def can_claim(self) -> bool:
        """Service-provider recipients get one claim link per slot."""
        return self.role in CLAIMING_ROLES


def teams_user_key(client_id: str, user_id: str) -> str:
    return f"user:{client_id}/{user_id}"


def teams_channel_key(conversation_id: str) -> str:
    return f"channel:{conversation_id}"


def effective_preferences(person: Person, stored: Preferences | None) -> Preferences:
    """The user's own choices when they made any, else the directory's `notify`."""
    if stored is not None:
        return stored
    notify = person.notify or {}
    return Preferences(email=bool(notify.get("email", True)), teams=bool(notify.get("teams", True)))


def assigned_providers(
    location_id: str, providers: Iterable[Provider], assigned_id: str | None = None
) -> list[Provider]:
    """The location's provider: the one setup assigned, else those whose locations include it."""
    known = list(providers)
    if assigned_id is not None:
        chosen = [p for p in known if p.id == assigned_id]
        if chosen:
            return chosen
    return [p for p in known if location_id in p.location_ids]


def recipients(
    *,
    client: ClientContact,
    location_id: str,
    event: str,
    users: Sequence[Person],
    providers: Sequence[Provider] = (),
    assigned_provider_id: str | None = None,
    preferences: Mapping[str, Preferences] | None = None,
    teams_channel: str | None = None,
) -> list[Recipient]:
    """Everyone to notify of `event`, once per channel and address/user, in a stable order."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    stored = preferences or {}
    provider_list = assigned_providers(location_id, providers, assigned_provider_id)
    provider_ids = {p.id for p in provider_list}
    routes: list[Recipient] = []

    for person in users:
        is_client_side = person.role in CLIENT_USER_ROLES
        is_provider_side = person.role in PROVIDER_USER_ROLES and person.service_provider_id in provider_ids
        if not (is_client_side or is_provider_side):
            continue
        prefs = effective_preferences(person, stored.get(person.id))
        if not prefs.wants(event):
            continue
        address = _address(person.email)
        if prefs.email and address:
            routes.append(Recipient(EMAIL, address, person.id, person.role, person.name))
        if prefs.teams:
            routes.append(
                Recipient(TEAMS, teams_user_key(client.id, person.id), person.id, person.role, person.name)
            )

    client_address = _address(client.notify_email)
    if client_address:
        routes.append(Recipient(EMAIL, client_address, None, "client", client.name))
    for provider in provider_list:
        address = _address(provider.email)
        if address:
            routes.append(Recipient(EMAIL, address, None, "provider", provider.name))
    if teams_channel:
        routes.append(Recipient(TEAMS, teams_channel_key(teams_channel), None, "channel", "Teams channel"))
    return _deduplicate(routes)


def _address(value: str | None) -> str:
    return value.strip().lower() if value else ""


def _deduplicate(routes: list[Recipient]) -> list[Recipient]:
    """One recipient per (channel, key); the best-ranked route wins, first position is kept."""
    chosen: dict[tuple[str, str], Recipient] = {}
    for route in routes:
        key = (route.channel, route.recipient)
        current = chosen.get(key)
        if current is None:
            chosen[key] = route
        elif _ROLE_RANK.get(route.role, 99) < _ROLE_RANK.get(current.role, 99):
            chosen[key] = route  # dict keeps the first insertion position
    return list(chosen.values())
