from emulator.testing import EmulatorHandle
from tests.emulator.support import call

VIEW = (
    "/users/conf4b@contoso.com/calendarView"
    "?startDateTime=2026-11-24T00:00:00Z&endDateTime=2026-11-25T00:00:00Z"
)


async def test_batch_answers_each_item(emu: EmulatorHandle, session, token: str) -> None:
    requests = [
        {"id": "1", "method": "GET", "url": "/me"},
        {
            "id": "2",
            "method": "GET",
            "url": VIEW,
            "headers": {"Prefer": 'outlook.timezone="Pacific Standard Time"'},
        },
        {
            "id": "3",
            "method": "GET",
            "url": "/users/syd-darling@contoso.com/calendar/calendarView"
            "?startDateTime=2026-11-24T00:00:00Z"
            "&endDateTime=2026-11-25T00:00:00Z",
        },
        {"id": "4", "method": "GET", "url": "places/microsoft.graph.room?$top=2"},
    ]
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": requests}
    )
    assert status == 200
    by_id = {r["id"]: r for r in body["responses"]}
    assert [r["id"] for r in body["responses"]] == ["1", "2", "3", "4"]
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["displayName"] == "pivot"
    assert by_id["2"]["status"] == 200
    assert by_id["2"]["headers"]["Preference-Applied"] == 'outlook.timezone="Pacific Standard Time"'
    assert by_id["2"]["body"]["value"][0]["start"]["timeZone"] == "Pacific Standard Time"
    assert by_id["3"]["status"] == 403
    assert by_id["3"]["body"]["error"]["code"] == "ErrorAccessDenied"
    assert by_id["4"]["body"]["@odata.nextLink"].startswith(emu.graph_base_url + "/places/")
    assert [r.batch for r in emu.state.requests if r.kind == "graph"].count(True) == 4


async def test_batch_limits(emu: EmulatorHandle, session, token: str) -> None:
    twenty_one = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": twenty_one}
    )
    assert status == 400 and body["error"]["code"] == "BadRequest"
    assert "20" in body["error"]["message"]
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": twenty_one[:20]}
    )
    assert status == 200 and len(body["responses"]) == 20
    for bad in (
        {"requests": []},
        {"nope": 1},
        {
            "requests": [
                {"id": "1", "method": "GET", "url": "/me"},
                {"id": "1", "method": "GET", "url": "/me"},
            ]
        },
        {"requests": [{"id": "1", "method": "FETCH", "url": "/me"}]},
        {"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]},
    ):
        status, body, _ = await call(session, emu, "/v1.0/$batch", token=token, method="POST", json=bad)
        assert status == 400, bad
    status, _, _ = await call(session, emu, "/v1.0/$batch", method="POST", json={"requests": twenty_one[:1]})
    assert status == 401


async def test_depends_on_and_failed_dependency(emu: EmulatorHandle, session, token: str) -> None:
    requests = [
        {"id": "a", "method": "GET", "url": "/users/ghost@contoso.com/mailboxSettings"},
        {"id": "b", "method": "GET", "url": "/me", "dependsOn": ["a"]},
        {"id": "c", "method": "GET", "url": "/me/mailboxSettings"},
        {"id": "d", "method": "GET", "url": "/me", "dependsOn": ["c"]},
        {"id": "e", "method": "GET", "url": "/$batch"},
    ]
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": requests}
    )
    statuses = {r["id"]: r["status"] for r in body["responses"]}
    assert status == 200
    assert statuses == {"a": 404, "b": 424, "c": 200, "d": 200, "e": 400}


async def test_throttled_items_carry_retry_after(emu: EmulatorHandle, session, token: str) -> None:
    emu.state.add_fault("429", count=2, retry_after=7, mailbox="conf4b@contoso.com")
    emu.state.add_fault("drop", count=5)
    requests = [{"id": str(i), "method": "GET", "url": VIEW} for i in range(3)]
    requests.append({"id": "me", "method": "GET", "url": "/me"})
    status, body, _ = await call(
        session, emu, "/v1.0/$batch", token=token, method="POST", json={"requests": requests}
    )
    assert status == 200
    throttled = [r for r in body["responses"] if r["status"] == 429]
    assert len(throttled) == 2
    assert {r["headers"]["Retry-After"] for r in throttled} == {"7"}
    assert {r["body"]["error"]["code"] for r in throttled} == {"TooManyRequests"}
    assert sorted(r["status"] for r in body["responses"]) == [200, 200, 429, 429]
