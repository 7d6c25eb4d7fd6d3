"""Expansion of Graph `patternedRecurrence` (daily and weekly patterns) into dates.

Only the dates are computed here; the caller places each date's occurrence at the
series' wall-clock time in its zone, so daylight-saving changes keep meetings at
the same local time, as Exchange does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SUPPORTED_PATTERNS = ("daily", "weekly")
RANGE_TYPES = ("endDate", "noEnd", "numbered")


class RecurrenceError(ValueError):
    """A recurrence the emulator cannot or will not expand."""


@dataclass(frozen=True)
class Recurrence:
    """A parsed patternedRecurrence."""

    pattern_type: str
    interval: int
    days_of_week: tuple[int, ...]
    first_day_of_week: int
    range_type: str
    start_date: date
    end_date: date | None
    number_of_occurrences: int
    recurrence_time_zone: str | None

    def to_graph(self) -> dict[str, Any]:
        """The Graph JSON form (what a series master's `recurrence` shows)."""
        return {
            "pattern": {
                "type": self.pattern_type,
                "interval": self.interval,
                "month": 0,
                "dayOfMonth": 0,
                "daysOfWeek": [WEEKDAYS[d] for d in self.days_of_week],
                "firstDayOfWeek": WEEKDAYS[self.first_day_of_week],
                "index": "first",
            },
            "range": {
                "type": self.range_type,
                "startDate": self.start_date.isoformat(),
                "endDate": self.end_date.isoformat() if self.end_date else "0001-01-01",
                "recurrenceTimeZone": self.recurrence_time_zone or "",
                "numberOfOccurrences": self.number_of_occurrences,
            },
        }


def _weekday(name: Any) -> int:
    if not isinstance(name, str) or name.lower() not in WEEKDAYS:
        raise RecurrenceError(f"unknown day of week {name!r}")
    return WEEKDAYS.index(name.lower())


def parse_recurrence(raw: Mapping[str, Any]) -> Recurrence:
    """Validate a patternedRecurrence dict (dates already resolved to ISO dates)."""
    pattern = raw.get("pattern") or {}
    range_ = raw.get("range") or {}
    kind = pattern.get("type")
    if kind not in SUPPORTED_PATTERNS:
        raise RecurrenceError(f"recurrence pattern {kind!r} is not supported (only daily and weekly)")
    interval = int(pattern.get("interval", 1) if pattern.get("interval") is not None else 1)
    if interval < 1:
        raise RecurrenceError("recurrence interval must be at least 1")
    days = tuple(sorted({_weekday(d) for d in pattern.get("daysOfWeek") or []}))
    if kind == "weekly" and not days:
        raise RecurrenceError("a weekly recurrence needs daysOfWeek")
    range_type = range_.get("type")
    if range_type not in RANGE_TYPES:
        raise RecurrenceError(f"recurrence range type {range_type!r} is not one of {RANGE_TYPES}")
    try:
        start_date = date.fromisoformat(str(range_["startDate"]))
    except (KeyError, ValueError) as exc:
        raise RecurrenceError("recurrence range needs a startDate (YYYY-MM-DD)") from exc
    end_date = None
    if range_type == "endDate":
        try:
            end_date = date.fromisoformat(str(range_["endDate"]))
        except (KeyError, ValueError) as exc:
            raise RecurrenceError("an endDate range needs endDate (YYYY-MM-DD)") from exc
        if end_date < start_date:
            raise RecurrenceError("recurrence endDate is before startDate")
    count = int(range_.get("numberOfOccurrences") or 0)
    if range_type == "numbered" and count < 1:
        raise RecurrenceError("a numbered range needs numberOfOccurrences >= 1")
    return Recurrence(
        pattern_type=kind,
        interval=interval,
        days_of_week=days,
        first_day_of_week=_weekday(pattern.get("firstDayOfWeek") or "sunday"),
        range_type=range_type,
        start_date=start_date,
        end_date=end_date,
        number_of_occurrences=count,
        recurrence_time_zone=range_.get("recurrenceTimeZone") or None,
    )


def _candidates(rule: Recurrence) -> Iterator[date]:
    """Every date the pattern produces from the range start, in order, forever."""
    if rule.pattern_type == "daily":
        day = rule.start_date
        step = timedelta(days=rule.interval)
        while True:
            yield day
            day += step
    week_start = rule.start_date - timedelta(days=(rule.start_date.weekday() - rule.first_day_of_week) % 7)
    offsets = sorted((d - rule.first_day_of_week) % 7 for d in rule.days_of_week)
    while True:
        for offset in offsets:
            day = week_start + timedelta(days=offset)
            if day >= rule.start_date:
                yield day
        week_start += timedelta(weeks=rule.interval)


def occurrence_dates(rule: Recurrence, *, until: date) -> Iterator[date]:
    """Occurrence dates from the range start up to `until` (inclusive)."""
    for produced, day in enumerate(_candidates(rule)):
        if day > until:
            return
        if rule.end_date is not None and day > rule.end_date:
            return
        if rule.range_type == "numbered" and produced >= rule.number_of_occurrences:
            return
        yield day
