"""Expansion of Graph `patternedRecurrence` into occurrence dates.

All six pattern types (`daily`, `weekly`, `absoluteMonthly`, `relativeMonthly`,
`absoluteYearly`, `relativeYearly`) and the three range types (`endDate`,
`numbered`, `noEnd`). A day of the month that a month lacks (the 31st in
April, 29 February in a common year) falls on the month's last day, as in
Exchange. Only dates are computed here; the caller places each date's
occurrence at the series' wall-clock time in its zone, so daylight-saving
changes keep meetings at the same local time, as Exchange does.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SUPPORTED_PATTERNS = (
    "daily",
    "weekly",
    "absoluteMonthly",
    "relativeMonthly",
    "absoluteYearly",
    "relativeYearly",
)
RANGE_TYPES = ("endDate", "noEnd", "numbered")
INDEXES = ("first", "second", "third", "fourth", "last")
_NEEDS_DAYS = ("weekly", "relativeMonthly", "relativeYearly")
_NEEDS_DAY_OF_MONTH = ("absoluteMonthly", "absoluteYearly")
_NEEDS_MONTH = ("absoluteYearly", "relativeYearly")


class RecurrenceError(ValueError):
    """A recurrence that is not Graph's patternedRecurrence shape."""


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
    day_of_month: int = 0
    month: int = 0
    index: str = "first"

    def to_graph(self) -> dict[str, Any]:
        """The Graph JSON form (what a series master's `recurrence` shows)."""
        return {
            "pattern": {
                "type": self.pattern_type,
                "interval": self.interval,
                "month": self.month,
                "dayOfMonth": self.day_of_month,
                "daysOfWeek": [WEEKDAYS[d] for d in self.days_of_week],
                "firstDayOfWeek": WEEKDAYS[self.first_day_of_week],
                "index": self.index,
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


def _int(value: Any, name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecurrenceError(f"recurrence {name} must be an integer")
    try:
        return int(value)
    except ValueError as exc:
        raise RecurrenceError(f"recurrence {name} must be an integer") from exc


def _pattern_fields(pattern: Mapping[str, Any], kind: str) -> tuple[tuple[int, ...], int, int, str]:
    raw_days = pattern.get("daysOfWeek") or []
    if not isinstance(raw_days, list):
        raise RecurrenceError("daysOfWeek must be a list of day names")
    days = tuple(sorted({_weekday(d) for d in raw_days}))
    if kind in _NEEDS_DAYS and not days:
        raise RecurrenceError(f"a {kind} recurrence needs daysOfWeek")
    day_of_month = _int(pattern.get("dayOfMonth"), "dayOfMonth", 0)
    if kind in _NEEDS_DAY_OF_MONTH and not 1 <= day_of_month <= 31:
        raise RecurrenceError(f"a {kind} recurrence needs dayOfMonth 1..31")
    month = _int(pattern.get("month"), "month", 0)
    if kind in _NEEDS_MONTH and not 1 <= month <= 12:
        raise RecurrenceError(f"a {kind} recurrence needs month 1..12")
    index = pattern.get("index") or "first"
    if index not in INDEXES:
        raise RecurrenceError(f"recurrence index {index!r} is not one of {INDEXES}")
    return days, day_of_month, month, str(index)


def parse_recurrence(raw: Mapping[str, Any]) -> Recurrence:
    """Validate a patternedRecurrence dict (dates already resolved to ISO dates)."""
    pattern = raw.get("pattern") or {}
    range_ = raw.get("range") or {}
    if not isinstance(pattern, Mapping) or not isinstance(range_, Mapping):
        raise RecurrenceError("recurrence needs pattern and range objects")
    kind = pattern.get("type")
    if kind not in SUPPORTED_PATTERNS:
        raise RecurrenceError(f"recurrence pattern type {kind!r} is not one of {SUPPORTED_PATTERNS}")
    interval = _int(pattern.get("interval"), "interval", 1)
    if interval < 1:
        raise RecurrenceError("recurrence interval must be at least 1")
    days, day_of_month, month, index = _pattern_fields(pattern, kind)
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
    count = _int(range_.get("numberOfOccurrences"), "numberOfOccurrences", 0)
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
        day_of_month=day_of_month,
        month=month,
        index=index,
    )


def day_in_month(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when it has fewer (Exchange)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def relative_day(year: int, month: int, days: tuple[int, ...], index: str) -> date:
    """The first/second/third/fourth/last day of the month whose weekday is in `days`."""
    last = calendar.monthrange(year, month)[1]
    matching = [d for d in range(1, last + 1) if date(year, month, d).weekday() in days]
    return date(year, month, matching[-1 if index == "last" else INDEXES.index(index)])


def _months(rule: Recurrence, step: int) -> Iterator[tuple[int, int]]:
    year, month = rule.start_date.year, rule.start_date.month
    if rule.pattern_type in _NEEDS_MONTH:
        # yearly: the pattern's month, from the range start's year (or the next)
        month = rule.month
    while True:
        yield year, month
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _candidates(rule: Recurrence) -> Iterator[date]:
    """Every date the pattern produces from the range start, in order, forever."""
    kind = rule.pattern_type
    if kind == "daily":
        day = rule.start_date
        step = timedelta(days=rule.interval)
        while True:
            yield day
            day += step
    if kind == "weekly":
        week_start = rule.start_date - timedelta(
            days=(rule.start_date.weekday() - rule.first_day_of_week) % 7
        )
        offsets = sorted((d - rule.first_day_of_week) % 7 for d in rule.days_of_week)
        while True:
            for offset in offsets:
                day = week_start + timedelta(days=offset)
                if day >= rule.start_date:
                    yield day
            week_start += timedelta(weeks=rule.interval)
    step = rule.interval * (12 if kind in _NEEDS_MONTH else 1)
    for year, month in _months(rule, step):
        if kind in _NEEDS_DAY_OF_MONTH:
            day = day_in_month(year, month, rule.day_of_month)
        else:
            day = relative_day(year, month, rule.days_of_week, rule.index)
        if day >= rule.start_date:
            yield day


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


def is_occurrence(rule: Recurrence, day: date) -> bool:
    """True when the series has an occurrence on `day`."""
    return any(d == day for d in occurrence_dates(rule, until=day))
