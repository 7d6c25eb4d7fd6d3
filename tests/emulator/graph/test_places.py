from emulator.testing import EmulatorHandle
from tests.emulator.support import call


async def test_rooms_are_listed_and_paged(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room", token=token)
    assert status == 200
    assert body["@odata.context"].endswith("/$metadata#places/microsoft.graph.room")
    assert [r["emailAddress"] for r in body["value"]] == [
        "conf4b@contoso.com",
        "lon-thames@contoso.com",
        "syd-darling@contoso.com",
        "syd-bridge@contoso.com",
        "spare@contoso.com",
    ]
    assert "@odata.nextLink" not in body
    pages, url = [], f"{emu.graph_base_url}/places/microsoft.graph.room?$top=2"
    while url:
        status, page, _ = await call(session, emu, url, token=token)
        assert status == 200
        pages.append([r["displayName"] for r in page["value"]])
        url = page.get("@odata.nextLink")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [name for p in pages for name in p] == [r["displayName"] for r in body["value"]]


async def test_room_fields(emu: EmulatorHandle, session, token: str) -> None:
    status, body, _ = await call(
        session, emu, "/v1.0/places/microsoft.graph.room?$select=displayName,capacity", token=token
    )
    assert status == 200
    assert body["value"][0] == {
        "id": emu.tenant.find("conf4b@contoso.com").id,
        "displayName": "Conf Rm 4B (12)",
        "capacity": 12,
    }


async def test_rooms_need_place_read_all(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=("Calendars.Read.Shared",))
    status, body, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room", token=token)
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"


async def test_top_bounds(emu: EmulatorHandle, session, token: str) -> None:
    for top in ("0", "1001", "ten"):
        status, body, _ = await call(
            session, emu, f"/v1.0/places/microsoft.graph.room?$top={top}", token=token
        )
        assert status == 400 and body["error"]["code"] == "BadRequest"
    status, body, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room?$filter=x", token=token)
    assert status == 400


async def test_every_place_field_is_served(emu: EmulatorHandle, session, token: str) -> None:
    fields = {
        "emailAddress": "hq-4-boardroom@contoso.com",
        "displayName": "HQ-04-Boardroom",
        "building": "HQ",
        "floorNumber": 4,
        "floorLabel": "4th floor",
        "capacity": 20,
        "nickname": "Boardroom",
        "label": "Executive",
        "phone": "+1 212 555 0100",
        "tags": ["VC", "Whiteboard"],
        "bookingType": "reserved",
        "isWheelChairAccessible": True,
        "audioDeviceName": "Polycom",
        "videoDeviceName": "Teams Rooms",
        "displayDeviceName": "Surface Hub",
        "address": {
            "street": "1 Main St",
            "city": "New York",
            "state": "NY",
            "postalCode": "10001",
            "countryOrRegion": "US",
        },
        "geoCoordinates": {"latitude": 40.75, "longitude": -73.99},
    }
    status, _, _ = await call(session, emu, "/_admin/rooms", method="POST", json=fields)
    assert status == 200
    status, body, _ = await call(session, emu, "/v1.0/places/microsoft.graph.room", token=token)
    room = next(r for r in body["value"] if r["emailAddress"] == fields["emailAddress"])
    assert {k: room[k] for k in fields} == fields
    assert room["id"] == emu.tenant.find(fields["emailAddress"]).id
