"""What people are shown about an incident, as plain data: the one view model the
Teams card and the e-mail both render, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo


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
    # The room booking of the active claim (DESIGN 3.11): pending | booked | failed | ...; None: off.
    booking: str | None = None

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def slot(self, slot_id: str) -> SlotView | None:
        return next((s for s in self.slots if s.id == slot_id), None)


def zone_abbreviation(instant: datetime, zone: ZoneInfo) -> str:
    """ "EST", "GMT", "AEDT"; zones without a letter abbreviation give "UTC+05:30"."""
    name = instant.astimezone(zone).tzname() or ""
    if name.isalpha():
        return name
    offset = instant.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def slot_label(slot: SlotView, zone: ZoneInfo) -> str:
    """`10:00–11:00` in the room's local time (24-hour, DESIGN 3.9)."""
    return f"{slot.start.astimezone(zone):%H:%M}–{slot.end.astimezone(zone):%H:%M}"


def day_label(slot: SlotView, zone: ZoneInfo) -> str:
    local = slot.start.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} ({zone_abbreviation(slot.start, zone)})"


def slots_by_day(
    view: IncidentView, slots: tuple[SlotView, ...] | None = None
) -> list[tuple[str, list[SlotView]]]:
    """Slots grouped by local day, in order: [("Tue 24 Nov (EST)", [...]), ...]."""
    chosen = view.slots if slots is None else slots
    return [(label, list(items)) for label, items in groupby(chosen, key=lambda s: day_label(s, view.zone))]


def claim_line(view: IncidentView) -> str | None:
    """ "Claimed by Alice (Acme AV) — Tue 25 Nov 10:00–11:00 EST"."""
    if view.claim is None:
        return None
    slot = view.slot(view.claim.slot_id)
    who = view.claim.claimer_name + (f" ({view.claim.provider_name})" if view.claim.provider_name else "")
    if slot is None:
        return f"Claimed by {who}"
    local = slot.start.astimezone(view.zone)
    return (
        f"Claimed by {who} — {local:%a} {local.day} {local:%b} {slot_label(slot, view.zone)} "
        f"{zone_abbreviation(slot.start, view.zone)}"
    )
