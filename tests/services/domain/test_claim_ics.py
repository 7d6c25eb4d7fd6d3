"""The .ics of a claim confirmation, parsed back with icalendar: the slot's instants in the
room's zone; the release notice cancels the same event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from services.domain.claim_ics import Visit, uid_for, visit_ics

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def visit(zone: ZoneInfo = NY, start: datetime = START) -> Visit:
    return Visit(
        "c0ffee", start, start + timedelta(hours=1), zone, "pivot: Display offline", "4B, HQ", "INC-1"
    )


def test_the_invite_holds_the_slot_in_the_rooms_zone() -> None:
    parsed = Calendar.from_ical(visit_ics(visit()))
    assert str(parsed["method"]) == "PUBLISH"
    (event,) = parsed.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == START and end == START + timedelta(hours=1)
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert (start.astimezone(NY).hour, end.astimezone(NY).hour) == (10, 11)
    assert str(event["uid"]) == uid_for("c0ffee")
    assert str(event["summary"]) == "pivot: Display offline"
    assert [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")] == ["America/New_York"]


def test_a_release_cancels_the_same_event() -> None:
    parsed = Calendar.from_ical(visit_ics(visit(), cancelled=True))
    assert str(parsed["method"]) == "CANCEL"
    (event,) = parsed.walk("VEVENT")
    assert str(event["uid"]) == uid_for("c0ffee")
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_summer_time_is_written_with_the_zones_own_rules() -> None:
    summer = datetime(2027, 6, 2, 8, 0, tzinfo=UTC)  # 09:00 BST
    parsed = Calendar.from_ical(visit_ics(visit(LONDON, summer)))
    (event,) = parsed.walk("VEVENT")
    assert event.decoded("dtstart") == summer
    assert event.decoded("dtstart").astimezone(LONDON).hour == 9
    assert event["dtstart"].to_ical() == b"20270602T090000"
