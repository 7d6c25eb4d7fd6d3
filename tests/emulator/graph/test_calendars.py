from urllib.parse import parse_qs, urlsplit

from emulator.testing import EmulatorHandle
from tests.emulator.support import FACILITIES, PIVOT, ROOM_BOOKINGS, call

CONF4B = "/v1.0/users/conf4b@contoso.com"
MONTH = "startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-12-23T00:00:00Z"


async def _view(session, emu, token, query: str, path: str = CONF4B + "/calendar/calendarView", headers=None):
    return await call(session, emu, f"{path}?{query}", token=token, headers=headers)


async def test_own_and_shared_calendars(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me/calendars", token=token)
    assert status == 200
    own, shared = body["value"]
    assert (
        own["name"],
        own["isDefaultCalendar"],
        own["canEdit"],
        own["canShare"],
        own["canViewPrivateItems"],
    ) == ("Calendar", True, True, True, True)
    assert own["owner"] == {"name": "pivot", "address": PIVOT}
    assert (
        shared["id"],
        shared["name"],
        shared["canEdit"],
        shared["canShare"],
        shared["canViewPrivateItems"],
        shared["isDefaultCalendar"],
    ) == (ROOM_BOOKINGS, "Room Bookings", False, False, False, False)
    assert shared["owner"] == {"name": "Contoso Facilities", "address": FACILITIES}


async def test_other_mailboxes_calendars(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, f"{CONF4B}/calendars", token=token)
    assert status == 200
    [calendar] = body["value"]
    assert calendar["owner"]["address"] == "conf4b@contoso.com" and not calendar["canEdit"]
    status, body, _ = await call(session, emu, f"/v1.0/users/{FACILITIES}/calendars", token=token)
    assert status == 200 and [c["id"] for c in body["value"]] == [ROOM_BOOKINGS]
    for who in ("syd-darling@contoso.com", "ada@contoso.com"):
        status, body, _ = await call(session, emu, f"/v1.0/users/{who}/calendars", token=token)
        assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    status, body, _ = await call(session, emu, f"{CONF4B}/calendar", token=token)
    assert status == 200 and body["name"] == "Calendar"
    status, body, _ = await call(session, emu, f"{CONF4B}/calendars/nope", token=token)
    assert status == 404 and body["error"]["code"] == "ErrorItemNotFound"


async def test_calendar_view_pages_with_next_link(emu: EmulatorHandle, session, token: str) -> None:
    prefer = {"Prefer": 'outlook.timezone="Eastern Standard Time"'}
    status, page, headers = await _view(session, emu, token, MONTH, headers=prefer)
    assert status == 200 and len(page["value"]) == 10
    seen, pages = [e["id"] for e in page["value"]], 1
    while "@odata.nextLink" in page:
        link = page["@odata.nextLink"]
        assert link.startswith(f"{emu.graph_base_url}/users/conf4b@contoso.com/calendar/calendarView?")
        query = parse_qs(urlsplit(link).query)
        assert query["startDateTime"] == ["2026-11-23T00:00:00Z"] and "$skiptoken" in query
        status, page, headers = await call(session, emu, link, token=token, headers=prefer)
        assert status == 200
        assert headers["Preference-Applied"] == 'outlook.timezone="Eastern Standard Time"'
        seen += [e["id"] for e in page["value"]]
        pages += 1
    assert pages >= 3
    assert len(seen) == len(set(seen)) == 41


async def test_top_sets_the_page_size(emu: EmulatorHandle, session, token: str) -> None:
    status, page, _ = await _view(session, emu, token, MONTH + "&$top=25")
    assert status == 200 and len(page["value"]) == 25 and "@odata.nextLink" in page
    status, page, _ = await _view(session, emu, token, MONTH + "&$top=1000")
    assert status == 200 and len(page["value"]) == 41 and "@odata.nextLink" not in page
    status, body, _ = await _view(session, emu, token, MONTH + "&$top=1001")
    assert status == 400 and body["error"]["code"] == "BadRequest"


async def test_recurrences_expand_into_occurrences(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-12-05T00:00:00Z&$top=100"
    status, page, _ = await _view(session, emu, token, query)
    assert status == 200
    sync = [e for e in page["value"] if e["subject"] == "Team sync"]
    assert [e["start"]["dateTime"] for e in sync] == [
        "2026-11-24T19:00:00.0000000",
        "2026-11-26T19:00:00.0000000",
        "2026-12-01T19:00:00.0000000",
        "2026-12-03T19:00:00.0000000",
    ]
    assert {e["type"] for e in sync} == {"occurrence"}
    assert len({e["seriesMasterId"] for e in sync}) == 1 and sync[0]["seriesMasterId"]
    assert all(e["recurrence"] is None for e in sync)
    fortnightly = [e["start"]["dateTime"][:10] for e in page["value"] if e["subject"] == "Fortnightly review"]
    assert fortnightly == ["2026-11-30"]
    cleaning = [e for e in page["value"] if e["subject"] == "Daily cleaning"]
    assert len(cleaning) == 11 and {e["showAs"] for e in cleaning} == {"free"}
    single = next(e for e in page["value"] if e["subject"] == "Standup")
    assert single["type"] == "singleInstance" and single["seriesMasterId"] is None


async def test_all_day_events_are_floating_dates(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-27T12:00:00Z&endDateTime=2026-11-27T13:00:00Z"
    for zone in (None, "Tokyo Standard Time"):
        headers = {"Prefer": f'outlook.timezone="{zone}"'} if zone else None
        status, page, _ = await _view(session, emu, token, query, headers=headers)
        assert status == 200
        [closed] = [e for e in page["value"] if e["isAllDay"]]
        assert closed["subject"] == "Room closed"
        assert closed["start"] == {"dateTime": "2026-11-27T00:00:00.0000000", "timeZone": zone or "UTC"}
        assert closed["end"]["dateTime"] == "2026-11-28T00:00:00.0000000"


async def test_prefer_timezone_windows_and_iana(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-24T13:00:00Z&endDateTime=2026-11-24T15:00:00Z"
    status, page, headers = await _view(session, emu, token, query)
    assert "Preference-Applied" not in headers
    [standup] = [e for e in page["value"] if e["subject"] == "Standup"]
    assert standup["start"] == {"dateTime": "2026-11-24T14:00:00.0000000", "timeZone": "UTC"}
    assert standup["originalStartTimeZone"] == "Eastern Standard Time"
    for zone, expected in (
        ("Pacific Standard Time", "2026-11-24T06:00:00.0000000"),
        ("Europe/London", "2026-11-24T14:00:00.0000000"),
        ("AUS Eastern Standard Time", "2026-11-25T01:00:00.0000000"),
    ):
        prefer = {"Prefer": f'outlook.body-content-type="text", outlook.timezone="{zone}"'}
        status, page, headers = await _view(session, emu, token, query, headers=prefer)
        assert status == 200
        assert headers["Preference-Applied"] == f'outlook.timezone="{zone}"'
        [standup] = [e for e in page["value"] if e["subject"] == "Standup"]
        assert standup["start"] == {"dateTime": expected, "timeZone": zone}
    status, page, headers = await _view(
        session, emu, token, query, headers={"Prefer": 'outlook.timezone="Mars Time"'}
    )
    assert status == 200 and "Preference-Applied" not in headers
    assert page["value"][0]["start"]["timeZone"] == "UTC"


async def test_window_bounds_use_their_offsets(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-24T08:00:00-05:00&endDateTime=2026-11-24T09:15:00-05:00"
    status, page, _ = await _view(session, emu, token, query.replace("-05:00", "%2D05:00"))
    assert status == 200 and [e["subject"] for e in page["value"]] == ["Standup"]
    unencoded_plus = "startDateTime=2026-11-24T13:00:00+00:00&endDateTime=2026-11-24T14:15:00+00:00"
    status, page, _ = await _view(session, emu, token, unencoded_plus)
    assert status == 200 and [e["subject"] for e in page["value"]] == ["Standup"]
    naive = "startDateTime=2026-11-24T13:00:00&endDateTime=2026-11-24T14:15:00"
    status, page, _ = await _view(session, emu, token, naive)
    assert [e["subject"] for e in page["value"]] == ["Standup"]


async def test_window_parameters_are_required(emu: EmulatorHandle, session, token: str) -> None:
    for query in ("", "startDateTime=2026-11-24T00:00:00Z", "startDateTime=soon&endDateTime=later"):
        status, body, _ = await _view(session, emu, token, query)
        assert status == 400 and body["error"]["code"] == "ErrorInvalidParameter"


async def test_select_and_orderby(emu: EmulatorHandle, session, token: str) -> None:
    query = MONTH + "&$select=subject,start&$orderby=start/dateTime desc&$top=3"
    status, page, _ = await _view(session, emu, token, query)
    assert status == 200
    assert page["@odata.context"].endswith("/calendar/calendarView(subject,start)")
    assert all(set(e) == {"@odata.etag", "id", "subject", "start"} for e in page["value"])
    starts = [e["start"]["dateTime"] for e in page["value"]]
    assert starts == sorted(starts, reverse=True) and starts[0].startswith("2026-12-22")
    status, body, _ = await _view(session, emu, token, MONTH + "&$select=nonsense")
    assert status == 400 and body["error"]["code"] == "RequestBroker--ParseUri"
    status, body, _ = await _view(session, emu, token, MONTH + "&$orderby=importance")
    assert status == 400 and body["error"]["code"] == "BadRequest"


async def test_cancelled_free_and_tentative_are_visible(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-25T15:00:00Z&endDateTime=2026-11-25T19:00:00Z"
    status, page, _ = await _view(session, emu, token, query)
    assert status == 200
    states = {e["subject"]: (e["isCancelled"], e["showAs"]) for e in page["value"]}
    assert states == {
        "Canceled: vendor demo": (True, "busy"),
        "FYI: fire drill": (False, "free"),
        "Interview loop": (False, "tentative"),
    }
    location = page["value"][0]["location"]
    assert location["displayName"] == "Conf Rm 4B (12)"
    assert location["uniqueId"] == "conf4b@contoso.com"


async def test_unshared_room_and_missing_scope_are_denied(
    emu: EmulatorHandle, session, token: str, token_for
) -> None:
    status, body, _ = await _view(
        session, emu, token, MONTH, path="/v1.0/users/syd-darling@contoso.com/calendar/calendarView"
    )
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    user_only = await token_for(scopes=("User.Read",))
    status, body, _ = await _view(session, emu, user_only, MONTH)
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    basic = await token_for(scopes=("Calendars.ReadBasic",))
    status, _, _ = await _view(session, emu, basic, MONTH)
    assert status == 403
    status, body, _ = await _view(session, emu, basic, MONTH, path="/v1.0/me/calendarView")
    assert status == 200 and body["value"] == []


async def test_room_bookings_show_room_names(emu: EmulatorHandle, session, token: str) -> None:
    query = "startDateTime=2026-11-25T00:00:00Z&endDateTime=2026-11-26T00:00:00Z&$top=50"
    for path in (
        f"/v1.0/me/calendars/{ROOM_BOOKINGS}/calendarView",
        f"/v1.0/users/{FACILITIES}/calendars/{ROOM_BOOKINGS}/calendarView",
    ):
        status, page, _ = await _view(session, emu, token, query, path=path)
        assert status == 200
        names = {e["location"]["displayName"] for e in page["value"]}
        assert names == {"Conf Rm 4B (12)", "LON-02-Thames (8) [VC]", "Lobby"}
        assert page["@odata.context"].endswith(f"/calendars('{ROOM_BOOKINGS}')/calendarView")
    status, body, _ = await _view(
        session, emu, token, query, path=f"{CONF4B}/calendars/{ROOM_BOOKINGS}/calendarView"
    )
    assert status == 404 and body["error"]["code"] == "ErrorItemNotFound"
