from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from emulator.templating import add_workdays, has_tokens, resolve_tokens, today_in

TUESDAY = date(2026, 11, 24)
SATURDAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("{{day}}T09:00:00", TUESDAY, "2026-11-24T09:00:00"),
        ("{{day+1}}T09:00:00", TUESDAY, "2026-11-25T09:00:00"),
        ("{{ day - 30 }}", TUESDAY, "2026-10-25"),
        ("{{workday+0}}", SATURDAY, "2026-11-30"),
        ("{{workday+4}}", TUESDAY, "2026-11-30"),
        ("{{workday-2}}", TUESDAY, "2026-11-20"),
        ("{{workday-1}}", SATURDAY, "2026-11-27"),
        ("no tokens here", TUESDAY, "no tokens here"),
    ],
)
def test_tokens_resolve_to_iso_dates(text: str, today: date, expected: str) -> None:
    assert resolve_tokens(text, today) == expected


def test_workdays_skip_weekends() -> None:
    assert add_workdays(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert all(add_workdays(TUESDAY, n).weekday() < 5 for n in range(-10, 10))


def test_today_is_taken_in_the_zone() -> None:
    moment = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert today_in("AUS Eastern Standard Time", moment) == date(2026, 11, 25)
    assert today_in("Eastern Standard Time", moment) == TUESDAY


def test_has_tokens() -> None:
    assert has_tokens("{{workday+3}}T10:00:00")
    assert not has_tokens("2026-11-24T10:00:00")
