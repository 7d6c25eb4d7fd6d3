"""Reading a tenant file (or dict) into the model, with validation and date tokens.

Errors name the offending entry, so a typo in a tenant file is found at start-up
rather than as a confusing Graph answer later.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from emulator.model import ABSENT, App, Calendar, Event, Mailbox, SeriesException, Tenant, graph_id
from emulator.recurrence import Recurrence, RecurrenceError, is_occurrence, parse_recurrence
from emulator.templating import resolve_tokens, today_in
from emulator.timezones import UnknownTimeZoneError, parse_local_datetime

SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")
NULLABLE_FLAGS = ("showAs", "isCancelled", "isAllDay")
USER_PROPERTIES = (
    "givenName",
    "surname",
    "jobTitle",
    "mail",
    "officeLocation",
    "businessPhones",
    "mobilePhone",
    "preferredLanguage",
)
PLACE_PROPERTIES = (
    "address",
    "geoCoordinates",
    "phone",
    "nickname",
    "building",
    "floorNumber",
    "floorLabel",
    "label",
    "capacity",
    "bookingType",
    "audioDeviceName",
    "videoDeviceName",
    "displayDeviceName",
    "isWheelChairAccessible",
    "tags",
)

TodayFor = Callable[[str], date]


class TenantError(ValueError):
    """The tenant file is malformed."""


def _today_resolver(today: date | None) -> TodayFor:
    """Fixed `today` for tests, else today in each event's own zone."""
    if today is not None:
        return lambda _zone: today
    return lambda zone: today_in(zone)


def _zone(name: Any, where: str) -> str:
    """A zone name as written. Names no zone database knows (custom zones, typos)
    are kept and served verbatim; instants in them are computed as UTC."""
    if not isinstance(name, str):
        raise TenantError(f"{where}: a time zone is a string, not {name!r}")
    return name


def _mailbox_zone(raw: Mapping[str, Any], where: str) -> str:
    settings = raw.get("mailboxSettings") or {}
    if not isinstance(settings, Mapping):
        raise TenantError(f"{where}: mailboxSettings must be an object")
    return _zone(settings.get("timeZone") or "UTC", where)


def location_from(raw: Any, where: str) -> dict[str, Any]:
    """A Graph location object from a string or a (partial) location dict."""
    if isinstance(raw, str):
        return {
            "displayName": raw,
            "locationType": "default",
            "uniqueId": raw,
            "uniqueIdType": "private",
            "address": {},
            "coordinates": {},
        }
    if not isinstance(raw, Mapping) or not isinstance(raw.get("displayName"), str):
        raise TenantError(f"{where}: a location is a string or an object with displayName")
    location = dict(raw)
    email = location.get("locationEmailAddress") or location.get("locationUri")
    location.setdefault("locationType", "conferenceRoom" if email else "default")
    location.setdefault("uniqueId", email or location["displayName"])
    location.setdefault("uniqueIdType", "directory" if email else "private")
    location.setdefault("address", {})
    location.setdefault("coordinates", {})
    if email:
        location.setdefault("locationUri", email)
    return location


def _when(raw: Any, *, zone_default: str, today_for: TodayFor, where: str) -> tuple[datetime, str]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("dateTime"), str):
        raise TenantError(f"{where}: needs {{'dateTime': ..., 'timeZone': ...}}")
    zone = _zone(raw.get("timeZone") or zone_default, where)
    text = resolve_tokens(raw["dateTime"], today_for(zone))
    try:
        value = parse_local_datetime(text)
    except ValueError as exc:
        raise TenantError(f"{where}: bad dateTime {text!r}") from exc
    if value.tzinfo is not None:
        raise TenantError(f"{where}: dateTime {text!r} must be wall-clock time without an offset")
    return value, zone


def _recurrence(raw: Any, start: datetime, zone: str, today_for: TodayFor, where: str) -> Recurrence | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TenantError(f"{where}: recurrence must be a patternedRecurrence object")
    range_ = dict(raw.get("range") or {})
    for key in ("startDate", "endDate"):
        if isinstance(range_.get(key), str):
            range_[key] = resolve_tokens(range_[key], today_for(zone))
    range_.setdefault("startDate", start.date().isoformat())
    try:
        return parse_recurrence({"pattern": raw.get("pattern") or {}, "range": range_})
    except RecurrenceError as exc:
        raise TenantError(f"{where}: {exc}") from exc


def _attendee(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("emailAddress"), Mapping):
        raise TenantError(f"{where}: an attendee needs emailAddress")
    email = raw["emailAddress"]
    return {
        "type": raw.get("type", "required"),
        "status": dict(raw.get("status") or {"response": "none", "time": "0001-01-01T00:00:00Z"}),
        "emailAddress": {
            "name": email.get("name", email.get("address", "")),
            "address": email.get("address", ""),
        },
    }


def _as_written(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The flags the file wrote as null or left out, to serve as such; a value of
    the wrong type is not Graph's shape and is refused."""
    written: dict[str, Any] = {}
    for key in NULLABLE_FLAGS:
        if key not in raw:
            written[key] = ABSENT
        elif raw[key] is None:
            written[key] = None
        elif key == "showAs" and raw[key] not in SHOW_AS:
            raise TenantError(f"{where}: showAs {raw[key]!r} is not one of {SHOW_AS}")
        elif key != "showAs" and not isinstance(raw[key], bool):
            raise TenantError(f"{where}: {key} must be true, false or null")
    return written


def parse_event(
    raw: Mapping[str, Any],
    *,
    owner: Mailbox,
    id_seed: str,
    today_for: TodayFor,
    where: str,
    graph_defaults: bool = False,
) -> Event:
    """One event dict (tenant-file or Graph POST form) into an Event.

    Tenant-file events keep null or missing showAs/isCancelled/isAllDay as
    written; `graph_defaults` (POST /events) fills them as Graph does (busy,
    false, false)."""
    if not isinstance(raw, Mapping):
        raise TenantError(f"{where}: an event must be an object")
    as_written = {} if graph_defaults else _as_written(raw, where)
    is_all_day = bool(raw.get("isAllDay"))
    start, start_zone = _when(
        raw.get("start"), zone_default=owner.time_zone, today_for=today_for, where=f"{where}.start"
    )
    if raw.get("end") is None and is_all_day:
        end, end_zone = start + timedelta(days=1), start_zone
    else:
        end, end_zone = _when(
            raw.get("end"), zone_default=start_zone, today_for=today_for, where=f"{where}.end"
        )
    if is_all_day:
        # any length, also zero or negative: kept as written (Graph serves them)
        start = datetime.combine(start.date(), time())
        end = datetime.combine(end.date(), time())
        end_zone = start_zone
    show_as = raw.get("showAs", "busy" if graph_defaults else None)
    locations = [location_from(x, where) for x in raw.get("locations") or []]
    if not locations and raw.get("location"):
        single = location_from(raw["location"], where)
        if single.get("displayName"):
            locations = [single]
    organizer = raw.get("organizer") or {"emailAddress": {"name": owner.display_name, "address": owner.upn}}
    body = raw.get("body") or {"contentType": "html", "content": ""}
    created = datetime.now(tz=UTC).replace(microsecond=0)
    event = Event(
        id=str(raw.get("id") or graph_id("event", id_seed)),
        subject=str(raw.get("subject") or ""),
        start_local=start,
        end_local=end,
        start_zone=start_zone,
        end_zone=end_zone,
        is_all_day=is_all_day,
        is_cancelled=bool(raw.get("isCancelled")),
        show_as=show_as,
        sensitivity=str(raw.get("sensitivity") or "normal"),
        importance=str(raw.get("importance") or "normal"),
        organizer={"emailAddress": dict(organizer.get("emailAddress") or {})},
        attendees=[_attendee(a, where) for a in raw.get("attendees") or []],
        locations=locations,
        body={"contentType": body.get("contentType", "html"), "content": body.get("content", "")},
        categories=list(raw.get("categories") or []),
        recurrence=_recurrence(raw.get("recurrence"), start, start_zone, today_for, where),
        is_online_meeting=bool(raw.get("isOnlineMeeting", False)),
        transaction_id=raw.get("transactionId"),
        created=created,
        as_written=as_written,
    )
    if raw.get("exceptions") is not None:
        event.exceptions = _exceptions(raw["exceptions"], event, today_for, f"{where}.exceptions")
    return event


def _exceptions(raw: Any, master: Event, today_for: TodayFor, where: str) -> dict[datetime, SeriesException]:
    """A series master's cancelled and moved occurrences, by original start."""
    if master.recurrence is None:
        raise TenantError(f"{where}: only a series master (with recurrence) has exceptions")
    if not isinstance(raw, list):
        raise TenantError(f"{where}: exceptions must be a list")
    found: dict[datetime, SeriesException] = {}
    for i, entry in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("originalStart"), str):
            raise TenantError(f"{here}: an exception needs originalStart (wall-clock, the master's zone)")
        text = resolve_tokens(entry["originalStart"], today_for(master.start_zone))
        try:
            original = parse_local_datetime(text)
        except ValueError as exc:
            raise TenantError(f"{here}: bad originalStart {text!r}") from exc
        if original.tzinfo is not None:
            raise TenantError(f"{here}: originalStart {text!r} must be wall-clock time without an offset")
        on_pattern = is_occurrence(master.recurrence, original.date())
        if original.time() != master.start_local.time() or not on_pattern:
            raise TenantError(f"{here}: originalStart {text} is not an occurrence of the series")
        cancelled = entry.get("cancelled", False)
        if not isinstance(cancelled, bool):
            raise TenantError(f"{here}: cancelled must be true or false")
        moved = None if cancelled else _moved(entry, master, original, today_for, here)
        found[original] = SeriesException(original_start=original, cancelled=cancelled, moved=moved)
    return found


def _moved(
    entry: Mapping[str, Any], master: Event, original: datetime, today_for: TodayFor, where: str
) -> Event:
    """The occurrence as it is after the move (new start/end, maybe subject and showAs)."""
    if entry.get("start") is not None:
        start, start_zone = _when(
            entry["start"], zone_default=master.start_zone, today_for=today_for, where=f"{where}.start"
        )
    else:
        start, start_zone = original, master.start_zone
    if entry.get("end") is not None:
        end, end_zone = _when(
            entry["end"], zone_default=start_zone, today_for=today_for, where=f"{where}.end"
        )
    else:
        end, end_zone = start + (master.end_local - master.start_local), master.end_zone
    as_written = dict(master.as_written)
    show_as = master.show_as
    if "showAs" in entry:
        show_as = entry["showAs"]
        if show_as is not None and show_as not in SHOW_AS:
            raise TenantError(f"{where}: showAs {show_as!r} is not one of {SHOW_AS}")
        as_written.pop("showAs", None)
        if show_as is None:
            as_written["showAs"] = None
    return dataclasses.replace(
        master,
        subject=str(entry["subject"]) if isinstance(entry.get("subject"), str) else master.subject,
        start_local=start,
        end_local=end,
        start_zone=start_zone,
        end_zone=end_zone,
        show_as=show_as,
        recurrence=None,
        exceptions={},
        as_written=as_written,
    )


def _events(raw: Any, owner: Mailbox, calendar_id: str, today_for: TodayFor, where: str) -> list[Event]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TenantError(f"{where}: events must be a list")
    return [
        parse_event(e, owner=owner, id_seed=f"{calendar_id}/{i}", today_for=today_for, where=f"{where}[{i}]")
        for i, e in enumerate(raw)
    ]


def _new_mailbox(raw: Mapping[str, Any], kind: str, tenant_id: str, where: str) -> Mailbox:
    upn_key = "userPrincipalName" if kind == "user" else "emailAddress"
    upn = raw.get(upn_key) or raw.get("mail") or raw.get("emailAddress")
    if not isinstance(upn, str) or "@" not in upn:
        raise TenantError(f"{where}: needs {upn_key}")
    zone = _mailbox_zone(raw, where)
    settings = dict(raw.get("mailboxSettings") or {})
    hours = settings.get("workingHours")
    if hours is not None and not (
        isinstance(hours, Mapping) and isinstance(hours.get("timeZone") or {}, Mapping)
    ):
        raise TenantError(f"{where}: workingHours must be an object (timeZone an object with name)")
    settings["timeZone"] = zone
    shared = raw.get("sharedWith")
    if shared is not None and not (isinstance(shared, list) and all(isinstance(s, str) for s in shared)):
        raise TenantError(f"{where}: sharedWith must be a list of UPNs")
    return Mailbox(
        id=str(raw.get("id") or uuid.uuid5(uuid.UUID(tenant_id), upn.lower())),
        upn=upn,
        display_name=str(raw.get("displayName") or upn.split("@")[0]),
        kind=kind,  # type: ignore[arg-type]
        time_zone=zone,
        default_calendar_id=graph_id("calendar", upn.lower(), "default"),
        password=raw.get("password"),
        properties={k: raw[k] for k in USER_PROPERTIES if k in raw},
        mailbox_settings=settings,
        place={k: raw[k] for k in PLACE_PROPERTIES if k in raw},
        shared_with=[s.lower() for s in shared] if shared is not None else None,
    )


def _add_mailbox(
    tenant: Tenant, box: Mailbox, raw: Mapping[str, Any], today_for: TodayFor, where: str
) -> None:
    if box.key in tenant.mailboxes:
        raise TenantError(f"{where}: duplicate mailbox {box.upn}")
    tenant.mailboxes[box.key] = box
    tenant.calendars[box.default_calendar_id] = Calendar(
        id=box.default_calendar_id,
        name="Calendar",
        owner=box.key,
        is_default=True,
        events=_events(raw.get("events"), box, box.default_calendar_id, today_for, f"{where}.events"),
    )


def upsert_room(tenant: Tenant, raw: Mapping[str, Any], *, today: date | None = None) -> Mailbox:
    """Add a room, or update the fields given for an existing one (admin API)."""
    where = f"room {raw.get('emailAddress')!r}"
    email = raw.get("emailAddress")
    existing = tenant.find(email) if isinstance(email, str) else None
    today_for = _today_resolver(today)
    if existing is None or existing.kind != "room":
        box = _new_mailbox(raw, "room", tenant.tenant_id, where)
        _add_mailbox(tenant, box, raw, today_for, where)
        return box
    if "displayName" in raw:
        existing.display_name = str(raw["displayName"])
    existing.place.update({k: raw[k] for k in PLACE_PROPERTIES if k in raw})
    if "mailboxSettings" in raw:
        existing.time_zone = _mailbox_zone(raw, where)
        existing.mailbox_settings = {**raw["mailboxSettings"], "timeZone": existing.time_zone}
    if "sharedWith" in raw:
        shared = raw["sharedWith"]
        existing.shared_with = [s.lower() for s in shared] if shared is not None else None
    if "events" in raw:
        calendar = tenant.calendars[existing.default_calendar_id]
        calendar.events = _events(raw["events"], existing, calendar.id, today_for, f"{where}.events")
    return existing


def _implicit_owner(tenant: Tenant, upn: str, sharee: Mailbox, today_for: TodayFor, where: str) -> Mailbox:
    """A calendar owner the file names but does not list becomes a user with no
    password (it cannot sign in), in the sharee's time zone."""
    if "@" not in upn:
        raise TenantError(f"{where}: owner {upn!r} is not an e-mail address")
    raw = {"userPrincipalName": upn, "mailboxSettings": {"timeZone": sharee.time_zone}}
    box = _new_mailbox(raw, "user", tenant.tenant_id, where)
    _add_mailbox(tenant, box, raw, today_for, where)
    return box


def _user_calendars(tenant: Tenant, raw: Mapping[str, Any], user: Mailbox, today_for: TodayFor) -> None:
    for i, entry in enumerate(raw.get("calendars") or []):
        where = f"user {user.upn} calendars[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise TenantError(f"{where}: a calendar needs a name")
        owner_ref = str(entry.get("owner") or user.upn)
        owner = tenant.find(owner_ref)
        if owner is None:
            owner = _implicit_owner(tenant, owner_ref, user, today_for, where)
        cal_id = str(entry.get("id") or graph_id("calendar", owner.key, entry["name"]))
        calendar = tenant.calendars.get(cal_id)
        if calendar is None:
            calendar = Calendar(
                id=cal_id, name=entry["name"], owner=owner.key, color=str(entry.get("color") or "auto")
            )
            tenant.calendars[cal_id] = calendar
        elif calendar.owner != owner.key:
            raise TenantError(f"{where}: calendar {cal_id} is listed with two owners")
        if owner.key != user.key:
            calendar.shared_to.add(user.key)
        calendar.events.extend(_events(entry.get("events"), owner, cal_id, today_for, f"{where}.events"))
        for j, loc in enumerate(entry.get("locations") or []):
            email = loc.get("emailAddress") if isinstance(loc, Mapping) else loc
            room = tenant.find(email) if isinstance(email, str) else None
            if room is None or room.kind != "room":
                raise TenantError(f"{where}.locations[{j}]: {loc!r} is not a room e-mail")
            if room.key not in calendar.mirrors:
                calendar.mirrors.append(room.key)


def _apps(raw: Any) -> list[App]:
    apps = []
    for i, entry in enumerate(raw or []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("client_id"), str):
            raise TenantError(f"apps[{i}]: needs client_id")
        apps.append(
            App(
                client_id=entry["client_id"],
                client_secret=entry.get("client_secret"),
                redirect_uris=list(entry.get("redirect_uris") or []),
                scopes=list(entry.get("scopes") or []),
            )
        )
    return apps


def tenant_from_dict(raw: Mapping[str, Any], *, today: date | None = None) -> Tenant:
    """Build a Tenant from its JSON form; `today` pins the date tokens (tests)."""
    tenant_id = raw.get("tenant_id")
    try:
        uuid.UUID(str(tenant_id))
    except ValueError as exc:
        raise TenantError("tenant_id must be a GUID") from exc
    domain = raw.get("domain")
    if not isinstance(domain, str) or not domain:
        raise TenantError("domain is required")
    tenant = Tenant(
        tenant_id=str(tenant_id).lower(),
        domain=domain.lower(),
        display_name=str(raw.get("displayName") or domain.split(".")[0].capitalize()),
        apps=_apps(raw.get("apps")),
    )
    today_for = _today_resolver(today)
    try:
        for i, user_raw in enumerate(raw.get("users") or []):
            where = f"users[{i}]"
            _add_mailbox(
                tenant, _new_mailbox(user_raw, "user", tenant.tenant_id, where), user_raw, today_for, where
            )
        for i, room_raw in enumerate(raw.get("rooms") or []):
            where = f"rooms[{i}]"
            _add_mailbox(
                tenant, _new_mailbox(room_raw, "room", tenant.tenant_id, where), room_raw, today_for, where
            )
        for user_raw in raw.get("users") or []:
            user = tenant.find(user_raw.get("userPrincipalName") or user_raw.get("mail"))
            assert user is not None
            _user_calendars(tenant, user_raw, user, today_for)
    except UnknownTimeZoneError as exc:
        raise TenantError(str(exc)) from exc
    return tenant


def load_tenant(source: str | Path | Mapping[str, Any] | Tenant, *, today: date | None = None) -> Tenant:
    """A Tenant from a file path, a dict, or an already-built Tenant."""
    if isinstance(source, Tenant):
        return source
    if isinstance(source, Mapping):
        return tenant_from_dict(source, today=today)
    path = Path(source)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TenantError(f"cannot read tenant file {path}: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise TenantError(f"{path}: the tenant file must hold a JSON object")
    return tenant_from_dict(raw, today=today)
