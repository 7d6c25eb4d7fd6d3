"""Free windows and slots of a room (DESIGN 3.5), as a pure function.

Plain data in (a trigger instant, a zone, the room's events, a policy), plain
data out (an `Availability`); no I/O. The engine works on whole intervals —
build the open intervals of the few local days that meet the window, sort the
blocking events once, sweep — so its cost grows with the number of events,
never with the length of the window.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from services.domain.timezones import zone_from_name

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far `read_range` widens the window on each side. All-day events are
# stored at midnight of their own zone and Graph filters on those instants;
# UTC offsets span 26 hours (-12 .. +14), so one day is not always enough.
READ_MARGIN = timedelta(days=2)

_ONE_DAY = timedelta(days=1)
_RESOLUTION = timedelta(microseconds=1)  # the last instant of a half-open span
_MIDNIGHT = time(0, 0)
_QUARTER_SECONDS = 15 * 60
_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
# Graph's spelling of every showAs value, looked up case-insensitively.
_SHOW_AS: Mapping[str, str] = MappingProxyType(
    {name.casefold(): name for name in ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")}
)

# showAs values that leave the room available (exact Graph spelling).
_NOT_BLOCKING = ("free",)
_NOT_BLOCKING_NOR_TENTATIVE = ("free", "tentative")

# A day's opening hours: (open, close) local wall-clock times; close None
# stands for "24:00", the next local midnight.
DayHours = tuple[time, time | None]


def _utc(value: Any, what: str) -> datetime:
    """`value` as an aware UTC datetime; naive or non-datetime values are refused."""
    if isinstance(value, datetime) and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time `[start, end)`; both ends aware, in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # The engine only ever builds UTC intervals; this keeps callers honest.
        if getattr(self.start, "tzinfo", None) is not UTC or getattr(self.end, "tzinfo", None) is not UTC:
            object.__setattr__(self, "start", _utc(self.start, "Interval.start"))
            object.__setattr__(self, "end", _utc(self.end, "Interval.end"))

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def to_local_json(self, zone: ZoneInfo) -> dict[str, str]:
        """ISO 8601 with the zone's UTC offset, as the incident API shows instants."""
        return {
            "start": self.start.astimezone(zone).isoformat(),
            "end": self.end.astimezone(zone).isoformat(),
        }


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event of the room's calendar, reduced to what availability needs.

    `start`/`end` are aware instants (normalised to UTC). For an all-day event
    the blocked days are `all_day_start_date` up to, not including,
    `all_day_end_date` in the room's zone; without both dates an all-day event
    falls back to its instants. `show_as` uses Graph's spelling ("free",
    "tentative", "busy", "oof", "workingElsewhere", "unknown"); other casings
    of those values are normalised, anything else is kept and blocks.
    """

    start: datetime
    end: datetime
    show_as: str | None = None
    is_cancelled: bool = False
    is_all_day: bool = False
    all_day_start_date: date | None = None
    all_day_end_date: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start, "CalendarEvent.start"))
        object.__setattr__(self, "end", _utc(self.end, "CalendarEvent.end"))
        if isinstance(self.show_as, str):
            object.__setattr__(self, "show_as", _SHOW_AS.get(self.show_as.casefold(), self.show_as))
        for name in ("all_day_start_date", "all_day_end_date"):
            value = getattr(self, name)
            if isinstance(value, datetime):
                object.__setattr__(self, name, value.date())

    @property
    def all_day_dates(self) -> tuple[date, date] | None:
        """The blocked local dates `[start, end)` when this is an all-day event."""
        if self.is_all_day and self.all_day_start_date and self.all_day_end_date:
            return self.all_day_start_date, self.all_day_end_date
        return None


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening hours per weekday, Monday first, in local wall-clock time.

    Each day is `(open, close)` or None (closed); close None means "24:00".
    A day whose close is not after its open is stored as closed.
    """

    days: tuple[DayHours | None, ...]

    DEFAULT_JSON: ClassVar[Mapping[str, tuple[str, str] | None]] = MappingProxyType(
        {
            "mon": ("08:00", "17:00"),
            "tue": ("08:00", "17:00"),
            "wed": ("08:00", "17:00"),
            "thu": ("08:00", "17:00"),
            "fri": ("08:00", "17:00"),
            "sat": None,
            "sun": None,
        }
    )

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("business hours need exactly 7 days, Monday first")
        object.__setattr__(self, "days", tuple(_normalise_day(day) for day in self.days))

    @classmethod
    def default(cls) -> BusinessHours:
        """Mon–Fri 08:00–17:00, what DESIGN 3.4 assumes when none are given."""
        return cls.from_json(None)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | None) -> BusinessHours:
        """Parse the directory shape `{"mon": ["08:00", "17:00"], ..., "sat": null}`.

        Absent or null → Mon–Fri 08:00–17:00; a missing key, a null day or a
        close not after the open → closed. Bad values raise ValueError naming
        the day (or the unknown key).
        """
        if obj is None:
            obj = cls.DEFAULT_JSON
        if not isinstance(obj, Mapping):
            raise ValueError("business_hours must be an object keyed by weekday")
        unknown = sorted(str(key) for key in obj if key not in WEEKDAYS)
        if unknown:
            raise ValueError(f"business_hours: unknown day key(s) {', '.join(unknown)}")
        return cls(tuple(_parse_day(day, obj.get(day)) for day in WEEKDAYS))

    def to_json(self) -> dict[str, list[str] | None]:
        """The directory JSON shape; `from_json(to_json())` gives back an equal value."""
        out: dict[str, list[str] | None] = {}
        for name, day in zip(WEEKDAYS, self.days, strict=True):
            if day is None:
                out[name] = None
            else:
                opens, closes = day
                out[name] = [_format_time(opens), "24:00" if closes is None else _format_time(closes)]
        return out


def _parse_day(day: str, value: Any) -> DayHours | None:
    if value is None:
        return None
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(item, str) for item in value)
    ):
        raise ValueError(f'business_hours.{day}: expected ["HH:MM", "HH:MM"] or null')
    opens = _parse_time(day, value[0])
    closes = _parse_time(day, value[1])
    if opens is None:  # opening at "24:00" leaves nothing open that day
        return None
    return _normalise_day((opens, closes))


def _parse_time(day: str, text: str) -> time | None:
    """Parse "HH:MM" (or "HH:MM:SS"); "24:00" gives None, the next local midnight."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"business_hours.{day}: {text!r} is not a time of day (HH:MM)")
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if (hour, minute, second) == (24, 0, 0):
        return None
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"business_hours.{day}: {text!r} is not a time of day (HH:MM)")
    return time(hour, minute, second)


def _normalise_day(day: DayHours | None) -> DayHours | None:
    """Closed when close is not after open; times forced to fold=0 (DESIGN 3.5)."""
    if day is None:
        return None
    opens, closes = day
    if not isinstance(opens, time) or not (closes is None or isinstance(closes, time)):
        raise ValueError("business hours must be (time, time | None) pairs")
    opens = opens.replace(tzinfo=None, fold=0)
    if closes is not None:
        closes = closes.replace(tzinfo=None, fold=0)
        if closes <= opens:
            return None
    return opens, closes


def _format_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _positive_number(value: Any, what: str, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'>= 0' if allow_zero else '> 0'}")


@dataclass(frozen=True, slots=True)
class Policy:
    """The per-location knobs of DESIGN 3.5 (the SLA step can change them)."""

    business_hours: BusinessHours = field(default_factory=BusinessHours.default)
    horizon_hours: float = 48
    min_window_minutes: float = 30
    slot_minutes: float = 60
    tentative_blocks: bool = True
    # The knobs as durations, derived once (building a timedelta is not free).
    horizon: timedelta = field(init=False, repr=False, compare=False)
    min_window: timedelta = field(init=False, repr=False, compare=False)
    slot_length: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.business_hours, BusinessHours):
            raise ValueError("business_hours must be a BusinessHours")
        _positive_number(self.horizon_hours, "horizon_hours")
        _positive_number(self.min_window_minutes, "min_window_minutes", allow_zero=True)
        _positive_number(self.slot_minutes, "slot_minutes")
        try:
            object.__setattr__(self, "horizon", timedelta(hours=self.horizon_hours))
            object.__setattr__(self, "min_window", timedelta(minutes=self.min_window_minutes))
            object.__setattr__(self, "slot_length", timedelta(minutes=self.slot_minutes))
        except OverflowError:
            raise ValueError("policy durations are out of range") from None


DEFAULT_POLICY = Policy()


def location_policy(
    *,
    setup_hours: Any | None,
    directory_hours: Any | None,
    horizon_hours: float | None = None,
    min_window_minutes: float | None = None,
    slot_minutes: float | None = None,
    tentative_blocks: bool | None = None,
) -> Policy:
    """The slot policy of a location: setup's business hours win over the directory's; every knob
    left unset takes the default of DESIGN 3.5. The one place both the pipeline and claims build it."""
    d = DEFAULT_POLICY
    return Policy(
        business_hours=BusinessHours.from_json(setup_hours if setup_hours is not None else directory_hours),
        horizon_hours=d.horizon_hours if horizon_hours is None else horizon_hours,
        min_window_minutes=d.min_window_minutes if min_window_minutes is None else min_window_minutes,
        slot_minutes=d.slot_minutes if slot_minutes is None else slot_minutes,
        tentative_blocks=d.tentative_blocks if tentative_blocks is None else tentative_blocks,
    )


@dataclass(frozen=True, slots=True)
class Availability:
    """The outcome for one incident: the window, its free windows and slots."""

    zone: ZoneInfo
    window: Interval
    free_windows: tuple[Interval, ...]
    slots: tuple[Interval, ...]

    @property
    def status(self) -> Literal["slots_found", "no_slots"]:
        return "slots_found" if self.slots else "no_slots"

    def to_json(self) -> dict[str, Any]:
        """The availability part of the incident API (slots without their ids)."""
        return {
            "status": self.status,
            "timezone": str(self.zone),
            "window": self.window.to_local_json(self.zone),
            "free_windows": [w.to_local_json(self.zone) for w in self.free_windows],
            "slots": [s.to_local_json(self.zone) for s in self.slots],
        }


def choose_zone(mailbox_zone_name: str | None, location_zone_name: str | None) -> ZoneInfo:
    """Zone Z: the mailbox's, else the location's, else UTC (unresolvable = absent)."""
    return zone_from_name(mailbox_zone_name) or zone_from_name(location_zone_name) or ZoneInfo("UTC")


def read_range(trigger: datetime, policy: Policy) -> Interval:
    """The calendarView range to read: the window widened by `READ_MARGIN` each side."""
    start = _utc(trigger, "trigger")
    return Interval(start - READ_MARGIN, start + policy.horizon + READ_MARGIN)


def event_from_graph(obj: Any) -> CalendarEvent | None:
    """A Graph event JSON as a CalendarEvent, or None when it cannot be placed in time.

    `start`/`end` are `{"dateTime": ..., "timeZone": ...}` with up to 7
    fractional digits (truncated to microseconds); a missing label means UTC,
    Graph's default. For an all-day event the dates are taken as written,
    whatever the label. None (unparseable time, unknown zone label) is the
    caller's to treat as an unreadable calendar: dropping a busy event would
    offer a slot that is not free.
    """
    if not isinstance(obj, dict):
        return None
    start_raw = _graph_wall_time(obj.get("start"))
    end_raw = _graph_wall_time(obj.get("end"))
    if start_raw is None or end_raw is None:
        return None
    is_all_day = obj.get("isAllDay") is True
    start = _graph_instant(*start_raw, lenient=is_all_day)
    end = _graph_instant(*end_raw, lenient=is_all_day)
    if start is None or end is None:
        return None
    show_as = obj.get("showAs")
    return CalendarEvent(
        start=start,
        end=end,
        show_as=show_as if isinstance(show_as, str) else None,
        is_cancelled=obj.get("isCancelled") is True,
        is_all_day=is_all_day,
        all_day_start_date=start_raw[0].date() if is_all_day else None,
        all_day_end_date=end_raw[0].date() if is_all_day else None,
    )


def _graph_wall_time(value: Any) -> tuple[datetime, Any] | None:
    """(the written dateTime, the zone label) of a Graph dateTimeTimeZone."""
    if not isinstance(value, dict):
        return None
    text = value.get("dateTime")
    if not isinstance(text, str):
        return None
    try:
        written = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return written, value.get("timeZone")


def _graph_instant(written: datetime, label: Any, *, lenient: bool) -> datetime | None:
    """The instant of a written time in its labelled zone (fold=0 for gaps/repeats).

    `lenient` (all-day events, whose dates matter, not their instants) reads
    an unknown label as UTC instead of giving up.
    """
    if written.tzinfo is not None:
        return written.astimezone(UTC)
    if label is None or label == "UTC":
        zone: ZoneInfo | timezone | None = UTC
    else:
        zone = zone_from_name(label)
    if zone is None:
        if not lenient:
            return None
        zone = UTC
    return written.replace(tzinfo=zone).astimezone(UTC)


def compute(
    trigger: datetime, zone: ZoneInfo, events: Iterable[CalendarEvent], policy: Policy
) -> Availability:
    """Free windows and slots for an incident triggered at `trigger` (DESIGN 3.5)."""
    start = _utc(trigger, "trigger")
    end = start + policy.horizon
    window = Interval(start, end)
    opens = _open_intervals(start, end, zone, policy.business_hours)
    if not opens:
        return Availability(zone, window, (), ())
    busy = _busy_intervals(events, zone, opens[0][0], opens[-1][1], policy.tentative_blocks)
    windows = _subtract(opens, busy, policy.min_window)
    slots = _slots(windows, zone, policy.slot_length)
    return Availability(
        zone,
        window,
        tuple([Interval(a, b) for a, b in windows]),
        tuple(slots),
    )


def open_intervals(window: Interval, zone: ZoneInfo, hours: BusinessHours) -> tuple[Interval, ...]:
    """Business hours inside `window`, in `zone` (the open time of DESIGN 3.5)."""
    return tuple(Interval(a, b) for a, b in _open_intervals(window.start, window.end, zone, hours))


def _open_intervals(
    start: datetime, end: datetime, zone: ZoneInfo, hours: BusinessHours
) -> list[tuple[datetime, datetime]]:
    """Business hours of every local date that meets [start, end), cut to it, merged.

    Those dates run from the local date of `start` to that of the window's
    last instant, as local dates only move forward: under every zone's current
    rules a fall-back lands on the same date (checked for all tzdata zones).
    """
    combine = datetime.combine
    days = hours.days
    first = start.astimezone(zone).date()
    last = (end - _RESOLUTION).astimezone(zone).date()
    found: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        hours_today = days[day.weekday()]
        day_after = day + _ONE_DAY
        if hours_today is not None:
            opens, closes = hours_today
            close_day, close_time = (day_after, _MIDNIGHT) if closes is None else (day, closes)
            # The first day is decided by its close, later ones by their open:
            # a day that misses the window costs one conversion, not two.
            if day == first:
                b = combine(close_day, close_time, zone).astimezone(UTC)
                a = combine(day, opens, zone).astimezone(UTC) if b > start else end
            else:
                a = combine(day, opens, zone).astimezone(UTC)
                b = combine(close_day, close_time, zone).astimezone(UTC) if a < end else start
            if a < start:
                a = start
            if b > end:
                b = end
            if a < b:
                found.append((a, b))
        day = day_after
    return _merge(found)


def _busy_intervals(
    events: Iterable[CalendarEvent],
    zone: ZoneInfo,
    lo: datetime,
    hi: datetime,
    tentative_blocks: bool,
) -> list[tuple[datetime, datetime]]:
    """Blocking events that meet [lo, hi), as (start, end) pairs sorted by start."""
    not_blocking = _NOT_BLOCKING if tentative_blocks else _NOT_BLOCKING_NOR_TENTATIVE
    busy: list[tuple[datetime, datetime]] = []
    append = busy.append
    for event in events:
        if event.is_cancelled or event.show_as in not_blocking:
            continue
        if event.is_all_day and event.all_day_start_date and event.all_day_end_date:
            a = datetime.combine(event.all_day_start_date, _MIDNIGHT, zone).astimezone(UTC)
            b = datetime.combine(event.all_day_end_date, _MIDNIGHT, zone).astimezone(UTC)
        else:
            a = event.start
            b = event.end
        if a < b and b > lo and a < hi:
            append((a, b))
    busy.sort()
    return busy


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of non-empty spans as sorted, disjoint, non-touching spans."""
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _subtract(
    opens: list[tuple[datetime, datetime]],
    busy: list[tuple[datetime, datetime]],
    min_length: timedelta,
) -> list[tuple[datetime, datetime]]:
    """Open minus busy, keeping pieces of at least `min_length`.

    `opens` is disjoint and sorted; `busy` is sorted by start and may overlap.
    """
    free: list[tuple[datetime, datetime]] = []
    i = 0
    count = len(busy)
    for a, b in opens:
        cursor = a
        while i < count:
            busy_start, busy_end = busy[i]
            if busy_start >= b:
                break
            if busy_end > cursor:
                if busy_start > cursor and busy_start - cursor >= min_length:
                    free.append((cursor, busy_start))
                cursor = busy_end
                if cursor >= b:
                    break  # this event may also cover the next open span
            i += 1
        if cursor < b and b - cursor >= min_length:
            free.append((cursor, b))
    return free


def _slots(windows: list[tuple[datetime, datetime]], zone: ZoneInfo, length: timedelta) -> list[Interval]:
    """Back-to-back slots per window, the first on a local quarter hour."""
    slots: list[Interval] = []
    for a, b in windows:
        cursor = _quarter_hour_ceiling(a, zone)
        stop = b - length
        while cursor <= stop:
            following = cursor + length
            slots.append(Interval(cursor, following))
            cursor = following
    return slots


def _quarter_hour_ceiling(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at or after `instant` whose local clock reads a quarter hour.

    Seconds and microseconds round up. The step is elapsed time; it is checked
    again on the local clock in case a UTC offset change lies inside the step.
    """
    for _ in range(4):
        local = instant.astimezone(zone)
        past = (local.minute % 15) * 60 + local.second
        if past == 0 and local.microsecond == 0:
            break
        instant += timedelta(0, _QUARTER_SECONDS - past, -local.microsecond)
    return instant
