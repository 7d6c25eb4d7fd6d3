from emulator.loader import tenant_from_dict
from emulator.model import Tenant, graph_id
from tests.emulator.support import FACILITIES, PIVOT, ROOM_BOOKINGS, TODAY, tenant_dict


def _tenant() -> Tenant:
    return tenant_from_dict(tenant_dict(), today=TODAY)


def test_graph_ids_are_stable_and_url_safe() -> None:
    first = graph_id("event", "a")
    assert first == graph_id("event", "a") != graph_id("event", "b")
    assert "/" not in first and "+" not in first


def test_room_sharing_rule() -> None:
    tenant = _tenant()
    pivot, facilities = tenant.find(PIVOT), tenant.find(FACILITIES)
    open_room, closed = tenant.find("conf4b@contoso.com"), tenant.find("syd-darling@contoso.com")
    assert pivot and facilities and open_room and closed
    assert tenant.room_readable_by(open_room, pivot)
    assert not tenant.room_readable_by(closed, pivot)
    assert tenant.room_readable_by(closed, facilities)


def test_share_and_unshare() -> None:
    tenant = _tenant()
    pivot = tenant.find(PIVOT)
    closed, open_room = tenant.find("syd-darling@contoso.com"), tenant.find("conf4b@contoso.com")
    assert pivot and closed and open_room
    tenant.share_room(closed, PIVOT)
    assert tenant.room_readable_by(closed, pivot)
    tenant.unshare_room(open_room, PIVOT)
    assert not tenant.room_readable_by(open_room, pivot)
    assert tenant.room_readable_by(open_room, tenant.find(FACILITIES))
    tenant.unshare_room(open_room, None)
    assert not tenant.room_readable_by(open_room, tenant.find(FACILITIES))
    tenant.share_room(open_room, None)
    assert tenant.room_readable_by(open_room, pivot)


def test_calendar_readability() -> None:
    tenant = _tenant()
    pivot, ada = tenant.find(PIVOT), tenant.find("ada@contoso.com")
    assert pivot and ada
    bookings = tenant.calendars[ROOM_BOOKINGS]
    assert tenant.calendar_readable_by(bookings, pivot)
    assert not tenant.calendar_readable_by(bookings, ada)
    own = tenant.calendars[ada.default_calendar_id]
    assert tenant.calendar_readable_by(own, ada) and not tenant.calendar_readable_by(own, pivot)


def test_removing_a_room_drops_its_calendar_and_mirror() -> None:
    tenant = _tenant()
    room = tenant.find("conf4b@contoso.com")
    assert room
    tenant.remove_mailbox(room)
    assert tenant.find("conf4b@contoso.com") is None
    assert room.default_calendar_id not in tenant.calendars
    assert tenant.calendars[ROOM_BOOKINGS].mirrors == ["lon-thames@contoso.com"]
