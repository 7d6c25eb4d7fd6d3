from datetime import UTC, datetime

import pytest

from emulator.timezones import (
    UnknownTimeZoneError,
    format_graph_datetime,
    in_zone,
    parse_local_datetime,
    parse_query_instant,
    to_instant,
    zone_for,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Eastern Standard Time", "America/New_York"),
        ("eastern standard time", "America/New_York"),
        ("GMT Standard Time", "Europe/London"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("Australia/Sydney", "Australia/Sydney"),
        ("UTC", "UTC"),
    ],
)
def test_windows_and_iana_names_resolve(name: str, key: str) -> None:
    assert zone_for(name).key == key


@pytest.mark.parametrize("name", ["", "Mars Standard Time", "../etc/passwd"])
def test_unknown_zone_is_rejected(name: str) -> None:
    with pytest.raises(UnknownTimeZoneError):
        zone_for(name)


def test_graph_datetime_has_seven_fraction_digits() -> None:
    assert format_graph_datetime(datetime(2026, 11, 24, 14, 0)) == "2026-11-24T14:00:00.0000000"


def test_wall_clock_follows_daylight_saving() -> None:
    summer = to_instant(datetime(2026, 7, 1, 9, 0), "Eastern Standard Time")
    winter = to_instant(datetime(2026, 12, 1, 9, 0), "Eastern Standard Time")
    assert (summer.hour, winter.hour) == (13, 14)
    assert in_zone(winter, "Pacific Standard Time") == datetime(2026, 12, 1, 6, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-24T09:00:00Z", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24T09:00:00", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24T09:00:00-05:00", datetime(2026, 11, 24, 14, tzinfo=UTC)),
        ("2026-11-24T09:00:00 05:00", datetime(2026, 11, 24, 4, tzinfo=UTC)),
        ("2026-11-24T09:00:00.0000000", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
    ],
)
def test_query_instants_use_their_offset_else_utc(raw: str, expected: datetime) -> None:
    assert parse_query_instant(raw) == expected


def test_local_parse_keeps_naive_wall_clock() -> None:
    assert parse_local_datetime("2026-11-24T09:30:00.1234567") == datetime(2026, 11, 24, 9, 30, 0, 123456)
