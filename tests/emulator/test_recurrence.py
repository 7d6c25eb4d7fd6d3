from datetime import date

import pytest

from emulator.recurrence import RecurrenceError, occurrence_dates, parse_recurrence


def _dates(pattern: dict, range_: dict, until: date = date(2027, 1, 31)) -> list[date]:
    return list(occurrence_dates(parse_recurrence({"pattern": pattern, "range": range_}), until=until))


def test_daily_every_other_day_until_end_date_inclusive() -> None:
    got = _dates(
        {"type": "daily", "interval": 2},
        {"type": "endDate", "startDate": "2026-11-24", "endDate": "2026-11-30"},
    )
    assert got == [date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 30)]


def test_weekly_days_numbered_counts_from_range_start() -> None:
    got = _dates(
        {"type": "weekly", "interval": 1, "daysOfWeek": ["thursday", "tuesday"]},
        {"type": "numbered", "startDate": "2026-11-25", "numberOfOccurrences": 3},
    )
    assert got == [date(2026, 11, 26), date(2026, 12, 1), date(2026, 12, 3)]


def test_weekly_interval_counts_weeks_from_first_day_of_week() -> None:
    got = _dates(
        {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "sunday"], "firstDayOfWeek": "monday"},
        {"type": "endDate", "startDate": "2026-11-02", "endDate": "2026-11-30"},
    )
    assert got == [
        date(2026, 11, 2),
        date(2026, 11, 8),
        date(2026, 11, 16),
        date(2026, 11, 22),
        date(2026, 11, 30),
    ]


def test_no_end_stops_at_the_horizon() -> None:
    got = _dates({"type": "daily"}, {"type": "noEnd", "startDate": "2026-11-01"}, until=date(2026, 11, 3))
    assert got == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]


def test_to_graph_round_trips() -> None:
    rule = parse_recurrence(
        {
            "pattern": {"type": "weekly", "daysOfWeek": ["friday"]},
            "range": {"type": "noEnd", "startDate": "2026-11-27"},
        }
    )
    again = parse_recurrence(rule.to_graph())
    assert again == rule


@pytest.mark.parametrize(
    ("pattern", "range_"),
    [
        ({"type": "absoluteMonthly"}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "absoluteYearly", "dayOfMonth": 3}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "relativeMonthly", "index": "first"}, {"type": "noEnd", "startDate": "2026-11-03"}),
        (
            {"type": "relativeMonthly", "daysOfWeek": ["monday"], "index": "fifth"},
            {"type": "noEnd", "startDate": "2026-11-03"},
        ),
        ({"type": "yearly"}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "weekly"}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "weekly", "daysOfWeek": ["funday"]}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "daily", "interval": 0}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "numbered", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "sometimes", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "noEnd"}),
    ],
)
def test_unsupported_or_malformed_recurrences_are_rejected(pattern: dict, range_: dict) -> None:
    with pytest.raises(RecurrenceError):
        parse_recurrence({"pattern": pattern, "range": range_})


def test_an_end_date_before_the_start_is_an_empty_series() -> None:
    assert (
        _dates({"type": "daily"}, {"type": "endDate", "startDate": "2026-11-03", "endDate": "2026-11-01"})
        == []
    )


def test_absolute_monthly_falls_on_the_last_day_of_short_months() -> None:
    got = _dates(
        {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
        {"type": "numbered", "startDate": "2026-12-15", "numberOfOccurrences": 5},
        until=date(2027, 12, 31),
    )
    assert got == [
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_absolute_monthly_interval_counts_months_from_the_range_start() -> None:
    got = _dates(
        {"type": "absoluteMonthly", "interval": 2, "dayOfMonth": 10},
        {"type": "endDate", "startDate": "2026-11-11", "endDate": "2027-06-30"},
        until=date(2027, 12, 31),
    )
    assert got == [date(2027, 1, 10), date(2027, 3, 10), date(2027, 5, 10)]


def test_relative_monthly_first_last_and_several_days() -> None:
    last_friday = _dates(
        {"type": "relativeMonthly", "daysOfWeek": ["friday"], "index": "last"},
        {"type": "numbered", "startDate": "2026-11-01", "numberOfOccurrences": 3},
    )
    assert last_friday == [date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29)]
    second_tuesday = _dates(
        {"type": "relativeMonthly", "daysOfWeek": ["tuesday"], "index": "second"},
        {"type": "endDate", "startDate": "2026-11-11", "endDate": "2027-01-31"},
    )
    assert second_tuesday == [date(2026, 12, 8), date(2027, 1, 12)]
    first_weekday = _dates(
        {"type": "relativeMonthly", "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"]},
        {"type": "numbered", "startDate": "2026-11-01", "numberOfOccurrences": 3},
    )
    assert first_weekday == [date(2026, 11, 2), date(2026, 12, 1), date(2027, 1, 1)]


def test_yearly_patterns() -> None:
    leap = _dates(
        {"type": "absoluteYearly", "month": 2, "dayOfMonth": 29},
        {"type": "numbered", "startDate": "2027-01-01", "numberOfOccurrences": 3},
        until=date(2031, 1, 1),
    )
    assert leap == [date(2027, 2, 28), date(2028, 2, 29), date(2029, 2, 28)]
    thanksgiving = _dates(
        {"type": "relativeYearly", "interval": 1, "month": 11, "daysOfWeek": ["thursday"], "index": "fourth"},
        {"type": "noEnd", "startDate": "2026-11-27"},
        until=date(2028, 12, 31),
    )
    assert thanksgiving == [date(2027, 11, 25), date(2028, 11, 23)]
    every_other = _dates(
        {"type": "absoluteYearly", "interval": 2, "month": 6, "dayOfMonth": 1},
        {"type": "noEnd", "startDate": "2026-01-01"},
        until=date(2031, 1, 1),
    )
    assert every_other == [date(2026, 6, 1), date(2028, 6, 1), date(2030, 6, 1)]


@pytest.mark.parametrize(
    "pattern",
    [
        {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
        {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["monday"], "index": "last"},
        {"type": "absoluteYearly", "interval": 1, "month": 3, "dayOfMonth": 5},
        {"type": "relativeYearly", "interval": 1, "month": 3, "daysOfWeek": ["sunday"], "index": "second"},
    ],
)
def test_every_pattern_round_trips_through_graph_json(pattern: dict) -> None:
    rule = parse_recurrence({"pattern": pattern, "range": {"type": "noEnd", "startDate": "2026-11-27"}})
    assert parse_recurrence(rule.to_graph()) == rule
    assert rule.to_graph()["pattern"]["type"] == pattern["type"]
