"""Builds an `IncidentView` the way the product stores it: availability computed by
the engine, written as the incident API's JSON, read back from that JSON."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.domain import availability as av
from services.domain.incident_view import ClaimView, IncidentView, SlotView, Span

ALWAYS_OPEN = av.BusinessHours.from_json({d: ["00:00", "24:00"] for d in av.WEEKDAYS})


def api_json(
    trigger: datetime,
    zone: ZoneInfo,
    events: Iterable[av.CalendarEvent],
    hours: av.BusinessHours | None = None,
) -> dict[str, Any]:
    """What `GET /api/incidents/{id}` says about availability (window, free windows, slots)."""
    policy = av.Policy(business_hours=hours or av.BusinessHours.default())
    return av.compute(trigger, zone, list(events), policy).to_json()


def view_from_api(
    trigger: datetime,
    zone: ZoneInfo,
    data: dict[str, Any],
    *,
    claim_index: int | None = None,
    sla_hours: float | None = 4,
    provider_name: str | None = "Acme AV",
    status: str | None = None,
    hours: av.BusinessHours | None = None,
) -> IncidentView:
    def instant(text: str) -> datetime:
        return datetime.fromisoformat(text)

    window = Span(instant(data["window"]["start"]), instant(data["window"]["end"]))
    slots = tuple(
        SlotView(f"slot-{n:02d}", instant(s["start"]).astimezone(UTC), instant(s["end"]).astimezone(UTC))
        for n, s in enumerate(data["slots"])
    )
    claim = (
        ClaimView(slots[claim_index].id, "Sam Provider", "Acme AV", trigger)
        if claim_index is not None
        else None
    )
    opens = av.open_intervals(
        av.Interval(window.start.astimezone(UTC), window.end.astimezone(UTC)),
        zone,
        hours or av.BusinessHours.default(),
    )
    return IncidentView(
        client_id="contoso",
        incident_id="INC-1001",
        title="Display offline",
        severity="high",
        room_name="Conference Room 4B",
        site_name="Contoso HQ",
        zone=zone,
        status=status or ("claimed" if claim else ("notified" if slots else "no_slots")),
        sla_deadline=trigger + timedelta(hours=sla_hours) if sla_hours else None,
        slots=slots,
        claim=claim,
        provider_name=provider_name,
        triggered_at=trigger,
        window=window,
        open_windows=tuple(Span(i.start, i.end) for i in opens),
        free_windows=tuple(Span(instant(w["start"]), instant(w["end"])) for w in data["free_windows"]),
    )


def busy(start: datetime, hours: float) -> av.CalendarEvent:
    return av.CalendarEvent(start, start + timedelta(hours=hours), "busy")
