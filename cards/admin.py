"""Admin cards outside the wizard: manage, status, rotate-secrets, and what sync reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cards.common import card, facts, heading, paragraph, plain
from cards.setup import NEW_LINK_ACTION, choice_set, listing, note, open_url, submit
from services import texts
from services.domain.time_format import utc_stamp
from services.integration.health import Health

MANAGE_ACTION = "manage_step"
ROTATE_ACTION = "rotate_secrets"
MANAGE_STEPS = ("signin", "calendar", "mapping", "scheduling", "profile")


def _when(value: datetime | None) -> str:
    return utc_stamp(value) if value else texts.STATUS_NEVER


def _account(health: Health) -> str:
    if health.needs_reconnect:
        return texts.STATUS_RECONNECT.format(upn=plain(health.signed_in_upn) or "?")
    if not health.connected:
        return texts.STATUS_NOT_SIGNED_IN
    return plain(health.signed_in_upn) or "?"


def booking_note(health: Health) -> dict[str, Any] | None:
    """Room booking is on somewhere, but waits for a sign-in with Calendars.ReadWrite."""
    waiting = health.booking_waits_for_sign_in
    if not waiting:
        return None
    return note(
        texts.BOOKING_NEEDS_SIGN_IN.format(locations=listing([loc.name for loc in waiting])), "Warning"
    )


def manage_card(health: Health, location_id: str | None = None) -> dict[str, Any]:
    """A button per step (reopened for the chosen location) and the rooms still to map."""
    body: list[dict[str, Any]] = [
        heading(texts.MANAGE_TITLE.format(client=health.client_name)),
        facts([(texts.STATUS_ACCOUNT, _account(health))]),
    ]
    if (booking := booking_note(health)) is not None:
        body.append(booking)
    if health.locations:
        body.append(
            choice_set(
                "location",
                texts.MANAGE_LOCATION_LABEL,
                [(plain(loc.name), loc.location_id) for loc in health.locations],
                location_id or health.locations[0].location_id,
            )
        )
    body.append(heading(texts.MANAGE_ROOMS_TO_MAP))
    todo = False
    for loc in health.locations:
        if loc.unmapped:
            todo = True
            body.append(
                paragraph(
                    texts.MANAGE_UNMAPPED.format(
                        location=plain(loc.name), rooms=listing([plain(r.name) for r in loc.unmapped])
                    )
                )
            )
        if loc.unreadable:
            todo = True
            body.append(
                note(
                    texts.MANAGE_UNREADABLE.format(
                        location=plain(loc.name), rooms=listing([plain(r.name) for r in loc.unreadable])
                    ),
                    "Warning",
                )
            )
    if not todo:
        body.append(paragraph(texts.MANAGE_ALL_MAPPED, subtle=True))
    buttons = [
        submit(texts.MANAGE_STEP_BUTTONS[step], {"action": MANAGE_ACTION, "step": step})
        for step in MANAGE_STEPS
    ]
    body.append({"type": "ActionSet", "actions": buttons})
    return card(body)


def status_card(health: Health) -> dict[str, Any]:
    rows = [
        (texts.STATUS_ACCOUNT, _account(health)),
        (texts.STATUS_CALENDAR, health.calendar_owner or texts.STATUS_NONE),
        (texts.STATUS_LAST_SYNC, _when(health.last_sync_at)),
    ]
    body: list[dict[str, Any]] = [heading(texts.STATUS_TITLE.format(client=health.client_name)), facts(rows)]
    if health.needs_reconnect:
        body.append(note(texts.STATUS_RECONNECT_HINT, "Attention"))
    if (booking := booking_note(health)) is not None:
        body.append(booking)
    for loc in health.locations:
        body.append(
            {
                "type": "TextBlock",
                "text": plain(loc.name),
                "weight": "Bolder",
                "wrap": True,
                "separator": True,
            }
        )
        body.append(
            facts(
                [
                    (texts.STATUS_SCHEDULING, texts.ON_OFF[loc.scheduling]),
                    (
                        texts.STATUS_MAPPED,
                        texts.STATUS_COUNT.format(count=len(loc.mapped), total=len(loc.rooms)),
                    ),
                    (
                        texts.STATUS_UNMAPPED,
                        listing([plain(r.name) for r in loc.unmapped]) or texts.STATUS_NONE,
                    ),
                    (
                        texts.STATUS_UNREADABLE,
                        listing([plain(r.name) for r in loc.unreadable]) or texts.STATUS_NONE,
                    ),
                    (texts.STATUS_PROVIDER, plain(loc.service_provider) or texts.STATUS_NONE),
                    (texts.STATUS_CHANNEL, plain(loc.teams_channel) or texts.STATUS_NONE),
                    (texts.STATUS_BOOK_ROOM, texts.STATUS_BOOK_ROOM_VALUES[health.booking_state(loc)]),
                ]
            )
        )
    if not health.configured:
        body.append(paragraph(texts.STATUS_NOT_SET_UP, subtle=True))
    return card(body)


def rotate_confirm_card(client_name: str) -> dict[str, Any]:
    return card(
        [heading(texts.ROTATE_TITLE.format(client=plain(client_name))), paragraph(texts.ROTATE_BODY)],
        [submit(texts.ROTATE_CONFIRM, {"action": ROTATE_ACTION}, style="destructive")],
    )


def sync_report_card(report: dict[str, Any], *, client_name: str, upn: str | None) -> dict[str, Any]:
    """New, renamed, removed and unreadable rooms, each with what to do."""
    body: list[dict[str, Any]] = [heading(texts.SYNC_REPORT_TITLE.format(client=plain(client_name)))]
    if report.get("calendar_unreadable"):
        body.append(
            note(
                texts.SYNC_CALENDAR_UNREADABLE.format(upn=plain(upn) or texts.SETUP_THE_ACCOUNT), "Attention"
            )
        )
    for room in report.get("new") or []:
        line = texts.SYNC_NEW_MAPPED if room.get("pivot_room") else texts.SYNC_NEW
        body.append(
            paragraph(
                line.format(
                    name=plain(room["name"]), email=plain(room["email"]), pivot=plain(room.get("pivot_room"))
                )
            )
        )
    for room in report.get("renamed") or []:
        body.append(
            paragraph(
                texts.SYNC_RENAMED.format(
                    old=plain(room["old"]), name=plain(room["name"]), email=plain(room["email"])
                )
            )
        )
    for room in report.get("removed") or []:
        if room.get("pivot_room"):
            body.append(
                note(
                    texts.SYNC_REMOVED_MAPPED.format(name=plain(room["name"]), pivot=room["pivot_room"]),
                    "Warning",
                )
            )
        else:
            body.append(
                paragraph(texts.SYNC_REMOVED.format(name=plain(room["name"]), email=plain(room["email"])))
            )
    for room in report.get("unreadable") or []:
        body.append(
            note(
                texts.SETUP_ROOM_UNREADABLE.format(
                    room=plain(room.get("pivot_room") or room["email"]),
                    email=plain(room["email"]),
                    upn=plain(upn) or texts.SETUP_THE_ACCOUNT,
                ),
                "Warning",
            )
        )
    body.append(paragraph(texts.SYNC_REPORT_FOOTER, subtle=True))
    return card(body, [submit(texts.SYNC_OPEN_MANAGE, {"action": MANAGE_ACTION, "step": "overview"})])


def reconnect_card(url: str, *, client_name: str, upn: str | None, expires: str) -> dict[str, Any]:
    return card(
        [
            heading(texts.SETUP_RECONNECT_TITLE),
            note(
                texts.RECONNECT_BODY.format(
                    client=plain(client_name), upn=plain(upn) or texts.SETUP_THE_ACCOUNT
                ),
                "Attention",
            ),
            paragraph(texts.SETUP_SIGNIN_LINK_NOTE.format(expires=expires), subtle=True),
        ],
        [
            open_url(texts.SETUP_SIGNIN_BUTTON, url),
            submit(texts.SETUP_NEW_LINK_BUTTON, {"action": NEW_LINK_ACTION}),
        ],
    )
