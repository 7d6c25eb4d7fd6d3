from datetime import UTC, datetime

from emulator.calendar_view import calendar_view, event_instances
from emulator.loader import parse_event, tenant_from_dict
from emulator.model import Tenant
from tests.emulator.support import ROOM_BOOKINGS, TODAY, tenant_dict


def _tenant() -> Tenant:
    return tenant_from_dict(tenant_dict(), today=TODAY)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_series_keeps_local_time_across_dst() -> None:
    tenant = _tenant()
    room = tenant.find("conf4b@contoso.com")
    assert room
    event = parse_event(
        {
            "subject": "Early",
            "start": {"dateTime": "2026-10-30T07:00:00"},
            "end": {"dateTime": "2026-10-30T07:30:00"},
            "recurrence": {
                "pattern": {"type": "daily"},
                "range": {"type": "numbered", "numberOfOccurrences": 3},
            },
        },
        owner=room,
        id_seed="x",
        today_for=lambda _z: TODAY,
        where="t",
    )
    starts = [h.start for h in event_instances(event, _utc(2026, 10, 1), _utc(2026, 12, 1))]
    assert starts == [_utc(2026, 10, 30, 11), _utc(2026, 10, 31, 11), _utc(2026, 11, 1, 12)]


def test_window_overlap_and_order() -> None:
    tenant = _tenant()
    room = tenant.find("conf4b@contoso.com")
    assert room
    calendar = tenant.calendars[room.default_calendar_id]
    view = calendar_view(tenant, calendar, _utc(2026, 11, 25, 15, 30), _utc(2026, 11, 25, 18, 30))
    assert [i.event.subject for i in view] == ["Canceled: vendor demo", "FYI: fire drill", "Interview loop"]
    assert view == sorted(view, key=lambda i: i.start)


def test_all_day_event_spans_its_local_day() -> None:
    tenant = _tenant()
    room = tenant.find("conf4b@contoso.com")
    assert room
    calendar = tenant.calendars[room.default_calendar_id]
    view = calendar_view(tenant, calendar, _utc(2026, 11, 27, 4), _utc(2026, 11, 27, 6))
    closed = [i for i in view if i.event.is_all_day]
    assert [(i.start, i.end) for i in closed] == [(_utc(2026, 11, 27, 5), _utc(2026, 11, 28, 5))]


def test_occurrences_get_their_own_ids_and_master() -> None:
    tenant = _tenant()
    room = tenant.find("conf4b@contoso.com")
    assert room
    view = calendar_view(
        tenant, tenant.calendars[room.default_calendar_id], _utc(2026, 11, 20), _utc(2026, 12, 20)
    )
    sync = [i for i in view if i.event.subject == "Team sync"]
    assert len(sync) == 4
    assert len({i.id for i in sync}) == 4
    assert {i.series_master_id for i in sync} == {sync[0].event.id}


def test_bookings_calendar_mirrors_rooms_with_their_names() -> None:
    tenant = _tenant()
    view = calendar_view(tenant, tenant.calendars[ROOM_BOOKINGS], _utc(2026, 11, 25), _utc(2026, 11, 26))
    by_subject = {i.event.subject: i for i in view}
    assert by_subject["London sync"].location_override["displayName"] == "LON-02-Thames (8) [VC]"
    assert by_subject["Interview loop"].location_override["uniqueId"] == "conf4b@contoso.com"
    assert by_subject["Facilities walkthrough"].location_override is None
    room = tenant.find("conf4b@contoso.com")
    assert room
    own_ids = {
        i.id
        for i in calendar_view(
            tenant, tenant.calendars[room.default_calendar_id], _utc(2026, 11, 25), _utc(2026, 11, 26)
        )
    }
    assert not own_ids & {i.id for i in view}
