"""The setup wizard, manage, status, rotate-secrets and sync, over real HTTP: Teams is the
channel stub, Microsoft 365 is the emulator (HTTPS, real sign-in form), and sign-in links
are followed with plain HTTP like a browser."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import tests.bot.chat as chat
from api.keys import JOBS
from emulator.certs import ensure_ca
from emulator.tokens import load_signing_key
from services import texts
from services.errors import Unauthorized
from services.integration.health import integration_health
from services.store.models import Integration, Room, RoomCalendarInfo
from tests.bot.activities import activity, card_texts
from tests.bot.setup_support import (
    ADA,
    SAM,
    SOL,
    Bench,
    bench,
    button,
    card_inputs,
    cards_in,
    find,
    inputs,
    texts_of,
    walk,
)
from tests.m365 import BUSY, CONF4B, FACILITIES, PIVOT, ROOM_BOOKINGS, TENANT_ID, THAMES
from tests.samples import API_KEY

CHANNEL_ID = "19:incidents@thread.tacv2"
INCIDENTS_CHANNEL = {
    "conversation_id": CHANNEL_ID,
    "conversation_type": "channel",
    "tenant": TENANT_ID,
    "channelData": {
        "tenant": {"id": TENANT_ID},
        "team": {"id": "19:team@thread.tacv2"},
        "channel": {"id": CHANNEL_ID, "name": "Incidents"},
    },
}
BO = {
    "user_id": "29:bo",
    "aad": None,
    "tenant": TENANT_ID,
}  # a client user, known by the e-mail Teams reports
STRANGER = {"user_id": "29:who", "aad": "f0000000-0000-4000-8000-0000000000ff", "tenant": TENANT_ID}
TITLES = texts.SETUP_STEP_TITLES


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("setup-ca")
    ensure_ca(directory)
    load_signing_key(directory)
    return directory


@pytest.fixture
async def b(sqlite_url: str, ca_dir: Path) -> AsyncIterator[Bench]:
    async with bench(sqlite_url, ca_dir) as made:
        yield made


async def wait_for(
    b: Bench, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> dict[str, Any]:
    """A message the bot posts on its own (a job), delivered by the app's job runner."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        await b.client.app[JOBS].run_due()
        seen += b.sent()
        for reply in seen:
            if predicate(reply):
                return reply
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such message; saw {[card_texts(r) for r in seen]}")


def shows(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda reply: any(text in line for line in card_texts(reply))


def mapping_rows(reply: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """pivot room name → (the row's note, the calendar room preselected)."""
    rows = {}
    for node in walk(cards_in(reply)):
        if node.get("type") != "Container":
            continue
        items = node["items"]
        rows[items[0]["text"]] = (items[1]["text"], items[2].get("value"))
    return rows


async def signed_in_at_step_4(b: Bench) -> dict[str, Any]:
    """`setup`, then the sign-in link followed in a browser: the step 4 card."""
    out = await b.say("setup")
    signin = find(out, TITLES["signin"])
    url = button(signin, texts.SETUP_SIGNIN_BUTTON)["url"]
    assert url.startswith(b.settings.PUBLIC_BASE_URL + "/auth/start?session=")
    page = await b.sign_in_via(url)
    assert f"Signed in as {PIVOT}" in page
    out = b.sent()
    assert texts_of(out)[0] == texts.SETUP_SIGNED_IN_AS.format(upn=PIVOT)
    return find(out, TITLES["calendar"])


async def at_step_5(b: Bench) -> dict[str, Any]:
    step4 = await signed_in_at_step_4(b)
    out = await b.submit(step4, texts.SETUP_NEXT, calendar=ROOM_BOOKINGS, location="hq")
    return find(out, TITLES["mapping"])


async def test_only_a_client_admin_in_a_1_to_1_chat_may_run_setup(b: Bench) -> None:
    for who in (SAM, SOL):
        for command in ("setup", "manage", "status", "rotate-secrets"):
            assert texts_of(await b.say(command, **who)) == [texts.SETUP_PROVIDER_REFUSED], (who, command)
    assert texts_of(await b.say("setup", **BO)) == [texts.SETUP_ADMIN_ONLY]
    assert texts_of(await b.say("setup", **STRANGER)) == [texts.NOT_LINKED]
    group = {"conversation_id": "19:chat@thread.v2", "conversation_type": "groupChat"}
    assert texts_of(await b.say("setup", **ADA, **group)) == [texts.SETUP_PERSONAL_ONLY]
    # A provider cannot press an admin's buttons either.
    assert texts_of(
        await b.submit(rotate_card(await b.say("rotate-secrets")), texts.ROTATE_CONFIRM, who=SAM)
    ) == [texts.CARD_NOT_FOR_YOU]
    assert await b.services.directory.authenticate("contoso", API_KEY) == "contoso"


def rotate_card(out: list[dict[str, Any]]) -> dict[str, Any]:
    return find(out, texts.ROTATE_TITLE.format(client="Contoso Ltd"))


async def test_setup_walks_the_guide_steps_3_to_7(b: Bench) -> None:
    out = await b.say("setup")
    first = button(find(out, TITLES["signin"]), texts.SETUP_SIGNIN_BUTTON)["url"]
    # An abandoned link can be replaced by a new one; the new one carries on the same setup.
    out = await b.submit(find(out, TITLES["signin"]), texts.SETUP_NEW_LINK_BUTTON)
    second = button(find(out, TITLES["signin"]), texts.SETUP_SIGNIN_BUTTON)["url"]
    assert second != first
    await b.sign_in_via(second)
    out = b.sent()
    assert texts_of(out)[0] == texts.SETUP_SIGNED_IN_AS.format(upn=PIVOT)

    # Step 4: the service account's calendars (own and shared) and the client's locations.
    step4 = find(out, TITLES["calendar"])
    calendars = {c["value"]: c["title"] for c in inputs(step4)["calendar"]["choices"]}
    assert calendars[ROOM_BOOKINGS] == f"Room Bookings ({FACILITIES})"
    assert any(title.endswith(f"({PIVOT})") for title in calendars.values())
    assert [c["value"] for c in inputs(step4)["location"]["choices"]] == ["hq", "ldn"]
    out = await b.submit(step4, texts.SETUP_NEXT, calendar=ROOM_BOOKINGS, location="hq")

    # Step 5: automapping, keyed on e-mail, with confidences and what stayed unmatched.
    step5 = find(out, TITLES["mapping"])
    rows = mapping_rows(step5)
    assert rows["Conference Room 4B"][1] == CONF4B
    assert rows["Busy Room"][1] == BUSY
    assert rows["Conference Room 5A"] == (texts.SETUP_MAP_ROW_NONE, "none")
    assert re.fullmatch(r"Proposed: Conf Rm 4B \(12\) \(\d+% confidence\)\.", rows["Conference Room 4B"][0])
    lines = card_texts(step5)
    assert texts.SETUP_MAP_UNMATCHED_PIVOT.format(rooms="Conference Room 5A") in lines
    unmatched = next(line for line in lines if line.startswith("Calendar rooms not paired"))
    assert "Darling Training Rm" in unmatched
    assert "LON-02-Thames (8) \\[VC\\]" in unmatched  # shown as text, not Markdown

    # A card from an earlier step is recognised; the current step is shown again.
    out = await b.submit(step4, texts.SETUP_NEXT, calendar=ROOM_BOOKINGS, location="hq")
    assert texts_of(out)[0] == texts.SETUP_STALE_CARD
    step5 = find(out, TITLES["mapping"])

    out = await b.submit(step5, texts.SETUP_MAP_YES)
    assert texts.SETUP_MAP_SAVED.format(mapped=2, total=3) in texts_of(out)
    assert not any("can't read" in line for line in texts_of(out))

    # Step 6: Automated Scheduling.
    step6 = find(out, TITLES["scheduling"])
    out = await b.submit(step6, texts.SETUP_SCHEDULING_YES)
    assert texts_of(out)[0] == texts.SETUP_SCHEDULING_SAVED[True].format(location="Contoso HQ")

    # Step 7: the provider profile, pre-filled: DESIGN 3.5 defaults, the directory's hours,
    # the provider the directory assigns to the location, the default SLA.
    step7 = find(out, TITLES["profile"])
    preset = card_inputs(step7)
    assert (preset["horizon_hours"], preset["min_window_minutes"], preset["slot_minutes"]) == (48, 30, 60)
    assert preset["service_provider_id"] == "acme-av"
    assert preset["sla_hours"] == 4
    assert (preset["open_mon"], preset["close_mon"]) == ("08:00", "17:00")
    assert "open_sat" not in preset
    # No SLA yet: remind after 60 minutes, tell the admins after 120 (DESIGN 3.12).
    assert (preset["remind_after_minutes"], preset["client_after_minutes"]) == (60, 120)
    assert [c["value"] for c in inputs(step7)["service_provider_id"]["choices"]] == ["none", "acme-av"]
    out = await b.submit(step7, texts.SETUP_PROFILE_SAVE, service_provider_id="acme-av", sla_hours="4")
    assert texts_of(out)[0] == texts.SETUP_PROFILE_SAVED.format(location="Contoso HQ")
    summary = find(out, TITLES["summary"])
    facts = card_texts(summary)
    assert f"{texts.STATUS_ACCOUNT}: {PIVOT}" in facts
    assert f"{texts.STATUS_MAPPED}: 2 of 3" in facts
    assert f"{texts.STATUS_SCHEDULING}: on" in facts
    assert (
        f"{texts.ESCALATION_SUMMARY_LABEL}: remind the provider after 60 min, tell the admins after 120 min"
        in facts
    )
    assert f"{texts.STATUS_PROVIDER}: Acme AV" in facts

    # Finish: new keys, shown once.
    out = await b.submit(summary, texts.SETUP_FINISH)
    keys = find(out, texts.SECRETS_WEBHOOK_LABEL)
    mono = [n["text"] for n in walk(cards_in(keys)) if n.get("fontType") == "Monospace"]
    secret, api_key = mono
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert texts.SETUP_DONE in texts_of(out)
    assert await b.services.directory.webhook_secret("contoso") == secret
    assert await b.services.directory.authenticate("contoso", api_key) == "contoso"
    with pytest.raises(Unauthorized):
        await b.services.directory.authenticate("contoso", API_KEY)

    # Everything went through the configure contract.
    settings = await b.services.integration.location_settings("contoso", "hq")
    assert settings["scheduling"] is True
    assert (settings["service_provider_id"], settings["sla_hours"]) == ("acme-av", 4)
    assert settings["business_hours"]["mon"] == ["08:00", "17:00"]
    assert settings["business_hours"]["sat"] is None
    async with b.services.db.session() as session:
        integration = await session.get(Integration, "contoso")
        rooms = {r.id: (r.calendar_email, r.mapping_source) for r in await session.scalars(select(Room))}
        info = {
            i.email: (i.readable, i.mailbox_timezone) for i in await session.scalars(select(RoomCalendarInfo))
        }
    assert integration is not None
    assert (integration.calendar_owner, integration.calendar_id) == (FACILITIES, ROOM_BOOKINGS)
    assert rooms["hq-4b"] == (CONF4B, "setup")
    assert rooms["hq-busy"] == (BUSY, "setup")
    assert rooms["hq-5a"] == (None, None)
    assert info[CONF4B] == (True, "Eastern Standard Time")

    # The dialog is over; status tells the integration's health.
    status = card_texts((await b.say("status"))[0])
    assert f"{texts.STATUS_ACCOUNT}: {PIVOT}" in status
    assert f"{texts.STATUS_SCHEDULING}: on" in status
    assert f"{texts.STATUS_UNMAPPED}: Conference Room 5A" in status


async def test_no_maps_every_room_by_hand(b: Bench) -> None:
    step5 = await at_step_5(b)
    out = await b.submit(step5, texts.SETUP_MAP_NO)
    manual = find(out, TITLES["mapping"])
    assert {value for _, value in mapping_rows(manual).values()} == {"none"}
    assert texts.SETUP_MAP_MANUAL_BODY.format(location="Contoso HQ") in card_texts(manual)
    values = {key: "none" for key in card_inputs(manual)}
    # The same calendar room twice is refused and nothing is saved.
    values.update(map_0=CONF4B, map_1=CONF4B)
    out = await b.submit(manual, texts.SETUP_MAP_SAVE, **values)
    assert texts.SETUP_MAP_TWICE.format(room="Conf Rm 4B (12)") in texts_of(out)
    values.update(map_1=THAMES)
    out = await b.submit(find(out, TITLES["mapping"]), texts.SETUP_MAP_SAVE, **values)
    assert texts.SETUP_MAP_SAVED.format(mapped=2, total=3) in texts_of(out)
    find(out, TITLES["scheduling"])
    async with b.services.db.session() as session:
        rooms = {r.id: r.calendar_email for r in await session.scalars(select(Room))}
    assert (rooms["hq-busy"], rooms["hq-4b"], rooms["hq-5a"]) == (CONF4B, THAMES, None)


async def test_a_restart_between_step_4_and_5_resumes_at_step_5(database_url: str, ca_dir: Path) -> None:
    async with bench(database_url, ca_dir) as b:
        step4 = await signed_in_at_step_4(b)
        await b.restart()
        out = await b.submit(step4, texts.SETUP_NEXT, calendar=ROOM_BOOKINGS, location="hq")
        step5 = find(out, TITLES["mapping"])
        assert mapping_rows(step5)["Conference Room 4B"][1] == CONF4B


async def test_an_unshared_room_is_flagged_by_setup_and_reported_by_sync(b: Bench) -> None:
    await b.admin("/_admin/unshare", {"room": BUSY, "user": PIVOT})
    step5 = await at_step_5(b)
    out = await b.submit(step5, texts.SETUP_MAP_YES)
    flag = texts.SETUP_ROOM_UNREADABLE.format(room="Busy Room", email=BUSY, upn=PIVOT)
    assert flag in texts_of(out)
    assert "calendar with pivot@contoso.com with Can View All Details, then run `manage`" in flag
    assert texts_of(await b.say("cancel")) == [texts.CANCELLED]

    assert await b.run_sync() == {"contoso": "reported"}
    report = await wait_for(b, shows(texts.SYNC_REPORT_TITLE.format(client="Contoso Ltd")))
    assert flag in card_texts(report)
    assert await b.run_sync() == {"contoso": "ok"}  # reported once, not every hour
    async with b.services.db.session() as session:
        info = await session.get(RoomCalendarInfo, ("contoso", BUSY))
        integration = await session.get(Integration, "contoso")
    assert info is not None and info.readable is False
    assert integration is not None and integration.last_sync_at is not None
    status = card_texts((await b.say("status"))[0])
    assert f"{texts.STATUS_UNREADABLE}: Busy Room" in status

    # New, renamed and removed rooms are reported too.
    await b.admin("/_admin/rooms", {"emailAddress": CONF4B, "displayName": "Conf Rm 4B (14)"})
    await b.admin("/_admin/rooms", {"emailAddress": "huddle7@contoso.com", "displayName": "HQ Huddle 7"})
    await b.admin(f"/_admin/rooms/{THAMES}", method="DELETE")
    assert await b.run_sync() == {"contoso": "reported"}
    report = await wait_for(b, shows(texts.SYNC_REPORT_TITLE.format(client="Contoso Ltd")))
    lines = card_texts(report)
    assert texts.SYNC_RENAMED.format(old="Conf Rm 4B (12)", name="Conf Rm 4B (14)", email=CONF4B) in lines
    assert texts.SYNC_NEW.format(name="HQ Huddle 7", email="huddle7@contoso.com") in lines
    assert texts.SYNC_REMOVED.format(name="LON-02-Thames (8) \\[VC\\]", email=THAMES) in lines
    assert flag not in lines


async def test_a_revoked_sign_in_reaches_the_admin_within_one_sync_run(b: Bench) -> None:
    await signed_in_at_step_4(b)
    assert texts_of(await b.say("cancel")) == [texts.CANCELLED]
    assert await b.run_sync() == {"contoso": "ok"}

    await b.admin("/_admin/revoke", {"user": PIVOT})
    assert await b.run_sync() == {"contoso": "reconnect"}
    notice = await wait_for(b, shows(texts.SETUP_RECONNECT_TITLE))
    assert texts.RECONNECT_BODY.format(client="Contoso Ltd", upn=PIVOT) in card_texts(notice)
    url = button(notice, texts.SETUP_SIGNIN_BUTTON)["url"]
    assert url.startswith(b.settings.PUBLIC_BASE_URL + "/auth/start?session=")
    status = card_texts((await b.say("status"))[0])
    assert f"{texts.STATUS_ACCOUNT}: {texts.STATUS_RECONNECT.format(upn=PIVOT)}" in status
    assert await b.run_sync() == {"contoso": "reconnect"}  # told once, not every run
    await b.client.app[JOBS].run_due()
    assert b.sent() == []

    await b.sign_in_via(url)
    assert texts_of(b.sent()) == [texts.RECONNECTED.format(upn=PIVOT)]
    assert await b.run_sync() == {"contoso": "ok"}


async def test_manage_reopens_a_step_and_rotate_secrets_replaces_the_keys(b: Bench) -> None:
    out = await b.say("manage")
    manage = find(out, texts.MANAGE_ROOMS_TO_MAP)
    lines = card_texts(manage)
    assert (
        texts.MANAGE_UNMAPPED.format(
            location="Contoso HQ", rooms="Busy Room, Conference Room 4B, Conference Room 5A"
        )
        in lines
    )
    out = await b.submit(manage, texts.MANAGE_STEP_BUTTONS["scheduling"], location="ldn")
    step6 = find(out, TITLES["scheduling"])
    assert texts.SETUP_SCHEDULING_BODY.format(location="Contoso London") in card_texts(step6)
    out = await b.submit(step6, texts.SETUP_SCHEDULING_YES)
    assert texts_of(out) == [
        texts.SETUP_SCHEDULING_SAVED[True].format(location="Contoso London"),
        texts.MANAGE_SAVED,
    ]
    assert (await b.services.integration.location_settings("contoso", "ldn"))["scheduling"] is True
    assert (await b.services.integration.location_settings("contoso", "hq"))["scheduling"] is False

    # The profile step on its own: a channel the bot is installed in, shorter Friday hours.
    await chat.say(b.client, activity("installationUpdate", action="add", **INCIDENTS_CHANNEL))
    out = await b.submit(manage, texts.MANAGE_STEP_BUTTONS["profile"], location="hq")
    step7 = find(out, TITLES["profile"])
    channels = {c["value"]: c["title"] for c in inputs(step7)["teams_channel"]["choices"]}
    assert channels == {"none": texts.SETUP_NO_CHANNEL, CHANNEL_ID: "Incidents"}
    out = await b.submit(step7, texts.SETUP_PROFILE_SAVE, open_sat="10:00", close_sat="")
    assert texts_of(out)[:2] == [TITLES["profile"], texts.SETUP_PROFILE_BODY.format(location="Contoso HQ")]
    assert texts.SETUP_HALF_DAY.format(day="Saturday") in texts_of(out)
    out = await b.submit(
        find(out, TITLES["profile"]),
        texts.SETUP_PROFILE_SAVE,
        teams_channel=CHANNEL_ID,
        close_fri="13:00",
        open_sat="",
        sla_hours="8",
        remind_after_minutes="",  # the reminder off
        client_after_minutes="45",
    )
    assert texts_of(out) == [texts.SETUP_PROFILE_SAVED.format(location="Contoso HQ"), texts.MANAGE_SAVED]
    settings = await b.services.integration.location_settings("contoso", "hq")
    assert (settings["teams_channel"], settings["sla_hours"]) == (CHANNEL_ID, 8)
    assert settings["escalation"] == {"remind_after_minutes": None, "client_after_minutes": 45}
    out = await b.submit(manage, texts.MANAGE_STEP_BUTTONS["profile"], location="hq")
    reopened = find(out, TITLES["profile"])
    shown = inputs(reopened)
    assert "value" not in shown["remind_after_minutes"] and shown["client_after_minutes"]["value"] == 45
    out = await b.submit(reopened, texts.SETUP_PROFILE_SAVE)  # saved as shown: nothing changes
    assert texts_of(out) == [texts.SETUP_PROFILE_SAVED.format(location="Contoso HQ"), texts.MANAGE_SAVED]
    assert (await b.services.integration.location_settings("contoso", "hq"))["escalation"] == settings[
        "escalation"
    ]
    assert settings["business_hours"]["fri"] == ["08:00", "13:00"]
    assert settings["business_hours"]["sat"] is None

    out = await b.submit(rotate_card(await b.say("rotate-secrets")), texts.ROTATE_CONFIRM)
    mono = [n["text"] for n in walk(cards_in(out[0])) if n.get("fontType") == "Monospace"]
    secret, api_key = mono
    assert await b.services.directory.authenticate("contoso", api_key) == "contoso"
    assert await b.services.directory.webhook_secret("contoso") == secret
    with pytest.raises(Unauthorized):
        await b.services.directory.authenticate("contoso", API_KEY)


async def test_turning_room_booking_on_waits_for_a_sign_in_with_calendar_writes(b: Bench) -> None:
    # Signed in with the guide's four permissions (the `connect` link, outside setup).
    await b.sign_in_via((await b.services.identity.start_sign_in("contoso")).url)
    out = await b.say("manage")
    out = await b.submit(
        find(out, texts.MANAGE_ROOMS_TO_MAP), texts.MANAGE_STEP_BUTTONS["profile"], location="hq"
    )
    step7 = find(out, TITLES["profile"])
    assert inputs(step7)["book_room"]["value"] == "false"  # off by default
    out = await b.submit(step7, texts.SETUP_PROFILE_SAVE, book_room="true")
    waiting = texts.BOOKING_NEEDS_SIGN_IN.format(locations="Contoso HQ")
    assert waiting in texts_of(out)
    assert (await b.services.integration.location_settings("contoso", "hq"))["book_room"] is True
    status = texts_of(await b.say("status"))
    assert waiting in status
    assert f"{texts.STATUS_BOOK_ROOM}: {texts.STATUS_BOOK_ROOM_VALUES['waiting']}" in status

    # Setup says, before the sign-in, that it will ask for Calendars.ReadWrite; the sign-in does.
    out = await b.say("setup")
    signin = find(out, TITLES["signin"])
    assert texts.SETUP_SIGNIN_BOOKING.format(locations="Contoso HQ") in card_texts(signin)
    assert waiting in card_texts(signin)
    url = button(signin, texts.SETUP_SIGNIN_BUTTON)["url"]
    async with b.http.get(url, allow_redirects=False) as start, b.http.get(
        start.headers["Location"], allow_redirects=False, ssl=b.emu.ssl_context()
    ) as page:
        assert page.status == 200
        assert "Calendars.ReadWrite" in str(page.url)
    await b.sign_in_via(url)
    assert texts_of(b.sent())[0] == texts.SETUP_SIGNED_IN_AS.format(upn=PIVOT)  # setup goes on at step 4
    health = await integration_health(b.services.db, "contoso")
    assert health is not None and health.can_book_rooms and health.booking_waits_for_sign_in == []


def _suggestion_buttons(reply: dict[str, Any], row_name: str) -> list[dict[str, Any]]:
    for node in walk(cards_in(reply)):
        if node.get("type") == "Container" and node["items"][0].get("text") == row_name:
            return [a for item in node["items"] if item.get("type") == "ActionSet" for a in item["actions"]]
    raise AssertionError(f"no row {row_name!r}")


async def test_review_suggests_calendar_rooms_for_an_unmatched_row_one_click_each(b: Bench) -> None:
    # A calendar room that resembles "Conference Room 5A" but is not sure enough to be proposed.
    await b.admin(
        "/_admin/rooms", {"emailAddress": "conference@contoso.com", "displayName": "Conference Room"}
    )
    step5 = await at_step_5(b)
    assert mapping_rows(step5)["Conference Room 5A"][1] == "none"
    buttons = _suggestion_buttons(step5, "Conference Room 5A")
    assert 1 <= len(buttons) <= 3
    first = buttons[0]
    assert re.fullmatch(r"Conference Room \(\d+%\)", first["title"])
    assert first["data"]["email"] == "conference@contoso.com"
    assert texts.SETUP_MAP_SUGGESTIONS in card_texts(step5)
    assert _suggestion_buttons(step5, "Conference Room 4B") == []  # a proposed row needs none

    # One click chooses it in its row; the other rows keep their proposals; nothing is saved yet.
    out = await b.submit(step5, first["title"])
    again = find(out, TITLES["mapping"])
    rows = mapping_rows(again)
    assert rows["Conference Room 5A"][1] == "conference@contoso.com"
    assert (rows["Conference Room 4B"][1], rows["Busy Room"][1]) == (CONF4B, BUSY)
    async with b.services.db.session() as session:
        assert (await session.get(Room, ("contoso", "hq-5a"))).calendar_email is None

    out = await b.submit(again, texts.SETUP_MAP_YES)
    assert texts.SETUP_MAP_SAVED.format(mapped=3, total=3) in texts_of(out)
    async with b.services.db.session() as session:
        assert (await session.get(Room, ("contoso", "hq-5a"))).calendar_email == "conference@contoso.com"
