import json
from datetime import date, datetime
from pathlib import Path

import pytest

from emulator.loader import TenantError, load_tenant, tenant_from_dict, upsert_room
from tests.emulator.support import FACILITIES, PIVOT, ROOM_BOOKINGS, TODAY, tenant_dict

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "emulator" / "tenants" / "demo.json"
DIRECTORY = REPO / "demo" / "directory.json"


def test_users_rooms_and_shared_calendar_are_built() -> None:
    tenant = tenant_from_dict(tenant_dict(), today=TODAY)
    pivot = tenant.find(PIVOT)
    assert pivot is not None and pivot.time_zone == "Eastern Standard Time"
    assert [c.name for c in tenant.calendars_shared_to(pivot)] == ["Room Bookings"]
    bookings = tenant.calendars[ROOM_BOOKINGS]
    assert bookings.owner == FACILITIES
    assert bookings.mirrors == ["conf4b@contoso.com", "lon-thames@contoso.com"]
    assert tenant.find("CONF4B@contoso.com") is tenant.find("conf4b@contoso.com")
    ada = tenant.find("a0000000-0000-4000-8000-000000000001")
    assert ada is not None and ada.upn == "ada@contoso.com"


def test_relative_tokens_resolve_in_the_event_zone() -> None:
    raw = tenant_dict()
    raw["rooms"][0]["events"] = [
        {
            "subject": "x",
            "start": {"dateTime": "{{workday+1}}T09:00:00"},
            "end": {"dateTime": "{{workday+1}}T10:00:00"},
            "recurrence": {
                "pattern": {"type": "daily"},
                "range": {"type": "endDate", "startDate": "{{day-1}}", "endDate": "{{day+2}}"},
            },
        }
    ]
    tenant = tenant_from_dict(raw, today=date(2026, 11, 27))
    room = tenant.find("conf4b@contoso.com")
    assert room is not None
    event = tenant.calendars[room.default_calendar_id].events[0]
    assert event.start_local == datetime(2026, 11, 30, 9, 0)
    assert event.start_zone == "Eastern Standard Time"
    assert event.recurrence is not None
    assert (event.recurrence.start_date, event.recurrence.end_date) == (
        date(2026, 11, 26),
        date(2026, 11, 29),
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.update(tenant_id="nope"), "GUID"),
        (lambda t: t["rooms"][0]["mailboxSettings"].update(timeZone=["Mars"]), "time zone"),
        (lambda t: t["rooms"][0].update(mailboxSettings="EST"), "mailboxSettings"),
        (lambda t: t["rooms"][0]["events"][0].update(isCancelled="yes"), "isCancelled"),
        (lambda t: t["rooms"][0]["events"][0].update(isAllDay=1), "isAllDay"),
        (lambda t: t["rooms"][0]["events"][0]["start"].update(timeZone=5), "time zone"),
        (lambda t: t["users"][0]["calendars"][0].update(owner="ghost"), "owner"),
        (lambda t: t["users"][1]["calendars"][0].update(locations=["ada@contoso.com"]), "room"),
        (lambda t: t["rooms"].append(dict(t["rooms"][0])), "duplicate"),
        (lambda t: t["rooms"][0]["events"][0].update(showAs="maybe"), "showAs"),
        (lambda t: t["rooms"][0]["events"][0]["start"].update(dateTime="tomorrow"), "dateTime"),
        (
            lambda t: t["rooms"][0]["events"][1]["recurrence"]["pattern"].update(type="yearly"),
            "pattern type",
        ),
    ],
)
def test_malformed_tenants_are_rejected_with_a_pointer(mutate, message: str) -> None:
    raw = tenant_dict()
    mutate(raw)
    with pytest.raises(TenantError, match=message):
        tenant_from_dict(raw, today=TODAY)


def test_the_design_example_loads() -> None:
    example = {
        "tenant_id": "7c3e8a52-2f4d-4b7e-9a61-5d0c8e2b4f10",
        "domain": "contoso.com",
        "users": [
            {
                "id": "u1",
                "userPrincipalName": "pivot@contoso.com",
                "displayName": "pivot",
                "password": "p",
                "mailboxSettings": {"timeZone": "Eastern Standard Time"},
                "calendars": [{"id": "c1", "name": "Room Bookings", "owner": "facilities@contoso.com"}],
            }
        ],
        "rooms": [
            {
                "emailAddress": "conf4b@contoso.com",
                "displayName": "Conf Rm 4B (12)",
                "building": "HQ",
                "floorNumber": 4,
                "capacity": 12,
                "mailboxSettings": {"timeZone": "Eastern Standard Time"},
                "events": [
                    {
                        "subject": "Standup",
                        "start": {"dateTime": "2026-11-24T09:00:00", "timeZone": "Eastern Standard Time"},
                        "end": {"dateTime": "2026-11-24T09:30:00", "timeZone": "Eastern Standard Time"},
                        "showAs": "busy",
                        "isAllDay": False,
                        "isCancelled": False,
                        "organizer": {"emailAddress": {"name": "Bo", "address": "bo@contoso.com"}},
                        "recurrence": None,
                    }
                ],
            }
        ],
    }
    tenant = tenant_from_dict(example)
    owner = tenant.find("facilities@contoso.com")
    assert owner is not None and owner.password is None and owner.kind == "user"
    assert tenant.calendars["c1"].owner == owner.key
    assert tenant.find("u1") is tenant.find("pivot@contoso.com")


def test_unreadable_file_is_a_tenant_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("{not json")
    with pytest.raises(TenantError):
        load_tenant(bad)


def test_upsert_room_renames_and_adds() -> None:
    tenant = tenant_from_dict(tenant_dict(), today=TODAY)
    renamed = upsert_room(
        tenant, {"emailAddress": "conf4b@contoso.com", "displayName": "Conf Rm 4B (14)", "capacity": 14}
    )
    assert renamed.display_name == "Conf Rm 4B (14)" and renamed.place["capacity"] == 14
    added = upsert_room(tenant, {"emailAddress": "new@contoso.com", "displayName": "New"})
    assert tenant.find("new@contoso.com") is added
    assert added.default_calendar_id in tenant.calendars


# -- the demo tenant ------------------------------------------------------------------------


def test_demo_tenant_loads_and_matches_the_demo_directory() -> None:
    tenant = load_tenant(DEMO)
    directory = json.loads(DIRECTORY.read_text())
    assert tenant.tenant_id == directory["client"]["tenant_id"]
    assert tenant.domain == "contoso.com"
    for room in directory["rooms"]:
        if room["calendar_email"]:
            assert tenant.find(room["calendar_email"]) is not None, room
    for user in directory["users"]:
        if user["email"].endswith("@contoso.com"):
            found = tenant.find(user["email"])
            assert found is not None and found.id == user["aad_object_id"]
    assert tenant.find(directory["client"]["notify_email"]) is not None


def test_demo_tenant_has_the_service_account_and_room_bookings() -> None:
    tenant = load_tenant(DEMO)
    pivot = tenant.find(PIVOT)
    assert pivot is not None and pivot.display_name == "pivot" and pivot.password
    assert pivot.time_zone == "Eastern Standard Time"
    shared = tenant.calendars_shared_to(pivot)
    assert [(c.name, c.owner) for c in shared] == [("Room Bookings", FACILITIES)]
    assert set(shared[0].mirrors) == {r.key for r in tenant.rooms()}


def test_demo_rooms_are_the_agreed_set() -> None:
    tenant = load_tenant(DEMO)
    rooms = {r.upn: r for r in tenant.rooms()}
    assert len(rooms) == 24
    assert rooms["conf4b@contoso.com"].display_name == "Conf Rm 4B (12)"
    assert rooms["nyc-huddle-211@contoso.com"].time_zone == "Eastern Standard Time"
    assert rooms["lon-thames@contoso.com"].time_zone == "GMT Standard Time"
    assert rooms["syd-harbour@contoso.com"].time_zone == "AUS Eastern Standard Time"
    assert rooms["syd-bridge@contoso.com"].time_zone == "Australia/Sydney"
    darling = rooms["syd-darling@contoso.com"]
    pivot = tenant.find(PIVOT)
    assert pivot is not None and not tenant.room_readable_by(darling, pivot)
    assert all(tenant.room_readable_by(r, pivot) for r in rooms.values() if r is not darling)


def test_demo_rooms_have_a_believable_week() -> None:
    tenant = load_tenant(DEMO)
    for room in tenant.rooms():
        events = tenant.calendars[room.default_calendar_id].events
        assert any(e.recurrence for e in events), room.upn
        assert any(e.is_cancelled for e in events), room.upn
        assert any(e.show_as == "free" and not e.is_all_day for e in events), room.upn
        assert any(e.show_as == "tentative" for e in events), room.upn
        assert all(e.organizer["emailAddress"].get("name") for e in events), room.upn
    all_day = [e for c in tenant.calendars.values() for e in c.events if e.is_all_day]
    assert len(all_day) >= 2
    busiest = max(tenant.rooms(), key=lambda r: len(tenant.calendars[r.default_calendar_id].events))
    assert busiest.upn == "conf4b@contoso.com"
