from emulator.testing import EmulatorHandle
from tests.emulator.support import call

PATH = "/v1.0/me/calendar/getSchedule"


def _request(*schedules: str, interval: int = 60) -> dict:
    return {
        "schedules": list(schedules),
        "startTime": {"dateTime": "2026-11-25T09:00:00", "timeZone": "Eastern Standard Time"},
        "endTime": {"dateTime": "2026-11-25T15:00:00", "timeZone": "Eastern Standard Time"},
        "availabilityViewInterval": interval,
    }


async def test_free_busy_of_rooms(emu: EmulatorHandle, session, token: str) -> None:
    prefer = {"Prefer": 'outlook.timezone="Eastern Standard Time"'}
    status, body, headers = await call(
        session,
        emu,
        PATH,
        token=token,
        method="POST",
        json=_request("conf4b@contoso.com", "lon-thames@contoso.com"),
        headers=prefer,
    )
    assert status == 200
    assert body["@odata.context"].endswith("$metadata#Collection(microsoft.graph.scheduleInformation)")
    conf4b, thames = body["value"]
    assert conf4b["scheduleId"] == "conf4b@contoso.com"
    # 09-10 free, 10-11 cancelled (excluded), 11-12 fire drill (free), 12-13 free,
    # 13-14 interview (tentative), 14-15 free
    assert conf4b["availabilityView"] == "000010"
    assert [(i["subject"], i["status"]) for i in conf4b["scheduleItems"]] == [
        ("FYI: fire drill", "free"),
        ("Interview loop", "tentative"),
    ]
    assert conf4b["scheduleItems"][1]["start"] == {
        "dateTime": "2026-11-25T13:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }
    assert conf4b["scheduleItems"][1]["location"] == "Conf Rm 4B (12)"
    assert conf4b["workingHours"]["timeZone"]["name"] == "Eastern Standard Time"
    assert thames["workingHours"]["timeZone"]["name"] == "GMT Standard Time"
    assert thames["availabilityView"] == "000000"  # London 10:00 GMT is 05:00 in New York
    assert headers["Preference-Applied"] == 'outlook.timezone="Eastern Standard Time"'


async def test_interval_and_iana_rooms(emu: EmulatorHandle, session, token: str) -> None:
    body = _request("syd-bridge@contoso.com", interval=30)
    body["startTime"] = {"dateTime": "2026-11-24T21:00:00", "timeZone": "UTC"}
    body["endTime"] = {"dateTime": "2026-11-24T23:30:00", "timeZone": "UTC"}
    status, answer, _ = await call(session, emu, PATH, token=token, method="POST", json=body)
    assert status == 200
    [bridge] = answer["value"]
    assert bridge["availabilityView"] == "00220"  # 09:00-10:00 Sydney = 22:00-23:00 UTC
    assert bridge["workingHours"]["timeZone"]["name"] == "Australia/Sydney"
    assert bridge["scheduleItems"][0]["start"]["timeZone"] == "UTC"


async def test_per_schedule_errors(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(
        session,
        emu,
        PATH,
        token=token,
        method="POST",
        json=_request("syd-darling@contoso.com", "ghost@contoso.com"),
    )
    assert status == 200
    darling, ghost = body["value"]
    assert darling["error"]["responseCode"] == "ErrorNoFreeBusyAccess"
    assert ghost["error"]["responseCode"] == "ErrorMailRecipientNotFound"


async def test_validation_and_scope(emu: EmulatorHandle, session, token: str, token_for) -> None:
    bad_bodies = [
        {"schedules": []},
        _request("a@contoso.com", interval=2),
        {**_request("a@contoso.com"), "endTime": {"dateTime": "2026-11-24T00:00:00", "timeZone": "UTC"}},
        {**_request("a@contoso.com"), "startTime": {"dateTime": "x", "timeZone": "UTC"}},
    ]
    for bad in bad_bodies:
        status, body, _ = await call(session, emu, PATH, token=token, method="POST", json=bad)
        assert status == 400 and body["error"]["code"] == "ErrorInvalidParameter", bad
    places_only = await token_for(scopes=("Place.Read.All",))
    status, body, _ = await call(
        session, emu, PATH, token=places_only, method="POST", json=_request("conf4b@contoso.com")
    )
    assert status == 403
