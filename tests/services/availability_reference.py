"""An obviously-correct, deliberately slow reading of DESIGN 3.5.

It walks the window one minute at a time and asks, for each minute, "is it
inside some business-hours span and outside every blocking event?". It reads
the business hours from their directory JSON itself, so the engine's parser
is checked too. Exact when the trigger, the events and the business hours all
sit on whole minutes (UTC offsets are whole minutes today); used by the
property test and by the benchmark as the yardstick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.availability import CalendarEvent, Policy

Span = tuple[datetime, datetime]
ONE_MINUTE = timedelta(minutes=1)
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {key: ["08:00", "17:00"] for key in DAY_KEYS[:5]}


def reference_windows_and_slots(
    trigger: datetime,
    zone: ZoneInfo,
    events: Iterable[CalendarEvent],
    *,
    hours_json: Mapping[str, Any] | None,
    horizon_hours: int,
    min_window_minutes: int,
    slot_minutes: int,
    tentative_blocks: bool,
) -> tuple[list[Span], list[Span]]:
    """(free windows, slots) as UTC (start, end) pairs, found minute by minute."""
    start = trigger.astimezone(UTC)
    minute_count = horizon_hours * 60
    end = start + timedelta(minutes=minute_count)
    open_spans = _business_spans(hours_json, zone, start, end)
    busy_spans = [_event_span(event, zone) for event in events if _blocks(event, tentative_blocks)]

    free_minutes = []
    for index in range(minute_count):
        minute = start + index * ONE_MINUTE
        is_open = any(a <= minute < b for a, b in open_spans)
        is_busy = any(a <= minute < b for a, b in busy_spans)
        free_minutes.append(is_open and not is_busy)

    windows: list[Span] = []
    index = 0
    while index < minute_count:
        if not free_minutes[index]:
            index += 1
            continue
        run_start = index
        while index < minute_count and free_minutes[index]:
            index += 1
        if index - run_start >= min_window_minutes:
            windows.append((start + run_start * ONE_MINUTE, start + index * ONE_MINUTE))

    slots: list[Span] = []
    for window_start, window_end in windows:
        slot_start = window_start
        while not _on_local_quarter_hour(slot_start, zone):
            slot_start += ONE_MINUTE
        while slot_start + timedelta(minutes=slot_minutes) <= window_end:
            slots.append((slot_start, slot_start + timedelta(minutes=slot_minutes)))
            slot_start += timedelta(minutes=slot_minutes)
    return windows, slots


def reference_for_policy(
    trigger: datetime, zone: ZoneInfo, events: Iterable[CalendarEvent], policy: Policy
) -> tuple[list[Span], list[Span]]:
    """The same, with the knobs taken from a Policy (whole hours and minutes)."""
    return reference_windows_and_slots(
        trigger,
        zone,
        events,
        hours_json=policy.business_hours.to_json(),
        horizon_hours=int(policy.horizon_hours),
        min_window_minutes=int(policy.min_window_minutes),
        slot_minutes=int(policy.slot_minutes),
        tentative_blocks=policy.tentative_blocks,
    )


def _business_spans(
    hours_json: Mapping[str, Any] | None, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Span]:
    """Each local date that meets the window: its [open, close) as UTC instants."""
    hours = DEFAULT_HOURS if hours_json is None else hours_json
    minute_count = (end - start) // ONE_MINUTE
    dates_met = sorted({(start + k * ONE_MINUTE).astimezone(zone).date() for k in range(minute_count)})
    spans = []
    for day in dates_met:
        value = hours.get(DAY_KEYS[day.weekday()])
        if value is not None:
            opens, closes = value
            if opens != "24:00" and (closes == "24:00" or _clock(closes) > _clock(opens)):
                open_at = _wall_clock(day, opens, zone)
                close_at = (
                    _wall_clock(day + timedelta(days=1), "00:00", zone)
                    if closes == "24:00"
                    else _wall_clock(day, closes, zone)
                )
                spans.append((open_at, close_at))
    return spans


def _clock(text: str) -> time:
    hour, minute = text.split(":")[:2]
    return time(int(hour), int(minute))


def _wall_clock(day: date, text: str, zone: ZoneInfo) -> datetime:
    """A local wall-clock time read with fold=0, as a UTC instant."""
    clock = _clock(text)
    local = datetime(day.year, day.month, day.day, clock.hour, clock.minute, tzinfo=zone)
    return local.astimezone(UTC)


def _blocks(event: CalendarEvent, tentative_blocks: bool) -> bool:
    if event.is_cancelled:
        return False
    show_as = (event.show_as or "").lower()
    if show_as == "free":
        return False
    return not (show_as == "tentative" and not tentative_blocks)


def _event_span(event: CalendarEvent, zone: ZoneInfo) -> Span:
    if event.is_all_day and event.all_day_start_date and event.all_day_end_date:
        first, last = event.all_day_start_date, event.all_day_end_date
        return (
            datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC),
            datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(UTC),
        )
    return event.start, event.end


def _on_local_quarter_hour(instant: datetime, zone: ZoneInfo) -> bool:
    local = instant.astimezone(zone)
    return local.minute % 15 == 0 and local.second == 0 and local.microsecond == 0
