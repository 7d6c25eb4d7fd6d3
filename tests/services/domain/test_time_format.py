"""Times as the reader is used to: 24-hour or am/pm and day/month order from the Teams
locale, the house style (24-hour, "Tue 24 Nov") without one, always with the zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.time_format import (
    HOUSE_STYLE,
    style_for,
    utc_clock,
    utc_stamp,
    utc_time,
    zone_abbreviation,
)

NY = ZoneInfo("America/New_York")
AT = datetime(2026, 11, 24, 23, 9, tzinfo=UTC)  # Tue 18:09 EST


@pytest.mark.parametrize(
    ("locale", "when"),
    [
        (None, "Tue 24 Nov 18:09 EST"),
        ("en-US", "Tue, Nov 24 6:09 PM EST"),
        ("en-GB", "Tue, 24 Nov 18:09 EST"),
        ("de-DE", "Di., 24. Nov. 18:09 EST"),
        ("fr", "mar. 24 nov. 18:09 EST"),
    ],
)
def test_locales(locale: str | None, when: str) -> None:
    assert style_for(locale).when(AT, NY) == when


@pytest.mark.parametrize("bad", ["", "xx-nonsense", "en_US; drop table", "a" * 100, "-"])
def test_unknown_locales_get_the_house_style(bad: str) -> None:
    assert style_for(bad) is HOUSE_STYLE


def test_spans_and_zones_across_dst_and_odd_offsets() -> None:
    summer = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert HOUSE_STYLE.span(summer, summer.replace(hour=14), NY) == "09:00–10:00"
    assert zone_abbreviation(summer, NY) == "EDT" and zone_abbreviation(AT, NY) == "EST"
    assert zone_abbreviation(AT, ZoneInfo("Asia/Kolkata")) == "IST"
    assert zone_abbreviation(AT, ZoneInfo("America/Sao_Paulo")) == "UTC-03:00"
    assert style_for("en-US").tag == "en-US" and HOUSE_STYLE.tag is None


def test_utc_labels_and_a_slot_on_its_day() -> None:
    assert utc_time(AT) == "23:09"
    assert utc_clock(AT.astimezone(NY)) == "23:09 UTC"
    assert utc_stamp(AT.astimezone(NY)) == "2026-11-24 23:09 UTC"
    assert utc_stamp(datetime(2026, 11, 24, 18, 9)) == "2026-11-24 18:09 UTC"  # naive = UTC already
    start = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert HOUSE_STYLE.day_span(start, start.replace(hour=16), NY) == "Wed 25 Nov 10:00–11:00 EST"
    assert HOUSE_STYLE.weekday(start, NY) == "Wed"
