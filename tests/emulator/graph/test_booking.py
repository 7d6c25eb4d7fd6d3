"""Exchange resource booking in the emulator (DESIGN 3.7, 3.11): the room accepts
or declines, deleting or cancelling removes the booking, retries are idempotent."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator.testing import EmulatorHandle
from tests.emulator.support import call

ROOM = "spare@contoso.com"
WRITE = ("Calendars.ReadWrite", "Calendars.Read.Shared")
EST = "Eastern Standard Time"


def visit(start: str, end: str, transaction: str | None = "claim-1", **extra: Any) -> dict[str, Any]:
    """What the product posts for a claimed visit (DESIGN 3.11)."""
    return {
        "subject": "Service visit: projector (inc-1)",
        "transactionId": transaction,
        "start": {"dateTime": start, "timeZone": EST},
        "end": {"dateTime": end, "timeZone": EST},
        "location": {"displayName": "Spare Room", "locationEmailAddress": ROOM},
        "attendees": [{"type": "resource", "emailAddress": {"address": ROOM, "name": "Spare Room"}}],
        "body": {"contentType": "text", "content": "Incident inc-1"},
        **extra,
    }


async def _room_view(session, emu: EmulatorHandle, token: str, day: str = "2026-11-26") -> list[dict]:
    query = f"startDateTime={day}T00:00:00Z&endDateTime={day}T23:59:59Z&$top=100"
    status, body, _ = await call(session, emu, f"/v1.0/users/{ROOM}/calendarView?{query}", token=token)
    assert status == 200, body
    return body["value"]


async def _block(session, emu: EmulatorHandle, event: dict[str, Any]) -> None:
    status, _, _ = await call(
        session, emu, "/_admin/events", method="POST", json={"mailbox": ROOM, "event": event}
    )
    assert status == 201


def _blocker(subject: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "start": {"dateTime": start, "timeZone": EST},
        "end": {"dateTime": end, "timeZone": EST},
        **extra,
    }


async def test_the_room_accepts_a_free_slot(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=WRITE)
    status, created, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    assert status == 201 and created["attendees"][0]["status"]["response"] == "accepted"
    status, got, _ = await call(session, emu, f"/v1.0/me/events/{created['id']}", token=token)
    assert status == 200 and got["id"] == created["id"]
    assert got["attendees"][0]["emailAddress"]["address"] == ROOM
    assert got["attendees"][0]["status"]["response"] == "accepted"
    assert got["transactionId"] == "claim-1" and got["showAs"] == "busy"
    (booked,) = await _room_view(session, emu, token)
    assert booked["subject"] == "Service visit: projector (inc-1)" and booked["showAs"] == "busy"
    assert booked["organizer"]["emailAddress"]["address"] == "pivot@contoso.com"
    assert booked["start"]["dateTime"] == "2026-11-26T15:00:00.0000000"
    # the retried POST (same transactionId) returns the same event and books nothing more
    status, again, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    assert status == 201 and again["id"] == created["id"]
    assert len(await _room_view(session, emu, token)) == 1


async def test_the_room_declines_an_overlap_with_a_blocking_event(
    emu: EmulatorHandle, session, token_for
) -> None:
    token = await token_for(scopes=WRITE)
    await _block(session, emu, _blocker("Board meeting", "2026-11-26T10:30:00", "2026-11-26T12:00:00"))
    await _block(
        session, emu, _blocker("Free hold", "2026-11-26T14:00:00", "2026-11-26T15:00:00", showAs="free")
    )
    await _block(
        session,
        emu,
        _blocker("Called off", "2026-11-26T16:00:00", "2026-11-26T17:00:00", isCancelled=True),
    )
    status, declined, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    assert status == 201 and declined["attendees"][0]["status"]["response"] == "declined"
    status, got, _ = await call(session, emu, f"/v1.0/me/events/{declined['id']}", token=token)
    assert got["attendees"][0]["status"]["response"] == "declined"
    assert [e["subject"] for e in await _room_view(session, emu, token)] == [
        "Board meeting",
        "Free hold",
        "Called off",
    ]
    # touching ends do not overlap; free and cancelled events do not block
    for n, (start, end) in enumerate([("09:30", "10:30"), ("14:00", "15:00"), ("16:00", "17:00")], start=2):
        status, body, _ = await call(
            session,
            emu,
            "/v1.0/me/events",
            token=token,
            method="POST",
            json=visit(f"2026-11-26T{start}:00", f"2026-11-26T{end}:00", transaction=f"claim-{n}"),
        )
        assert body["attendees"][0]["status"]["response"] == "accepted", (start, end)


async def test_series_occurrences_block_but_cancelled_ones_do_not(
    emu: EmulatorHandle, session, token_for
) -> None:
    token = await token_for(scopes=WRITE)
    await _block(
        session,
        emu,
        _blocker(
            "Daily standup",
            "2026-11-23T09:00:00",
            "2026-11-23T09:30:00",
            showAs="busy",
            recurrence={
                "pattern": {"type": "daily", "interval": 1},
                "range": {"type": "noEnd", "startDate": "2026-11-23"},
            },
            exceptions=[{"originalStart": "2026-11-27T09:00:00", "cancelled": True}],
        ),
    )
    responses = []
    for day in ("2026-11-26", "2026-11-27"):
        status, body, _ = await call(
            session,
            emu,
            "/v1.0/me/events",
            token=token,
            method="POST",
            json=visit(f"{day}T09:00:00", f"{day}T10:00:00", transaction=f"claim-{day}"),
        )
        assert status == 201
        responses.append(body["attendees"][0]["status"]["response"])
    assert responses == ["declined", "accepted"]


async def test_delete_and_cancel_remove_the_booking(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=WRITE)
    ids = []
    for n, start in enumerate(("10:00", "13:00")):
        status, body, _ = await call(
            session,
            emu,
            "/v1.0/me/events",
            token=token,
            method="POST",
            json=visit(f"2026-11-26T{start}:00", f"2026-11-26T{start[:2]}:45:00", transaction=f"c{n}"),
        )
        ids.append(body["id"])
    assert len(await _room_view(session, emu, token)) == 2
    status, body, _ = await call(session, emu, f"/v1.0/me/events/{ids[0]}", token=token, method="DELETE")
    assert status == 204 and body is None
    assert len(await _room_view(session, emu, token)) == 1
    status, _, _ = await call(session, emu, f"/v1.0/me/events/{ids[0]}", token=token)
    assert status == 404
    status, body, _ = await call(
        session,
        emu,
        f"/v1.0/users/pivot@contoso.com/events/{ids[1]}/cancel",
        token=token,
        method="POST",
        json={"Comment": "Visit released"},
    )
    assert status == 202 and body is None
    assert await _room_view(session, emu, token) == []
    status, body, _ = await call(session, emu, f"/v1.0/me/events/{ids[1]}/cancel", token=token, method="POST")
    assert status == 404 and body["error"]["code"] == "ErrorItemNotFound"
    # a new claim may book the freed time again (a new transaction)
    status, body, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T10:45:00", transaction="c2"),
    )
    assert body["attendees"][0]["status"]["response"] == "accepted"


async def test_calendars_readwrite_is_needed_to_write(emu: EmulatorHandle, session, token_for) -> None:
    writer = await token_for(scopes=WRITE)
    reader = await token_for()  # the product's four read scopes
    status, body, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=reader,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    _, created, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=writer,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    path = f"/v1.0/me/events/{created['id']}"
    assert (await call(session, emu, path, token=reader))[0] == 200  # reading needs only a read scope
    assert (await call(session, emu, path, token=reader, method="DELETE"))[0] == 403
    assert (await call(session, emu, path + "/cancel", token=reader, method="POST"))[0] == 403
    # nobody writes in the room's calendar directly
    status, _, _ = await call(
        session, emu, f"/v1.0/users/{ROOM}/events/{created['id']}", token=writer, method="DELETE"
    )
    assert status == 403
    assert len(await _room_view(session, emu, writer)) == 1


async def test_rooms_may_answer_later(emu: EmulatorHandle, session, token_for) -> None:
    token = await token_for(scopes=WRITE)
    emu.state.resource_response_delay_s = 0.2
    status, created, _ = await call(
        session,
        emu,
        "/v1.0/me/events",
        token=token,
        method="POST",
        json=visit("2026-11-26T10:00:00", "2026-11-26T11:00:00"),
    )
    assert status == 201 and created["attendees"][0]["status"]["response"] == "none"
    assert await _room_view(session, emu, token) == []
    await asyncio.sleep(0.4)
    _, got, _ = await call(session, emu, f"/v1.0/me/events/{created['id']}", token=token)
    assert got["attendees"][0]["status"]["response"] == "accepted"
    assert len(await _room_view(session, emu, token)) == 1
