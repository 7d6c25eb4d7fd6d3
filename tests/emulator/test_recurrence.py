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
        ({"type": "absoluteMonthly", "dayOfMonth": 3}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "weekly"}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "weekly", "daysOfWeek": ["funday"]}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "daily", "interval": 0}, {"type": "noEnd", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "endDate", "startDate": "2026-11-03", "endDate": "2026-11-01"}),
        ({"type": "daily"}, {"type": "numbered", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "sometimes", "startDate": "2026-11-03"}),
        ({"type": "daily"}, {"type": "noEnd"}),
    ],
)
def test_unsupported_or_malformed_recurrences_are_rejected(pattern: dict, range_: dict) -> None:
    with pytest.raises(RecurrenceError):
        parse_recurrence({"pattern": pattern, "range": range_})
