"""Time zone names and Graph date-time strings, as Microsoft Graph spells them.

Graph accepts Windows zone names ("Eastern Standard Time") and IANA names
("Australia/Sydney"). Windows names are mapped with tzlocal's CLDR-derived table,
never a hand-written list.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import win_tz

_UTC_NAMES = frozenset({"utc", "etc/utc", "coordinated universal time", "tzone://microsoft/utc"})
_OFFSET_AFTER_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class UnknownTimeZoneError(ValueError):
    """A zone name that is neither a Windows nor an IANA name."""


def zone_for(name: str) -> ZoneInfo:
    """Resolve a Windows or IANA zone name (case-insensitive for Windows names)."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise UnknownTimeZoneError("empty time zone name")
    if cleaned.lower() in _UTC_NAMES:
        return ZoneInfo("UTC")
    iana = win_tz.get(cleaned)
    if iana is None:
        folded = cleaned.casefold()
        iana = next((v for k, v in win_tz.items() if k.casefold() == folded), None)
    try:
        return ZoneInfo(iana or cleaned)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZoneError(f"unknown time zone {name!r}") from exc


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone a name resolves to, else UTC: how the emulator computes instants
    for zone names Graph stores but no zone database knows (custom zones, typos);
    the name itself is still served verbatim wherever it was written."""
    try:
        return zone_for(name or "")
    except UnknownTimeZoneError:
        return ZoneInfo("UTC")


def is_known_zone(name: str) -> bool:
    """True when `zone_for` accepts the name."""
    try:
        zone_for(name)
    except UnknownTimeZoneError:
        return False
    return True


def format_graph_datetime(value: datetime) -> str:
    """Wall-clock time with seven fractional digits, as Graph writes dateTime."""
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0"


def format_graph_utc_stamp(value: datetime) -> str:
    """An instant like Graph's createdDateTime: UTC with seven digits and a Z."""
    return format_graph_datetime(value.astimezone(UTC)) + "Z"


def parse_local_datetime(text: str) -> datetime:
    """Parse a Graph dateTime string into a naive wall-clock time.

    A date alone means midnight. An offset or Z, if present, is kept on the result
    so callers can tell "local to the zone" from "an instant".
    """
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        return datetime.combine(date.fromisoformat(cleaned), time())
    return datetime.fromisoformat(cleaned)


def to_instant(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time in a named zone as an aware UTC instant."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=zone_or_utc(zone_name)).astimezone(UTC)


def parse_query_instant(text: str) -> datetime:
    """Parse startDateTime/endDateTime query values: their offset, else UTC.

    A '+' offset that arrived unencoded in a query string reads as a space; it is
    restored.
    """
    cleaned = _OFFSET_AFTER_SPACE.sub(r"\1+\2", text.strip())
    if cleaned.endswith(("z", "Z")):
        cleaned = cleaned[:-1] + "+00:00"
    value = parse_local_datetime(cleaned)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def in_zone(instant: datetime, zone_name: str) -> datetime:
    """An aware instant as naive wall-clock time in a named zone (unknown: UTC)."""
    return instant.astimezone(zone_or_utc(zone_name)).replace(tzinfo=None)
