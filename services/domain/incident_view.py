"""What people are shown about an incident, as plain data: the one view model the
Teams card and the e-mail both render, so they never disagree.

Who reads a copy decides what it offers (`audience_for_role`): the location's
service-provider and subcontractor users get the slot buttons, client admins
and users the status ("Waiting for Acme AV to choose a slot, respond by
18:09 EST"), and a channel post — read by many — the buttons (the server
decides who may claim). Both renderers offer exactly `claimable_slots`: a slot
that has started is never offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from services import texts
from services.domain.time_format import HOUSE_STYLE, TimeStyle, zone_abbreviation

__all__ = [
    "AUDIENCE_CHANNEL",
    "AUDIENCE_CLIENT",
    "AUDIENCE_PROVIDER",
    "ClaimView",
    "IncidentView",
    "SlotView",
    "Span",
    "audience_for_role",
    "claim_line",
    "claimable_slots",
    "day_label",
    "slot_label",
    "slots_by_day",
    "status_line",
    "zone_abbreviation",
]

# Who a copy of the incident card is for.
AUDIENCE_PROVIDER = "provider"  # a service-provider or subcontractor user: slot buttons
AUDIENCE_CLIENT = "client"  # a client admin or client user: status, no slot buttons
# Teams refreshes a card automatically for at most this many listed users (Universal Actions).
MAX_REFRESH_USERS = 60
AUDIENCE_CHANNEL = "channel"  # a channel post, many readers: buttons, the server decides
_PROVIDER_ROLES = frozenset({"service_provider", "subcontractor", "provider"})


def audience_for_role(role: str | None) -> str:
    """The audience of a copy read by someone with this directory role (None: a channel).

    A role this does not know gets the status without buttons (never more than allowed)."""
    if role is None:
        return AUDIENCE_CHANNEL
    if role in _PROVIDER_ROLES:
        return AUDIENCE_PROVIDER
    return AUDIENCE_CLIENT


@dataclass(frozen=True)
class Span:
    """A half-open stretch of time `[start, end)`, both ends aware."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class SlotView:
    id: str
    start: datetime  # aware
    end: datetime  # aware


@dataclass(frozen=True)
class ClaimView:
    slot_id: str
    claimer_name: str
    provider_name: str | None
    claimed_at: datetime


@dataclass(frozen=True)
class IncidentView:
    client_id: str
    incident_id: str
    title: str
    severity: str
    room_name: str
    site_name: str
    zone: ZoneInfo
    status: str
    status_reason: str | None = None
    sla_deadline: datetime | None = None
    booked_now: str | None = None
    booked_next: str | None = None
    slots: tuple[SlotView, ...] = field(default_factory=tuple)
    claim: ClaimView | None = None
    # The location's service provider ("Acme AV"), named in the client's status line.
    provider_name: str | None = None
    # The 48-hour picture: the trigger, the window, business hours in it and the
    # stored free windows (exactly what the incident API returns).
    triggered_at: datetime | None = None
    window: Span | None = None
    open_windows: tuple[Span, ...] = field(default_factory=tuple)
    free_windows: tuple[Span, ...] = field(default_factory=tuple)
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    # The claim a resolve ended (its visit is not needed any more).
    cancelled_visit: ClaimView | None = None
    cancelled_visit_slot: SlotView | None = None
    sla_breached_at: datetime | None = None
    # The room booking of the active claim (DESIGN 3.11): pending | booked | failed | ...; None: off.
    booking: str | None = None

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def sla_breached(self) -> bool:
        """Shown once the SLA step ran, while the incident is still open and unclaimed."""
        return self.sla_breached_at is not None and not self.resolved and self.claim is None

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def slot(self, slot_id: str) -> SlotView | None:
        return next((s for s in self.slots if s.id == slot_id), None)


def claimable_slots(view: IncidentView, now: datetime) -> tuple[SlotView, ...]:
    """The slots anyone may still claim at `now`: none once claimed or resolved, and
    never one that has started (the one rule the card and the e-mail both follow)."""
    if view.claim is not None or view.resolved:
        return ()
    return tuple(s for s in view.slots if s.start > now)


def all_slots_started(view: IncidentView, now: datetime) -> bool:
    """Slots were found, nobody claimed one, and the last has started by `now`."""
    return bool(view.slots) and view.claim is None and not view.resolved and not claimable_slots(view, now)


def slot_label(slot: SlotView, zone: ZoneInfo, style: TimeStyle = HOUSE_STYLE) -> str:
    """`10:00–11:00` in the room's local time (24-hour by default, DESIGN 3.9)."""
    return style.span(slot.start, slot.end, zone)


def day_label(slot: SlotView, zone: ZoneInfo, style: TimeStyle = HOUSE_STYLE) -> str:
    return f"{style.day(slot.start, zone)} ({zone_abbreviation(slot.start, zone)})"


def slots_by_day(
    view: IncidentView, slots: tuple[SlotView, ...] | None = None, style: TimeStyle = HOUSE_STYLE
) -> list[tuple[str, list[SlotView]]]:
    """Slots grouped by local day, in order: [("Tue 24 Nov (EST)", [...]), ...]."""
    chosen = view.slots if slots is None else slots
    return [
        (label, list(items)) for label, items in groupby(chosen, key=lambda s: day_label(s, view.zone, style))
    ]


def claim_line(view: IncidentView, style: TimeStyle = HOUSE_STYLE) -> str | None:
    """ "Claimed by Alice (Acme AV) — Tue 25 Nov 10:00–11:00 EST"."""
    if view.claim is None:
        return None
    slot = view.slot(view.claim.slot_id)
    who = view.claim.claimer_name + (f" ({view.claim.provider_name})" if view.claim.provider_name else "")
    if slot is None:
        return f"Claimed by {who}"
    return (
        f"Claimed by {who} — {style.day(slot.start, view.zone)} {slot_label(slot, view.zone, style)} "
        f"{zone_abbreviation(slot.start, view.zone)}"
    )


def deadline_text(view: IncidentView, now: datetime, style: TimeStyle = HOUSE_STYLE) -> str | None:
    """The SLA deadline as the reader sees it: the time alone when it is today, else with the day."""
    if view.sla_deadline is None:
        return None
    if view.local(view.sla_deadline).date() == view.local(now).date():
        return style.time_with_zone(view.sla_deadline, view.zone)
    return style.when(view.sla_deadline, view.zone)


def status_line(view: IncidentView, audience: str, now: datetime, style: TimeStyle = HOUSE_STYLE) -> str:
    """The one line that says where the incident stands, for this audience, at `now`."""
    if view.resolved:
        return texts.INCIDENT_RESOLVED_LINE
    claimed = claim_line(view, style)
    if claimed:
        return claimed
    if all_slots_started(view, now):
        return texts.INCIDENT_SLOTS_ALL_STARTED
    if not view.slots:
        return texts.incident_status_line(view.status, view.status_reason)
    if audience != AUDIENCE_CLIENT:
        return texts.INCIDENT_CARD_PICK_SLOT
    provider = view.provider_name or texts.INCIDENT_SOME_PROVIDER
    deadline = deadline_text(view, now, style)
    if deadline is None:
        return texts.INCIDENT_WAITING.format(provider=provider)
    return texts.INCIDENT_WAITING_BY.format(provider=provider, deadline=deadline)
