"""POST /users/{id}/calendar/getSchedule: free/busy of several mailboxes at once."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from emulator.calendar_view import Instance, calendar_view
from emulator.graph.access import can_see_mailbox, mailbox, require
from emulator.graph.core import (
    GraphContext,
    GraphError,
    GraphResponse,
    preferred_zone,
    reject_unsupported_options,
)
from emulator.model import Mailbox
from emulator.render import instance_times, working_hours
from emulator.scopes import FREE_BUSY
from emulator.timezones import UnknownTimeZoneError, parse_local_datetime, to_instant

MAX_SCHEDULES = 100
MAX_SPAN = timedelta(days=62)
CODES = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4", "unknown": "2"}
PRECEDENCE = {"0": 0, "1": 1, "4": 2, "2": 3, "3": 4}


def _bad(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidParameter", message)


def _instant(raw: Any, name: str) -> datetime:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("dateTime"), str):
        raise _bad(f"{name} must be a dateTimeTimeZone with dateTime and timeZone.")
    try:
        return to_instant(parse_local_datetime(raw["dateTime"]), str(raw.get("timeZone") or "UTC"))
    except (ValueError, UnknownTimeZoneError) as exc:
        raise _bad(f"{name} is not a valid dateTimeTimeZone: {exc}") from exc


def _availability(instances: list[Instance], start: datetime, end: datetime, step: int) -> str:
    slots = math.ceil((end - start) / timedelta(minutes=step))
    view = []
    for n in range(slots):
        slot_start = start + timedelta(minutes=step * n)
        slot_end = min(slot_start + timedelta(minutes=step), end)
        codes = [
            CODES.get(i.event.show_as, "2") for i in instances if i.start < slot_end and i.end > slot_start
        ]
        view.append(max(codes, key=PRECEDENCE.__getitem__) if codes else "0")
    return "".join(view)


def _item(instance: Instance, zone: str) -> dict[str, Any]:
    event = instance.event
    start, end = instance_times(event, instance.start, instance.end, zone)
    location = instance.location_override or (event.locations[0] if event.locations else {})
    return {
        "isPrivate": event.sensitivity == "private",
        "status": event.show_as or "busy",
        "subject": event.subject,
        "location": str(location.get("displayName", "")),
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
    }


def _schedule(
    ctx: GraphContext, address: str, start: datetime, end: datetime, step: int, zone: str
) -> dict[str, Any]:
    box: Mailbox | None = ctx.tenant.find(address) if "@" in address else None
    if box is None:
        return {
            "scheduleId": address,
            "availabilityView": "",
            "scheduleItems": [],
            "error": {
                "message": "The specified SMTP address doesn't exist in the directory.",
                "responseCode": "ErrorMailRecipientNotFound",
            },
        }
    if not can_see_mailbox(ctx, box):
        return {
            "scheduleId": address,
            "availabilityView": "",
            "scheduleItems": [],
            "error": {
                "message": "You don't have permission to view free/busy for this mailbox.",
                "responseCode": "ErrorNoFreeBusyAccess",
            },
        }
    calendar = ctx.tenant.calendars[box.default_calendar_id]
    instances = [i for i in calendar_view(ctx.tenant, calendar, start, end) if not i.event.is_cancelled]
    return {
        "scheduleId": address,
        "availabilityView": _availability(instances, start, end, step),
        "scheduleItems": [_item(i, zone) for i in instances],
        "workingHours": working_hours(box),
    }


async def get_schedule(ctx: GraphContext, user: str | None = None) -> GraphResponse:
    """Free/busy of the requested schedules; per-schedule errors as Graph reports them."""
    reject_unsupported_options(ctx.request)
    mailbox(ctx, user)
    require(ctx, FREE_BUSY)
    raw = ctx.request.json()
    if not isinstance(raw, Mapping):
        raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
    schedules = raw.get("schedules")
    if not isinstance(schedules, list) or not schedules or not all(isinstance(s, str) for s in schedules):
        raise _bad("schedules must be a non-empty list of SMTP addresses.")
    if len(schedules) > MAX_SCHEDULES:
        raise _bad(f"At most {MAX_SCHEDULES} schedules can be requested at once.")
    start = _instant(raw.get("startTime"), "startTime")
    end = _instant(raw.get("endTime"), "endTime")
    if end <= start or end - start > MAX_SPAN:
        raise _bad("The time window must be positive and at most 62 days long.")
    step = raw.get("availabilityViewInterval", 30)
    if not isinstance(step, int) or not 5 <= step <= 1440:
        raise _bad("availabilityViewInterval must be an integer between 5 and 1440.")
    zone = preferred_zone(ctx)
    return GraphResponse(
        200,
        {
            "@odata.context": ctx.metadata("Collection(microsoft.graph.scheduleInformation)"),
            "value": [_schedule(ctx, s, start, end, step, zone) for s in schedules],
        },
    )
