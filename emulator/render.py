"""Graph v1.0 JSON for users, rooms, calendars, events and mailbox settings.

Keys and value types follow the Graph documentation's response examples; the
shape tests compare against those examples so this module cannot drift.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from emulator.calendar_view import Instance
from emulator.model import ABSENT, Calendar, Event, Mailbox, change_key
from emulator.timezones import format_graph_datetime, format_graph_utc_stamp, in_zone

WORKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
EMPTY_LOCATION: dict[str, Any] = {
    "displayName": "",
    "locationType": "default",
    "uniqueIdType": "unknown",
    "address": {},
    "coordinates": {},
}
NEVER = "0001-01-01T00:00:00Z"
EVENT_PROPERTIES = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "isDraft",
    "hideAttendees",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "recurrence",
    "attendees",
    "organizer",
    "onlineMeeting",
)
CALENDAR_PROPERTIES = (
    "id",
    "name",
    "color",
    "hexColor",
    "isDefaultCalendar",
    "changeKey",
    "canShare",
    "canViewPrivateItems",
    "canEdit",
    "allowedOnlineMeetingProviders",
    "defaultOnlineMeetingProvider",
    "isTallyingResponses",
    "isRemovable",
    "owner",
)


def user_json(box: Mailbox) -> dict[str, Any]:
    """A user resource (rooms are users too, as in Exchange Online)."""
    props = box.properties
    return {
        "businessPhones": list(props.get("businessPhones") or []),
        "displayName": box.display_name,
        "givenName": props.get("givenName"),
        "jobTitle": props.get("jobTitle"),
        "mail": props.get("mail") or box.upn,
        "mobilePhone": props.get("mobilePhone"),
        "officeLocation": props.get("officeLocation"),
        "preferredLanguage": props.get("preferredLanguage", "en-US" if box.kind == "user" else None),
        "surname": props.get("surname"),
        "userPrincipalName": box.upn,
        "id": box.id,
    }


def room_json(room: Mailbox) -> dict[str, Any]:
    """A microsoft.graph.room place."""
    place = room.place
    return {
        "id": room.id,
        "emailAddress": room.upn,
        "displayName": room.display_name,
        "address": place.get("address")
        or {
            "street": "",
            "city": "",
            "state": "",
            "postalCode": "",
            "countryOrRegion": "",
        },
        "geoCoordinates": place.get("geoCoordinates"),
        "phone": place.get("phone", ""),
        "nickname": place.get("nickname", room.display_name),
        "label": place.get("label", ""),
        "capacity": place.get("capacity"),
        "building": place.get("building"),
        "floorLabel": place.get("floorLabel"),
        "floorNumber": place.get("floorNumber"),
        "isWheelChairAccessible": bool(place.get("isWheelChairAccessible", False)),
        "bookingType": place.get("bookingType", "standard"),
        "tags": list(place.get("tags") or []),
        "audioDeviceName": place.get("audioDeviceName"),
        "videoDeviceName": place.get("videoDeviceName"),
        "displayDeviceName": place.get("displayDeviceName"),
    }


def working_hours(box: Mailbox) -> dict[str, Any]:
    """The mailbox's working hours (Mon-Fri 08:00-17:00 unless the file says otherwise)."""
    given = box.mailbox_settings.get("workingHours") or {}
    zone = given.get("timeZone", {}).get("name") if isinstance(given.get("timeZone"), dict) else None
    return {
        "daysOfWeek": list(given.get("daysOfWeek") or WORKDAYS),
        "startTime": _clock(given.get("startTime", "08:00:00")),
        "endTime": _clock(given.get("endTime", "17:00:00")),
        "timeZone": {"name": zone or box.time_zone},
    }


def _clock(value: str) -> str:
    hh_mm_ss = value.split(".")[0]
    if hh_mm_ss.count(":") == 1:
        hh_mm_ss += ":00"
    return hh_mm_ss + ".0000000"


def mailbox_settings_json(box: Mailbox) -> dict[str, Any]:
    """A mailboxSettings resource with the tenant file's time zone."""
    now = datetime.now(tz=UTC).replace(minute=0, second=0, microsecond=0)
    return {
        "archiveFolder": "AQMkA" + hashlib.sha256(box.key.encode()).hexdigest()[:40] + "AAAA",
        "timeZone": box.time_zone,
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "userPurpose": "room" if box.kind == "room" else "user",
        "automaticRepliesSetting": {
            "status": "disabled",
            "externalAudience": "all",
            "internalReplyMessage": "",
            "externalReplyMessage": "",
            "scheduledStartDateTime": {
                "dateTime": format_graph_datetime(now.replace(tzinfo=None)),
                "timeZone": "UTC",
            },
            "scheduledEndDateTime": {
                "dateTime": format_graph_datetime((now + timedelta(days=1)).replace(tzinfo=None)),
                "timeZone": "UTC",
            },
        },
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": working_hours(box),
    }


def calendar_json(calendar: Calendar, owner: Mailbox, *, reader: Mailbox) -> dict[str, Any]:
    """A calendar resource; the owner's rights differ from a sharee's, as in Graph."""
    is_owner = reader.key == owner.key
    return {
        "id": calendar.id,
        "name": calendar.name,
        "color": calendar.color,
        "hexColor": "",
        "isDefaultCalendar": calendar.is_default and is_owner,
        "changeKey": change_key("calendar", calendar.id),
        "canShare": is_owner and owner.kind == "user",
        "canViewPrivateItems": is_owner,
        "canEdit": is_owner,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": is_owner,
        "isRemovable": not calendar.is_default,
        "owner": {"name": owner.display_name, "address": owner.upn},
    }


def instance_times(event: Event, start: datetime, end: datetime, zone: str) -> tuple[str, str]:
    if event.is_all_day:
        # All-day events are floating dates: midnight to midnight in whatever zone is asked.
        day = event_local_day(event, start)
        return (
            format_graph_datetime(day),
            format_graph_datetime(day + (event.end_local - event.start_local)),
        )
    return format_graph_datetime(in_zone(start, zone)), format_graph_datetime(in_zone(end, zone))


def event_local_day(event: Event, start: datetime) -> datetime:
    """Midnight of an all-day instance's date, in the event's own zone."""
    return in_zone(start, event.start_zone).replace(hour=0, minute=0, second=0, microsecond=0)


def _preview(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()[:255]


def event_json(instance: Instance, *, zone: str) -> dict[str, Any]:
    """An event as calendarView returns it (single instance or occurrence)."""
    event = instance.event
    owner = instance.owner
    key = change_key("event", instance.id, event.subject, str(event.is_cancelled))
    start, end = instance_times(event, instance.start, instance.end, zone)
    locations = [instance.location_override] if instance.location_override else event.locations
    organizer_address = str(event.organizer.get("emailAddress", {}).get("address", ""))
    is_organizer = organizer_address.lower() == owner.key
    created = format_graph_utc_stamp(event.created or datetime.now(tz=UTC))
    digest = hashlib.sha256(event.id.encode()).hexdigest().upper()[:72]
    body: dict[str, Any] = {
        "@odata.etag": f'W/"{key}"',
        "id": instance.id,
        "createdDateTime": created,
        "lastModifiedDateTime": created,
        "changeKey": key,
        "categories": list(event.categories),
        "transactionId": event.transaction_id,
        "originalStartTimeZone": event.start_zone,
        "originalEndTimeZone": event.end_zone,
        "iCalUId": "040000008200E00074C5B7101A82E00800000000" + digest,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": not event.is_all_day,
        "hasAttachments": False,
        "subject": event.subject,
        "bodyPreview": _preview(str(event.body.get("content", ""))),
        "importance": event.importance,
        "sensitivity": event.sensitivity,
        "isAllDay": event.is_all_day,
        "isCancelled": event.is_cancelled,
        "isOrganizer": is_organizer,
        "responseRequested": True,
        "seriesMasterId": instance.series_master_id,
        "showAs": event.show_as,
        "type": instance.kind if instance.series_master_id else "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid="
        + quote(instance.id, safe="")
        + "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": event.is_online_meeting,
        "onlineMeetingProvider": "teamsForBusiness" if event.is_online_meeting else "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer" if is_organizer else "accepted", "time": NEVER},
        "body": dict(event.body),
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
        "location": dict(locations[0]) if locations else dict(EMPTY_LOCATION),
        "locations": [dict(loc) for loc in locations],
        "recurrence": None,
        "attendees": [dict(a) for a in event.attendees],
        "organizer": {"emailAddress": dict(event.organizer.get("emailAddress", {}))},
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/emulator"}
        if event.is_online_meeting
        else None,
    }
    return _as_written(body, event)


def _as_written(body: dict[str, Any], event: Event) -> dict[str, Any]:
    """Serve null or left-out flags as the tenant file wrote them."""
    for key, value in event.as_written.items():
        if value is ABSENT:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def series_json(instance: Instance, *, zone: str) -> dict[str, Any]:
    """A newly created event as POST /events returns it (a master keeps its recurrence)."""
    body = event_json(instance, zone=zone)
    if instance.event.recurrence is not None:
        body["type"] = "seriesMaster"
        body["recurrence"] = instance.event.recurrence.to_graph()
    return body
