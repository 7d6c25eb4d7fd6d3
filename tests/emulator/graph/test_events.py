from emulator.testing import EmulatorHandle
from tests.emulator.support import PIVOT, call

WRITE = ("Calendars.ReadWrite", "Calendars.Read.Shared")


def _event(**extra) -> dict:
    return {
        "subject": "Repair: projector",
        "transactionId": "job-42",
        "start": {"dateTime": "2026-11-26T10:00:00", "timeZone": "Eastern Standard Time"},
        "end": {"dateTime": "2026-11-26T11:00:00", "timeZone": "Eastern Standard Time"},
        "attendees": [
            {"type": "resource", "emailAddress": {"address": "conf4b@contoso.com", "name": "Conf Rm 4B (12)"}}
        ],
        **extra,
    }


async def test_create_event_books_the_room(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=WRITE)
    status, created, _ = await call(
        session, emu, "/v1.0/me/events", token=token, method="POST", json=_event()
    )
    assert status == 201
    assert created["subject"] == "Repair: projector" and created["isOrganizer"]
    assert created["organizer"]["emailAddress"]["address"] == PIVOT
    assert created["start"] == {
        "dateTime": "2026-11-26T10:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }
    assert created["attendees"][0]["status"]["response"] == "accepted"
    view = (
        "/v1.0/users/conf4b@contoso.com/calendarView"
        "?startDateTime=2026-11-26T15:00:00Z&endDateTime=2026-11-26T16:00:00Z"
    )
    status, page, _ = await call(session, emu, view, token=token)
    assert [e["subject"] for e in page["value"]] == ["Repair: projector"]
    again_status, again, _ = await call(
        session, emu, "/v1.0/me/events", token=token, method="POST", json=_event()
    )
    assert again_status == 201 and again["id"] == created["id"]
    status, page, _ = await call(session, emu, view, token=token)
    assert len(page["value"]) == 1


async def test_create_event_with_prefer_and_recurrence(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=WRITE)
    body = _event(
        transactionId=None,
        attendees=[],
        recurrence={
            "pattern": {"type": "weekly", "daysOfWeek": ["thursday"]},
            "range": {"type": "numbered", "startDate": "2026-11-26", "numberOfOccurrences": 2},
        },
    )
    status, created, headers = await call(
        session,
        emu,
        "/v1.0/users/pivot@contoso.com/calendar/events",
        token=token,
        method="POST",
        json=body,
        headers={"Prefer": 'outlook.timezone="UTC"'},
    )
    assert status == 201 and created["type"] == "seriesMaster"
    assert created["recurrence"]["pattern"]["daysOfWeek"] == ["thursday"]
    assert created["start"] == {"dateTime": "2026-11-26T15:00:00.0000000", "timeZone": "UTC"}
    assert headers["Preference-Applied"] == 'outlook.timezone="UTC"'


async def test_create_event_permissions_and_validation(
    emu: EmulatorHandle, session, token: str, token_for
) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me/events", token=token, method="POST", json=_event())
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    writer = await token_for(scopes=WRITE)
    status, body, _ = await call(
        session, emu, "/v1.0/users/conf4b@contoso.com/events", token=writer, method="POST", json=_event()
    )
    assert status == 403
    status, body, _ = await call(
        session, emu, "/v1.0/me/events", token=writer, method="POST", json={"subject": "no times"}
    )
    assert status == 400 and body["error"]["code"] == "ErrorInvalidRequest"
    status, body, _ = await call(
        session, emu, "/v1.0/me/events", token=writer, method="POST", json=["not", "an", "event"]
    )
    assert status == 400
