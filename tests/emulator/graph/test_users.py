from emulator.testing import EmulatorHandle
from tests.emulator.support import PIVOT, call


async def test_me_and_user_by_id_or_upn(emu: EmulatorHandle, session, token: str) -> None:
    status, me, _ = await call(session, emu, "/v1.0/me", token=token)
    assert status == 200
    assert me["@odata.context"] == f"{emu.graph_base_url}/$metadata#users/$entity"
    assert (me["userPrincipalName"], me["displayName"], me["mail"]) == (PIVOT, "pivot", PIVOT)
    status, by_id, _ = await call(session, emu, f"/v1.0/users/{me['id']}", token=token)
    assert status == 200 and by_id["id"] == me["id"]
    status, by_upn, _ = await call(session, emu, "/v1.0/users/PIVOT@contoso.com", token=token)
    assert status == 200 and by_upn["id"] == me["id"]


async def test_select_on_user(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/me?$select=displayName,id", token=token)
    assert status == 200
    assert set(body) == {"@odata.context", "displayName", "id"}
    status, body, _ = await call(session, emu, "/v1.0/me?$select=shoeSize", token=token)
    assert status == 400 and body["error"]["code"] == "RequestBroker--ParseUri"


async def test_other_users_need_a_directory_scope(
    emu: EmulatorHandle, session, token: str, token_for
) -> None:
    status, body, _ = await call(session, emu, "/v1.0/users/ada@contoso.com", token=token)
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    wider = await token_for(scopes=("User.ReadBasic.All",))
    status, body, _ = await call(session, emu, "/v1.0/users/conf4b@contoso.com", token=wider)
    assert status == 200 and body["displayName"] == "Conf Rm 4B (12)"
    status, body, _ = await call(session, emu, "/v1.0/users/ghost@contoso.com", token=wider)
    assert status == 404 and body["error"]["code"] == "Request_ResourceNotFound"


async def test_me_needs_user_read(emu: EmulatorHandle, session, token_for) -> None:
    narrow = await token_for(scopes=("Calendars.ReadBasic",))
    status, body, _ = await call(session, emu, "/v1.0/me", token=narrow)
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"


async def test_mailbox_settings(emu: EmulatorHandle, session, token: str, token_for) -> None:
    status, own, _ = await call(session, emu, "/v1.0/me/mailboxSettings", token=token)
    assert status == 200 and own["timeZone"] == "Eastern Standard Time"
    assert own["workingHours"]["timeZone"]["name"] == "Eastern Standard Time"
    status, room, _ = await call(
        session, emu, "/v1.0/users/syd-bridge@contoso.com/mailboxSettings", token=token
    )
    assert status == 200 and room["timeZone"] == "Australia/Sydney"
    assert room["userPurpose"] == "room"
    status, body, _ = await call(
        session, emu, "/v1.0/users/syd-darling@contoso.com/mailboxSettings", token=token
    )
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    status, body, _ = await call(session, emu, "/v1.0/users/nobody@contoso.com/mailboxSettings", token=token)
    assert status == 404 and body["error"]["code"] == "ErrorInvalidUser"
    basic = await token_for(scopes=("Calendars.ReadBasic",))
    status, room, _ = await call(
        session, emu, "/v1.0/users/lon-thames@contoso.com/mailboxSettings?$select=timeZone", token=basic
    )
    assert status == 200 and room["timeZone"] == "GMT Standard Time" and "language" not in room
    places_only = await token_for(scopes=("Place.Read.All",))
    status, _, _ = await call(
        session, emu, "/v1.0/users/lon-thames@contoso.com/mailboxSettings", token=places_only
    )
    assert status == 403
