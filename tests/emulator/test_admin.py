from emulator.testing import EmulatorHandle
from tests.emulator.support import PIVOT, call

VIEW = (
    "/v1.0/users/{room}/calendar/calendarView"
    "?startDateTime=2026-11-25T00:00:00Z&endDateTime=2026-11-26T00:00:00Z"
)


async def _admin(session, emu, path: str, body=None, method: str = "POST"):
    return await call(session, emu, f"/_admin/{path}", method=method, json=body)


async def test_health_and_index(emu: EmulatorHandle, session) -> None:
    status, body, _ = await _admin(session, emu, "health", method="GET")
    assert status == 200 and body["ok"] is True and body["tenant_id"] == emu.tenant_id
    assert body["tenants"] == [{"tenant_id": emu.tenant_id, "domain": emu.tenant.domain}]
    status, body, _ = await call(session, emu, "/")
    assert body["graph_base_url"] == emu.graph_base_url
    assert body["oidc_authority"] == emu.oidc_authority


async def test_fault_lifecycle(emu: EmulatorHandle, session, token: str) -> None:
    status, fault, _ = await _admin(session, emu, "faults", {"kind": "429", "count": 1, "retry_after": 0})
    assert status == 201 and fault["id"] and fault["kind"] == "429"
    status, body, _ = await _admin(session, emu, "faults", method="GET")
    assert [f["id"] for f in body["faults"]] == [fault["id"]]
    status, _, headers = await call(session, emu, "/v1.0/me", token=token)
    assert status == 429 and headers["Retry-After"] == "0"
    status, body, _ = await _admin(session, emu, "faults", method="GET")
    assert body["faults"] == []
    _, second, _ = await _admin(session, emu, "faults", {"kind": "503"})
    _, third, _ = await _admin(session, emu, "faults", {"kind": "latency", "latency_ms": 5})
    status, _, _ = await _admin(session, emu, f"faults/{second['id']}", method="DELETE")
    assert status == 200
    status, _, _ = await _admin(session, emu, f"faults/{second['id']}", method="DELETE")
    assert status == 404
    status, body, _ = await _admin(session, emu, "faults", method="DELETE")
    assert status == 200 and emu.state.faults.faults == []
    status, body, _ = await _admin(session, emu, "faults", {"kind": "boom"})
    assert status == 400 and "kind" in body["error"]
    assert third["latency_ms"] == 5


async def test_share_and_unshare_rooms(emu: EmulatorHandle, session, token: str) -> None:
    darling = VIEW.format(room="syd-darling@contoso.com")
    assert (await call(session, emu, darling, token=token))[0] == 403
    status, body, _ = await _admin(session, emu, "share", {"room": "syd-darling@contoso.com", "user": PIVOT})
    assert status == 200 and PIVOT in body["sharedWith"]
    assert (await call(session, emu, darling, token=token))[0] == 200
    status, _, _ = await _admin(session, emu, "unshare", {"room": "syd-darling@contoso.com", "user": PIVOT})
    assert (await call(session, emu, darling, token=token))[0] == 403
    status, _, _ = await _admin(session, emu, "unshare", {"room": "conf4b@contoso.com"})
    assert (await call(session, emu, VIEW.format(room="conf4b@contoso.com"), token=token))[0] == 403
    status, _, _ = await _admin(session, emu, "share", {"room": "nope@contoso.com"})
    assert status == 404


async def test_revoke_and_expire(emu: EmulatorHandle, session, token: str) -> None:
    status, _, _ = await _admin(session, emu, "revoke", {"user": PIVOT, "access_tokens": True})
    assert status == 200
    assert (await call(session, emu, "/v1.0/me", token=token))[0] == 401
    assert (await _admin(session, emu, "revoke", {"user": "conf4b@contoso.com"}))[0] == 404
    assert (await _admin(session, emu, "expire-tokens", {}))[0] == 200
    assert (await _admin(session, emu, "expire-tokens", {"user": "ghost@contoso.com"}))[0] == 404


async def test_request_log_counters_and_reset(emu: EmulatorHandle, session, token: str) -> None:
    await call(session, emu, VIEW.format(room="conf4b@contoso.com"), token=token)
    await call(session, emu, "/v1.0/me", token=token)
    status, body, _ = await _admin(session, emu, "requests?mailbox=conf4b@contoso.com", method="GET")
    assert status == 200
    [entry] = body["requests"]
    assert entry["path"] == "/users/conf4b@contoso.com/calendar/calendarView"
    assert entry["status"] == 200 and entry["user"] == PIVOT and entry["kind"] == "graph"
    assert "startDateTime=" in entry["query"]
    assert body["counters"]["conf4b@contoso.com"]["max_in_flight"] == 1
    status, body, _ = await _admin(session, emu, "requests?limit=1", method="GET")
    assert len(body["requests"]) == 1 and body["requests"][0]["path"] == "/me"
    assert (await _admin(session, emu, "requests?limit=x", method="GET"))[0] == 400
    await _admin(session, emu, "reset-counters")
    status, body, _ = await _admin(session, emu, "requests", method="GET")
    assert body["requests"] == [] and body["counters"] == {} and body["max_in_flight"] == 0


async def test_settings(emu: EmulatorHandle, session) -> None:
    status, body, _ = await _admin(
        session, emu, "settings", {"token_lifetime": 30, "mailbox_concurrency_limit": 4}
    )
    assert status == 200 and body == {
        "token_lifetime": 30,
        "mailbox_concurrency_limit": 4,
        "mailbox_request_quota": None,
        "mailbox_quota_window_s": 600.0,
        "resource_response_delay_s": 0.0,
    }
    assert emu.state.token_lifetime == 30 and emu.state.mailbox_concurrency_limit == 4
    assert (await _admin(session, emu, "settings", {"token_lifetime": 0}))[0] == 400
    assert (await _admin(session, emu, "settings", {"token_lifetime": "x"}))[0] == 400
    status, body, _ = await _admin(
        session, emu, "settings", {"mailbox_request_quota": 3, "mailbox_quota_window_s": 60}
    )
    assert status == 200 and emu.state.mailbox_request_quota == 3 and emu.state.mailbox_quota_window_s == 60
    assert (await _admin(session, emu, "settings", {"mailbox_request_quota": -1}))[0] == 400
    assert (await _admin(session, emu, "settings", {"mailbox_quota_window_s": 0}))[0] == 400


async def test_live_room_changes(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await _admin(
        session, emu, "rooms", {"emailAddress": "conf4b@contoso.com", "displayName": "Conf Room 4B"}
    )
    assert status == 200 and body["displayName"] == "Conf Room 4B"
    status, body, _ = await _admin(
        session,
        emu,
        "rooms",
        {
            "emailAddress": "new@contoso.com",
            "displayName": "New Room",
            "mailboxSettings": {"timeZone": "GMT Standard Time"},
        },
    )
    assert status == 200
    status, _, _ = await _admin(session, emu, "rooms/lon-thames@contoso.com", method="DELETE")
    assert status == 200
    _, rooms, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room", token=token)
    names = [r["displayName"] for r in rooms["value"]]
    assert "Conf Room 4B" in names and "New Room" in names
    assert "LON-02-Thames (8) [VC]" not in names
    status, body, _ = await _admin(
        session, emu, "rooms", {"emailAddress": "bad@contoso.com", "mailboxSettings": {"timeZone": 7}}
    )
    assert status == 400 and "time zone" in body["error"]
    assert (await _admin(session, emu, "rooms/ghost@contoso.com", method="DELETE"))[0] == 404


async def test_add_event(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await _admin(
        session,
        emu,
        "events",
        {
            "mailbox": "spare@contoso.com",
            "event": {
                "subject": "Injected",
                "start": {"dateTime": "2026-11-25T10:00:00"},
                "end": {"dateTime": "2026-11-25T11:00:00"},
            },
        },
    )
    assert status == 201 and body["id"]
    _, page, _ = await call(session, emu, VIEW.format(room="spare@contoso.com"), token=token)
    assert [e["subject"] for e in page["value"]] == ["Injected"]
    assert (
        await _admin(session, emu, "events", {"mailbox": "spare@contoso.com", "event": {"subject": "x"}})
    )[0] == 400
    assert (
        await _admin(
            session, emu, "events", {"mailbox": "spare@contoso.com", "calendar_id": "nope", "event": {}}
        )
    )[0] == 404
    status, _, _ = await call(
        session, emu, "/_admin/events", method="POST", headers={"Content-Type": "application/json"}
    )
    assert status == 404
