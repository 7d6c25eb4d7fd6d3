"""Zone names from Graph and the directory resolve to zoneinfo zones, or to None."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tzlocal.windows_tz import win_tz

from services.domain.timezones import fixed_offset_zone, zone_from_mailbox_settings, zone_from_name

JAN = datetime(2026, 1, 15, 12, tzinfo=UTC)
JUL = datetime(2026, 7, 15, 12, tzinfo=UTC)


def offsets(zone: ZoneInfo | None) -> tuple[timedelta | None, timedelta | None]:
    """The zone's UTC offsets in January and July (tells zones apart by behaviour)."""
    assert zone is not None
    return JAN.astimezone(zone).utcoffset(), JUL.astimezone(zone).utcoffset()


def hours(*values: float) -> tuple[timedelta, ...]:
    return tuple(timedelta(hours=v) for v in values)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Eastern Standard Time", "America/New_York"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("India Standard Time", "Asia/Kolkata"),
        ("Nepal Standard Time", "Asia/Kathmandu"),
        ("GMT Standard Time", "Europe/London"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ("UTC", "UTC"),
        ("America/New_York", "America/New_York"),
        ("Asia/Kathmandu", "Asia/Kathmandu"),
        ("Europe/London", "Europe/London"),
        ("Etc/GMT-5", "Etc/GMT-5"),
    ],
)
def test_windows_and_iana_names_resolve(name: str, expected: str) -> None:
    zone = zone_from_name(name)
    assert zone is not None
    assert offsets(zone) == offsets(ZoneInfo(expected))


def test_windows_names_give_the_cldr_zone_keys() -> None:
    assert str(zone_from_name("Eastern Standard Time")) == "America/New_York"
    assert str(zone_from_name("AUS Eastern Standard Time")) == "Australia/Sydney"
    assert offsets(zone_from_name("Nepal Standard Time")) == hours(5.75, 5.75)
    assert offsets(zone_from_name("India Standard Time")) == hours(5.5, 5.5)


def test_every_windows_name_in_the_cldr_table_resolves() -> None:
    unresolved = [name for name in win_tz if zone_from_name(name) is None]
    assert unresolved == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("eastern standard time", "America/New_York"),
        ("  Eastern Standard Time  ", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("tzone://Microsoft/Utc", "UTC"),
    ],
)
def test_lenient_spellings(name: str, expected: str) -> None:
    assert offsets(zone_from_name(name)) == offsets(ZoneInfo(expected))


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "   ",
        "Mars Standard Time",
        "Customized Time Zone",
        "customTimeZone",
        "America",  # a directory in the zone database, not a zone
        "zone.tab",  # a data file in the zone database
        "../etc/passwd",
        "/etc/localtime",
        "a\x00b",
        "UTC+99:00",
        42,
    ],
)
def test_unknown_names_resolve_to_none(name: Any) -> None:
    assert zone_from_name(name) is None


@pytest.mark.parametrize(
    ("minutes", "key", "july_offset"),
    [
        (0, "UTC", 0),
        (-300, "Etc/GMT+5", -5),
        (60, "Etc/GMT-1", 1),
        (840, "Etc/GMT-14", 14),
        (330, "UTC+05:30", 5.5),
        (345, "UTC+05:45", 5.75),
        (-210, "UTC-03:30", -3.5),
    ],
)
def test_fixed_offset_zones_round_trip_through_their_key(minutes: int, key: str, july_offset: float) -> None:
    zone = fixed_offset_zone(minutes)
    assert zone is not None
    assert str(zone) == key
    assert offsets(zone) == hours(july_offset, july_offset)
    assert offsets(zone_from_name(key)) == offsets(zone)


@pytest.mark.parametrize("minutes", [19 * 60, -19 * 60, True])
def test_fixed_offset_zone_refuses_impossible_offsets(minutes: Any) -> None:
    assert fixed_offset_zone(minutes) is None


def custom_zone(bias: Any) -> dict[str, Any]:
    """A Graph customTimeZone as Exchange returns it (Windows bias convention)."""
    return {
        "@odata.type": "#microsoft.graph.customTimeZone",
        "bias": bias,
        "name": "Customized Time Zone",
        "standardOffset": {
            "time": "02:00:00.0000000",
            "dayOccurrence": 1,
            "dayOfWeek": "sunday",
            "month": 11,
            "year": 0,
        },
        "daylightOffset": {
            "daylightBias": -60,
            "time": "02:00:00.0000000",
            "dayOccurrence": 2,
            "dayOfWeek": "sunday",
            "month": 3,
            "year": 0,
        },
    }


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"timeZone": "Eastern Standard Time"}, hours(-5, -4)),
        ({"timeZone": "Asia/Kathmandu"}, hours(5.75, 5.75)),
        (
            {
                "timeZone": "Pacific Standard Time",
                "workingHours": {"timeZone": {"name": "Eastern Standard Time"}},
            },
            hours(-8, -7),
        ),
        # getSchedule's workingHours object on its own
        (
            {
                "daysOfWeek": ["monday"],
                "startTime": "08:00:00.0000000",
                "timeZone": {"name": "India Standard Time"},
            },
            hours(5.5, 5.5),
        ),
        # an unresolvable mailbox name falls through to the working-hours zone
        ({"timeZone": "Mars", "workingHours": {"timeZone": {"name": "UTC"}}}, hours(0, 0)),
        # custom zones: their standard offset, as a fixed zone (bias 480 = UTC-8)
        ({"timeZone": "customTimeZone", "workingHours": {"timeZone": custom_zone(480)}}, hours(-8, -8)),
        ({"timeZone": "customTimeZone", "workingHours": {"timeZone": custom_zone(-330)}}, hours(5.5, 5.5)),
        ({"timeZone": custom_zone(-60)}, hours(1, 1)),
    ],
)
def test_zone_from_mailbox_settings(settings: dict[str, Any], expected: tuple[timedelta, ...]) -> None:
    assert offsets(zone_from_mailbox_settings(settings)) == expected


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"timeZone": None},
        {"timeZone": "Mars Standard Time"},
        {"timeZone": "customTimeZone"},
        {"timeZone": "customTimeZone", "workingHours": {"timeZone": custom_zone("480")}},
        {"timeZone": "customTimeZone", "workingHours": {"timeZone": custom_zone(99_999)}},
        {"workingHours": "Eastern Standard Time"},
        {"timeZone": ["Eastern Standard Time"]},
    ],
)
def test_zone_from_mailbox_settings_without_a_usable_zone(settings: dict[str, Any]) -> None:
    assert zone_from_mailbox_settings(settings) is None


def test_zone_from_mailbox_settings_refuses_non_objects() -> None:
    assert zone_from_mailbox_settings(None) is None
    assert zone_from_mailbox_settings("Eastern Standard Time") is None  # type: ignore[arg-type]
